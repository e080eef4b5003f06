package dockertest

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitOpts(t *testing.T) {
	flags, cmd := splitOpts([]string{"--cap-add", "SYS_ADMIN"})
	assert.Equal(t, []string{"--cap-add", "SYS_ADMIN"}, flags)
	assert.Equal(t, DefaultCmd, cmd)

	flags, cmd = splitOpts([]string{"--name=x", "--", "sh", "-c", "exit 7"})
	assert.Equal(t, []string{"--name=x"}, flags)
	assert.Equal(t, []string{"sh", "-c", "exit 7"}, cmd)
	assert.Equal(t, "x", flagValue(flags, "--name"))
	assert.Empty(t, flagValue(flags, "--network"))
}

func TestImage(t *testing.T) {
	ref := Image(t)
	assert.Regexp(t, `^vigil-test:[0-9a-f]{12}$`, ref)
	assert.Equal(t, ref, Image(t), "built once per binary")
}

func TestRunExec(t *testing.T) {
	c := Run(t)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), c.ID)
	assert.True(t, strings.HasPrefix(c.Name, "vigil-test-"))

	out, code := c.Exec(t, "id", "-u")
	assert.Equal(t, 0, code)
	assert.Equal(t, "0\n", out)

	_, code = c.Exec(t, "exitwith", "3")
	assert.Equal(t, 3, code, "testbin/exitwith.c is /usr/local/bin/exitwith")

	out, _ = c.Exec(t, "cat", "/etc/hostname")
	assert.Equal(t, c.ID[:12]+"\n", out, "Docker sets the hostname to the short id")

	// --network none leaves only the loopback interface.
	out, _ = c.Exec(t, "ls", "/sys/class/net")
	assert.Equal(t, "lo\n", out)

	pid := c.PID(t)
	require.Positive(t, pid)
	cgroup, err := os.ReadFile("/proc/" + itoa(pid) + "/cgroup")
	require.NoError(t, err)
	assert.Contains(t, string(cgroup), c.ID)
}

func TestRunAndWait(t *testing.T) {
	_, code := RunAndWait(t, "--", "sh", "-c", "exit 7")
	assert.Equal(t, 7, code)
}

// TestDaemonRestart checks the promise restart tests rely on: containers
// outlive a stopped daemon, and the daemon comes back.
func TestDaemonRestart(t *testing.T) {
	c := Run(t)
	pid := c.PID(t)
	StopDaemon(t)
	assert.False(t, daemonAnswers())
	_, err := os.Stat("/proc/" + itoa(pid))
	assert.NoError(t, err, "container init survives the daemon (live-restore)")
	StartDaemon(t)
	assert.Equal(t, "true", c.Inspect(t, "{{.State.Running}}"))
	assert.Equal(t, pid, c.PID(t))
	out, code := c.Exec(t, "echo", "ok")
	assert.Equal(t, 0, code)
	assert.Equal(t, "ok\n", out)
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestCleanupRemoves(t *testing.T) {
	var id string
	t.Run("inner", func(t *testing.T) {
		c := Run(t)
		id = c.ID
		_, err := docker("rename", c.ID, c.Name+"-renamed")
		require.NoError(t, err)
	})
	_, err := docker("inspect", id)
	assert.Error(t, err, "container removed when its test ended, renamed or not")
}
