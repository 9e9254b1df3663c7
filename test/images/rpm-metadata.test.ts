import { describe, expect, it } from 'vitest';
import { parsePackage, primaryScanner } from '../../src/images/rpm/primary.js';
import { parseRepomd } from '../../src/images/rpm/repomd.js';
import { chooseRpmKernel } from '../../src/images/rpm/rpm-select.js';

// Shaped like createrepo_c's output (the tool every RPM distribution publishes with).
const REPOMD = `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1733400000</revision>
  <data type="filelists">
    <checksum type="sha256">${'1'.repeat(64)}</checksum>
    <location href="repodata/111-filelists.xml.zst"/>
  </data>
  <data type="primary">
    <checksum type="sha256">${'A'.repeat(64)}</checksum>
    <open-checksum type="sha256">${'b'.repeat(64)}</open-checksum>
    <location href="repodata/aaa-primary.xml.zst"/>
    <timestamp>1733400000</timestamp>
    <size>4242</size>
    <open-size>99999</open-size>
  </data>
</repomd>`;

const pkg = (name: string, ver: string, rel: string, arch = 'x86_64', extra = '') => `<package type="rpm">
  <name>${name}</name>
  <arch>${arch}</arch>
  <version epoch="0" ver="${ver}" rel="${rel}"/>
  <checksum type="sha256" pkgid="YES">${(name.length + ver.length).toString(16).padStart(64, 'c')}</checksum>
  <summary>The Linux kernel &amp; friends</summary>
  <packager>AlmaLinux Packaging Team &lt;packager@almalinux.org&gt;</packager>
  <size package="123456" installed="999" archive="1000"/>
  <location ${extra}href="Packages/${name}-${ver}-${rel}.${arch}.rpm"/>
  <format><rpm:license>GPLv2</rpm:license></format>
</package>`;

const PRIMARY = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" packages="7">
${pkg('kernel', '5.14.0', '503.el9')}
${pkg('kernel-core', '5.14.0', '70.13.1.el9_0')}
${pkg('kernel-core', '5.14.0', '503.el9')}
${pkg('kernel-core', '5.14.0', '503.el9', 'aarch64')}
${pkg('kernel-modules-core', '5.14.0', '503.el9')}
${pkg('kernel-modules-core', '5.14.0', '70.13.1.el9_0')}
${pkg('kernel-modules', '5.14.0', '503.el9')}
${pkg('kernel-debug-core', '5.14.0', '600.el9')}
</metadata>`;

describe('repomd.xml', () => {
  it('gives the primary metadata and its sha256', () => {
    expect(parseRepomd(REPOMD, 'https://m/repodata/repomd.xml')).toEqual({
      href: 'repodata/aaa-primary.xml.zst',
      sha256: 'a'.repeat(64),
      size: 4242,
    });
  });

  it('says what is wrong when there is no primary', () => {
    expect(() => parseRepomd('<repomd></repomd>', 'https://m/x/repodata/repomd.xml')).toThrow(/https:\/\/m\/x\/repodata\/repomd.xml lists no primary metadata/);
  });

  it('refuses a checksum it does not check', () => {
    expect(() => parseRepomd(REPOMD.replace('<checksum type="sha256">AAA', '<checksum type="sha1">AAA'), 'u')).toThrow(
      /sha1 checksum; portmatrix checks sha256 only/,
    );
  });
});

describe('primary.xml', () => {
  it('reads one package', () => {
    expect(parsePackage(pkg('kernel-core', '6.12.0', '55.el10', 'aarch64'))).toEqual({
      name: 'kernel-core',
      arch: 'aarch64',
      epoch: '0',
      version: '6.12.0',
      release: '55.el10',
      location: 'Packages/kernel-core-6.12.0-55.el10.aarch64.rpm',
      sha256: `${'c'.repeat(62)}11`,
      size: 123456,
    });
  });

  it('applies xml:base to the location', () => {
    const e = parsePackage(pkg('kernel', '1', '1', 'x86_64', 'xml:base="https://cdn.example/al2023/" '));
    expect(e?.location).toBe('https://cdn.example/al2023/Packages/kernel-1-1.x86_64.rpm');
  });

  it('finds the wanted packages however the text is cut into chunks', () => {
    const wanted = (n: string) => n.startsWith('kernel-modules');
    const whole = primaryScanner(wanted);
    whole.push(PRIMARY);
    const names = whole.end().map((e) => `${e.name}-${e.release}`);
    expect(names).toEqual(['kernel-modules-core-503.el9', 'kernel-modules-core-70.13.1.el9_0', 'kernel-modules-503.el9']);
    for (const size of [1, 7, 100]) {
      const s = primaryScanner(wanted);
      for (let i = 0; i < PRIMARY.length; i += size) s.push(PRIMARY.slice(i, i + size));
      expect(s.end().map((e) => `${e.name}-${e.release}`)).toEqual(names);
    }
  });
});

describe('the kernel of a repository', () => {
  const all = () => {
    const s = primaryScanner(() => true);
    s.push(PRIMARY);
    return s.end();
  };

  it('is the newest -core with its module packages of the same version', () => {
    const got = chooseRpmKernel(all(), 'kernel', 'x86_64');
    expect(got?.image.name).toBe('kernel-core');
    expect(got?.image.release).toBe('503.el9');
    expect(got?.modules.map((m) => `${m.name}-${m.release}`)).toEqual(['kernel-modules-core-503.el9', 'kernel-modules-503.el9']);
  });

  it('is the whole `kernel` package where there is no -core (Amazon Linux, older UEK)', () => {
    const got = chooseRpmKernel(
      all().filter((e) => e.name !== 'kernel-core'),
      'kernel',
      'x86_64',
    );
    expect(got?.image.name).toBe('kernel');
  });

  it('is only of the arch asked for, and absent when the repository has none', () => {
    expect(chooseRpmKernel(all(), 'kernel', 'aarch64')?.modules).toEqual([]);
    expect(chooseRpmKernel(all(), 'kernel', 's390x')).toBeUndefined();
    expect(chooseRpmKernel(all(), 'kernel-uek', 'x86_64')).toBeUndefined();
  });
});
