// pmcell: the base /init execs it, as PID 1, once the guest is ready; it waits for
// the cell's inputs on the port (fd 3) and takes them, then execs the cell's script.
// Before them the host may send staged files, `PMST1 <bytes>` and a newc cpio of that
// many bytes: the files every cell of one boot shares (libc, packages, the tests'
// programs and files). pmcell unpacks them, prints the STAGED marker and waits again,
// so the host can save this guest as a second snapshot that already holds them; a
// cell restored from it gets only its own small part over the port. Then:
//   1. read the header line `PMIN1 <bytes> <unix seconds> <hex seed>` (EOF while no
//      host is connected: wait and read again) and write the seed to /dev/urandom;
//   2. make the kernel's CRNG reseed now (ioctl RNDRESEEDCRNG): a guest restored from
//      a snapshot would otherwise keep the snapshot's CRNG key until its next
//      scheduled reseed;
//   3. set the wall clock (a restored guest's clock is the snapshot's);
//   4. unpack the archive, a newc cpio of exactly <bytes> bytes, at /;
//   5. have /portmatrix/cell.sh run as PID 1, fd 3 still open for its output: by the
//      shell it started before READY (start_shell), else by exec'ing it.
// It prints the READY marker right before its first read, so the snapshot the host
// saves at READY holds it blocked there, and the shell blocked on its pipe: after a
// restore nothing is forked or exec'd before the cell's script runs.
//
// Freestanding on purpose: no libc, raw system calls. Right after a restore every
// new program's code, and every kernel path it takes, is translated afresh under
// TCG: a Go helper spent about 0.2 s starting its runtime, busybox's read, date and
// cpio (each a fork and an exec) about 0.05–0.1 s each; this is a few KiB of code.
//
// On a failure it prints `@@portmatrix-inputs-failed <why>` and powers the guest
// off. A failed reseed or clock setting is not fatal (older kernels have no
// RNDRESEEDCRNG): it is reported on the console.
//
// The same program has modes for a cell's script, each in a file of its own:
//   pmcell run I …      one suite test: process, timeout, kills, its BPF programs, end frame, report
//                       (run.c, progs.c, report.c)
//   pmcell follow …     a loader's output while it runs (run.c)
//   pmcell btf FILE     a BTF file at /sys/kernel/btf/vmlinux (btf.c)
// sys.h holds the system calls of each arch and lib.c the helpers they share.
//
// Build (scripts/build-guest-tools): clang --target=<triple> -O2 -static -nostdlib
// -ffreestanding -fno-builtin -fno-stack-protector -o pmcell-<arch> *.c

#include "sys.h"

#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call cmain\n hlt\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n mov x29, #0\n mov x0, sp\n bl cmain\n");
#elif defined(__s390x__)
__asm__(".globl _start\n_start:\n lgr %r2,%r15\n aghi %r15,-160\n brasl %r14,cmain\n");
#endif

/** Bytes of the archive not read yet: never read past it (fd 3 carries the output later). */
static unsigned long left;

static void readn(void *buf, unsigned long n) {
  char *p = buf;
  if (n > left) die(3, "pmcell: archive shorter than announced", "");
  left -= n;
  while (n) {
    long r = sys3(NR_read, 3, p, n);
    if (r <= 0) die(3, "pmcell: archive ended early", "");
    p += r;
    n -= (unsigned long)r;
  }
}

static unsigned long hex8(const char *s) {
  unsigned long v = 0;
  for (int i = 0; i < 8; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) die(3, "pmcell: bad cpio header", "");
    v = v * 16 + (unsigned long)d;
  }
  return v;
}

static void skip_pad(unsigned long consumed) {
  char pad[4];
  unsigned long n = (4 - consumed % 4) % 4;
  if (n) readn(pad, n);
}

/** Creates the parent directories of `path` (like cpio -d). */
static void parents(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    sys3(NR_mkdirat, AT_FDCWD, path, 0755);
    *p = '/';
  }
}

static char name[4096];

static void entry(unsigned long mode, unsigned long uid, unsigned long gid, unsigned long size) {
  unsigned long type = mode & 0170000, perm = mode & 07777;
  long r;
  parents(name);
  if (type == 0040000) {
    r = sys3(NR_mkdirat, AT_FDCWD, name, perm);
    if (r < 0 && r != -EEXIST) die(4, "pmcell: mkdir ", name);
    sys3(NR_fchmodat, AT_FDCWD, name, perm);
  } else if (type == 0100000) {
    long fd = sys5(NR_openat, AT_FDCWD, (long)name, O_WRONLY | O_CREAT | O_TRUNC, (long)perm, 0);
    if (fd < 0) die(4, "pmcell: create ", name);
    for (unsigned long n = size; n;) {
      unsigned long k = n < sizeof data ? n : sizeof data;
      readn(data, k);
      for (unsigned long off = 0; off < k;) {
        long w = sys3(NR_write, fd, data + off, k - off);
        if (w <= 0) die(4, "pmcell: write ", name);
        off += (unsigned long)w;
      }
      n -= k;
    }
    sys3(NR_fchmod, fd, perm, 0);
    sys3(NR_close, fd, 0, 0);
    skip_pad(size);
  } else if (type == 0120000) {
    if (size >= sizeof data) die(4, "pmcell: symlink target too long: ", name);
    readn(data, size);
    data[size] = 0;
    skip_pad(size);
    sys3(NR_unlinkat, AT_FDCWD, name, 0);
    if (sys3(NR_symlinkat, data, AT_FDCWD, name) < 0) die(4, "pmcell: symlink ", name);
  } else {
    die(4, "pmcell: unsupported entry type: ", name);
  }
  sys5(NR_fchownat, AT_FDCWD, (long)name, (long)uid, (long)gid, AT_SYMLINK_NOFOLLOW);
}

static void unpack(void) {
  char h[110];
  for (;;) {
    readn(h, sizeof h);
    if (h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' || h[5] != '1') die(3, "pmcell: not a newc cpio archive", "");
    unsigned long mode = hex8(h + 14), uid = hex8(h + 22), gid = hex8(h + 30), size = hex8(h + 54), namesize = hex8(h + 94);
    if (namesize < 2 || namesize > sizeof name) die(3, "pmcell: bad name size in cpio header", "");
    readn(name, namesize);
    name[namesize - 1] = 0;
    skip_pad(sizeof h + namesize);
    const char *t = "TRAILER!!!";
    int trailer = 1;
    for (int i = 0; i < 11; i++) if (name[i] != t[i]) { trailer = 0; break; }
    if (trailer) break;
    entry(mode, uid, gid, size);
  }
  // Whatever padding the writer put after the trailer belongs to the archive too.
  while (left) {
    unsigned long k = left < sizeof data ? left : sizeof data;
    readn(data, k);
  }
}

/** Reads one line from fd 3 (at most sizeof buf - 1 bytes); 0 at EOF (no host yet). */
static long line(char *buf, unsigned long size) {
  unsigned long n = 0;
  while (n < size - 1) {
    long r = sys3(NR_read, 3, buf + n, 1);
    if (r <= 0) return n ? (long)n : r;
    if (buf[n] == '\n') break;
    n++;
  }
  buf[n] = 0;
  return (long)n + 1;
}

/** The next space-separated word of *p, NUL-terminated in place. */
static char *word(char **p) {
  while (**p == ' ') (*p)++;
  char *w = *p;
  while (**p && **p != ' ') (*p)++;
  if (**p) *(*p)++ = 0;
  return w;
}

static char header[512];

// The host finds the staged form by this text in the binary (boot/plan.ts): a pmcell
// built before it would take a PMST1 archive for lines to skip.
static const char staged_magic[] = "PMST1";
static const char inputs_magic[] = "PMIN1";

/**
 * Waits for the cell's header, unpacking every staged archive that comes first;
 * returns the seed (hex text) and fills bytes and seconds.
 */
static char *await_header(unsigned long *bytes, long *seconds) {
  for (;;) {
    long n = line(header, sizeof header);
    if (n <= 0) {
      long ts[2] = {0, 50 * 1000 * 1000};
      sys3(NR_nanosleep, ts, 0, 0);
      continue;
    }
    char *p = header;
    char *magic = word(&p);
    if (same(magic, staged_magic)) {
      left = decimal(word(&p));
      unpack();
      put(1, "@@portmatrix-staged\n");
      continue;
    }
    if (!same(magic, inputs_magic)) continue;
    *bytes = decimal(word(&p));
    *seconds = (long)decimal(word(&p));
    return word(&p);
  }
}

static char script[] = "/portmatrix/cell.sh";
static char path_env[] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";

/**
 * Starts the shell that will run cell.sh now, before READY, so the snapshot holds it
 * started: PID 1 (this process) execs /bin/sh, which says it is up on one pipe and
 * blocks reading `g` from another; the child goes on as pmcell and writes that `g`
 * once the inputs are unpacked. After a restore the shell only wakes up: exec'ing
 * busybox, its start and the kernel's exec path (about 0.1 s under TCG on s390x,
 * translated afresh after every restore) happened before the snapshot. The shell
 * sources cell.sh, so the script still runs as PID 1 with fd 3, the port, open.
 * Returns the write end of the go pipe in the child; -1 when there is no pipe or
 * fork (then this process execs cell.sh itself, as without a shell started early).
 */
static long start_shell(void) {
  int go[2], up[2];
  if (sys3(NR_pipe2, go, 0, 0) < 0) return -1;
  if (sys3(NR_pipe2, up, 0, 0) < 0) return -1;
  long pid = fork_();
  if (pid < 0) return -1;
  if (pid > 0) {
    // No inputs (the child died: it said why and powered off) or no cell.sh: power off.
    static char sh[] = "/bin/sh", c[] = "-c",
      body[] = "echo >&8; exec 8>&-; read -r go <&9; exec 9<&-; test \"$go\" = g && . /portmatrix/cell.sh; poweroff -f";
    sys3(NR_dup3, go[0], 9, 0);
    sys3(NR_dup3, up[1], 8, 0);
    for (int i = 0; i < 2; i++) sys3(NR_close, go[i], 0, 0), sys3(NR_close, up[i], 0, 0);
    char *argv[] = {sh, c, body, 0};
    char *envp[] = {path_env, 0};
    sys3(NR_execve, sh, argv, envp);
    die(4, "pmcell: no shell at ", sh);
  }
  sys3(NR_close, go[0], 0, 0);
  sys3(NR_close, up[1], 0, 0);
  char b;
  long r = sys3(NR_read, up[0], &b, 1);
  sys3(NR_close, up[0], 0, 0);
  if (r != 1) die(4, "pmcell: the shell for ", script);
  return go[1];
}

__attribute__((noreturn, used)) void cmain(long *sp) {
  long argc = sp[0];
  char **args = (char **)(sp + 1);
  if (argc == 3 && same(args[1], "btf")) sys3(NR_exit_group, btf_install(args[2]), 0, 0);
  if (argc >= 9 && same(args[1], "run")) {
    run_test(args + 2, argc - 2, args + argc + 1);
    sys3(NR_exit_group, 0, 0, 0);
  }
  if ((argc == 6 || argc == 8) && same(args[1], "follow")) {
    follow((long)decimal(args[2]), (long)decimal(args[3]), args + 4, (argc - 4) / 2, args + argc + 1);
    sys3(NR_exit_group, 0, 0, 0);
  }
  unsigned long bytes;
  long seconds;
  long go = start_shell();
  put(1, "@@portmatrix-ready pmcell\n");
  char *seed = await_header(&bytes, &seconds);
  long fd = sys3(NR_openat, AT_FDCWD, "/dev/urandom", O_WRONLY);
  if (fd >= 0) {
    sys3(NR_write, fd, seed, len(seed));
    if (sys3(NR_ioctl, fd, RNDRESEEDCRNG, 0) < 0) say("pmcell: ", "the CRNG reseed failed");
    sys3(NR_close, fd, 0, 0);
  } else {
    say("pmcell: ", "no /dev/urandom: the seed was not mixed in");
  }
  for (char *s = seed; *s; s++) *s = 0;
  long ts[2] = {seconds, 0};
  if (seconds > 0 && sys3(NR_clock_settime, CLOCK_REALTIME, ts, 0) < 0) say("pmcell: ", "setting the clock failed");
  left = bytes;
  unpack();
  if (go >= 0) {
    // A sourced file that is missing would end the shell, PID 1, and panic the kernel.
    long f = sys3(NR_openat, AT_FDCWD, script, O_RDONLY);
    if (f < 0) die(4, "the inputs hold no ", script);
    sys3(NR_close, f, 0, 0);
    if (sys3(NR_write, go, "g\n", 2) != 2) die(4, "pmcell: the shell for ", script);
    sys3(NR_exit_group, 0, 0, 0);
  }
  char *argv[] = {script, 0};
  char *envp[] = {path_env, 0};
  sys3(NR_execve, script, argv, envp);
  die(4, "the inputs hold no runnable ", script);
}
