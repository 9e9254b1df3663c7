// pmcell's modes that run a program for a cell's script: `run` (one suite test) and
// `follow` (a loader's output while it runs).

#include "sys.h"

// ---- `pmcell follow PID FD NAME FILE [NAME FILE]`: output as it is written --------
// The loader script (init-script.ts) starts this next to the loader, PID, whose stdout
// and stderr go to the FILEs; `pmcell run` does the same for a suite test itself.
// About every 0.1 s it reads what was appended to each FILE since and writes it as
// frames `PM_F live=NAME <base64 of at most 57 bytes>`: with PM_FOLLOW=1 (run
// --verbose) all of it on stdout, the console, so the host shows the output while the
// program runs; else the first PM_OUTMAX bytes of each FILE on FD (the inputs port, or
// the console without one), so the host keeps them should the guest panic or wedge
// before the blocks (which stay the record). It makes a last read and exits once PID
// is gone (reaped: the script waits for it first) or on SIGUSR1, which the script
// sends so as not to wait for the next turn. A FILE not there yet is opened at a later
// turn. PM_F is the frame prefix.

__attribute__((used)) static const char follow_magic[] = "pmcell-follow-2";

/** Files followed: each NAME, its FILE, the descriptor reading it (-1 until it opens), and the bytes still to send (-1: all). */
struct followed {
  const char *name, *file;
  long fd, left;
};

/** One turn: what was appended to each file since the last, as live frames on `to`. */
static void follow_step(const char *frame, struct followed *f, long n, long to) {
  long saved = ofd;
  ofd = to;
  for (long i = 0; i < n; i++) {
    if (f[i].fd < 0) f[i].fd = sys5(NR_openat, AT_FDCWD, (long)f[i].file, O_RDONLY, 0, 0);
    for (;;) {
      long want = sizeof data / 57 * 57;
      if (f[i].left >= 0 && f[i].left < want) want = f[i].left;
      long got = f[i].fd >= 0 && want > 0 ? sys3(NR_read, f[i].fd, data, want) : 0;
      if (got <= 0) break;
      if (f[i].left > 0) f[i].left -= got;
      for (long off = 0; off < got; off += 57) {
        outs(frame), outs(" live="), outs(f[i].name), outs(" ");
        out_b64(data + off, (unsigned long)(got - off < 57 ? got - off : 57));
      }
    }
  }
  flush();
  ofd = saved;
}

/** Where live frames go and how much of each file (-1: all): PM_FOLLOW=1, the console; else FD, PM_OUTMAX bytes. */
static long live_to(char **envp, long fd, long *keep) {
  int all = same(getenv_(envp, "PM_FOLLOW"), "1");
  *keep = all ? -1 : (long)decimal(getenv_(envp, "PM_OUTMAX"));
  return all ? 1 : fd;
}

void follow(long pid, long fd, char **pairs, long n, char **envp) {
  unsigned long usr1 = 1UL << (SIGUSR1 - 1);
  sys5(NR_rt_sigprocmask, SIG_BLOCK, (long)&usr1, 0, sizeof usr1, 0);
  const char *frame = getenv_(envp, "PM_F");
  long keep, to = live_to(envp, fd, &keep);
  struct followed f[2];
  if (n > 2) n = 2;
  for (long i = 0; i < n; i++) f[i] = (struct followed){pairs[2 * i], pairs[2 * i + 1], -1, keep};
  for (int told = 0;;) {
    // Looked at before the read: what PID wrote before it went is in this last read.
    int gone = told || pid <= 0 || sys3(NR_kill, pid, 0, 0) < 0;
    follow_step(frame, f, n, to);
    if (gone) return;
    long ts[2] = {0, 100000000};
    told = sys5(NR_rt_sigtimedwait, (long)&usr1, 0, (long)ts, sizeof usr1, 0) == SIGUSR1;
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
//   - the output files are followed while it runs, as `follow` does (live frames: all
//     on the console with PM_FOLLOW=1, else the first PM_OUTMAX bytes on FD);
//   - the BPF programs it loads are polled while it runs and framed before the blocks
//     (progs.c: `PM_F prog=I …` on FD).
// Per test under TCG this saves the shell's second fork, the exec of busybox setsid and
// the exec of a report program. The host looks for this text in the binary
// (guest/base-image.ts): a pmcell built before this mode would take `run …` for a boot.

__attribute__((used)) static const char run_magic[] = "pmcell-run-1";

static long now_ns(void) {
  long ts[2] = {0, 0};
  sys3(NR_clock_gettime, CLOCK_MONOTONIC, ts, 0);
  return ts[0] * 1000000000L + ts[1];
}

/** A turn every 5 ms: the test's new BPF programs (progs.c); every 20th turn, its output files. */
#define TURN_NS 5000000L

/** Until pid ends or the deadline (ns, monotonic) passes: 1 and *status when it ended. */
static int wait_until(long pid, long deadline, int *status, const char *frame, struct followed *f, long nf, long to) {
  unsigned long set = 1UL << (SIGCHLD - 1);
  for (long turn = 1;; turn++) {
    if (sys5(NR_wait4, pid, (long)status, WNOHANG, 0, 0) == pid) return 1;
    long left_ns = deadline - now_ns();
    if (left_ns <= 0) return 0;
    if (left_ns > TURN_NS) left_ns = TURN_NS;
    long ts[2] = {left_ns / 1000000000L, left_ns % 1000000000L};
    sys5(NR_rt_sigtimedwait, (long)&set, 0, (long)ts, sizeof set, 0);
    progs_poll(1);
    if (nf && turn % 20 == 0) follow_step(frame, f, nf, to);
  }
}

/** /proc/uptime's first word (seconds, in hundredths) into up; empty when unreadable. */
static void uptime(char *up, long size) {
  long fd = sys3(NR_openat, AT_FDCWD, "/proc/uptime", O_RDONLY);
  long got = fd >= 0 ? sys3(NR_read, fd, up, size - 1) : 0;
  if (fd >= 0) sys3(NR_close, fd, 0, 0);
  long k = 0;
  while (k < got && up[k] != ' ' && up[k] != '\n') k++;
  up[k] = 0;
}

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

void run_test(char **a, long n, char **envp) {
  const char *index = a[0], *dir = a[4], *frame = getenv_(envp, "PM_F"), *outdir = getenv_(envp, "PM_OUT");
  long timeout = (long)decimal(a[1]), grace = (long)decimal(a[2]), blocks = (long)decimal(a[3]);
  char path[512], path2[512];
  long out = sys5(NR_openat, AT_FDCWD, (long)cat4(path, outdir, "/stdout.", index, ""), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  long err = sys5(NR_openat, AT_FDCWD, (long)cat4(path2, outdir, "/stderr.", index, ""), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  // Never the console: a test's output there could pass for frames.
  if (out < 0) out = sys3(NR_openat, AT_FDCWD, "/dev/null", O_WRONLY);
  if (err < 0) err = sys3(NR_openat, AT_FDCWD, "/dev/null", O_WRONLY);
  long keep, to = live_to(envp, blocks, &keep);
  struct followed f[2] = {{0, path, -1, keep}, {0, path2, -1, keep}};
  char name_out[32], name_err[32];
  f[0].name = cat4(name_out, "stdout.", index, "", "");
  f[1].name = cat4(name_err, "stderr.", index, "", "");
  long nf = keep ? 2 : 0;
  unsigned long set = 1UL << (SIGCHLD - 1);
  sys5(NR_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, sizeof set, 0);
  progs_poll(0); // what is loaded already is not the test's
  long pid = fork_();
  if (pid == 0) run_child(dir, out, err, a + 5, n - 5);
  int status = 0, timedout = 0;
  if (pid > 0 && !wait_until(pid, now_ns() + timeout * 1000000000L, &status, frame, f, nf, to)) {
    timedout = 1;
    sys3(NR_kill, -pid, SIGTERM, 0);
    if (!wait_until(pid, now_ns() + grace * 1000000000L, &status, frame, f, nf, to)) {
      sys3(NR_kill, -pid, SIGKILL, 0);
      sys5(NR_wait4, pid, (long)&status, 0, 0, 0);
    }
  }
  // The shell's $?: the exit status, or 128 + the signal that ended it.
  long code = pid < 0 ? 127 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
  char up[64];
  uptime(up, sizeof up);
  progs_poll(1); // what it pinned, or left running in its group
  // Whatever the test started in its group goes with it; as PID 1's helper, everything else too.
  if (pid > 0) sys3(NR_kill, -pid, SIGKILL, 0);
  if (same(getenv_(envp, "PM_SWEEP"), "1")) sys3(NR_kill, -1, SIGKILL, 0);
  if (nf) follow_step(frame, f, nf, to);
  ofd = 1;
  outs(frame), outs(" test-end="), outs(index), outs(" exit="), outnum((unsigned long)code);
  outs(timedout ? " timedout=1 t=" : " timedout=0 t="), outs(up), outs("\n");
  flush();
  sys3(NR_close, out, 0, 0);
  sys3(NR_close, err, 0, 0);
  progs_report(frame, index, blocks);
  report(index, blocks, envp);
}
