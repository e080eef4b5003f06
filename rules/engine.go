package rules

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/vigil-sec/vigil/semconv"
)

//go:embed default/*.yaml
var defaultFS embed.FS

// DefaultRulesetName is the ruleset name of the embedded default rules.
const DefaultRulesetName = "vigil-default"

// Config says where rules come from.
type Config struct {
	// DefaultRuleset loads the embedded default rules (rules/default/*.yaml)
	// before Files.
	DefaultRuleset bool
	// Files are rule files or directories (their *.yaml and *.yml files, in
	// lexical order), applied in order after the default rules.
	Files []string
	// Logger reports reloads; nil logs nothing.
	Logger *zap.Logger
	// Now is the clock used when a record has no timestamp (tests set it).
	Now func() time.Time
}

// Engine evaluates records against the loaded rules. Evaluate may run
// concurrently with Reload and Stats.
type Engine struct {
	cfg    Config
	logger *zap.Logger
	tel    component.TelemetrySettings
	now    func() time.Time

	cur atomic.Pointer[ruleset]

	mu       sync.Mutex // serialises loads; guards the maps below
	counters map[string]*counters
	windows  map[string]*window
	lastErr  error
	fp       uint64

	evaluations, evalErrors, reloadsOK, reloadsFailed atomic.Uint64

	runMu sync.Mutex
	stop  chan struct{}
	done  chan struct{}

	scratch sync.Pool
}

type ruleset struct {
	rules   []*compiledRule
	byEvent map[string][]*compiledRule // enabled rules by event name
}

type compiledRule struct {
	Rule
	cond   *ottl.Condition[tctx]
	output []segment
	ctr    *counters
	win    *window // nil without rate or throttle
}

// New loads the rules; any problem in any file is an error.
func New(cfg Config) (*Engine, error) {
	e := &Engine{
		cfg: cfg, logger: cfg.Logger, now: cfg.Now,
		counters: map[string]*counters{}, windows: map[string]*window{},
	}
	if e.logger == nil {
		e.logger = zap.NewNop()
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.tel = component.TelemetrySettings{Logger: e.logger}
	e.scratch.New = func() any { s := make([]Alert, 0, 4); return &s }
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fp = fingerprint(cfg.Files)
	rs, err := e.load()
	if err != nil {
		return nil, err
	}
	e.install(rs)
	return e, nil
}

func (e *Engine) load() (*ruleset, error) {
	var srcs []source
	if e.cfg.DefaultRuleset {
		def, err := readFS(defaultFS, "default", "rules/default/")
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, def...)
	}
	user, err := readSources(e.cfg.Files)
	if err != nil {
		return nil, err
	}
	return compile(append(srcs, user...), e.tel)
}

// install attaches counters and rate state (kept by rule name) and makes rs
// current. Called with e.mu held.
func (e *Engine) install(rs *ruleset) {
	windows := map[string]*window{}
	for _, r := range rs.rules {
		c := e.counters[r.Name]
		if c == nil {
			c = &counters{}
			e.counters[r.Name] = c
		}
		r.ctr = c
		if r.Rate == nil && r.Throttle == 0 {
			continue
		}
		w := e.windows[r.Name]
		if w == nil || !w.sameConfig(&r.Rule) {
			w = newWindow(&r.Rule)
		}
		r.win = w
		windows[r.Name] = w
	}
	e.windows = windows
	e.cur.Store(rs)
}

// Evaluate tests lr (a record of rl/sl) against the enabled rules listing its
// EventName and appends the alerts it raises to dst. A condition that fails
// to evaluate counts as an evaluation error and does not match.
func (e *Engine) Evaluate(ctx context.Context, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, dst []Alert) []Alert {
	e.evaluations.Add(1)
	rules := e.cur.Load().byEvent[lr.EventName()]
	if len(rules) == 0 {
		return dst
	}
	tc := ottllog.NewTransformContext(rl, sl, lr)
	defer tc.Close()
	for _, r := range rules {
		ok, err := r.cond.Eval(ctx, tc)
		if err != nil {
			r.ctr.errors.Add(1)
			e.evalErrors.Add(1)
			continue
		}
		if !ok {
			continue
		}
		r.ctr.matches.Add(1)
		var suppressed int64
		var rateCount int
		if r.win != nil {
			now := int64(lr.Timestamp())
			if now == 0 {
				now = e.now().UnixNano()
			}
			res := rl.Resource().Attributes()
			ckey := resourceStr(res, semconv.ContainerID)
			rkey := ckey
			if r.Rate != nil {
				switch r.Rate.Per {
				case PerImage:
					rkey = resourceStr(res, semconv.ContainerImageName)
				case PerRule:
					rkey = ""
				}
			}
			var emit bool
			emit, suppressed, rateCount = r.win.admit(r.ctr, rkey, ckey, now)
			if !emit {
				continue
			}
		}
		r.ctr.alerts.Add(1)
		dst = append(dst, Alert{
			Rule: &r.Rule, Record: lr, Message: render(ctx, r.output, tc),
			Suppressed: suppressed, RateCount: rateCount,
		})
	}
	return dst
}

// EvaluateTo is Evaluate appending the alerts as security.alert records to
// out. It returns the number of alerts.
func (e *Engine) EvaluateTo(ctx context.Context, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, out plog.LogRecordSlice) int {
	if len(e.cur.Load().byEvent[lr.EventName()]) == 0 {
		e.evaluations.Add(1)
		return 0
	}
	bp := e.scratch.Get().(*[]Alert)
	alerts := e.Evaluate(ctx, rl, sl, lr, (*bp)[:0])
	for _, a := range alerts {
		a.CopyTo(out.AppendEmpty())
	}
	n := len(alerts)
	clear(alerts)
	*bp = alerts[:0]
	e.scratch.Put(bp)
	return n
}

func resourceStr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// Reload rereads the rule files. On error the current rules stay in force,
// the error is logged, counted and kept for LastReloadError.
func (e *Engine) Reload() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reloadLocked(fingerprint(e.cfg.Files))
}

func (e *Engine) reloadLocked(fp uint64) error {
	e.fp = fp
	rs, err := e.load()
	if err != nil {
		e.reloadsFailed.Add(1)
		e.lastErr = err
		e.logger.Error("Rule reload failed; keeping the last good rules", zap.Error(err))
		return err
	}
	e.install(rs)
	e.reloadsOK.Add(1)
	e.lastErr = nil
	enabled := 0
	for _, r := range rs.rules {
		if r.Enabled {
			enabled++
		}
	}
	e.logger.Info("Rules reloaded", zap.Int("rules", len(rs.rules)), zap.Int("enabled", enabled))
	return nil
}

// LastReloadError is the error of the latest reload, nil if it succeeded.
func (e *Engine) LastReloadError() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastErr
}

// Start polls the rule files every interval and reloads when their content
// (or the set of files in a directory) changes. Shutdown stops it.
func (e *Engine) Start(interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("rules: reload interval must be positive, got %v", interval)
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.stop != nil {
		return errors.New("rules: engine already started")
	}
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go e.watch(interval, e.stop, e.done)
	return nil
}

func (e *Engine) watch(interval time.Duration, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			e.CheckReload()
		}
	}
}

// CheckReload reloads if the rule files changed since the last load; it
// reports whether it reloaded. Start calls it every interval.
func (e *Engine) CheckReload() (bool, error) {
	fp := fingerprint(e.cfg.Files)
	e.mu.Lock()
	defer e.mu.Unlock()
	if fp == e.fp {
		return false, nil
	}
	return true, e.reloadLocked(fp)
}

// Shutdown stops the reload loop started by Start and waits for it.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.stop == nil {
		return nil
	}
	close(e.stop)
	select {
	case <-e.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	e.stop, e.done = nil, nil
	return nil
}

// fingerprint hashes the names and contents of the rule files (and errors
// reading them), so any change, even one that keeps size and mtime, is seen.
func fingerprint(paths []string) uint64 {
	h := fnv.New64a()
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			files = files[:0]
			ents, _ := os.ReadDir(p)
			for _, en := range ents {
				if !en.IsDir() && isRuleFile(en.Name()) {
					files = append(files, filepath.Join(p, en.Name()))
				}
			}
			sort.Strings(files)
		}
		for _, f := range files {
			h.Write([]byte(f))
			h.Write([]byte{0})
			b, err := os.ReadFile(f)
			if err != nil {
				h.Write([]byte(err.Error()))
			}
			h.Write(b)
			h.Write([]byte{0})
		}
	}
	return h.Sum64()
}

// Stats are the engine's counters since New.
type Stats struct {
	Evaluations      uint64 // records evaluated (including those no rule applies to)
	EvaluationErrors uint64 // condition evaluations that failed
	ReloadsOK        uint64 // successful reloads (not counting New)
	ReloadsFailed    uint64
	RulesLoaded      int
	RulesEnabled     int
	Rules            map[string]RuleStats // by rule name, loaded rules only
}

// RuleStats are one rule's counters.
type RuleStats struct {
	Matches     uint64 // condition true
	Alerts      uint64 // alerts raised
	Suppressed  uint64 // matches dropped by the throttle or after a rate alert in the same window
	RatePending uint64 // matches counted toward a rate threshold without raising an alert
	Errors      uint64 // condition evaluation errors
}

// Stats returns a snapshot of the counters.
func (e *Engine) Stats() Stats {
	rs := e.cur.Load()
	s := Stats{
		Evaluations: e.evaluations.Load(), EvaluationErrors: e.evalErrors.Load(),
		ReloadsOK: e.reloadsOK.Load(), ReloadsFailed: e.reloadsFailed.Load(),
		RulesLoaded: len(rs.rules), Rules: make(map[string]RuleStats, len(rs.rules)),
	}
	for _, r := range rs.rules {
		if r.Enabled {
			s.RulesEnabled++
		}
		s.Rules[r.Name] = RuleStats{
			Matches: r.ctr.matches.Load(), Alerts: r.ctr.alerts.Load(), Suppressed: r.ctr.suppressed.Load(),
			RatePending: r.ctr.ratePending.Load(), Errors: r.ctr.errors.Load(),
		}
	}
	return s
}

// Rules returns the loaded rules (enabled or not) in file order.
func (e *Engine) Rules() []Rule {
	rs := e.cur.Load()
	out := make([]Rule, len(rs.rules))
	for i, r := range rs.rules {
		out[i] = r.Rule
	}
	return out
}

// Events returns the event names at least one enabled rule applies to, so a
// caller can skip records no rule can match.
func (e *Engine) Events() []string {
	return sortedKeys(e.cur.Load().byEvent)
}
