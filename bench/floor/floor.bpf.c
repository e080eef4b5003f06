//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * floor.bpf.c: one EMPTY program on every hook Vigil attaches. Loaded by the
 * benchmark as the "floor": the cost any eBPF tool pays just to run a program
 * on those hooks, before it does any work.
 *
 * FLOOR_HOOKS is the one list of hooks. When Vigil attaches a new hook (a
 * syscall tracepoint, a cgroup/connect4 program, ...), add a line here and
 * run `make generate`; the loader (floor_linux.go) attaches every program in
 * this object by its section name, so nothing else changes.
 */

#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* X(section, name): section as libbpf/cilium-ebpf spell it. */
#define FLOOR_HOOKS(X)                                     \
	X("tp_btf/sched_process_exec", sched_process_exec) \
	X("tp_btf/sched_process_fork", sched_process_fork) \
	X("tp_btf/sched_process_exit", sched_process_exit)

#define FLOOR_EMPTY_PROGRAM(section, name) \
	SEC(section) int floor_##name(void *ctx) { return 0; }

FLOOR_HOOKS(FLOOR_EMPTY_PROGRAM)
