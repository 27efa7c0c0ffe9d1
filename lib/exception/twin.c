/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel twins: TAP interfaces served by their own thread (see twin.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "nl_attrs.h"
#include "nl_transact.h"
#include "port.h"
#include "twin.h"
#include "twin_gro.h"
#include "twin_vnet.h"
#include "worker.h"

/* Largest frame the kernel may write without segmentation offload: a twin's MTU is its
 * port's, at most 9216. */
#define TWIN_FRAME_MAX (9216 + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN)
/* Largest it may write with it: a 64 KB TCP segment and its headers. */
#define TWIN_GSO_MAX (65535 + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN)
/* The offloads a twin takes: the kernel may leave checksums and TCP segmentation to it. */
#define TWIN_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
/* Free room in worker 0's twin ring below which the thread reads no more from the twins
 * (the kernel keeps the frames, and TCP its pace): what one 64 KB segment becomes at an
 * MSS of 1024 or more. */
#define TWIN_READ_ROOM 64
/* How long the thread sleeps before it looks again on its own: while worker 0's twin ring
 * is short of room (the worker empties it, unannounced), and with nothing to do. */
#define TWIN_SLEEP_MS 1
#define TWIN_IDLE_MS  100
/* How often the ports' link state is copied onto the twins' carrier. */
#define TWIN_LINK_CHECK_MS 100
/* How often the kernel is asked how many frames it dropped at the twins' own queues. */
#define TWIN_QUEUE_CHECK_MS 1000

struct twin {
	int fd; /* -1: none */
	int ifindex;
	char ifname[IFNAMSIZ];
	bool carrier;
	struct twin_stats stats;
};

static struct twin twins[MPGW_MAX_PORTS];
static bool enabled;
/* The service thread: it alone reads and writes the TAPs and feeds worker 0's twin ring. */
static struct {
	pthread_t tid;
	bool started;
	bool stop;
	struct doorbell bell; /* the workers' punt rings' */
} svc = {.bell = {.fd = -1}};
/* --twin-pcap files being handed over, by port index (NULL: none or done). */
static struct {
	FILE *f;
	bool swapped; /* written on a host of the other byte order */
} replays[MPGW_MAX_PORTS];
static unsigned int n_replays;
static struct rte_mempool *twin_pool;
static uint64_t next_link_check, next_queue_check;
/* rtnetlink, for the TAPs' own counters (the control thread's); NULL: to be opened. */
static struct mnl_socket *rtnl;
/* One frame from a twin or a replayed file; one byte more: a longer one is seen, and
 * dropped. The service thread's alone. */
static uint8_t frame[TWIN_GSO_MAX + 1];

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
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
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
	/* Checksums and TCP segmentation left to the twin (twin_vnet.h): the kernel's TCP
	 * sends 64 KB at a time. Without it the kernel does them itself. */
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)TWIN_OFFLOADS) < 0)
		printf("mpgw: port %s: kernel twin without offloads: %s\n", p->name,
			strerror(errno));

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
	svc.bell.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (svc.bell.fd < 0) {
		snprintf(err, errlen, "kernel twins: eventfd: %s", strerror(errno));
		twins_stop();
		return -1;
	}
	for (unsigned int w = 0; w < n_workers; w++)
		workers[w].punt_bell = &svc.bell;
	enabled = true;
	next_link_check = 0;
	next_queue_check = 0;
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

/* Write one punted frame, or several joined (twin_gro.h), to the twin of the port it came
 * in by, behind its virtio-net header. */
static void twin_write(struct rte_mbuf *m)
{
	int p = port_index_of[m->port];
	unsigned int frames = twin_gro_frames(m);
	struct virtio_net_hdr vh;
	struct iovec iov[1 + TWIN_GRO_SEGS_MAX];
	unsigned int n = 1;

	if (p < 0 || twins[p].fd < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	struct twin *t = &twins[p];
	twin_gro_vnet_hdr(m, &vh);
	iov[0] = (struct iovec){&vh, sizeof(vh)};
	for (struct rte_mbuf *s = m; s != NULL && n < RTE_DIM(iov); s = s->next, n++)
		iov[n] = (struct iovec){rte_pktmbuf_mtod(s, void *), s->data_len};
	if (n - 1 == m->nb_segs &&
		writev(t->fd, iov, (int)n) == (ssize_t)(sizeof(vh) + m->pkt_len)) {
		t->stats.to_kernel += frames;
		t->stats.to_kernel_gso += frames > 1;
	} else {
		t->stats.to_kernel_errors += frames;
	}
	rte_pktmbuf_free(m);
}

/* A frame of hdr_len bytes at hdr followed by len bytes at data, copied into a chain of
 * mbufs; NULL if none left or the port cannot send a chain that long. */
static struct rte_mbuf *frame_to_mbuf(
	const struct port *p, const uint8_t *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
	const uint8_t *from[2] = {hdr, data};
	size_t left[2] = {hdr_len, len};
	struct rte_mbuf *head = rte_pktmbuf_alloc(twin_pool);

	if (head == NULL)
		return NULL;
	for (unsigned int k = 0; k < 2; k++) {
		while (left[k] != 0) {
			struct rte_mbuf *last = rte_pktmbuf_lastseg(head);
			if (rte_pktmbuf_tailroom(last) == 0) {
				struct rte_mbuf *m =
					p->tx_multi_seg ? rte_pktmbuf_alloc(twin_pool) : NULL;
				if (m == NULL || rte_pktmbuf_chain(head, m) != 0) {
					rte_pktmbuf_free(m);
					rte_pktmbuf_free(head);
					return NULL;
				}
				last = m;
			}
			size_t c = RTE_MIN(left[k], (size_t)rte_pktmbuf_tailroom(last));
			memcpy(rte_pktmbuf_append(head, (uint16_t)c), from[k], c);
			from[k] += c;
			left[k] -= c;
		}
	}
	return head;
}

/* Where the frames of one twin (or replayed file) go: worker 0's twin ring. */
struct twin_sink {
	unsigned int port; /* mpgw port index */
	struct twin *t;
	struct rte_ring *r;
};

/* One frame the data path is to send (twin_vnet_emit_t): to the ring, or a counted drop. */
static int sink_frame(
	void *arg, const uint8_t *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
	struct twin_sink *k = arg;
	struct rte_mbuf *m = frame_to_mbuf(&ports[k->port], hdr, hdr_len, data, len);

	if (m == NULL) {
		k->t->stats.from_kernel_drops++;
		return 0;
	}
	m->port = ports[k->port].port_id;
	if (rte_ring_sp_enqueue(k->r, m) != 0) {
		rte_pktmbuf_free(m);
		k->t->stats.from_kernel_drops++;
		return 0;
	}
	k->t->stats.from_kernel_frames++;
	return 0;
}

/* What the kernel wrote to port i's twin, cut into the frames the port sends
 * (twin_vnet.h), to worker 0's twin ring (mpgw_twin_output), while the ring has room for
 * a 64 KB segment's. The number of frames read. */
static unsigned int twin_read(unsigned int i)
{
	struct twin *t = &twins[i];
	struct twin_sink k = {.port = i, .t = t, .r = n_workers != 0 ? workers[0].twin_out : NULL};
	unsigned int n = 0;

	while (n < TWIN_POLL_BURST && k.r != NULL && rte_ring_free_count(k.r) >= TWIN_READ_ROOM) {
		struct virtio_net_hdr vh;
		struct iovec iov[2] = {{&vh, sizeof(vh)}, {frame, sizeof(frame)}};
		ssize_t got = readv(t->fd, iov, 2);
		if (got <= 0)
			break; /* EAGAIN: nothing more */
		n++;
		t->stats.from_kernel++;
		size_t len = got > (ssize_t)sizeof(vh) ? (size_t)got - sizeof(vh) : 0;
		bool gso = twin_vnet_is_gso(&vh);
		if (gso)
			t->stats.from_kernel_tso++;
		if (len < RTE_ETHER_HDR_LEN || len > (gso ? TWIN_GSO_MAX : TWIN_FRAME_MAX) ||
			twin_vnet_split(&vh, frame, len, sink_frame, &k) < 0)
			t->stats.from_kernel_malformed++;
	}
	return n;
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
	return __atomic_load_n(&n_replays, __ATOMIC_RELAXED) != 0;
}

static void replay_done(unsigned int i)
{
	fclose(replays[i].f);
	replays[i].f = NULL;
	__atomic_fetch_sub(&n_replays, 1, __ATOMIC_RELAXED);
}

/* Up to a burst of port i's --twin-pcap frames to worker 0's twin ring, as twin_read()
 * hands over the kernel's; never more than the ring takes, so none is lost to it. The
 * number handed over. */
static unsigned int replay_read(unsigned int i)
{
	struct twin_sink k = {.port = i, .t = &twins[i], .r = workers[0].twin_out};
	unsigned int n = 0;

	for (; n < TWIN_POLL_BURST && rte_ring_free_count(k.r) != 0; n++) {
		uint32_t rec[4]; /* seconds, fraction, captured length, length */
		if (fread(rec, sizeof(rec), 1, replays[i].f) != 1) {
			replay_done(i);
			break;
		}
		uint32_t len = pcap32(rec[2], replays[i].swapped);
		if (len > TWIN_FRAME_MAX || fread(frame, len, 1, replays[i].f) != 1) {
			replay_done(i); /* a frame no twin can carry, or a truncated file */
			break;
		}
		k.t->stats.from_kernel++;
		if (len >= RTE_ETHER_HDR_LEN)
			sink_frame(&k, frame, len, NULL, 0);
		else
			k.t->stats.from_kernel_malformed++;
	}
	return n;
}

/* One round of the service thread: the workers' punted frames to the twins, the twins'
 * (and replayed files') frames to the data path. The number of frames moved. */
static unsigned int twins_service(void)
{
	struct rte_mbuf *ms[TWIN_POLL_BURST];
	unsigned int moved = 0;

	for (unsigned int i = 0; twins_replaying() && i < n_ports; i++)
		if (replays[i].f != NULL)
			moved += replay_read(i);
	if (!enabled)
		return moved;
	for (unsigned int w = 0; w < n_workers; w++) {
		if (workers[w].punt == NULL)
			continue;
		unsigned int n = rte_ring_sc_dequeue_burst(
			workers[w].punt, (void **)ms, TWIN_POLL_BURST, NULL);
		moved += n;
		n = twin_gro_burst(ms, (uint16_t)n);
		for (unsigned int k = 0; k < n; k++)
			twin_write(ms[k]);
	}
	for (unsigned int i = 0; i < n_ports; i++)
		if (twins[i].fd >= 0)
			moved += twin_read(i);
	return moved;
}

/* Nothing to do: sleep until a worker punts or mpgw stops (the doorbell), a twin has a
 * frame (if worker 0's ring has room for it), or a while passes: TWIN_SLEEP_MS while the
 * ring is short of room or a file is replayed, else TWIN_IDLE_MS. */
static void twins_sleep(void)
{
	struct pollfd fds[MPGW_MAX_PORTS + 1];
	nfds_t n = 0;
	struct rte_ring *r = n_workers != 0 ? workers[0].twin_out : NULL;
	bool room = r != NULL && rte_ring_free_count(r) >= TWIN_READ_ROOM;

	if (enabled) {
		fds[n++] = (struct pollfd){.fd = svc.bell.fd, .events = POLLIN};
		for (unsigned int i = 0; room && i < n_ports; i++)
			if (twins[i].fd >= 0)
				fds[n++] = (struct pollfd){.fd = twins[i].fd, .events = POLLIN};
		doorbell_arm(&svc.bell);
		for (unsigned int w = 0; w < n_workers; w++)
			if (workers[w].punt != NULL && !rte_ring_empty(workers[w].punt)) {
				doorbell_disarm(&svc.bell);
				return;
			}
	}
	int timeout = room && !twins_replaying() ? TWIN_IDLE_MS : TWIN_SLEEP_MS;
	if (poll(fds, n, timeout) > 0 && n != 0 && (fds[0].revents & POLLIN)) {
		uint64_t v;
		if (read(svc.bell.fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: another reader was first; nothing to reset */
		}
	}
	if (enabled)
		doorbell_disarm(&svc.bell);
}

static void *twin_thread(void *arg)
{
	RTE_SET_USED(arg);
	/* An lcore id of its own: a mempool cache for the mbufs it allocates. */
	bool registered = rte_thread_register() == 0;

	while (!__atomic_load_n(&svc.stop, __ATOMIC_ACQUIRE))
		if (twins_service() == 0)
			twins_sleep();
	if (registered)
		rte_thread_unregister();
	return NULL;
}

int twins_launch(char *err, size_t errlen)
{
	if (!enabled && !twins_replaying())
		return 0;
	svc.stop = false;
	int rc = rte_ctrl_thread_create(&svc.tid, "mpgw-twins", NULL, twin_thread, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "kernel twins: cannot start their thread: %s", strerror(rc));
		return -1;
	}
	svc.started = true;
	return 0;
}

/* RTM_NEWLINK's IFLA_STATS64 tx_dropped into *(uint64_t *)data. */
static int on_link_stats(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0};

	if (nlh->nlmsg_type != RTM_NEWLINK ||
		mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	if (tb[IFLA_STATS64] != NULL &&
		mnl_attr_get_payload_len(tb[IFLA_STATS64]) >= sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 st;
		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), sizeof(st));
		*(uint64_t *)data = st.tx_dropped;
	}
	return MNL_CB_OK;
}

/* What the kernel dropped at each twin's own queue before the service thread read it (the
 * TAP's tx_dropped: its queue full, or its carrier off), into the twin's counters. */
static void twins_read_queue_drops(void)
{
	static char buf[32768]; /* one link's answer, its IPv6 settings and all */

	if (rtnl == NULL && (rtnl = nl_request_socket(NETLINK_ROUTE, 100)) == NULL)
		return;
	for (unsigned int i = 0; i < n_ports; i++) {
		struct twin *t = &twins[i];
		char req[128];
		if (t->fd < 0)
			continue;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
		nlh->nlmsg_type = RTM_GETLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK; /* the acknowledgement ends it */
		nlh->nlmsg_seq = (uint32_t)rte_rdtsc();
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = t->ifindex;
		uint64_t dropped = t->stats.from_kernel_queue_drops;
		if (nl_transact(rtnl, nlh, buf, sizeof(buf), on_link_stats, &dropped) < 0) {
			mnl_socket_close(rtnl); /* it may hold the rest of an answer */
			rtnl = NULL;
			return;
		}
		t->stats.from_kernel_queue_drops = dropped;
	}
}

void twins_poll(void)
{
	if (!enabled)
		return;
	uint64_t now = rte_rdtsc();
	if (now >= next_link_check) {
		twins_mirror_link();
		next_link_check = now + rte_get_tsc_hz() / 1000 * TWIN_LINK_CHECK_MS;
	}
	if (now >= next_queue_check) {
		twins_read_queue_drops();
		next_queue_check = now + rte_get_tsc_hz() / 1000 * TWIN_QUEUE_CHECK_MS;
	}
}

void twins_stop(void)
{
	if (svc.started) {
		uint64_t one = 1;
		__atomic_store_n(&svc.stop, true, __ATOMIC_RELEASE);
		if (svc.bell.fd >= 0 && write(svc.bell.fd, &one, sizeof(one)) < 0) {
			/* the thread wakes within TWIN_IDLE_MS anyway */
		}
		pthread_join(svc.tid, NULL);
		svc.started = false;
	}
	enabled = false;
	for (unsigned int w = 0; w < n_workers; w++)
		workers[w].punt_bell = NULL;
	if (svc.bell.fd >= 0)
		close(svc.bell.fd);
	svc.bell.fd = -1;
	for (unsigned int i = 0; i < MPGW_MAX_PORTS; i++)
		if (replays[i].f != NULL)
			replay_done(i);
	if (rtnl != NULL)
		mnl_socket_close(rtnl);
	rtnl = NULL;
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
