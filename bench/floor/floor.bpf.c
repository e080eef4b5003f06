//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * floor.bpf.c: EMPTY programs for every kind of hook Vigil attaches. Loaded
 * by the benchmark as the "floor": the cost any eBPF tool pays just to run a
 * program on those hooks, before it does any work.
 *
 * Which hooks each program is attached to is decided by the loader
 * (floor_linux.go, Plan), which mirrors Vigil's loaders (bpf/loader_*.go)
 * for the default configuration (every probe set, syscall_hooks: auto):
 *
 *   floor_exec/fork/exit    tp_btf/sched_process_{exec,fork,exit}
 *   floor_sys_enter         syscalls:sys_enter_X of every monitored syscall X
 *   floor_sys_exit          syscalls:sys_exit_X, idem (and sys_*_socket)
 *   floor_sys_gap           tp_btf/sys_exit, only when a monitored syscall has
 *                           no trace event on this kernel (Vigil's "auto" gap)
 *   floor_sockstate         tp_btf/inet_sock_set_state
 *   floor_connect4/6, floor_sendmsg4/6, floor_bind4/6   cgroup sock_addr
 *                           hooks at the cgroup2 root, returning 1 (allow)
 *   floor_skb_out/in        cgroup_skb at the cgroup2 root, returning 1
 *
 * Program names stay within the kernel's 15 characters so bpftool shows them
 * whole. TestPlanMatchesVigil compares the plan with what bpf.Load attaches.
 */

#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* X(section, name, verdict): verdict is what the hook needs to let the
 * operation through (cgroup programs: 1 = allow; tracing: ignored). */
#define FLOOR_PROGRAMS(X)                                    \
	X("tp_btf/sched_process_exec", floor_exec, 0)        \
	X("tp_btf/sched_process_fork", floor_fork, 0)        \
	X("tp_btf/sched_process_exit", floor_exit, 0)        \
	X("tracepoint", floor_sys_enter, 0)                  \
	X("tracepoint", floor_sys_exit, 0)                   \
	X("tp_btf/sys_exit", floor_sys_gap, 0)               \
	X("tp_btf/inet_sock_set_state", floor_sockstate, 0)  \
	X("cgroup/connect4", floor_connect4, 1)              \
	X("cgroup/connect6", floor_connect6, 1)              \
	X("cgroup/sendmsg4", floor_sendmsg4, 1)              \
	X("cgroup/sendmsg6", floor_sendmsg6, 1)              \
	X("cgroup/bind4", floor_bind4, 1)                    \
	X("cgroup/bind6", floor_bind6, 1)                    \
	X("cgroup_skb/egress", floor_skb_out, 1)             \
	X("cgroup_skb/ingress", floor_skb_in, 1)

#define FLOOR_EMPTY_PROGRAM(section, name, verdict) \
	SEC(section) int name(void *ctx) { return verdict; }

FLOOR_PROGRAMS(FLOOR_EMPTY_PROGRAM)
