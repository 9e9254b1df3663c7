// A real Go test binary (test/fixtures/gotest, built here with `go test -c`) run
// with -test.v=test2json, its stream parsed case by case: pass, fail, skip with
// its message, nested subtests, and the truncated streams of a panic, a
// -test.timeout and a kill. Cross-builds for arm64 and s390x prove the fixture
// builds for every guest arch (running those happens in the VM tests).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/guest/elf.js';
import { type GoCase, parseGoTest } from '../../src/suite/gotest-cases.js';
import { goCaseJunit } from '../../src/suite/junit-cases.js';
import { type GoEvent, Test2Json, test2json } from '../../src/suite/test2json.js';

const fixture = path.resolve(__dirname, '../fixtures/gotest');
const dir = mkdtempSync(path.join(tmpdir(), 'pm-gotest-'));
const bin = (goarch: string) => path.join(dir, `fixture-${goarch}.test`);

function goTestC(goarch: string): void {
  execFileSync('go', ['test', '-c', '-o', bin(goarch), '.'], {
    cwd: fixture,
    env: { ...process.env, GOARCH: goarch, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-trimpath' },
    stdio: 'pipe',
  });
}

/** Runs the amd64 binary with stdout and stderr on one file, as a guest console interleaves them. */
function runFixture(args: string[]): { text: string; exitCode: number } {
  const out = path.join(dir, 'out.txt');
  const fd = openSync(out, 'w');
  let exitCode = 0;
  try {
    execFileSync(bin('amd64'), ['-test.v=test2json', ...args], { stdio: ['ignore', fd, fd] });
  } catch (err) {
    exitCode = (err as { status: number }).status;
  } finally {
    closeSync(fd);
  }
  return { text: readFileSync(out, 'utf8'), exitCode };
}

const summary = (cases: GoCase[]) => cases.map((c) => `${c.status} ${c.name}`);
const byName = (cases: GoCase[], name: string) => cases.find((c) => c.name === name)!;

beforeAll(() => {
  for (const goarch of ['amd64', 'arm64', 's390x']) goTestC(goarch);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('go test -c binaries', () => {
  it('cross-build for every guest arch', async () => {
    expect((await readElf(bin('amd64')))?.arch).toBe('amd64');
    expect((await readElf(bin('arm64')))?.arch).toBe('arm64');
    expect(await readElf(bin('s390x'))).toMatchObject({ arch: 's390x', bigEndian: true, static: true });
  });
});

describe('parseGoTest on real output', () => {
  it('a full run: one case per test and subtest, with status, time and output', () => {
    const run = runFixture([]);
    expect(run.exitCode).toBe(1);
    const got = parseGoTest(run.text, { exitCode: run.exitCode });
    expect(summary(got.cases)).toEqual([
      'pass TestPasses',
      'fail TestFails',
      'skip TestSkipped',
      'fail TestNested',
      'pass TestNested/ok',
      'pass TestNested/ok/deeper',
      'fail TestNested/bad',
      'skip TestNested/skip_me',
      'pass TestPrintsToStdout',
      'pass TestPanics',
      'pass TestPanics/before',
      'pass TestPanics/inner',
      'pass TestHangs',
      'pass TestZLast',
    ]);
    expect(got).toMatchObject({ truncated: false, failed: true });
    expect(byName(got.cases, 'TestFails').output).toBe('    fixture_test.go:23: before the failure\n    fixture_test.go:24: want 1, got 2\n');
    expect(byName(got.cases, 'TestSkipped').skipMessage).toBe('ring buffer needs Linux 5.8');
    expect(byName(got.cases, 'TestNested/skip_me').skipMessage).toBe('skipped on purpose');
    expect(byName(got.cases, 'TestNested/ok').output).toBe('    fixture_test.go:34: outer ok\n');
    expect(byName(got.cases, 'TestNested/ok/deeper').output).toBe('    fixture_test.go:35: deep ok\n');
    expect(byName(got.cases, 'TestPrintsToStdout').output).toBe('a line from fmt.Print\n');
    expect(got.cases.every((c) => typeof c.elapsedMs === 'number' && !c.unfinished)).toBe(true);
    expect(got.output).toBe('FAIL\n');
  });

  it('elapsed time comes from the report line', () => {
    const got = parseGoTest('\x16=== RUN   TestSlow\n\x16--- PASS: TestSlow (1.25s)\n\x16PASS\n', { exitCode: 0 });
    expect(got.cases).toEqual([{ name: 'TestSlow', status: 'pass', elapsedMs: 1250, output: '' }]);
    expect(got.failed).toBe(false);
  });

  it('-test.run selects; all passing means not failed', () => {
    const run = runFixture(['-test.run', '^TestPasses$|^TestNested$/^ok$']);
    const got = parseGoTest(run.text, { exitCode: run.exitCode });
    expect(summary(got.cases)).toEqual(['pass TestPasses', 'pass TestNested', 'pass TestNested/ok', 'pass TestNested/ok/deeper']);
    expect(got).toMatchObject({ failed: false, truncated: false });
  });

  it('a panic keeps the cases already reported; the panic trace stays with the panicking test', () => {
    const run = runFixture(['-test.run', '^TestPasses$|^TestPanics$|^TestZLast$', '-fixture.panic']);
    expect(run.exitCode).toBe(2);
    const got = parseGoTest(run.text, { exitCode: run.exitCode });
    expect(summary(got.cases)).toEqual(['pass TestPasses', 'fail TestPanics', 'pass TestPanics/before', 'fail TestPanics/inner']);
    expect(got).toMatchObject({ truncated: true, failed: true });
    expect(byName(got.cases, 'TestPanics').output).toMatch(/^panic: boom \[recovered/m);
  });

  it('-test.timeout: the running test fails with the timeout trace, earlier ones keep their result', () => {
    const run = runFixture(['-test.run', '^TestPasses$|^TestHangs$', '-fixture.hang', '-test.timeout', '1s']);
    const got = parseGoTest(run.text, { exitCode: run.exitCode });
    expect(summary(got.cases)).toEqual(['pass TestPasses', 'fail TestHangs']);
    const hung = byName(got.cases, 'TestHangs');
    expect(hung.unfinished).toBe('go test -test.timeout expired while this case ran');
    expect(hung.output).toMatch(/hanging\n[\s\S]*panic: test timed out after 1s/);
  });

  it('stdout and stderr kept apart: the timeout trace from stderr still reaches the running case', () => {
    let stdout = '';
    let stderr = '';
    try {
      execFileSync(bin('amd64'), ['-test.v=test2json', '-test.run', '^TestPasses$|^TestHangs$', '-fixture.hang', '-test.timeout', '1s'], { stdio: 'pipe' });
    } catch (err) {
      ({ stdout, stderr } = {
        stdout: String((err as { stdout: Buffer }).stdout),
        stderr: String((err as { stderr: Buffer }).stderr),
      });
    }
    expect(stdout).not.toMatch(/panic:/);
    const got = parseGoTest(stdout, { exitCode: 2, stderr });
    expect(summary(got.cases)).toEqual(['pass TestPasses', 'fail TestHangs']);
    expect(byName(got.cases, 'TestHangs')).toMatchObject({
      unfinished: 'go test -test.timeout expired while this case ran',
    });
    expect(byName(got.cases, 'TestHangs').output).toMatch(/hanging\n[\s\S]*panic: test timed out after 1s/);
    expect(got.output).toMatch(/^panic: test timed out after 1s/m);
  });

  it('a binary killed mid-test (portmatrix timeout): the running case fails, nothing else is lost', async () => {
    const child = spawn(bin('amd64'), ['-test.v=test2json', '-test.run', '^TestPasses$|^TestHangs$', '-fixture.hang']);
    let text = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('hanging\n')) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    const got = parseGoTest(text, { timedOut: true });
    expect(summary(got.cases)).toEqual(['pass TestPasses', 'fail TestHangs']);
    expect(byName(got.cases, 'TestHangs')).toMatchObject({
      unfinished: 'the test timed out before this case reported',
      output: '    fixture_test.go:57: hanging\n',
    });
    expect(got.truncated).toBe(true);
  });

  it('streaming in arbitrary chunks gives the same events as the whole text', () => {
    const { text } = runFixture([]);
    const events: GoEvent[] = [];
    const conv = new Test2Json((e) => events.push(e));
    for (let i = 0; i < text.length; i += 7) conv.write(text.slice(i, i + 7));
    conv.end();
    expect(events).toEqual(test2json(text).events);
  });

  it('plain -test.v output (no ^V markers, as older binaries print) parses the same', () => {
    const out = path.join(dir, 'plain.txt');
    const fd = openSync(out, 'w');
    try {
      execFileSync(bin('amd64'), ['-test.v'], { stdio: ['ignore', fd, fd] });
    } catch {
      // exit 1: TestFails fails
    }
    closeSync(fd);
    const plain = parseGoTest(readFileSync(out, 'utf8'), { exitCode: 1 });
    const marked = parseGoTest(runFixture([]).text, { exitCode: 1 });
    expect(summary(plain.cases)).toEqual(summary(marked.cases));
  });

  it('Go < 1.20 layout: subtest reports indented after the parent', () => {
    const old = [
      '=== RUN   TestNested',
      '=== RUN   TestNested/ok',
      '=== RUN   TestNested/bad',
      '--- FAIL: TestNested (0.01s)',
      '    --- PASS: TestNested/ok (0.00s)',
      '    --- FAIL: TestNested/bad (0.00s)',
      '        x_test.go:9: bad subtest',
      'FAIL',
      '',
    ].join('\n');
    const got = parseGoTest(old, { exitCode: 1 });
    expect(summary(got.cases)).toEqual(['fail TestNested', 'pass TestNested/ok', 'fail TestNested/bad']);
    expect(byName(got.cases, 'TestNested/bad').output).toBe('        x_test.go:9: bad subtest\n');
  });
});

describe('JUnit shape', () => {
  it('one testcase per Go case, named <test>/<case>, with failure and skip messages', () => {
    const got = parseGoTest(runFixture(['-test.run', '^TestFails$|^TestSkipped$|^TestNested$']).text, { exitCode: 1 });
    const junit = goCaseJunit('6.1-amd64-default', 'suite', got.cases);
    expect(junit).toHaveLength(got.cases.length);
    expect(junit.map((j) => [j.name, j.outcome.kind])).toEqual([
      ['suite/TestFails', 'failure'],
      ['suite/TestSkipped', 'skipped'],
      ['suite/TestNested', 'failure'],
      ['suite/TestNested/ok', 'passed'],
      ['suite/TestNested/ok/deeper', 'passed'],
      ['suite/TestNested/bad', 'failure'],
      ['suite/TestNested/skip_me', 'skipped'],
    ]);
    expect(junit[0]).toMatchObject({ classname: '6.1-amd64-default', outcome: { message: 'before the failure' } });
    expect(junit[1]!.outcome).toEqual({ kind: 'skipped', message: 'ring buffer needs Linux 5.8' });
  });
});
