//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * syscall.bpf.c: security-relevant syscalls (file, privilege, namespace,
 * module, bpf, memfd, ptrace, mount) from one BTF tracepoint pair on
 * sys_enter/sys_exit, which needs neither kprobes nor fentry.
 *
 * Entry looks the syscall number up in syscall_types (an array filled by the
 * loader with the syscalls of the enabled probe sets). For a monitored one it
 * applies the in-kernel filters, then builds the whole record (arguments,
 * strings read from user memory, task identity) in the task's local storage
 * (`inflight`). Exit adds the return value and copies the record to the ring
 * buffer, so failed calls are reported with -errno.
 *
 * Three attachments share this code (see the bottom of the file): per-syscall
 * tracepoints (syscalls:sys_enter_X/sys_exit_X of the monitored syscalls
 * only), one BTF tracepoint pair on sys_enter/sys_exit that runs for every
 * syscall, or (auto, the default) the per-syscall tracepoints plus one BTF
 * tracepoint on sys_exit that handles only the monitored syscalls without a
 * trace event. TestSyscallHookCost measures them; the receiver README has the
 * numbers and the reasoning.
 *
 * Syscall numbers are x86-64's (-D__TARGET_ARCH_x86); the loader refuses
 * other architectures, and 32-bit (compat) syscalls are ignored.
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

/* arch/x86/entry/syscalls/syscall_64.tbl */
#define NR_open 2
#define NR_clone 56
#define NR_rename 82
#define NR_rmdir 84
#define NR_creat 85
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chmod 90
#define NR_fchmod 91
#define NR_ptrace 101
#define NR_setuid 105
#define NR_setgid 106
#define NR_setreuid 113
#define NR_setregid 114
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_setfsuid 122
#define NR_setfsgid 123
#define NR_capset 126
#define NR_mount 165
#define NR_umount2 166
#define NR_init_module 175
#define NR_delete_module 176
#define NR_openat 257
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_fchmodat 268
#define NR_unshare 272
#define NR_setns 308
#define NR_finit_module 313
#define NR_renameat2 316
#define NR_memfd_create 319
#define NR_bpf 321
#define NR_clone3 435
#define NR_openat2 437
#define NR_fchmodat2 452

/* syscall_types has one slot per x86-64 syscall number below this. */
#define VIGIL_NR_MAX 512

#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define O_ACCMODE 00000003
#define O_WRONLY 00000001
#define O_CREAT 00000100
#define O_TRUNC 00001000

#define CLONE_NEWTIME 0x00000080
#define CLONE_NEW_MASK 0x7e020000 /* NS CGROUP UTS IPC USER PID NET */

/* ptrace requests reported: take control of a process or write into it. */
#define PTRACE_TRACEME 0
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSER 6
#define PTRACE_SETREGS 13
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206

/* __USER_CS: a 64-bit syscall (compat ones enter with __USER32_CS). */
#define VIGIL_USER_CS 0x33

/* Verdict bits of path_prefixes (pathIgnore... in bpf/pathfilter.go). */
#define VIGIL_PATH_IGNORE 0x1
#define VIGIL_PATH_ONLY 0x2
#define VIGIL_PATH_READ 0x4
#define VIGIL_PATH_ALWAYS 0x8
#define VIGIL_PREFIX_LEN 64

/* Syscall number -> event type (0: not monitored). Filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_NR_MAX);
	__type(key, __u32);
	__type(value, __u8);
} syscall_types SEC(".maps");

/*
 * The record of the syscall a task is in, built at entry and sent at exit:
 * task-local storage, so neither a hash update nor a copy is needed per
 * syscall, and it is freed with the task. type != 0 marks a record in flight.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vigil_syscall_event);
} inflight SEC(".maps");

struct vigil_path_key {
	__u32 prefixlen; /* bits */
	char data[VIGIL_PREFIX_LEN];
};

/* Path-prefix filter: longest-prefix match over the configured prefixes;
 * the value holds VIGIL_PATH_* bits (see pathPrefixEntries in Go). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct vigil_path_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} path_prefixes SEC(".maps");

/* Set by the loader: path_prefixes has entries; FilePathOnly and
 * FileReadPathOnly are not empty. */
const volatile bool path_filter = false;
const volatile bool path_only = false;
const volatile bool read_path_only = false;

/*
 * auto mode (Config.SyscallHooks "auto"): the monitored syscalls that have no
 * syscalls:* trace event on this kernel (init_module, finit_module and
 * delete_module without CONFIG_MODULES), one bit per syscall number. Only
 * those are handled by vigil_sys_exit_gap; set by the
 * loader, all zero in the other modes.
 */
const volatile __u64 gap_syscalls[VIGIL_NR_MAX / 64] = {};

/* bpf() commands reported, one bit per command below 64: MAP_CREATE,
 * PROG_LOAD, PROG_ATTACH, RAW_TRACEPOINT_OPEN, BTF_LOAD, LINK_CREATE,
 * TOKEN_CREATE. Others (map lookups, ...) are counted as filtered. */
const volatile __u64 bpf_cmds = (1ULL << 0) | (1ULL << 5) | (1ULL << 8) | (1ULL << 17) |
				(1ULL << 18) | (1ULL << 28) | (1ULL << 36);

/* Reads a user string into str[i], recording truncation or failure. */
static __always_inline long vigil_read_str(struct vigil_syscall_event *e, int i, __u64 ptr)
{
	long n;

	if (i == 0) {
		n = bpf_probe_read_user_str(e->str[0], VIGIL_PATH_LEN, (const void *)ptr);
		if (n < 0) {
			e->str[0][0] = '\0';
			e->flags |= VIGIL_SYSCALL_STR0_UNREADABLE;
		} else if (n == VIGIL_PATH_LEN) {
			e->flags |= VIGIL_SYSCALL_STR0_TRUNCATED;
		}
	} else {
		n = bpf_probe_read_user_str(e->str[1], VIGIL_PATH_LEN, (const void *)ptr);
		if (n < 0) {
			e->str[1][0] = '\0';
			e->flags |= VIGIL_SYSCALL_STR1_UNREADABLE;
		} else if (n == VIGIL_PATH_LEN) {
			e->flags |= VIGIL_SYSCALL_STR1_TRUNCATED;
		}
	}
	if (e->nstr < i + 1)
		e->nstr = i + 1;
	return n;
}

/* The name (last component) of the file behind the caller's fd into str[i]. */
static __always_inline void vigil_fd_name(struct vigil_syscall_event *e, int i, int fd,
					  struct task_struct *task, __u64 *ino)
{
	/* task is a BTF pointer: direct loads (see task.h). */
	struct fdtable *fdt = task->files->fdt;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	const unsigned char *name;
	char *buf = i == 0 ? e->str[0] : e->str[1];

	if (e->nstr < i + 1)
		e->nstr = i + 1;
	buf[0] = '\0';
	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return;
	/* An array of pointers, which BTF loads cannot follow: by helper. */
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return;
	if (ino)
		*ino = BPF_CORE_READ(f, f_inode, i_ino);
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (name)
		bpf_probe_read_kernel_str(buf, VIGIL_PATH_LEN, name);
}

/* Does a path of n bytes (with its NUL) end in "/release_agent"? Writing
 * there is the cgroup v1 escape, on whatever mount point. */
static __always_inline bool vigil_release_agent(const char *path, long n)
{
	char tail[16] = {};
	long len = n - 1;

	if (len < 14 || len >= VIGIL_PATH_LEN)
		return false;
	if (bpf_probe_read_kernel(tail, 14, path + ((len - 14) & (VIGIL_PATH_LEN - 1))))
		return false;
	return tail[0] == '/' && tail[1] == 'r' && tail[2] == 'e' && tail[3] == 'l' &&
	       tail[4] == 'e' && tail[5] == 'a' && tail[6] == 's' && tail[7] == 'e' &&
	       tail[8] == '_' && tail[9] == 'a' && tail[10] == 'g' && tail[11] == 'e' &&
	       tail[12] == 'n' && tail[13] == 't';
}

/*
 * vigil_path_dropped applies the path-prefix filters to one path of n bytes
 * (bpf_probe_read_user_str's result). Relative and unreadable paths are
 * never dropped: their directory is unknown here.
 */
static __always_inline bool vigil_path_dropped(const char *path, long n, bool read_only)
{
	struct vigil_path_key key;
	__u8 *v, bits = 0;
	long len = n - 1;

	if (!path_filter || n <= 1 || path[0] != '/')
		return false;
	if (len > VIGIL_PREFIX_LEN)
		len = VIGIL_PREFIX_LEN;
	key.prefixlen = len * 8;
	__builtin_memcpy(key.data, path, VIGIL_PREFIX_LEN);
	v = bpf_map_lookup_elem(&path_prefixes, &key);
	if (v)
		bits = *v;
	if (bits & VIGIL_PATH_ALWAYS)
		return false;
	/* release_agent is never dropped; tested only for a path that would
	 * be, so a kept path does not pay for its helper call. */
	if (bits & VIGIL_PATH_IGNORE)
		return !vigil_release_agent(path, n);
	if (path_only && !(bits & VIGIL_PATH_ONLY))
		return !vigil_release_agent(path, n);
	if (read_only && read_path_only && !(bits & VIGIL_PATH_READ))
		return !vigil_release_agent(path, n);
	return false;
}

static __always_inline bool vigil_read_only(__u64 flags)
{
	return (flags & O_ACCMODE) == 0 && !(flags & (O_CREAT | O_TRUNC));
}

/*
 * vigil_cheap_skip decides from the arguments alone whether a monitored
 * syscall is an event at all: clone without CLONE_NEW* is an ordinary fork.
 * Returns 1 to skip silently, 2 to skip as filtered (counted), 0 to go on.
 */
static __always_inline int vigil_cheap_skip(__u32 nr, __u64 a0)
{
	switch (nr) {
	case NR_clone:
		return (a0 & CLONE_NEW_MASK) ? 0 : 1;
	case NR_unshare:
		return (a0 & (CLONE_NEW_MASK | CLONE_NEWTIME)) ? 0 : 1;
	case NR_bpf:
		return (a0 < 64 && ((bpf_cmds >> a0) & 1)) ? 0 : 2;
	case NR_ptrace:
		switch (a0) {
		case PTRACE_TRACEME: case PTRACE_POKETEXT: case PTRACE_POKEDATA:
		case PTRACE_POKEUSER: case PTRACE_SETREGS: case PTRACE_SETFPREGS:
		case PTRACE_ATTACH: case PTRACE_SETREGSET: case PTRACE_SEIZE:
			return 0;
		}
		return 2;
	}
	return 0;
}

/*
 * vigil_enter handles the entry of monitored syscall nr (event type type)
 * with arguments a0..a4: filters, then builds the record in the task's
 * inflight storage; sys_exit sends it.
 */
static __always_inline int vigil_enter(__u32 nr, __u32 type, __u64 a0, __u64 a1, __u64 a2,
				       __u64 a3, __u64 a4)
{
	struct task_struct *task;
	struct vigil_syscall_event *e;
	struct vigil_ns ns = {};
	long n0 = 0, n1 = 0;
	bool dropped = false, read_only = false;
	int skip;

	skip = vigil_cheap_skip(nr, a0);
	if (skip == 2)
		vigil_count(&events_filtered, type);
	if (skip)
		return 0;

	/* A BTF pointer: the header is filled by direct loads (task.h). */
	task = bpf_get_current_task_btf();
	if (vigil_btf_filtered(task, &ns, type))
		return 0;

	e = bpf_task_storage_get(&inflight, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!e)
		return 0;
	/* Not in flight until complete: h.type is set last. */
	e->h.type = 0;
	e->ret = 0;
	e->args[0] = e->args[1] = e->args[2] = e->args[3] = e->args[4] = e->args[5] = 0;
	e->nr = nr;
	e->nstr = 0;
	e->flags = 0;
	e->_pad[0] = e->_pad[1] = 0;

	switch (nr) {
	/* FILE_OPEN: args dirfd, flags, mode; str path */
	case NR_open:
	case NR_creat:
		e->args[0] = (__u64)AT_FDCWD;
		e->args[1] = nr == NR_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : a1;
		e->args[2] = nr == NR_creat ? a1 : a2;
		n0 = vigil_read_str(e, 0, a0);
		read_only = vigil_read_only(e->args[1]);
		dropped = vigil_path_dropped(e->str[0], n0, read_only);
		break;
	case NR_openat:
		e->args[0] = a0;
		e->args[1] = a2;
		e->args[2] = a3;
		n0 = vigil_read_str(e, 0, a1);
		read_only = vigil_read_only(a2);
		dropped = vigil_path_dropped(e->str[0], n0, read_only);
		break;
	case NR_openat2: {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (const void *)a2);
		e->args[0] = a0;
		e->args[1] = how.flags;
		e->args[2] = how.mode;
		n0 = vigil_read_str(e, 0, a1);
		read_only = vigil_read_only(how.flags);
		dropped = vigil_path_dropped(e->str[0], n0, read_only);
		break;
	}
	/* FILE_DELETE: dirfd, flags; str path */
	case NR_unlink:
	case NR_rmdir:
		e->args[0] = (__u64)AT_FDCWD;
		e->args[1] = nr == NR_rmdir ? AT_REMOVEDIR : 0;
		n0 = vigil_read_str(e, 0, a0);
		dropped = vigil_path_dropped(e->str[0], n0, false);
		break;
	case NR_unlinkat:
		e->args[0] = a0;
		e->args[1] = a2;
		n0 = vigil_read_str(e, 0, a1);
		dropped = vigil_path_dropped(e->str[0], n0, false);
		break;
	/* FILE_RENAME: olddirfd, newdirfd, flags; str old, new */
	case NR_rename:
		e->args[0] = e->args[1] = (__u64)AT_FDCWD;
		n0 = vigil_read_str(e, 0, a0);
		n1 = vigil_read_str(e, 1, a1);
		dropped = vigil_path_dropped(e->str[0], n0, false) && vigil_path_dropped(e->str[1], n1, false);
		break;
	case NR_renameat:
	case NR_renameat2:
		e->args[0] = a0;
		e->args[1] = a2;
		e->args[2] = nr == NR_renameat2 ? a4 : 0;
		n0 = vigil_read_str(e, 0, a1);
		n1 = vigil_read_str(e, 1, a3);
		dropped = vigil_path_dropped(e->str[0], n0, false) && vigil_path_dropped(e->str[1], n1, false);
		break;
	/* FILE_LINK: olddirfd, newdirfd, flags, symlink; str target, new link */
	case NR_link:
	case NR_symlink:
		e->args[0] = e->args[1] = (__u64)AT_FDCWD;
		e->args[3] = nr == NR_symlink;
		n0 = vigil_read_str(e, 0, a0);
		n1 = vigil_read_str(e, 1, a1);
		dropped = vigil_path_dropped(e->str[0], n0, false) && vigil_path_dropped(e->str[1], n1, false);
		break;
	case NR_linkat:
		e->args[0] = a0;
		e->args[1] = a2;
		e->args[2] = a4;
		n0 = vigil_read_str(e, 0, a1);
		n1 = vigil_read_str(e, 1, a3);
		dropped = vigil_path_dropped(e->str[0], n0, false) && vigil_path_dropped(e->str[1], n1, false);
		break;
	case NR_symlinkat:
		e->args[0] = (__u64)AT_FDCWD;
		e->args[1] = a1;
		e->args[3] = 1;
		n0 = vigil_read_str(e, 0, a0);
		n1 = vigil_read_str(e, 1, a2);
		dropped = vigil_path_dropped(e->str[0], n0, false) && vigil_path_dropped(e->str[1], n1, false);
		break;
	/* FILE_CHMOD: dirfd or fd, mode, flags, fd-based; str path (fchmod: file name) */
	case NR_chmod:
		e->args[0] = (__u64)AT_FDCWD;
		e->args[1] = a1;
		n0 = vigil_read_str(e, 0, a0);
		dropped = vigil_path_dropped(e->str[0], n0, false);
		break;
	case NR_fchmod:
		e->args[0] = a0;
		e->args[1] = a1;
		e->args[3] = 1;
		vigil_fd_name(e, 0, (int)a0, task, NULL);
		break;
	case NR_fchmodat:
	case NR_fchmodat2:
		e->args[0] = a0;
		e->args[1] = a2;
		e->args[2] = nr == NR_fchmodat2 ? a3 : 0;
		n0 = vigil_read_str(e, 0, a1);
		dropped = vigil_path_dropped(e->str[0], n0, false);
		break;
	/* SETUID: real, effective, saved, fs (-1: unchanged), kind */
	case NR_setuid:
	case NR_setgid:
		e->args[0] = e->args[2] = e->args[3] = (__u32)-1;
		e->args[1] = (__u32)a0;
		e->args[4] = nr == NR_setgid;
		break;
	case NR_setreuid:
	case NR_setregid:
		e->args[0] = (__u32)a0;
		e->args[1] = (__u32)a1;
		e->args[2] = e->args[3] = (__u32)-1;
		e->args[4] = nr == NR_setregid;
		break;
	case NR_setresuid:
	case NR_setresgid:
		e->args[0] = (__u32)a0;
		e->args[1] = (__u32)a1;
		e->args[2] = (__u32)a2;
		e->args[3] = (__u32)-1;
		e->args[4] = nr == NR_setresgid;
		break;
	case NR_setfsuid:
	case NR_setfsgid:
		e->args[0] = e->args[1] = e->args[2] = (__u32)-1;
		e->args[3] = (__u32)a0;
		e->args[4] = nr == NR_setfsgid;
		break;
	/* CAPSET: pid, effective, permitted, inheritable, version */
	case NR_capset: {
		struct __user_cap_header_struct hdr = {};
		struct __user_cap_data_struct data[2] = {};

		bpf_probe_read_user(&hdr, sizeof(hdr), (const void *)a0);
		bpf_probe_read_user(data, sizeof(data), (const void *)a1);
		e->args[0] = (__u32)hdr.pid;
		e->args[1] = data[0].effective | ((__u64)data[1].effective << 32);
		e->args[2] = data[0].permitted | ((__u64)data[1].permitted << 32);
		e->args[3] = data[0].inheritable | ((__u64)data[1].inheritable << 32);
		e->args[4] = hdr.version;
		break;
	}
	/* NAMESPACE: fd (setns), flags or nstype, namespace inode (setns) */
	case NR_setns:
		e->args[0] = a0;
		e->args[1] = a1;
		vigil_fd_name(e, 0, (int)a0, task, &e->args[2]);
		break;
	case NR_unshare:
	case NR_clone:
		e->args[0] = (__u64)-1;
		e->args[1] = a0;
		break;
	case NR_clone3: {
		__u64 flags = 0;

		bpf_probe_read_user(&flags, sizeof(flags), (const void *)a0);
		if (!(flags & (CLONE_NEW_MASK | CLONE_NEWTIME)))
			return 0;
		e->args[0] = (__u64)-1;
		e->args[1] = flags;
		break;
	}
	/* MODULE_LOAD: fd or length, flags, -, fd-based; str params, file name */
	case NR_init_module:
		e->args[0] = a1;
		vigil_read_str(e, 0, a2);
		break;
	case NR_finit_module:
		e->args[0] = a0;
		e->args[1] = a2;
		e->args[3] = 1;
		vigil_read_str(e, 0, a1);
		vigil_fd_name(e, 1, (int)a0, task, NULL);
		break;
	/* MODULE_UNLOAD: -, flags; str name */
	case NR_delete_module:
		e->args[1] = a1;
		vigil_read_str(e, 0, a0);
		break;
	/* BPF: cmd, prog/map type, insn count/max entries, is-map, name (args[4..5]) */
	case NR_bpf:
		e->args[0] = a0;
		if (a0 == 5 /* BPF_PROG_LOAD */) {
			__u32 head[2] = {};

			bpf_probe_read_user(head, sizeof(head), (const void *)a1);
			e->args[1] = head[0];
			e->args[2] = head[1];
			bpf_probe_read_user(&e->args[4], 16,
					    (const void *)(a1 + __builtin_offsetof(union bpf_attr, prog_name)));
		} else if (a0 == 0 /* BPF_MAP_CREATE */) {
			__u32 head[4] = {};

			bpf_probe_read_user(head, sizeof(head), (const void *)a1);
			e->args[1] = head[0];
			e->args[2] = head[3];
			e->args[3] = 1;
			bpf_probe_read_user(&e->args[4], 16,
					    (const void *)(a1 + __builtin_offsetof(union bpf_attr, map_name)));
		}
		break;
	/* MEMFD_CREATE: -, flags; str name */
	case NR_memfd_create:
		e->args[1] = a1;
		vigil_read_str(e, 0, a0);
		break;
	/* PTRACE: request, pid, addr, data */
	case NR_ptrace:
		e->args[0] = a0;
		e->args[1] = a1;
		e->args[2] = a2;
		e->args[3] = a3;
		break;
	/* MOUNT: -, flags, fstype (args[2..5]); str source, target */
	case NR_mount:
		e->args[1] = a3;
		vigil_read_str(e, 0, a0);
		vigil_read_str(e, 1, a1);
		bpf_probe_read_user_str(&e->args[2], 32, (const void *)a2);
		break;
	/* UMOUNT: -, flags; str target */
	case NR_umount2:
		e->args[1] = a1;
		vigil_read_str(e, 0, a0);
		break;
	default:
		return 0;
	}

	if (dropped) {
		vigil_count(&events_filtered, type);
		return 0;
	}
	/* The identity is read only for records that are sent. */
	vigil_btf_fill_task(&e->h, task);
	vigil_btf_fill_container(&e->h, task, &ns);
	vigil_init_header(&e->h, type);
	return 0;
}

/* vigil_exit sends the current task's record in flight with the result. */
static __always_inline int vigil_exit(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vigil_syscall_event *e;
	__u32 n, type;

	e = bpf_task_storage_get(&inflight, task, NULL, 0);
	if (!e || !e->h.type)
		return 0;
	type = e->h.type;
	e->ret = ret;
	n = e->nstr;
	if (n > VIGIL_SYSCALL_STRS)
		n = VIGIL_SYSCALL_STRS;
	vigil_output(e, type, __builtin_offsetof(struct vigil_syscall_event, str) + n * VIGIL_PATH_LEN);
	e->h.type = 0;
	return 0;
}

/*
 * Three ways to reach vigil_enter/vigil_exit; the loader attaches one
 * (Config.SyscallHooks):
 *
 * tracepoint: the same program attached to syscalls:sys_enter_X (and one to
 * sys_exit_X) for each monitored syscall X only; other syscalls run no BPF.
 * The tracepoint passes the syscall number and arguments; compat (32-bit)
 * syscalls do not fire these events.
 */
SEC("tracepoint")
int vigil_sys_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	__u32 nr = ctx->id;
	__u64 a[5] = {};
	__u8 *typ;

	typ = bpf_map_lookup_elem(&syscall_types, &nr);
	if (!typ || !*typ)
		return 0;
	/*
	 * A syscall's event record holds only its own arguments, and the
	 * kernel refuses to attach a program whose direct context reads reach
	 * past the smallest record (EACCES): read them with a helper. Words
	 * past the syscall's arguments are never used.
	 */
	bpf_probe_read_kernel(a, sizeof(a), ctx->args);
	return vigil_enter(nr, *typ, a[0], a[1], a[2], a[3], a[4]);
}

SEC("tracepoint")
int vigil_sys_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return vigil_exit(ctx->ret);
}

/*
 * raw: BTF tracepoints on sys_enter/sys_exit, run for every syscall; the
 * syscall set decides in the kernel. Registers are x86-64's.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(vigil_sys_enter, struct pt_regs *regs, long id)
{
	__u32 nr = id;
	__u8 *typ;

	if (id < 0 || id >= VIGIL_NR_MAX)
		return 0;
	typ = bpf_map_lookup_elem(&syscall_types, &nr);
	if (!typ || !*typ)
		return 0;
	if (regs->cs != VIGIL_USER_CS)
		return 0;
	return vigil_enter(nr, *typ, regs->di, regs->si, regs->dx, regs->r10, regs->r8);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vigil_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 nr = regs->orig_ax;
	__u8 *typ;

	if (nr >= VIGIL_NR_MAX)
		return 0;
	typ = bpf_map_lookup_elem(&syscall_types, &nr);
	if (!typ || !*typ)
		return 0;
	return vigil_exit(ret);
}

/*
 * auto: the per-syscall tracepoints above for every monitored syscall that
 * has a trace event, plus this one BTF tracepoint on sys_exit for the few
 * that have none (gap_syscalls). It runs for every syscall, so the first
 * thing it does is a bit test in read-only data (no map lookup, no helper
 * call) that returns at once for any other syscall. There is no sys_enter
 * program: at sys_exit the saved registers still hold the arguments (x86-64
 * syscalls read them from pt_regs and only ax changes), so the record is
 * built and sent here, with the result, and every other syscall pays for
 * one program run instead of two. Strings are read after the call rather
 * than before it.
 */
static __always_inline bool vigil_gap(__u64 nr)
{
	if (nr >= VIGIL_NR_MAX)
		return false;
	return (gap_syscalls[(nr >> 6) & (VIGIL_NR_MAX / 64 - 1)] >> (nr & 63)) & 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vigil_sys_exit_gap, struct pt_regs *regs, long ret)
{
	__u64 id = regs->orig_ax;
	__u32 nr = id;
	__u8 *typ;

	if (!vigil_gap(id))
		return 0;
	typ = bpf_map_lookup_elem(&syscall_types, &nr);
	if (!typ || !*typ)
		return 0;
	if (regs->cs != VIGIL_USER_CS)
		return 0;
	vigil_enter(nr, *typ, regs->di, regs->si, regs->dx, regs->r10, regs->r8);
	return vigil_exit(ret);
}
