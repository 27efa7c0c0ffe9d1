/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgw-flowgen: a traffic source for the benchmark and the soak test whose own cost does
 * not depend on the number of flows. net_pcap's infinite replay holds one mbuf per packet
 * of its pcap, so a 1M-flow pcap is 1M mbufs cycled through and the source itself slows
 * down with the flow count; this program holds a few template frames and writes the flow
 * number into each packet as it sends it.
 *
 *   mpgw-flowgen EAL-ARGS -- --pcap FILE [--flows N] [--per-flow K] [--rate PPS]
 *                [--duration S]
 *
 * It sends on port 0 (e.g. --vdev net_memif0,role=server,socket=PATH, whose client is the
 * program under test) from one lcore, once the port's link is up. Packet s belongs to flow
 * f = s / K (modulo N when N > 0, else the count just goes on: a new flow every K packets),
 * and is packet j = s % K of that flow. The pcap's frames are groups of K templates (its
 * length must be a multiple of K); flow f uses group f % groups, packet j its template j.
 * The flow number is written into the source address: the low 32 bits of an IPv6 source,
 * the whole of an IPv4 one, as (source of the first template) + f, with the IPv4 header
 * and TCP/UDP checksums fixed up incrementally (RFC 1624). With K = 1 and a pcap of T
 * frames whose flows differ in destination and port (scripts/bench/pcapgen.py), N a
 * multiple of T gives exactly N distinct 5-tuples.
 *
 * Every second it prints `flowgen: t=S sent=X full=Y flows=Z` (full: how many times the
 * port's ring was full and a burst had to wait: the receiver sets the pace), and a last
 * line at exit (SIGINT, SIGTERM or --duration).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#define MAX_TEMPLATES 65536
#define MAX_FRAME     2048
#define BURST	      32
#define NB_MBUFS      8191
#define NB_TXD	      1024
#define RX_QUEUES     8

struct template
{
	uint16_t len;
	uint16_t src_off;    /* of the 4 source address bytes flowgen writes */
	uint16_t ip4_ck_off; /* 0: not IPv4 */
	uint16_t l4_ck_off;  /* 0: no checksum to fix (none, or IPv4 UDP with checksum 0) */
	bool udp;
	uint8_t data[MAX_FRAME];
};

struct options {
	const char *pcap;
	uint64_t flows; /* 0: unbounded */
	uint32_t per_flow;
	uint64_t rate; /* packets per second, 0: as fast as the port takes them */
	double duration;
};

static volatile bool stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = true;
}

static void usage(void)
{
	fprintf(stderr, "usage: mpgw-flowgen EAL-ARGS -- --pcap FILE [--flows N] [--per-flow K] "
			"[--rate PPS] [--duration S]\n");
}

static int parse_u64(const char *name, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		fprintf(stderr, "flowgen: --%s: not a number: '%s'\n", name, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {{"pcap", required_argument, NULL, 'p'},
		{"flows", required_argument, NULL, 'f'}, {"per-flow", required_argument, NULL, 'k'},
		{"rate", required_argument, NULL, 'r'}, {"duration", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0}};
	uint64_t v;
	int c;

	*o = (struct options){.per_flow = 1};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pcap = optarg;
			break;
		case 'f':
			if (parse_u64("flows", optarg, &o->flows) < 0)
				return -1;
			break;
		case 'k':
			if (parse_u64("per-flow", optarg, &v) < 0)
				return -1;
			if (v == 0 || v > MAX_TEMPLATES) {
				fprintf(stderr, "flowgen: --per-flow: 1 to %d\n", MAX_TEMPLATES);
				return -1;
			}
			o->per_flow = (uint32_t)v;
			break;
		case 'r':
			if (parse_u64("rate", optarg, &o->rate) < 0)
				return -1;
			break;
		case 'd': {
			char *end;
			o->duration = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || o->duration < 0) {
				fprintf(stderr, "flowgen: --duration: seconds, not '%s'\n", optarg);
				return -1;
			}
			break;
		}
		default:
			usage();
			return -1;
		}
	}
	if (o->pcap == NULL || optind != argc) {
		usage();
		return -1;
	}
	return 0;
}

/* Where the source address and the checksums of an Ethernet + IPv4/IPv6 + TCP/UDP frame
 * are; -1 if the frame is none of those. */
static int template_locate(struct template *t)
{
	const uint8_t *d = t->data;
	uint16_t et, l3 = 14, l4;
	uint8_t proto;

	if (t->len < 14)
		return -1;
	et = (uint16_t)(d[12] << 8 | d[13]);
	if (et == RTE_ETHER_TYPE_IPV4) {
		if (t->len < l3 + 20 || (d[l3] >> 4) != 4)
			return -1;
		l4 = (uint16_t)(l3 + (d[l3] & 0xf) * 4);
		proto = d[l3 + 9];
		t->src_off = l3 + 12;
		t->ip4_ck_off = l3 + 10;
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		if (t->len < l3 + 40 || (d[l3] >> 4) != 6)
			return -1;
		l4 = l3 + 40;
		proto = d[l3 + 6];
		t->src_off = l3 + 8 + 12;
		t->ip4_ck_off = 0;
	} else {
		return -1;
	}
	t->udp = proto == IPPROTO_UDP;
	t->l4_ck_off = 0;
	if (proto == IPPROTO_UDP && t->len >= l4 + 8)
		t->l4_ck_off = l4 + 6;
	else if (proto == IPPROTO_TCP && t->len >= l4 + 20)
		t->l4_ck_off = l4 + 16;
	else if (proto == IPPROTO_UDP || proto == IPPROTO_TCP)
		return -1;
	/* IPv4 UDP with checksum 0 has none: keep it so. */
	if (t->l4_ck_off != 0 && t->ip4_ck_off != 0 && t->udp && d[t->l4_ck_off] == 0 &&
		d[t->l4_ck_off + 1] == 0)
		t->l4_ck_off = 0;
	return 0;
}

/* The frames of a classic pcap file (microsecond or nanosecond, either byte order). */
static struct template *load_pcap(const char *path, uint32_t *count)
{
	FILE *fh = fopen(path, "rb");
	uint32_t hdr[6], rec[4];
	struct template *ts;
	bool swap;

	if (fh == NULL) {
		fprintf(stderr, "flowgen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	ts = calloc(MAX_TEMPLATES, sizeof(*ts));
	if (ts == NULL || fread(hdr, sizeof(hdr), 1, fh) != 1)
		goto bad;
	if (hdr[0] == 0xa1b2c3d4 || hdr[0] == 0xa1b23c4d)
		swap = false;
	else if (hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1)
		swap = true;
	else
		goto bad;
	*count = 0;
	while (fread(rec, sizeof(rec), 1, fh) == 1) {
		uint32_t caplen = swap ? rte_bswap32(rec[2]) : rec[2];
		struct template *t = &ts[*count];
		if (*count == MAX_TEMPLATES || caplen > MAX_FRAME || caplen == 0) {
			fprintf(stderr, "flowgen: %s: frame %u: at most %d frames of %d bytes\n",
				path, *count, MAX_TEMPLATES, MAX_FRAME);
			goto fail;
		}
		t->len = (uint16_t)caplen;
		if (fread(t->data, caplen, 1, fh) != 1)
			goto bad;
		if (template_locate(t) < 0) {
			fprintf(stderr, "flowgen: %s: frame %u is not Ethernet + IPv4/IPv6\n", path,
				*count);
			goto fail;
		}
		(*count)++;
	}
	if (*count == 0)
		goto bad;
	fclose(fh);
	return ts;
bad:
	fprintf(stderr, "flowgen: %s: not a pcap file, or truncated\n", path);
fail:
	free(ts);
	fclose(fh);
	return NULL;
}

/* One's complement sum fix-up: checksum field ck after 32 bits changed from old to new. */
static inline void cksum_adjust(uint8_t *ck, uint32_t old, uint32_t new, bool udp)
{
	uint32_t s = (uint16_t) ~(ck[0] << 8 | ck[1]);

	s += (uint16_t) ~(old >> 16) + (uint16_t) ~(old & 0xffff);
	s += (new >> 16) + (new & 0xffff);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	uint16_t r = (uint16_t)~s;
	if (r == 0 && udp)
		r = 0xffff; /* UDP: 0 means "no checksum" */
	ck[0] = (uint8_t)(r >> 8);
	ck[1] = (uint8_t)r;
}

static inline void write_packet(struct rte_mbuf *m, const struct template *t, uint32_t src)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t old;

	memcpy(d, t->data, t->len);
	m->data_len = m->pkt_len = t->len;
	old = (uint32_t)d[t->src_off] << 24 | (uint32_t)d[t->src_off + 1] << 16 |
	      (uint32_t)d[t->src_off + 2] << 8 | d[t->src_off + 3];
	d[t->src_off] = (uint8_t)(src >> 24);
	d[t->src_off + 1] = (uint8_t)(src >> 16);
	d[t->src_off + 2] = (uint8_t)(src >> 8);
	d[t->src_off + 3] = (uint8_t)src;
	if (t->ip4_ck_off != 0)
		cksum_adjust(d + t->ip4_ck_off, old, src, false);
	if (t->l4_ck_off != 0)
		cksum_adjust(d + t->l4_ck_off, old, src, t->udp);
}

static int port_start(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = {0};
	int rc;

	/* memif: a client's TX queues are this server's RX queues, and the program under test
	 * may open one per worker plus a control one: have more than it asks for. Nothing is
	 * ever read from them. */
	rc = rte_eth_dev_configure(port, RX_QUEUES, 1, &conf);
	for (uint16_t q = 0; q < RX_QUEUES && rc == 0; q++)
		rc = rte_eth_rx_queue_setup(port, q, 256, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, NB_TXD, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, "flowgen: port %u: %s\n", port, rte_strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct template *ts;
	uint32_t count;
	int n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "flowgen: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (parse_options(argc - n, argv + n, &o) < 0)
		return 1;
	ts = load_pcap(o.pcap, &count);
	if (ts == NULL)
		return 1;
	if (count % o.per_flow != 0) {
		fprintf(stderr, "flowgen: %s: %u frames, not a multiple of --per-flow %u\n", o.pcap,
			count, o.per_flow);
		return 1;
	}
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "flowgen: no port (give one with --vdev)\n");
		return 1;
	}
	struct rte_mempool *pool = rte_pktmbuf_pool_create(
		"flowgen", NB_MBUFS, 256, 0, RTE_PKTMBUF_HEADROOM + MAX_FRAME, rte_socket_id());
	if (pool == NULL || port_start(0, pool) != 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct rte_eth_link link;
	uint64_t give_up = rte_rdtsc() + (uint64_t)((o.duration > 0 ? o.duration : 60) *
						    (double)rte_get_tsc_hz());
	do {
		rte_delay_ms(10);
		rte_eth_link_get_nowait(0, &link);
	} while (!link.link_status && !stop && rte_rdtsc() < give_up);
	if (!link.link_status && !stop) {
		fprintf(stderr, "flowgen: port 0: no peer\n");
		stop = true;
	}

	const uint32_t groups = count / o.per_flow;
	const uint8_t *s0 = ts[0].data + ts[0].src_off;
	const uint32_t src_base =
		(uint32_t)s0[0] << 24 | (uint32_t)s0[1] << 16 | (uint32_t)s0[2] << 8 | s0[3];
	const uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc();
	const uint64_t end = o.duration > 0 ? start + (uint64_t)(o.duration * (double)hz) : 0;
	uint64_t sent = 0, full = 0, seq = 0, next_report = start + hz;
	uint64_t flow = 0; /* of packet seq */
	uint32_t j = 0;	   /* its index in its flow */
	struct rte_mbuf *burst[BURST];

	while (!stop) {
		uint64_t now = rte_rdtsc();
		if (now >= next_report) {
			printf("flowgen: t=%.0f sent=%" PRIu64 " full=%" PRIu64 " flows=%" PRIu64
			       "\n",
				(double)(now - start) / (double)hz, sent, full,
				o.flows ? RTE_MIN(o.flows, seq / o.per_flow) : seq / o.per_flow);
			fflush(stdout);
			next_report += hz;
		}
		if (end != 0 && now >= end)
			break;
		/* --rate: no packet ahead of its time (s / rate seconds after the start). */
		if (o.rate != 0 &&
			(double)seq * (double)hz > (double)(now - start) * (double)o.rate) {
			rte_delay_us_sleep(
				20); /* leave the core to others (the soak test shares it) */
			continue;
		}
		/* A memif peer that went away: stop rather than send into its unmapped rings. */
		rte_eth_link_get_nowait(0, &link);
		if (!link.link_status) {
			fprintf(stderr, "flowgen: port 0: link down, stopping\n");
			break;
		}
		if (rte_pktmbuf_alloc_bulk(pool, burst, BURST) != 0)
			continue;
		for (unsigned int i = 0; i < BURST; i++) {
			const struct template *t = &ts[(flow % groups) * o.per_flow + j];
			write_packet(burst[i], t, src_base + (uint32_t)flow);
			if (++j == o.per_flow) {
				j = 0;
				flow++;
				if (o.flows != 0 && flow == o.flows)
					flow = 0;
			}
		}
		seq += BURST;
		/* A full ring is retried after a pause, not dropped: the port sets the pace, and
		 * a retry does not hammer the ring's shared cache lines. */
		uint16_t tx = 0;
		while (tx < BURST && !stop) {
			uint16_t k = rte_eth_tx_burst(0, 0, burst + tx, (uint16_t)(BURST - tx));
			tx = (uint16_t)(tx + k);
			if (tx < BURST) {
				full++;
				for (unsigned int p = 0; p < 64; p++)
					rte_pause();
			}
		}
		if (tx < BURST)
			rte_pktmbuf_free_bulk(burst + tx, BURST - tx);
		sent += tx;
	}
	printf("flowgen: done t=%.1f sent=%" PRIu64 " full=%" PRIu64 "\n",
		(double)(rte_rdtsc() - start) / (double)hz, sent, full);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	free(ts);
	rte_eal_cleanup();
	return 0;
}
