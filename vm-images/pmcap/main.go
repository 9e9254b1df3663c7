// Command pmcap runs a program as a given uid/gid with exactly the given
// capabilities, inside a portmatrix guest. Busybox cannot do this (its su and
// setpriv drop every capability), and a loader that should work as a non-root
// user with CAP_BPF + CAP_PERFMON is one of the portability cells users ask for.
//
//	pmcap [-uid N] [-gid N] -caps 38,39 -- /bin/sh -c '...' args...
//
// Capabilities are numbers (include/uapi/linux/capability.h): the host turns
// names into numbers, so this helper carries no table that could drift.
//
// How (capabilities(7)): with PR_SET_KEEPCAPS the permitted set survives
// setresuid away from root; capset then narrows permitted, effective and
// inheritable to the wanted set, and each capability is raised in the ambient
// set, which is what survives execve of an ordinary (no file caps) binary.
// For uid 0 the securebits NOROOT and NO_SETUID_FIXUP stop execve from
// handing root every capability again, so root gets exactly the list too.
//
// Exit codes: 125 for pmcap's own errors (bad usage, a syscall failed); else
// the program's, since pmcap execs it in place.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// securebits(7); x/sys/unix does not export them.
const (
	secbitNoroot              = 1 << 0
	secbitNorootLocked        = 1 << 1
	secbitNoSetuidFixup       = 1 << 2
	secbitNoSetuidFixupLocked = 1 << 3
)

const exitPmcap = 125

func init() {
	// KEEPCAPS, capset and the ambient set are per thread: everything from here
	// to execve must happen on one OS thread.
	runtime.LockOSThread()
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pmcap: "+format+"\n", args...)
	os.Exit(exitPmcap)
}

func main() {
	uid := flag.Int("uid", 0, "uid (real, effective, saved) to run as")
	gid := flag.Int("gid", -1, "gid to run as; default: the uid")
	capList := flag.String("caps", "", "comma-separated capability numbers to keep, e.g. 38,39; empty keeps none")
	flag.Parse()
	argv := flag.Args()
	if len(argv) == 0 {
		die("usage: pmcap [-uid N] [-gid N] -caps N,N -- program args...")
	}
	if *gid < 0 {
		*gid = *uid
	}
	caps, err := parseCaps(*capList)
	if err != nil {
		die("%v", err)
	}
	caps = knownCaps(caps)
	if err := dropTo(*uid, *gid, caps); err != nil {
		die("%v", err)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		die("%v", err)
	}
	if err := unix.Exec(path, argv, os.Environ()); err != nil {
		die("exec %s: %v", path, err)
	}
}

func parseCaps(s string) ([]int, error) {
	var caps []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 63 {
			return nil, fmt.Errorf("capability %q is not a number from 0 to 63", f)
		}
		caps = append(caps, n)
	}
	return caps, nil
}

// knownCaps drops capabilities this kernel does not have (CAP_BPF and
// CAP_PERFMON are 5.8+), saying so: the loader then runs without them and its
// own error tells what it missed, as on a real host of that kernel.
func knownCaps(caps []int) []int {
	raw, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return caps
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return caps
	}
	var out []int
	for _, c := range caps {
		if c > last {
			fmt.Fprintf(os.Stderr, "pmcap: capability %d is unknown to this kernel (cap_last_cap %d): not granted\n", c, last)
			continue
		}
		out = append(out, c)
	}
	return out
}

func dropTo(uid, gid int, caps []int) error {
	if uid == 0 {
		// Root keeps uid 0 but must not regain every capability at execve.
		bits := secbitNoroot | secbitNorootLocked | secbitNoSetuidFixup | secbitNoSetuidFixupLocked
		if err := unix.Prctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0); err != nil {
			return fmt.Errorf("prctl(PR_SET_SECUREBITS): %w", err)
		}
	} else {
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("prctl(PR_SET_KEEPCAPS): %w", err)
		}
		if err := unix.Setgroups([]int{gid}); err != nil {
			return fmt.Errorf("setgroups(%d): %w", gid, err)
		}
		if err := unix.Setresgid(gid, gid, gid); err != nil {
			return fmt.Errorf("setresgid(%d): %w", gid, err)
		}
		if err := unix.Setresuid(uid, uid, uid); err != nil {
			return fmt.Errorf("setresuid(%d): %w", uid, err)
		}
	}
	var set [2]uint32
	for _, c := range caps {
		set[c/32] |= 1 << (c % 32)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: set[0], Permitted: set[0], Inheritable: set[0]},
		{Effective: set[1], Permitted: set[1], Inheritable: set[1]},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset(%v): %w", caps, err)
	}
	for _, c := range caps {
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
			return fmt.Errorf("prctl(PR_CAP_AMBIENT_RAISE, %d): %w", c, err)
		}
	}
	return nil
}
