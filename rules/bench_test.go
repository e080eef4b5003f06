package rules

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkEvaluate: the default ruleset against a realistic, non-matching
// process.exec from a container (the common case: most execs are benign).
func BenchmarkEvaluate(b *testing.B) {
	e, err := New(Config{DefaultRuleset: true})
	if err != nil {
		b.Fatal(err)
	}
	r := execRecord("/usr/local/bin/python3.12", []string{"python3", "/app/manage.py", "runserver", "0.0.0.0:8000"},
		inContainer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web-1", "registry.example/app:2.3"))
	ctx := context.Background()
	var dst []Alert
	b.ReportAllocs()
	for b.Loop() {
		dst = e.Evaluate(ctx, r.rl, r.sl, r.lr, dst[:0])
	}
	if len(dst) != 0 {
		b.Fatalf("unexpected alerts %v", names(dst))
	}
}

// BenchmarkEvaluateMatch: a shell in a container raises an alert (rendered
// message) and is turned into a security.alert record.
func BenchmarkEvaluateMatch(b *testing.B) {
	e, err := New(Config{DefaultRuleset: true})
	if err != nil {
		b.Fatal(err)
	}
	r := execRecord("/bin/sh", []string{"sh", "-c", "cat /etc/passwd"},
		inContainer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web-1", "registry.example/app:2.3"))
	ctx := context.Background()
	out := plog.NewLogRecordSlice()
	// Disable the throttle so every iteration alerts.
	for _, cr := range e.cur.Load().rules {
		cr.win = nil
	}
	b.ReportAllocs()
	for b.Loop() {
		out.RemoveIf(func(plog.LogRecord) bool { return true })
		if e.EvaluateTo(ctx, r.rl, r.sl, r.lr, out) != 1 {
			b.Fatal("no alert")
		}
	}
}

// BenchmarkEvaluateNoRules: a record whose event name no rule lists.
func BenchmarkEvaluateNoRules(b *testing.B) {
	e, err := New(Config{DefaultRuleset: true})
	if err != nil {
		b.Fatal(err)
	}
	r := execRecord("/bin/true", nil)
	r.lr.SetEventName("process.exit")
	ctx := context.Background()
	var dst []Alert
	b.ReportAllocs()
	for b.Loop() {
		dst = e.Evaluate(ctx, r.rl, r.sl, r.lr, dst[:0])
	}
}
