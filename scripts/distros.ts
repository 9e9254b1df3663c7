// `npm run distros [-- <portmatrix run flags>]`: the bundled example on every
// distribution kernel issue 23 names — ubuntu:jammy, ubuntu:noble/hwe, almalinux:9,
// centos-stream:10, amazonlinux:2023, oraclelinux:9/uek, fedora:43 — × amd64, arm64,
// s390x, in ONE matrix run by the real `portmatrix run`.
//
// The archives are STAND-INS (test/images/distro-stand-ins.ts): this machine cannot
// reach Ubuntu's or the RPM distributions' archives, so they are built locally and
// served on 127.0.0.1, from REAL Debian kernels repackaged in each distribution's
// layout and package names and signed with test keys given through the matrix's
// keyring options. The kernels that boot are therefore Debian's, under the
// distributions' names; examples/execsnoop/distros.yaml runs the real archives.
// Arches a stand-in lacks are excluded; arches a distribution does not build are
// skipped by portmatrix with that reason. Needs scripts/build-example first.
//
// Prints to stdout the command, the commit and the Markdown table docs/kernels.md keeps;
// portmatrix's own log goes to stderr. Exits with the run's exit code.

import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../src/cli.js';
import { ARCHES } from '../src/core/arch.js';
import type { RunResults } from '../src/results/model.js';
import { useTestLock } from '../test/helpers/dev-kernels.js';
import { distrosMatrix, serveDistroStandIns } from '../test/images/distro-stand-ins.js';
import { commandLine, provenance } from './bench-doc.js';
import { distrosTable } from './distros-table.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const loader = path.join(repoRoot, 'examples/execsnoop/bin/execsnoop-{goarch}');

async function checkLoaders(): Promise<void> {
  for (const goarch of ARCHES) {
    const file = loader.replace('{goarch}', goarch);
    await access(file).catch(() => {
      throw new Error(`${file} is missing: run scripts/build-example first`);
    });
  }
}

/** `portmatrix run` in `dir` with `args`; its log on stderr. */
async function portmatrixRun(dir: string, args: string[]): Promise<number> {
  return main(args, {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdout: process.stderr,
    stderr: process.stderr,
  });
}

interface Summary {
  extra: string[];
  args: string[];
  where: string;
  buildMs: number;
  runMs: number;
  code: number;
  results: RunResults;
  matrix: string;
}

/** What stdout gets: the stand-in notice, the command, where and how long, the table, the matrix. */
function summary(s: Summary): string[] {
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  return [
    '**Stand-in archives**: Ubuntu and the RPM distributions served on 127.0.0.1, made of Debian kernels',
    "repackaged in each distribution's layout and signed with test keys (see scripts/distros.ts).",
    '',
    `\`${commandLine('npm run distros', '--', s.extra)}\`, i.e. \`portmatrix ${s.args.join(' ')}\``,
    `${s.where}; stand-ins built in ${minutes(s.buildMs)}, run ${minutes(s.runMs)}, exit ${s.code}:`,
    '',
    ...distrosTable(s.results),
    '',
    "The matrix (URLs and keyring paths are the temporary stand-ins'):",
    '',
    '```yaml',
    s.matrix.trimEnd(),
    '```',
  ];
}

async function distros(extra: string[]): Promise<number> {
  await checkLoaders();
  const started = Date.now();
  const where = provenance(repoRoot);
  process.stderr.write('distros: building the stand-in archives (Ubuntu, RPM family) from Debian kernels…\n');
  const stand = await serveDistroStandIns();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-distros-'));
  try {
    const matrix = distrosMatrix(stand.images, loader);
    await writeFile(path.join(dir, 'matrix.yaml'), matrix);
    // Busybox and the libc stay Debian's, pinned as in every VM test.
    await useTestLock(dir);
    // The matrix lives in a temp dir and names the example's loaders in the repository.
    const args = ['run', '--allow-outside-project', '--retries', '0', '--jobs', '2', ...extra];
    const built = Date.now();
    const code = await portmatrixRun(dir, args);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const buildMs = built - started;
    const lines = summary({ extra, args, where, buildMs, runMs: Date.now() - built, code, results, matrix });
    process.stdout.write(`${lines.join('\n')}\n`);
    return code;
  } finally {
    await stand.close();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await distros(process.argv.slice(2));
