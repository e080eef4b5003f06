//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * network.bpf.c: connections, listening ports, raw sockets, DNS and HTTP per
 * container, without kprobes.
 *
 *   tp_btf/inet_sock_set_state   TCP life cycle: connect outcome (also of
 *                                non-blocking connects), accept, listen,
 *                                close with duration and bytes
 *   cgroup/{connect,sendmsg}{4,6} UDP destinations, aggregated in udp_flows
 *   cgroup/bind{4,6}             UDP ports bound
 *   cgroup_skb/{egress,ingress}  DNS messages (UDP 53) and the first packet
 *                                of HTTP/1.x requests, copied for user space
 *   syscalls:sys_{enter,exit}_socket  raw and packet sockets
 *
 * Attribution: state changes after the first run in softirq context, where
 * current is whoever the CPU interrupted. The task is therefore captured
 * where it is certain (connect(), listen(), sendmsg(): process context) and
 * kept with the socket: tcp_owner by socket address, udp_owner by socket
 * cookie; an accepted socket inherits its listener's owner. Packets are
 * matched to those owners by their 5-tuple (flow_ref).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "vigil.h"
#include "config.h"
#include "maps.h"
#include "task.h"
#include "network.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Not in BTF (macros). */
#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define SOCK_RAW 3
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_SYN_RECV_ 3
#define TCP_CLOSE_ 7
#define TCP_LISTEN_ 10
#define ECONNABORTED_ 103
#define SEND_SHUTDOWN_ 2


/*
 * Volume controls, set by the loader. Rate: per container (cgroup id) token
 * bucket, one token per record; rate_cost_ns = 1e9 / records per second,
 * rate_burst_ns = burst * rate_cost_ns; 0 disables. Sampling: within each
 * flow_window_ns, the first flow_burst connects to one destination
 * (container, address, port) are sent, then one in flow_sample_every.
 */
const volatile __u64 rate_cost_ns = 0;
const volatile __u64 rate_burst_ns = 0;
const volatile __u64 flow_window_ns = 1000000000ULL;
const volatile __u32 flow_burst = 0;
const volatile __u32 flow_sample_every = 1;
/* Probe sets: copy DNS messages / HTTP request heads in cgroup_skb. */
const volatile bool capture_dns = true;
const volatile bool capture_http = true;

struct net_owner {
	struct vigil_header h;  /* task identity; type and time unset */
	__u64 established_ns;   /* TCP: when it reached ESTABLISHED */
	__u32 flags;            /* OWNER_* */
	__u16 local_port;       /* TCP: the kernel clears skc_num before close */
	__u16 _pad;
};
#define OWNER_SUPPRESSED 0x1 /* its connect was sampled out or rate limited: no close either */
#define OWNER_REPORTED   0x2 /* a connect/accept record was sent */
#define OWNER_ACTIVE     0x4 /* connect(): its SYN is in bytes_acked */

struct flow_key {
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u16 local_port;
	__u16 remote_port;
	__u16 family;
	__u16 protocol;
};

struct flow_ref {
	__u64 key;    /* tcp_owner key (socket address) or udp_owner key (cookie) */
	__u32 proto;  /* which map */
	__u32 _pad;
};

struct net_bucket {
	__u64 credit_ns;
	__u64 last_ns;
};

struct sample_key {
	__u64 cgroup_id;
	__u8 addr[16];
	__u16 port;
	__u16 family;
	__u32 protocol;
};

struct sample_state {
	__u64 window_start;
	__u64 seen;     /* connects in this window */
	__u64 skipped;  /* sampled out since the last one sent */
};

struct socket_args {
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);             /* struct sock * */
	__type(value, struct net_owner);
} tcp_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);             /* netns inode << 16 | port */
	__type(value, struct net_owner);
} tcp_listener SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* socket cookie */
	__type(value, struct net_owner);
} udp_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flow_key);
	__type(value, struct flow_ref);
} flow_ref SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* cgroup id */
	__type(value, struct net_bucket);
} rate_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct sample_key);
	__type(value, struct sample_state);
} flow_samples SEC(".maps");

/* Not LRU: a full map is counted (VIGIL_NET_DROP_UDP_FLOWS_FULL), and user
 * space drains it at every collection. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct vigil_udp_flow_key);
	__type(value, struct vigil_udp_flow);
} udp_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);             /* pid_tgid */
	__type(value, struct socket_args);
} socket_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_NET_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} net_drops SEC(".maps");

/* Scratch space: owners and flows are too big for the 512-byte stack. */
struct scratch {
	struct net_owner owner;
	struct vigil_udp_flow flow;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} net_scratch SEC(".maps");

static __always_inline void net_drop(__u32 reason)
{
	vigil_count(&net_drops, reason);
}

static __always_inline struct scratch *scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&net_scratch, &zero);
}

/*
 * owner_current_btf is owner_current for program types with BTF pointers
 * (tp_btf): the header is filled by direct loads, not helper calls (task.h).
 */
static __always_inline void owner_current_btf(struct net_owner *o)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vigil_ns ns = {};

	if (containers_only)
		ns = vigil_btf_task_ns(task);
	vigil_btf_fill_task(&o->h, task);
	vigil_btf_fill_container(&o->h, task, &ns);
	o->h.type = 0;
	o->h.time_ns = 0;
	o->established_ns = 0;
	o->flags = 0;
	o->local_port = 0;
	o->_pad = 0;
}

/*
 * owner_current fills o with the current task, in process context only.
 * For cgroup sock_addr and syscall tracepoint programs, which get no BTF task
 * pointer on every supported kernel: CO-RE reads by helper.
 */
static __always_inline void owner_current(struct net_owner *o)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_ns ns = vigil_task_ns(task);

	vigil_fill_task(&o->h, task);
	vigil_fill_container(&o->h, task, &ns);
	o->h.type = 0;
	o->h.time_ns = 0;
	o->established_ns = 0;
	o->flags = 0;
	o->local_port = 0;
	o->_pad = 0;
}

/* containers_only, from the owner's namespaces (not current's). */
static __always_inline bool net_filtered(const struct vigil_header *h, __u32 type)
{
	if (!containers_only)
		return false;
	if (h->pidns != host_pidns || h->mntns != host_mntns)
		return false;
	vigil_count(&events_filtered, type);
	return true;
}

/* Token bucket per cgroup. Updates race between CPUs; a lost update
 * costs at most one token per CPU, which is fine for a volume control. */
static __always_inline bool rate_limited(__u64 cgroup_id, __u32 type)
{
	struct net_bucket *b, nb;
	__u64 now, credit;

	if (!rate_cost_ns)
		return false;
	now = bpf_ktime_get_boot_ns();
	b = bpf_map_lookup_elem(&rate_buckets, &cgroup_id);
	if (!b) {
		nb.credit_ns = rate_burst_ns - rate_cost_ns;
		nb.last_ns = now;
		bpf_map_update_elem(&rate_buckets, &cgroup_id, &nb, BPF_ANY);
		return false;
	}
	credit = b->credit_ns + (now - b->last_ns);
	if (credit > rate_burst_ns)
		credit = rate_burst_ns;
	b->last_ns = now;
	if (credit < rate_cost_ns) {
		b->credit_ns = credit;
		vigil_count(&events_filtered, type);
		net_drop(VIGIL_NET_DROP_RATE_LIMITED);
		return true;
	}
	b->credit_ns = credit - rate_cost_ns;
	return false;
}

/*
 * sampled_out decides whether a connect or accept to (addr, port) from a
 * container is reported; *skipped receives how many were sampled out since
 * the last one reported.
 */
static __always_inline bool sampled_out(__u64 cgroup_id, __u16 family, __u16 protocol,
					const __u8 *addr, __u16 port, __u32 type, __u64 *skipped)
{
	struct sample_key k = {};
	struct sample_state *s, ns = {};
	__u64 now;

	*skipped = 0;
	if (!flow_burst)
		return false;
	k.cgroup_id = cgroup_id;
	__builtin_memcpy(k.addr, addr, 16);
	k.port = port;
	k.family = family;
	k.protocol = protocol;
	now = bpf_ktime_get_boot_ns();
	s = bpf_map_lookup_elem(&flow_samples, &k);
	if (!s) {
		ns.window_start = now;
		ns.seen = 1;
		bpf_map_update_elem(&flow_samples, &k, &ns, BPF_ANY);
		return false;
	}
	if (now - s->window_start > flow_window_ns) {
		s->window_start = now;
		s->seen = 0;
	}
	s->seen++;
	if (s->seen <= flow_burst || (flow_sample_every && s->seen % flow_sample_every == 0)) {
		*skipped = s->skipped;
		s->skipped = 0;
		return false;
	}
	s->skipped++;
	vigil_count(&events_filtered, type);
	net_drop(VIGIL_NET_DROP_SAMPLED);
	return true;
}

/*
 * sk is always inet_sock_set_state's BTF pointer: the socket helpers below
 * read it by direct loads, not helper calls (see task.h). Fields of
 * struct tcp_sock lie beyond struct sock, where the verifier refuses direct
 * loads, so those stay CO-RE helper reads.
 */
static __always_inline void read_sk_addrs(const struct sock *sk, struct vigil_net_event *e)
{
	__u16 family = sk->__sk_common.skc_family;

	e->family = family;
	e->local_port = sk->__sk_common.skc_num;
	e->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (family == AF_INET6) {
		__builtin_memcpy(e->local_addr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(e->remote_addr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		*(__u32 *)e->local_addr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)e->remote_addr = sk->__sk_common.skc_daddr;
	}
}

static __always_inline void sk_flow_key(const struct sock *sk, struct flow_key *k)
{
	__u16 family = sk->__sk_common.skc_family;

	k->family = family;
	k->protocol = IPPROTO_TCP_;
	k->local_port = sk->__sk_common.skc_num;
	k->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (family == AF_INET6) {
		__builtin_memcpy(k->local_addr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(k->remote_addr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		*(__u32 *)k->local_addr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)k->remote_addr = sk->__sk_common.skc_daddr;
	}
}

/* Header from an owner, or, without one, the socket's own cgroup. */
static __always_inline void net_header(struct vigil_net_event *e, __u32 type, const struct net_owner *o,
				       const struct sock *sk)
{
	if (o) {
		e->h = o->h;
		e->flags = 0;
	} else {
		__builtin_memset(&e->h, 0, sizeof(e->h));
		e->flags = VIGIL_NET_OWNER_UNKNOWN;
		if (sk) {
			/* Helper reads: the rare owner-unknown path (see emit_tcp). */
			struct cgroup *cgrp = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
			const char *name;

			e->h.cgroup_id = BPF_CORE_READ(cgrp, kn, id);
			if (cgrp && BPF_CORE_READ(cgrp, level) > 0) {
				name = BPF_CORE_READ(cgrp, kn, name);
				if (name)
					bpf_probe_read_kernel_str(e->h.cgroup_name, sizeof(e->h.cgroup_name), name);
			}
		}
		net_drop(VIGIL_NET_DROP_NO_OWNER);
	}
	e->h.type = type;
	e->h.time_ns = bpf_ktime_get_boot_ns();
}

static __always_inline void net_zero(struct vigil_net_event *e)
{
	e->family = 0;
	e->protocol = 0;
	e->local_port = 0;
	e->remote_port = 0;
	__builtin_memset(e->local_addr, 0, 16);
	__builtin_memset(e->remote_addr, 0, 16);
	e->error = 0;
	e->sock_type = 0;
	e->duration_ns = 0;
	e->bytes_sent = 0;
	e->bytes_received = 0;
	e->count = 0;
	e->direction = 0;
	e->payload_len = 0;
	e->_pad = 0;
}

/* Sends a TCP record about sk; false when it was filtered or lost. */
static __always_inline bool emit_tcp(__u32 type, const struct sock *sk, const struct net_owner *o,
				     __s32 error, __u64 skipped)
{
	struct vigil_net_event *e;
	__u64 cgroup_id;

	if (o && net_filtered(&o->h, type))
		return false;
	/* A helper read, not a load: clang would merge the two loads into one
	 * instruction on a map value or a BTF pointer, which the verifier
	 * refuses. Sockets without an owner are the rare case. */
	cgroup_id = o ? o->h.cgroup_id : BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	if (rate_limited(cgroup_id, type))
		return false;
	e = vigil_reserve(type, VIGIL_NET_BASE_SIZE);
	if (!e)
		return false;
	net_header(e, type, o, sk);
	net_zero(e);
	read_sk_addrs(sk, e);
	e->protocol = IPPROTO_TCP_;
	e->error = error;
	e->count = skipped;
	if (type == VIGIL_EVENT_NET_CLOSE) {
		struct tcp_sock *tp = (struct tcp_sock *)sk;

		__u64 sent = BPF_CORE_READ(tp, bytes_acked);
		__u64 rcvd = BPF_CORE_READ(tp, bytes_received);
		__u8 shutdown = sk->sk_shutdown;
		unsigned long skflags = sk->__sk_common.skc_flags;

		if (o) {
			if (o->established_ns)
				e->duration_ns = e->h.time_ns - o->established_ns;
			if (!e->local_port)
				e->local_port = o->local_port;
		}
		/* Payload bytes only: bytes_acked counts the active opener's SYN
		 * and an acknowledged FIN, bytes_received a received FIN. */
		if (o && (o->flags & OWNER_ACTIVE) && sent)
			sent--;
		if ((shutdown & SEND_SHUTDOWN_) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq) && sent)
			sent--;
		if ((skflags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))) && rcvd)
			rcvd--;
		e->bytes_sent = sent;
		e->bytes_received = rcvd;
	}
	vigil_submit(e, type, VIGIL_NET_BASE_SIZE);
	return true;
}

static __always_inline __u64 listener_key(const struct sock *sk)
{
	__u64 netns = sk->__sk_common.skc_net.net->ns.inum;
	return netns << 16 | sk->__sk_common.skc_num;
}

static __always_inline void track_flow(const struct sock *sk, __u64 key)
{
	struct flow_key fk = {};
	struct flow_ref ref = { .key = key, .proto = IPPROTO_TCP_ };

	sk_flow_key(sk, &fk);
	bpf_map_update_elem(&flow_ref, &fk, &ref, BPF_ANY);
}

static __always_inline void untrack_flow(const struct sock *sk, const struct net_owner *o)
{
	struct flow_key fk = {};

	sk_flow_key(sk, &fk);
	if (!fk.local_port && o)
		fk.local_port = o->local_port;
	bpf_map_delete_elem(&flow_ref, &fk);
}

/* sampled_out for the destination of TCP socket sk. */
static __always_inline bool sk_sampled_out(const struct net_owner *o, const struct sock *sk, __u64 *skipped)
{
	struct flow_key fk = {};

	sk_flow_key(sk, &fk);
	return sampled_out(o->h.cgroup_id, fk.family, IPPROTO_TCP_, fk.remote_addr, fk.remote_port,
			   VIGIL_EVENT_NET_CONNECT, skipped);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(vigil_sock_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 key = (__u64)sk;
	struct net_owner *o;
	struct scratch *s;
	__u64 skipped = 0;

	/* Half of the transitions (FIN_WAIT*, CLOSE_WAIT, LAST_ACK, ...) are
	 * of no interest: leave before touching the socket. */
	if (newstate != TCP_SYN_SENT_ && newstate != TCP_LISTEN_ && newstate != TCP_ESTABLISHED_ &&
	    newstate != TCP_CLOSE_)
		return 0;
	/* A BTF pointer: a direct load, no probe-read helper call. */
	if (sk->sk_protocol != IPPROTO_TCP_)
		return 0;

	switch (newstate) {
	case TCP_SYN_SENT_:
		/* connect(): process context, current is the caller. */
		s = scratch();
		if (!s)
			return 0;
		owner_current_btf(&s->owner);
		bpf_map_update_elem(&tcp_owner, &key, &s->owner, BPF_ANY);
		return 0;

	case TCP_LISTEN_: {
		__u64 lkey = listener_key(sk);

		s = scratch();
		if (!s)
			return 0;
		owner_current_btf(&s->owner);
		bpf_map_update_elem(&tcp_listener, &lkey, &s->owner, BPF_ANY);
		emit_tcp(VIGIL_EVENT_NET_LISTEN, sk, &s->owner, 0, 0);
		return 0;
	}

	case TCP_ESTABLISHED_:
		if (oldstate == TCP_SYN_SENT_) {
			o = bpf_map_lookup_elem(&tcp_owner, &key);
			if (!o) {
				emit_tcp(VIGIL_EVENT_NET_CONNECT, sk, NULL, 0, 0);
				return 0;
			}
			o->established_ns = bpf_ktime_get_boot_ns();
			o->flags |= OWNER_ACTIVE;
			o->local_port = sk->__sk_common.skc_num;
			track_flow(sk, key);
			if (sk_sampled_out(o, sk, &skipped)) {
				o->flags |= OWNER_SUPPRESSED;
				return 0;
			}
			if (emit_tcp(VIGIL_EVENT_NET_CONNECT, sk, o, 0, skipped))
				o->flags |= OWNER_REPORTED;
			else
				o->flags |= OWNER_SUPPRESSED;
			return 0;
		}
		if (oldstate == TCP_SYN_RECV_) {
			/* Passive open, in softirq: the owner is the listener's. */
			__u64 lkey = listener_key(sk);
			struct net_owner *l = bpf_map_lookup_elem(&tcp_listener, &lkey);

			s = scratch();
			if (!s)
				return 0;
			if (!l) {
				emit_tcp(VIGIL_EVENT_NET_ACCEPT, sk, NULL, 0, 0);
				return 0;
			}
			s->owner = *l;
			s->owner.established_ns = bpf_ktime_get_boot_ns();
			s->owner.flags = 0;
			s->owner.local_port = sk->__sk_common.skc_num;
			if (emit_tcp(VIGIL_EVENT_NET_ACCEPT, sk, &s->owner, 0, 0))
				s->owner.flags |= OWNER_REPORTED;
			else
				s->owner.flags |= OWNER_SUPPRESSED;
			bpf_map_update_elem(&tcp_owner, &key, &s->owner, BPF_ANY);
			track_flow(sk, key);
		}
		return 0;

	case TCP_CLOSE_:
		if (oldstate == TCP_LISTEN_) {
			__u64 lkey = listener_key(sk);

			bpf_map_delete_elem(&tcp_listener, &lkey);
			return 0;
		}
		o = bpf_map_lookup_elem(&tcp_owner, &key);
		if (oldstate == TCP_SYN_SENT_) {
			/* A connect that failed: reset (refused), timeout, or closed
			 * by its owner before it completed. */
			__s32 err = sk->sk_err;

			if (!err)
				err = sk->sk_err_soft;
			if (!err)
				err = ECONNABORTED_;
			if (o) {
				if (!sk_sampled_out(o, sk, &skipped))
					emit_tcp(VIGIL_EVENT_NET_CONNECT, sk, o, err, skipped);
				bpf_map_delete_elem(&tcp_owner, &key);
			} else {
				emit_tcp(VIGIL_EVENT_NET_CONNECT, sk, NULL, err, 0);
			}
			return 0;
		}
		if (oldstate == TCP_SYN_RECV_ && !o)
			return 0; /* a half-open child dropped before accept */
		if (o && (o->flags & OWNER_SUPPRESSED)) {
			vigil_count(&events_filtered, VIGIL_EVENT_NET_CLOSE);
			net_drop(VIGIL_NET_DROP_CLOSE_SAMPLED);
		} else {
			emit_tcp(VIGIL_EVENT_NET_CLOSE, sk, o, 0, 0);
		}
		untrack_flow(sk, o);
		if (o)
			bpf_map_delete_elem(&tcp_owner, &key);
		return 0;
	}
	return 0;
}

/* ---- UDP: destinations aggregated, DNS sockets' owners ---- */

/* udp_seen aggregates one datagram (or connect()) to addr:port by the
 * current task into udp_flows, and remembers the owner of DNS sockets. */
static __always_inline void udp_seen(struct bpf_sock_addr *ctx, __u16 family)
{
	struct vigil_udp_flow_key k = {};
	struct vigil_udp_flow *f;
	struct scratch *s;
	__u64 cookie;
	long err;

	if (ctx->protocol != IPPROTO_UDP_)
		return;
	k.cgroup_id = bpf_get_current_cgroup_id();
	k.pid = bpf_get_current_pid_tgid() >> 32;
	k.family = family;
	k.remote_port = bpf_ntohs(ctx->user_port);
	if (family == AF_INET6) {
		__u32 *a = (__u32 *)k.remote_addr;
		a[0] = ctx->user_ip6[0];
		a[1] = ctx->user_ip6[1];
		a[2] = ctx->user_ip6[2];
		a[3] = ctx->user_ip6[3];
	} else {
		*(__u32 *)k.remote_addr = ctx->user_ip4;
	}

	if (k.remote_port == 53 && capture_dns) {
		cookie = bpf_get_socket_cookie(ctx);
		if (!bpf_map_lookup_elem(&udp_owner, &cookie)) {
			s = scratch();
			if (s) {
				owner_current(&s->owner);
				bpf_map_update_elem(&udp_owner, &cookie, &s->owner, BPF_ANY);
			}
		}
	}

	f = bpf_map_lookup_elem(&udp_flows, &k);
	if (f) {
		__sync_fetch_and_add(&f->count, 1);
		f->last_ns = bpf_ktime_get_boot_ns();
		return;
	}
	s = scratch();
	if (!s)
		return;
	owner_current(&s->owner);
	if (net_filtered(&s->owner.h, VIGIL_EVENT_NET_UDP_FLOW))
		return;
	s->flow.h = s->owner.h;
	s->flow.h.type = VIGIL_EVENT_NET_UDP_FLOW;
	s->flow.h.time_ns = bpf_ktime_get_boot_ns();
	s->flow.count = 1;
	s->flow.last_ns = s->flow.h.time_ns;
	err = bpf_map_update_elem(&udp_flows, &k, &s->flow, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU inserted it */) {
		f = bpf_map_lookup_elem(&udp_flows, &k);
		if (f)
			__sync_fetch_and_add(&f->count, 1);
	} else if (err) {
		vigil_count(&events_lost, VIGIL_EVENT_NET_UDP_FLOW);
		net_drop(VIGIL_NET_DROP_UDP_FLOWS_FULL);
	}
}

SEC("cgroup/connect4")
int vigil_connect4(struct bpf_sock_addr *ctx)
{
	udp_seen(ctx, AF_INET);
	return 1;
}

SEC("cgroup/connect6")
int vigil_connect6(struct bpf_sock_addr *ctx)
{
	udp_seen(ctx, AF_INET6);
	return 1;
}

SEC("cgroup/sendmsg4")
int vigil_sendmsg4(struct bpf_sock_addr *ctx)
{
	udp_seen(ctx, AF_INET);
	return 1;
}

SEC("cgroup/sendmsg6")
int vigil_sendmsg6(struct bpf_sock_addr *ctx)
{
	udp_seen(ctx, AF_INET6);
	return 1;
}

/* UDP bind() to a port: network.listen. TCP listens come from the state
 * tracepoint, which also sees ports the kernel picked. */
static __always_inline void udp_bind(struct bpf_sock_addr *ctx, __u16 family)
{
	struct vigil_net_event *e;
	struct scratch *s;

	if (ctx->protocol != IPPROTO_UDP_ || ctx->user_port == 0)
		return;
	s = scratch();
	if (!s)
		return;
	owner_current(&s->owner);
	if (net_filtered(&s->owner.h, VIGIL_EVENT_NET_LISTEN) ||
	    rate_limited(s->owner.h.cgroup_id, VIGIL_EVENT_NET_LISTEN))
		return;
	e = vigil_reserve(VIGIL_EVENT_NET_LISTEN, VIGIL_NET_BASE_SIZE);
	if (!e)
		return;
	net_header(e, VIGIL_EVENT_NET_LISTEN, &s->owner, NULL);
	net_zero(e);
	e->family = family;
	e->protocol = IPPROTO_UDP_;
	e->local_port = bpf_ntohs(ctx->user_port);
	if (family == AF_INET6) {
		__u32 *a = (__u32 *)e->local_addr;
		a[0] = ctx->user_ip6[0];
		a[1] = ctx->user_ip6[1];
		a[2] = ctx->user_ip6[2];
		a[3] = ctx->user_ip6[3];
	} else {
		*(__u32 *)e->local_addr = ctx->user_ip4;
	}
	vigil_submit(e, VIGIL_EVENT_NET_LISTEN, VIGIL_NET_BASE_SIZE);
}

SEC("cgroup/bind4")
int vigil_bind4(struct bpf_sock_addr *ctx)
{
	udp_bind(ctx, AF_INET);
	return 1;
}

SEC("cgroup/bind6")
int vigil_bind6(struct bpf_sock_addr *ctx)
{
	udp_bind(ctx, AF_INET6);
	return 1;
}

/* ---- packets: DNS messages and HTTP request heads ---- */

/* Own header layouts: no bitfields, no CO-RE (wire formats do not move). */
struct ip4 {
	__u8 ver_ihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__u32 saddr;
	__u32 daddr;
};

struct ip6 {
	__u32 ver_tc_flow;
	__u16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct l4ports {
	__u16 sport;
	__u16 dport;
};

#define M4(a, b, c, d) ((__u32)(a) | (__u32)(b) << 8 | (__u32)(c) << 16 | (__u32)(d) << 24)

/* The first four bytes of an HTTP/1.x request; user space checks the rest. */
static __always_inline bool http_method(__u32 w)
{
	switch (w) {
	case M4('G', 'E', 'T', ' '):
	case M4('P', 'U', 'T', ' '):
	case M4('P', 'O', 'S', 'T'):
	case M4('H', 'E', 'A', 'D'):
	case M4('D', 'E', 'L', 'E'):
	case M4('O', 'P', 'T', 'I'):
	case M4('P', 'A', 'T', 'C'):
	case M4('C', 'O', 'N', 'N'):
	case M4('T', 'R', 'A', 'C'):
		return true;
	}
	return false;
}

static __always_inline struct net_owner *skb_owner(struct __sk_buff *skb, struct flow_key *fk, __u8 dir)
{
	struct flow_ref *ref;
	__u64 cookie;

	if (fk->protocol == IPPROTO_UDP_ && dir == VIGIL_NET_EGRESS) {
		struct flow_ref nref = { .proto = IPPROTO_UDP_ };

		cookie = bpf_get_socket_cookie(skb);
		nref.key = cookie;
		bpf_map_update_elem(&flow_ref, fk, &nref, BPF_ANY);
		return bpf_map_lookup_elem(&udp_owner, &cookie);
	}
	ref = bpf_map_lookup_elem(&flow_ref, fk);
	if (!ref)
		return NULL;
	cookie = ref->key;
	if (ref->proto == IPPROTO_UDP_)
		return bpf_map_lookup_elem(&udp_owner, &cookie);
	return bpf_map_lookup_elem(&tcp_owner, &cookie);
}

static __always_inline void skb_capture(struct __sk_buff *skb, __u8 dir)
{
	struct flow_key fk = {};
	struct vigil_net_event *e;
	struct net_owner *o;
	struct l4ports ports;
	__u32 l4off, off, len, type, skb_len = skb->len;
	__u64 cgroup_id;
	__u8 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct ip4 ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return;
		if (ip.frag_off & bpf_htons(0x1fff))
			return; /* not the first fragment */
		proto = ip.protocol;
		l4off = (ip.ver_ihl & 0xf) * 4;
		fk.family = AF_INET;
		*(__u32 *)fk.local_addr = dir == VIGIL_NET_EGRESS ? ip.saddr : ip.daddr;
		*(__u32 *)fk.remote_addr = dir == VIGIL_NET_EGRESS ? ip.daddr : ip.saddr;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ip6 ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return;
		/* Extension headers are not walked: DNS and HTTP rarely use them. */
		proto = ip.nexthdr;
		l4off = sizeof(ip);
		fk.family = AF_INET6;
		if (dir == VIGIL_NET_EGRESS) {
			__builtin_memcpy(fk.local_addr, ip.saddr, 16);
			__builtin_memcpy(fk.remote_addr, ip.daddr, 16);
		} else {
			__builtin_memcpy(fk.local_addr, ip.daddr, 16);
			__builtin_memcpy(fk.remote_addr, ip.saddr, 16);
		}
	} else {
		return;
	}
	if (proto != IPPROTO_UDP_ && proto != IPPROTO_TCP_)
		return;
	if (bpf_skb_load_bytes(skb, l4off, &ports, sizeof(ports)))
		return;
	ports.sport = bpf_ntohs(ports.sport);
	ports.dport = bpf_ntohs(ports.dport);
	fk.local_port = dir == VIGIL_NET_EGRESS ? ports.sport : ports.dport;
	fk.remote_port = dir == VIGIL_NET_EGRESS ? ports.dport : ports.sport;
	fk.protocol = proto;

	if (proto == IPPROTO_UDP_) {
		/* Queries the container sends, answers it receives. */
		if (!capture_dns || fk.remote_port != 53)
			return;
		type = VIGIL_EVENT_NET_DNS;
		off = l4off + 8;
	} else {
		__u8 doff;
		__u32 word;

		if (!capture_http)
			return;
		if (bpf_skb_load_bytes(skb, l4off + 12, &doff, 1))
			return;
		off = l4off + (doff >> 4) * 4;
		if (skb_len < off + 4)
			return;
		if (bpf_skb_load_bytes(skb, off, &word, 4) || !http_method(word))
			return;
		type = VIGIL_EVENT_NET_HTTP;
	}
	if (off >= skb_len)
		return;

	o = skb_owner(skb, &fk, dir);
	if (o && net_filtered(&o->h, type))
		return;
	cgroup_id = o ? o->h.cgroup_id : bpf_skb_cgroup_id(skb);
	if (rate_limited(cgroup_id, type))
		return;
	e = vigil_reserve(type, sizeof(*e));
	if (!e)
		return;
	net_header(e, type, o, NULL);
	if (!o)
		e->h.cgroup_id = cgroup_id;
	net_zero(e);
	e->family = fk.family;
	e->protocol = proto;
	e->local_port = fk.local_port;
	e->remote_port = fk.remote_port;
	__builtin_memcpy(e->local_addr, fk.local_addr, 16);
	__builtin_memcpy(e->remote_addr, fk.remote_addr, 16);
	e->direction = dir;
	len = skb_len - off;
	if (len > VIGIL_NET_PAYLOAD_LEN) {
		len = VIGIL_NET_PAYLOAD_LEN;
		e->flags |= VIGIL_NET_PAYLOAD_CUT;
	}
	if (len < 1 || bpf_skb_load_bytes(skb, off, e->payload, len))
		len = 0;
	e->payload_len = len;
	vigil_submit(e, type, sizeof(*e));
}

SEC("cgroup_skb/egress")
int vigil_skb_egress(struct __sk_buff *skb)
{
	skb_capture(skb, VIGIL_NET_EGRESS);
	return 1;
}

SEC("cgroup_skb/ingress")
int vigil_skb_ingress(struct __sk_buff *skb)
{
	skb_capture(skb, VIGIL_NET_INGRESS);
	return 1;
}

/* ---- raw and packet sockets ---- */

SEC("tracepoint/syscalls/sys_enter_socket")
int vigil_socket_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct socket_args a = {
		.family = ctx->args[0],
		.type = ctx->args[1],
		.protocol = ctx->args[2],
	};
	__u64 id;

	/* Netlink and others also have SOCK_RAW: only packet and IP raw. */
	if (a.family != AF_PACKET &&
	    !((a.family == AF_INET || a.family == AF_INET6) && (a.type & 0xf) == SOCK_RAW))
		return 0;
	id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&socket_calls, &id, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_socket")
int vigil_socket_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vigil_net_event *e;
	struct socket_args *a;
	struct scratch *s;

	a = bpf_map_lookup_elem(&socket_calls, &id);
	if (!a)
		return 0;
	if (ctx->ret < 0)
		goto out;
	s = scratch();
	if (!s)
		goto out;
	owner_current(&s->owner);
	if (net_filtered(&s->owner.h, VIGIL_EVENT_NET_SOCKET_RAW) ||
	    rate_limited(s->owner.h.cgroup_id, VIGIL_EVENT_NET_SOCKET_RAW))
		goto out;
	e = vigil_reserve(VIGIL_EVENT_NET_SOCKET_RAW, VIGIL_NET_BASE_SIZE);
	if (!e)
		goto out;
	net_header(e, VIGIL_EVENT_NET_SOCKET_RAW, &s->owner, NULL);
	net_zero(e);
	e->family = a->family;
	e->sock_type = a->type;
	e->protocol = a->protocol;
	vigil_submit(e, VIGIL_EVENT_NET_SOCKET_RAW, VIGIL_NET_BASE_SIZE);
out:
	bpf_map_delete_elem(&socket_calls, &id);
	return 0;
}
