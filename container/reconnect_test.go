package container

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/internal/dockertest"
)

// These tests stop dockerd (live-restore keeps containers running) and must
// not run in parallel with this package's other tests.

// Vigil starting while Docker is down: lookups answer at once, and resolve
// once Docker is back, including containers that exited meanwhile.
func TestResolveAfterDaemonComesBack(t *testing.T) {
	running := dockertest.Run(t)
	exited, _ := dockertest.RunAndWait(t, "--", "exitwith", "0")

	r := newResolver(t, nil)
	dockertest.StopDaemon(t)
	require.NoError(t, r.Start(context.Background()))

	start := time.Now()
	for range 100 {
		assert.False(t, r.Lookup(running.ID).Resolved)
		assert.False(t, r.Lookup(exited.ID).Resolved)
	}
	assert.Less(t, time.Since(start), 100*time.Millisecond, "200 lookups with Docker down")
	assert.Equal(t, 2, r.Stats().Pending)

	dockertest.StartDaemon(t)
	waitConnected(t, r, true)
	// The exited container is not listed: only re-inspecting what was
	// missed resolves it. Read the cache, not Lookup, which would inspect.
	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		_, ok := r.cache.get(exited.ID)
		return ok
	}, 10*time.Second, 20*time.Millisecond, "pending id re-inspected after reconnect")
	assert.Equal(t, running.Name, r.Lookup(running.ID).Name)
	assert.Equal(t, exited.Name, r.Lookup(exited.ID).Name)
	assert.Zero(t, r.Stats().Pending)
}

// A connected resolver losing the daemon: cached answers stay, misses do
// not wait, and events resume after the restart.
func TestReconnectAfterDaemonRestart(t *testing.T) {
	rec := &recorder{}
	r := startResolver(t, rec)
	before := dockertest.Run(t)
	require.True(t, r.Lookup(before.ID).Resolved)

	dockertest.StopDaemon(t)
	waitConnected(t, r, false)
	unknown := randomID(t)
	start := time.Now()
	assert.Equal(t, Info{ID: unknown}, r.Lookup(unknown))
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	assert.True(t, r.Lookup(before.ID).Resolved, "cache still answers")

	dockertest.StartDaemon(t)
	waitConnected(t, r, true)
	after := dockertest.Run(t)
	require.Eventually(t, func() bool {
		_, ok := rec.find(after.ID, ActionStart)
		return ok
	}, 10*time.Second, 20*time.Millisecond, "start event after reconnect")
	assert.Equal(t, after.Name, r.Lookup(after.ID).Name)
}
