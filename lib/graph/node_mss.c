/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSS clamp of SYNs and SYN-ACKs, between the lookup (which knows the egress) and the
 * rewrite. Only TCP segments with SYN set are sent here, so other packets pay one flag
 * test in the lookup and nothing else.
 *
 * The limit is the smaller of the ingress and egress ports' (each 0 when clamping is off
 * there): the SYN's MSS tells the peer what may be sent back along the same two links, in
 * the other direction, so a link counts whichever way the SYN crosses it. The SYN of a LAN
 * client clamps to the WAN it leaves by, the SYN-ACK coming back through that WAN clamps
 * to it too.
 */
#include <rte_mbuf.h>

#include "fib.h"
#include "mss_clamp.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"

enum { MSS_NEXT_REWRITE, MSS_NB_EDGES };

static inline uint16_t mss_limit(const struct port *in, const struct port *out, bool v4)
{
	uint16_t a = v4 ? in->mss4 : in->mss6, b = v4 ? out->mss4 : out->mss6;

	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return RTE_MIN(a, b);
}

static inline rte_edge_t mss_one(void *ctx, struct rte_mbuf *m)
{
	struct worker *w = ctx;
	struct pkt_meta *meta = pkt_meta(m);
	const struct fib_nexthop *nh = &w->fib->nexthops[meta->nexthop];
	uint16_t limit =
		mss_limit(&ports[port_index_of[m->port]], &ports[nh->port], meta->l3 == PKT_L3_IP4);

	if (limit == 0)
		return MSS_NEXT_REWRITE;
	node_mss_clamp(w, m, meta, limit);
	return MSS_NEXT_REWRITE;
}

static uint16_t mss_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, MSS_NEXT_REWRITE, mss_one, node_worker(node));
}

static struct rte_node_register mss_node = {
	.name = NODE_MSS_CLAMP,
	.process = mss_process,
	.init = node_init_worker,
	.nb_edges = MSS_NB_EDGES,
	.next_nodes = {[MSS_NEXT_REWRITE] = NODE_REWRITE},
};
RTE_NODE_REGISTER(mss_node);
