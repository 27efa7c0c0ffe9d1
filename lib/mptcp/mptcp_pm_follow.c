/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Following the uplinks: an uplink's endpoint flagged backup while its paths are dead
 * and its subflows closed; on a vps, the subflows to a gateway's dead uplink address.
 */
#include "mptcp_pm_internal.h"

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
	if (pm_request(pm_state.family, MPTCP_PM_CMD_GET_ADDR, false, put_endpoint, &a,
		    pm_on_endpoint, &now) < 0 ||
		now.n != 1 || !ipaddr_equal(&now.e[0].addr, &e->addr)) {
		pm_state.next_dump = rte_rdtsc(); /* the endpoints changed: look again */
		return false;
	}
	e->flags = now.e[0].flags;
	if (((e->flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0) == backup)
		return true;
	a.with_flags = true;
	a.flags = backup ? e->flags | MPTCP_PM_ADDR_FLAG_BACKUP
			 : e->flags & ~(uint32_t)MPTCP_PM_ADDR_FLAG_BACKUP;
	if (pm_request(pm_state.family, MPTCP_PM_CMD_SET_FLAGS, false, put_endpoint, &a, on_ack,
		    NULL) < 0) {
		pm_state.stats.set_flags_errors++;
		return false;
	}
	e->flags = a.flags;
	*changed = true;
	return true;
}

/*
 * The ports whose endpoints should be backup ones (want): those with tunnel paths that are
 * all `multipath = backup`, and those whose paths were usable once and none is now (dead:
 * at start no path is usable until probes answer, and that is not a failure).
 */
static void backup_ports(bool *want, bool *dead)
{
	static struct uplink_path_state paths[WORKER_MAX_PATHS];
	bool has[MPGW_MAX_PORTS] = {false}, usable[MPGW_MAX_PORTS] = {false};
	bool all_backup[MPGW_MAX_PORTS];
	unsigned int n = uplink_ctl_path_states(paths, WORKER_MAX_PATHS);

	for (unsigned int p = 0; p < MPGW_MAX_PORTS; p++)
		all_backup[p] = true;
	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)WORKER_MAX_PATHS); i++) {
		unsigned int p = paths[i].port;
		if (p >= MPGW_MAX_PORTS)
			continue;
		has[p] = true;
		usable[p] |= paths[i].usable;
		all_backup[p] &= paths[i].mode == UPLINK_MODE_BACKUP;
	}
	for (unsigned int p = 0; p < n_ports; p++) {
		pm_state.seen_usable[p] |= usable[p];
		dead[p] = has[p] && pm_state.seen_usable[p] && !usable[p];
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

	if (pm_request(pm_state.family, MPTCP_PM_CMD_DEL_ADDR, false, put_endpoint, &id, on_ack,
		    NULL) < 0 ||
		pm_request(pm_state.family, MPTCP_PM_CMD_ADD_ADDR, false, put_endpoint_full, &full,
			on_ack, NULL) < 0) {
		pm_state.stats.set_flags_errors++;
		pm_state.next_dump = rte_rdtsc();
		return;
	}
	e->flags = flags;
	pm_state.stats.endpoints_readded++;
}

/* Close the kernel's subflows over a dead path (mptcp_close.h): from addr (local) or to it. */
static void close_subflows(const struct ipaddr *addr, bool local)
{
	int n = pm_state.diag != NULL
			? mptcp_subflows_close(pm_state.diag, &pm_state.seq, addr, local)
			: -1;

	if (n > 0)
		pm_state.stats.subflows_closed_dead += (uint64_t)n;
	else if (n < 0)
		pm_state.stats.close_errors++;
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
void pm_follow_uplinks(void)
{
	bool want[MPGW_MAX_PORTS] = {false}, dead[MPGW_MAX_PORTS] = {false};
	bool changed;

	backup_ports(want, dead);
	pthread_mutex_lock(&pm_state.lock);
	for (unsigned int i = 0; i < pm_state.n_endpoints; i++) {
		struct mptcp_endpoint *e = &pm_state.endpoints[i];
		bool is = (e->flags & MPTCP_PM_ADDR_FLAG_BACKUP) != 0;
		if (e->port < 0)
			continue;
		if (want[e->port] && !is) {
			/* Already backup in the kernel (the operator's): not ours to take back. */
			if (endpoint_set_backup(e, true, &changed) && changed) {
				pm_set_demoted(e, true);
				pm_state.stats.backup_set++;
			}
		} else if (!want[e->port] && pm_state.closed[e->port] && reopens(e)) {
			uint32_t flags = e->flags;
			if (is && pm_demoted(e)) {
				flags &= ~(uint32_t)MPTCP_PM_ADDR_FLAG_BACKUP;
				pm_set_demoted(e, false);
				pm_state.stats.backup_cleared++;
			}
			endpoint_readd(e, flags);
		} else if (!want[e->port] && is && pm_demoted(e)) {
			if (endpoint_set_backup(e, false, &changed)) {
				pm_set_demoted(e, false);
				pm_state.stats.backup_cleared += changed;
			}
		}
	}
	for (unsigned int p = 0; p < n_ports; p++) {
		if (dead[p] && !pm_state.closed[p]) {
			for (unsigned int i = 0; i < pm_state.n_endpoints; i++)
				if (pm_state.endpoints[i].port == (int)p &&
					reopens(&pm_state.endpoints[i]))
					close_subflows(&pm_state.endpoints[i].addr, true);
			pm_state.closed[p] = true;
		} else if (!want[p]) {
			pm_state.closed[p] = false; /* its endpoints were added again above */
		}
	}
	pthread_mutex_unlock(&pm_state.lock);
}

/*
 * Vps: the subflows to a gateway's uplink address closed when the probes to it fail, so
 * that what was in flight on them is sent again at once over the gateway's other uplinks
 * (the gateway flags its endpoint backup, but that cannot reach the vps over the dead
 * path). The gateway opens new ones when the uplink is back.
 */
void pm_follow_peers(void)
{
	static struct uplink_path_state paths[WORKER_MAX_PATHS];
	unsigned int n = uplink_ctl_path_states(paths, WORKER_MAX_PATHS);

	pthread_mutex_lock(&pm_state.lock);
	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)WORKER_MAX_PATHS); i++) {
		unsigned int k = 0;
		while (k < pm_state.n_peers &&
			!ipaddr_equal(&pm_state.peers[k].addr, &paths[i].remote))
			k++;
		if (k == pm_state.n_peers) {
			if (pm_state.n_peers == RTE_DIM(pm_state.peers))
				continue;
			pm_state.peers[pm_state.n_peers++] =
				(typeof(pm_state.peers[0])){.addr = paths[i].remote};
		}
		if (paths[i].usable) {
			pm_state.peers[k].seen_usable = true;
			pm_state.peers[k].closed = false;
		} else if (pm_state.peers[k].seen_usable && !pm_state.peers[k].closed) {
			close_subflows(&pm_state.peers[k].addr, false);
			pm_state.peers[k].closed = true;
		}
	}
	pthread_mutex_unlock(&pm_state.lock);
}

/* At stop: the flags mpgw set, taken back. */
void pm_unfollow_uplinks(void)
{
	bool changed;

	pthread_mutex_lock(&pm_state.lock);
	for (unsigned int i = 0; i < pm_state.n_endpoints; i++)
		if (pm_demoted(&pm_state.endpoints[i]) &&
			endpoint_set_backup(&pm_state.endpoints[i], false, &changed))
			pm_set_demoted(&pm_state.endpoints[i], false);
	pthread_mutex_unlock(&pm_state.lock);
}
