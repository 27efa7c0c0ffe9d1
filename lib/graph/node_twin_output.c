/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the kernel wrote to a port's twin (lib/exception/twin.h), on their way out of
 * that port: the output stage the data path's own packets get.
 * - Leak guard: out of a gateway's uplink, only untagged ARP, IPv4 and IPv6; every other
 *   frame is leak_ethertype (a VLAN tag, PPPoE, MPLS: what they carry would leave without
 *   being looked at, and nothing of mpgw's needs them on an uplink). IPv4 only from the
 *   port's own addresses, or 0.0.0.0:68 to 255.255.255.255:67 (DHCP); IPv6 only what a
 *   gateway's kernel needs on an uplink (twin_ip6_allowed()); anything else is leak_v4 /
 *   leak_v6, whatever the kernel's routes say.
 * - MSS clamp: SYNs to the port's clamp (`mss_clamp`).
 * - TCP of the kernel's MPTCP subflows is counted per subflow (mptcp_sf.h): out of an
 *   uplink in the gateway role, out of any port in the vps role.
 * A frame the parser rejects is dropped with the parser's reason.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "ipaddr.h"
#include "mptcp_sf.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "port.h"

enum { TWIN_OUT_NEXT_TX, TWIN_OUT_NEXT_DROP };
#define NODE_DROP_BASE TWIN_OUT_NEXT_DROP

/* The first 4 bytes of m's L4 header (ICMP type and code, UDP and TCP ports), or NULL if it
 * has none (a fragment, an unknown protocol). A bounded read, across segments if need be. */
static inline const uint8_t *l4_head(
	const struct rte_mbuf *m, const struct pkt_meta *meta, uint8_t buf[4])
{
	if ((meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4)
		return NULL;
	return rte_pktmbuf_read(m, meta->l4_off, 4, buf);
}

/* May IPv4 packet m (at ip) leave uplink p natively? From p's own addresses (the gateway's
 * own traffic, the relay's MPTCP subflows), or a DHCP client's 0.0.0.0:68 ->
 * 255.255.255.255:67 while it has none. */
static bool twin_ip4_allowed(const struct port *p, const struct rte_mbuf *m,
	const struct pkt_meta *meta, const uint8_t *ip)
{
	static const uint8_t dhcp[8] = {0, 0, 0, 0, 255, 255, 255, 255}; /* src, dst */
	uint8_t buf[4];

	if (port_has_addr(p, ip + 12, true))
		return true;
	const uint8_t *l4 = meta->l4_proto == IPPROTO_UDP ? l4_head(m, meta, buf) : NULL;
	return memcmp(ip + 12, dhcp, 8) == 0 && l4 != NULL &&
	       memcmp(l4, (const uint8_t[4]){0, 68, 0, 67}, 4) == 0;
}

/* What an ICMPv6 message of this type is, for the leak guard. */
enum {
	ICMP6_K_ERROR = 1,	/* destination unreachable, packet too big, time exceeded, ... */
	ICMP6_K_ECHO_REPLY = 2, /* the kernel answering a ping mpgw left to it */
	ICMP6_K_ND = 4,		/* a host's neighbour discovery: RS, NS, NA (RFC 4861) */
	ICMP6_K_MLD = 8,	/* a host's multicast listener reports (RFC 2710, RFC 3810) */
};

static inline unsigned int icmp6_kind(uint8_t type)
{
	switch (type) {
	case 1: /* destination unreachable */
	case 2: /* packet too big */
	case 3: /* time exceeded */
	case 4: /* parameter problem */
		return ICMP6_K_ERROR;
	case 129:
		return ICMP6_K_ECHO_REPLY;
	case 133: /* router solicitation */
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
		return ICMP6_K_ND;
	case 131: /* MLDv1 report */
	case 132: /* MLDv1 done */
	case 143: /* MLDv2 report */
		return ICMP6_K_MLD;
	default: /* echo requests; a router's messages (RA, redirect, MLD query); the rest */
		return 0;
	}
}

/* Is dst, reached out of the port of index pi, in one of its bypass prefixes? */
static inline bool ip6_bypassed(const struct fib *f, unsigned int pi, const uint8_t *dst)
{
	uint8_t ips[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t hop;

	memcpy(ips[0], dst, 16);
	rte_fib6_lookup_bulk(f->fib6, ips, &hop, 1);
	uint32_t nh = (uint32_t)hop & FIB_NH_ID_MASK;
	return nh != FIB_NH_NONE && f->nexthops[nh].type == FIB_NH_BYPASS &&
	       f->nexthops[nh].port == pi;
}

/*
 * May IPv6 packet m (at ip) leave the uplink of port index pi natively? IPv6 is what leaks
 * (IPv6 straight out of a WAN instead of through the tunnel is what OMR's users complain
 * of): no IPv6 of the LAN's leaves natively, so neither may the kernel's, but for what the
 * gateway's kernel needs on the uplink itself:
 * - from a link-local address: neighbour discovery and MLD reports, ICMPv6 errors and echo
 *   replies, and a DHCPv6 client's UDP 546 -> 547; from :: (duplicate address detection):
 *   solicitations and MLD reports. The kernel never forwards from these: they cannot be
 *   LAN traffic.
 * - from the port's own address: to the VPS (the relay's MPTCP subflows when the VPS has
 *   IPv6, anything else of the gateway's for it), to a bypass prefix of this uplink (what
 *   the operator lets out natively), and neighbour discovery, ICMPv6 errors and echo
 *   replies. Not the gateway's other IPv6 (its own TCP or UDP to the internet): from the
 *   packet alone a LAN connection the kernel forwarded and masqueraded (NAT66) to this
 *   address cannot be told from one the kernel opened, so both are leak_v6; a router's
 *   messages (RA, redirect, MLD query) never leave an uplink either.
 */
static bool twin_ip6_allowed(const struct fib *f, unsigned int pi, const struct rte_mbuf *m,
	const struct pkt_meta *meta, const uint8_t *ip)
{
	static const uint8_t unspecified[16];
	const uint8_t *src = ip + offsetof(struct rte_ipv6_hdr, src_addr);
	const uint8_t *dst = ip + offsetof(struct rte_ipv6_hdr, dst_addr);
	uint8_t buf[4];
	const uint8_t *l4 = l4_head(m, meta, buf);
	unsigned int kind = l4 != NULL && meta->l4_proto == IPPROTO_ICMPV6 ? icmp6_kind(l4[0]) : 0;

	if (port_has_addr(&ports[pi], src, false))
		return (kind & (ICMP6_K_ERROR | ICMP6_K_ECHO_REPLY | ICMP6_K_ND)) ||
		       (f != NULL && (tun_peer_group(&f->tun, dst, false) >= 0 ||
					     ip6_bypassed(f, pi, dst)));
	if (ip6_is_link_local(src))
		return kind != 0 || (l4 != NULL && meta->l4_proto == IPPROTO_UDP &&
					    memcmp(l4, (const uint8_t[4]){2, 34, 2, 35}, 4) == 0);
	return memcmp(src, unspecified, 16) == 0 && (kind & (ICMP6_K_ND | ICMP6_K_MLD));
}

/* The frame's own ethertype (the first, before any VLAN tag), network order. */
static inline rte_be16_t outer_ethertype(const struct rte_mbuf *m)
{
	rte_be16_t et = 0;

	if (likely(rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN))
		memcpy(&et, rte_pktmbuf_mtod_offset(m, const uint8_t *, 12), 2);
	return et;
}

static inline rte_edge_t twin_output_one(void *ctx, struct rte_mbuf *m)
{
	struct worker *w = ctx;
	const struct port *p = &ports[port_index_of[m->port]];
	struct pkt_meta *meta = pkt_meta(m);
	struct pkt_info pi;

	if (p->uplink) {
		rte_be16_t et = outer_ethertype(m);
		if (et == RTE_BE16(RTE_ETHER_TYPE_ARP))
			goto out;
		if (et != RTE_BE16(RTE_ETHER_TYPE_IPV4) && et != RTE_BE16(RTE_ETHER_TYPE_IPV6))
			return node_drop_edge(NODE_DROP_BASE, DROP_leak_ethertype);
	}
	enum pkt_status st = pkt_parse(m, &pi);
	if (st == PKT_OK && pi.l3 != PKT_L3_IP4 && pi.l3 != PKT_L3_IP6)
		goto out; /* not IP, not out of an uplink: ARP, LLDP and the like */
	if (unlikely(st != PKT_OK))
		return node_drop_edge(NODE_DROP_BASE, (enum mpgw_drop)st);
	if (unlikely(m->data_len < pi.l3_off + (pi.l3 == PKT_L3_IP4 ? 20 : 40)))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	meta->l3_off = pi.l3_off;
	meta->l3 = pi.l3;
	pkt_meta_fill(meta, &pi);
	meta->path = PKT_PATH_LOCAL;
	meta->mtu = 0;
	bool v4 = pi.l3 == PKT_L3_IP4;
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.l3_off);
	if (p->uplink &&
		!(v4 ? twin_ip4_allowed(p, m, meta, ip)
		     : twin_ip6_allowed(w->fib, (unsigned int)port_index_of[m->port], m, meta, ip)))
		return node_drop_edge(NODE_DROP_BASE, v4 ? DROP_leak_v4 : DROP_leak_v6);
	if (meta->l4_proto == IPPROTO_TCP) {
		if (unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG)) {
			uint16_t limit = v4 ? p->mss4 : p->mss6;
			if (limit != 0)
				node_mss_clamp(w, m, meta, limit);
		}
		mptcp_sf_count(w->mptcp_sf, m, meta, true, p->uplink);
	}
out:
	w->counters[CNT_twin_sent]++;
	return TWIN_OUT_NEXT_TX;
}

static uint16_t twin_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, TWIN_OUT_NEXT_TX, twin_output_one, node_worker(node));
}

static struct rte_node_register twin_output_node = {
	.name = NODE_TWIN_OUTPUT,
	.process = twin_output_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[TWIN_OUT_NEXT_TX] = NODE_TX, NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(twin_output_node);
