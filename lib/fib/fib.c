/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "fib.h"
#include "fib_builder.h"

struct fib *fib_live;
static uint32_t fib_gen;

/* The id of an identical nexthop, or a new one; -1 when the id space is full. */
int nh_get(struct builder *b, enum fib_nh_type type, int port, const struct rte_ether_addr *dst)
{
	struct fib_nexthop nh = {.type = type, .port = port < 0 ? 0 : port};

	if (port >= 0) {
		nh.port_id = b->ports[port].port_id;
		nh.src = b->ports[port].mac;
	}
	if (dst != NULL)
		nh.dst = *dst;
	for (uint32_t i = 0; i < b->f->n_nexthops; i++)
		if (memcmp(&b->f->nexthops[i], &nh, sizeof(nh)) == 0)
			return i;
	if (b->f->n_nexthops == b->cap) {
		snprintf(b->err, b->errlen, "more than %u nexthops", b->cap);
		return -1;
	}
	b->f->nexthops[b->f->n_nexthops] = nh;
	return b->f->n_nexthops++;
}

int fib_lpm_add(
	struct rte_lpm *lpm4, struct rte_lpm6 *lpm6, const struct ipprefix *p, uint32_t value)
{
	struct ipprefix half = *p;
	int rc;

	if (p->len != 0) {
		if (p->addr.family == 4)
			return rte_lpm_add(lpm4, rte_be_to_cpu_32(p->addr.v4), p->len, value);
		return rte_lpm6_add(lpm6, p->addr.v6, p->len, value);
	}
	/* rte_lpm and rte_lpm6 take depths from 1: a default route is its two halves. */
	half.len = 1;
	rc = fib_lpm_add(lpm4, lpm6, &half, value);
	if (half.addr.family == 4)
		half.addr.v4 = RTE_BE32(0x80000000);
	else
		half.addr.v6[0] = 0x80;
	return rc == 0 ? fib_lpm_add(lpm4, lpm6, &half, value) : rc;
}

int add_route(struct builder *b, const struct ipprefix *p, int nh)
{
	char buf[64];
	int rc;

	if (nh < 0)
		return -1;
	rc = fib_lpm_add(b->f->lpm4, b->f->lpm6, p, nh);
	if (rc < 0) {
		snprintf(b->err, b->errlen, "cannot add route %s/%u: %s",
			ipaddr_str(&p->addr, buf, sizeof(buf)), p->len, rte_strerror(-rc));
		return rc;
	}
	/* Counted as entries: a default route is two. */
	uint32_t entries = p->len == 0 ? 2 : 1;
	if (p->addr.family == 4)
		b->f->n_routes4 += entries;
	else
		b->f->n_routes6 += entries;
	return 0;
}

const struct cfg_neighbour *find_neighbour(
	const struct mpgw_config *cfg, const struct ipaddr *a, int port)
{
	for (unsigned int i = 0; i < cfg->n_neighbours; i++)
		if (cfg->neighbours[i].port == port && ipaddr_equal(&cfg->neighbours[i].addr, a))
			return &cfg->neighbours[i];
	return NULL;
}

static int add_config_route(struct builder *b, const struct mpgw_config *cfg, unsigned int i)
{
	const struct cfg_route *r = &cfg->routes[i];
	const struct cfg_neighbour *nb;
	int nh;

	switch (r->type) {
	case CFG_ROUTE_BLACKHOLE:
		nh = nh_get(b, FIB_NH_BLACKHOLE, -1, NULL);
		break;
	case CFG_ROUTE_VIA:
		nb = find_neighbour(cfg, &r->via, r->port);
		nh = nb ? nh_get(b, FIB_NH_FORWARD, r->port, &nb->mac)
			: nh_get(b, FIB_NH_UNRESOLVED, r->port, NULL);
		break;
	default:
		nh = nh_get(b, FIB_NH_UNRESOLVED, r->port, NULL);
		break;
	}
	return add_route(b, &r->prefix, nh);
}

static struct ipprefix host_prefix(const struct ipaddr *a)
{
	struct ipprefix p = {.addr = *a, .len = a->family == 4 ? 32 : 128};
	return p;
}

/*
 * Precedence, lowest first (a later add of the same prefix replaces the earlier one):
 * configured routes, connected subnets, neighbour host routes, the ports' own addresses.
 * Configured routes go in by increasing prefix length, so that the /1 halves a default
 * route becomes never replace a configured /1.
 */
static int fill(struct builder *b, const struct mpgw_config *cfg)
{
	for (unsigned int len = 0; len <= 128; len++)
		for (unsigned int i = 0; i < cfg->n_routes; i++) {
			if (cfg->routes[i].prefix.len == len && add_config_route(b, cfg, i) < 0)
				return -1;
		}

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++) {
			struct ipprefix net = cfg->ports[i].addrs[j];
			ipprefix_mask(&net);
			if (add_route(b, &net, nh_get(b, FIB_NH_UNRESOLVED, i, NULL)) < 0)
				return -1;
		}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		const struct cfg_neighbour *nb = &cfg->neighbours[i];
		struct ipprefix host = host_prefix(&nb->addr);
		if (add_route(b, &host, nh_get(b, FIB_NH_FORWARD, nb->port, &nb->mac)) < 0)
			return -1;
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++) {
			struct ipprefix host = host_prefix(&cfg->ports[i].addrs[j].addr);
			if (add_route(b, &host, nh_get(b, FIB_NH_LOCAL, i, NULL)) < 0)
				return -1;
		}
	return 0;
}

/* tbl8 groups a prefix of length len may need at most: one per byte beyond /24. */
static inline uint32_t lpm_groups(unsigned int len)
{
	return len > 24 ? (len - 24 + 7) / 8 : 0;
}

struct fib *fib_build(const struct mpgw_config *cfg, const struct fib_port *ports, int socket,
	char *err, size_t errlen)
{
	uint32_t n_lans = 0;
	for (unsigned int g = 0; g < cfg->n_gw; g++)
		n_lans += cfg->gw[g].n_lans;
	uint32_t n_entries = cfg->n_routes + cfg->n_neighbours +
			     2 * MPGW_MAX_PORT_ADDRS * cfg->n_ports + cfg->n_bypass + cfg->n_gw +
			     n_lans;
	/*
	 * Each family's tables sized for its own entries (the rest counted in both), and the
	 * groups of 256 entries that prefixes longer than /24 need (rte_lpm: one per /24 they
	 * fall in; rte_lpm6: one per byte beyond the first three) for those only: a 1M-route
	 * IPv4 table of /24s and shorter needs none, and a tbl8 group per route would be
	 * 1 GiB.
	 */
	uint32_t n_fam[2] = {0, 0}, tbl8[2] = {0, 0}; /* IPv4, IPv6 */
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct ipprefix *p = &cfg->routes[i].prefix;
		n_fam[p->addr.family == 6]++;
		tbl8[p->addr.family == 6] += lpm_groups(p->len);
	}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		bool v6 = cfg->neighbours[i].addr.family == 6;
		n_fam[v6]++;
		tbl8[v6] += lpm_groups(v6 ? 128 : 32);
	}
	uint32_t shared = n_entries - cfg->n_routes - cfg->n_neighbours;
	n_fam[0] += shared;
	n_fam[1] += shared;
	tbl8[0] += shared * lpm_groups(32);
	tbl8[1] += shared * lpm_groups(128);
	uint32_t cap = RTE_MIN(n_entries + 1, MPGW_MAX_NEXTHOPS);
	struct builder b = {.cap = cap,
		.ports = ports,
		.cfg = cfg,
		.socket = socket,
		.err = err,
		.errlen = errlen};
	char name[RTE_LPM_NAMESIZE];
	uint32_t gen = ++fib_gen;

	b.f = rte_zmalloc_socket("mpgw_fib", sizeof(*b.f) + cap * sizeof(struct fib_nexthop),
		RTE_CACHE_LINE_SIZE, socket);
	if (b.f == NULL) {
		snprintf(err, errlen, "cannot allocate the FIB");
		return NULL;
	}
	b.f->gen = gen;

	struct rte_lpm_config c4 = {
		.max_rules = RTE_MAX(1024u, 2 * n_fam[0]),
		.number_tbl8s = RTE_MAX(256u, tbl8[0]),
	};
	snprintf(name, sizeof(name), "mpgw_fib4_%u", gen);
	b.f->lpm4 = rte_lpm_create(name, socket, &c4);

	struct rte_lpm6_config c6 = {
		.max_rules = RTE_MAX(1024u, 2 * n_fam[1]),
		.number_tbl8s = RTE_MAX(1024u, tbl8[1]),
	};
	snprintf(name, sizeof(name), "mpgw_fib6_%u", gen);
	b.f->lpm6 = rte_lpm6_create(name, socket, &c6);

	if (b.f->lpm4 == NULL || b.f->lpm6 == NULL) {
		snprintf(
			err, errlen, "cannot create the route tables: %s", rte_strerror(rte_errno));
		fib_free(b.f);
		return NULL;
	}
	if (fill(&b, cfg) < 0 || fib_build_roles(&b) < 0) {
		fib_free(b.f);
		return NULL;
	}
	return b.f;
}

void fib_free(struct fib *f)
{
	if (f == NULL)
		return;
	rte_lpm_free(f->lpm4);
	rte_lpm6_free(f->lpm6);
	fib_free_roles(f);
	rte_free(f->sched);
	rte_free(f);
}

/* Control-side readers (telemetry) hold this instead of reporting to RCU. */
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;

void fib_ctl_lock(void)
{
	pthread_mutex_lock(&ctl_lock);
}

void fib_ctl_unlock(void)
{
	pthread_mutex_unlock(&ctl_lock);
}

void fib_publish(struct fib *f, struct rte_rcu_qsbr *rcu)
{
	fib_ctl_lock();
	struct fib *old = __atomic_exchange_n(&fib_live, f, __ATOMIC_ACQ_REL);
	/* From here no control-side reader (they hold the lock) can reach old; the workers
	 * may until the grace period ends. Freeing is slow (DPDK zeroes the two 64 MiB
	 * tables), so it is done without holding up telemetry. */
	fib_ctl_unlock();

	if (old != NULL) {
		if (rcu != NULL)
			rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
		fib_free(old);
	}
}
