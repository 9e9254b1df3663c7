package main

// bpf2go compiles each BPF program once per GOARCH: amd64 and arm64 get
// little-endian objects, s390x a big-endian one, and each gets its own
// __TARGET_ARCH_* so bpf_tracing.h reads the right pt_regs. The generated
// *_bpfel.go / *_bpfeb.go / *.o files are build outputs (git-ignored);
// scripts/build-example regenerates them. bpf2go's version is pinned by the
// `tool` directive in go.mod.
//
// -mcpu=v2: a conservative instruction set every kernel in the matrix accepts,
// including s390x kernels that interpret BPF (Debian builds them without JIT).

//go:generate go tool bpf2go -target amd64,arm64,s390x execsnoop bpf/execsnoop.bpf.c -- -O2 -g -mcpu=v2 -Wall -Werror -I/usr/include
//go:generate go tool bpf2go -target amd64,arm64,s390x naive bpf/naive.bpf.c -- -O2 -g -mcpu=v2 -Wall -Werror -I/usr/include
