// Generated matrix.yaml files for the fuzz test and `npm run fuzz`: every key
// the schema declares (config/schema.ts KEYS), each with values a user, a
// careless user or an attacker might write, then the text itself mangled
// (aliases, control characters, CR line ends, a cut-off end). fuzz-run.ts
// holds `portmatrix plan` to its invariant on each.

import fc from 'fast-check';
import { stringify } from 'yaml';
import { KEYS } from '../../src/config/schema.js';

const oneOf = <T>(...values: T[]) => fc.constantFrom(...values);
const weird = oneOf(
  '',
  ' ',
  '\u0000',
  '\x1b[2J',
  '\u202e',
  'a\nb',
  '__proto__',
  'constructor',
  '{goarc}',
  '../..',
  '/etc/passwd',
  '/dev/zero',
  '/**',
  'x'.repeat(5000),
);
const text = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 2, arbitrary: weird });
const number = fc.oneof(fc.integer({ min: -5, max: 100 }), oneOf(0, 0.5, 1e300, 2500000, 2 ** 31, -1, Number.NaN, Infinity), fc.double());
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const list = <T>(item: fc.Arbitrary<T>, max = 4) => fc.array(item, { maxLength: max });
const junk = fc.anything({ maxDepth: 2, maxKeys: 3 });

const kernel = oneOf(
  'debian:bookworm',
  'debian:trixie/cloud',
  'debian:bookworm/cloud/extra',
  'debian:nope',
  'file:vmlinuz',
  'file:',
  'file:/etc/passwd',
  'oci:ghcr.io/cilium/ci-kernels:6.12',
  'oci:',
  'rpm:x',
);
const arch = oneOf('amd64', 'arm64', 's390x', 'x86_64', '');
const program = oneOf('loader-{arch}', 'loader-amd64', '', '.', '/dev/zero', '/etc/shadow', '../loader-{arch}', 'loader-{goarc}', 'link-out', 'dir');
const fileGlob = oneOf('data/*.o', 'loop/**', '/**', '../*', '**/*.o', 'none/*.o', 'data/a.o', 'link-out', '', '[', 'data/{goarch}.o');
const env = fc.dictionary(fc.oneof(oneOf('A', 'A-B', '1X', 'a b', 'A=B', '', '__proto__', 'PATH'), fc.string({ maxLength: 4 })), scalar, { maxKeys: 3 });

function programShape(extra: Record<string, fc.Arbitrary<unknown>> = {}) {
  return fc.record(
    {
      path: fc.oneof(program, text),
      args: fc.oneof(list(scalar), junk),
      env: fc.oneof(env, junk),
      files: fc.oneof(list(fc.oneof(fileGlob, fc.record({ src: fileGlob, dest: fc.oneof(oneOf('', 'sub', '../up', '/abs'), text) }))), junk),
      timeout: number,
      ...extra,
    },
    { requiredKeys: ['path'] },
  );
}

const match = fc.record(
  {
    arch,
    kernel: fc.oneof(kernel, text),
    config: oneOf('default', 'c1', 'x'),
    libc: oneOf('static', 'debian:bookworm'),
    test: oneOf('t1', 'loader', 'x'),
    result: oneOf('fail', 'flaky', 'pass'),
    reason: fc.oneof(text, weird),
  },
  { requiredKeys: [] },
);

const values: Record<string, fc.Arbitrary<unknown>> = {
  kernels: fc.oneof(
    list(
      fc.oneof(
        kernel,
        fc.record(
          {
            source: kernel,
            name: fc.oneof(text, oneOf('k1', 'k1')),
            btf: oneOf('kernel', 'min', 'file:raw.btf', 'file:/etc/passwd', 'bogus'),
          },
          { requiredKeys: ['source'] },
        ),
      ),
      5,
    ),
    junk,
  ),
  arches: fc.oneof(list(arch), junk),
  configs: fc.oneof(
    list(
      fc.record(
        {
          name: oneOf('default', 'c1', 'c1', 'Bad Name'),
          cmdline: fc.oneof(text, list(scalar)),
          sysctl: fc.dictionary(oneOf('kernel.x', 'bad', '__proto__'), scalar, { maxKeys: 2 }),
          user: scalar,
          capabilities: list(oneOf('bpf', 'CAP_PERFMON', 'nope')),
          flavour: oneOf('cloud', 'rt', 'tiny'),
          btf: oneOf('kernel', 'none', 'auto', 'min', 'file:raw.btf'),
        },
        { requiredKeys: ['name'] },
      ),
      4,
    ),
    junk,
  ),
  libc: fc.oneof(list(oneOf('static', 'debian:bookworm', 'debian:trixie', 'musl')), junk),
  loader: fc.oneof(programShape(), junk),
  tests: fc.oneof(
    list(
      programShape({
        name: oneOf('t1', 't1', 't2', 'loader', 'Bad'),
        kind: oneOf('exec', 'gotest', 'shell'),
        workdir: oneOf('', 'pkg', '../x', '/abs'),
      }),
      4,
    ),
    junk,
  ),
  packages: fc.oneof(list(oneOf('libbpf1', 'Bad_Name', '')), fc.record({ names: list(oneOf('libbpf1', 'x')), suite: oneOf('bookworm', 'nope') }), junk),
  vm: fc.oneof(
    fc.record(
      {
        memory: number,
        cpus: number,
        bootTimeout: number,
        accel: oneOf('auto', 'kvm', 'hvf'),
        backend: oneOf('qemu', 'vng', 'firecracker'),
        network: fc.oneof(fc.boolean(), text),
        snapshot: oneOf('auto', 'off', 'on'),
      },
      { requiredKeys: [] },
    ),
    junk,
  ),
  images: fc.oneof(fc.record({ debianMirror: oneOf('http://127.0.0.1/debian', 'ftp://x', '') }, { requiredKeys: [] }), junk),
  btf: fc.oneof(fc.record({ objects: list(fileGlob) }, { requiredKeys: [] }), junk),
  include: fc.oneof(list(match), junk),
  exclude: fc.oneof(list(match), junk),
  expect: fc.oneof(list(match), junk),
  splats: fc.oneof(fc.record({ allow: list(oneOf('WARNING: .*', '(', 'a{99999}')), deny: list(oneOf('x', '[')) }, { requiredKeys: [] }), junk),
  allowOutsideProject: fc.oneof(list(oneOf('/tmp', '', '..')), junk),
  bisect: fc.oneof(list(fc.oneof(kernel, oneOf('debian-bookworm', 'k1'))), junk),
};

/** A matrix that plans, to start from: valid axes, a loader or tests, maybe configs and expectations. */
const validMatrix = fc.record(
  {
    kernels: fc.uniqueArray(oneOf('debian:bookworm', 'debian:trixie', 'debian:trixie/cloud', 'file:vmlinuz'), {
      minLength: 1,
      maxLength: 3,
    }),
    arches: fc.uniqueArray(oneOf('amd64', 'arm64', 's390x'), { minLength: 1, maxLength: 3 }),
    configs: fc.uniqueArray(oneOf('default', 'c1', 'lockdown'), { minLength: 1, maxLength: 3 }).map((names) => names.map((name) => ({ name }))),
    loader: fc.record({
      path: oneOf('loader-{arch}'),
      files: list(oneOf('data/*.o', 'data/a.o', 'loop/**')),
      env: fc.dictionary(oneOf('A', 'B_1'), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
      timeout: fc.integer({ min: 1, max: 86400 }),
    }),
    expect: list(fc.record({ arch: oneOf('amd64'), reason: fc.oneof(text, weird) }), 1),
  },
  { requiredKeys: ['kernels', 'arches', 'loader'] },
);

/** A valid matrix with one of the schema's keys given a hostile value (or none). */
const nearlyValid = fc
  .tuple(validMatrix, fc.option(fc.constantFrom(...KEYS['']!), { nil: undefined }))
  .chain(([m, key]) => (key === undefined ? fc.constant(m as Record<string, unknown>) : (values[key] ?? junk).map((v) => ({ ...m, [key]: v }))));

/** Anything the schema's keys can hold, and now and then a key it does not know. */
const anyMatrix = fc
  .tuple(
    fc.record({ kernels: values.kernels!, arches: values.arches!, loader: values.loader! }, { requiredKeys: [] }),
    fc.subarray(KEYS['']!).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, values[k] ?? junk])))),
    fc.option(fc.dictionary(oneOf('kernal', 'x-extra', '__proto__'), junk, { maxKeys: 1 }), { nil: undefined }),
  )
  .map(([base, more, unknown]) => ({ ...base, ...more, ...unknown }));

const matrixValue = fc.oneof(nearlyValid, anyMatrix);

/** Ways to mangle the text: YAML aliases and bombs, control characters, CR line ends, a cut-off end. */
const mangle = fc.oneof(
  { weight: 6, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.constant((t: string) => t.replaceAll('\n', '\r')) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), oneOf('\x00', '\x1b[2J', '\u202e', '*a', '&a ', '{', '[', ':', '- ', '\t', '"')).map(
      ([n, s]) =>
        (t: string) =>
          t.slice(0, n % (t.length + 1)) + s + t.slice(n % (t.length + 1)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 12 })
      .map(
        (depth) => (t: string) =>
          `${t}\nx-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: depth }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}\n`,
      ),
  },
  { weight: 1, arbitrary: fc.constant((t: string) => `${t}\nx-deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`) },
);

/** matrix.yaml text. */
export const matrixText: fc.Arbitrary<string> = fc.tuple(matrixValue, mangle).map(([value, f]) => {
  let yaml: string;
  try {
    yaml = stringify(value, { lineWidth: 0 });
  } catch {
    yaml = JSON.stringify(value) ?? '';
  }
  return f(yaml);
});
