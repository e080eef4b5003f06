package process

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
)

// SeedFromProc adds every process running under procRoot (normally "/proc")
// that the table does not know yet, with span and trace ids computed by the
// same rules as for kernel events, so processes that predate Vigil (or a
// restart of it) keep their ids and get ancestry. Call it after the kernel
// probes are attached, so that a process starting meanwhile is seen at least
// once. It returns how many processes were added. Processes that exit while
// being read are skipped and counted (Stats.SeedVanished); the error reports
// processes that could not be read for other reasons, which are skipped too.
//
// What /proc cannot tell is assumed: every process is on its first span
// (ExecSeq 0), and it has exec'd unless it runs the same executable as its
// parent (a forked worker or subshell), so that its next exec names its span.
func (t *Table) SeedFromProc(procRoot string) (int, error) {
	dirents, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, fmt.Errorf("seed processes: list %s: %w", procRoot, err)
	}

	var (
		entries  []procEntry
		vanished uint64
		failed   []error
	)
	for _, d := range dirents {
		pid, err := strconv.ParseUint(d.Name(), 10, 32)
		if err != nil || pid == 0 {
			continue // not a process directory
		}
		pe, err := readProcEntry(procRoot, uint32(pid))
		switch {
		case errors.Is(err, errVanished):
			vanished++
			continue
		case err != nil:
			failed = append(failed, fmt.Errorf("pid %d: %w", pid, err))
			continue
		}
		if pe.state == 'Z' || pe.state == 'X' {
			continue // already exited: no exit event will ever remove it
		}
		if t.cfg.ContainerOfProcCgroup != nil {
			// Outside the lock: the resolver may read files.
			pe.container = t.cfg.ContainerOfProcCgroup(int(pid))
		}
		entries = append(entries, pe)
	}

	// Parents start before their children, so start order links parents
	// first; ties (same 10 ms tick) are resolved by adding the parent first.
	slices.SortFunc(entries, func(a, b procEntry) int {
		return cmp.Or(cmp.Compare(a.startTicks, b.startTicks), cmp.Compare(a.pid, b.pid))
	})
	index := make(map[uint32]int, len(entries))
	for i, pe := range entries {
		index[pe.pid] = i
	}

	t.mu.Lock()
	defer t.unlock()
	added := 0
	done := make([]bool, len(entries))
	var add func(i int)
	add = func(i int) {
		if done[i] {
			return
		}
		done[i] = true // before recursing: a ppid loop must not recurse forever
		pe := &entries[i]
		parentTicks := uint64(0)
		if j, ok := index[pe.ppid]; ok && pe.ppid != pe.pid {
			parentTicks = entries[j].startTicks
			if parentTicks <= pe.startTicks {
				add(j)
			}
		}
		if t.seedLocked(pe, parentTicks) {
			added++
		}
	}
	for i := range entries {
		add(i)
	}
	t.stats.SeedVanished += vanished
	t.stats.SeedFailed += uint64(len(failed))
	t.stats.Seeded += uint64(added)

	if len(failed) > 0 {
		return added, fmt.Errorf("seed processes from %s: %d unreadable, skipped: %w",
			procRoot, len(failed), errors.Join(failed[:min(len(failed), 3)]...))
	}
	return added, nil
}

// seedLocked adds one /proc process unless its pid is already known: an
// entry made from a kernel event is at least as fresh as /proc.
func (t *Table) seedLocked(pe *procEntry, parentTicks uint64) bool {
	if _, ok := t.byPID[pe.pid]; ok {
		return false
	}
	p := Process{
		PID:         pe.pid,
		PPID:        pe.ppid,
		StartTicks:  pe.startTicks,
		StartTime:   t.wall(pe.startTicks * nsPerTick),
		Parent:      Key{PID: pe.ppid, StartTicks: parentTicks},
		Exe:         pe.exe,
		Args:        pe.args,
		Comm:        pe.comm,
		UID:         pe.uid,
		GID:         pe.gid,
		EUID:        pe.euid,
		ContainerID: pe.container,
		Seeded:      true,
	}
	p.SpanID = SpanID(t.cfg.BootID, p.PID, p.StartTicks, 0)
	p.SpanStart = p.StartTime
	parent := t.parentLocked(&p)
	p.Execd = p.Exe != "" && (parent == nil || parent.Exe != p.Exe)
	t.linkLocked(&p, parent)
	t.insertLocked(p)
	return true
}
