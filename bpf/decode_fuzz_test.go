package bpf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecode(f *testing.F) {
	for _, typ := range []EventType{EventExec, EventFork, EventExit, 0, 7} {
		r := header(typ)
		copy(r.Args[:], "/bin/sh\x00-c\x00exit 3\x00")
		r.ArgsLen = 18
		f.Add(encodeRaw(f, &r))
	}
	full := header(EventExec)
	for i := range full.Args {
		full.Args[i] = 'x'
	}
	full.ArgsLen, full.ArgsTruncated = argsLen, 1
	f.Add(encodeRaw(f, &full))
	f.Add([]byte{})
	f.Add(make([]byte, 40))

	f.Fuzz(func(t *testing.T, raw []byte) {
		check(t, raw)
		// Most mutations change the length and stop at the length check;
		// also decode the bytes as a record of the right size.
		rec := make([]byte, EventSize)
		copy(rec, raw)
		check(t, rec)
	})
}

func check(t *testing.T, raw []byte) {
	ev, err := Decode(raw)
	if err != nil {
		if ev.Type != 0 || ev.Args != nil {
			t.Fatalf("Decode returned a non-zero Event with error %v", err)
		}
		if !strings.HasPrefix(err.Error(), "decoding vigil_event: ") {
			t.Fatalf("error %q lacks context", err)
		}
		return
	}
	if len(raw) != EventSize {
		t.Fatalf("Decode accepted %d bytes", len(raw))
	}
	switch ev.Type {
	case EventExec, EventFork, EventExit:
	default:
		t.Fatalf("Decode accepted type %d", ev.Type)
	}
	if len(ev.Comm) >= commLen+1 || len(ev.CgroupName) > cgroupNameLen || len(ev.Filename) > filenameLen {
		t.Fatalf("string longer than its buffer: %+v", ev)
	}
	if n := len(strings.Join(ev.Args, "\x00")); n > argsLen {
		t.Fatalf("args hold %d bytes, buffer is %d", n, argsLen)
	}
	if ev.Type != EventExec && (ev.Filename != "" || ev.Args != nil || ev.ArgsTruncated) {
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
	_ = utf8.ValidString(ev.Comm) // strings may be any bytes; only no panic matters
}
