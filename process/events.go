package process

import "github.com/vigil-sec/vigil/bpf"

// Fork records the process ev.ChildPID created by ev.PID and returns a
// snapshot of it. The child runs its parent's image, so its span is named
// after the parent's executable until it execs. If the parent is unknown a
// placeholder for it is made from the event (identity, comm, creds, cgroup;
// no executable) so that the child has a parent span and later events of the
// parent find an entry.
func (t *Table) Fork(ev bpf.Event) *Process {
	t.mu.Lock()
	defer t.unlock()

	var pp *Process // nil only for children of the idle task (pid 0)
	if ev.PID != 0 {
		parent := t.findLocked(ev.PID, Ticks(ev.StartTimeNs))
		if parent == nil {
			t.stats.UnknownParent++
			ph := t.fromEventLocked(ev)
			ph.Placeholder = true
			parent = t.insertLocked(ph)
		} else {
			t.recency.touch(parent)
		}
		pp = &parent.p
	}

	ticks := Ticks(ev.ChildStartTimeNs)
	if e := t.byPID[ev.ChildPID]; e != nil && e.p.StartTicks == ticks {
		// The child's exec can be reported before its parent's fork (the
		// child may run on another CPU before the fork hook fires). The entry
		// made from the exec is the better one: keep it.
		t.recency.touch(e)
		return e.snapshot()
	}

	c := Process{
		PID:        ev.ChildPID,
		PPID:       ev.PID,
		StartTicks: ticks,
		StartTime:  t.wall(ev.ChildStartTimeNs),
		Parent:     Key{PID: ev.PID, StartTicks: Ticks(ev.StartTimeNs)},
		// The event's comm, creds and cgroup are the parent's at the moment
		// of the fork, which the child inherits; they are fresher than the entry.
		Comm:        ev.Comm,
		UID:         ev.UID,
		GID:         ev.GID,
		EUID:        ev.EUID,
		CgroupID:    ev.CgroupID,
		ContainerID: t.containerOf(ev.CgroupName),
	}
	if pp != nil {
		c.Parent = pp.Key()
		c.Exe, c.Args, c.ArgsTruncated = pp.Exe, pp.Args, pp.ArgsTruncated
		if c.Comm == "" {
			c.Comm = pp.Comm
		}
	}
	c.SpanID = SpanID(t.cfg.BootID, c.PID, c.StartTicks, 0)
	c.SpanStart = c.StartTime
	t.linkLocked(&c, pp)
	return t.insertLocked(c).snapshot()
}

// Exec records that ev.PID replaced its image and returns a snapshot of it.
// The first exec after fork names the process's span. A later exec ends that
// span, returned as ended (a snapshot with EndTime set to the exec), and
// starts the next one (ExecSeq+1) as a child of the ended span. An exec of an
// unknown process (its fork was missed) creates it, linked to its parent if
// the parent is known.
func (t *Table) Exec(ev bpf.Event) (cur, ended *Process) {
	t.mu.Lock()
	defer t.unlock()

	e := t.findLocked(ev.PID, Ticks(ev.StartTimeNs))
	if e == nil {
		t.stats.UnknownExec++
		p := t.fromEventLocked(ev)
		p.Execd = true
		nameFromExec(&p, ev)
		return t.insertLocked(p).snapshot(), nil
	}
	t.recency.touch(e)
	p := &e.p
	cid := t.containerOf(ev.CgroupName)

	if !p.Execd {
		nameFromExec(p, ev)
		p.Execd = true
		p.Placeholder = false
		if cid != p.ContainerID {
			// Moved into (or out of) a container between fork and exec, as
			// runc's init does: the span belongs to the new container's trace.
			p.ContainerID = cid
			t.linkLocked(p, t.parentLocked(p))
		}
		return e.snapshot(), nil
	}

	old := *p
	old.EndTime = t.wall(ev.TimeNs)
	p.ExecSeq++
	p.SpanID = SpanID(t.cfg.BootID, p.PID, p.StartTicks, p.ExecSeq)
	p.SpanStart = old.EndTime
	nameFromExec(p, ev)
	if cid != p.ContainerID {
		p.ContainerID = cid
		t.linkLocked(p, t.parentLocked(p))
	} else {
		p.ParentSpanID = old.SpanID // the trace stays the same
	}
	return e.snapshot(), &old
}

// Exit removes ev.PID and returns it with EndTime, ExitCode and ExitSignal
// set. An unknown process is built from the event, so the caller can still
// report its span (without an executable).
func (t *Table) Exit(ev bpf.Event) *Process {
	t.mu.Lock()
	defer t.unlock()

	var p *Process
	if e := t.byPID[ev.PID]; e != nil && e.p.StartTicks == Ticks(ev.StartTimeNs) {
		t.removeLocked(e)
		p = &e.p // no longer in the table: the caller may own it
	} else {
		if e != nil {
			// The entry is an older process with the same pid whose exit we
			// missed; it is certainly gone now.
			t.removeLocked(e)
			t.stats.PIDReuse++
			e.p.EndTime = t.wall(ev.StartTimeNs)
			t.evictedLocked(&e.p)
		}
		t.stats.UnknownExit++
		built := t.fromEventLocked(ev)
		p = &built
	}
	p.EndTime = t.wall(ev.TimeNs)
	p.ExitCode = ev.ExitCode
	p.ExitSignal = ev.ExitSignal
	return p
}

// fromEventLocked builds the process an event is about (ev.PID) from the
// event alone, linked to its parent if the table knows it.
func (t *Table) fromEventLocked(ev bpf.Event) Process {
	p := Process{
		PID:         ev.PID,
		PPID:        ev.PPID,
		StartTicks:  Ticks(ev.StartTimeNs),
		StartTime:   t.wall(ev.StartTimeNs),
		Parent:      Key{PID: ev.PPID, StartTicks: Ticks(ev.ParentStartTimeNs)},
		Comm:        ev.Comm,
		UID:         ev.UID,
		GID:         ev.GID,
		EUID:        ev.EUID,
		CgroupID:    ev.CgroupID,
		ContainerID: t.containerOf(ev.CgroupName),
	}
	p.SpanID = SpanID(t.cfg.BootID, p.PID, p.StartTicks, 0)
	p.SpanStart = p.StartTime
	t.linkLocked(&p, t.parentLocked(&p))
	return p
}

// nameFromExec gives p the image, comm and creds of an exec event (a setuid
// image changes the effective uid).
func nameFromExec(p *Process, ev bpf.Event) {
	p.Exe = ev.Filename
	p.Args = ev.Args
	p.ArgsTruncated = ev.ArgsTruncated
	if ev.Comm != "" {
		p.Comm = ev.Comm
	}
	p.UID, p.GID, p.EUID = ev.UID, ev.GID, ev.EUID
	p.CgroupID = ev.CgroupID
}
