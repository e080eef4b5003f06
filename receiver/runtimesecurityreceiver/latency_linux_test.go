package runtimesecurityreceiver

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/vigil-sec/vigil/internal/dockertest"
	"github.com/vigil-sec/vigil/internal/testenv"
	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
)

// BenchmarkExecToRecord measures, with the default configuration, the time
// from a process's exec in a container (the kernel's timestamp) to its
// process.exec record reaching the next consumer, over 100 execs per
// iteration. It reports the median and the 99th percentile.
func BenchmarkExecToRecord(b *testing.B) {
	benchLatency(b, nil, func(lr plog.LogRecord) bool {
		p, _ := lr.Attributes().Get("process.executable.path")
		return lr.EventName() == "process.exec" && p.Str() == exitwith
	})
}

// BenchmarkSyscallToAlert measures the time from the execve that breaks a
// rule (the kernel's timestamp, which the alert carries) to its
// security.alert reaching the next consumer, with the default ruleset plus
// an unthrottled test rule.
func BenchmarkSyscallToAlert(b *testing.B) {
	benchLatency(b, func(cfg *Config) {
		cfg.Rules.Files = []string{filepath.Join("testdata", "rules", "extra.yaml")}
	}, func(lr plog.LogRecord) bool {
		name, _ := lr.Attributes().Get("security_rule.name")
		return lr.EventName() == "security.alert" && name.Str() == "Test marker exec"
	})
}

// benchLatency runs 100 execs of exitwith (with the test marker argument) in
// a container per iteration and reports how long the records match selects
// took from their timestamp to the sink.
func benchLatency(b *testing.B, mutate func(*Config), match func(plog.LogRecord) bool) {
	testenv.RequireBPF(b)
	const execs = 100
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	sink, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					if lr := lrs.At(k); match(lr) {
						latencies = append(latencies, now.Sub(lr.Timestamp().AsTime()))
					}
				}
			}
		}
		return nil
	})
	require.NoError(b, err)

	cfg := createDefaultConfig()
	cfg.BPFFSDir = "/sys/fs/bpf/vigil-bench-" + randomHex(4)
	if mutate != nil {
		mutate(cfg)
	}
	f := NewFactory()
	set := receivertest.NewNopSettings(metadata.Type)
	lr, err := f.CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(b, err)
	tr, err := f.CreateTraces(context.Background(), set, cfg, new(consumertest.TracesSink))
	require.NoError(b, err)
	require.NoError(b, lr.Start(context.Background(), componenttest.NewNopHost()))
	defer func() {
		require.NoError(b, lr.Shutdown(context.Background()))
		require.NoError(b, tr.Shutdown(context.Background()))
	}()

	c := dockertest.Run(b)
	script := "for i in $(seq " + strconv.Itoa(execs) + "); do " + exitwith + " 0 vigil-marker; sleep 0.02; done"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, code := c.Exec(b, "/bin/sh", "-c", script)
		require.Equal(b, 0, code)
	}
	b.StopTimer()
	want := execs * b.N
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(latencies)
		mu.Unlock()
		if n >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(b, latencies, want, "every exec reached the sink")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
