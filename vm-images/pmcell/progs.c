// The BPF programs a test loads, for `pmcell run` (run.c): while the test runs it polls
// the kernel's program list every few ms (BPF_PROG_GET_NEXT_ID) and, for each id it
// has not seen, takes the program's info at once (BPF_PROG_GET_FD_BY_ID, then
// BPF_OBJ_GET_INFO_BY_FD): its name, type and verified_insns, the instructions the
// verifier processed. That field ends struct bpf_prog_info from 5.16 on; an older
// kernel copies back a shorter info (info_len says how much), and then the frame says
// `insns=?` rather than a number. Programs there before the test started are not its.
// Polling is the limit: a program loaded and unloaded between two polls is missed.
// After the test, one frame per program on FD:
//   PM_F prog=I id=ID type=TYPE insns=N|? name=NAME
// Tables are bounded (MAX_SEEN ids, MAX_PROGS programs a test): past them, no more.

#include "sys.h"

__attribute__((used)) static const char progs_magic[] = "pmcell-progs-1";

enum { BPF_PROG_GET_NEXT_ID = 11, BPF_PROG_GET_FD_BY_ID = 13, BPF_OBJ_GET_INFO_BY_FD = 15 };
// struct bpf_prog_info (uapi): where each field read lies, and its size as of 5.16.
enum { INFO_TYPE = 0, INFO_NAME = 64, INFO_VERIFIED_INSNS = 216, INFO_SIZE = 232 };
enum { MAX_SEEN = 1024, MAX_PROGS = 256 };

struct prog {
  unsigned int id, type, insns;
  int has_insns;
  char name[17];
};

/** Ids seen, ascending (the kernel lists them in that order). */
static unsigned int seen[MAX_SEEN];
static long nseen;
static struct prog progs[MAX_PROGS];
static long nprogs;

static long bpf_(long cmd, void *attr, unsigned long size) { return sys3(NR_bpf, cmd, attr, size); }

/** Adds id to seen; 0 when it was there already or there is no room. */
static int first_sight(unsigned int id) {
  long lo = 0, hi = nseen;
  while (lo < hi) {
    long mid = (lo + hi) / 2;
    if (seen[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  if ((lo < nseen && seen[lo] == id) || nseen == MAX_SEEN) return 0;
  for (long i = nseen; i > lo; i--) seen[i] = seen[i - 1];
  seen[lo] = id;
  nseen++;
  return 1;
}

/** The info of program id, kept when the kernel still has it. */
static void take(unsigned int id) {
  struct { unsigned int id, next_id, open_flags, pad; } by_id = {id, 0, 0, 0};
  long fd = bpf_(BPF_PROG_GET_FD_BY_ID, &by_id, sizeof by_id);
  if (fd < 0) return;
  static unsigned long long info[INFO_SIZE / 8];
  memset(info, 0, sizeof info);
  struct { unsigned int fd, info_len; unsigned long long info; } get = {(unsigned int)fd, sizeof info, 0};
  get.info = (unsigned long)info;
  long r = bpf_(BPF_OBJ_GET_INFO_BY_FD, &get, sizeof get);
  sys3(NR_close, fd, 0, 0);
  if (r < 0 || nprogs == MAX_PROGS) return;
  const char *b = (const char *)info;
  struct prog *p = &progs[nprogs++];
  p->id = id;
  p->type = *(const unsigned int *)(b + INFO_TYPE);
  p->has_insns = get.info_len >= INFO_VERIFIED_INSNS + 4;
  p->insns = p->has_insns ? *(const unsigned int *)(b + INFO_VERIFIED_INSNS) : 0;
  // The kernel allows [A-Za-z0-9_.] in a name; anything else would end the frame's word.
  long n = 0;
  for (const char *c = b + INFO_NAME; n < 16 && *c; c++) {
    int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.';
    if (ok) p->name[n++] = *c;
  }
  p->name[n] = 0;
}

void progs_poll(int mine) {
  unsigned int id = 0;
  for (long i = 0; i < MAX_SEEN; i++) {
    struct { unsigned int start_id, next_id, open_flags, pad; } next = {id, 0, 0, 0};
    if (bpf_(BPF_PROG_GET_NEXT_ID, &next, sizeof next) < 0) return;
    id = next.next_id;
    if (first_sight(id) && mine) take(id);
  }
}

void progs_report(const char *frame, const char *index, long fd) {
  ofd = fd;
  for (long i = 0; i < nprogs; i++) {
    struct prog *p = &progs[i];
    outs(frame), outs(" prog="), outs(index), outs(" id="), outnum(p->id);
    outs(" type="), outnum(p->type), outs(" insns=");
    if (p->has_insns) outnum(p->insns);
    else outs("?");
    outs(" name="), outs(p->name), outs("\n");
  }
  flush();
}
