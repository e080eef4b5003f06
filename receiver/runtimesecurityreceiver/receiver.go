package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/container"
	"github.com/vigil-sec/vigil/process"
	"github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver/internal/metadata"
	"github.com/vigil-sec/vigil/rules"
	"go.opentelemetry.io/collector/receiver"
)

// flushAt is the number of buffered records that asks the flush loop for an
// early flush; the event loop keeps reading meanwhile. Past maxBuffered (the
// flush loop still exporting the previous batch) the event loop flushes
// itself: the pipeline's backpressure then slows reading, and the kernel
// counts what the ring buffer cannot hold.
const (
	flushAt     = 4096
	maxBuffered = 4 * flushAt
)

type securityReceiver struct {
	cfg      *Config
	set      receiver.Settings
	logger   *zap.Logger
	release  func()
	hostName string

	nextLogs   consumer.Logs
	nextTraces consumer.Traces

	telemetry *metadata.TelemetryBuilder
	batch     *batch
	clock     bootClock

	src      eventSource
	table    *process.Table
	names    *netNames // per-container IP -> DNS name, from dns.query responses
	drift    *driftTracker
	resolver *container.Resolver

	engine     *rules.Engine // nil when rules are disabled
	alertBuf   []rules.Alert // reused under the batch lock
	spanAlerts spanAlerts

	startOnce, stopOnce sync.Once
	startErr            error
	cancel              context.CancelFunc
	wg                  sync.WaitGroup
	flushMu             sync.Mutex    // one flush at a time, in order
	flushNow            chan struct{} // the event loop asks for an early flush
}

func newSecurityReceiver(set receiver.Settings, cfg *Config, release func()) (*securityReceiver, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("creating runtime_security telemetry: %w", err)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return &securityReceiver{
		cfg:       cfg,
		set:       set,
		logger:    set.Logger,
		release:   release,
		hostName:  host,
		telemetry: tb,
		batch:     newBatch(metadata.ScopeName, set.BuildInfo.Version),
		names:     newNetNames(),
		drift: newDriftTracker(maxDriftContainers, maxDriftPathsPerContainer, func(n int) {
			tb.VigilDriftPathsEvicted.Add(context.Background(), int64(n))
		}),
	}, nil
}

func (r *securityReceiver) setLogs(next consumer.Logs)     { r.nextLogs = next }
func (r *securityReceiver) setTraces(next consumer.Traces) { r.nextTraces = next }

// Start loads the kernel programs and starts the event and flush loops. It
// runs once even though the logs and traces pipelines both call it.
func (r *securityReceiver) Start(_ context.Context, _ component.Host) error {
	r.startOnce.Do(func() { r.startErr = r.start() })
	return r.startErr
}

func (r *securityReceiver) start() error {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel

	clock, err := newBootClock()
	if err != nil {
		return fmt.Errorf("reading boot time: %w", err)
	}
	r.clock = clock
	bootID, err := process.BootID()
	if err != nil {
		return fmt.Errorf("reading boot id: %w", err)
	}

	if r.cfg.Rules.Enabled {
		engine, err := rules.New(r.cfg.Rules.engineConfig(r.logger))
		if err != nil {
			return fmt.Errorf("loading rules: %w", err)
		}
		if err := engine.Start(r.cfg.Rules.ReloadInterval); err != nil {
			return fmt.Errorf("starting rule reloads: %w", err)
		}
		r.engine = engine
		st := engine.Stats()
		r.logger.Info("Rules loaded", zap.Int("rules", st.RulesLoaded), zap.Int("enabled", st.RulesEnabled), zap.Int("events", len(engine.Events())))
	}

	if r.cfg.DockerEndpoint != "" {
		res, err := container.New(container.Config{
			Endpoint: r.cfg.DockerEndpoint,
			Hooks: container.Hooks{
				OnLookup:    r.countLookup,
				OnLifecycle: r.emitLifecycle,
			},
		}, r.logger)
		if err != nil {
			return fmt.Errorf("creating Docker resolver for docker_endpoint %q: %w", r.cfg.DockerEndpoint, err)
		}
		if err := res.Start(ctx); err != nil {
			return fmt.Errorf("starting Docker resolver: %w", err)
		}
		r.resolver = res
	}

	r.table = process.New(process.Config{
		MaxProcesses: r.cfg.MaxProcesses,
		BootID:       bootID,
		BootTime:     clock.boot,
		ContainerOf: func(cgroupName string) string {
			id, _ := container.IDFromCgroupName(cgroupName)
			return id
		},
		ContainerOfProcCgroup: func(pid int) string {
			id, _, _ := container.IDFromProcCgroup(pid)
			return id
		},
		OnEvict: r.evicted,
	})

	// Load the probes before reading /proc: a process that starts in between
	// is then both in /proc and in the ring buffer, never in neither.
	src, err := openEventSource(r.cfg, r.logger)
	if err != nil {
		r.stopResolver()
		r.stopEngine()
		return err
	}
	r.src = src
	seeded, err := r.table.SeedFromProc(r.cfg.ProcFS)
	if err != nil {
		r.logger.Warn("Reading processes that predate Vigil failed; they will appear without ancestry", zap.Error(err))
	}
	r.logger.Info("Runtime security receiver started", zap.Int("seeded_processes", seeded), zap.Strings("probes", r.cfg.Probes), zap.Bool("containers_only", r.cfg.ContainersOnly))

	if err := r.registerCallbacks(); err != nil {
		_ = src.Close()
		r.stopResolver()
		r.stopEngine()
		return err
	}

	r.wg.Add(2)
	go r.readLoop()
	go r.flushLoop(ctx)
	return nil
}

// Shutdown stops reading, ends every open process span (marked still
// running) and flushes what is buffered.
func (r *securityReceiver) Shutdown(ctx context.Context) error {
	var err error
	r.stopOnce.Do(func() {
		defer r.release()
		if r.cancel == nil { // never started
			r.telemetry.Shutdown()
			return
		}
		r.cancel()
		if r.src != nil {
			err = r.src.Close()
		}
		r.wg.Wait()
		if r.table != nil {
			now := time.Now()
			for _, p := range r.table.Snapshot() {
				r.emitSpan(p, now, true)
			}
		}
		r.flush(ctx)
		r.stopResolver()
		r.stopEngine()
		r.telemetry.Shutdown()
	})
	return err
}

func (r *securityReceiver) stopEngine() {
	if r.engine != nil {
		if err := r.engine.Shutdown(context.Background()); err != nil {
			r.logger.Warn("Stopping rule reloads failed", zap.Error(err))
		}
	}
}

func (r *securityReceiver) stopResolver() {
	if r.resolver != nil {
		r.resolver.Shutdown()
	}
}

func (r *securityReceiver) readLoop() {
	defer r.wg.Done()
	for {
		ev, err := r.src.Read()
		if err != nil {
			if errors.Is(err, bpf.ErrClosed) {
				return
			}
			if errors.Is(err, bpf.ErrMalformedEvent) {
				r.telemetry.VigilEventsDecodeErrors.Add(context.Background(), 1)
				r.logger.Debug("Dropping malformed kernel event", zap.Error(err))
				continue
			}
			r.logger.Error("Reading kernel events failed; stopping the event loop", zap.Error(err))
			return
		}
		r.telemetry.VigilEventsRead.Add(context.Background(), 1, metric.WithAttributes(attribute.String("event.type", ev.Type.String())))
		switch n := r.handle(ev); {
		case n >= maxBuffered:
			r.flush(context.Background())
		case n >= flushAt:
			select {
			case r.flushNow <- struct{}{}:
			default: // a flush is already pending
			}
		}
	}
}

// handle updates the process table and buffers the event's records. It
// returns the number of buffered records.
func (r *securityReceiver) handle(ev bpf.Event) int {
	switch ev.Type {
	case bpf.EventFork:
		r.table.Fork(ev)
		return 0
	case bpf.EventExec:
		cur, ended := r.table.Exec(ev)
		if ended != nil {
			r.emitSpan(ended, ended.EndTime, false)
		}
		return r.emitExec(ev, cur)
	case bpf.EventExit:
		p := r.table.Exit(ev)
		n := r.emitExit(ev, p)
		r.emitSpan(p, p.EndTime, false)
		return n
	}
	if ev.Network != nil {
		return r.emitNetwork(ev)
	}
	if ev.Syscall != nil {
		return r.emitSyscall(ev)
	}
	return 0
}

// evicted ends the span of a process pushed out of the full table.
func (r *securityReceiver) evicted(p *process.Process) {
	r.telemetry.VigilProcessesEvicted.Add(context.Background(), 1)
	r.emitSpan(p, time.Now(), true)
}

func (r *securityReceiver) flushLoop(ctx context.Context) {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.flush(ctx)
		case <-r.flushNow:
			r.flush(ctx)
		}
	}
}

// flush hands the buffered records to the next consumers and counts what they
// accepted or refused.
func (r *securityReceiver) flush(ctx context.Context) {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	logs, traces := r.batch.take()
	// A shutdown context may already be cancelled; the records must still go.
	ctx = context.WithoutCancel(ctx)
	if n := logs.LogRecordCount(); n > 0 {
		r.deliver(ctx, "logs", n, func() error {
			if r.nextLogs == nil {
				return nil
			}
			return r.nextLogs.ConsumeLogs(ctx, logs)
		})
	}
	if n := traces.SpanCount(); n > 0 {
		r.deliver(ctx, "traces", n, func() error {
			if r.nextTraces == nil {
				return nil
			}
			return r.nextTraces.ConsumeTraces(ctx, traces)
		})
	}
}

func (r *securityReceiver) deliver(ctx context.Context, signal string, n int, consume func() error) {
	attrs := metric.WithAttributes(attribute.String("signal", signal))
	if err := consume(); err != nil {
		r.telemetry.VigilRecordsDropped.Add(ctx, int64(n), attrs)
		r.logger.Warn("Next consumer refused records; dropped", zap.String("signal", signal), zap.Int("records", n), zap.Error(err))
		return
	}
	r.telemetry.VigilRecordsEmitted.Add(ctx, int64(n), attrs)
}

func (r *securityReceiver) countLookup(ok bool) {
	result := "ok"
	if !ok {
		result = "failed"
	}
	r.telemetry.VigilDockerLookups.Add(context.Background(), 1, metric.WithAttributes(attribute.String("result", result)))
}

// registerCallbacks exports the kernel's counters and the table size, read
// when the metrics are collected rather than on every event.
func (r *securityReceiver) registerCallbacks() error {
	observe := func(pick func(bpf.Counters) map[bpf.EventType]uint64) metric.Int64Callback {
		return func(_ context.Context, o metric.Int64Observer) error {
			c, err := r.src.ReadCounters()
			if err != nil {
				return fmt.Errorf("reading kernel counters: %w", err)
			}
			for t, v := range pick(c) {
				o.Observe(int64(v), metric.WithAttributes(attribute.String("event.type", t.String())))
			}
			return nil
		}
	}
	errs := []error{r.registerRuleCallbacks(), r.registerNetDropsCallback()}
	return errors.Join(append(errs,
		r.telemetry.RegisterVigilKernelEventsSentCallback(observe(func(c bpf.Counters) map[bpf.EventType]uint64 { return c.Sent })),
		r.telemetry.RegisterVigilKernelEventsFilteredCallback(observe(func(c bpf.Counters) map[bpf.EventType]uint64 { return c.Filtered })),
		r.telemetry.RegisterVigilKernelEventsLostCallback(observe(func(c bpf.Counters) map[bpf.EventType]uint64 { return c.Lost })),
		r.telemetry.RegisterVigilProcessesTrackedCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(r.table.Len()))
			return nil
		}),
	)...)
}

// registerNetDropsCallback exports the network family's per-reason drop
// counters when that family is loaded.
func (r *securityReceiver) registerNetDropsCallback() error {
	nd, ok := r.src.(interface {
		NetDrops() (map[string]uint64, error)
	})
	if !ok {
		return nil
	}
	return r.telemetry.RegisterVigilNetworkDropsCallback(func(_ context.Context, o metric.Int64Observer) error {
		drops, err := nd.NetDrops()
		if err != nil {
			return fmt.Errorf("reading network drop counters: %w", err)
		}
		for reason, n := range drops {
			o.Observe(int64(n), metric.WithAttributes(attribute.String("reason", reason)))
		}
		return nil
	})
}

// registerRuleCallbacks exports the rule engine's counters.
func (r *securityReceiver) registerRuleCallbacks() error {
	if r.engine == nil {
		return nil
	}
	perRule := func(pick func(rules.RuleStats) uint64) metric.Int64Callback {
		return func(_ context.Context, o metric.Int64Observer) error {
			for name, st := range r.engine.Stats().Rules {
				o.Observe(int64(pick(st)), metric.WithAttributes(attribute.String("rule", name)))
			}
			return nil
		}
	}
	return errors.Join(
		r.telemetry.RegisterVigilAlertsCallback(perRule(func(s rules.RuleStats) uint64 { return s.Alerts })),
		r.telemetry.RegisterVigilAlertsSuppressedCallback(perRule(func(s rules.RuleStats) uint64 { return s.Suppressed })),
		r.telemetry.RegisterVigilRuleEvaluationErrorsCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(r.engine.Stats().EvaluationErrors))
			return nil
		}),
		r.telemetry.RegisterVigilRuleReloadsCallback(func(_ context.Context, o metric.Int64Observer) error {
			st := r.engine.Stats()
			o.Observe(int64(st.ReloadsOK), metric.WithAttributes(attribute.String("result", "ok")))
			o.Observe(int64(st.ReloadsFailed), metric.WithAttributes(attribute.String("result", "failed")))
			return nil
		}),
		r.telemetry.RegisterVigilRulesEnabledCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(r.engine.Stats().RulesEnabled))
			return nil
		}),
	)
}
