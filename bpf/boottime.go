package bpf

import (
	"fmt"
	"sync"
	"time"
)

// Kernel events carry CLOCK_BOOTTIME nanoseconds. The offset to wall time is
// taken once: re-reading it per event would make timestamps of one process
// jump when NTP steps the wall clock, and later events would no longer sort
// with earlier ones.
var bootTime = sync.OnceValues(func() (time.Time, error) {
	now := time.Now()
	sinceBoot, err := clockBoottime()
	if err != nil {
		return time.Time{}, fmt.Errorf("reading CLOCK_BOOTTIME: %w", err)
	}
	return now.Add(-sinceBoot), nil
})

// BootTime returns the wall-clock time of boot as seen through
// CLOCK_BOOTTIME, computed on first use.
func BootTime() (time.Time, error) {
	return bootTime()
}

// WallTime converts nanoseconds since boot (Event.TimeNs, StartTimeNs, ...)
// to wall-clock time.
func WallTime(bootNs uint64) (time.Time, error) {
	boot, err := BootTime()
	if err != nil {
		return time.Time{}, err
	}
	return boot.Add(time.Duration(bootNs)), nil
}
