/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path's part of the MPTCP table (lib/mptcp/mptcp_pm.h): the subflows the
 * gateway's kernel reported, as a small open-addressed table of their TCP 4-tuples, and
 * per-worker packet and byte counters by subflow slot.
 *
 * The control thread builds a new table whenever a subflow comes or goes and publishes
 * it through RCU (mptcp_sf_live); with no subflow it publishes NULL, and the lookup ends at
 * once. A worker reads it only on the exception path: TCP the kernel sends out through a
 * twin (twin_output: tx) and TCP to one of mpgw's addresses punted to the kernel (local:
 * rx); in the gateway role only on the uplinks (uplinks_only: the LAN side, where the relay
 * proxy's traffic goes, pays nothing), in the vps role (no uplinks) on every port.
 *
 * Slots are handed out by the control thread, which remembers each slot's counters when it
 * hands it out, so a worker never resets anything. A released slot drains: it is handed
 * out again only after a table that no longer maps it has been published and every worker
 * has passed a quiescent state, so a worker never counts an old subflow's packets into a
 * new one's slot.
 */
#ifndef MPGW_MPTCP_SF_H
#define MPGW_MPTCP_SF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "pkt_meta.h"

/* Subflows tracked at once, over all connections: 4096 slots of per-worker counters are
 * 128 KiB a worker. */
#define MPTCP_MAX_SUBFLOWS 4096

/* A subflow as the gateway's kernel sees it: local is the gateway's end. Ports in network
 * order; IPv4 addresses in the first 4 bytes. */
struct mptcp_sf_key {
	uint8_t family; /* 4 or 6 */
	uint8_t pad[3];
	uint16_t lport, rport;
	uint8_t laddr[16];
	uint8_t raddr[16];
};

struct mptcp_sf_slot {
	struct mptcp_sf_key key;
	uint16_t id; /* the counter slot */
	bool used;
};

struct mptcp_sf_table {
	uint32_t mask;	   /* slots - 1, a power of two minus one */
	bool uplinks_only; /* gateway role: count on uplink ports only */
	struct mptcp_sf_slot slots[];
};

/* Per worker, by counter slot: written by that worker only. */
struct mptcp_sf_stats {
	uint64_t tx_packets, tx_bytes; /* from the kernel, out of a port */
	uint64_t rx_packets, rx_bytes; /* from a port, to the kernel */
};

extern struct mptcp_sf_table *mptcp_sf_live;

static inline uint32_t mptcp_sf_hash(const struct mptcp_sf_key *k)
{
	return rte_hash_crc(k, sizeof(*k), 0);
}

/* The counter slot of k, or -1. */
static inline int mptcp_sf_find(const struct mptcp_sf_table *t, const struct mptcp_sf_key *k)
{
	for (uint32_t i = mptcp_sf_hash(k) & t->mask, n = 0; n <= t->mask;
		i = (i + 1) & t->mask, n++) {
		const struct mptcp_sf_slot *s = &t->slots[i];
		if (!s->used)
			return -1;
		if (memcmp(&s->key, k, sizeof(*k)) == 0)
			return s->id;
	}
	return -1;
}

/*
 * Count the TCP segment m (parsed: meta's offsets valid, whole IP and TCP headers in the
 * first segment) against its subflow if it is one. tx: the kernel sends it (its source is
 * the local end); otherwise it goes to the kernel (its destination is). uplink: the port m
 * leaves or came by is a WAN uplink (port.uplink).
 */
static inline void mptcp_sf_count(struct mptcp_sf_stats *stats, const struct rte_mbuf *m,
	const struct pkt_meta *meta, bool tx, bool uplink)
{
	const struct mptcp_sf_table *t = __atomic_load_n(&mptcp_sf_live, __ATOMIC_ACQUIRE);
	struct mptcp_sf_key k = {0};

	if (t == NULL || (t->uplinks_only && !uplink))
		return;
	if (stats == NULL || meta->l4_proto != IPPROTO_TCP ||
		(meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4 ||
		meta->l4_off + 4u > rte_pktmbuf_data_len(m))
		return;
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	const uint8_t *tcp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off);
	bool v4 = meta->l3 == PKT_L3_IP4;
	const uint8_t *src = v4 ? ip + 12 : ip + 8, *dst = v4 ? ip + 16 : ip + 24;
	unsigned int alen = v4 ? 4 : 16;

	k.family = v4 ? 4 : 6;
	memcpy(k.laddr, tx ? src : dst, alen);
	memcpy(k.raddr, tx ? dst : src, alen);
	memcpy(&k.lport, tx ? tcp : tcp + 2, 2);
	memcpy(&k.rport, tx ? tcp + 2 : tcp, 2);
	int id = mptcp_sf_find(t, &k);
	if (id < 0)
		return;
	if (tx) {
		stats[id].tx_packets++;
		stats[id].tx_bytes += meta->l3_len;
	} else {
		stats[id].rx_packets++;
		stats[id].rx_bytes += meta->l3_len;
	}
}

#endif
