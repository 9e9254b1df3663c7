// `portmatrix init [--force] [--no-build]`: finds the project's tests (init/detect.ts),
// builds them for every arch it can (init/build.ts) so the first `portmatrix run`
// finds them, and writes matrix.yaml, .github/workflows/portmatrix.yml, whose
// build step runs the same commands, and the scheduled portmatrix-kernels.yml.
// Existing files are never overwritten without --force (UsageError, exit 2), and
// nothing is built or written then.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildProject } from '../init/build.js';
import { detectProject } from '../init/detect.js';
import { kernelsWorkflowYaml } from '../init/kernels-workflow.js';
import type { Project } from '../init/project.js';
import { matrixYaml, workflowYaml } from '../init/templates.js';
import { VERSION } from '../version.js';

export interface InitOptions {
  force?: boolean;
  /** false with --no-build. Default: true. */
  build?: boolean;
}

const FILES = ['matrix.yaml', '.github/workflows/portmatrix.yml', '.github/workflows/portmatrix-kernels.yml'];

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

function archSummary(p: Project): string[] {
  const left = Object.entries(p.leftOut).map(([arch, why]) => `  ${arch} left out: ${why}`);
  return [`arches: ${p.arches.join(', ')}`, ...left];
}

function nextSteps(p: Project, ready: boolean): string[] {
  const paths = p.programs.map((t) => t.path).join(', ');
  const steps = [
    p.kind === 'placeholder'
      ? 'matrix.yaml: set the test path to your loader binary ' + '(no Go module with cilium/ebpf, libbpf skeleton Makefile or per-arch binary was found)'
      : `matrix.yaml: check the tests (${paths}, guessed from ${p.evidence})`,
    'matrix.yaml: pick your kernels, arches and configs; list known failures under expect',
    p.kind === 'placeholder'
      ? '.github/workflows/portmatrix.yml: fill in the "Build the tests" step'
      : '.github/workflows/portmatrix.yml: check the "Build the tests" step',
    ready
      ? 'try it locally: npx portmatrix doctor && npx portmatrix run'
      : 'build the tests (the workflow\'s "Build the tests" step), then: npx portmatrix run',
  ];
  return steps.map((s, i) => `  ${i + 1}. ${s}`);
}

export default async function init(ctx: Context, opts: InitOptions): Promise<number> {
  // Check all before building or writing any: either every file is written or none.
  if (!opts.force) {
    for (const rel of FILES) {
      if (await exists(path.join(ctx.cwd, rel))) throw new UsageError(`${rel} already exists; pass --force to overwrite it`);
    }
  }
  const found = await detectProject(ctx.cwd);
  const build = opts.build !== false && found.prepare.length + found.perArch.length > 0;
  const log = (line: string) => ctx.stdout.write(`${line}\n`);
  const project = build ? await buildProject(found, { root: ctx.cwd, env: ctx.env, signal: ctx.signal, log }) : found;
  const ready = build || found.prepare.length + found.perArch.length === 0;
  const workflows = [workflowYaml(project, VERSION), kernelsWorkflowYaml(project, VERSION)];
  const texts = [matrixYaml(project), ...workflows];
  for (const [i, rel] of FILES.entries()) {
    const target = path.join(ctx.cwd, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, texts[i]!);
    log(`wrote ${rel}`);
  }
  ctx.stdout.write(`\n${archSummary(project).join('\n')}\n\nNext:\n${nextSteps(project, ready).join('\n')}\n`);
  return ExitCode.ok;
}
