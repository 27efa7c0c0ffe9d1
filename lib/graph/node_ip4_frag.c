/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragmentation of datagrams without DF that are larger than their egress MTU. They
 * arrive rewritten (Ethernet header, TTL); DPDK's ip_frag cuts the IP datagram into
 * fragments of at most the MTU, and each fragment gets the Ethernet header back and its IP
 * checksum. Where the egress device sends mbuf chains, fragments are a new header mbuf plus
 * indirect mbufs sharing the payload; where it does not, each fragment is a copy in one
 * mbuf (the datagram must then be one segment). A datagram that would need more than
 * FRAG_MAX_OUT fragments, that finds no mbufs, or that cannot be fragmented for its device
 * is a counted drop (frag_failed).
 *
 * Datagrams bound for a tunnel come from mpgw_encap instead (TTL already decremented), are
 * fragmented to the tunnel's inner MTU before encapsulation, and their fragments go back
 * to mpgw_encap.
 */
#include <errno.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"

enum { FRAG_NEXT_TX, FRAG_NEXT_ENCAP, FRAG_NEXT_DROP };
#define NODE_DROP_BASE FRAG_NEXT_DROP

/* A 9600-byte datagram over a 576-byte MTU takes 18; the minimum MTU (68) is not served. */
#define FRAG_MAX_OUT 32
/* Fragments waiting in TX rings each hold one until the device reclaims its descriptor. */
#define FRAG_INDIRECT_MBUFS 16383

/* One pool of indirect mbufs per NUMA socket, made when the first graph there is built. */
static struct rte_mempool *indirect_pools[RTE_MAX_NUMA_NODES];

struct frag_ctx {
	struct worker *w; /* node_worker() reads it first */
	struct rte_mempool *indirect;
};
_Static_assert(sizeof(struct frag_ctx) <= RTE_NODE_CTX_SZ, "node context too small");

static int ip4_frag_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct frag_ctx *ctx = (struct frag_ctx *)node->ctx;
	int rc = node_init_worker(graph, node);

	if (rc < 0)
		return rc;
	unsigned int socket = rte_lcore_to_socket_id(ctx->w->lcore);
	if (socket >= RTE_MAX_NUMA_NODES)
		socket = 0;
	if (indirect_pools[socket] == NULL) {
		char name[RTE_MEMPOOL_NAMESIZE];
		snprintf(name, sizeof(name), "mpgw_frag_ind%u", socket);
		indirect_pools[socket] =
			rte_pktmbuf_pool_create(name, FRAG_INDIRECT_MBUFS, 64, 0, 0, (int)socket);
		if (indirect_pools[socket] == NULL)
			return -rte_errno;
	}
	ctx->indirect = indirect_pools[socket];
	return 0;
}

/* Fragments of the IP datagram at the start of m, each at most mtu bytes; -errno. */
static int32_t fragment(const struct frag_ctx *ctx, struct rte_mbuf *m, uint16_t mtu, bool chains,
	struct rte_mbuf **out)
{
	/* Every fragment but the last carries a multiple of 8 bytes of payload; ip_frag wants
	 * the MTU it is given to say so. */
	uint16_t hlen = rte_ipv4_hdr_len(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *));
	uint16_t frag_mtu = hlen + ((mtu - hlen) & ~(RTE_IPV4_HDR_OFFSET_UNITS - 1));

	if (chains)
		return rte_ipv4_fragment_packet(
			m, out, FRAG_MAX_OUT, frag_mtu, m->pool, ctx->indirect);
	if (m->nb_segs == 1)
		return rte_ipv4_fragment_copy_nonseg_packet(
			m, out, FRAG_MAX_OUT, frag_mtu, m->pool);
	return -ENOTSUP;
}

static void set_cksum(struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * A datagram bound for a tunnel (from mpgw_encap: TTL done, meta->mtu the tunnel's inner
 * MTU, L2 header still in front): its fragments, copies in one mbuf each, go back to
 * mpgw_encap with metadata of their own.
 */
static int32_t fragment_for_tunnel(
	const struct frag_ctx *ctx, struct rte_mbuf *m, struct rte_mbuf **out)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct pkt_meta keep = *meta;

	rte_pktmbuf_adj(m, meta->l3_off);
	int32_t n = fragment(ctx, m, keep.mtu, false, out);
	for (int32_t k = 0; k < n; k++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(out[k], struct rte_ipv4_hdr *);
		set_cksum(ip);
		out[k]->port = m->port;
		out[k]->ol_flags = 0;
		*pkt_meta(out[k]) = (struct pkt_meta){
			.l3_off = 0,
			.l4_off = rte_ipv4_hdr_len(ip),
			.l3_len = rte_be_to_cpu_16(ip->total_length),
			.nexthop = keep.nexthop,
			.l3 = PKT_L3_IP4,
			.l4_proto = ip->next_proto_id,
			.flags = PKT_F_FRAGMENT,
			.path = PKT_PATH_TTL_DONE,
		};
	}
	return n;
}

/* A rewritten datagram (Ethernet header in front, m->port the egress): its fragments each
 * get the Ethernet header back. */
static int32_t fragment_rewritten(
	const struct frag_ctx *ctx, struct rte_mbuf *m, struct rte_mbuf **out)
{
	struct rte_ether_hdr eth = *rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct port *out_port = &ports[port_index_of[m->port]];

	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	int32_t n = fragment(ctx, m, out_port->mtu, out_port->tx_multi_seg, out);
	for (int32_t k = 0; k < n; k++) {
		struct rte_mbuf *f = out[k];
		struct rte_ether_hdr *fe =
			(struct rte_ether_hdr *)rte_pktmbuf_prepend(f, RTE_ETHER_HDR_LEN);
		/* The header mbuf is fresh: its headroom holds an Ethernet header. */
		*fe = eth;
		set_cksum((struct rte_ipv4_hdr *)(fe + 1));
		f->port = m->port;
		f->ol_flags = 0;
	}
	return n;
}

static uint16_t ip4_frag_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	const struct frag_ctx *ctx = (const struct frag_ctx *)node->ctx;
	struct worker *w = ctx->w;

	for (uint16_t i = 0; i < cnt; i++) {
		struct rte_mbuf *m = objs[i], *out[FRAG_MAX_OUT];
		bool tunnel = pkt_meta(m)->path & PKT_PATH_TTL_DONE;
		int32_t n =
			tunnel ? fragment_for_tunnel(ctx, m, out) : fragment_rewritten(ctx, m, out);

		if (n < 0) {
			rte_node_enqueue_x1(
				graph, node, node_drop_edge(NODE_DROP_BASE, DROP_frag_failed), m);
			continue;
		}
		rte_pktmbuf_free(m);
		w->counters[CNT_ip4_fragmented]++;
		w->counters[CNT_ip4_fragments] += n;
		rte_node_enqueue(graph, node, tunnel ? FRAG_NEXT_ENCAP : FRAG_NEXT_TX, (void **)out,
			(uint16_t)n);
	}
	return cnt;
}

static struct rte_node_register ip4_frag_node = {
	.name = NODE_IP4_FRAG,
	.process = ip4_frag_process,
	.init = ip4_frag_init,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[FRAG_NEXT_TX] = NODE_TX, [FRAG_NEXT_ENCAP] = NODE_ENCAP, NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(ip4_frag_node);
