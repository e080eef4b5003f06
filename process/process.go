package process

import "time"

// nsPerTick converts kernel nanoseconds to /proc clock ticks. /proc reports
// start times in USER_HZ ticks, which is 100 on every Linux ABI, and the
// kernel computes them by truncating division of the same start_boottime the
// BPF programs read, so StartTimeNs/nsPerTick equals /proc's field 22.
const nsPerTick = 10_000_000

// Ticks converts a CLOCK_BOOTTIME nanosecond value to /proc clock ticks.
func Ticks(ns uint64) uint64 { return ns / nsPerTick }

// Key identifies one process over time: pids are reused, (pid, start) is not.
type Key struct {
	PID        uint32
	StartTicks uint64
}

// Process is what the table knows about one process and its current span.
type Process struct {
	PID        uint32
	PPID       uint32
	StartTicks uint64    // start in clock ticks since boot: the identity
	StartTime  time.Time // wall clock of the start (BootTime + start ns)
	Parent     Key       // the parent's identity (zero StartTicks: unknown)

	Exe           string   // executable path of the current image ("" if never seen)
	Args          []string // argv of the current image; shared, never modify
	ArgsTruncated bool
	Comm          string
	UID, GID      uint32
	EUID          uint32
	CgroupID      uint64
	ContainerID   string // "" for host processes

	// Span identity of the current image.
	ExecSeq      uint32   // 0 for the image the process started with (or was first seen with)
	SpanID       [8]byte  // see SpanID
	ParentSpanID [8]byte  // zero for the root of a trace
	TraceID      [16]byte // see ContainerTraceID / HostTraceID
	SpanStart    time.Time

	// Execd says the process has exec'd since fork, so its next exec starts a
	// new span instead of naming the current one.
	Execd bool
	// Seeded says the entry came from /proc rather than from kernel events.
	Seeded bool
	// Placeholder says the entry was made up from a child's fork event because
	// the process itself was never seen: it has no executable yet.
	Placeholder bool

	// Set only on processes handed back as ended (Exit, re-exec, eviction).
	EndTime    time.Time
	ExitCode   int32
	ExitSignal uint32
}

// Key returns the process's identity.
func (p *Process) Key() Key { return Key{PID: p.PID, StartTicks: p.StartTicks} }

// IsRoot says the process's span starts a trace.
func (p *Process) IsRoot() bool { return p.ParentSpanID == [8]byte{} }
