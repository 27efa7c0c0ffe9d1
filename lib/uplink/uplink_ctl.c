/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink state, health probes and the scheduling table (uplink_ctl.h). Runs on the main
 * lcore only; telemetry reads a snapshot under `lock`.
 *
 * A probe is lost when no answer came within its timeout: 1 s until a first answer, then
 * srtt + 4 x rttvar (RFC 6298's estimator) plus 5 ms for the control loop's tick, at least
 * 10 ms. So with 50 ms probes and a short path an uplink that stops answering is down
 * about 2 x 50 ms + 15 ms after its first lost probe was sent, and a link that is
 * merely slow is not declared dead.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pkt_meta.h"
#include "port.h"
#include "rcu_swap.h"
#include "uplink_ctl.h"
#include "uplink_nonce.h"
#include "uplink_probe.h"
#include "uplink_table.h"
#include "worker.h"

#define PROBE_TIMEOUT_INIT  1000.0
#define PROBE_TIMEOUT_MIN   10.0
#define PROBE_TIMEOUT_SLACK 5.0
/* DSCP rules keep their path until another is this much faster (ms, and fraction). */
#define FAST_SWITCH_MS	 1.0
#define FAST_SWITCH_FRAC 0.1

struct path_state {
	/* Identity, from the FIB version. */
	uint16_t group;
	uint8_t port;
	uint16_t port_id;
	struct ipaddr local, remote;
	enum uplink_mode mode;
	uint32_t weight;

	bool link_up;
	bool probing;
	struct uplink_health health;
	uint32_t state_changes;
	uint64_t changed_tsc;

	uint32_t next_seq;
	uint64_t next_tx_tsc;
	struct probe_slot slots[PROBE_SLOTS];
	uint64_t sent, answered, lost, late, forged;
	uint64_t history; /* 1 bit per probe outcome, newest lowest; 1 = lost */
	unsigned int n_history;
	bool have_rtt;
	double srtt, rttvar, last_rtt; /* ms */
};

static struct {
	pthread_mutex_t lock;
	struct fib *fib; /* the version probes are for (the live one once published) */
	struct path_state *paths;
	unsigned int n_paths;
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	uint64_t interval_tsc; /* 0: no probes */
	struct uplink_health_params hp;
	uint32_t flowlet_gap_ms;
	uint64_t low_latency_dscp;
	uint32_t sched_gen;
	uint16_t fast[MPGW_MAX_GATEWAYS]; /* per group: the path DSCP rules use */
	struct probe_nonce_gen nonces;
} ctl = {.lock = PTHREAD_MUTEX_INITIALIZER};

static enum uplink_mode mode_of(uint8_t cfg_mode)
{
	switch (cfg_mode) {
	case CFG_MP_OFF:
		return UPLINK_MODE_OFF;
	case CFG_MP_MASTER:
		return UPLINK_MODE_MASTER;
	case CFG_MP_BACKUP:
		return UPLINK_MODE_BACKUP;
	default:
		return UPLINK_MODE_ON;
	}
}

static double tsc_ms(uint64_t tsc)
{
	return (double)tsc * 1000.0 / (double)ctl.tsc_hz;
}

static bool path_alive(const struct path_state *st)
{
	if (st->mode == UPLINK_MODE_OFF || !st->link_up)
		return false;
	return st->probing ? st->health.alive : true;
}

/* The group's path DSCP rules send new flows to: the usable one of lowest RTT, kept until
 * another is clearly faster; without RTTs, a usable master. */
static uint16_t fast_path(const struct tun_group *g, const uint8_t *usable, uint16_t prev)
{
	uint16_t best = UPLINK_NO_PATH, master = UPLINK_NO_PATH;

	for (uint16_t p = g->first; p < g->first + g->n; p++) {
		const struct path_state *st = &ctl.paths[p];
		if (!usable[p])
			continue;
		if (master == UPLINK_NO_PATH && st->mode == UPLINK_MODE_MASTER)
			master = p;
		if (st->have_rtt && (best == UPLINK_NO_PATH || st->srtt < ctl.paths[best].srtt))
			best = p;
	}
	if (best == UPLINK_NO_PATH)
		return master;
	if (prev != UPLINK_NO_PATH && prev != best && prev < ctl.n_paths && usable[prev] &&
		ctl.paths[prev].have_rtt) {
		double b = ctl.paths[best].srtt, c = ctl.paths[prev].srtt;
		if (c - b < FAST_SWITCH_MS || c - b < c * FAST_SWITCH_FRAC)
			return prev;
	}
	return best;
}

/* A new scheduling table for f from the path states; prev (may be NULL) is f's current
 * one, whose redirection tables are kept as far as the weights allow. */
static struct uplink_sched *sched_build(const struct fib *f, const struct uplink_sched *prev)
{
	const struct tunnels *tun = &f->tun;
	size_t sz = sizeof(struct uplink_sched) +
		    tun->n_groups * sizeof(struct uplink_group_sched) + tun->n_paths;
	struct uplink_sched *s = rte_zmalloc("mpgw_sched", sz, RTE_CACHE_LINE_SIZE);

	if (s == NULL)
		return NULL;
	s->gen = ++ctl.sched_gen;
	s->n_paths = tun->n_paths;
	s->n_groups = tun->n_groups;
	s->flowlet_gap_ms = ctl.flowlet_gap_ms;
	s->low_latency_dscp = ctl.low_latency_dscp;
	s->usable = (uint8_t *)&s->groups[tun->n_groups];
	for (uint32_t gi = 0; gi < tun->n_groups; gi++) {
		const struct tun_group *g = &tun->groups[gi];
		enum uplink_mode modes[UPLINK_MAX];
		bool alive[UPLINK_MAX];
		uint32_t weights[UPLINK_MAX], usable_w[UPLINK_MAX];
		unsigned int n = RTE_MIN(g->n, (unsigned int)UPLINK_MAX);
		for (unsigned int i = 0; i < n; i++) {
			const struct path_state *st = &ctl.paths[g->first + i];
			modes[i] = st->mode;
			alive[i] = path_alive(st);
			weights[i] = st->weight;
		}
		uplink_usable_weights(modes, alive, weights, n, usable_w);
		struct uplink_group_sched *gs = &s->groups[gi];
		gs->n_usable = (uint16_t)uplink_reta_build(
			usable_w, n, prev != NULL ? prev->groups[gi].reta : NULL, gs->reta);
		for (unsigned int i = 0; i < n; i++)
			s->usable[g->first + i] = usable_w[i] > 0;
		uint16_t pf = gi < RTE_DIM(ctl.fast) ? ctl.fast[gi] : UPLINK_NO_PATH;
		gs->fast = fast_path(g, s->usable, pf);
		if (gi < RTE_DIM(ctl.fast))
			ctl.fast[gi] = gs->fast;
	}
	return s;
}

static bool same_path(const struct path_state *a, const struct path_state *b)
{
	return a->port == b->port && ipaddr_equal(&a->local, &b->local) &&
	       ipaddr_equal(&a->remote, &b->remote);
}

int uplink_ctl_attach(struct fib *f, const struct mpgw_config *cfg, char *err, size_t errlen)
{
	const struct tunnels *tun = &f->tun;
	struct path_state *paths = NULL;

	if (tun->n_paths != 0) {
		paths = calloc(tun->n_paths, sizeof(*paths));
		if (paths == NULL) {
			snprintf(err, errlen, "out of memory for uplink states");
			return -1;
		}
	}
	ctl.tsc_hz = rte_get_tsc_hz();
	ctl.interval_tsc = (uint64_t)cfg->probe_interval_ms * ctl.tsc_hz / 1000;
	ctl.hp.down_after = (uint8_t)cfg->probe_down_after;
	ctl.hp.up_after = (uint8_t)cfg->probe_up_after;
	ctl.flowlet_gap_ms = cfg->flowlet_gap_ms;
	ctl.low_latency_dscp = cfg->low_latency_dscp;
	/* The same paths as the version in use (a change of routes only, the kernel's route
	 * churn): probes in flight stay valid (they carry path_gen), the DSCP paths and the
	 * redirection table stay. */
	bool same_paths = ctl.fib != NULL && f->path_gen == ctl.fib->path_gen;
	const struct uplink_sched *prev = same_paths ? fib_sched(ctl.fib) : NULL;
	for (uint32_t i = 0; i < tun->n_paths; i++) {
		const struct tun_path *t = &tun->paths[i];
		struct path_state *st = &paths[i];
		st->group = t->group;
		st->port = t->port;
		st->port_id = t->port_id;
		st->local = t->local;
		st->remote = t->remote;
		/* A gateway's paths are its uplinks, with their keys; a vps's are equal. */
		st->mode = cfg->role == CFG_ROLE_GATEWAY ? mode_of(cfg->ports[t->port].multipath)
							 : UPLINK_MODE_ON;
		st->weight = cfg->role == CFG_ROLE_GATEWAY ? cfg->ports[t->port].weight : 1;
		st->link_up = true; /* until the first tick reads it */
		st->probing = ctl.interval_tsc != 0;
		uplink_health_init(&st->health);
		st->changed_tsc = rte_rdtsc();
		for (unsigned int j = 0; j < ctl.n_paths; j++) {
			const struct path_state *old = &ctl.paths[j];
			if (!same_path(st, old))
				continue;
			/* Keep what was learned. Answers to probes of other paths are ignored,
			 * so their slots are closed rather than counted lost. */
			enum uplink_mode mode = st->mode;
			uint32_t weight = st->weight;
			uint16_t group = st->group;
			*st = *old;
			st->mode = mode;
			st->weight = weight;
			st->group = group;
			st->probing = ctl.interval_tsc != 0;
			/* Probes turned on by a reload: the path is taken as alive, as it was,
			 * until probe_down_after of them are lost. */
			if (st->probing && !old->probing)
				st->health.alive = true;
			for (unsigned int k = 0; k < PROBE_SLOTS && !same_paths; k++)
				st->slots[k].open = st->slots[k].lost = false;
			break;
		}
	}
	pthread_mutex_lock(&ctl.lock);
	free(ctl.paths);
	ctl.paths = paths;
	ctl.n_paths = tun->n_paths;
	ctl.fib = f;
	for (unsigned int g = 0; g < RTE_DIM(ctl.fast) && !same_paths; g++)
		ctl.fast[g] = UPLINK_NO_PATH;
	struct uplink_sched *s = sched_build(f, prev);
	pthread_mutex_unlock(&ctl.lock);
	/* No failure once ctl points at f (the caller would free f under it): without a
	 * table the data path spreads by hash over every path (node_encap.c), and the next
	 * change of a path's state builds one again. */
	if (s == NULL)
		printf("mpgw: out of memory for the uplink table: spreading by hash until the "
		       "next change\n");
	rte_free(f->sched);
	f->sched = s;
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	return 0;
}

/* Swap a new table into the live version; the old one is freed once no worker or
 * telemetry reader can hold it. */
static void sched_publish(void)
{
	struct uplink_sched *s = sched_build(ctl.fib, fib_sched(ctl.fib));

	if (s == NULL)
		return; /* out of memory: the old table stays, and the next change retries */
	/* Its control-side readers (uplink_ctl_snapshot() and the like) hold ctl.lock, which the
	 * tick holds around this call: no other lock to take. */
	rte_free(RCU_SWAP(&ctl.fib->sched, s, worker_rcu, NULL));
}

int uplink_ctl_start(struct rte_mempool *pool, char *err, size_t errlen)
{
	if (probe_nonce_seed(&ctl.nonces) < 0) {
		snprintf(err, errlen, "cannot seed the probes' nonces: getrandom: %s",
			strerror(errno));
		return -1;
	}
	ctl.pool = pool;
	probe_ring = rte_ring_create(
		"mpgw_probes", PROBE_RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (probe_ring == NULL) {
		snprintf(err, errlen, "cannot create the probe ring: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void uplink_ctl_stop(void)
{
	struct rte_mbuf *m;

	if (probe_ring != NULL) {
		while (rte_ring_dequeue(probe_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(probe_ring);
		probe_ring = NULL;
	}
	pthread_mutex_lock(&ctl.lock);
	free(ctl.paths);
	ctl.paths = NULL;
	ctl.n_paths = 0;
	ctl.fib = NULL;
	pthread_mutex_unlock(&ctl.lock);
}

/* An echo request from the path's local address to its far end, its frame from the path's
 * template. */
static struct rte_mbuf *probe_build(
	uint32_t pi, const struct path_state *st, uint64_t nonce, uint64_t now)
{
	const struct tun_path *t = &ctl.fib->tun.paths[pi];
	const uint16_t icmp_len = 8 + sizeof(struct probe_payload);
	uint16_t l3_len =
		t->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctl.pool);

	if (m == NULL)
		return NULL;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + l3_len + icmp_len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, &t->eth, RTE_ETHER_HDR_LEN);
	uint8_t *ip = p + RTE_ETHER_HDR_LEN, *icmp = ip + l3_len;
	struct probe_payload pl = {
		.magic = PROBE_MAGIC,
		.path = (uint16_t)pi,
		.gen = (uint16_t)ctl.fib->path_gen,
		.seq = st->next_seq,
		.nonce = nonce,
		.tx_tsc = now,
	};
	uint16_t id = PROBE_ICMP_ID, seq = rte_cpu_to_be_16((uint16_t)st->next_seq), ck = 0;
	icmp[0] = t->family == 4 ? 8 : 128;
	icmp[1] = 0;
	memcpy(icmp + 2, &ck, 2);
	memcpy(icmp + 4, &id, 2);
	memcpy(icmp + 6, &seq, 2);
	memcpy(icmp + 8, &pl, sizeof(pl));
	if (t->family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		*h = t->outer.ip4;
		h->type_of_service = 0;
		h->time_to_live = 64;
		h->next_proto_id = IPPROTO_ICMP;
		h->total_length = rte_cpu_to_be_16(l3_len + icmp_len);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		ck = (uint16_t)~rte_raw_cksum(icmp, icmp_len);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		*h = t->outer.ip6;
		h->vtc_flow = RTE_BE32(6u << 28);
		h->hop_limits = 64;
		h->proto = IPPROTO_ICMPV6;
		h->payload_len = rte_cpu_to_be_16(icmp_len);
		ck = rte_ipv6_udptcp_cksum(h, icmp);
	}
	memcpy(icmp + 2, &ck, 2);
	m->port = t->port_id;
	return m;
}

/* Record the outcome of one probe. */
static bool probe_outcome(struct path_state *st, bool answered, uint64_t now)
{
	st->history = st->history << 1 | (answered ? 0 : 1);
	if (st->n_history < 64)
		st->n_history++;
	if (answered)
		st->answered++;
	else
		st->lost++;
	if (!uplink_health_probe(&st->health, &ctl.hp, answered))
		return false;
	st->state_changes++;
	st->changed_tsc = now;
	return true;
}

static void probe_send(uint32_t pi, struct path_state *st, uint64_t now)
{
	uint64_t nonce = probe_nonce_next(&ctl.nonces);
	struct rte_mbuf *m = probe_build(pi, st, nonce, now);
	struct probe_slot *slot = &st->slots[st->next_seq % PROBE_SLOTS];
	const struct port *p = &ports[st->port];
	bool sent = false;

	if (slot->open) /* never answered, still waiting: it is lost */
		probe_outcome(st, false, now);
	if (m != NULL) {
		if (p->ctl_txq != PORT_NO_QUEUE)
			sent = rte_eth_tx_burst(st->port_id, p->ctl_txq, &m, 1) == 1;
		else if (n_workers != 0 && workers[0].inject != NULL)
			/* No queue of our own: worker 0 sends it (node_inject.c). */
			sent = rte_ring_sp_enqueue(workers[0].inject, m) == 0;
		if (!sent)
			rte_pktmbuf_free(m);
	}
	/* Unsent (no mbuf, queue full) counts as lost when it times out, as it should. */
	*slot = (struct probe_slot){
		.seq = st->next_seq, .nonce = nonce, .open = true, .tx_tsc = now};
	st->next_seq++;
	st->sent++;
}

static bool probe_answer(struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	const uint8_t *icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off);
	struct probe_payload pl;

	memcpy(&pl, icmp + 8, sizeof(pl));
	if (ctl.fib == NULL || pl.gen != (uint16_t)ctl.fib->path_gen || pl.path >= ctl.n_paths)
		return false; /* a probe of an earlier version of the paths */
	struct path_state *st = &ctl.paths[pl.path];
	/* Only the nonce of the probe of its sequence number proves that the probed far end
	 * saw it (uplink_nonce.h): another one is someone guessing. */
	enum probe_verdict v = probe_slot_check(st->slots, pl.seq, pl.nonce);
	if (v == PROBE_FORGED) {
		st->forged++;
		return false;
	}
	/* And only the probed far end, by the probed port, answers for a path. */
	bool v4 = meta->l3 == PKT_L3_IP4;
	const void *src = ip + (v4 ? offsetof(struct rte_ipv4_hdr, src_addr)
				   : offsetof(struct rte_ipv6_hdr, src_addr));
	if (m->port != st->port_id || st->remote.family != (v4 ? 4 : 6) ||
		memcmp(src, v4 ? (const void *)&st->remote.v4 : st->remote.v6, v4 ? 4 : 16) != 0)
		return false;
	if (v == PROBE_STALE) {
		st->late++;
		return false;
	}
	const struct probe_slot *slot = &st->slots[pl.seq % PROBE_SLOTS];
	double rtt = pl.rx_tsc > slot->tx_tsc ? tsc_ms(pl.rx_tsc - slot->tx_tsc) : 0;
	probe_slot_close(st->slots, pl.seq);
	st->last_rtt = rtt;
	if (!st->have_rtt) {
		st->srtt = rtt;
		st->rttvar = rtt / 2;
		st->have_rtt = true;
	} else {
		st->rttvar = 0.75 * st->rttvar + 0.25 * fabs(st->srtt - rtt);
		st->srtt = 0.875 * st->srtt + 0.125 * rtt;
	}
	if (v == PROBE_LATE) {
		/* Counted lost already: late, not answered, but its RTT counts, or a link whose
		 * delay rose above the timeout would lose every probe, and stay down, for ever. */
		st->late++;
		return false;
	}
	return probe_outcome(st, true, rte_rdtsc());
}

static double probe_timeout_ms(const struct path_state *st)
{
	if (!st->have_rtt)
		return PROBE_TIMEOUT_INIT;
	return RTE_MAX(PROBE_TIMEOUT_MIN, st->srtt + 4 * st->rttvar + PROBE_TIMEOUT_SLACK);
}

void uplink_ctl_tick(void)
{
	bool dirty = false;
	uint64_t now = rte_rdtsc();
	int link[MPGW_MAX_PORTS];

	if (ctl.fib == NULL)
		return;
	pthread_mutex_lock(&ctl.lock);
	/* Answers first: one that arrived is not a loss, however late this tick runs. */
	if (probe_ring != NULL) {
		struct rte_mbuf *ms[64];
		unsigned int n;
		while ((n = rte_ring_sc_dequeue_burst(probe_ring, (void **)ms, 64, NULL)) != 0)
			for (unsigned int i = 0; i < n; i++) {
				dirty |= probe_answer(ms[i]);
				rte_pktmbuf_free(ms[i]);
			}
	}
	for (unsigned int i = 0; i < MPGW_MAX_PORTS; i++)
		link[i] = -1;
	for (uint32_t pi = 0; pi < ctl.n_paths; pi++) {
		struct path_state *st = &ctl.paths[pi];
		if (link[st->port] < 0) {
			struct rte_eth_link l = {0};
			link[st->port] = rte_eth_link_get_nowait(st->port_id, &l) == 0 &&
					 l.link_status == RTE_ETH_LINK_UP;
		}
		if (st->link_up != (link[st->port] == 1)) {
			st->link_up = link[st->port] == 1;
			st->state_changes++;
			st->changed_tsc = now;
			dirty = true;
		}
		if (!st->probing)
			continue;
		double timeout = probe_timeout_ms(st);
		for (unsigned int k = 0; k < PROBE_SLOTS; k++) {
			struct probe_slot *slot = &st->slots[k];
			if (slot->open && tsc_ms(now - slot->tx_tsc) > timeout) {
				slot->open = false;
				slot->lost = true;
				dirty |= probe_outcome(st, false, now);
			}
		}
		if (ctl.pool != NULL && now >= st->next_tx_tsc) {
			probe_send(pi, st, now);
			st->next_tx_tsc = st->next_tx_tsc + ctl.interval_tsc > now
						  ? st->next_tx_tsc + ctl.interval_tsc
						  : now + ctl.interval_tsc;
		}
	}
	/* The DSCP rules' path follows the RTTs without a state change. */
	const struct uplink_sched *cur = fib_sched(ctl.fib);
	for (uint32_t gi = 0; !dirty && cur != NULL && gi < cur->n_groups; gi++)
		if (gi < RTE_DIM(ctl.fast) && fast_path(&ctl.fib->tun.groups[gi], cur->usable,
						      ctl.fast[gi]) != cur->groups[gi].fast)
			dirty = true;
	if (dirty)
		sched_publish();
	pthread_mutex_unlock(&ctl.lock);
}

unsigned int uplink_ctl_usable_paths(void)
{
	unsigned int n = 0;

	pthread_mutex_lock(&ctl.lock);
	const struct uplink_sched *s = ctl.fib != NULL ? fib_sched(ctl.fib) : NULL;
	for (unsigned int i = 0; s != NULL && i < s->n_paths; i++)
		n += s->usable[i];
	pthread_mutex_unlock(&ctl.lock);
	return n;
}

void uplink_ctl_ports_usable(bool usable[MPGW_MAX_PORTS])
{
	memset(usable, 0, MPGW_MAX_PORTS * sizeof(usable[0]));
	pthread_mutex_lock(&ctl.lock);
	const struct uplink_sched *s = ctl.fib != NULL ? fib_sched(ctl.fib) : NULL;
	for (unsigned int i = 0; s != NULL && i < s->n_paths && i < ctl.n_paths; i++)
		if (ctl.paths[i].port < MPGW_MAX_PORTS)
			usable[ctl.paths[i].port] |= s->usable[i];
	pthread_mutex_unlock(&ctl.lock);
}

unsigned int uplink_ctl_path_states(struct uplink_path_state *out, unsigned int max)
{
	pthread_mutex_lock(&ctl.lock);
	const struct uplink_sched *s = ctl.fib != NULL ? fib_sched(ctl.fib) : NULL;
	unsigned int n = ctl.fib != NULL ? ctl.n_paths : 0;
	for (unsigned int i = 0; i < n && i < max; i++) {
		const struct path_state *st = &ctl.paths[i];
		out[i] = (struct uplink_path_state){
			.port = st->port,
			.remote = st->remote,
			.mode = st->mode,
			.usable = s != NULL && i < s->n_paths && s->usable[i],
		};
	}
	pthread_mutex_unlock(&ctl.lock);
	return n;
}

unsigned int uplink_ctl_snapshot(struct uplink_info *out, unsigned int max, uint32_t *sched_gen)
{
	uint64_t now = rte_rdtsc();

	pthread_mutex_lock(&ctl.lock);
	const struct fib *f = ctl.fib;
	const struct uplink_sched *s = f != NULL ? fib_sched(f) : NULL;
	unsigned int n = ctl.n_paths;
	for (unsigned int i = 0; f != NULL && i < n && i < max; i++) {
		const struct path_state *st = &ctl.paths[i];
		struct uplink_info *u = &out[i];
		struct worker_path_stats ps;
		memset(u, 0, sizeof(*u));
		u->path = i;
		snprintf(u->group, sizeof(u->group), "%s", f->tun.groups[st->group].name);
		snprintf(u->port, sizeof(u->port), "%s", ports[st->port].name);
		/* A vps has one port for all the uplinks of a gateway: they are numbered, as in
		 * /mpgw/tunnels (telemetry names allow no dots or colons). */
		if (f->role == CFG_ROLE_VPS)
			snprintf(u->name, sizeof(u->name), "%s/%u", u->group,
				i - f->tun.groups[st->group].first);
		else
			snprintf(u->name, sizeof(u->name), "%s/%s", u->group, u->port);
		u->local = st->local;
		u->remote = st->remote;
		u->mode = st->mode;
		u->weight = st->weight;
		u->link_up = st->link_up;
		u->probing = st->probing;
		u->alive = path_alive(st);
		u->usable = s != NULL && i < s->n_paths && s->usable[i];
		u->low_latency = s != NULL && s->groups[st->group].fast == i;
		u->rtt_ms = st->have_rtt ? st->srtt : -1;
		u->jitter_ms = st->have_rtt ? st->rttvar : -1;
		u->last_rtt_ms = st->have_rtt ? st->last_rtt : -1;
		uint64_t mask = st->n_history >= 64 ? UINT64_MAX : (1ull << st->n_history) - 1;
		u->loss_pct = st->n_history ? 100.0 * __builtin_popcountll(st->history & mask) /
						      st->n_history
					    : 0;
		u->probes_sent = st->sent;
		u->probes_answered = st->answered;
		u->probes_lost = st->lost;
		u->probes_late = st->late;
		u->probes_forged = st->forged;
		u->state_changes = st->state_changes;
		u->since_change_s = tsc_ms(now - st->changed_tsc) / 1000.0;
		workers_path_stats(i, &ps);
		u->tx_packets = ps.packets;
		u->tx_bytes = ps.bytes;
	}
	if (sched_gen != NULL)
		*sched_gen = s != NULL ? s->gen : 0;
	pthread_mutex_unlock(&ctl.lock);
	return n;
}
