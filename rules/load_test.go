package rules

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestDefaultRuleset(t *testing.T) {
	e := newEngine(t, true)
	rules := e.Rules()
	if len(rules) < 5 {
		t.Fatalf("default ruleset has %d rules", len(rules))
	}
	for _, r := range rules {
		if r.Ruleset != DefaultRulesetName {
			t.Errorf("%s: ruleset %q", r.Name, r.Ruleset)
		}
		if r.Version != "1" || r.Description == "" || r.Reference == "" || len(r.MITRE) == 0 || r.Category == "" {
			t.Errorf("%s: incomplete metadata %+v", r.Name, r)
		}
		u, err := uuid.Parse(r.UUID)
		if err != nil || u.Version() != 5 {
			t.Errorf("%s: uuid %q is not a v5 uuid (%v)", r.Name, r.UUID, err)
		}
		if strings.Contains(r.Expanded, "${") {
			t.Errorf("%s: unexpanded reference in %q", r.Name, r.Expanded)
		}
	}
	// Stable: the uuid is a function of the name only.
	if RuleUUID("Shell spawned in container") != RuleUUID("Shell spawned in container") ||
		RuleUUID("a") == RuleUUID("b") {
		t.Fatal("rule uuid not stable or not distinct")
	}
	if got, want := RuleUUID("Shell spawned in container"), uuid.NewSHA1(ruleNamespace, []byte("Shell spawned in container")).String(); got != want {
		t.Fatalf("uuid %s, want %s", got, want)
	}
	if s := e.Stats(); s.RulesLoaded != len(rules) || s.RulesEnabled != len(rules)-1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSeverities(t *testing.T) {
	for sev, want := range map[string]plog.SeverityNumber{
		"informational": plog.SeverityNumberInfo, "LOW": plog.SeverityNumberWarn,
		"medium": plog.SeverityNumberWarn3, "high": plog.SeverityNumberError, "critical": plog.SeverityNumberFatal,
	} {
		dir := t.TempDir()
		e := newEngine(t, false, writeFile(t, dir, "r.yaml", `
rules:
  - name: r
    severity: `+sev+`
    events: [process.exec]
    condition: "true"
`))
		r := e.Rules()[0]
		if r.SeverityNumber != want || r.Severity != strings.ToLower(sev) {
			t.Errorf("%s: got %v %q", sev, r.SeverityNumber, r.Severity)
		}
		if r.Ruleset != "r" {
			t.Errorf("ruleset defaults to the file's base name, got %q", r.Ruleset)
		}
	}
}

func TestListsAndMacros(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", `
lists:
  shells: [sh, bash]
  odd: ["quote\"d", 'back\slash']
macros:
  container: resource.attributes["container.id"] != nil
  shell: In(attributes["process.executable.name"], ${list:shells})
  container_shell: ${macro:container} and ${macro:shell}
rules:
  - name: Shell
    severity: high
    events: [process.exec]
    condition: ${macro:container_shell}
  - name: Odd
    severity: low
    events: [process.exec]
    condition: In(attributes["process.executable.name"], ${list:odd})
`)
	b := writeFile(t, dir, "b.yaml", `
lists:
  shells: {append: [zsh]}
macros:
  shell: {append: 'attributes["process.executable.name"] == "fish"'}
`)
	e := newEngine(t, false, a, b)
	var shell Rule
	for _, r := range e.Rules() {
		if r.Name == "Shell" {
			shell = r
		}
	}
	want := `((resource.attributes["container.id"] != nil) and ((In(attributes["process.executable.name"], ["sh", "bash", "zsh"])) or (attributes["process.executable.name"] == "fish")))`
	if shell.Expanded != want {
		t.Fatalf("expanded\n got %s\nwant %s", shell.Expanded, want)
	}
	c := inContainer("c1", "web", "img")
	for exe, fire := range map[string]bool{"/bin/sh": true, "/bin/zsh": true, "/usr/bin/fish": true, "/bin/ls": false, "/bin/quote\"d": true, `/x/back\slash`: true} {
		got := names(execRecord(exe, []string{exe}, c).eval(e))
		if (len(got) > 0) != fire {
			t.Errorf("%s: alerts %v, want fire=%v", exe, got, fire)
		}
	}
	if got := names(execRecord("/bin/sh", nil).eval(e)); len(got) != 0 {
		t.Errorf("host shell alerted: %v", got)
	}
}

func TestMacroCycle(t *testing.T) {
	err := compileErr(t, `
macros:
  a: ${macro:b} and true
  b: ${macro:c}
  c: ${macro:a}
rules:
  - name: R
    severity: low
    events: [process.exec]
    condition: ${macro:a}
`)
	if err == nil || !strings.Contains(err.Error(), "macro cycle: a -> b -> c -> a") {
		t.Fatalf("want a cycle error, got %v", err)
	}
	if !strings.Contains(err.Error(), `a.yaml: rule "R": condition: macro cycle`) {
		t.Fatalf("cycle error does not name the rule: %v", err)
	}
	err = compileErr(t, "macros:\n  self: ${macro:self}\n")
	if err == nil || !strings.Contains(err.Error(), "macro cycle: self -> self") {
		t.Fatalf("want self cycle error, got %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	const ok = "    severity: high\n    events: [process.exec]\n"
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"syntax", "rules:\n  - name: Bad\n" + ok + "    condition: attributes[\"x\"] ==\n",
			[]string{`a.yaml: rule "Bad": condition:`, "invalid syntax"}},
		{"unknown function", "rules:\n  - name: Bad\n" + ok + "    condition: NoSuchFunc(attributes[\"x\"])\n",
			[]string{`a.yaml: rule "Bad": condition:`, "NoSuchFunc"}},
		{"editor not allowed", "rules:\n  - name: Bad\n" + ok + "    condition: set(attributes[\"x\"], 1)\n",
			[]string{`a.yaml: rule "Bad": condition:`}},
		{"bad path", "rules:\n  - name: Bad\n" + ok + "    condition: nosuchpath == 1\n",
			[]string{`a.yaml: rule "Bad": condition:`, "nosuchpath"}},
		{"wrong argument type", "rules:\n  - name: Bad\n" + ok + "    condition: In(attributes[\"x\"], \"sh\")\n",
			[]string{`a.yaml: rule "Bad": condition:`}},
		{"unknown list", "rules:\n  - name: Bad\n" + ok + "    condition: In(attributes[\"x\"], ${list:nope})\n",
			[]string{`a.yaml: rule "Bad": condition: unknown list "nope"`}},
		{"unknown macro", "rules:\n  - name: Bad\n" + ok + "    condition: ${macro:nope}\n",
			[]string{`a.yaml: rule "Bad": condition: unknown macro "nope"`}},
		{"bad reference", "rules:\n  - name: Bad\n" + ok + "    condition: ${lst:x}\n",
			[]string{`a.yaml: rule "Bad": condition: unknown reference ${lst:x}`}},
		{"missing name", "rules:\n  - severity: high\n    events: [process.exec]\n    condition: \"true\"\n",
			[]string{"a.yaml: rule #1 (line 2): missing name"}},
		{"bad severity", "rules:\n  - name: Bad\n    severity: urgent\n    events: [process.exec]\n    condition: \"true\"\n",
			[]string{`a.yaml: rule "Bad": severity: "urgent" is not one of`}},
		{"unknown key", "rules:\n  - name: Bad\n" + ok + "    condition: \"true\"\n    conditon: \"true\"\n",
			[]string{"a.yaml:", `line 6: rule "Bad": field conditon not found in a rule`}},
		{"unknown top key", "rule:\n  - name: Bad\n", []string{"a.yaml:", "field rule not found at the top level"}},
		{"no events", "rules:\n  - name: Bad\n    severity: low\n    condition: \"true\"\n",
			[]string{`a.yaml: rule "Bad": events: at least one`}},
		{"no condition", "rules:\n  - name: Bad\n    severity: low\n    events: [process.exec]\n",
			[]string{`a.yaml: rule "Bad": condition: missing`}},
		{"bad rate", "rules:\n  - name: Bad\n" + ok + "    condition: \"true\"\n    rate: {count: 2, window: 1m, per: pod}\n",
			[]string{`a.yaml: rule "Bad": rate: per is "pod"`}},
		{"bad window", "rules:\n  - name: Bad\n" + ok + "    condition: \"true\"\n    rate: {count: 2, window: soon}\n",
			[]string{"a.yaml:", "soon"}},
		{"bad output", "rules:\n  - name: Bad\n" + ok + "    condition: \"true\"\n    output: 'x %{attributes[\"a\"] +}'\n",
			[]string{`a.yaml: rule "Bad": output:`}},
		{"unterminated output", "rules:\n  - name: Bad\n" + ok + "    condition: \"true\"\n    output: 'x %{attributes[\"a\"]'\n",
			[]string{`a.yaml: rule "Bad": output: unterminated placeholder`}},
		{"bad macro", "macros:\n  m: 'attributes[\"x\"] =='\n", []string{`a.yaml: macro "m":`}},
		{"duplicate", "rules:\n  - name: D\n" + ok + "    condition: \"true\"\n  - name: D\n" + ok + "    condition: \"true\"\n",
			[]string{`a.yaml: rule "D": defined twice`}},
		{"toggle unknown", "rules:\n  - name: Ghost\n    enabled: false\n",
			[]string{`a.yaml: rule "Ghost": enabled set on a rule no earlier file defines`}},
		{"append unknown list", "lists:\n  x: {append: [a]}\n", []string{`a.yaml: list "x": append to a list no earlier file defines`}},
		{"bad list key", "lists:\n  x: {add: [a]}\n", []string{"a.yaml:", `unknown list key "add"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := compileErr(t, tc.file)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileErrorsJoined(t *testing.T) {
	err := compileErr(t,
		"rules:\n  - name: One\n    severity: bad\n    events: [process.exec]\n    condition: \"true\"\n",
		"rules:\n  - name: Two\n    severity: low\n    events: [process.exec]\n    condition: Nope()\n")
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{`a.yaml: rule "One": severity`, `b.yaml: rule "Two": condition`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q missing %q", err, w)
		}
	}
}

func TestOverrideDisableAppend(t *testing.T) {
	dir := t.TempDir()
	user := writeFile(t, dir, "user.yaml", `
ruleset: acme
lists:
  shells: {append: [myshell]}
rules:
  - name: Package management process launched in container
    enabled: false
  - name: Crypto miner executed
    description: only our banned miner
    severity: low
    events: [process.exec]
    condition: attributes["process.executable.name"] == "banned-miner"
  - name: Repeated root execs in container
    enabled: true
  - name: Acme custom
    severity: informational
    events: [process.exec]
    condition: attributes["process.executable.name"] == "acme"
`)
	e := newEngine(t, true, user)
	c := inContainer("c1", "web", "img")
	check := func(exe string, want ...string) {
		t.Helper()
		got := names(execRecord(exe, []string{exe}, c, uid(1000)).eval(e))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: alerts %v, want %v", exe, got, want)
		}
	}
	check("/usr/bin/apt-get")                           // disabled
	check("/usr/bin/xmrig")                             // replaced: old condition gone
	check("/opt/banned-miner", "Crypto miner executed") // replaced: new condition
	check("/bin/myshell", "Shell spawned in container") // appended list
	check("/usr/bin/acme", "Acme custom")               // new rule
	for _, r := range e.Rules() {
		switch r.Name {
		case "Crypto miner executed":
			if r.Ruleset != "acme" || r.Severity != "low" || r.MITRE != nil || r.Source != user {
				t.Errorf("override is not a full replacement: %+v", r)
			}
		case "Repeated root execs in container":
			if !r.Enabled || r.Ruleset != DefaultRulesetName {
				t.Errorf("enable toggle should keep the rule: %+v", r)
			}
		}
	}
}

func TestIndexByEvent(t *testing.T) {
	dir := t.TempDir()
	e := newEngine(t, false, writeFile(t, dir, "r.yaml", `
rules:
  - name: Opens
    severity: low
    events: [file.open]
    condition: "true"
  - name: Both
    severity: low
    events: [file.open, process.exec]
    condition: "true"
  - name: Off
    severity: low
    events: [process.exit]
    condition: "true"
    enabled: false
`))
	if got := strings.Join(e.Events(), ","); got != "file.open,process.exec" {
		t.Fatalf("events %s", got)
	}
	r := execRecord("/bin/true", nil)
	if got := names(r.eval(e)); strings.Join(got, ",") != "Both" {
		t.Fatalf("process.exec: %v", got)
	}
	r.lr.SetEventName("file.open")
	if got := names(r.eval(e)); strings.Join(got, ",") != "Opens,Both" {
		t.Fatalf("file.open: %v", got)
	}
	r.lr.SetEventName("process.exit")
	if got := r.eval(e); len(got) != 0 {
		t.Fatalf("disabled rule fired: %v", names(got))
	}
	st := e.Stats()
	if st.Rules["Opens"].Matches != 1 || st.Rules["Both"].Matches != 2 || st.Rules["Off"].Matches != 0 || st.Evaluations != 3 {
		t.Fatalf("stats %+v", st)
	}
}
