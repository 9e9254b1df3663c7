// Checks that need more than types (sources, duplicates, placeholders, match
// values, loader files) and the conversion of the parsed file into a Matrix.
// Each failure names the path of the offending value; load.ts locates it.

import fs from 'node:fs';
import path from 'node:path';
import { ARCHES, type Arch } from '../core/arch.js';
import type { ConfigSpec, KernelSpec } from '../core/cell.js';
import { distroOf, KERNEL_SCHEMES } from '../core/distros.js';
import { CONFIG_NAME, isUser, KERNEL_NAME, SYSCTL_KEY } from '../core/names.js';
import { CAPABILITIES, isCapability, normaliseCapability } from './capabilities.js';
import { ALL_FLAVOURS, defaultKernelName, LIBC_SUITES, type ParsedSource, parseSource } from './kernels.js';
import type { PathKey } from './locate.js';
import type { CellMatch, Matrix, MatrixTest } from './matrix.js';
import type { Fail } from './placeholders.js';
import { buildPackages, buildTests } from './tests.js';

export { type Fail, fillPlaceholders, PLACEHOLDERS } from './placeholders.js';

import { checkBounds } from './bounds.js';
import { buildBtf } from './btf.js';
import { checkHostPaths } from './host-paths.js';
import type { RawMatrix } from './schema.js';
import { nearest, oneOf } from './suggest.js';

export interface BuildOptions {
  file: string;
  checkLoaderFiles: boolean;
  fail: Fail;
  /** Line of the value at a path (KernelSpec.line, ConfigSpec.line, CellMatch.line/col). */
  lineOf: (path: PathKey[]) => { line: number; col: number };
  /** Whether the path is written in the file (defaults are not, and carry no line). */
  written: (path: PathKey[]) => boolean;
  /** --allow-outside-project (already checked against the event); default false. */
  allowOutsideProject?: boolean;
  env?: NodeJS.ProcessEnv;
}

function checkAxis(values: string[], field: string, valid: readonly string[] | undefined, fail: Fail): void {
  if (values.length === 0) fail([field], 'is empty', valid ? `list at least one of ${valid.join(', ')}` : 'list at least one entry or remove the key');
  values.forEach((v, i) => {
    if (valid && !valid.includes(v)) fail([field, i], `${JSON.stringify(v)} is not valid`, oneOf(v, valid));
    if (values.indexOf(v) !== i) fail([field, i], `${JSON.stringify(v)} is listed twice`, 'list each value once');
  });
}

function checkDistroSource(parsed: { scheme: string; release: string; flavour: string }, at: PathKey[], fail: Fail): void {
  const distro = distroOf(parsed.scheme)!;
  if (!distro.releases.includes(parsed.release)) {
    fail(at, `unknown ${distro.label} ${distro.releaseWord} ${JSON.stringify(parsed.release)}`, oneOf(parsed.release, distro.releases));
  }
  if (!distro.flavours.includes(parsed.flavour)) {
    fail(at, `unknown ${distro.label} kernel flavour ${JSON.stringify(parsed.flavour)}`, oneOf(parsed.flavour, distro.flavours));
  }
}

/** What an oci: kernel source may name: registry/repository, then a tag or a digest or both. */
const OCI_REFERENCE = /^[a-z0-9][\w.-]*(:\d+)?(\/[\w.-]+)+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/i;

type CheckedSource = { parsed: ParsedSource; source: string };

/** Checks a kernel source; a file: source comes back absolute, so the image store needs no base directory. */
function checkKernelSource(source: string, at: PathKey[], dir: string, fail: Fail): CheckedSource {
  const parsed = parseSource(source);
  if (!parsed) {
    const scheme = source.includes(':') ? source.slice(0, source.indexOf(':')) : source;
    const hint = `write <distribution>:<release>[/<flavour>], file:<path> or oci:<ref>; schemes: ${KERNEL_SCHEMES.join(', ')}`;
    fail(at, `${JSON.stringify(source)} is not a kernel source`, nearest(scheme, KERNEL_SCHEMES) ? oneOf(scheme, KERNEL_SCHEMES) : hint);
  }
  if (parsed.kind === 'distro') checkDistroSource(parsed, at, fail);
  else if (parsed.kind === 'file') {
    if (!parsed.path) fail(at, 'file: names no path', 'write file:<path of a vmlinuz/bzImage/Image>, relative to the matrix file');
    const abs = path.resolve(dir, parsed.path);
    if (!fs.existsSync(abs))
      fail(at, `${parsed.path} does not exist (paths are relative to the matrix file)`, 'build or download the kernel image first, or fix the path');
    return { parsed, source: `file:${abs}` };
  } else if (!OCI_REFERENCE.test(parsed.ref)) {
    fail(at, `${JSON.stringify(parsed.ref)} is not an OCI reference`, 'write oci:<registry>/<repository>:<tag>, e.g. oci:ghcr.io/cilium/ci-kernels:6.12');
  }
  return { parsed, source };
}

function buildKernels(raw: RawMatrix, o: BuildOptions, dir: string): KernelSpec[] {
  const fail: Fail = o.fail;
  if (raw.kernels.length === 0) fail(['kernels'], 'is empty', 'list at least one kernel source, e.g. debian:trixie');
  const names = new Map<string, number>();
  return raw.kernels.map((k, i) => {
    const at: PathKey[] = ['kernels', i];
    // For a plain string entry the locator stops at the string itself.
    const sourcePath: PathKey[] = [...at, 'source'];
    const { parsed, source } = checkKernelSource(k.source, sourcePath, dir, fail);
    const name = k.name ?? defaultKernelName(parsed);
    if (!KERNEL_NAME.test(name)) fail([...at, 'name'], `${JSON.stringify(name)} is not a valid name`, 'use lower-case letters, digits, ".", "_" and "-"');
    const first = names.get(name);
    if (first !== undefined)
      fail(
        k.name ? [...at, 'name'] : sourcePath,
        `duplicate kernel name ${JSON.stringify(name)} (also kernels[${first}])`,
        'give one of them a distinct name: {source: …, name: …}',
      );
    names.set(name, i);
    return { source, name, line: o.lineOf(at).line };
  });
}

function buildConfigs(raw: RawMatrix, o: BuildOptions): ConfigSpec[] {
  const fail: Fail = o.fail;
  if (raw.configs.length === 0) fail(['configs'], 'is empty', 'list at least one config, e.g. [{name: default}], or remove the key');
  const seen = new Map<string, number>();
  return raw.configs.map((c, i) => {
    const at: PathKey[] = ['configs', i];
    if (!CONFIG_NAME.test(c.name)) fail([...at, 'name'], `${JSON.stringify(c.name)} is not a valid config name`, 'use lower-case letters, digits, "_" and "-"');
    if (seen.has(c.name))
      fail([...at, 'name'], `duplicate config name ${JSON.stringify(c.name)} (also configs[${seen.get(c.name)}])`, 'give each config a distinct name');
    seen.set(c.name, i);
    for (const key of Object.keys(c.sysctl)) {
      if (!SYSCTL_KEY.test(key))
        fail([...at, 'sysctl', key], `${JSON.stringify(key)} is not a sysctl name`, 'write the dotted name, e.g. kernel.unprivileged_bpf_disabled');
    }
    if (c.user !== undefined && !isUser(c.user)) fail([...at, 'user'], `${JSON.stringify(c.user)} is not a user`, 'write a user name or a uid, e.g. 1000');
    const capabilities = c.capabilities?.map((raw, j) => {
      const cap = normaliseCapability(raw);
      if (!isCapability(cap))
        fail(
          [...at, 'capabilities', j],
          `unknown capability ${JSON.stringify(raw)}`,
          `use a Linux capability, e.g. bpf, perfmon, sys_admin${nearest(cap, CAPABILITIES) ? ` (did you mean ${nearest(cap, CAPABILITIES)}?)` : ''}`,
        );
      return cap;
    });
    if (c.flavour !== undefined && !ALL_FLAVOURS.includes(c.flavour))
      fail([...at, 'flavour'], `unknown kernel flavour ${JSON.stringify(c.flavour)}`, oneOf(c.flavour, ALL_FLAVOURS));
    const spec: ConfigSpec = { name: c.name, cmdline: c.cmdline, sysctl: c.sysctl };
    if (o.written(at)) spec.line = o.lineOf(at).line;
    if (c.user !== undefined) spec.user = c.user;
    if (capabilities) spec.capabilities = capabilities;
    if (c.flavour !== undefined) spec.flavour = c.flavour;
    return spec;
  });
}

function checkMatchTest(name: string, at: PathKey[], tests: MatrixTest[], fail: Fail): void {
  const names = tests.map((t) => t.name);
  if (!names.includes(name)) fail(at, `${JSON.stringify(name)} is not a test of this matrix`, oneOf(name, names));
}

function buildMatches<T extends CellMatch>(
  list: T[],
  field: 'include' | 'exclude' | 'expect',
  axes: Record<'arch' | 'kernel' | 'config' | 'libc', string[]>,
  kernels: KernelSpec[],
  dir: string,
  o: BuildOptions,
  tests: MatrixTest[] = [],
): T[] {
  return list.map((entry, i) => {
    const at: PathKey[] = [field, i];
    const keys = (['arch', 'kernel', 'config', 'libc'] as const).filter((k) => entry[k] !== undefined);
    if (entry.test !== undefined) checkMatchTest(entry.test, [...at, 'test'], tests, o.fail);
    if (keys.length === 0 && entry.test === undefined)
      o.fail(
        at,
        'names no arch, kernel, config, libc or test, so it would match every cell',
        field === 'include' ? 'name at least one axis, e.g. {arch: s390x, kernel: debian-trixie}' : 'name at least one axis, e.g. {arch: s390x}',
      );
    const out = { ...entry, ...o.lineOf(at) };
    for (const key of keys) {
      let value = entry[key]!;
      if (key === 'kernel' && value.startsWith('file:')) value = `file:${path.resolve(dir, value.slice(5))}`;
      const valid = key === 'kernel' ? [...axes.kernel, ...kernels.map((k) => k.source)] : axes[key];
      if (!valid.includes(value))
        o.fail([...at, key], `${JSON.stringify(entry[key])} is not ${key === 'arch' ? 'an' : 'a'} ${key} of this matrix`, oneOf(entry[key], axes[key]));
      out[key] = value;
    }
    if (field === 'expect' && !(entry as unknown as { reason: string }).reason.trim())
      o.fail([...at, 'reason'], 'is empty', 'say why the cell is expected to fail, e.g. reason: no BTF on bookworm s390x');
    return out;
  });
}

function checkRegexes(list: string[], field: 'allow' | 'deny', fail: Fail): string[] {
  list.forEach((source, i) => {
    try {
      new RegExp(source);
    } catch (error) {
      const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, '');
      fail(
        ['splats', field, i],
        `${JSON.stringify(source)} is not a regular expression (${why})`,
        "escape a literal ( [ { + ? * with a backslash (in single quotes: '\\(')",
      );
    }
  });
  return list;
}

/** `bisect:` entries are kernel names or sources of the matrix, or other sources; each becomes a source. */
function buildBisect(list: string[], kernels: KernelSpec[], dir: string, fail: Fail): string[] {
  if (list.length < 2) fail(['bisect'], 'needs at least two kernels', 'list the kernels oldest first, e.g. [debian:bullseye, debian:trixie]');
  return list.map((entry, i) => {
    const named = kernels.find((k) => k.name === entry || k.source === entry);
    if (named) return named.source;
    const parsed = parseSource(entry);
    if (!parsed)
      fail(
        ['bisect', i],
        `${JSON.stringify(entry)} is neither a kernel of this matrix nor a kernel source`,
        `write a name of kernels (${kernels.map((k) => k.name).join(', ')}) or a source such as debian:bookworm`,
      );
    return parsed.kind === 'file' ? `file:${path.resolve(dir, parsed.path)}` : entry;
  });
}

type Axes = Parameters<typeof buildMatches>[2];

function buildAllMatches(raw: RawMatrix, axes: Axes, kernels: KernelSpec[], dir: string, o: BuildOptions, tests: MatrixTest[]) {
  return {
    include: buildMatches(raw.include, 'include', axes, kernels, dir, o),
    exclude: buildMatches(raw.exclude, 'exclude', axes, kernels, dir, o, tests),
    expect: buildMatches(raw.expect, 'expect', axes, kernels, dir, o, tests),
  };
}

/** The axes a cell is a point of (libc is checked and kept as written), and the values matches may name. */
function buildAxes(raw: RawMatrix, o: BuildOptions, dir: string) {
  const kernels = buildKernels(raw, o, dir);
  checkAxis(raw.arches, 'arches', ARCHES, o.fail);
  const arches = raw.arches as Arch[];
  const configs = buildConfigs(raw, o);
  checkAxis(raw.libc, 'libc', ['static', ...LIBC_SUITES.map((s) => `debian:${s}`)], o.fail);
  const axes: Axes = { arch: arches, kernel: kernels.map((k) => k.name), config: configs.map((c) => c.name), libc: raw.libc };
  return { kernels, arches, configs, axes };
}

/** The matrix's BTF settings; each kernel and config given its own `btf:`. */
function buildKernelBtf(raw: RawMatrix, dir: string, o: BuildOptions, kernels: KernelSpec[], configs: ConfigSpec[]) {
  const btf = buildBtf(raw, dir, o.fail, o.lineOf);
  for (const [i, k] of kernels.entries()) if (btf.kernels[i]) k.btf = btf.kernels[i];
  for (const [i, c] of configs.entries()) if (btf.configs[i]) c.btf = btf.configs[i];
  return { objects: btf.objects, objectsAt: btf.objectsAt };
}

export function buildMatrix(raw: RawMatrix, o: BuildOptions): Matrix {
  const file = path.resolve(o.file);
  const dir = path.dirname(file);
  checkBounds(raw, o.fail);
  const { kernels, arches, configs, axes } = buildAxes(raw, o, dir);

  const tests = buildTests(raw, o, dir, arches);
  const host = checkHostPaths(raw, {
    ...o,
    dir,
    arches,
    anywhere: o.allowOutsideProject ?? false,
    checkFiles: o.checkLoaderFiles,
  });
  const packages = raw.packages && buildPackages(raw.packages, ['packages'], o);
  const btf = buildKernelBtf(raw, dir, o, kernels, configs);

  const matrix: Matrix = {
    file,
    dir,
    ...host,
    kernels,
    arches,
    configs,
    libc: raw.libc,
    tests,
    ...(packages ? { packages } : {}),
    vm: raw.vm,
    images: raw.images,
    btf,
    ...buildAllMatches(raw, axes, kernels, dir, o, tests),
    splats: {
      allow: checkRegexes(raw.splats.allow, 'allow', o.fail),
      deny: checkRegexes(raw.splats.deny, 'deny', o.fail),
    },
  };
  if (raw.bisect) matrix.bisect = buildBisect(raw.bisect, kernels, dir, o.fail);
  return matrix;
}
