/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route mirror's start and stop, its socket: events read and dispatched, full dumps
 * at start and after lost events (resync), the tables allocated and freed.
 */
#include "nl_sync_internal.h"

/* --- the sockets ---------------------------------------------------------------------- */

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	RTE_SET_USED(data);
	nls.stats.events++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		nls_on_neigh(nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		nls_on_route(nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		nls_on_addr(nlh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		nls_on_link(nlh);
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
 * (nls.lost: at the end of the poll), and none of it is applied.
 */
void nl_sync_input(const void *buf, size_t len, uint32_t sender, int flags)
{
	if (sender != 0) {
		nls.stats.foreign++;
		return;
	}
	if (flags & MSG_TRUNC) {
		nls.stats.truncated++;
		nls.lost = true;
		return;
	}
	if (nl_cb_run(buf, len, 0, 0, on_msg, NULL) < 0 && errno == EBADMSG)
		nls.stats.malformed++; /* a message's length past the datagram's end */
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
		ssize_t n = nl_receive(s, nls.buf, sizeof(nls.buf), &sender, &flags);
		if (n < 0) {
			snprintf(err, errlen, "netlink dump: %s", strerror(errno));
			goto out;
		}
		if (sender != 0) {
			nls.stats.foreign++;
			continue;
		}
		if (flags & MSG_TRUNC) { /* the kernel's are 32 KiB at most */
			nls.stats.truncated++;
			snprintf(err, errlen, "netlink dump: a message longer than %zu bytes",
				sizeof(nls.buf));
			goto out;
		}
		int r = nl_cb_run(nls.buf, (size_t)n, seq, portid, on_msg, NULL);
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

	nls.max_routes = max_routes;
	nls.routes = calloc(max_routes, sizeof(*nls.routes));
	nls.route_keys = calloc(max_routes, sizeof(*nls.route_keys));
	nls.route_metrics = calloc(max_routes, sizeof(*nls.route_metrics));
	nls.shadowed = calloc(NL_MAX_SHADOWED, sizeof(*nls.shadowed));
	nls.ecmp = calloc(NL_MAX_ECMP, sizeof(*nls.ecmp));
	pthread_mutex_lock(&nls.lock);
	nls.neighbours = calloc(NL_MAX_NEIGHBOURS, sizeof(*nls.neighbours));
	pthread_mutex_unlock(&nls.lock);
	nls.route_index = rte_hash_create(&hp);
	if (nls.routes == NULL || nls.route_keys == NULL || nls.route_metrics == NULL ||
		nls.shadowed == NULL || nls.ecmp == NULL || nls.neighbours == NULL ||
		nls.route_index == NULL)
		return -1;
	return 0;
}

int nl_sync_test_start(uint32_t max_routes)
{
	nls.stats = (struct nl_sync_stats){0};
	if (tables_new(max_routes) < 0) {
		nl_sync_stop();
		return -1;
	}
	nls.on = true;
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
	nls.ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	nls.rcvbuf = rcvbuf;
	if (nls.ev == NULL || mnl_socket_bind(nls.ev,
				      RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
					      RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK,
				      MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		nl_sync_stop();
		return -1;
	}
	/* SO_RCVBUF is capped by net.core.rmem_max; SO_RCVBUFFORCE (root) is not. */
	if (rcvbuf != 0 &&
		setsockopt(mnl_socket_get_fd(nls.ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			sizeof(rcvbuf)) < 0 &&
		setsockopt(mnl_socket_get_fd(nls.ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			sizeof(rcvbuf)) < 0)
		printf("mpgw: netlink_rcvbuf %u not applied: %s\n", rcvbuf, strerror(errno));
	/* Subscribed first, then dumped: a change during the dump is seen at least once. */
	if (dump_all(err, errlen) < 0 || nl_resolve_start(err, errlen) < 0) {
		nl_sync_stop();
		return -1;
	}
	nls.on = true;
	nls_mark_dirty();
	return 0;
}

/* Forget all the mirror holds (the counters stay). */
static void forget(void)
{
	/* The drain in nls_resync() may drop a twin's coming back up: forget which were down (at
	 * worst one dump too many later). */
	memset(nls.link_down, 0, sizeof(nls.link_down));
	rte_hash_reset(nls.route_index);
	nls.n_routes = 0;
	nls.n_shadowed = 0;
	nls.n_ecmp = 0;
	pthread_mutex_lock(&nls.lock);
	nls.n_neighbours = 0;
	pthread_mutex_unlock(&nls.lock);
	nls.n_addrs = 0;
	nls.stats.addrs4 = nls.stats.addrs6 = 0;
	nls.addrs_changed = true;
}

void nl_sync_test_forget(void)
{
	forget();
}

/* Events were lost (an overrun, a datagram cut), or routes went without one: forget the
 * mirror, dump it again. */
void nls_resync(bool lost)
{
	char err[256];
	uint32_t sender;
	int flags;

	if (lost)
		nls.stats.resyncs++;
	else
		nls.stats.redumps++;
	forget();
	/* drain what is queued (cut or not): the dump supersedes it */
	while (nl_receive(nls.ev, nls.buf, sizeof(nls.buf), &sender, &flags) >= 0)
		;
	if (dump_all(err, sizeof(err)) < 0) {
		/* Keep the running FIB version, and dump again a little later. */
		printf("mpgw: netlink nls_resync: %s; trying again\n", err);
		nls.resync_at = rte_rdtsc() + rte_get_tsc_hz() / 1000 * NL_SYNC_RETRY_MS;
		nls.resync_pending = true;
		nls.dirty = false;
		return;
	}
	nls.resync_pending = false;
	nls_mark_dirty();
}

void nl_sync_stop(void)
{
	nls.on = false;
	nls.lost = false;
	nl_resolve_stop();
	if (nls.ev != NULL)
		mnl_socket_close(nls.ev);
	nls.ev = NULL;
	rte_hash_free(nls.route_index);
	nls.route_index = NULL;
	free(nls.routes);
	free(nls.route_keys);
	free(nls.route_metrics);
	free(nls.shadowed);
	free(nls.ecmp);
	nls.ecmp = NULL;
	nls.n_ecmp = 0;
	nls.routes = NULL;
	nls.route_keys = NULL;
	nls.route_metrics = NULL;
	nls.shadowed = NULL;
	nls.n_routes = nls.n_shadowed = 0;
	pthread_mutex_lock(&nls.lock);
	free(nls.neighbours);
	free(nls.conf_neighbours);
	nls.neighbours = nls.conf_neighbours = NULL;
	nls.n_neighbours = nls.n_conf_neighbours = 0;
	nls.conf_copied = false;
	pthread_mutex_unlock(&nls.lock);
	nls.n_addrs = 0;
	nls.stats.addrs4 = nls.stats.addrs6 = 0;
}
