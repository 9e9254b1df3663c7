/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record both variants send through the ring buffer. Mirrored by the Go
 * type `event` in event.go; the loader rejects records of any other size, so
 * the two sides cannot drift apart silently.
 */
#ifndef __EXECSNOOP_EVENT_H
#define __EXECSNOOP_EVENT_H

#define TASK_COMM_LEN 16
#define FILENAME_LEN 256

/* Which task_struct field the state came from (renamed in Linux 5.14). */
enum state_field {
	STATE_FIELD_NEW = 1, /* __state, unsigned int, >= 5.14 */
	STATE_FIELD_OLD = 2, /* state, volatile long, < 5.14 */
};

struct event {
	__u32 pid;
	__u32 state;
	__u32 state_field;
	__u32 filename_len; /* bpf_probe_read_user_str's result: < 0 is an error */
	char comm[TASK_COMM_LEN];
	char filename[FILENAME_LEN];
};

#endif
