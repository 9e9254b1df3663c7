/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A hand-written stand-in for vmlinux.h: only the kernel types the portable
 * program touches, each marked preserve_access_index so every field access is
 * a CO-RE relocation resolved against the running kernel's BTF at load time.
 * Field order and sizes here do not matter; names and kinds do.
 */
#ifndef __EXECSNOOP_VMLINUX_MIN_H
#define __EXECSNOOP_VMLINUX_MIN_H

/* Tells bpf_tracing.h to use the kernel's register names (di, not rdi). */
#define __VMLINUX_H__

#include "types.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/*
 * The registers a kprobe sees. bpf_tracing.h reads syscall arguments through
 * these names, picked by the __TARGET_ARCH_* that bpf2go defines per GOARCH.
 */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			__u64 regs[31];
			__u64 sp;
			__u64 pc;
			__u64 pstate;
		};
	};
	__u64 orig_x0;
};
#elif defined(__TARGET_ARCH_s390)
typedef struct {
	unsigned long mask;
	unsigned long addr;
} __attribute__((aligned(8))) psw_t;
typedef struct {
	unsigned long args[1];
	psw_t psw;
	unsigned long gprs[16];
} user_pt_regs;
struct pt_regs {
	union {
		user_pt_regs user_regs;
		struct {
			unsigned long args[1];
			psw_t psw;
			unsigned long gprs[16];
		};
	};
	unsigned long orig_gpr2;
};
#else
#error "execsnoop: build with bpf2go -target amd64,arm64,s390x (sets __TARGET_ARCH_*)"
#endif

/* Linux >= 5.14: the field is __state. */
struct task_struct {
	unsigned int __state;
	pid_t pid;
	pid_t tgid;
	char comm[16];
};

/*
 * Linux < 5.14 flavour: the "___old" suffix is ignored when matching against
 * kernel BTF, so this also describes "struct task_struct".
 */
struct task_struct___old {
	long state;
};

#pragma clang attribute pop

#endif
