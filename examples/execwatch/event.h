/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One ring-buffer record, shared by execwatch.bpf.c and execwatch.c. */
#ifndef EXECWATCH_EVENT_H
#define EXECWATCH_EVENT_H

struct event {
	unsigned int pid;
	/* bpf_probe_read_kernel_str's result: length with the NUL, or -errno. */
	int filename_len;
	char filename[256];
};

#endif
