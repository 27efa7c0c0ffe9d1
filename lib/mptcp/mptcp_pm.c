/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's MPTCP path manager over generic netlink (see mptcp_pm.h). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/sock_diag.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "mptcp_close.h"
#include "mptcp_pm.h"
#include "mptcp_pm_test.h"
#include "mptcp_sf.h"
#include "nl_attrs.h"
#include "nl_diag.h"
#include "nl_transact.h"
#include "port.h"
#include "twin.h"
#include "uplink_ctl.h"
#include "worker.h"

/* The event socket's receive buffer: a burst of events that overflows it is made good by a
 * dump of the kernel's sockets, but should be rare. */
#ifndef MPTCP_PM_EV_RCVBUF
#define MPTCP_PM_EV_RCVBUF (4 << 20)
#endif
/* A dump of the kernel's sockets that failed is tried again this much later. */
#define MPTCP_PM_RESYNC_RETRY_MS 1000
/* How often the table is checked against the kernel's sockets. */
#define MPTCP_PM_RECONCILE_MS 2000

/* A subflow of the table: what telemetry shows, and its counter slot. */
struct subflow {
	struct mptcp_subflow_info info;
	struct mptcp_sf_key key;
	uint16_t slot;
	bool seen;		    /* in the dump being merged */
	struct mptcp_sf_stats base; /* the slot's counters when it was handed out */
};

struct conn {
	bool established, server_side;
	bool from_dump; /* created by a dump: its side is guessed from the subflows' flags */
	unsigned int n_sf;
	struct subflow sf[MPTCP_MAX_CONN_SF];
};

/* A counter slot: free, a subflow's, or released but perhaps still mapped by a table a
 * worker holds (free after the next publish). */
enum { SLOT_FREE, SLOT_USED, SLOT_DRAINING };

static struct {
	bool on;
	bool gateway;
	struct mnl_socket *ev;	 /* the events group */
	struct mnl_socket *req;	 /* requests: the family, dumps */
	struct mnl_socket *diag; /* sock_diag dumps; NULL if the kernel has none */
	uint16_t family;
	uint32_t events_group;
	unsigned int seq;
	uint64_t next_dump;
	bool resync; /* events were lost: the connections are to be dumped */
	uint64_t next_resync;
	uint64_t next_reconcile;
	/* Read by telemetry, written by the control thread: under lock. The tokens and the
	 * used flags are apart from the connections, to be searched quickly. */
	pthread_mutex_t lock;
	bool conn_used[MPTCP_MAX_CONNS];
	uint32_t conn_token[MPTCP_MAX_CONNS];
	struct conn conns[MPTCP_MAX_CONNS];
	struct mptcp_endpoint endpoints[MPTCP_MAX_ENDPOINTS];
	unsigned int n_endpoints;
	struct mptcp_pm_stats stats;
	/* Counter slots (SLOT_*). Control thread only. */
	uint8_t slot_state[MPTCP_MAX_SUBFLOWS];
	unsigned int slot_next, n_draining;
	bool table_dirty;
	/* Following the uplinks: endpoints (by id, with their address) mpgw flagged backup,
	 * ports seen usable. */
	bool follow;
	uint64_t next_follow;
	struct {
		bool on;
		struct ipaddr addr;
	} demoted[256];
	bool seen_usable[MPGW_MAX_PORTS];
	/* Gateway: ports whose uplink died and whose subflows mpgw closed (their endpoints
	 * are added again when it is back). Vps: the far ends of its paths (gateways' uplink
	 * addresses), seen usable, and those whose subflows it closed since. */
	bool closed[MPGW_MAX_PORTS];
	unsigned int n_peers;
	struct {
		struct ipaddr addr;
		bool seen_usable, closed;
	} peers[WORKER_MAX_PATHS];
	uint8_t buf[1 << 15];
} pm = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t ms_from_now(unsigned int ms)
{
	return rte_rdtsc() + rte_get_tsc_hz() / 1000 * ms;
}

/* --- attributes ------------------------------------------------------------------------ */

/* Copy a's payload to v if a is there and its payload is len bytes exactly (a u8, u16 or
 * u32 in host order as the kernel put it, an address as it is on the wire). */
static bool attr_get(const struct nlattr *a, void *v, size_t len)
{
	if (a == NULL || mnl_attr_validate2(a, MNL_TYPE_BINARY, len) < 0)
		return false;
	memcpy(v, mnl_attr_get_payload(a), len);
	return true;
}

/* Is a there and of type (libmnl's checks: a NUL-terminated string for
 * MNL_TYPE_NUL_STRING, room for an attribute in a non-empty nest)? */
static bool attr_is(const struct nlattr *a, enum mnl_attr_data_type type)
{
	return a != NULL && mnl_attr_validate(a, type) == 0;
}

/* A subflow's addresses from the IPv6 ones the kernel gave: an IPv4-mapped pair
 * (::ffff:a.b.c.d, a dual-stack socket's IPv4 connection) as IPv4, as its packets are. */
static void addrs_from6(struct mptcp_subflow_info *i, const uint8_t *local, const uint8_t *remote)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(local, mapped, 12) == 0 && memcmp(remote, mapped, 12) == 0) {
		i->laddr.family = i->raddr.family = 4;
		memcpy(&i->laddr.v4, local + 12, 4);
		memcpy(&i->raddr.v4, remote + 12, 4);
	} else {
		i->laddr.family = i->raddr.family = 6;
		memcpy(i->laddr.v6, local, 16);
		memcpy(i->raddr.v6, remote, 16);
	}
}

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

/*
 * Build the data path's table of the subflows now known and publish it (NULL when there
 * are none: the workers' lookup ends at once). Once no worker holds the old table, the
 * slots released since the last publish are free.
 */
static void publish_table(void)
{
	struct mptcp_sf_table *t = NULL;
	unsigned int n = 0;

	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		if (pm.conn_used[c])
			n += pm.conns[c].n_sf;
	if (n != 0) {
		uint32_t size = 16;
		while (size < 2 * n)
			size *= 2;
		t = rte_zmalloc("mpgw_mptcp_sf", sizeof(*t) + size * sizeof(t->slots[0]),
			RTE_CACHE_LINE_SIZE);
		if (t == NULL) {
			/* The old table stays, and so do the draining slots; tried again at
			 * the next poll. */
			pthread_mutex_lock(&pm.lock);
			pm.stats.alloc_errors++;
			pthread_mutex_unlock(&pm.lock);
			return;
		}
		t->mask = size - 1;
		t->uplinks_only = pm.gateway;
	}
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS && t != NULL; c++) {
		if (!pm.conn_used[c])
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
	for (unsigned int s = 0; s < MPTCP_MAX_SUBFLOWS && pm.n_draining != 0; s++)
		if (pm.slot_state[s] == SLOT_DRAINING) {
			pm.slot_state[s] = SLOT_FREE;
			pm.n_draining--;
		}
	pm.table_dirty = false;
}

/* A free counter slot, now used, or -1. Taken in turn, so that a slot is reused late. */
static int slot_take(void)
{
	for (unsigned int n = 0; n < MPTCP_MAX_SUBFLOWS; n++) {
		unsigned int s = (pm.slot_next + n) % MPTCP_MAX_SUBFLOWS;
		if (pm.slot_state[s] == SLOT_FREE) {
			pm.slot_state[s] = SLOT_USED;
			pm.slot_next = (s + 1) % MPTCP_MAX_SUBFLOWS;
			return (int)s;
		}
	}
	return -1;
}

/* --- the tables ----------------------------------------------------------------------- */

static struct conn *conn_find(uint32_t token, bool create)
{
	int free_slot = -1;

	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (!pm.conn_used[c]) {
			if (free_slot < 0)
				free_slot = (int)c;
		} else if (pm.conn_token[c] == token) {
			return &pm.conns[c];
		}
	}
	if (!create)
		return NULL;
	if (free_slot < 0) {
		pm.stats.untracked++;
		return NULL;
	}
	pm.conn_used[free_slot] = true;
	pm.conn_token[free_slot] = token;
	pm.conns[free_slot] = (struct conn){.n_sf = 0};
	return &pm.conns[free_slot];
}

static void sf_release(struct subflow *sf)
{
	pm.slot_state[sf->slot] = SLOT_DRAINING;
	pm.n_draining++;
	pm.table_dirty = true;
}

/* Remove c's subflow i. */
static void sf_remove(struct conn *c, unsigned int i)
{
	sf_release(&c->sf[i]);
	c->sf[i] = c->sf[--c->n_sf];
}

static void conn_close(struct conn *c)
{
	for (unsigned int i = 0; i < c->n_sf; i++)
		sf_release(&c->sf[i]);
	c->n_sf = 0;
	pm.conn_used[c - pm.conns] = false;
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

/* Add or update the subflow of info in c; returns it, or NULL (over the limits). */
static struct subflow *sf_set(struct conn *c, const struct mptcp_subflow_info *info)
{
	struct mptcp_sf_key k = sf_key(info);

	for (unsigned int i = 0; i < c->n_sf; i++)
		if (memcmp(&c->sf[i].key, &k, sizeof(k)) == 0) {
			c->sf[i].info.backup = info->backup;
			c->sf[i].info.loc_id = info->loc_id;
			c->sf[i].info.rem_id = info->rem_id;
			if (info->port >= 0)
				c->sf[i].info.port = info->port;
			return &c->sf[i];
		}
	int slot = c->n_sf < MPTCP_MAX_CONN_SF ? slot_take() : -1;
	if (slot < 0) {
		pm.stats.untracked++;
		return NULL;
	}
	struct subflow *sf = &c->sf[c->n_sf++];
	*sf = (struct subflow){.info = *info, .key = k, .slot = (uint16_t)slot};
	/* A free slot is in no table a worker can hold: its counters stand still. */
	slot_sum(sf->slot, &sf->base);
	pm.table_dirty = true;
	return sf;
}

static void sf_del(struct conn *c, const struct mptcp_subflow_info *info)
{
	struct mptcp_sf_key k = sf_key(info);

	for (unsigned int i = 0; i < c->n_sf; i++)
		if (memcmp(&c->sf[i].key, &k, sizeof(k)) == 0) {
			sf_remove(c, i);
			pm.stats.subflows_closed++;
			return;
		}
}

/* --- events --------------------------------------------------------------------------- */

/* The subflow an event describes; false when it names no addresses. */
static bool event_subflow(const struct nlattr **tb, struct mptcp_subflow_info *i)
{
	uint8_t local6[16], remote6[16];
	uint16_t port;
	int32_t ifindex = 0;

	memset(i, 0, sizeof(*i));
	i->port = -1;
	if (attr_get(tb[MPTCP_ATTR_SADDR4], &i->laddr.v4, 4) &&
		attr_get(tb[MPTCP_ATTR_DADDR4], &i->raddr.v4, 4))
		i->laddr.family = i->raddr.family = 4;
	else if (attr_get(tb[MPTCP_ATTR_SADDR6], local6, 16) &&
		 attr_get(tb[MPTCP_ATTR_DADDR6], remote6, 16))
		addrs_from6(i, local6, remote6);
	else
		return false;
	if (attr_get(tb[MPTCP_ATTR_SPORT], &port, sizeof(port)))
		i->lport = rte_be_to_cpu_16(port);
	if (attr_get(tb[MPTCP_ATTR_DPORT], &port, sizeof(port)))
		i->rport = rte_be_to_cpu_16(port);
	attr_get(tb[MPTCP_ATTR_LOC_ID], &i->loc_id, 1);
	attr_get(tb[MPTCP_ATTR_REM_ID], &i->rem_id, 1);
	uint8_t backup = 0;
	attr_get(tb[MPTCP_ATTR_BACKUP], &backup, 1);
	i->backup = backup != 0;
	attr_get(tb[MPTCP_ATTR_IF_IDX], &ifindex, sizeof(ifindex));
	i->port = port_of(ifindex, &i->laddr);
	return true;
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[MPTCP_ATTR_MAX + 1] = {0};
	struct mptcp_subflow_info info;
	struct conn *c;
	uint32_t token;
	uint8_t server_side;

	RTE_SET_USED(data);
	if (nlh->nlmsg_type != pm.family || mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_ATTR_MAX);
	if (!attr_get(tb[MPTCP_ATTR_TOKEN], &token, sizeof(token)))
		return MNL_CB_OK; /* listener events */
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
		if (attr_get(tb[MPTCP_ATTR_SERVER_SIDE], &server_side, 1)) {
			c->server_side = server_side != 0;
			c->from_dump = false;
		}
		if (has_sf)
			sf_set(c, &info);
		break;
	case MPTCP_EVENT_CLOSED:
		c = conn_find(token, false);
		if (c != NULL) {
			conn_close(c);
			pm.stats.connections_closed++;
		}
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

void mptcp_pm_test_events(const void *buf, size_t len, uint16_t family)
{
	pm.family = family;
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		if (pm.conn_used[c])
			conn_close(&pm.conns[c]);
	nl_cb_run(buf, len, 0, 0, on_event, NULL);
	if (pm.table_dirty)
		publish_table();
}

/* --- requests ------------------------------------------------------------------------- */

/* Send a request of cmd (NLM_F_DUMP if dump) to family, with the attributes put() adds
 * (put_arg its argument), and run cb on the answers (nl_transact()). */
static int request(uint16_t family, uint8_t cmd, bool dump,
	void (*put)(struct nlmsghdr *, const void *), const void *put_arg, mnl_cb_t cb, void *data)
{
	char req[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned int seq = ++pm.seq;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : MPTCP_PM_VER;
	if (put != NULL)
		put(nlh, put_arg);
	return nl_transact(pm.req, nlh, pm.buf, sizeof(pm.buf), cb, data);
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
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	attr_get(tb[CTRL_ATTR_FAMILY_ID], &pm.family, sizeof(pm.family));
	if (!attr_is(tb[CTRL_ATTR_MCAST_GROUPS], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
	{
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = {0};
		nl_parse_nested(grp, g, CTRL_ATTR_MCAST_GRP_MAX);
		if (attr_is(g[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) &&
			strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
				MPTCP_PM_EV_GRP_NAME) == 0)
			attr_get(g[CTRL_ATTR_MCAST_GRP_ID], &pm.events_group,
				sizeof(pm.events_group));
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
	int32_t ifindex = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	if (!attr_is(tb[MPTCP_PM_ATTR_ADDR], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(tb[MPTCP_PM_ATTR_ADDR], a, MPTCP_PM_ADDR_ATTR_MAX);
	attr_get(a[MPTCP_PM_ADDR_ATTR_ID], &e.id, sizeof(e.id));
	attr_get(a[MPTCP_PM_ADDR_ATTR_FLAGS], &e.flags, sizeof(e.flags));
	attr_get(a[MPTCP_PM_ADDR_ATTR_IF_IDX], &ifindex, sizeof(ifindex));
	e.ifindex = ifindex;
	if (attr_get(a[MPTCP_PM_ADDR_ATTR_ADDR4], &e.addr.v4, 4))
		e.addr.family = 4;
	else if (attr_get(a[MPTCP_PM_ADDR_ATTR_ADDR6], e.addr.v6, 16))
		e.addr.family = 6;
	else
		return MNL_CB_OK;
	e.port = port_of(e.ifindex, &e.addr);
	if (list->n < MPTCP_MAX_ENDPOINTS)
		list->e[list->n++] = e;
	return MNL_CB_OK;
}

static int on_limits(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {0};
	uint32_t *lim = data;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	attr_get(tb[MPTCP_PM_ATTR_SUBFLOWS], &lim[0], sizeof(lim[0]));
	attr_get(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS], &lim[1], sizeof(lim[1]));
	return MNL_CB_OK;
}

/* Did mpgw flag e (its id, with its address) backup? Under the lock. */
static bool demoted(const struct mptcp_endpoint *e)
{
	return pm.demoted[e->id].on && ipaddr_equal(&pm.demoted[e->id].addr, &e->addr);
}

static void set_demoted(const struct mptcp_endpoint *e, bool on)
{
	pm.demoted[e->id].on = on;
	pm.demoted[e->id].addr = e->addr;
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
	/* An endpoint deleted while mpgw had flagged it: a new one of its id (or one of its
	 * id with another address) is not ours. */
	bool present[256] = {false};
	for (unsigned int i = 0; i < list.n; i++)
		present[list.e[i].id] |= demoted(&list.e[i]);
	for (unsigned int id = 0; id < 256; id++)
		pm.demoted[id].on &= present[id];
	pm.stats.subflows_limit = lim[0];
	pm.stats.add_addr_accepted_limit = lim[1];
	pthread_mutex_unlock(&pm.lock);
}

/* --- the kernel's sockets (sock_diag) ---------------------------------------------------- */

/* What a dump found: the subflows (TCP sockets of the "mptcp" ULP) and the tokens of the
 * connections (MPTCP sockets), both as ss -M shows them (dump_sockets()). */
struct dumped_subflow {
	uint32_t token;
	uint32_t flags; /* MPTCP_SUBFLOW_FLAG_* */
	struct mptcp_subflow_info info;
};

static struct {
	unsigned int n, over;
	struct dumped_subflow sf[MPTCP_MAX_SUBFLOWS];
	bool have_tokens;
	unsigned int n_tokens;
	uint32_t tokens[2 * MPTCP_MAX_CONNS];
} dumped;

/* Dump the sockets of family (AF_INET, AF_INET6) in states (a mask of 1 << TCP_*): MPTCP
 * connections (msk) or TCP sockets, with INET_DIAG_INFO (and so the ULP's info). */
static int diag_dump(uint8_t family, bool msk, uint32_t states, mnl_cb_t cb)
{
	char req[256];
	unsigned int seq = ++pm.seq;
	struct nlmsghdr *nlh = nl_diag_request(req, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, seq, family,
		states, 1 << (INET_DIAG_INFO - 1));

	/* IPPROTO_MPTCP does not fit sdiag_protocol: the attribute says it. */
	if (msk)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	return nl_transact(pm.diag, nlh, pm.buf, sizeof(pm.buf), cb, NULL);
}

static int on_msk(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const size_t at = offsetof(struct mptcp_info, mptcpi_token);
	uint32_t token;

	RTE_SET_USED(data);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX);
	const struct nlattr *a = tb[INET_DIAG_INFO];
	if (a == NULL || mnl_attr_get_payload_len(a) < at + sizeof(token))
		return MNL_CB_OK;
	memcpy(&token, (const uint8_t *)mnl_attr_get_payload(a) + at, sizeof(token));
	if (dumped.n_tokens < RTE_DIM(dumped.tokens))
		dumped.tokens[dumped.n_tokens++] = token;
	return MNL_CB_OK;
}

static int on_subflow_sock(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *d = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const struct nlattr *ulp[INET_ULP_INFO_MAX + 1] = {0};
	const struct nlattr *mp[MPTCP_SUBFLOW_ATTR_MAX + 1] = {0};
	struct dumped_subflow s = {.info = {.port = -1, .from_dump = true}};

	RTE_SET_USED(data);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*d))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(*d), tb, INET_DIAG_MAX);
	if (!attr_is(tb[INET_DIAG_ULP_INFO], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(tb[INET_DIAG_ULP_INFO], ulp, INET_ULP_INFO_MAX);
	if (!attr_is(ulp[INET_ULP_INFO_NAME], MNL_TYPE_NUL_STRING) ||
		strcmp(mnl_attr_get_str(ulp[INET_ULP_INFO_NAME]), "mptcp") != 0 ||
		!attr_is(ulp[INET_ULP_INFO_MPTCP], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(ulp[INET_ULP_INFO_MPTCP], mp, MPTCP_SUBFLOW_ATTR_MAX);
	/* Every subflow of a connection has its local token, the one events name. */
	if (!attr_get(mp[MPTCP_SUBFLOW_ATTR_TOKEN_LOC], &s.token, sizeof(s.token)) || s.token == 0)
		return MNL_CB_OK;
	attr_get(mp[MPTCP_SUBFLOW_ATTR_FLAGS], &s.flags, sizeof(s.flags));
	attr_get(mp[MPTCP_SUBFLOW_ATTR_ID_LOC], &s.info.loc_id, 1);
	attr_get(mp[MPTCP_SUBFLOW_ATTR_ID_REM], &s.info.rem_id, 1);
	s.info.backup =
		(s.flags & (MPTCP_SUBFLOW_FLAG_BKUP_REM | MPTCP_SUBFLOW_FLAG_BKUP_LOC)) != 0;
	if (d->idiag_family == AF_INET) {
		s.info.laddr.family = s.info.raddr.family = 4;
		s.info.laddr.v4 = d->id.idiag_src[0];
		s.info.raddr.v4 = d->id.idiag_dst[0];
	} else {
		addrs_from6(&s.info, (const uint8_t *)d->id.idiag_src,
			(const uint8_t *)d->id.idiag_dst);
	}
	s.info.lport = rte_be_to_cpu_16(d->id.idiag_sport);
	s.info.rport = rte_be_to_cpu_16(d->id.idiag_dport);
	s.info.port = port_of((int)d->id.idiag_if, &s.info.laddr);
	if (dumped.n < MPTCP_MAX_SUBFLOWS)
		dumped.sf[dumped.n++] = s;
	else
		dumped.over++;
	return MNL_CB_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The kernel's MPTCP subflows now, into dumped; -1 with errno if the kernel refused. */
static int dump_sockets(void)
{
	/* What ss -M shows: connected, or closing on one side or both (a shutdown() of the
	 * application, or the peer's FIN); not listening, not yet connected, not closed. */
	const uint32_t open = 1 << TCP_ESTABLISHED | 1 << TCP_FIN_WAIT1 | 1 << TCP_FIN_WAIT2 |
			      1 << TCP_CLOSE_WAIT | 1 << TCP_CLOSING | 1 << TCP_LAST_ACK;

	dumped.n = dumped.over = dumped.n_tokens = 0;
	/* Without MPTCP's own diag (module mptcp_diag) every subflow is taken. */
	dumped.have_tokens = diag_dump(AF_INET, true, open, on_msk) >= 0 &&
			     diag_dump(AF_INET6, true, open, on_msk) >= 0;
	if (diag_dump(AF_INET, false, open, on_subflow_sock) < 0 ||
		diag_dump(AF_INET6, false, open, on_subflow_sock) < 0)
		return -1;
	qsort(dumped.tokens, dumped.n_tokens, sizeof(dumped.tokens[0]), cmp_u32);
	return 0;
}

/* Make the table what the dump found: subflows kept (with their counters) or added, the
 * others gone. Under the lock. */
static void merge_dump(void)
{
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		for (unsigned int i = 0; pm.conn_used[c] && i < pm.conns[c].n_sf; i++)
			pm.conns[c].sf[i].seen = false;
	pm.stats.untracked += dumped.over;
	for (unsigned int i = 0; i < dumped.n; i++) {
		const struct dumped_subflow *d = &dumped.sf[i];
		if (dumped.have_tokens && bsearch(&d->token, dumped.tokens, dumped.n_tokens,
						  sizeof(d->token), cmp_u32) == NULL)
			continue; /* its connection is closing */
		bool known = conn_find(d->token, false) != NULL;
		struct conn *c = conn_find(d->token, true);
		if (c == NULL)
			continue;
		if (!known)
			*c = (struct conn){.server_side = true, .from_dump = true};
		struct subflow *sf = sf_set(c, &d->info);
		if (sf != NULL)
			sf->seen = true;
		c->established |= (d->flags & MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED) != 0;
		/* Only the connecting end asks for MP_CAPABLE or MP_JOIN. */
		if (c->from_dump &&
			(d->flags & (MPTCP_SUBFLOW_FLAG_MCAP_LOC | MPTCP_SUBFLOW_FLAG_JOIN_LOC)))
			c->server_side = false;
	}
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (!pm.conn_used[c])
			continue;
		for (unsigned int i = pm.conns[c].n_sf; i-- > 0;)
			if (!pm.conns[c].sf[i].seen)
				sf_remove(&pm.conns[c], i);
		if (pm.conns[c].n_sf == 0)
			conn_close(&pm.conns[c]);
	}
	pm.stats.dumps++;
}

/* Rebuild the table from the kernel's sockets: what the event socket holds is dropped
 * (the dump is newer), then what comes after applies on top. */
static void resync(void)
{
	for (unsigned int i = 0; i < 4096; i++)
		if (mnl_socket_recvfrom(pm.ev, pm.buf, sizeof(pm.buf)) < 0 && errno != ENOBUFS)
			break;
	if (dump_sockets() < 0) {
		pthread_mutex_lock(&pm.lock);
		pm.stats.dump_errors++;
		pthread_mutex_unlock(&pm.lock);
		pm.next_resync = ms_from_now(MPTCP_PM_RESYNC_RETRY_MS);
		return;
	}
	pthread_mutex_lock(&pm.lock);
	merge_dump();
	pthread_mutex_unlock(&pm.lock);
	pm.resync = false;
}

/* Make the table the kernel's sockets again, every MPTCP_PM_RECONCILE_MS: a connection
 * reset by the peer ends without a CLOSED event. Events still queued apply on top (a
 * CLOSED for a connection already gone, or a CREATED for one the dump added, change
 * nothing). */
static void reconcile(void)
{
	pm.next_reconcile = ms_from_now(MPTCP_PM_RECONCILE_MS);
	if (dump_sockets() < 0) {
		pthread_mutex_lock(&pm.lock);
		pm.stats.dump_errors++;
		pthread_mutex_unlock(&pm.lock);
		return;
	}
	pthread_mutex_lock(&pm.lock);
	/* What did not fit the table was counted when it was first seen (its event, or the
	 * dump at start): every reconcile finds it again. */
	uint64_t untracked = pm.stats.untracked;
	merge_dump();
	pm.stats.untracked = untracked;
	pm.stats.reconciles++;
	pthread_mutex_unlock(&pm.lock);
}

/* --- following the uplinks ------------------------------------------------------------- */

struct endpoint_arg {
	uint8_t id;
	bool with_flags;
	uint32_t flags;
};

static void put_endpoint(struct nlmsghdr *nlh, const void *arg)
{
	const struct endpoint_arg *a = arg;
	struct nlattr *nest = mnl_attr_nest_start(nlh, MPTCP_PM_ATTR_ADDR);

	mnl_attr_put_u8(nlh, MPTCP_PM_ADDR_ATTR_ID, a->id);
	if (a->with_flags)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, a->flags);
	mnl_attr_nest_end(nlh, nest);
}

static int on_ack(const struct nlmsghdr *nlh, void *data)
{
	RTE_SET_USED(nlh);
	RTE_SET_USED(data);
	return MNL_CB_OK;
}

/*
 * Set or clear e's backup flag in the kernel, on the flags the kernel has for it now (not
 * those of the last dump: a change the operator made since is kept); e gets them. False if
 * the endpoint is gone, has another address now, or the kernel refused; *changed: mpgw
 * changed the flag (it was not as asked already). Under the lock.
 */
static bool endpoint_set_backup(struct mptcp_endpoint *e, bool backup, bool *changed)
{
	static struct endpoint_list now;
	struct endpoint_arg a = {.id = e->id};

	*changed = false;
	now.n = 0;
	if (request(pm.family, MPTCP_PM_CMD_GET_ADDR, false, put_endpoint, &a, on_endpoint, &now) <
			0 ||
		now.n != 1 || !ipaddr_equal(&now.e[0].addr, &e->addr)) {
		pm.next_dump = rte_rdtsc(); /* the endpoints changed: look again */
		return false;
	}
	e->flags = now.e[0].flags;
	if (((e->flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0) == backup)
		return true;
	a.with_flags = true;
	a.flags = backup ? e->flags | MPTCP_PM_ADDR_FLAG_BACKUP
			 : e->flags & ~(uint32_t)MPTCP_PM_ADDR_FLAG_BACKUP;
	if (request(pm.family, MPTCP_PM_CMD_SET_FLAGS, false, put_endpoint, &a, on_ack, NULL) < 0) {
		pm.stats.set_flags_errors++;
		return false;
	}
	e->flags = a.flags;
	*changed = true;
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
 * The ports whose endpoints should be backup ones (want): those with tunnel paths that are
 * all `multipath = backup`, and those whose paths were usable once and none is now (dead:
 * at start no path is usable until probes answer, and that is not a failure).
 */
static void backup_ports(bool *want, bool *dead)
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
		dead[p] = has[p] && pm.seen_usable[p] && !usable[p];
		want[p] = has[p] && (all_backup[p] || dead[p]);
	}
}

struct endpoint_full {
	const struct mptcp_endpoint *e;
	uint32_t flags;
};

static void put_endpoint_full(struct nlmsghdr *nlh, const void *arg)
{
	const struct endpoint_full *a = arg;
	const struct mptcp_endpoint *e = a->e;
	struct nlattr *nest = mnl_attr_nest_start(nlh, MPTCP_PM_ATTR_ADDR);

	mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_FAMILY, e->addr.family == 4 ? AF_INET : AF_INET6);
	mnl_attr_put_u8(nlh, MPTCP_PM_ADDR_ATTR_ID, e->id);
	if (e->addr.family == 4)
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR4, 4, &e->addr.v4);
	else
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR6, 16, e->addr.v6);
	mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, a->flags);
	if (e->ifindex > 0)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_IF_IDX, (uint32_t)e->ifindex);
	mnl_attr_nest_end(nlh, nest);
}

/* Delete endpoint e and add it again, same id, address and interface, with flags: the
 * kernel's path manager then opens a subflow from it for every connection again (it does
 * not by itself for a subflow that was closed). Under the lock. */
static void endpoint_readd(struct mptcp_endpoint *e, uint32_t flags)
{
	struct endpoint_arg id = {.id = e->id};
	struct endpoint_full full = {.e = e, .flags = flags};

	if (request(pm.family, MPTCP_PM_CMD_DEL_ADDR, false, put_endpoint, &id, on_ack, NULL) < 0 ||
		request(pm.family, MPTCP_PM_CMD_ADD_ADDR, false, put_endpoint_full, &full, on_ack,
			NULL) < 0) {
		pm.stats.set_flags_errors++;
		pm.next_dump = rte_rdtsc();
		return;
	}
	e->flags = flags;
	pm.stats.endpoints_readded++;
}

/* Close the kernel's subflows over a dead path (mptcp_close.h): from addr (local) or to it. */
static void close_subflows(const struct ipaddr *addr, bool local)
{
	int n = pm.diag != NULL ? mptcp_subflows_close(pm.diag, &pm.seq, addr, local) : -1;

	if (n > 0)
		pm.stats.subflows_closed_dead += (uint64_t)n;
	else if (n < 0)
		pm.stats.close_errors++;
}

/* Does the kernel open a subflow from e for every connection when e is added (a `subflow`
 * endpoint)? Only then may mpgw close e's subflows: adding e again opens new ones. */
static bool reopens(const struct mptcp_endpoint *e)
{
	return (e->flags & MPTCP_PM_ADDR_FLAG_SUBFLOW) != 0;
}

/*
 * Gateway: the endpoints of a dead uplink flagged backup (so no new data goes there) and,
 * for `subflow` endpoints, their subflows closed (so what was in flight on them is sent
 * again at once over the others); when the uplink is back, those endpoints are added again
 * without the flag mpgw set (so every connection opens a subflow from them again), the
 * others have the flag taken back.
 */
static void follow_uplinks(void)
{
	bool want[MPGW_MAX_PORTS] = {false}, dead[MPGW_MAX_PORTS] = {false};
	bool changed;

	backup_ports(want, dead);
	pthread_mutex_lock(&pm.lock);
	for (unsigned int i = 0; i < pm.n_endpoints; i++) {
		struct mptcp_endpoint *e = &pm.endpoints[i];
		bool is = (e->flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
		if (e->port < 0)
			continue;
		if (want[e->port] && !is) {
			/* Already backup in the kernel (the operator's): not ours to take back. */
			if (endpoint_set_backup(e, true, &changed) && changed) {
				set_demoted(e, true);
				pm.stats.backup_set++;
			}
		} else if (!want[e->port] && pm.closed[e->port] && reopens(e)) {
			uint32_t flags = e->flags;
			if (is && demoted(e)) {
				flags &= ~(uint32_t)MPTCP_PM_ADDR_FLAG_BACKUP;
				set_demoted(e, false);
				pm.stats.backup_cleared++;
			}
			endpoint_readd(e, flags);
		} else if (!want[e->port] && is && demoted(e)) {
			if (endpoint_set_backup(e, false, &changed)) {
				set_demoted(e, false);
				pm.stats.backup_cleared += changed;
			}
		}
	}
	for (unsigned int p = 0; p < n_ports; p++) {
		if (dead[p] && !pm.closed[p]) {
			for (unsigned int i = 0; i < pm.n_endpoints; i++)
				if (pm.endpoints[i].port == (int)p && reopens(&pm.endpoints[i]))
					close_subflows(&pm.endpoints[i].addr, true);
			pm.closed[p] = true;
		} else if (!want[p]) {
			pm.closed[p] = false; /* its endpoints were added again above */
		}
	}
	pthread_mutex_unlock(&pm.lock);
}

/*
 * Vps: the subflows to a gateway's uplink address closed when the probes to it fail, so
 * that what was in flight on them is sent again at once over the gateway's other uplinks
 * (the gateway flags its endpoint backup, but that cannot reach the vps over the dead
 * path). The gateway opens new ones when the uplink is back.
 */
static void follow_peers(void)
{
	static struct uplink_info paths[WORKER_MAX_PATHS];
	uint32_t gen;
	unsigned int n = uplink_ctl_snapshot(paths, WORKER_MAX_PATHS, &gen);

	pthread_mutex_lock(&pm.lock);
	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)WORKER_MAX_PATHS); i++) {
		unsigned int k = 0;
		while (k < pm.n_peers && !ipaddr_equal(&pm.peers[k].addr, &paths[i].remote))
			k++;
		if (k == pm.n_peers) {
			if (pm.n_peers == RTE_DIM(pm.peers))
				continue;
			pm.peers[pm.n_peers++] = (typeof(pm.peers[0])){.addr = paths[i].remote};
		}
		if (paths[i].usable) {
			pm.peers[k].seen_usable = true;
			pm.peers[k].closed = false;
		} else if (pm.peers[k].seen_usable && !pm.peers[k].closed) {
			close_subflows(&pm.peers[k].addr, false);
			pm.peers[k].closed = true;
		}
	}
	pthread_mutex_unlock(&pm.lock);
}

/* At stop: the flags mpgw set, taken back. */
static void unfollow_uplinks(void)
{
	bool changed;

	pthread_mutex_lock(&pm.lock);
	for (unsigned int i = 0; i < pm.n_endpoints; i++)
		if (demoted(&pm.endpoints[i]) &&
			endpoint_set_backup(&pm.endpoints[i], false, &changed))
			set_demoted(&pm.endpoints[i], false);
	pthread_mutex_unlock(&pm.lock);
}

/* --- life cycle ----------------------------------------------------------------------- */

/* The sock_diag socket and the first dump of the kernel's connections; without sock_diag
 * mpgw goes on, with the events only. */
static void start_dumps(void)
{
	pm.diag = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (pm.diag == NULL || mnl_socket_bind(pm.diag, 0, MNL_SOCKET_AUTOPID) < 0 ||
		dump_sockets() < 0) {
		printf("mpgw: MPTCP connections cannot be dumped (sock_diag: %s): those open "
		       "before mpgw, or whose events are lost, are not shown\n",
			strerror(errno));
		if (pm.diag != NULL)
			mnl_socket_close(pm.diag);
		pm.diag = NULL;
		return;
	}
	pthread_mutex_lock(&pm.lock);
	merge_dump();
	pthread_mutex_unlock(&pm.lock);
}

int mptcp_pm_start(const struct mpgw_config *cfg, char *err, size_t errlen)
{
	bool gateway = cfg->role == CFG_ROLE_GATEWAY;

	if (!twins_enabled())
		return 0;
	pm.req = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (pm.req == NULL || mnl_socket_bind(pm.req, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "generic netlink: %s", strerror(errno));
		mptcp_pm_stop();
		return -1;
	}
	pm.seq = (unsigned int)time(NULL);
	int rc = request(
		GENL_ID_CTRL, CTRL_CMD_GETFAMILY, false, put_family_name, NULL, on_family, NULL);
	if (rc < 0 || pm.family == 0 || pm.events_group == 0) {
		/* No MPTCP in this kernel (or it is off): nothing to follow. */
		printf("mpgw: the kernel has no MPTCP path manager (%s): mpgwctl mptcp stays "
		       "empty\n",
			rc < 0 ? strerror(errno)
			       : (pm.family == 0 ? "no family id" : "no events group"));
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
	/* SO_RCVBUF is capped by net.core.rmem_max; SO_RCVBUFFORCE (root) is not. */
	int rcvbuf = MPTCP_PM_EV_RCVBUF;
	if (setsockopt(mnl_socket_get_fd(pm.ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) < 0 &&
		setsockopt(mnl_socket_get_fd(pm.ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			sizeof(rcvbuf)) < 0)
		printf("mpgw: MPTCP events: receive buffer of %d bytes not applied: %s\n", rcvbuf,
			strerror(errno));
	pm.gateway = gateway;
	/* Subscribed first, then dumped: a change during the dumps is seen at least once. */
	dump_endpoints();
	start_dumps();
	if (pm.table_dirty)
		publish_table();
	pm.next_dump = ms_from_now(MPTCP_PM_DUMP_MS);
	pm.on = pm.stats.on = true;
	pm.follow = pm.stats.follow_uplinks = cfg->mptcp_follow_uplinks;
	return 0;
}

void mptcp_pm_poll(void)
{
	if (!pm.on)
		return;
	/* A bounded number of reads per call: a storm of events waits for the next poll. */
	for (unsigned int i = 0; i < 64; i++) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(pm.ev, pm.buf, sizeof(pm.buf), &sender, &flags);
		if (n < 0) {
			/* ENOBUFS: events were lost; the kernel's sockets say what they were. */
			if (errno == ENOBUFS) {
				pthread_mutex_lock(&pm.lock);
				pm.stats.overruns++;
				pthread_mutex_unlock(&pm.lock);
				pm.resync = pm.diag != NULL;
				pm.next_resync = rte_rdtsc();
			}
			break;
		}
		/* Only the kernel's events are read: another process with CAP_NET_ADMIN may send
		 * to the group or to the socket's port id. One cut short lost the events in its
		 * missing part: the kernel's sockets say what they were, as after an overrun. */
		if (sender != 0 || (flags & MSG_TRUNC)) {
			pthread_mutex_lock(&pm.lock);
			if (sender != 0)
				pm.stats.foreign++;
			else
				pm.stats.truncated++;
			pthread_mutex_unlock(&pm.lock);
			if (sender == 0 && pm.diag != NULL && !pm.resync) {
				pm.resync = true;
				pm.next_resync = rte_rdtsc();
			}
			continue;
		}
		nl_cb_run(pm.buf, (size_t)n, 0, 0, on_event, NULL);
	}
	if (pm.resync && (int64_t)(rte_rdtsc() - pm.next_resync) >= 0)
		resync();
	else if (pm.diag != NULL && (int64_t)(rte_rdtsc() - pm.next_reconcile) >= 0)
		reconcile();
	if (pm.table_dirty)
		publish_table();
	if ((int64_t)(rte_rdtsc() - pm.next_dump) >= 0) {
		dump_endpoints();
		pm.next_dump = ms_from_now(MPTCP_PM_DUMP_MS);
	}
	if (pm.follow && (int64_t)(rte_rdtsc() - pm.next_follow) >= 0) {
		if (pm.gateway)
			follow_uplinks();
		else
			follow_peers();
		pm.next_follow = ms_from_now(MPTCP_PM_FOLLOW_MS);
	}
}

void mptcp_pm_stop(void)
{
	if (pm.on && pm.follow && pm.gateway)
		unfollow_uplinks();
	pm.on = pm.stats.on = false;
	if (pm.ev != NULL)
		mnl_socket_close(pm.ev);
	if (pm.req != NULL)
		mnl_socket_close(pm.req);
	if (pm.diag != NULL)
		mnl_socket_close(pm.diag);
	pm.ev = pm.req = pm.diag = NULL;
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

/* Is the endpoint of a subflow's local address a backup one? The kernel matches subflows
 * to endpoints by address (the initial subflow's id is 0 whatever its endpoint). Under the
 * lock. */
static bool endpoint_is_backup(const struct ipaddr *local)
{
	for (unsigned int i = 0; i < pm.n_endpoints; i++)
		if (ipaddr_equal(&pm.endpoints[i].addr, local))
			return (pm.endpoints[i].flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
	return false;
}

unsigned int mptcp_pm_connections(
	struct mptcp_conn_info *out, unsigned int max, unsigned int *subflows)
{
	unsigned int n = 0, n_sf = 0;

	pthread_mutex_lock(&pm.lock);
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		const struct conn *cn = &pm.conns[c];
		if (!pm.conn_used[c])
			continue;
		n_sf += cn->n_sf;
		if (n < max) {
			struct mptcp_conn_info *o = &out[n];
			*o = (struct mptcp_conn_info){.token = pm.conn_token[c],
				.established = cn->established,
				.server_side = cn->server_side,
				.n_subflows = cn->n_sf};
			for (unsigned int i = 0; i < cn->n_sf; i++) {
				struct mptcp_sf_stats now;
				slot_sum(cn->sf[i].slot, &now);
				o->sf[i] = cn->sf[i].info;
				o->sf[i].backup |= endpoint_is_backup(&cn->sf[i].info.laddr);
				o->sf[i].tx_packets = now.tx_packets - cn->sf[i].base.tx_packets;
				o->sf[i].tx_bytes = now.tx_bytes - cn->sf[i].base.tx_bytes;
				o->sf[i].rx_packets = now.rx_packets - cn->sf[i].base.rx_packets;
				o->sf[i].rx_bytes = now.rx_bytes - cn->sf[i].base.rx_bytes;
			}
		}
		n++;
	}
	pthread_mutex_unlock(&pm.lock);
	if (subflows != NULL)
		*subflows = n_sf;
	return n;
}
