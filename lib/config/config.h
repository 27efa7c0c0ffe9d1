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
	int mss_clamp;		 /* CFG_MSS_AUTO, CFG_MSS_OFF or a fixed MSS */
	bool uplink;		 /* gateway role: a WAN uplink (tunnels leave by it; leak guard) */
	uint8_t multipath;	 /* uplink: enum cfg_multipath */
	unsigned int weight;	 /* uplink: share of new flows among the usable uplinks */
	unsigned int n_gateways; /* the uplink's next router, at most one per family */
	struct ipaddr gateways[2];
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

/* An uplink's part in scheduling, as OpenMPTCProuter names it ([port] multipath). */
enum cfg_multipath {
	CFG_MP_OFF,    /* never used */
	CFG_MP_ON,     /* an active member */
	CFG_MP_MASTER, /* active, and the default for single-uplink traffic */
	CFG_MP_BACKUP, /* used only while no active uplink is alive */
};

/* Idle timeouts of the flow table, by kind of flow ([flows]). */
enum cfg_flow_timeout {
	CFG_FLOW_TCP,
	CFG_FLOW_TCP_CLOSED, /* after FIN or RST */
	CFG_FLOW_UDP,
	CFG_FLOW_OTHER,
	CFG_FLOW_TIMEOUTS
};

enum cfg_role {
	CFG_ROLE_GATEWAY, /* LAN ports and WAN uplinks; tunnels to the VPS */
	CFG_ROLE_VPS,	  /* terminates the tunnels of gateways */
};

/* Traffic classes of the gateway's policy, and what is done with each. */
enum cfg_class {
	CFG_CLASS_TCP4,
	CFG_CLASS_OTHER4,
	CFG_CLASS_TCP6,
	CFG_CLASS_OTHER6,
	CFG_CLASS_MAX
};
enum cfg_action {
	CFG_ACT_DEFAULT = 0, /* not configured: derived from the VPS's families */
	CFG_ACT_RELAY,	     /* to the kernel's MPTCP proxy (TCP only) */
	CFG_ACT_TUNNEL,	     /* IP-in-IP to the VPS */
	CFG_ACT_DIRECT,	     /* native, out of the uplink the routes give */
	CFG_ACT_DROP,
};

/* Destinations that go native out of one uplink. */
struct cfg_bypass {
	struct ipprefix prefix; /* masked */
	int port;
};

/* [inbound] allow: traffic from the WAN the edge lets in unasked (a port forward, a server). */
#define MPGW_MAX_INBOUND 256
struct cfg_inbound {
	struct ipprefix prefix; /* masked: the destinations */
	uint8_t proto;		/* IPPROTO_* */
	uint16_t port_lo;	/* destination ports, TCP and UDP; 0-65535 when not given */
	uint16_t port_hi;
	int line;
};

/* vps role: a gateway whose tunnels it terminates. */
struct cfg_gateway {
	char name[MPGW_NAME_LEN];
	unsigned int n_uplinks;
	struct ipaddr uplinks[MPGW_MAX_TUNNEL_PATHS]; /* its uplink addresses: tunnel sources */
	unsigned int n_lans;
	struct ipprefix lans[MPGW_MAX_PORT_ADDRS]; /* masked: reached through its tunnels */
	int line;
};

enum cfg_route_type {
	CFG_ROUTE_VIA,	     /* through a gateway on a port's subnet */
	CFG_ROUTE_ONLINK,    /* destinations are neighbours on the port */
	CFG_ROUTE_BLACKHOLE, /* counted drop */
	CFG_ROUTE_ECMP,	     /* over the next hops of ecmp[ecmp] (the kernel's multipath routes) */
};

struct cfg_route {
	struct ipprefix prefix; /* masked */
	enum cfg_route_type type;
	struct ipaddr via;
	int port;      /* index into ports; -1 for blackhole and ECMP */
	uint32_t ecmp; /* CFG_ROUTE_ECMP: index into mpgw_config.ecmp */
};

/* The next hops of a multipath route, each with its weight (1-256). */
#define CFG_MAX_ECMP_HOPS 16
/* Distinct sets at most (many routes share one). */
#define CFG_MAX_ECMP_SETS 1024
struct cfg_ecmp_hop {
	struct ipaddr via; /* family 0: on-link */
	int port;
	uint16_t weight;
};

struct cfg_ecmp {
	unsigned int n_hops;
	struct cfg_ecmp_hop hops[CFG_MAX_ECMP_HOPS];
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
	bool twins; /* a kernel twin (TAP) per port: the exception path (lib/exception) */
	unsigned int netlink_rcvbuf; /* bytes, the route mirror's netlink socket; 0: default */
	bool mptcp_follow_uplinks;   /* twins: the kernel's MPTCP endpoints on an unusable or
				      * backup uplink are flagged backup (lib/mptcp) */
	unsigned int burst;	     /* RX burst per queue */
	unsigned int mbufs;	     /* mbuf pool size; 0 = sized from ports and queues */
	unsigned int icmp_rate;	     /* ICMP errors per second per worker; 0 = none */
	unsigned int icmp_burst;     /* token bucket depth */
	unsigned int n_ports;
	struct cfg_port ports[MPGW_MAX_PORTS];
	unsigned int n_routes;
	struct cfg_route *routes;
	/* Next-hop sets of the ECMP routes: only the kernel's (lib/netlink), none configured. */
	unsigned int n_ecmp;
	const struct cfg_ecmp *ecmp;
	unsigned int n_neighbours;
	struct cfg_neighbour *neighbours;

	enum cfg_role role;
	unsigned int n_vps; /* [vps] address: the VPS's tunnel addresses, one per family */
	struct ipaddr vps[2];
	unsigned int tunnel_ttl;	       /* outer TTL / hop limit */
	enum cfg_action policy[CFG_CLASS_MAX]; /* resolved: never CFG_ACT_DEFAULT after loading */
	unsigned int n_bypass;
	struct cfg_bypass *bypass;
	unsigned int n_gw;
	struct cfg_gateway *gw;
	unsigned int n_inbound;
	struct cfg_inbound *inbound;

	/* [uplinks]: health probes and scheduling */
	unsigned int probe_interval_ms; /* 0: no probes, an uplink is alive while its link is */
	unsigned int probe_down_after;	/* lost probes in a row that take an uplink down */
	unsigned int probe_up_after;	/* answered probes in a row that bring it back */
	unsigned int flowlet_gap_ms;	/* 0: flows never move while their uplink is usable */
	uint64_t low_latency_dscp;	/* bit per DSCP: to the live uplink of lowest RTT */

	/* [relay]: the kernel's MPTCP proxy (lib/relay); port 0: none configured */
	struct cfg_relay {
		uint16_t port;		  /* gateway: ss-redir's; vps: ss-server's */
		uint16_t server_port;	  /* gateway: the VPS's ss-server port */
		enum cfg_action fallback; /* gateway: tunnel or drop while it is unusable */
		char secret_file[256];	  /* the proxies' shared secret (scripts only) */
		char method[32];	  /* their cipher (scripts only) */
	} relay;

	/* [flows]: the flow table of each worker */
	unsigned int flows; /* capacity, rounded up to a power of 2 */
	unsigned int flow_timeout_s[CFG_FLOW_TIMEOUTS];
};

/* The address of family fam (4 or 6) among addrs, or NULL. */
const struct ipaddr *config_addr_of_family(const struct ipaddr *addrs, unsigned int n, int fam);
/* Names of classes and actions, as in the configuration. */
const char *config_class_name(enum cfg_class c);
const char *config_action_name(enum cfg_action a);

/*
 * Load and validate `path`. On error returns NULL and writes a one-line message of the form
 * "FILE:LINE: [SECTION] KEY: what is wrong" into err.
 */
struct mpgw_config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct mpgw_config *cfg);

/* Index of the port named `name`, or -1. */
int config_port_index(const struct mpgw_config *cfg, const char *name);

#endif
