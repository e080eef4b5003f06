package rules

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-sec/vigil/semconv"
)

// fileRecord builds a file record (file.open, file.link, ...) like the
// receiver's: the process attributes of execRecord plus attrs.
func fileRecord(event string, attrs map[string]any, opts ...recOpt) rec {
	r := execRecord("/bin/busybox", []string{"cat"}, opts...)
	r.lr.SetEventName(event)
	a := r.lr.Attributes()
	a.PutInt(semconv.VigilSyscallReturn, 0)
	for k, v := range attrs {
		switch v := v.(type) {
		case string:
			a.PutStr(k, v)
		case bool:
			a.PutBool(k, v)
		case int:
			a.PutInt(k, int64(v))
		}
	}
	return r
}

func withAttrs(kv map[string]any) recOpt {
	return func(r *rec) {
		for k, v := range kv {
			switch v := v.(type) {
			case string:
				r.lr.Attributes().PutStr(k, v)
			case bool:
				r.lr.Attributes().PutBool(k, v)
			case int:
				r.lr.Attributes().PutInt(k, int64(v))
			}
		}
	}
}

// The process rules of 10-process.yaml on synthetic records: each case in
// its own container (throttles are per container).
func TestDefaultProcessRules(t *testing.T) {
	e := newEngine(t, true)
	for i, tc := range []struct {
		exe  string
		args []string
		attr map[string]any
		host bool
		want []string
	}{
		{"/bin/sh", []string{"sh", "-c", "id"}, map[string]any{"vigil.process.parent.executable.name": "awk"}, false, []string{"Shell spawned in container"}},
		{"/bin/sh", []string{"sh", "-c", "id"}, map[string]any{"process.vpid": 1}, false, nil},                              // entrypoint
		{"/bin/sh", []string{"sh", "-c", "id"}, map[string]any{"vigil.process.parent.executable.name": "sh"}, false, nil},   // shell from a shell
		{"/bin/sh", []string{"sh", "-c", "id"}, map[string]any{"vigil.process.parent.executable.name": "tini"}, false, nil}, // init shim
		{"/bin/sh", []string{"sh"}, map[string]any{"process.interactive": true}, false, []string{"Interactive terminal shell in container"}},
		{"/bin/sh", []string{"sh"}, map[string]any{"process.interactive": true}, true, nil},
		{"/root/x", []string{"/root/x"}, map[string]any{"vigil.process.executable.drift": true}, false, []string{"Drop and execute new binary in container"}},
		{"/root/socat", []string{"socat", "-", "TCP:127.0.0.1:1"}, nil, false, []string{"Suspicious network tool launched in container"}},
		{"/usr/bin/tcpdump", []string{"tcpdump", "-i", "any"}, nil, true, nil},
		{"/usr/bin/find", []string{"find", "/", "-name", "id_rsa"}, nil, false, []string{"Search private keys or passwords"}},
		{"/usr/bin/find", []string{"find", "/", "-name", "*.pem"}, nil, false, []string{"Search private keys or passwords"}},
		{"/bin/grep", []string{"grep", "-ri", "password", "/etc"}, nil, false, []string{"Search private keys or passwords"}},
		{"/bin/grep", []string{"grep", "-r", "passwd", "/"}, nil, false, []string{"Search private keys or passwords"}},
		{"/bin/grep", []string{"grep", "root", "/etc/passwd"}, nil, false, nil},
		{"/usr/bin/find", []string{"find", "/app", "-name", "*.py"}, nil, false, nil},
		{"/bin/sh", []string{"sh"}, map[string]any{"vigil.process.parent.executable.name": "sh",
			"vigil.process.parent.command_line": "sh -c echo ZWNobyBoaQ== | base64 -d | sh"}, false, []string{"Decoded payload piped to a shell"}},
		{"/bin/bash", []string{"bash"}, map[string]any{"vigil.process.parent.executable.name": "bash",
			"vigil.process.parent.command_line": "bash -c base64 --decode /tmp/p|/bin/bash"}, true, []string{"Decoded payload piped to a shell"}},
		{"/bin/sh", []string{"sh"}, map[string]any{"vigil.process.parent.executable.name": "sh",
			"vigil.process.parent.command_line": "sh -c base64 /etc/hostname | sh"}, false, nil}, // encodes, does not decode
		{"/bin/sh", []string{"sh"}, map[string]any{"vigil.process.parent.executable.name": "sh",
			"vigil.process.parent.command_line": "sh -c base64 -d x > y; shasum y"}, false, nil}, // no pipe into a shell
	} {
		opts := []recOpt{withAttrs(tc.attr)}
		if !tc.host {
			opts = append([]recOpt{inContainer(fmt.Sprint("c", i), "web", "nginx:1")}, opts...)
		}
		got := names(execRecord(tc.exe, tc.args, opts...).eval(e))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%d: %s %v %v host=%v: alerts %q, want %q", i, tc.exe, tc.args, tc.attr, tc.host, got, tc.want)
		}
	}
	if n := e.Stats().EvaluationErrors; n != 0 {
		t.Errorf("%d evaluation errors", n)
	}
}

// The file rules of 20-file.yaml on synthetic records.
func TestDefaultFileRules(t *testing.T) {
	e := newEngine(t, true)
	rd, wr := "O_RDONLY|O_CLOEXEC", "O_WRONLY|O_CREAT|O_TRUNC"
	for i, tc := range []struct {
		event string
		proc  string
		attr  map[string]any
		host  bool
		want  []string
	}{
		{"file.open", "cat", map[string]any{"file.path": "/etc/shadow", "vigil.file.flags": rd}, false, []string{"Read sensitive file untrusted"}},
		{"file.open", "cat", map[string]any{"file.path": "/home/app/.ssh/id_ed25519", "vigil.file.flags": rd}, false, []string{"Read sensitive file untrusted"}},
		{"file.open", "cat", map[string]any{"file.path": "/var/run/secrets/kubernetes.io/serviceaccount/token", "vigil.file.flags": rd}, false, []string{"Read sensitive file untrusted"}},
		{"file.open", "sshd", map[string]any{"file.path": "/etc/shadow", "vigil.file.flags": rd}, false, nil},
		{"file.open", "cat", map[string]any{"file.path": "/etc/shadow", "vigil.file.flags": rd, "vigil.syscall.return": -13}, false, nil},
		{"file.open", "cat", map[string]any{"file.path": "/etc/shadow", "vigil.file.flags": rd}, true, nil},
		{"file.open", "cat", map[string]any{"file.path": "/etc/hostname", "vigil.file.flags": rd}, false, nil},
		{"file.open", "cat", map[string]any{"file.path": "/tmp/../etc/shadow", "vigil.file.flags": rd}, false, []string{"Directory traversal monitored file read"}},
		{"file.open", "cat", map[string]any{"file.path": "../../etc/passwd", "vigil.file.flags": rd, "vigil.syscall.return": -2}, true, []string{"Directory traversal monitored file read"}},
		{"file.open", "cat", map[string]any{"file.path": "../etc/hostname", "vigil.file.flags": rd}, false, nil},
		{"file.open", "sh", map[string]any{"file.path": "/etc/cron.d/x", "vigil.file.flags": wr, "vigil.file.write": true}, false, []string{"Write below etc in container"}},
		{"file.open", "apk", map[string]any{"file.path": "/etc/apk/world", "vigil.file.flags": wr, "vigil.file.write": true}, false, nil},
		{"file.rename", "mv", map[string]any{"file.path": "/tmp/x", "vigil.file.new_path": "/usr/bin/x"}, false, []string{"Write below binary dir in container"}},
		{"file.open", "cp", map[string]any{"file.path": "/usr/local/bin/x", "vigil.file.flags": wr, "vigil.file.write": true}, false, []string{"Write below binary dir in container"}},
		{"file.open", "python3", map[string]any{"file.path": "/usr/lib/python3/__pycache__/a.pyc", "vigil.file.flags": wr, "vigil.file.write": true}, false, nil},
		{"file.open", "cp", map[string]any{"file.path": "/tmp/x", "vigil.file.flags": wr, "vigil.file.write": true}, false, nil},
		{"file.open", "cp", map[string]any{"file.path": "/usr/local/bin/x", "vigil.file.flags": wr, "vigil.file.write": true}, true, nil},
		{"file.open", "dd", map[string]any{"file.path": "/var/log/auth.log", "vigil.file.flags": wr, "vigil.file.write": true}, false, []string{"Clear log activities"}},
		{"file.delete", "rm", map[string]any{"file.path": "/var/log/nginx/access.log"}, false, []string{"Clear log activities"}},
		{"file.delete", "logrotate", map[string]any{"file.path": "/var/log/nginx/access.log.1"}, false, nil},
		{"file.open", "nginx", map[string]any{"file.path": "/var/log/nginx/access.log", "vigil.file.flags": "O_WRONLY|O_CREAT|O_APPEND", "vigil.file.write": true}, false, nil},
		{"file.delete", "rm", map[string]any{"file.path": "/root/.bash_history", "file.name": ".bash_history"}, false, []string{"Delete or rename shell history"}},
		{"file.link", "ln", map[string]any{"file.path": "/root/.ash_history", "file.name": ".ash_history", "file.symbolic_link.target_path": "/dev/null"}, false, []string{"Delete or rename shell history"}},
		{"file.open", "dd", map[string]any{"file.path": "/root/.bash_history", "file.name": ".bash_history", "vigil.file.flags": wr}, false, []string{"Delete or rename shell history"}},
		{"file.open", "bash", map[string]any{"file.path": "/root/.bash_history", "file.name": ".bash_history", "vigil.file.flags": wr}, false, nil}, // bash saving its history
		{"file.open", "cat", map[string]any{"file.path": "/root/.bash_history", "file.name": ".bash_history", "vigil.file.flags": rd}, false, nil},
		{"file.link", "ln", map[string]any{"file.path": "/tmp/s", "file.symbolic_link.target_path": "/etc/shadow"}, true, []string{"Create Symlink Over Sensitive Files"}},
		{"file.link", "ln", map[string]any{"file.path": "/tmp/k", "file.symbolic_link.target_path": "/root/.ssh/id_rsa"}, false, []string{"Create Symlink Over Sensitive Files"}},
		{"file.link", "ln", map[string]any{"file.path": "/tmp/p", "vigil.file.hardlink.target_path": "/etc/passwd"}, false, []string{"Create Hardlink Over Sensitive Files"}},
		{"file.link", "ln", map[string]any{"file.path": "/tmp/h", "file.symbolic_link.target_path": "/etc/hostname"}, false, nil},
	} {
		opts := []recOpt{func(r *rec) {
			r.lr.Attributes().PutStr(semconv.ProcessExecutableName, tc.proc)
			r.lr.Attributes().PutStr(semconv.ProcessExecutablePath, "/bin/"+tc.proc)
		}}
		if !tc.host {
			opts = append(opts, inContainer(fmt.Sprint("c", i), "web", "nginx:1"))
		}
		got := names(fileRecord(tc.event, tc.attr, opts...).eval(e))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%d: %s by %s %v host=%v: alerts %q, want %q", i, tc.event, tc.proc, tc.attr, tc.host, got, tc.want)
		}
	}
	if n := e.Stats().EvaluationErrors; n != 0 {
		t.Errorf("%d evaluation errors", n)
	}
}

// More than 50 deletions within 10s in one container raise one alert; a few
// do not.
func TestDefaultBulkRemovalRate(t *testing.T) {
	e := newEngine(t, true)
	del := func(c string, i int) []Alert {
		return fileRecord("file.delete", map[string]any{"file.path": fmt.Sprintf("/data/f%d", i)}, inContainer(c, "db", "pg")).eval(e)
	}
	for i := range 3 {
		if as := del("few", i); len(as) != 0 {
			t.Fatalf("3 deletions alerted: %v", names(as))
		}
	}
	var got []string
	for i := range 100 {
		got = append(got, names(del("bulk", i))...)
	}
	if !slices.Equal(got, []string{"Bulk data removal in container"}) {
		t.Fatalf("100 deletions: %v", got)
	}
}
