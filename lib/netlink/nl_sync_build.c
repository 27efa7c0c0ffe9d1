/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running configuration merged with what the kernel mirrored (routes, neighbours,
 * addresses), and a FIB version built from it and published.
 */
#include "nl_sync_internal.h"

/* Is there a neighbour of n's address on n's port among conf (the configured ones)? */
bool nls_configured(
	const struct cfg_neighbour *conf, uint32_t n_conf, const struct cfg_neighbour *n)
{
	for (uint32_t i = 0; i < n_conf; i++)
		if (conf[i].port == n->port && ipaddr_equal(&conf[i].addr, &n->addr))
			return true;
	return false;
}

static bool has_address(const struct ipprefix *addrs, unsigned int n, const struct ipaddr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (ipaddr_equal(&addrs[i].addr, a))
			return true;
	return false;
}

/* Port `port`'s addresses into out (room for 2 * MPGW_MAX_PORT_ADDRS): the configured
 * ones, then the kernel's it does not have, at most MPGW_MAX_PORT_ADDRS of a family
 * beyond the configured ones; those left out are added to *unused. Returns how many. */
static unsigned int port_addrs_merged(
	const struct cfg_port *cp, int port, struct ipprefix *out, uint64_t *unused)
{
	unsigned int n = cp->n_addrs, of_family[2] = {0, 0};

	memcpy(out, cp->addrs, n * sizeof(*out));
	for (unsigned int i = 0; i < n; i++)
		of_family[out[i].addr.family == 6]++;
	for (uint32_t k = 0; k < nls.n_addrs; k++) {
		const struct ipprefix *a = &nls.addrs[k].prefix;
		bool v6 = a->addr.family == 6;
		if (nls.addrs[k].port != port || has_address(out, n, &a->addr))
			continue;
		if (n == 2 * MPGW_MAX_PORT_ADDRS || of_family[v6] >= MPGW_MAX_PORT_ADDRS) {
			(*unused)++;
			continue;
		}
		out[n++] = *a;
		of_family[v6]++;
	}
	return n;
}

/* The ports' addresses as the data path checks them (echo requests answered, the leak
 * guard, ICMP errors' source): the configuration's plus the mirror's, as in
 * merged_config(). Made as soon as the mirror's change, before the FIB version with
 * their local and connected routes. */
void nls_publish_port_addrs(const struct mpgw_config *cfg)
{
	struct ipprefix addrs[2 * MPGW_MAX_PORT_ADDRS];
	uint64_t unused = 0;

	nls.addrs_changed = false;
	for (unsigned int i = 0; i < n_ports && i < cfg->n_ports; i++) {
		unsigned int n = port_addrs_merged(&cfg->ports[i], (int)i, addrs, &unused);
		port_set_addrs(i, addrs, n, worker_rcu);
	}
	nls.stats.addrs_unused = unused;
}

/* The configuration plus the mirror, as one configuration for fib_build(): the kernel's
 * routes first, so that a configured route of the same prefix (added after) wins; the
 * kernel's neighbours after the configured ones, leaving out addresses configured; each
 * port's addresses as port_addrs_merged() makes them. */
static struct mpgw_config *merged_config(const struct mpgw_config *cfg)
{
	struct mpgw_config *m = malloc(sizeof(*m));
	if (m == NULL)
		return NULL;
	*m = *cfg;
	m->ecmp = nls.ecmp;
	m->n_ecmp = nls.n_ecmp;
	m->routes = malloc((nls.n_routes + cfg->n_routes + 1) * sizeof(*m->routes));
	m->neighbours = malloc((nls.n_neighbours + cfg->n_neighbours + 1) * sizeof(*m->neighbours));
	if (m->routes == NULL || m->neighbours == NULL) {
		free(m->routes);
		free(m->neighbours);
		free(m);
		return NULL;
	}
	/* (a configuration without routes or neighbours has NULL for them: not for memcpy) */
	memcpy(m->routes, nls.routes, nls.n_routes * sizeof(*m->routes));
	if (cfg->n_routes != 0)
		memcpy(m->routes + nls.n_routes, cfg->routes, cfg->n_routes * sizeof(*m->routes));
	m->n_routes = nls.n_routes + cfg->n_routes;
	if (cfg->n_neighbours != 0)
		memcpy(m->neighbours, cfg->neighbours, cfg->n_neighbours * sizeof(*m->neighbours));
	m->n_neighbours = cfg->n_neighbours;
	for (uint32_t i = 0; i < nls.n_neighbours; i++)
		if (!nls_configured(cfg->neighbours, cfg->n_neighbours, &nls.neighbours[i]))
			m->neighbours[m->n_neighbours++] = nls.neighbours[i];
	uint64_t unused = 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		m->ports[i].n_addrs =
			port_addrs_merged(&cfg->ports[i], (int)i, m->ports[i].addrs, &unused);
	return m;
}

struct mpgw_config *nl_sync_merged(const struct mpgw_config *cfg)
{
	return nls.on ? merged_config(cfg) : NULL;
}

void nl_sync_merged_free(struct mpgw_config *m)
{
	if (m == NULL)
		return;
	free(m->routes);
	free(m->neighbours);
	free(m);
}

void nls_rebuild(const struct mpgw_config *cfg)
{
	uint64_t t0 = rte_rdtsc(), since = nls.dirty_since;
	struct mpgw_config *m = merged_config(cfg);
	char err[512];
	struct fib *f = NULL;
	enum commit_fault fault;

	nls.dirty = false;
	if (m != NULL) {
		nl_resolve_collect(m);
		f = commit_build(m, &fault, err, sizeof(err));
	} else
		snprintf(err, sizeof(err), "out of memory");
	if (f == NULL) {
		/* Try again later (memory freed meanwhile, a route fixed): the running version
		 * stays. */
		nls.stats.build_errors++;
		printf("mpgw: the kernel's routes and neighbours not applied yet: %s\n", err);
		fflush(stdout);
		nls.dirty = true;
		nls.dirty_since = rte_rdtsc() + rte_get_tsc_hz() / 1000 * NL_SYNC_RETRY_MS;
	} else {
		uint64_t t1 = rte_rdtsc();
		nls.build_tsc = t1 - t0; /* the build alone, for the pacing */
		/* the data path has the new version from the exchange, at fib_publish's start */
		nls.stats.last_sync_ms =
			(double)(int64_t)(t1 - since) * 1000.0 / (double)rte_get_tsc_hz();
		fib_publish(f, worker_rcu);
		nls.stats.builds++;
	}
	if (m != NULL) {
		free(m->routes);
		free(m->neighbours);
		free(m);
	}
	nls.stats.last_build_ms = (double)(rte_rdtsc() - t0) * 1000.0 / (double)rte_get_tsc_hz();
}

/* Keep a copy of cfg's neighbours for nl_sync_neighbours(): cfg may be freed (a reload)
 * while telemetry reads. */
void nls_copy_conf_neighbours(const struct mpgw_config *cfg)
{
	struct cfg_neighbour *copy = malloc((cfg->n_neighbours + 1) * sizeof(*copy));

	if (copy == NULL)
		return; /* the old copy stays; again at the next poll */
	/* (cfg->neighbours may be NULL when there are none: not for memcpy) */
	if (cfg->n_neighbours != 0)
		memcpy(copy, cfg->neighbours, cfg->n_neighbours * sizeof(*copy));
	pthread_mutex_lock(&nls.lock);
	free(nls.conf_neighbours);
	nls.conf_neighbours = copy;
	nls.n_conf_neighbours = cfg->n_neighbours;
	nls.conf_copied = true;
	pthread_mutex_unlock(&nls.lock);
}
