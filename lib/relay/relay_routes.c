/* SPDX-License-Identifier: BSD-3-Clause */
/* The relay's default routes in the kernel's main table (see relay_routes.h). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "nl_attrs.h"
#include "nl_transact.h"
#include "relay_routes.h"
#include "twin.h"
#include "uplink_ctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Routes of ours a dump can hold: one per uplink, and some left behind by a reload. */
#define FOUND_MAX 64

struct uplink_route {
	unsigned int port; /* config port index */
	uint32_t base;	   /* the live metric */
	uint32_t gw;	   /* the uplink's IPv4 gateway, network order */
};

struct found_route {
	int oif;
	uint32_t gw, metric;
};

struct found {
	unsigned int n;
	struct found_route r[FOUND_MAX];
};

static struct {
	pthread_mutex_t lock; /* st, read by telemetry */
	struct relay_routes_status st;
	struct mnl_socket *s;
	unsigned int n;
	struct uplink_route up[MPGW_MAX_PORTS];
	bool usable[MPGW_MAX_PORTS]; /* at the last check */
	uint64_t next_check;
	unsigned int seq;
	int last_errno; /* said once until another comes */
	uint8_t buf[16384];
} rr = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct mnl_socket *route_socket(void)
{
	int one = 1;
	struct mnl_socket *s = nl_request_socket(NETLINK_ROUTE, 100);

	/* The kernel filters the dump by table and protocol (since 4.20); without it the
	 * answer is the whole table, filtered below all the same. */
	if (s != NULL)
		(void)setsockopt(mnl_socket_get_fd(s), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			sizeof(one));
	return s;
}

static uint32_t attr_u32(const struct nlattr *a, uint32_t dflt)
{
	return a != NULL && mnl_attr_get_payload_len(a) == 4 ? mnl_attr_get_u32(a) : dflt;
}

/* A default route of ours in the main table: kept in the list. */
static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct found *f = data;
	const struct rtmsg *r = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*r))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(*r), tb, RTA_MAX);
	if (r->rtm_family != AF_INET || r->rtm_dst_len != 0 || r->rtm_protocol != RTPROT_MPGW ||
		attr_u32(tb[RTA_TABLE], r->rtm_table) != RT_TABLE_MAIN || f->n == FOUND_MAX)
		return MNL_CB_OK;
	f->r[f->n++] = (struct found_route){
		.oif = (int)attr_u32(tb[RTA_OIF], 0),
		.gw = tb[RTA_GATEWAY] != NULL && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == 4
			      ? *(const uint32_t *)mnl_attr_get_payload(tb[RTA_GATEWAY])
			      : 0,
		.metric = attr_u32(tb[RTA_PRIORITY], 0),
	};
	return MNL_CB_OK;
}

/* A request about the main table's IPv4 default route of ours (type RTM_GETROUTE: a dump
 * of them all). */
static struct nlmsghdr *route_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++rr.seq;
	struct rtmsg *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->rtm_family = AF_INET;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = RTPROT_MPGW;
	if (type != RTM_GETROUTE) {
		r->rtm_scope = RT_SCOPE_UNIVERSE;
		r->rtm_type = RTN_UNICAST;
	}
	return nlh;
}

/* Add (RTM_NEWROUTE) or delete (RTM_DELROUTE) default via gw dev oif metric m. */
static int route_change(uint16_t type, int oif, uint32_t gw, uint32_t metric)
{
	char buf[256];
	uint16_t flags = NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct nlmsghdr *nlh = route_msg(buf, type, flags);

	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return nl_transact(rr.s, nlh, rr.buf, sizeof(rr.buf), NULL, NULL) < 0 ? -errno : 0;
}

/* Say a refusal once (until another comes); "no address on the twin yet" is not one:
 * the kernel side is not set up yet (scripts/relay-kernel.sh up). Under the lock. */
static void refused(const char *what, uint32_t metric, const char *twin, int err)
{
	if (err == -ENETUNREACH || err == -ENODEV)
		return;
	rr.st.errors++;
	if (err == rr.last_errno)
		return;
	rr.last_errno = err;
	printf("mpgw: relay: cannot %s the default route of metric %u on %s: %s%s\n", what,
		metric, twin, strerror(-err),
		err == -EEXIST ? " (another route of that metric is in the way)" : "");
	fflush(stdout);
}

static bool found_has(const struct found *f, int oif, uint32_t gw, uint32_t metric)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (f->r[i].oif == oif && f->r[i].gw == gw && f->r[i].metric == metric)
			return true;
	return false;
}

/* Make the kernel's routes of ours what the uplinks' health says. */
static void sync_routes(void)
{
	static struct found f;
	bool wanted[FOUND_MAX] = {false};
	char buf[256];
	bool in_step = true;
	uint32_t live = 0;

	f.n = 0;
	if (nl_transact(rr.s, route_msg(buf, RTM_GETROUTE, NLM_F_DUMP), rr.buf, sizeof(rr.buf),
		    on_route, &f) < 0) {
		/* The rest of the dump would be taken for the next answer: a new socket. */
		struct mnl_socket *fresh = route_socket();
		if (fresh != NULL) {
			mnl_socket_close(rr.s);
			rr.s = fresh;
		}
		pthread_mutex_lock(&rr.lock);
		rr.st.errors++;
		rr.st.in_step = false;
		pthread_mutex_unlock(&rr.lock);
		return;
	}
	pthread_mutex_lock(&rr.lock);
	for (unsigned int i = 0; i < rr.n; i++) {
		const struct uplink_route *u = &rr.up[i];
		char twin[32];
		int oif;
		struct twin_stats ts;
		if (!twin_info(u->port, twin, sizeof(twin), &oif, &ts)) {
			in_step = false;
			continue;
		}
		uint32_t m = u->base + (rr.usable[u->port] ? 0 : RELAY_ROUTE_DEAD);
		live += rr.usable[u->port];
		for (unsigned int k = 0; k < f.n; k++)
			wanted[k] |= f.r[k].oif == oif && f.r[k].gw == u->gw && f.r[k].metric == m;
		if (found_has(&f, oif, u->gw, m))
			continue;
		int rc = route_change(RTM_NEWROUTE, oif, u->gw, m);
		if (rc == 0)
			rr.st.added++;
		else {
			refused("add", m, twin, rc);
			in_step = false;
		}
	}
	/* What no uplink wants (its other metric, a port gone by a reload) goes once the
	 * wanted ones are in: a route to the VPS all along. */
	for (unsigned int k = 0; k < f.n; k++) {
		if (wanted[k])
			continue;
		int rc = route_change(RTM_DELROUTE, f.r[k].oif, f.r[k].gw, f.r[k].metric);
		if (rc == 0 || rc == -ESRCH)
			rr.st.removed += rc == 0;
		else {
			refused("delete", f.r[k].metric, "its twin", rc);
			in_step = false;
		}
	}
	rr.st.in_step = in_step;
	rr.st.live = live;
	pthread_mutex_unlock(&rr.lock);
}

int relay_routes_start(const struct mpgw_config *cfg, char *err, size_t errlen)
{
	unsigned int n = 0;

	rr.n = 0;
	rr.st = (struct relay_routes_status){0};
	if (cfg->role != CFG_ROLE_GATEWAY || !cfg->twins || cfg->relay.port == 0)
		return 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		if (!p->uplink)
			continue;
		const struct ipaddr *gw = config_addr_of_family(p->gateways, p->n_gateways, 4);
		/* Numbered among the uplinks as relay-kernel.sh numbers their tables. */
		if (gw != NULL && rr.n < RTE_DIM(rr.up))
			rr.up[rr.n++] = (struct uplink_route){
				.port = i, .base = RELAY_ROUTE_STEP * (n + 1), .gw = gw->v4};
		n++;
	}
	rr.s = route_socket();
	if (rr.s == NULL) {
		snprintf(err, errlen, "relay: rtnetlink (for the uplinks' default routes): %s",
			strerror(errno));
		return -1;
	}
	rr.seq = (unsigned int)time(NULL);
	rr.st.kept = true;
	rr.last_errno = 0;
	return 0;
}

void relay_routes_poll(uint64_t now)
{
	bool usable[MPGW_MAX_PORTS];

	if (rr.s == NULL)
		return;
	uplink_ctl_ports_usable(usable);
	bool changed = memcmp(usable, rr.usable, sizeof(usable)) != 0;
	if (!changed && (int64_t)(now - rr.next_check) < 0)
		return;
	memcpy(rr.usable, usable, sizeof(usable));
	rr.next_check = now + rte_get_tsc_hz() / 1000 * RELAY_ROUTES_CHECK_MS;
	sync_routes();
}

void relay_routes_stop(void)
{
	if (rr.s != NULL)
		mnl_socket_close(rr.s);
	rr.s = NULL;
}

void relay_routes_status(struct relay_routes_status *out)
{
	pthread_mutex_lock(&rr.lock);
	*out = rr.st;
	pthread_mutex_unlock(&rr.lock);
}
