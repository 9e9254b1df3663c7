// `portmatrix init [--force]`: writes a starter matrix.yaml and
// .github/workflows/portmatrix.yml into the current directory, with the loader
// path guessed from the repository (init/detect.ts). Existing files are never
// overwritten without --force (UsageError, exit 2).

import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { VERSION } from '../version.js';
import { ExitCode, UsageError } from '../errors.js';
import { detectLoader, type LoaderGuess } from '../init/detect.js';
import { matrixYaml, workflowYaml } from '../init/templates.js';

export interface InitOptions {
  force?: boolean;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );


function nextSteps(guess: LoaderGuess): string[] {
  const steps = [
    guess.kind === 'placeholder'
      ? 'matrix.yaml: set loader.path to your loader binary (no Go/bpf2go program or per-arch binary was found)'
      : `matrix.yaml: check loader.path (${guess.path}, guessed from ${guess.evidence})`,
    'matrix.yaml: pick your kernels, arches and configs; list known failures under expect',
    guess.kind === 'placeholder'
      ? '.github/workflows/portmatrix.yml: fill in the "Build the loader" step'
      : '.github/workflows/portmatrix.yml: check the "Build the loader" step',
    'try it locally: npx portmatrix doctor && npx portmatrix run',
  ];
  return steps.map((s, i) => `  ${i + 1}. ${s}`);
}

export default async function init(ctx: Context, opts: InitOptions): Promise<number> {
  const guess = await detectLoader(ctx.cwd);
  const files = [
    { rel: 'matrix.yaml', text: matrixYaml(guess) },
    { rel: '.github/workflows/portmatrix.yml', text: workflowYaml(guess, VERSION) },
  ];
  // Check all before writing any: either both files are written or none.
  if (!opts.force) {
    for (const f of files) {
      if (await exists(path.join(ctx.cwd, f.rel))) throw new UsageError(`${f.rel} already exists; pass --force to overwrite it`);
    }
  }
  for (const f of files) {
    const target = path.join(ctx.cwd, f.rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.text);
    ctx.stdout.write(`wrote ${f.rel}\n`);
  }
  ctx.stdout.write(`\nNext:\n${nextSteps(guess).join('\n')}\n`);
  return ExitCode.ok;
}
