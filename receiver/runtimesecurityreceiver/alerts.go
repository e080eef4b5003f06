package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/vigil-sec/vigil/rules"
	"github.com/vigil-sec/vigil/semconv"
)

// maxSpanAlerts bounds the alerts kept for one process span; more are
// still exported as records, and counted as not attached.
const maxSpanAlerts = 32

// spanAlert is an alert waiting for its process span to end, when it
// becomes a span event.
type spanAlert struct {
	time    pcommon.Timestamp
	rule    *rules.Rule
	message string
}

// spanAlerts holds alerts by the span id of the process that caused them.
type spanAlerts struct {
	mu      sync.Mutex
	byspan  map[pcommon.SpanID][]spanAlert
	dropped int64
}

func (s *spanAlerts) add(id pcommon.SpanID, a spanAlert) {
	if id.IsEmpty() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byspan == nil {
		s.byspan = map[pcommon.SpanID][]spanAlert{}
	}
	if len(s.byspan[id]) >= maxSpanAlerts {
		s.dropped++
		return
	}
	s.byspan[id] = append(s.byspan[id], a)
}

func (s *spanAlerts) take(id pcommon.SpanID) []spanAlert {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.byspan[id]
	delete(s.byspan, id)
	return as
}

// evaluate runs the rules on lr (in rl and sl) and appends each alert to
// out, remembering it for the span of the process that caused it. It runs
// under the batch lock, so the alert buffer is never shared.
func (r *securityReceiver) evaluate(rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, out plog.LogRecordSlice) {
	r.alertBuf = r.engine.Evaluate(context.Background(), rl, sl, lr, r.alertBuf[:0])
	for _, a := range r.alertBuf {
		a.CopyTo(out.AppendEmpty())
		r.spanAlerts.add(lr.SpanID(), spanAlert{time: lr.Timestamp(), rule: a.Rule, message: a.Message})
	}
}

// ruleEval returns the evaluation hook for records, nil without rules.
func (r *securityReceiver) ruleEval() evalFunc {
	if r.engine == nil {
		return nil
	}
	return r.evaluate
}

// addSpanAlerts makes each alert of the process a span event on its span.
func addSpanAlerts(s ptrace.Span, alerts []spanAlert) {
	for _, a := range alerts {
		ev := s.Events().AppendEmpty()
		ev.SetName(semconv.EventSecurityAlert)
		ev.SetTimestamp(a.time)
		at := ev.Attributes()
		at.PutStr(semconv.SecurityRuleName, a.rule.Name)
		at.PutStr(semconv.SecurityRuleUUID, a.rule.UUID)
		if a.rule.Category != "" {
			at.PutStr(semconv.SecurityRuleCategory, a.rule.Category)
		}
		at.PutStr(semconv.VigilAlertSeverity, a.rule.Severity)
		if len(a.rule.MITRE) > 0 {
			ids := at.PutEmptySlice(semconv.VigilMitreTechniqueID)
			for _, id := range a.rule.MITRE {
				ids.AppendEmpty().SetStr(id)
			}
		}
		at.PutStr(semconv.VigilAlertMessage, a.message)
	}
}
