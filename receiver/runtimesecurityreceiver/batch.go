package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// resource identifies where a record belongs: one ResourceLogs/ResourceSpans
// per container, host processes under the host resource.
type resource struct {
	key  string                 // container id, or "" for the host
	fill func(pcommon.Resource) // sets the resource attributes once per batch
}

// batch accumulates records between flushes. It is written by the event loop
// and the Docker event goroutine, and swapped out by the flush loop.
type batch struct {
	mu         sync.Mutex
	scopeName  string
	version    string
	logs       plog.Logs
	logScopes  map[string]plog.ScopeLogs
	traces     ptrace.Traces
	spanScopes map[string]ptrace.ScopeSpans
	records    int
}

func newBatch(scopeName, version string) *batch {
	b := &batch{scopeName: scopeName, version: version}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.logs = plog.NewLogs()
	b.logScopes = map[string]plog.ScopeLogs{}
	b.traces = ptrace.NewTraces()
	b.spanScopes = map[string]ptrace.ScopeSpans{}
	b.records = 0
}

// addLog appends a log record under res and lets fill set it. It returns the
// number of records buffered so the caller can flush early.
func (b *batch) addLog(res resource, fill func(plog.LogRecord)) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	sl, ok := b.logScopes[res.key]
	if !ok {
		rl := b.logs.ResourceLogs().AppendEmpty()
		res.fill(rl.Resource())
		sl = rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(b.scopeName)
		sl.Scope().SetVersion(b.version)
		b.logScopes[res.key] = sl
	}
	fill(sl.LogRecords().AppendEmpty())
	b.records++
	return b.records
}

// addSpan appends a span under res and lets fill set it.
func (b *batch) addSpan(res resource, fill func(ptrace.Span)) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	ss, ok := b.spanScopes[res.key]
	if !ok {
		rs := b.traces.ResourceSpans().AppendEmpty()
		res.fill(rs.Resource())
		ss = rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(b.scopeName)
		ss.Scope().SetVersion(b.version)
		b.spanScopes[res.key] = ss
	}
	fill(ss.Spans().AppendEmpty())
	b.records++
	return b.records
}

// take returns what was buffered and starts a new batch.
func (b *batch) take() (plog.Logs, ptrace.Traces) {
	b.mu.Lock()
	defer b.mu.Unlock()
	logs, traces := b.logs, b.traces
	b.reset()
	return logs, traces
}
