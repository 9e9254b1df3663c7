// Every report format rendered from one realistic model with every status and a
// hostile cell; snapshots pin the output, the other tests pin what must hold.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/core/plain-text.js';
import { runVerdict } from '../../src/outcome/run-verdict.js';
import { REPORT_CSP, renderHtml } from '../../src/report/html.js';
import { REPORT_SCRIPT } from '../../src/report/html-script.js';
import { renderJunit } from '../../src/report/junit.js';
import { fence, mdInline, renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/terminal.js';
import { fixtureResults, fixtureRun } from './fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const XSD = path.join(here, '../fixtures/junit.xsd');

/** Markdown with fenced blocks removed: what GitHub parses as structure. */
function outsideFences(md: string): string {
  const out: string[] = [];
  let open: string | undefined;
  for (const line of md.split('\n')) {
    const m = /^(`{3,})/.exec(line);
    if (open) {
      if (m && m[1] === open && line.trim() === open) open = undefined;
      continue;
    }
    if (m) open = m[1];
    else out.push(line);
  }
  expect(open, 'unterminated fence').toBeUndefined();
  return out.join('\n');
}

describe('text cleaning', () => {
  it('drops ANSI escapes, control bytes and lone surrogates, keeps tabs and newlines', () => {
    expect(cleanText('a\x1b[31mb\x1b[0m\tc\r\nd\x00e\x07\ud800f\u{1f600}')).toBe('ab\tc\ndef\u{1f600}');
    expect(cleanText('x\x1b]0;title\x07y\x7fz\x85')).toBe('xyz');
    expect(cleanText('ok\rline')).toBe('ok\nline');
  });
});

describe('junit', () => {
  const xml = renderJunit(fixtureRun());

  it('matches the snapshot', async () => {
    await expect(xml).toMatchFileSnapshot('__snapshots__/junit.xml');
  });

  it('validates against the Jenkins junit-10.xsd (apt: libxml2-utils)', () => {
    if (!existsSync('/usr/bin/xmllint')) throw new Error('xmllint missing: apt-get install -y libxml2-utils');
    const dir = mkdtempSync(path.join(tmpdir(), 'pm-junit-'));
    const file = path.join(dir, 'junit.xml');
    writeFileSync(file, xml);
    // Throws (non-zero exit) on any schema or well-formedness error.
    const out = execFileSync('xmllint', ['--noout', '--schema', XSD, file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  });

  it('has one testsuite per cell and one testcase per test and per Go case, classname = cell id', () => {
    expect(xml).toMatch(/<testsuites name="portmatrix" tests="18" failures="7" errors="1" time="104.900">/);
    expect(xml.match(/<testsuite /g)).toHaveLength(11);
    expect(xml).toContain('<testsuite name="amd64/debian-trixie/default" tests="5" failures="0" errors="0" skipped="1" time="4.500"');
    expect(xml).toContain('<testsuite name="s390x/debian-bookworm/default" tests="4" failures="3" errors="0" skipped="0"');
    expect(xml).toContain('<testsuite name="s390x/debian-bullseye/default" tests="1" failures="0" errors="0" skipped="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(18);
    expect(xml.match(/<failure /g)).toHaveLength(7);
    expect(xml.match(/<error /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(2);
    expect(xml).toContain('<testcase classname="s390x/debian-trixie/default" name="loader" time="5.200"');
    expect(xml).toContain(
      '<testcase classname="amd64/debian-trixie/default" name="suite/TestRingbuf" time="0.000">\n      <skipped message="no ring buffer before 5.8"/>',
    );
    expect(xml).toContain(
      '<testcase classname="s390x/debian-bookworm/default" name="suite/TestCORE/task_state" time="0.020">\n      <failure message="no BTF for CO-RE &lt;b&gt;"',
    );
    expect(xml).toContain('portmatrix: failed as expected (5.10 charges maps to RLIMIT_MEMLOCK): memlock limit too low');
  });

  it('escapes hostile text and drops bytes XML 1.0 forbids', () => {
    expect(xml).not.toContain('<script');
    expect(xml).toContain('&lt;/script&gt;&lt;script&gt;window.__pwned=4&lt;/script&gt;');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x1b]/);
    expect(xml).not.toMatch(/[\ud800-\udfff]/u);
  });
});

describe('markdown', () => {
  const results = fixtureRun();
  const md = renderMarkdown(results, { reportUrl: 'https://github.com/o/r/actions/runs/1' });

  it('matches the snapshot', async () => {
    await expect(md).toMatchFileSnapshot('__snapshots__/summary.md');
  });

  it('leads with counts, a legend, and failures before expected failures', () => {
    expect(md.split('\n')[0]).toBe('## ❌ portmatrix: 5 of 11 cells failed unexpectedly; 1 could not run \\(infrastructure\\)');
    expect(md).toContain('❌ 4 fail · ❗ 1 unexpected pass · ⚠️ 1 infra error · ☑️ 1 expected failure · ➖ 1 skipped · ✅ 3 pass');
    expect(md).toContain('| debian-bookworm · default | ✅ | ✅ | ❌ 0/2 |');
    expect(md.indexOf('### Failures')).toBeLessThan(md.indexOf('### Expected failures'));
    expect(md.indexOf('no BTF found for kernel version 6.1.0-37-s390x')).toBeGreaterThan(0);
    expect(md).toContain('bad CO-RE relocation: invalid func unknown#195896080');
  });

  it('keeps hostile text inside fences and escaped outside them', () => {
    const structure = outsideFences(md);
    expect(structure).not.toMatch(/<script|<img|<\/pre>|::error::/);
    expect(structure.match(/<details>/g)).toHaveLength(6);
    expect(structure.match(/<\/details>/g)).toHaveLength(6);
    // The hostile stdout has a ``` line: its fence must be longer.
    expect(md).toContain('````text\nexecsnoop: loading objects\n<script>');
    expect(structure).not.toContain('@octocat');
    expect(md).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('table cells cannot be split by guest text', () => {
    expect(mdInline('a | b </details> @x')).toBe('a \\| b &lt;/details&gt; &#64;x');
    expect(fence('x ```` y')).toBe('`````text\nx ```` y\n`````');
  });

  it('truncates whole items to the limit and points at the HTML report', () => {
    for (const limit of [1200, 2000, 3000]) {
      const small = renderMarkdown(results, { limit, reportUrl: 'https://example.test/report' });
      expect(small.length).toBeLessThanOrEqual(limit);
      expect(small).toContain('not shown; see [the full HTML report](https://example.test/report)');
      const structure = outsideFences(small);
      expect(structure.match(/<details>/g)?.length ?? 0).toBe(structure.match(/<\/details>/g)?.length ?? 0);
    }
  });
});

describe('terminal table', () => {
  const results = fixtureRun();

  it('matches the snapshot (no colour)', async () => {
    await expect(renderTable(results, { color: false, width: 100 })).toMatchFileSnapshot('__snapshots__/table.txt');
  });

  it('strips guest escapes; only its own colour codes remain', () => {
    const plain = renderTable(results, { color: false, width: 100 });
    expect(plain).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const colored = renderTable(results, { color: true, width: 100 });
    const codes = new Set(colored.match(/\x1b\[[0-9;]*m/g));
    expect([...codes].sort()).toEqual(['\x1b[0m', '\x1b[1;31m', '\x1b[1;33m', '\x1b[1;35m', '\x1b[1m', '\x1b[2m', '\x1b[32m', '\x1b[36m']);
  });

  it('cuts long reasons to the width', () => {
    const lines = renderTable(results, { color: false, width: 60 }).split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60);
  });
});

describe('html (static checks; the browser test drives it)', () => {
  const html = renderHtml(fixtureRun());

  it('matches the snapshot', async () => {
    await expect(html).toMatchFileSnapshot('__snapshots__/report.html');
  });

  it('has a CSP that allows exactly its own script, and loads nothing', () => {
    const hash = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: REPORT_SCRIPT }).toString('base64');
    expect(REPORT_CSP).toContain(`script-src 'sha256-${hash}'`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    expect(html).toContain(`<script>${REPORT_SCRIPT}</script>`);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('escapes guest text everywhere, including the embedded JSON', () => {
    expect(html).not.toContain('window.__pwned=1</script>');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    const json = /<script type="application\/json" id="pm-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    expect(JSON.parse(json).cells).toHaveLength(11);
  });
});

describe("the run's verdict", () => {
  it('fail beats infra, infra beats pass, and names the cells behind it', () => {
    const r = fixtureResults();
    const bad = (s: string) =>
      r.cells
        .filter((c) => c.status === s)
        .map((c) => c.id)
        .sort();
    expect(runVerdict(r.cells)).toEqual({
      exitCode: 1,
      strict: false,
      ok: false,
      failed: [...bad('fail'), ...bad('xpass')].sort(),
      infra: bad('infra'),
    });
    const infraOnly = r.cells.filter((c) => c.status !== 'fail' && c.status !== 'xpass');
    expect(runVerdict(infraOnly)).toMatchObject({ exitCode: 3, ok: false, failed: [] });
    const fine = r.cells.filter((c) => ['pass', 'xfail', 'skip'].includes(c.status));
    expect(runVerdict(fine)).toMatchObject({ exitCode: 0, ok: true, failed: [], infra: [] });
  });
});
