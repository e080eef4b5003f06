//go:build !linux

package bpf

import (
	"errors"
	"time"
)

// clockBoottime has no equivalent outside Linux, where no events exist.
func clockBoottime() (time.Duration, error) {
	return 0, errors.New("CLOCK_BOOTTIME is Linux-only")
}
