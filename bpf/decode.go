package bpf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// Every ring buffer record starts with struct vigil_header; its type selects
// the family decoder (decode_<family>.go) for the payload that follows.
//
// The raw* structs mirror the C structs of include/vigil.h. Decoders read each
// member at unsafe.Offsetof of the field here, and TestRecordsMatchBTF checks
// every offset and size against the BTF of the compiled objects, so the C
// structs and these cannot drift apart silently. The c tags name the C
// members. The C layouts have no implicit padding, so these offsets are the
// same on 32-bit hosts, where Go aligns uint64 to 4.

// rawHeader mirrors struct vigil_header.
type rawHeader struct {
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
	VPID                uint32              `c:"vpid"`
	Comm                [commLen]byte       `c:"comm"`
	CgroupName          [cgroupNameLen]byte `c:"cgroup_name"`
}

// Buffer sizes of include/vigil.h (VIGIL_*_LEN).
const (
	commLen       = 16
	cgroupNameLen = 128
	filenameLen   = 256
	argsLen       = 1024
	pathLen       = 256
	syscallStrs   = 2
)

// HeaderSize is the size of struct vigil_header, the start of every record.
const HeaderSize = int(unsafe.Sizeof(rawHeader{}))

// MaxEventSize is the size of the largest record (an exec).
const MaxEventSize = int(unsafe.Sizeof(rawExec{}))

var (
	offType        = unsafe.Offsetof(rawHeader{}.Type)
	offPID         = unsafe.Offsetof(rawHeader{}.PID)
	offTimeNs      = unsafe.Offsetof(rawHeader{}.TimeNs)
	offTID         = unsafe.Offsetof(rawHeader{}.TID)
	offPPID        = unsafe.Offsetof(rawHeader{}.PPID)
	offUID         = unsafe.Offsetof(rawHeader{}.UID)
	offGID         = unsafe.Offsetof(rawHeader{}.GID)
	offEUID        = unsafe.Offsetof(rawHeader{}.EUID)
	offPidNS       = unsafe.Offsetof(rawHeader{}.PidNS)
	offStart       = unsafe.Offsetof(rawHeader{}.StartBoottime)
	offParentStart = unsafe.Offsetof(rawHeader{}.ParentStartBoottime)
	offCgroupID    = unsafe.Offsetof(rawHeader{}.CgroupID)
	offMntNS       = unsafe.Offsetof(rawHeader{}.MntNS)
	offVPID        = unsafe.Offsetof(rawHeader{}.VPID)
	offComm        = unsafe.Offsetof(rawHeader{}.Comm)
	offCgroupName  = unsafe.Offsetof(rawHeader{}.CgroupName)
)

// ErrMalformedEvent is wrapped by every Decode error: the record was dropped,
// and the next one can still be read.
var ErrMalformedEvent = errors.New("malformed kernel event")

// ErrClosed is returned (wrapped) by Read after Close. It is os.ErrClosed.
var ErrClosed = os.ErrClosed

// Records are produced by the running kernel in its byte order; the objects
// are built for bpfel only.
var le = binary.LittleEndian

// Decode turns one ring buffer record into an Event. It decodes the header,
// then the payload of the record's family, checking the record's length for
// its type and filling only the fields the type produces; it never panics,
// whatever raw holds.
func Decode(raw []byte) (Event, error) {
	if len(raw) < HeaderSize {
		return Event{}, malformed("record is %d bytes, shorter than the %d-byte header", len(raw), HeaderSize)
	}
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
		VPID:              u32(offVPID),
	}

	// One line per family: the family's range of event types.
	var err error
	switch t := ev.Type; {
	case t >= eventProcessFirst && t <= eventProcessLast:
		err = decodeProcess(&ev, raw)
	case t >= eventSyscallFirst && t <= eventSyscallLast:
		err = decodeSyscall(&ev, raw)
	case t >= eventNetworkFirst && t <= eventNetworkLast:
		err = decodeNetwork(&ev, raw)
	default:
		err = malformed("unknown event type %d", uint32(t))
	}
	if err != nil {
		return Event{}, err
	}
	return ev, nil
}

// malformed formats a Decode error wrapping ErrMalformedEvent.
func malformed(format string, args ...any) error {
	return fmt.Errorf("decoding vigil_event: "+format+": %w", append(args, ErrMalformedEvent)...)
}

// wantSize checks the length of a fixed-size record.
func wantSize(raw []byte, t EventType, size int) error {
	if len(raw) != size {
		return malformed("%s record is %d bytes, want %d", t, len(raw), size)
	}
	return nil
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
