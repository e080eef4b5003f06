package bpf

import (
	"fmt"

	"github.com/cilium/ebpf"
	"go.uber.org/zap"
)

// loadProcessFamily loads process.bpf.c: exec, fork and exit from BTF
// tracepoints.
func loadProcessFamily(fc *familyContext) (*loadedFamily, error) {
	if err := probeProcessFeatures(); err != nil {
		return nil, err
	}
	spec, err := loadProcess()
	if err != nil {
		return nil, err
	}
	groupDead, err := exitHasGroupDead()
	if err != nil {
		// signal->live still finds the last thread, with a rare duplicate.
		fc.logger.Warn("cannot tell whether sched_process_exit passes group_dead; using signal->live", zap.Error(err))
	}
	fc.logger.Debug("sched_process_exit passes group_dead", zap.Bool("group_dead", groupDead))
	opts, err := fc.prepare(spec, map[string]any{processVarExitHasGroupDead: groupDead})
	if err != nil {
		return nil, err
	}
	objs := &processObjects{}
	if err := spec.LoadAndAssign(objs, opts); err != nil {
		// %+v would print the whole verifier log; the error's own text
		// keeps its tail, which names the failing instruction.
		return nil, fmt.Errorf("loading objects: %w", err)
	}
	return &loadedFamily{
		name: "process",
		objs: objs,
		shared: sharedMaps{
			Events: objs.Events, EventsSent: objs.EventsSent,
			EventsFiltered: objs.EventsFiltered, EventsLost: objs.EventsLost,
		},
		hooks: []hook{
			{name: "sched_process_exec", prog: objs.VigilExec},
			{name: "sched_process_fork", prog: objs.VigilFork},
			{name: "sched_process_exit", prog: objs.VigilExit},
		},
		progs: map[string]*ebpf.Program{
			"vigil_exec": objs.VigilExec, "vigil_fork": objs.VigilFork, "vigil_exit": objs.VigilExit,
		},
	}, nil
}
