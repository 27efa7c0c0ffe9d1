/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to lib/fib: the state of a version being built, shared by fib.c (routes,
 * neighbours, addresses) and fib_tunnel.c (the roles: policy, bypass, tunnels). */
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
};

/* The id of an identical nexthop, or a new one; -1 (error written) when the space is full. */
int nh_get(struct builder *b, enum fib_nh_type type, int port, const struct rte_ether_addr *dst);
/* Add a route to the version's tables; -1 with an error written. */
int add_route(struct builder *b, const struct ipprefix *p, int nh);
/* Add p -> value to a pair of LPM tables (a /0 as its two halves); rte_lpm's error code. */
int fib_lpm_add(
	struct rte_lpm *lpm4, struct rte_lpm6 *lpm6, const struct ipprefix *p, uint32_t value);
const struct cfg_neighbour *find_neighbour(
	const struct mpgw_config *cfg, const struct ipaddr *a, int port);

/* fib_tunnel.c: the role tables, once routes and neighbours are in. */
int fib_build_roles(struct builder *b);
void fib_free_roles(struct fib *f);

#endif
