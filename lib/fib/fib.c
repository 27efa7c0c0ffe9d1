/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE /* qsort_r */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rib6.h>

#include "fib.h"
#include "fib_builder.h"
#include "rcu_swap.h"

struct fib *fib_live;
static uint32_t fib_gen;
/* Generations of tunnel paths: apart from fib_gen, so that route churn does not bring a
 * new one round to an old one's low 16 bits (what flow entries keep). */
static uint32_t path_gen;

/* The nexthop of a next hop by address (family 0: on-link) on port. */
static int hop_nexthop(struct builder *b, const struct ipaddr *via, int port)
{
	const struct cfg_neighbour *nb = via->family != 0 ? builder_neighbour(b, via, port) : NULL;

	return nb != NULL ? builder_nexthop(b, FIB_NH_FORWARD, port, &nb->mac)
			  : builder_nexthop(b, FIB_NH_UNRESOLVED, port, NULL);
}

/*
 * The FIB_NH_ECMP nexthop of the configuration's ECMP set i, made on its first use: its
 * members' nexthops spread over FIB_ECMP_SLOTS slots by weight, each member in a run of
 * slots (the flow's hash is uniform over them) and at least one.
 */
static int ecmp_nexthop(struct builder *b, uint32_t i)
{
	int member[CFG_MAX_ECMP_HOPS];
	const struct cfg_ecmp *g = &b->cfg->ecmp[i]; /* there: fib_route_check() */
	uint32_t total = 0, n = g->n_hops;
	if (b->ecmp_nh[i] != 0)
		return (int)b->ecmp_nh[i] - 1;
	for (uint32_t h = 0; h < n; h++) {
		member[h] = hop_nexthop(b, &g->hops[h].via, g->hops[h].port);
		if (member[h] < 0)
			return -1;
		total += RTE_MAX(g->hops[h].weight, (uint16_t)1);
	}
	struct fib_ecmp *set = &b->f->ecmp[b->f->n_ecmp];
	/* Slot s goes to the member whose share of the weights holds s's point, with every
	 * member given a slot first (16 members, 64 slots). */
	uint32_t s = 0, cum = 0;
	for (uint32_t h = 0; h < n; h++) {
		cum += RTE_MAX(g->hops[h].weight, (uint16_t)1);
		uint32_t end = (uint32_t)(((uint64_t)cum * FIB_ECMP_SLOTS + total - 1) / total);
		end = RTE_MAX(end, s + 1);
		end = RTE_MIN(end, FIB_ECMP_SLOTS - (n - 1 - h)); /* room for the rest */
		for (; s < end; s++)
			set->nh[s] = (uint16_t)member[h];
	}
	if (b->f->n_nexthops == b->cap) {
		snprintf(b->err, b->errlen, "more than %u nexthops", b->cap);
		return -1;
	}
	uint32_t id = b->f->n_nexthops++;
	b->f->nexthops[id] =
		(struct fib_nexthop){.type = FIB_NH_ECMP, .ecmp = (uint16_t)b->f->n_ecmp++};
	b->ecmp_nh[i] = id + 1;
	return (int)id;
}

static bool port_ok(int port, unsigned int n_ports)
{
	return port >= 0 && (unsigned int)port < n_ports;
}

int fib_route_check(const struct cfg_route *r, const struct cfg_ecmp *ecmp, unsigned int n_ecmp,
	unsigned int n_ports, char *err, size_t errlen)
{
	char buf[64];
	unsigned int max = r->prefix.addr.family == 4 ? 32 : 128;

	if ((r->prefix.addr.family != 4 && r->prefix.addr.family != 6) || r->prefix.len > max) {
		snprintf(err, errlen, "route %s/%u: not an IPv4 or IPv6 prefix",
			ipaddr_str(&r->prefix.addr, buf, sizeof(buf)), r->prefix.len);
		return -1;
	}
	switch (r->type) {
	case CFG_ROUTE_BLACKHOLE:
		return 0;
	case CFG_ROUTE_ECMP:
		if (r->ecmp >= n_ecmp || ecmp[r->ecmp].n_hops == 0 ||
			ecmp[r->ecmp].n_hops > CFG_MAX_ECMP_HOPS) {
			snprintf(err, errlen, "ECMP set %u does not exist", r->ecmp);
			return -1;
		}
		for (unsigned int h = 0; h < ecmp[r->ecmp].n_hops; h++)
			if (!port_ok(ecmp[r->ecmp].hops[h].port, n_ports)) {
				snprintf(err, errlen, "ECMP set %u: next hop %u on no port",
					r->ecmp, h);
				return -1;
			}
		return 0;
	default: /* via a gateway, or on-link: out of a port */
		if (!port_ok(r->port, n_ports)) {
			snprintf(err, errlen, "route %s/%u on no port",
				ipaddr_str(&r->prefix.addr, buf, sizeof(buf)), r->prefix.len);
			return -1;
		}
		return 0;
	}
}

static int add_config_route(struct builder *b, const struct mpgw_config *cfg, unsigned int i)
{
	const struct cfg_route *r = &cfg->routes[i];
	int nh;

	if (fib_route_check(r, cfg->ecmp, cfg->n_ecmp, cfg->n_ports, b->err, b->errlen) < 0)
		return -1;
	switch (r->type) {
	case CFG_ROUTE_BLACKHOLE:
		nh = builder_nexthop(b, FIB_NH_BLACKHOLE, -1, NULL);
		break;
	case CFG_ROUTE_VIA:
		nh = hop_nexthop(b, &r->via, r->port);
		break;
	case CFG_ROUTE_ECMP:
		nh = ecmp_nexthop(b, r->ecmp);
		break;
	default:
		nh = builder_nexthop(b, FIB_NH_UNRESOLVED, r->port, NULL);
		break;
	}
	return builder_add_route(b, &r->prefix, nh);
}

static struct ipprefix host_prefix(const struct ipaddr *a)
{
	struct ipprefix p = {.addr = *a, .len = a->family == 4 ? 32 : 128};
	return p;
}

/* IPv4 routes' sort keys: address, length, position (the low 22 bits). */
#define ORDER_POS_BITS 22

/* Sort n keys with tmp as scratch: least significant 16 bits first. */
static void radix_sort64(uint64_t *k, uint64_t *tmp, uint32_t n, uint32_t *count)
{
	for (unsigned int shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65536 * sizeof(*count));
		for (uint32_t i = 0; i < n; i++)
			count[(k[i] >> shift) & 0xffff]++;
		for (uint32_t d = 0, sum = 0; d < 65536; d++) {
			uint32_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++)
			tmp[count[(k[i] >> shift) & 0xffff]++] = k[i];
		memcpy(k, tmp, n * sizeof(*k));
	}
}

static int cmp_route6(const void *x, const void *y, void *arg)
{
	const struct cfg_route *routes = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int c = memcmp(routes[i].prefix.addr.v6, routes[j].prefix.addr.v6, 16);

	if (c == 0)
		c = (int)routes[i].prefix.len - (int)routes[j].prefix.len;
	return c != 0 ? c : (i > j) - (i < j);
}

/*
 * IPv6 aggregates. rte_fib6's trie reserves tbl8 groups (256 entries, 1 KiB) route by
 * route as if routes shared none: one per byte between the length of the route's parent
 * (at least 24) and its own, 3 for a /48 under nothing longer than /24, and refuses an add
 * beyond its reservation. 200k /48s would reserve 600k groups (600 MiB a version) and use a
 * few thousand. So each configured route longer than /25 is given parents of the build's
 * own, "aggregates", at /25, /33, /41 ... below its length: each shared by all the routes
 * under it, reserving one group, and under which a route reserves none unless its length
 * is 8k+1 (the trie's bytes end at 8k). An aggregate's value is that of the routes above it
 * (none: FIB_NH_NONE) marked with FIB_NH_AGGREGATE, which lookups mask off; routes added
 * later that cover it (connected subnets, bypass, LANs) are passed on to it by
 * fix_aggregates().
 */
#define FIB_NH_AGGREGATE (1u << 16)
#define AGG_FIRST	 25 /* the first aggregate length, one past the trie's /24 table */

struct aggregate {
	uint8_t addr[16];
	uint8_t len;
	uint32_t pos; /* added before the route at this position of the IPv6 order */
};

struct route_plan {
	uint32_t *order; /* cfg->routes: IPv4 by (address, length, position), then IPv6 */
	uint32_t n4;
	struct aggregate *agg; /* in the order they are added */
	uint32_t n_agg, cap_agg;
};

static void mask6(uint8_t *out, const uint8_t *a, unsigned int len)
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		out[i] = a[i] & (uint8_t)(0xff00u >> bits);
	}
}

/* The aggregates of the sorted IPv6 routes: the routes under one are consecutive, so one
 * comparison with the last of each length finds them once. */
static int plan_aggregates(struct route_plan *pl, const struct mpgw_config *cfg)
{
	uint8_t last[128 / 8][16];
	bool have[128 / 8] = {false};

	for (uint32_t k = pl->n4; k < cfg->n_routes; k++) {
		const struct ipprefix *p = &cfg->routes[pl->order[k]].prefix;
		for (unsigned int len = AGG_FIRST, l = 0; len < p->len; len += 8, l++) {
			uint8_t a[16];
			mask6(a, p->addr.v6, len);
			if (have[l] && memcmp(last[l], a, 16) == 0)
				continue;
			memcpy(last[l], a, 16);
			have[l] = true;
			if (pl->n_agg == pl->cap_agg) {
				uint32_t cap = pl->cap_agg ? 2 * pl->cap_agg : 256;
				struct aggregate *v = realloc(pl->agg, cap * sizeof(*v));
				if (v == NULL)
					return -1;
				pl->agg = v;
				pl->cap_agg = cap;
			}
			struct aggregate *g = &pl->agg[pl->n_agg++];
			memcpy(g->addr, a, 16);
			g->len = (uint8_t)len;
			g->pos = k;
		}
	}
	return 0;
}

static void plan_free(struct route_plan *pl)
{
	free(pl->order);
	free(pl->agg);
	*pl = (struct route_plan){0};
}

/*
 * The order to add the configured routes in: IPv4, then IPv6, each by address, length and
 * position (so that of two equal prefixes the later still wins), and the IPv6 aggregates.
 * rte_fib's adds walk a tree of the routes: in address order each walk finds the last one's
 * nodes in cache, 4 times faster at 1M routes than the mirror's order after churn. An empty
 * plan (out of memory, too many routes for the keys): the configuration's order, no
 * aggregates.
 */
static void plan_routes(struct route_plan *pl, const struct mpgw_config *cfg)
{
	uint32_t n = cfg->n_routes;
	uint64_t *k = malloc((2 * (size_t)n + 1) * sizeof(*k));
	uint32_t *count = malloc(65536 * sizeof(*count));

	*pl = (struct route_plan){.order = malloc((n + 1) * sizeof(*pl->order))};
	if (pl->order == NULL || k == NULL || count == NULL || n >= 1u << ORDER_POS_BITS) {
		plan_free(pl);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ipprefix *p = &cfg->routes[i].prefix;
		if (p->addr.family == 4)
			k[pl->n4++] = (uint64_t)rte_be_to_cpu_32(p->addr.v4)
					      << (6 + ORDER_POS_BITS) |
				      (uint64_t)p->len << ORDER_POS_BITS | i;
	}
	radix_sort64(k, k + n, pl->n4, count);
	for (uint32_t i = 0; i < pl->n4; i++)
		pl->order[i] = (uint32_t)(k[i] & ((1u << ORDER_POS_BITS) - 1));
	for (uint32_t i = 0, j = pl->n4; i < n; i++)
		if (cfg->routes[i].prefix.addr.family != 4)
			pl->order[j++] = i;
	qsort_r(pl->order + pl->n4, n - pl->n4, sizeof(*pl->order), cmp_route6, cfg->routes);
	if (plan_aggregates(pl, cfg) < 0)
		plan_free(pl);
out:
	free(k);
	free(count);
}

/* Add aggregate g unless a route of the same prefix is there: valued as the routes above
 * it, the only ones in its range yet (a route under it would have added it first). */
static int add_aggregate(struct builder *b, const struct aggregate *g)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(b->f->fib6);
	uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh = FIB_NH_NONE;

	if (rte_rib6_lookup_exact(rib, g->addr, g->len) != NULL)
		return 0;
	memcpy(ip[0], g->addr, 16);
	rte_fib6_lookup_bulk(b->f->fib6, ip, &nh, 1);
	int rc =
		rte_fib6_add(b->f->fib6, g->addr, g->len, (nh & FIB_NH_ID_MASK) | FIB_NH_AGGREGATE);
	if (rc < 0)
		snprintf(b->err, b->errlen, "cannot add an IPv6 aggregate /%u: %s", g->len,
			rte_strerror(-rc));
	return rc;
}

/* Give each aggregate the value of the routes above it, shortest first, as routes added
 * after it (not in the plan) may cover it. */
static int fix_aggregates(struct builder *b, const struct route_plan *pl)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(b->f->fib6);

	for (unsigned int len = AGG_FIRST; len < 128; len += 8)
		for (uint32_t i = 0; i < pl->n_agg; i++) {
			const struct aggregate *g = &pl->agg[i];
			struct rte_rib6_node *node, *parent;
			uint64_t nh, want = FIB_NH_NONE;
			if (g->len != len ||
				(node = rte_rib6_lookup_exact(rib, g->addr, len)) == NULL)
				continue;
			rte_rib6_get_nh(node, &nh);
			if (!(nh & FIB_NH_AGGREGATE))
				continue; /* a route of the same prefix replaced it */
			parent = rte_rib6_lookup_parent(node);
			if (parent != NULL)
				rte_rib6_get_nh(parent, &want);
			want = (want & FIB_NH_ID_MASK) | FIB_NH_AGGREGATE;
			if (want == nh)
				continue;
			/* rte_fib6_add() of a prefix already there does not say when it fails */
			rte_fib6_add(b->f->fib6, g->addr, (uint8_t)len, want);
			rte_rib6_get_nh(node, &nh);
			if (nh != want) {
				snprintf(b->err, b->errlen, "cannot update an IPv6 aggregate /%u",
					len);
				return -1;
			}
		}
	return 0;
}

/*
 * Precedence, lowest first (a later add of the same prefix replaces the earlier one):
 * configured routes in their order, connected subnets, neighbour host routes, the ports'
 * own addresses; then the roles' routes (fib_tunnel.c). rte_fib takes depth 0.
 */
static int fill(struct builder *b, const struct mpgw_config *cfg, const struct route_plan *pl)
{
	uint32_t g = 0;

	for (uint32_t k = 0; k < cfg->n_routes; k++) {
		for (; g < pl->n_agg && pl->agg[g].pos == k; g++)
			if (add_aggregate(b, &pl->agg[g]) < 0)
				return -1;
		if (add_config_route(b, cfg, pl->order != NULL ? pl->order[k] : k) < 0)
			return -1;
	}

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++) {
			struct ipprefix net = cfg->ports[i].addrs[j];
			ipprefix_mask(&net);
			if (builder_add_route(
				    b, &net, builder_nexthop(b, FIB_NH_UNRESOLVED, i, NULL)) < 0)
				return -1;
		}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		const struct cfg_neighbour *nb = &cfg->neighbours[i];
		struct ipprefix host = host_prefix(&nb->addr);
		if (builder_add_route(
			    b, &host, builder_nexthop(b, FIB_NH_FORWARD, nb->port, &nb->mac)) < 0)
			return -1;
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++) {
			struct ipprefix host = host_prefix(&cfg->ports[i].addrs[j].addr);
			if (builder_add_route(b, &host, builder_nexthop(b, FIB_NH_LOCAL, i, NULL)) <
				0)
				return -1;
		}
	/* the roles look routes up */
	return fix_aggregates(b, pl);
}

/*
 * tbl8 groups (256 entries) a prefix of length len may need and reserve: one per byte
 * beyond /24. rte_fib (DIR-24-8) reserves one per /24 that holds longer prefixes, so one
 * per prefix longer than /24 is a bound; rte_fib6's trie reserves up to this per prefix
 * (see the aggregates above).
 */
static inline uint32_t tbl8_groups(unsigned int len)
{
	return len > 24 ? (len - 24 + 7) / 8 : 0;
}

struct fib *fib_build(const struct mpgw_config *cfg, const struct fib_port *ports, int socket,
	char *err, size_t errlen)
{
	struct route_plan pl;
	uint32_t n_lans = 0;

	for (unsigned int g = 0; g < cfg->n_gw; g++)
		n_lans += cfg->gw[g].n_lans;
	uint32_t n_entries = cfg->n_routes + cfg->n_neighbours +
			     2 * MPGW_MAX_PORT_ADDRS * cfg->n_ports + cfg->n_bypass + cfg->n_gw +
			     n_lans;
	plan_routes(&pl, cfg);
	/*
	 * Each family's tables sized for its own entries (the rest counted in both), and the
	 * tbl8 groups that prefixes longer than /24 may need for those only: a 1M-route IPv4
	 * table of /24s and shorter needs none. Configured IPv6 routes under aggregates
	 * need one per aggregate, and one per route of length 8k+1.
	 */
	uint32_t n_fam[2] = {0, 0}, tbl8[2] = {0, 0}; /* IPv4, IPv6 */
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct ipprefix *p = &cfg->routes[i].prefix;
		bool v6 = p->addr.family == 6;
		n_fam[v6]++;
		if (v6 && pl.order != NULL)
			tbl8[1] += p->len > 24 && p->len % 8 == 1;
		else
			tbl8[v6] += tbl8_groups(p->len);
	}
	n_fam[1] += pl.n_agg;
	tbl8[1] += pl.n_agg;
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		bool v6 = cfg->neighbours[i].addr.family == 6;
		n_fam[v6]++;
		tbl8[v6] += tbl8_groups(v6 ? 128 : 32);
	}
	uint32_t shared = n_entries - cfg->n_routes - cfg->n_neighbours;
	n_fam[0] += shared;
	n_fam[1] += shared;
	tbl8[0] += shared * tbl8_groups(32);
	tbl8[1] += shared * tbl8_groups(128);
	/* Ids below FIB_NH_NONE, the tables' "no route". */
	uint32_t cap = RTE_MIN(
		n_entries + 1 + cfg->n_ecmp * (CFG_MAX_ECMP_HOPS + 1), (uint32_t)FIB_NH_NONE);
	struct builder b = {.cap = cap,
		.ports = ports,
		.cfg = cfg,
		.socket = socket,
		.err = err,
		.errlen = errlen};
	char name[32];
	uint32_t gen = ++fib_gen;

	b.f = rte_zmalloc_socket("mpgw_fib", sizeof(*b.f) + cap * sizeof(struct fib_nexthop),
		RTE_CACHE_LINE_SIZE, socket);
	if (b.f != NULL) {
		b.f->ecmp = rte_zmalloc_socket("mpgw_fib_ecmp",
			(cfg->n_ecmp + 1) * sizeof(struct fib_ecmp), RTE_CACHE_LINE_SIZE, socket);
		b.ecmp_nh = calloc(cfg->n_ecmp + 1, sizeof(*b.ecmp_nh));
	}
	if (b.f == NULL || b.f->ecmp == NULL || b.ecmp_nh == NULL ||
		builder_indexes_new(&b, cfg) < 0) {
		snprintf(err, errlen, "cannot allocate the FIB");
		goto fail;
	}
	b.f->gen = gen;

	/* 4-byte entries: nexthop ids take 16 bits, and 2-byte entries hold 15. */
	struct rte_fib_conf c4 = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB_NH_NONE,
		.max_routes = (int)RTE_MAX(1024u, n_fam[0]),
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = RTE_MAX(256u, tbl8[0])},
	};
	snprintf(name, sizeof(name), "mpgw_fib4_%u", gen);
	b.f->fib4 = rte_fib_create(name, socket, &c4);

	/* A quarter more groups than the bound, should a route need one unforeseen. */
	struct rte_fib6_conf c6 = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB_NH_NONE,
		.max_routes = (int)RTE_MAX(1024u, n_fam[1]),
		.trie = {.nh_sz = RTE_FIB6_TRIE_4B,
			.num_tbl8 = RTE_MAX(1024u, tbl8[1] + tbl8[1] / 4)},
	};
	snprintf(name, sizeof(name), "mpgw_fib6_%u", gen);
	b.f->fib6 = rte_fib6_create(name, socket, &c6);

	if (b.f->fib4 == NULL || b.f->fib6 == NULL) {
		snprintf(
			err, errlen, "cannot create the route tables: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if (fill(&b, cfg, &pl) < 0 || fib_build_roles(&b) < 0 || fix_aggregates(&b, &pl) < 0)
		goto fail;
	/* Built on the control thread, which alone publishes: the live version is stable. */
	const struct fib *live = fib_current();
	b.f->path_gen = live != NULL && tun_paths_equal(&live->tun, &b.f->tun) ? live->path_gen
									       : ++path_gen;
	free(b.nh_slots);
	free(b.nb_slots);
	free(b.ecmp_nh);
	plan_free(&pl);
	return b.f;
fail:
	free(b.nh_slots);
	free(b.nb_slots);
	free(b.ecmp_nh);
	plan_free(&pl);
	fib_free(b.f);
	return NULL;
}

void fib_free(struct fib *f)
{
	if (f == NULL)
		return;
	rte_fib_free(f->fib4);
	rte_fib6_free(f->fib6);
	fib_free_roles(f);
	rte_free(f->sched);
	rte_free(f->ecmp);
	rte_free(f);
}

/* Control-side readers (telemetry) hold this instead of reporting to RCU. */
static pthread_mutex_t fib_ctl_mutex = PTHREAD_MUTEX_INITIALIZER;

void fib_ctl_lock(void)
{
	pthread_mutex_lock(&fib_ctl_mutex);
}

void fib_ctl_unlock(void)
{
	pthread_mutex_unlock(&fib_ctl_mutex);
}

void fib_publish(struct fib *f, struct rte_rcu_qsbr *rcu)
{
	/* Freeing is slow (DPDK zeroes what it frees: two 64 MiB tables, the tbl8 groups and
	 * the trees' nodes): RCU_SWAP waits outside the lock, and the free comes after. */
	struct fib *old = RCU_SWAP(&fib_live, f, rcu, &fib_ctl_mutex);

	if (old != NULL)
		fib_free(old);
}
