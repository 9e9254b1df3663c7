// matrix.yaml, declared once: structure, types and defaults (each default is
// stated where it is declared). Objects are strict: an unknown key is an error.
// Every `error` below is the "what would be valid" half of a located message;
// semantic checks (sources, duplicates, placeholders, matches) live in semantic.ts.

import { z } from 'zod';
import { sourceOptions } from '../core/distros.js';

const scalarString = (fix: string) =>
  // YAML turns `1`, `true` into numbers and booleans; a string field takes them as written.
  z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string({ error: fix }));

const positive = (what: string, example: string) =>
  z.number({ error: `use ${what}, e.g. ${example}` }).positive({ error: `use ${what} greater than 0, e.g. ${example}` });

const wholeNumber = (what: string, min: number, max: number, example: string) =>
  z
    .number({ error: `use ${what}, a whole number from ${min} to ${max}, e.g. ${example}` })
    .int({ error: `use ${what}, a whole number from ${min} to ${max}, e.g. ${example}` })
    .min(min, { error: `use ${what}, a whole number from ${min} to ${max}, e.g. ${example}` })
    .max(max, { error: `use ${what}, a whole number from ${min} to ${max}, e.g. ${example}` });

const BTF_FIX = 'use one of kernel, none, auto, min, file:<path>';

const kernelObject = z.strictObject(
  {
    source: z.string({
      error: 'write a source such as debian:trixie, file:vmlinuz or oci:ghcr.io/cilium/ci-kernels:6.12',
    }),
    name: z.string({ error: 'write a short name of [a-z0-9._-], e.g. trixie-cloud' }).optional(),
    /** Overrides the config's `btf` for this kernel (see configs[].btf). */
    btf: z.string({ error: BTF_FIX }).optional(),
  },
  { error: 'write a source string such as debian:trixie, or a map with source and an optional name' },
);

/** A kernel: `debian:trixie` or `{source: debian:trixie, name: t}` (name defaults from the source). */

/**
 * `images:` keys, one per source option (core/distros.ts): `<scheme>Mirror` (default:
 * the distribution's own archive; Ubuntu also has `ubuntuPortsMirror`) and
 * `<scheme>Keyring` (default: the source's own trust root). $PORTMATRIX_<SCHEME>_MIRROR
 * and _KEYRING (and --mirror for Debian) win over them.
 */
function imageSourceKeys() {
  const url = z
    .string({ error: 'write a URL, e.g. http://deb.debian.org/debian' })
    .regex(/^https?:\/\/[^\s/]+\S*$/, { error: 'write an http(s) URL, e.g. http://deb.debian.org/debian' })
    .optional();
  const keyring = z.string({ error: 'write the path of a keyring file' }).min(1, { error: 'write the path of a keyring file' }).optional();
  return Object.fromEntries(sourceOptions().map((o) => [o.key, o.name === 'keyring' ? keyring : url]));
}

export const kernelSchema = z.preprocess((v) => (typeof v === 'string' ? { source: v } : v), kernelObject);

export const configSchema = z.strictObject(
  {
    name: z.string({ error: 'give the config a name of [a-z0-9_-], e.g. lockdown' }),
    /** Extra kernel command line; a string is split on whitespace. Default: none. */
    cmdline: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : v),
        z.array(scalarString('write each kernel parameter as a string, e.g. lockdown=integrity'), {
          error: 'write the kernel command line as a string or a list, e.g. "lockdown=integrity"',
        }),
      )
      .default([]),
    /** sysctl name → value, applied in the guest before the loader runs. Default: none. */
    sysctl: z
      .record(z.string(), scalarString('write the sysctl value as a string or number, e.g. 1'), {
        error: 'write sysctls as a map, e.g. {kernel.unprivileged_bpf_disabled: 1}',
      })
      .default({}),
    /** User name or uid the loader runs as. Default: root. */
    user: scalarString('write a user name or a uid, e.g. 1000').optional(),
    /** Capabilities kept for a non-root user, e.g. [bpf, perfmon]. Default: all (root). */
    capabilities: z
      .array(z.string({ error: 'write a capability name, e.g. bpf or CAP_PERFMON' }), {
        error: 'write capabilities as a list, e.g. [bpf, perfmon]',
      })
      .optional(),
    /** Debian kernel flavour for every debian: kernel in this config. Default: the source's. */
    flavour: z.string({ error: 'use one of generic, cloud, rt' }).optional(),
    /** Kernel BTF the loader sees: kernel, none, auto, min or file:<path>. Default: kernel. */
    btf: z.string({ error: BTF_FIX }).optional(),
  },
  { error: 'write a config as a map with at least a name, e.g. {name: default}' },
);

const matchShape = {
  arch: z.string({ error: 'write an arch of the matrix, e.g. amd64' }).optional(),
  kernel: z.string({ error: "write a kernel's name or source, e.g. debian-trixie" }).optional(),
  config: z.string({ error: "write a config's name, e.g. default" }).optional(),
  libc: z.string({ error: 'write a libc of the matrix, e.g. static' }).optional(),
};
export const matchSchema = z.strictObject(matchShape, { error: 'write a map of arch, kernel, config and/or libc' });
const testMatch = { test: z.string({ error: 'write the name of a test, e.g. smoke' }).optional() };
export const excludeSchema = z.strictObject({ ...matchShape, ...testMatch }, { error: 'write a map of arch, kernel, config, libc and/or test' });
export const expectSchema = z.strictObject(
  {
    ...matchShape,
    ...testMatch,
    /** `fail`: the cell is expected to fail; `flaky`: a known flake, quarantined. Default: fail. */
    result: z.enum(['fail', 'flaky'], { error: 'use result: fail or flaky (cells that pass need no entry)' }).default('fail'),
    /** Why the cell fails; shown in every report. Required. */
    reason: z.string({ error: 'say why the cell is expected to fail, e.g. reason: no BTF on bookworm s390x' }),
  },
  { error: 'write a map of arch, kernel, config, libc, test, result and reason' },
);

const stringList = (fix: string) => z.array(scalarString(fix), { error: fix });

/** `[libbpf1]` or `{names: [libbpf1], suite: bookworm}`. */
const packagesObject = z.strictObject(
  {
    /** Debian package names for the guest arch. Required. */
    names: stringList('write package names as a list, e.g. [libbpf1]'),
    /** Debian suite they come from. Default: the cell libc's (bookworm when libc is static). */
    suite: z.string({ error: 'write a Debian suite, e.g. bookworm' }).optional(),
  },
  { error: 'write packages as a list, e.g. [libbpf1], or a map {names: [libbpf1], suite: bookworm}' },
);
export const packagesSchema = z.preprocess((v) => (Array.isArray(v) ? { names: v } : v), packagesObject);

/** A file: a path/glob placed in the test's root, or `{src: GLOB, dest: DIR}`. */
const fileObject = z.strictObject(
  {
    src: z.string({ error: 'write a path or glob relative to the matrix file, e.g. testdata/*.elf' }),
    dest: z.string({ error: 'write a directory under the test root, e.g. testdata' }),
  },
  { error: 'write a file as a path or glob, or a map {src: GLOB, dest: DIR}' },
);
const fileSchema = z.preprocess((v) => (typeof v === 'string' ? { src: v, dest: '' } : v), fileObject);

/** What loader and each test share. */
const programShape = {
  /** Host path of the program; `{arch}` and `{goarch}` are filled in per cell. Required. */
  path: z.string({ error: 'write the program path, e.g. build/loader-{arch}' }),
  /** Arguments. Default: none. */
  args: stringList('write the arguments as a list of strings, e.g. [--verbose]').default([]),
  /** Environment. Default: none. */
  env: z
    .record(z.string(), scalarString('write each value as a string, e.g. "1"'), {
      error: 'write env as a map, e.g. {DEBUG: "1"}',
    })
    .default({}),
  /** Extra files or globs, relative to the matrix directory. Default: none. */
  files: z.array(fileSchema, { error: 'write files as a list of paths or globs, e.g. [build/*.o]' }).default([]),
  /** Seconds the program may run in the guest. Default: 60. */
  timeout: positive('seconds', '60').default(60),
};

const loaderSchema = z.strictObject(programShape, {
  error: 'write the loader as a map with at least path, e.g. {path: build/loader-{arch}}',
});

export const testSchema = z.strictObject(
  {
    /** Unique, [a-z0-9._-]+. Required. */
    name: scalarString('give the test a name of [a-z0-9._-], e.g. smoke'),
    ...programShape,
    /** exec: a program, passes on exit 0; gotest: a `go test -c` binary, one case per Go test. Default: exec. */
    kind: z.enum(['exec', 'gotest'], { error: 'use one of exec, gotest' }).default('exec'),
    /** Directory under the test's root it starts in. Default: the root. */
    workdir: z.string({ error: 'write a directory under the test root, e.g. pkg' }).optional(),
    /** Debian packages for this test, added to the matrix-level ones. Default: none. */
    packages: packagesSchema.optional(),
  },
  { error: 'write a test as a map with at least name and path, e.g. {name: smoke, path: build/smoke-{arch}}' },
);

export const matrixSchema = z.strictObject(
  {
    /** Kernel sources. Required, no default. */
    kernels: z.array(kernelSchema, { error: 'list kernel sources, e.g. [debian:bookworm, debian:trixie]' }),
    /** Guest architectures. Required, no default. */
    arches: z.array(z.string({ error: 'use one of amd64, arm64, s390x' }), {
      error: 'list architectures, e.g. [amd64, arm64]',
    }),
    /** Named kernel configurations. Default: one config named `default`. */
    configs: z.array(configSchema, { error: 'list configs, e.g. [{name: default}]' }).default([{ name: 'default', cmdline: [], sysctl: {} }]),
    /** Userspace the loader runs against. Default: [static] (no libc needed). */
    libc: z
      .array(z.string({ error: 'use static or debian:<suite>' }), {
        error: 'list libcs, e.g. [static, debian:bookworm]',
      })
      .default(['static']),
    /** One program; means `tests: [{name: loader, ...}]`. Either this or tests. */
    loader: loaderSchema.optional(),
    /** Programs run one after another in each cell's guest. Either this or loader. */
    tests: z.array(testSchema, { error: 'list tests, e.g. [{name: smoke, path: build/smoke-{arch}}]' }).optional(),
    /** Debian packages for every test, from the cell libc's suite. Default: none. */
    packages: packagesSchema.optional(),
    vm: z
      .strictObject(
        {
          /** MiB of guest memory. Default: 512. */
          memory: wholeNumber('MiB', 128, 65536, '512').default(512),
          /** Guest CPUs. Default: 1 (two cells share two host cores). */
          cpus: wholeNumber('CPUs', 1, 64, '1').default(1),
          /** Seconds until the guest's /init reports. Default: 60. */
          bootTimeout: positive('seconds', '60').default(60),
          /** auto = KVM when the guest arch is the host's and a probe boot works, else TCG. Default: auto. */
          accel: z.enum(['auto', 'kvm', 'tcg'], { error: 'use one of auto, kvm, tcg' }).default('auto'),
          /** Default: qemu (vng = virtme-ng, amd64 only in practice). */
          backend: z.enum(['qemu', 'vng'], { error: 'use one of qemu, vng' }).default('qemu'),
          /** Give the guest a user-mode network device. Default: false. */
          network: z.boolean({ error: 'use true or false' }).default(false),
          /** auto = boot each distinct kernel boot once and restore its saved state per cell; off = every cell boots. Default: auto. */
          snapshot: z.enum(['auto', 'off'], { error: 'use one of auto, off' }).default('auto'),
        },
        { error: 'write vm as a map, e.g. {memory: 512}' },
      )
      .default({
        memory: 512,
        cpus: 1,
        bootTimeout: 60,
        accel: 'auto',
        backend: 'qemu',
        network: false,
        snapshot: 'auto',
      }),
    images: z
      .strictObject(imageSourceKeys(), {
        error: 'write images as a map, e.g. {debianMirror: http://deb.debian.org/debian}',
      })
      .default({}),
    btf: z
      .strictObject(
        {
          /** The program's BPF objects (paths or globs, `{arch}`/`{goarch}` filled in) for minimal BTF. Default: none. */
          objects: stringList('write objects as a list of paths or globs, e.g. [build/*.bpf.o]').default([]),
        },
        { error: 'write btf as a map, e.g. {objects: [build/*.bpf.o]}' },
      )
      .default({ objects: [] }),
    /** Re-add combinations removed by `exclude` (applied after it, as in GitHub Actions). Default: none. */
    include: z.array(matchSchema, { error: 'list partial matches, e.g. [{arch: s390x, kernel: debian-trixie}]' }).default([]),
    /** Remove every combination matching an entry. Default: none. */
    exclude: z.array(excludeSchema, { error: 'list partial matches, e.g. [{arch: s390x}]' }).default([]),
    /** Cells known to fail, with the reason. Default: none. */
    expect: z.array(expectSchema, { error: 'list expectations, e.g. [{arch: s390x, reason: no BTF}]' }).default([]),
    /** Kernel splats (WARNING, BUG, Oops, …) tolerated or added, as regular expressions. Default: none. */
    splats: z
      .strictObject(
        {
          /** A splat whose first line matches one of these does not fail the test. */
          allow: stringList('list regular expressions, e.g. ["WARNING: .* at net/core/"]').default([]),
          /** Kernel-log lines that fail the test like a built-in splat, even when allowed. */
          deny: stringList('list regular expressions, e.g. ["bpf_jit: .*failed"]').default([]),
        },
        { error: 'write splats as a map, e.g. {allow: ["WARNING: .* at net/core/"]}' },
      )
      .default({ allow: [], deny: [] }),
    /** Paths outside the project the matrix may name (confine.ts); refused in pull-request events. Default: none. */
    allowOutsideProject: stringList('list paths outside the project, e.g. [/boot]').optional(),
    /** Kernels in ascending order for `portmatrix bisect` (names or sources of `kernels`, or any source). Default: kernels. */
    bisect: stringList('list kernels in order, oldest first, e.g. [debian:bullseye, debian:bookworm]').optional(),
  },
  { error: 'write matrix.yaml as a map with kernels, arches and tests (or loader)' },
);

/** Valid keys of each map, by path without list indexes ('' is the top level): for "unknown key" fixes. */
export const KEYS: Record<string, string[]> = {
  '': Object.keys(matrixSchema.shape),
  kernels: Object.keys(kernelObject.shape),
  configs: Object.keys(configSchema.shape),
  loader: Object.keys(loaderSchema.shape),
  tests: Object.keys(testSchema.shape),
  'tests.files': Object.keys(fileObject.shape),
  'loader.files': Object.keys(fileObject.shape),
  packages: Object.keys(packagesObject.shape),
  'tests.packages': Object.keys(packagesObject.shape),
  vm: Object.keys(matrixSchema.shape.vm.unwrap().shape),
  images: Object.keys(matrixSchema.shape.images.unwrap().shape),
  btf: Object.keys(matrixSchema.shape.btf.unwrap().shape),
  include: Object.keys(matchSchema.shape),
  exclude: Object.keys(excludeSchema.shape),
  expect: Object.keys(expectSchema.shape),
  splats: Object.keys(matrixSchema.shape.splats.unwrap().shape),
};

export type RawMatrix = z.output<typeof matrixSchema>;

/** Generic fixes for issues a schema above does not word itself. */
export function genericFix(issue: { code?: string; expected?: string }): string {
  if (issue.code === 'invalid_type' && issue.expected)
    return `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a map' : `a ${issue.expected}`}`;
  return 'see docs/matrix.md';
}
