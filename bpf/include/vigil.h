/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * vigil.h: the ABI shared by Vigil's BPF programs and the Go package bpf.
 *
 * Every change here must be mirrored in bpf/decode.go (rawEvent);
 * TestRawEventMatchesBTF fails when the two disagree.
 *
 * Layout rules: every member sits at its natural alignment with no implicit
 * padding and the size is a multiple of 8, so the same Go struct has the same
 * offsets on 32- and 64-bit hosts.
 */
#ifndef VIGIL_H
#define VIGIL_H

#define VIGIL_COMM_LEN 16
#define VIGIL_CGROUP_NAME_LEN 128
#define VIGIL_FILENAME_LEN 256
/* argv beyond this is cut and flagged (args_truncated). */
#define VIGIL_ARGS_LEN 1024

/* Values match EventType in bpf/event.go. */
enum vigil_event_type {
	VIGIL_EVENT_EXEC = 1,
	VIGIL_EVENT_FORK = 2,
	VIGIL_EVENT_EXIT = 3,
	/* One past the last type: the number of slots in each counter map. */
	VIGIL_EVENT_TYPE_MAX,
};

/*
 * Counter maps (BPF_MAP_TYPE_PERCPU_ARRAY, u64 values) are indexed by
 * enum vigil_event_type; slot 0 is unused. Each map counts one outcome:
 *   events_sent      record committed to the ring buffer
 *   events_filtered  dropped in the kernel by a filter (containers_only)
 *   events_lost      ring buffer full: bpf_ringbuf_reserve failed
 */
#define VIGIL_COUNTER_SLOTS VIGIL_EVENT_TYPE_MAX

struct vigil_event {
	/* Header: the task the event is about (see bpf/event.go). */
	__u32 type;          /* enum vigil_event_type */
	__u32 pid;           /* tgid */
	__u64 time_ns;       /* bpf_ktime_get_boot_ns() */
	__u32 tid;
	__u32 ppid;          /* real_parent->tgid */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 pidns;         /* inode of the task's own pid namespace */
	__u64 start_boottime;        /* group_leader->start_boottime */
	__u64 parent_start_boottime; /* real_parent->group_leader->start_boottime */
	__u64 cgroup_id;     /* default-hierarchy (v2) cgroup id */
	__u32 mntns;         /* inode of the mount namespace */
	__u32 args_len;      /* exec: valid bytes in args */
	char comm[VIGIL_COMM_LEN];
	char cgroup_name[VIGIL_CGROUP_NAME_LEN];

	/* VIGIL_EVENT_EXEC */
	char filename[VIGIL_FILENAME_LEN];
	char args[VIGIL_ARGS_LEN]; /* NUL-separated argv */

	/* VIGIL_EVENT_FORK */
	__u32 child_pid;
	__u32 _pad0;
	__u64 child_start_boottime;

	/* VIGIL_EVENT_EXIT */
	__u32 exit_code;     /* WEXITSTATUS: (status >> 8) & 0xff */
	__u32 exit_signal;   /* WTERMSIG: status & 0x7f */

	/* VIGIL_EVENT_EXEC */
	__u8 args_truncated; /* argv was longer than args, or unreadable */
	__u8 _pad1[7];
};

#endif /* VIGIL_H */
