package bpf

import (
	"fmt"
	"slices"
	"time"
)

// Config selects what Load attaches and how the kernel side filters.
type Config struct {
	// ContainersOnly drops, in the kernel, events of tasks that share both
	// the pid and the mount namespace of the host's init (pid 1).
	ContainersOnly bool
	// RingBufferBytes sizes the event ring buffer: a power-of-two multiple
	// of the page size. Zero means DefaultRingBufferBytes.
	RingBufferBytes int
	// PinPath is the bpffs directory the counter maps are pinned in, so
	// bpftool or another process can read them. Empty means DefaultPinPath.
	PinPath string
	// ProbeSets names the probe sets to load (KnownProbeSets). Empty means
	// all. A program family is loaded when one of its sets is selected.
	ProbeSets []string

	// File path filters of the file probe set (FileOpen, FileDelete,
	// FileRename, FileLink, FileChmod), applied in the kernel to absolute
	// paths by longest-prefix match (an LPM trie of at most
	// MaxPathPrefixes entries, each at most MaxPathPrefixLen bytes).
	// Relative paths are never filtered by prefix. A record with two paths
	// (rename, link) is dropped only when both are. Dropped records are
	// counted in Counters.Filtered. Paths in AlwaysReportedPaths (escape
	// targets such as core_pattern) and paths ending in /release_agent are
	// reported whatever these say.
	//
	// FilePathIgnore drops events on paths below any of these prefixes.
	FilePathIgnore []string
	// FilePathOnly, when not empty, drops events on absolute paths below
	// none of these prefixes.
	FilePathOnly []string
	// SyscallHooks chooses how the syscall family attaches:
	// SyscallHooksAuto (default), SyscallHooksTracepoint or SyscallHooksRaw.
	SyscallHooks string

	// FileReadPathOnly, when not empty, drops read-only opens (O_RDONLY
	// without O_CREAT/O_TRUNC) of absolute paths below none of these
	// prefixes: reads are the bulk of opens, writes stay visible.
	FileReadPathOnly []string

	// Network volume controls (probe sets network, dns, http), applied in
	// the kernel and counted in Counters.Filtered. NetRateLimit is the
	// records per second each container (cgroup) may produce, with bursts
	// of NetRateBurst. NetFlowBurst connects per second to one destination
	// (container, address, port) are reported, then one in
	// NetFlowSampleEvery. Zero means the default; negative disables.
	NetRateLimit       int
	NetRateBurst       int
	NetFlowBurst       int
	NetFlowSampleEvery int
	// UDPFlowInterval is how often the kernel's UDP destination aggregates
	// are read (and reset) into EventNetUDPFlow events. Zero means
	// DefaultUDPFlowInterval.
	UDPFlowInterval time.Duration

	// WakeupBytes is how much pending data makes the kernel wake the
	// reader. Waking costs ~14 µs per wakeup on a VM, so records are
	// batched; a value up to EventSize wakes for (nearly) every record.
	// Zero means DefaultWakeupBytes. At most half the ring buffer.
	WakeupBytes int
	// FlushInterval bounds how long a record waits in the ring buffer
	// when less than WakeupBytes is pending: Read polls at this interval.
	// Zero means DefaultFlushInterval.
	FlushInterval time.Duration
}

const (
	// DefaultRingBufferBytes holds about 5,000 records of EventSize bytes.
	DefaultRingBufferBytes = 8 << 20
	// DefaultPinPath is where Vigil pins its maps on bpffs.
	DefaultPinPath = "/sys/fs/bpf/vigil"
	// SyscallHooksAuto attaches the syscall family like
	// SyscallHooksTracepoint, and the monitored syscalls that have no trace
	// event on this kernel (init_module, finit_module and delete_module
	// without CONFIG_MODULES) from one sys_exit BTF tracepoint whose
	// program returns at once for every other syscall. When every monitored
	// syscall has a trace event it is SyscallHooksTracepoint.
	SyscallHooksAuto = "auto"
	// SyscallHooksTracepoint attaches the syscall family to
	// syscalls:sys_enter_X/sys_exit_X of each monitored syscall X: other
	// syscalls run no BPF at all, and syscalls without a trace event are
	// not seen.
	SyscallHooksTracepoint = "tracepoint"
	// SyscallHooksRaw attaches it to the sys_enter/sys_exit BTF
	// tracepoints, which run for every syscall; an in-kernel syscall set
	// selects the monitored ones.
	SyscallHooksRaw = "raw"
	// MaxPathPrefixes bounds the entries of the path-prefix filter.
	MaxPathPrefixes = 64
	// MaxPathPrefixLen bounds one path prefix, in bytes.
	MaxPathPrefixLen = 64
	// DefaultWakeupBytes is about 40 records.
	DefaultWakeupBytes = 64 << 10
	// Network volume control defaults (Config.NetRateLimit, ...).
	DefaultNetRateLimit       = 1000
	DefaultNetRateBurst       = 5000
	DefaultNetFlowBurst       = 20
	DefaultNetFlowSampleEvery = 100
	// DefaultUDPFlowInterval is how often UDP destinations are reported.
	DefaultUDPFlowInterval = 5 * time.Second
	// DefaultFlushInterval is the worst-case delivery delay at low rates.
	DefaultFlushInterval = 50 * time.Millisecond
)

// Counters are the kernel's per-event-type counts since Load, summed over
// CPUs.
type Counters struct {
	Sent     map[EventType]uint64 // records committed to the ring buffer
	Filtered map[EventType]uint64 // dropped by an in-kernel filter
	Lost     map[EventType]uint64 // dropped because the ring buffer was full
}

// withDefaults fills unset fields and rejects values the kernel would refuse,
// so a bad setting fails with a clear message before anything is loaded.
func (c Config) withDefaults(pageSize int) (Config, error) {
	if c.RingBufferBytes == 0 {
		c.RingBufferBytes = DefaultRingBufferBytes
	}
	if n := c.RingBufferBytes; n < pageSize || n%pageSize != 0 || n&(n-1) != 0 {
		return c, fmt.Errorf("ring buffer size %d: want a power-of-two multiple of the %d-byte page size", n, pageSize)
	}
	if c.RingBufferBytes < 2*MaxEventSize {
		// Not required by the kernel, but a buffer that holds one record
		// loses almost everything.
		return c, fmt.Errorf("ring buffer size %d: want at least %d bytes (two records)", c.RingBufferBytes, 2*MaxEventSize)
	}
	if c.WakeupBytes == 0 {
		c.WakeupBytes = min(DefaultWakeupBytes, c.RingBufferBytes/4)
	}
	if c.WakeupBytes < 0 || c.WakeupBytes > c.RingBufferBytes/2 {
		return c, fmt.Errorf("wakeup size %d: want 1 to half the ring buffer (%d)", c.WakeupBytes, c.RingBufferBytes/2)
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.FlushInterval < 0 {
		return c, fmt.Errorf("flush interval %v: want a positive duration", c.FlushInterval)
	}
	if c.PinPath == "" {
		c.PinPath = DefaultPinPath
	}
	if len(c.ProbeSets) == 0 {
		c.ProbeSets = slices.Clone(KnownProbeSets)
	}
	for _, s := range c.ProbeSets {
		if !slices.Contains(KnownProbeSets, s) {
			return c, fmt.Errorf("probe set %q: unknown (known: %q)", s, KnownProbeSets)
		}
	}
	switch c.SyscallHooks {
	case "":
		c.SyscallHooks = SyscallHooksAuto
	case SyscallHooksAuto, SyscallHooksTracepoint, SyscallHooksRaw:
	default:
		return c, fmt.Errorf("syscall hooks %q: want %q, %q or %q", c.SyscallHooks, SyscallHooksAuto, SyscallHooksTracepoint, SyscallHooksRaw)
	}
	if _, err := pathPrefixEntries(c); err != nil {
		return c, err
	}
	return c, nil
}
