// ubuntu:<series>[/<flavour>] kernels. amd64 comes from the archive, every other arch
// from ports; each series is read from three signed pockets (<series>, -updates,
// -security: the newest kernels are in the latter two), each InRelease checked with
// gpgv against Ubuntu's archive keyring — by default ubuntu-archive-keyring.gpg from
// Debian's ubuntu-keyring package, itself verified by Debian's signed index.

import type { Arch } from '../../core/arch.js';
import { memoize } from '../../core/memo.js';
import { InfraError } from '../../errors.js';
import { type Fetcher, NotFoundError } from '../fetcher.js';
import type { KernelOffer, KernelWanted, SourceContext } from '../kernel-source.js';
import type { LockedKernel } from '../lockfile.js';
import { NotAvailableError } from '../types.js';
import type { Stanza } from './deb822.js';
import { aptKernel, type DebianDeps } from './debian.js';
import { fetchPackages } from './debian-index.js';
import { trustedDebianFiles } from './trust-package.js';
import { chooseUbuntuKernels, isUbuntuKernelName } from './ubuntu-select.js';

/** Where the archive keyring sits in Debian's ubuntu-keyring package. */
export const UBUNTU_KEYRING_MEMBER = /^usr\/share\/keyrings\/ubuntu-archive-keyring\.gpg$/;

const pockets = (series: string) => [series, `${series}-updates`, `${series}-security`];

/** The archive holding an arch: Ubuntu's main archive carries amd64 (and i386) only. */
export function ubuntuMirrorFor(mirrors: Record<string, string>, arch: Arch): string {
  return arch === 'amd64' ? mirrors.mirror! : mirrors.portsMirror!;
}

/** One pocket's kernel stanzas for an arch; a pocket the mirror lacks names the URL tried and the option to set. */
async function pocketIndex(ctx: SourceContext, keyring: string, series: string, pocket: string, arch: Arch): Promise<Stanza[]> {
  const mirror = ubuntuMirrorFor(ctx.settings('ubuntu').mirrors, arch);
  const deps = {
    mirror,
    fetcher: ctx.fetcher,
    cache: ctx.cache,
    keyring,
    env: ctx.env,
    signal: ctx.signal,
    log: ctx.log,
  };
  try {
    return await fetchPackages(deps, pocket, arch, isUbuntuKernelName);
  } catch (error) {
    const missing = (error as Error).cause;
    if (!(missing instanceof NotFoundError)) throw error;
    const option = arch === 'amd64' ? 'ubuntuMirror (PORTMATRIX_UBUNTU_MIRROR)' : 'ubuntuPortsMirror (PORTMATRIX_UBUNTU_PORTS_MIRROR)';
    const what = `the mirror does not carry ${pocket}; check the series or set ${option}`;
    throw new InfraError(`ubuntu:${series} ${arch}: ${missing.url} is not there (404): ${what}`, { cause: error });
  }
}

/** ubuntuKeyring, else the archive keyring of Debian's ubuntu-keyring (verified by Debian's index). */
async function ubuntuKeyring(ctx: SourceContext): Promise<string> {
  const given = ctx.settings('ubuntu').keyring;
  if (given) return given;
  const files = await trustedDebianFiles(ctx.debian, 'ubuntu-keyring', UBUNTU_KEYRING_MEMBER);
  const file = Object.values(files)[0];
  if (!file) throw new InfraError(`Debian's ubuntu-keyring has no ${UBUNTU_KEYRING_MEMBER.source}`);
  return file;
}

export function ubuntuSource(ctx: SourceContext) {
  const settings = ctx.settings('ubuntu');
  const keyring = memoize(() => ubuntuKeyring(ctx), { retryFailures: true });
  const pocket = async (series: string, name: string, arch: Arch) => pocketIndex(ctx, await keyring(), series, name, arch);

  // The three pockets together: newest versions win in the selector.
  const index = memoize(async (series: string, arch: Arch) => (await Promise.all(pockets(series).map((p) => pocket(series, p, arch)))).flat(), {
    keyOf: (series, arch) => `${series} ${arch}`,
    retryFailures: true,
  });

  /** Debian's apt machinery pointed at the archive (or ports) of an arch. */
  const depsFor = (arch: Arch, fetcher: Fetcher = ctx.fetcher): DebianDeps => ({
    ...ctx.debian,
    fetcher,
    mirror: ubuntuMirrorFor(settings.mirrors, arch),
    index: (series) => index(series, arch),
  });

  async function choices(series: string, arch: Arch, flavour: string | undefined, source: string) {
    const found = chooseUbuntuKernels(await index(series, arch), arch, series, flavour);
    if (found.length === 0) throw new NotAvailableError(source, arch, `no ${flavour ?? 'generic'} kernel for ${arch} in ${pockets(series).join(', ')}`);
    return found;
  }

  return {
    depsFor,
    async resolve(w: KernelWanted): Promise<LockedKernel> {
      const got = await aptKernel(depsFor(w.arch, w.fetcher), w.source, w.arch, () => choices(w.release, w.arch, w.flavour, w.source), w.locked);
      return { source: w.source, arch: w.arch, ...got };
    },
    async offers(series: string, flavour: string, arch: Arch): Promise<KernelOffer | undefined> {
      const [newest] = chooseUbuntuKernels(await index(series, arch), arch, series, flavour);
      return newest && { flavour, arch, release: newest.release, package: newest.package, version: newest.version };
    },
    keyring,
  };
}
