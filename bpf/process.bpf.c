//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * process.bpf.c: the process life cycle (exec, fork of a new process, exit of
 * a process) from BTF tracepoints, which need neither kprobes nor fentry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vigil.h"
#include "config.h"
#include "maps.h"
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* include/linux/sched/signal.h: not in BTF, stable since 2.6. */
#define VIGIL_SIGNAL_GROUP_EXIT 0x00000004

/*
 * Set by the loader when the kernel's sched_process_exit passes
 * group_dead (Linux 6.16+). Older kernels only pass the task; the verifier
 * prunes the branch that reads the second argument there.
 */
const volatile bool exit_has_group_dead = false;

/* Read argv from the new image's stack: [arg_start, arg_end) of current->mm. */
static __always_inline void vigil_read_args(struct vigil_event *e, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u64 len;

	if (!mm || end <= start)
		return;
	len = end - start;
	if (len > VIGIL_ARGS_LEN) {
		len = VIGIL_ARGS_LEN;
		e->args_truncated = 1;
	}
	if (bpf_probe_read_user(e->args, len, (const void *)start)) {
		/* Not expected right after exec (the kernel just wrote the
		 * strings); report "incomplete" instead of guessing. */
		e->args_truncated = 1;
		return;
	}
	e->args_len = len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vigil_ns ns = vigil_task_ns(task);
	struct vigil_event *e;

	if (vigil_filtered(&ns, VIGIL_EVENT_EXEC))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_EXEC);
	if (!e)
		return 0;
	vigil_init_event(e, VIGIL_EVENT_EXEC);
	vigil_fill_task(e, task);
	vigil_fill_container(e, task, &ns);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	vigil_read_args(e, task);
	vigil_submit(e, VIGIL_EVENT_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_event *e;
	struct vigil_ns ns;

	/* A thread joins its creator's thread group: not a new process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;

	/* The child decides container identity: clone(CLONE_NEWPID) or
	 * clone3(CLONE_INTO_CGROUP) put it somewhere its parent is not. */
	ns = vigil_task_ns(child);
	if (vigil_filtered(&ns, VIGIL_EVENT_FORK))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_FORK);
	if (!e)
		return 0;
	vigil_init_event(e, VIGIL_EVENT_FORK);
	vigil_fill_task(e, parent);
	vigil_fill_container(e, child, &ns);
	e->child_pid = BPF_CORE_READ(child, tgid);
	e->child_start_boottime = BPF_CORE_READ(child, start_boottime);
	vigil_submit(e, VIGIL_EVENT_FORK);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int vigil_exit(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	struct signal_struct *signal = BPF_CORE_READ(task, signal);
	struct vigil_event *e;
	struct vigil_ns ns;
	__u32 status;

	/*
	 * One event per process, from its last thread. group_dead is the
	 * kernel's own answer; without it, signal->live reaching 0 is the same
	 * test done after the fact, which can report twice when the last
	 * threads exit concurrently.
	 */
	if (exit_has_group_dead) {
		if (!(bool)ctx[1])
			return 0;
	} else if (BPF_CORE_READ(signal, live.counter) != 0) {
		return 0;
	}

	ns = vigil_task_ns(task);
	if (vigil_filtered(&ns, VIGIL_EVENT_EXIT))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_EXIT);
	if (!e)
		return 0;
	vigil_init_event(e, VIGIL_EVENT_EXIT);
	vigil_fill_task(e, task);
	vigil_fill_container(e, task, &ns);

	/* exit_group() and fatal signals record the whole group's status in
	 * signal->group_exit_code; a lone exit() only in task->exit_code. */
	if (BPF_CORE_READ(signal, flags) & VIGIL_SIGNAL_GROUP_EXIT)
		status = BPF_CORE_READ(signal, group_exit_code);
	else
		status = BPF_CORE_READ(task, exit_code);
	e->exit_code = (status >> 8) & 0xff;
	e->exit_signal = status & 0x7f;
	vigil_submit(e, VIGIL_EVENT_EXIT);
	return 0;
}
