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
// Build (scripts/build-guest-tools): clang --target=<triple> -O2 -static
// -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -o pmcell-<arch> pmcell.c

typedef unsigned long size_t;
typedef long ssize_t;

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_APPEND 02000
#define SEEK_SET 0
#define SEEK_END 2
#define SYSLOG_ACTION_READ_CLEAR 4
#define MS_BIND 4096
#define DT_DIR 4
#define AT_SYMLINK_NOFOLLOW 0x100
#define EEXIST 17
#define ENOENT 2
#define RNDRESEEDCRNG 0x5207 /* _IO('R', 0x07) */
#define CLOCK_REALTIME 0
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_POWER_OFF 0x4321fedc
#define SIGCHLD 17

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_openat = 257, NR_close = 3, NR_mkdirat = 258, NR_symlinkat = 266, NR_unlinkat = 263,
       NR_fchmod = 91, NR_fchmodat = 268, NR_fchownat = 260, NR_clock_settime = 227, NR_ioctl = 16, NR_exit_group = 231,
       NR_nanosleep = 35, NR_execve = 59, NR_reboot = 169, NR_clone = 56, NR_pipe2 = 293, NR_dup3 = 292, NR_syslog = 103, NR_lseek = 8, NR_mount = 165, NR_getdents64 = 217, NR_kill = 62,
       NR_setsid = 112, NR_chdir = 80, NR_wait4 = 61, NR_rt_sigprocmask = 14, NR_rt_sigtimedwait = 128, NR_clock_gettime = 228 };
static long sys5(long n, long a, long b, long c, long d, long e) {
  register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return r;
}
__asm__(".globl _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call cmain\n hlt\n");
#elif defined(__aarch64__)
enum { NR_read = 63, NR_write = 64, NR_openat = 56, NR_close = 57, NR_mkdirat = 34, NR_symlinkat = 36, NR_unlinkat = 35,
       NR_fchmod = 52, NR_fchmodat = 53, NR_fchownat = 54, NR_clock_settime = 112, NR_ioctl = 29, NR_exit_group = 94,
       NR_nanosleep = 101, NR_execve = 221, NR_reboot = 142, NR_clone = 220, NR_pipe2 = 59, NR_dup3 = 24, NR_syslog = 116, NR_lseek = 62, NR_mount = 40, NR_getdents64 = 61, NR_kill = 129,
       NR_setsid = 157, NR_chdir = 49, NR_wait4 = 260, NR_rt_sigprocmask = 135, NR_rt_sigtimedwait = 137, NR_clock_gettime = 113 };
static long sys5(long n, long a, long b, long c, long d, long e) {
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
}
__asm__(".globl _start\n_start:\n mov x29, #0\n mov x0, sp\n bl cmain\n");
#elif defined(__s390x__)
enum { NR_read = 3, NR_write = 4, NR_openat = 288, NR_close = 6, NR_mkdirat = 289, NR_symlinkat = 297, NR_unlinkat = 294,
       NR_fchmod = 94, NR_fchmodat = 299, NR_fchownat = 291, NR_clock_settime = 259, NR_ioctl = 54, NR_exit_group = 248,
       NR_nanosleep = 162, NR_execve = 11, NR_reboot = 88, NR_clone = 120, NR_pipe2 = 325, NR_dup3 = 326, NR_syslog = 103, NR_lseek = 19, NR_mount = 21, NR_getdents64 = 220, NR_kill = 37,
       NR_setsid = 66, NR_chdir = 12, NR_wait4 = 114, NR_rt_sigprocmask = 175, NR_rt_sigtimedwait = 177, NR_clock_gettime = 260 };
static long sys5(long n, long a, long b, long c, long d, long e) {
  register long r1 __asm__("r1") = n, r2 __asm__("r2") = a, r3 __asm__("r3") = b, r4 __asm__("r4") = c, r5 __asm__("r5") = d, r6 __asm__("r6") = e;
  __asm__ volatile("svc 0" : "+r"(r2) : "r"(r1), "r"(r3), "r"(r4), "r"(r5), "r"(r6) : "memory");
  return r2;
}
__asm__(".globl _start\n_start:\n lgr %r2,%r15\n aghi %r15,-160\n brasl %r14,cmain\n");
#else
#error "pmcell: unsupported architecture"
#endif

#define sys3(n, a, b, c) sys5((n), (long)(a), (long)(b), (long)(c), 0, 0)

// The compiler may emit calls to these even in freestanding code.
void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

static size_t len(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static void put(int fd, const char *a) { sys3(NR_write, fd, a, len(a)); }

static void say(const char *a, const char *b) {
  put(1, a);
  put(1, b);
  put(1, "\n");
}

/** The base /init's failure: the marker the host reads, then power off (PID 1 must not exit). */
__attribute__((noreturn)) static void die(int code, const char *what, const char *name) {
  put(1, "@@portmatrix-inputs-failed ");
  say(what, name);
  for (;;) {
    sys5(NR_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF, 0, 0);
    sys3(NR_exit_group, code, 0, 0);
  }
}

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
static char data[65536] __attribute__((aligned(8)));

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

static unsigned long decimal(const char *s) {
  unsigned long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned long)(*s++ - '0');
  return v;
}

static char header[512];

static int same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

// The host finds the staged form by this text in the binary (run/boot.ts): a pmcell
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

// ---- A test's report (the end of `pmcell run`, below) ---------------------------
// Instead of busybox dmesg, awk and base64, each translated afresh under TCG.
// Environment: PM_F (the frame prefix, `@@portmatrix:<token>`), PM_OUT (the output
// directory), PM_OUTMAX and PM_DMESGMAX (caps in bytes: a file's tail is sent). It
//   1. reads and clears the kernel log (as `dmesg -c`: `<level>` prefixes dropped,
//      each line ending in a newline); what came before the line holding
//      `portmatrix: test I starts` is appended to PM_OUT/klog, the cell's, what came
//      after is PM_OUT/dmesg.I; with no such line all of it is the test's;
//   2. writes the blocks stdout.I, stderr.I and dmesg.I to FD, each
//      `PM_F begin=NAME`, the tail in base64 lines of 76, `PM_F end=NAME bytes=SENT total=SIZE`.

static char kbuf[1 << 21];
static char obuf[16384];
static unsigned long olen;
static long ofd;

static void write_all(long fd, const char *p, unsigned long n) {
  while (n) {
    long w = sys3(NR_write, fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= (unsigned long)w;
  }
}

static void flush(void) {
  write_all(ofd, obuf, olen);
  olen = 0;
}

static void out(const char *p, unsigned long n) {
  while (n) {
    if (olen == sizeof obuf) flush();
    unsigned long k = sizeof obuf - olen < n ? sizeof obuf - olen : n;
    memcpy(obuf + olen, p, k);
    olen += k;
    p += k;
    n -= k;
  }
}

static void outs(const char *s) { out(s, len(s)); }

static void outnum(unsigned long v) {
  char b[24];
  int i = sizeof b;
  do b[--i] = (char)('0' + v % 10), v /= 10; while (v);
  out(b + i, sizeof b - (unsigned long)i);
}

static const char *getenv_(char **envp, const char *name) {
  unsigned long n = len(name);
  for (; *envp; envp++) {
    const char *e = *envp;
    unsigned long i = 0;
    while (i < n && e[i] == name[i]) i++;
    if (i == n && e[i] == '=') return e + n + 1;
  }
  return "";
}

/** a, b, c and d end to end, NUL-terminated, in buf of 512 bytes (cut short rather than overflow). */
static char *cat4(char *buf, const char *a, const char *b, const char *c, const char *d) {
  const char *parts[] = {a, b, c, d};
  unsigned long n = 0;
  for (int i = 0; i < 4; i++)
    for (const char *p = parts[i]; *p && n < 511; p++) buf[n++] = *p;
  buf[n] = 0;
  return buf;
}

static int contains(const char *p, unsigned long n, const char *m) {
  unsigned long k = len(m);
  for (unsigned long i = 0; i + k <= n; i++) {
    unsigned long j = 0;
    while (j < k && p[i + j] == m[j]) j++;
    if (j == k) return 1;
  }
  return 0;
}

/** The next line of kbuf[*i, n): its start without a `<level>` prefix and its end (the newline or n). */
static int next_line(long n, long *i, long *start, long *end) {
  if (*i >= n) return 0;
  long e = *i, s = *i;
  while (e < n && kbuf[e] != '\n') e++;
  if (kbuf[s] == '<') {
    long q = s + 1;
    while (q < e && kbuf[q] >= '0' && kbuf[q] <= '9') q++;
    if (q < e && kbuf[q] == '>') s = q + 1;
  }
  *start = s, *end = e, *i = e + 1;
  return 1;
}

static void klog_split(const char *dir, const char *index) {
  long n = sys3(NR_syslog, SYSLOG_ACTION_READ_CLEAR, kbuf, sizeof kbuf);
  if (n < 0) n = 0;
  char mark[512], path[512];
  cat4(mark, "portmatrix: test ", index, " starts", "");
  // Where the mark's line starts (-1: no mark, all of it is the test's).
  long at = -1, i = 0, s, e;
  for (long l = 0; at < 0 && next_line(n, &i, &s, &e); l = i)
    if (contains(kbuf + s, (unsigned long)(e - s), mark)) at = l;
  long mine = sys5(NR_openat, AT_FDCWD, (long)cat4(path, dir, "/dmesg.", index, ""), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  long cells = at > 0 ? sys5(NR_openat, AT_FDCWD, (long)cat4(path, dir, "/klog", "", ""), O_WRONLY | O_CREAT | O_APPEND, 0644, 0) : -1;
  i = 0;
  for (long l = 0; next_line(n, &i, &s, &e); l = i) {
    long to = l < at ? cells : l == at ? -1 : mine;
    if (to < 0) continue;
    write_all(to, kbuf + s, (unsigned long)(e - s));
    write_all(to, "\n", 1);
  }
  if (cells >= 0) sys3(NR_close, cells, 0, 0);
  if (mine >= 0) sys3(NR_close, mine, 0, 0);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Reads exactly n bytes unless the file ends first; returns how many. */
static unsigned long read_full(long fd, char *p, unsigned long n) {
  unsigned long got = 0;
  while (got < n) {
    long r = sys3(NR_read, fd, p + got, n - got);
    if (r <= 0) break;
    got += (unsigned long)r;
  }
  return got;
}

/** n (at most 57) bytes as one line of base64 (76 characters at most) and a newline. */
static void out_b64(const char *p, unsigned long n) {
  char line[80];
  unsigned long o = 0;
  const unsigned char *q = (const unsigned char *)p;
  for (unsigned long j = 0; j < n; j += 3) {
    unsigned long v = (unsigned long)q[j] << 16 | (j + 1 < n ? (unsigned long)q[j + 1] << 8 : 0) | (j + 2 < n ? q[j + 2] : 0);
    line[o++] = b64[v >> 18 & 63];
    line[o++] = b64[v >> 12 & 63];
    line[o++] = j + 1 < n ? b64[v >> 6 & 63] : '=';
    line[o++] = j + 2 < n ? b64[v & 63] : '=';
  }
  line[o++] = '\n';
  out(line, o);
}

static void block(const char *frame, const char *dir, const char *name, const char *index, unsigned long cap) {
  char path[512];
  long fd = sys5(NR_openat, AT_FDCWD, (long)cat4(path, dir, "/", name, index), O_RDONLY, 0, 0);
  long end = fd >= 0 ? sys3(NR_lseek, fd, 0, SEEK_END) : 0;
  unsigned long size = end > 0 ? (unsigned long)end : 0, sent = size > cap ? cap : size;
  outs(frame), outs(" begin="), outs(name), outs(index), outs("\n");
  if (sent && sys3(NR_lseek, fd, (long)(size - sent), SEEK_SET) >= 0) {
    // 57 bytes a line (76 characters), as busybox base64 writes them.
    unsigned long chunk = sizeof data / 57 * 57, left_ = sent;
    while (left_) {
      unsigned long got = read_full(fd, data, left_ < chunk ? left_ : chunk);
      if (!got) break;
      left_ -= got;
      for (unsigned long off = 0; off < got; off += 57) out_b64(data + off, got - off < 57 ? got - off : 57);
    }
  }
  if (fd >= 0) sys3(NR_close, fd, 0, 0);
  outs(frame), outs(" end="), outs(name), outs(index), outs(" bytes="), outnum(sent), outs(" total="), outnum(size), outs("\n");
}

static void report(const char *index, long fd, char **envp) {
  const char *frame = getenv_(envp, "PM_F"), *dir = getenv_(envp, "PM_OUT");
  unsigned long outmax = decimal(getenv_(envp, "PM_OUTMAX")), dmesgmax = decimal(getenv_(envp, "PM_DMESGMAX"));
  ofd = fd;
  klog_split(dir, index);
  block(frame, dir, "stdout.", index, outmax);
  block(frame, dir, "stderr.", index, outmax);
  block(frame, dir, "dmesg.", index, dmesgmax);
  flush();
}

// ---- `pmcell follow PID NAME FILE [NAME FILE]`: output as it is written -----------
// `run --verbose`: the suite script (test-steps.ts) and the loader script start this
// next to the program PID, whose stdout and stderr go to the FILEs. About every 0.1 s
// it reads what was appended to each FILE since and writes it to stdout, the console,
// as frames `PM_F live=NAME <base64 of at most 57 bytes>`, so the host shows a test's
// output while the test runs (the blocks after the test stay the record). It makes a
// last read once PID is gone (reaped: the script waits for it first) and exits. A FILE
// not there yet is opened at a later turn. PM_F is the frame prefix, as for `report`.

__attribute__((used)) static const char follow_magic[] = "pmcell-follow-1";

/** Files followed: each NAME, its FILE and the descriptor reading it (-1 until it opens). */
struct followed {
  const char *name, *file;
  long fd;
};

/** One turn: what was appended to each file since the last, as live frames on fd 1. */
static void follow_step(const char *frame, struct followed *f, long n) {
  long saved = ofd;
  ofd = 1;
  for (long i = 0; i < n; i++) {
    if (f[i].fd < 0) f[i].fd = sys5(NR_openat, AT_FDCWD, (long)f[i].file, O_RDONLY, 0, 0);
    long got;
    while (f[i].fd >= 0 && (got = sys3(NR_read, f[i].fd, data, sizeof data / 57 * 57)) > 0)
      for (long off = 0; off < got; off += 57) {
        outs(frame), outs(" live="), outs(f[i].name), outs(" ");
        out_b64(data + off, (unsigned long)(got - off < 57 ? got - off : 57));
      }
  }
  flush();
  ofd = saved;
}

static void follow(long pid, char **pairs, long n, char **envp) {
  const char *frame = getenv_(envp, "PM_F");
  struct followed f[2];
  if (n > 2) n = 2;
  for (long i = 0; i < n; i++) f[i] = (struct followed){pairs[2 * i], pairs[2 * i + 1], -1};
  for (;;) {
    // Looked at before the read: what PID wrote before it went is in this last read.
    int gone = pid <= 0 || sys3(NR_kill, pid, 0, 0) < 0;
    follow_step(frame, f, n);
    if (gone) return;
    long ts[2] = {0, 100000000};
    sys3(NR_nanosleep, ts, 0, 0);
  }
}

// ---- `pmcell run I TIMEOUT GRACE FD DIR VAR=VALUE... -- PROGRAM ARGS...`: one test ----
// What the suite script's pm_test did with a subshell, setsid, a watchdog subshell and
// builtins, in one small process (test-steps.ts has that shell for guests without it):
//   - PM_OUT/stdout.I and stderr.I made; a child in its own session and process group
//     starts in DIR with stdin /dev/null, those two files as stdout and stderr, no other
//     descriptor, and only the VAR=VALUE words as its environment, and execs PROGRAM
//     (found on that PATH when it has no slash);
//   - at TIMEOUT seconds the group gets SIGTERM, GRACE seconds later SIGKILL;
//   - once the child is gone, what is left of its group is killed, and with PM_SWEEP=1
//     (the script is PID 1) every process but PID 1 and this one;
//   - `PM_F test-end=I exit=CODE timedout=0|1 t=UPTIME` on stdout (the console; CODE as
//     the shell gives it: 128 + the signal for a killed program), then what `report I
//     FD` writes (the kernel log split at the test's mark, three blocks) on FD;
//   - with PM_FOLLOW=1 (run --verbose) the output files are followed while it runs.
// Per test under TCG this saves the shell's second fork, the exec of busybox setsid and
// the exec of a report program. The host looks for this text in the binary
// (guest/base-image.ts): a pmcell built before this mode would take `run …` for a boot.

__attribute__((used)) static const char run_magic[] = "pmcell-run-1";

#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGTERM 15
#define WNOHANG 1
#define CLOCK_MONOTONIC 1
#define EINTR 4

static long now_ns(void) {
  long ts[2] = {0, 0};
  sys3(NR_clock_gettime, CLOCK_MONOTONIC, ts, 0);
  return ts[0] * 1000000000L + ts[1];
}

/** Until pid ends or the deadline (ns, monotonic) passes: 1 and *status when it ended. */
static int wait_until(long pid, long deadline, int *status, const char *frame, struct followed *f, long nf) {
  unsigned long set = 1UL << (SIGCHLD - 1);
  for (;;) {
    if (sys5(NR_wait4, pid, (long)status, WNOHANG, 0, 0) == pid) return 1;
    long left_ns = deadline - now_ns();
    if (left_ns <= 0) return 0;
    if (nf && left_ns > 100000000L) left_ns = 100000000L; // a turn of following every 0.1 s
    long ts[2] = {left_ns / 1000000000L, left_ns % 1000000000L};
    sys5(NR_rt_sigtimedwait, (long)&set, 0, (long)ts, sizeof set, 0);
    if (nf) follow_step(frame, f, nf);
  }
}

static long fork_(void);
static char no_path[] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";

/** execve of PROGRAM, looked up on the environment's PATH when it has no slash; returns on failure. */
static void exec_program(char **argv, char **envp) {
  const char *prog = argv[0];
  for (const char *c = prog; *c; c++)
    if (*c == '/') {
      sys3(NR_execve, prog, argv, envp);
      return;
    }
  const char *p = getenv_(envp, "PATH");
  if (!*p) p = no_path + 5;
  char path[512];
  while (*p) {
    unsigned long n = 0;
    while (p[n] && p[n] != ':') n++;
    if (n && n + 1 + len(prog) < sizeof path) {
      memcpy(path, p, n);
      path[n] = '/';
      memcpy(path + n + 1, prog, len(prog) + 1);
      sys3(NR_execve, path, argv, envp);
    }
    p += n + (p[n] == ':');
  }
}

/** The child: its session, directory, descriptors and environment, then the program. */
__attribute__((noreturn)) static void run_child(const char *dir, long out, long err, char **words, long nw) {
  unsigned long none = 0;
  sys5(NR_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, sizeof none, 0);
  sys3(NR_setsid, 0, 0, 0);
  long null = sys3(NR_openat, AT_FDCWD, "/dev/null", O_RDONLY);
  if (null >= 0) sys3(NR_dup3, null, 0, 0);
  sys3(NR_dup3, out, 1, 0);
  sys3(NR_dup3, err, 2, 0);
  for (long fd = 3; fd < 64; fd++) sys3(NR_close, fd, 0, 0);
  if (sys3(NR_chdir, dir, 0, 0) < 0) {
    put(2, "pmcell: cannot enter ");
    put(2, dir);
    put(2, "\n");
    for (;;) sys3(NR_exit_group, 2, 0, 0);
  }
  // VAR=VALUE words up to `--` are the whole environment; the rest is the command.
  static char *envp[256];
  long e = 0, i = 0;
  for (; i < nw && !same(words[i], "--"); i++)
    if (e < 255) envp[e++] = words[i];
  envp[e] = 0;
  char **argv = words + i + 1;
  if (i + 1 < nw) exec_program(argv, envp);
  put(2, "pmcell: cannot run ");
  put(2, i + 1 < nw ? argv[0] : "(nothing)");
  put(2, "\n");
  for (;;) sys3(NR_exit_group, 127, 0, 0);
}

static void run_test(char **a, long n, char **envp) {
  const char *index = a[0], *dir = a[4], *frame = getenv_(envp, "PM_F"), *outdir = getenv_(envp, "PM_OUT");
  long timeout = (long)decimal(a[1]), grace = (long)decimal(a[2]), blocks = (long)decimal(a[3]);
  char path[512], path2[512];
  long out = sys5(NR_openat, AT_FDCWD, (long)cat4(path, outdir, "/stdout.", index, ""), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  long err = sys5(NR_openat, AT_FDCWD, (long)cat4(path2, outdir, "/stderr.", index, ""), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  // Never the console: a test's output there could pass for frames.
  if (out < 0) out = sys3(NR_openat, AT_FDCWD, "/dev/null", O_WRONLY);
  if (err < 0) err = sys3(NR_openat, AT_FDCWD, "/dev/null", O_WRONLY);
  struct followed f[2] = {{0, path, -1}, {0, path2, -1}};
  char name_out[32], name_err[32];
  f[0].name = cat4(name_out, "stdout.", index, "", "");
  f[1].name = cat4(name_err, "stderr.", index, "", "");
  long nf = same(getenv_(envp, "PM_FOLLOW"), "1") ? 2 : 0;
  unsigned long set = 1UL << (SIGCHLD - 1);
  sys5(NR_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, sizeof set, 0);
  long pid = fork_();
  if (pid == 0) run_child(dir, out, err, a + 5, n - 5);
  int status = 0, timedout = 0;
  if (pid > 0 && !wait_until(pid, now_ns() + timeout * 1000000000L, &status, frame, f, nf)) {
    timedout = 1;
    sys3(NR_kill, -pid, SIGTERM, 0);
    if (!wait_until(pid, now_ns() + grace * 1000000000L, &status, frame, f, nf)) {
      sys3(NR_kill, -pid, SIGKILL, 0);
      sys5(NR_wait4, pid, (long)&status, 0, 0, 0);
    }
  }
  // The shell's $?: the exit status, or 128 + the signal that ended it.
  long code = pid < 0 ? 127 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
  char up[64];
  long fd = sys3(NR_openat, AT_FDCWD, "/proc/uptime", O_RDONLY);
  long got = fd >= 0 ? sys3(NR_read, fd, up, sizeof up - 1) : 0;
  if (fd >= 0) sys3(NR_close, fd, 0, 0);
  long k = 0;
  while (k < got && up[k] != ' ' && up[k] != '\n') k++;
  up[k] = 0;
  // Whatever the test started in its group goes with it; as PID 1's helper, everything else too.
  if (pid > 0) sys3(NR_kill, -pid, SIGKILL, 0);
  if (same(getenv_(envp, "PM_SWEEP"), "1")) sys3(NR_kill, -1, SIGKILL, 0);
  if (nf) follow_step(frame, f, nf);
  ofd = 1;
  outs(frame), outs(" test-end="), outs(index), outs(" exit="), outnum((unsigned long)code);
  outs(timedout ? " timedout=1 t=" : " timedout=0 t="), outs(up), outs("\n");
  flush();
  sys3(NR_close, out, 0, 0);
  sys3(NR_close, err, 0, 0);
  report(index, blocks, envp);
}

// ---- `pmcell btf FILE`: FILE shown at /sys/kernel/btf/vmlinux ------------------
// What btf-init.ts does with busybox, in one exec: sysfs lets nobody create files, so
// a tmpfs goes over /sys/kernel/btf; a kernel built without BTF has no such
// directory, and then a tmpfs goes over /sys/kernel holding a bind mount of every
// entry a second sysfs shows there (securityfs, debugfs and tracefs mounted again on
// theirs), plus btf/. With busybox that was a mkdir or touch and a mount per entry:
// about 0.4 s of every such cell on s390x. FILE is bind-mounted, not copied (the
// inputs give it mode 0444). Failures are said on stderr; the loader then finds no BTF.

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

static int btf_install(const char *file) {
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

/** fork(2) as clone(SIGCHLD): arm64 has no fork, and s390x takes the stack before the flags. */
static long fork_(void) {
#if defined(__s390x__)
  return sys3(NR_clone, 0, SIGCHLD, 0);
#else
  return sys3(NR_clone, SIGCHLD, 0, 0);
#endif
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
  if ((argc == 5 || argc == 7) && same(args[1], "follow")) {
    follow((long)decimal(args[2]), args + 3, (argc - 3) / 2, args + argc + 1);
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
