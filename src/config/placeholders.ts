// `{arch}` / `{goarch}` in paths, and the located-failure callback every
// semantic check uses (load.ts supplies it; it throws a ConfigError).

import { type Arch, GOARCH } from '../core/arch.js';
import type { PathKey } from './locate.js';

/** Throws a located ConfigError (load.ts supplies it). */
export type Fail = (path: PathKey[], problem: string, fix: string) => never;

const PLACEHOLDER = /\{[^{}]*\}/g;
export const PLACEHOLDERS = ['{arch}', '{goarch}'];

export function fillPlaceholders(template: string, arch: Arch): string {
  return template.replaceAll('{arch}', arch).replaceAll('{goarch}', GOARCH[arch]);
}

export function checkPlaceholders(value: string, at: PathKey[], fail: Fail): void {
  for (const match of value.match(PLACEHOLDER) ?? []) {
    if (!PLACEHOLDERS.includes(match)) fail(at, `unknown placeholder ${match} in ${JSON.stringify(value)}`, `use ${PLACEHOLDERS.join(' or ')}`);
  }
}
