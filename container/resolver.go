package container

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
	"go.uber.org/zap"
)

// DefaultEndpoint is the Docker Engine API socket.
const DefaultEndpoint = "unix:///var/run/docker.sock"

const (
	defaultCacheSize     = 4096
	defaultLookupTimeout = 2 * time.Second
	// negativeTTL keeps a "no such container" answer briefly, so a burst
	// of events from a host process with a container-like cgroup, or from
	// a container already removed, costs one API call, not one per event.
	negativeTTL = 2 * time.Second
	// failureHoldoff: after an inspect fails for a reason other than "not
	// found" (daemon stopping, overloaded), misses answer unresolved at
	// once for this long instead of each paying LookupTimeout.
	failureHoldoff = time.Second
)

// Config configures a Resolver. Zero values take the defaults.
type Config struct {
	Endpoint      string        // default DefaultEndpoint
	CacheSize     int           // resolved containers kept, default 4096
	LookupTimeout time.Duration // per Docker API call, default 2s
	Hooks         Hooks
}

// Hooks let the caller count and react without the resolver knowing about
// metrics or pipelines. Each may be nil. OnLookup runs on the goroutine
// that called Lookup; OnLifecycle on the resolver's event goroutine, so it
// must not block for long.
type Hooks struct {
	OnLookup    func(ok bool)
	OnLifecycle func(Lifecycle)
}

// Lifecycle is a container starting or stopping, as Docker reported it.
type Lifecycle struct {
	Action   string // "start" or "stop"
	Info     Info
	Time     time.Time
	ExitCode int // stop only; -1 when Docker did not say
}

// Lifecycle actions.
const (
	ActionStart = "start"
	ActionStop  = "stop"
)

// Stats describe the resolver's state, for metrics and debugging.
type Stats struct {
	Connected bool   // following Docker's event stream
	Cached    int    // resolved containers held
	Evictions uint64 // resolved containers dropped for room
	Pending   int    // ids to inspect once Docker answers again
}

// Resolver maps container ids to Info from the Docker Engine API, keeping a
// cache current by following Docker's event stream. Lookup never waits for
// a daemon that is known to be down.
type Resolver struct {
	cfg Config
	log *zap.Logger
	cli *client.Client

	ctx    context.Context // cancelled by Shutdown; bounds every API call
	cancel context.CancelFunc
	wg     sync.WaitGroup

	connected atomic.Bool
	holdUntil atomic.Int64 // unix nanos; see failureHoldoff
	startOnce sync.Once
	shutOnce  sync.Once
	shutdown  atomic.Bool

	mu       sync.Mutex
	cache    *cache
	negative map[string]time.Time // id → until when "no such container" holds
	pending  map[string]struct{}  // ids missed while Docker did not answer
	inflight map[string]*call     // one inspect per id at a time
}

type call struct {
	done chan struct{}
	info Info
	ok   bool
}

// New makes a Resolver; it does not contact Docker until Start.
func New(cfg Config, logger *zap.Logger) (*Resolver, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = defaultCacheSize
	}
	if cfg.LookupTimeout <= 0 {
		cfg.LookupTimeout = defaultLookupTimeout
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	cli, err := client.NewClientWithOpts(client.WithHost(cfg.Endpoint), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("creating Docker client for %s: %w", cfg.Endpoint, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Resolver{
		cfg:      cfg,
		log:      logger,
		cli:      cli,
		ctx:      ctx,
		cancel:   cancel,
		cache:    newCache(cfg.CacheSize),
		negative: make(map[string]time.Time),
		pending:  make(map[string]struct{}),
		inflight: make(map[string]*call),
	}, nil
}

// Start follows Docker's events on one goroutine until Shutdown. It returns
// at once and succeeds with Docker down: the resolver connects when it can.
// ctx is not kept: like a Collector component's Start context it only
// covers starting, and the goroutine lives until Shutdown.
func (r *Resolver) Start(_ context.Context) error {
	if r.shutdown.Load() {
		return errors.New("container resolver: Start after Shutdown")
	}
	err := errors.New("container resolver: already started")
	r.startOnce.Do(func() {
		err = nil
		r.wg.Add(1)
		go r.follow()
	})
	return err
}

// Shutdown stops the event goroutine, waits for it, and closes the client.
// Lookups after Shutdown answer unresolved from the cache only.
func (r *Resolver) Shutdown() {
	r.shutOnce.Do(func() {
		r.shutdown.Store(true)
		r.cancel()
		r.wg.Wait()
		r.connected.Store(false)
		if err := r.cli.Close(); err != nil {
			r.log.Debug("closing Docker client", zap.Error(err))
		}
	})
}

// Stats returns a snapshot of the resolver's state.
func (r *Resolver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{
		Connected: r.connected.Load(),
		Cached:    r.cache.len(),
		Evictions: r.cache.evictions,
		Pending:   len(r.pending),
	}
}

// Lookup returns what is known about container id (64 hex). A cache miss
// asks Docker, for at most LookupTimeout; when Docker is down or failing it
// returns Info{ID: id} (Resolved false) at once and remembers id, to
// inspect it once Docker answers again.
func (r *Resolver) Lookup(id string) Info {
	info, ok := r.lookup(id)
	if h := r.cfg.Hooks.OnLookup; h != nil {
		h(ok)
	}
	return info
}

func (r *Resolver) lookup(id string) (Info, bool) {
	if !isContainerID(id) {
		return Info{ID: id}, false
	}
	r.mu.Lock()
	if info, ok := r.cache.get(id); ok {
		r.mu.Unlock()
		return info, true
	}
	if until, ok := r.negative[id]; ok {
		if time.Now().Before(until) {
			r.mu.Unlock()
			return Info{ID: id}, false
		}
		delete(r.negative, id)
	}
	if !r.available() {
		r.addPendingLocked(id)
		r.mu.Unlock()
		return Info{ID: id}, false
	}
	r.mu.Unlock()
	return r.fetch(id)
}

// available: connected to the event stream and not holding off after a
// failure. Before Start nothing is available.
func (r *Resolver) available() bool {
	return r.connected.Load() && time.Now().UnixNano() >= r.holdUntil.Load()
}

// fetch inspects id, sharing one API call among concurrent callers, and
// records the outcome in the cache, the negative cache or pending.
func (r *Resolver) fetch(id string) (Info, bool) {
	r.mu.Lock()
	if c, ok := r.inflight[id]; ok {
		r.mu.Unlock()
		<-c.done
		return cloneInfo(c.info), c.ok
	}
	c := &call{done: make(chan struct{})}
	r.inflight[id] = c
	r.mu.Unlock()

	info, err := r.inspect(id)

	r.mu.Lock()
	delete(r.inflight, id)
	switch {
	case err == nil:
		r.cache.put(info)
		delete(r.pending, id)
		c.info, c.ok = info, true
	case cerrdefs.IsNotFound(err):
		r.setNegativeLocked(id)
		delete(r.pending, id)
		c.info = Info{ID: id}
	default:
		r.addPendingLocked(id)
		if r.ctx.Err() == nil {
			r.holdUntil.Store(time.Now().Add(failureHoldoff).UnixNano())
			r.log.Debug("container lookup failed", zap.String("container.id", id), zap.Error(err))
		}
		c.info = Info{ID: id}
	}
	r.mu.Unlock()
	close(c.done)
	return cloneInfo(c.info), c.ok
}

// addPendingLocked bounds pending like the cache: ids beyond it are
// dropped, and will be looked up again on their next event anyway.
func (r *Resolver) addPendingLocked(id string) {
	if len(r.pending) < r.cfg.CacheSize {
		r.pending[id] = struct{}{}
	}
}

func (r *Resolver) setNegativeLocked(id string) {
	now := time.Now()
	if len(r.negative) >= r.cfg.CacheSize {
		for k, until := range r.negative {
			if now.After(until) {
				delete(r.negative, k)
			}
		}
		if len(r.negative) >= r.cfg.CacheSize {
			clear(r.negative)
		}
	}
	r.negative[id] = now.Add(negativeTTL)
}
