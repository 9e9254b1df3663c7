// The HTML report in real Chromium, from file:// as a user opens it from an
// artifact: counts, filters in the hash, expanding a cell, deep links, and
// hostile guest output that must stay text. Needs apt: chromium.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/index.js';
import { countStatuses } from '../../src/report/view.js';
import { STATUSES } from '../../src/results/model.js';
import { fixtureRun } from './fixture.js';

// Debian's chromium; elsewhere (GitHub's Ubuntu runners ship Google Chrome) set PORTMATRIX_CHROMIUM.
const CHROMIUM = process.env.PORTMATRIX_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');

let browser: Browser;
let url: string;
const dialogs: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} missing: apt-get install -y --no-install-recommends chromium (or set PORTMATRIX_CHROMIUM to a Chrome/Chromium binary)`);
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-html-'));
  await writeReports(dir, fixtureRun(), ['html']);
  url = pathToFileURL(path.join(dir, 'report.html')).href;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
});

async function open(hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // Anything but the file itself would be a network request (or a CSP bypass).
  page.on('request', (r) => {
    if (r.url() !== url + hash && !r.url().startsWith(url)) errors.push(`request: ${r.url()}`);
  });
  await page.goto(url + hash);
  return page;
}

const visibleIds = (page: Page) => page.$$eval('details.cell', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-id')));

describe('HTML report in Chromium', () => {
  it('shows counts that match the model, and a full-page screenshot', async () => {
    const page = await open();
    const counts = countStatuses(fixtureRun().cells);
    for (const status of STATUSES) {
      expect(await page.textContent(`[data-count="${status}"]`), status).toBe(String(counts[status]));
    }
    expect(await page.textContent('[data-count="total"]')).toBe('11');
    expect(await page.textContent('#pm-shown')).toBe('all 11 cells shown');
    expect(await page.locator('td[data-id] a').count()).toBe(11);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
  });

  it('status filter hides other cells and is kept in the hash', async () => {
    const page = await open();
    await page.click('[data-filter-status="fail"]');
    expect(new URL(page.url()).hash).toBe('#status=fail');
    const ids = await visibleIds(page);
    expect(ids).toHaveLength(4);
    expect(await page.locator('td.dim').count()).toBe(7);
    expect(await page.textContent('#pm-shown')).toBe('4 of 11 cells shown');
    await page.click('[data-filter-status="infra"]');
    expect(new URL(page.url()).hash).toBe('#status=fail,infra');
    expect(await visibleIds(page)).toHaveLength(5);
    await page.selectOption('select[data-filter="arch"]', 'amd64');
    expect(new URL(page.url()).hash).toBe('#status=fail,infra&arch=amd64');
    expect(await visibleIds(page)).toEqual(['amd64/debian-bookworm/lockdown', 'amd64/debian-bullseye/default', 'amd64/debian-trixie/lockdown']);
    // Rows with nothing left to show disappear from the grid.
    expect(await page.locator('tr[data-row]:not([hidden])').count()).toBe(3);
    await page.click('#pm-clear');
    expect(new URL(page.url()).hash).toBe('');
    expect(await visibleIds(page)).toHaveLength(11);
    await page.close();
  });

  it('filters from a shared link apply on load', async () => {
    const page = await open('#kernel=debian-trixie&config=default');
    expect(await visibleIds(page)).toEqual(['s390x/debian-trixie/default', 'arm64/debian-trixie/default', 'amd64/debian-trixie/default']);
    expect(await page.inputValue('select[data-filter="kernel"]')).toBe('debian-trixie');
    await page.close();
  });

  it('the test filter keeps cells that ran the test and shows only its section, with passed/total and cases', async () => {
    const page = await open('#test=suite');
    expect(await visibleIds(page)).toEqual(['s390x/debian-bookworm/default', 'amd64/debian-trixie/default']);
    expect(await page.inputValue('select[data-filter="test"]')).toBe('suite');
    const cell = page.locator('details.cell[data-id="amd64/debian-trixie/default"]');
    expect(await cell.locator('> summary .tests-count').innerText()).toBe('tests: 2/2');
    await cell.locator('> summary').click();
    expect(await cell.locator('details.test[data-test="loader"]').isHidden()).toBe(true);
    const suite = cell.locator('details.test[data-test="suite"]');
    await suite.locator('> summary').click();
    expect(await suite.locator('table.cases tr.case').allInnerTexts()).toEqual([
      expect.stringMatching(/^pass\s+TestAttach\s+310 ms/),
      expect.stringMatching(/^skip\s+TestRingbuf\s+.*no ring buffer before 5\.8/),
      expect.stringMatching(/^pass\s+TestCORE\/task_state/),
    ]);
    await page.close();
  });

  it('a cell expands to show its logs, and its address becomes a link to it', async () => {
    const page = await open();
    const cell = page.locator('details.cell[data-id="s390x/debian-bookworm/default"]');
    expect(await cell.locator('pre').first().isVisible()).toBe(false);
    await cell.locator('> summary').click();
    await expect.poll(() => cell.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
    expect(await cell.locator('pre').nth(1).innerText()).toContain('no BTF found for kernel version 6.1.0-37-s390x');
    expect(await cell.innerText()).toMatch(/BTF \(guest\)\s+no/);
    await expect.poll(() => new URL(page.url()).hash).toBe('#cell=s390x/debian-bookworm/default');
    await page.close();
  });

  it('a deep link #cell=<id> opens and scrolls to that cell, and grid links keep filters', async () => {
    const page = await open('#cell=amd64/debian-trixie/lockdown');
    const cell = page.locator('details.cell[data-id="amd64/debian-trixie/lockdown"]');
    expect(await cell.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
    expect(await page.locator('details.cell[open]').count()).toBe(1);
    expect(await cell.evaluate((e) => e.getBoundingClientRect().top)).toBeLessThan(50);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    expect(await cell.locator('pre').nth(1).innerText()).toContain('bad CO-RE relocation');
    // From the grid, with a filter on: the filter stays, the cell opens.
    await page.goto(`${url}#status=xpass`);
    await page.click('td[data-id="s390x/debian-trixie/default"] a');
    expect(new URL(page.url()).hash).toBe('#status=xpass&cell=s390x/debian-trixie/default');
    expect(await page.locator('details.cell[data-id="s390x/debian-trixie/default"]').evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
    await page.close();
  });

  it('hostile guest output is shown as text and runs nothing', async () => {
    const page = await open('#cell=amd64/debian-bookworm/lockdown');
    const cell = page.locator('details.cell[data-id="amd64/debian-bookworm/lockdown"]');
    const stdout = await cell.locator('pre').first().innerText();
    expect(stdout).toContain('<script>window.__pwned=1</script>');
    expect(stdout).toContain('<img src=x onerror="window.__pwned=2">');
    expect(stdout).toContain('</details></pre></code></td></tr></table>');
    expect(stdout).not.toContain('\x1b');
    expect(await cell.locator('pre').nth(1).innerText()).toContain('</pre><script>window.__pwned=5</script>');
    expect(await cell.locator('.reason').innerText()).toContain('</script><script>window.__pwned=3</script>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    // Every cell is still its own <details>: the hostile </details> closed nothing.
    expect(await page.locator('details.cell').count()).toBe(11);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
