// Runs the repository's workflow files with nektos/act, a real runner
// implementation, in self-hosted mode (no Docker) on a scratch clone of this
// worktree. What act cannot reach from here is stood in for (test/fixtures/act):
// the actions from github.com through --local-repository, sudo/apt-get/udevadm/gh on
// PATH, the GitHub API by the fake GitHub. Artifacts go through act's own server.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(root, 'test/fixtures/act');

export const ACT_VERSION = 'v0.2.89';
export const ACT_INSTALL = `go install github.com/nektos/act@${ACT_VERSION}`;

const inPath = (tool: string, env: NodeJS.ProcessEnv) => (env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, tool));

/** $ACT, then PATH, then Go's default install dir. */
export function findAct(env = process.env): string {
  const candidates = [env.ACT, ...inPath('act', env), env.GOPATH && path.join(env.GOPATH, 'bin', 'act'), path.join(homedir(), 'go', 'bin', 'act')];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error(`act not found; scripts/setup --dev installs it (${ACT_INSTALL}, needs Go)`);
  // The artifact stand-ins zip and unzip as act's artifact server expects.
  for (const tool of ['zip', 'unzip']) {
    if (!inPath(tool, env).some((p) => existsSync(p)))
      throw new Error(`${tool} not found: the artifact stand-ins need it; scripts/setup --dev installs it (apt-get install ${tool})`);
  }
  return found;
}

const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=pm', '-c', 'user.email=pm@test', ...args], { cwd });

/** A git clone of this worktree as it is now (tracked and new files), on `main`, remote octo/pm. */
export async function scratchRepo(dir: string): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  for (const file of stdout.split('\0').filter((f) => f && existsSync(path.join(root, f)))) {
    if (file === 'node_modules') continue;
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await copyFile(path.join(root, file), path.join(dir, file));
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'remote', 'add', 'origin', 'https://github.com/octo/pm');
  return commit(dir, 'base');
}

/** Commits everything in the scratch repo; returns the commit. */
export async function commit(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return (await git(dir, 'rev-parse', 'HEAD')).stdout.trim();
}

export { git };

export interface ActRun {
  code: number;
  output: string;
}

export interface ActOptions {
  repo: string;
  event: 'pull_request' | 'workflow_run';
  workflow: string;
  payload: unknown;
  runId: number;
  apiUrl: string;
  store: string;
  port: number;
  vars?: Record<string, string>;
  timeoutMs: number;
}

const STAND_INS = ['checkout@v4', 'setup-node@v4', 'setup-go@v5', 'cache@v4', 'upload-artifact@v7', 'download-artifact@v4'];

function actArgs(o: ActOptions, eventFile: string): string[] {
  const args = [o.event, '-W', o.workflow, '-e', eventFile, '-P', 'ubuntu-24.04=-self-hosted'];
  args.push('--artifact-server-path', o.store, '--artifact-server-addr', '127.0.0.1', '--artifact-server-port', String(o.port));
  for (const s of STAND_INS) args.push('--local-repository', `actions/${s}=${path.join(FIXTURES, 'actions', s.split('@')[0]!)}`);
  args.push('--env', `GITHUB_RUN_ID=${o.runId}`, '--env', `GITHUB_API_URL=${o.apiUrl}`, '--env', 'GITHUB_SERVER_URL=https://github.test');
  args.push('-s', 'GITHUB_TOKEN=act-test-token');
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push('--var', `${k}=${v}`);
  return args;
}

/** One act invocation; resolves with its exit code and everything it printed. */
export async function act(o: ActOptions): Promise<ActRun> {
  const eventFile = path.join(path.dirname(o.store), `event-${o.runId}.json`);
  await writeFile(eventFile, JSON.stringify(o.payload));
  const env = {
    ...process.env,
    PATH: `${path.join(FIXTURES, 'bin')}${path.delimiter}${process.env.PATH}`,
    PM_ACT_FIXTURES: FIXTURES,
    PM_ACT_ROOT: path.join(path.dirname(o.store), 'root'),
    PM_ACT_REPO: o.repo,
  };
  const child = spawn(findAct(), actArgs(o, eventFile), { cwd: o.repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGTERM'), o.timeoutMs);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { code, output };
}

/** The id act's artifact server gives an artifact: FNV-1a (32 bit) of its name. */
export function actArtifactId(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}
