package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"

	"github.com/vigil-sec/vigil/internal/dockertest"
	"github.com/vigil-sec/vigil/internal/testenv"
)

// recorder collects what the hooks report.
type recorder struct {
	mu         sync.Mutex
	hits, miss int
	lifecycle  []Lifecycle
}

func (rec *recorder) hooks() Hooks {
	return Hooks{
		OnLookup: func(ok bool) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if ok {
				rec.hits++
			} else {
				rec.miss++
			}
		},
		OnLifecycle: func(l Lifecycle) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.lifecycle = append(rec.lifecycle, l)
		},
	}
}

func (rec *recorder) counts() (hits, miss int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.hits, rec.miss
}

// find returns the first lifecycle event of container id with action.
func (rec *recorder) find(id, action string) (Lifecycle, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, l := range rec.lifecycle {
		if l.Info.ID == id && l.Action == action {
			return l, true
		}
	}
	return Lifecycle{}, false
}

func newResolver(t *testing.T, rec *recorder) *Resolver {
	t.Helper()
	testenv.RequireDocker(t)
	cfg := Config{}
	if rec != nil {
		cfg.Hooks = rec.hooks()
	}
	r, err := New(cfg, zaptest.NewLogger(t))
	require.NoError(t, err)
	t.Cleanup(r.Shutdown)
	return r
}

func startResolver(t *testing.T, rec *recorder) *Resolver {
	t.Helper()
	r := newResolver(t, rec)
	require.NoError(t, r.Start(context.Background()))
	waitConnected(t, r, true)
	return r
}

func waitConnected(t *testing.T, r *Resolver, want bool) {
	t.Helper()
	require.Eventually(t, func() bool { return r.Stats().Connected == want },
		15*time.Second, 20*time.Millisecond, "resolver connected=%v", want)
}

func randomID(t *testing.T) string {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// imageTag is the tag part of dockertest's "vigil-test:<hash>".
func imageTag(c *dockertest.Container) string {
	_, tag, _ := strings.Cut(c.Image, ":")
	return tag
}

func TestLookup(t *testing.T) {
	rec := &recorder{}
	r := startResolver(t, rec)
	c := dockertest.Run(t,
		"--label", "com.docker.compose.project=shop",
		"--label", "com.docker.compose.service=web")

	info := r.Lookup(c.ID)
	assert.Equal(t, Info{
		ID:             c.ID,
		Name:           c.Name,
		ImageName:      dockertest.ImageName,
		ImageTags:      []string{imageTag(c)},
		ImageID:        c.Inspect(t, "{{.Image}}"),
		Runtime:        "docker",
		ComposeProject: "shop",
		ComposeService: "web",
		Resolved:       true,
	}, info)
	hits, miss := rec.counts()
	assert.Equal(t, 1, hits)
	assert.Equal(t, 0, miss)
}

// A container started by image id has no name in its config; the image
// store still knows the tags.
func TestLookupImageByID(t *testing.T) {
	r := startResolver(t, nil)
	imageID := dockertest.Run(t).Inspect(t, "{{.Image}}")
	c := dockertest.RunImage(t, strings.TrimPrefix(imageID, "sha256:")[:12])

	info := r.Lookup(c.ID)
	require.True(t, info.Resolved)
	assert.Equal(t, dockertest.ImageName, info.ImageName)
	assert.Contains(t, info.ImageTags, imageTag(&dockertest.Container{Image: dockertest.Image(t)}))
	assert.Equal(t, imageID, info.ImageID)
}

func TestLookupUnknown(t *testing.T) {
	rec := &recorder{}
	r := startResolver(t, rec)

	id := randomID(t)
	assert.Equal(t, Info{ID: id}, r.Lookup(id))
	r.mu.Lock()
	_, negative := r.negative[id]
	r.mu.Unlock()
	assert.True(t, negative, "no such container is remembered")
	assert.Equal(t, Info{ID: id}, r.Lookup(id))

	// Not an id: answered without asking Docker for a name or a prefix.
	assert.Equal(t, Info{ID: "web"}, r.Lookup("web"))
	assert.Equal(t, Info{}, r.Lookup(""))

	_, miss := rec.counts()
	assert.Equal(t, 4, miss)
}

func TestLookupBeforeStart(t *testing.T) {
	r := newResolver(t, nil)
	id := randomID(t)
	start := time.Now()
	assert.Equal(t, Info{ID: id}, r.Lookup(id))
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	assert.Equal(t, 1, r.Stats().Pending)
}

func TestLifecycle(t *testing.T) {
	rec := &recorder{}
	r := startResolver(t, rec)
	start := time.Now()
	c, code := dockertest.RunAndWait(t, "--", "sh", "-c", "exit 7")
	require.Equal(t, 7, code)

	var stop Lifecycle
	require.Eventually(t, func() bool {
		var ok bool
		stop, ok = rec.find(c.ID, ActionStop)
		return ok
	}, 10*time.Second, 20*time.Millisecond, "stop event")
	started, ok := rec.find(c.ID, ActionStart)
	require.True(t, ok, "start event arrives before stop")

	for _, l := range []Lifecycle{started, stop} {
		assert.Equal(t, c.Name, l.Info.Name, l.Action)
		assert.Equal(t, dockertest.ImageName, l.Info.ImageName, l.Action)
		assert.True(t, l.Info.Resolved, l.Action)
		assert.WithinDuration(t, start, l.Time, time.Minute, l.Action)
	}
	assert.Equal(t, 7, stop.ExitCode)
	assert.False(t, stop.Time.Before(started.Time))
	assert.True(t, r.Lookup(c.ID).Resolved, "an exited container stays resolvable")
}

func TestRename(t *testing.T) {
	r := startResolver(t, nil)
	c := dockertest.Run(t)
	require.Equal(t, c.Name, r.Lookup(c.ID).Name)
	newName := c.Name + "-renamed"
	out, err := exec.Command("docker", "rename", c.ID, newName).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Eventually(t, func() bool { return r.Lookup(c.ID).Name == newName },
		5*time.Second, 20*time.Millisecond)
}

func TestStartTwice(t *testing.T) {
	r := newResolver(t, nil)
	require.NoError(t, r.Start(context.Background()))
	assert.Error(t, r.Start(context.Background()))
	r.Shutdown()
	r.Shutdown()
	assert.Error(t, r.Start(context.Background()))
}
