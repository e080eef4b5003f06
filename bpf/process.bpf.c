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
static __always_inline void vigil_read_args(struct vigil_exec_event *e, struct task_struct *task)
{
	/* task is a BTF pointer: direct loads (see task.h). */
	struct mm_struct *mm = task->mm;
	unsigned long start = mm->arg_start;
	unsigned long end = mm->arg_end;
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

/*
 * vigil_exe_flags tells whether the file being executed lives only in
 * memory: a memfd (memfd_create names its dentry "memfd:<name>", on shmem
 * or hugetlbfs) or a file whose last link is gone (i_nlink == 0: deleted
 * after it was opened, the classic "run and unlink" of droppers). A memfd
 * has no link either; it is reported as memfd only.
 */
static __always_inline __u8 vigil_exe_flags(struct linux_binprm *bprm)
{
	struct dentry *dentry = bprm->file->f_path.dentry;
	char name[8] = {};

	if (!dentry)
		return 0;
	/* d_name.name is a char pointer, not a BTF object: read by helper. */
	bpf_probe_read_kernel(name, 6, dentry->d_name.name);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	    name[4] == 'd' && name[5] == ':')
		return VIGIL_EXE_MEMFD;
	if (dentry->d_inode->__i_nlink == 0)
		return VIGIL_EXE_DELETED;
	return 0;
}

/* include/uapi/linux/stat.h: not in BTF. */
#define VIGIL_S_IFMT   00170000
#define VIGIL_S_IFSOCK 0140000

/*
 * vigil_fd_is_socket: whether fd (0 or 1) is open on an IPv4/IPv6 socket.
 * Unix sockets (journald's stdout of systemd services) do not count.
 */
static __always_inline bool vigil_fd_is_socket(struct file **fds, unsigned int max, unsigned int fd)
{
	struct file *f = NULL;
	struct socket *sock;
	__u16 family;

	/* fdt->fd is an array of pointers, which BTF loads cannot follow:
	 * the slot is read by helper, the file it points to by CO-RE reads. */
	if (fd >= max || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return false;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & VIGIL_S_IFMT) != VIGIL_S_IFSOCK)
		return false;
	sock = BPF_CORE_READ(f, private_data);
	family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	return family == 2 /* AF_INET */ || family == 10 /* AF_INET6 */;
}

/*
 * vigil_stdio_flags: a program started with its stdin or stdout on a
 * network socket, as `nc -e /bin/sh` or a bash /dev/tcp reverse shell do.
 */
static __always_inline __u8 vigil_stdio_flags(struct task_struct *task)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds = fdt->fd;
	unsigned int max = fdt->max_fds;
	__u8 flags = 0;

	if (!fds)
		return 0;
	if (vigil_fd_is_socket(fds, max, 0))
		flags |= VIGIL_EXE_STDIN_SOCKET;
	if (vigil_fd_is_socket(fds, max, 1))
		flags |= VIGIL_EXE_STDOUT_SOCKET;
	return flags;
}

/* vigil_tty_flag: the task has a controlling terminal (an interactive session). */
static __always_inline __u8 vigil_tty_flag(struct task_struct *task)
{
	return task->signal->tty ? VIGIL_EXE_TTY : 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vigil_ns ns = {};
	struct vigil_exec_event *e;

	/* Filter first: a dropped exec costs only the namespace loads. */
	if (vigil_btf_filtered(task, &ns, VIGIL_EVENT_EXEC))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_EXEC, sizeof(*e));
	if (!e)
		return 0;
	vigil_init_header(&e->h, VIGIL_EVENT_EXEC);
	e->args_len = 0;
	e->args_truncated = 0;
	e->_pad[0] = 0;
	e->_pad[1] = 0;
	vigil_btf_fill_task(&e->h, task);
	vigil_btf_fill_container(&e->h, task, &ns);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	e->exe_flags = vigil_exe_flags(bprm) | vigil_stdio_flags(task) | vigil_tty_flag(task);
	vigil_read_args(e, task);
	vigil_submit(e, VIGIL_EVENT_EXEC, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_fork_event *e;
	struct vigil_ns ns = {};

	/* A thread joins its creator's thread group: not a new process. */
	if (child->pid != child->tgid)
		return 0;

	/* The child decides container identity: clone(CLONE_NEWPID) or
	 * clone3(CLONE_INTO_CGROUP) put it somewhere its parent is not. */
	if (vigil_btf_filtered(child, &ns, VIGIL_EVENT_FORK))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_FORK, sizeof(*e));
	if (!e)
		return 0;
	vigil_init_header(&e->h, VIGIL_EVENT_FORK);
	vigil_btf_fill_task(&e->h, parent);
	vigil_btf_fill_container(&e->h, child, &ns);
	e->child_pid = child->tgid;
	e->_pad = 0;
	e->child_start_boottime = child->start_boottime;
	vigil_submit(e, VIGIL_EVENT_FORK, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int vigil_exit(__u64 *ctx)
{
	/* ctx[0] is a BTF pointer (tp_btf): direct loads, no helper calls. */
	struct task_struct *task = (struct task_struct *)ctx[0];
	struct vigil_exit_event *e;
	struct signal_struct *signal;
	struct vigil_ns ns = {};
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
	} else if (task->signal->live.counter != 0) {
		return 0;
	}

	if (vigil_btf_filtered(task, &ns, VIGIL_EVENT_EXIT))
		return 0;
	e = vigil_reserve(VIGIL_EVENT_EXIT, sizeof(*e));
	if (!e)
		return 0;
	vigil_init_header(&e->h, VIGIL_EVENT_EXIT);
	vigil_btf_fill_task(&e->h, task);
	vigil_btf_fill_container(&e->h, task, &ns);

	/* exit_group() and fatal signals record the whole group's status in
	 * signal->group_exit_code; a lone exit() only in task->exit_code. */
	signal = task->signal;
	if (signal->flags & VIGIL_SIGNAL_GROUP_EXIT)
		status = signal->group_exit_code;
	else
		status = task->exit_code;
	e->exit_code = (status >> 8) & 0xff;
	e->exit_signal = status & 0x7f;
	vigil_submit(e, VIGIL_EVENT_EXIT, sizeof(*e));
	return 0;
}
