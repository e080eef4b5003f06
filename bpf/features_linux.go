package bpf

import (
	"errors"
	"fmt"

	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// probeProcessFeatures checks what the process family needs before anything
// is loaded, so an old or locked-down kernel yields an error that names the
// missing piece and wraps ebpf.ErrNotSupported, not a verifier log.
func probeProcessFeatures() error {
	if err := haveBTFTracepoints(); err != nil {
		return fmt.Errorf("BTF tracepoints: %w", err)
	}
	return nil
}

// haveBTFTracepoints loads an empty tp_btf program for sched_process_exec.
// features.HaveProgramType(ebpf.Tracing) is no answer: it probes with an
// fentry program, and kernels that refuse fentry (as on the project's
// machines) may still accept tp_btf.
var haveBTFTracepoints = sync.OnceValue(func() error {
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type:       ebpf.Tracing,
		AttachType: ebpf.AttachTraceRawTp,
		AttachTo:   "sched_process_exec",
		License:    "GPL",
		Instructions: asm.Instructions{
			asm.LoadImm(asm.R0, 0, asm.DWord),
			asm.Return(),
		},
	}, ebpf.ProgramOptions{LogDisabled: true})
	if err == nil {
		return prog.Close()
	}
	switch {
	// EINVAL/E2BIG: unknown program or attach type; ErrNotFound: no kernel
	// BTF or no such tracepoint; EPERM: refused by policy (lockdown, LSM).
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.E2BIG),
		errors.Is(err, unix.EPERM), errors.Is(err, btf.ErrNotFound):
		return fmt.Errorf("%w: %w", ebpf.ErrNotSupported, err)
	}
	return err
})

// exitHasGroupDead reports whether the kernel's sched_process_exit
// tracepoint passes group_dead as its second argument (Linux 6.16+): the BTF
// typedef btf_trace_sched_process_exit is then void (*)(void *, struct
// task_struct *, bool).
func exitHasGroupDead() (bool, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return false, fmt.Errorf("loading kernel BTF: %w", err)
	}
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_sched_process_exit", &td); err != nil {
		return false, fmt.Errorf("looking up btf_trace_sched_process_exit: %w", err)
	}
	ptr, ok := td.Type.(*btf.Pointer)
	if !ok {
		return false, errors.New("btf_trace_sched_process_exit is not a function pointer")
	}
	proto, ok := ptr.Target.(*btf.FuncProto)
	if !ok {
		return false, errors.New("btf_trace_sched_process_exit is not a function pointer")
	}
	return len(proto.Params) == 3, nil
}
