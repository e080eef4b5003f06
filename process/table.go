package process

import (
	"sync"
	"time"
)

// Table is the set of live processes, keyed by pid. Fork, Exec, Exit and
// SeedFromProc change it and are meant for one goroutine (the event loop);
// Get, Lookup, Ancestors, Len and Stats may be called from any goroutine.
type Table struct {
	cfg Config
	max int

	mu      sync.RWMutex
	byPID   map[uint32]*entry
	recency lru
	stats   Stats
	// pending holds evictions made under mu; they are handed to OnEvict only
	// after mu is released so that the callback may call back into the table.
	pending []*Process
}

// New returns an empty table.
func New(cfg Config) *Table {
	t := &Table{cfg: cfg, max: cfg.MaxProcesses}
	if t.max <= 0 {
		t.max = DefaultMaxProcesses
	}
	t.byPID = make(map[uint32]*entry)
	t.recency.init()
	return t
}

// Get returns a snapshot of the live process with this pid.
func (t *Table) Get(pid uint32) (*Process, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e := t.byPID[pid]
	if e == nil {
		return nil, false
	}
	return e.snapshot(), true
}

// Lookup returns a snapshot of the process (pid, startTicks), or false if
// that pid now belongs to another process or is not known.
func (t *Table) Lookup(pid uint32, startTicks uint64) (*Process, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e := t.byPID[pid]
	if e == nil || e.p.StartTicks != startTicks {
		return nil, false
	}
	return e.snapshot(), true
}

// Ancestors returns snapshots of pid's parent, grandparent, … nearest first,
// at most max of them (max <= 0: all known). The walk stops at the first
// ancestor the table does not know.
func (t *Table) Ancestors(pid uint32, max int) []*Process {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e := t.byPID[pid]
	if e == nil {
		return nil
	}
	if max <= 0 || max > len(t.byPID) {
		max = len(t.byPID) // a chain longer than the table would be a cycle
	}
	var out []*Process
	for len(out) < max {
		// pid 0 is the idle task, never a table entry; stopping here also
		// keeps pid 1 and 2 from being reported as their own parents.
		if e.p.PPID == 0 || e.p.PPID == e.p.PID {
			break
		}
		e = t.findLocked(e.p.Parent.PID, e.p.Parent.StartTicks)
		if e == nil {
			break
		}
		out = append(out, e.snapshot())
	}
	return out
}

// Snapshot returns snapshots of every live process, in no particular order
// (e.g. to end all open spans at shutdown).
func (t *Table) Snapshot() []*Process {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]*Process, 0, len(t.byPID))
	for _, e := range t.byPID {
		out = append(out, e.snapshot())
	}
	return out
}

// Len returns the number of live processes in the table.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byPID)
}

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.stats
}

func (e *entry) snapshot() *Process {
	c := e.p
	return &c
}

// unlock releases mu and then reports evictions made while it was held.
func (t *Table) unlock() {
	pend := t.pending
	t.pending = nil
	t.mu.Unlock()
	for _, p := range pend {
		t.cfg.OnEvict(p)
	}
}

// findLocked returns the entry of (pid, startTicks). startTicks 0 means
// "unknown" (the kernel sends 0 when it could not read a parent's start) and
// matches any entry with that pid; the only processes whose real start tick is
// 0 are the first few of boot, where a wrong match is harmless.
func (t *Table) findLocked(pid uint32, startTicks uint64) *entry {
	e := t.byPID[pid]
	if e == nil || (startTicks != 0 && e.p.StartTicks != startTicks) {
		return nil
	}
	return e
}

// insertLocked adds p, replacing a previous process with the same pid (which
// must be dead, since pids are unique among live processes) and evicting the
// least recently touched entries to stay within max.
func (t *Table) insertLocked(p Process) *entry {
	if old := t.byPID[p.PID]; old != nil {
		t.removeLocked(old)
		t.stats.PIDReuse++
		// The new process could only get the pid after the old one ended.
		old.p.EndTime = p.StartTime
		t.evictedLocked(&old.p)
	}
	for len(t.byPID) >= t.max {
		old := t.recency.oldest()
		t.removeLocked(old)
		t.stats.Evictions++
		t.evictedLocked(&old.p)
	}
	e := &entry{p: p}
	t.byPID[p.PID] = e
	t.recency.pushFront(e)
	return e
}

func (t *Table) removeLocked(e *entry) {
	delete(t.byPID, e.p.PID)
	t.recency.remove(e)
}

func (t *Table) evictedLocked(p *Process) {
	if t.cfg.OnEvict != nil {
		t.pending = append(t.pending, p)
	}
}

// linkLocked sets p's trace and parent span from its parent (nil: unknown).
// p is the root of its trace when its parent is unknown, is init or the idle
// task (each child of init starts a host tree), or lives in another container
// than p (a container's first process, started from the host's shim). A root
// gets its container's trace, or on the host a trace named after itself.
func (t *Table) linkLocked(p *Process, parent *Process) {
	if parent == nil || p.PPID <= 1 || parent.ContainerID != p.ContainerID {
		p.ParentSpanID = [8]byte{}
		if p.ContainerID != "" {
			p.TraceID = ContainerTraceID(t.cfg.BootID, p.ContainerID)
		} else {
			p.TraceID = HostTraceID(t.cfg.BootID, p.PID, p.StartTicks)
		}
		return
	}
	p.TraceID = parent.TraceID
	p.ParentSpanID = parent.SpanID
}

// parentLocked returns p's parent process if the table knows it.
func (t *Table) parentLocked(p *Process) *Process {
	if p.PPID == 0 {
		return nil
	}
	if e := t.findLocked(p.Parent.PID, p.Parent.StartTicks); e != nil {
		return &e.p
	}
	return nil
}

// wall converts a CLOCK_BOOTTIME nanosecond value to wall clock time.
func (t *Table) wall(ns uint64) time.Time { return t.cfg.BootTime.Add(time.Duration(ns)) }

func (t *Table) containerOf(cgroupName string) string {
	if t.cfg.ContainerOf == nil {
		return ""
	}
	return t.cfg.ContainerOf(cgroupName)
}
