// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The deliberately non-portable variant, written the way a program that "works
 * on my laptop" (x86, kernel < 5.14) often is. Two bugs, both invisible on
 * the author's machine:
 *
 *  1. pt_regs is a hand-written copy of the x86 layout, read at fixed offsets
 *     (no CO-RE, no bpf_tracing.h). On arm64 and s390x it loads fine and reads
 *     the wrong registers: the event arrives with a garbage or empty filename.
 *  2. task_struct->state is read with CO-RE but without a flavour for the 5.14
 *     rename to __state: on >= 5.14 the relocation fails and the load fails.
 */
#include "types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "event.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* x86-64's struct pt_regs, copied from arch/x86/include/asm/ptrace.h. */
struct naive_x86_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* CO-RE, but only the pre-5.14 name of the field. */
struct task_struct {
	long state;
} __attribute__((preserve_access_index));

SEC("kprobe/sys_execve")
int naive_execsnoop(struct naive_x86_regs *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct naive_x86_regs *user_regs;
	const char *filename;
	struct event *e;
	long n;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->state = (__u32)BPF_CORE_READ(task, state);
	e->state_field = STATE_FIELD_OLD;

	/* __x64_sys_execve(const struct pt_regs *regs): the user's registers are in di. */
	user_regs = (struct naive_x86_regs *)ctx->di;
	bpf_probe_read_kernel(&filename, sizeof(filename), &user_regs->di);
	n = bpf_probe_read_user_str(&e->filename, sizeof(e->filename), filename);
	e->filename_len = (__u32)n;

	bpf_ringbuf_submit(e, 0);
	return 0;
}
