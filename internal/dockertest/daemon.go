package dockertest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// PIDFile is where dockerd records its pid (its default --pidfile).
const PIDFile = "/var/run/docker.pid"

// DaemonJSON is the daemon config that must enable live-restore for
// restart tests; see LiveRestoreHint.
const DaemonJSON = "/etc/docker/daemon.json"

// LiveRestoreHint tells how to make containers survive a daemon restart.
const LiveRestoreHint = `Docker live-restore is off, so stopping dockerd would kill every container: ` +
	`write {"live-restore": true} into ` + DaemonJSON + ` and reload dockerd (kill -HUP $(cat ` + PIDFile + `)) or start it after writing the file`

const (
	stopTimeout  = 30 * time.Second
	startTimeout = 30 * time.Second
)

// stopped remembers how the daemon we stopped was started, to start it the
// same way again.
var stopped struct {
	mu      sync.Mutex
	cmdline []string
}

// LiveRestoreEnabled asks the running daemon whether live-restore is on.
func LiveRestoreEnabled(t testing.TB) bool {
	t.Helper()
	testenv.RequireDocker(t)
	out, err := docker("info", "--format", "{{.LiveRestoreEnabled}}")
	if err != nil {
		t.Fatalf("docker info: %v", err)
	}
	return strings.TrimSpace(out) == "true"
}

// StopDaemon stops dockerd (SIGTERM) and waits until its socket no longer
// answers; running containers survive because live-restore is on (the test
// skips, or fails under CI, when it is not). The daemon is started again at
// test end, whatever happens, unless the test called StartDaemon already.
//
// StopDaemon waits until no other test binary on the host uses Docker, and
// holds them off until the daemon is back. Tests that stop the daemon must
// not run in parallel with other Docker tests of their own package.
func StopDaemon(t testing.TB) {
	t.Helper()
	testenv.RequireDocker(t)
	if !LiveRestoreEnabled(t) {
		testenv.Skip(t, LiveRestoreHint)
	}
	if err := acquireExclusive(); err != nil {
		t.Fatalf("stopping dockerd: %v", err)
	}
	// Registered before anything can fail, so the daemon is never left down.
	t.Cleanup(func() {
		if err := startDaemon(); err != nil {
			t.Errorf("restarting dockerd after the test: %v", err)
		}
	})
	pid, err := daemonPID()
	if err != nil {
		t.Fatalf("stopping dockerd: %v", err)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatalf("reading dockerd command line: %v", err)
	}
	stopped.mu.Lock()
	stopped.cmdline = strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	stopped.mu.Unlock()

	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM to dockerd (pid %d): %v", pid, err)
	}
	deadline := time.Now().Add(stopTimeout)
	for processAlive(pid) || daemonAnswers() {
		if time.Now().After(deadline) {
			t.Fatalf("dockerd (pid %d) still running %v after SIGTERM", pid, stopTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartDaemon starts dockerd again, as it was started before StopDaemon,
// and waits until it answers. It does nothing when the daemon answers.
func StartDaemon(t testing.TB) {
	t.Helper()
	if err := startDaemon(); err != nil {
		t.Fatalf("starting dockerd: %v", err)
	}
}

func startDaemon() error {
	defer releaseExclusive()
	if daemonAnswers() {
		return nil
	}
	stopped.mu.Lock()
	argv := stopped.cmdline
	stopped.mu.Unlock()
	if len(argv) == 0 || argv[0] == "" {
		argv = []string{"dockerd"}
	}
	log, err := os.CreateTemp("", "vigil-dockerd-*.log")
	if err != nil {
		return fmt.Errorf("creating dockerd log: %w", err)
	}
	logName := log.Name()
	log.Close()
	// The shell backgrounds dockerd and exits, so dockerd is re-parented to
	// init: it outlives the test binary, and no goroutine of ours has to
	// reap it. setsid keeps it out of go test's process group and signals.
	script := `exec "$@" </dev/null >>"$VIGIL_DOCKERD_LOG" 2>&1 &`
	cmd := exec.Command("sh", append([]string{"-c", script, "sh"}, argv...)...)
	cmd.Env = append(os.Environ(), "VIGIL_DOCKERD_LOG="+logName)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("launching %v: %w: %s", argv, err, out)
	}
	deadline := time.Now().Add(startTimeout)
	for !daemonAnswers() {
		if time.Now().After(deadline) {
			return fmt.Errorf("%v not answering after %v; log %s:\n%s", argv, startTimeout, logName, tail(logName, 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func daemonPID() (int, error) {
	b, err := os.ReadFile(PIDFile)
	if err != nil {
		return 0, fmt.Errorf("reading dockerd pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("bad pid %q in %s", b, PIDFile)
	}
	return pid, nil
}

// processAlive treats a zombie as gone: it no longer serves anything.
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may contain spaces.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

func daemonAnswers() bool {
	_, err := docker("info", "--format", "{{.ServerVersion}}")
	return err == nil
}

func tail(name string, n int) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
