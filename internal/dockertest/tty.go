package dockertest

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
)

// ExecTTY runs args in the container like Exec, but with a terminal:
// `docker exec -t` allocates a pseudo-terminal in the container and makes it
// the process's controlling terminal, as an interactive `docker exec -it`
// session does. It needs no terminal on the test's side. The output is the
// terminal's (stdout and stderr merged, CRLF line ends).
func (c *Container) ExecTTY(t testing.TB, args ...string) (output string, exitCode int) {
	t.Helper()
	cmd := exec.Command("docker", append([]string{"exec", "-t", c.ID}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exitErr):
		return out.String(), exitErr.ExitCode()
	default:
		t.Fatalf("docker exec -t %v in %s: %v", args, c.Name, err)
		return "", -1
	}
}
