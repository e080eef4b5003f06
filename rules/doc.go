// Package rules is Vigil's detection engine: YAML rule files whose conditions
// are OTTL boolean expressions in the log context, evaluated against every
// event record the receiver produces, raising security.alert log records.
//
// A rule file holds named lists, macros (named condition fragments) and
// rules; files are applied in order (the embedded default ruleset first), so
// a later file can replace or disable a rule by name and append to a list.
// Every condition and output template is parsed and type-checked by OTTL when
// the rules are loaded; errors name the file, the rule and the problem.
//
// Rules are indexed by event name: a record is tested only against the rules
// that list its EventName. Rate rules ("more than N matches per container or
// image within a window") and per-container throttling keep a little state
// per rule. Rule files can be reloaded while Evaluate runs (Reload, Start); a
// bad reload keeps the last good rules.
//
// See README.md in this directory for the rule file format.
package rules // import "github.com/vigil-sec/vigil/rules"
