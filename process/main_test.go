package process

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-sec/vigil/bpf"
)

// The table starts no goroutines; goleak proves the tests don't either.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testBoot = "8c1d3c1e-5b8e-4c1a-9d1e-2f7b6a0e4c11"

var testBootTime = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)

// ms converts milliseconds since boot to the kernel's nanoseconds.
func ms(v uint64) uint64 { return v * 1_000_000 }

func newTestTable(mod func(*Config)) *Table {
	cfg := Config{BootID: testBoot, BootTime: testBootTime}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg)
}

// proc is a test process: who it is and who its parent is.
type proc struct {
	pid, ppid         uint32
	startNs, pstartNs uint64
	cgroup            string
}

func (p proc) fork(child uint32, childStartNs uint64) bpf.Event {
	return bpf.Event{
		Type: bpf.EventFork, TimeNs: childStartNs,
		PID: p.pid, PPID: p.ppid, StartTimeNs: p.startNs, ParentStartTimeNs: p.pstartNs,
		CgroupName: p.cgroup, Comm: "parent",
		ChildPID: child, ChildStartTimeNs: childStartNs,
	}
}

func (p proc) exec(atNs uint64, filename string, args ...string) bpf.Event {
	return bpf.Event{
		Type: bpf.EventExec, TimeNs: atNs,
		PID: p.pid, PPID: p.ppid, StartTimeNs: p.startNs, ParentStartTimeNs: p.pstartNs,
		CgroupName: p.cgroup, Comm: filename,
		Filename: filename, Args: append([]string{filename}, args...),
	}
}

func (p proc) exit(atNs uint64, code int32, sig uint32) bpf.Event {
	return bpf.Event{
		Type: bpf.EventExit, TimeNs: atNs,
		PID: p.pid, PPID: p.ppid, StartTimeNs: p.startNs, ParentStartTimeNs: p.pstartNs,
		CgroupName: p.cgroup, ExitCode: code, ExitSignal: sig,
	}
}

// child returns the process p creates at startNs.
func (p proc) child(pid uint32, startNs uint64) proc {
	return proc{pid: pid, ppid: p.pid, startNs: startNs, pstartNs: p.startNs, cgroup: p.cgroup}
}
