// The verifier's log in a loader's output, as the two common loaders print it:
//   libbpf          libbpf: prog 'name': -- BEGIN PROG LOAD LOG --  …  -- END PROG LOAD LOG --
//                   (libbpf 0.x: -- BEGIN DUMP LOG --- … -- END LOG --)
//   cilium/ebpf     %+v of a VerifierError: `…: load program: <cause>:` then one
//                   tab-indented line per log line (go test indents it further);
//                   %v: one line, `… load program: <cause>: <last line> (N line(s) omitted)`
// Its last lines are the reason's detail; "processed N insns" is how much the
// verifier walked, the measure that creeps toward its limits (pure).

export interface VerifierLog {
  format: 'libbpf' | 'cilium/ebpf' | 'cilium/ebpf summary';
  /** The program, when the loader names it. */
  program?: string;
  /** The log's last lines (the `processed` line left out), at most the number asked for. */
  lastLines: string[];
  /** From `processed N insns (limit …)`; absent in a summary, which drops that line. */
  processedInsns?: number;
}

const PROCESSED = /^processed (\d+) insns?\b/;
const OMITTED = /^\(\d+ line\(s\) omitted\)$/;

function finish(format: VerifierLog['format'], program: string | undefined, lines: string[], max: number): VerifierLog {
  const body = lines.map((l) => l.trimEnd()).filter((l) => l.trim() && !OMITTED.test(l.trim()));
  const processed = body.map((l) => PROCESSED.exec(l.trim())).find(Boolean);
  const rest = body.filter((l) => !PROCESSED.test(l.trim()));
  return { format, program, lastLines: rest.slice(-max), processedInsns: processed ? Number(processed[1]) : undefined };
}

/** libbpf's blocks: from the BEGIN line to the END line (or the end of the output). */
function libbpfLogs(lines: string[], max: number): VerifierLog[] {
  const out: VerifierLog[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = /^libbpf: (?:prog '([^']*)': )?-- BEGIN (?:PROG LOAD|DUMP) LOG --/.exec(lines[i]!);
    if (!begin) continue;
    let end = i + 1;
    while (end < lines.length && !/^(libbpf: )?-- END (PROG LOAD )?LOG --/.test(lines[end]!)) end++;
    out.push(
      finish(
        'libbpf',
        begin[1],
        lines.slice(i + 1, end).map((l) => l.replace(/^libbpf: ?/, '')),
        max,
      ),
    );
    i = end;
  }
  return out;
}

/** cilium/ebpf's %+v: a header ending in `:` and the run of tab-indented lines after it that holds a verifier log. */
function ciliumLogs(lines: string[], max: number): VerifierLog[] {
  const out: VerifierLog[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/load program: .*:$/.test(lines[i]!.trimEnd())) continue;
    let end = i + 1;
    while (end < lines.length && /^ *\t/.test(lines[end]!)) end++;
    const run = lines.slice(i + 1, end).map((l) => l.replace(/^ *\t/, ''));
    if (run.length === 0) continue;
    const named = [lines[i]!, lines[i - 1] ?? '', lines[i - 2] ?? ''].map((l) => /program (\S+): load program:/.exec(l)).find(Boolean);
    out.push(finish('cilium/ebpf', named?.[1], run, max));
    i = end - 1;
  }
  return out;
}

/** cilium/ebpf's %v: the last one or two log lines joined to the error, on one line. */
function ciliumSummaries(lines: string[]): VerifierLog[] {
  return lines.flatMap((line) => {
    const m = /(?:program (\S+): )?load program: [^:]+: (.+?)(?: \((\d+) line\(s\) omitted\))?$/.exec(line.trim());
    if (!m?.[3]) return []; // without "omitted" the error carried no log
    return [{ format: 'cilium/ebpf summary' as const, program: m[1], lastLines: m[2]!.split(': ') }];
  });
}

/**
 * Every verifier log in a loader's output (stdout and stderr together), in order.
 * A cilium/ebpf summary counts only when the output holds no full log.
 */
export function verifierLogs(output: string, max = 5): VerifierLog[] {
  const lines = output.replace(/\r/g, '').split('\n');
  const full = [...libbpfLogs(lines, max), ...ciliumLogs(lines, max)];
  return full.length ? full : ciliumSummaries(lines);
}

/** The verified instruction count of each program that reports one. */
export function processedInsns(output: string): { program?: string; insns: number }[] {
  return verifierLogs(output).flatMap((l) => (l.processedInsns === undefined ? [] : [{ program: l.program, insns: l.processedInsns }]));
}
