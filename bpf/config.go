package bpf

import (
	"fmt"
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
	// ProbeSets names the program families to load. Empty means all;
	// currently only "process".
	ProbeSets []string

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
	// ProbeSetProcess is exec, fork and exit.
	ProbeSetProcess = "process"
	// DefaultWakeupBytes is about 40 records.
	DefaultWakeupBytes = 64 << 10
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
	if c.RingBufferBytes < 2*EventSize {
		// Not required by the kernel, but a buffer that holds one record
		// loses almost everything.
		return c, fmt.Errorf("ring buffer size %d: want at least %d bytes (two records)", c.RingBufferBytes, 2*EventSize)
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
		c.ProbeSets = []string{ProbeSetProcess}
	}
	for _, s := range c.ProbeSets {
		if s != ProbeSetProcess {
			return c, fmt.Errorf("probe set %q: unknown (known: %q)", s, ProbeSetProcess)
		}
	}
	return c, nil
}
