// Lints every workflow with actionlint, and checks action.yml (which actionlint
// only reads for `uses: ./`) for script injection: inputs reach `run:` through
// `env:` only.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionlint } from './actionlint.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('workflows', () => {
  it('pass actionlint', async () => {
    const files = (await readdir(path.join(root, '.github/workflows'))).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`);
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/portmatrix.yml',
        '.github/workflows/portmatrix-comment.yml',
        '.github/workflows/portmatrix-kernels.yml',
      ]),
    );
    const result = await actionlint(root, files);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('actionlint really catches an injection (the check above can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pm-actionlint-'));
    try {
      await mkdir(path.join(dir, '.github/workflows'), { recursive: true });
      const bad = 'on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n';
      await writeFile(path.join(dir, '.github/workflows/bad.yml'), bad);
      const result = await actionlint(dir, ['.github/workflows/bad.yml']);
      expect(result.code).toBe(1);
      expect(result.output).toContain('potentially untrusted');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface ActionStep {
  name?: string;
  run?: string;
  shell?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  if?: string;
}

describe('action.yml', async () => {
  const text = await readFile(path.join(root, 'action.yml'), 'utf8');
  const action = parse(text) as {
    inputs: Record<string, { description?: string; default?: string }>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: ActionStep[] };
  };

  it('is a composite action with the documented inputs and outputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['matrix', 'shard', 'results-dir', 'version', 'only', 'args']));
    expect(action.inputs.matrix?.default).toBe('matrix.yaml');
    expect(action.inputs['results-dir']?.default).toBe('results');
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['results-dir', 'exit-code']));
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
  });

  it('never expands an expression inside a run script', () => {
    for (const step of action.runs.steps.filter((s) => s.run !== undefined)) {
      expect(step.run, step.name).not.toContain('${{');
      expect(step.shell, `${step.name} needs shell:`).toBe('bash');
    }
  });

  it('uses every input, and only declared ones', () => {
    const used = new Set([...JSON.stringify(action).matchAll(/inputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it('pins every action by major version', () => {
    for (const step of action.runs.steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
  });
});

// GitHub shows an artifact uploaded with `archive: false` in the browser; a zip has to be
// downloaded and unpacked. The link is built from the upload's artifact id.
describe('the HTML report one click away', async () => {
  const steps = async (file: string, job?: string): Promise<ActionStep[]> => {
    const doc = parse(await readFile(path.join(root, file), 'utf8'));
    return job ? doc.jobs[job].steps : doc.runs.steps;
  };
  const htmlUpload = (list: ActionStep[]) =>
    list.find((s) => s.uses?.startsWith('actions/upload-artifact') && (s.with as Record<string, unknown> | undefined)?.archive === false);

  for (const [file, job] of [
    ['action.yml', undefined],
    ['.github/workflows/portmatrix.yml', 'report'],
  ] as const) {
    it(`${file} uploads report.html unzipped and links it by artifact id`, async () => {
      const list = await steps(file, job);
      const upload = htmlUpload(list);
      expect(upload?.uses).toBe('actions/upload-artifact@v7');
      expect(upload?.with?.path).toMatch(/\/report\.html$/);
      const link = list.find((s) => s.env?.ARTIFACT_ID === `\${{ steps.${(upload as { id?: string }).id}.outputs.artifact-id }}`);
      expect(link?.run).toContain('/actions/runs/$GITHUB_RUN_ID');
      expect(link?.run).toContain('/artifacts/$ARTIFACT_ID');
    });
  }
});
