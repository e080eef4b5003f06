package bpf

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// syscallSets are the probe sets of the syscall family.
var syscallSets = []string{ProbeSetFile, ProbeSetPrivilege, ProbeSetNamespace, ProbeSetModule,
	ProbeSetBPF, ProbeSetMemfd, ProbeSetPtrace, ProbeSetMount}

func loadSyscallForTest(t *testing.T, cfg Config) (*Probes, *collector) {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		testenv.Skip(t, "syscall probes are x86-64 only")
	}
	if cfg.ProbeSets == nil {
		cfg.ProbeSets = append([]string{ProbeSetProcess}, syscallSets...)
	}
	return loadForTest(t, cfg)
}

var testbins struct {
	once sync.Once
	dir  string
	err  error
}

// testbin compiles internal/dockertest/testbin/<name>.c (all of them, once
// per test binary) and returns the binary's path.
func testbin(t *testing.T, name string) string {
	t.Helper()
	testbins.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-testbin-")
		if err != nil {
			testbins.err = err
			return
		}
		testbins.dir = dir
		srcs, _ := filepath.Glob("../internal/dockertest/testbin/*.c")
		for _, src := range srcs {
			bin := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
			if out, err := exec.Command("gcc", "-static", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
				testbins.err = fmt.Errorf("gcc %s: %v: %s", src, err, out)
				return
			}
		}
	})
	if testbins.err != nil {
		testenv.Skip(t, "building test helpers: "+testbins.err.Error())
	}
	return filepath.Join(testbins.dir, name)
}

// sysOf matches a syscall event of type typ from pid whose syscall is name.
func sysOf(typ EventType, pid int, name string, more func(*SyscallEvent) bool) func(Event) bool {
	return func(ev Event) bool {
		if ev.Type != typ || ev.Syscall == nil || (pid != 0 && ev.PID != uint32(pid)) || ev.Syscall.Name != name {
			return false
		}
		return more == nil || more(ev.Syscall)
	}
}

func pathIs(p string) func(*SyscallEvent) bool {
	return func(s *SyscallEvent) bool { return s.Path == p }
}

// run runs a helper and returns its pid and exit code.
func run(t *testing.T, name string, args ...string) (int, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return cmd.Process.Pid, 0
	case errors.As(err, &exitErr):
		t.Logf("%s %v: exit %d: %s", name, args, exitErr.ExitCode(), out)
		return cmd.Process.Pid, exitErr.ExitCode()
	default:
		t.Fatalf("%s %v: %v: %s", name, args, err, out)
		return 0, -1
	}
}

// threadOpen runs an open on a locked OS thread and returns its tid, so the
// test can match the event by thread.
func onThread(f func()) int {
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		f()
		done <- unix.Gettid()
	}()
	return <-done
}

func tidOf(typ EventType, tid int, name string, more func(*SyscallEvent) bool) func(Event) bool {
	return func(ev Event) bool {
		return ev.TID == uint32(tid) && sysOf(typ, 0, name, more)(ev)
	}
}

func TestSyscallFileOpen(t *testing.T) {
	p, c := loadSyscallForTest(t, Config{FilePathIgnore: []string{"/proc/", "/sys/", "/dev/"}})
	dir := t.TempDir()

	var fd int
	var openErr error
	tid := onThread(func() { fd, openErr = unix.Openat(unix.AT_FDCWD, "/etc/hostname", unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if openErr != nil {
		t.Fatal(openErr)
	}
	unix.Close(fd)
	ev := c.waitFor(t, "openat of /etc/hostname", tidOf(EventFileOpen, tid, "openat", pathIs("/etc/hostname")))
	if s := ev.Syscall; s.Ret != int64(fd) || s.Flags&unix.O_CLOEXEC == 0 || s.Flags&unix.O_ACCMODE != unix.O_RDONLY || s.DirFD != AtFDCWD {
		t.Errorf("open event %+v, want ret %d and O_RDONLY|O_CLOEXEC", s, fd)
	}
	if ev.PID != uint32(os.Getpid()) || ev.Comm == "" || ev.CgroupID == 0 {
		t.Errorf("header %+v", ev)
	}

	// A failed open reports -errno.
	missing := filepath.Join(dir, "no/such/file")
	tid = onThread(func() { _, openErr = unix.Open(missing, unix.O_WRONLY|unix.O_CREAT, 0o640) })
	if !errors.Is(openErr, unix.ENOENT) {
		t.Fatalf("open %s: %v", missing, openErr)
	}
	ev = c.waitFor(t, "failed open", tidOf(EventFileOpen, tid, "openat", pathIs(missing)))
	if s := ev.Syscall; s.Errno() != int(unix.ENOENT) || s.Mode != 0o640 || s.Flags&unix.O_CREAT == 0 {
		t.Errorf("failed open %+v, want -ENOENT mode 0640 O_CREAT", s)
	}

	// creat(2) and openat2(2).
	created := filepath.Join(dir, "created")
	tid = onThread(func() {
		r, _, _ := unix.Syscall(unix.SYS_CREAT, uintptr(unsafe.Pointer(unsafePtr(created))), 0o600, 0)
		unix.Close(int(r))
		how := unix.OpenHow{Flags: unix.O_RDONLY}
		if fd, err := unix.Openat2(unix.AT_FDCWD, created, &how); err == nil {
			unix.Close(fd)
		}
	})
	ev = c.waitFor(t, "creat", tidOf(EventFileOpen, tid, "creat", pathIs(created)))
	if s := ev.Syscall; s.Ret < 0 || s.Mode != 0o600 || s.Flags&unix.O_CREAT == 0 {
		t.Errorf("creat %+v", s)
	}
	c.waitFor(t, "openat2", tidOf(EventFileOpen, tid, "openat2", pathIs(created)))

	// Ignored prefix: filtered and counted, but escape paths always pass.
	before, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	tid = onThread(func() {
		for range 3 {
			if fd, err := unix.Open("/proc/self/stat", unix.O_RDONLY, 0); err == nil {
				unix.Close(fd)
			}
		}
		// Opened for write, closed without writing: harmless.
		if fd, err := unix.Open("/proc/sys/kernel/core_pattern", unix.O_WRONLY, 0); err == nil {
			unix.Close(fd)
		}
	})
	c.waitFor(t, "open of core_pattern for write", tidOf(EventFileOpen, tid, "openat", pathIs("/proc/sys/kernel/core_pattern")))
	after, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	if d := after.Filtered[EventFileOpen] - before.Filtered[EventFileOpen]; d < 3 {
		t.Errorf("events_filtered[file_open] grew by %d, want >= 3 for the /proc/self/stat opens", d)
	}
	for _, ev := range c.snapshot() {
		if ev.TID == uint32(tid) && ev.Syscall != nil && ev.Syscall.Path == "/proc/self/stat" {
			t.Errorf("ignored path reported: %+v", ev.Syscall)
		}
	}
}

func TestSyscallReleaseAgentAndOnlyFilters(t *testing.T) {
	dir := t.TempDir()
	p, c := loadSyscallForTest(t, Config{
		FilePathIgnore:   []string{dir + "/"},
		FileReadPathOnly: []string{"/etc/"},
		ProbeSets:        []string{ProbeSetFile},
	})
	agent := filepath.Join(dir, "release_agent")
	other := filepath.Join(dir, "other")
	before, _ := p.ReadCounters()
	tid := onThread(func() {
		for _, f := range []string{agent, other} {
			if fd, err := unix.Open(f, unix.O_WRONLY|unix.O_CREAT, 0o600); err == nil {
				unix.Close(fd)
			}
		}
		// Reads outside /etc/ are dropped, reads of /etc/ kept.
		for _, f := range []string{"/usr/bin/env", "/etc/passwd"} {
			if fd, err := unix.Open(f, unix.O_RDONLY, 0); err == nil {
				unix.Close(fd)
			}
		}
	})
	c.waitFor(t, "write open of release_agent below an ignored prefix", tidOf(EventFileOpen, tid, "openat", pathIs(agent)))
	c.waitFor(t, "read of /etc/passwd", tidOf(EventFileOpen, tid, "openat", pathIs("/etc/passwd")))
	for _, ev := range c.snapshot() {
		if ev.TID == uint32(tid) && ev.Syscall != nil && (ev.Syscall.Path == other || ev.Syscall.Path == "/usr/bin/env") {
			t.Errorf("filtered path reported: %+v", ev.Syscall)
		}
	}
	after, _ := p.ReadCounters()
	if d := after.Filtered[EventFileOpen] - before.Filtered[EventFileOpen]; d < 2 {
		t.Errorf("events_filtered[file_open] grew by %d, want >= 2", d)
	}
}

func TestSyscallFileOps(t *testing.T) {
	_, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetFile}})
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	hard, sym := filepath.Join(dir, "hard"), filepath.Join(dir, "sym")
	sub := filepath.Join(dir, "sub")
	if err := os.WriteFile(a, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, os.Mkdir(sub, 0o700))
	tid := onThread(func() {
		must(t, unix.Rename(a, b))
		must(t, unix.Link(b, hard))
		must(t, unix.Symlink("/etc/shadow", sym))
		must(t, unix.Chmod(b, 0o4755))
		must(t, unix.Unlink(hard))
		if err := unix.Unlink(filepath.Join(dir, "missing")); !errors.Is(err, unix.ENOENT) {
			t.Errorf("unlink missing: %v", err)
		}
		must(t, unix.Rmdir(sub))
		f, err := os.Open(b)
		if err == nil {
			must(t, unix.Fchmod(int(f.Fd()), 0o2755))
			f.Close()
		}
	})
	ev := c.waitFor(t, "rename", tidOf(EventFileRename, tid, "renameat", pathIs(a)))
	if s := ev.Syscall; s.Path2 != b || s.Ret != 0 {
		t.Errorf("rename %+v", s)
	}
	ev = c.waitFor(t, "link", tidOf(EventFileLink, tid, "linkat", pathIs(b)))
	if s := ev.Syscall; s.Path2 != hard || s.Symlink || s.Ret != 0 {
		t.Errorf("link %+v", s)
	}
	ev = c.waitFor(t, "symlink", tidOf(EventFileLink, tid, "symlinkat", pathIs("/etc/shadow")))
	if s := ev.Syscall; s.Path2 != sym || !s.Symlink || s.Ret != 0 {
		t.Errorf("symlink %+v", s)
	}
	ev = c.waitFor(t, "chmod", tidOf(EventFileChmod, tid, "fchmodat", pathIs(b)))
	if s := ev.Syscall; s.Mode != 0o4755 || s.Ret != 0 {
		t.Errorf("chmod %+v, want mode 04755", s)
	}
	ev = c.waitFor(t, "fchmod", tidOf(EventFileChmod, tid, "fchmod", nil))
	if s := ev.Syscall; s.Mode != 0o2755 || !s.FDBased || s.Path != "b" || s.Ret != 0 {
		t.Errorf("fchmod %+v, want mode 02755 on fd of b", s)
	}
	c.waitFor(t, "unlink", tidOf(EventFileDelete, tid, "unlinkat", pathIs(hard)))
	ev = c.waitFor(t, "failed unlink", tidOf(EventFileDelete, tid, "unlinkat", pathIs(filepath.Join(dir, "missing"))))
	if ev.Syscall.Errno() != int(unix.ENOENT) {
		t.Errorf("failed unlink ret %d", ev.Syscall.Ret)
	}
	ev = c.waitFor(t, "rmdir", tidOf(EventFileDelete, tid, "unlinkat", pathIs(sub)))
	if ev.Syscall.Flags&unix.AT_REMOVEDIR == 0 {
		t.Errorf("rmdir flags %#x", ev.Syscall.Flags)
	}
}

func TestSyscallPrivilege(t *testing.T) {
	_, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetPrivilege}})
	pid, code := run(t, testbin(t, "setuidto"), "65534")
	if code != 0 {
		t.Fatalf("setuidto exit %d", code)
	}
	ev := c.waitFor(t, "setresuid", sysOf(EventSetuid, pid, "setresuid", nil))
	if s := ev.Syscall; s.RealID != 65534 || s.EffectiveID != 65534 || s.SavedID != 65534 || s.FilesystemID != -1 || s.IDKind != "uid" || s.Ret != 0 {
		t.Errorf("setresuid %+v", s)
	}
	if ev.UID != 0 {
		t.Errorf("header uid %d: want the uid before the call (0)", ev.UID)
	}
	ev = c.waitFor(t, "setuid", sysOf(EventSetuid, pid, "setuid", nil))
	if s := ev.Syscall; s.EffectiveID != 65534 || s.RealID != -1 || s.Ret != 0 {
		t.Errorf("setuid %+v", s)
	}

	pid, code = run(t, testbin(t, "capsetter"))
	if code != 0 {
		t.Fatalf("capsetter exit %d", code)
	}
	ev = c.waitFor(t, "capset", sysOf(EventCapset, pid, "capset", nil))
	if s := ev.Syscall; s.Ret != 0 || s.CapEffective == 0 || s.CapInheritable != 0 || s.TargetPID != 0 {
		t.Errorf("capset %+v", s)
	}
}

func TestSyscallNamespace(t *testing.T) {
	p, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetNamespace}})
	pid, code := run(t, testbin(t, "unshareit"))
	if code != 0 {
		t.Fatalf("unshareit exit %d", code)
	}
	ev := c.waitFor(t, "unshare", sysOf(EventNamespace, pid, "unshare", nil))
	if s := ev.Syscall; s.Flags != unix.CLONE_NEWNS|unix.CLONE_NEWUTS || s.Ret != 0 {
		t.Errorf("unshare %+v", s)
	}
	pid, code = run(t, testbin(t, "setnsto"), strconv.Itoa(os.Getpid()), "mnt")
	if code != 0 {
		t.Fatalf("setnsto exit %d", code)
	}
	ev = c.waitFor(t, "setns", sysOf(EventNamespace, pid, "setns", nil))
	if s := ev.Syscall; s.NSInode != uint64(nsInodeT(t, "/proc/self/ns/mnt")) || s.Ret != 0 {
		t.Errorf("setns %+v, want the inode of our mount namespace", s)
	}
	// clone with CLONE_NEWUTS; an ordinary fork is no event.
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUTS}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	ev = c.waitFor(t, "clone", func(ev Event) bool {
		return ev.Type == EventNamespace && ev.PID == uint32(os.Getpid()) && ev.Syscall.Ret == int64(cmd.Process.Pid)
	})
	if s := ev.Syscall; s.Flags&unix.CLONE_NEWUTS == 0 || (s.Name != "clone" && s.Name != "clone3") {
		t.Errorf("clone %+v", s)
	}
	if err := exec.Command("/bin/true").Run(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	for _, ev := range c.snapshot() {
		if ev.Type == EventNamespace && ev.Syscall.Flags&(unix.CLONE_NEWUTS|unix.CLONE_NEWNS|unix.CLONE_NEWPID|unix.CLONE_NEWNET|unix.CLONE_NEWIPC|unix.CLONE_NEWUSER|unix.CLONE_NEWCGROUP|unix.CLONE_NEWTIME) == 0 && ev.Syscall.Name != "setns" {
			t.Errorf("namespace event without a namespace flag: %+v", ev.Syscall)
		}
	}
	_ = p
}

// TestSyscallModule runs the module syscalls in each hook mode. On a kernel
// without CONFIG_MODULES they have no trace events: auto (the default) must
// still see them, from its sys_enter/sys_exit programs for such syscalls.
func TestSyscallModule(t *testing.T) {
	for _, mode := range []string{SyscallHooksAuto, SyscallHooksRaw} {
		t.Run(mode, func(t *testing.T) { testSyscallModule(t, mode) })
	}
}

func testSyscallModule(t *testing.T, mode string) {
	p, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetModule}, SyscallHooks: mode})
	if mode == SyscallHooksAuto {
		t.Logf("auto attached %v", p.Attached())
	}
	pid, _ := run(t, testbin(t, "modload"))
	ev := c.waitFor(t, "finit_module", sysOf(EventModuleLoad, pid, "finit_module", nil))
	if s := ev.Syscall; s.Ret >= 0 || !s.FDBased || s.Path != "vigil_param=1" || s.Path2 != "null" {
		t.Errorf("finit_module %+v, want a failure on /dev/null with params", s)
	}
	ev = c.waitFor(t, "init_module", sysOf(EventModuleLoad, pid, "init_module", nil))
	if s := ev.Syscall; s.Ret >= 0 || s.FDBased || s.DirFD != 64 {
		t.Errorf("init_module %+v, want a failure with length 64", s)
	}
	ev = c.waitFor(t, "delete_module", sysOf(EventModuleUnload, pid, "delete_module", nil))
	if s := ev.Syscall; s.Ret >= 0 || s.Path != "vigil_nonexistent" {
		t.Errorf("delete_module %+v", s)
	}
	t.Logf("module syscalls return %d (%v)", ev.Syscall.Ret, unix.Errno(ev.Syscall.Errno()))
}

func TestSyscallBPF(t *testing.T) {
	p, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetBPF}})
	pid, code := run(t, testbin(t, "bpfload"))
	if code != 0 {
		t.Fatalf("bpfload exit %d", code)
	}
	ev := c.waitFor(t, "BPF_MAP_CREATE", sysOf(EventBPF, pid, "bpf", func(s *SyscallEvent) bool { return s.Request == 0 }))
	if s := ev.Syscall; s.Path != "vigil_map" || s.BPFMapType != 2 || s.BPFMaxEntries != 4 || s.Ret < 0 {
		t.Errorf("map create %+v", s)
	}
	ev = c.waitFor(t, "BPF_PROG_LOAD", sysOf(EventBPF, pid, "bpf", func(s *SyscallEvent) bool { return s.Request == 5 }))
	if s := ev.Syscall; s.Path != "vigil_prog" || s.BPFProgType != 1 || s.BPFInsnCount != 2 || s.Ret < 0 {
		t.Errorf("prog load %+v", s)
	}
	// Reading counters is BPF_MAP_LOOKUP_ELEM: not reported, counted.
	p.ReadCounters()
	cnt, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Filtered[EventBPF] == 0 {
		t.Errorf("events_filtered[bpf] = 0 after map lookups")
	}
}

func TestSyscallMemfdAndFilelessExec(t *testing.T) {
	_, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetProcess, ProbeSetMemfd}})
	bb, err := exec.LookPath("busybox")
	if err != nil {
		testenv.Skip(t, "busybox not installed")
	}
	pid, code := run(t, testbin(t, "memfdexec"), bb, "true")
	if code != 0 {
		t.Fatalf("memfdexec exit %d", code)
	}
	ev := c.waitFor(t, "memfd_create", sysOf(EventMemfdCreate, pid, "memfd_create", pathIs("vigil-memfd")))
	if s := ev.Syscall; s.Ret < 0 || s.Flags != unix.MFD_CLOEXEC {
		t.Errorf("memfd_create %+v", s)
	}
	ev = c.waitFor(t, "exec of the memfd", func(ev Event) bool {
		return ev.Type == EventExec && ev.PID == uint32(pid) && !strings.HasSuffix(ev.Filename, "/memfdexec")
	})
	if !ev.ExeMemfd || ev.ExeDeleted {
		t.Errorf("exec from memfd: memfd %v deleted %v (filename %q)", ev.ExeMemfd, ev.ExeDeleted, ev.Filename)
	}

	// A deleted file executed through its open fd.
	tmp := filepath.Join(t.TempDir(), "gone")
	body, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(tmp, body, 0o755))
	f, err := os.Open(tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	must(t, os.Remove(tmp))
	cmd := exec.Command("/proc/self/fd/3", "true")
	cmd.Args[0] = "true"
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	ev = c.waitFor(t, "exec of a deleted file", func(ev Event) bool { return ev.Type == EventExec && ev.PID == uint32(cmd.Process.Pid) })
	if ev.ExeMemfd || !ev.ExeDeleted {
		t.Errorf("exec of deleted file: memfd %v deleted %v", ev.ExeMemfd, ev.ExeDeleted)
	}
}

func TestSyscallPtrace(t *testing.T) {
	p, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetPtrace}})
	pid, code := run(t, testbin(t, "ptracer"))
	if code != 0 {
		t.Fatalf("ptracer exit %d", code)
	}
	ev := c.waitFor(t, "PTRACE_ATTACH", sysOf(EventPtrace, pid, "ptrace", func(s *SyscallEvent) bool { return s.Request == unix.PTRACE_ATTACH }))
	if s := ev.Syscall; s.TargetPID <= 0 || s.TargetPID == int32(pid) || s.Ret != 0 {
		t.Errorf("attach %+v", s)
	}
	pid, _ = run(t, testbin(t, "ptracer"), "traceme")
	c.waitFor(t, "PTRACE_TRACEME", sysOf(EventPtrace, pid, "ptrace", func(s *SyscallEvent) bool { return s.Request == unix.PTRACE_TRACEME }))
	// PTRACE_DETACH is not reported, but counted.
	cnt, _ := p.ReadCounters()
	if cnt.Filtered[EventPtrace] == 0 {
		t.Errorf("events_filtered[ptrace] = 0 after a PTRACE_DETACH")
	}
}

func TestSyscallMount(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		testenv.Skip(t, "unshare (util-linux) not installed")
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		testenv.Skip(t, "busybox not installed")
	}
	_, c := loadSyscallForTest(t, Config{ProbeSets: []string{ProbeSetMount}})
	mnt := t.TempDir()
	cmd := exec.Command("unshare", "-m", "--propagation", "private", bb, "sh", "-c",
		fmt.Sprintf("%[1]s mount -t tmpfs vigil-tmpfs %[2]s && %[1]s umount %[2]s", bb, mnt))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mount: %v: %s", err, out)
	}
	ev := c.waitFor(t, "mount", func(ev Event) bool {
		return ev.Type == EventMount && ev.Syscall.Path == "vigil-tmpfs"
	})
	if s := ev.Syscall; s.Path2 != mnt || s.FSType != "tmpfs" || s.Ret != 0 {
		t.Errorf("mount %+v", s)
	}
	ev = c.waitFor(t, "umount", func(ev Event) bool {
		return ev.Type == EventUmount && ev.Syscall.Path == mnt
	})
	if s := ev.Syscall; s.Name != "umount2" || s.Ret != 0 {
		t.Errorf("umount %+v", s)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

func unsafePtr(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}
