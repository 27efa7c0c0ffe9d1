/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /mpgw/uplinks and /mpgw/flows: the uplinks' state from the control thread's snapshot
 * (uplink_ctl.h), and the workers' flow tables, walked here without a lock (a count may be
 * a burst stale).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "telemetry_internal.h"
#include "uplink_ctl.h"
#include "worker.h"

static const char *const mode_names[] = {
	[UPLINK_MODE_OFF] = "off",
	[UPLINK_MODE_ON] = "on",
	[UPLINK_MODE_MASTER] = "master",
	[UPLINK_MODE_BACKUP] = "backup",
};

static void add_ms(struct rte_tel_data *d, const char *key, double v)
{
	char buf[32];

	if (v < 0)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), "%.3f", v);
	rte_tel_data_add_dict_string(d, key, buf);
}

/* Live flows per path of FIB generation gen, summed over workers, into paths[n]. */
static void flows_per_path(uint16_t gen, uint32_t *paths, uint32_t n)
{
	for (unsigned int i = 0; i < n_workers; i++) {
		const struct worker *w = &workers[i];
		uint32_t now = (uint32_t)(rte_rdtsc() / w->tsc_per_ms);
		flow_table_count(&w->flows, now, gen, paths, n);
	}
}

static int uplink_row(struct rte_tel_data *d, const struct uplink_info *u, uint32_t flows)
{
	struct rte_tel_data *r = rte_tel_data_alloc();
	char buf[64];

	if (r == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_string(r, "port", u->port);
	rte_tel_data_add_dict_string(r, "mode", mode_names[u->mode]);
	rte_tel_data_add_dict_u64(r, "weight", u->weight);
	rte_tel_data_add_dict_string(r, "link", u->link_up ? "up" : "down");
	rte_tel_data_add_dict_string(r, "probe", !u->probing ? "off" : u->alive ? "up" : "down");
	rte_tel_data_add_dict_string(r, "state",
		u->usable  ? "usable"
		: u->alive ? "standby"
			   : "down");
	rte_tel_data_add_dict_string(r, "low_latency", u->low_latency ? "yes" : "no");
	add_ms(r, "rtt_ms", u->rtt_ms);
	add_ms(r, "jitter_ms", u->jitter_ms);
	add_ms(r, "last_rtt_ms", u->last_rtt_ms);
	snprintf(buf, sizeof(buf), "%.1f", u->loss_pct);
	rte_tel_data_add_dict_string(r, "loss_pct", buf);
	rte_tel_data_add_dict_u64(r, "probes_sent", u->probes_sent);
	rte_tel_data_add_dict_u64(r, "probes_answered", u->probes_answered);
	rte_tel_data_add_dict_u64(r, "probes_lost", u->probes_lost);
	rte_tel_data_add_dict_u64(r, "probes_late", u->probes_late);
	rte_tel_data_add_dict_u64(r, "probes_forged", u->probes_forged);
	rte_tel_data_add_dict_u64(r, "state_changes", u->state_changes);
	add_ms(r, "since_change_s", u->since_change_s);
	rte_tel_data_add_dict_u64(r, "flows", flows);
	rte_tel_data_add_dict_u64(r, "tx_packets", u->tx_packets);
	rte_tel_data_add_dict_u64(r, "tx_bytes", u->tx_bytes);
	rte_tel_data_add_dict_string(r, "local", ipaddr_str(&u->local, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(r, "remote", ipaddr_str(&u->remote, buf, sizeof(buf)));
	if (rte_tel_data_add_dict_container(d, u->name, r, 0) != 0) {
		rte_tel_data_free(r);
		return -ENOMEM;
	}
	return 0;
}

/* One row per tunnel path, keyed "FAR_END/PORT" (gateway) or "FAR_END/N" (vps). */
int telemetry_cmd_uplinks(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct uplink_info *u = calloc(RTE_TEL_MAX_DICT_ENTRIES, sizeof(*u));
	uint32_t *flows = calloc(RTE_TEL_MAX_DICT_ENTRIES, sizeof(*flows));
	int rc = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (u == NULL || flows == NULL) {
		free(u);
		free(flows);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	unsigned int n = uplink_ctl_snapshot(u, RTE_TEL_MAX_DICT_ENTRIES, NULL);
	n = RTE_MIN(n, (unsigned int)RTE_TEL_MAX_DICT_ENTRIES);
	fib_ctl_lock();
	const struct fib *f = fib_current();
	if (f != NULL)
		flows_per_path((uint16_t)f->path_gen, flows, n);
	fib_ctl_unlock();
	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = uplink_row(d, &u[i], flows[i]);
	free(u);
	free(flows);
	return rc;
}

static int flow_row(struct rte_tel_data *d, const char *key, uint32_t capacity, uint64_t live,
	const struct flow_stats *s, size_t bytes)
{
	struct rte_tel_data *r = rte_tel_data_alloc();

	if (r == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_u64(r, "capacity", capacity);
	rte_tel_data_add_dict_u64(r, "live", live);
	rte_tel_data_add_dict_u64(r, "created", s->created);
	rte_tel_data_add_dict_u64(r, "expired", s->expired);
	rte_tel_data_add_dict_u64(r, "evicted", s->evicted);
	rte_tel_data_add_dict_u64(r, "memory_bytes", bytes);
	if (rte_tel_data_add_dict_container(d, key, r, 0) != 0) {
		rte_tel_data_free(r);
		return -ENOMEM;
	}
	return 0;
}

/* One row per worker's flow table, and their total. */
int telemetry_cmd_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct flow_stats total = {0};
	uint64_t live_total = 0, cap_total = 0;
	size_t bytes_total = 0;
	int rc = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n_workers && rc == 0; i++) {
		const struct worker *w = &workers[i];
		const struct flow_table *t = &w->flows;
		uint32_t now = (uint32_t)(rte_rdtsc() / w->tsc_per_ms);
		uint32_t cap = flow_table_size(t);
		uint32_t live = flow_table_count(t, now, 0, NULL, 0);
		struct flow_stats s = {
			.created = __atomic_load_n(&t->stats.created, __ATOMIC_RELAXED),
			.expired = __atomic_load_n(&t->stats.expired, __ATOMIC_RELAXED),
			.evicted = __atomic_load_n(&t->stats.evicted, __ATOMIC_RELAXED),
		};
		char key[32];
		snprintf(key, sizeof(key), "worker%u", i);
		rc = flow_row(d, key, cap, live, &s, flow_table_memsize(cap));
		total.created += s.created;
		total.expired += s.expired;
		total.evicted += s.evicted;
		live_total += live;
		cap_total += cap;
		bytes_total += flow_table_memsize(cap);
	}
	if (rc == 0)
		rc = flow_row(d, "total", (uint32_t)cap_total, live_total, &total, bytes_total);
	return rc;
}
