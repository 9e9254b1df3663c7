import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadOrder, modulesToLoad } from '../../src/images/kmod/guest-modules.js';
import { moduleDepends, parseModinfo } from '../../src/images/kmod/modinfo.js';
import { orderModules } from '../../src/images/kmod/order.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import { TEST_LOCK } from '../helpers/dev-kernels.js';

const config = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, v]) => [`CONFIG_${k}`, v]));

describe('the modules a guest loads', () => {
  it('are the virtio transport and console the kernel builds as modules', () => {
    expect(modulesToLoad('amd64', config({ VIRTIO_PCI: 'm', VIRTIO_CONSOLE: 'm' }))).toEqual(['virtio_pci', 'virtio_console']);
    expect(modulesToLoad('arm64', config({ VIRTIO_PCI: 'y', VIRTIO_CONSOLE: 'm' }))).toEqual(['virtio_console']);
    expect(modulesToLoad('amd64', config({ VIRTIO_PCI: 'y', VIRTIO_CONSOLE: 'y' }))).toEqual([]);
    // s390x reaches virtio over channel I/O, built by S390_GUEST.
    expect(modulesToLoad('s390x', config({ S390_GUEST: 'y', VIRTIO_PCI: 'm', VIRTIO_CONSOLE: 'm' }))).toEqual(['virtio_console']);
    expect(modulesToLoad('s390x', config({ VIRTIO_CCW: 'm', VIRTIO_CONSOLE: 'm' }))).toEqual(['virtio_ccw', 'virtio_console']);
  });

  it('are none the port can count on when the kernel does not build one of them', () => {
    expect(modulesToLoad('amd64', config({ VIRTIO_PCI: 'y' }))).toBeUndefined();
    expect(modulesToLoad('amd64', config({}))).toBeUndefined();
  });

  it('load each after what it depends on, each once', () => {
    const deps: Record<string, string[]> = {
      virtio_console: ['virtio', 'virtio_ring'],
      virtio_ring: ['virtio'],
      virtio: [],
      virtio_pci: ['virtio_pci_legacy_dev', 'virtio_ring', 'virtio'],
      virtio_pci_legacy_dev: [],
    };
    expect(loadOrder(['virtio_pci', 'virtio_console'], (n) => deps[n])).toEqual([
      'virtio_pci_legacy_dev',
      'virtio',
      'virtio_ring',
      'virtio_pci',
      'virtio_console',
    ]);
  });

  it('name a module the packages lack, and who needs it', () => {
    expect(() => loadOrder(['virtio_console'], (n) => (n === 'virtio_console' ? ['virtio_ring'] : undefined))).toThrow(
      /kernel module virtio_ring is needed by virtio_console but the kernel's packages do not have it/,
    );
  });

  it('refuse metadata that loops', () => {
    expect(() => loadOrder(['a'], (n) => (n === 'a' ? ['b'] : ['a']))).toThrow(/in a loop: a → b → a/);
  });
});

// Real modules: Debian bookworm's 6.1 builds virtio as modules (through the pinned test lock).
describe('.modinfo of real modules', () => {
  const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));

  it.each(['amd64', 's390x'] as const)('gives depends= on %s and orders Debian 6.1 virtio modules for insmod', async (arch) => {
    const modules = (await store.virtioModules(await store.kernel('debian:bookworm', arch)))!;
    const byName = Object.fromEntries(modules.map((m) => [m.name, m.path]));
    const info = parseModinfo(await readFile(byName.virtio_pci!))!;
    expect(info.get('name')).toEqual(['virtio_pci']);
    expect(moduleDepends(info)).toEqual(expect.arrayContaining(['virtio_pci_legacy_dev', 'virtio_pci_modern_dev']));
    for (const given of [modules, [...modules].reverse()]) {
      const order = (await orderModules(given)).map((m) => m.name);
      expect([...order].sort()).toEqual(modules.map((m) => m.name).sort());
      // Every module comes after each module its depends= names.
      for (const [i, name] of order.entries()) {
        for (const dep of moduleDepends(parseModinfo(await readFile(byName[name]!))!)) expect(order.indexOf(dep), `${dep} before ${name}`).toBeLessThan(i);
      }
    }
    // A list already in load order comes back as it was.
    const ordered = await orderModules(modules);
    expect(await orderModules(ordered)).toEqual(ordered);
  });
});
