package bpf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"go.uber.org/zap"
)

// Probes are Vigil's loaded and attached kernel programs and the maps they
// share. Read is not safe for concurrent use; Close may be called at any time,
// also while Read blocks.
type Probes struct {
	shared   sharedMaps
	families []*loadedFamily
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

	// pending are events made in user space (UDP flow aggregates) that
	// Read returns before reading the ring buffer again.
	pending   []Event
	nextDrain time.Time

	closeOnce sync.Once
	closeErr  error
}

// sharedMaps are the maps every family uses: created by the first family
// loaded, handed to the others through CollectionOptions.MapReplacements.
type sharedMaps struct {
	Events         *ebpf.Map `ebpf:"events"`
	EventsSent     *ebpf.Map `ebpf:"events_sent"`
	EventsFiltered *ebpf.Map `ebpf:"events_filtered"`
	EventsLost     *ebpf.Map `ebpf:"events_lost"`
}

// hook ties a program to the kernel hook it attaches to.
type hook struct {
	name   string // the hook, as logged and reported by Attached
	prog   *ebpf.Program
	attach func(*ebpf.Program) (link.Link, error) // nil: a BTF tracepoint (link.AttachTracing)
}

// family is one BPF object (a *.bpf.c) and the probe sets it serves. Each
// family has its own loader_<name>_linux.go with its load function.
type family struct {
	name      string
	probeSets []string
	load      func(*familyContext) (*loadedFamily, error)
}

// families lists every program family in load order. The first one loaded
// creates the ring buffer and the counter maps.
var families = []family{
	{"process", []string{ProbeSetProcess}, loadProcessFamily},
	{"syscall", []string{ProbeSetFile, ProbeSetPrivilege, ProbeSetNamespace, ProbeSetModule,
		ProbeSetBPF, ProbeSetMemfd, ProbeSetPtrace, ProbeSetMount}, loadSyscallFamily},
	{"network", []string{ProbeSetNetwork, ProbeSetDNS, ProbeSetHTTP}, loadNetworkFamily},
}

// familyContext is what a family's load function gets.
type familyContext struct {
	cfg    Config
	logger *zap.Logger
	// sets are the selected probe sets of this family.
	sets map[string]bool
	// shared is nil for the first family, which creates the shared maps.
	shared *sharedMaps
	// hostPidns/hostMntns are set when cfg.ContainersOnly.
	hostPidns, hostMntns uint32
}

// loadedFamily is a family's loaded objects and the hooks to attach.
type loadedFamily struct {
	name    string
	objs    io.Closer
	shared  sharedMaps // the family's view of the shared maps
	hooks   []hook
	progs   map[string]*ebpf.Program // by ELF program name, for stats and tests
	pinMaps map[string]*ebpf.Map

	// Network family: UDP destination aggregates drained by Read every
	// udpFlowEvery, and the per-reason drop counters.
	udpFlows     *ebpf.Map
	udpFlowEvery time.Duration
	netDrops     *ebpf.Map
}

// prepare sets, in spec, what every family shares: the ring buffer size or
// the replacement maps, and the common const volatile settings, plus vars.
// It returns the CollectionOptions to load with.
func (fc *familyContext) prepare(spec *ebpf.CollectionSpec, vars map[string]any) (*ebpf.CollectionOptions, error) {
	opts := &ebpf.CollectionOptions{}
	// Every family's spec must describe the one ring: a replacement map
	// whose size differs from the spec's is refused.
	spec.Maps[mapEvents].MaxEntries = uint32(fc.cfg.RingBufferBytes)
	if fc.shared != nil {
		opts.MapReplacements = map[string]*ebpf.Map{
			mapEvents:         fc.shared.Events,
			mapEventsSent:     fc.shared.EventsSent,
			mapEventsFiltered: fc.shared.EventsFiltered,
			mapEventsLost:     fc.shared.EventsLost,
		}
	}
	// Up to one record, the kernel's own rule (wake when the reader has
	// caught up) is cheaper than forcing a wakeup per record.
	var wakeup uint64
	if fc.cfg.WakeupBytes > MaxEventSize {
		wakeup = uint64(fc.cfg.WakeupBytes)
	}
	all := map[string]any{
		"containers_only": fc.cfg.ContainersOnly,
		"wakeup_bytes":    wakeup,
		// Every family writes to the one ring of this size.
		"ring_size": uint64(fc.cfg.RingBufferBytes),
	}
	if fc.cfg.ContainersOnly {
		all["host_pidns"] = fc.hostPidns
		all["host_mntns"] = fc.hostMntns
	}
	for k, v := range vars {
		all[k] = v
	}
	for name, v := range all {
		vs, ok := spec.Variables[name]
		if !ok {
			return nil, fmt.Errorf("setting %s: variable missing from the object", name)
		}
		if err := vs.Set(v); err != nil {
			return nil, fmt.Errorf("setting %s: %w", name, err)
		}
	}
	return opts, nil
}

// Load checks kernel features, loads the program families of cfg.ProbeSets
// with the filters of cfg, attaches every program the kernel accepts and pins
// the counter maps under cfg.PinPath. Programs the kernel refuses to attach,
// and families the kernel or architecture cannot run, are skipped with a
// warning; Load fails only when nothing attaches.
func Load(cfg Config, logger *zap.Logger) (*Probes, error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	cfg, err := cfg.withDefaults(os.Getpagesize())
	if err != nil {
		return nil, fmt.Errorf("loading probes: %w", err)
	}
	if err := features.HaveMapType(ebpf.RingBuf); err != nil {
		return nil, fmt.Errorf("loading probes: ring buffer: %w", err)
	}
	fc := &familyContext{cfg: cfg, logger: logger}
	if cfg.ContainersOnly {
		if fc.hostPidns, fc.hostMntns, err = hostNamespaces(logger); err != nil {
			return nil, fmt.Errorf("loading probes: containers_only: %w", err)
		}
	}

	p := &Probes{flush: cfg.FlushInterval}
	for _, f := range families {
		sets := map[string]bool{}
		for _, s := range f.probeSets {
			if slices.Contains(cfg.ProbeSets, s) {
				sets[s] = true
			}
		}
		if len(sets) == 0 {
			continue
		}
		fc.sets = sets
		if len(p.families) > 0 {
			fc.shared = &p.shared
		}
		lf, err := f.load(fc)
		if errors.Is(err, ebpf.ErrNotSupported) && len(cfg.ProbeSets) > 1 {
			logger.Warn("kernel cannot run a probe family; continuing without it",
				zap.String("family", f.name), zap.Error(err))
			p.skipped = append(p.skipped, f.name)
			continue
		}
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("loading %s probes: %w", f.name, err)
		}
		if len(p.families) == 0 {
			p.shared = lf.shared
		}
		p.families = append(p.families, lf)
		p.attach(logger, lf.hooks)
	}
	if len(p.links) == 0 {
		p.Close()
		return nil, fmt.Errorf("loading probes %v: no program attached (skipped %v)", cfg.ProbeSets, p.skipped)
	}

	p.pinDir = cfg.PinPath
	pins := map[string]*ebpf.Map{
		mapEventsSent:     p.shared.EventsSent,
		mapEventsFiltered: p.shared.EventsFiltered,
		mapEventsLost:     p.shared.EventsLost,
	}
	for _, lf := range p.families {
		for name, m := range lf.pinMaps {
			pins[name] = m
		}
	}
	p.pinned, err = pinMaps(cfg.PinPath, pins)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("loading probes: %w", err)
	}

	p.reader, err = ringbuf.NewReader(p.shared.Events)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("loading probes: opening ring buffer reader: %w", err)
	}
	logger.Info("kernel probes attached",
		zap.Strings("probe_sets", cfg.ProbeSets),
		zap.Strings("attached", p.attached), zap.Strings("skipped", p.skipped),
		zap.Bool("containers_only", cfg.ContainersOnly), zap.Int("ring_buffer_bytes", cfg.RingBufferBytes),
		zap.Int("wakeup_bytes", cfg.WakeupBytes), zap.Duration("flush_interval", cfg.FlushInterval),
		zap.String("pin_path", cfg.PinPath))
	return p, nil
}

// program returns a loaded program by its C function name, or nil.
func (p *Probes) program(name string) *ebpf.Program {
	for _, f := range p.families {
		if prog := f.progs[name]; prog != nil {
			return prog
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
		attach := h.attach
		if attach == nil {
			attach = func(prog *ebpf.Program) (link.Link, error) {
				return link.AttachTracing(link.TracingOptions{Program: prog})
			}
		}
		l, err := attach(h.prog)
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
		if ev, ok, err := p.nextPending(); ok || err != nil {
			return ev, err
		}
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

// ReadCounters sums the kernel's per-CPU counters. Every event type this
// build knows appears in each map, zero or not (unknown slots only when
// non-zero).
func (p *Probes) ReadCounters() (Counters, error) {
	var c Counters
	var err error
	if c.Sent, err = sumCounters(p.shared.EventsSent); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", mapEventsSent, err)
	}
	if c.Filtered, err = sumCounters(p.shared.EventsFiltered); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", mapEventsFiltered, err)
	}
	if c.Lost, err = sumCounters(p.shared.EventsLost); err != nil {
		return Counters{}, fmt.Errorf("reading %s: %w", mapEventsLost, err)
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
		if sum != 0 || EventType(i).Known() {
			out[EventType(i)] = sum
		}
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
		for _, f := range p.families {
			if err := f.objs.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s objects: %w", f.name, err))
			}
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}
