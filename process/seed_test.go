package process

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/internal/testenv"
)

type fakeProc struct {
	pid, ppid uint32
	ticks     uint64
	comm      string
	state     byte // 0: 'S'
	exe       string
	argv      []string
	uid, euid uint32
}

// writeFakeProc writes the /proc/<pid> files SeedFromProc reads.
func writeFakeProc(t *testing.T, root string, p fakeProc) {
	t.Helper()
	dir := filepath.Join(root, strconv.Itoa(int(p.pid)))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	state := p.state
	if state == 0 {
		state = 'S'
	}
	// Fields 3..52; starttime is field 22.
	fields := make([]string, 50)
	for i := range fields {
		fields[i] = "0"
	}
	fields[0] = string(state)
	fields[1] = strconv.Itoa(int(p.ppid))
	fields[19] = strconv.FormatUint(p.ticks, 10)
	stat := fmt.Sprintf("%d (%s) %s\n", p.pid, p.comm, strings.Join(fields, " "))
	status := fmt.Sprintf("Name:\t%s\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n",
		p.comm, p.uid, p.euid, p.euid, p.euid, p.uid, p.uid, p.uid, p.uid)
	var cmdline string
	for _, a := range p.argv {
		cmdline += a + "\x00"
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cmdline"), []byte(cmdline), 0o644))
	if p.exe != "" {
		require.NoError(t, os.Symlink(p.exe, filepath.Join(dir, "exe")))
	}
}

const seedCID = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"

func fakeProcRoot(t *testing.T) string {
	root := t.TempDir()
	for _, p := range []fakeProc{
		{pid: 1, ppid: 0, ticks: 3, comm: "systemd", exe: "/usr/lib/systemd/systemd", argv: []string{"/sbin/init"}},
		{pid: 2, ppid: 0, ticks: 0, comm: "kthreadd"},
		{pid: 40, ppid: 2, ticks: 5, comm: "kworker/0:1"},
		{pid: 500, ppid: 1, ticks: 200, comm: "sshd", exe: "/usr/sbin/sshd", argv: []string{"sshd: /usr/sbin/sshd -D"}},
		{pid: 600, ppid: 500, ticks: 900, comm: "bash", exe: "/usr/bin/bash", argv: []string{"-bash"}, uid: 1000, euid: 1000},
		// A subshell forked in the same tick as its parent, with a lower pid
		// (pids wrap): sorting alone would add it before its parent.
		{pid: 599, ppid: 600, ticks: 900, comm: "bash", exe: "/usr/bin/bash", argv: []string{"-bash"}, uid: 1000, euid: 1000},
		{pid: 650, ppid: 1, ticks: 950, comm: "containerd-shim", exe: "/usr/bin/containerd-shim-runc-v2"},
		{pid: 700, ppid: 650, ticks: 1000, comm: "app (v2)", exe: "/app", argv: []string{"/app", "--serve"}},
		{pid: 800, ppid: 600, ticks: 1100, comm: "defunct", state: 'Z'},
		{pid: 901, ppid: 1, ticks: 1200, comm: "broken", exe: "/broken"},
	} {
		writeFakeProc(t, root, p)
	}
	// 900 exited between listing and reading: its directory has no files.
	require.NoError(t, os.Mkdir(filepath.Join(root, "900"), 0o755))
	// 901's stat is cut short.
	require.NoError(t, os.WriteFile(filepath.Join(root, "901", "stat"), []byte("901 (broken) S 1"), 0o644))
	// Not processes.
	require.NoError(t, os.WriteFile(filepath.Join(root, "meminfo"), nil, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(root, "sys"), 0o755))
	return root
}

func TestSeedFromFakeProc(t *testing.T) {
	root := fakeProcRoot(t)
	tb := newTestTable(func(c *Config) {
		c.ContainerOfProcCgroup = func(pid int) string {
			if pid == 700 {
				return seedCID
			}
			return ""
		}
	})
	n, err := tb.SeedFromProc(root)
	require.Error(t, err, "an unreadable process is reported")
	assert.Contains(t, err.Error(), "pid 901")
	assert.Equal(t, 8, n)
	assert.Equal(t, 8, tb.Len())
	st := tb.Stats()
	assert.Equal(t, uint64(8), st.Seeded)
	assert.Equal(t, uint64(1), st.SeedVanished)
	assert.Equal(t, uint64(1), st.SeedFailed)
	_, ok := tb.Get(800)
	assert.False(t, ok, "zombies are skipped: their exit was already reported")

	get := func(pid uint32) *Process {
		p, ok := tb.Get(pid)
		require.True(t, ok, "pid %d", pid)
		return p
	}
	in, kt, kw, s, b, sub, shim, app := get(1), get(2), get(40), get(500), get(600), get(599), get(650), get(700)

	assert.True(t, b.Seeded)
	assert.Equal(t, "/usr/bin/bash", b.Exe)
	assert.Equal(t, []string{"-bash"}, b.Args)
	assert.Equal(t, uint32(1000), b.UID)
	assert.Equal(t, Key{PID: 500, StartTicks: 200}, b.Parent)
	assert.Equal(t, testBootTime.Add(9_000_000_000), b.StartTime)
	assert.Equal(t, "app (v2)", app.Comm)

	// Same id and linking rules as for kernel events.
	assert.Equal(t, SpanID(testBoot, 600, 900, 0), b.SpanID)
	assert.Equal(t, HostTraceID(testBoot, 1, 3), in.TraceID)
	assert.Equal(t, HostTraceID(testBoot, 2, 0), kt.TraceID)
	assert.Equal(t, kt.TraceID, kw.TraceID)
	assert.Equal(t, kt.SpanID, kw.ParentSpanID)
	assert.True(t, s.IsRoot())
	assert.Equal(t, HostTraceID(testBoot, 500, 200), s.TraceID)
	assert.Equal(t, s.SpanID, b.ParentSpanID)
	assert.Equal(t, s.TraceID, b.TraceID)
	assert.Equal(t, b.SpanID, sub.ParentSpanID, "a same-tick child is linked to its parent")
	assert.Equal(t, s.TraceID, sub.TraceID)
	assert.True(t, shim.IsRoot())
	assert.True(t, app.IsRoot())
	assert.Equal(t, seedCID, app.ContainerID)
	assert.Equal(t, ContainerTraceID(testBoot, seedCID), app.TraceID)

	// What /proc cannot say is guessed from the executable.
	assert.True(t, b.Execd, "bash runs another image than sshd: it has exec'd")
	assert.False(t, sub.Execd, "the subshell runs its parent's image: forked, not exec'd")
	cur, ended := tb.Exec(bpf.Event{Type: bpf.EventExec, PID: 599, PPID: 600, StartTimeNs: 900 * nsPerTick,
		ParentStartTimeNs: 900 * nsPerTick, Filename: "/usr/bin/ls"})
	assert.Nil(t, ended, "the subshell's exec names its span")
	assert.Equal(t, sub.SpanID, cur.SpanID)
	cur, ended = tb.Exec(bpf.Event{Type: bpf.EventExec, PID: 600, PPID: 500, StartTimeNs: 900 * nsPerTick,
		ParentStartTimeNs: 200 * nsPerTick, Filename: "/usr/bin/vim"})
	require.NotNil(t, ended, "bash's exec starts a new span")
	assert.Equal(t, b.SpanID, cur.ParentSpanID)

	// Seeding again adds nothing: known pids are kept.
	n, _ = tb.SeedFromProc(root)
	assert.Zero(t, n)
}

func TestSeedFromMissingProc(t *testing.T) {
	tb := newTestTable(nil)
	_, err := tb.SeedFromProc(filepath.Join(t.TempDir(), "nope"))
	assert.ErrorContains(t, err, "nope")
}

// The real /proc: the test binary itself must be found, with the span id a
// kernel exec event for it would give.
func TestSeedFromProcFindsSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		testenv.Skip(t, "no procfs: "+err.Error())
	}
	bootID, err := BootID()
	require.NoError(t, err)
	boot, err := bpf.BootTime()
	require.NoError(t, err)
	cfg := Config{BootID: bootID, BootTime: boot}

	tb := New(cfg)
	n, err := tb.SeedFromProc("/proc")
	require.NoError(t, err)
	assert.Greater(t, n, 1)

	pid := uint32(os.Getpid())
	self, ok := tb.Get(pid)
	require.True(t, ok)
	exe, err := os.Executable()
	require.NoError(t, err)
	assert.Equal(t, exe, self.Exe)
	assert.Equal(t, os.Args, self.Args)
	assert.Equal(t, uint32(os.Getppid()), self.PPID)
	assert.True(t, self.Seeded)
	assert.Equal(t, uint32(os.Getuid()), self.UID)
	assert.WithinDuration(t, time.Now(), self.StartTime, time.Minute, "the test binary started just now")

	// A fresh table (a collector that never saw /proc) learning of the same
	// process from the kernel gives it the same span.
	fresh := New(cfg)
	cur, _ := fresh.Exec(bpf.Event{
		Type: bpf.EventExec, PID: pid, PPID: self.PPID,
		StartTimeNs: self.StartTicks*nsPerTick + 3_000_000, // ns within the tick
		Filename:    exe,
	})
	assert.Equal(t, self.StartTicks, cur.StartTicks)
	assert.Equal(t, self.SpanID, cur.SpanID)
	assert.Equal(t, SpanID(bootID, pid, self.StartTicks, 0), cur.SpanID)
}
