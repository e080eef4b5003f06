package bpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"go.uber.org/zap"
)

// syscallNrMax is VIGIL_NR_MAX: the slots of syscall_types.
const syscallNrMax = 512

// loadSyscallFamily loads syscall.bpf.c with the in-kernel syscall set (map
// syscall_types) of the selected probe sets and the path-prefix filter of
// the file set, attached as Config.SyscallHooks says: per-syscall
// tracepoints (tracepoint), a BTF tracepoint pair on sys_enter/sys_exit
// (raw), or per-syscall tracepoints plus one sys_exit BTF tracepoint for the
// monitored syscalls that have no trace event (auto).
func loadSyscallFamily(fc *familyContext) (*loadedFamily, error) {
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("syscall probes read x86-64 registers, not %s: %w", runtime.GOARCH, ebpf.ErrNotSupported)
	}
	if err := haveBTFTracepoints(); err != nil {
		return nil, fmt.Errorf("BTF tracepoints: %w", err)
	}
	spec, err := loadSyscall()
	if err != nil {
		return nil, err
	}
	prefixes, err := pathPrefixEntries(fc.cfg)
	if err != nil {
		return nil, err
	}
	mode := fc.cfg.SyscallHooks
	if mode != SyscallHooksRaw && !haveSyscallTracepoints() {
		fc.logger.Warn("no syscall trace events (tracefs not mounted, or CONFIG_FTRACE_SYSCALLS off): "+
			"attaching the syscall probes to sys_enter/sys_exit, which costs every syscall a little",
			zap.String("want", mode), zap.String("using", SyscallHooksRaw))
		mode = SyscallHooksRaw
	}
	// The per-syscall tracepoints of the monitored syscalls, and those
	// without a trace event on this kernel (e.g. the module syscalls on a
	// kernel without CONFIG_MODULES, where they only return ENOSYS).
	var tps []hook
	var missing []string
	var gap [syscallNrMax / 64]uint64
	if mode != SyscallHooksRaw {
		for _, s := range syscallTable {
			if !fc.sets[s.probeSet] {
				continue
			}
			event := s.name
			if s.tracepoint != "" {
				event = s.tracepoint
			}
			if !haveSyscallEvent(event) {
				missing = append(missing, s.name)
				gap[s.nr/64] |= 1 << (s.nr % 64)
				continue
			}
			for _, dir := range []string{"enter", "exit"} {
				tp := "sys_" + dir + "_" + event
				tps = append(tps, hook{name: "syscalls:" + tp, attach: func(prog *ebpf.Program) (link.Link, error) {
					return link.Tracepoint("syscalls", tp, prog, nil)
				}})
			}
		}
	}
	useGap := mode == SyscallHooksAuto && len(missing) > 0
	if !useGap {
		gap = [syscallNrMax / 64]uint64{}
	}
	opts, err := fc.prepare(spec, map[string]any{
		syscallVarPathFilter:   fc.sets[ProbeSetFile] && len(prefixes) > 0,
		syscallVarPathOnly:     len(fc.cfg.FilePathOnly) > 0,
		syscallVarReadPathOnly: len(fc.cfg.FileReadPathOnly) > 0,
		syscallVarGapSyscalls:  gap,
	})
	if err != nil {
		return nil, err
	}
	// Only the programs of the chosen attachment are loaded.
	objs := &syscallFamilyObjects{}
	var progs []any
	switch {
	case mode == SyscallHooksRaw:
		progs = []any{&objs.raw}
	case useGap:
		progs = []any{&objs.tp, &objs.gap}
	default:
		progs = []any{&objs.tp}
	}
	if err := spec.LoadAndAssign(&objs.syscallMaps, opts); err != nil {
		return nil, fmt.Errorf("loading maps: %w", err)
	}
	opts.MapReplacements = objs.syscallMaps.replacements()
	for _, p := range progs {
		if err := spec.LoadAndAssign(p, opts); err != nil {
			objs.Close()
			return nil, fmt.Errorf("loading programs: %w", err)
		}
	}
	if err := fillSyscallMaps(&objs.syscallMaps, fc.sets, prefixes); err != nil {
		objs.Close()
		return nil, err
	}
	lf := &loadedFamily{
		name: "syscall",
		objs: objs,
		shared: sharedMaps{
			Events: objs.Events, EventsSent: objs.EventsSent,
			EventsFiltered: objs.EventsFiltered, EventsLost: objs.EventsLost,
		},
	}
	if mode == SyscallHooksRaw {
		var sets []string
		for s := range fc.sets {
			sets = append(sets, s)
		}
		slices.Sort(sets)
		lf.hooks = []hook{
			{name: fmt.Sprintf("sys_enter%v", sets), prog: objs.raw.VigilSysEnter},
			{name: "sys_exit", prog: objs.raw.VigilSysExit},
		}
		lf.progs = map[string]*ebpf.Program{
			"vigil_sys_enter": objs.raw.VigilSysEnter, "vigil_sys_exit": objs.raw.VigilSysExit,
		}
		return lf, nil
	}
	// One program for every entry, one for every exit, attached to the
	// monitored syscalls only.
	lf.progs = map[string]*ebpf.Program{
		"vigil_sys_enter_tp": objs.tp.VigilSysEnterTp, "vigil_sys_exit_tp": objs.tp.VigilSysExitTp,
	}
	for i := range tps {
		tps[i].prog = objs.tp.VigilSysExitTp
		if strings.HasPrefix(tps[i].name, "syscalls:sys_enter_") {
			tps[i].prog = objs.tp.VigilSysEnterTp
		}
	}
	lf.hooks = tps
	switch {
	case useGap:
		// The syscalls without trace events, from one sys_exit program
		// (arguments from the saved registers, and the result): a bit test
		// in read-only data sends every other syscall away.
		lf.hooks = append(lf.hooks, hook{name: fmt.Sprintf("sys_exit%v", missing), prog: objs.gap.VigilSysExitGap})
		lf.progs["vigil_sys_exit_gap"] = objs.gap.VigilSysExitGap
		fc.logger.Info("syscalls without trace events on this kernel are watched from sys_exit",
			zap.Strings("syscalls", missing))
	case len(missing) > 0:
		fc.logger.Info("syscalls without trace events on this kernel are not watched; syscall_hooks: auto or raw sees them",
			zap.Strings("syscalls", missing))
	}
	return lf, nil
}

// syscallFamilyObjects are the syscall family's maps and the programs of one
// attachment mode.
type syscallFamilyObjects struct {
	syscallMaps
	tp struct {
		VigilSysEnterTp *ebpf.Program `ebpf:"vigil_sys_enter_tp"`
		VigilSysExitTp  *ebpf.Program `ebpf:"vigil_sys_exit_tp"`
	}
	raw struct {
		VigilSysEnter *ebpf.Program `ebpf:"vigil_sys_enter"`
		VigilSysExit  *ebpf.Program `ebpf:"vigil_sys_exit"`
	}
	// gap: with tp, for the monitored syscalls without trace events.
	gap struct {
		VigilSysExitGap *ebpf.Program `ebpf:"vigil_sys_exit_gap"`
	}
}

func (o *syscallFamilyObjects) Close() error {
	var errs []error
	for _, p := range []*ebpf.Program{o.tp.VigilSysEnterTp, o.tp.VigilSysExitTp, o.raw.VigilSysEnter, o.raw.VigilSysExit,
		o.gap.VigilSysExitGap} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	errs = append(errs, o.syscallMaps.Close())
	return errors.Join(errs...)
}

// replacements hands the loaded maps to the second LoadAndAssign, so the
// programs use them instead of creating their own.
func (m *syscallMaps) replacements() map[string]*ebpf.Map {
	return map[string]*ebpf.Map{
		mapEvents: m.Events, mapEventsSent: m.EventsSent, mapEventsFiltered: m.EventsFiltered,
		mapEventsLost: m.EventsLost, "syscall_types": m.SyscallTypes, "path_prefixes": m.PathPrefixes,
		"inflight": m.Inflight,
	}
}

// tracefsEvents are where the syscall trace events may be.
var tracefsEvents = []string{"/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls"}

func haveSyscallTracepoints() bool {
	for _, d := range tracefsEvents {
		if _, err := os.Stat(d); err == nil {
			return true
		}
	}
	return false
}

func haveSyscallEvent(event string) bool {
	for _, d := range tracefsEvents {
		if _, err := os.Stat(filepath.Join(d, "sys_enter_"+event)); err == nil {
			return true
		}
	}
	return false
}

// pathKey mirrors struct vigil_path_key.
type pathKey struct {
	PrefixLen uint32
	Data      [MaxPathPrefixLen]byte
}

// fillSyscallMaps writes the syscall set of the enabled probe sets and the
// path-prefix trie. Both are filled before the programs attach.
func fillSyscallMaps(objs *syscallMaps, sets map[string]bool, prefixes []pathPrefixEntry) error {
	for _, s := range syscallTable {
		if !sets[s.probeSet] {
			continue
		}
		if s.nr >= syscallNrMax {
			return fmt.Errorf("syscall %s (%d) beyond the syscall set's %d slots", s.name, s.nr, syscallNrMax)
		}
		if err := objs.SyscallTypes.Put(s.nr, uint8(s.typ)); err != nil {
			return fmt.Errorf("adding %s to the syscall set: %w", s.name, err)
		}
	}
	if !sets[ProbeSetFile] {
		return nil
	}
	for _, e := range prefixes {
		var k pathKey
		k.PrefixLen = uint32(8 * len(e.prefix))
		copy(k.Data[:], e.prefix)
		if err := objs.PathPrefixes.Put(&k, e.bits); err != nil {
			return fmt.Errorf("adding path prefix %q: %w", e.prefix, err)
		}
	}
	return nil
}
