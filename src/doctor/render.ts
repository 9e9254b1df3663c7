// Doctor output: one line per check, then one combined install command (pure).

import type { CheckResult } from './check.js';

const MARK: Record<CheckResult['status'], string> = { ok: 'ok     ', warn: 'warn   ', missing: 'MISSING' };

export function missingPackages(results: CheckResult[]): string[] {
  return [...new Set(results.filter((r) => r.status === 'missing' && r.aptPackage).map((r) => r.aptPackage!))];
}

export function installCommand(packages: string[]): string {
  return `sudo apt-get install ${packages.join(' ')}`;
}

export function renderDoctor(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const fix = r.status === 'missing' && r.aptPackage ? `; install: ${installCommand([r.aptPackage])}` : '';
    return `${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.detail}${fix}`;
  });
  const packages = missingPackages(results);
  const missing = results.filter((r) => r.status === 'missing');
  lines.push('');
  if (missing.length === 0) lines.push('Everything portmatrix needs is here.');
  else {
    lines.push(`${missing.length} required piece${missing.length === 1 ? ' is' : 's are'} missing.`);
    if (packages.length) lines.push(`Install ${packages.length === 1 ? 'it' : 'them'} with:`, `  ${installCommand(packages)}`);
  }
  return `${lines.join('\n')}\n`;
}
