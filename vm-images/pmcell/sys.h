// pmcell's shared part (vm-images/pmcell/*.c are one program): types, flags, the
// system calls of each arch, and the helpers every mode uses (lib.c). Freestanding:
// no libc, no headers of the system.

#ifndef PMCELL_SYS_H
#define PMCELL_SYS_H

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
#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGTERM 15
#define SIGUSR1 10
#define WNOHANG 1
#define CLOCK_MONOTONIC 1

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_openat = 257, NR_close = 3, NR_mkdirat = 258, NR_symlinkat = 266, NR_unlinkat = 263,
       NR_fchmod = 91, NR_fchmodat = 268, NR_fchownat = 260, NR_clock_settime = 227, NR_ioctl = 16, NR_exit_group = 231,
       NR_nanosleep = 35, NR_execve = 59, NR_reboot = 169, NR_clone = 56, NR_pipe2 = 293, NR_dup3 = 292, NR_syslog = 103, NR_lseek = 8, NR_mount = 165, NR_getdents64 = 217, NR_kill = 62,
       NR_setsid = 112, NR_chdir = 80, NR_wait4 = 61, NR_rt_sigprocmask = 14, NR_rt_sigtimedwait = 128, NR_clock_gettime = 228,
       NR_bpf = 321 };
static inline long sys5(long n, long a, long b, long c, long d, long e) {
  register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return r;
}
#elif defined(__aarch64__)
enum { NR_read = 63, NR_write = 64, NR_openat = 56, NR_close = 57, NR_mkdirat = 34, NR_symlinkat = 36, NR_unlinkat = 35,
       NR_fchmod = 52, NR_fchmodat = 53, NR_fchownat = 54, NR_clock_settime = 112, NR_ioctl = 29, NR_exit_group = 94,
       NR_nanosleep = 101, NR_execve = 221, NR_reboot = 142, NR_clone = 220, NR_pipe2 = 59, NR_dup3 = 24, NR_syslog = 116, NR_lseek = 62, NR_mount = 40, NR_getdents64 = 61, NR_kill = 129,
       NR_setsid = 157, NR_chdir = 49, NR_wait4 = 260, NR_rt_sigprocmask = 135, NR_rt_sigtimedwait = 137, NR_clock_gettime = 113,
       NR_bpf = 280 };
static inline long sys5(long n, long a, long b, long c, long d, long e) {
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
}
#elif defined(__s390x__)
enum { NR_read = 3, NR_write = 4, NR_openat = 288, NR_close = 6, NR_mkdirat = 289, NR_symlinkat = 297, NR_unlinkat = 294,
       NR_fchmod = 94, NR_fchmodat = 299, NR_fchownat = 291, NR_clock_settime = 259, NR_ioctl = 54, NR_exit_group = 248,
       NR_nanosleep = 162, NR_execve = 11, NR_reboot = 88, NR_clone = 120, NR_pipe2 = 325, NR_dup3 = 326, NR_syslog = 103, NR_lseek = 19, NR_mount = 21, NR_getdents64 = 220, NR_kill = 37,
       NR_setsid = 66, NR_chdir = 12, NR_wait4 = 114, NR_rt_sigprocmask = 175, NR_rt_sigtimedwait = 177, NR_clock_gettime = 260,
       NR_bpf = 351 };
static inline long sys5(long n, long a, long b, long c, long d, long e) {
  register long r1 __asm__("r1") = n, r2 __asm__("r2") = a, r3 __asm__("r3") = b, r4 __asm__("r4") = c, r5 __asm__("r5") = d, r6 __asm__("r6") = e;
  __asm__ volatile("svc 0" : "+r"(r2) : "r"(r1), "r"(r3), "r"(r4), "r"(r5), "r"(r6) : "memory");
  return r2;
}
#else
#error "pmcell: unsupported architecture"
#endif

#define sys3(n, a, b, c) sys5((n), (long)(a), (long)(b), (long)(c), 0, 0)

// lib.c
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t len(const char *s);
void put(int fd, const char *a);
void say(const char *a, const char *b);
__attribute__((noreturn)) void die(int code, const char *what, const char *name);
unsigned long decimal(const char *s);
int same(const char *a, const char *b);
const char *getenv_(char **envp, const char *name);
char *cat4(char *buf, const char *a, const char *b, const char *c, const char *d);
long fork_(void);
/** A 64 KiB scratch buffer: archive entries, output files. */
extern char data[65536];
/** The buffered output (out, outs, outnum, out_b64) goes to ofd at flush. */
extern long ofd;
void write_all(long fd, const char *p, unsigned long n);
void flush(void);
void out(const char *p, unsigned long n);
void outs(const char *s);
void outnum(unsigned long v);
void out_b64(const char *p, unsigned long n);

// The modes: report.c, run.c, btf.c, progs.c (pmcell.c is the main one).
void report(const char *index, long fd, char **envp);
void follow(long pid, long fd, char **pairs, long n, char **envp);
void run_test(char **a, long n, char **envp);
int btf_install(const char *file);
/** Records the programs loaded since the first call (mine = 0 marks those there before); then frames them on fd. */
void progs_poll(int mine);
void progs_report(const char *frame, const char *index, long fd);

#endif
