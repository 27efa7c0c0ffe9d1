/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel twins, the exception path (the successor of KNI): with `[mpgw] twins = yes`, each
 * port gets a TAP interface in mpgw's network namespace, of the port's name, MAC and MTU,
 * up while the port's link is up. What the data path does not handle itself (ARP, IPv6
 * neighbour discovery and other link-local or multicast IPv6, traffic to mpgw's own
 * addresses that is not an echo request or a probe answer) is punted: the worker puts it
 * on its punt ring (mpgw_punt; a full ring is the `punt_ring_full` drop), and the twins'
 * service thread writes it to the twin of the port it came in by, consecutive TCP segments
 * of a flow joined into one frame of up to 64 KB (twin_gro.h). What the kernel writes
 * to a twin that thread reads, cuts into the frames the port sends (the TAPs take
 * checksum and TCP segmentation offload: twin_vnet.h) and hands to worker 0 through its
 * twin ring; mpgw_twin_output applies the leak guard and the port's MSS clamp to each, and
 * sends it out of the port.
 *
 * The service thread (twins_launch()) moves frames in bursts while there are any, and
 * sleeps in poll() on the TAPs and a doorbell when there are none: a worker that punts
 * rings the doorbell only if the thread sleeps (worker/doorbell.h), so a busy exception
 * path costs the workers no system call. While worker 0's twin ring is short of room the
 * thread leaves the kernel's frames in the TAP (TCP's small queues hold its pace); past the
 * TAP's own queue the kernel drops them, and mpgw shows its count of those. The control
 * thread only mirrors the ports' link state onto the twins and reads that count
 * (twins_poll()).
 */
#ifndef MPGW_TWIN_H
#define MPGW_TWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "config.h"

/* Frames the service thread moves per twin and direction per round, at most. */
#define TWIN_POLL_BURST 64
/* Punted frames a worker may have queued for the control thread. */
#define TWIN_PUNT_RING 1024

struct twin_stats {
	uint64_t to_kernel;		  /* punted frames written to the twin (joined ones too) */
	uint64_t to_kernel_gso;		  /* writes of several TCP segments joined (twin_gro.h) */
	uint64_t to_kernel_errors;	  /* punted frames the twin refused (queue full, down) */
	uint64_t from_kernel;		  /* frames the kernel wrote (a 64 KB segment is one) */
	uint64_t from_kernel_tso;	  /* of those, TCP segments cut at the MSS */
	uint64_t from_kernel_malformed;	  /* of those, dropped: too long, a bad offload header */
	uint64_t from_kernel_frames;	  /* frames they became, handed to the data path */
	uint64_t from_kernel_drops;	  /* frames they became, dropped: no mbuf, ring full */
	uint64_t from_kernel_queue_drops; /* frames the kernel dropped at the TAP's own queue
					   * before they were read (its tx_dropped) */
};

/* Are twins on (twins_start() succeeded with cfg->twins)? */
bool twins_enabled(void);
/* Create one TAP per port (after ports_start(); frames from the kernel come from pool).
 * Fails, naming the port, if a TAP cannot be created (no /dev/net/tun, name taken, ...). */
int twins_start(const struct mpgw_config *cfg, struct rte_mempool *pool, char *err, size_t errlen);
/* Start the service thread (after twins_start() and twins_replay_add(), before the
 * workers run), if there are twins or files to replay. 0, or -1 with err. */
int twins_launch(char *err, size_t errlen);
/* Control thread: mirror the ports' link state onto the twins. */
void twins_poll(void);
/* Stop the service thread, close the TAPs (the kernel removes the interfaces). */
void twins_stop(void);

/*
 * Offline tests (mpgw --twin-pcap PORT=FILE): the frames of the pcap file at path are handed
 * to the data path once, in mbufs from pool, by the service thread, as if the kernel had
 * written them to the twin of the port named port; no TAP is involved, and twins need not
 * be on. After workers_init() (it gives worker 0 a twin ring if twins are off), before
 * twins_launch(). 0, or -1 with err (no such port, not an Ethernet pcap file).
 */
int twins_replay_add(
	struct rte_mempool *pool, const char *port, const char *path, char *err, size_t errlen);
/* Are frames of a --twin-pcap file still to be handed over? */
bool twins_replaying(void);

/* For telemetry: the twin of port index p, false if there is none. */
bool twin_info(unsigned int p, char *ifname, size_t len, int *ifindex, struct twin_stats *s);
/* The mpgw port index whose twin has this interface index, or -1. */
int twin_port_of_ifindex(int ifindex);

#endif
