/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table (by token, with its subflows) and the data path's subflow table
 * built from it and published, with the counter slots handed out and drained.
 */
#include "mptcp_pm_internal.h"

/* Defined with the table it mostly is, below every other file of the path manager. */
struct mptcp_pm_state pm_state = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* --- data-path counters --------------------------------------------------------------- */

void pm_slot_sum(uint16_t slot, struct mptcp_sf_stats *out)
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
void pm_publish_table(void)
{
	struct mptcp_sf_table *t = NULL;
	unsigned int n = 0;

	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		if (pm_state.conn_used[c])
			n += pm_state.conns[c].n_sf;
	if (n != 0) {
		uint32_t size = 16;
		while (size < 2 * n)
			size *= 2;
		t = rte_zmalloc("mpgw_mptcp_sf", sizeof(*t) + size * sizeof(t->slots[0]),
			RTE_CACHE_LINE_SIZE);
		if (t == NULL) {
			/* The old table stays, and so do the draining slots; tried again at
			 * the next poll. */
			pthread_mutex_lock(&pm_state.lock);
			pm_state.stats.alloc_errors++;
			pthread_mutex_unlock(&pm_state.lock);
			return;
		}
		t->mask = size - 1;
		t->uplinks_only = pm_state.gateway;
	}
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS && t != NULL; c++) {
		if (!pm_state.conn_used[c])
			continue;
		for (unsigned int i = 0; i < pm_state.conns[c].n_sf; i++) {
			const struct subflow *sf = &pm_state.conns[c].sf[i];
			uint32_t h = mptcp_sf_hash(&sf->key) & t->mask;
			while (t->slots[h].used)
				h = (h + 1) & t->mask;
			t->slots[h] = (struct mptcp_sf_slot){
				.key = sf->key, .id = sf->slot, .used = true};
		}
	}
	rte_free(RCU_SWAP(&mptcp_sf_live, t, worker_rcu, NULL));
	for (unsigned int s = 0; s < MPTCP_MAX_SUBFLOWS && pm_state.n_draining != 0; s++)
		if (pm_state.slot_state[s] == SLOT_DRAINING) {
			pm_state.slot_state[s] = SLOT_FREE;
			pm_state.n_draining--;
		}
	pm_state.table_dirty = false;
}

/* A free counter slot, now used, or -1. Taken in turn, so that a slot is reused late. */
static int slot_take(void)
{
	for (unsigned int n = 0; n < MPTCP_MAX_SUBFLOWS; n++) {
		unsigned int s = (pm_state.slot_next + n) % MPTCP_MAX_SUBFLOWS;
		if (pm_state.slot_state[s] == SLOT_FREE) {
			pm_state.slot_state[s] = SLOT_USED;
			pm_state.slot_next = (s + 1) % MPTCP_MAX_SUBFLOWS;
			return (int)s;
		}
	}
	return -1;
}

/* --- the tables ----------------------------------------------------------------------- */

struct conn *pm_conn_find(uint32_t token, bool create)
{
	int free_slot = -1;

	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (!pm_state.conn_used[c]) {
			if (free_slot < 0)
				free_slot = (int)c;
		} else if (pm_state.conn_token[c] == token) {
			return &pm_state.conns[c];
		}
	}
	if (!create)
		return NULL;
	if (free_slot < 0) {
		pm_state.stats.untracked++;
		return NULL;
	}
	pm_state.conn_used[free_slot] = true;
	pm_state.conn_token[free_slot] = token;
	pm_state.conns[free_slot] = (struct conn){.n_sf = 0};
	return &pm_state.conns[free_slot];
}

static void sf_release(struct subflow *sf)
{
	pm_state.slot_state[sf->slot] = SLOT_DRAINING;
	pm_state.n_draining++;
	pm_state.table_dirty = true;
}

/* Remove c's subflow i. */
void pm_sf_remove(struct conn *c, unsigned int i)
{
	sf_release(&c->sf[i]);
	c->sf[i] = c->sf[--c->n_sf];
}

void pm_conn_close(struct conn *c)
{
	for (unsigned int i = 0; i < c->n_sf; i++)
		sf_release(&c->sf[i]);
	c->n_sf = 0;
	pm_state.conn_used[c - pm_state.conns] = false;
}

/* The mpgw port a subflow leaves by: the twin it is bound to, else the port that has its
 * local address. */
int pm_port_of(int ifindex, const struct ipaddr *local)
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
struct subflow *pm_sf_set(struct conn *c, const struct mptcp_subflow_info *info)
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
		pm_state.stats.untracked++;
		return NULL;
	}
	struct subflow *sf = &c->sf[c->n_sf++];
	*sf = (struct subflow){.info = *info, .key = k, .slot = (uint16_t)slot};
	/* A free slot is in no table a worker can hold: its counters stand still. */
	pm_slot_sum(sf->slot, &sf->base);
	pm_state.table_dirty = true;
	return sf;
}

void pm_sf_del(struct conn *c, const struct mptcp_subflow_info *info)
{
	struct mptcp_sf_key k = sf_key(info);

	for (unsigned int i = 0; i < c->n_sf; i++)
		if (memcmp(&c->sf[i].key, &k, sizeof(k)) == 0) {
			pm_sf_remove(c, i);
			pm_state.stats.subflows_closed++;
			return;
		}
}
