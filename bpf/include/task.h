/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * task.h: identity of a task read with CO-RE: ids, credentials, namespaces,
 * container cgroup, and the containers_only filter. Every helper takes the
 * task explicitly because hooks such as sched_process_fork describe a task
 * that is not current.
 */
#ifndef VIGIL_TASK_H
#define VIGIL_TASK_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vigil.h"
#include "config.h"
#include "maps.h"

struct vigil_ns {
	__u32 pid;
	__u32 mnt;
};

/*
 * The task's own pid namespace, as task_active_pid_ns() finds it: the
 * namespace at the deepest level of its struct pid. nsproxy->pid_ns_for_children
 * would be wrong after unshare(CLONE_NEWPID), which changes only the namespace
 * of future children.
 */
static __always_inline __u32 vigil_task_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level;
	struct upid upid = {};

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]))
		return 0;
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/*
 * The process id as the process itself sees it (getpid() inside its pid
 * namespace): the group leader's pid at the deepest level of its struct pid,
 * as task_tgid_vnr() finds it. 1 is a container's init (its entrypoint).
 */
static __always_inline __u32 vigil_task_vpid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level;
	struct upid upid = {};

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]))
		return 0;
	return upid.nr;
}

static __always_inline struct vigil_ns vigil_task_ns(struct task_struct *task)
{
	struct vigil_ns ns = {
		.pid = vigil_task_pidns(task),
		.mnt = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum),
	};
	return ns;
}

/*
 * vigil_filtered applies the in-kernel filters before a record is reserved,
 * counting what it drops. A task is on the host when it shares both the pid
 * and the mount namespace of init; a container differs in at least one.
 */
static __always_inline bool vigil_filtered(const struct vigil_ns *ns, __u32 type)
{
	if (!containers_only)
		return false;
	if (ns->pid != host_pidns || ns->mnt != host_mntns)
		return false;
	vigil_count(&events_filtered, type);
	return true;
}

static __always_inline __u64 vigil_task_cgroup_id(struct task_struct *task)
{
	/* Same value as bpf_get_current_cgroup_id(), but for any task. */
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/* css of the v1 controller id, if that controller puts the task below the root. */
static __always_inline struct cgroup *vigil_v1_cgroup(struct css_set *cset, int id)
{
	struct cgroup *cgrp = BPF_CORE_READ(cset, subsys[id], cgroup);

	if (!cgrp || BPF_CORE_READ(cgrp, level) <= 0)
		return NULL;
	return cgrp;
}

/*
 * vigil_task_cgroup_name writes the last component of the task's
 * container-relevant cgroup: the default hierarchy when the task is below its
 * root (pure or hybrid cgroup v2, systemd), otherwise a v1 controller's cgroup
 * (Docker's cgroupfs driver on cgroup v1). Empty on the host.
 */
static __always_inline void vigil_task_cgroup_name(struct task_struct *task, char *buf, __u32 size)
{
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup *cgrp = BPF_CORE_READ(cset, dfl_cgrp);
	const char *name;

	buf[0] = '\0';
	if (!cgrp || BPF_CORE_READ(cgrp, level) <= 0) {
		cgrp = NULL;
		/* Controller ids depend on the kernel config: ask the target BTF. */
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
			cgrp = vigil_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
		if (!cgrp && bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
			cgrp = vigil_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id));
		if (!cgrp && bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
			cgrp = vigil_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
		if (!cgrp)
			return;
	}
	name = BPF_CORE_READ(cgrp, kn, name);
	if (name)
		bpf_probe_read_kernel_str(buf, size, name);
}

/*
 * vigil_fill_task fills the header fields describing task: ids (vpid too),
 * credentials, start times and comm. Namespaces and cgroup are filled
 * separately because a fork event takes them from the child.
 */
static __always_inline void vigil_fill_task(struct vigil_header *e, struct task_struct *task)
{
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);

	e->pid = BPF_CORE_READ(task, tgid);
	e->tid = BPF_CORE_READ(task, pid);
	e->ppid = BPF_CORE_READ(parent, tgid);
	e->vpid = vigil_task_vpid(task);
	e->uid = BPF_CORE_READ(task, real_cred, uid.val);
	e->gid = BPF_CORE_READ(task, real_cred, gid.val);
	e->euid = BPF_CORE_READ(task, real_cred, euid.val);
	e->start_boottime = BPF_CORE_READ(task, group_leader, start_boottime);
	e->parent_start_boottime = BPF_CORE_READ(parent, group_leader, start_boottime);
	/* The process's name, not a thread's: threads may rename themselves. */
	BPF_CORE_READ_STR_INTO(&e->comm, task, group_leader, comm);
}

/* vigil_fill_container fills the namespace and cgroup identity of task. */
static __always_inline void vigil_fill_container(struct vigil_header *e, struct task_struct *task,
						 const struct vigil_ns *ns)
{
	e->pidns = ns->pid;
	e->mntns = ns->mnt;
	e->cgroup_id = vigil_task_cgroup_id(task);
	vigil_task_cgroup_name(task, e->cgroup_name, sizeof(e->cgroup_name));
}

/*
 * ---- BTF variants ----
 *
 * The helpers above read every field with bpf_probe_read_kernel (one helper
 * call per BPF_CORE_READ step: about 25 calls for a header), which works on
 * any task pointer in any program type. The vigil_btf_* helpers below take a
 * BTF task pointer (bpf_get_current_task_btf() or a tp_btf argument) and
 * dereference it directly: the verifier turns each step into a plain load
 * with an exception-table entry (a fault reads 0, as the helper would), so a
 * header costs loads instead of helper calls. vmlinux.h marks every struct
 * preserve_access_index, so each load still carries a CO-RE relocation.
 * Program types without BTF pointers (cgroup sock_addr) keep the helpers
 * above.
 */

/*
 * The upid at the deepest level of pid. The verifier accepts only constant
 * offsets into a BTF object, so the usual levels (0: host, 1: a container,
 * 2: nested) are read directly from numbers[], and deeper ones by helper.
 */
static __always_inline bool vigil_btf_upid(struct pid *pid, int *nr, __u32 *inum)
{
	unsigned int level;
	struct upid upid = {};

	if (!pid)
		return false;
	level = pid->level;
	switch (level) {
	case 0:
		*nr = pid->numbers[0].nr;
		*inum = pid->numbers[0].ns->ns.inum;
		return true;
	case 1:
		*nr = pid->numbers[1].nr;
		*inum = pid->numbers[1].ns->ns.inum;
		return true;
	case 2:
		*nr = pid->numbers[2].nr;
		*inum = pid->numbers[2].ns->ns.inum;
		return true;
	}
	if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]))
		return false;
	*nr = upid.nr;
	*inum = BPF_CORE_READ(upid.ns, ns.inum);
	return true;
}

/* As vigil_task_ns, by direct loads. */
static __always_inline struct vigil_ns vigil_btf_task_ns(struct task_struct *task)
{
	struct vigil_ns ns = {};
	int nr;

	if (!vigil_btf_upid(task->thread_pid, &nr, &ns.pid))
		ns.pid = 0;
	ns.mnt = task->nsproxy->mnt_ns->ns.inum;
	return ns;
}

/*
 * vigil_btf_filtered is vigil_filtered computing the namespaces only when
 * containers_only needs them (the verifier prunes the rest when it is off);
 * *ns receives them either way, for vigil_btf_fill_container.
 */
static __always_inline bool vigil_btf_filtered(struct task_struct *task, struct vigil_ns *ns, __u32 type)
{
	if (!containers_only)
		return false;
	*ns = vigil_btf_task_ns(task);
	return vigil_filtered(ns, type);
}

/* As vigil_fill_task, by direct loads. */
static __always_inline void vigil_btf_fill_task(struct vigil_header *e, struct task_struct *task)
{
	struct task_struct *parent = task->real_parent;
	struct task_struct *leader = task->group_leader;
	const struct cred *cred = task->real_cred;
	__u32 inum;
	int nr = 0;

	e->pid = task->tgid;
	e->tid = task->pid;
	e->ppid = parent->tgid;
	vigil_btf_upid(leader->thread_pid, &nr, &inum);
	e->vpid = nr;
	e->uid = cred->uid.val;
	e->gid = cred->gid.val;
	e->euid = cred->euid.val;
	e->start_boottime = leader->start_boottime;
	e->parent_start_boottime = parent->group_leader->start_boottime;
	/*
	 * The process's name, not a thread's: threads may rename themselves.
	 * Two 8-byte loads instead of a string helper; the kernel keeps comm
	 * NUL-padded (strscpy_pad), so the bytes after the name are zeros.
	 */
	__builtin_memcpy(e->comm, leader->comm, VIGIL_COMM_LEN);
}

/* As vigil_v1_cgroup, by direct loads. */
static __always_inline struct cgroup *vigil_btf_v1_cgroup(struct css_set *cset, int id)
{
	struct cgroup *cgrp;

	/* The array's size on the running kernel, from CO-RE. */
	if (id < 0 || id >= bpf_core_field_size(cset->subsys) / sizeof(cset->subsys[0]))
		return NULL;
	cgrp = cset->subsys[id]->cgroup;
	if (!cgrp || cgrp->level <= 0)
		return NULL;
	return cgrp;
}

/*
 * As vigil_task_cgroup_name, by direct loads, into a header's cgroup_name:
 * one helper call, for the string.
 *
 * A cache of names by cgroup id (an LRU hash looked up before the string
 * read) was measured and dropped: with a 77-byte docker-<id>.scope name, a
 * hit (hash lookup plus a 128-byte copy) saved nothing measurable over the
 * kernfs read, and a cache adds a map and a staleness question.
 */
static __always_inline void vigil_btf_cgroup_name(struct task_struct *task, char *buf)
{
	struct css_set *cset = task->cgroups;
	struct cgroup *cgrp = cset->dfl_cgrp;
	const char *name;

	buf[0] = '\0';
	if (cgrp && cgrp->level > 0) {
		name = cgrp->kn->name;
		if (name)
			bpf_probe_read_kernel_str(buf, VIGIL_CGROUP_NAME_LEN, name);
		return;
	}
	/*
	 * At the root of the default hierarchy: a v1 controller's cgroup
	 * (cgroupfs on cgroup v1 or hybrid hosts), by direct loads.
	 * Controller ids depend on the kernel config: CO-RE asks the target
	 * BTF, and the relocated constant index keeps the load's offset fixed.
	 */
	cgrp = NULL;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		cgrp = vigil_btf_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	if (!cgrp && bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
		cgrp = vigil_btf_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id));
	if (!cgrp && bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		cgrp = vigil_btf_v1_cgroup(cset, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
	if (!cgrp)
		return;
	name = cgrp->kn->name;
	if (name)
		bpf_probe_read_kernel_str(buf, VIGIL_CGROUP_NAME_LEN, name);
}

/*
 * As vigil_fill_container, by direct loads. With containers_only, ns holds
 * task's namespaces (vigil_btf_filtered read them to filter); otherwise they
 * were not needed before this point and are read here.
 */
static __always_inline void vigil_btf_fill_container(struct vigil_header *e, struct task_struct *task,
						     const struct vigil_ns *ns)
{
	struct vigil_ns own;

	if (!containers_only) {
		own = vigil_btf_task_ns(task);
		ns = &own;
	}
	e->pidns = ns->pid;
	e->mntns = ns->mnt;
	e->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	vigil_btf_cgroup_name(task, e->cgroup_name);
}

/*
 * vigil_init_header sets the type and time fields. Identity comes
 * from vigil_fill_task and vigil_fill_container; each family zeroes its own
 * payload, so a record never carries bytes of an older record.
 */
static __always_inline void vigil_init_header(struct vigil_header *h, __u32 type)
{
	h->type = type;
	h->time_ns = bpf_ktime_get_boot_ns();
}

#endif /* VIGIL_TASK_H */
