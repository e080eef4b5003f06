package floor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/vigil-sec/vigil/bpf"
)

// Hook is one attachment of an empty program. Name is spelled as Vigil's
// bpf.Probes.Attached spells the same hook, e.g. "sched_process_exec",
// "syscalls:sys_enter_openat", "sys_exit[init_module ...]", "cgroup/connect4".
type Hook struct {
	Name    string
	Program string // the C function in floor.bpf.c
	attach  func(*ebpf.Program) (link.Link, error)
}

// Floor is the set of attached empty programs.
type Floor struct {
	links []link.Link
	hooks []string
}

// Plan lists the hooks Vigil's default configuration attaches on this
// kernel (every probe set; syscall_hooks: auto), with the empty program for
// each, as bpf/loader_{process,syscall,network}_linux.go decide them:
// the sched_process BTF tracepoints; syscalls:sys_enter_X/sys_exit_X for
// each monitored syscall with a trace event and, when some have none (e.g.
// the module syscalls on a kernel without CONFIG_MODULES), one tp_btf/sys_exit
// program that runs for every syscall; inet_sock_set_state; the cgroup
// sock_addr and cgroup_skb hooks at the cgroup2 root; sys_enter/exit_socket.
func Plan() ([]Hook, error) {
	var hooks []Hook
	for _, h := range []struct{ name, prog string }{
		{"sched_process_exec", "floor_exec"}, {"sched_process_fork", "floor_fork"}, {"sched_process_exit", "floor_exit"},
	} {
		hooks = append(hooks, Hook{Name: h.name, Program: h.prog})
	}
	var missing []string
	for _, s := range bpf.MonitoredSyscalls() {
		if !haveSyscallEvent(s.TraceEvent) {
			missing = append(missing, s.Name)
			continue
		}
		hooks = append(hooks, tracepoint("syscalls:sys_enter_"+s.TraceEvent, "floor_sys_enter"),
			tracepoint("syscalls:sys_exit_"+s.TraceEvent, "floor_sys_exit"))
	}
	if len(missing) > 0 {
		hooks = append(hooks, Hook{Name: fmt.Sprintf("sys_exit%v", missing), Program: "floor_sys_gap"})
	}
	root, err := bpf.Cgroup2Root() // where Vigil attaches its cgroup programs
	if err != nil {
		return nil, fmt.Errorf("cgroup2 mount: %w", err)
	}
	cg := func(name, prog string, t ebpf.AttachType) Hook {
		return Hook{Name: name, Program: prog, attach: func(p *ebpf.Program) (link.Link, error) {
			return link.AttachCgroup(link.CgroupOptions{Path: root, Attach: t, Program: p})
		}}
	}
	hooks = append(hooks,
		Hook{Name: "inet_sock_set_state", Program: "floor_sockstate"},
		cg("cgroup/connect4", "floor_connect4", ebpf.AttachCGroupInet4Connect),
		cg("cgroup/connect6", "floor_connect6", ebpf.AttachCGroupInet6Connect),
		cg("cgroup/sendmsg4", "floor_sendmsg4", ebpf.AttachCGroupUDP4Sendmsg),
		cg("cgroup/sendmsg6", "floor_sendmsg6", ebpf.AttachCGroupUDP6Sendmsg),
		cg("cgroup/bind4", "floor_bind4", ebpf.AttachCGroupInet4Bind),
		cg("cgroup/bind6", "floor_bind6", ebpf.AttachCGroupInet6Bind),
		tracepoint("sys_enter_socket", "floor_sys_enter"),
		tracepoint("sys_exit_socket", "floor_sys_exit"),
		cg("cgroup_skb/egress", "floor_skb_out", ebpf.AttachCGroupInetEgress),
		cg("cgroup_skb/ingress", "floor_skb_in", ebpf.AttachCGroupInetIngress),
	)
	return hooks, nil
}

// tracepoint is a hook on syscalls:<event> ("syscalls:" optional in name).
func tracepoint(name, prog string) Hook {
	event := strings.TrimPrefix(name, "syscalls:")
	return Hook{Name: name, Program: prog, attach: func(p *ebpf.Program) (link.Link, error) {
		return link.Tracepoint("syscalls", event, p, nil)
	}}
}

// Attach loads floor.bpf.c and attaches its empty programs to every hook of
// Plan. It fails if any hook refuses: a floor missing a hook would flatter
// Vigil.
func Attach() (*Floor, error) {
	plan, err := Plan()
	if err != nil {
		return nil, err
	}
	spec, err := loadFloor()
	if err != nil {
		return nil, fmt.Errorf("loading floor spec: %w", err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("loading floor programs: %w", err)
	}
	// The links hold the programs; the collection's fds can go.
	defer coll.Close()
	f := &Floor{}
	for _, h := range plan {
		prog := coll.Programs[h.Program]
		if prog == nil {
			f.Close()
			return nil, fmt.Errorf("hook %s: no program %s in floor.bpf.c", h.Name, h.Program)
		}
		attach := h.attach
		if attach == nil {
			attach = func(p *ebpf.Program) (link.Link, error) {
				return link.AttachTracing(link.TracingOptions{Program: p})
			}
		}
		l, err := attach(prog)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("attaching %s to %s: %w", h.Program, h.Name, err)
		}
		f.links = append(f.links, l)
		f.hooks = append(f.hooks, h.Name)
	}
	return f, nil
}

// Hooks lists the attached hooks, named as in Plan.
func (f *Floor) Hooks() []string { return append([]string(nil), f.hooks...) }

// Close detaches every program.
func (f *Floor) Close() error {
	var errs []error
	for _, l := range f.links {
		errs = append(errs, l.Close())
	}
	f.links = nil
	return errors.Join(errs...)
}

var tracefsEvents = []string{"/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls"}

func haveSyscallEvent(event string) bool {
	for _, d := range tracefsEvents {
		if _, err := os.Stat(filepath.Join(d, "sys_enter_"+event)); err == nil {
			return true
		}
	}
	return false
}
