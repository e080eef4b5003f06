package runtimesecurityreceiver

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/internal/dockertest"
)

// attackerOpts are the capabilities an attacker in a container would use
// (--privileged does not work on the test machines).
var attackerOpts = []string{
	"--cap-add", "SYS_ADMIN", "--cap-add", "SYS_PTRACE", "--cap-add", "SYS_MODULE",
	"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
}

// eventIn matches a record named name from container id.
func eventIn(name, id string, more func(record) bool) func(record) bool {
	return func(r record) bool {
		return r.lr.EventName() == name && r.resAttr("container.id") == id && (more == nil || more(r))
	}
}

// assertSpanOfExec checks that r carries the span of the process that
// made the syscall: the span of that pid's process.exec record.
func assertSpanOfExec(t *testing.T, h *harness, r record, what string) {
	t.Helper()
	assert.False(t, r.lr.SpanID().IsEmpty(), "%s carries a span id", what)
	assert.False(t, r.lr.TraceID().IsEmpty(), "%s carries a trace id", what)
	var spans []pcommon.SpanID
	for _, e := range h.records() {
		if e.lr.EventName() == "process.exec" && e.pid() == r.pid() {
			spans = append(spans, e.lr.SpanID())
		}
	}
	assert.True(t, slices.Contains(spans, r.lr.SpanID()), "%s: span %s is the span of an exec of pid %d (%v)", what, r.lr.SpanID(), r.pid(), spans)
}

// TestSyscallRecordsInContainer performs file, privilege, namespace, ptrace,
// bpf, memfd and mount attacks in a real container and checks each record,
// its container and its process span.
func TestSyscallRecordsInContainer(t *testing.T) {
	c := dockertest.Run(t, attackerOpts...)
	h := startReceiver(t, nil) // default probes and filters, tracepoint hooks

	steps := [][]string{
		{"cat", "/etc/shadow"},
		{"sh", "-c", "touch /tmp/suid && chmodsuid /tmp/suid"},
		{"unshareit"},
		{"ptracer"},
		{"bpfload"},
		{"memfdexec", "/bin/busybox", "true"},
		{"sh", "-c", "mkdir -p /mnt/v && mount -t tmpfs vigil-tmpfs /mnt/v; umount /mnt/v"},
		{"sh", "-c", "cat /proc/self/status >/dev/null"}, // ignored prefix: not reported
	}
	for _, s := range steps {
		out, code := c.Exec(t, s...)
		t.Logf("%v: exit %d: %s", s, code, out)
	}

	open := h.waitRecord("file.open of /etc/shadow", 10*time.Second, eventIn("file.open", c.ID, func(r record) bool {
		return r.attr("file.path").Str() == "/etc/shadow"
	}))
	assert.Equal(t, "shadow", open.attr("file.name").Str())
	assert.Equal(t, "/etc", open.attr("file.directory").Str())
	assert.Contains(t, open.attr("vigil.file.flags").Str(), "O_RDONLY")
	assert.False(t, open.attr("vigil.file.write").Bool())
	assert.Equal(t, "cat", open.attr("process.executable.name").Str())
	assert.GreaterOrEqual(t, open.attr("vigil.syscall.return").Int(), int64(0))
	assertSpanOfExec(t, h, open, "file.open")

	chmod := h.waitRecord("file.chmod with setuid", 5*time.Second, eventIn("file.chmod", c.ID, func(r record) bool {
		return r.attr("file.path").Str() == "/tmp/suid"
	}))
	assert.Equal(t, "4644", chmod.attr("file.mode").Str())
	assert.True(t, chmod.attr("vigil.file.setuid").Bool())
	assert.Equal(t, int64(0), chmod.attr("vigil.syscall.return").Int())
	assertSpanOfExec(t, h, chmod, "file.chmod")

	ns := h.waitRecord("process.namespace from unshare", 5*time.Second, eventIn("process.namespace", c.ID, func(r record) bool {
		return r.attr("vigil.namespace.operation").Str() == "unshare"
	}))
	assert.Equal(t, []any{"mnt", "uts"}, ns.attr("vigil.namespace.types").Slice().AsRaw())
	assert.Equal(t, int64(0), ns.attr("vigil.syscall.return").Int())
	assertSpanOfExec(t, h, ns, "process.namespace")

	pt := h.waitRecord("process.ptrace attach", 5*time.Second, eventIn("process.ptrace", c.ID, func(r record) bool {
		return r.attr("vigil.ptrace.request").Str() == "PTRACE_ATTACH"
	}))
	assert.Positive(t, pt.attr("vigil.ptrace.target.pid").Int())
	assert.Equal(t, int64(0), pt.attr("vigil.syscall.return").Int())
	assertSpanOfExec(t, h, pt, "process.ptrace")

	prog := h.waitRecord("bpf.load of a program", 5*time.Second, eventIn("bpf.load", c.ID, func(r record) bool {
		return r.attr("vigil.bpf.command").Str() == "BPF_PROG_LOAD"
	}))
	assert.Equal(t, "vigil_prog", prog.attr("vigil.bpf.name").Str())
	assert.Equal(t, "socket_filter", prog.attr("vigil.bpf.prog.type").Str())
	assertSpanOfExec(t, h, prog, "bpf.load")
	h.waitRecord("bpf.load of a map", 5*time.Second, eventIn("bpf.load", c.ID, func(r record) bool {
		return r.attr("vigil.bpf.command").Str() == "BPF_MAP_CREATE" && r.attr("vigil.bpf.name").Str() == "vigil_map"
	}))

	memfd := h.waitRecord("process.memfd_create", 5*time.Second, eventIn("process.memfd_create", c.ID, func(r record) bool {
		return r.attr("vigil.memfd.name").Str() == "vigil-memfd"
	}))
	assertSpanOfExec(t, h, memfd, "process.memfd_create")
	fileless := h.waitRecord("exec of the memfd", 5*time.Second, eventIn("process.exec", c.ID, func(r record) bool {
		v, ok := r.lr.Attributes().Get("vigil.process.executable.memfd")
		return ok && v.Bool()
	}))
	assert.Equal(t, memfd.pid(), fileless.pid(), "the process that made the memfd executed it")

	mount := h.waitRecord("fs.mount", 5*time.Second, eventIn("fs.mount", c.ID, func(r record) bool {
		return r.attr("vigil.mount.source").Str() == "vigil-tmpfs"
	}))
	assert.Equal(t, "/mnt/v", mount.attr("vigil.mount.target").Str())
	assert.Equal(t, "tmpfs", mount.attr("vigil.mount.fstype").Str())
	assertSpanOfExec(t, h, mount, "fs.mount")
	t.Logf("mount returned %d (%s)", mount.attr("vigil.syscall.return").Int(), mount.attr("error.type").Str())

	for _, r := range h.records() {
		if r.lr.EventName() == "file.open" && r.attr("file.path").Str() == "/proc/self/status" {
			t.Errorf("open below an ignored prefix reported: %s", r)
		}
	}
}

// TestModuleLoadAttemptInContainer: module syscalls have no trace events on
// a kernel without CONFIG_MODULES, so this runs with syscall_hooks: raw.
// The attempts fail (ENOSYS here) and are reported with the error.
func TestModuleLoadAttemptInContainer(t *testing.T) {
	c := dockertest.Run(t, attackerOpts...)
	h := startReceiver(t, func(cfg *Config) {
		cfg.Probes = []string{ProbeProcess, bpf.ProbeSetModule}
		cfg.SyscallHooks = bpf.SyscallHooksRaw
	})
	out, _ := c.Exec(t, "modload")
	t.Logf("modload: %s", out)

	load := h.waitRecord("kernel.module_load", 10*time.Second, eventIn("kernel.module_load", c.ID, func(r record) bool {
		return r.attr("vigil.syscall.name").Str() == "finit_module"
	}))
	assert.Equal(t, "fd", load.attr("vigil.module.source").Str())
	assert.Equal(t, "null", load.attr("vigil.module.file.name").Str())
	assert.Equal(t, "vigil_param=1", load.attr("vigil.module.params").Str())
	assert.Less(t, load.attr("vigil.syscall.return").Int(), int64(0))
	require.NotEmpty(t, load.attr("error.type").Str())
	assertSpanOfExec(t, h, load, "kernel.module_load")
	h.waitRecord("init_module", 5*time.Second, eventIn("kernel.module_load", c.ID, func(r record) bool {
		return r.attr("vigil.syscall.name").Str() == "init_module" && r.attr("vigil.module.source").Str() == "memory"
	}))
	unload := h.waitRecord("kernel.module_unload", 5*time.Second, eventIn("kernel.module_unload", c.ID, nil))
	assert.Equal(t, "vigil_nonexistent", unload.attr("vigil.module.name").Str())
}
