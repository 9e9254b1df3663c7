// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The portable variant: one source, built per arch by bpf2go, that loads and
 * reports correct data on every kernel from 5.10 to 7.x and on amd64, arm64
 * and s390x. Each idiom below replaces an assumption the naive variant makes.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "event.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* Reads the task state whichever name the running kernel gives the field. */
static __always_inline void read_state(struct task_struct *task, struct event *e)
{
	struct task_struct___old *old = (void *)task;

	if (bpf_core_field_exists(task->__state)) {
		e->state = BPF_CORE_READ(task, __state);
		e->state_field = STATE_FIELD_NEW;
	} else {
		/* The relocation of the branch not taken is poisoned, never run. */
		e->state = (__u32)BPF_CORE_READ(old, state);
		e->state_field = STATE_FIELD_OLD;
	}
}

/*
 * BPF_KSYSCALL unwraps the syscall wrapper's pt_regs (LINUX_HAS_SYSCALL_WRAPPER,
 * resolved by the loader from the kernel) and reads the argument with the
 * calling convention of the __TARGET_ARCH_* this object was built for.
 * Attached by the loader to "sys_execve"; cilium/ebpf adds the arch prefix.
 */
SEC("kprobe/sys_execve")
int BPF_KSYSCALL(execsnoop, const char *filename)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct event *e;
	long n;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->pid = BPF_CORE_READ(task, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	read_state(task, e);
	n = bpf_probe_read_user_str(&e->filename, sizeof(e->filename), filename);
	e->filename_len = (__u32)n;

	bpf_ringbuf_submit(e, 0);
	return 0;
}
