package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/internal/dockertest"
	"github.com/vigil-sec/vigil/internal/testenv"
)

// binary finds otelcol-vigil: $VIGIL_BINARY (set by make test) or the
// builder's output path.
func binary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("VIGIL_BINARY")
	if path == "" {
		path, _ = filepath.Abs("../_build/otelcol-vigil")
	}
	if _, err := os.Stat(path); err != nil {
		testenv.Skip(t, "otelcol-vigil not built (run make build): "+err.Error())
	}
	return path
}

// otlpLogs is the part of the file exporter's OTLP JSON lines the test reads.
type otlpLogs struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes []kv `json:"attributes"`
		} `json:"resource"`
		ScopeLogs []struct {
			LogRecords []struct {
				EventName  string `json:"eventName"`
				TraceID    string `json:"traceId"`
				SpanID     string `json:"spanId"`
				Attributes []kv   `json:"attributes"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

type kv struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

func get(attrs []kv, key string) string {
	for _, a := range attrs {
		if a.Key == key {
			return string(a.Value)
		}
	}
	return ""
}

// Started with no arguments, the distribution runs its embedded default
// config and writes a docker exec'd process to the file exporter's output.
func TestDistributionDefaultConfig(t *testing.T) {
	testenv.RequireBPF(t)
	bin := binary(t)
	c := dockertest.Run(t)

	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "VIGIL_OUTPUT_DIR="+out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	require.NoError(t, cmd.Start())
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("otelcol-vigil stderr:\n%s", tail(stderr.String(), 4000))
		}
	}()

	// Wait until the receiver runs: its start is logged.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(stderr.String(), "Everything is ready") {
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("otelcol-vigil did not become ready")
		}
		time.Sleep(100 * time.Millisecond)
	}

	marker := "e2e-" + time.Now().Format("150405.000")
	_, code := c.Exec(t, "/usr/local/bin/exitwith", "3", marker)
	require.Equal(t, 3, code)

	logsFile := filepath.Join(out, "logs.jsonl")
	deadline = time.Now().Add(20 * time.Second)
	for {
		if found(t, logsFile, c.ID, marker) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no process.exec with %q for container %s in %s", marker, c.ID[:12], logsFile)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func found(t *testing.T, path, containerID, marker string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ld otlpLogs
		if err := json.Unmarshal(sc.Bytes(), &ld); err != nil {
			continue // a line being written
		}
		for _, rl := range ld.ResourceLogs {
			if !strings.Contains(get(rl.Resource.Attributes, "container.id"), containerID) {
				continue
			}
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					if lr.EventName == "process.exec" && strings.Contains(get(lr.Attributes, "process.command_args"), marker) {
						require.Len(t, lr.TraceID, 32, "exec record carries its process's trace id")
						require.Len(t, lr.SpanID, 16, "exec record carries its process's span id")
						return true
					}
				}
			}
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
