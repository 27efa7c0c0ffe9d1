/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 validation: header, lengths, checksum, L4 header; then the route lookup. */
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_fast.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "port.h"

enum { IP4_IN_NEXT_LOOKUP, IP4_IN_NEXT_PUNT, IP4_IN_NEXT_DROP };
#define NODE_DROP_BASE IP4_IN_NEXT_DROP

static inline bool ip4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (f == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return true;
	if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	/* Summing a valid header, checksum field included, gives 0xffff. The usual header has
	 * no options: a constant length lets the compiler unroll the sum. */
	if (likely(ip->version_ihl == 0x45))
		return rte_raw_cksum(ip, sizeof(*ip)) == 0xffff;
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

/*
 * Addresses never routed (RFC 1812 5.3.7, RFC 6890): "this network" 0/8 and loopback 127/8
 * either way; class E 240/4 as a destination (255.255.255.255 is counted as multicast);
 * a multicast or class E source.
 */
static inline bool ip4_martian(uint32_t src, uint32_t dst)
{
	uint8_t s = src >> 24, d = dst >> 24;

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127 ||
	       (d >= 240 && dst != UINT32_MAX);
}

/* 224.0.0.0/4. DPDK's RTE_IS_IPV4_MCAST compares with RTE_IPV4(224, 0, 0, 0), which
 * shifts an int into its sign bit: undefined behaviour. */
static inline bool ip4_multicast(uint32_t addr)
{
	return addr >> 28 == 0xe;
}

/* UDP from port 67 to port 68 (a DHCP server to a client)? */
static inline bool dhcp_to_client(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	static const uint8_t ports[4] = {0, 67, 0, 68};

	return (meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) == PKT_F_L4 &&
	       meta->l4_off + 4u <= rte_pktmbuf_data_len(m) &&
	       memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off), ports, 4) == 0;
}

/*
 * May dst be the address of the DHCP client of port p? Its own, or one offered to it: any
 * address but the LAN's (the LAN ports' prefixes and mpgw's addresses, tun.own4 on a
 * gateway), which the kernel would forward into the LAN around the WAN edge.
 */
static inline bool dhcp_client_address(const struct fib *f, const struct port *p, uint32_t dst)
{
	if (port_has_addr(p, &dst, true))
		return true;
	for (uint32_t i = 0; i < f->tun.n_own4; i++)
		if ((dst & f->tun.own4[i].mask) == f->tun.own4[i].net)
			return false;
	return true;
}

/* The full parse, for what pkt_fast_ip4 leaves: fills meta or returns a drop edge. */
static __rte_noinline rte_edge_t ip4_input_parse(struct rte_mbuf *m, struct pkt_meta *meta)
{
	struct pkt_info pi = {.l3_off = meta->l3_off, .l3 = PKT_L3_IP4};
	enum pkt_status st = pkt_parse_ip4(m, &pi);

	if (unlikely(st != PKT_OK))
		return node_drop_edge(NODE_DROP_BASE, (enum mpgw_drop)st);
	/* Later nodes read and rewrite the headers in place. */
	if (unlikely(m->data_len < pi.l3_off + sizeof(struct rte_ipv4_hdr)))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pi.l3_off);
	if (unlikely(m->data_len < pi.l3_off + rte_ipv4_hdr_len(ip)))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	pkt_meta_fill(meta, &pi);
	return IP4_IN_NEXT_LOOKUP;
}

static inline rte_edge_t ip4_input_one(void *ctx, struct rte_mbuf *m)
{
	const struct worker *w = ctx;
	struct pkt_meta *meta = pkt_meta(m);

	if (unlikely(!pkt_fast_ip4(m, meta))) {
		rte_edge_t e = ip4_input_parse(m, meta);
		if (e != IP4_IN_NEXT_LOOKUP)
			return e;
	}
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);
	if (unlikely(!ip4_cksum_ok(m, ip)))
		return node_drop_edge(NODE_DROP_BASE, DROP_ip4_cksum);
	if (unlikely(ip4_multicast(rte_be_to_cpu_32(ip->dst_addr)) ||
		     ip->dst_addr == RTE_BE32(0xffffffff))) {
		/* The kernel's, where it has a twin (DHCP, VRRP, IGMP...): mpgw routes no
		 * multicast. From an uplink only broadcast and link-local multicast
		 * (224.0.0.0/24): the WAN has no business with the gateway's other services.
		 * Not the inner packets of tunnels: their frames have the outer headers. */
		if (w->punt != NULL && !(meta->path & PKT_PATH_DECAP) &&
			(!ports[port_index_of[m->port]].uplink ||
				(rte_be_to_cpu_32(ip->dst_addr) & 0xffffff00) == 0xe0000000 ||
				ip->dst_addr == RTE_BE32(0xffffffff)))
			return IP4_IN_NEXT_PUNT;
		return node_drop_edge(NODE_DROP_BASE, DROP_multicast);
	}
	/* A DHCP server's answer to a client that has no address yet goes to the address it
	 * offers (RFC 2131 4.1, without the broadcast flag): on an uplink with a twin, the
	 * kernel's DHCP client's, but not to a LAN address (dhcp_client_address). */
	if (unlikely(w->punt != NULL) && meta->l4_proto == IPPROTO_UDP &&
		ports[port_index_of[m->port]].uplink && dhcp_to_client(m, meta) &&
		dhcp_client_address(w->fib, &ports[port_index_of[m->port]], ip->dst_addr))
		return IP4_IN_NEXT_PUNT;
	if (unlikely(ip4_martian(rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_32(ip->dst_addr))))
		return node_drop_edge(NODE_DROP_BASE, DROP_martian);
	/* Ethernet padding after a short datagram must not be forwarded. Padding only follows
	 * frames below 60 bytes, which fit in one segment. */
	uint32_t end = meta->l3_off + meta->l3_len;
	if (unlikely(m->pkt_len > end) && rte_pktmbuf_trim(m, m->pkt_len - end) < 0)
		return node_drop_edge(NODE_DROP_BASE, DROP_ip4_totlen);
	return IP4_IN_NEXT_LOOKUP;
}

static uint16_t ip4_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, IP4_IN_NEXT_LOOKUP, ip4_input_one, node_worker(node));
}

static struct rte_node_register ip4_input_node = {
	.name = NODE_IP4_INPUT,
	.process = ip4_input_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[IP4_IN_NEXT_LOOKUP] = NODE_IP4_LOOKUP,
		[IP4_IN_NEXT_PUNT] = NODE_PUNT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(ip4_input_node);
