/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Scalar types and UAPI constants the BPF programs need. A generated vmlinux.h
 * would bring these too, but it is 3 MB per arch; these few lines are the same
 * on every arch we build for (LP64 on amd64, arm64 and s390x).
 */
#ifndef __EXECSNOOP_TYPES_H
#define __EXECSNOOP_TYPES_H

typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef int pid_t;

/* include/uapi/linux/bpf.h: only the values used here. */
enum bpf_map_type {
	BPF_MAP_TYPE_RINGBUF = 27,
};

#endif
