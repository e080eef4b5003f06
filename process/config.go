package process

import "time"

// DefaultMaxProcesses bounds the table when Config.MaxProcesses is zero. It is
// above the default pid_max (32768) of most hosts.
const DefaultMaxProcesses = 65536

// Config configures a Table. Container resolution is injected so that this
// package stays free of Docker and cgroup knowledge.
type Config struct {
	// MaxProcesses bounds memory: beyond it the least recently touched entry
	// is evicted. 0 means DefaultMaxProcesses.
	MaxProcesses int
	// BootID is the kernel boot id (see BootID); it is part of every id.
	BootID string
	// BootTime is the wall clock of boot on the CLOCK_BOOTTIME scale: a
	// kernel timestamp ns happened at BootTime + ns. Use bpf.BootTime() so
	// that spans and event records agree on wall times.
	BootTime time.Time
	// ContainerOf maps a kernel cgroup name (bpf.Event.CgroupName) to a
	// container id, "" for the host. nil: everything is host.
	ContainerOf func(cgroupName string) string
	// ContainerOfProcCgroup gives the container id of a running pid for
	// SeedFromProc (e.g. from /proc/<pid>/cgroup), "" for the host. nil:
	// everything is host.
	ContainerOfProcCgroup func(pid int) string
	// OnEvict, if set, receives processes the table dropped without an exit
	// event (table full, or pid reused after a missed exit), so the caller
	// can end their spans. EndTime is set when known (pid reuse: the new
	// process's start), zero otherwise. It is called after the table's lock
	// is released, on the goroutine of the call that evicted.
	OnEvict func(p *Process)
}

// Stats counts what the table did that the caller may want to export.
type Stats struct {
	Evictions     uint64 // entries dropped because the table was full
	PIDReuse      uint64 // entries replaced by a new process with the same pid
	Seeded        uint64 // entries created by SeedFromProc
	SeedVanished  uint64 // processes that exited while SeedFromProc read them
	SeedFailed    uint64 // processes SeedFromProc could not read for another reason
	UnknownParent uint64 // forks whose parent was unknown (a placeholder was made)
	UnknownExec   uint64 // execs of unknown processes (their fork was missed)
	UnknownExit   uint64 // exits of unknown processes
}
