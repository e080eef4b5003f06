package runtimesecurityreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vigil-sec/vigil/bpf"
)

func TestDriftTracker(t *testing.T) {
	evicted := 0
	d := newDriftTracker(2, 3, func(n int) { evicted += n })
	open := func(c, p string, flags uint64, ret int64) {
		d.observe(c, bpf.EventFileOpen, &bpf.SyscallEvent{Path: p, Flags: flags, Ret: ret})
	}
	const wrCreat = 0o101
	open("c1", "/root/x", wrCreat, 3)
	open("c1", "/etc/hostname", 0, 3)           // read: not drift
	open("c1", "/root/failed", wrCreat, -13)    // failed: not drift
	open("c1", "relative/x", wrCreat, 3)        // relative: not remembered
	open("", "/usr/local/bin/host", wrCreat, 3) // host: not tracked
	assert.True(t, d.drifted("c1", "/root/x"))
	assert.False(t, d.drifted("c1", "/etc/hostname"))
	assert.False(t, d.drifted("c1", "/root/failed"))
	assert.False(t, d.drifted("c1", "relative/x"))
	assert.False(t, d.drifted("", "/usr/local/bin/host"))
	assert.False(t, d.drifted("c2", "/root/x"), "per container")

	// chmod with an x bit marks; without one it does not; fchmod (no path) is ignored.
	d.observe("c1", bpf.EventFileChmod, &bpf.SyscallEvent{Path: "/bin/ls", Mode: 0o755})
	d.observe("c1", bpf.EventFileChmod, &bpf.SyscallEvent{Path: "/bin/cat", Mode: 0o644})
	assert.True(t, d.drifted("c1", "/bin/ls"))
	assert.False(t, d.drifted("c1", "/bin/cat"))

	// A rename moves the mark; a delete drops it.
	d.observe("c1", bpf.EventFileRename, &bpf.SyscallEvent{Path: "/root/x", Path2: "/usr/bin/y"})
	assert.False(t, d.drifted("c1", "/root/x"))
	assert.True(t, d.drifted("c1", "/usr/bin/y"))
	d.observe("c1", bpf.EventFileRename, &bpf.SyscallEvent{Path: "/bin/busybox", Path2: "/usr/bin/y"})
	assert.False(t, d.drifted("c1", "/usr/bin/y"), "an image file renamed over it")
	d.observe("c1", bpf.EventFileDelete, &bpf.SyscallEvent{Path: "/bin/ls"})
	assert.False(t, d.drifted("c1", "/bin/ls"))
	assert.Equal(t, 0, evicted)

	// Bounds: 3 paths per container, 2 containers, least recently used out.
	for _, p := range []string{"/a", "/b", "/c"} {
		open("c1", p, wrCreat, 3)
	}
	assert.True(t, d.drifted("c1", "/a")) // touch /a: /b is now the oldest
	open("c1", "/d", wrCreat, 3)
	assert.Equal(t, 1, evicted)
	assert.False(t, d.drifted("c1", "/b"))
	assert.True(t, d.drifted("c1", "/a"))
	open("c2", "/x", wrCreat, 3)
	open("c3", "/y", wrCreat, 3) // evicts c1 (3 paths)
	assert.Equal(t, 4, evicted)
	assert.False(t, d.drifted("c1", "/a"))
	assert.True(t, d.drifted("c2", "/x"))
	assert.True(t, d.drifted("c3", "/y"))
}
