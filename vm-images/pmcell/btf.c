// ---- `pmcell btf FILE`: FILE shown at /sys/kernel/btf/vmlinux ------------------
// What btf-init.ts does with busybox, in one exec: sysfs lets nobody create files, so
// a tmpfs goes over /sys/kernel/btf; a kernel built without BTF has no such
// directory, and then a tmpfs goes over /sys/kernel holding a bind mount of every
// entry a second sysfs shows there (securityfs, debugfs and tracefs mounted again on
// theirs), plus btf/. With busybox that was a mkdir or touch and a mount per entry:
// about 0.4 s of every such cell on s390x. FILE is bind-mounted, not copied (the
// inputs give it mode 0444). Failures are said on stderr; the loader then finds no BTF.

#include "sys.h"

__attribute__((used)) static const char btf_magic[] = "pmcell-btf-1";

static long mount_(const char *src, const char *dst, const char *type, unsigned long flags, const char *opts) {
  return sys5(NR_mount, (long)src, (long)dst, (long)type, (long)flags, (long)opts);
}

static int btf_fail(const char *what) {
  put(2, "pmcell btf: ");
  put(2, what);
  put(2, " failed\n");
  return 1;
}

/** Every entry of the kernel's /sys/kernel, bind-mounted onto a tmpfs there. */
static int sysfs_kernel_binds(void) {
  static const char from[] = "/portmatrix/sysfs/kernel";
  char src[512], dst[512];
  sys3(NR_mkdirat, AT_FDCWD, "/portmatrix/sysfs", 0755);
  if (mount_("sysfs", "/portmatrix/sysfs", "sysfs", 0, 0) < 0) return btf_fail("mounting a second sysfs");
  long dir = sys3(NR_openat, AT_FDCWD, from, O_RDONLY);
  if (dir < 0) return btf_fail("opening /sys/kernel");
  if (mount_("kernel", "/sys/kernel", "tmpfs", 0, "mode=0755") < 0) return btf_fail("mounting a tmpfs on /sys/kernel");
  for (;;) {
    long n = sys3(NR_getdents64, dir, data, sizeof data);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen = *(unsigned short *)(data + off + 16);
      unsigned char type = (unsigned char)data[off + 18];
      const char *name = data + off + 19;
      off += reclen;
      if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))) continue;
      cat4(src, from, "/", name, "");
      cat4(dst, "/sys/kernel/", name, "", "");
      if (type == DT_DIR) {
        sys3(NR_mkdirat, AT_FDCWD, dst, 0755);
      } else {
        long f = sys5(NR_openat, AT_FDCWD, (long)dst, O_WRONLY | O_CREAT, 0644, 0);
        if (f >= 0) sys3(NR_close, f, 0, 0);
      }
      if (mount_(src, dst, 0, MS_BIND, 0) < 0) btf_fail(dst);
    }
  }
  sys3(NR_close, dir, 0, 0);
  if (sys3(NR_mkdirat, AT_FDCWD, "/sys/kernel/btf", 0755) < 0) return btf_fail("making /sys/kernel/btf");
  mount_("securityfs", "/sys/kernel/security", "securityfs", 0, 0);
  mount_("debugfs", "/sys/kernel/debug", "debugfs", 0, 0);
  mount_("tracefs", "/sys/kernel/tracing", "tracefs", 0, 0);
  return 0;
}

int btf_install(const char *file) {
  long fd = sys3(NR_openat, AT_FDCWD, "/sys/kernel/btf", O_RDONLY);
  if (fd >= 0) {
    sys3(NR_close, fd, 0, 0);
    if (mount_("btf", "/sys/kernel/btf", "tmpfs", 0, "mode=0755") < 0) return btf_fail("mounting a tmpfs on /sys/kernel/btf");
  } else if (sysfs_kernel_binds()) {
    return 1;
  }
  long f = sys5(NR_openat, AT_FDCWD, (long)"/sys/kernel/btf/vmlinux", O_WRONLY | O_CREAT, 0444, 0);
  if (f < 0) return btf_fail("creating /sys/kernel/btf/vmlinux");
  sys3(NR_close, f, 0, 0);
  if (mount_(file, "/sys/kernel/btf/vmlinux", 0, MS_BIND, 0) < 0) return btf_fail("binding the BTF file");
  return 0;
}
