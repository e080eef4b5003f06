package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import "github.com/vigil-sec/vigil/bpf"

// eventSource is the kernel side as the receiver sees it: the loaded probes on
// Linux, an error elsewhere.
type eventSource interface {
	// Read blocks for the next event; after Close it returns an error.
	Read() (bpf.Event, error)
	// ReadCounters sums the kernel's per-CPU counters.
	ReadCounters() (bpf.Counters, error)
	Close() error
}
