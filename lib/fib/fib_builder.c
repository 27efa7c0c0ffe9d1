/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primitives a version of the tables is built with (fib_builder.h), shared by fib.c
 * (routes, neighbours, addresses) and fib_tunnel.c (the roles): nexthops deduplicated
 * through an index, routes added, the configuration's neighbours found, and a route
 * looked up in what is built so far. They use nothing of either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_jhash.h>

#include "fib.h"
#include "fib_builder.h"

/* The slots of an open-addressing index for n keys: a power of two, at most half full. */
static uint32_t *slots_new(uint32_t n, uint32_t *mask)
{
	uint32_t size = 16;

	while (size < 2 * n)
		size <<= 1;
	*mask = size - 1;
	return calloc(size, sizeof(uint32_t));
}

/* The id of an identical nexthop, or a new one; -1 when the id space is full. */
int builder_nexthop(
	struct builder *b, enum fib_nh_type type, int port, const struct rte_ether_addr *dst)
{
	struct fib_nexthop nh = {.type = type, .port = port < 0 ? 0 : port};
	uint32_t h;

	if (port >= 0) {
		nh.port_id = b->ports[port].port_id;
		nh.src = b->ports[port].mac;
	}
	if (dst != NULL)
		nh.dst = *dst;
	if (b->nh_last != 0 && memcmp(&b->f->nexthops[b->nh_last - 1], &nh, sizeof(nh)) == 0)
		return (int)b->nh_last - 1;
	for (h = rte_jhash(&nh, sizeof(nh), 0) & b->nh_mask; b->nh_slots[h] != 0;
		h = (h + 1) & b->nh_mask)
		if (memcmp(&b->f->nexthops[b->nh_slots[h] - 1], &nh, sizeof(nh)) == 0) {
			b->nh_last = b->nh_slots[h];
			return (int)b->nh_last - 1;
		}
	if (b->f->n_nexthops == b->cap) {
		snprintf(b->err, b->errlen, "more than %u nexthops", b->cap);
		return -1;
	}
	b->f->nexthops[b->f->n_nexthops] = nh;
	b->nh_slots[h] = b->nh_last = b->f->n_nexthops + 1;
	return (int)b->f->n_nexthops++;
}

int builder_add_route(struct builder *b, const struct ipprefix *p, int nh)
{
	char buf[64];
	int rc;

	if (nh < 0)
		return -1;
	if (p->addr.family == 4)
		rc = rte_fib_add(b->f->fib4, rte_be_to_cpu_32(p->addr.v4), p->len, (uint64_t)nh);
	else
		rc = rte_fib6_add(b->f->fib6, p->addr.v6, p->len, (uint64_t)nh);
	if (rc < 0) {
		snprintf(b->err, b->errlen, "cannot add route %s/%u: %s",
			ipaddr_str(&p->addr, buf, sizeof(buf)), p->len, rte_strerror(-rc));
		return rc;
	}
	if (p->addr.family == 4)
		b->f->n_routes4++;
	else
		b->f->n_routes6++;
	return 0;
}

static uint32_t neighbour_hash(const struct ipaddr *a, int port)
{
	struct {
		int32_t port;
		uint32_t family;
		uint8_t addr[16];
	} k = {.port = port, .family = a->family};

	memcpy(k.addr, a->family == 4 ? (const void *)&a->v4 : (const void *)a->v6,
		a->family == 4 ? 4 : 16);
	return rte_jhash(&k, sizeof(k), 0);
}

/* The slot of neighbour (a, port) in the index: its own, or the empty one it would take. */
static uint32_t neighbour_slot(const struct builder *b, const struct ipaddr *a, int port)
{
	uint32_t h;

	for (h = neighbour_hash(a, port) & b->nb_mask; b->nb_slots[h] != 0;
		h = (h + 1) & b->nb_mask) {
		const struct cfg_neighbour *nb = &b->cfg->neighbours[b->nb_slots[h] - 1];
		if (nb->port == port && ipaddr_equal(&nb->addr, a))
			break;
	}
	return h;
}

const struct cfg_neighbour *builder_neighbour(
	const struct builder *b, const struct ipaddr *a, int port)
{
	uint32_t s = b->nb_slots[neighbour_slot(b, a, port)];

	return s != 0 ? &b->cfg->neighbours[s - 1] : NULL;
}

int builder_indexes_new(struct builder *b, const struct mpgw_config *cfg)
{
	b->nh_slots = slots_new(b->cap, &b->nh_mask);
	b->nb_slots = slots_new(cfg->n_neighbours, &b->nb_mask);
	if (b->nh_slots == NULL || b->nb_slots == NULL)
		return -1;
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		uint32_t h = neighbour_slot(b, &cfg->neighbours[i].addr, cfg->neighbours[i].port);
		if (b->nb_slots[h] == 0)
			b->nb_slots[h] =
				i + 1; /* the first of equals, as builder_neighbour gives */
	}
	return 0;
}

uint32_t fib_route(const struct fib *f, const struct ipaddr *a)
{
	uint64_t nh = FIB_NH_NONE;

	if (a->family == 4) {
		uint32_t ip = rte_be_to_cpu_32(a->v4);
		rte_fib_lookup_bulk(f->fib4, &ip, &nh, 1);
	} else {
		uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
		memcpy(ip[0], a->v6, sizeof(ip[0]));
		rte_fib6_lookup_bulk(f->fib6, ip, &nh, 1);
	}
	return (uint32_t)nh & FIB_NH_ID_MASK;
}
