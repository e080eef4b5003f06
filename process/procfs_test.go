package process

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStat(t *testing.T) {
	// comm with spaces and parentheses, as a process may name itself.
	line := "4242 (a) b (c)) S 17 4242 17 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	var pe procEntry
	require.NoError(t, parseStat([]byte(line), &pe))
	assert.Equal(t, "a) b (c)", pe.comm)
	assert.Equal(t, byte('S'), pe.state)
	assert.Equal(t, uint32(17), pe.ppid)
	assert.Equal(t, uint64(987654), pe.startTicks)

	assert.Error(t, parseStat([]byte("4242 no comm S 1"), &pe))
	assert.Error(t, parseStat([]byte("4242 (x) S 1 2 3"), &pe), "too few fields")
	assert.Error(t, parseStat([]byte("4242 (x) S one 4242 17 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 9 1"), &pe))
}

func TestParseStatusIDs(t *testing.T) {
	status := "Name:\tsudo\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n"
	var pe procEntry
	require.NoError(t, parseStatusIDs([]byte(status), &pe))
	assert.Equal(t, uint32(1000), pe.uid)
	assert.Equal(t, uint32(0), pe.euid)
	assert.Equal(t, uint32(1000), pe.gid)
	assert.Error(t, parseStatusIDs([]byte("Name:\tx\n"), &pe))
	assert.Error(t, parseStatusIDs([]byte("Uid:\tx\t0\t0\t0\nGid:\t0\t0\t0\t0\n"), &pe))
}

func TestParseCmdline(t *testing.T) {
	assert.Equal(t, []string{"/bin/sh", "-c", "a; b"}, parseCmdline([]byte("/bin/sh\x00-c\x00a; b\x00")))
	assert.Equal(t, []string{"nginx: worker process"}, parseCmdline([]byte("nginx: worker process")))
	assert.Equal(t, []string{"x", ""}, parseCmdline([]byte("x\x00\x00")), "an empty argument is kept")
	assert.Nil(t, parseCmdline(nil), "kernel threads have no argv")
}
