package bpf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// rawEvent mirrors struct vigil_event in include/vigil.h. Decode reads each
// member at unsafe.Offsetof of the field here, and TestRawEventMatchesBTF
// checks every offset and size against the BTF of the compiled object, so the
// C struct and this one cannot drift apart silently. The c tags name the C
// members. The C layout has no implicit padding, so these offsets are the
// same on 32-bit hosts, where Go aligns uint64 to 4.
type rawEvent struct {
	Type                uint32              `c:"type"`
	PID                 uint32              `c:"pid"`
	TimeNs              uint64              `c:"time_ns"`
	TID                 uint32              `c:"tid"`
	PPID                uint32              `c:"ppid"`
	UID                 uint32              `c:"uid"`
	GID                 uint32              `c:"gid"`
	EUID                uint32              `c:"euid"`
	PidNS               uint32              `c:"pidns"`
	StartBoottime       uint64              `c:"start_boottime"`
	ParentStartBoottime uint64              `c:"parent_start_boottime"`
	CgroupID            uint64              `c:"cgroup_id"`
	MntNS               uint32              `c:"mntns"`
	ArgsLen             uint32              `c:"args_len"`
	Comm                [commLen]byte       `c:"comm"`
	CgroupName          [cgroupNameLen]byte `c:"cgroup_name"`
	Filename            [filenameLen]byte   `c:"filename"`
	Args                [argsLen]byte       `c:"args"`
	ChildPID            uint32              `c:"child_pid"`
	_                   uint32              `c:"_pad0"`
	ChildStartBoottime  uint64              `c:"child_start_boottime"`
	ExitCode            uint32              `c:"exit_code"`
	ExitSignal          uint32              `c:"exit_signal"`
	ArgsTruncated       uint8               `c:"args_truncated"`
	_                   [7]byte             `c:"_pad1"`
}

// Buffer sizes of struct vigil_event (VIGIL_*_LEN in include/vigil.h).
const (
	commLen       = 16
	cgroupNameLen = 128
	filenameLen   = 256
	argsLen       = 1024
)

// EventSize is the size of one ring buffer record, struct vigil_event.
const EventSize = int(unsafe.Sizeof(rawEvent{}))

var (
	offType          = unsafe.Offsetof(rawEvent{}.Type)
	offPID           = unsafe.Offsetof(rawEvent{}.PID)
	offTimeNs        = unsafe.Offsetof(rawEvent{}.TimeNs)
	offTID           = unsafe.Offsetof(rawEvent{}.TID)
	offPPID          = unsafe.Offsetof(rawEvent{}.PPID)
	offUID           = unsafe.Offsetof(rawEvent{}.UID)
	offGID           = unsafe.Offsetof(rawEvent{}.GID)
	offEUID          = unsafe.Offsetof(rawEvent{}.EUID)
	offPidNS         = unsafe.Offsetof(rawEvent{}.PidNS)
	offStart         = unsafe.Offsetof(rawEvent{}.StartBoottime)
	offParentStart   = unsafe.Offsetof(rawEvent{}.ParentStartBoottime)
	offCgroupID      = unsafe.Offsetof(rawEvent{}.CgroupID)
	offMntNS         = unsafe.Offsetof(rawEvent{}.MntNS)
	offArgsLen       = unsafe.Offsetof(rawEvent{}.ArgsLen)
	offComm          = unsafe.Offsetof(rawEvent{}.Comm)
	offCgroupName    = unsafe.Offsetof(rawEvent{}.CgroupName)
	offFilename      = unsafe.Offsetof(rawEvent{}.Filename)
	offArgs          = unsafe.Offsetof(rawEvent{}.Args)
	offChildPID      = unsafe.Offsetof(rawEvent{}.ChildPID)
	offChildStart    = unsafe.Offsetof(rawEvent{}.ChildStartBoottime)
	offExitCode      = unsafe.Offsetof(rawEvent{}.ExitCode)
	offExitSignal    = unsafe.Offsetof(rawEvent{}.ExitSignal)
	offArgsTruncated = unsafe.Offsetof(rawEvent{}.ArgsTruncated)
)

// ErrMalformedEvent is wrapped by every Decode error: the record was dropped,
// and the next one can still be read.
var ErrMalformedEvent = errors.New("malformed kernel event")

// ErrClosed is returned (wrapped) by Read after Close. It is os.ErrClosed.
var ErrClosed = os.ErrClosed

// Decode turns one ring buffer record into an Event. It checks the record's
// length and type and fills only the fields the type produces; it never
// panics, whatever raw holds.
func Decode(raw []byte) (Event, error) {
	if len(raw) != EventSize {
		return Event{}, fmt.Errorf("decoding vigil_event: record is %d bytes, want %d: %w", len(raw), EventSize, ErrMalformedEvent)
	}

	// Records are produced by the running kernel in its byte order; the
	// object is built for bpfel only.
	le := binary.LittleEndian
	u32 := func(off uintptr) uint32 { return le.Uint32(raw[off:]) }
	u64 := func(off uintptr) uint64 { return le.Uint64(raw[off:]) }

	ev := Event{
		Type:              EventType(u32(offType)),
		TimeNs:            u64(offTimeNs),
		PID:               u32(offPID),
		TID:               u32(offTID),
		PPID:              u32(offPPID),
		UID:               u32(offUID),
		GID:               u32(offGID),
		EUID:              u32(offEUID),
		StartTimeNs:       u64(offStart),
		ParentStartTimeNs: u64(offParentStart),
		Comm:              cString(raw[offComm : offComm+commLen]),
		CgroupID:          u64(offCgroupID),
		CgroupName:        cString(raw[offCgroupName : offCgroupName+cgroupNameLen]),
		PidNS:             u32(offPidNS),
		MntNS:             u32(offMntNS),
	}

	switch ev.Type {
	case EventExec:
		n := u32(offArgsLen)
		if n > argsLen {
			return Event{}, fmt.Errorf("decoding vigil_event: exec args length %d exceeds the %d-byte buffer: %w", n, argsLen, ErrMalformedEvent)
		}
		ev.Filename = cString(raw[offFilename : offFilename+filenameLen])
		ev.Args = splitArgs(raw[offArgs : offArgs+uintptr(n)])
		ev.ArgsTruncated = raw[offArgsTruncated] != 0
	case EventFork:
		ev.ChildPID = u32(offChildPID)
		ev.ChildStartTimeNs = u64(offChildStart)
	case EventExit:
		// The kernel masks both to WEXITSTATUS/WTERMSIG ranges; mask again
		// so a corrupt record cannot produce impossible values.
		ev.ExitCode = int32(u32(offExitCode) & 0xff)
		ev.ExitSignal = u32(offExitSignal) & 0x7f
	default:
		return Event{}, fmt.Errorf("decoding vigil_event: unknown event type %d: %w", uint32(ev.Type), ErrMalformedEvent)
	}
	return ev, nil
}

// cString returns b up to its first NUL, or all of b when it has none.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// splitArgs splits the kernel's copy of argv, NUL-separated strings, dropping
// the empty element after the final NUL. Empty arguments in the middle stay.
// A truncated argv has no final NUL, so its last, partial argument is kept.
func splitArgs(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	parts := bytes.Split(b, []byte{0})
	if len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	args := make([]string, len(parts))
	for i, p := range parts {
		args[i] = string(p)
	}
	return args
}
