// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * execwatch's BPF side: on every exec (tracepoint sched/sched_process_exec) send
 * the new process's pid and the exec'd filename through a ring buffer. A
 * tracepoint, not a kprobe, and no kernel types: it needs no BTF, so it loads on
 * kernels built without it (Debian bookworm s390x).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "event.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/*
 * config[0]: where the tracepoint record keeps `__data_loc char[] filename`. The
 * loader reads it from the event's format file in tracefs and writes it here
 * before attaching, so a kernel that changes the common header cannot make
 * this program read the wrong bytes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(void *ctx)
{
	__u32 zero = 0, loc;
	__u32 *field = bpf_map_lookup_elem(&config, &zero);
	struct event *e;

	if (!field || *field == 0)
		return 0;
	/* __data_loc: the low 16 bits are the string's offset in the record. */
	if (bpf_probe_read_kernel(&loc, sizeof(loc), ctx + *field))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->filename_len = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), ctx + (loc & 0xffff));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
