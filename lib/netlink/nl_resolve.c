/* SPDX-License-Identifier: BSD-3-Clause */
/* Asking the kernel to resolve the next hops mpgw has no MAC for (see nl_resolve.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_jhash.h>

#include "nl_resolve.h"
#include "twin.h"

struct wanted {
	struct ipaddr addr;
	int port;
};

/* Next hops looked at by a collection, wanted or not: a route table has a million routes
 * through a handful of them, and each is looked up in the neighbours once. */
#define SEEN_SLOTS (4 * NL_RESOLVE_MAX)

static struct {
	struct mnl_socket *s; /* requests only; the kernel's errors are read and dropped */
	struct wanted wanted[NL_RESOLVE_MAX];
	uint32_t n_wanted;
	struct wanted seen[SEEN_SLOTS]; /* open addressing; port -1: empty */
	uint32_t n_seen;
	uint64_t next_round;
	uint64_t requests;
	uint8_t buf[8192];
} rs;

int nl_resolve_start(char *err, size_t errlen)
{
	rs.s = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (rs.s == NULL || mnl_socket_bind(rs.s, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink (neighbour requests): %s", strerror(errno));
		nl_resolve_stop();
		return -1;
	}
	return 0;
}

void nl_resolve_stop(void)
{
	if (rs.s != NULL)
		mnl_socket_close(rs.s);
	rs.s = NULL;
	rs.n_wanted = 0;
}

static bool has_neighbour(const struct mpgw_config *m, const struct ipaddr *a, int port)
{
	for (unsigned int i = 0; i < m->n_neighbours; i++)
		if (m->neighbours[i].port == port && ipaddr_equal(&m->neighbours[i].addr, a))
			return true;
	return false;
}

/* Was (a, port) looked at already? Marks it if not; true also when the set is full. */
static bool seen(const struct ipaddr *a, int port)
{
	uint32_t h = rte_jhash(a->family == 4 ? (const void *)&a->v4 : a->v6,
		a->family == 4 ? 4 : 16, (uint32_t)port);

	for (uint32_t n = 0; n < SEEN_SLOTS; n++, h++) {
		struct wanted *w = &rs.seen[h % SEEN_SLOTS];
		if (w->port < 0) {
			if (rs.n_seen == SEEN_SLOTS / 2)
				return true; /* full enough: the rest waits for the next build */
			*w = (struct wanted){.addr = *a, .port = port};
			rs.n_seen++;
			return false;
		}
		if (w->port == port && ipaddr_equal(&w->addr, a))
			return true;
	}
	return true;
}

static void want(const struct mpgw_config *m, const struct ipaddr *a, int port)
{
	if (port < 0 || a->family == 0 || rs.n_wanted == NL_RESOLVE_MAX || seen(a, port))
		return;
	if (!has_neighbour(m, a, port))
		rs.wanted[rs.n_wanted++] = (struct wanted){.addr = *a, .port = port};
}

void nl_resolve_collect(const struct mpgw_config *m)
{
	rs.n_wanted = 0;
	rs.n_seen = 0;
	for (uint32_t i = 0; i < SEEN_SLOTS; i++)
		rs.seen[i].port = -1;
	for (unsigned int p = 0; p < m->n_ports; p++)
		for (unsigned int g = 0; g < m->ports[p].n_gateways; g++)
			want(m, &m->ports[p].gateways[g], (int)p);
	/* ECMP sets the routes use (the mirror keeps sets of routes gone until it needs
	 * room): marked first, then their next hops, once each. */
	static bool used[CFG_MAX_ECMP_SETS];
	unsigned int n_sets = RTE_MIN(m->n_ecmp, (unsigned int)RTE_DIM(used));
	memset(used, 0, sizeof(used));
	for (unsigned int i = 0; i < m->n_routes; i++) {
		const struct cfg_route *r = &m->routes[i];
		if (r->type == CFG_ROUTE_VIA)
			want(m, &r->via, r->port);
		else if (r->type == CFG_ROUTE_ECMP && r->ecmp < n_sets)
			used[r->ecmp] = true;
	}
	for (unsigned int i = 0; i < n_sets; i++)
		for (unsigned int h = 0; used[i] && h < m->ecmp[i].n_hops; h++)
			want(m, &m->ecmp[i].hops[h].via, m->ecmp[i].hops[h].port);
	/* New next hops are asked for at once. */
	rs.next_round = rte_rdtsc();
}

/* RTM_NEWNEIGH with NTF_USE for w, on its port's twin. */
static void request(const struct wanted *w)
{
	char name[32];
	int ifindex;
	struct twin_stats ts;
	char buf[256];

	if (!twin_info((unsigned int)w->port, name, sizeof(name), &ifindex, &ts))
		return;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	/* Created if the kernel has no entry (or a failed one), as a route's use would. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = w->addr.family == 4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = NTF_USE;
	if (w->addr.family == 4)
		mnl_attr_put(nlh, NDA_DST, 4, &w->addr.v4);
	else
		mnl_attr_put(nlh, NDA_DST, 16, w->addr.v6);
	if (mnl_socket_sendto(rs.s, nlh, nlh->nlmsg_len) >= 0)
		rs.requests++;
}

void nl_resolve_poll(void)
{
	if (rs.s == NULL)
		return;
	/* What the kernel answers (errors: no twin address yet...) is of no use here. */
	while (mnl_socket_recvfrom(rs.s, rs.buf, sizeof(rs.buf)) > 0)
		;
	if (rs.n_wanted == 0 || (int64_t)(rte_rdtsc() - rs.next_round) < 0)
		return;
	for (uint32_t i = 0; i < rs.n_wanted; i++)
		request(&rs.wanted[i]);
	rs.next_round = rte_rdtsc() + rte_get_tsc_hz() / 1000 * NL_RESOLVE_INTERVAL_MS;
}

void nl_resolve_stats(uint64_t *requests, uint32_t *waiting)
{
	*requests = rs.requests;
	*waiting = rs.n_wanted;
}
