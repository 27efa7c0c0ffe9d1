/* SPDX-License-Identifier: BSD-3-Clause */
/* Questions asked of a loaded configuration by name or address: the loader's parsers and
 * the rest of mpgw ask them alike. */
#include <string.h>

#include "config.h"
#include "config_loader.h"

int config_port_index(const struct mpgw_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return i;
	return -1;
}

int cfg_port_of_subnet(const struct mpgw_config *cfg, const struct ipaddr *a)
{
	int best = -1, best_len = -1;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++) {
			const struct ipprefix *p = &cfg->ports[i].addrs[j];
			if (ipprefix_contains(p, a) && p->len > best_len) {
				best = i;
				best_len = p->len;
			}
		}
	return best;
}
