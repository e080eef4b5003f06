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
const struct vigil_header *const vigil_header_abi __attribute__((unused)) = 0;
const struct vigil_exec_event *const vigil_exec_event_abi __attribute__((unused)) = 0;
const struct vigil_fork_event *const vigil_fork_event_abi __attribute__((unused)) = 0;
const struct vigil_exit_event *const vigil_exit_event_abi __attribute__((unused)) = 0;
const struct vigil_syscall_event *const vigil_syscall_event_abi __attribute__((unused)) = 0;
const struct vigil_net_event *const vigil_net_event_abi __attribute__((unused)) = 0;
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
 * Waking the reader costs an irq_work and, in a VM, an IPI: about 14 µs per
 * record on the project's machines, 8x the rest of a hook. So records are
 * batched: the reader is woken once pending data crosses wakeup_bytes, and
 * otherwise finds them when its flush timer fires (Config.FlushInterval).
 * wakeup_bytes 0 restores the kernel's rule: wake when the reader has caught
 * up, i.e. for nearly every record at low rates.
 */
const volatile __u64 wakeup_bytes = 0;
/* The ring buffer's size in bytes, set by the loader (it sizes the ring):
 * saves a bpf_ringbuf_query call per record. 0: ask the ring. */
const volatile __u64 ring_size = 0;

/* Ring buffer space a record of size bytes takes: BPF_RINGBUF_HDR_SZ plus
 * the record rounded up to 8. */
#define VIGIL_RECORD_SPACE(size) (8 + (((size) + 7) & ~7ULL))

/*
 * vigil_wakeup_flags decides whether committing a record of space bytes
 * (VIGIL_RECORD_SPACE) wakes the reader. pending says whether the record is
 * already counted in the ring's available data (reserved) or not (output).
 */
static __always_inline __u64 vigil_wakeup_flags(__u64 space, bool pending)
{
	__u64 avail, size;

	if (!wakeup_bytes)
		return 0;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (!pending)
		avail += space;
	if (avail < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	/* Wake once, on the record that crosses the threshold, not on each
	 * record until the reader runs; past half the ring (a wakeup lost to
	 * a race with another CPU) wake on every record. */
	size = ring_size ? ring_size : bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	if (avail - space < wakeup_bytes || avail >= size / 2)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * vigil_reserve returns an uninitialised record of size bytes (a constant),
 * or NULL after counting the loss when the ring buffer is full. Losses are
 * counted here, at the source, because a BPF ring buffer has no lost-sample
 * notification for user space.
 */
static __always_inline void *vigil_reserve(__u32 type, __u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		vigil_count(&events_lost, type);
	return e;
}

/* vigil_submit commits a record of size bytes reserved by vigil_reserve. */
static __always_inline void vigil_submit(void *e, __u32 type, __u64 size)
{
	bpf_ringbuf_submit(e, vigil_wakeup_flags(VIGIL_RECORD_SPACE(size), true));
	vigil_count(&events_sent, type);
}

/*
 * vigil_output copies a record of size bytes (which may vary at run time,
 * bounded by the verifier) built elsewhere, e.g. in a map value, into the
 * ring buffer, counting the outcome.
 */
static __always_inline void vigil_output(void *data, __u32 type, __u64 size)
{
	if (bpf_ringbuf_output(&events, data, size, vigil_wakeup_flags(VIGIL_RECORD_SPACE(size), false))) {
		vigil_count(&events_lost, type);
		return;
	}
	vigil_count(&events_sent, type);
}

#endif /* VIGIL_MAPS_H */
