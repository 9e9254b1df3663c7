// Command execsnoop is portmatrix's example eBPF application: it attaches a
// kprobe to execve, runs a child, and checks that the event it receives says
// what the child really did. It prints one JSON line and exits 0 on success,
// or a stage-specific code (see result.go) on failure.
//
// Both variants are compiled in; -variant picks one. The build also produces
// execsnoop-naive-<goarch>, the same binary with the naive variant as default,
// so a matrix can select the variant by loader path alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// defaultVariant is set with -ldflags "-X main.defaultVariant=naive".
var defaultVariant = "portable"

type options struct {
	variant string
	exec    string
	timeout time.Duration
	btfPath string
}

func main() {
	var o options
	flag.StringVar(&o.variant, "variant", defaultVariant, "BPF program to load: portable or naive")
	flag.StringVar(&o.exec, "exec", "/bin/true", "absolute path of the child to exec and watch for")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for the child's event")
	flag.StringVar(&o.btfPath, "btf", "", "kernel BTF file to use instead of /sys/kernel/btf/vmlinux")
	flag.Parse()

	start := time.Now()
	r := result{Variant: o.variant, Kernel: kernelRelease(), Arch: runtime.GOARCH}
	err := run(o, &r)
	r.ElapsedMs = time.Since(start).Milliseconds()
	if err == nil {
		r.OK = true
		printResult(os.Stdout, r)
		os.Exit(exitOK)
	}
	f := fail("internal", 1, err)
	errors.As(err, &f)
	r.Stage, r.Error = f.stage, f.err.Error()
	printResult(os.Stdout, r)
	fmt.Fprintf(os.Stderr, "execsnoop: %v\n", err)
	explain(os.Stderr, err)
	os.Exit(f.code)
}

func run(o options, r *result) error {
	v, err := lookupVariant(o.variant)
	if err != nil {
		return fail("usage", exitUsage, err)
	}
	// 5.10 charges BPF maps to RLIMIT_MEMLOCK (64 KiB in a bare guest).
	if err := rlimit.RemoveMemlock(); err != nil {
		return fail("setup", exitSetup, fmt.Errorf("remove memlock limit: %w", err))
	}
	var kernelTypes *btf.Spec
	if o.btfPath != "" {
		if kernelTypes, err = btf.LoadSpec(o.btfPath); err != nil {
			return fail("setup", exitSetup, fmt.Errorf("read BTF %s: %w", o.btfPath, err))
		}
	}

	objs, err := loadVariant(v, kernelTypes)
	if err != nil {
		return fail("load", exitLoad, err)
	}
	defer objs.Close()

	// "sys_execve": cilium/ebpf retries with __x64_/__arm64_/__s390x_ itself.
	kp, err := link.Kprobe("sys_execve", objs.prog, nil)
	if err != nil {
		return fail("attach", exitAttach, err)
	}
	defer kp.Close()

	rd, err := ringbuf.NewReader(objs.events)
	if err != nil {
		return fail("setup", exitSetup, fmt.Errorf("ring buffer reader: %w", err))
	}
	defer rd.Close()

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.exec)
	if err := cmd.Run(); err != nil {
		return fail("setup", exitSetup, fmt.Errorf("run %s: %w", o.exec, err))
	}
	ev, err := awaitEvent(rd, uint32(cmd.Process.Pid), time.Now().Add(o.timeout))
	if err != nil {
		return err
	}
	return check(ev, o.exec, r)
}

// awaitEvent reads records until one comes from pid. Other processes' execs
// (the guest's init, say) are skipped.
func awaitEvent(rd *ringbuf.Reader, pid uint32, deadline time.Time) (event, error) {
	rd.SetDeadline(deadline)
	seen := 0
	for {
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return event{}, fail("event", exitNoEvent, fmt.Errorf("no execve event for pid %d before the deadline (%d events from other processes)", pid, seen))
		}
		if err != nil {
			return event{}, fail("event", exitSetup, fmt.Errorf("read ring buffer: %w", err))
		}
		ev, err := decodeEvent(rec.RawSample)
		if err != nil {
			return event{}, fail("event", exitWrongContent, err)
		}
		if ev.Pid == pid {
			return ev, nil
		}
		seen++
	}
}

// check compares the event with what the child really did: a pt_regs read
// from the wrong layout loads and fires fine but yields garbage here.
func check(ev event, want string, r *result) error {
	name := cString(ev.Filename[:])
	r.Pid, r.Comm, r.Filename = ev.Pid, cString(ev.Comm[:]), &name
	state := ev.State
	r.State, r.StateField = &state, stateFieldName(ev.StateField)
	if ev.FilenameLen < 0 {
		return fail("content", exitWrongContent, fmt.Errorf("reading the filename failed in BPF (errno %d): the syscall argument was read from the wrong place", -ev.FilenameLen))
	}
	if name != want {
		return fail("content", exitWrongContent, fmt.Errorf("event filename %q, want %q", name, want))
	}
	return nil
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}
