package runtimesecurityreceiver

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/vigil-sec/vigil/internal/dockertest"
)

// The rules of rules/default/30-privilege.yaml, each set off by the real
// behaviour in a real container (with the capabilities an attacker would
// use), next to benign look-alikes that must not alert. One receiver
// (default configuration: every probe set, default ruleset, syscall_hooks
// auto) and one container serve every case: the actions run first, then
// each subtest waits for its records.

// privRule names the rules of 30-privilege.yaml.
const (
	ruleFileless      = "Fileless execution via memfd"
	rulePtraceAttach  = "PTRACE attached to process"
	rulePtraceTraceme = "PTRACE anti-debug attempt"
	ruleMount         = "Mount launched in container"
	ruleReleaseAgent  = "Write to cgroup release_agent"
	ruleNamespace     = "Namespace change in container"
	ruleSetuidRoot    = "Non-root process setuid to root"
	ruleCapset        = "Capset by non-root process in container"
	ruleSetuidBit     = "Set setuid or setgid bit"
	ruleModule        = "Kernel module load from container"
	ruleBPF           = "BPF program load from container"
	ruleDebugfs       = "Debugfs in container"
)

var privRules = []string{ruleFileless, rulePtraceAttach, rulePtraceTraceme, ruleMount, ruleReleaseAgent,
	ruleNamespace, ruleSetuidRoot, ruleCapset, ruleSetuidBit, ruleModule, ruleBPF, ruleDebugfs}

// alertFor waits for the alert of rule raised by the record ev: the same
// rule, span, pid and triggering event.
func alertFor(h *harness, rule string, ev record) record {
	h.t.Helper()
	return h.waitRecord("alert "+rule+" for "+ev.String(), 5*time.Second, func(r record) bool {
		return isAlert(rule)(r) && r.lr.SpanID() == ev.lr.SpanID() && r.pid() == ev.pid() &&
			r.attr("vigil.alert.event.name").Str() == ev.lr.EventName() &&
			r.lr.Timestamp() == ev.lr.Timestamp()
	})
}

// checkAlert asserts what every alert of these rules carries: its rule,
// category and MITRE id, the container, the triggering event's attributes,
// and the span of the process that caused it (that of its process.exec).
func checkAlert(t *testing.T, h *harness, c *dockertest.Container, alert, ev record, category, mitre string) {
	t.Helper()
	assert.Equal(t, category, alert.attr("security_rule.category").Str())
	assert.Equal(t, "vigil-default", alert.attr("security_rule.ruleset.name").Str())
	assert.Contains(t, alert.attr("vigil.mitre.technique.id").Slice().AsRaw(), mitre)
	assert.NotEmpty(t, alert.attr("security_rule.reference").Str())
	assert.NotEmpty(t, alert.lr.Body().Str())
	if c != nil {
		assert.Equal(t, c.ID, alert.resAttr("container.id"))
	}
	ev.lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		got, ok := alert.lr.Attributes().Get(k)
		assert.True(t, ok && got.Equal(v), "alert attribute %s = %v, want the event's %v", k, got.AsRaw(), v.AsRaw())
		return true
	})
	assert.Equal(t, ev.lr.TraceID(), alert.lr.TraceID())
	assert.Equal(t, ev.lr.SpanID(), alert.lr.SpanID())
	assertSpanOfExec(t, h, alert, alert.attr("security_rule.name").Str())
}

// noAlert asserts that no alert of these rules was raised for ev (its
// record has arrived, so its alerts would have too: both leave together).
func noAlert(t *testing.T, h *harness, ev record, rules ...string) {
	t.Helper()
	if len(rules) == 0 {
		rules = privRules
	}
	for _, r := range h.records() {
		if r.lr.EventName() == "security.alert" && r.pid() == ev.pid() && r.lr.SpanID() == ev.lr.SpanID() &&
			r.attr("vigil.alert.event.name").Str() == ev.lr.EventName() && r.lr.Timestamp() == ev.lr.Timestamp() &&
			slices.Contains(rules, r.attr("security_rule.name").Str()) {
			t.Errorf("benign %s raised %q: %s", ev, r.attr("security_rule.name").Str(), r.lr.Body().Str())
		}
	}
}

func attrIs(key, want string) func(record) bool {
	return func(r record) bool { return r.attr(key).Str() == want }
}

func TestPrivilegeRules(t *testing.T) {
	start := time.Now()
	c := dockertest.Run(t, attackerOpts...)
	h := startReceiver(t, nil) // the defaults: every probe set, the default ruleset, syscall_hooks auto
	host := t.TempDir()

	type step struct {
		user string // docker exec -u; "" is root
		args []string
	}
	steps := []step{
		// Fileless: a memfd, and a file deleted before it is executed.
		{"", []string{"memfdexec", "/bin/busybox", "true"}},
		{"", []string{"sh", "-c", "cp /usr/local/bin/exitwith /tmp/gone && exec 3</tmp/gone && rm /tmp/gone && exec /proc/self/fd/3 0"}},
		// ptrace: attach to a child, TRACEME; attach to no process (ESRCH, benign).
		{"", []string{"ptracer"}},
		{"", []string{"ptracer", "traceme"}},
		{"", []string{"ptracer", "attach", "999999"}},
		// mount in the container; the cgroup v1 release_agent escape (open
		// for write, nothing written, so the host's hierarchy is unchanged).
		{"", []string{"sh", "-c", "mkdir -p /mnt/v && mount -t tmpfs vigil-tmpfs /mnt/v; umount /mnt/v"}},
		// The memory hierarchy exists on the host, so the mount shares it;
		// where the mount fails, the read-only /sys/fs/cgroup/memory of the
		// container is tried (EROFS: an attempt, reported too).
		{"", []string{"sh", "-c", "mkdir -p /tmp/cg && mount -t cgroup -o memory cgroup /tmp/cg; " +
			"if [ -e /tmp/cg/release_agent ]; then : >> /tmp/cg/release_agent; cat /tmp/cg/release_agent; umount /tmp/cg; " +
			"else : >> /sys/fs/cgroup/memory/release_agent; cat /sys/fs/cgroup/memory/release_agent; fi"}},
		// namespaces: unshare and setns in the container.
		{"", []string{"unshareit"}},
		{"", []string{"setnsto", "1", "uts"}},
		// setuid to root by uid 1000 (fails: EPERM), by root (benign), to
		// itself by uid 1000 (benign).
		{"1000", []string{"setuidto", "0"}},
		{"", []string{"setuidto", "0"}},
		{"1000", []string{"setuidto", "1000"}},
		// capset by uid 1000, and by root (benign).
		{"1000", []string{"capsetter"}},
		{"", []string{"capsetter"}},
		// setuid bit, and a plain chmod (benign).
		{"", []string{"sh", "-c", "touch /tmp/suid /tmp/plain && chmodsuid /tmp/suid && chmod 0755 /tmp/plain"}},
		// kernel module load attempts (ENOSYS without CONFIG_MODULES) and an unload.
		{"", []string{"modload"}},
		// BPF program and map loads.
		{"", []string{"bpfload"}},
		// debugfs: the e2fs debugger's name, and a mount of the kernel's debugfs.
		{"", []string{"sh", "-c", "cp /usr/local/bin/exitwith /usr/local/bin/debugfs && debugfs 0"}},
		{"", []string{"sh", "-c", "mkdir -p /mnt/dbg && mount -t debugfs debugfs /mnt/dbg; umount /mnt/dbg"}},
		// benign: a read of /etc/hostname.
		{"", []string{"cat", "/etc/hostname"}},
	}
	for _, s := range steps {
		var out string
		var code int
		if s.user != "" {
			out, code = c.ExecAs(t, s.user, s.args...)
		} else {
			out, code = c.Exec(t, s.args...)
		}
		t.Logf("-u %q %v: exit %d: %s", s.user, s.args, code, strings.TrimSpace(out))
	}
	// Host look-alikes of container-scoped rules: unshare and mount on the host.
	hostUnshare := exec.Command("unshare", "--mount", "--uts", "true")
	if out, err := hostUnshare.CombinedOutput(); err != nil {
		t.Fatalf("unshare on the host: %v: %s", err, out)
	}
	hostMount := exec.Command("mount", "-t", "tmpfs", "vigil-host-tmpfs", host)
	if out, err := hostMount.CombinedOutput(); err != nil {
		t.Fatalf("mount on the host: %v: %s", err, out)
	}
	_ = exec.Command("umount", host).Run()
	// A normal container started while Vigil watches: runc init mounts its
	// rootfs and masks, joins namespaces and runs from a memfd, all in the
	// new container's cgroup. None of that may alert.
	normal := dockertest.Run(t)
	if out, code := normal.Exec(t, "true"); code != 0 {
		t.Fatalf("exec in a normal container: exit %d: %s", code, out)
	}
	t.Logf("actions took %s", time.Since(start).Round(time.Millisecond))

	in := func(name string, more ...func(record) bool) func(record) bool {
		return eventIn(name, c.ID, func(r record) bool {
			for _, m := range more {
				if !m(r) {
					return false
				}
			}
			return true
		})
	}
	exe := func(name string) func(record) bool { return attrIs("process.executable.name", name) }

	// Each subtest waits with its own t (a failed wait ends the subtest).
	main := h
	sub := func(t *testing.T) *harness {
		hs := *main
		hs.t = t
		return &hs
	}

	t.Run("fileless memfd", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("exec of a memfd", 10*time.Second, in("process.exec", func(r record) bool {
			v, ok := r.lr.Attributes().Get("vigil.process.executable.memfd")
			return ok && v.Bool() && slices.Contains(r.args(), "true")
		}))
		a := alertFor(h, ruleFileless, ev)
		checkAlert(t, h, c, a, ev, "defense_evasion", "T1620")
		assert.True(t, a.attr("vigil.process.executable.memfd").Bool())
		t.Logf("memfd exec: %s %v", ev.attr("process.executable.path").Str(), ev.args())
	})
	t.Run("fileless deleted file", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("exec of a deleted file", 5*time.Second, in("process.exec", func(r record) bool {
			v, ok := r.lr.Attributes().Get("vigil.process.executable.deleted")
			return ok && v.Bool()
		}))
		a := alertFor(h, ruleFileless, ev)
		checkAlert(t, h, c, a, ev, "defense_evasion", "T1620")
		t.Logf("deleted exec: %s %v", ev.attr("process.executable.path").Str(), ev.args())
	})
	t.Run("ptrace attach", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("PTRACE_ATTACH", 5*time.Second, in("process.ptrace", attrIs("vigil.ptrace.request", "PTRACE_ATTACH"),
			func(r record) bool { return r.attr("vigil.syscall.return").Int() == 0 }))
		a := alertFor(h, rulePtraceAttach, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1055.008")
		assert.Positive(t, a.attr("vigil.ptrace.target.pid").Int())
		assert.Equal(t, "ptracer", a.attr("process.executable.name").Str())
	})
	t.Run("ptrace attach to no process is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("PTRACE_ATTACH of pid 999999", 5*time.Second, in("process.ptrace", func(r record) bool {
			return r.attr("vigil.ptrace.target.pid").Int() == 999999
		}))
		assert.Equal(t, int64(-3), ev.attr("vigil.syscall.return").Int(), "ESRCH")
		assert.Equal(t, int64(999999), ev.attr("vigil.ptrace.target.pid").Int())
		noAlert(t, h, ev)
	})
	t.Run("ptrace traceme", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("PTRACE_TRACEME", 5*time.Second, in("process.ptrace", attrIs("vigil.ptrace.request", "PTRACE_TRACEME")))
		a := alertFor(h, rulePtraceTraceme, ev)
		checkAlert(t, h, c, a, ev, "defense_evasion", "T1622")
	})
	t.Run("mount in container", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("fs.mount of tmpfs", 5*time.Second, in("fs.mount", attrIs("vigil.mount.source", "vigil-tmpfs")))
		a := alertFor(h, ruleMount, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
		assert.Equal(t, "tmpfs", a.attr("vigil.mount.fstype").Str())
		assert.Equal(t, "/mnt/v", a.attr("vigil.mount.target").Str())
		noAlert(t, h, ev, ruleDebugfs)
	})
	t.Run("mount on the host is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("host fs.mount", 5*time.Second, func(r record) bool {
			return r.lr.EventName() == "fs.mount" && r.pid() == int64(hostMount.Process.Pid)
		})
		assert.Empty(t, ev.resAttr("container.id"))
		noAlert(t, h, ev)
	})
	t.Run("release_agent write", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("open of release_agent for write", 5*time.Second, in("file.open", attrIs("file.name", "release_agent"),
			func(r record) bool { return r.attr("vigil.file.write").Bool() }))
		a := alertFor(h, ruleReleaseAgent, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
		assert.True(t, strings.HasSuffix(a.attr("file.path").Str(), "/release_agent"))
		t.Logf("release_agent: %s %s returned %d %s", a.attr("file.path").Str(), a.attr("vigil.file.flags").Str(),
			a.attr("vigil.syscall.return").Int(), a.attr("error.type").Str())
	})
	t.Run("release_agent read is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("read of release_agent", 5*time.Second, in("file.open", attrIs("file.name", "release_agent"),
			func(r record) bool { return !r.attr("vigil.file.write").Bool() }))
		noAlert(t, h, ev)
	})
	t.Run("namespace unshare", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("unshare", 5*time.Second, in("process.namespace", exe("unshareit"), attrIs("vigil.namespace.operation", "unshare")))
		a := alertFor(h, ruleNamespace, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
		assert.Equal(t, []any{"mnt", "uts"}, a.attr("vigil.namespace.types").Slice().AsRaw())
	})
	t.Run("namespace setns", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("setns", 5*time.Second, in("process.namespace", exe("setnsto"), attrIs("vigil.namespace.operation", "setns")))
		a := alertFor(h, ruleNamespace, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
		assert.Positive(t, a.attr("vigil.namespace.target_inode").Int())
	})
	t.Run("unshare on the host is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("host unshare", 5*time.Second, func(r record) bool {
			return r.lr.EventName() == "process.namespace" && r.pid() == int64(hostUnshare.Process.Pid)
		})
		assert.Empty(t, ev.resAttr("container.id"))
		noAlert(t, h, ev)
	})
	t.Run("non-root setuid to root", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("setresuid(0) by uid 1000", 5*time.Second, in("process.setuid", exe("setuidto"),
			attrIs("vigil.syscall.name", "setresuid"),
			func(r record) bool {
				return r.attr("process.user.id").Int() == 1000 && r.attr("vigil.setid.to_root").Bool()
			}))
		a := alertFor(h, ruleSetuidRoot, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1548")
		assert.Equal(t, "EPERM", a.attr("error.type").Str())
		assert.Equal(t, int64(0), a.attr("vigil.setid.effective").Int())
	})
	t.Run("root setuid to root is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("setresuid(0) by root", 5*time.Second, in("process.setuid", exe("setuidto"),
			func(r record) bool {
				return r.attr("process.user.id").Int() == 0 && r.attr("vigil.setid.to_root").Bool()
			}))
		noAlert(t, h, ev)
	})
	t.Run("non-root setuid to itself is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("setresuid(1000) by uid 1000", 5*time.Second, in("process.setuid", exe("setuidto"),
			func(r record) bool {
				return r.attr("process.user.id").Int() == 1000 && !r.attr("vigil.setid.to_root").Bool()
			}))
		noAlert(t, h, ev)
	})
	t.Run("capset by non-root", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("capset by uid 1000", 5*time.Second, in("process.capset",
			func(r record) bool { return r.attr("process.user.id").Int() == 1000 }))
		a := alertFor(h, ruleCapset, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1548")
		assert.Equal(t, "capsetter", a.attr("process.executable.name").Str())
	})
	t.Run("capset by root is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("capset by root", 5*time.Second, in("process.capset",
			func(r record) bool { return r.attr("process.user.id").Int() == 0 }))
		noAlert(t, h, ev)
	})
	t.Run("setuid bit", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("chmod u+s", 5*time.Second, in("file.chmod", attrIs("file.path", "/tmp/suid")))
		a := alertFor(h, ruleSetuidBit, ev)
		checkAlert(t, h, c, a, ev, "persistence", "T1548.001")
		assert.True(t, a.attr("vigil.file.setuid").Bool())
		assert.Equal(t, "4644", a.attr("file.mode").Str())
	})
	t.Run("chmod 0755 is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("chmod 0755", 5*time.Second, in("file.chmod", attrIs("file.path", "/tmp/plain")))
		assert.Equal(t, "755", ev.attr("file.mode").Str())
		noAlert(t, h, ev)
	})
	t.Run("kernel module load", func(t *testing.T) {
		h := sub(t)
		// Seen with the default syscall_hooks (auto) although these
		// syscalls have no trace events on a kernel without modules.
		for _, sc := range []string{"finit_module", "init_module"} {
			ev := h.waitRecord(sc, 5*time.Second, in("kernel.module_load", attrIs("vigil.syscall.name", sc)))
			a := alertFor(h, ruleModule, ev)
			checkAlert(t, h, c, a, ev, "persistence", "T1547.006")
			assert.Less(t, a.attr("vigil.syscall.return").Int(), int64(0), "the attempt fails here and is reported")
			assert.NotEmpty(t, a.attr("error.type").Str())
		}
	})
	t.Run("kernel module unload is not a load", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("delete_module", 5*time.Second, in("kernel.module_unload"))
		noAlert(t, h, ev)
	})
	t.Run("bpf program load", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("BPF_PROG_LOAD", 5*time.Second, in("bpf.load", attrIs("vigil.bpf.command", "BPF_PROG_LOAD")))
		a := alertFor(h, ruleBPF, ev)
		checkAlert(t, h, c, a, ev, "defense_evasion", "T1014")
		assert.Equal(t, "vigil_prog", a.attr("vigil.bpf.name").Str())
		assert.Equal(t, "socket_filter", a.attr("vigil.bpf.prog.type").Str())
	})
	t.Run("bpf map create is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("BPF_MAP_CREATE", 5*time.Second, in("bpf.load", attrIs("vigil.bpf.command", "BPF_MAP_CREATE")))
		noAlert(t, h, ev)
	})
	t.Run("debugfs exec", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("exec of debugfs", 5*time.Second, in("process.exec", exe("debugfs")))
		a := alertFor(h, ruleDebugfs, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
	})
	t.Run("debugfs mount", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("mount of debugfs", 5*time.Second, in("fs.mount", attrIs("vigil.mount.fstype", "debugfs")))
		a := alertFor(h, ruleDebugfs, ev)
		checkAlert(t, h, c, a, ev, "privilege_escalation", "T1611")
		alertFor(h, ruleMount, ev) // a mount in a container as well
	})
	t.Run("reading /etc/hostname is benign", func(t *testing.T) {
		h := sub(t)
		ev := h.waitRecord("cat /etc/hostname", 5*time.Second, in("process.exec", exe("cat"),
			func(r record) bool { return slices.Contains(r.args(), "/etc/hostname") }))
		noAlert(t, h, ev)
		open := h.waitRecord("open of /etc/hostname", 5*time.Second, in("file.open", attrIs("file.path", "/etc/hostname"),
			func(r record) bool { return r.pid() == ev.pid() }))
		noAlert(t, h, open)
	})
	t.Run("the container runtime does not alert", func(t *testing.T) {
		h := sub(t)
		// runc init (container start, docker exec) must not set these
		// rules off, in the normal container or in the attacker's one.
		// Records of other containers (other tests) are not looked at.
		h.waitRecord("exec in the normal container", 5*time.Second, eventIn("process.exec", normal.ID, exe("true")))
		runtimeSeen := false
		for _, r := range h.records() {
			id := r.resAttr("container.id")
			if (id == normal.ID || id == c.ID) && slices.Contains(r.args(), "runc") && slices.Contains(r.args(), "init") &&
				r.lr.EventName() != "security.alert" && r.lr.EventName() != "process.exec" {
				runtimeSeen = true
			}
			if r.lr.EventName() != "security.alert" || !slices.Contains(privRules, r.attr("security_rule.name").Str()) {
				continue
			}
			name := r.attr("process.executable.name").Str()
			if id == normal.ID || slices.Contains(r.args(), "runc") {
				t.Errorf("unexpected alert %q from %s (%s) %v parent %s (container %q): %s", r.attr("security_rule.name").Str(),
					r.attr("process.executable.path").Str(), name, r.args(), r.attr("vigil.process.parent.executable.path").Str(),
					r.resAttr("container.id"), r.lr.Body().Str())
			}
		}
		assert.True(t, runtimeSeen, "runc init's own syscalls were recorded (so the check above means something)")
	})
	t.Logf("test took %s", time.Since(start).Round(time.Millisecond))
}
