package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// Exit codes: one per stage, so a matrix report can tell a load failure
// (BTF, CO-RE, verifier) from an attach failure or from wrong data.
const (
	exitOK           = 0
	exitUsage        = 2 // bad flag (also what the flag package uses)
	exitSetup        = 3 // memlock, ring buffer reader, starting the child
	exitLoad         = 4 // BTF missing, CO-RE relocation, verifier rejection
	exitAttach       = 5 // kprobe symbol missing, perf/kprobe permission
	exitNoEvent      = 6 // the child ran but no event for it arrived in time
	exitWrongContent = 7 // the event arrived with the wrong filename
)

// result is the one JSON line the loader prints on stdout, pass or fail.
type result struct {
	OK         bool    `json:"ok"`
	Variant    string  `json:"variant"`
	Stage      string  `json:"stage,omitempty"`
	Error      string  `json:"error,omitempty"`
	Pid        uint32  `json:"pid,omitempty"`
	Comm       string  `json:"comm,omitempty"`
	Filename   *string `json:"filename,omitempty"`
	State      *uint32 `json:"state,omitempty"`
	StateField string  `json:"stateField,omitempty"`
	Kernel     string  `json:"kernel"`
	Arch       string  `json:"arch"`
	ElapsedMs  int64   `json:"elapsedMs"`
}

// failure is an error tagged with the stage that failed and its exit code.
type failure struct {
	stage string
	code  int
	err   error
}

func (f *failure) Error() string { return f.stage + ": " + f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

func fail(stage string, code int, err error) *failure {
	return &failure{stage: stage, code: code, err: err}
}

// explain writes what a human needs to fix a failure: the full verifier log
// (cilium/ebpf prints it with %+v) and a hint for the well-known causes.
func explain(w io.Writer, err error) {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		fmt.Fprintf(w, "verifier log:\n%+v\n", ve)
	}
	switch {
	case errors.Is(err, btf.ErrNotSupported):
		fmt.Fprintln(w, "hint: this kernel has no BTF (/sys/kernel/btf/vmlinux); pass -btf <file> with external BTF")
	case errors.Is(err, ebpf.ErrNotSupported):
		fmt.Fprintln(w, "hint: the kernel lacks a feature this program needs")
	}
}

func printResult(w io.Writer, r result) {
	b, _ := json.Marshal(r)
	fmt.Fprintln(w, string(b))
}
