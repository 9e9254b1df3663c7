// The verifier log's last lines and "processed N insns", read from what real
// loaders printed (test/facts/samples/README.md says where each came from).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processedInsns, verifierLogs } from '../../src/facts/verifier-log.js';

const sample = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples', name), 'utf8');
const LOCKDOWN_END = ['65: (85) call bpf_probe_read#4', 'program of this type cannot use helper bpf_probe_read#4'];

describe('verifierLogs', () => {
  it("cilium/ebpf's %+v log: the CO-RE-poisoned call and its error, 17 insns processed", () => {
    expect(verifierLogs(sample('cilium-core-bookworm-amd64.stderr'), 3)).toEqual([
      {
        format: 'cilium/ebpf',
        program: 'naive_execsnoop',
        lastLines: ['; instruction poisoned by CO-RE', '17: (85) call unknown#195896080', 'invalid func unknown#195896080'],
        processedInsns: 17,
      },
    ]);
  });

  it("libbpf's PROG LOAD LOG block, with the program's name", () => {
    const [log, ...rest] = verifierLogs(sample('libbpf-lockdown-trixie-amd64.stderr'), 2);
    expect(rest).toEqual([]);
    expect(log).toEqual({
      format: 'libbpf',
      program: 'handle_exec',
      lastLines: ['16: (85) call bpf_probe_read#4', LOCKDOWN_END[1]],
      processedInsns: 16,
    });
  });

  it("the log inside go test's indented output, once per failing test", () => {
    const text = sample('gotest-lockdown-trixie-amd64.stdout');
    const logs = verifierLogs(text, 2);
    expect(logs).toHaveLength(text.split('load program: invalid argument:\n').length - 1);
    expect(logs).toHaveLength(5);
    for (const l of logs) expect(l).toMatchObject({ format: 'cilium/ebpf', lastLines: LOCKDOWN_END, processedInsns: 19 });
  });

  it("cilium/ebpf's one-line summary when the loader printed no full log", () => {
    const first = sample('cilium-lockdown-trixie-amd64.stderr').split('\n')[0]!;
    expect(verifierLogs(first)).toEqual([{ format: 'cilium/ebpf summary', program: 'execsnoop', lastLines: [LOCKDOWN_END[1]] }]);
    // With the full log present, the summary of the same load is not counted twice.
    expect(verifierLogs(sample('cilium-lockdown-trixie-amd64.stderr')).map((l) => l.format)).toEqual(['cilium/ebpf']);
  });

  it('finds nothing in output without a verifier log', () => {
    expect(verifierLogs('execsnoop: attach kprobe sys_execve: permission denied\n')).toEqual([]);
    expect(verifierLogs('')).toEqual([]);
  });
});

describe('processedInsns', () => {
  it('counts per program from each format', () => {
    expect(processedInsns(sample('cilium-lockdown-trixie-amd64.stderr'))).toEqual([{ program: 'execsnoop', insns: 19 }]);
    expect(processedInsns(sample('libbpf-lockdown-trixie-amd64.stderr') + sample('cilium-core-bookworm-amd64.stderr'))).toEqual([
      { program: 'handle_exec', insns: 16 },
      { program: 'naive_execsnoop', insns: 17 },
    ]);
  });
});
