package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/rules"
)

// ProbeProcess is the process lifecycle probe set (exec, fork, exit).
const ProbeProcess = bpf.ProbeSetProcess

// DefaultProbes are the probe sets loaded when probes: is not set: all of
// them.
var DefaultProbes = bpf.KnownProbeSets

// knownProbeSets lists every probe set this build can load.
var knownProbeSets = bpf.KnownProbeSets

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
	// FilePathPrefixesIgnore drops file events (file probe set) on absolute
	// paths below these prefixes, in the kernel (counted). Escape targets
	// (core_pattern, sysrq-trigger, .../release_agent, ...) are always reported.
	FilePathPrefixesIgnore []string `mapstructure:"file_path_prefixes_ignore"`
	// FilePathPrefixesOnly, when set, drops file events on absolute paths
	// below none of these prefixes.
	FilePathPrefixesOnly []string `mapstructure:"file_path_prefixes_only"`
	// FileReadPathPrefixesOnly, when set, drops read-only opens of absolute
	// paths below none of these prefixes; opens for write stay.
	FileReadPathPrefixesOnly []string `mapstructure:"file_read_path_prefixes_only"`
	// SyscallHooks is how the syscall probes attach: "auto" (the default:
	// "tracepoint", plus one sys_exit program for the monitored syscalls
	// without trace events, such as module loads on kernels
	// without modules), "tracepoint" (one syscalls:sys_enter_X/sys_exit_X
	// pair per monitored syscall only) or "raw" (sys_enter/sys_exit for
	// every syscall).
	SyscallHooks string `mapstructure:"syscall_hooks"`
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
	// EmitEvents exports every event record; false exports only alerts
	// (events are still evaluated, and the withheld ones counted).
	EmitEvents bool `mapstructure:"emit_events"`
	// Rules configures the detection rules evaluated on every record.
	Rules RulesConfig `mapstructure:"rules"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RulesConfig selects the detection rules.
type RulesConfig struct {
	// Enabled turns rule evaluation on.
	Enabled bool `mapstructure:"enabled"`
	// DefaultRuleset loads the rules shipped with Vigil before Files.
	DefaultRuleset bool `mapstructure:"default_ruleset"`
	// Files are rule files or directories of them, loaded in order after
	// the default ruleset; a later rule of the same name replaces an
	// earlier one.
	Files []string `mapstructure:"files"`
	// ReloadInterval is how often the files are checked for changes; a
	// changed set is reloaded without restarting. 0 disables reloading.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		DockerEndpoint: "unix:///var/run/docker.sock",
		Probes:         slices.Clone(DefaultProbes),

		FilePathPrefixesIgnore: []string{"/proc/", "/sys/", "/dev/"},
		SyscallHooks:           bpf.SyscallHooksAuto,
		BPFFSDir:               "/sys/fs/bpf/vigil",
		RingBufferSize:         8 << 20,
		MaxProcesses:           65536,
		FlushInterval:          100 * time.Millisecond,
		ProcFS:                 "/proc",
		EmitEvents:             true,
		Rules: RulesConfig{
			Enabled:        true,
			DefaultRuleset: true,
			ReloadInterval: 5 * time.Second,
		},
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
	prefixes := map[string]bool{}
	for _, l := range []struct {
		key   string
		items []string
	}{
		{"file_path_prefixes_ignore", cfg.FilePathPrefixesIgnore},
		{"file_path_prefixes_only", cfg.FilePathPrefixesOnly},
		{"file_read_path_prefixes_only", cfg.FileReadPathPrefixesOnly},
	} {
		for i, p := range l.items {
			switch {
			case !strings.HasPrefix(p, "/"):
				errs = append(errs, fmt.Errorf("%s[%d]: %q must be an absolute path prefix, e.g. /proc/", l.key, i, p))
			case len(p) > bpf.MaxPathPrefixLen:
				errs = append(errs, fmt.Errorf("%s[%d]: %q is longer than %d bytes", l.key, i, p, bpf.MaxPathPrefixLen))
			}
			prefixes[p] = true
		}
	}
	if n := len(prefixes) + len(bpf.AlwaysReportedPaths); n > bpf.MaxPathPrefixes {
		errs = append(errs, fmt.Errorf("file_path_prefixes_*: %d distinct prefixes, at most %d fit the kernel filter", len(prefixes), bpf.MaxPathPrefixes-len(bpf.AlwaysReportedPaths)))
	}
	switch cfg.SyscallHooks {
	case bpf.SyscallHooksAuto, bpf.SyscallHooksTracepoint, bpf.SyscallHooksRaw:
	default:
		errs = append(errs, fmt.Errorf("syscall_hooks: %q must be %q, %q or %q", cfg.SyscallHooks, bpf.SyscallHooksAuto, bpf.SyscallHooksTracepoint, bpf.SyscallHooksRaw))
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
	errs = append(errs, cfg.Rules.validate()...)
	return errors.Join(errs...)
}

// validate compiles the rules, so a bad rule file fails config validation
// (and `otelcol-vigil validate`) with the file, the rule and the problem.
func (rc *RulesConfig) validate() []error {
	var errs []error
	if rc.ReloadInterval < 0 {
		errs = append(errs, fmt.Errorf("rules.reload_interval: %s must not be negative (0 disables reloading)", rc.ReloadInterval))
	}
	if !rc.Enabled {
		return errs
	}
	if !rc.DefaultRuleset && len(rc.Files) == 0 {
		errs = append(errs, errors.New("rules: enabled with no rules: set rules.default_ruleset: true, list rules.files, or set rules.enabled: false"))
		return errs
	}
	for i, f := range rc.Files {
		if _, err := os.Stat(f); err != nil {
			errs = append(errs, fmt.Errorf("rules.files[%d]: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if _, err := rules.New(rc.engineConfig(nil)); err != nil {
		errs = append(errs, fmt.Errorf("rules: %w", err))
	}
	return errs
}

func (rc *RulesConfig) engineConfig(logger *zap.Logger) rules.Config {
	return rules.Config{DefaultRuleset: rc.DefaultRuleset, Files: rc.Files, Logger: logger}
}
