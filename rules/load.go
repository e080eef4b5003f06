package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
)

// Severities, from least to most severe, and the LogRecord severity number
// each maps to.
var severities = map[string]plog.SeverityNumber{
	"informational": plog.SeverityNumberInfo,
	"info":          plog.SeverityNumberInfo,
	"low":           plog.SeverityNumberWarn,
	"medium":        plog.SeverityNumberWarn3,
	"high":          plog.SeverityNumberError,
	"critical":      plog.SeverityNumberFatal,
}

// Rate keys: what a rate rule counts matches per.
const (
	PerContainer = "container" // resource container.id ("" for host processes)
	PerImage     = "image"     // resource container.image.name
	PerRule      = "rule"      // one counter for the whole rule
)

// ruleNamespace is the UUID namespace of security_rule.uuid: a rule's uuid is
// UUIDv5(ruleNamespace, name), so it is stable across versions and hosts.
var ruleNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/vigil-sec/vigil/rules"))

// RuleUUID returns the stable security_rule.uuid of a rule name.
func RuleUUID(name string) string { return uuid.NewSHA1(ruleNamespace, []byte(name)).String() }

// Rule is a loaded rule as the files define it (after overrides).
type Rule struct {
	Name           string
	Description    string
	Severity       string // as written, lower case
	SeverityNumber plog.SeverityNumber
	Category       string
	MITRE          []string
	Reference      string
	Events         []string
	Condition      string // as written
	Expanded       string // after list and macro expansion: what OTTL parsed
	Output         string
	Tags           []string
	Enabled        bool
	Version        string
	UUID           string
	Ruleset        string // the defining file's ruleset name
	Source         string // the defining file
	Rate           *Rate
	Throttle       time.Duration
}

// Rate is a rule's threshold: more than Count matches per key within Window
// raise one alert.
type Rate struct {
	Count  int
	Window time.Duration
	Per    string
}

// source is one rule file's content and the name errors use for it.
type source struct {
	name string
	data []byte
}

// readSources expands paths (files, or directories whose *.yaml and *.yml
// files are read in lexical order) into sources.
func readSources(paths []string) ([]source, error) {
	var out []source
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files := []string{p}
		if st.IsDir() {
			files = files[:0]
			ents, err := os.ReadDir(p)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, e := range ents {
				if !e.IsDir() && isRuleFile(e.Name()) {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, source{name: f, data: b})
		}
	}
	return out, errors.Join(errs...)
}

func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// readFS reads every rule file of an fs.FS directory in lexical order.
func readFS(fsys fs.FS, dir, prefix string) ([]source, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var out []source
	for _, e := range ents {
		if e.IsDir() || !isRuleFile(e.Name()) {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, source{name: prefix + e.Name(), data: b})
	}
	return out, nil
}

type listDef struct {
	items []string
	file  string
}

type macroDef struct {
	cond string
	file string
}

type ruleDef struct {
	doc     ruleDoc
	file    string
	ruleset string
}

// merged is every file applied in order, before compilation.
type merged struct {
	lists  map[string]*listDef
	macros map[string]*macroDef
	rules  []*ruleDef
	index  map[string]int
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func merge(srcs []source) (*merged, []error) {
	m := &merged{lists: map[string]*listDef{}, macros: map[string]*macroDef{}, index: map[string]int{}}
	var errs []error
	for _, src := range srcs {
		doc, err := parseFile(src.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.name, err))
			continue
		}
		ruleset := doc.Ruleset
		if ruleset == "" {
			ruleset = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(src.name), ".yaml"), ".yml")
		}
		for _, name := range sortedKeys(doc.Lists) {
			l := doc.Lists[name]
			if !nameRE.MatchString(name) {
				errs = append(errs, fmt.Errorf("%s: list %q: invalid name", src.name, name))
				continue
			}
			if l.Append {
				old, ok := m.lists[name]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: list %q: append to a list no earlier file defines", src.name, name))
					continue
				}
				old.items = append(append([]string(nil), old.items...), l.Items...)
				continue
			}
			m.lists[name] = &listDef{items: l.Items, file: src.name}
		}
		for _, name := range sortedKeys(doc.Macros) {
			md := doc.Macros[name]
			if !nameRE.MatchString(name) {
				errs = append(errs, fmt.Errorf("%s: macro %q: invalid name", src.name, name))
				continue
			}
			if strings.TrimSpace(md.Condition) == "" {
				errs = append(errs, fmt.Errorf("%s: macro %q: empty condition", src.name, name))
				continue
			}
			if md.Append {
				old, ok := m.macros[name]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: macro %q: append to a macro no earlier file defines", src.name, name))
					continue
				}
				m.macros[name] = &macroDef{cond: "(" + old.cond + ") or (" + md.Condition + ")", file: src.name}
				continue
			}
			m.macros[name] = &macroDef{cond: md.Condition, file: src.name}
		}
		seen := map[string]bool{}
		for i := range doc.Rules {
			rd := doc.Rules[i]
			where := fmt.Sprintf("%s: rule #%d (line %d)", src.name, i+1, rd.line)
			if rd.Name == "" {
				errs = append(errs, fmt.Errorf("%s: missing name", where))
				continue
			}
			if seen[rd.Name] {
				errs = append(errs, fmt.Errorf("%s: rule %q: defined twice in the file", src.name, rd.Name))
				continue
			}
			seen[rd.Name] = true
			idx, exists := m.index[rd.Name]
			if rd.toggleOnly() {
				if !exists {
					errs = append(errs, fmt.Errorf("%s: rule %q: enabled set on a rule no earlier file defines", src.name, rd.Name))
					continue
				}
				m.rules[idx].doc.Enabled = rd.Enabled
				continue
			}
			def := &ruleDef{doc: rd, file: src.name, ruleset: ruleset}
			if exists {
				m.rules[idx] = def // full replacement, same position
				continue
			}
			m.index[rd.Name] = len(m.rules)
			m.rules = append(m.rules, def)
		}
	}
	return m, errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var refRE = regexp.MustCompile(`\$\{([a-z]+):([^}]*)\}`)

// expander expands ${list:name} and ${macro:name} references.
type expander struct {
	m      *merged
	done   map[string]string // expanded macros
	failed map[string]error
}

func (x *expander) expand(s string, stack []string) (string, error) {
	var errs []error
	out := refRE.ReplaceAllStringFunc(s, func(ref string) string {
		sm := refRE.FindStringSubmatch(ref)
		kind, name := sm[1], sm[2]
		switch kind {
		case "list":
			l, ok := x.m.lists[name]
			if !ok {
				errs = append(errs, fmt.Errorf("unknown list %q", name))
				return ref
			}
			return listLiteral(l.items)
		case "macro":
			body, err := x.macro(name, stack)
			if err != nil {
				errs = append(errs, err)
				return ref
			}
			return "(" + body + ")"
		default:
			errs = append(errs, fmt.Errorf("unknown reference %s (want ${list:name} or ${macro:name})", ref))
			return ref
		}
	})
	if len(errs) == 0 && strings.Contains(out, "${") {
		errs = append(errs, errors.New("malformed reference: \"${\" not followed by list:name} or macro:name}"))
	}
	return out, errors.Join(errs...)
}

func (x *expander) macro(name string, stack []string) (string, error) {
	for i, s := range stack {
		if s == name {
			return "", fmt.Errorf("macro cycle: %s", strings.Join(append(append([]string(nil), stack[i:]...), name), " -> "))
		}
	}
	if body, ok := x.done[name]; ok {
		return body, nil
	}
	if err, ok := x.failed[name]; ok {
		return "", err
	}
	md, ok := x.m.macros[name]
	if !ok {
		return "", fmt.Errorf("unknown macro %q", name)
	}
	body, err := x.expand(md.cond, append(stack, name))
	if err != nil {
		// A cycle is reported once per macro on it; other errors name the macro.
		if !strings.HasPrefix(err.Error(), "macro ") {
			err = fmt.Errorf("macro %q: %w", name, err)
		}
		if len(stack) == 0 {
			x.failed[name] = err
		}
		return "", err
	}
	x.done[name] = body
	return body, nil
}

// listLiteral renders items as an OTTL list literal of strings.
func listLiteral(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	b.WriteByte(']')
	return b.String()
}

// compile merges, expands and compiles sources into a ruleset. It returns
// every problem found, each naming its file and rule.
func compile(srcs []source, set component.TelemetrySettings) (*ruleset, error) {
	m, errs := merge(srcs)
	parser, err := ottllog.NewParser(functions(), set)
	if err != nil {
		return nil, err
	}
	x := &expander{m: m, done: map[string]string{}, failed: map[string]error{}}
	// Macros are conditions on their own: check each where it is defined.
	for _, name := range sortedKeys(m.macros) {
		md := m.macros[name]
		body, err := x.macro(name, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", md.file, err))
			continue
		}
		if _, err := parser.ParseCondition(body); err != nil {
			errs = append(errs, fmt.Errorf("%s: macro %q: %w", md.file, name, err))
		}
	}
	rs := &ruleset{byEvent: map[string][]*compiledRule{}}
	for _, def := range m.rules {
		cr, rerrs := compileRule(def, x, &parser)
		for _, e := range rerrs {
			errs = append(errs, fmt.Errorf("%s: rule %q: %w", def.file, def.doc.Name, e))
		}
		if len(rerrs) > 0 {
			continue
		}
		rs.rules = append(rs.rules, cr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(dedupe(errs)...)
	}
	for _, cr := range rs.rules {
		if !cr.Enabled {
			continue
		}
		for _, ev := range cr.Events {
			rs.byEvent[ev] = append(rs.byEvent[ev], cr)
		}
	}
	return rs, nil
}

func compileRule(def *ruleDef, x *expander, parser *ottl.Parser[tctx]) (*compiledRule, []error) {
	d := def.doc
	var errs []error
	r := Rule{
		Name: d.Name, Description: d.Description, Category: d.Category, MITRE: d.MITRE,
		Reference: d.Reference, Events: d.Events, Condition: d.Condition, Output: d.Output,
		Tags: d.Tags, Enabled: d.Enabled == nil || *d.Enabled, Version: d.Version,
		UUID: RuleUUID(d.Name), Ruleset: def.ruleset, Source: def.file, Throttle: d.Throttle,
	}
	if r.Version == "" {
		r.Version = "1"
	}
	r.Severity = strings.ToLower(d.Severity)
	sev, ok := severities[r.Severity]
	if !ok {
		errs = append(errs, fmt.Errorf("severity: %q is not one of informational, low, medium, high, critical", d.Severity))
	}
	r.SeverityNumber = sev
	if len(d.Events) == 0 {
		errs = append(errs, errors.New("events: at least one event name is required"))
	}
	for _, ev := range d.Events {
		if ev == "" {
			errs = append(errs, errors.New("events: empty event name"))
		}
	}
	if d.Throttle < 0 {
		errs = append(errs, errors.New("throttle: must not be negative"))
	}
	if d.Rate != nil {
		per := d.Rate.Per
		if per == "" {
			per = PerContainer
		}
		switch {
		case d.Rate.Count < 1:
			errs = append(errs, errors.New("rate: count must be at least 1"))
		case d.Rate.Window <= 0:
			errs = append(errs, errors.New("rate: window must be a positive duration, e.g. 1m"))
		case per != PerContainer && per != PerImage && per != PerRule:
			errs = append(errs, fmt.Errorf("rate: per is %q, want container, image or rule", per))
		}
		r.Rate = &Rate{Count: d.Rate.Count, Window: d.Rate.Window, Per: per}
	}
	cr := &compiledRule{Rule: r}
	if strings.TrimSpace(d.Condition) == "" {
		errs = append(errs, errors.New("condition: missing"))
	} else if exp, err := x.expand(d.Condition, nil); err != nil {
		errs = append(errs, fmt.Errorf("condition: %w", err))
	} else {
		cr.Expanded = exp
		cond, err := parser.ParseCondition(exp)
		if err != nil {
			errs = append(errs, fmt.Errorf("condition: %w", err))
		}
		cr.cond = cond
	}
	out := d.Output
	if out == "" {
		out = d.Name
	}
	tmpl, err := parseTemplate(out, parser)
	if err != nil {
		errs = append(errs, fmt.Errorf("output: %w", err))
	}
	cr.output = tmpl
	return cr, errs
}

func defaultTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{Logger: zap.NewNop()}
}

// dedupe drops repeated messages (a macro cycle is found from every macro on it).
func dedupe(errs []error) []error {
	seen := map[string]bool{}
	out := errs[:0]
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return out
}
