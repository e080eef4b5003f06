package container

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"
)

func TestStreamStateFresh(t *testing.T) {
	var st streamState
	ev := func(nano int64, action, id string) events.Message {
		return events.Message{TimeNano: nano, Action: events.Action(action), Actor: events.Actor{ID: id}}
	}
	assert.True(t, st.fresh(ev(10, "start", "a")))
	assert.True(t, st.fresh(ev(10, "start", "b")), "same time, other container")
	assert.False(t, st.fresh(ev(10, "start", "a")), "replayed after reconnect")
	assert.False(t, st.fresh(ev(9, "die", "a")), "older than the newest handled")
	assert.True(t, st.fresh(ev(11, "die", "a")))
	assert.False(t, st.fresh(ev(11, "die", "a")))
}

// With Docker unreachable, events still produce lifecycle records from
// their own attributes, and malformed ones are dropped without panicking.
func TestHandleWithoutDocker(t *testing.T) {
	var got []Lifecycle
	r, err := New(Config{
		Endpoint:      "unix:///nonexistent/docker.sock",
		LookupTimeout: 100 * time.Millisecond,
		Hooks:         Hooks{OnLifecycle: func(l Lifecycle) { got = append(got, l) }},
	}, zaptest.NewLogger(t))
	require.NoError(t, err)
	t.Cleanup(r.Shutdown)

	for _, m := range []events.Message{
		{},
		{Type: events.ContainerEventType, Action: events.ActionDie},
		{Type: events.ContainerEventType, Action: events.ActionDie, Actor: events.Actor{ID: "../../etc"}},
		{Type: events.ImageEventType, Action: events.ActionDie, Actor: events.Actor{ID: testID}},
		{Type: events.ContainerEventType, Action: "exec_start: sh", Actor: events.Actor{ID: testID}},
		{Type: events.ContainerEventType, Action: events.ActionDestroy, Actor: events.Actor{ID: testID}},
		{Type: events.ContainerEventType, Action: events.ActionRename, Actor: events.Actor{ID: testID}},
	} {
		r.handle(m)
	}
	assert.Empty(t, got)

	r.handle(events.Message{
		Type: events.ContainerEventType, Action: events.ActionDie, TimeNano: 1e18,
		Actor: events.Actor{ID: testID, Attributes: map[string]string{
			"name": "web", "image": "shop/web:2", "exitCode": "137",
			"com.docker.compose.project": "shop",
		}},
	})
	r.handle(events.Message{
		Type: events.ContainerEventType, Action: events.ActionStart, Time: 5,
		Actor: events.Actor{ID: testID, Attributes: map[string]string{"image": "sha256:00"}},
	})
	r.handle(events.Message{
		Type: events.ContainerEventType, Action: events.ActionDie,
		Actor: events.Actor{ID: testID, Attributes: map[string]string{"exitCode": "x"}},
	})
	require.Len(t, got, 3)
	assert.Equal(t, Lifecycle{
		Action: ActionStop,
		Info: Info{ID: testID, Name: "web", ImageName: "shop/web", ImageTags: []string{"2"},
			Runtime: "docker", ComposeProject: "shop"},
		Time:     time.Unix(0, 1e18),
		ExitCode: 137,
	}, got[0])
	assert.Equal(t, ActionStart, got[1].Action)
	assert.Equal(t, Info{ID: testID, Runtime: "docker"}, got[1].Info, "an image id is not a name")
	assert.Equal(t, time.Unix(5, 0), got[1].Time)
	assert.Equal(t, -1, got[2].ExitCode)
}
