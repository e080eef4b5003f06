package rules

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/vigil-sec/vigil/semconv"
)

func TestDefaultRulesFire(t *testing.T) {
	e := newEngine(t, true)
	c := inContainer("c1", "web", "nginx:1")
	for i, tc := range []struct {
		exe  string
		args []string
		opts []recOpt
		want string
	}{
		{"/bin/sh", []string{"sh"}, []recOpt{c}, "Shell spawned in container"},
		{"/bin/bash", []string{"bash", "-i"}, []recOpt{c}, "Shell spawned in container"},
		{"/bin/sh", []string{"sh"}, nil, ""}, // host shell: container-scoped rule
		{"/usr/bin/apt-get", []string{"apt-get", "install", "curl"}, []recOpt{c}, "Package management process launched in container"},
		{"/usr/bin/apt-get", []string{"apt-get", "update"}, nil, ""}, // package manager on the host
		{"/tmp/xmrig", []string{"xmrig"}, nil, "Crypto miner executed"},
		{"/opt/x/kworker", []string{"kworker", "-o", "stratum+tcp://pool.example:3333"}, []recOpt{c}, "Crypto miner executed"},
		{"/bin/nc", []string{"nc", "127.0.0.1", "4444", "-e", "/bin/sh"}, []recOpt{c}, "Netcat remote code execution in container"},
		{"/bin/nc", []string{"nc", "-l", "-p", "8080"}, []recOpt{c}, ""}, // nc without -e
		{"/bin/nc", []string{"nc", "127.0.0.1", "4444", "-e", "/bin/sh"}, nil, ""},
		{"/dev/shm/x", []string{"x"}, []recOpt{c}, "Executable run from /tmp or /dev/shm in container"},
		{"/usr/sbin/nginx", []string{"nginx", "-g", "daemon off;"}, []recOpt{c}, ""}, // a normal entrypoint
		{"/bin/cat", []string{"cat", "/etc/hostname"}, []recOpt{c}, ""},
	} {
		// Each case in its own container: the shell rule throttles per container.
		opts := tc.opts
		if opts != nil {
			opts = append(opts, inContainer(fmt.Sprint("c", i), "web", "nginx:1"))
		}
		got := strings.Join(names(execRecord(tc.exe, tc.args, opts...).eval(e)), ",")
		if got != tc.want {
			t.Errorf("%s %v (container=%v): alerts %q, want %q", tc.exe, tc.args, tc.opts != nil, got, tc.want)
		}
	}
}

func TestAlertRecord(t *testing.T) {
	e := newEngine(t, true)
	r := execRecord("/bin/sh", []string{"sh", "-c", "id"}, inContainer("c1", "web", "nginx:1"))
	as := r.eval(e)
	if len(as) != 1 {
		t.Fatalf("alerts %v", names(as))
	}
	lr := plog.NewLogRecord()
	as[0].CopyTo(lr)
	if lr.EventName() != semconv.EventSecurityAlert || lr.SeverityNumber() != plog.SeverityNumberWarn3 || lr.SeverityText() != "medium" {
		t.Fatalf("event %q severity %v %q", lr.EventName(), lr.SeverityNumber(), lr.SeverityText())
	}
	if lr.TraceID() != r.lr.TraceID() || lr.SpanID() != r.lr.SpanID() || lr.Timestamp() != r.lr.Timestamp() || lr.ObservedTimestamp() == 0 {
		t.Fatalf("trace %v span %v ts %v", lr.TraceID(), lr.SpanID(), lr.Timestamp())
	}
	want := "Shell spawned in container web (image nginx:1): sh -c id (uid 1000, pid 4242, parent pid 4200, parent python3 /app/server.py)"
	if lr.Body().Str() != want {
		t.Fatalf("body %q\nwant %q", lr.Body().Str(), want)
	}
	a := lr.Attributes()
	// Every attribute of the triggering record is copied.
	for k, v := range r.lr.Attributes().All() {
		got, ok := a.Get(k)
		if !ok || !got.Equal(v) {
			t.Errorf("attribute %s: %v, want %v", k, got.AsRaw(), v.AsRaw())
		}
	}
	for k, v := range map[string]string{
		semconv.SecurityRuleName:        "Shell spawned in container",
		semconv.SecurityRuleUUID:        RuleUUID("Shell spawned in container"),
		semconv.SecurityRuleVersion:     "1",
		semconv.SecurityRuleRulesetName: DefaultRulesetName,
		semconv.SecurityRuleCategory:    "execution",
		semconv.SecurityRuleReference:   "https://attack.mitre.org/techniques/T1059/004/",
		semconv.VigilAlertEventName:     semconv.EventProcessExec,
	} {
		if got, _ := a.Get(k); got.Str() != v {
			t.Errorf("%s = %q, want %q", k, got.Str(), v)
		}
	}
	if d, _ := a.Get(semconv.SecurityRuleDescription); !strings.HasPrefix(d.Str(), "A shell was started") {
		t.Errorf("description %q", d.Str())
	}
	m, ok := a.Get(semconv.VigilMitreTechniqueID)
	if !ok || m.Type() != pcommon.ValueTypeSlice || m.Slice().Len() != 1 || m.Slice().At(0).Str() != "T1059.004" {
		t.Errorf("mitre %v", m.AsRaw())
	}
	if _, ok := a.Get(semconv.VigilAlertSuppressed); ok {
		t.Error("suppressed count on a first alert")
	}

	// EvaluateTo appends the same record.
	out := plog.NewLogRecordSlice()
	r2 := execRecord("/bin/sh", []string{"sh"}, inContainer("c2", "db", "pg"))
	if n := e.EvaluateTo(context.Background(), r2.rl, r2.sl, r2.lr, out); n != 1 || out.Len() != 1 || out.At(0).EventName() != semconv.EventSecurityAlert {
		t.Fatalf("EvaluateTo: %d alerts, %d records", n, out.Len())
	}
}

func TestOutputNeverFails(t *testing.T) {
	dir := t.TempDir()
	e := newEngine(t, false, writeFile(t, dir, "r.yaml", `
rules:
  - name: R
    severity: low
    events: [process.exec]
    condition: "true"
    output: 'a=%{attributes["nope"]} b=%{resource.attributes["container.name"]} c=%{attributes["process.pid"]} d=%{Int(attributes["process.executable.name"])} e=%{attributes["process.command_args"][7]} f=%%{literal} g=%{Concat([attributes["process.executable.name"], "!"], "")}'
`))
	as := execRecord("/bin/ls", []string{"ls", "-l"}).eval(e)
	want := "a=<NA> b=<NA> c=4242 d=<NA> e=<NA> f=%{literal} g=ls!"
	if len(as) != 1 || as[0].Message != want {
		t.Fatalf("message %q, want %q", as[0].Message, want)
	}
}

func TestEvaluationErrorsCounted(t *testing.T) {
	dir := t.TempDir()
	e := newEngine(t, false, writeFile(t, dir, "r.yaml", `
rules:
  - name: Broken at run time
    severity: low
    events: [process.exec]
    condition: attributes["process.command_args"][9] == "x"
  - name: Fine
    severity: low
    events: [process.exec]
    condition: "true"
`))
	as := execRecord("/bin/ls", []string{"ls"}).eval(e)
	if strings.Join(names(as), ",") != "Fine" {
		t.Fatalf("alerts %v", names(as))
	}
	st := e.Stats()
	if st.EvaluationErrors != 1 || st.Rules["Broken at run time"].Errors != 1 {
		t.Fatalf("stats %+v", st)
	}
}

const rateRule = `
rules:
  - name: Root burst
    severity: low
    events: [process.exec]
    condition: attributes["process.user.id"] == 0
    rate: {count: 3, window: 1m, per: %s}
`

func rateEngine(t *testing.T, per string) *Engine {
	return newEngine(t, false, writeFile(t, t.TempDir(), "r.yaml", strings.Replace(rateRule, "%s", per, 1)))
}

func TestRateRule(t *testing.T) {
	e := rateEngine(t, "container")
	t0 := time.Unix(1_800_000_000, 0)
	c1 := inContainer("c1", "a", "img")
	fire := func(c recOpt, d time.Duration) int {
		return len(execRecord("/bin/id", nil, c, uid(0), at(t0.Add(d))).eval(e))
	}
	// N=3 matches in the window: nothing; the 4th raises exactly one alert.
	total := 0
	for i := range 3 {
		total += fire(c1, time.Duration(i)*time.Second)
	}
	if total != 0 {
		t.Fatalf("alert before the threshold")
	}
	as := execRecord("/bin/id", nil, c1, uid(0), at(t0.Add(3*time.Second))).eval(e)
	if len(as) != 1 || as[0].RateCount != 4 {
		t.Fatalf("4th match: %d alerts (%+v)", len(as), as)
	}
	lr := plog.NewLogRecord()
	as[0].CopyTo(lr)
	if v, _ := lr.Attributes().Get(semconv.VigilAlertRateCount); v.Int() != 4 {
		t.Fatalf("rate count attribute %v", v.AsRaw())
	}
	// More matches in the same window: no second alert, counted as suppressed.
	for i := range 10 {
		total += fire(c1, 4*time.Second+time.Duration(i)*time.Second)
	}
	if total != 0 {
		t.Fatalf("%d extra alerts in the window", total)
	}
	// A non-matching event (uid 1000) is not counted.
	execRecord("/bin/id", nil, c1, at(t0.Add(5*time.Second))).eval(e)
	st := e.Stats().Rules["Root burst"]
	if st.Matches != 14 || st.Alerts != 1 || st.RatePending != 3 || st.Suppressed != 10 {
		t.Fatalf("stats %+v", st)
	}
	// After the window the count starts again: 3 spread over time do not fire...
	for i := range 3 {
		total += fire(c1, 70*time.Second+time.Duration(i)*25*time.Second)
	}
	if total != 0 {
		t.Fatalf("alert after window expiry with only 3 matches")
	}
	// ... matches older than the window do not count (sliding window).
	if fire(c1, 70*time.Second+75*time.Second) != 0 {
		t.Fatal("the match 75s earlier was still counted")
	}
	// ... but 4 within a window do.
	if fire(c1, 70*time.Second+76*time.Second)+fire(c1, 70*time.Second+77*time.Second) != 1 {
		t.Fatal("no alert after a fresh burst")
	}
}

func TestRatePerKey(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	burst := func(e *Engine) int {
		n := 0
		// Two containers of one image, 2 matches each: 4 in all.
		for i, c := range []recOpt{inContainer("c1", "a", "img"), inContainer("c2", "b", "img"), inContainer("c1", "a", "img"), inContainer("c2", "b", "img")} {
			n += len(execRecord("/bin/id", nil, c, uid(0), at(t0.Add(time.Duration(i)*time.Second))).eval(e))
		}
		return n
	}
	if n := burst(rateEngine(t, "container")); n != 0 {
		t.Fatalf("per container: %d alerts, want 0 (2 per container)", n)
	}
	if n := burst(rateEngine(t, "image")); n != 1 {
		t.Fatalf("per image: %d alerts, want 1", n)
	}
	if n := burst(rateEngine(t, "rule")); n != 1 {
		t.Fatalf("per rule: %d alerts, want 1", n)
	}
}

func TestThrottle(t *testing.T) {
	e := newEngine(t, true)
	t0 := time.Unix(1_800_000_000, 0)
	sh := func(c recOpt, d time.Duration) []Alert {
		return execRecord("/bin/sh", []string{"sh"}, c, at(t0.Add(d))).eval(e)
	}
	c1, c2 := inContainer("c1", "a", "img"), inContainer("c2", "b", "img")
	if len(sh(c1, 0)) != 1 {
		t.Fatal("first alert missing")
	}
	for i := 1; i <= 3; i++ {
		if len(sh(c1, time.Duration(i)*5*time.Second)) != 0 {
			t.Fatalf("alert %d not throttled", i)
		}
	}
	if len(sh(c2, 10*time.Second)) != 1 {
		t.Fatal("throttle is per container: c2 must alert")
	}
	as := sh(c1, 31*time.Second)
	if len(as) != 1 || as[0].Suppressed != 3 {
		t.Fatalf("after the throttle: %+v", as)
	}
	lr := plog.NewLogRecord()
	as[0].CopyTo(lr)
	if v, _ := lr.Attributes().Get(semconv.VigilAlertSuppressed); v.Int() != 3 {
		t.Fatalf("suppressed attribute %v", v.AsRaw())
	}
	st := e.Stats().Rules["Shell spawned in container"]
	if st.Matches != 6 || st.Alerts != 3 || st.Suppressed != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRecordWithoutTimestampUsesClock(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	e, err := New(Config{DefaultRuleset: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range 3 {
		now = now.Add(time.Duration(i) * 20 * time.Second)
		n += len(execRecord("/bin/sh", nil, inContainer("c1", "a", "i"), at(time.Time{}), func(r *rec) { r.lr.SetTimestamp(0) }).eval(e))
	}
	if n != 2 { // t=0 alerts, t=20s throttled, t=60s alerts
		t.Fatalf("%d alerts, want 2", n)
	}
}

// Evaluate runs while rules are reloaded (go test -race).
func TestConcurrentReload(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "r.yaml", "lists:\n  shells: {append: [x]}\n")
	e := newEngine(t, true, f)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := execRecord("/bin/sh", nil, inContainer("c1", "a", "i"))
		var dst []Alert
		for {
			select {
			case <-stop:
				return
			default:
				dst = e.Evaluate(context.Background(), r.rl, r.sl, r.lr, dst[:0])
				_ = e.Stats()
			}
		}
	}()
	for range 20 {
		if err := e.Reload(); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if e.Stats().ReloadsOK != 20 {
		t.Fatalf("reloads %d", e.Stats().ReloadsOK)
	}
}
