package container

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	dcontainer "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"go.uber.org/zap"
)

// Reconnect backoff: quick for a daemon restart, bounded so a long outage
// costs a connection attempt every few seconds, not a busy loop.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// follow is the resolver's one goroutine: it keeps an event stream open,
// reconnecting with exponential backoff, until Shutdown.
func (r *Resolver) follow() {
	defer r.wg.Done()
	var st streamState
	backoff := minBackoff
	lost := time.Time{}
	for {
		connected, err := r.stream(&st)
		r.connected.Store(false)
		if r.ctx.Err() != nil {
			return
		}
		if connected {
			backoff = minBackoff
			lost = time.Now()
			r.log.Warn("Docker event stream lost; container lookups answer unresolved until it is back", zap.Error(err))
		} else if lost.IsZero() {
			lost = time.Now()
			r.log.Warn("cannot reach Docker; retrying", zap.String("endpoint", r.cfg.Endpoint), zap.Error(err))
		} else {
			r.log.Debug("Docker still unreachable", zap.Duration("backoff", backoff), zap.Error(err))
		}
		t := time.NewTimer(backoff)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// streamState survives reconnects so a stream that broke while Docker kept
// running resumes where it left off (Docker replays from "since") without
// handling an event twice.
type streamState struct {
	lastNano int64               // time of the newest event handled
	seen     map[string]struct{} // events handled at exactly lastNano
}

// stream subscribes, refreshes the cache, then handles events until the
// stream fails. connected reports whether it got as far as the refresh.
func (r *Resolver) stream(st *streamState) (connected bool, err error) {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	opts := events.ListOptions{Filters: filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("event", string(events.ActionStart)),
		filters.Arg("event", string(events.ActionDie)),
		filters.Arg("event", string(events.ActionDestroy)),
		filters.Arg("event", string(events.ActionRename)),
	)}
	if st.lastNano > 0 {
		opts.Since = fmt.Sprintf("%d.%09d", st.lastNano/1e9, st.lastNano%1e9)
	}
	// Subscribe before listing, so a container starting in between is
	// seen by one or the other.
	msgs, errs := r.cli.Events(ctx, opts)
	if err := r.refresh(); err != nil {
		return false, err
	}
	r.holdUntil.Store(0)
	r.connected.Store(true)
	r.log.Info("following Docker events", zap.String("endpoint", r.cfg.Endpoint))
	r.resolvePending()
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case err, ok := <-errs:
			if !ok || err == nil {
				err = io.EOF
			}
			return true, fmt.Errorf("reading Docker events: %w", err)
		case m := <-msgs:
			if st.fresh(m) {
				r.handle(m)
			}
		}
	}
}

// fresh reports whether m is new, recording it as handled.
func (st *streamState) fresh(m events.Message) bool {
	key := string(m.Action) + "/" + m.Actor.ID
	switch {
	case m.TimeNano < st.lastNano:
		return false
	case m.TimeNano > st.lastNano:
		st.lastNano = m.TimeNano
		st.seen = map[string]struct{}{key: {}}
		return true
	default:
		if _, dup := st.seen[key]; dup {
			return false
		}
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		st.seen[key] = struct{}{}
		return true
	}
}

// refresh caches every running container, so lookups after a (re)connect
// hit the cache instead of the API.
func (r *Resolver) refresh() error {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.LookupTimeout)
	defer cancel()
	list, err := r.cli.ContainerList(ctx, dcontainer.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing containers: %w", err)
	}
	for _, s := range list {
		info, ok := r.infoFromSummary(ctx, s)
		if !ok {
			continue
		}
		r.mu.Lock()
		r.cache.put(info)
		delete(r.pending, info.ID)
		delete(r.negative, info.ID)
		r.mu.Unlock()
	}
	return nil
}

// resolvePending inspects ids looked up while Docker was away that the
// refresh did not cover (containers that exited meanwhile), so their later
// events, and a caller re-reading them, find them resolved.
func (r *Resolver) resolvePending() {
	r.mu.Lock()
	ids := make([]string, 0, len(r.pending))
	for id := range r.pending {
		ids = append(ids, id)
	}
	clear(r.pending)
	r.mu.Unlock()
	for i, id := range ids {
		if r.ctx.Err() != nil || !r.available() {
			// Keep the rest for the next connection.
			r.mu.Lock()
			for _, rest := range ids[i:] {
				r.addPendingLocked(rest)
			}
			r.mu.Unlock()
			return
		}
		r.fetch(id)
	}
}

// handle applies one container event; Docker's input is trusted for
// nothing but being an event: unknown ids and actions are ignored.
func (r *Resolver) handle(m events.Message) {
	id := m.Actor.ID
	if m.Type != events.ContainerEventType || !isContainerID(id) {
		return
	}
	switch m.Action {
	case events.ActionStart:
		r.emit(ActionStart, r.current(id, m), m, 0)
	case events.ActionDie:
		r.emit(ActionStop, r.current(id, m), m, exitCode(m))
	case events.ActionRename:
		// Refetch rather than patch the name: the event's attributes are
		// the labels plus a few fields, not a contract.
		r.mu.Lock()
		delete(r.negative, id)
		r.mu.Unlock()
		if info, err := r.inspect(id); err == nil {
			r.mu.Lock()
			r.cache.put(info)
			r.mu.Unlock()
		}
	case events.ActionDestroy:
		r.mu.Lock()
		r.cache.demote(id)
		delete(r.pending, id)
		r.mu.Unlock()
	}
}

// current returns the cached Info of id, inspecting it on a miss. When
// Docker cannot say, the event's own attributes still name the container
// and image, unresolved.
func (r *Resolver) current(id string, m events.Message) Info {
	r.mu.Lock()
	info, ok := r.cache.get(id)
	delete(r.negative, id) // it exists: an earlier "not found" is stale
	r.mu.Unlock()
	if ok {
		return info
	}
	if info, ok := r.fetch(id); ok {
		return info
	}
	attrs := m.Actor.Attributes
	name, tags, byID := imageRef(attrs["image"], "")
	if byID {
		name, tags = "", nil
	}
	return Info{
		ID:             id,
		Name:           attrs["name"],
		ImageName:      name,
		ImageTags:      tags,
		Runtime:        runtimeName,
		ComposeProject: attrs[labelComposeProject],
		ComposeService: attrs[labelComposeService],
	}
}

func (r *Resolver) emit(action string, info Info, m events.Message, code int) {
	h := r.cfg.Hooks.OnLifecycle
	if h == nil {
		return
	}
	h(Lifecycle{Action: action, Info: info, Time: eventTime(m), ExitCode: code})
}

func eventTime(m events.Message) time.Time {
	if m.TimeNano != 0 {
		return time.Unix(0, m.TimeNano)
	}
	return time.Unix(m.Time, 0)
}

// exitCode reads the die event's "exitCode" attribute; -1 if absent or odd.
func exitCode(m events.Message) int {
	v, ok := m.Actor.Attributes["exitCode"]
	if !ok {
		return -1
	}
	code, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return code
}
