// The keys an RPM distribution's packages must be signed with: the keyring the user
// gave for the source, else the distribution's key file from Debian trixie's
// distribution-gpg-keys (fetched through Debian's signed index, kept in the cache).

import { distroOf, sourceOptions } from '../../core/distros.js';
import { memoize } from '../../core/memo.js';
import { InfraError } from '../../errors.js';
import { trustedDebianFiles } from '../apt/trust-package.js';
import type { SourceContext } from '../kernel-source.js';
import type { RpmLayout } from './rpm-layout.js';

export const KEYS_PACKAGE = 'distribution-gpg-keys';
const KEYS_DIR = 'usr/share/distribution-gpg-keys';

/** keysFor(scheme, release, layout) → a function giving the key files (asked only when a package is downloaded). */
export function rpmKeys(ctx: SourceContext) {
  const exactly = (member: string) => new RegExp(`^${member.replace(/[.+-]/g, '\\$&')}$`);
  const gpgKey = memoize((keyFile: string) => trustedDebianFiles(ctx.debian, KEYS_PACKAGE, exactly(`${KEYS_DIR}/${keyFile}`)), { retryFailures: true });
  return (scheme: string, release: string, layout: RpmLayout) => async (): Promise<string[]> => {
    const override = ctx.settings(scheme).keyring;
    if (override) return [override];
    const option = sourceOptions().find((o) => o.scheme === scheme && o.name === 'keyring')!;
    const label = `${distroOf(scheme)!.label} ${release}`;
    const give = `give its key file with \`images: ${option.key}:\` in matrix.yaml or ${option.env}`;
    if (!layout.keyFile) throw new InfraError(`Debian's ${KEYS_PACKAGE} has no key for ${label}; ${give}`);
    const file = Object.values(await gpgKey(layout.keyFile))[0];
    if (!file) throw new InfraError(`Debian's ${KEYS_PACKAGE} has no ${KEYS_DIR}/${layout.keyFile} for ${label}; ${give}`);
    return [file];
  };
}
