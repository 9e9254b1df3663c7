// The naming rules, in one place: what matrix.yaml accepts (config/semantic.ts)
// and what the guest's /init accepts (guest/init-script.ts) must agree, or a
// matrix that validates could still be refused at boot.

/** Kernel names (cell id segments): lower case, digits, `.`, `_`, `-`. */
export const KERNEL_NAME = /^[a-z0-9][a-z0-9._-]*$/;
/** Config names (cell id segments). */
export const CONFIG_NAME = /^[a-z0-9_-]+$/;
/** Test names (`tests[].name`): they name result files, JUnit cases and `--only test=`. */
export const TEST_NAME = /^[a-z0-9._-]+$/;
/** A loader environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A dotted sysctl name, e.g. `kernel.unprivileged_bpf_disabled` (it becomes a path under /proc/sys). */
export const SYSCTL_KEY = /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/;
/** A numeric uid. */
export const UID = /^\d+$/;
/** A POSIX-portable user name as busybox adduser accepts it (at most 32 bytes). */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A uid or a user name. */
export function isUser(user: string): boolean {
  return UID.test(user) || USER_NAME.test(user);
}
