package bpf

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/vigil-sec/vigil/internal/testenv"
	"go.uber.org/zap/zaptest"
)

// collector reads events in the background so tests can wait for the ones
// they caused among everything else the host does.
type collector struct {
	mu     sync.Mutex
	events []Event
	errs   []error
	done   chan struct{}
}

func loadForTest(t *testing.T, cfg Config) (*Probes, *collector) {
	t.Helper()
	testenv.RequireBPF(t)
	if cfg.PinPath == "" {
		cfg.PinPath = fmt.Sprintf("/sys/fs/bpf/vigil-test-%d", os.Getpid())
	}
	processOnly := cfg.ProbeSets == nil
	if processOnly {
		cfg.ProbeSets = []string{ProbeSetProcess}
	}
	p, err := Load(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	c := &collector{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			ev, err := p.Read()
			if errors.Is(err, ErrClosed) {
				return
			}
			c.mu.Lock()
			if err != nil {
				c.errs = append(c.errs, err)
			} else {
				c.events = append(c.events, ev)
			}
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		<-c.done
		if _, err := os.Stat(filepath.Join(cfg.PinPath, "events_sent")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("pin left behind after Close: %v", err)
		}
		if _, err := os.Stat(cfg.PinPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("empty pin directory left behind after Close: %v", err)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, err := range c.errs {
			t.Errorf("Read: %v", err)
		}
	})
	if got := p.Attached(); processOnly && len(got) != 3 {
		t.Fatalf("Attached() = %v, Skipped() = %v; want all three process hooks", got, p.Skipped())
	}
	return p, c
}

// waitFor returns the first event matching match, failing after a timeout.
func (c *collector) waitFor(t *testing.T, what string, match func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, ev := range c.events {
			if match(ev) {
				c.mu.Unlock()
				return ev
			}
		}
		c.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s event within 5s", what)
	return Event{}
}

// snapshot returns the events read so far.
func (c *collector) snapshot() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

func execOf(pid int, filename string) func(Event) bool {
	return func(ev Event) bool {
		return ev.Type == EventExec && ev.PID == uint32(pid) && ev.Filename == filename
	}
}

func exitOf(pid int) func(Event) bool {
	return func(ev Event) bool { return ev.Type == EventExit && ev.PID == uint32(pid) }
}

// procStartNs is /proc/<pid>/stat field 22 (start time in clock ticks since
// boot, USER_HZ=100) in nanoseconds.
func procStartNs(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// comm may hold spaces and parentheses: fields follow the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ticks, err := strconv.ParseUint(fields[22-3], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return ticks * uint64(10*time.Millisecond)
}

func nsInodeT(t *testing.T, path string) uint32 {
	t.Helper()
	ino, err := nsInode(path)
	if err != nil {
		t.Fatal(err)
	}
	return ino
}

// selfCgroup returns the cgroup2 id (the directory's inode) and the expected
// CgroupName of the test process, following the same rules as the kernel side.
func selfCgroup(t *testing.T) (uint64, string) {
	t.Helper()
	paths := map[string]string{}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" {
			paths[""] = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			paths[c] = parts[2]
		}
	}

	var id uint64
	if v2, ok := paths[""]; ok {
		mnt := cgroup2Mount(t)
		fi, err := os.Stat(filepath.Join(mnt, v2))
		if err != nil {
			t.Fatal(err)
		}
		id = fi.Sys().(*syscall.Stat_t).Ino
	}
	for _, c := range []string{"", "memory", "pids", "cpu"} {
		if p, ok := paths[c]; ok && p != "/" {
			return id, filepath.Base(p)
		}
	}
	return id, ""
}

func cgroup2Mount(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		// ... mount-point ... - fstype source options
		pre, post, ok := strings.Cut(line, " - ")
		if ok && strings.HasPrefix(post, "cgroup2 ") {
			return strings.Fields(pre)[4]
		}
	}
	testenv.Skip(t, "no cgroup2 mount")
	return ""
}

func TestProcessLifecycle(t *testing.T) {
	_, c := loadForTest(t, Config{})

	// sh waits on stdin so its /proc entry can be read while it lives.
	sh := exec.Command("/bin/sh", "-c", `/bin/true arg1 "arg two"; read x; exit 3`)
	stdin, err := sh.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	shPID := sh.Process.Pid
	trueExec := c.waitFor(t, "exec of /bin/true", func(ev Event) bool {
		return ev.Type == EventExec && ev.PPID == uint32(shPID) && ev.Filename == "/bin/true"
	})
	shStart := procStartNs(t, shPID)
	stdin.Close()
	var exitErr *exec.ExitError
	if err := sh.Wait(); !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Fatalf("sh: %v, want exit status 3", err)
	}

	fork := c.waitFor(t, "fork of sh", func(ev Event) bool {
		return ev.Type == EventFork && ev.ChildPID == uint32(shPID)
	})
	shExec := c.waitFor(t, "exec of /bin/sh", execOf(shPID, "/bin/sh"))
	trueExit := c.waitFor(t, "exit of true", exitOf(int(trueExec.PID)))
	shExit := c.waitFor(t, "exit of sh", exitOf(shPID))

	self := uint32(os.Getpid())
	if fork.PID != self {
		t.Errorf("fork parent PID = %d, want the test process %d", fork.PID, self)
	}
	if fork.ChildStartTimeNs != shExec.StartTimeNs {
		t.Errorf("fork ChildStartTimeNs = %d, exec of sh says %d", fork.ChildStartTimeNs, shExec.StartTimeNs)
	}
	if want := []string{"/bin/sh", "-c", `/bin/true arg1 "arg two"; read x; exit 3`}; !reflect.DeepEqual(shExec.Args, want) {
		t.Errorf("sh Args = %q, want %q", shExec.Args, want)
	}
	if shExec.PPID != self || shExec.Comm != "sh" {
		t.Errorf("sh exec PPID %d comm %q, want %d and sh", shExec.PPID, shExec.Comm, self)
	}
	if d := int64(shExec.StartTimeNs) - int64(shStart); d < 0 || d >= int64(10*time.Millisecond) {
		t.Errorf("sh StartTimeNs %d, /proc says %d (ticks): off by %v", shExec.StartTimeNs, shStart, time.Duration(d))
	}
	if want := []string{"/bin/true", "arg1", "arg two"}; !reflect.DeepEqual(trueExec.Args, want) || trueExec.ArgsTruncated {
		t.Errorf("true Args = %q (truncated %v), want %q", trueExec.Args, trueExec.ArgsTruncated, want)
	}
	if trueExec.ParentStartTimeNs != shExec.StartTimeNs || trueExec.PID == uint32(shPID) || trueExec.PID != trueExec.TID {
		t.Errorf("true exec: %+v; sh start %d", trueExec, shExec.StartTimeNs)
	}
	if trueExec.Comm != "true" {
		t.Errorf("true Comm = %q", trueExec.Comm)
	}
	if trueExit.ExitCode != 0 || trueExit.ExitSignal != 0 {
		t.Errorf("true exit code %d signal %d, want 0 0", trueExit.ExitCode, trueExit.ExitSignal)
	}
	if shExit.ExitCode != 3 || shExit.ExitSignal != 0 || shExit.StartTimeNs != shExec.StartTimeNs {
		t.Errorf("sh exit %+v, want code 3 and start %d", shExit, shExec.StartTimeNs)
	}

	// Identity common to every event of the test's processes.
	cgID, cgName := selfCgroup(t)
	pidns, mntns := nsInodeT(t, "/proc/self/ns/pid"), nsInodeT(t, "/proc/self/ns/mnt")
	initPidNS := pidNamespaceLevels(t) == 1
	boot, err := clockBoottime()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []Event{fork, shExec, trueExec, trueExit, shExit} {
		if ev.CgroupID != cgID || ev.CgroupName != cgName {
			t.Errorf("%s of %d: cgroup %d %q, want %d %q", ev.Type, ev.PID, ev.CgroupID, ev.CgroupName, cgID, cgName)
		}
		if ev.PidNS != pidns || ev.MntNS != mntns {
			t.Errorf("%s of %d: pidns %d mntns %d, want %d %d", ev.Type, ev.PID, ev.PidNS, ev.MntNS, pidns, mntns)
		}
		if ev.UID != uint32(os.Getuid()) || ev.GID != uint32(os.Getgid()) || ev.EUID != uint32(os.Geteuid()) {
			t.Errorf("%s of %d: uid %d gid %d euid %d", ev.Type, ev.PID, ev.UID, ev.GID, ev.EUID)
		}
		if ev.TimeNs < ev.StartTimeNs || ev.TimeNs > uint64(boot) {
			t.Errorf("%s of %d: TimeNs %d outside [start %d, now %d]", ev.Type, ev.PID, ev.TimeNs, ev.StartTimeNs, boot)
		}
		// In the initial pid namespace a process's own pid is its global pid.
		if initPidNS && ev.VPID != ev.PID {
			t.Errorf("%s of %d: vpid %d, want the pid", ev.Type, ev.PID, ev.VPID)
		}
	}
	t.Logf("cgroup id %d name %q", cgID, cgName)
}

func TestExitSignal(t *testing.T) {
	_, c := loadForTest(t, Config{})
	cmd := exec.Command("/bin/sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "exec of sleep", execOf(cmd.Process.Pid, "/bin/sleep"))
	cmd.Process.Kill()
	cmd.Wait()
	ev := c.waitFor(t, "exit of sleep", exitOf(cmd.Process.Pid))
	if ev.ExitSignal != 9 || ev.ExitCode != 0 {
		t.Errorf("exit code %d signal %d, want 0 9", ev.ExitCode, ev.ExitSignal)
	}
}

func TestArgsTruncated(t *testing.T) {
	_, c := loadForTest(t, Config{})
	args := make([]string, 60)
	for i := range args {
		args[i] = fmt.Sprintf("%02d-%s", i, strings.Repeat("x", 30))
	}
	cmd := exec.Command("/bin/true", args...)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	ev := c.waitFor(t, "exec of true", execOf(cmd.Process.Pid, "/bin/true"))
	if !ev.ArgsTruncated {
		t.Error("ArgsTruncated is false for a 2 KiB argv")
	}
	full := strings.Join(append([]string{"/bin/true"}, args...), "\x00")
	if got := strings.Join(ev.Args, "\x00"); got != full[:argsLen] {
		t.Errorf("Args are not the first %d bytes of argv: %q", argsLen, got)
	}
}

// TestThreadsAreNotProcesses creates OS threads in the test process and
// checks that no fork event reports a thread as a new process.
func TestThreadsAreNotProcesses(t *testing.T) {
	p, c := loadForTest(t, Config{})
	before, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var started, release sync.WaitGroup
	started.Add(n)
	release.Add(1)
	for range n {
		go func() {
			// A locked goroutine that blocks keeps its thread, so the
			// runtime must clone new ones for the others.
			runtime.LockOSThread()
			started.Done()
			release.Wait()
		}()
	}
	started.Wait()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	release.Done()
	// The runtime may hand an idle thread to one of the goroutines.
	if len(tasks) < len(before)+n/2 {
		t.Fatalf("the runtime made %d new threads, want at least %d", len(tasks)-len(before), n/2)
	}

	// A fork of our own to know the ring buffer has caught up.
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "exit of true", exitOf(cmd.Process.Pid))

	threads := map[uint32]bool{}
	for _, d := range tasks {
		tid, _ := strconv.Atoi(d.Name())
		if tid != os.Getpid() {
			threads[uint32(tid)] = true
		}
	}
	for _, ev := range c.snapshot() {
		if ev.Type == EventFork && threads[ev.ChildPID] {
			t.Errorf("fork event for thread %d of the test process", ev.ChildPID)
		}
		// The test process created threads and one process, nothing else.
		if ev.Type == EventFork && ev.PID == uint32(os.Getpid()) && ev.ChildPID != uint32(cmd.Process.Pid) {
			t.Errorf("fork event from the test process for %d, not the /bin/true it ran", ev.ChildPID)
		}
	}
	cnt, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d threads (%d new); counters %+v", len(threads), len(tasks)-len(before), cnt)
}

func TestContainersOnly(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		testenv.Skip(t, "unshare (util-linux) not installed")
	}
	p, c := loadForTest(t, Config{ContainersOnly: true})

	host := exec.Command("/bin/true")
	if err := host.Run(); err != nil {
		t.Fatal(err)
	}
	ns := exec.Command("unshare", "--mount", "--pid", "--fork", "/bin/true")
	if out, err := ns.CombinedOutput(); err != nil {
		t.Fatalf("unshare: %v: %s", err, out)
	}
	inNS := c.waitFor(t, "exec of true in new namespaces", func(ev Event) bool {
		return ev.Type == EventExec && ev.PPID == uint32(ns.Process.Pid) && ev.Filename == "/bin/true"
	})
	hostPid, hostMnt, err := hostNamespaces(zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if inNS.PidNS == hostPid || inNS.MntNS == hostMnt {
		t.Errorf("exec in new namespaces reports host namespaces: %+v", inNS)
	}
	if inNS.VPID != 1 {
		t.Errorf("the first process of a new pid namespace has vpid %d, want 1", inNS.VPID)
	}
	c.waitFor(t, "exit of true in new namespaces", exitOf(int(inNS.PID)))

	for _, ev := range c.snapshot() {
		if ev.PID == uint32(host.Process.Pid) || ev.ChildPID == uint32(host.Process.Pid) {
			t.Errorf("host process reported with containers_only: %+v", ev)
		}
	}
	cnt, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []EventType{EventExec, EventFork, EventExit} {
		if cnt.Filtered[typ] == 0 {
			t.Errorf("events_filtered[%s] = 0 after a host process ran", typ)
		}
	}
	if cnt.Sent[EventExec] == 0 {
		t.Errorf("events_sent[exec] = 0: %+v", cnt)
	}
}

func TestCountersPinned(t *testing.T) {
	pin := fmt.Sprintf("/sys/fs/bpf/vigil-test-pin-%d", os.Getpid())
	// A stale pin from a crashed run must not stop Load.
	if err := os.MkdirAll(pin, 0o700); err != nil {
		testenv.Skip(t, "bpffs not writable: "+err.Error())
	}
	p, _ := loadForTest(t, Config{PinPath: pin})
	for _, name := range []string{"events_sent", "events_filtered", "events_lost"} {
		if _, err := os.Stat(filepath.Join(pin, name)); err != nil {
			t.Errorf("counter map %s not pinned: %v", name, err)
		}
	}
	// Loading again over live pins replaces them.
	p2, err := Load(Config{PinPath: pin, ProbeSets: []string{ProbeSetProcess}}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("second Load over existing pins: %v", err)
	}
	if err := p2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("/bin/true").Run(); err != nil {
		t.Fatal(err)
	}
	cnt, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Sent[EventExec] == 0 || len(cnt.Sent) != len(eventTypeNames) || len(cnt.Lost) != len(eventTypeNames) {
		t.Errorf("counters after a process ran: %+v", cnt)
	}
}

func TestReadAfterClose(t *testing.T) {
	testenv.RequireBPF(t)
	p, err := Load(Config{PinPath: fmt.Sprintf("/sys/fs/bpf/vigil-test-close-%d", os.Getpid())}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Read after Close: %v, want os.ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestLoadRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{RingBufferBytes: 3 << 20},
		{RingBufferBytes: 100},
		{ProbeSets: []string{"files"}},
	} {
		if _, err := Load(cfg, nil); err == nil {
			t.Errorf("Load(%+v) succeeded", cfg)
		}
	}
}

// TestMain turns the test binary into TestMultiThreadedExit's helper when
// run with VIGIL_HELPER=threads: a multi-threaded child process, cheaply.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_HELPER") == "threads" {
		exitWithThreads()
	}
	os.Exit(m.Run())
}

// exitWithThreads starts 8 locked OS threads and exits with status 7.
func exitWithThreads() {
	var started sync.WaitGroup
	started.Add(8)
	for range 8 {
		go func() {
			runtime.LockOSThread()
			started.Done()
			select {}
		}()
	}
	started.Wait()
	// exit_group() while every thread is alive: they all exit at once.
	os.Exit(7)
}

// TestMultiThreadedExit checks that a process whose threads exit together
// reports one exit, with the group's status, and no fork for its threads.
func TestMultiThreadedExit(t *testing.T) {
	_, c := loadForTest(t, Config{})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "VIGIL_HELPER=threads")
	var exitErr *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exitErr) || exitErr.ExitCode() != 7 {
		t.Fatalf("helper: %v, want exit status 7", err)
	}
	pid := uint32(cmd.Process.Pid)
	ev := c.waitFor(t, "exit of the helper", exitOf(int(pid)))
	if ev.ExitCode != 7 || ev.ExitSignal != 0 {
		t.Errorf("helper exit code %d signal %d, want 7 0", ev.ExitCode, ev.ExitSignal)
	}
	// Let a duplicate, if any, arrive.
	time.Sleep(100 * time.Millisecond)
	exits := 0
	for _, ev := range c.snapshot() {
		if ev.Type == EventExit && ev.PID == pid {
			exits++
		}
		if ev.Type == EventFork && ev.PID == pid {
			t.Errorf("fork event from the helper (pid %d) for %d: threads are not processes", pid, ev.ChildPID)
		}
	}
	if exits != 1 {
		t.Errorf("%d exit events for the helper, want 1", exits)
	}
}

// TestExitWithoutGroupDeadVerifies loads the programs as on a kernel before
// 6.16, whose sched_process_exit has no group_dead argument, so the
// signal->live branch passes the verifier too.
func TestExitWithoutGroupDeadVerifies(t *testing.T) {
	testenv.RequireBPF(t)
	for _, groupDead := range []bool{false, true} {
		spec, err := loadProcess()
		if err != nil {
			t.Fatal(err)
		}
		if err := spec.Variables[processVarExitHasGroupDead].Set(groupDead); err != nil {
			t.Fatal(err)
		}
		var objs processObjects
		if err := spec.LoadAndAssign(&objs, nil); err != nil {
			t.Fatalf("exit_has_group_dead=%v: %v", groupDead, err)
		}
		for name, prog := range map[string]interface {
			Info() (*ebpf.ProgramInfo, error)
		}{
			"exec": objs.VigilExec, "fork": objs.VigilFork, "exit": objs.VigilExit,
		} {
			if info, err := prog.Info(); err == nil {
				n, _ := info.VerifiedInstructions()
				t.Logf("exit_has_group_dead=%v: %s verified %d instructions", groupDead, name, n)
			}
		}
		objs.Close()
	}
}

func TestReadDeadline(t *testing.T) {
	testenv.RequireBPF(t)
	// containers_only on a host without containers keeps the ring quiet.
	p, err := Load(Config{ContainersOnly: true, ProbeSets: []string{ProbeSetProcess}, PinPath: fmt.Sprintf("/sys/fs/bpf/vigil-test-deadline-%d", os.Getpid())}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.SetDeadline(time.Now().Add(120 * time.Millisecond))
	start := time.Now()
	for {
		_, err := p.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v, want a deadline error", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Fatal("Read did not honour the deadline")
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("Read returned after %v, before the deadline", d)
	}
}

// TestCgroupIdentity puts processes where Docker's cgroupfs driver puts a
// container on a hybrid host (a v1 memory cgroup named by the container id
// and /sys/fs/cgroup/unified/docker/<id>) and checks the identity the kernel
// side reads, without needing Docker.
func TestCgroupIdentity(t *testing.T) {
	_, c := loadForTest(t, Config{})
	const id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	v1 := mkCgroup(t, "/sys/fs/cgroup/memory", "vigil-test", id)
	v2 := ""
	if mnt := cgroup2Mount(t); mnt != "" {
		v2 = mkCgroup(t, mnt, "vigil-test", "v2-"+id[:12])
	}

	for _, tc := range []struct {
		name     string
		dirs     []string
		wantName string
		wantV2   string
	}{
		{"v1 only", []string{v1}, id, ""},
		{"v1 and v2", []string{v1, v2}, "v2-" + id[:12], v2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := exec.Command("/bin/sh", "-c", "read x; exec /bin/true")
			stdin, err := sh.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := sh.Start(); err != nil {
				t.Fatal(err)
			}
			defer sh.Wait()
			defer stdin.Close()
			for _, dir := range tc.dirs {
				if dir == "" {
					testenv.Skip(t, "no cgroup2 mount")
				}
				if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(sh.Process.Pid)), 0); err != nil {
					t.Fatalf("moving sh to %s: %v", dir, err)
				}
			}
			stdin.Write([]byte("\n"))
			ev := c.waitFor(t, "exec of true in the test cgroup", execOf(sh.Process.Pid, "/bin/true"))
			if ev.CgroupName != tc.wantName {
				t.Errorf("CgroupName = %q, want %q", ev.CgroupName, tc.wantName)
			}
			wantID, _ := selfCgroup(t)
			if tc.wantV2 != "" {
				fi, err := os.Stat(tc.wantV2)
				if err != nil {
					t.Fatal(err)
				}
				wantID = fi.Sys().(*syscall.Stat_t).Ino
			}
			if ev.CgroupID != wantID {
				t.Errorf("CgroupID = %d, want %d", ev.CgroupID, wantID)
			}
		})
	}
}

// mkCgroup creates root/parent/name and removes it when the test ends.
func mkCgroup(t *testing.T, root, parent, name string) string {
	t.Helper()
	dir := filepath.Join(root, parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		testenv.Skip(t, "cannot create cgroup: "+err.Error())
	}
	t.Cleanup(func() {
		// The test's processes have exited; a cgroup with none is removable.
		for i := 0; i < 50 && os.Remove(dir) != nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		os.Remove(filepath.Dir(dir))
	})
	return dir
}

// pidNamespaceLevels is the number of pid namespaces the test process is
// seen in (NSpid of /proc/self/status): 1 in the initial namespace.
func pidNamespaceLevels(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			return len(strings.Fields(rest))
		}
	}
	return 0
}

// Every family shares the one ring buffer, whatever its size: a size other
// than the objects' default must load for all of them.
func TestLoadAllFamiliesWithCustomRingSize(t *testing.T) {
	testenv.RequireBPF(t)
	p, err := Load(Config{RingBufferBytes: 16 << 20, PinPath: fmt.Sprintf("/sys/fs/bpf/vigil-test-ring-%d", os.Getpid())}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("loading every family with a 16 MiB ring: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}
