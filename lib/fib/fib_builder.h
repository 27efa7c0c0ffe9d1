/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to lib/fib: the state of a version being built and its primitives
 * (fib_builder.c), shared by fib.c (routes, neighbours, addresses) and fib_tunnel.c (the
 * roles: policy, bypass, tunnels). */
#ifndef MPGW_FIB_BUILDER_H
#define MPGW_FIB_BUILDER_H

#include "config.h"
#include "fib.h"

struct builder {
	struct fib *f;
	uint32_t cap; /* nexthops allocated */
	const struct fib_port *ports;
	const struct mpgw_config *cfg;
	int socket;
	char *err;
	size_t errlen;
	/* Open-addressing indexes of the build (slot: position + 1, 0 empty), so that a build
	 * stays linear in routes whatever the number of nexthops and neighbours. */
	uint32_t *nh_slots; /* f->nexthops by value */
	uint32_t nh_mask;
	uint32_t nh_last;   /* the id builder_nexthop gave last, + 1: runs of routes share one */
	uint32_t *nb_slots; /* cfg->neighbours by (port, address), the first of equals */
	uint32_t nb_mask;
	uint32_t *ecmp_nh; /* by cfg->ecmp index: its FIB_NH_ECMP nexthop id + 1, 0 none yet */
};

/* The id of an identical nexthop, or a new one; -1 (error written) when the space is full. */
int builder_nexthop(
	struct builder *b, enum fib_nh_type type, int port, const struct rte_ether_addr *dst);
/* Add a route to the version's tables (a later add of the same prefix replaces the earlier
 * one); -1 with an error written. */
int builder_add_route(struct builder *b, const struct ipprefix *p, int nh);
/* The configuration's neighbour of address a on port, or NULL. */
const struct cfg_neighbour *builder_neighbour(
	const struct builder *b, const struct ipaddr *a, int port);
/* The nexthop and neighbour indexes of a new build (b->cap and b->cfg set); -1 without
 * memory. */
int builder_indexes_new(struct builder *b, const struct mpgw_config *cfg);

/* fib_tunnel.c: the role tables, once routes and neighbours are in. */
int fib_build_roles(struct builder *b);
/* Do a and b have the same tunnel paths, in the same order and groups? */
bool tun_paths_equal(const struct tunnels *a, const struct tunnels *b);
void fib_free_roles(struct fib *f);

#endif
