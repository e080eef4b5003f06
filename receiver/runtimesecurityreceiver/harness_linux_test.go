package runtimesecurityreceiver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/vigil-sec/vigil/internal/testenv"
	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
)

// harness runs the receiver in-process, as a collector would (one instance
// for the logs and the traces pipelines), into consumertest sinks.
type harness struct {
	t         *testing.T
	logs      *consumertest.LogsSink
	traces    *consumertest.TracesSink
	telemetry *componenttest.Telemetry
	shutdown  func()
}

func startReceiver(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	testenv.RequireBPF(t)
	cfg := createDefaultConfig()
	cfg.BPFFSDir = "/sys/fs/bpf/vigil-test-" + randomHex(4)
	cfg.FlushInterval = 50 * time.Millisecond
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())

	h := &harness{t: t, logs: new(consumertest.LogsSink), traces: new(consumertest.TracesSink), telemetry: componenttest.NewTelemetry()}
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = h.telemetry.NewTelemetrySettings()
	f := NewFactory()
	lr, err := f.CreateLogs(context.Background(), set, cfg, h.logs)
	require.NoError(t, err)
	tr, err := f.CreateTraces(context.Background(), set, cfg, h.traces)
	require.NoError(t, err)
	require.Same(t, lr, tr, "logs and traces must share one receiver")
	require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
	done := false
	h.shutdown = func() {
		if done {
			return
		}
		done = true
		require.NoError(t, lr.Shutdown(context.Background()))
		require.NoError(t, tr.Shutdown(context.Background()))
		require.NoError(t, h.telemetry.Shutdown(context.Background()))
		_ = os.RemoveAll(cfg.BPFFSDir)
	}
	t.Cleanup(h.shutdown)
	return h
}

// record is one log record with its resource, flattened for assertions.
type record struct {
	res pcommon.Map
	lr  plog.LogRecord
}

func (r record) attr(key string) pcommon.Value {
	v, _ := r.lr.Attributes().Get(key)
	return v
}

func (r record) resAttr(key string) string {
	v, ok := r.res.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

func (r record) args() []string {
	v, ok := r.lr.Attributes().Get("process.command_args")
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).Str())
	}
	return out
}

func (r record) pid() int64 { return r.attr("process.pid").Int() }

func (r record) String() string {
	return fmt.Sprintf("%s %s pid=%d container=%s", r.lr.EventName(), r.lr.Body().Str(), r.pid(), r.resAttr("container.id"))
}

func (h *harness) records() []record {
	var out []record
	for _, ld := range h.logs.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					out = append(out, record{res: rl.Resource().Attributes(), lr: lrs.At(k)})
				}
			}
		}
	}
	return out
}

// waitRecord polls the sink until a record matches or the timeout passes.
func (h *harness) waitRecord(what string, timeout time.Duration, match func(record) bool) record {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, r := range h.records() {
			if match(r) {
				return r
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no %s within %s; %d records seen", what, timeout, len(h.records()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// span is one span with its resource.
type span struct {
	res pcommon.Map
	s   ptrace.Span
}

func (h *harness) spans() []span {
	var out []span
	for _, td := range h.traces.AllTraces() {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j).Spans()
				for k := 0; k < ss.Len(); k++ {
					out = append(out, span{res: rs.Resource().Attributes(), s: ss.At(k)})
				}
			}
		}
	}
	return out
}

func (h *harness) waitSpan(id pcommon.SpanID, timeout time.Duration) span {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, s := range h.spans() {
			if s.s.SpanID() == id {
				return s
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no span %s within %s", id, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isExec(path string) func(record) bool {
	return func(r record) bool {
		return r.lr.EventName() == "process.exec" && r.attr("process.executable.path").Str() == path
	}
}
