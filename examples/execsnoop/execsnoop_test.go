package main

// The example's Go test suite: built with `go test -c` per GOARCH by
// scripts/build-example (bin/execsnoop-tests-<goarch>) and run by portmatrix as a
// `kind: gotest` test inside each cell, one case per test below. Each test needs
// root in a guest with BPF; a test whose kernel feature is missing skips and says
// which feature, so a report tells "not supported here" from "broken here".

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
)

var btfFile = flag.String("btf", "", "kernel BTF to use instead of /sys/kernel/btf/vmlinux (kernels built without BTF)")

// kernelTypes is the BTF CO-RE relocates against: -btf, else the kernel's own.
// A kernel without BTF and no -btf is a missing feature: the test skips.
func kernelTypes(t *testing.T) *btf.Spec {
	t.Helper()
	if *btfFile != "" {
		spec, err := btf.LoadSpec(*btfFile)
		if err != nil {
			t.Fatalf("read BTF %s: %v", *btfFile, err)
		}
		return spec
	}
	spec, err := btf.LoadKernelSpec()
	if errors.Is(err, btf.ErrNotSupported) {
		t.Skip("kernel has no BTF (/sys/kernel/btf/vmlinux); pass -btf FILE")
	}
	if err != nil {
		t.Fatalf("load kernel BTF: %v", err)
	}
	return spec
}

// requireRingBuf skips where BPF_MAP_TYPE_RINGBUF is missing (Linux < 5.8).
func requireRingBuf(t *testing.T) {
	t.Helper()
	err := features.HaveMapType(ebpf.RingBuf)
	if errors.Is(err, ebpf.ErrNotSupported) {
		t.Skipf("ring buffer maps need Linux 5.8: %v", err)
	}
	if err != nil {
		t.Fatalf("probe ring buffer support: %v", err)
	}
}

// requireKprobes skips on kernels built without kprobes (CONFIG_KPROBES unset):
// neither the kprobe PMU nor tracefs' kprobe_events exist there.
func requireKprobes(t *testing.T) {
	t.Helper()
	for _, p := range []string{"/sys/bus/event_source/devices/kprobe/type", "/sys/kernel/tracing/kprobe_events", "/sys/kernel/debug/tracing/kprobe_events"} {
		if _, err := os.Stat(p); err == nil {
			return
		}
	}
	t.Skip("kernel has no kprobes (CONFIG_KPROBES): no kprobe PMU, no kprobe_events")
}

// loadPortable loads the CO-RE variant; closed when the test ends.
func loadPortable(t *testing.T) *loaded {
	t.Helper()
	requireRingBuf(t)
	types := kernelTypes(t)
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Fatalf("remove memlock limit: %v", err)
	}
	objs, err := loadVariant(variants["portable"], types)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			t.Fatalf("load: %+v", ve)
		}
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(objs.Close)
	return objs
}

// attached is the portable variant on the execve kprobe, with a ring-buffer reader.
func attached(t *testing.T) *ringbuf.Reader {
	t.Helper()
	objs := loadPortable(t)
	requireKprobes(t)
	kp, err := link.Kprobe("sys_execve", objs.prog, nil)
	if err != nil {
		t.Fatalf("attach kprobe sys_execve: %v", err)
	}
	t.Cleanup(func() { kp.Close() })
	rd, err := ringbuf.NewReader(objs.events)
	if err != nil {
		t.Fatalf("ring buffer reader: %v", err)
	}
	t.Cleanup(func() { rd.Close() })
	return rd
}

// execAndWait runs path and returns its execve event.
func execAndWait(t *testing.T, rd *ringbuf.Reader, path string) event {
	t.Helper()
	cmd := exec.Command(path)
	if err := cmd.Run(); err != nil {
		t.Fatalf("run %s: %v", path, err)
	}
	ev, err := awaitEvent(rd, uint32(cmd.Process.Pid), time.Now().Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestLoad(t *testing.T) {
	objs := loadPortable(t)
	info, err := objs.prog.Info()
	if err != nil {
		t.Fatalf("program info: %v", err)
	}
	t.Logf("loaded %s (%s)", info.Name, objs.prog.Type())
}

func TestAttach(t *testing.T) {
	attached(t)
}

func TestEventForTrue(t *testing.T) {
	rd := attached(t)
	ev := execAndWait(t, rd, "/bin/true")
	var r result
	if err := check(ev, "/bin/true", &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("pid %d comm %q filename %q", r.Pid, r.Comm, *r.Filename)
}

// TestCOREFieldRead checks the CO-RE read of the task state against the kernel's
// own BTF: 5.14 renamed task_struct.state to __state, and the event must say
// which one the program read.
func TestCOREFieldRead(t *testing.T) {
	rd := attached(t)
	types := kernelTypes(t)
	var task *btf.Struct
	if err := types.TypeByName("task_struct", &task); err != nil {
		t.Fatalf("task_struct in BTF: %v", err)
	}
	want := "state"
	for _, m := range task.Members {
		if m.Name == "__state" {
			want = "__state"
		}
	}
	ev := execAndWait(t, rd, "/bin/true")
	if got := stateFieldName(ev.StateField); got != want {
		t.Fatalf("the program read task_struct.%s, the kernel has %s", got, want)
	}
	// At execve the task runs: TASK_RUNNING is 0 on every kernel.
	if ev.State != 0 {
		t.Fatalf("task state %d at execve, want 0 (TASK_RUNNING)", ev.State)
	}
}

func TestRingBuffer(t *testing.T) {
	t.Run("events arrive in order", func(t *testing.T) {
		rd := attached(t)
		for i := 0; i < 3; i++ {
			if ev := execAndWait(t, rd, "/bin/true"); cString(ev.Filename[:]) != "/bin/true" {
				t.Fatalf("exec %d: filename %q", i, cString(ev.Filename[:]))
			}
		}
	})
	t.Run("a short record is refused", func(t *testing.T) {
		if _, err := decodeEvent(make([]byte, 10)); err == nil {
			t.Fatal("decodeEvent accepted a 10-byte record")
		}
	})
}
