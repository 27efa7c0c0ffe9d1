/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's routes, neighbours and addresses on the twins, mirrored into the FIB (see
 * nl_sync.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>

#include "fib.h"
#include "nl_attrs.h"
#include "nl_resolve.h"
#include "nl_sync.h"
#include "nl_sync_test.h"
#include "nl_transact.h"
#include "port.h"
#include "twin.h"
#include "uplink_ctl.h"
#include "worker.h"

#define NL_MAX_ROUTES (2u << 20) /* fewer for the tests (nl_sync_test_start) */
/* Routes shadowed by one of lower metric to the same prefix (kept to replace it when it
 * goes): one per uplink's default route on a multi-WAN gateway, so few. */
#define NL_MAX_SHADOWED 4096
/* Distinct next-hop sets of multipath routes (many routes share one). */
#define NL_MAX_ECMP	  CFG_MAX_ECMP_SETS
#define NL_MAX_NEIGHBOURS 65536
#define NL_MAX_ADDRS	  1024

struct route_key {
	uint8_t family, len;
	uint8_t pad[2];
	uint8_t addr[16];
};

/* A kernel route to a prefix the mirror has a route of lower metric to. */
struct shadowed_route {
	struct route_key k;
	uint32_t metric;
	int64_t seq; /* order of installation, for routes of equal metric */
	struct cfg_route r;
};

struct kernel_addr {
	struct ipprefix prefix; /* host bits kept */
	int port;
};

static struct {
	bool on;
	struct mnl_socket *ev; /* subscribed to route, neighbour and address changes */
	unsigned int rcvbuf;
	struct cfg_route *routes; /* the mirror, in no order */
	struct route_key *route_keys;
	uint32_t *route_metrics; /* of each route in routes */
	struct shadowed_route *shadowed;
	uint32_t n_shadowed;
	int64_t route_seq;
	struct cfg_ecmp *ecmp; /* next-hop sets of the multipath routes */
	uint32_t n_ecmp;
	uint32_t n_routes, max_routes;
	struct rte_hash *route_index; /* route_key -> position in routes */
	/* The neighbours, and the configured ones (a copy, for telemetry): written by the
	 * control thread under lock, read by telemetry under it; no worker reads them. */
	pthread_mutex_t lock;
	struct cfg_neighbour *neighbours;
	uint32_t n_neighbours;
	struct cfg_neighbour *conf_neighbours;
	uint32_t n_conf_neighbours;
	bool conf_copied; /* conf_neighbours are the running configuration's */
	struct kernel_addr addrs[NL_MAX_ADDRS]; /* in the order learnt */
	uint32_t n_addrs;
	bool addrs_changed; /* the ports' address sets are to be made again */
	bool dirty;
	uint64_t dirty_since;
	uint64_t last_build_end;
	uint64_t build_tsc;  /* the last build, without publishing (freeing the old version) */
	bool resync_pending; /* a resync's dump failed: try again at resync_at */
	bool redump;	     /* routes may have gone silently: dump everything again */
	bool lost;	     /* events were lost (an overrun, a datagram cut): resync */
	bool link_down[MPGW_MAX_PORTS]; /* twins seen administratively down */
	uint64_t resync_at;
	struct nl_sync_stats stats;
	uint8_t buf[1 << 16];
} nl = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool nl_sync_enabled(void)
{
	return nl.on;
}

void nl_sync_get_stats(struct nl_sync_stats *s)
{
	*s = nl.stats;
	s->neighbours = nl.n_neighbours;
	s->routes4 = s->routes6 = 0;
	for (uint32_t i = 0; i < nl.n_routes; i++) {
		if (nl.route_keys[i].family == 4)
			s->routes4++;
		else
			s->routes6++;
	}
}

static void mark_dirty(void)
{
	if (!nl.dirty)
		nl.dirty_since = rte_rdtsc();
	nl.dirty = true;
}

/* Weak: the unit tests and the fuzzer, without twins, give their own (nl_sync_test.h). */
__attribute__((weak)) int nl_sync_port_of_ifindex(int ifindex)
{
	return twin_port_of_ifindex(ifindex);
}

/* --- what the kernel says, checked ---------------------------------------------------- */

/*
 * The mirror reads no more of a message than its sizes allow: a family header longer than
 * the message's payload, an attribute the mirror reads whose payload is not of its type's
 * size, a prefix longer than its address, a multipath next hop past its attribute, each
 * make the message refused whole and counted (`malformed`). Attributes the mirror does not
 * read are not looked at: a newer kernel's are skipped.
 */

static bool ip_family(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* The size of an address of family (AF_INET or AF_INET6), and its longest prefix. */
static uint16_t addr_size(int family)
{
	return family == AF_INET ? 4 : 16;
}

static unsigned int max_prefix(int family)
{
	return 8u * addr_size(family);
}

/* Does nlh's payload hold its family header of len bytes? Counted if not. */
static bool header_fits(const struct nlmsghdr *nlh, size_t len)
{
	if (nlh->nlmsg_len >= NLMSG_LENGTH(len))
		return true;
	nl.stats.malformed++;
	return false;
}

/* An attribute the mirror reads, and the size of its payload. */
struct attr_size {
	uint16_t type;
	uint16_t len;
};

/* Are the attributes of tb named in sizes (those present) of their size exactly? Counted
 * if not. */
static bool attrs_sized(
	const struct nlattr *const *tb, const struct attr_size *sizes, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct nlattr *a = tb[sizes[i].type];
		if (a != NULL && mnl_attr_validate2(a, MNL_TYPE_BINARY, sizes[i].len) < 0) {
			nl.stats.malformed++;
			return false;
		}
	}
	return true;
}

/* The address in attribute at of family (AF_INET or AF_INET6), its size checked. */
static void attr_addr(struct ipaddr *a, int family, const struct nlattr *at)
{
	memset(a, 0, sizeof(*a));
	a->family = family == AF_INET ? 4 : 6;
	memcpy(family == AF_INET ? (void *)&a->v4 : (void *)a->v6, mnl_attr_get_payload(at),
		addr_size(family));
}

/* --- neighbours ----------------------------------------------------------------------- */

static void neighbour_update(const struct ipaddr *a, int port, const uint8_t *mac, bool present)
{
	uint32_t i;

	for (i = 0; i < nl.n_neighbours; i++)
		if (nl.neighbours[i].port == port && ipaddr_equal(&nl.neighbours[i].addr, a))
			break;
	if (!present) {
		if (i < nl.n_neighbours) {
			nl.neighbours[i] = nl.neighbours[--nl.n_neighbours];
			mark_dirty();
		}
		return;
	}
	if (i == nl.n_neighbours) {
		if (nl.n_neighbours == NL_MAX_NEIGHBOURS) {
			nl.stats.ignored++;
			return;
		}
		nl.n_neighbours++;
		nl.neighbours[i] = (struct cfg_neighbour){.addr = *a, .port = port};
	} else if (memcmp(nl.neighbours[i].mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN) == 0) {
		return; /* a state change only (reachable -> stale ...): nothing for us */
	}
	memcpy(nl.neighbours[i].mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	mark_dirty();
}

static void neighbour_set(const struct ipaddr *a, int port, const uint8_t *mac, bool present)
{
	pthread_mutex_lock(&nl.lock);
	neighbour_update(a, port, mac, present);
	pthread_mutex_unlock(&nl.lock);
}

static void on_neigh(const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = {0};
	struct ipaddr a;

	if (!header_fits(nlh, sizeof(*nd)))
		return;
	/* A bridge's entries (AF_BRIDGE, a twin made a bridge port) have no IP address. */
	int port = nl_sync_port_of_ifindex(nd->ndm_ifindex);
	if (port < 0 || !ip_family(nd->ndm_family)) {
		nl.stats.ignored++;
		return;
	}
	if (!nl_parse_attrs(nlh, sizeof(*nd), tb, NDA_MAX)) {
		nl.stats.malformed++;
		return;
	}
	/* A twin is an Ethernet device (TAP): its neighbours' MACs are 6 bytes. */
	const struct attr_size sizes[] = {
		{NDA_DST, addr_size(nd->ndm_family)}, {NDA_LLADDR, RTE_ETHER_ADDR_LEN}};
	if (!attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	if (tb[NDA_DST] == NULL) {
		nl.stats.ignored++;
		return;
	}
	attr_addr(&a, nd->ndm_family, tb[NDA_DST]);
	/* The kernel asking again (INCOMPLETE) or having failed to (FAILED) leaves the MAC the
	 * mirror has: an ARP or ND answer lost on a busy link must not take away a route or a
	 * tunnel path (a vps's paths to a gateway all go through its one router: the whole
	 * tunnel). Whether the next hop is alive is the probes' to judge; a new MAC replaces
	 * the old once the kernel learns one, and the entry's removal takes it away. */
	if (nlh->nlmsg_type == RTM_NEWNEIGH && (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED))) {
		nl.stats.neighbour_failures++;
		return;
	}
	const uint16_t usable =
		NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
	/* A unicast MAC only: the kernel keeps NOARP entries with the broadcast MAC for a
	 * subnet's broadcast address, which must not become a forwarding entry. */
	bool present = nlh->nlmsg_type == RTM_NEWNEIGH && (nd->ndm_state & usable) &&
		       tb[NDA_LLADDR] != NULL &&
		       rte_is_unicast_ether_addr(mnl_attr_get_payload(tb[NDA_LLADDR]));
	neighbour_set(&a, port, present ? mnl_attr_get_payload(tb[NDA_LLADDR]) : NULL, present);
}

/* --- addresses ------------------------------------------------------------------------ */

static void addr_set(const struct ipprefix *p, int port, bool present)
{
	uint32_t i;

	for (i = 0; i < nl.n_addrs; i++)
		if (nl.addrs[i].port == port && ipaddr_equal(&nl.addrs[i].prefix.addr, &p->addr))
			break;
	if (!present) {
		if (i == nl.n_addrs)
			return;
		/* in order: the first address of a family is an uplink's tunnel source */
		memmove(&nl.addrs[i], &nl.addrs[i + 1], (nl.n_addrs - i - 1) * sizeof(nl.addrs[0]));
		nl.n_addrs--;
		*(p->addr.family == 4 ? &nl.stats.addrs4 : &nl.stats.addrs6) -= 1;
	} else if (i < nl.n_addrs) {
		if (nl.addrs[i].prefix.len == p->len)
			return; /* its lifetimes or flags refreshed: nothing for us */
		nl.addrs[i].prefix.len = p->len;
	} else {
		if (nl.n_addrs == NL_MAX_ADDRS) {
			nl.stats.ignored++;
			return;
		}
		nl.addrs[nl.n_addrs++] = (struct kernel_addr){.prefix = *p, .port = port};
		*(p->addr.family == 4 ? &nl.stats.addrs4 : &nl.stats.addrs6) += 1;
	}
	nl.addrs_changed = true;
	mark_dirty();
}

static void on_addr(const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	struct ipprefix p;

	if (!header_fits(nlh, sizeof(*ifa)))
		return;
	int port = nl_sync_port_of_ifindex((int)ifa->ifa_index);
	if (port < 0 || !ip_family(ifa->ifa_family)) {
		nl.stats.ignored++;
		return;
	}
	if (ifa->ifa_prefixlen > max_prefix(ifa->ifa_family)) {
		nl.stats.malformed++;
		return;
	}
	if (!nl_parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX)) {
		nl.stats.malformed++;
		return;
	}
	const struct attr_size sizes[] = {{IFA_LOCAL, addr_size(ifa->ifa_family)},
		{IFA_ADDRESS, addr_size(ifa->ifa_family)}, {IFA_FLAGS, sizeof(uint32_t)}};
	if (!attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the same, or the far
	 * end's on a point-to-point link (IPv6 has IFA_ADDRESS only). */
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a == NULL) {
		nl.stats.ignored++;
		return;
	}
	attr_addr(&p.addr, ifa->ifa_family, a);
	p.len = ifa->ifa_prefixlen;
	uint32_t flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	bool usable = ifa->ifa_scope == RT_SCOPE_UNIVERSE &&
		      !(p.addr.family == 6 && ip6_is_link_local(p.addr.v6)) &&
		      !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	if (nlh->nlmsg_type == RTM_NEWADDR && !usable)
		nl.stats.ignored++; /* and gone from the mirror, if it was there */
	addr_set(&p, port, nlh->nlmsg_type == RTM_NEWADDR && usable);
	/* The kernel drops the IPv4 routes through a gateway the address made reachable
	 * without a word (no RTM_DELROUTE): read the routes again. */
	if (nlh->nlmsg_type == RTM_DELADDR && p.addr.family == 4)
		nl.redump = true;
}

/* A twin taken down (`ip link set wan0 down`) loses its IPv4 routes as silently. */
static void on_link(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (!header_fits(nlh, sizeof(*ifi)))
		return;
	int port = nl_sync_port_of_ifindex(ifi->ifi_index);
	if (port < 0)
		return;
	bool down = nlh->nlmsg_type == RTM_DELLINK || !(ifi->ifi_flags & IFF_UP);
	if (down && !nl.link_down[port])
		nl.redump = true;
	nl.link_down[port] = down;
}

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

	for (uint32_t i = 0; i < nl.n_shadowed; i++) {
		const struct shadowed_route *sr = &nl.shadowed[i];
		if (memcmp(&sr->k, k, sizeof(*k)) != 0 || (!any && sr->metric != metric) ||
			(!any && r != NULL && !same_next_hop(&sr->r, r)))
			continue;
		if (best < 0 || sr->metric < nl.shadowed[best].metric ||
			(sr->metric == nl.shadowed[best].metric && sr->seq < nl.shadowed[best].seq))
			best = (int)i;
	}
	return best;
}

/* Add a route of k to the shadowed list. first: it was installed before the others of its
 * metric (the primary making way for a route of lower metric). */
static void shadowed_add(
	const struct route_key *k, uint32_t metric, const struct cfg_route *r, bool first)
{
	int64_t seq = ++nl.route_seq;

	if (nl.n_shadowed == NL_MAX_SHADOWED) {
		nl.stats.ignored++;
		return;
	}
	if (first) {
		int j = shadowed_find(k, false, metric, NULL);
		if (j >= 0)
			seq = nl.shadowed[j].seq - 1;
	}
	nl.shadowed[nl.n_shadowed++] =
		(struct shadowed_route){.k = *k, .metric = metric, .seq = seq, .r = *r};
}

static void shadowed_remove(int i)
{
	nl.shadowed[i] = nl.shadowed[--nl.n_shadowed];
}

/* Take route i of the mirror out: the next of its prefix in its place, if any. */
static void route_remove(uint32_t i)
{
	int next = shadowed_find(&nl.route_keys[i], true, 0, NULL);

	mark_dirty();
	if (next >= 0) {
		nl.routes[i] = nl.shadowed[next].r;
		nl.route_metrics[i] = nl.shadowed[next].metric;
		shadowed_remove(next);
		return;
	}
	uint32_t last = --nl.n_routes;
	rte_hash_del_key(nl.route_index, &nl.route_keys[i]);
	if (i != last) {
		nl.routes[i] = nl.routes[last];
		nl.route_keys[i] = nl.route_keys[last];
		nl.route_metrics[i] = nl.route_metrics[last];
		rte_hash_add_key_data(nl.route_index, &nl.route_keys[i], (void *)(uintptr_t)i);
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

	if (rte_hash_lookup_data(nl.route_index, k, &data) < 0)
		return false;
	uint32_t i = (uint32_t)(uintptr_t)data;
	if (nl.route_metrics[i] == metric && (r == NULL || same_next_hop(&nl.routes[i], r))) {
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

	if (rte_hash_lookup_data(nl.route_index, k, &data) < 0) {
		if (nl.n_routes == nl.max_routes) {
			nl.stats.ignored++;
			return;
		}
		i = nl.n_routes++;
		nl.route_keys[i] = *k;
		if (rte_hash_add_key_data(nl.route_index, k, (void *)(uintptr_t)i) < 0) {
			nl.n_routes--;
			nl.stats.ignored++;
			return;
		}
	} else {
		i = (uint32_t)(uintptr_t)data;
		/* The route this one updates: the same again, or with replace the first of its
		 * metric; the primary is the first of its metric. */
		bool primary = nl.route_metrics[i] == metric &&
			       (replace || same_next_hop(&nl.routes[i], r));
		if (!primary) {
			int j = shadowed_find(k, false, metric, replace ? NULL : r);
			if (j >= 0) {
				nl.shadowed[j].r = *r;
				return;
			}
			/* A new route of the prefix: used if of lower metric. */
			if (metric >= nl.route_metrics[i]) {
				shadowed_add(k, metric, r, false);
				return;
			}
			shadowed_add(k, nl.route_metrics[i], &nl.routes[i], true);
		}
	}
	nl.routes[i] = *r;
	nl.route_metrics[i] = metric;
	mark_dirty();
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
	for (uint32_t i = 0; i < nl.n_routes + nl.n_shadowed; i++) {
		struct cfg_route *r =
			i < nl.n_routes ? &nl.routes[i] : &nl.shadowed[i - nl.n_routes].r;
		if (r->type != CFG_ROUTE_ECMP)
			continue;
		if (map[r->ecmp] == UINT32_MAX) {
			fresh[n] = nl.ecmp[r->ecmp];
			map[r->ecmp] = n++;
		}
		r->ecmp = map[r->ecmp];
	}
	free(nl.ecmp);
	free(map);
	nl.ecmp = fresh;
	nl.n_ecmp = n;
}

/* The index of next-hop set g in the mirror, added if new; -1 when there is no room. Sets
 * are compared whole: they are built zeroed. */
static int ecmp_intern(const struct cfg_ecmp *g)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < nl.n_ecmp; i++)
			if (memcmp(&nl.ecmp[i], g, sizeof(*g)) == 0)
				return (int)i;
		if (nl.n_ecmp < NL_MAX_ECMP) {
			nl.ecmp[nl.n_ecmp] = *g;
			return (int)nl.n_ecmp++;
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
	const struct attr_size sizes[] = {{RTA_GATEWAY, addr_size(family)}};

	nl_parse_payload(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX);
	if (!attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return false;
	int port = nl_sync_port_of_ifindex(nh->rtnh_ifindex);
	if (port < 0 || g->n_hops == CFG_MAX_ECMP_HOPS) {
		nl.stats.ignored++;
		return true;
	}
	struct cfg_ecmp_hop *h = &g->hops[g->n_hops++];
	h->port = port;
	h->weight = (uint16_t)(nh->rtnh_hops + 1);
	if (tb[RTA_GATEWAY] != NULL)
		attr_addr(&h->via, family, tb[RTA_GATEWAY]);
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
			nl.stats.malformed++;
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
		attr_addr(&r->via, family, tb[RTA_GATEWAY]);
		r->type = CFG_ROUTE_VIA;
	}
	return true;
}

/* Would fib_build() take r? If not, r is left out of the mirror (counted, the first one
 * said): one route it refuses would make every later version fail. */
static bool buildable(const struct cfg_route *r)
{
	char err[256];

	if (fib_route_check(r, nl.ecmp, nl.n_ecmp, n_ports, err, sizeof(err)) == 0)
		return true;
	if (nl.stats.rejected++ == 0) /* the others counted only: `rejected` */
		printf("mpgw: a kernel route left out of the mirror: %s\n", err);
	return false;
}

static void on_route(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	struct cfg_route r = {.port = -1};
	struct cfg_ecmp g;

	if (!header_fits(nlh, sizeof(*rt)))
		return;
	if (!ip_family(rt->rtm_family)) {
		nl.stats.ignored++;
		return;
	}
	if (rt->rtm_dst_len > max_prefix(rt->rtm_family)) {
		nl.stats.malformed++;
		return;
	}
	if (!nl_parse_attrs(nlh, sizeof(*rt), tb, RTA_MAX)) {
		nl.stats.malformed++;
		return;
	}
	const uint16_t alen = addr_size(rt->rtm_family);
	const struct attr_size sizes[] = {{RTA_TABLE, sizeof(uint32_t)}, {RTA_DST, alen},
		{RTA_GATEWAY, alen}, {RTA_OIF, sizeof(uint32_t)}, {RTA_PRIORITY, sizeof(uint32_t)}};
	if (!attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	if (table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL) {
		nl.stats.ignored++;
		return;
	}
	if (tb[RTA_MULTIPATH] != NULL && !multipath_hops(tb[RTA_MULTIPATH], rt->rtm_family, &g))
		return;
	struct route_key k = {.family = rt->rtm_family == AF_INET ? 4 : 6, .len = rt->rtm_dst_len};
	r.prefix.addr.family = k.family;
	r.prefix.len = rt->rtm_dst_len;
	if (tb[RTA_DST] != NULL)
		attr_addr(&r.prefix.addr, rt->rtm_family, tb[RTA_DST]);
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
			nl.redump = true;
	} else if (ours && buildable(&r)) {
		route_set(&k, metric, &r, replace);
	} else {
		if (!ours)
			nl.stats.ignored++; /* not out of a twin, or of a kind mpgw has not */
		if (replace)		    /* the first of that metric is no longer ours */
			route_del(&k, metric, NULL);
	}
}

/* --- the sockets ---------------------------------------------------------------------- */

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	RTE_SET_USED(data);
	nl.stats.events++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(nlh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(nlh);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

/*
 * A datagram of the event socket: only the kernel's are read (another process with
 * CAP_NET_ADMIN may send to the groups or to the socket's port id, with whatever routes it
 * likes). One cut short lost the changes in its missing part: the mirror is dumped again
 * (nl.lost: at the end of the poll), and none of it is applied.
 */
void nl_sync_input(const void *buf, size_t len, uint32_t sender, int flags)
{
	if (sender != 0) {
		nl.stats.foreign++;
		return;
	}
	if (flags & MSG_TRUNC) {
		nl.stats.truncated++;
		nl.lost = true;
		return;
	}
	if (nl_cb_run(buf, len, 0, 0, on_msg, NULL) < 0 && errno == EBADMSG)
		nl.stats.malformed++; /* a message's length past the datagram's end */
}

/* Dump one kind of object (RTM_GETNEIGH, RTM_GETROUTE, RTM_GETADDR) through a socket of
 * its own, into the mirror: blocking, so only at start and after an overrun. */
static int dump(int type, char *err, size_t errlen)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned int seq = (unsigned int)time(NULL);
	int rc = -1;

	if (s == NULL || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		goto out;
	}
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "netlink dump: %s", strerror(errno));
		goto out;
	}
	unsigned int portid = mnl_socket_get_portid(s);
	for (;;) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(s, nl.buf, sizeof(nl.buf), &sender, &flags);
		if (n < 0) {
			snprintf(err, errlen, "netlink dump: %s", strerror(errno));
			goto out;
		}
		if (sender != 0) {
			nl.stats.foreign++;
			continue;
		}
		if (flags & MSG_TRUNC) { /* the kernel's are 32 KiB at most */
			nl.stats.truncated++;
			snprintf(err, errlen, "netlink dump: a message longer than %zu bytes",
				sizeof(nl.buf));
			goto out;
		}
		int r = nl_cb_run(nl.buf, (size_t)n, seq, portid, on_msg, NULL);
		if (r == MNL_CB_STOP) {
			rc = 0;
			break;
		}
		if (r < 0) {
			snprintf(err, errlen, "netlink dump: %s", strerror(errno));
			goto out;
		}
	}
out:
	if (s != NULL)
		mnl_socket_close(s);
	return rc;
}

static int dump_all(char *err, size_t errlen)
{
	static const int kinds[] = {RTM_GETNEIGH, RTM_GETROUTE, RTM_GETADDR};

	for (unsigned int i = 0; i < RTE_DIM(kinds); i++)
		if (dump(kinds[i], err, errlen) < 0)
			return -1;
	return 0;
}

/* The mirror's tables, for max_routes routes; -1 when out of memory (nl_sync_stop() frees
 * what was made). */
static int tables_new(uint32_t max_routes)
{
	struct rte_hash_parameters hp = {
		.name = "mpgw_nl_routes",
		.entries = max_routes,
		.key_len = sizeof(struct route_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	nl.max_routes = max_routes;
	nl.routes = calloc(max_routes, sizeof(*nl.routes));
	nl.route_keys = calloc(max_routes, sizeof(*nl.route_keys));
	nl.route_metrics = calloc(max_routes, sizeof(*nl.route_metrics));
	nl.shadowed = calloc(NL_MAX_SHADOWED, sizeof(*nl.shadowed));
	nl.ecmp = calloc(NL_MAX_ECMP, sizeof(*nl.ecmp));
	pthread_mutex_lock(&nl.lock);
	nl.neighbours = calloc(NL_MAX_NEIGHBOURS, sizeof(*nl.neighbours));
	pthread_mutex_unlock(&nl.lock);
	nl.route_index = rte_hash_create(&hp);
	if (nl.routes == NULL || nl.route_keys == NULL || nl.route_metrics == NULL ||
		nl.shadowed == NULL || nl.ecmp == NULL || nl.neighbours == NULL ||
		nl.route_index == NULL)
		return -1;
	return 0;
}

int nl_sync_test_start(uint32_t max_routes)
{
	nl.stats = (struct nl_sync_stats){0};
	if (tables_new(max_routes) < 0) {
		nl_sync_stop();
		return -1;
	}
	nl.on = true;
	return 0;
}

int nl_sync_start(unsigned int rcvbuf, char *err, size_t errlen)
{
	if (!twins_enabled())
		return 0;
	if (tables_new(NL_MAX_ROUTES) < 0) {
		snprintf(err, errlen, "netlink mirror: out of memory");
		nl_sync_stop();
		return -1;
	}
	nl.ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	nl.rcvbuf = rcvbuf;
	if (nl.ev == NULL || mnl_socket_bind(nl.ev,
				     RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
					     RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK,
				     MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		nl_sync_stop();
		return -1;
	}
	/* SO_RCVBUF is capped by net.core.rmem_max; SO_RCVBUFFORCE (root) is not. */
	if (rcvbuf != 0 &&
		setsockopt(mnl_socket_get_fd(nl.ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			sizeof(rcvbuf)) < 0 &&
		setsockopt(mnl_socket_get_fd(nl.ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			sizeof(rcvbuf)) < 0)
		printf("mpgw: netlink_rcvbuf %u not applied: %s\n", rcvbuf, strerror(errno));
	/* Subscribed first, then dumped: a change during the dump is seen at least once. */
	if (dump_all(err, errlen) < 0 || nl_resolve_start(err, errlen) < 0) {
		nl_sync_stop();
		return -1;
	}
	nl.on = true;
	mark_dirty();
	return 0;
}

/* Forget all the mirror holds (the counters stay). */
static void forget(void)
{
	/* The drain in resync() may drop a twin's coming back up: forget which were down (at
	 * worst one dump too many later). */
	memset(nl.link_down, 0, sizeof(nl.link_down));
	rte_hash_reset(nl.route_index);
	nl.n_routes = 0;
	nl.n_shadowed = 0;
	nl.n_ecmp = 0;
	pthread_mutex_lock(&nl.lock);
	nl.n_neighbours = 0;
	pthread_mutex_unlock(&nl.lock);
	nl.n_addrs = 0;
	nl.stats.addrs4 = nl.stats.addrs6 = 0;
	nl.addrs_changed = true;
}

void nl_sync_test_forget(void)
{
	forget();
}

/* Events were lost (an overrun, a datagram cut), or routes went without one: forget the
 * mirror, dump it again. */
static void resync(bool lost)
{
	char err[256];
	uint32_t sender;
	int flags;

	if (lost)
		nl.stats.resyncs++;
	else
		nl.stats.redumps++;
	forget();
	/* drain what is queued (cut or not): the dump supersedes it */
	while (nl_receive(nl.ev, nl.buf, sizeof(nl.buf), &sender, &flags) >= 0)
		;
	if (dump_all(err, sizeof(err)) < 0) {
		/* Keep the running FIB version, and dump again a little later. */
		printf("mpgw: netlink resync: %s; trying again\n", err);
		nl.resync_at = rte_rdtsc() + rte_get_tsc_hz() / 1000 * NL_SYNC_RETRY_MS;
		nl.resync_pending = true;
		nl.dirty = false;
		return;
	}
	nl.resync_pending = false;
	mark_dirty();
}

/* Is there a neighbour of n's address on n's port among conf (the configured ones)? */
static bool configured(
	const struct cfg_neighbour *conf, uint32_t n_conf, const struct cfg_neighbour *n)
{
	for (uint32_t i = 0; i < n_conf; i++)
		if (conf[i].port == n->port && ipaddr_equal(&conf[i].addr, &n->addr))
			return true;
	return false;
}

static bool has_address(const struct ipprefix *addrs, unsigned int n, const struct ipaddr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (ipaddr_equal(&addrs[i].addr, a))
			return true;
	return false;
}

/* Port `port`'s addresses into out (room for 2 * MPGW_MAX_PORT_ADDRS): the configured
 * ones, then the kernel's it does not have, at most MPGW_MAX_PORT_ADDRS of a family
 * beyond the configured ones; those left out are added to *unused. Returns how many. */
static unsigned int port_addrs_merged(
	const struct cfg_port *cp, int port, struct ipprefix *out, uint64_t *unused)
{
	unsigned int n = cp->n_addrs, of_family[2] = {0, 0};

	memcpy(out, cp->addrs, n * sizeof(*out));
	for (unsigned int i = 0; i < n; i++)
		of_family[out[i].addr.family == 6]++;
	for (uint32_t k = 0; k < nl.n_addrs; k++) {
		const struct ipprefix *a = &nl.addrs[k].prefix;
		bool v6 = a->addr.family == 6;
		if (nl.addrs[k].port != port || has_address(out, n, &a->addr))
			continue;
		if (n == 2 * MPGW_MAX_PORT_ADDRS || of_family[v6] >= MPGW_MAX_PORT_ADDRS) {
			(*unused)++;
			continue;
		}
		out[n++] = *a;
		of_family[v6]++;
	}
	return n;
}

/* The ports' addresses as the data path checks them (echo requests answered, the leak
 * guard, ICMP errors' source): the configuration's plus the mirror's, as in
 * merged_config(). Made as soon as the mirror's change, before the FIB version with
 * their local and connected routes. */
static void publish_port_addrs(const struct mpgw_config *cfg)
{
	struct ipprefix addrs[2 * MPGW_MAX_PORT_ADDRS];
	uint64_t unused = 0;

	nl.addrs_changed = false;
	for (unsigned int i = 0; i < n_ports && i < cfg->n_ports; i++) {
		unsigned int n = port_addrs_merged(&cfg->ports[i], (int)i, addrs, &unused);
		port_set_addrs(i, addrs, n, worker_rcu);
	}
	nl.stats.addrs_unused = unused;
}

/* The configuration plus the mirror, as one configuration for fib_build(): the kernel's
 * routes first, so that a configured route of the same prefix (added after) wins; the
 * kernel's neighbours after the configured ones, leaving out addresses configured; each
 * port's addresses as port_addrs_merged() makes them. */
static struct mpgw_config *merged_config(const struct mpgw_config *cfg)
{
	struct mpgw_config *m = malloc(sizeof(*m));
	if (m == NULL)
		return NULL;
	*m = *cfg;
	m->ecmp = nl.ecmp;
	m->n_ecmp = nl.n_ecmp;
	m->routes = malloc((nl.n_routes + cfg->n_routes + 1) * sizeof(*m->routes));
	m->neighbours = malloc((nl.n_neighbours + cfg->n_neighbours + 1) * sizeof(*m->neighbours));
	if (m->routes == NULL || m->neighbours == NULL) {
		free(m->routes);
		free(m->neighbours);
		free(m);
		return NULL;
	}
	/* (a configuration without routes or neighbours has NULL for them: not for memcpy) */
	memcpy(m->routes, nl.routes, nl.n_routes * sizeof(*m->routes));
	if (cfg->n_routes != 0)
		memcpy(m->routes + nl.n_routes, cfg->routes, cfg->n_routes * sizeof(*m->routes));
	m->n_routes = nl.n_routes + cfg->n_routes;
	if (cfg->n_neighbours != 0)
		memcpy(m->neighbours, cfg->neighbours, cfg->n_neighbours * sizeof(*m->neighbours));
	m->n_neighbours = cfg->n_neighbours;
	for (uint32_t i = 0; i < nl.n_neighbours; i++)
		if (!configured(cfg->neighbours, cfg->n_neighbours, &nl.neighbours[i]))
			m->neighbours[m->n_neighbours++] = nl.neighbours[i];
	uint64_t unused = 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		m->ports[i].n_addrs =
			port_addrs_merged(&cfg->ports[i], (int)i, m->ports[i].addrs, &unused);
	return m;
}

struct mpgw_config *nl_sync_merged(const struct mpgw_config *cfg)
{
	return nl.on ? merged_config(cfg) : NULL;
}

void nl_sync_merged_free(struct mpgw_config *m)
{
	if (m == NULL)
		return;
	free(m->routes);
	free(m->neighbours);
	free(m);
}

static void rebuild(const struct mpgw_config *cfg)
{
	uint64_t t0 = rte_rdtsc(), since = nl.dirty_since;
	struct mpgw_config *m = merged_config(cfg);
	char err[512];
	struct fib_port fp[MPGW_MAX_PORTS];
	struct fib *f = NULL;

	nl.dirty = false;
	for (unsigned int i = 0; i < n_ports; i++)
		fp[i] = (struct fib_port){.port_id = ports[i].port_id, .mac = ports[i].mac};
	if (m != NULL) {
		nl_resolve_collect(m);
		f = fib_build(m, fp, (int)rte_socket_id(), err, sizeof(err));
	} else
		snprintf(err, sizeof(err), "out of memory");
	if (f != NULL && uplink_ctl_attach(f, m, err, sizeof(err)) < 0) {
		fib_free(f);
		f = NULL;
	}
	if (f == NULL) {
		/* Try again later (memory freed meanwhile, a route fixed): the running version
		 * stays. */
		nl.stats.build_errors++;
		printf("mpgw: the kernel's routes and neighbours not applied yet: %s\n", err);
		fflush(stdout);
		nl.dirty = true;
		nl.dirty_since = rte_rdtsc() + rte_get_tsc_hz() / 1000 * NL_SYNC_RETRY_MS;
	} else {
		uint64_t t1 = rte_rdtsc();
		nl.build_tsc = t1 - t0; /* the build alone, for the pacing */
		/* the data path has the new version from the exchange, at fib_publish's start */
		nl.stats.last_sync_ms =
			(double)(int64_t)(t1 - since) * 1000.0 / (double)rte_get_tsc_hz();
		fib_publish(f, worker_rcu);
		nl.stats.builds++;
	}
	if (m != NULL) {
		free(m->routes);
		free(m->neighbours);
		free(m);
	}
	nl.stats.last_build_ms = (double)(rte_rdtsc() - t0) * 1000.0 / (double)rte_get_tsc_hz();
}

/* Keep a copy of cfg's neighbours for nl_sync_neighbours(): cfg may be freed (a reload)
 * while telemetry reads. */
static void copy_conf_neighbours(const struct mpgw_config *cfg)
{
	struct cfg_neighbour *copy = malloc((cfg->n_neighbours + 1) * sizeof(*copy));

	if (copy == NULL)
		return; /* the old copy stays; again at the next poll */
	/* (cfg->neighbours may be NULL when there are none: not for memcpy) */
	if (cfg->n_neighbours != 0)
		memcpy(copy, cfg->neighbours, cfg->n_neighbours * sizeof(*copy));
	pthread_mutex_lock(&nl.lock);
	free(nl.conf_neighbours);
	nl.conf_neighbours = copy;
	nl.n_conf_neighbours = cfg->n_neighbours;
	nl.conf_copied = true;
	pthread_mutex_unlock(&nl.lock);
}

void nl_sync_poll(const struct mpgw_config *cfg)
{
	if (!nl.conf_copied)
		copy_conf_neighbours(cfg);
	if (!nl.on)
		return;
	if (nl.resync_pending && (int64_t)(rte_rdtsc() - nl.resync_at) >= 0)
		resync(true);
	if (nl.resync_pending)
		return;
	for (unsigned int i = 0; i < NL_SYNC_POLL_MAX && !nl.lost; i++) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(nl.ev, nl.buf, sizeof(nl.buf), &sender, &flags);
		if (n < 0) {
			nl.lost = errno == ENOBUFS; /* else EAGAIN: all read */
			break;
		}
		nl_sync_input(nl.buf, (size_t)n, sender, flags);
	}
	if (nl.lost) {
		nl.lost = false;
		resync(true);
	}
	if (nl.redump && !nl.resync_pending) {
		nl.redump = false;
		resync(false);
	}
	if (nl.addrs_changed && !nl.resync_pending)
		publish_port_addrs(cfg);
	nl_resolve_poll();
	/* Gather for the batch time; and while changes keep coming, leave twice the last
	 * build's time between builds, so that a stream of changes (a whole table arriving)
	 * costs at most a third of this thread's time in builds, whatever its size. Once no
	 * change came for a batch time the stream is over: its last build waits for no gap
	 * (a second at a million routes). Signed: a retry's start is in the future. */
	static uint64_t events_seen, last_event;
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz(), batch = hz / 1000 * NL_SYNC_BATCH_MS;
	uint64_t gap = 2 * nl.build_tsc;
	if (nl.stats.events != events_seen) {
		events_seen = nl.stats.events;
		last_event = now;
	}
	if (now - last_event >= batch)
		gap = 0;
	if (nl.dirty && (int64_t)(now - nl.dirty_since) >= (int64_t)batch &&
		now - nl.last_build_end >= gap) {
		rebuild(cfg);
		nl.last_build_end = rte_rdtsc();
	}
}

void nl_sync_invalidate(void)
{
	nl.conf_copied = false;
	if (nl.on)
		mark_dirty();
}

uint32_t nl_sync_neighbours(struct nl_neighbour *out, uint32_t max)
{
	uint32_t n = 0;

	pthread_mutex_lock(&nl.lock);
	for (uint32_t i = 0; i < nl.n_conf_neighbours; i++, n++)
		if (n < max)
			out[n] = (struct nl_neighbour){.addr = nl.conf_neighbours[i].addr,
				.mac = nl.conf_neighbours[i].mac,
				.port = nl.conf_neighbours[i].port};
	for (uint32_t i = 0; i < nl.n_neighbours; i++) {
		const struct cfg_neighbour *k = &nl.neighbours[i];
		if (configured(nl.conf_neighbours, nl.n_conf_neighbours, k))
			continue;
		if (n < max)
			out[n] = (struct nl_neighbour){
				.addr = k->addr, .mac = k->mac, .port = k->port, .kernel = true};
		n++;
	}
	pthread_mutex_unlock(&nl.lock);
	return n;
}

void nl_sync_stop(void)
{
	nl.on = false;
	nl.lost = false;
	nl_resolve_stop();
	if (nl.ev != NULL)
		mnl_socket_close(nl.ev);
	nl.ev = NULL;
	rte_hash_free(nl.route_index);
	nl.route_index = NULL;
	free(nl.routes);
	free(nl.route_keys);
	free(nl.route_metrics);
	free(nl.shadowed);
	free(nl.ecmp);
	nl.ecmp = NULL;
	nl.n_ecmp = 0;
	nl.routes = NULL;
	nl.route_keys = NULL;
	nl.route_metrics = NULL;
	nl.shadowed = NULL;
	nl.n_routes = nl.n_shadowed = 0;
	pthread_mutex_lock(&nl.lock);
	free(nl.neighbours);
	free(nl.conf_neighbours);
	nl.neighbours = nl.conf_neighbours = NULL;
	nl.n_neighbours = nl.n_conf_neighbours = 0;
	nl.conf_copied = false;
	pthread_mutex_unlock(&nl.lock);
	nl.n_addrs = 0;
	nl.stats.addrs4 = nl.stats.addrs6 = 0;
}
