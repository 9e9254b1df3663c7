// Linux capability names (include/uapi/linux/capability.h, CAP_CHOWN = 0 …
// CAP_CHECKPOINT_RESTORE = 40), lower case without `cap_` as ConfigSpec stores them.

export const CAPABILITIES = [
  'chown',
  'dac_override',
  'dac_read_search',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'linux_immutable',
  'net_bind_service',
  'net_broadcast',
  'net_admin',
  'net_raw',
  'ipc_lock',
  'ipc_owner',
  'sys_module',
  'sys_rawio',
  'sys_chroot',
  'sys_ptrace',
  'sys_pacct',
  'sys_admin',
  'sys_boot',
  'sys_nice',
  'sys_resource',
  'sys_time',
  'sys_tty_config',
  'mknod',
  'lease',
  'audit_write',
  'audit_control',
  'setfcap',
  'mac_override',
  'mac_admin',
  'syslog',
  'wake_alarm',
  'block_suspend',
  'audit_read',
  'perfmon',
  'bpf',
  'checkpoint_restore',
] as const;

/** `CAP_BPF`, `cap_bpf`, `bpf` → `bpf`; the result may still be unknown. */
export function normaliseCapability(name: string): string {
  return name.trim().toLowerCase().replace(/^cap_/, '');
}

export function isCapability(name: string): boolean {
  return (CAPABILITIES as readonly string[]).includes(name);
}
