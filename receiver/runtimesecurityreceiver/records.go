package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"context"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/container"
	"github.com/vigil-sec/vigil/process"
	"github.com/vigil-sec/vigil/semconv"
)

// resourceOf returns the resource a container's records go under: the
// Docker metadata when the resolver knows it, at least container.id, and the
// host resource for host processes.
func (r *securityReceiver) resourceOf(containerID string) resource {
	if containerID == "" {
		return resource{fill: func(res pcommon.Resource) {
			res.Attributes().PutStr(semconv.HostName, r.hostName)
		}}
	}
	info := container.Info{ID: containerID}
	if r.resolver != nil {
		info = r.resolver.Lookup(containerID)
	}
	key := containerID
	if !info.Resolved {
		// Keep unresolved records apart so a batch never mixes the two shapes.
		key += "/unresolved"
	}
	return resource{key: key, fill: func(res pcommon.Resource) { fillContainerResource(res, r.hostName, info) }}
}

func fillContainerResource(res pcommon.Resource, hostName string, info container.Info) {
	a := res.Attributes()
	a.PutStr(semconv.HostName, hostName)
	a.PutStr(semconv.ContainerID, info.ID)
	a.PutBool(semconv.VigilContainerResolved, info.Resolved)
	if !info.Resolved {
		return
	}
	putNonEmpty(a, semconv.ContainerName, info.Name)
	putNonEmpty(a, semconv.ContainerImageName, info.ImageName)
	if len(info.ImageTags) > 0 {
		tags := a.PutEmptySlice(semconv.ContainerImageTags)
		for _, t := range info.ImageTags {
			tags.AppendEmpty().SetStr(t)
		}
	}
	putNonEmpty(a, semconv.ContainerImageID, info.ImageID)
	putNonEmpty(a, semconv.ContainerRuntimeName, info.Runtime)
	putNonEmpty(a, semconv.ContainerLabelComposeProject, info.ComposeProject)
	putNonEmpty(a, semconv.ContainerLabelComposeService, info.ComposeService)
}

func putNonEmpty(a pcommon.Map, key, v string) {
	if v != "" {
		a.PutStr(key, v)
	}
}

// putProcess sets the process.* attributes shared by logs and spans.
func putProcess(a pcommon.Map, p *process.Process) {
	a.PutInt(semconv.ProcessPID, int64(p.PID))
	a.PutInt(semconv.ProcessParentPID, int64(p.PPID))
	if p.Exe != "" {
		a.PutStr(semconv.ProcessExecutablePath, p.Exe)
		a.PutStr(semconv.ProcessExecutableName, path.Base(p.Exe))
	}
	if len(p.Args) > 0 {
		args := a.PutEmptySlice(semconv.ProcessCommandArgs)
		args.EnsureCapacity(len(p.Args))
		for _, s := range p.Args {
			args.AppendEmpty().SetStr(s)
		}
	}
	a.PutInt(semconv.ProcessUserID, int64(p.EUID))
	a.PutInt(semconv.ProcessRealUserID, int64(p.UID))
	a.PutInt(semconv.ProcessRealGroupID, int64(p.GID))
	if !p.StartTime.IsZero() {
		a.PutStr(semconv.ProcessCreationTime, p.StartTime.UTC().Format(time.RFC3339Nano))
	}
	a.PutStr(semconv.VigilProcessExecID, hex.EncodeToString(p.SpanID[:]))
	if p.Seeded {
		a.PutBool(semconv.VigilProcessSeeded, true)
	}
}

// putKernel sets what only the kernel event knows.
func putKernel(a pcommon.Map, ev bpf.Event) {
	a.PutStr(semconv.VigilEventType, ev.Type.String())
	if ev.CgroupID != 0 {
		a.PutInt(semconv.VigilCgroupID, int64(ev.CgroupID))
	}
	a.PutInt(semconv.VigilPidNamespace, int64(ev.PidNS))
	a.PutInt(semconv.VigilMntNamespace, int64(ev.MntNS))
	if ev.VPID != 0 {
		// The pid inside the process's pid namespace: 1 is a container's init.
		a.PutInt(semconv.ProcessVpid, int64(ev.VPID))
	}
}

// addEvent buffers an event record: evaluated by the rules, exported unless
// emit_events is off (then counted as withheld).
func (r *securityReceiver) addEvent(res resource, fill func(plog.LogRecord)) int {
	if !r.cfg.EmitEvents {
		r.telemetry.VigilRecordsWithheld.Add(context.Background(), 1)
	}
	return r.batch.addLog(res, fill, r.ruleEval(), r.cfg.EmitEvents)
}

func (r *securityReceiver) emitExec(ev bpf.Event, p *process.Process) int {
	drift := r.drift.drifted(p.ContainerID, p.Exe)
	return r.addEvent(r.resourceOf(p.ContainerID), func(lr plog.LogRecord) {
		r.fillEventRecord(lr, ev, p, semconv.EventProcessExec,
			fmt.Sprintf("exec %s", commandLine(p)))
		a := lr.Attributes()
		a.PutBool(semconv.ProcessInteractive, ev.Interactive)
		if drift {
			// The container wrote this file or made it executable itself.
			a.PutBool(semconv.VigilProcessExecutableDrift, true)
		}
		if ev.ArgsTruncated {
			a.PutBool(semconv.VigilProcessArgsTruncated, true)
		}
		if ev.ExeMemfd {
			a.PutBool(semconv.VigilProcessExecutableMemfd, true)
		}
		if ev.ExeDeleted {
			a.PutBool(semconv.VigilProcessExecutableDeleted, true)
		}
		if ev.StdinSocket || ev.StdoutSocket {
			// stdin or stdout on an IPv4/IPv6 socket: reverse shells.
			a.PutBool(semconv.VigilProcessStdioSocket, true)
		}
	})
}

func (r *securityReceiver) emitExit(ev bpf.Event, p *process.Process) int {
	return r.addEvent(r.resourceOf(p.ContainerID), func(lr plog.LogRecord) {
		body := fmt.Sprintf("exit %s code=%d", commandLine(p), ev.ExitCode)
		if ev.ExitSignal != 0 {
			body = fmt.Sprintf("exit %s signal=%d", commandLine(p), ev.ExitSignal)
		}
		r.fillEventRecord(lr, ev, p, semconv.EventProcessExit, body)
		a := lr.Attributes()
		a.PutInt(semconv.ProcessExitCode, int64(ev.ExitCode))
		if ev.ExitSignal != 0 {
			a.PutInt(semconv.VigilProcessExitSignal, int64(ev.ExitSignal))
		}
	})
}

func (r *securityReceiver) fillEventRecord(lr plog.LogRecord, ev bpf.Event, p *process.Process, name, body string) {
	lr.SetTimestamp(pcommon.NewTimestampFromTime(r.clock.wall(ev.TimeNs)))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.SetEventName(name)
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	lr.Body().SetStr(body)
	lr.SetTraceID(pcommon.TraceID(p.TraceID))
	lr.SetSpanID(pcommon.SpanID(p.SpanID))
	a := lr.Attributes()
	putProcess(a, p)
	r.putParent(a, p)
	putKernel(a, ev)
}

// putParent names the parent process, as rules about who spawned what
// (a shell from a web server, a payload piped into sh) need.
func (r *securityReceiver) putParent(a pcommon.Map, p *process.Process) {
	if r.table == nil { // not started (benchmarks build records directly)
		return
	}
	parent, ok := r.table.Lookup(p.Parent.PID, p.Parent.StartTicks)
	if !ok || parent.Exe == "" {
		return
	}
	a.PutStr(semconv.VigilProcessParentExecutablePath, parent.Exe)
	a.PutStr(semconv.VigilProcessParentExecutableName, path.Base(parent.Exe))
	if len(parent.Args) > 0 {
		a.PutStr(semconv.VigilProcessParentCommandLine, strings.Join(parent.Args, " "))
	}
}

// emitSpan sends a process's span: exec (or fork) to exit. stillRunning marks
// spans ended by Vigil (shutdown, eviction) rather than by the process.
func (r *securityReceiver) emitSpan(p *process.Process, end time.Time, stillRunning bool) {
	if p == nil {
		return
	}
	r.batch.addSpan(r.resourceOf(p.ContainerID), func(s ptrace.Span) {
		s.SetTraceID(pcommon.TraceID(p.TraceID))
		s.SetSpanID(pcommon.SpanID(p.SpanID))
		if p.ParentSpanID != ([8]byte{}) {
			s.SetParentSpanID(pcommon.SpanID(p.ParentSpanID))
		}
		s.SetName(spanName(p))
		s.SetKind(ptrace.SpanKindInternal)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(p.SpanStart))
		if end.Before(p.SpanStart) {
			end = p.SpanStart
		}
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
		addSpanAlerts(s, r.spanAlerts.take(s.SpanID()))
		a := s.Attributes()
		putProcess(a, p)
		if stillRunning {
			a.PutBool(semconv.VigilProcessStillRunning, true)
			return
		}
		a.PutInt(semconv.ProcessExitCode, int64(p.ExitCode))
		if p.ExitSignal != 0 {
			a.PutInt(semconv.VigilProcessExitSignal, int64(p.ExitSignal))
			s.Status().SetCode(ptrace.StatusCodeError)
			s.Status().SetMessage(fmt.Sprintf("killed by signal %d", p.ExitSignal))
		}
	})
}

// emitLifecycle turns a Docker start/stop into a container.start or
// container.stop record under the container's resource.
func (r *securityReceiver) emitLifecycle(l container.Lifecycle) {
	name := semconv.EventContainerStart
	if l.Action == "stop" {
		name = semconv.EventContainerStop
	}
	res := resource{key: l.Info.ID, fill: func(res pcommon.Resource) { fillContainerResource(res, r.hostName, l.Info) }}
	if !l.Info.Resolved {
		res.key += "/unresolved"
	}
	r.addEvent(res, func(lr plog.LogRecord) {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(l.Time))
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.SetEventName(name)
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
		lr.Body().SetStr(fmt.Sprintf("%s %s (%s)", name, l.Info.Name, l.Info.ImageName))
		if l.Action == "stop" {
			lr.Attributes().PutInt(semconv.VigilContainerExitCode, int64(l.ExitCode))
		}
	})
}

func spanName(p *process.Process) string {
	if p.Exe != "" {
		return path.Base(p.Exe)
	}
	if p.Comm != "" {
		return p.Comm
	}
	return fmt.Sprintf("pid %d", p.PID)
}

// commandLine renders argv for a one-line body; the attributes keep it exact.
func commandLine(p *process.Process) string {
	if len(p.Args) == 0 {
		if p.Exe != "" {
			return p.Exe
		}
		return "[" + p.Comm + "]" // a fork that never exec'd, seen without its parent
	}
	return strings.Join(p.Args, " ")
}
