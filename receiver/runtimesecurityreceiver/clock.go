package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"time"

	"github.com/vigil-sec/vigil/bpf"
)

// bootClock turns the kernel's nanoseconds since boot into wall-clock time.
type bootClock struct{ boot time.Time }

func newBootClock() (bootClock, error) {
	boot, err := bpf.BootTime()
	return bootClock{boot: boot}, err
}

func (c bootClock) wall(ns uint64) time.Time { return c.boot.Add(time.Duration(ns)) }
