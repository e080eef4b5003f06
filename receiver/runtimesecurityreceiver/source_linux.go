//go:build linux

package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/vigil-sec/vigil/bpf"
)

func openEventSource(cfg *Config, logger *zap.Logger) (eventSource, error) {
	probes, err := bpf.Load(bpf.Config{
		ContainersOnly:  cfg.ContainersOnly,
		RingBufferBytes: cfg.RingBufferSize,
		PinPath:         cfg.BPFFSDir,
		ProbeSets:       cfg.Probes,

		FilePathIgnore:   cfg.FilePathPrefixesIgnore,
		FilePathOnly:     cfg.FilePathPrefixesOnly,
		FileReadPathOnly: cfg.FileReadPathPrefixesOnly,
		SyscallHooks:     cfg.SyscallHooks,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("loading kernel probes %v: %w", cfg.Probes, err)
	}
	return probes, nil
}
