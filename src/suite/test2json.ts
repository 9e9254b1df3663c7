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
    let line = raw;
    const marked = line.startsWith(MARKER);
    if (this.needMarker && !marked) {
      this.output(line);
      return;
    }
    if (marked) line = line.slice(1);
    const trim = line.replace(/\r?\n$/, '');
    if (trim === '=== NAME') line = '=== NAME  \n';

    if (trim === 'PASS' || trim === 'FAIL' || trim.startsWith('FAIL\t')) {
      this.flushReports(0);
      this.needMarker = marked;
      this.finalResult = trim === 'PASS' ? 'pass' : 'fail';
      this.output(line);
      return;
    }

    let indent = 0;
    let rest = line;
    const update = UPDATES.some((u) => line.startsWith(u));
    if (!update) {
      while (rest.startsWith('    ')) {
        rest = rest.slice(4);
        indent++;
      }
    }
    const report = !update && REPORTS.some((r) => rest.startsWith(r));
    if (!update && !report) {
      // Indented output belongs to the pending report at that depth (Go < 1.20 layout).
      if (indent > 0 && indent <= this.reports.length) this.testName = this.reports[indent - 1]!.test!;
      this.output(marked ? line : raw);
      return;
    }

    const body = (report ? rest : line).slice(4).replace(/\r?\n$/, '');
    const space = body.indexOf(' ');
    const action = body
      .slice(0, space < 0 ? body.length : space)
      .replace(/:$/, '')
      .toLowerCase();
    let name = space < 0 ? '' : body.slice(space + 1).trim();

    if (report) {
      let elapsedMs: number | undefined;
      const m = / \((\d+(?:\.\d+)?)s\)$/.exec(name);
      if (m) {
        elapsedMs = Math.round(Number(m[1]) * 1000);
        name = name.slice(0, m.index);
      }
      if (this.reports.length < indent) {
        this.output(line);
        return;
      } // deeper than any running test: plain output
      this.needMarker = marked;
      this.flushReports(indent);
      this.testName = name;
      this.reports.push({ action: action as GoAction, test: name, elapsedMs });
      return;
    }
    if (action === 'artifacts' || action === 'attr') name = name.split(' ')[0]!;
    this.needMarker = marked;
    this.flushReports(0);
    this.testName = name;
    // NAME only redirects output; ATTR and ARTIFACTS carry nothing a case needs.
    if (['run', 'pause', 'cont', 'pass', 'fail', 'skip'].includes(action)) this.emit({ action: action as GoAction, test: name });
  }
}

/** All events of a complete (or truncated) stream. */
export function test2json(text: string): { events: GoEvent[]; finalResult?: 'pass' | 'fail' } {
  const events: GoEvent[] = [];
  const conv = new Test2Json((e) => events.push(e));
  conv.write(text);
  conv.end();
  return { events, finalResult: conv.finalResult };
}
