package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
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
}

func (r *securityReceiver) emitExec(ev bpf.Event, p *process.Process) int {
	return r.batch.addLog(r.resourceOf(p.ContainerID), func(lr plog.LogRecord) {
		r.fillEventRecord(lr, ev, p, semconv.EventProcessExec,
			fmt.Sprintf("exec %s", commandLine(p)))
		a := lr.Attributes()
		if ev.ArgsTruncated {
			a.PutBool(semconv.VigilProcessArgsTruncated, true)
		}
	})
}

func (r *securityReceiver) emitExit(ev bpf.Event, p *process.Process) int {
	return r.batch.addLog(r.resourceOf(p.ContainerID), func(lr plog.LogRecord) {
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
	putKernel(a, ev)
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
	r.batch.addLog(res, func(lr plog.LogRecord) {
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
