package bpf

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"go.uber.org/zap"
)

// Probes are Vigil's loaded and attached kernel programs and the maps they
// share. Read is not safe for concurrent use; Close may be called at any time,
// also while Read blocks.
type Probes struct {
	objs     processObjects
	links    []link.Link
	reader   *ringbuf.Reader
	pinned   []*ebpf.Map
	attached []string
	skipped  []string
	rec      ringbuf.Record
	flush    time.Duration // poll interval for records submitted without wakeup
	pinDir   string

	mu       sync.Mutex
	deadline time.Time // set by SetDeadline

	closeOnce sync.Once
	closeErr  error
}

// hook ties a program to the kernel hook it attaches to.
type hook struct {
	name string // the tracepoint, as logged and reported by Attached
	prog *ebpf.Program
}

// Load checks kernel features, loads the programs of cfg.ProbeSets with the
// filters of cfg, attaches every program the kernel accepts and pins the
// counter maps under cfg.PinPath. Programs the kernel refuses to attach are
// skipped with a warning; Load fails only when none attach.
func Load(cfg Config, logger *zap.Logger) (*Probes, error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	cfg, err := cfg.withDefaults(os.Getpagesize())
	if err != nil {
		return nil, fmt.Errorf("loading process probes: %w", err)
	}
	if err := probeProcessFeatures(); err != nil {
		return nil, fmt.Errorf("loading process probes: %w", err)
	}

	spec, err := loadProcess()
	if err != nil {
		return nil, fmt.Errorf("loading process probes: %w", err)
	}
	if err := configureProcess(spec, cfg, logger); err != nil {
		return nil, fmt.Errorf("loading process probes: %w", err)
	}

	p := &Probes{flush: cfg.FlushInterval}
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		// %+v would print the whole verifier log; the error's own text
		// keeps its tail, which names the failing instruction.
		return nil, fmt.Errorf("loading process probes: %w", err)
	}

	p.attach(logger, []hook{
		{"sched_process_exec", p.objs.VigilExec},
		{"sched_process_fork", p.objs.VigilFork},
		{"sched_process_exit", p.objs.VigilExit},
	})
	if len(p.links) == 0 {
		p.Close()
		return nil, fmt.Errorf("loading process probes: no program attached (skipped %v)", p.skipped)
	}

	p.pinDir = cfg.PinPath
	p.pinned, err = pinMaps(cfg.PinPath, map[string]*ebpf.Map{
		processMapEventsSent:     p.objs.EventsSent,
		processMapEventsFiltered: p.objs.EventsFiltered,
		processMapEventsLost:     p.objs.EventsLost,
	})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("loading process probes: %w", err)
	}

	p.reader, err = ringbuf.NewReader(p.objs.Events)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("loading process probes: opening ring buffer reader: %w", err)
	}
	logger.Info("kernel probes attached",
		zap.Strings("attached", p.attached), zap.Strings("skipped", p.skipped),
		zap.Bool("containers_only", cfg.ContainersOnly), zap.Int("ring_buffer_bytes", cfg.RingBufferBytes),
		zap.Int("wakeup_bytes", cfg.WakeupBytes), zap.Duration("flush_interval", cfg.FlushInterval),
		zap.String("pin_path", cfg.PinPath))
	return p, nil
}

// configureProcess writes cfg into the spec: ring buffer size and the const
// volatile settings, which the verifier then treats as constants.
func configureProcess(spec *ebpf.CollectionSpec, cfg Config, logger *zap.Logger) error {
	spec.Maps[processMapEvents].MaxEntries = uint32(cfg.RingBufferBytes)

	groupDead, err := exitHasGroupDead()
	if err != nil {
		// signal->live still finds the last thread, with a rare duplicate.
		logger.Warn("cannot tell whether sched_process_exit passes group_dead; using signal->live", zap.Error(err))
	}
	logger.Debug("sched_process_exit passes group_dead", zap.Bool("group_dead", groupDead))
	// Up to one record, the kernel's own rule (wake when the reader has
	// caught up) is cheaper than forcing a wakeup per record.
	var wakeup uint64
	if cfg.WakeupBytes > EventSize {
		wakeup = uint64(cfg.WakeupBytes)
	}
	vars := map[string]any{
		processVarContainersOnly:   cfg.ContainersOnly,
		processVarExitHasGroupDead: groupDead,
		processVarWakeupBytes:      wakeup,
	}
	if cfg.ContainersOnly {
		pidns, mntns, err := hostNamespaces(logger)
		if err != nil {
			return fmt.Errorf("containers_only: %w", err)
		}
		vars[processVarHostPidns] = pidns
		vars[processVarHostMntns] = mntns
	}
	for name, v := range vars {
		vs, ok := spec.Variables[name]
		if !ok {
			return fmt.Errorf("setting %s: variable missing from the object", name)
		}
		if err := vs.Set(v); err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
	}
	return nil
}

// hostNamespaces returns the pid and mount namespace inodes of the host: those
// of pid 1. Reading /proc/1/ns needs ptrace access to pid 1, which fails
// when pid 1 holds capabilities the agent lacks (on the project's machines,
// CAP_SYS_RESOURCE); the agent's own namespaces are then used, which is right
// for an agent running on the host. An agent inside a container would then
// report host processes instead of dropping them: over-reporting, not blindness.
func hostNamespaces(logger *zap.Logger) (pidns, mntns uint32, err error) {
	pidns, errPid := nsInode("/proc/1/ns/pid")
	mntns, errMnt := nsInode("/proc/1/ns/mnt")
	if errPid == nil && errMnt == nil {
		return pidns, mntns, nil
	}
	if !errors.Is(errPid, os.ErrPermission) && !errors.Is(errMnt, os.ErrPermission) {
		return 0, 0, errors.Join(errPid, errMnt)
	}
	logger.Warn("cannot read pid 1's namespaces; treating the agent's own as the host's",
		zap.Error(errors.Join(errPid, errMnt)))
	if pidns, err = nsInode("/proc/self/ns/pid"); err != nil {
		return 0, 0, err
	}
	if mntns, err = nsInode("/proc/self/ns/mnt"); err != nil {
		return 0, 0, err
	}
	return pidns, mntns, nil
}

// nsInode returns the inode of a namespace file such as /proc/1/ns/pid, the
// number the kernel calls ns.inum.
func nsInode(path string) (uint32, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("reading host namespace: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("reading host namespace %s: no inode", path)
	}
	return uint32(st.Ino), nil
}

func (p *Probes) attach(logger *zap.Logger, hooks []hook) {
	for _, h := range hooks {
		l, err := link.AttachTracing(link.TracingOptions{Program: h.prog})
		if err != nil {
			logger.Warn("kernel refused a probe; continuing without it",
				zap.String("hook", h.name), zap.Error(fmt.Errorf("attaching %s: %w", h.name, err)))
			p.skipped = append(p.skipped, h.name)
			continue
		}
		p.links = append(p.links, l)
		p.attached = append(p.attached, h.name)
	}
}

// Attached lists the hooks with an attached program, e.g. "sched_process_exec".
func (p *Probes) Attached() []string { return append([]string(nil), p.attached...) }

// Skipped lists the hooks whose program the kernel refused.
func (p *Probes) Skipped() []string { return append([]string(nil), p.skipped...) }

// Read blocks until the next event and decodes it. After Close, or when
// Close interrupts it, the error wraps ErrClosed. A record that does not
// decode is returned as an error; the next Read continues with the next one.
func (p *Probes) Read() (Event, error) {
	for {
		// The kernel skips most wakeups (Config.WakeupBytes), so wait at
		// most one flush interval, then take whatever is pending.
		p.mu.Lock()
		user := p.deadline
		p.mu.Unlock()
		poll := time.Now().Add(p.flush)
		if !user.IsZero() && user.Before(poll) {
			poll = user
		}
		p.reader.SetDeadline(poll)

		err := p.reader.ReadInto(&p.rec)
		switch {
		case err == nil:
			return Decode(p.rec.RawSample)
		case errors.Is(err, os.ErrDeadlineExceeded):
			if !user.IsZero() && !time.Now().Before(user) {
				return Event{}, fmt.Errorf("reading events: %w", err)
			}
		case errors.Is(err, ringbuf.ErrClosed):
			return Event{}, fmt.Errorf("reading events: %w", ErrClosed)
		default:
			return Event{}, fmt.Errorf("reading events: %w", err)
		}
	}
}

// SetDeadline makes Read return an error wrapping os.ErrDeadlineExceeded
// when no event arrives before t. The zero time removes the deadline.
func (p *Probes) SetDeadline(t time.Time) {
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
}

// ReadCounters sums the kernel's per-CPU counters. Every event type appears
// in each map, zero or not.
func (p *Probes) ReadCounters() (Counters, error) {
	var c Counters
	var err error
	if c.Sent, err = sumCounters(p.objs.EventsSent); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", processMapEventsSent, err)
	}
	if c.Filtered, err = sumCounters(p.objs.EventsFiltered); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", processMapEventsFiltered, err)
	}
	if c.Lost, err = sumCounters(p.objs.EventsLost); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", processMapEventsLost, err)
	}
	return c, nil
}

func sumCounters(m *ebpf.Map) (map[EventType]uint64, error) {
	out := make(map[EventType]uint64)
	var perCPU []uint64
	// Slot 0 is no event type.
	for i := uint32(1); i < m.MaxEntries(); i++ {
		if err := m.Lookup(i, &perCPU); err != nil {
			return nil, fmt.Errorf("slot %d: %w", i, err)
		}
		var sum uint64
		for _, v := range perCPU {
			sum += v
		}
		out[EventType(i)] = sum
	}
	return out, nil
}

// Close detaches the programs, removes the pins and frees the maps. It
// interrupts a blocked Read. Calling it again returns the first result.
func (p *Probes) Close() error {
	p.closeOnce.Do(func() {
		var errs []error
		if p.reader != nil {
			if err := p.reader.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing ring buffer reader: %w", err))
			}
		}
		for _, l := range p.links {
			if err := l.Close(); err != nil {
				errs = append(errs, fmt.Errorf("detaching: %w", err))
			}
		}
		if err := unpinMaps(p.pinned); err != nil {
			errs = append(errs, err)
		}
		if p.pinDir != "" {
			// Only when empty: other components pin their maps here too.
			os.Remove(p.pinDir)
		}
		if err := p.objs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing objects: %w", err))
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}
