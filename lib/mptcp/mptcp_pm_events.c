/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's messages to the path manager: attributes read with their types checked,
 * and the events of the mptcp_pm_events group applied to the table.
 */
#include "mptcp_pm_internal.h"

/* --- attributes ------------------------------------------------------------------------ */

/* Copy a's payload to v if a is there and its payload is len bytes exactly (a u8, u16 or
 * u32 in host order as the kernel put it, an address as it is on the wire). */
bool pm_attr_get(const struct nlattr *a, void *v, size_t len)
{
	if (a == NULL || mnl_attr_validate2(a, MNL_TYPE_BINARY, len) < 0)
		return false;
	memcpy(v, mnl_attr_get_payload(a), len);
	return true;
}

/* Is a there and of type (libmnl's checks: a NUL-terminated string for
 * MNL_TYPE_NUL_STRING, room for an attribute in a non-empty nest)? */
bool pm_attr_is(const struct nlattr *a, enum mnl_attr_data_type type)
{
	return a != NULL && mnl_attr_validate(a, type) == 0;
}

/* A subflow's addresses from the IPv6 ones the kernel gave: an IPv4-mapped pair
 * (::ffff:a.b.c.d, a dual-stack socket's IPv4 connection) as IPv4, as its packets are. */
void pm_addrs_from6(struct mptcp_subflow_info *i, const uint8_t *local, const uint8_t *remote)
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

/* --- events --------------------------------------------------------------------------- */

/* The subflow an event describes; false when it names no addresses. */
static bool event_subflow(const struct nlattr **tb, struct mptcp_subflow_info *i)
{
	uint8_t local6[16], remote6[16];
	uint16_t port;
	int32_t ifindex = 0;

	memset(i, 0, sizeof(*i));
	i->port = -1;
	if (pm_attr_get(tb[MPTCP_ATTR_SADDR4], &i->laddr.v4, 4) &&
		pm_attr_get(tb[MPTCP_ATTR_DADDR4], &i->raddr.v4, 4))
		i->laddr.family = i->raddr.family = 4;
	else if (pm_attr_get(tb[MPTCP_ATTR_SADDR6], local6, 16) &&
		 pm_attr_get(tb[MPTCP_ATTR_DADDR6], remote6, 16))
		pm_addrs_from6(i, local6, remote6);
	else
		return false;
	if (pm_attr_get(tb[MPTCP_ATTR_SPORT], &port, sizeof(port)))
		i->lport = rte_be_to_cpu_16(port);
	if (pm_attr_get(tb[MPTCP_ATTR_DPORT], &port, sizeof(port)))
		i->rport = rte_be_to_cpu_16(port);
	pm_attr_get(tb[MPTCP_ATTR_LOC_ID], &i->loc_id, 1);
	pm_attr_get(tb[MPTCP_ATTR_REM_ID], &i->rem_id, 1);
	uint8_t backup = 0;
	pm_attr_get(tb[MPTCP_ATTR_BACKUP], &backup, 1);
	i->backup = backup != 0;
	pm_attr_get(tb[MPTCP_ATTR_IF_IDX], &ifindex, sizeof(ifindex));
	i->port = pm_port_of(ifindex, &i->laddr);
	return true;
}

int pm_on_event(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[MPTCP_ATTR_MAX + 1] = {0};
	struct mptcp_subflow_info info;
	struct conn *c;
	uint32_t token;
	uint8_t server_side;

	RTE_SET_USED(data);
	if (nlh->nlmsg_type != pm_state.family || mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_ATTR_MAX);
	if (!pm_attr_get(tb[MPTCP_ATTR_TOKEN], &token, sizeof(token)))
		return MNL_CB_OK; /* listener events */
	bool has_sf = event_subflow(tb, &info);

	pthread_mutex_lock(&pm_state.lock);
	pm_state.stats.events++;
	switch (g->cmd) {
	case MPTCP_EVENT_CREATED:
	case MPTCP_EVENT_ESTABLISHED:
		/* The initial subflow's addresses and ports: local id 0, remote id 0. */
		c = pm_conn_find(token, true);
		if (c == NULL)
			break;
		c->established |= g->cmd == MPTCP_EVENT_ESTABLISHED;
		if (pm_attr_get(tb[MPTCP_ATTR_SERVER_SIDE], &server_side, 1)) {
			c->server_side = server_side != 0;
			c->from_dump = false;
		}
		if (has_sf)
			pm_sf_set(c, &info);
		break;
	case MPTCP_EVENT_CLOSED:
		c = pm_conn_find(token, false);
		if (c != NULL) {
			pm_conn_close(c);
			pm_state.stats.connections_closed++;
		}
		break;
	case MPTCP_EVENT_SUB_ESTABLISHED:
	case MPTCP_EVENT_SUB_PRIORITY:
		c = pm_conn_find(token, false);
		if (c != NULL && has_sf)
			pm_sf_set(c, &info);
		/* Its endpoint may be new (added, or its flags changed): look now. */
		pm_state.next_dump = rte_rdtsc();
		break;
	case MPTCP_EVENT_SUB_CLOSED:
		c = pm_conn_find(token, false);
		if (c != NULL && has_sf)
			pm_sf_del(c, &info);
		break;
	default: /* ANNOUNCED, REMOVED: the peer's addresses, counted only */
		break;
	}
	pthread_mutex_unlock(&pm_state.lock);
	return MNL_CB_OK;
}

void mptcp_pm_test_events(const void *buf, size_t len, uint16_t family)
{
	pm_state.family = family;
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		if (pm_state.conn_used[c])
			pm_conn_close(&pm_state.conns[c]);
	nl_cb_run(buf, len, 0, 0, pm_on_event, NULL);
	if (pm_state.table_dirty)
		pm_publish_table();
}
