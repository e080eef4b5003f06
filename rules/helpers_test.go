package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/vigil-sec/vigil/semconv"
)

// rec is a record under its resource, as the receiver's batch holds it.
type rec struct {
	rl plog.ResourceLogs
	sl plog.ScopeLogs
	lr plog.LogRecord
}

type recOpt func(*rec)

func inContainer(id, name, image string) recOpt {
	return func(r *rec) {
		a := r.rl.Resource().Attributes()
		a.PutStr(semconv.ContainerID, id)
		a.PutStr(semconv.ContainerName, name)
		a.PutStr(semconv.ContainerImageName, image)
	}
}

func at(t time.Time) recOpt {
	return func(r *rec) { r.lr.SetTimestamp(pcommon.NewTimestampFromTime(t)) }
}

func uid(u int64) recOpt {
	return func(r *rec) { r.lr.Attributes().PutInt(semconv.ProcessUserID, u) }
}

// execRecord builds a realistic process.exec record like the receiver's.
func execRecord(exe string, args []string, opts ...recOpt) rec {
	logs := plog.NewLogs()
	r := rec{rl: logs.ResourceLogs().AppendEmpty()}
	r.rl.Resource().Attributes().PutStr(semconv.HostName, "host-1")
	r.sl = r.rl.ScopeLogs().AppendEmpty()
	r.sl.Scope().SetName("github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver")
	r.lr = r.sl.LogRecords().AppendEmpty()
	lr := r.lr
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Unix(1_800_000_000, 0)))
	lr.SetEventName(semconv.EventProcessExec)
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	lr.Body().SetStr("exec " + exe)
	lr.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	lr.SetSpanID(pcommon.SpanID{8, 7, 6, 5, 4, 3, 2, 1})
	a := lr.Attributes()
	a.PutInt(semconv.ProcessPID, 4242)
	a.PutInt(semconv.ProcessParentPID, 4200)
	a.PutStr(semconv.ProcessExecutablePath, exe)
	a.PutStr(semconv.ProcessExecutableName, filepath.Base(exe))
	s := a.PutEmptySlice(semconv.ProcessCommandArgs)
	for _, x := range args {
		s.AppendEmpty().SetStr(x)
	}
	a.PutInt(semconv.ProcessUserID, 1000)
	a.PutInt(semconv.ProcessRealUserID, 1000)
	a.PutInt(semconv.ProcessRealGroupID, 1000)
	a.PutStr(semconv.ProcessCreationTime, "2027-01-15T08:00:00Z")
	a.PutStr(semconv.VigilProcessExecID, "0807060504030201")
	a.PutStr(semconv.VigilEventType, "exec")
	a.PutInt(semconv.VigilCgroupID, 12345)
	a.PutInt(semconv.VigilPidNamespace, 4026531836)
	a.PutInt(semconv.VigilMntNamespace, 4026531840)
	a.PutInt(semconv.ProcessVpid, 42)
	a.PutBool(semconv.ProcessInteractive, false)
	a.PutStr(semconv.VigilProcessParentExecutablePath, "/usr/bin/python3")
	a.PutStr(semconv.VigilProcessParentExecutableName, "python3")
	a.PutStr(semconv.VigilProcessParentCommandLine, "python3 /app/server.py")
	for _, o := range opts {
		o(&r)
	}
	return r
}

func (r rec) eval(e *Engine) []Alert {
	return e.Evaluate(context.Background(), r.rl, r.sl, r.lr, nil)
}

func names(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Rule.Name)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func newEngine(t *testing.T, defaults bool, files ...string) *Engine {
	t.Helper()
	e, err := New(Config{DefaultRuleset: defaults, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// compileErr compiles the given file contents (no defaults) and returns the error.
func compileErr(t *testing.T, files ...string) error {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, f := range files {
		paths = append(paths, writeFile(t, dir, string(rune('a'+i))+".yaml", f))
	}
	_, err := New(Config{Files: paths})
	return err
}
