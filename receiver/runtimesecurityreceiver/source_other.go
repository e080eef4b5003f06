//go:build !linux

package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"errors"
	"fmt"
	"runtime"

	"go.uber.org/zap"
)

func openEventSource(*Config, *zap.Logger) (eventSource, error) {
	return nil, fmt.Errorf("runtime_security receiver needs Linux with eBPF, not %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
