package process

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A host tree used by several tests: init → sshd → bash.
var (
	initProc = proc{pid: 1, ppid: 0, startNs: ms(30)}
	sshd     = initProc.child(500, ms(2_000))
	bash     = sshd.child(600, ms(9_000))
)

// known makes the table know p by an exec event (as if its fork was missed).
func known(t *testing.T, tb *Table, p proc, exe string) *Process {
	t.Helper()
	cur, ended := tb.Exec(p.exec(p.startNs+ms(1), exe))
	require.Nil(t, ended)
	return cur
}

func TestForkThenExecKeepsOneSpanAndNamesIt(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, initProc, "/sbin/init")
	sh := known(t, tb, sshd, "/usr/sbin/sshd")

	child := sshd.child(501, ms(3_000))
	forked := tb.Fork(sshd.fork(child.pid, child.startNs))
	assert.Equal(t, "/usr/sbin/sshd", forked.Exe, "a forked child runs its parent's image")
	assert.False(t, forked.Execd)
	assert.Equal(t, uint32(0), forked.ExecSeq)
	assert.Equal(t, SpanID(testBoot, 501, 300, 0), forked.SpanID)
	assert.Equal(t, sh.SpanID, forked.ParentSpanID)
	assert.Equal(t, testBootTime.Add(3_000_000_000), forked.SpanStart)

	cur, ended := tb.Exec(child.exec(ms(3_010), "/bin/bash", "-l"))
	assert.Nil(t, ended, "the first exec after fork names the span, it ends nothing")
	assert.Equal(t, forked.SpanID, cur.SpanID)
	assert.Equal(t, forked.ParentSpanID, cur.ParentSpanID)
	assert.Equal(t, forked.TraceID, cur.TraceID)
	assert.Equal(t, forked.SpanStart, cur.SpanStart)
	assert.Equal(t, "/bin/bash", cur.Exe)
	assert.Equal(t, []string{"/bin/bash", "-l"}, cur.Args)
	assert.True(t, cur.Execd)
	assert.Equal(t, uint32(0), cur.ExecSeq)
}

func TestReExecEndsSpanAndStartsChild(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	child := sshd.child(501, ms(3_000))
	tb.Fork(sshd.fork(child.pid, child.startNs))
	first, _ := tb.Exec(child.exec(ms(3_010), "/bin/sh", "-c", "exec /usr/bin/env"))

	second, ended := tb.Exec(child.exec(ms(3_500), "/usr/bin/env"))
	require.NotNil(t, ended, "a second exec ends the current span")
	assert.Equal(t, first.SpanID, ended.SpanID)
	assert.Equal(t, "/bin/sh", ended.Exe, "the ended span keeps the old image")
	assert.Equal(t, testBootTime.Add(3_500_000_000), ended.EndTime)

	assert.Equal(t, uint32(1), second.ExecSeq)
	assert.Equal(t, SpanID(testBoot, 501, 300, 1), second.SpanID)
	assert.NotEqual(t, first.SpanID, second.SpanID)
	assert.Equal(t, first.SpanID, second.ParentSpanID, "the new span is a child of the ended one")
	assert.Equal(t, first.TraceID, second.TraceID)
	assert.Equal(t, ended.EndTime, second.SpanStart)
	assert.Equal(t, "/usr/bin/env", second.Exe)

	third, ended2 := tb.Exec(child.exec(ms(3_600), "/bin/true"))
	require.NotNil(t, ended2)
	assert.Equal(t, second.SpanID, ended2.SpanID)
	assert.Equal(t, second.SpanID, third.ParentSpanID)
	assert.Equal(t, uint32(2), third.ExecSeq)
}

// sh -c 'a; b | c': sh forks a child that execs a, then two children for
// the pipeline that exec b and c. All are children of sh's span, in its trace.
func TestShellChildrenShareShellSpanAndTrace(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, initProc, "/sbin/init")
	known(t, tb, sshd, "/usr/sbin/sshd")
	sh := known(t, tb, bash, "/bin/sh")

	a := bash.child(601, ms(9_100))
	b := bash.child(602, ms(9_200))
	c := bash.child(603, ms(9_210))
	tb.Fork(bash.fork(a.pid, a.startNs))
	ca, _ := tb.Exec(a.exec(ms(9_101), "/usr/bin/a"))
	tb.Exit(a.exit(ms(9_150), 0, 0))
	tb.Fork(bash.fork(b.pid, b.startNs))
	tb.Fork(bash.fork(c.pid, c.startNs))
	cb, _ := tb.Exec(b.exec(ms(9_201), "/usr/bin/b"))
	cc, _ := tb.Exec(c.exec(ms(9_211), "/usr/bin/c"))

	for _, p := range []*Process{ca, cb, cc} {
		assert.Equal(t, sh.SpanID, p.ParentSpanID, "pid %d", p.PID)
		assert.Equal(t, sh.TraceID, p.TraceID, "pid %d", p.PID)
		assert.False(t, p.IsRoot())
	}
	assert.Len(t, map[[8]byte]bool{ca.SpanID: true, cb.SpanID: true, cc.SpanID: true, sh.SpanID: true}, 4,
		"every process has its own span")
}

func TestContainerProcessIsRootOfContainerTrace(t *testing.T) {
	const cid = "4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee00"
	tb := newTestTable(func(c *Config) {
		c.ContainerOf = func(cg string) string {
			if cg == cid {
				return cid
			}
			return ""
		}
	})
	known(t, tb, initProc, "/sbin/init")
	shimP := initProc.child(700, ms(10_000))
	shim := known(t, tb, shimP, "/usr/bin/containerd-shim-runc-v2")

	// The shim's fork is reported with the container's cgroup (the task had
	// already joined it): the child crosses the boundary.
	inCt := shimP
	inCt.cgroup = cid
	entry := shimP.child(701, ms(10_100))
	entry.cgroup = cid
	forked := tb.Fork(inCt.fork(entry.pid, entry.startNs))
	assert.Equal(t, cid, forked.ContainerID)
	assert.True(t, forked.IsRoot(), "a container's first process starts the container's trace")
	assert.Equal(t, ContainerTraceID(testBoot, cid), forked.TraceID)
	assert.NotEqual(t, shim.TraceID, forked.TraceID)

	cur, _ := tb.Exec(entry.exec(ms(10_101), "/app"))
	assert.True(t, cur.IsRoot())
	assert.Equal(t, ContainerTraceID(testBoot, cid), cur.TraceID)

	// Its children stay in the container's trace, under its span.
	worker := entry.child(702, ms(10_200))
	w := tb.Fork(entry.fork(worker.pid, worker.startNs))
	assert.Equal(t, cur.TraceID, w.TraceID)
	assert.Equal(t, cur.SpanID, w.ParentSpanID)

	// runc's way: forked on the host, moved into the container, then exec'd.
	// The exec sees the new cgroup and re-roots the span in the container trace.
	runcInit := shimP.child(710, ms(11_000))
	f := tb.Fork(shimP.fork(runcInit.pid, runcInit.startNs))
	assert.Equal(t, shim.TraceID, f.TraceID, "still on the host at fork")
	runcInit.cgroup = cid
	moved, ended := tb.Exec(runcInit.exec(ms(11_050), "/entrypoint.sh"))
	assert.Nil(t, ended)
	assert.Equal(t, f.SpanID, moved.SpanID, "span identity does not depend on the trace")
	assert.Equal(t, cid, moved.ContainerID)
	assert.True(t, moved.IsRoot())
	assert.Equal(t, ContainerTraceID(testBoot, cid), moved.TraceID)
}

func TestHostTreeRoots(t *testing.T) {
	tb := newTestTable(nil)
	in := known(t, tb, initProc, "/sbin/init")
	assert.True(t, in.IsRoot())
	assert.Equal(t, HostTraceID(testBoot, 1, 3), in.TraceID, "pid 1 is the root of its own trace")

	kthreadd := proc{pid: 2, ppid: 0, startNs: ms(1)}
	kt := tb.Fork(proc{pid: 0}.fork(2, kthreadd.startNs))
	assert.True(t, kt.IsRoot())
	assert.Equal(t, HostTraceID(testBoot, 2, 0), kt.TraceID, "kthreadd is the root of its own trace")
	kw := tb.Fork(kthreadd.fork(40, ms(50)))
	assert.Equal(t, kt.TraceID, kw.TraceID, "kernel threads belong to kthreadd's trace")
	assert.Equal(t, kt.SpanID, kw.ParentSpanID)

	s := known(t, tb, sshd, "/usr/sbin/sshd")
	assert.True(t, s.IsRoot(), "a child of init starts a host tree")
	assert.Equal(t, HostTraceID(testBoot, sshd.pid, 200), s.TraceID)
	assert.NotEqual(t, in.TraceID, s.TraceID)

	b := known(t, tb, bash, "/bin/bash")
	assert.Equal(t, s.TraceID, b.TraceID, "descendants share the tree root's trace")
	assert.Equal(t, s.SpanID, b.ParentSpanID)

	orphan := proc{pid: 900, ppid: 899, startNs: ms(20_000), pstartNs: ms(19_000)}
	o := known(t, tb, orphan, "/bin/orphan")
	assert.True(t, o.IsRoot(), "a process whose parent is unknown starts a trace")
	assert.Equal(t, HostTraceID(testBoot, 900, 2_000), o.TraceID)
}

func TestForkOfUnknownParentMakesPlaceholder(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	// bash was never seen; its fork of 650 is.
	c := tb.Fork(bash.fork(650, ms(9_500)))
	assert.Equal(t, uint64(1), tb.Stats().UnknownParent)

	ph, ok := tb.Lookup(bash.pid, 900)
	require.True(t, ok, "the parent gets a placeholder entry")
	assert.True(t, ph.Placeholder)
	assert.Empty(t, ph.Exe)
	assert.Equal(t, "parent", ph.Comm)
	assert.Equal(t, SpanID(testBoot, bash.pid, 900, 0), ph.SpanID)
	s, _ := tb.Get(sshd.pid)
	assert.Equal(t, s.SpanID, ph.ParentSpanID, "the placeholder is linked to its known parent")
	assert.Equal(t, ph.SpanID, c.ParentSpanID)
	assert.Equal(t, s.TraceID, c.TraceID)

	// Its first exec names it rather than starting a second span.
	cur, ended := tb.Exec(bash.exec(ms(9_600), "/bin/bash"))
	assert.Nil(t, ended)
	assert.Equal(t, ph.SpanID, cur.SpanID)
	assert.False(t, cur.Placeholder)
}

// The child may exec on another CPU before the parent's fork hook runs.
func TestExecReportedBeforeForkKeepsExecEntry(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	child := sshd.child(501, ms(3_000))
	cur, _ := tb.Exec(child.exec(ms(3_001), "/bin/ls"))
	f := tb.Fork(sshd.fork(child.pid, child.startNs))
	assert.Equal(t, "/bin/ls", f.Exe)
	assert.Equal(t, cur.SpanID, f.SpanID)
	assert.Zero(t, tb.Stats().PIDReuse)
	assert.Equal(t, 2, tb.Len())
}

func TestExitRemovesAndReports(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	child := sshd.child(501, ms(3_000))
	tb.Fork(sshd.fork(child.pid, child.startNs))
	cur, _ := tb.Exec(child.exec(ms(3_001), "/bin/false"))
	require.Equal(t, 2, tb.Len())

	p := tb.Exit(child.exit(ms(4_000), 1, 0))
	assert.Equal(t, 1, tb.Len())
	_, ok := tb.Get(child.pid)
	assert.False(t, ok)
	assert.Equal(t, cur.SpanID, p.SpanID)
	assert.Equal(t, "/bin/false", p.Exe)
	assert.Equal(t, int32(1), p.ExitCode)
	assert.Equal(t, testBootTime.Add(4_000_000_000), p.EndTime)

	// An exit of a process never seen is still reported, linked to its parent.
	ghost := sshd.child(502, ms(5_000))
	g := tb.Exit(ghost.exit(ms(5_100), 0, 9))
	assert.Equal(t, uint64(1), tb.Stats().UnknownExit)
	assert.Equal(t, uint32(9), g.ExitSignal)
	assert.Equal(t, SpanID(testBoot, 502, 500, 0), g.SpanID)
	s, _ := tb.Get(sshd.pid)
	assert.Equal(t, s.SpanID, g.ParentSpanID)
	assert.Equal(t, 1, tb.Len(), "an unknown exit adds nothing")
}

func TestPIDReuseReplacesStaleEntry(t *testing.T) {
	var evicted []*Process
	tb := newTestTable(func(c *Config) { c.OnEvict = func(p *Process) { evicted = append(evicted, p) } })
	known(t, tb, sshd, "/usr/sbin/sshd")
	old := sshd.child(501, ms(3_000))
	tb.Fork(sshd.fork(old.pid, old.startNs))
	// old's exit is lost; pid 501 comes back as a new process.
	reborn := sshd.child(501, ms(60_000))
	n := tb.Fork(sshd.fork(reborn.pid, reborn.startNs))

	assert.Equal(t, uint64(1), tb.Stats().PIDReuse)
	require.Len(t, evicted, 1, "the stale process is handed back so its span can end")
	assert.Equal(t, uint64(300), evicted[0].StartTicks)
	assert.Equal(t, testBootTime.Add(60_000_000_000), evicted[0].EndTime, "it ended before its pid was reused")
	_, ok := tb.Lookup(501, 300)
	assert.False(t, ok)
	got, ok := tb.Lookup(501, 6_000)
	require.True(t, ok)
	assert.Equal(t, n.SpanID, got.SpanID)
	assert.NotEqual(t, evicted[0].SpanID, n.SpanID)

	// An exit of the stale identity must not remove the new process.
	tb.Exit(old.exit(ms(61_000), 0, 0))
	_, ok = tb.Lookup(501, 6_000)
	assert.False(t, ok, "the kernel says the process with this pid now is another one")
	assert.Equal(t, uint64(2), tb.Stats().PIDReuse)
}

func TestEvictionAtMaxIsLRUAndReported(t *testing.T) {
	var evicted []uint32
	tb := newTestTable(func(c *Config) {
		c.MaxProcesses = 3
		c.OnEvict = func(p *Process) { evicted = append(evicted, p.PID) }
	})
	a := proc{pid: 10, ppid: 1, startNs: ms(100)}
	b := proc{pid: 11, ppid: 1, startNs: ms(200)}
	c := proc{pid: 12, ppid: 1, startNs: ms(300)}
	d := proc{pid: 13, ppid: 1, startNs: ms(400)}
	known(t, tb, a, "/a")
	known(t, tb, b, "/b")
	known(t, tb, c, "/c")
	tb.Fork(a.fork(14, ms(500))) // touches a and adds 14: b is now the oldest
	assert.Equal(t, []uint32{11}, evicted)
	known(t, tb, d, "/d")
	assert.Equal(t, []uint32{11, 12}, evicted)
	assert.Equal(t, 3, tb.Len())
	assert.Equal(t, uint64(2), tb.Stats().Evictions)
	_, ok := tb.Get(10)
	assert.True(t, ok, "a was touched and survives")
}

func TestOnEvictMayUseTheTable(t *testing.T) {
	var lens []int
	var tb *Table
	tb = newTestTable(func(c *Config) {
		c.MaxProcesses = 1
		c.OnEvict = func(*Process) { lens = append(lens, tb.Len()) } // would deadlock under the lock
	})
	known(t, tb, proc{pid: 10, ppid: 1, startNs: ms(100)}, "/a")
	known(t, tb, proc{pid: 11, ppid: 1, startNs: ms(200)}, "/b")
	assert.Equal(t, []int{1}, lens)
}

func TestSnapshotsAreNotAliased(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	child := sshd.child(501, ms(3_000))
	f := tb.Fork(sshd.fork(child.pid, child.startNs))
	tb.Exec(child.exec(ms(3_001), "/bin/ls"))
	assert.Equal(t, "/usr/sbin/sshd", f.Exe, "a returned process does not change with the table")
	g, _ := tb.Get(child.pid)
	g.Exe = "changed"
	h, _ := tb.Get(child.pid)
	assert.Equal(t, "/bin/ls", h.Exe)
}

func TestAncestors(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, initProc, "/sbin/init")
	known(t, tb, sshd, "/usr/sbin/sshd")
	known(t, tb, bash, "/bin/bash")
	child := bash.child(601, ms(9_100))
	tb.Fork(bash.fork(child.pid, child.startNs))

	pids := func(ps []*Process) (out []uint32) {
		for _, p := range ps {
			out = append(out, p.PID)
		}
		return out
	}
	assert.Equal(t, []uint32{600, 500, 1}, pids(tb.Ancestors(601, 0)))
	assert.Equal(t, []uint32{600, 500}, pids(tb.Ancestors(601, 2)))
	assert.Empty(t, tb.Ancestors(1, 0))
	assert.Nil(t, tb.Ancestors(4242, 0))

	// A parent whose pid was reused is not an ancestor.
	tb.Exit(sshd.exit(ms(9_500), 0, 0))
	tb.Fork(initProc.fork(500, ms(9_600)))
	assert.Equal(t, []uint32{600}, pids(tb.Ancestors(601, 0)))
}

func TestSnapshotListsLiveProcesses(t *testing.T) {
	tb := newTestTable(nil)
	known(t, tb, sshd, "/usr/sbin/sshd")
	known(t, tb, bash, "/bin/bash")
	all := tb.Snapshot()
	assert.Len(t, all, 2)
}
