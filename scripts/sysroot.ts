// Prints the path of a build sysroot: Debian packages of one suite and arch,
// resolved through Depends, verified (signed InRelease → Packages → sha256) and
// unpacked by portmatrix's own image store, pinned in the lock file given.
// scripts/build-example links the C example against it with clang --sysroot.
// Usage: node --import tsx scripts/sysroot.ts <lockfile> <suite> <arch> <package>...
import path from 'node:path';
import type { Arch } from '../src/core/arch.js';
import { createImageStore, defaultImageOptions } from '../src/images/store.js';

const [lockFile, suite, arch, ...names] = process.argv.slice(2);
if (!lockFile || !suite || !arch || names.length === 0) {
  process.stderr.write('usage: sysroot.ts <lockfile> <suite> <arch> <package>...\n');
  process.exit(2);
}
const store = createImageStore(
  defaultImageOptions(process.env, path.dirname(lockFile), {
    lockFile: path.resolve(lockFile),
    log: (l) => process.stderr.write(`sysroot: ${l}\n`),
  }),
);
try {
  const got = await store.packages(names, suite, arch as Arch);
  process.stdout.write(`${got.root}\n`);
} catch (error) {
  process.stderr.write(`sysroot: ${(error as Error).message}\n`);
  process.exit((error as { exitCode?: number }).exitCode ?? 1);
}
