// Runs the build steps `portmatrix init` found (project.ts), so the matrix it
// writes runs on the first `portmatrix run`. The steps that prepare (go generate,
// make) must all succeed; a per-arch step that fails leaves that arch out of the
// matrix, with the failure as the reason.

import type { Arch } from '../core/arch.js';
import { MissingToolError, UsageError } from '../errors.js';
import { which } from '../host/which.js';
import { runTool } from '../images/tools.js';
import { programsBuilt } from './c-project.js';
import { listFiles } from './detect.js';
import { type BuildStep, type Project, renderStep } from './project.js';

export interface BuildContext {
  root: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log: (line: string) => void;
}

/** The Debian package of each build tool, named when it is missing. */
const TOOL_PACKAGES: Record<string, string> = { go: 'golang-go (Go >= 1.24; or https://go.dev/dl)', make: 'make' };

const lastLines = (text: string, n: number) => text.trim().split('\n').slice(-n).join('\n');

async function runStep(step: BuildStep, ctx: BuildContext) {
  const tool = step.argv[0]!;
  const file = which(tool, ctx.env);
  if (!file) throw new MissingToolError(tool, TOOL_PACKAGES[tool] ?? tool);
  ctx.log(`$ ${renderStep(step)}`);
  const cwd = `${ctx.root}/${step.cwd}`;
  return runTool(file, step.argv.slice(1), { cwd, env: { ...ctx.env, ...step.env }, signal: ctx.signal });
}

/** The project as built: arches whose build failed are left out, C programs are the executables make made. */
export async function buildProject(project: Project, ctx: BuildContext): Promise<Project> {
  for (const step of project.prepare) {
    const r = await runStep(step, ctx);
    if (r.code !== 0) {
      throw new UsageError(
        `${renderStep(step)} failed (exit ${r.code}):\n${lastLines(`${r.stdout}\n${r.stderr}`, 15)}\n` +
          'fix the build, or pass --no-build to write the matrix without building',
      );
    }
  }
  const failed = new Map<Arch, string>();
  for (const step of project.perArch) {
    if (step.arch && failed.has(step.arch)) continue;
    const r = await runStep(step, ctx);
    if (r.code !== 0) failed.set(step.arch!, `${renderStep(step)} failed: ${lastLines(r.stderr, 1)}`);
  }
  let built: Project = {
    ...project,
    arches: project.arches.filter((a) => !failed.has(a)),
    leftOut: { ...project.leftOut, ...Object.fromEntries(failed) },
  };
  if (built.kind === 'libbpf') built = await programsBuilt(ctx.root, built, await listFiles(ctx.root));
  if (built.arches.length === 0) {
    const why = Object.entries(built.leftOut).map(([arch, reason]) => `  ${arch}: ${reason}`);
    throw new UsageError(`no arch could be built:\n${why.join('\n')}\n` + 'fix the build, or pass --no-build to write the matrix without building');
  }
  return built;
}
