/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * config.h: load-time settings. They are const volatile, so they live in
 * .rodata, Go sets them through CollectionSpec.Variables before load, and the
 * verifier sees their final values and prunes branches they switch off.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include "vmlinux.h"

/* containers_only: drop events of tasks in both host namespaces. */
const volatile bool containers_only = false;
/* Inodes of /proc/1/ns/pid and /proc/1/ns/mnt, as seen by the loader. */
const volatile __u32 host_pidns = 0;
const volatile __u32 host_mntns = 0;

#endif /* VIGIL_CONFIG_H */
