/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow-key helpers shared by the parser's unit tests and fuzz target. */
#ifndef MPGW_TEST_FLOW_H
#define MPGW_TEST_FLOW_H

#include <string.h>

#include "pkt_parse.h"

/* The key of the same flow seen in the other direction. */
static inline struct pkt_flow_key test_flow_mirror(const struct pkt_flow_key *k)
{
	struct pkt_flow_key r = *k;

	r.sport = k->dport;
	r.dport = k->sport;
	if (k->family == 6) {
		memcpy(r.v6.src, k->v6.dst, 16);
		memcpy(r.v6.dst, k->v6.src, 16);
	} else {
		r.v4.src = k->v4.dst;
		r.v4.dst = k->v4.src;
	}
	return r;
}

#endif
