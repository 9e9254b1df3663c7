// Helpers every mode of pmcell uses: strings, the console, a buffered output with
// base64 lines, fork. The compiler may emit calls to memset and memcpy even in
// freestanding code, so they are here too.

#include "sys.h"

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

size_t len(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void put(int fd, const char *a) { sys3(NR_write, fd, a, len(a)); }

void say(const char *a, const char *b) {
  put(1, a);
  put(1, b);
  put(1, "\n");
}

/** The base /init's failure: the marker the host reads, then power off (PID 1 must not exit). */
__attribute__((noreturn)) void die(int code, const char *what, const char *name) {
  put(1, "@@portmatrix-inputs-failed ");
  say(what, name);
  for (;;) {
    sys5(NR_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF, 0, 0);
    sys3(NR_exit_group, code, 0, 0);
  }
}

unsigned long decimal(const char *s) {
  unsigned long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned long)(*s++ - '0');
  return v;
}

int same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

const char *getenv_(char **envp, const char *name) {
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
char *cat4(char *buf, const char *a, const char *b, const char *c, const char *d) {
  const char *parts[] = {a, b, c, d};
  unsigned long n = 0;
  for (int i = 0; i < 4; i++)
    for (const char *p = parts[i]; *p && n < 511; p++) buf[n++] = *p;
  buf[n] = 0;
  return buf;
}

char data[65536] __attribute__((aligned(8)));
static char obuf[16384];
static unsigned long olen;
long ofd;

void write_all(long fd, const char *p, unsigned long n) {
  while (n) {
    long w = sys3(NR_write, fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= (unsigned long)w;
  }
}

void flush(void) {
  write_all(ofd, obuf, olen);
  olen = 0;
}

void out(const char *p, unsigned long n) {
  while (n) {
    if (olen == sizeof obuf) flush();
    unsigned long k = sizeof obuf - olen < n ? sizeof obuf - olen : n;
    memcpy(obuf + olen, p, k);
    olen += k;
    p += k;
    n -= k;
  }
}

void outs(const char *s) { out(s, len(s)); }

void outnum(unsigned long v) {
  char b[24];
  int i = sizeof b;
  do b[--i] = (char)('0' + v % 10), v /= 10; while (v);
  out(b + i, sizeof b - (unsigned long)i);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** n (at most 57) bytes as one line of base64 (76 characters at most) and a newline. */
void out_b64(const char *p, unsigned long n) {
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

/** fork(2) as clone(SIGCHLD): arm64 has no fork, and s390x takes the stack before the flags. */
long fork_(void) {
#if defined(__s390x__)
  return sys3(NR_clone, 0, SIGCHLD, 0);
#else
  return sys3(NR_clone, SIGCHLD, 0, 0);
#endif
}
