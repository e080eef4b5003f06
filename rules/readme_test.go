package rules

import (
	"os"
	"strings"
	"testing"
)

// The rule file example in README.md loads and behaves as described.
func TestREADMEExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "```yaml\nruleset: acme-prod")
	if start < 0 {
		t.Fatal("example not found in README.md")
	}
	s = s[start+len("```yaml\n"):]
	example := s[:strings.Index(s, "```")]
	e := newEngine(t, false, writeFile(t, t.TempDir(), "acme.yaml", example))
	r := e.Rules()[0]
	if r.Ruleset != "acme-prod" || r.Version != "2" || r.Rate == nil || r.Rate.Count != 5 || r.Throttle.Seconds() != 30 {
		t.Fatalf("%+v", r)
	}
	c := inContainer("c1", "api-1", "acme/api")
	got := execRecord("/bin/bash", []string{"bash", "-i"}, c).eval(e)
	if len(got) != 0 {
		t.Fatal("rate rule fired on the first match")
	}
	for range 5 {
		got = append(got, execRecord("/bin/bash", []string{"bash", "-i"}, c).eval(e)...)
	}
	if len(got) != 1 || got[0].Message != "Shell bash -i in api-1" {
		t.Fatalf("alerts %+v", got)
	}
	if n := len(execRecord("/bin/bash", nil, inContainer("c2", "dbg", "acme/debug")).eval(e)); n != 0 {
		t.Fatal("excluded image counted")
	}
}
