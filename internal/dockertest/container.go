package dockertest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// DefaultCmd keeps a container alive long enough for any test.
var DefaultCmd = []string{"sleep", "3600"}

// Label marks every container made here, so leftovers of a killed test run
// can be removed with: docker rm -f $(docker ps -aq --filter label=vigil.test)
const Label = "vigil.test"

// Container is a running (or exited) test container, removed at test end.
type Container struct {
	ID    string // 64 hex characters
	Name  string // without Docker's leading "/"
	Image string // "name:tag" it was started from
}

// Run starts a detached container from Image(t) and removes it when the test
// ends. opts are `docker run` flags, then optionally "--" and the command:
//
//	Run(t)                                       // sleep 3600
//	Run(t, "--cap-add", "SYS_ADMIN")             // flags only
//	Run(t, "--", "sh", "-c", "exit 7")           // command only
//
// The container gets --network none (its own loopback only) unless opts
// name a network, and a random name unless opts name one.
func Run(t testing.TB, opts ...string) *Container {
	t.Helper()
	testenv.RequireDocker(t)
	return RunImage(t, Image(t), opts...)
}

// RunImage is Run with another image reference, such as Image(t)'s id, for
// tests of how a container's image is named.
func RunImage(t testing.TB, img string, opts ...string) *Container {
	t.Helper()
	testenv.RequireDocker(t)
	flags, cmd := splitOpts(opts)
	release := acquireShared(t)
	t.Cleanup(release)

	name := flagValue(flags, "--name")
	if name == "" {
		name = "vigil-test-" + randomHex(6)
		flags = append([]string{"--name", name}, flags...)
	}
	if flagValue(flags, "--network") == "" && flagValue(flags, "--net") == "" {
		flags = append([]string{"--network", "none"}, flags...)
	}
	args := append([]string{"run", "-d", "--label", Label + "=1"}, flags...)
	args = append(args, img)
	args = append(args, cmd...)

	out, err := docker(args...)
	id := strings.TrimSpace(out)
	// Remove by id, which survives a rename; by name when docker run failed
	// after creating the container.
	ref := id
	if len(id) != 64 {
		ref = name
	}
	t.Cleanup(func() { _, _ = docker("rm", "-f", "-v", ref) })
	if err != nil {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	if len(id) != 64 {
		t.Fatalf("docker run printed %q, want a 64-hex container id", out)
	}
	return &Container{ID: id, Name: name, Image: img}
}

// RunAndWait runs a container like Run and waits for it to exit, returning
// its exit code; the exited container stays inspectable until test end.
func RunAndWait(t testing.TB, opts ...string) (*Container, int) {
	t.Helper()
	c := Run(t, opts...)
	return c, c.Wait(t)
}

// Wait blocks until the container exits and returns its exit code.
func (c *Container) Wait(t testing.TB) int {
	t.Helper()
	out, err := docker("wait", c.ID)
	if err != nil {
		t.Fatalf("docker wait %s: %v", c.Name, err)
	}
	code, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("docker wait %s printed %q", c.Name, out)
	}
	return code
}

// Exec runs args in the container and returns its stdout and exit code.
// A non-zero exit code is a result, not a test failure; not being able to
// run docker exec at all is.
func (c *Container) Exec(t testing.TB, args ...string) (stdout string, exitCode int) {
	t.Helper()
	return c.exec(t, nil, false, args)
}

// ExecAs is Exec as another user (docker exec -u user).
func (c *Container) ExecAs(t testing.TB, user string, args ...string) (stdout string, exitCode int) {
	t.Helper()
	return c.exec(t, []string{"-u", user}, false, args)
}

// exec runs docker exec with flags. With merged, stderr joins stdout (a
// terminal's single stream); otherwise it is logged on failure.
func (c *Container) exec(t testing.TB, flags []string, merged bool, args []string) (string, int) {
	t.Helper()
	cmdArgs := append(append([]string{"exec"}, flags...), c.ID)
	cmd := exec.Command("docker", append(cmdArgs, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if merged {
		cmd.Stderr = &out
	}
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exitErr):
		if errOut.Len() > 0 {
			t.Logf("docker exec %v %v in %s: stderr: %s", flags, args, c.Name, errOut.String())
		}
		return out.String(), exitErr.ExitCode()
	default:
		t.Fatalf("docker exec %v %v in %s: %v", flags, args, c.Name, err)
		return "", -1
	}
}

// Stop stops the container (SIGTERM, then SIGKILL after one second) and
// waits for it to exit.
func (c *Container) Stop(t testing.TB) {
	t.Helper()
	if _, err := docker("stop", "--time", "1", c.ID); err != nil {
		t.Fatalf("docker stop %s: %v", c.Name, err)
	}
}

// PID is the host pid of the container's init process (0 once it exited).
func (c *Container) PID(t testing.TB) int {
	t.Helper()
	s := c.Inspect(t, "{{.State.Pid}}")
	pid, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("pid of %s: docker inspect printed %q", c.Name, s)
	}
	return pid
}

// Inspect returns `docker inspect --format <format>` of the container, trimmed.
func (c *Container) Inspect(t testing.TB, format string) string {
	t.Helper()
	out, err := docker("inspect", "--format", format, c.ID)
	if err != nil {
		t.Fatalf("docker inspect %s: %v", c.Name, err)
	}
	return strings.TrimSpace(out)
}

// splitOpts separates docker run flags from the command at "--".
func splitOpts(opts []string) (flags, cmd []string) {
	i := slices.Index(opts, "--")
	if i < 0 {
		return slices.Clone(opts), DefaultCmd
	}
	flags, cmd = slices.Clone(opts[:i]), slices.Clone(opts[i+1:])
	if len(cmd) == 0 {
		cmd = DefaultCmd
	}
	return flags, cmd
}

// flagValue finds "--flag value" or "--flag=value" among flags.
func flagValue(flags []string, flag string) string {
	for i, f := range flags {
		if f == flag && i+1 < len(flags) {
			return flags[i+1]
		}
		if v, ok := strings.CutPrefix(f, flag+"="); ok {
			return v
		}
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// docker runs the CLI and returns stdout; the error carries stderr.
func docker(args ...string) (string, error) {
	cmd := exec.Command("docker", args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), errors.Join(err, errors.New(strings.TrimSpace(errOut.String())))
	}
	return out.String(), nil
}
