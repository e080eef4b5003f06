package rules

import (
	"context"
	"testing"
)

// BenchmarkEvaluateFileOpen: the default ruleset against a benign file.open
// (an application reading its own file in a container), the most frequent
// record once the file probes are on.
func BenchmarkEvaluateFileOpen(b *testing.B) {
	e, err := New(Config{DefaultRuleset: true})
	if err != nil {
		b.Fatal(err)
	}
	r := fileRecord("file.open", map[string]any{"file.path": "/app/static/index.html", "vigil.file.flags": 0, "vigil.file.write": false},
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
