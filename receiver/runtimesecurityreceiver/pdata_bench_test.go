package runtimesecurityreceiver

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/process"
	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
)

// benchReceiver is a receiver with no kernel source and no Docker resolver
// (container records go under an unresolved container resource; enrichment
// is container.BenchmarkLookupCacheHit), so only the event → pdata path runs.
func benchReceiver(b *testing.B) *securityReceiver {
	b.Helper()
	r, err := newSecurityReceiver(receivertest.NewNopSettings(metadata.Type), createDefaultConfig(), func() {})
	if err != nil {
		b.Fatal(err)
	}
	r.clock = bootClock{boot: time.Now().Add(-time.Hour)}
	return r
}

// benchProcess is a short-lived process in a container, as the table hands
// it to the receiver: exec'd /usr/local/bin/reader with two arguments.
func benchProcess() (*process.Process, bpf.Event, bpf.Event) {
	start := time.Now().Add(-time.Second)
	p := &process.Process{
		PID: 4242, PPID: 4200, StartTicks: 123456, StartTime: start,
		Exe: "/usr/local/bin/reader", Args: []string{"/usr/local/bin/reader", "/bench/tree/d03/f017", "/bench/tree/d03/f018"},
		Comm: "reader", CgroupID: 9876, ContainerID: strings.Repeat("c0ffee", 10) + "beef",
		ExecSeq: 1, SpanID: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, ParentSpanID: [8]byte{8, 7, 6, 5, 4, 3, 2, 1},
		TraceID: [16]byte{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8}, SpanStart: start,
		Execd: true, EndTime: start.Add(time.Millisecond),
	}
	exec := bpf.Event{Type: bpf.EventExec, TimeNs: 3_600_000_000_000, PID: 4242, TID: 4242, PPID: 4200,
		StartTimeNs: 3_599_999_000_000, Comm: "reader", CgroupID: 9876, CgroupName: p.ContainerID, PidNS: 4026532000, MntNS: 4026532001}
	exit := exec
	exit.Type, exit.TimeNs = bpf.EventExit, exec.TimeNs+1_000_000
	return p, exec, exit
}

// takeFull empties the batch when the receiver would flush it.
func takeFull(r *securityReceiver, n int) {
	if n >= flushAt {
		r.batch.take()
	}
}

// BenchmarkEmitExec is one process.exec log record: event → LogRecord in the
// batch.
func BenchmarkEmitExec(b *testing.B) {
	r := benchReceiver(b)
	p, exec, _ := benchProcess()
	b.ReportAllocs()
	for b.Loop() {
		takeFull(r, r.emitExec(exec, p))
	}
}

// BenchmarkEmitSpan is one process span.
func BenchmarkEmitSpan(b *testing.B) {
	r := benchReceiver(b)
	p, _, _ := benchProcess()
	b.ReportAllocs()
	for b.Loop() {
		r.emitSpan(p, p.EndTime, false)
		takeFull(r, r.batch.records)
	}
}

// BenchmarkEmitProcess is every record of one short-lived process: its
// process.exec and process.exit log records and its span, taking the batch
// every flushAt records as the event loop does.
func BenchmarkEmitProcess(b *testing.B) {
	r := benchReceiver(b)
	p, exec, exit := benchProcess()
	b.ReportAllocs()
	for b.Loop() {
		r.emitExec(exec, p)
		r.emitExit(exit, p)
		r.emitSpan(p, p.EndTime, false)
		takeFull(r, r.batch.records)
	}
}
