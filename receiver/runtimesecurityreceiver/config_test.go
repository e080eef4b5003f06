package runtimesecurityreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig()
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg.(*Config)
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	assert.Equal(t, createDefaultConfig(), def)
	require.NoError(t, confmap.Validate(def))

	custom := loadConfig(t, "custom")
	want := createDefaultConfig()
	want.DockerEndpoint = "unix:///run/docker.sock"
	want.Probes = []string{ProbeProcess}
	want.ContainersOnly = true
	want.BPFFSDir = "/sys/fs/bpf/vigil-custom"
	want.RingBufferSize = 16 << 20
	want.MaxProcesses = 1000
	want.FlushInterval = time.Second
	want.ProcFS = "/host/proc"
	want.EmitEvents = false
	want.Rules.Files = []string{"testdata/rules/extra.yaml"}
	want.Rules.ReloadInterval = 0
	assert.Equal(t, want, custom)
	require.NoError(t, confmap.Validate(custom))
}

// Every invalid field is reported at once, named by its YAML key.
func TestValidateNamesEveryInvalidField(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, want := range []string{
		`docker_endpoint: "http://localhost:2375" must start with unix:// or tcp://`,
		`probes[1]: probe set "process" is listed twice`,
		`probes[2]: unknown probe set "tcp"`,
		`bpffs_dir: "relative/dir" must be an absolute path`,
		`ring_buffer_size: 5000 must be a power of two`,
		`max_processes: 0 must be positive`,
		`flush_interval: 0s must be positive`,
		`procfs: "" must be an absolute path`,
		`rules.reload_interval: -1s must not be negative`,
		`rules.files[0]: stat testdata/rules/missing.yaml: no such file or directory`,
	} {
		assert.ErrorContains(t, err, want)
	}
}

func TestValidateEmptyProbes(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Probes = nil
	assert.ErrorContains(t, cfg.Validate(), "probes: must list at least one probe set")
	cfg = createDefaultConfig()
	cfg.DockerEndpoint = ""
	assert.NoError(t, cfg.Validate(), "an empty docker_endpoint disables enrichment")
}

// A rule file that does not compile fails validation, naming the file, the
// rule and the problem.
func TestValidateBadRuleFile(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badrule"))
	require.Error(t, err)
	assert.ErrorContains(t, err, "rules: ")
	assert.ErrorContains(t, err, "testdata/rules/bad.yaml")
	assert.ErrorContains(t, err, `"Broken condition"`)
}

func TestValidateRulesEnabledWithoutRules(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Rules.DefaultRuleset = false
	assert.ErrorContains(t, cfg.Validate(), "rules: enabled with no rules")
	cfg.Rules.Enabled = false
	assert.NoError(t, cfg.Validate())
}
