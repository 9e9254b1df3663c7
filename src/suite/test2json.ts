// What a `go test -c` binary prints under -test.v=test2json, turned into events:
// the same rules as Go's own converter (cmd/internal/test2json), so the guest
// needs no Go toolchain. Framing lines ("=== RUN   X", "--- PASS: X (0.01s)")
// start with the byte 0x16 (^V) once the binary uses markers (Go >= 1.20);
// older binaries (-test.v) print them bare, and then any line that looks like
// framing is framing. Report lines of subtests may be indented four spaces a level
// (Go < 1.20 prints the subtests' reports after the parent's).

export type GoAction = 'run' | 'pause' | 'cont' | 'pass' | 'fail' | 'skip' | 'bench' | 'output';

export interface GoEvent {
  action: GoAction;
  /** Full test name (TestX/sub/deeper); absent for binary-level output. */
  test?: string;
  /** From a report line's "(0.12s)". */
  elapsedMs?: number;
  /** For `output`: one line, with its newline when it had one. */
  output?: string;
}

const MARKER = '\x16';
const UPDATES = ['=== RUN   ', '=== PAUSE ', '=== CONT  ', '=== NAME  ', '=== PASS  ', '=== FAIL  ', '=== SKIP  ', '=== ATTR  ', '=== ARTIFACTS '];
const REPORTS = ['--- PASS: ', '--- FAIL: ', '--- SKIP: ', '--- BENCH: '];

/** Incremental converter: feed chunks as they arrive, `end()` flushes a partial last line. */
export class Test2Json {
  private buffer = '';
  private needMarker = false;
  private testName = '';
  /** Pending reports, outermost first: emitted when a shallower line or an update arrives. */
  private reports: GoEvent[] = [];
  /** "PASS" / "FAIL" printed by the binary at its very end. */
  finalResult?: 'pass' | 'fail';

  constructor(private readonly emit: (e: GoEvent) => void) {}

  write(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl + 1);
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line);
    }
  }

  /** The stream ended (exit, panic, kill): flush the partial line and pending reports. */
  end(): void {
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
    this.flushReports(0);
  }

  private output(line: string): void {
    this.emit({ action: 'output', test: this.testName || undefined, output: line });
  }

  private flushReports(depth: number): void {
    this.testName = '';
    while (this.reports.length > depth) this.emit(this.reports.pop()!);
  }

  private line(raw: string): void {
    const marked = raw.startsWith(MARKER);
    if (this.needMarker && !marked) {
      this.output(raw);
      return;
    }
    let line = marked ? raw.slice(1) : raw;
    const trim = line.replace(/\r?\n$/, '');
    if (trim === '=== NAME') line = '=== NAME  \n';
    if (trim === 'PASS' || trim === 'FAIL' || trim.startsWith('FAIL\t')) {
      this.flushReports(0);
      this.needMarker = marked;
      this.finalResult = trim === 'PASS' ? 'pass' : 'fail';
      this.output(line);
      return;
    }
    const { kind, indent, rest } = framing(line);
    if (kind === 'output') {
      // Indented output belongs to the pending report at that depth (Go < 1.20 layout).
      if (indent > 0 && indent <= this.reports.length) this.testName = this.reports[indent - 1]!.test!;
      this.output(marked ? line : raw);
      return;
    }
    const { action, name } = actionAndName(rest);
    if (kind === 'report') this.report(action, name, indent, line, marked);
    else this.update(action, name, marked);
  }

  /** "--- PASS: X (0.01s)" at `indent`: pending until a shallower line or an update, which may yet end its parent. */
  private report(action: string, text: string, indent: number, line: string, marked: boolean): void {
    if (this.reports.length < indent) {
      this.output(line); // deeper than any running test: plain output
      return;
    }
    const { name, elapsedMs } = elapsed(text);
    this.needMarker = marked;
    this.flushReports(indent);
    this.testName = name;
    this.reports.push({ action: action as GoAction, test: name, elapsedMs });
  }

  /** "=== RUN   X" and the other updates: they end pending reports and name the test that output belongs to. */
  private update(action: string, text: string, marked: boolean): void {
    const name = action === 'artifacts' || action === 'attr' ? text.split(' ')[0]! : text;
    this.needMarker = marked;
    this.flushReports(0);
    this.testName = name;
    // NAME only redirects output; ATTR and ARTIFACTS carry nothing a case needs.
    if (['run', 'pause', 'cont', 'pass', 'fail', 'skip'].includes(action)) this.emit({ action: action as GoAction, test: name });
  }
}

/** Whether a line (marker removed) is an update, a report (indented four spaces a level) or output. */
function framing(line: string): { kind: 'update' | 'report' | 'output'; indent: number; rest: string } {
  if (UPDATES.some((u) => line.startsWith(u))) return { kind: 'update', indent: 0, rest: line };
  let indent = 0;
  let rest = line;
  while (rest.startsWith('    ')) {
    rest = rest.slice(4);
    indent++;
  }
  return { kind: REPORTS.some((r) => rest.startsWith(r)) ? 'report' : 'output', indent, rest };
}

/** "=== RUN   TestX/sub" → run, TestX/sub; "--- PASS: TestX (0.01s)" → pass, "TestX (0.01s)". */
function actionAndName(framingLine: string): { action: string; name: string } {
  const body = framingLine.slice(4).replace(/\r?\n$/, '');
  const space = body.indexOf(' ');
  const action = body
    .slice(0, space < 0 ? body.length : space)
    .replace(/:$/, '')
    .toLowerCase();
  return { action, name: space < 0 ? '' : body.slice(space + 1).trim() };
}

/** "TestX (0.12s)" → TestX, 120 ms. */
function elapsed(text: string): { name: string; elapsedMs?: number } {
  const m = / \((\d+(?:\.\d+)?)s\)$/.exec(text);
  return m ? { name: text.slice(0, m.index), elapsedMs: Math.round(Number(m[1]) * 1000) } : { name: text };
}

/** All events of a complete (or truncated) stream. */
export function test2json(text: string): { events: GoEvent[]; finalResult?: 'pass' | 'fail' } {
  const events: GoEvent[] = [];
  const conv = new Test2Json((e) => events.push(e));
  conv.write(text);
  conv.end();
  return { events, finalResult: conv.finalResult };
}
