/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's MPTCP path manager over generic netlink (see mptcp_pm.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "mptcp_pm.h"
#include "mptcp_sf.h"
#include "nl_attrs.h"
#include "port.h"
#include "twin.h"
#include "uplink_ctl.h"
#include "worker.h"

struct mptcp_sf_table *mptcp_sf_live;

/* A subflow of the table: what telemetry shows, and its counter slot. */
struct subflow {
	struct mptcp_subflow_info info;
	struct mptcp_sf_key key;
	uint16_t slot;
	struct mptcp_sf_stats base; /* the slot's counters when it was handed out */
};

struct conn {
	bool used;
	uint32_t token;
	bool established, server_side;
	unsigned int n_sf;
	struct subflow sf[MPTCP_MAX_CONN_SF];
};

static struct {
	bool on;
	struct mnl_socket *ev;	/* the events group */
	struct mnl_socket *req; /* requests: the family, dumps */
	uint16_t family;
	uint32_t events_group;
	unsigned int seq;
	uint64_t next_dump;
	/* Read by telemetry, written by the control thread: under lock. */
	pthread_mutex_t lock;
	struct conn conns[MPTCP_MAX_CONNS];
	struct mptcp_endpoint endpoints[MPTCP_MAX_ENDPOINTS];
	unsigned int n_endpoints;
	struct mptcp_pm_stats stats;
	/* Counter slots: in use or not. Control thread only. */
	bool slot_used[MPTCP_MAX_SUBFLOWS];
	bool table_dirty;
	/* Following the uplinks: endpoints (by id) mpgw flagged backup, ports seen usable. */
	bool follow;
	uint64_t next_follow;
	bool demoted[256];
	bool seen_usable[MPGW_MAX_PORTS];
	uint8_t buf[1 << 15];
} pm = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* --- data-path counters --------------------------------------------------------------- */

static void slot_sum(uint16_t slot, struct mptcp_sf_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < n_workers; i++) {
		const struct mptcp_sf_stats *s = workers[i].mptcp_sf;
		if (s == NULL)
			continue;
		out->tx_packets += s[slot].tx_packets;
		out->tx_bytes += s[slot].tx_bytes;
		out->rx_packets += s[slot].rx_packets;
		out->rx_bytes += s[slot].rx_bytes;
	}
}

/* Build the data path's table of the subflows now known and publish it. */
static void publish_table(void)
{
	unsigned int n = 0;
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		if (pm.conns[c].used)
			n += pm.conns[c].n_sf;
	uint32_t size = 16;
	while (size < 2 * n)
		size *= 2;
	struct mptcp_sf_table *t = rte_zmalloc(
		"mpgw_mptcp_sf", sizeof(*t) + size * sizeof(t->slots[0]), RTE_CACHE_LINE_SIZE);
	if (t == NULL) {
		/* The old table stays: counting stays behind until the next change. */
		pm.stats.untracked++;
		return;
	}
	t->mask = size - 1;
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (!pm.conns[c].used)
			continue;
		for (unsigned int i = 0; i < pm.conns[c].n_sf; i++) {
			const struct subflow *sf = &pm.conns[c].sf[i];
			uint32_t h = mptcp_sf_hash(&sf->key) & t->mask;
			while (t->slots[h].used)
				h = (h + 1) & t->mask;
			t->slots[h] = (struct mptcp_sf_slot){
				.key = sf->key, .id = sf->slot, .used = true};
		}
	}
	struct mptcp_sf_table *old = __atomic_exchange_n(&mptcp_sf_live, t, __ATOMIC_ACQ_REL);
	if (old != NULL) {
		if (worker_rcu != NULL)
			rte_rcu_qsbr_synchronize(worker_rcu, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
	pm.table_dirty = false;
}

/* --- the tables ----------------------------------------------------------------------- */

static struct conn *conn_find(uint32_t token, bool create)
{
	struct conn *free_slot = NULL;

	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (pm.conns[c].used && pm.conns[c].token == token)
			return &pm.conns[c];
		if (!pm.conns[c].used && free_slot == NULL)
			free_slot = &pm.conns[c];
	}
	if (!create)
		return NULL;
	if (free_slot == NULL) {
		pm.stats.untracked++;
		return NULL;
	}
	*free_slot = (struct conn){.used = true, .token = token};
	return free_slot;
}

static void sf_release(struct subflow *sf)
{
	pm.slot_used[sf->slot] = false;
	pm.table_dirty = true;
}

static void conn_close(struct conn *c)
{
	for (unsigned int i = 0; i < c->n_sf; i++)
		sf_release(&c->sf[i]);
	c->used = false;
	pm.stats.connections_closed++;
}

/* The mpgw port a subflow leaves by: the twin it is bound to, else the port that has its
 * local address. */
static int port_of(int ifindex, const struct ipaddr *local)
{
	int port = twin_port_of_ifindex(ifindex);

	if (port >= 0)
		return port;
	for (unsigned int p = 0; p < n_ports; p++)
		if (port_has_addr(&ports[p],
			    local->family == 4 ? (const void *)&local->v4 : (const void *)local->v6,
			    local->family == 4))
			return (int)p;
	return -1;
}

static struct mptcp_sf_key sf_key(const struct mptcp_subflow_info *i)
{
	struct mptcp_sf_key k = {.family = i->laddr.family};
	unsigned int alen = i->laddr.family == 4 ? 4 : 16;

	memcpy(k.laddr, i->laddr.family == 4 ? (const void *)&i->laddr.v4 : i->laddr.v6, alen);
	memcpy(k.raddr, i->raddr.family == 4 ? (const void *)&i->raddr.v4 : i->raddr.v6, alen);
	k.lport = rte_cpu_to_be_16(i->lport);
	k.rport = rte_cpu_to_be_16(i->rport);
	return k;
}

/* Add or update the subflow of info in c. */
static void sf_set(struct conn *c, const struct mptcp_subflow_info *info)
{
	struct mptcp_sf_key k = sf_key(info);
	unsigned int i;

	for (i = 0; i < c->n_sf; i++)
		if (memcmp(&c->sf[i].key, &k, sizeof(k)) == 0) {
			c->sf[i].info.backup = info->backup;
			c->sf[i].info.loc_id = info->loc_id;
			c->sf[i].info.rem_id = info->rem_id;
			if (info->port >= 0)
				c->sf[i].info.port = info->port;
			return;
		}
	unsigned int slot;
	for (slot = 0; slot < MPTCP_MAX_SUBFLOWS && pm.slot_used[slot]; slot++)
		;
	if (c->n_sf == MPTCP_MAX_CONN_SF || slot == MPTCP_MAX_SUBFLOWS) {
		pm.stats.untracked++;
		return;
	}
	pm.slot_used[slot] = true;
	struct subflow *sf = &c->sf[c->n_sf++];
	*sf = (struct subflow){.info = *info, .key = k, .slot = (uint16_t)slot};
	slot_sum(sf->slot, &sf->base);
	pm.table_dirty = true;
}

static void sf_del(struct conn *c, const struct mptcp_subflow_info *info)
{
	struct mptcp_sf_key k = sf_key(info);

	for (unsigned int i = 0; i < c->n_sf; i++)
		if (memcmp(&c->sf[i].key, &k, sizeof(k)) == 0) {
			sf_release(&c->sf[i]);
			c->sf[i] = c->sf[--c->n_sf];
			pm.stats.subflows_closed++;
			return;
		}
}

/* --- events --------------------------------------------------------------------------- */

/* The subflow an event describes; false when it names no addresses. */
static bool event_subflow(const struct nlattr **tb, struct mptcp_subflow_info *i)
{
	memset(i, 0, sizeof(*i));
	i->port = -1;
	if (tb[MPTCP_ATTR_SADDR4] != NULL && tb[MPTCP_ATTR_DADDR4] != NULL) {
		i->laddr.family = i->raddr.family = 4;
		i->laddr.v4 = mnl_attr_get_u32(tb[MPTCP_ATTR_SADDR4]);
		i->raddr.v4 = mnl_attr_get_u32(tb[MPTCP_ATTR_DADDR4]);
	} else if (tb[MPTCP_ATTR_SADDR6] != NULL && tb[MPTCP_ATTR_DADDR6] != NULL &&
		   mnl_attr_get_payload_len(tb[MPTCP_ATTR_SADDR6]) >= 16 &&
		   mnl_attr_get_payload_len(tb[MPTCP_ATTR_DADDR6]) >= 16) {
		i->laddr.family = i->raddr.family = 6;
		memcpy(i->laddr.v6, mnl_attr_get_payload(tb[MPTCP_ATTR_SADDR6]), 16);
		memcpy(i->raddr.v6, mnl_attr_get_payload(tb[MPTCP_ATTR_DADDR6]), 16);
	} else {
		return false;
	}
	if (tb[MPTCP_ATTR_SPORT] != NULL)
		i->lport = rte_be_to_cpu_16(mnl_attr_get_u16(tb[MPTCP_ATTR_SPORT]));
	if (tb[MPTCP_ATTR_DPORT] != NULL)
		i->rport = rte_be_to_cpu_16(mnl_attr_get_u16(tb[MPTCP_ATTR_DPORT]));
	if (tb[MPTCP_ATTR_LOC_ID] != NULL)
		i->loc_id = mnl_attr_get_u8(tb[MPTCP_ATTR_LOC_ID]);
	if (tb[MPTCP_ATTR_REM_ID] != NULL)
		i->rem_id = mnl_attr_get_u8(tb[MPTCP_ATTR_REM_ID]);
	if (tb[MPTCP_ATTR_BACKUP] != NULL)
		i->backup = mnl_attr_get_u8(tb[MPTCP_ATTR_BACKUP]) != 0;
	int ifindex = tb[MPTCP_ATTR_IF_IDX] ? (int)mnl_attr_get_u32(tb[MPTCP_ATTR_IF_IDX]) : 0;
	i->port = port_of(ifindex, &i->laddr);
	return true;
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[MPTCP_ATTR_MAX + 1] = {0};
	struct mptcp_subflow_info info;
	struct conn *c;

	RTE_SET_USED(data);
	if (nlh->nlmsg_type != pm.family)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_ATTR_MAX);
	if (tb[MPTCP_ATTR_TOKEN] == NULL)
		return MNL_CB_OK; /* listener events */
	uint32_t token = mnl_attr_get_u32(tb[MPTCP_ATTR_TOKEN]);
	bool has_sf = event_subflow(tb, &info);

	pthread_mutex_lock(&pm.lock);
	pm.stats.events++;
	switch (g->cmd) {
	case MPTCP_EVENT_CREATED:
	case MPTCP_EVENT_ESTABLISHED:
		/* The initial subflow's addresses and ports: local id 0, remote id 0. */
		c = conn_find(token, true);
		if (c == NULL)
			break;
		c->established |= g->cmd == MPTCP_EVENT_ESTABLISHED;
		if (tb[MPTCP_ATTR_SERVER_SIDE] != NULL)
			c->server_side = mnl_attr_get_u8(tb[MPTCP_ATTR_SERVER_SIDE]) != 0;
		if (has_sf)
			sf_set(c, &info);
		break;
	case MPTCP_EVENT_CLOSED:
		c = conn_find(token, false);
		if (c != NULL)
			conn_close(c);
		break;
	case MPTCP_EVENT_SUB_ESTABLISHED:
	case MPTCP_EVENT_SUB_PRIORITY:
		c = conn_find(token, false);
		if (c != NULL && has_sf)
			sf_set(c, &info);
		/* Its endpoint may be new (added, or its flags changed): look now. */
		pm.next_dump = rte_rdtsc();
		break;
	case MPTCP_EVENT_SUB_CLOSED:
		c = conn_find(token, false);
		if (c != NULL && has_sf)
			sf_del(c, &info);
		break;
	default: /* ANNOUNCED, REMOVED: the peer's addresses, counted only */
		break;
	}
	pthread_mutex_unlock(&pm.lock);
	return MNL_CB_OK;
}

/* --- requests ------------------------------------------------------------------------- */

/* Send a request of cmd (NLM_F_DUMP if dump) to family, with the attributes put() adds
 * (put_arg its argument), and run cb on the answers; MNL_CB_STOP at the end, or -1 with
 * errno (the kernel's error for a refused request). */
static int request(uint16_t family, uint8_t cmd, bool dump,
	void (*put)(struct nlmsghdr *, const void *), const void *put_arg, mnl_cb_t cb, void *data)
{
	char req[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned int seq = ++pm.seq, portid = mnl_socket_get_portid(pm.req);

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : MPTCP_PM_VER;
	if (put != NULL)
		put(nlh, put_arg);
	if (mnl_socket_sendto(pm.req, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(pm.req, pm.buf, sizeof(pm.buf));
		if (n < 0)
			return -1;
		int r = mnl_cb_run(pm.buf, (size_t)n, seq, portid, cb, data);
		if (r <= MNL_CB_STOP)
			return r;
	}
}

static void put_family_name(struct nlmsghdr *nlh, const void *arg)
{
	RTE_SET_USED(arg);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MPTCP_PM_NAME);
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {0};
	const struct nlattr *grp;

	RTE_SET_USED(data);
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] != NULL)
		pm.family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS] == NULL)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
	{
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = {0};
		nl_parse_nested(grp, g, CTRL_ATTR_MCAST_GRP_MAX);
		if (g[CTRL_ATTR_MCAST_GRP_NAME] != NULL && g[CTRL_ATTR_MCAST_GRP_ID] != NULL &&
			strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
				MPTCP_PM_EV_GRP_NAME) == 0)
			pm.events_group = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

/* The endpoints of a dump, gathered before they replace the table's. */
struct endpoint_list {
	unsigned int n;
	struct mptcp_endpoint e[MPTCP_MAX_ENDPOINTS];
};

static int on_endpoint(const struct nlmsghdr *nlh, void *data)
{
	struct endpoint_list *list = data;
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {0};
	const struct nlattr *a[MPTCP_PM_ADDR_ATTR_MAX + 1] = {0};
	struct mptcp_endpoint e = {.port = -1};

	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	if (tb[MPTCP_PM_ATTR_ADDR] == NULL)
		return MNL_CB_OK;
	nl_parse_nested(tb[MPTCP_PM_ATTR_ADDR], a, MPTCP_PM_ADDR_ATTR_MAX);
	if (a[MPTCP_PM_ADDR_ATTR_ID] != NULL)
		e.id = mnl_attr_get_u8(a[MPTCP_PM_ADDR_ATTR_ID]);
	if (a[MPTCP_PM_ADDR_ATTR_FLAGS] != NULL)
		e.flags = mnl_attr_get_u32(a[MPTCP_PM_ADDR_ATTR_FLAGS]);
	if (a[MPTCP_PM_ADDR_ATTR_IF_IDX] != NULL)
		e.ifindex = (int)mnl_attr_get_u32(a[MPTCP_PM_ADDR_ATTR_IF_IDX]);
	if (a[MPTCP_PM_ADDR_ATTR_ADDR4] != NULL) {
		e.addr.family = 4;
		e.addr.v4 = mnl_attr_get_u32(a[MPTCP_PM_ADDR_ATTR_ADDR4]);
	} else if (a[MPTCP_PM_ADDR_ATTR_ADDR6] != NULL &&
		   mnl_attr_get_payload_len(a[MPTCP_PM_ADDR_ATTR_ADDR6]) >= 16) {
		e.addr.family = 6;
		memcpy(e.addr.v6, mnl_attr_get_payload(a[MPTCP_PM_ADDR_ATTR_ADDR6]), 16);
	} else {
		return MNL_CB_OK;
	}
	e.port = port_of(e.ifindex, &e.addr);
	if (list->n < MPTCP_MAX_ENDPOINTS)
		list->e[list->n++] = e;
	return MNL_CB_OK;
}

static int on_limits(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {0};
	uint32_t *lim = data;

	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	if (tb[MPTCP_PM_ATTR_SUBFLOWS] != NULL)
		lim[0] = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]);
	if (tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS] != NULL)
		lim[1] = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]);
	return MNL_CB_OK;
}

/* The endpoints and limits, now. */
static void dump_endpoints(void)
{
	static struct endpoint_list list;
	uint32_t lim[2] = {0, 0};

	list.n = 0;
	if (request(pm.family, MPTCP_PM_CMD_GET_ADDR, true, NULL, NULL, on_endpoint, &list) < 0 ||
		request(pm.family, MPTCP_PM_CMD_GET_LIMITS, false, NULL, NULL, on_limits, lim) < 0)
		return; /* the old view stays; tried again at the next dump */
	pthread_mutex_lock(&pm.lock);
	pm.n_endpoints = list.n;
	memcpy(pm.endpoints, list.e, list.n * sizeof(list.e[0]));
	/* An endpoint deleted while mpgw had flagged it: a new one of its id is not ours. */
	bool present[256] = {false};
	for (unsigned int i = 0; i < list.n; i++)
		present[list.e[i].id] = true;
	for (unsigned int id = 0; id < 256; id++)
		pm.demoted[id] &= present[id];
	pm.stats.subflows_limit = lim[0];
	pm.stats.add_addr_accepted_limit = lim[1];
	pthread_mutex_unlock(&pm.lock);
}

/* --- following the uplinks ------------------------------------------------------------- */

struct set_flags_arg {
	uint8_t id;
	uint32_t flags;
};

static void put_set_flags(struct nlmsghdr *nlh, const void *arg)
{
	const struct set_flags_arg *a = arg;
	struct nlattr *nest = mnl_attr_nest_start(nlh, MPTCP_PM_ATTR_ADDR);

	mnl_attr_put_u8(nlh, MPTCP_PM_ADDR_ATTR_ID, a->id);
	mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, a->flags);
	mnl_attr_nest_end(nlh, nest);
}

static int on_ack(const struct nlmsghdr *nlh, void *data)
{
	RTE_SET_USED(nlh);
	RTE_SET_USED(data);
	return MNL_CB_OK;
}

/* Set or clear e's backup flag in the kernel (and in e); under the lock. */
static bool endpoint_set_backup(struct mptcp_endpoint *e, bool backup)
{
	struct set_flags_arg a = {.id = e->id,
		.flags = backup ? e->flags | MPTCP_PM_ADDR_FLAG_BACKUP
				: e->flags & ~(uint32_t)MPTCP_PM_ADDR_FLAG_BACKUP};

	if (request(pm.family, MPTCP_PM_CMD_SET_FLAGS, false, put_set_flags, &a, on_ack, NULL) <
		0) {
		pm.stats.set_flags_errors++;
		return false;
	}
	e->flags = a.flags;
	return true;
}

static int port_by_name(const char *name)
{
	for (unsigned int p = 0; p < n_ports; p++)
		if (strcmp(ports[p].name, name) == 0)
			return (int)p;
	return -1;
}

/*
 * The ports whose endpoints should be backup ones: those with tunnel paths that are all
 * `multipath = backup`, and those whose paths were usable once and none is now (at start
 * no path is usable until probes answer: that is not a failure).
 */
static void backup_ports(bool *want)
{
	static struct uplink_info paths[WORKER_MAX_PATHS];
	bool has[MPGW_MAX_PORTS] = {false}, usable[MPGW_MAX_PORTS] = {false};
	bool all_backup[MPGW_MAX_PORTS];
	uint32_t gen;
	unsigned int n = uplink_ctl_snapshot(paths, WORKER_MAX_PATHS, &gen);

	for (unsigned int p = 0; p < MPGW_MAX_PORTS; p++)
		all_backup[p] = true;
	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)WORKER_MAX_PATHS); i++) {
		int p = port_by_name(paths[i].port);
		if (p < 0)
			continue;
		has[p] = true;
		usable[p] |= paths[i].usable;
		all_backup[p] &= paths[i].mode == UPLINK_MODE_BACKUP;
	}
	for (unsigned int p = 0; p < n_ports; p++) {
		pm.seen_usable[p] |= usable[p];
		want[p] = has[p] && (all_backup[p] || (pm.seen_usable[p] && !usable[p]));
	}
}

static void follow_uplinks(void)
{
	bool want[MPGW_MAX_PORTS] = {false};

	backup_ports(want);
	pthread_mutex_lock(&pm.lock);
	for (unsigned int i = 0; i < pm.n_endpoints; i++) {
		struct mptcp_endpoint *e = &pm.endpoints[i];
		bool is = (e->flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
		if (e->port < 0)
			continue;
		if (want[e->port] && !is) {
			if (endpoint_set_backup(e, true)) {
				pm.demoted[e->id] = true;
				pm.stats.backup_set++;
			}
		} else if (!want[e->port] && is && pm.demoted[e->id]) {
			if (endpoint_set_backup(e, false)) {
				pm.demoted[e->id] = false;
				pm.stats.backup_cleared++;
			}
		}
	}
	pthread_mutex_unlock(&pm.lock);
}

/* At stop: the flags mpgw set, taken back. */
static void unfollow_uplinks(void)
{
	pthread_mutex_lock(&pm.lock);
	for (unsigned int i = 0; i < pm.n_endpoints; i++)
		if (pm.demoted[pm.endpoints[i].id] && endpoint_set_backup(&pm.endpoints[i], false))
			pm.demoted[pm.endpoints[i].id] = false;
	pthread_mutex_unlock(&pm.lock);
}

/* --- life cycle ----------------------------------------------------------------------- */

int mptcp_pm_start(bool follow_uplinks, char *err, size_t errlen)
{
	if (!twins_enabled())
		return 0;
	pm.req = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (pm.req == NULL || mnl_socket_bind(pm.req, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "generic netlink: %s", strerror(errno));
		mptcp_pm_stop();
		return -1;
	}
	pm.seq = (unsigned int)time(NULL);
	if (request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, false, put_family_name, NULL, on_family,
		    NULL) < 0 ||
		pm.family == 0 || pm.events_group == 0) {
		/* No MPTCP in this kernel (or it is off): nothing to follow. */
		printf("mpgw: the kernel has no MPTCP path manager (%s): mpgwctl mptcp stays "
		       "empty\n",
			strerror(errno));
		mptcp_pm_stop();
		return 0;
	}
	pm.ev = mnl_socket_open2(NETLINK_GENERIC, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int grp = (int)pm.events_group;
	if (pm.ev == NULL || mnl_socket_bind(pm.ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
		mnl_socket_setsockopt(pm.ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		snprintf(err, errlen, "MPTCP path manager events: %s", strerror(errno));
		mptcp_pm_stop();
		return -1;
	}
	dump_endpoints();
	pm.next_dump = rte_rdtsc() + rte_get_tsc_hz() / 1000 * MPTCP_PM_DUMP_MS;
	pm.on = pm.stats.on = true;
	pm.follow = pm.stats.follow_uplinks = follow_uplinks;
	return 0;
}

void mptcp_pm_poll(void)
{
	if (!pm.on)
		return;
	/* A bounded number of reads per call: a storm of events waits for the next poll. */
	for (unsigned int i = 0; i < 64; i++) {
		ssize_t n = mnl_socket_recvfrom(pm.ev, pm.buf, sizeof(pm.buf));
		if (n < 0) {
			/* ENOBUFS: events were lost, and the kernel has no table to dump. */
			if (errno == ENOBUFS)
				pm.stats.overruns++;
			break;
		}
		mnl_cb_run(pm.buf, (size_t)n, 0, 0, on_event, NULL);
	}
	if (pm.table_dirty)
		publish_table();
	if ((int64_t)(rte_rdtsc() - pm.next_dump) >= 0) {
		dump_endpoints();
		pm.next_dump = rte_rdtsc() + rte_get_tsc_hz() / 1000 * MPTCP_PM_DUMP_MS;
	}
	if (pm.follow && (int64_t)(rte_rdtsc() - pm.next_follow) >= 0) {
		follow_uplinks();
		pm.next_follow = rte_rdtsc() + rte_get_tsc_hz() / 1000 * MPTCP_PM_FOLLOW_MS;
	}
}

void mptcp_pm_stop(void)
{
	if (pm.on && pm.follow)
		unfollow_uplinks();
	pm.on = pm.stats.on = false;
	if (pm.ev != NULL)
		mnl_socket_close(pm.ev);
	if (pm.req != NULL)
		mnl_socket_close(pm.req);
	pm.ev = pm.req = NULL;
	/* The workers are stopped by now. */
	rte_free(__atomic_exchange_n(&mptcp_sf_live, NULL, __ATOMIC_ACQ_REL));
}

/* --- telemetry ------------------------------------------------------------------------ */

void mptcp_pm_get_stats(struct mptcp_pm_stats *s)
{
	pthread_mutex_lock(&pm.lock);
	*s = pm.stats;
	pthread_mutex_unlock(&pm.lock);
}

unsigned int mptcp_pm_endpoints(struct mptcp_endpoint *out, unsigned int max)
{
	pthread_mutex_lock(&pm.lock);
	unsigned int n = pm.n_endpoints;
	memcpy(out, pm.endpoints, RTE_MIN(n, max) * sizeof(*out));
	pthread_mutex_unlock(&pm.lock);
	return n;
}

/* Is the local endpoint of this id a backup one? Under the lock. */
static bool endpoint_is_backup(uint8_t id)
{
	for (unsigned int i = 0; i < pm.n_endpoints; i++)
		if (pm.endpoints[i].id == id)
			return (pm.endpoints[i].flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
	return false;
}

unsigned int mptcp_pm_connections(struct mptcp_conn_info *out, unsigned int max)
{
	unsigned int n = 0;

	pthread_mutex_lock(&pm.lock);
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		const struct conn *cn = &pm.conns[c];
		if (!cn->used)
			continue;
		if (n < max) {
			struct mptcp_conn_info *o = &out[n];
			*o = (struct mptcp_conn_info){.token = cn->token,
				.established = cn->established,
				.server_side = cn->server_side,
				.n_subflows = cn->n_sf};
			for (unsigned int i = 0; i < cn->n_sf; i++) {
				struct mptcp_sf_stats now;
				slot_sum(cn->sf[i].slot, &now);
				o->sf[i] = cn->sf[i].info;
				o->sf[i].backup |= endpoint_is_backup(cn->sf[i].info.loc_id);
				o->sf[i].tx_packets = now.tx_packets - cn->sf[i].base.tx_packets;
				o->sf[i].tx_bytes = now.tx_bytes - cn->sf[i].base.tx_bytes;
				o->sf[i].rx_packets = now.rx_packets - cn->sf[i].base.rx_packets;
				o->sf[i].rx_bytes = now.rx_bytes - cn->sf[i].base.rx_bytes;
			}
		}
		n++;
	}
	pthread_mutex_unlock(&pm.lock);
	return n;
}
