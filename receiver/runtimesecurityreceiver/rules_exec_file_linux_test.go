package runtimesecurityreceiver

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/internal/dockertest"
)

// The process and file rules of the default ruleset (rules/default/10-process.yaml,
// 20-file.yaml), each against the real behaviour in a real container, with
// benign look-alikes that must not alert. One receiver and a few containers
// serve every subtest: the actions run first, then each subtest checks its
// alert.

const efWait = 10 * time.Second

// alertIn matches an alert of rule from container id ("" for the host) for
// which more (optional) holds.
func efAlert(rule, id string, more func(record) bool) func(record) bool {
	return func(r record) bool {
		return isAlert(rule)(r) && r.resAttr("container.id") == id && (more == nil || more(r))
	}
}

func efAttr(key, want string) func(record) bool {
	return func(r record) bool { return r.attr(key).AsString() == want }
}

func efArg(arg string) func(record) bool {
	return func(r record) bool { return slices.Contains(r.args(), arg) }
}

// assertAlertLinked checks the alert's span link: its trace and span ids are
// those of the process.exec record of the process that caused it, and it
// carries that process's attributes and the container.
func efLinked(t *testing.T, h *harness, alert record, containerID string) {
	t.Helper()
	assert.Equal(t, containerID, alert.resAttr("container.id"))
	require.False(t, alert.lr.SpanID().IsEmpty(), "alert has a span id")
	var execRec *record
	for _, r := range h.records() {
		if r.lr.EventName() == "process.exec" && r.lr.SpanID() == alert.lr.SpanID() {
			execRec = &r
			break
		}
	}
	if execRec != nil {
		assert.Equal(t, execRec.lr.TraceID(), alert.lr.TraceID(), "alert trace id = exec record's")
		assert.Equal(t, execRec.pid(), alert.pid(), "alert pid = exec record's")
		assert.Equal(t, execRec.attr("process.executable.path").Str(), alert.attr("process.executable.path").Str())
	} else {
		// A process that forked and never exec'd (busybox sh runs its
		// applets so) has no exec record: its span is the link.
		sp := h.waitSpan(alert.lr.SpanID(), efWait)
		assert.Equal(t, sp.s.TraceID(), alert.lr.TraceID(), "alert trace id = process span's")
		pid, _ := sp.s.Attributes().Get("process.pid")
		assert.Equal(t, pid.Int(), alert.pid(), "alert pid = process span's")
	}
	assert.NotEmpty(t, alert.attr("security_rule.uuid").Str())
	assert.Equal(t, "vigil-default", alert.attr("security_rule.ruleset.name").Str())
	assert.NotEmpty(t, alert.attr("vigil.mitre.technique.id").Slice().AsRaw())
	assert.True(t, strings.HasPrefix(alert.attr("security_rule.reference").Str(), "https://attack.mitre.org/techniques/T"))
}

// noAlert fails when an alert of rule matching more was raised. Call it once
// the benign action's own records are in: an alert is buffered with the
// record that caused it.
func efNoAlert(t *testing.T, h *harness, rule, id string, more func(record) bool) {
	t.Helper()
	for _, r := range h.records() {
		if efAlert(rule, id, more)(r) {
			t.Errorf("benign action alerted %q: %s", rule, r.lr.Body().Str())
		}
	}
}

func efRun(t *testing.T, c *dockertest.Container, script string) {
	t.Helper()
	out, code := c.Exec(t, "sh", "-c", script)
	t.Logf("%s: exit %d %s", script, code, strings.TrimSpace(out))
}

func TestDefaultRulesExecFile(t *testing.T) {
	c := dockertest.Run(t)  // the attacked container
	cb := dockertest.Run(t) // bulk removal (the rate is per container)
	h := startReceiver(t, nil)

	// Host look-alikes: a shell and a package manager outside containers.
	hostDir := t.TempDir()
	hostApt := filepath.Join(hostDir, "apt-get")
	trueBin, err := exec.LookPath("true")
	require.NoError(t, err)
	b, err := os.ReadFile(trueBin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(hostApt, b, 0o755))
	hostSh := exec.Command("sh", "-c", "exit 0")
	require.NoError(t, hostSh.Run())
	hostPkg := exec.Command(hostApt, "install", "vigil-nothing")
	require.NoError(t, hostPkg.Run())

	// A container whose entrypoint is a shell.
	entry, code := dockertest.RunAndWait(t, "--", "sh", "-c", "exit 0")
	require.Equal(t, 0, code)

	// Shells: spawned by a non-shell program of the container; interactive.
	c.Exec(t, "awk", `BEGIN { system("exit 0") }`)
	c.Exec(t, "sh", "-c", "exit 0") // docker exec: started by the runtime, not interactive
	out, code := c.ExecTTY(t, "sh", "-c", "tty; exit 0")
	t.Logf("exec -t: %d %q", code, out)

	// Sensitive files, traversal.
	efRun(t, c, "mkdir -p /root/.ssh /root/.aws && echo key >> /root/.ssh/id_rsa && echo k >> /root/.aws/credentials")
	c.Exec(t, "cat", "/etc/shadow", "/root/.ssh/id_rsa", "/root/.aws/credentials")
	c.Exec(t, "cat", "/etc/hostname")
	c.Exec(t, "cat", "/tmp/../etc/shadow")
	efRun(t, c, "cd /tmp && cat ../../etc/passwd >/dev/null")

	// Writes below /etc and binary directories; drift; exec from /tmp;
	// a (fake) package manager.
	efRun(t, c, "echo x > /etc/vigil-test.conf; echo x > /tmp/vigil-benign")
	efRun(t, c, "cp /usr/local/bin/exitwith /root/x && /root/x 0 drift-open")
	efRun(t, c, "cd /root && cp /usr/local/bin/exitwith z && chmod 0755 /root/z && /root/z 0 drift-chmod")
	efRun(t, c, "cp /usr/local/bin/exitwith /tmp/e && /tmp/e 0 from-tmp")
	c.Exec(t, "exitwith", "0", "image-binary")
	c.Exec(t, "cp", "/usr/local/bin/exitwith", "/usr/local/bin/apk")
	c.Exec(t, "apk", "add", "curl")

	// Network tools, miners.
	c.Exec(t, "nc", "-w", "1", "127.0.0.1", "9", "-e", "/bin/true") // refused: --network none
	efRun(t, c, "for n in socat nmap tcpdump xmrig; do cp /usr/local/bin/exitwith /root/$n; done")
	c.Exec(t, "/root/socat", "0", "-", "TCP:127.0.0.1:9")
	c.Exec(t, "/root/nmap", "0", "-sT", "127.0.0.1")
	c.Exec(t, "/root/tcpdump", "0", "-i", "lo")
	c.Exec(t, "/root/xmrig", "0")
	c.Exec(t, "exitwith", "0", "-o", "stratum+tcp://127.0.0.1:3333")

	// Log clearing, shell history tampering.
	efRun(t, c, "mkdir -p /var/log && echo x >> /var/log/app.log && echo x >> /var/log/old.log")
	efRun(t, c, ": > /var/log/app.log")
	c.Exec(t, "rm", "/var/log/old.log")
	efRun(t, c, "echo ls >> /root/.ash_history && cat /root/.ash_history >/dev/null")
	c.Exec(t, "rm", "/root/.ash_history")
	c.Exec(t, "ln", "-sf", "/dev/null", "/root/.bash_history")
	c.Exec(t, "dd", "if=/dev/null", "of=/root/.zsh_history")

	// Links over sensitive files.
	c.Exec(t, "ln", "-s", "/etc/shadow", "/tmp/s")
	c.Exec(t, "ln", "/etc/passwd", "/tmp/p")
	c.Exec(t, "ln", "-s", "/etc/hostname", "/tmp/h")

	// Key and password searches.
	c.Exec(t, "find", "/root", "-name", "id_rsa")
	c.Exec(t, "grep", "-r", "password", "/etc")
	c.Exec(t, "grep", "root", "/etc/passwd")

	// Decoded payload piped to a shell ("exit 0").
	// (busybox runs a bare "sh" in a pipeline as an applet, without exec;
	// /bin/sh is exec'd, as bash and dash exec any shell.)
	efRun(t, c, "echo ZXhpdCAw | base64 -d | /bin/sh")
	efRun(t, c, "echo hi | base64 >/dev/null")

	t.Run("ShellSpawned", func(t *testing.T) {
		a := h.waitRecord("Shell spawned alert", efWait, efAlert("Shell spawned in container", c.ID, efAttr("vigil.process.parent.executable.name", "awk")))
		assert.Equal(t, "sh", a.attr("process.executable.name").Str())
		assert.Greater(t, a.attr("process.vpid").Int(), int64(1))
		assert.Equal(t, "medium", a.lr.SeverityText())
		efLinked(t, h, a, c.ID)

		// Benign: the entrypoint (vpid 1), a docker exec'd shell, a host shell.
		ep := h.waitRecord("entrypoint exec", efWait, eventIn("process.exec", entry.ID, nil))
		assert.Equal(t, int64(1), ep.attr("process.vpid").Int(), "the entrypoint is pid 1 in its namespace")
		efNoAlert(t, h, "Shell spawned in container", entry.ID, nil)
		h.waitRecord("host shell exec", efWait, func(r record) bool {
			return r.lr.EventName() == "process.exec" && r.pid() == int64(hostSh.Process.Pid)
		})
		efNoAlert(t, h, "Shell spawned in container", "", nil)
		efNoAlert(t, h, "Shell spawned in container", c.ID, func(r record) bool {
			return r.attr("vigil.process.parent.executable.name").Str() != "awk"
		})
	})

	t.Run("InteractiveShell", func(t *testing.T) {
		a := h.waitRecord("interactive shell alert", efWait, efAlert("Interactive terminal shell in container", c.ID, nil))
		assert.True(t, a.attr("process.interactive").Bool())
		assert.Equal(t, []string{"sh", "-c", "tty; exit 0"}, a.args())
		efLinked(t, h, a, c.ID)
		// The non-interactive docker exec is not.
		plain := h.waitRecord("plain docker exec", efWait, eventIn("process.exec", c.ID, func(r record) bool {
			return slices.Equal(r.args(), []string{"sh", "-c", "exit 0"}) && !r.attr("process.interactive").Bool()
		}))
		assert.False(t, plain.attr("process.interactive").Bool())
		efNoAlert(t, h, "Interactive terminal shell in container", c.ID, func(r record) bool { return r.lr.SpanID() == plain.lr.SpanID() })
	})

	t.Run("ReadSensitiveFile", func(t *testing.T) {
		for _, p := range []string{"/etc/shadow", "/root/.ssh/id_rsa", "/root/.aws/credentials"} {
			a := h.waitRecord("sensitive read of "+p, efWait, efAlert("Read sensitive file untrusted", c.ID, efAttr("file.path", p)))
			assert.Equal(t, "file.open", a.attr("vigil.alert.event.name").Str())
			assert.Equal(t, "cat", a.attr("process.executable.name").Str())
			assert.Contains(t, a.attr("vigil.file.flags").Str(), "O_RDONLY")
			assert.Greater(t, a.attr("process.vpid").Int(), int64(1), "file records carry process.vpid")
			efLinked(t, h, a, c.ID)
		}
		h.waitRecord("open of /etc/hostname", efWait, eventIn("file.open", c.ID, efAttr("file.path", "/etc/hostname")))
		efNoAlert(t, h, "Read sensitive file untrusted", c.ID, efAttr("file.path", "/etc/hostname"))
		// The writes that created the key files are not reads.
		efNoAlert(t, h, "Read sensitive file untrusted", c.ID, func(r record) bool { return r.attr("vigil.file.write").Bool() })
	})

	t.Run("DirectoryTraversal", func(t *testing.T) {
		for _, p := range []string{"/tmp/../etc/shadow", "../../etc/passwd"} {
			a := h.waitRecord("traversal to "+p, efWait, efAlert("Directory traversal monitored file read", c.ID, efAttr("file.path", p)))
			// busybox sh re-executes itself (/proc/self/exe) to run an applet.
			assert.Equal(t, []string{"cat", p}, a.args())
			assert.Equal(t, "high", a.lr.SeverityText())
			efLinked(t, h, a, c.ID)
		}
	})

	t.Run("WriteBelowEtcAndBinaryDir", func(t *testing.T) {
		a := h.waitRecord("write below /etc", efWait, efAlert("Write below etc in container", c.ID, efAttr("file.path", "/etc/vigil-test.conf")))
		assert.True(t, a.attr("vigil.file.write").Bool())
		assert.Contains(t, a.attr("vigil.file.flags").Str(), "O_CREAT")
		efLinked(t, h, a, c.ID)
		b := h.waitRecord("write below a binary dir", efWait, efAlert("Write below binary dir in container", c.ID, efAttr("file.path", "/usr/local/bin/apk")))
		assert.Equal(t, "cp", b.attr("process.executable.name").Str())
		efLinked(t, h, b, c.ID)
		h.waitRecord("write to /tmp", efWait, eventIn("file.open", c.ID, efAttr("file.path", "/tmp/vigil-benign")))
		efNoAlert(t, h, "Write below etc in container", c.ID, efAttr("file.path", "/tmp/vigil-benign"))
		efNoAlert(t, h, "Write below binary dir in container", c.ID, efAttr("file.path", "/tmp/vigil-benign"))
	})

	t.Run("Drift", func(t *testing.T) {
		for _, tc := range []struct{ exe, marker string }{{"/root/x", "drift-open"}, {"/root/z", "drift-chmod"}} {
			a := h.waitRecord("drift alert "+tc.marker, efWait, efAlert("Drop and execute new binary in container", c.ID, efArg(tc.marker)))
			assert.Equal(t, tc.exe, a.attr("process.executable.path").Str())
			assert.True(t, a.attr("vigil.process.executable.drift").Bool())
			efLinked(t, h, a, c.ID)
		}
		img := h.waitRecord("exec of an image binary", efWait, eventIn("process.exec", c.ID, efArg("image-binary")))
		_, marked := img.lr.Attributes().Get("vigil.process.executable.drift")
		assert.False(t, marked, "an image binary is not drift")
		efNoAlert(t, h, "Drop and execute new binary in container", c.ID, efArg("image-binary"))
	})

	t.Run("ExecFromTmp", func(t *testing.T) {
		a := h.waitRecord("exec from /tmp", efWait, efAlert("Executable run from /tmp or /dev/shm in container", c.ID, efArg("from-tmp")))
		assert.Equal(t, "/tmp/e", a.attr("process.executable.path").Str())
		efLinked(t, h, a, c.ID)
	})

	t.Run("PackageManager", func(t *testing.T) {
		a := h.waitRecord("package manager", efWait, efAlert("Package management process launched in container", c.ID, nil))
		assert.Equal(t, "apk", a.attr("process.executable.name").Str())
		assert.Equal(t, []string{"apk", "add", "curl"}, a.args())
		efLinked(t, h, a, c.ID)
		h.waitRecord("host package manager exec", efWait, func(r record) bool {
			return r.lr.EventName() == "process.exec" && r.pid() == int64(hostPkg.Process.Pid)
		})
		efNoAlert(t, h, "Package management process launched in container", "", nil)
	})

	t.Run("NetworkTools", func(t *testing.T) {
		a := h.waitRecord("nc -e", efWait, efAlert("Netcat remote code execution in container", c.ID, nil))
		assert.Contains(t, a.args(), "-e")
		efLinked(t, h, a, c.ID)
		for _, tool := range []string{"socat", "nmap", "tcpdump"} {
			a := h.waitRecord(tool, efWait, efAlert("Suspicious network tool launched in container", c.ID, efAttr("process.executable.name", tool)))
			efLinked(t, h, a, c.ID)
		}
	})

	t.Run("CryptoMiner", func(t *testing.T) {
		a := h.waitRecord("xmrig", efWait, efAlert("Crypto miner executed", c.ID, efAttr("process.executable.name", "xmrig")))
		assert.Equal(t, "critical", a.lr.SeverityText())
		efLinked(t, h, a, c.ID)
		s := h.waitRecord("stratum args", efWait, efAlert("Crypto miner executed", c.ID, efArg("stratum+tcp://127.0.0.1:3333")))
		efLinked(t, h, s, c.ID)
	})

	t.Run("ClearLogs", func(t *testing.T) {
		a := h.waitRecord("log truncated", efWait, efAlert("Clear log activities", c.ID, func(r record) bool {
			return r.attr("file.path").Str() == "/var/log/app.log" && r.attr("vigil.alert.event.name").Str() == "file.open"
		}))
		assert.Contains(t, a.attr("vigil.file.flags").Str(), "O_TRUNC")
		efLinked(t, h, a, c.ID)
		d := h.waitRecord("log deleted", efWait, efAlert("Clear log activities", c.ID, efAttr("file.path", "/var/log/old.log")))
		assert.Equal(t, "file.delete", d.attr("vigil.alert.event.name").Str())
		efLinked(t, h, d, c.ID)
		// Appending to a log is not clearing it.
		efNoAlert(t, h, "Clear log activities", c.ID, func(r record) bool {
			return strings.Contains(r.attr("vigil.file.flags").Str(), "O_APPEND")
		})
	})

	t.Run("ShellHistory", func(t *testing.T) {
		for _, tc := range []struct{ event, path string }{
			{"file.delete", "/root/.ash_history"},
			{"file.link", "/root/.bash_history"},
			{"file.open", "/root/.zsh_history"},
		} {
			a := h.waitRecord("history "+tc.event, efWait, efAlert("Delete or rename shell history", c.ID, func(r record) bool {
				return r.attr("vigil.alert.event.name").Str() == tc.event && r.attr("file.path").Str() == tc.path
			}))
			efLinked(t, h, a, c.ID)
		}
		// Appending and reading the history are not tampering.
		efNoAlert(t, h, "Delete or rename shell history", c.ID, func(r record) bool {
			return r.attr("vigil.alert.event.name").Str() == "file.open" && r.attr("file.path").Str() == "/root/.ash_history"
		})
	})

	t.Run("SensitiveLinks", func(t *testing.T) {
		s := h.waitRecord("symlink to /etc/shadow", efWait, efAlert("Create Symlink Over Sensitive Files", c.ID, nil))
		assert.Equal(t, "/etc/shadow", s.attr("file.symbolic_link.target_path").Str())
		assert.Equal(t, "/tmp/s", s.attr("file.path").Str())
		efLinked(t, h, s, c.ID)
		hl := h.waitRecord("hard link to /etc/passwd", efWait, efAlert("Create Hardlink Over Sensitive Files", c.ID, nil))
		assert.Equal(t, "/etc/passwd", hl.attr("vigil.file.hardlink.target_path").Str())
		efLinked(t, h, hl, c.ID)
		h.waitRecord("symlink to /etc/hostname", efWait, eventIn("file.link", c.ID, efAttr("file.path", "/tmp/h")))
		efNoAlert(t, h, "Create Symlink Over Sensitive Files", c.ID, efAttr("file.path", "/tmp/h"))
	})

	t.Run("KeyAndPasswordSearch", func(t *testing.T) {
		f := h.waitRecord("find id_rsa", efWait, efAlert("Search private keys or passwords", c.ID, efAttr("process.executable.name", "find")))
		assert.Contains(t, f.args(), "id_rsa")
		efLinked(t, h, f, c.ID)
		g := h.waitRecord("grep password", efWait, efAlert("Search private keys or passwords", c.ID, efArg("password")))
		efLinked(t, h, g, c.ID)
		h.waitRecord("grep root /etc/passwd", efWait, eventIn("process.exec", c.ID, efArg("/etc/passwd")))
		efNoAlert(t, h, "Search private keys or passwords", c.ID, efArg("/etc/passwd"))
	})

	t.Run("DecodedPayloadToShell", func(t *testing.T) {
		a := h.waitRecord("decoded payload", efWait, efAlert("Decoded payload piped to a shell", c.ID, nil))
		assert.Equal(t, "sh", a.attr("process.executable.name").Str())
		assert.Equal(t, "sh -c echo ZXhpdCAw | base64 -d | /bin/sh", a.attr("vigil.process.parent.command_line").Str())
		efLinked(t, h, a, c.ID)
		efNoAlert(t, h, "Decoded payload piped to a shell", c.ID, func(r record) bool {
			return strings.Contains(r.attr("vigil.process.parent.command_line").Str(), "echo hi")
		})
	})

	t.Run("BulkRemoval", func(t *testing.T) {
		efRun(t, cb, "mkdir /tmp/few && touch /tmp/few/1 /tmp/few/2 /tmp/few/3 && rm -r /tmp/few")
		h.waitRecord("few deletions", efWait, eventIn("file.delete", cb.ID, efAttr("file.path", "/tmp/few")))
		efNoAlert(t, h, "Bulk data removal in container", cb.ID, nil)

		efRun(t, cb, "mkdir /tmp/bulk && cd /tmp/bulk && for i in $(seq 100); do : > f$i; done")
		cb.Exec(t, "rm", "-rf", "/tmp/bulk")
		a := h.waitRecord("bulk removal", efWait, efAlert("Bulk data removal in container", cb.ID, nil))
		assert.Equal(t, "file.delete", a.attr("vigil.alert.event.name").Str())
		assert.Greater(t, a.attr("vigil.alert.rate.count").Int(), int64(50))
		assert.Equal(t, "rm", a.attr("process.executable.name").Str())
		efLinked(t, h, a, cb.ID)
	})
}
