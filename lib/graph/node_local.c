/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP and ICMPv6 addressed to mpgw's own addresses:
 * - An echo request to an address of the port it came in by is answered in place: the
 *   frame goes back out of that port to the MAC it came from, addresses swapped. This is
 *   what answers the uplink health probes of the far end (a gateway's probes at its vps,
 *   a vps's at its gateways' uplinks) and what an operator's ping sees; the reply's source
 *   is that port's own address, which the leak guard lets out of an uplink.
 * - An echo request that came out of a tunnel is answered through the tunnel
 *   (echo_reply_tunnelled).
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

#include "fib.h"
#include "mptcp_sf.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"
#include "uplink_probe.h"

struct rte_ring *probe_ring;

enum {
	LOCAL_NEXT_TX,
	LOCAL_NEXT_PUNT,
	LOCAL_NEXT_ENCAP,
	LOCAL_NEXT_IP4_LOOKUP,
	LOCAL_NEXT_IP6_LOOKUP,
	LOCAL_NEXT_DROP
};
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

/* Turn the echo request in m into its reply in place: addresses swapped, a fresh TTL, the
 * type and its checksum changed. */
static void echo_turn(struct rte_mbuf *m, const struct pkt_meta *meta, uint8_t *icmp, bool v4)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
	uint16_t old_word, new_word, ck;
	uint8_t tmp[16];

	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		uint32_t a = h->src_addr;
		h->src_addr = h->dst_addr;
		h->dst_addr = a;
		h->time_to_live = 64;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
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
	memcpy(&ck, icmp + 2, 2);
	ck = pkt_cksum_update16(ck, old_word, new_word);
	memcpy(icmp + 2, &ck, 2);
}

/* The echo request in m, to an address of the port it came in by, answered back out of
 * that port to the MAC it came from. */
static rte_edge_t echo_reply(
	struct worker *w, struct rte_mbuf *m, const struct pkt_meta *meta, uint8_t *icmp, bool v4)
{
	const struct port *p = &ports[port_index_of[m->port]];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);

	if (!port_has_addr(p,
		    v4 ? ip + offsetof(struct rte_ipv4_hdr, dst_addr)
		       : ip + offsetof(struct rte_ipv6_hdr, dst_addr),
		    v4))
		return local_other(w, m, meta);
	echo_turn(m, meta, icmp, v4);
	eth->dst_addr = eth->src_addr;
	eth->src_addr = p->mac;
	w->counters[CNT_echo_replied]++;
	return LOCAL_NEXT_TX;
}

/* Is m addressed to one of the addresses of a port that is no uplink? */
static bool to_lan_address(const struct rte_mbuf *m, const struct pkt_meta *meta, bool v4)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	const uint8_t *dst = v4 ? ip + offsetof(struct rte_ipv4_hdr, dst_addr)
				: ip + offsetof(struct rte_ipv6_hdr, dst_addr);

	for (unsigned int i = 0; i < n_ports; i++)
		if (!ports[i].uplink && port_has_addr(&ports[i], dst, v4))
			return true;
	return false;
}

/*
 * The echo request in m came out of a tunnel (to one of mpgw's addresses): its reply goes
 * back into the tunnel, never out of the port as it stands (the frame still has the
 * tunnel's outer headers, and its inner source must not leave the WAN natively). A
 * gateway's into its tunnel to the VPS; a vps's by the routes, which lead the gateway's
 * LAN into that gateway's tunnel. mpgw_encap (or the lookup) builds the headers anew.
 */
static rte_edge_t echo_reply_tunnelled(
	struct worker *w, struct rte_mbuf *m, struct pkt_meta *meta, uint8_t *icmp, bool v4)
{
	const struct fib *f = w->fib;

	/* A gateway's reply would come out of the VPS's end from its source: one of the
	 * LAN's addresses may (the VPS routes the LAN through the tunnel), an uplink's may
	 * not (the VPS drops it as spoofed), so a request to that is not answered. */
	if (f->gateway && (f->tunnel_nh == FIB_NH_NONE || !to_lan_address(m, meta, v4)))
		return node_drop_edge(NODE_DROP_BASE, DROP_local);
	echo_turn(m, meta, icmp, v4);
	meta->path = PKT_PATH_LOCAL;
	meta->tcp_flags = 0;
	w->counters[CNT_echo_replied]++;
	if (f->gateway) {
		meta->nexthop = f->tunnel_nh;
		return LOCAL_NEXT_ENCAP;
	}
	return v4 ? LOCAL_NEXT_IP4_LOOKUP : LOCAL_NEXT_IP6_LOOKUP;
}

static rte_edge_t local_one(struct worker *w, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint8_t proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (meta->l4_proto != proto || (meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4 ||
		(meta->path & PKT_PATH_LOCAL) || meta->l4_off + 8u > rte_pktmbuf_data_len(m))
		return local_other(w, m, meta);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l4_off);
	uint8_t type = icmp[0];

	if (type == (v4 ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQUEST) && icmp[1] == 0)
		return (meta->path & PKT_PATH_DECAP) ? echo_reply_tunnelled(w, m, meta, icmp, v4)
						     : echo_reply(w, m, meta, icmp, v4);
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
	.next_nodes = {[LOCAL_NEXT_TX] = NODE_TX,
		[LOCAL_NEXT_PUNT] = NODE_PUNT,
		[LOCAL_NEXT_ENCAP] = NODE_ENCAP,
		[LOCAL_NEXT_IP4_LOOKUP] = NODE_IP4_LOOKUP,
		[LOCAL_NEXT_IP6_LOOKUP] = NODE_IP6_LOOKUP,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(local_node);
