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

// logScope is where a resource's log records go.
type logScope struct {
	rl plog.ResourceLogs
	sl plog.ScopeLogs
}

// evalFunc runs the rules on lr, which sits in rl and sl, appending any
// alerts to out (the batch's records of the same resource).
type evalFunc func(rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, out plog.LogRecordSlice)

// batch accumulates records between flushes. It is written by the event loop
// and the Docker event goroutine, and swapped out by the flush loop.
type batch struct {
	mu         sync.Mutex
	scopeName  string
	version    string
	logs       plog.Logs
	logScopes  map[string]logScope
	traces     ptrace.Traces
	spanScopes map[string]ptrace.ScopeSpans
	records    int
	// stage holds a record that is evaluated but not exported
	// (emit_events: false), with its resource, one record at a time.
	stage       plog.Logs
	stageScopes map[string]logScope
}

func newBatch(scopeName, version string) *batch {
	b := &batch{scopeName: scopeName, version: version}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.logs = plog.NewLogs()
	b.logScopes = map[string]logScope{}
	b.stage = plog.NewLogs()
	b.stageScopes = map[string]logScope{}
	b.traces = ptrace.NewTraces()
	b.spanScopes = map[string]ptrace.ScopeSpans{}
	b.records = 0
}

// addLog appends a log record under res and lets fill set it. eval, when
// not nil, runs the rules on it and may add alerts; keep=false drops the
// record itself after evaluation. It returns the number of records buffered
// so the caller can flush early.
func (b *batch) addLog(res resource, fill func(plog.LogRecord), eval evalFunc, keep bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if keep {
		out := b.scopeFor(b.logs, b.logScopes, res)
		records := out.sl.LogRecords()
		before := records.Len()
		lr := records.AppendEmpty()
		fill(lr)
		if eval != nil {
			eval(out.rl, out.sl, lr, records)
		}
		b.records += records.Len() - before
		return b.records
	}
	if eval == nil {
		return b.records
	}
	st := b.scopeFor(b.stage, b.stageScopes, res)
	lr := st.sl.LogRecords().AppendEmpty()
	fill(lr)
	alerts := plog.NewLogRecordSlice()
	eval(st.rl, st.sl, lr, alerts)
	st.sl.LogRecords().RemoveIf(func(plog.LogRecord) bool { return true })
	if n := alerts.Len(); n > 0 {
		out := b.scopeFor(b.logs, b.logScopes, res)
		alerts.MoveAndAppendTo(out.sl.LogRecords())
		b.records += n
	}
	return b.records
}

func (b *batch) scopeFor(logs plog.Logs, scopes map[string]logScope, res resource) logScope {
	if s, ok := scopes[res.key]; ok {
		return s
	}
	rl := logs.ResourceLogs().AppendEmpty()
	res.fill(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(b.scopeName)
	sl.Scope().SetVersion(b.version)
	s := logScope{rl: rl, sl: sl}
	scopes[res.key] = s
	return s
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
