package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Other tests on a shared machine restart dockerd. The bench container runs
// with --restart always, so it comes back with the daemon (same id, a new
// cgroup); a docker exec that failed because the daemon or the container
// was away is retried once they are back.

// dockerExec runs `docker exec cid argv...` and returns its combined output,
// retrying (up to twice) when the daemon or the container was unavailable.
func dockerExec(cid string, argv ...string) ([]byte, error) {
	var out []byte
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		out, err = exec.Command("docker", append([]string{"exec", cid}, argv...)...).CombinedOutput()
		if err == nil || timeitRE.Match(out) {
			return out, err
		}
		var ee *exec.ExitError
		if !dockerAway(string(out)) && !(errors.As(err, &ee) && ee.ExitCode() == 255) {
			return out, err
		}
		logf("docker unavailable (%s); waiting for it and the container to come back", strings.TrimSpace(lastLines(out, 1)))
		if werr := waitContainer(cid, 120*time.Second); werr != nil {
			return out, fmt.Errorf("%w (%v)", err, werr)
		}
	}
	return out, err
}

func dockerAway(out string) bool {
	for _, s := range []string{"Cannot connect to the Docker daemon", "is not running", "is restarting", "No such container",
		"connection refused", "cannot exec in a stopped"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

// waitContainer waits until the daemon answers and cid is running.
func waitContainer(cid string, max time.Duration) error {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		out, err := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", cid).Output()
		if err == nil && strings.TrimSpace(string(out)) == "true" {
			time.Sleep(time.Second)
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("container %s not running after %s", cid[:12], max)
}

// waitDaemon waits until `docker info` answers.
func waitDaemon(max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		if exec.Command("docker", "info", "--format", "{{.ID}}").Run() == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}
