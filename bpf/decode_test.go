package bpf

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// encodeRaw lays out r as the kernel would write it.
func encodeRaw(t testing.TB, r *rawEvent) []byte {
	t.Helper()
	buf := make([]byte, EventSize)
	if _, err := binary.Encode(buf, binary.LittleEndian, r); err != nil {
		t.Fatalf("encoding rawEvent: %v", err)
	}
	return buf
}

func header(typ EventType) rawEvent {
	r := rawEvent{
		Type: uint32(typ), PID: 10, TimeNs: 123, TID: 11, PPID: 1,
		UID: 1000, GID: 1001, EUID: 0, PidNS: 4026531836, MntNS: 4026531841,
		StartBoottime: 5_000_000, ParentStartBoottime: 1_000, CgroupID: 4242,
	}
	copy(r.Comm[:], "sh")
	copy(r.CgroupName[:], strings.Repeat("ab", 32))
	return r
}

func TestDecode(t *testing.T) {
	wantHeader := Event{
		TimeNs: 123, PID: 10, TID: 11, PPID: 1, UID: 1000, GID: 1001,
		StartTimeNs: 5_000_000, ParentStartTimeNs: 1_000, Comm: "sh",
		CgroupID: 4242, CgroupName: strings.Repeat("ab", 32),
		PidNS: 4026531836, MntNS: 4026531841,
	}
	withHeader := func(typ EventType, f func(*Event)) Event {
		e := wantHeader
		e.Type = typ
		f(&e)
		return e
	}

	exec := header(EventExec)
	copy(exec.Filename[:], "/bin/true")
	args := "/bin/true\x00arg1\x00\x00arg two\x00"
	copy(exec.Args[:], args)
	exec.ArgsLen = uint32(len(args))
	// Fields of other types must not leak into an exec event.
	exec.ChildPID, exec.ExitCode = 99, 3

	truncated := header(EventExec)
	copy(truncated.Args[:], "/bin/echo\x00partial")
	truncated.ArgsLen = uint32(len("/bin/echo\x00partial"))
	truncated.ArgsTruncated = 1

	fork := header(EventFork)
	fork.ChildPID, fork.ChildStartBoottime = 77, 6_000_000
	copy(fork.Filename[:], "stale")

	exit := header(EventExit)
	exit.ExitCode, exit.ExitSignal = 3, 9

	for _, tc := range []struct {
		name string
		raw  rawEvent
		want Event
	}{
		{"exec", exec, withHeader(EventExec, func(e *Event) {
			e.Filename = "/bin/true"
			e.Args = []string{"/bin/true", "arg1", "", "arg two"}
		})},
		{"exec truncated", truncated, withHeader(EventExec, func(e *Event) {
			e.Args = []string{"/bin/echo", "partial"}
			e.ArgsTruncated = true
		})},
		{"fork", fork, withHeader(EventFork, func(e *Event) {
			e.ChildPID, e.ChildStartTimeNs = 77, 6_000_000
		})},
		{"exit", exit, withHeader(EventExit, func(e *Event) {
			e.ExitCode, e.ExitSignal = 3, 9
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(encodeRaw(t, &tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	unknown := header(EventExec)
	unknown.Type = 42
	badLen := header(EventExec)
	badLen.ArgsLen = argsLen + 1

	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "record is 0 bytes, want 1528"},
		{"short", make([]byte, 40), "record is 40 bytes, want 1528"},
		{"long", make([]byte, EventSize+8), "record is 1536 bytes, want 1528"},
		{"zero type", make([]byte, EventSize), "unknown event type 0"},
		{"unknown type", encodeRaw(t, &unknown), "unknown event type 42"},
		{"args length", encodeRaw(t, &badLen), "exec args length 1025 exceeds the 1024-byte buffer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode error = %v, want it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "decoding vigil_event: ") {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", []string{""}},
		{"a", []string{"a"}},
		{"a\x00", []string{"a"}},
		{"a\x00\x00", []string{"a", ""}},
		{"a\x00b", []string{"a", "b"}},
	} {
		if got := splitArgs([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEventSize(t *testing.T) {
	// The C struct's size; TestRawEventMatchesBTF checks it against BTF.
	if EventSize != 1528 {
		t.Fatalf("EventSize = %d, want 1528", EventSize)
	}
}
