package runtimesecurityreceiver

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/internal/dockertest"
)

func isAlert(rule string) func(record) bool {
	return func(r record) bool {
		return r.lr.EventName() == "security.alert" && r.attr("security_rule.name").Str() == rule
	}
}

// An alert names its rule, copies the event's attributes, carries the trace
// and span id of the process that caused it, and is a span event on that
// process's span.
func TestAlertLinksToProcessSpan(t *testing.T) {
	c := dockertest.Run(t)
	h := startReceiver(t, func(cfg *Config) {
		cfg.Rules.Files = []string{filepath.Join("testdata", "rules", "extra.yaml")}
	})
	_, code := c.Exec(t, exitwith, "0", "vigil-marker")
	require.Equal(t, 0, code)

	exec := h.waitRecord("marker exec", 10*time.Second, func(r record) bool {
		return isExec(exitwith)(r) && slices.Contains(r.args(), "vigil-marker")
	})
	alert := h.waitRecord("marker alert", 10*time.Second, isAlert("Test marker exec"))
	assert.Equal(t, exec.lr.TraceID(), alert.lr.TraceID())
	assert.Equal(t, exec.lr.SpanID(), alert.lr.SpanID())
	assert.Equal(t, c.ID, alert.resAttr("container.id"))
	assert.Equal(t, "test", alert.attr("security_rule.category").Str())
	assert.Equal(t, "test-extra", alert.attr("security_rule.ruleset.name").Str())
	assert.NotEmpty(t, alert.attr("security_rule.uuid").Str())
	assert.Equal(t, "process.exec", alert.attr("vigil.alert.event.name").Str())
	assert.Equal(t, exec.pid(), alert.pid(), "the event's attributes are copied")
	assert.Equal(t, "marker seen in "+exitwith, alert.lr.Body().Str())
	assert.Equal(t, "low", alert.lr.SeverityText())

	sp := h.waitSpan(exec.lr.SpanID(), 10*time.Second)
	require.Equal(t, 1, sp.s.Events().Len(), "the alert is a span event on the process span")
	ev := sp.s.Events().At(0)
	assert.Equal(t, "security.alert", ev.Name())
	name, _ := ev.Attributes().Get("security_rule.name")
	assert.Equal(t, "Test marker exec", name.Str())
}

// emit_events: false exports alerts only; the withheld events are counted.
func TestEmitEventsOff(t *testing.T) {
	c := dockertest.Run(t)
	h := startReceiver(t, func(cfg *Config) {
		cfg.EmitEvents = false
		cfg.Rules.Files = []string{filepath.Join("testdata", "rules", "extra.yaml")}
	})
	_, code := c.Exec(t, exitwith, "0", "vigil-marker")
	require.Equal(t, 0, code)
	h.waitRecord("marker alert", 10*time.Second, isAlert("Test marker exec"))
	for _, r := range h.records() {
		assert.Equal(t, "security.alert", r.lr.EventName(), "only alerts are exported: %s", r)
	}
	withheld, err := h.telemetry.GetMetric("otelcol_vigil_records_withheld")
	require.NoError(t, err)
	assert.NotNil(t, withheld)
}
