/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "port.h"

struct port ports[MPGW_MAX_PORTS];
unsigned int n_ports;
int8_t port_index_of[RTE_MAX_ETHPORTS];

#define RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static int port_fail(const struct mpgw_config *cfg, unsigned int i, const char *key, char *err,
	size_t errlen, const char *msg)
{
	const struct cfg_port *cp = &cfg->ports[i];
	int line = strcmp(key, "mtu") == 0 && cp->mtu_line ? cp->mtu_line : cp->device_line;

	snprintf(err, errlen, "%s:%d: [port %s] %s: %s", cfg->path, line, cp->name, key, msg);
	return -1;
}

/*
 * MSS clamp limits, for the IPv4 and IPv6 SYNs that enter or leave by this port: "auto" is
 * the MTU less the IP and TCP headers (tunnels will also subtract their overhead), never
 * below CFG_MSS_MIN; a fixed value applies to both families; "off" is 0.
 */
static void port_set_mss(struct port *p, const struct cfg_port *cp)
{
	const int ip4 = 20, ip6 = 40, tcp = 20;

	if (cp->mss_clamp == CFG_MSS_AUTO) {
		p->mss4 = (uint16_t)RTE_MAX((int)p->mtu - ip4 - tcp, CFG_MSS_MIN);
		p->mss6 = (uint16_t)RTE_MAX((int)p->mtu - ip6 - tcp, CFG_MSS_MIN);
	} else {
		p->mss4 = p->mss6 = (uint16_t)cp->mss_clamp;
	}
}

/* The address set of addrs. ICMP errors about packets that came in by the port are sent
 * from its first address of the family; for IPv6 the first that is not link-local (an
 * error from a link-local address could not be routed back to an off-link source). */
static void addr_set_fill(struct port_addrs *s, const struct ipprefix *addrs, unsigned int n)
{
	memset(s, 0, sizeof(*s));
	s->n = RTE_MIN(n, (unsigned int)RTE_DIM(s->a));
	for (unsigned int j = 0; j < s->n; j++) {
		const struct ipaddr *a = &addrs[j].addr;
		bool link_local = a->family == 6 && ip6_is_link_local(a->v6);
		s->a[j] = *a;
		if (a->family == 4 && !s->has_addr4) {
			s->addr4 = a->v4;
			s->has_addr4 = true;
		} else if (a->family == 6 && !s->has_addr6 && !link_local) {
			memcpy(s->addr6, a->v6, 16);
			s->has_addr6 = true;
		}
	}
}

bool port_set_addrs(
	unsigned int i, const struct ipprefix *addrs, unsigned int n, struct rte_rcu_qsbr *rcu)
{
	struct port *p = &ports[i];
	const struct port_addrs *cur = &p->addr_sets[p->addr_cur];
	bool same = cur->n == RTE_MIN(n, (unsigned int)RTE_DIM(cur->a));

	for (unsigned int j = 0; same && j < cur->n; j++)
		same = ipaddr_equal(&cur->a[j], &addrs[j].addr);
	if (same)
		return false;
	uint8_t next = p->addr_cur ^ 1;
	addr_set_fill(&p->addr_sets[next], addrs, n);
	__atomic_store_n(&p->addr_cur, next, __ATOMIC_RELEASE);
	/* The set left is written again at the next change: once no worker can be in it. */
	if (rcu != NULL)
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	return true;
}

int ports_probe(const struct mpgw_config *cfg, unsigned int n_workers, char *err, size_t errlen)
{
	char msg[256];

	memset(port_index_of, -1, sizeof(port_index_of));
	n_ports = 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *cp = &cfg->ports[i];
		struct port *p = &ports[i];
		struct rte_eth_dev_info info;
		uint16_t pid;

		if (rte_eth_dev_get_port_by_name(cp->device, &pid) != 0) {
			snprintf(msg, sizeof(msg),
				"no DPDK device named %s (pass it with -a or --vdev; "
				"%u devices found)",
				cp->device, rte_eth_dev_count_avail());
			return port_fail(cfg, i, "device", err, errlen, msg);
		}
		if (rte_eth_dev_info_get(pid, &info) != 0)
			return port_fail(cfg, i, "device", err, errlen, "cannot read device info");
		if (info.max_tx_queues < n_workers) {
			snprintf(msg, sizeof(msg),
				"%s has %u TX queues but %u workers need one each "
				"(use fewer worker lcores)",
				cp->device, info.max_tx_queues, n_workers);
			return port_fail(cfg, i, "device", err, errlen, msg);
		}
		if (cp->mtu > info.max_mtu || cp->mtu < info.min_mtu) {
			snprintf(msg, sizeof(msg), "%u is outside %s's range [%u, %u]", cp->mtu,
				cp->device, info.min_mtu, info.max_mtu);
			return port_fail(cfg, i, "mtu", err, errlen, msg);
		}
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", cp->name);
		snprintf(p->device, sizeof(p->device), "%s", cp->device);
		p->port_id = pid;
		p->mtu = cp->mtu;
		port_set_mss(p, cp);
		p->uplink = cp->uplink;
		addr_set_fill(&p->addr_sets[0], cp->addrs, cp->n_addrs);
		/* Workers beyond the device's RX queues poll nothing on it. */
		p->nb_rxq = RTE_MIN(n_workers, info.max_rx_queues);
		p->rss = p->nb_rxq > 1 && (info.flow_type_rss_offloads & RSS_HF) != 0;
		if (p->nb_rxq > 1 && !p->rss)
			p->nb_rxq = 1;
		p->nb_txq = RTE_MIN(n_workers + 1, info.max_tx_queues);
		p->ctl_txq = p->nb_txq > n_workers ? n_workers : PORT_NO_QUEUE;
		/* Known before start, so the tables can be built before anything runs. */
		if (cp->has_mac)
			p->mac = cp->mac;
		else if (rte_eth_macaddr_get(pid, &p->mac) != 0)
			return port_fail(cfg, i, "device", err, errlen, "cannot read its MAC");
		port_index_of[pid] = i;
		n_ports++;
	}
	return 0;
}

unsigned int ports_mbufs_needed(const struct mpgw_config *cfg, unsigned int n_workers)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		n += n_workers * cfg->ports[i].rx_desc + (n_workers + 1) * cfg->ports[i].tx_desc;
	/* per-lcore mempool caches, a graph's worth of packets in flight per worker */
	n += (n_workers + 1) * 512 + n_workers * 4 * 256;
	return n;
}

static int port_start(const struct cfg_port *cp, struct port *p, struct rte_mempool *pool,
	unsigned int n_workers, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = cp->rx_desc, nb_txd = cp->tx_desc;
	const char *step;
	int rc;

	rte_eth_dev_info_get(p->port_id, &info);
	/* IPv4 fragments are mbuf chains (node_ip4_frag.c): ask for multi-segment TX where the
	 * device has it, or a simple TX path would send their first segment only. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->tx_multi_seg = true;
	}
	if (p->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RSS_HF & info.flow_type_rss_offloads;
	}
	step = "configure";
	rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (rc < 0 && p->nb_txq > p->nb_rxq && p->nb_rxq >= n_workers) {
		/* Some devices (net_tap) need as many TX as RX queues: the control thread then
		 * has no TX queue of its own on this port. */
		p->nb_txq = p->nb_rxq;
		p->ctl_txq = PORT_NO_QUEUE;
		rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	}
	if (rc < 0)
		goto fail;
	p->configured = true;
	step = "descriptor counts";
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		goto fail;
	int socket = rte_eth_dev_socket_id(p->port_id);
	step = "RX queue setup";
	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, NULL, pool);
		if (rc < 0)
			goto fail;
	}
	step = "TX queue setup";
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, socket, NULL);
		if (rc < 0)
			goto fail;
	}
	/* Some virtual devices (net_ring, net_null) cannot set an MTU: mpgw still enforces the
	 * configured one on egress. */
	step = "set MTU";
	rc = rte_eth_dev_set_mtu(p->port_id, p->mtu);
	if (rc < 0 && rc != -ENOTSUP)
		goto fail;
	/* Devices that cannot change their MAC (net_pcap, net_ring) keep it, and mpgw uses the
	 * configured one in the headers it writes and the frames it accepts. */
	step = "set MAC";
	if (cp->has_mac) {
		struct rte_ether_addr mac = cp->mac;
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, &mac);
		if (rc < 0 && rc != -ENOTSUP)
			goto fail;
	}
	step = "start";
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0)
		goto fail;
	p->started = true;
	/* Frames for other MACs are dropped by mpgw itself (counted), so virtual devices are
	 * put in promiscuous mode to behave like a switch port. */
	rte_eth_promiscuous_enable(p->port_id);
	return 0;
fail:
	snprintf(err, errlen, "port %s (%s): %s: %s", p->name, p->device, step, rte_strerror(-rc));
	return -1;
}

int ports_start(const struct mpgw_config *cfg, struct rte_mempool *pool, unsigned int n_workers,
	char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n_ports; i++)
		if (port_start(&cfg->ports[i], &ports[i], pool, n_workers, err, errlen) < 0)
			return -1;
	return 0;
}

void ports_stop(void)
{
	for (unsigned int i = 0; i < n_ports; i++) {
		struct port *p = &ports[i];
		if (p->started)
			rte_eth_dev_stop(p->port_id);
		if (p->configured)
			rte_eth_dev_close(p->port_id);
		p->started = p->configured = false;
	}
}

void ports_log_link(void)
{
	for (unsigned int i = 0; i < n_ports; i++) {
		struct port *p = &ports[i];
		struct rte_eth_link link;
		char ls[RTE_ETH_LINK_MAX_STR_LEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (rte_eth_link_get_nowait(p->port_id, &link) < 0)
			snprintf(ls, sizeof(ls), "link unknown");
		else
			rte_eth_link_to_str(ls, sizeof(ls), &link);
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		printf("mpgw: port %s (%s, id %u) %s mtu %u rxq %u%s txq %u%s: %s\n", p->name,
			p->device, p->port_id, mac, p->mtu, p->nb_rxq, p->rss ? " rss" : "",
			p->nb_txq, p->tx_multi_seg ? " multi-seg" : "", ls);
	}
}
