/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel twins: TAP interfaces served by the control thread (see twin.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "port.h"
#include "twin.h"
#include "worker.h"

/* Largest frame the kernel may write: a twin's MTU is its port's, at most 9216. */
#define TWIN_FRAME_MAX (9216 + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN)
/* How often the ports' link state is copied onto the twins' carrier. */
#define TWIN_LINK_CHECK_MS 100

struct twin {
	int fd; /* -1: none */
	int ifindex;
	char ifname[IFNAMSIZ];
	bool carrier;
	struct twin_stats stats;
};

static struct twin twins[MPGW_MAX_PORTS];
static bool enabled;
/* --twin-pcap files being handed over, by port index (NULL: none or done). */
static struct {
	FILE *f;
	bool swapped; /* written on a host of the other byte order */
} replays[MPGW_MAX_PORTS];
static unsigned int n_replays;
static struct rte_mempool *twin_pool;
static uint64_t next_link_check;
static uint8_t frame[TWIN_FRAME_MAX + 1]; /* one more: a longer frame is seen, and dropped */

bool twins_enabled(void)
{
	return enabled;
}

/* ioctl on an interface by name through a throwaway datagram socket. */
static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (s < 0)
		return -errno;
	rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return rc;
}

static int twin_open(struct twin *t, const struct port *p, char *err, size_t errlen)
{
	struct ifreq ifr;
	int rc;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		snprintf(err, errlen, "port %s: kernel twin: /dev/net/tun: %s", p->name,
			strerror(errno));
		return -1;
	}
	size_t len = strnlen(p->name, sizeof(p->name));
	if (len >= IFNAMSIZ) {
		snprintf(err, errlen,
			"port %s: kernel twin: a Linux interface name has at most %d characters",
			p->name, IFNAMSIZ - 1);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, p->name, len);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen,
			"port %s: kernel twin: cannot create TAP %s: %s (is there an interface of "
			"that name already?)",
			p->name, p->name, strerror(errno));
		return -1;
	}
	memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname));
	t->carrier = true; /* a TAP comes up with carrier on: the first mirror corrects it */

	/* The port's MAC, so that what the kernel resolves and sends is the port's own. */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->ifname, sizeof(ifr.ifr_name));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	rc = if_ioctl(SIOCSIFHWADDR, &ifr);
	if (rc == 0) {
		ifr.ifr_mtu = p->mtu;
		rc = if_ioctl(SIOCSIFMTU, &ifr);
	}
	if (rc == 0)
		rc = if_ioctl(SIOCGIFINDEX, &ifr);
	if (rc == 0) {
		t->ifindex = ifr.ifr_ifindex;
		rc = if_ioctl(SIOCGIFFLAGS, &ifr);
	}
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (rc != 0) {
		snprintf(err, errlen, "port %s: kernel twin %s: cannot set MAC, MTU %u or up: %s",
			p->name, t->ifname, p->mtu, strerror(-rc));
		return -1;
	}
	return 0;
}

int twins_start(const struct mpgw_config *cfg, struct rte_mempool *pool, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < MPGW_MAX_PORTS; i++)
		twins[i] = (struct twin){.fd = -1};
	if (!cfg->twins)
		return 0;
	twin_pool = pool;
	for (unsigned int i = 0; i < n_ports; i++) {
		if (twin_open(&twins[i], &ports[i], err, errlen) < 0) {
			twins_stop();
			return -1;
		}
	}
	enabled = true;
	next_link_check = 0;
	return 0;
}

/* Copy each port's link state onto its twin's carrier (the operator owns up/down). */
static void twins_mirror_link(void)
{
	for (unsigned int i = 0; i < n_ports; i++) {
		struct twin *t = &twins[i];
		struct rte_eth_link link;
		if (t->fd < 0 || rte_eth_link_get_nowait(ports[i].port_id, &link) != 0)
			continue;
		int up = link.link_status == RTE_ETH_LINK_UP;
		if (up != t->carrier && ioctl(t->fd, TUNSETCARRIER, &up) == 0)
			t->carrier = up;
	}
}

/* Write one punted frame to the twin of the port it came in by. */
static void twin_write(struct rte_mbuf *m)
{
	int p = port_index_of[m->port];
	struct iovec iov[16];
	unsigned int n = 0;

	if (p < 0 || twins[p].fd < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	struct twin *t = &twins[p];
	for (struct rte_mbuf *s = m; s != NULL && n < RTE_DIM(iov); s = s->next, n++)
		iov[n] = (struct iovec){rte_pktmbuf_mtod(s, void *), s->data_len};
	if (n == m->nb_segs && writev(t->fd, iov, (int)n) == (ssize_t)m->pkt_len)
		t->stats.to_kernel++;
	else
		t->stats.to_kernel_errors++;
	rte_pktmbuf_free(m);
}

/* A frame of len bytes from the kernel, copied into a chain of mbufs; NULL if none left
 * or the port cannot send a chain that long. */
static struct rte_mbuf *frame_to_mbuf(const struct port *p, const uint8_t *data, size_t len)
{
	struct rte_mbuf *head = NULL;
	size_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(twin_pool);
		if (m == NULL || (head != NULL && !p->tx_multi_seg)) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		size_t k = RTE_MIN(len - off, (size_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)k), data + off, k);
		off += k;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

/* What the kernel wrote to port i's twin, to worker 0's twin ring (mpgw_twin_output). */
static void twin_read(unsigned int i)
{
	struct twin *t = &twins[i];
	struct rte_ring *r = n_workers != 0 ? workers[0].twin_out : NULL;

	for (unsigned int k = 0; k < TWIN_POLL_BURST; k++) {
		ssize_t len = read(t->fd, frame, sizeof(frame));
		if (len <= 0)
			return; /* EAGAIN: nothing more */
		t->stats.from_kernel++;
		struct rte_mbuf *m = len >= RTE_ETHER_HDR_LEN && len <= TWIN_FRAME_MAX && r != NULL
					     ? frame_to_mbuf(&ports[i], frame, (size_t)len)
					     : NULL;
		if (m == NULL) {
			t->stats.from_kernel_drops++;
			continue;
		}
		m->port = ports[i].port_id;
		if (rte_ring_sp_enqueue(r, m) != 0) {
			rte_pktmbuf_free(m);
			t->stats.from_kernel_drops++;
		}
	}
}

static uint32_t pcap32(uint32_t v, bool swapped)
{
	return swapped ? __builtin_bswap32(v) : v;
}

int twins_replay_add(
	struct rte_mempool *pool, const char *port, const char *path, char *err, size_t errlen)
{
	uint32_t hdr[6]; /* magic, version, zone, sigfigs, snaplen, link type */
	int p = -1;

	for (unsigned int i = 0; i < n_ports && p < 0; i++)
		if (strcmp(ports[i].name, port) == 0)
			p = (int)i;
	if (p < 0 || replays[p].f != NULL || n_workers == 0) {
		snprintf(err, errlen, "--twin-pcap %s: %s", port,
			p < 0		 ? "no such port"
			: n_workers == 0 ? "no worker"
					 : "given twice");
		return -1;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL || fread(hdr, sizeof(hdr), 1, f) != 1 ||
		(hdr[0] != 0xa1b2c3d4 && hdr[0] != 0xd4c3b2a1 && hdr[0] != 0xa1b23c4d &&
			hdr[0] != 0x4d3cb2a1) ||
		(pcap32(hdr[5], hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1) & 0x0fffffff) != 1) {
		snprintf(err, errlen, "--twin-pcap %s=%s: %s", port, path,
			f == NULL ? strerror(errno) : "not an Ethernet pcap file");
		if (f != NULL)
			fclose(f);
		return -1;
	}
	/* Without twins worker 0 has no twin ring: this one becomes its, released with it. */
	if (workers[0].twin_out == NULL) {
		workers[0].twin_out = rte_ring_create("mpgw_twin_replay", WORKER_INJECT_RING,
			(int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (workers[0].twin_out == NULL) {
			snprintf(err, errlen, "--twin-pcap %s: cannot create a ring: %s", port,
				rte_strerror(rte_errno));
			fclose(f);
			return -1;
		}
	}
	twin_pool = pool;
	replays[p].f = f;
	replays[p].swapped = hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1;
	n_replays++;
	return 0;
}

bool twins_replaying(void)
{
	return n_replays != 0;
}

static void replay_done(unsigned int i)
{
	fclose(replays[i].f);
	replays[i].f = NULL;
	n_replays--;
}

/* Up to a burst of port i's --twin-pcap frames to worker 0's twin ring, as twin_read()
 * hands over the kernel's; never more than the ring takes, so none is lost to it. */
static void replay_read(unsigned int i)
{
	struct rte_ring *r = workers[0].twin_out;
	struct twin *t = &twins[i];

	for (unsigned int k = 0; k < TWIN_POLL_BURST && rte_ring_free_count(r) != 0; k++) {
		uint32_t rec[4]; /* seconds, fraction, captured length, length */
		if (fread(rec, sizeof(rec), 1, replays[i].f) != 1) {
			replay_done(i);
			return;
		}
		uint32_t len = pcap32(rec[2], replays[i].swapped);
		if (len > TWIN_FRAME_MAX || fread(frame, len, 1, replays[i].f) != 1) {
			replay_done(i); /* a frame no twin can carry, or a truncated file */
			return;
		}
		t->stats.from_kernel++;
		struct rte_mbuf *m =
			len >= RTE_ETHER_HDR_LEN ? frame_to_mbuf(&ports[i], frame, len) : NULL;
		if (m == NULL) {
			t->stats.from_kernel_drops++;
			continue;
		}
		m->port = ports[i].port_id;
		if (rte_ring_sp_enqueue(r, m) != 0) {
			rte_pktmbuf_free(m);
			t->stats.from_kernel_drops++;
		}
	}
}

void twins_poll(void)
{
	struct rte_mbuf *ms[TWIN_POLL_BURST];

	for (unsigned int i = 0; n_replays != 0 && i < n_ports; i++)
		if (replays[i].f != NULL)
			replay_read(i);
	if (!enabled)
		return;
	for (unsigned int w = 0; w < n_workers; w++) {
		if (workers[w].punt == NULL)
			continue;
		unsigned int n = rte_ring_sc_dequeue_burst(
			workers[w].punt, (void **)ms, TWIN_POLL_BURST, NULL);
		for (unsigned int k = 0; k < n; k++)
			twin_write(ms[k]);
	}
	for (unsigned int i = 0; i < n_ports; i++)
		if (twins[i].fd >= 0)
			twin_read(i);
	uint64_t now = rte_rdtsc();
	if (now >= next_link_check) {
		twins_mirror_link();
		next_link_check = now + rte_get_tsc_hz() / 1000 * TWIN_LINK_CHECK_MS;
	}
}

void twins_stop(void)
{
	enabled = false;
	for (unsigned int i = 0; i < MPGW_MAX_PORTS; i++)
		if (replays[i].f != NULL)
			replay_done(i);
	for (unsigned int i = 0; i < MPGW_MAX_PORTS; i++) {
		if (twins[i].fd >= 0)
			close(twins[i].fd); /* not persistent: the interface goes with it */
		twins[i].fd = -1;
	}
}

bool twin_info(unsigned int p, char *ifname, size_t len, int *ifindex, struct twin_stats *s)
{
	if (!enabled || p >= n_ports || twins[p].fd < 0)
		return false;
	snprintf(ifname, len, "%s", twins[p].ifname);
	*ifindex = twins[p].ifindex;
	/* written by the control thread, read by telemetry's: a stale count is fine */
	*s = twins[p].stats;
	return true;
}

int twin_port_of_ifindex(int ifindex)
{
	if (!enabled || ifindex <= 0)
		return -1;
	for (unsigned int p = 0; p < n_ports; p++)
		if (twins[p].fd >= 0 && twins[p].ifindex == ifindex)
			return (int)p;
	return -1;
}
