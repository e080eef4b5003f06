package runtimesecurityreceiver

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/vigil-sec/vigil/internal/dockertest"
)

const exitwith = "/usr/local/bin/exitwith"

func imageName(ref string) string { name, _, _ := strings.Cut(ref, ":"); return name }

// A docker exec'd command in a container that was running before the
// receiver started: container metadata, path, args, parent and exit code.
func TestExecInRunningContainer(t *testing.T) {
	c := dockertest.Run(t)
	h := startReceiver(t, nil)

	_, code := c.Exec(t, "/bin/sh", "-c", exitwith+` 7 "hello world"; exit $?`)
	require.Equal(t, 7, code)

	exec := h.waitRecord("exitwith exec", 10*time.Second, isExec(exitwith))
	assert.Equal(t, c.ID, exec.resAttr("container.id"))
	assert.Equal(t, c.Name, exec.resAttr("container.name"))
	assert.Equal(t, imageName(c.Image), exec.resAttr("container.image.name"))
	assert.Equal(t, "docker", exec.resAttr("container.runtime.name"))
	assert.NotEmpty(t, exec.resAttr("host.name"))
	assert.Equal(t, []string{exitwith, "7", "hello world"}, exec.args())
	assert.Equal(t, "exitwith", exec.attr("process.executable.name").Str())

	sh := h.waitRecord("sh exec", 5*time.Second, func(r record) bool {
		// The docker CLI on the host has the script in its args too.
		return r.lr.EventName() == "process.exec" && r.resAttr("container.id") == c.ID &&
			slices.Contains(r.args(), exitwith+` 7 "hello world"; exit $?`)
	})
	assert.Equal(t, sh.pid(), exec.attr("process.parent_pid").Int(), "exitwith's parent is the shell")
	assert.Equal(t, c.ID, sh.resAttr("container.id"))

	exit := h.waitRecord("exitwith exit", 5*time.Second, func(r record) bool {
		return r.lr.EventName() == "process.exit" && r.pid() == exec.pid()
	})
	assert.Equal(t, int64(7), exit.attr("process.exit.code").Int())
	assert.Equal(t, exec.lr.SpanID(), exit.lr.SpanID(), "exec and exit belong to one process span")
	assert.Equal(t, c.ID, exit.resAttr("container.id"))

	// The container's init predates the receiver: it was seeded from /proc
	// and its exit is still attributed to the container.
	initPID := int64(c.PID(t))
	c.Stop(t)
	initExit := h.waitRecord("container init exit", 15*time.Second, func(r record) bool {
		return r.lr.EventName() == "process.exit" && r.pid() == initPID
	})
	assert.Equal(t, c.ID, initExit.resAttr("container.id"))
	assert.True(t, initExit.attr("vigil.process.seeded").Bool(), "init was read from /proc")

	// Own telemetry counted what was read.
	got, err := h.telemetry.GetMetric("otelcol_vigil_events_read")
	require.NoError(t, err)
	assert.NotNil(t, got)
}

// The very first process of a new container is already attributed to it:
// identity is read in the kernel, not looked up after the fact.
func TestFirstProcessOfNewContainer(t *testing.T) {
	h := startReceiver(t, nil)
	c, code := dockertest.RunAndWait(t, "--", exitwith, "5", "first")
	require.Equal(t, 5, code)

	first := h.waitRecord("container entrypoint exec", 10*time.Second, func(r record) bool {
		return isExec(exitwith)(r) && slices.Contains(r.args(), "first")
	})
	assert.Equal(t, c.ID, first.resAttr("container.id"))
	assert.Equal(t, c.Name, first.resAttr("container.name"))
	assert.Equal(t, imageName(c.Image), first.resAttr("container.image.name"))

	exit := h.waitRecord("entrypoint exit", 10*time.Second, func(r record) bool {
		return r.lr.EventName() == "process.exit" && r.pid() == first.pid()
	})
	assert.Equal(t, int64(5), exit.attr("process.exit.code").Int())

	// Docker's own view of the container arrives as lifecycle records.
	h.waitRecord("container.start", 10*time.Second, func(r record) bool {
		return r.lr.EventName() == "container.start" && r.resAttr("container.id") == c.ID
	})
	stop := h.waitRecord("container.stop", 10*time.Second, func(r record) bool {
		return r.lr.EventName() == "container.stop" && r.resAttr("container.id") == c.ID
	})
	assert.Equal(t, int64(5), stop.attr("vigil.container.exit_code").Int())
}

// sh -c 'a; b | c' is one trace: the shell is the root span of the
// container's trace and each command is its child.
func TestShellPipelineIsATrace(t *testing.T) {
	c := dockertest.Run(t)
	h := startReceiver(t, nil)
	script := exitwith + " 0 a; " + exitwith + " 0 b | " + exitwith + " 0 c"
	_, code := c.Exec(t, "/bin/sh", "-c", script)
	require.Equal(t, 0, code)

	sh := h.waitRecord("sh exec", 10*time.Second, func(r record) bool {
		return r.lr.EventName() == "process.exec" && r.resAttr("container.id") == c.ID && slices.Contains(r.args(), script)
	})
	// The shell's parent (containerd-shim) is on the host: the shell roots
	// the container's trace.
	shSpan := h.waitSpan(sh.lr.SpanID(), 10*time.Second)
	assert.True(t, shSpan.s.ParentSpanID().IsEmpty(), "shell span is the trace root")
	assert.Equal(t, sh.lr.TraceID(), shSpan.s.TraceID())
	v, _ := shSpan.res.Get("container.id")
	assert.Equal(t, c.ID, v.Str())

	for _, name := range []string{"a", "b", "c"} {
		rec := h.waitRecord("exec "+name, 10*time.Second, func(r record) bool {
			return isExec(exitwith)(r) && slices.Equal(r.args(), []string{exitwith, "0", name})
		})
		assert.Equal(t, sh.pid(), rec.attr("process.parent_pid").Int(), "%s's parent", name)
		assert.Equal(t, sh.lr.TraceID(), rec.lr.TraceID(), "%s is in the container's trace", name)
		sp := h.waitSpan(rec.lr.SpanID(), 10*time.Second)
		assert.Equal(t, sh.lr.SpanID(), sp.s.ParentSpanID(), "%s's span is a child of the shell's", name)
		assert.Equal(t, rec.lr.TraceID(), sp.s.TraceID())
		assert.Equal(t, "exitwith", sp.s.Name())
		assert.Equal(t, ptrace.SpanKindInternal, sp.s.Kind())
		assert.False(t, sp.s.EndTimestamp() < sp.s.StartTimestamp())
	}
}

// With dockerd down, events keep flowing with container.id; once it is
// back, the metadata returns.
func TestDockerRestart(t *testing.T) {
	c := dockertest.Run(t, "--", "/bin/sh", "-c", "while true; do "+exitwith+" 0 tick; sleep 0.2; done")
	dockertest.StopDaemon(t)
	h := startReceiver(t, nil)

	start := time.Now()
	down := h.waitRecord("exec while dockerd is down", 10*time.Second, func(r record) bool {
		return isExec(exitwith)(r) && r.resAttr("container.id") == c.ID
	})
	assert.Equal(t, "false", down.resAttr("vigil.container.resolved"))
	assert.Empty(t, down.resAttr("container.name"))

	dockertest.StartDaemon(t)
	up := h.waitRecord("exec with metadata after restart", 30*time.Second, func(r record) bool {
		return isExec(exitwith)(r) && r.resAttr("container.id") == c.ID && r.resAttr("container.name") == c.Name
	})
	assert.Equal(t, "true", up.resAttr("vigil.container.resolved"))
	assert.True(t, up.lr.Timestamp().AsTime().After(start))
}

// Shutdown ends every open process span, marked still running.
func TestShutdownFlushesOpenSpans(t *testing.T) {
	c := dockertest.Run(t)
	h := startReceiver(t, nil)
	initPID := int64(c.PID(t))
	h.shutdown()
	var found bool
	for _, s := range h.spans() {
		pid, _ := s.s.Attributes().Get("process.pid")
		if pid.Int() == initPID {
			found = true
			running, _ := s.s.Attributes().Get("vigil.process.still_running")
			assert.True(t, running.Bool())
			v, _ := s.res.Get("container.id")
			assert.Equal(t, c.ID, v.Str())
		}
	}
	assert.True(t, found, "span of the container's init flushed at shutdown")
}
