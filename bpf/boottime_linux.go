package bpf

import (
	"time"

	"golang.org/x/sys/unix"
)

// clockBoottime reads CLOCK_BOOTTIME, the clock of bpf_ktime_get_boot_ns and
// of task->start_boottime: it keeps counting during suspend.
func clockBoottime() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, err
	}
	return time.Duration(ts.Nano()), nil
}
