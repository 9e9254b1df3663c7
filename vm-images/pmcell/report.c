// A suite test's report, the end of `pmcell run` (run.c). Instead of busybox dmesg, awk and base64, each translated afresh under TCG.
// Environment: PM_F (the frame prefix, `@@portmatrix:<token>`), PM_OUT (the output
// directory), PM_OUTMAX and PM_DMESGMAX (caps in bytes: a file's tail is sent). It
//   1. reads and clears the kernel log (as `dmesg -c`: `<level>` prefixes dropped,
//      each line ending in a newline); what came before the line holding
//      `portmatrix: test I starts` is appended to PM_OUT/klog, the cell's, what came
//      after is PM_OUT/dmesg.I; with no such line all of it is the test's;
//   2. writes the blocks stdout.I, stderr.I and dmesg.I to FD, each
//      `PM_F begin=NAME`, the tail in base64 lines of 76, `PM_F end=NAME bytes=SENT total=SIZE`.

#include "sys.h"

static char kbuf[1 << 21];

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

void report(const char *index, long fd, char **envp) {
  const char *frame = getenv_(envp, "PM_F"), *dir = getenv_(envp, "PM_OUT");
  unsigned long outmax = decimal(getenv_(envp, "PM_OUTMAX")), dmesgmax = decimal(getenv_(envp, "PM_DMESGMAX"));
  ofd = fd;
  klog_split(dir, index);
  block(frame, dir, "stdout.", index, outmax);
  block(frame, dir, "stderr.", index, outmax);
  block(frame, dir, "dmesg.", index, dmesgmax);
  flush();
}
