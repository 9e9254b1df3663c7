// Go's test2json rules on hand-written streams, for the lines the fixture binary does not
// print: ^V-marked framing (Go >= 1.20) and the older bare and indented layouts.
import { describe, expect, it } from 'vitest';
import { test2json } from '../../src/suite/test2json.js';

const V = '\x16';
const convert = (lines: string[]) => test2json(`${lines.join('\n')}\n`);
/** Output lines as `test: text`, framing events as `action test`. */
const brief = (lines: string[]) =>
  convert(lines).events.map((e) => (e.action === 'output' ? `${e.test ?? '-'}: ${e.output!.trimEnd()}` : `${e.action} ${e.test}`));

describe('test2json', () => {
  it('once framing is marked, an unmarked framing line is output of the running test', () => {
    const lines = [`${V}=== RUN   TestA`, '--- FAIL: TestA (0.00s)', `${V}--- PASS: TestA (0.01s)`, `${V}PASS`];
    expect(brief(lines)).toEqual(['run TestA', 'TestA: --- FAIL: TestA (0.00s)', 'pass TestA', '-: PASS']);
    expect(convert(lines).events[2]!.elapsedMs).toBe(10);
    expect(convert(lines).finalResult).toBe('pass');
  });

  it('a bare "=== NAME" ends the running test\'s output', () => {
    expect(brief([`${V}=== RUN   TestA`, 'in a', `${V}=== NAME`, 'in none'])).toEqual(['run TestA', 'TestA: in a', '-: in none']);
  });

  it('ATTR and ARTIFACTS name the test by their first word and emit nothing', () => {
    const lines = [`${V}=== RUN   TestA`, `${V}=== RUN   TestB`, `${V}=== ATTR  TestA key value`, 'attr of a', `${V}=== ARTIFACTS TestB /tmp/x`, 'of b'];
    expect(brief(lines)).toEqual(['run TestA', 'run TestB', 'TestA: attr of a', 'TestB: of b']);
  });

  it('Go < 1.20: indented output belongs to the pending report at its depth', () => {
    const lines = [
      '=== RUN   TestP',
      '=== RUN   TestP/a',
      '--- PASS: TestP (0.01s)',
      '    --- PASS: TestP/a (0.00s)',
      '        a_test.go:5: log of a',
      '    p_test.go:3: log of P',
      'PASS',
    ];
    expect(brief(lines)).toEqual([
      'run TestP',
      'run TestP/a',
      'TestP/a:         a_test.go:5: log of a',
      'TestP:     p_test.go:3: log of P',
      'pass TestP/a',
      'pass TestP',
      '-: PASS',
    ]);
  });

  it('a report deeper than any running test is output', () => {
    expect(brief(['=== RUN   TestA', '        --- PASS: Fake (0.00s)'])).toEqual(['run TestA', 'TestA:         --- PASS: Fake (0.00s)']);
  });
});
