/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's routes, neighbours and addresses on the twins, mirrored into the FIB (see
 * nl_sync.h): the poll and telemetry's getters; the rest in the nl_sync_*.c files
 * (nl_sync_internal.h). */
#include "nl_sync_internal.h"

bool nl_sync_enabled(void)
{
	return nls.on;
}

void nl_sync_get_stats(struct nl_sync_stats *s)
{
	*s = nls.stats;
	s->neighbours = nls.n_neighbours;
	s->routes4 = s->routes6 = 0;
	for (uint32_t i = 0; i < nls.n_routes; i++) {
		if (nls.route_keys[i].family == 4)
			s->routes4++;
		else
			s->routes6++;
	}
}

void nl_sync_poll(const struct mpgw_config *cfg)
{
	if (!nls.conf_copied)
		nls_copy_conf_neighbours(cfg);
	if (!nls.on)
		return;
	if (nls.resync_pending && (int64_t)(rte_rdtsc() - nls.resync_at) >= 0)
		nls_resync(true);
	if (nls.resync_pending)
		return;
	for (unsigned int i = 0; i < NL_SYNC_POLL_MAX && !nls.lost; i++) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(nls.ev, nls.buf, sizeof(nls.buf), &sender, &flags);
		if (n < 0) {
			nls.lost = errno == ENOBUFS; /* else EAGAIN: all read */
			break;
		}
		nl_sync_input(nls.buf, (size_t)n, sender, flags);
	}
	if (nls.lost) {
		nls.lost = false;
		nls_resync(true);
	}
	if (nls.redump && !nls.resync_pending) {
		nls.redump = false;
		nls_resync(false);
	}
	if (nls.addrs_changed && !nls.resync_pending)
		nls_publish_port_addrs(cfg);
	nl_resolve_poll();
	/* Gather for the batch time; and while changes keep coming, leave twice the last
	 * build's time between builds, so that a stream of changes (a whole table arriving)
	 * costs at most a third of this thread's time in builds, whatever its size. Once no
	 * change came for a batch time the stream is over: its last build waits for no gap
	 * (a second at a million routes). Signed: a retry's start is in the future. */
	static uint64_t events_seen, last_event;
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz(), batch = hz / 1000 * NL_SYNC_BATCH_MS;
	uint64_t gap = 2 * nls.build_tsc;
	if (nls.stats.events != events_seen) {
		events_seen = nls.stats.events;
		last_event = now;
	}
	if (now - last_event >= batch)
		gap = 0;
	if (nls.dirty && (int64_t)(now - nls.dirty_since) >= (int64_t)batch &&
		now - nls.last_build_end >= gap) {
		nls_rebuild(cfg);
		nls.last_build_end = rte_rdtsc();
	}
}

void nl_sync_invalidate(void)
{
	nls.conf_copied = false;
	if (nls.on)
		nls_mark_dirty();
}

uint32_t nl_sync_neighbours(struct nl_neighbour *out, uint32_t max)
{
	uint32_t n = 0;

	pthread_mutex_lock(&nls.lock);
	for (uint32_t i = 0; i < nls.n_conf_neighbours; i++, n++)
		if (n < max)
			out[n] = (struct nl_neighbour){.addr = nls.conf_neighbours[i].addr,
				.mac = nls.conf_neighbours[i].mac,
				.port = nls.conf_neighbours[i].port};
	for (uint32_t i = 0; i < nls.n_neighbours; i++) {
		const struct cfg_neighbour *k = &nls.neighbours[i];
		if (nls_configured(nls.conf_neighbours, nls.n_conf_neighbours, k))
			continue;
		if (n < max)
			out[n] = (struct nl_neighbour){
				.addr = k->addr, .mac = k->mac, .port = k->port, .kernel = true};
		n++;
	}
	pthread_mutex_unlock(&nls.lock);
	return n;
}
