/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's routes on the twins, mirrored: the best metric per prefix, the others
 * shadowed until it goes, multipath routes by their next-hop set.
 */
#include "nl_sync_internal.h"

/* --- routes --------------------------------------------------------------------------- */

/* Are a and b the same route of one prefix and metric: the same next hop(s)? */
static bool same_next_hop(const struct cfg_route *a, const struct cfg_route *b)
{
	if (a->type != b->type || a->port != b->port)
		return false;
	if (a->type == CFG_ROUTE_ECMP)
		return a->ecmp == b->ecmp;
	return a->type != CFG_ROUTE_VIA || ipaddr_equal(&a->via, &b->via);
}

/* The shadowed route of k with this metric and next hop (r NULL: any next hop, the first
 * installed), or with any: of k the one the kernel would use next, of lowest metric and
 * first installed among equals; -1 if none. */
static int shadowed_find(
	const struct route_key *k, bool any, uint32_t metric, const struct cfg_route *r)
{
	int best = -1;

	for (uint32_t i = 0; i < nls.n_shadowed; i++) {
		const struct shadowed_route *sr = &nls.shadowed[i];
		if (memcmp(&sr->k, k, sizeof(*k)) != 0 || (!any && sr->metric != metric) ||
			(!any && r != NULL && !same_next_hop(&sr->r, r)))
			continue;
		if (best < 0 || sr->metric < nls.shadowed[best].metric ||
			(sr->metric == nls.shadowed[best].metric &&
				sr->seq < nls.shadowed[best].seq))
			best = (int)i;
	}
	return best;
}

/* Add a route of k to the shadowed list. first: it was installed before the others of its
 * metric (the primary making way for a route of lower metric). */
static void shadowed_add(
	const struct route_key *k, uint32_t metric, const struct cfg_route *r, bool first)
{
	int64_t seq = ++nls.route_seq;

	if (nls.n_shadowed == NL_MAX_SHADOWED) {
		nls.stats.ignored++;
		return;
	}
	if (first) {
		int j = shadowed_find(k, false, metric, NULL);
		if (j >= 0)
			seq = nls.shadowed[j].seq - 1;
	}
	nls.shadowed[nls.n_shadowed++] =
		(struct shadowed_route){.k = *k, .metric = metric, .seq = seq, .r = *r};
}

static void shadowed_remove(int i)
{
	nls.shadowed[i] = nls.shadowed[--nls.n_shadowed];
}

/* Take route i of the mirror out: the next of its prefix in its place, if any. */
static void route_remove(uint32_t i)
{
	int next = shadowed_find(&nls.route_keys[i], true, 0, NULL);

	nls_mark_dirty();
	if (next >= 0) {
		nls.routes[i] = nls.shadowed[next].r;
		nls.route_metrics[i] = nls.shadowed[next].metric;
		shadowed_remove(next);
		return;
	}
	uint32_t last = --nls.n_routes;
	rte_hash_del_key(nls.route_index, &nls.route_keys[i]);
	if (i != last) {
		nls.routes[i] = nls.routes[last];
		nls.route_keys[i] = nls.route_keys[last];
		nls.route_metrics[i] = nls.route_metrics[last];
		rte_hash_add_key_data(nls.route_index, &nls.route_keys[i], (void *)(uintptr_t)i);
	}
}

/*
 * The mirror holds, per prefix, the route the kernel uses: of lowest metric, the first
 * installed among equals (`ip route append` adds routes of the same metric). The others
 * wait in the shadowed list and take its place when it goes. A route is told from the
 * others of its prefix by its metric and next hop(s).
 *
 * route_del: the route of k, metric and r's next hop is gone (r NULL: the first of that
 * metric, what `ip route replace` replaces).
 */
static bool route_del(const struct route_key *k, uint32_t metric, const struct cfg_route *r)
{
	void *data;

	if (rte_hash_lookup_data(nls.route_index, k, &data) < 0)
		return false;
	uint32_t i = (uint32_t)(uintptr_t)data;
	if (nls.route_metrics[i] == metric && (r == NULL || same_next_hop(&nls.routes[i], r))) {
		route_remove(i);
		return true;
	}
	int j = shadowed_find(k, false, metric, r);
	if (j >= 0)
		shadowed_remove(j);
	return j >= 0;
}

/* A route of k: added (or appended), or with replace in place of the first of its metric. */
static void route_set(
	const struct route_key *k, uint32_t metric, const struct cfg_route *r, bool replace)
{
	void *data;
	uint32_t i;

	if (rte_hash_lookup_data(nls.route_index, k, &data) < 0) {
		if (nls.n_routes == nls.max_routes) {
			nls.stats.ignored++;
			return;
		}
		i = nls.n_routes++;
		nls.route_keys[i] = *k;
		if (rte_hash_add_key_data(nls.route_index, k, (void *)(uintptr_t)i) < 0) {
			nls.n_routes--;
			nls.stats.ignored++;
			return;
		}
	} else {
		i = (uint32_t)(uintptr_t)data;
		/* The route this one updates: the same again, or with replace the first of its
		 * metric; the primary is the first of its metric. */
		bool primary = nls.route_metrics[i] == metric &&
			       (replace || same_next_hop(&nls.routes[i], r));
		if (!primary) {
			int j = shadowed_find(k, false, metric, replace ? NULL : r);
			if (j >= 0) {
				nls.shadowed[j].r = *r;
				return;
			}
			/* A new route of the prefix: used if of lower metric. */
			if (metric >= nls.route_metrics[i]) {
				shadowed_add(k, metric, r, false);
				return;
			}
			shadowed_add(k, nls.route_metrics[i], &nls.routes[i], true);
		}
	}
	nls.routes[i] = *r;
	nls.route_metrics[i] = metric;
	nls_mark_dirty();
}

/* --- multipath (ECMP) ----------------------------------------------------------------- */

/* Keep only the next-hop sets the routes still use, renumbered. */
static void ecmp_compact(void)
{
	struct cfg_ecmp *fresh = calloc(NL_MAX_ECMP, sizeof(*fresh));
	uint32_t *map = malloc(NL_MAX_ECMP * sizeof(*map));
	uint32_t n = 0;

	if (fresh == NULL || map == NULL) {
		free(fresh);
		free(map);
		return;
	}
	memset(map, 0xff, NL_MAX_ECMP * sizeof(*map));
	for (uint32_t i = 0; i < nls.n_routes + nls.n_shadowed; i++) {
		struct cfg_route *r =
			i < nls.n_routes ? &nls.routes[i] : &nls.shadowed[i - nls.n_routes].r;
		if (r->type != CFG_ROUTE_ECMP)
			continue;
		if (map[r->ecmp] == UINT32_MAX) {
			fresh[n] = nls.ecmp[r->ecmp];
			map[r->ecmp] = n++;
		}
		r->ecmp = map[r->ecmp];
	}
	free(nls.ecmp);
	free(map);
	nls.ecmp = fresh;
	nls.n_ecmp = n;
}

/* The index of next-hop set g in the mirror, added if new; -1 when there is no room. Sets
 * are compared whole: they are built zeroed. */
static int ecmp_intern(const struct cfg_ecmp *g)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < nls.n_ecmp; i++)
			if (memcmp(&nls.ecmp[i], g, sizeof(*g)) == 0)
				return (int)i;
		if (nls.n_ecmp < NL_MAX_ECMP) {
			nls.ecmp[nls.n_ecmp] = *g;
			return (int)nls.n_ecmp++;
		}
		ecmp_compact(); /* drops the sets of routes gone since */
	}
	return -1;
}

/* Next hop nh of a multipath route (rtnh_len checked to be within the attribute) into g,
 * if out of a twin and g has room. False when its gateway is not an address. */
static bool multipath_hop(const struct rtnexthop *nh, int family, struct cfg_ecmp *g)
{
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	const struct attr_size sizes[] = {{RTA_GATEWAY, nls_addr_size(family)}};

	nl_parse_payload(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX);
	if (!nls_attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return false;
	int port = nl_sync_port_of_ifindex(nh->rtnh_ifindex);
	if (port < 0 || g->n_hops == CFG_MAX_ECMP_HOPS) {
		nls.stats.ignored++;
		return true;
	}
	struct cfg_ecmp_hop *h = &g->hops[g->n_hops++];
	h->port = port;
	h->weight = (uint16_t)(nh->rtnh_hops + 1);
	if (tb[RTA_GATEWAY] != NULL)
		nls_attr_addr(&h->via, family, tb[RTA_GATEWAY]);
	return true;
}

/*
 * The next hops of RTA_MULTIPATH out of twins, with their weights, into g (zeroed). The
 * attribute is a run of struct rtnexthop, each rtnh_len bytes long (its attributes
 * included) and padded to 4 bytes; a next hop that does not fit what is left of it makes
 * the whole refused: false, counted. (RTNH_OK reads rtnh_len before it knows there is one.)
 */
static bool multipath_hops(const struct nlattr *mp, int family, struct cfg_ecmp *g)
{
	const uint8_t *at = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	memset(g, 0, sizeof(*g));
	while (left > 0) {
		const struct rtnexthop *nh = (const void *)at;
		if (left < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left) {
			nls.stats.malformed++;
			return false;
		}
		if (!multipath_hop(nh, family, g))
			return false;
		size_t step = RTE_MIN((size_t)RTNH_ALIGN(nh->rtnh_len), left);
		at += step;
		left -= step;
	}
	return true;
}

/* A unicast route of the kernel into r: out of one twin, via a gateway or on-link; or
 * over several next hops (g, its multipath next hops out of twins: ECMP). False when none
 * is out of a twin. */
static bool unicast_route(
	struct cfg_route *r, int family, const struct nlattr **tb, const struct cfg_ecmp *g)
{
	if (g != NULL) {
		if (g->n_hops == 0)
			return false;
		if (g->n_hops > 1) {
			int i = ecmp_intern(g);
			if (i < 0)
				return false;
			r->type = CFG_ROUTE_ECMP;
			r->ecmp = (uint32_t)i;
			return true;
		}
		/* One next hop left out of the twins: a plain route. */
		r->port = g->hops[0].port;
		r->via = g->hops[0].via;
		r->type = r->via.family != 0 ? CFG_ROUTE_VIA : CFG_ROUTE_ONLINK;
		return true;
	}
	r->port = tb[RTA_OIF] ? nl_sync_port_of_ifindex((int)mnl_attr_get_u32(tb[RTA_OIF])) : -1;
	if (r->port < 0)
		return false;
	r->type = CFG_ROUTE_ONLINK;
	if (tb[RTA_GATEWAY] != NULL) {
		nls_attr_addr(&r->via, family, tb[RTA_GATEWAY]);
		r->type = CFG_ROUTE_VIA;
	}
	return true;
}

/* Would fib_build() take r? If not, r is left out of the mirror (counted, the first one
 * said): one route it refuses would make every later version fail. */
static bool buildable(const struct cfg_route *r)
{
	char err[256];

	if (fib_route_check(r, nls.ecmp, nls.n_ecmp, n_ports, err, sizeof(err)) == 0)
		return true;
	if (nls.stats.rejected++ == 0) /* the others counted only: `rejected` */
		printf("mpgw: a kernel route left out of the mirror: %s\n", err);
	return false;
}

void nls_on_route(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	struct cfg_route r = {.port = -1};
	struct cfg_ecmp g;

	if (!nls_header_fits(nlh, sizeof(*rt)))
		return;
	if (!nls_ip_family(rt->rtm_family)) {
		nls.stats.ignored++;
		return;
	}
	if (!nls_prefix_attrs(nlh, sizeof(*rt), rt->rtm_family, rt->rtm_dst_len, tb, RTA_MAX))
		return;
	const uint16_t alen = nls_addr_size(rt->rtm_family);
	const struct attr_size sizes[] = {{RTA_TABLE, sizeof(uint32_t)}, {RTA_DST, alen},
		{RTA_GATEWAY, alen}, {RTA_OIF, sizeof(uint32_t)}, {RTA_PRIORITY, sizeof(uint32_t)}};
	if (!nls_attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	if (table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL) {
		nls.stats.ignored++;
		return;
	}
	if (tb[RTA_MULTIPATH] != NULL && !multipath_hops(tb[RTA_MULTIPATH], rt->rtm_family, &g))
		return;
	struct route_key k = {.family = rt->rtm_family == AF_INET ? 4 : 6, .len = rt->rtm_dst_len};
	r.prefix.addr.family = k.family;
	r.prefix.len = rt->rtm_dst_len;
	if (tb[RTA_DST] != NULL)
		nls_attr_addr(&r.prefix.addr, rt->rtm_family, tb[RTA_DST]);
	ipprefix_mask(&r.prefix);
	memcpy(k.addr, k.family == 4 ? (const void *)&r.prefix.addr.v4 : r.prefix.addr.v6, alen);
	uint32_t metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	bool replace = (nlh->nlmsg_flags & NLM_F_REPLACE) != 0;
	/* IPv6 keeps the routes of one metric as one group of siblings, announced whole
	 * (RTA_MULTIPATH) when one is appended: the group replaces what there was. */
	if (k.family == 6 && tb[RTA_MULTIPATH] != NULL)
		replace = true;
	bool ours;
	switch (rt->rtm_type) {
	case RTN_BLACKHOLE:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
		r.type = CFG_ROUTE_BLACKHOLE;
		ours = true;
		break;
	case RTN_UNICAST:
		ours = unicast_route(&r, rt->rtm_family, tb, tb[RTA_MULTIPATH] ? &g : NULL);
		break;
	default:
		ours = false;
		break;
	}
	if (nlh->nlmsg_type == RTM_DELROUTE) {
		/* A sibling leaving an IPv6 group is announced alone, and the rest of the
		 * group not at all: read the routes again. */
		if (ours && !route_del(&k, metric, &r) && k.family == 6)
			nls.redump = true;
	} else if (ours && buildable(&r)) {
		route_set(&k, metric, &r, replace);
	} else {
		if (!ours)
			nls.stats.ignored++; /* not out of a twin, or of a kind mpgw has not */
		if (replace)		     /* the first of that metric is no longer ours */
			route_del(&k, metric, NULL);
	}
}
