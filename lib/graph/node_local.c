/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP and ICMPv6 addressed to mpgw's own addresses:
 * - An echo request to an address of the port it came in by is answered in place: the
 *   frame goes back out of that port to the MAC it came from, addresses swapped. This is
 *   what answers the uplink health probes of the far end (a gateway's probes at its vps,
 *   a vps's at its gateways' uplinks) and what an operator's ping sees; the reply's source
 *   is that port's own address, which the leak guard lets out of an uplink.
 * - An echo reply that carries mpgw's probe payload has its arrival time stamped and goes
 *   to the control thread through probe_ring (uplink_ctl.c checks it came from the probed
 *   address by the probed port, with the nonce of its probe).
 * Everything else goes to the kernel twin of the port (mpgw_punt) where there are twins,
 * and is a `local` drop where there are none.
 */
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "mptcp_sf.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"
#include "uplink_probe.h"

struct rte_ring *probe_ring;

enum { LOCAL_NEXT_TX, LOCAL_NEXT_PUNT, LOCAL_NEXT_DROP };
#define NODE_DROP_BASE LOCAL_NEXT_DROP
/* Not an edge: the packet went to probe_ring. */
#define LOCAL_CONSUMED RTE_EDGE_ID_INVALID

#define ICMP4_ECHO_REQUEST 8
#define ICMP4_ECHO_REPLY   0
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129

/* What mpgw does not answer itself: the kernel's, if it has a twin (but not the inner
 * packet of a tunnel: its frame still has the tunnel's headers). TCP to the kernel is
 * counted against its MPTCP subflow, if it is one. */
static inline rte_edge_t local_other(
	struct worker *w, const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	if (w->punt == NULL || (meta->path & PKT_PATH_DECAP))
		return node_drop_edge(NODE_DROP_BASE, DROP_local);
	mptcp_sf_count(w->mptcp_sf, m, meta, false, ports[port_index_of[m->port]].uplink);
	return LOCAL_NEXT_PUNT;
}

/* Turn the echo request in m into its reply, back out of the port it came in by. */
static rte_edge_t echo_reply(
	struct worker *w, struct rte_mbuf *m, const struct pkt_meta *meta, uint8_t *icmp, bool v4)
{
	const struct port *p = &ports[port_index_of[m->port]];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
	uint16_t old_word, new_word;
	uint8_t tmp[16];

	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		if (!port_has_addr(p, &h->dst_addr, true))
			return local_other(w, m, meta);
		uint32_t a = h->src_addr;
		h->src_addr = h->dst_addr;
		h->dst_addr = a;
		h->time_to_live = 64;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		if (!port_has_addr(p, h->dst_addr, false))
			return local_other(w, m, meta);
		memcpy(tmp, h->src_addr, 16);
		memcpy(h->src_addr, h->dst_addr, 16);
		memcpy(h->dst_addr, tmp, 16);
		h->hop_limits = 64;
	}
	/* Type and code form the checksum's first word; swapping the addresses leaves the
	 * ICMPv6 pseudo-header sum as it was. */
	memcpy(&old_word, icmp, 2);
	icmp[0] = v4 ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY;
	memcpy(&new_word, icmp, 2);
	uint16_t ck;
	memcpy(&ck, icmp + 2, 2);
	ck = pkt_cksum_update16(ck, old_word, new_word);
	memcpy(icmp + 2, &ck, 2);
	eth->dst_addr = eth->src_addr;
	eth->src_addr = p->mac;
	w->counters[CNT_echo_replied]++;
	return LOCAL_NEXT_TX;
}

static rte_edge_t local_one(struct worker *w, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint8_t proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (meta->l4_proto != proto || (meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4 ||
		(meta->path & PKT_PATH_LOCAL) || meta->l4_off + 8u > rte_pktmbuf_data_len(m))
		return local_other(w, m, meta);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l4_off);
	uint8_t type = icmp[0];

	if (type == (v4 ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQUEST) && icmp[1] == 0)
		return echo_reply(w, m, meta, icmp, v4);
	if (type != (v4 ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY) ||
		meta->l4_off + 8u + sizeof(struct probe_payload) > rte_pktmbuf_data_len(m))
		return local_other(w, m, meta);
	struct probe_payload *pl = (struct probe_payload *)(icmp + 8);
	uint16_t id;
	memcpy(&id, icmp + 4, 2);
	if (id != PROBE_ICMP_ID || pl->magic != PROBE_MAGIC || probe_ring == NULL)
		return local_other(w, m, meta);
	pl->rx_tsc = rte_rdtsc();
	if (rte_ring_mp_enqueue(probe_ring, m) != 0)
		return node_drop_edge(NODE_DROP_BASE, DROP_probe_ring_full);
	w->counters[CNT_probe_replies]++;
	return LOCAL_CONSUMED;
}

static uint16_t local_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);

	/* Rare packets: one at a time. */
	for (uint16_t i = 0; i < cnt; i++) {
		rte_edge_t e = local_one(w, objs[i]);
		if (e != LOCAL_CONSUMED)
			rte_node_enqueue_x1(graph, node, e, objs[i]);
	}
	return cnt;
}

static struct rte_node_register local_node = {
	.name = NODE_LOCAL,
	.process = local_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[LOCAL_NEXT_TX] = NODE_TX, [LOCAL_NEXT_PUNT] = NODE_PUNT, NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(local_node);
