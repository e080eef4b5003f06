package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileDoc is one rule file as written.
type fileDoc struct {
	Ruleset string              `yaml:"ruleset"`
	Lists   map[string]listDoc  `yaml:"lists"`
	Macros  map[string]macroDoc `yaml:"macros"`
	Rules   []ruleDoc           `yaml:"rules"`
}

// listDoc is either a sequence (defines or replaces the list) or a mapping
// {append: [...]} that extends a list defined by an earlier file.
type listDoc struct {
	Items  []string
	Append bool
}

func (l *listDoc) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		return n.Decode(&l.Items)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "append":
				l.Append = true
				if err := v.Decode(&l.Items); err != nil {
					return err
				}
			case "items":
				if err := v.Decode(&l.Items); err != nil {
					return err
				}
			default:
				return fmt.Errorf("line %d: unknown list key %q (want a sequence, {items: [...]} or {append: [...]})", k.Line, k.Value)
			}
		}
		return nil
	default:
		return fmt.Errorf("line %d: a list is a sequence of strings, {items: [...]} or {append: [...]}", n.Line)
	}
}

// macroDoc is a condition fragment: a string, or {append: "..."} to extend
// an earlier definition with `or (...)`.
type macroDoc struct {
	Condition string
	Append    bool
}

func (m *macroDoc) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&m.Condition)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "append":
				m.Append = true
				if err := v.Decode(&m.Condition); err != nil {
					return err
				}
			case "condition":
				if err := v.Decode(&m.Condition); err != nil {
					return err
				}
			default:
				return fmt.Errorf("line %d: unknown macro key %q (want a string, {condition: ...} or {append: ...})", k.Line, k.Value)
			}
		}
		return nil
	default:
		return fmt.Errorf("line %d: a macro is an OTTL condition string", n.Line)
	}
}

// ruleDoc is one entry of `rules:`. Pointer fields tell "absent" from "zero"
// so that `{name: X, enabled: false}` is recognised as a toggle.
type ruleDoc struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Severity    string        `yaml:"severity"`
	Category    string        `yaml:"category"`
	MITRE       []string      `yaml:"mitre"`
	Reference   string        `yaml:"reference"`
	Events      []string      `yaml:"events"`
	Condition   string        `yaml:"condition"`
	Output      string        `yaml:"output"`
	Tags        []string      `yaml:"tags"`
	Enabled     *bool         `yaml:"enabled"`
	Version     string        `yaml:"version"`
	Rate        *rateDoc      `yaml:"rate"`
	Throttle    time.Duration `yaml:"throttle"`

	line int
}

type rateDoc struct {
	Count  int           `yaml:"count"`
	Window time.Duration `yaml:"window"`
	Per    string        `yaml:"per"`
}

// toggleOnly reports whether the entry only names a rule and sets enabled.
func (r *ruleDoc) toggleOnly() bool {
	return r.Enabled != nil && r.Description == "" && r.Severity == "" && r.Category == "" &&
		r.MITRE == nil && r.Reference == "" && r.Events == nil && r.Condition == "" &&
		r.Output == "" && r.Tags == nil && r.Version == "" && r.Rate == nil && r.Throttle == 0
}

// parseFile decodes one rule file strictly: unknown keys are errors.
func parseFile(data []byte) (*fileDoc, error) {
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &doc, nil // empty file
		}
		return nil, annotateYAMLError(data, err)
	}
	// Line numbers of rules, for error messages.
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil && len(root.Content) == 1 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "rules" && m.Content[i+1].Kind == yaml.SequenceNode {
				for j, n := range m.Content[i+1].Content {
					if j < len(doc.Rules) {
						doc.Rules[j].line = n.Line
					}
				}
			}
		}
	}
	return &doc, nil
}

var lineRE = regexp.MustCompile(`line (\d+): `)

// annotateYAMLError makes yaml's message name the rule a bad line is in.
func annotateYAMLError(data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "in type rules.ruleDoc", "in a rule")
	msg = strings.ReplaceAll(msg, "in type rules.fileDoc", "at the top level (want ruleset, lists, macros, rules)")
	msg = strings.ReplaceAll(msg, "in type rules.rateDoc", "in rate (want count, window, per)")
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) != 1 {
		return errors.New(msg)
	}
	type span struct {
		name       string
		start, end int
	}
	var spans []span
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "rules" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		items := m.Content[i+1].Content
		for j, n := range items {
			end := int(^uint(0) >> 1)
			if j+1 < len(items) {
				end = items[j+1].Line - 1
			}
			name := ""
			for k := 0; k+1 < len(n.Content); k += 2 {
				if n.Content[k].Value == "name" {
					name = n.Content[k+1].Value
				}
			}
			spans = append(spans, span{name, n.Line, end})
		}
	}
	msg = lineRE.ReplaceAllStringFunc(msg, func(s string) string {
		line, _ := strconv.Atoi(lineRE.FindStringSubmatch(s)[1])
		for _, sp := range spans {
			if line >= sp.start && line <= sp.end && sp.name != "" {
				return fmt.Sprintf("line %d: rule %q: ", line, sp.name)
			}
		}
		return s
	})
	return errors.New(msg)
}
