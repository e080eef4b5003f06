package dockertest

import "testing"

// ExecTTY runs args in the container like Exec, but with a terminal:
// `docker exec -t` allocates a pseudo-terminal in the container and makes it
// the process's controlling terminal, as an interactive `docker exec -it`
// session does. It needs no terminal on the test's side. The output is the
// terminal's (stdout and stderr merged, CRLF line ends).
func (c *Container) ExecTTY(t testing.TB, args ...string) (output string, exitCode int) {
	t.Helper()
	return c.exec(t, []string{"-t"}, true, args)
}
