/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the kernel wrote to a port's twin (lib/exception/twin.h), on their way out of
 * that port: the output stage the data path's own packets get.
 * - Leak guard: out of a gateway's uplink, only untagged ARP, IPv4 and IPv6; every other
 *   frame is leak_ethertype (a VLAN tag, PPPoE, MPLS: what they carry would leave without
 *   being looked at, and nothing of mpgw's needs them on an uplink). IPv4 and IPv6 only
 *   from the port's own addresses, link-local IPv6 (neighbour discovery), :: (duplicate
 *   address detection) or 0.0.0.0 to 255.255.255.255 (DHCP);
 *   anything else is leak_v4 / leak_v6, whatever the kernel's routes say.
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

#include "ipaddr.h"
#include "mptcp_sf.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "port.h"

enum { TWIN_OUT_NEXT_TX, TWIN_OUT_NEXT_DROP };
#define NODE_DROP_BASE TWIN_OUT_NEXT_DROP

/* May the IP packet m (at ip) leave uplink p natively? */
static bool twin_source_allowed(const struct port *p, const struct rte_mbuf *m,
	const struct pkt_meta *meta, const uint8_t *ip)
{
	static const uint8_t unspecified[16];
	static const uint8_t dhcp[8] = {255, 255, 255, 255, 0, 68, 0, 67}; /* dst, ports */
	bool v4 = meta->l3 == PKT_L3_IP4;
	const uint8_t *src = v4 ? ip + 12 : ip + 8;

	if (port_has_addr(p, src, v4))
		return true;
	if (!v4)
		return ip6_is_link_local(src) || memcmp(src, unspecified, 16) == 0;
	/* An address being acquired: a DHCP client's 0.0.0.0:68 -> 255.255.255.255:67. */
	return memcmp(src, unspecified, 4) == 0 && memcmp(ip + 16, dhcp, 4) == 0 &&
	       meta->l4_proto == IPPROTO_UDP &&
	       (meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) == PKT_F_L4 &&
	       meta->l4_off + 4u <= rte_pktmbuf_data_len(m) &&
	       memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off), dhcp + 4, 4) == 0;
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
	if (p->uplink && !twin_source_allowed(p, m, meta, ip))
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
