package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// event mirrors struct event in bpf/event.h. Fields are fixed-size and
// naturally aligned, so encoding/binary reads it without padding surprises.
type event struct {
	Pid         uint32
	State       uint32
	StateField  uint32
	FilenameLen int32
	Comm        [16]byte
	Filename    [256]byte
}

// eventSize is sizeof(struct event); a record of any other size means the C
// and Go definitions drifted apart.
const eventSize = 4*4 + 16 + 256

// stateFieldName names the task_struct field the state was read from.
func stateFieldName(v uint32) string {
	switch v {
	case 1:
		return "__state"
	case 2:
		return "state"
	}
	return fmt.Sprintf("unknown(%d)", v)
}

// decodeEvent parses one ring-buffer record. The BPF program wrote it in the
// kernel's byte order, which is the loader's own: both run on the same CPU.
func decodeEvent(raw []byte) (event, error) {
	var ev event
	if len(raw) != eventSize {
		return ev, fmt.Errorf("ring buffer record is %d bytes, want %d (bpf/event.h and event.go disagree)", len(raw), eventSize)
	}
	if err := binary.Read(bytes.NewReader(raw), binary.NativeEndian, &ev); err != nil {
		return ev, fmt.Errorf("decode ring buffer record: %w", err)
	}
	return ev, nil
}

// cString returns the bytes up to the first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
