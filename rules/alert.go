package rules

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/vigil-sec/vigil/semconv"
)

// Alert is one rule firing on one record.
type Alert struct {
	Rule    *Rule          // the rule; shared, do not modify
	Record  plog.LogRecord // the triggering record (not copied)
	Message string         // the rendered output template
	// Suppressed is the number of alerts of this rule and container the
	// throttle dropped since the previous alert was emitted.
	Suppressed int64
	// RateCount is, for a rate rule, the number of matches counted in the
	// window when it fired (0 for other rules).
	RateCount int
}

// CopyTo fills lr as the security.alert record: the triggering record's
// attributes, timestamp, trace and span id, then the rule's attributes.
// The body is the rendered message.
func (a Alert) CopyTo(lr plog.LogRecord) {
	src := a.Record
	r := a.Rule
	lr.SetEventName(semconv.EventSecurityAlert)
	lr.SetTimestamp(src.Timestamp())
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.SetTraceID(src.TraceID())
	lr.SetSpanID(src.SpanID())
	lr.SetFlags(src.Flags())
	lr.SetSeverityNumber(r.SeverityNumber)
	lr.SetSeverityText(r.Severity)
	lr.Body().SetStr(a.Message)
	attrs := lr.Attributes()
	src.Attributes().CopyTo(attrs)
	attrs.EnsureCapacity(attrs.Len() + 14)
	attrs.PutStr(semconv.VigilAlertEventName, src.EventName())
	attrs.PutStr(semconv.SecurityRuleName, r.Name)
	attrs.PutStr(semconv.SecurityRuleUUID, r.UUID)
	attrs.PutStr(semconv.SecurityRuleVersion, r.Version)
	attrs.PutStr(semconv.SecurityRuleRulesetName, r.Ruleset)
	putNonEmpty(attrs, semconv.SecurityRuleCategory, r.Category)
	putNonEmpty(attrs, semconv.SecurityRuleReference, r.Reference)
	putNonEmpty(attrs, semconv.SecurityRuleDescription, r.Description)
	putStrings(attrs, semconv.VigilMitreTechniqueID, r.MITRE)
	putStrings(attrs, semconv.VigilRuleTags, r.Tags)
	if a.Suppressed > 0 {
		attrs.PutInt(semconv.VigilAlertSuppressed, a.Suppressed)
	}
	if r.Rate != nil && a.RateCount > 0 {
		attrs.PutInt(semconv.VigilAlertRateCount, int64(a.RateCount))
		attrs.PutStr(semconv.VigilAlertRateWindow, r.Rate.Window.String())
	}
}

func putNonEmpty(m pcommon.Map, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}

func putStrings(m pcommon.Map, k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	s := m.PutEmptySlice(k)
	s.EnsureCapacity(len(vs))
	for _, v := range vs {
		s.AppendEmpty().SetStr(v)
	}
}
