package rules

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func ruleFile(name, exe string) string {
	return `
rules:
  - name: ` + name + `
    severity: high
    events: [process.exec]
    condition: attributes["process.executable.name"] == "` + exe + `"
`
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func fires(e *Engine, exe string) []string {
	return names(execRecord("/bin/"+exe, nil).eval(e))
}

func TestHotReload(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules.d")
	if err := os.Mkdir(rulesDir, 0o700); err != nil {
		t.Fatal(err)
	}
	f := writeFile(t, rulesDir, "a.yaml", ruleFile("Alpha", "alpha"))
	e := newEngine(t, false, rulesDir)
	if err := e.Start(10 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := e.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	if got := fires(e, "alpha"); len(got) != 1 {
		t.Fatalf("initial rule: %v", got)
	}

	// Change the file: the new rule replaces the old one.
	writeFile(t, rulesDir, "a.yaml", ruleFile("Beta", "beta"))
	waitFor(t, "Beta", func() bool { return len(fires(e, "beta")) == 1 })
	if got := fires(e, "alpha"); len(got) != 0 {
		t.Fatalf("old rule still active: %v", got)
	}
	if e.LastReloadError() != nil || e.Stats().ReloadsOK != 1 {
		t.Fatalf("stats %+v err %v", e.Stats(), e.LastReloadError())
	}

	// A new file in the directory is picked up.
	writeFile(t, rulesDir, "b.yaml", ruleFile("Gamma", "gamma"))
	waitFor(t, "Gamma", func() bool { return len(fires(e, "gamma")) == 1 })

	// Break a file: the last good rules stay, the error is reported.
	writeFile(t, rulesDir, "a.yaml", strings.Replace(ruleFile("Beta", "beta"), "==", "===", 1))
	waitFor(t, "reload error", func() bool { return e.LastReloadError() != nil })
	if err := e.LastReloadError(); !strings.Contains(err.Error(), `a.yaml: rule "Beta": condition:`) {
		t.Fatalf("reload error %v", err)
	}
	if got := fires(e, "beta"); len(got) != 1 {
		t.Fatalf("last good rules not kept: %v", got)
	}
	failed := e.Stats().ReloadsFailed
	if failed != 1 {
		t.Fatalf("failed reloads %d", failed)
	}
	// An unchanged broken file is not reloaded again on every tick.
	time.Sleep(50 * time.Millisecond)
	if e.Stats().ReloadsFailed != failed {
		t.Fatal("broken file retried without a change")
	}

	// Fix it: the error clears.
	writeFile(t, rulesDir, "a.yaml", ruleFile("Delta", "delta"))
	waitFor(t, "Delta", func() bool { return len(fires(e, "delta")) == 1 })
	if e.LastReloadError() != nil {
		t.Fatalf("error not cleared: %v", e.LastReloadError())
	}
	// A deleted file is a failed reload, not a crash.
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Delta gone", func() bool { return len(fires(e, "delta")) == 0 })
}

func TestReloadMissingFileKeepsRules(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "a.yaml", ruleFile("Alpha", "alpha"))
	e := newEngine(t, false, f)
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	reloaded, err := e.CheckReload()
	if !reloaded || err == nil || e.LastReloadError() == nil {
		t.Fatalf("reloaded=%v err=%v", reloaded, err)
	}
	if len(fires(e, "alpha")) != 1 {
		t.Fatal("rules lost after a failed reload")
	}
}

func TestStartShutdown(t *testing.T) {
	e := newEngine(t, true)
	if err := e.Start(0); err == nil {
		t.Fatal("zero interval accepted")
	}
	if err := e.Start(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(time.Millisecond); err == nil {
		t.Fatal("second Start accepted")
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNewMissingFile(t *testing.T) {
	if _, err := New(Config{Files: []string{filepath.Join(t.TempDir(), "nope.yaml")}}); err == nil {
		t.Fatal("missing rule file accepted")
	}
}
