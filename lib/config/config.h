/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgw configuration: an INI file read with rte_cfgfile. Every key is documented in
 * doc/config.md. Loading validates everything it can without the devices (ranges, syntax,
 * names, which port a route or neighbour belongs to); errors name file, line, section and key.
 */
#ifndef MPGW_CONFIG_H
#define MPGW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "ipaddr.h"
#include "mpgw_limits.h"

struct cfg_port {
	char name[MPGW_NAME_LEN];
	char device[128]; /* DPDK device name: 0000:03:00.0, net_pcap0, ... */
	uint16_t mtu;
	uint16_t rx_desc;
	uint16_t tx_desc;
	int mss_clamp; /* CFG_MSS_AUTO, CFG_MSS_OFF or a fixed MSS */
	bool has_mac;
	struct rte_ether_addr mac;
	unsigned int n_addrs;
	struct ipprefix addrs[2 * MPGW_MAX_PORT_ADDRS]; /* host bits kept: the port's own address */
	int device_line; /* of the device and mtu keys, for errors found on the device */
	int mtu_line;
};

#define CFG_MSS_AUTO (-1) /* derived from the MTU */
#define CFG_MSS_OFF  0
#define CFG_MSS_MIN  88 /* Linux's TCP_MIN_MSS */
#define CFG_MSS_MAX  65495

enum cfg_route_type {
	CFG_ROUTE_VIA,	     /* through a gateway on a port's subnet */
	CFG_ROUTE_ONLINK,    /* destinations are neighbours on the port */
	CFG_ROUTE_BLACKHOLE, /* counted drop */
};

struct cfg_route {
	struct ipprefix prefix; /* masked */
	enum cfg_route_type type;
	struct ipaddr via;
	int port; /* index into ports; -1 for blackhole */
};

struct cfg_neighbour {
	struct ipaddr addr;
	struct rte_ether_addr mac;
	int port;
	int line;
};

struct mpgw_config {
	char path[256];
	unsigned int idle_sleep_us; /* worker sleep after IDLE_POLLS empty polls; 0 = busy poll */
	unsigned int burst;	    /* RX burst per queue */
	unsigned int mbufs;	    /* mbuf pool size; 0 = sized from ports and queues */
	unsigned int icmp_rate;	    /* ICMP errors per second per worker; 0 = none */
	unsigned int icmp_burst;    /* token bucket depth */
	unsigned int n_ports;
	struct cfg_port ports[MPGW_MAX_PORTS];
	unsigned int n_routes;
	struct cfg_route *routes;
	unsigned int n_neighbours;
	struct cfg_neighbour *neighbours;
};

/*
 * Load and validate `path`. On error returns NULL and writes a one-line message of the form
 * "FILE:LINE: [SECTION] KEY: what is wrong" into err.
 */
struct mpgw_config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct mpgw_config *cfg);

/* Index of the port named `name`, or -1. */
int config_port_index(const struct mpgw_config *cfg, const char *name);

#endif
