package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"container/list"
	"strings"

	"github.com/vigil-sec/vigil/bpf"
)

// Bounds of the container drift state: paths remembered per container and
// containers remembered. Each is an LRU; what falls out is counted
// (otelcol_vigil_drift_paths_evicted) and no longer marked as drift.
const (
	maxDriftPathsPerContainer = 4096
	maxDriftContainers        = 1024
)

// driftTracker detects container drift: a container running a program that
// is not part of its image. It remembers, per container, the absolute paths
// the container's processes created or opened for writing (file.open with
// write access, O_CREAT, O_TRUNC) or made executable (file.chmod with an x
// bit), once the syscall succeeded; a rename moves the mark to the new name. A later process.exec of such a path in the same container is
// marked vigil.process.executable.drift.
//
// Limits: paths are compared as the processes passed them. Relative paths
// (and *at() calls relative to a directory fd) are not resolved, so they are
// neither remembered nor matched; neither are different spellings of one file
// (/usr/bin/x and /bin/x on a usrmerged image, "//x", symbolic links). A path
// deleted (file.delete) is forgotten. State survives a container's restart
// (its writable layer does too). Only the receiver's event loop uses it.
type driftTracker struct {
	byContainer map[string]*list.Element // of *driftPaths
	order       *list.List               // containers, most recently used first
	maxPaths    int
	maxConts    int
	evicted     func(n int) // paths forgotten because of a bound
}

type driftPaths struct {
	id    string
	paths map[string]*list.Element // of string
	order *list.List               // paths, most recently used first
}

func newDriftTracker(maxContainers, maxPaths int, evicted func(int)) *driftTracker {
	if evicted == nil {
		evicted = func(int) {}
	}
	return &driftTracker{
		byContainer: map[string]*list.Element{},
		order:       list.New(),
		maxPaths:    maxPaths,
		maxConts:    maxContainers,
		evicted:     evicted,
	}
}

// container returns the state of id, creating it (and evicting the least
// recently used container when full) when create is set.
func (d *driftTracker) container(id string, create bool) *driftPaths {
	if e, ok := d.byContainer[id]; ok {
		d.order.MoveToFront(e)
		return e.Value.(*driftPaths)
	}
	if !create {
		return nil
	}
	if d.order.Len() >= d.maxConts {
		old := d.order.Back()
		c := old.Value.(*driftPaths)
		d.order.Remove(old)
		delete(d.byContainer, c.id)
		d.evicted(len(c.paths))
	}
	c := &driftPaths{id: id, paths: map[string]*list.Element{}, order: list.New()}
	d.byContainer[id] = d.order.PushFront(c)
	return c
}

// note remembers that path was written or made executable in container id.
func (d *driftTracker) note(id, path string) {
	if id == "" || !strings.HasPrefix(path, "/") {
		return
	}
	c := d.container(id, true)
	if e, ok := c.paths[path]; ok {
		c.order.MoveToFront(e)
		return
	}
	if c.order.Len() >= d.maxPaths {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.paths, old.Value.(string))
		d.evicted(1)
	}
	c.paths[path] = c.order.PushFront(path)
}

// forget drops path (deleted, or renamed away) from container id.
func (d *driftTracker) forget(id, path string) {
	c := d.container(id, false)
	if c == nil {
		return
	}
	if e, ok := c.paths[path]; ok {
		c.order.Remove(e)
		delete(c.paths, path)
	}
}

// drifted reports whether path was written or made executable in container id.
func (d *driftTracker) drifted(id, path string) bool {
	if id == "" || path == "" {
		return false
	}
	c := d.container(id, false)
	if c == nil {
		return false
	}
	e, ok := c.paths[path]
	if ok {
		c.order.MoveToFront(e)
	}
	return ok
}

// observe updates the state from a container's successful file syscall.
func (d *driftTracker) observe(containerID string, t bpf.EventType, s *bpf.SyscallEvent) {
	if containerID == "" || s == nil || s.Ret < 0 {
		return
	}
	switch t {
	case bpf.EventFileOpen:
		if openWrites(s.Flags) {
			d.note(containerID, s.Path)
		}
	case bpf.EventFileChmod:
		if !s.FDBased && s.Mode&0o111 != 0 {
			d.note(containerID, s.Path)
		}
	case bpf.EventFileRename:
		// The new name holds the old name's content: drift moves with it,
		// and an image file renamed over a written one replaces it.
		moved := d.drifted(containerID, s.Path)
		d.forget(containerID, s.Path)
		if moved {
			d.note(containerID, s.Path2)
		} else {
			d.forget(containerID, s.Path2)
		}
	case bpf.EventFileDelete:
		d.forget(containerID, s.Path)
	}
}
