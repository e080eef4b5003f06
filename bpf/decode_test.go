package bpf

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// encodeRaw lays out a raw* record as the kernel would write it.
func encodeRaw(t testing.TB, r any) []byte {
	t.Helper()
	buf := make([]byte, binary.Size(r))
	if _, err := binary.Encode(buf, binary.LittleEndian, r); err != nil {
		t.Fatalf("encoding %T: %v", r, err)
	}
	return buf
}

func header(typ EventType) rawHeader {
	r := rawHeader{
		Type: uint32(typ), PID: 10, TimeNs: 123, TID: 11, PPID: 1,
		UID: 1000, GID: 1001, EUID: 0, PidNS: 4026531836, MntNS: 4026531841,
		StartBoottime: 5_000_000, ParentStartBoottime: 1_000, CgroupID: 4242, VPID: 7,
	}
	copy(r.Comm[:], "sh")
	copy(r.CgroupName[:], strings.Repeat("ab", 32))
	return r
}

var wantHeader = Event{
	TimeNs: 123, PID: 10, TID: 11, PPID: 1, UID: 1000, GID: 1001,
	StartTimeNs: 5_000_000, ParentStartTimeNs: 1_000, Comm: "sh",
	CgroupID: 4242, CgroupName: strings.Repeat("ab", 32),
	PidNS: 4026531836, MntNS: 4026531841, VPID: 7,
}

func withHeader(typ EventType, f func(*Event)) Event {
	e := wantHeader
	e.Type = typ
	f(&e)
	return e
}

func TestDecode(t *testing.T) {
	exec := rawExec{H: header(EventExec)}
	copy(exec.Filename[:], "/bin/true")
	args := "/bin/true\x00arg1\x00\x00arg two\x00"
	copy(exec.Args[:], args)
	exec.ArgsLen = uint32(len(args))

	truncated := rawExec{H: header(EventExec)}
	copy(truncated.Args[:], "/bin/echo\x00partial")
	truncated.ArgsLen = uint32(len("/bin/echo\x00partial"))
	truncated.ArgsTruncated = 1

	memfd := rawExec{H: header(EventExec), ExeFlags: exeMemfd}
	copy(memfd.Filename[:], "/dev/fd/3")
	deleted := rawExec{H: header(EventExec), ExeFlags: exeDeleted}
	tty := rawExec{H: header(EventExec), ExeFlags: exeTTY | exeStdinSocket}

	fork := rawFork{H: header(EventFork), ChildPID: 77, ChildStartBoottime: 6_000_000}
	exit := rawExit{H: header(EventExit), ExitCode: 3, ExitSignal: 9}

	for _, tc := range []struct {
		name string
		raw  any
		want Event
	}{
		{"exec", &exec, withHeader(EventExec, func(e *Event) {
			e.Filename = "/bin/true"
			e.Args = []string{"/bin/true", "arg1", "", "arg two"}
		})},
		{"exec truncated", &truncated, withHeader(EventExec, func(e *Event) {
			e.Args = []string{"/bin/echo", "partial"}
			e.ArgsTruncated = true
		})},
		{"exec memfd", &memfd, withHeader(EventExec, func(e *Event) {
			e.Filename, e.ExeMemfd = "/dev/fd/3", true
		})},
		{"exec deleted", &deleted, withHeader(EventExec, func(e *Event) { e.ExeDeleted = true })},
		{"exec tty", &tty, withHeader(EventExec, func(e *Event) { e.Interactive, e.StdinSocket = true, true })},
		{"fork", &fork, withHeader(EventFork, func(e *Event) {
			e.ChildPID, e.ChildStartTimeNs = 77, 6_000_000
		})},
		{"exit", &exit, withHeader(EventExit, func(e *Event) {
			e.ExitCode, e.ExitSignal = 3, 9
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(encodeRaw(t, tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// syscallRecord encodes a syscall record with nstr strings.
func syscallRecord(t testing.TB, r *rawSyscall) []byte {
	t.Helper()
	b := encodeRaw(t, r)
	return b[:syscallBaseSize+int(r.NStr)*pathLen]
}

func TestDecodeSyscall(t *testing.T) {
	open := rawSyscall{H: header(EventFileOpen), Ret: -13, Nr: 257, NStr: 1,
		Args: [6]uint64{uint64(0xffffffffffffff9c), 0o1101, 0o644}}
	copy(open.Str[0][:], "/etc/shadow")
	rename := rawSyscall{H: header(EventFileRename), Ret: 0, Nr: 316, NStr: 2, Flags: sysStr1Truncated,
		Args: [6]uint64{uint64(0xffffffffffffff9c), 5, 1}}
	copy(rename.Str[0][:], "a")
	copy(rename.Str[1][:], "b")
	setuid := rawSyscall{H: header(EventSetuid), Nr: 117,
		Args: [6]uint64{0, 0, 0xffffffff, 0xffffffff, 0}}
	mount := rawSyscall{H: header(EventMount), Ret: -1, Nr: 165, NStr: 2, Args: [6]uint64{0, 0x1000}}
	copy(mount.Str[0][:], "none")
	copy(mount.Str[1][:], "/mnt")
	fs := []byte("overlay\x00")
	mount.Args[2] = binary.LittleEndian.Uint64(fs)
	bpfLoad := rawSyscall{H: header(EventBPF), Nr: 321, Ret: 7, Args: [6]uint64{5, 1, 2, 0, binary.LittleEndian.Uint64([]byte("vigil_pr")), binary.LittleEndian.Uint64([]byte("og\x00\x00\x00\x00\x00\x00"))}}

	for _, tc := range []struct {
		name string
		raw  []byte
		want Event
	}{
		{"open", syscallRecord(t, &open), withHeader(EventFileOpen, func(e *Event) {
			e.Syscall = &SyscallEvent{Nr: 257, Name: "openat", Ret: -13, Path: "/etc/shadow",
				DirFD: AtFDCWD, Flags: 0o1101, Mode: 0o644}
		})},
		{"rename", syscallRecord(t, &rename), withHeader(EventFileRename, func(e *Event) {
			e.Syscall = &SyscallEvent{Nr: 316, Name: "renameat2", Path: "a", Path2: "b", Path2Truncated: true,
				DirFD: AtFDCWD, DirFD2: 5, Flags: 1}
		})},
		{"setresuid", syscallRecord(t, &setuid), withHeader(EventSetuid, func(e *Event) {
			e.Syscall = &SyscallEvent{Nr: 117, Name: "setresuid", IDKind: "uid",
				RealID: 0, EffectiveID: 0, SavedID: -1, FilesystemID: -1}
		})},
		{"mount", syscallRecord(t, &mount), withHeader(EventMount, func(e *Event) {
			e.Syscall = &SyscallEvent{Nr: 165, Name: "mount", Ret: -1, Path: "none", Path2: "/mnt",
				Flags: 0x1000, FSType: "overlay"}
		})},
		{"bpf", syscallRecord(t, &bpfLoad), withHeader(EventBPF, func(e *Event) {
			e.Syscall = &SyscallEvent{Nr: 321, Name: "bpf", Ret: 7, Request: 5, BPFProgType: 1, BPFInsnCount: 2,
				Path: "vigil_prog"}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode:\n got %+v %+v\nwant %+v %+v", got, got.Syscall, tc.want, tc.want.Syscall)
			}
		})
	}
	if e := (&SyscallEvent{Ret: -13}); e.Errno() != 13 {
		t.Errorf("Errno() = %d", e.Errno())
	}
}

func TestDecodeErrors(t *testing.T) {
	unknown := rawExec{H: header(EventExec)}
	unknown.H.Type = 63 // reserved range
	badLen := rawExec{H: header(EventExec), ArgsLen: argsLen + 1}
	fork := rawFork{H: header(EventFork)}
	sys := rawSyscall{H: header(EventFileOpen), NStr: 1}
	tooMany := rawSyscall{H: header(EventFileOpen), NStr: 3}

	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "record is 0 bytes, shorter than the 216-byte header"},
		{"short", make([]byte, 40), "record is 40 bytes, shorter than the 216-byte header"},
		{"exec long", append(encodeRaw(t, &badLen), make([]byte, 8)...), "exec record is 1512 bytes, want 1504"},
		{"fork as exec", encodeRaw(t, &fork)[:HeaderSize+8], "fork record is 224 bytes, want 232"},
		{"zero type", make([]byte, MaxEventSize), "unknown event type 0"},
		{"unknown type", encodeRaw(t, &unknown), "unknown event type 63"},
		{"args length", encodeRaw(t, &badLen), "exec args length 1025 exceeds the 1024-byte buffer"},
		{"syscall short", encodeRaw(t, &sys)[:syscallBaseSize], "file_open record is 280 bytes, want 536"},
		{"syscall nstr", encodeRaw(t, &tooMany), "file_open record has 3 strings, at most 2 fit"},
		{"syscall no base", encodeRaw(t, &sys)[:HeaderSize+8], "file_open record is 224 bytes, shorter than 280"},
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

func TestRecordSizes(t *testing.T) {
	// The C structs' sizes; TestRecordsMatchBTF checks them against BTF.
	for name, got := range map[string]int{
		"header": HeaderSize, "exec": execSize, "fork": forkSize, "exit": exitSize,
		"syscall base": syscallBaseSize, "max": MaxEventSize,
	} {
		want := map[string]int{"header": 216, "exec": 1504, "fork": 232, "exit": 224,
			"syscall base": 280, "max": 1504}[name]
		if got != want {
			t.Errorf("%s size = %d, want %d", name, got, want)
		}
	}
}
