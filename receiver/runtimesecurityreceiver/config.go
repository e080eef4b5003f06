package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ProbeProcess is the process lifecycle probe set (exec, fork, exit).
const ProbeProcess = "process"

// knownProbeSets lists every probe set this build can load.
var knownProbeSets = []string{ProbeProcess}

// Config is the runtime_security receiver's configuration.
type Config struct {
	// DockerEndpoint is the Docker Engine API address used to enrich container
	// ids with names, images and labels. Empty disables enrichment: events
	// still carry container.id.
	DockerEndpoint string `mapstructure:"docker_endpoint"`
	// Probes lists the probe sets to load.
	Probes []string `mapstructure:"probes"`
	// ContainersOnly drops host processes' events in the kernel (counted).
	ContainersOnly bool `mapstructure:"containers_only"`
	// BPFFSDir is the bpffs directory where Vigil pins its maps.
	BPFFSDir string `mapstructure:"bpffs_dir"`
	// RingBufferSize is the kernel ring buffer size in bytes: a power of two
	// and a multiple of the 4096-byte page.
	RingBufferSize int `mapstructure:"ring_buffer_size"`
	// MaxProcesses bounds the process table, and so the open process spans.
	MaxProcesses int `mapstructure:"max_processes"`
	// FlushInterval is how often buffered records are handed to the pipeline.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// ProcFS is where the proc filesystem is mounted (host's /proc when Vigil
	// runs in a container with it mounted elsewhere).
	ProcFS string `mapstructure:"procfs"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		DockerEndpoint: "unix:///var/run/docker.sock",
		Probes:         []string{ProbeProcess},
		BPFFSDir:       "/sys/fs/bpf/vigil",
		RingBufferSize: 8 << 20,
		MaxProcesses:   65536,
		FlushInterval:  100 * time.Millisecond,
		ProcFS:         "/proc",
	}
}

// Validate checks every field and reports all problems at once, each naming
// its YAML key and the fix.
func (cfg *Config) Validate() error {
	var errs []error
	if ep := cfg.DockerEndpoint; ep != "" && !strings.HasPrefix(ep, "unix://") && !strings.HasPrefix(ep, "tcp://") {
		errs = append(errs, fmt.Errorf("docker_endpoint: %q must start with unix:// or tcp:// (or be empty to disable Docker enrichment)", ep))
	}
	if len(cfg.Probes) == 0 {
		errs = append(errs, fmt.Errorf("probes: must list at least one probe set, one of %v", knownProbeSets))
	}
	seen := map[string]bool{}
	for i, p := range cfg.Probes {
		switch {
		case !slices.Contains(knownProbeSets, p):
			errs = append(errs, fmt.Errorf("probes[%d]: unknown probe set %q, want one of %v", i, p, knownProbeSets))
		case seen[p]:
			errs = append(errs, fmt.Errorf("probes[%d]: probe set %q is listed twice", i, p))
		}
		seen[p] = true
	}
	if cfg.BPFFSDir == "" || !filepath.IsAbs(cfg.BPFFSDir) {
		errs = append(errs, fmt.Errorf("bpffs_dir: %q must be an absolute path on a bpffs mount, e.g. /sys/fs/bpf/vigil", cfg.BPFFSDir))
	}
	if n := cfg.RingBufferSize; n < 4096 || n&(n-1) != 0 {
		errs = append(errs, fmt.Errorf("ring_buffer_size: %d must be a power of two of at least 4096 bytes, e.g. 8388608 (8 MiB)", n))
	}
	if cfg.MaxProcesses <= 0 {
		errs = append(errs, fmt.Errorf("max_processes: %d must be positive, e.g. 65536", cfg.MaxProcesses))
	}
	if cfg.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flush_interval: %s must be positive, e.g. 200ms", cfg.FlushInterval))
	}
	if cfg.ProcFS == "" || !filepath.IsAbs(cfg.ProcFS) {
		errs = append(errs, fmt.Errorf("procfs: %q must be an absolute path to a proc mount, e.g. /proc", cfg.ProcFS))
	}
	return errors.Join(errs...)
}
