package process

import (
	"crypto/sha256"
	"encoding/binary"
)

// Span and trace ids are derived from a process's identity instead of being
// random, so that a collector restarted mid-life of a process (and reseeded
// from /proc) reports that process under the ids it had before. The boot id
// is part of every hash because pids and start ticks repeat across boots.

// spanDomain separates span-id hashes from any other hash over similar bytes.
const spanDomain = "vigil-span-v1\x00"

// SpanID returns the span id of image execSeq (0 for the first) of the process
// (pid, startTicks) on boot bootID:
//
//	SHA-256(spanDomain || u16be len(bootID) || bootID || u32be pid || u64be startTicks || u32be execSeq)[:8]
//
// The length prefix keeps the encoding unambiguous for any boot id. The result
// is never all-zero (OTel's invalid span id).
func SpanID(bootID string, pid uint32, startTicks uint64, execSeq uint32) [8]byte {
	var buf [128]byte // fits a 36-byte boot id without a heap allocation
	b := append(buf[:0], spanDomain...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(bootID)))
	b = append(b, bootID...)
	b = binary.BigEndian.AppendUint32(b, pid)
	b = binary.BigEndian.AppendUint64(b, startTicks)
	b = binary.BigEndian.AppendUint32(b, execSeq)
	sum := sha256.Sum256(b)
	var id [8]byte
	copy(id[:], sum[:8])
	if id == ([8]byte{}) {
		id[7] = 1
	}
	return id
}

// ContainerTraceID returns the trace of all processes of a container:
// SHA-256("container" || bootID || containerID)[:16], never all-zero.
func ContainerTraceID(bootID, containerID string) [16]byte {
	var buf [160]byte // "container" + 36-byte boot id + 64-hex container id
	b := append(buf[:0], "container"...)
	b = append(b, bootID...)
	b = append(b, containerID...)
	return traceFromSum(sha256.Sum256(b))
}

// HostTraceID returns the trace of a host process tree whose root (a child of
// init, or a process whose parent is unknown) is (rootPID, rootStartTicks):
// SHA-256("host" || bootID || u32be rootPID || u64be rootStartTicks)[:16],
// never all-zero.
func HostTraceID(bootID string, rootPID uint32, rootStartTicks uint64) [16]byte {
	var buf [128]byte
	b := append(buf[:0], "host"...)
	b = append(b, bootID...)
	b = binary.BigEndian.AppendUint32(b, rootPID)
	b = binary.BigEndian.AppendUint64(b, rootStartTicks)
	return traceFromSum(sha256.Sum256(b))
}

func traceFromSum(sum [32]byte) [16]byte {
	var id [16]byte
	copy(id[:], sum[:16])
	if id == ([16]byte{}) {
		id[15] = 1
	}
	return id
}
