/* SPDX-License-Identifier: BSD-3-Clause */
/* The relay's health (see relay_ctl.h). */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "netstat_mib.h"
#include "nl_diag.h"
#include "nl_transact.h"
#include "relay_ctl.h"
#include "relay_routes.h"
#include "uplink_ctl.h"
#include "worker.h"

static struct {
	pthread_mutex_t lock; /* status, read by telemetry */
	struct relay_status st;
	struct mnl_socket *diag;
	unsigned int n_lans; /* the LAN ports, whose twins' kernel must have an IPv4 address */
	char lans[MPGW_MAX_PORTS][MPGW_NAME_LEN];
	unsigned int seq;
	uint64_t next_check, last_change;
	/* The kernel's MPTCP blackhole counters when mpgw started, and the last seen. */
	uint64_t blackhole0, plain_syn0, blackhole;
	uint8_t buf[8192];
} rl = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct listen_search {
	uint16_t port;
	bool found;
};

static int on_listener(const struct nlmsghdr *nlh, void *data)
{
	struct listen_search *s = data;
	const struct inet_diag_msg *d = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*d))
		return MNL_CB_OK;
	s->found |= rte_be_to_cpu_16(d->id.idiag_sport) == s->port;
	return MNL_CB_OK;
}

/* Does a TCP socket of family listen on s->port? -1 if the kernel would not say. */
static int find_listener(uint8_t family, struct listen_search *s)
{
	char req[128];
	struct nlmsghdr *nlh = nl_diag_request(
		req, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ++rl.seq, family, 1 << TCP_LISTEN, 0);

	return nl_transact(rl.diag, nlh, rl.buf, sizeof(rl.buf), on_listener, s) < 0 ? -1 : 0;
}

/* The sock_diag socket: a dump must not hold the control thread if the kernel is slow. */
static struct mnl_socket *diag_open(void)
{
	return nl_request_socket(NETLINK_SOCK_DIAG, 100);
}

/* Has the kernel an IPv4 address on every LAN twin (relay-kernel.sh up ran since the twins
 * were made)? Without one it cannot answer the LAN hosts it takes connections from. */
static bool lans_addressed(void)
{
	struct ifaddrs *all, *a;
	unsigned int found = 0;

	if (getifaddrs(&all) < 0)
		return false;
	for (unsigned int i = 0; i < rl.n_lans; i++)
		for (a = all; a != NULL; a = a->ifa_next)
			if (a->ifa_addr != NULL && a->ifa_addr->sa_family == AF_INET &&
				strcmp(a->ifa_name, rl.lans[i]) == 0) {
				found++;
				break;
			}
	freeifaddrs(all);
	return found == rl.n_lans;
}

/* The kernel's MPTCP counters of its blackhole detection (net.mptcp.blackhole_timeout):
 * times it turned MPTCP off after MPTCP SYNs were lost, and SYNs it sent without MPTCP
 * since. False on a kernel without them. */
static bool read_blackhole(uint64_t *blackholes, uint64_t *plain_syns)
{
	FILE *f = fopen("/proc/net/netstat", "r");
	bool ok;

	if (f == NULL)
		return false;
	ok = netstat_mib(f, "MPTcpExt", "Blackhole", blackholes) == 0;
	rewind(f);
	ok = ok && netstat_mib(f, "MPTcpExt", "MPCapableSYNTXDisabled", plain_syns) == 0;
	fclose(f);
	return ok;
}

/* Say when the kernel turned MPTCP off: the relay's connections are then plain TCP over one
 * uplink, until the timeout ends. Under the lock. */
static void follow_blackhole(struct relay_status *st)
{
	uint64_t b, s;

	if (!read_blackhole(&b, &s))
		return;
	st->mptcp_blackholes = b - rl.blackhole0;
	st->mptcp_plain_syns = s - rl.plain_syn0;
	if (b != rl.blackhole) {
		printf("mpgw: the kernel turned MPTCP off after MPTCP SYNs were lost "
		       "(net.mptcp.blackhole_timeout): the relay's new connections use one "
		       "uplink, not all, until it ends\n");
		fflush(stdout);
		rl.blackhole = b;
	}
}

int relay_ctl_start(const struct mpgw_config *cfg, char *err, size_t errlen)
{
	struct relay_status *st = &rl.st;

	*st = (struct relay_status){
		.configured = cfg->twins && cfg->relay.port != 0,
		.gateway = cfg->role == CFG_ROLE_GATEWAY,
		.port = cfg->relay.port,
		.server_port = cfg->relay.server_port,
		.fallback = (uint8_t)cfg->relay.fallback,
	};
	if (!st->configured)
		return 0;
	rl.n_lans = 0;
	for (unsigned int i = 0; i < cfg->n_ports && st->gateway; i++)
		if (!cfg->ports[i].uplink)
			snprintf(rl.lans[rl.n_lans++], MPGW_NAME_LEN, "%s", cfg->ports[i].name);
	rl.diag = diag_open();
	if (rl.diag == NULL) {
		snprintf(err, errlen, "relay: sock_diag (to see the proxy's listener): %s",
			strerror(errno));
		return -1;
	}
	rl.seq = (unsigned int)time(NULL);
	if (read_blackhole(&rl.blackhole0, &rl.plain_syn0))
		rl.blackhole = rl.blackhole0;
	rl.last_change = rte_rdtsc();
	if (relay_routes_start(cfg, err, errlen) < 0) {
		relay_ctl_stop();
		return -1;
	}
	relay_ctl_poll();
	return 0;
}

void relay_ctl_poll(void)
{
	struct relay_status *st = &rl.st;
	uint64_t now = rte_rdtsc();

	if (rl.diag == NULL || (int64_t)(now - rl.next_check) < 0)
		return;
	rl.next_check = now + rte_get_tsc_hz() / 1000 * RELAY_CHECK_MS;

	struct listen_search s = {.port = st->port};
	bool ok = find_listener(AF_INET, &s) == 0 && find_listener(AF_INET6, &s) == 0;
	bool vps = !st->gateway || uplink_ctl_usable_paths() > 0;
	bool kernel = !st->gateway || lans_addressed();

	/* A dump cut short leaves its rest in the socket, which the next one would take for
	 * its own answer: start again on a new socket (kept on the old one if none comes). */
	if (!ok) {
		struct mnl_socket *fresh = diag_open();
		if (fresh != NULL) {
			mnl_socket_close(rl.diag);
			rl.diag = fresh;
		}
	}
	pthread_mutex_lock(&rl.lock);
	if (st->gateway && st->checks % (1000 / RELAY_CHECK_MS) == 0)
		follow_blackhole(st);
	st->checks++;
	if (ok)
		st->listening = s.found;
	else
		st->check_errors++;
	st->vps_reachable = vps;
	st->lans_addressed = kernel;
	bool usable = st->gateway && st->listening && vps && kernel;
	if (usable != st->usable) {
		st->usable = usable;
		st->changes++;
		rl.last_change = now;
		printf("mpgw: relay %s (proxy on port %u %s, %s, %s)\n",
			usable ? "usable" : "unusable, new relay connections take the fallback",
			st->port, st->listening ? "listening" : "not listening",
			vps ? "the VPS answers" : "no uplink reaches the VPS",
			kernel ? "LAN twins addressed" : "a LAN twin without IPv4 address");
		fflush(stdout);
	}
	pthread_mutex_unlock(&rl.lock);
	workers_set_relay_usable(usable);
	relay_routes_poll(now);
}

void relay_ctl_stop(void)
{
	relay_routes_stop();
	if (rl.diag != NULL)
		mnl_socket_close(rl.diag);
	rl.diag = NULL;
}

void relay_ctl_status(struct relay_status *out)
{
	pthread_mutex_lock(&rl.lock);
	*out = rl.st;
	out->since_change_s = (double)(rte_rdtsc() - rl.last_change) / (double)rte_get_tsc_hz();
	pthread_mutex_unlock(&rl.lock);
}
