// Who the loader ran as, in words: the guest reports its uid and CapEff; the
// reports and the failure explanations both describe it the same way.

import { CAPABILITIES } from '../config/capabilities.js';
import type { GuestFacts } from './model.js';

/** CapEff hex (as in /proc/<pid>/status) → capability names, lower case without cap_. */
export function capabilityNames(capEff: string): string[] {
  let bits: bigint;
  try {
    bits = BigInt(`0x${capEff.trim().replace(/^0x/i, '')}`);
  } catch {
    return [];
  }
  return CAPABILITIES.filter((_, i) => (bits >> BigInt(i)) & 1n);
}

/** `uid 1000, CAP_BPF+CAP_PERFMON`, `uid 0, all capabilities`, `uid 1000, no capabilities`. */
export function describeCredentials(g: Pick<GuestFacts, 'uid' | 'capEff'>): string | undefined {
  if (g.uid === undefined && g.capEff === undefined) return undefined;
  const parts = [g.uid !== undefined ? `uid ${g.uid}` : undefined];
  if (g.capEff !== undefined) {
    const names = capabilityNames(g.capEff);
    // Capabilities 0–37 exist on every kernel we boot; perfmon, bpf, checkpoint_restore only from 5.8/5.9.
    const all = CAPABILITIES.slice(0, 38).every((c) => names.includes(c));
    parts.push(names.length === 0 ? 'no capabilities' : all ? 'all capabilities' : names.map((n) => `CAP_${n.toUpperCase()}`).join('+'));
  }
  return parts.filter(Boolean).join(', ');
}
