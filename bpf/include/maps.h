/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * maps.h: the event ring buffer and the outcome counters every program family
 * uses. Each .bpf.c compiles to its own object with its own copy of these
 * definitions; the Go loader creates them once (with the process family) and
 * hands the same maps to later families (CollectionOptions.MapReplacements),
 * so there is one ring buffer and one set of counters. Counters are indexed
 * by event type, which is unique across families.
 */
#ifndef VIGIL_MAPS_H
#define VIGIL_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vigil.h"

/* Size is replaced from Go (Config.RingBufferBytes) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/*
 * A BPF ring buffer has no value type and counters are indexed by plain
 * integers, so nothing else puts the ABI types into the object's BTF; bpf2go
 * -type and the Go ABI tests read them from there.
 */
const struct vigil_event *const vigil_event_abi __attribute__((unused)) = 0;
const enum vigil_event_type vigil_event_type_abi __attribute__((unused)) = 0;

/* Per-CPU so counting never contends across CPUs; Go sums the slots. */
#define VIGIL_COUNTER_MAP(_name)                            \
	struct {                                            \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);    \
		__uint(max_entries, VIGIL_COUNTER_SLOTS);   \
		__type(key, __u32);                         \
		__type(value, __u64);                       \
	} _name SEC(".maps")

VIGIL_COUNTER_MAP(events_sent);
VIGIL_COUNTER_MAP(events_filtered);
VIGIL_COUNTER_MAP(events_lost);

static __always_inline void vigil_count(void *map, __u32 type)
{
	__u64 *slot = bpf_map_lookup_elem(map, &type);

	/* Per-CPU slots cannot race across CPUs, but a preemptible kernel
	 * can switch tasks on one CPU inside a program; an atomic add costs
	 * little and never loses a count. */
	if (slot)
		__sync_fetch_and_add(slot, 1);
}

/*
 * vigil_reserve returns an uninitialised record, or NULL after counting the
 * loss when the ring buffer is full. Losses are counted here, at the source,
 * because a BPF ring buffer has no lost-sample notification for user space.
 */
static __always_inline struct vigil_event *vigil_reserve(__u32 type)
{
	struct vigil_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		vigil_count(&events_lost, type);
	return e;
}

/*
 * Waking the reader costs an irq_work and, in a VM, an IPI: about 14 µs per
 * record on the project's machines, 8x the rest of a hook. So records are
 * batched: the reader is woken once pending data crosses wakeup_bytes, and
 * otherwise finds them when its flush timer fires (Config.FlushInterval).
 * wakeup_bytes 0 restores the kernel's rule: wake when the reader has caught
 * up, i.e. for nearly every record at low rates.
 */
const volatile __u64 wakeup_bytes = 0;

/* Ring buffer space one record takes: BPF_RINGBUF_HDR_SZ plus the record. */
#define VIGIL_RECORD_SPACE (8 + sizeof(struct vigil_event))

static __always_inline __u64 vigil_wakeup_flags(void)
{
	__u64 avail, size;

	if (!wakeup_bytes)
		return 0;
	/* Includes the record being submitted: reserve moved the producer. */
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	/* Wake once, on the record that crosses the threshold, not on each
	 * record until the reader runs; past half the ring (a wakeup lost to
	 * a race with another CPU) wake on every record. */
	size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	if (avail - VIGIL_RECORD_SPACE < wakeup_bytes || avail >= size / 2)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void vigil_submit(struct vigil_event *e, __u32 type)
{
	bpf_ringbuf_submit(e, vigil_wakeup_flags());
	vigil_count(&events_sent, type);
}

#endif /* VIGIL_MAPS_H */
