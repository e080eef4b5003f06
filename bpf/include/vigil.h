/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * vigil.h: the ABI shared by Vigil's BPF programs and the Go package bpf.
 *
 * Every record on the ring buffer starts with struct vigil_header; the
 * header's type says which family payload follows. Each record type has its
 * own size (a fork record does not reserve the room of an exec's argv), so
 * one ring buffer and one set of counters serve every program family.
 *
 * Every change here must be mirrored in the Go package (rawHeader in
 * bpf/decode.go, the per-family raw* structs in bpf/decode_<family>.go);
 * TestRecordsMatchBTF fails when they disagree.
 *
 * Layout rules: every member sits at its natural alignment with no implicit
 * padding and every size is a multiple of 8, so the same Go struct has the
 * same offsets on 32- and 64-bit hosts.
 */
#ifndef VIGIL_H
#define VIGIL_H

#define VIGIL_COMM_LEN 16
#define VIGIL_CGROUP_NAME_LEN 128
#define VIGIL_FILENAME_LEN 256
/* argv beyond this is cut and flagged (args_truncated). */
#define VIGIL_ARGS_LEN 1024
/* Paths and other strings of syscall records; longer ones are cut. */
#define VIGIL_PATH_LEN 256
/* Strings a syscall record can carry (str[]). */
#define VIGIL_SYSCALL_STRS 2

/*
 * Values match EventType in bpf/event.go. Each family owns a range:
 *   1-9    process  (process.bpf.c)
 *   10-39  syscall  (syscall.bpf.c: file, privilege, namespace, module, ...)
 *   40-59  network  (reserved)
 *   60-63  reserved
 * Counter maps have one slot per value up to VIGIL_EVENT_TYPE_MAX.
 */
enum vigil_event_type {
	VIGIL_EVENT_EXEC = 1,
	VIGIL_EVENT_FORK = 2,
	VIGIL_EVENT_EXIT = 3,

	VIGIL_EVENT_SYSCALL_FIRST = 10,
	VIGIL_EVENT_FILE_OPEN = 10,     /* open, openat, openat2, creat */
	VIGIL_EVENT_FILE_DELETE = 11,   /* unlink, unlinkat, rmdir */
	VIGIL_EVENT_FILE_RENAME = 12,   /* rename, renameat, renameat2 */
	VIGIL_EVENT_FILE_LINK = 13,     /* link, linkat, symlink, symlinkat */
	VIGIL_EVENT_FILE_CHMOD = 14,    /* chmod, fchmod, fchmodat, fchmodat2 */
	VIGIL_EVENT_SETUID = 15,        /* set[res]{u,g}id, setre{u,g}id, setfs{u,g}id */
	VIGIL_EVENT_CAPSET = 16,        /* capset */
	VIGIL_EVENT_NAMESPACE = 17,     /* setns, unshare, clone/clone3 with CLONE_NEW* */
	VIGIL_EVENT_MODULE_LOAD = 18,   /* init_module, finit_module */
	VIGIL_EVENT_MODULE_UNLOAD = 19, /* delete_module */
	VIGIL_EVENT_BPF = 20,           /* bpf */
	VIGIL_EVENT_MEMFD_CREATE = 21,  /* memfd_create */
	VIGIL_EVENT_PTRACE = 22,        /* ptrace */
	VIGIL_EVENT_MOUNT = 23,         /* mount */
	VIGIL_EVENT_UMOUNT = 24,        /* umount2 */
	VIGIL_EVENT_SYSCALL_LAST = 39,

	VIGIL_EVENT_NETWORK_FIRST = 40,
	VIGIL_EVENT_NET_CONNECT = 40,    /* TCP connect outcome (network.bpf.c) */
	VIGIL_EVENT_NET_ACCEPT = 41,     /* TCP passive open, with the peer */
	VIGIL_EVENT_NET_LISTEN = 42,     /* TCP listen(), UDP bind() to a port */
	VIGIL_EVENT_NET_CLOSE = 43,      /* TCP close of an established socket */
	VIGIL_EVENT_NET_SOCKET_RAW = 44, /* socket(AF_PACKET, ...), SOCK_RAW of AF_INET/6 */
	VIGIL_EVENT_NET_DNS = 45,        /* DNS query or response (payload) */
	VIGIL_EVENT_NET_HTTP = 46,       /* first packet of an HTTP/1.x request */
	VIGIL_EVENT_NET_UDP_FLOW = 47,   /* UDP destination, aggregated in udp_flows; read by user space */
	VIGIL_EVENT_NETWORK_LAST = 59,

	/* The number of slots in each counter map; fixed so that families can
	 * be added without changing the counter maps' size. */
	VIGIL_EVENT_TYPE_MAX = 64,
};

/*
 * Counter maps (BPF_MAP_TYPE_PERCPU_ARRAY, u64 values) are indexed by
 * enum vigil_event_type; slot 0 is unused. Each map counts one outcome:
 *   events_sent      record committed to the ring buffer
 *   events_filtered  dropped in the kernel by a filter (containers_only,
 *                    path prefixes)
 *   events_lost      ring buffer full: reserve/output failed
 */
#define VIGIL_COUNTER_SLOTS VIGIL_EVENT_TYPE_MAX

/* The task the event is about (see bpf/event.go). 216 bytes. */
struct vigil_header {
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
	__u32 vpid;          /* tgid in the task's own pid namespace (1: a container's init) */
	char comm[VIGIL_COMM_LEN];
	char cgroup_name[VIGIL_CGROUP_NAME_LEN];
};

/* ---- process family (process.bpf.c) ---- */

/* exe_flags of struct vigil_exec_event */
#define VIGIL_EXE_MEMFD   0x1 /* the executable is a memfd (memfd_create) */
#define VIGIL_EXE_DELETED 0x2 /* the executable file has no link left (i_nlink == 0) */
#define VIGIL_EXE_STDIN_SOCKET  0x4 /* fd 0 of the exec'ing task is an IPv4/IPv6 socket */
#define VIGIL_EXE_STDOUT_SOCKET 0x8 /* fd 1 of the exec'ing task is an IPv4/IPv6 socket */
#define VIGIL_EXE_TTY     0x10 /* the exec'ing task has a controlling terminal (signal->tty) */

/* VIGIL_EVENT_EXEC */
struct vigil_exec_event {
	struct vigil_header h;
	__u32 args_len;      /* valid bytes in args */
	__u8 args_truncated; /* argv was longer than args, or unreadable */
	__u8 exe_flags;      /* VIGIL_EXE_* */
	__u8 _pad[2];
	char filename[VIGIL_FILENAME_LEN]; /* linux_binprm->filename */
	char args[VIGIL_ARGS_LEN];         /* NUL-separated argv */
};

/* VIGIL_EVENT_FORK */
struct vigil_fork_event {
	struct vigil_header h;
	__u32 child_pid;
	__u32 _pad;
	__u64 child_start_boottime;
};

/* VIGIL_EVENT_EXIT */
struct vigil_exit_event {
	struct vigil_header h;
	__u32 exit_code;     /* WEXITSTATUS: (status >> 8) & 0xff */
	__u32 exit_signal;   /* WTERMSIG: status & 0x7f */
};

/* ---- syscall family (syscall.bpf.c) ---- */

/* flags of struct vigil_syscall_event */
#define VIGIL_SYSCALL_STR0_TRUNCATED 0x1 /* str[0] filled its buffer */
#define VIGIL_SYSCALL_STR1_TRUNCATED 0x2 /* str[1] filled its buffer */
#define VIGIL_SYSCALL_STR0_UNREADABLE 0x4
#define VIGIL_SYSCALL_STR1_UNREADABLE 0x8

/*
 * VIGIL_EVENT_FILE_OPEN .. VIGIL_EVENT_UMOUNT: one syscall, captured at entry
 * (arguments, strings, task identity) and sent at exit with its result. The
 * meaning of args[] and str[] depends on the type (see bpf/decode_syscall.go).
 * The record is variable-sized: it ends after str[nstr - 1], so a record
 * without strings takes 280 bytes and one with a path 536.
 */
struct vigil_syscall_event {
	struct vigil_header h;
	__s64 ret;           /* the syscall's return value (-errno on failure) */
	__u64 args[6];       /* raw or derived arguments, per type */
	__u32 nr;            /* syscall number (x86-64) */
	__u8 nstr;           /* strings that follow: 0 .. VIGIL_SYSCALL_STRS */
	__u8 flags;          /* VIGIL_SYSCALL_* */
	__u8 _pad[2];
	char str[VIGIL_SYSCALL_STRS][VIGIL_PATH_LEN];
};

/* ---- network family (network.bpf.c) ---- */

/* Bytes of application payload (DNS message, HTTP request head) copied. */
#define VIGIL_NET_PAYLOAD_LEN 512

/* direction */
#define VIGIL_NET_EGRESS  1 /* sent by the container (network.io.direction transmit) */
#define VIGIL_NET_INGRESS 2 /* received (receive) */

/* flags */
#define VIGIL_NET_OWNER_UNKNOWN 0x1 /* the socket predates Vigil or its owner was evicted: header has only the cgroup */
#define VIGIL_NET_PAYLOAD_CUT   0x2 /* the packet held more than VIGIL_NET_PAYLOAD_LEN bytes */

/*
 * One record for every network type. Addresses are in network byte order
 * (IPv4 in the first 4 bytes), ports in host order. The record ends after
 * payload[]; types other than DNS and HTTP are sent without it
 * (VIGIL_NET_BASE_SIZE bytes).
 */
struct vigil_net_event {
	struct vigil_header h;
	__u16 family;        /* AF_INET, AF_INET6, AF_PACKET */
	__u16 protocol;      /* IPPROTO_TCP, IPPROTO_UDP; raw: protocol argument */
	__u16 local_port;
	__u16 remote_port;
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__s32 error;         /* connect: errno (111 ECONNREFUSED, ...), 0 on success */
	__u32 sock_type;     /* socket_raw: type argument (SOCK_RAW 3, SOCK_DGRAM 2, ...) */
	__u64 duration_ns;   /* close: established -> close */
	__u64 bytes_sent;    /* close: tcp_sock.bytes_acked */
	__u64 bytes_received;/* close: tcp_sock.bytes_received */
	__u64 count;         /* udp_flow: datagrams; connect: repeats sampled out before this one */
	__u8 direction;      /* VIGIL_NET_EGRESS / INGRESS (DNS, HTTP) */
	__u8 flags;          /* VIGIL_NET_* */
	__u16 payload_len;   /* valid bytes in payload */
	__u32 _pad;
	__u8 payload[VIGIL_NET_PAYLOAD_LEN];
};

#define VIGIL_NET_BASE_SIZE (sizeof(struct vigil_net_event) - VIGIL_NET_PAYLOAD_LEN)

#endif /* VIGIL_H */
