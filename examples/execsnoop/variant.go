package main

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// A variant is one of the two BPF programs compiled into this binary.
type variant struct {
	name string
	// load returns the CollectionSpec bpf2go embedded for this GOARCH.
	load func() (*ebpf.CollectionSpec, error)
	// prog is the program's name in the object (its C function name).
	prog string
}

var variants = map[string]variant{
	// CO-RE, BPF_KSYSCALL, a flavour for the task_struct state rename.
	"portable": {name: "portable", load: loadExecsnoop, prog: execsnoopProgExecsnoop},
	// x86 pt_regs offsets by hand, task_struct->state without a flavour.
	"naive": {name: "naive", load: loadNaive, prog: naiveProgNaiveExecsnoop},
}

func lookupVariant(name string) (variant, error) {
	v, ok := variants[name]
	if !ok {
		return variant{}, fmt.Errorf("unknown variant %q (valid: portable, naive)", name)
	}
	return v, nil
}

// loaded is a variant's program and ring buffer, live in the kernel.
type loaded struct {
	coll   *ebpf.Collection
	prog   *ebpf.Program
	events *ebpf.Map
}

func (l *loaded) Close() { l.coll.Close() }

// loadVariant creates the maps and programs. kernelTypes, when non-nil,
// replaces /sys/kernel/btf/vmlinux as the BTF CO-RE relocates against (for
// kernels built without BTF, such as Debian bookworm's s390x kernel).
func loadVariant(v variant, kernelTypes *btf.Spec) (*loaded, error) {
	spec, err := v.load()
	if err != nil {
		return nil, fmt.Errorf("parse embedded object: %w", err)
	}
	opts := ebpf.CollectionOptions{}
	if kernelTypes != nil {
		opts.Programs.KernelTypes = kernelTypes
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, opts)
	if err != nil {
		return nil, err
	}
	prog, events := coll.Programs[v.prog], coll.Maps["events"]
	if prog == nil || events == nil {
		coll.Close()
		return nil, fmt.Errorf("object lacks program %q or map \"events\"", v.prog)
	}
	return &loaded{coll: coll, prog: prog, events: events}, nil
}
