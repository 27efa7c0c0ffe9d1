/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's MPTCP path manager over generic netlink (see mptcp_pm.h): start, poll,
 * stop and telemetry's getters; the rest in the mptcp_pm_*.c files (mptcp_pm_internal.h). */
#include "mptcp_pm_internal.h"

/* --- life cycle ----------------------------------------------------------------------- */

/* The sock_diag socket and the first dump of the kernel's connections; without sock_diag
 * mpgw goes on, with the events only. */
static void start_dumps(void)
{
	pm_state.diag = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (pm_state.diag == NULL || mnl_socket_bind(pm_state.diag, 0, MNL_SOCKET_AUTOPID) < 0 ||
		pm_dump_sockets() < 0) {
		printf("mpgw: MPTCP connections cannot be dumped (sock_diag: %s): those open "
		       "before mpgw, or whose events are lost, are not shown\n",
			strerror(errno));
		if (pm_state.diag != NULL)
			mnl_socket_close(pm_state.diag);
		pm_state.diag = NULL;
		return;
	}
	pthread_mutex_lock(&pm_state.lock);
	pm_merge_dump();
	pthread_mutex_unlock(&pm_state.lock);
}

int mptcp_pm_start(const struct mpgw_config *cfg, char *err, size_t errlen)
{
	bool gateway = cfg->role == CFG_ROLE_GATEWAY;

	if (!twins_enabled())
		return 0;
	pm_state.req = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (pm_state.req == NULL || mnl_socket_bind(pm_state.req, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "generic netlink: %s", strerror(errno));
		mptcp_pm_stop();
		return -1;
	}
	pm_state.seq = (unsigned int)time(NULL);
	int rc = pm_request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, false, pm_put_family_name, NULL,
		pm_on_family, NULL);
	if (rc < 0 || pm_state.family == 0 || pm_state.events_group == 0) {
		/* No MPTCP in this kernel (or it is off): nothing to follow. */
		printf("mpgw: the kernel has no MPTCP path manager (%s): mpgwctl mptcp stays "
		       "empty\n",
			rc < 0 ? strerror(errno)
			       : (pm_state.family == 0 ? "no family id" : "no events group"));
		mptcp_pm_stop();
		return 0;
	}
	pm_state.ev = mnl_socket_open2(NETLINK_GENERIC, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int grp = (int)pm_state.events_group;
	if (pm_state.ev == NULL || mnl_socket_bind(pm_state.ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
		mnl_socket_setsockopt(pm_state.ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		snprintf(err, errlen, "MPTCP path manager events: %s", strerror(errno));
		mptcp_pm_stop();
		return -1;
	}
	/* SO_RCVBUF is capped by net.core.rmem_max; SO_RCVBUFFORCE (root) is not. */
	int rcvbuf = MPTCP_PM_EV_RCVBUF;
	if (setsockopt(mnl_socket_get_fd(pm_state.ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) < 0 &&
		setsockopt(mnl_socket_get_fd(pm_state.ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			sizeof(rcvbuf)) < 0)
		printf("mpgw: MPTCP events: receive buffer of %d bytes not applied: %s\n", rcvbuf,
			strerror(errno));
	pm_state.gateway = gateway;
	/* Subscribed first, then dumped: a change during the dumps is seen at least once. */
	pm_dump_endpoints();
	start_dumps();
	if (pm_state.table_dirty)
		pm_publish_table();
	pm_state.next_dump = ms_from_now(MPTCP_PM_DUMP_MS);
	pm_state.on = pm_state.stats.on = true;
	pm_state.follow = pm_state.stats.follow_uplinks = cfg->mptcp_follow_uplinks;
	return 0;
}

void mptcp_pm_poll(void)
{
	if (!pm_state.on)
		return;
	/* A bounded number of reads per call: a storm of events waits for the next poll. */
	for (unsigned int i = 0; i < 64; i++) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(
			pm_state.ev, pm_state.buf, sizeof(pm_state.buf), &sender, &flags);
		if (n < 0) {
			/* ENOBUFS: events were lost; the kernel's sockets say what they were. */
			if (errno == ENOBUFS) {
				pthread_mutex_lock(&pm_state.lock);
				pm_state.stats.overruns++;
				pthread_mutex_unlock(&pm_state.lock);
				pm_state.resync = pm_state.diag != NULL;
				pm_state.next_resync = rte_rdtsc();
			}
			break;
		}
		/* Only the kernel's events are read: another process with CAP_NET_ADMIN may send
		 * to the group or to the socket's port id. One cut short lost the events in its
		 * missing part: the kernel's sockets say what they were, as after an overrun. */
		if (sender != 0 || (flags & MSG_TRUNC)) {
			pthread_mutex_lock(&pm_state.lock);
			if (sender != 0)
				pm_state.stats.foreign++;
			else
				pm_state.stats.truncated++;
			pthread_mutex_unlock(&pm_state.lock);
			if (sender == 0 && pm_state.diag != NULL && !pm_state.resync) {
				pm_state.resync = true;
				pm_state.next_resync = rte_rdtsc();
			}
			continue;
		}
		nl_cb_run(pm_state.buf, (size_t)n, 0, 0, pm_on_event, NULL);
	}
	if (pm_state.resync && (int64_t)(rte_rdtsc() - pm_state.next_resync) >= 0)
		pm_resync();
	else if (pm_state.diag != NULL && (int64_t)(rte_rdtsc() - pm_state.next_reconcile) >= 0)
		pm_reconcile();
	if (pm_state.table_dirty)
		pm_publish_table();
	if ((int64_t)(rte_rdtsc() - pm_state.next_dump) >= 0) {
		pm_dump_endpoints();
		pm_state.next_dump = ms_from_now(MPTCP_PM_DUMP_MS);
	}
	if (pm_state.follow && (int64_t)(rte_rdtsc() - pm_state.next_follow) >= 0) {
		if (pm_state.gateway)
			pm_follow_uplinks();
		else
			pm_follow_peers();
		pm_state.next_follow = ms_from_now(MPTCP_PM_FOLLOW_MS);
	}
}

void mptcp_pm_stop(void)
{
	if (pm_state.on && pm_state.follow && pm_state.gateway)
		pm_unfollow_uplinks();
	pm_state.on = pm_state.stats.on = false;
	if (pm_state.ev != NULL)
		mnl_socket_close(pm_state.ev);
	if (pm_state.req != NULL)
		mnl_socket_close(pm_state.req);
	if (pm_state.diag != NULL)
		mnl_socket_close(pm_state.diag);
	pm_state.ev = pm_state.req = pm_state.diag = NULL;
	/* The workers are stopped by now. */
	rte_free(RCU_SWAP(&mptcp_sf_live, NULL, NULL, NULL)); /* the workers have stopped */
}

/* --- telemetry ------------------------------------------------------------------------ */

void mptcp_pm_get_stats(struct mptcp_pm_stats *s)
{
	pthread_mutex_lock(&pm_state.lock);
	*s = pm_state.stats;
	pthread_mutex_unlock(&pm_state.lock);
}

unsigned int mptcp_pm_endpoints(struct mptcp_endpoint *out, unsigned int max)
{
	pthread_mutex_lock(&pm_state.lock);
	unsigned int n = pm_state.n_endpoints;
	memcpy(out, pm_state.endpoints, RTE_MIN(n, max) * sizeof(*out));
	pthread_mutex_unlock(&pm_state.lock);
	return n;
}

/* Is the endpoint of a subflow's local address a backup one? The kernel matches subflows
 * to endpoints by address (the initial subflow's id is 0 whatever its endpoint). Under the
 * lock. */
static bool endpoint_is_backup(const struct ipaddr *local)
{
	for (unsigned int i = 0; i < pm_state.n_endpoints; i++)
		if (ipaddr_equal(&pm_state.endpoints[i].addr, local))
			return (pm_state.endpoints[i].flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
	return false;
}

unsigned int mptcp_pm_connections(
	struct mptcp_conn_info *out, unsigned int max, unsigned int *subflows)
{
	unsigned int n = 0, n_sf = 0;

	pthread_mutex_lock(&pm_state.lock);
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		const struct conn *cn = &pm_state.conns[c];
		if (!pm_state.conn_used[c])
			continue;
		n_sf += cn->n_sf;
		if (n < max) {
			struct mptcp_conn_info *o = &out[n];
			*o = (struct mptcp_conn_info){.token = pm_state.conn_token[c],
				.established = cn->established,
				.server_side = cn->server_side,
				.n_subflows = cn->n_sf};
			for (unsigned int i = 0; i < cn->n_sf; i++) {
				struct mptcp_sf_stats now;
				pm_slot_sum(cn->sf[i].slot, &now);
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
	pthread_mutex_unlock(&pm_state.lock);
	if (subflows != NULL)
		*subflows = n_sf;
	return n;
}
