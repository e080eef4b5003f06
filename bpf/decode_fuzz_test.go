package bpf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecode(f *testing.F) {
	r := rawExec{H: header(EventExec)}
	copy(r.Args[:], "/bin/sh\x00-c\x00exit 3\x00")
	r.ArgsLen = 18
	f.Add(encodeRaw(f, &r))
	full := rawExec{H: header(EventExec)}
	for i := range full.Args {
		full.Args[i] = 'x'
	}
	full.ArgsLen, full.ArgsTruncated = argsLen, 1
	f.Add(encodeRaw(f, &full))
	f.Add(encodeRaw(f, &rawFork{H: header(EventFork)}))
	f.Add(encodeRaw(f, &rawExit{H: header(EventExit)}))
	for _, typ := range []EventType{EventFileOpen, EventMount, EventBPF, EventSetuid, 0, 7, 33} {
		s := rawSyscall{H: header(typ), NStr: 2}
		copy(s.Str[0][:], "/etc/shadow")
		f.Add(syscallRecord(f, &s))
	}
	f.Add([]byte{})
	f.Add(make([]byte, 40))

	f.Fuzz(func(t *testing.T, raw []byte) {
		check(t, raw)
		// Most mutations change the length and stop at the length check;
		// also decode the bytes as records of each fixed size.
		for _, n := range []int{execSize, forkSize, exitSize, syscallBaseSize, syscallBaseSize + pathLen, syscallBaseSize + 2*pathLen} {
			rec := make([]byte, n)
			copy(rec, raw)
			check(t, rec)
		}
	})
}

func check(t *testing.T, raw []byte) {
	ev, err := Decode(raw)
	if err != nil {
		if ev.Type != 0 || ev.Args != nil || ev.Syscall != nil {
			t.Fatalf("Decode returned a non-zero Event with error %v", err)
		}
		if !strings.HasPrefix(err.Error(), "decoding vigil_event: ") {
			t.Fatalf("error %q lacks context", err)
		}
		return
	}
	if !ev.Type.Known() {
		t.Fatalf("Decode accepted type %d", ev.Type)
	}
	if len(raw) > MaxEventSize {
		t.Fatalf("Decode accepted %d bytes", len(raw))
	}
	if len(ev.Comm) >= commLen+1 || len(ev.CgroupName) > cgroupNameLen || len(ev.Filename) > filenameLen {
		t.Fatalf("string longer than its buffer: %+v", ev)
	}
	if n := len(strings.Join(ev.Args, "\x00")); n > argsLen {
		t.Fatalf("args hold %d bytes, buffer is %d", n, argsLen)
	}
	if ev.Type != EventExec && (ev.Filename != "" || ev.Args != nil || ev.ArgsTruncated || ev.ExeMemfd || ev.ExeDeleted) {
		t.Fatalf("exec fields set on %s event", ev.Type)
	}
	if ev.Type != EventFork && (ev.ChildPID != 0 || ev.ChildStartTimeNs != 0) {
		t.Fatalf("fork fields set on %s event", ev.Type)
	}
	if ev.Type != EventExit && (ev.ExitCode != 0 || ev.ExitSignal != 0) {
		t.Fatalf("exit fields set on %s event", ev.Type)
	}
	if ev.ExitCode < 0 || ev.ExitCode > 255 || ev.ExitSignal > 127 {
		t.Fatalf("exit status out of range: code %d signal %d", ev.ExitCode, ev.ExitSignal)
	}
	isSyscall := ev.Type >= eventSyscallFirst && ev.Type <= eventSyscallLast
	if isSyscall != (ev.Syscall != nil) {
		t.Fatalf("%s event: Syscall = %+v", ev.Type, ev.Syscall)
	}
	if ev.Syscall != nil && (len(ev.Syscall.Path) > pathLen || len(ev.Syscall.Path2) > pathLen) {
		t.Fatalf("syscall path longer than its buffer: %+v", ev.Syscall)
	}
	_ = utf8.ValidString(ev.Comm) // strings may be any bytes; only no panic matters
}
