// Which kernel modules a guest must load before its inputs port shows up, and in
// what order. The guest reaches the host over a virtio-serial port (virtio_console)
// on a virtio transport: PCI on amd64 and arm64, channel I/O on s390x. A kernel
// that builds these as modules (RHEL's, Debian's 5.10 and 6.1) gets them loaded
// by /init, dependencies first, before the snapshot is taken.

import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';

/** The modules the guest uses and the config symbols that may build each (the first one set counts). */
export function guestModuleRoots(arch: Arch): { module: string; configs: string[] }[] {
  // The channel-I/O transport's symbol is S390_GUEST in the kernels seen (Debian 5.10 to 7.2).
  const transport =
    arch === 's390x' ? { module: 'virtio_ccw', configs: ['CONFIG_S390_GUEST', 'CONFIG_VIRTIO_CCW'] } : { module: 'virtio_pci', configs: ['CONFIG_VIRTIO_PCI'] };
  return [transport, { module: 'virtio_console', configs: ['CONFIG_VIRTIO_CONSOLE'] }];
}

/**
 * The modules to load for `arch` given the kernel's config: [] when everything is
 * built in; undefined when the kernel builds one of them not at all (then the
 * port cannot be counted on).
 */
export function modulesToLoad(arch: Arch, config: Map<string, string>): string[] | undefined {
  const roots = guestModuleRoots(arch).map((r) => ({
    module: r.module,
    value: r.configs.map((c) => config.get(c)).find(Boolean),
  }));
  if (roots.some((r) => r.value !== 'y' && r.value !== 'm')) return undefined;
  return roots.filter((r) => r.value === 'm').map((r) => r.module);
}

/** A kernel has no more modules than this; a longer chain is a loop in the metadata. */
const MAX_MODULES = 256;

/**
 * `roots` and everything they depend on, each after its dependencies (the order
 * insmod needs). `depends` answers for one module, or undefined when the kernel's
 * packages lack it.
 */
export function loadOrder(roots: readonly string[], depends: (name: string) => string[] | undefined): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, from: string[]) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new InfraError(`kernel modules depend on each other in a loop: ${[...from, name].join(' → ')}`);
    if (visiting.size + order.length > MAX_MODULES) throw new InfraError(`more than ${MAX_MODULES} kernel modules needed for ${roots.join(', ')}`);
    const deps = depends(name);
    if (!deps) throw new InfraError(`kernel module ${name} is needed${from.length ? ` by ${from.at(-1)}` : ''} but the kernel's packages do not have it`);
    visiting.add(name);
    for (const d of deps) visit(d, [...from, name]);
    visiting.delete(name);
    order.push(name);
  };
  for (const r of roots) visit(r, []);
  return order;
}
