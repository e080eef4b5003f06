/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * network.h: maps of the network family (network.bpf.c) that user space
 * reads; its record, struct vigil_net_event, is in vigil.h.
 */
#ifndef VIGIL_NETWORK_H
#define VIGIL_NETWORK_H

#include "vigil.h"


/* Key of udp_flows: UDP destinations aggregated per process. */
struct vigil_udp_flow_key {
	__u64 cgroup_id;
	__u32 pid;
	__u16 family;
	__u16 remote_port;
	__u8 remote_addr[16];
};

struct vigil_udp_flow {
	struct vigil_header h; /* the first sender; h.time_ns is the first datagram */
	__u64 count;
	__u64 last_ns;
};

/* Reasons counted in net_drops (PERCPU_ARRAY, u64); each drop is also in
 * events_filtered (rate, sampling) or events_lost (map full) of its type. */
enum vigil_net_drop {
	VIGIL_NET_DROP_RATE_LIMITED = 0, /* per-container token bucket empty */
	VIGIL_NET_DROP_SAMPLED = 1,      /* repeated flow: sampled out */
	VIGIL_NET_DROP_CLOSE_SAMPLED = 2,/* close of a connect that was sampled out */
	VIGIL_NET_DROP_UDP_FLOWS_FULL = 3,/* udp_flows full: datagram not aggregated */
	VIGIL_NET_DROP_NO_OWNER = 4,     /* socket owner unknown (counted, still sent) */
	VIGIL_NET_DROP_MAX = 8,
};

#endif /* VIGIL_NETWORK_H */
