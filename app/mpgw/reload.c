/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "commit.h"
#include "fib.h"
#include "nl_sync.h"
#include "port.h"
#include "reload.h"
#include "uplink_ctl.h"
#include "worker.h"

static bool same_addrs(const struct ipaddr *a, const struct ipaddr *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!ipaddr_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool same_prefixes(const struct ipprefix *a, const struct ipprefix *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (a[i].len != b[i].len || !ipaddr_equal(&a[i].addr, &b[i].addr))
			return false;
	return true;
}

/* The settings the data path took at start-up: the same in both, or a message. (Addresses
 * are compared by value: their unused bytes are not defined.) */
static const char *fixed_settings_differ(const struct mpgw_config *a, const struct mpgw_config *b)
{
	if (a->role != b->role)
		return "[mpgw] role";
	if (a->idle_sleep_us != b->idle_sleep_us || a->burst != b->burst || a->mbufs != b->mbufs ||
		a->icmp_rate != b->icmp_rate || a->icmp_burst != b->icmp_burst ||
		a->twins != b->twins || a->netlink_rcvbuf != b->netlink_rcvbuf ||
		a->mptcp_follow_uplinks != b->mptcp_follow_uplinks)
		return "[mpgw]";
	if (a->flows != b->flows ||
		memcmp(a->flow_timeout_s, b->flow_timeout_s, sizeof(a->flow_timeout_s)) != 0)
		return "[flows]";
	/* The relay's health follows the proxy's port from start-up (lib/relay); the fallback
	 * is part of the tables and may change. */
	if (a->relay.port != b->relay.port)
		return "[relay] port";
	if (a->n_ports != b->n_ports)
		return "the ports";
	for (unsigned int i = 0; i < a->n_ports; i++) {
		const struct cfg_port *p = &a->ports[i], *q = &b->ports[i];
		if (strcmp(p->name, q->name) != 0 || strcmp(p->device, q->device) != 0 ||
			p->mtu != q->mtu || p->rx_desc != q->rx_desc || p->tx_desc != q->tx_desc ||
			p->mss_clamp != q->mss_clamp || p->uplink != q->uplink ||
			p->n_gateways != q->n_gateways || p->has_mac != q->has_mac ||
			(p->has_mac && !rte_is_same_ether_addr(&p->mac, &q->mac)) ||
			p->n_addrs != q->n_addrs ||
			!same_addrs(p->gateways, q->gateways, p->n_gateways) ||
			!same_prefixes(p->addrs, q->addrs, p->n_addrs))
			return "a [port] section";
	}
	return NULL;
}

int reload_config(struct mpgw_config **cfg, char *err, size_t errlen)
{
	char why[512];
	struct mpgw_config *next = config_load((*cfg)->path, why, sizeof(why));

	if (next == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	const char *what = fixed_settings_differ(*cfg, next);
	if (what != NULL) {
		snprintf(err, errlen, "%s: %s changed, which needs a restart", next->path, what);
		config_free(next);
		return -1;
	}
	/* With the kernel's routes, neighbours and addresses (twins): the version does not
	 * lose them until the mirror's next rebuild (an uplink sourced from the kernel's
	 * address would lose its path, and its health with it). */
	struct mpgw_config *merged = nl_sync_merged(next);
	const struct mpgw_config *use = merged != NULL ? merged : next;
	enum commit_fault fault;
	struct fib *f = commit_build(use, &fault, why, sizeof(why));
	nl_sync_merged_free(merged);
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", next->path, why);
		config_free(next);
		return -1;
	}
	fib_publish(f, worker_rcu);
	config_free(*cfg);
	*cfg = next;
	return 0;
}
