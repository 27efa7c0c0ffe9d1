/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uplink scheduling and flow table sections: [uplinks] (health probes, flowlet gap,
 * DSCP rules), [flows] (size and idle timeouts of each worker's flow table), and the
 * per-uplink keys of [port] (multipath, weight). Documented in doc/config.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_gateway.h"
#include "config_loader.h"

void config_uplinks_defaults(struct mpgw_config *cfg)
{
	cfg->probe_interval_ms = 50;
	cfg->probe_down_after = 3;
	cfg->probe_up_after = 5;
	cfg->flowlet_gap_ms = 0;
	cfg->low_latency_dscp = 0;
	cfg->flows = 1u << 20;
	cfg->flow_timeout_s[CFG_FLOW_TCP] = 300;
	cfg->flow_timeout_s[CFG_FLOW_TCP_CLOSED] = 10;
	cfg->flow_timeout_s[CFG_FLOW_UDP] = 60;
	cfg->flow_timeout_s[CFG_FLOW_OTHER] = 30;
}

int config_parse_multipath(
	struct loader *L, const char *sec, const char *key, const char *v, uint8_t *out)
{
	static const char *const names[] = {
		[CFG_MP_OFF] = "off",
		[CFG_MP_ON] = "on",
		[CFG_MP_MASTER] = "master",
		[CFG_MP_BACKUP] = "backup",
	};

	for (unsigned int i = 0; i < RTE_DIM(names); i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	return fail(L, sec, key, 0, "'%s' is not on, master, backup or off", v);
}

/* A DSCP by number (0-63) or name (EF, VA, LE, CS0-CS7, AF11-AF43); -1 if neither. */
static int parse_dscp(const char *w)
{
	char up[8];
	size_t n = strlen(w);

	if (n == 0 || n >= sizeof(up))
		return -1;
	if (isdigit((unsigned char)w[0])) {
		char *end;
		long v = strtol(w, &end, 10);
		return *end == '\0' && v >= 0 && v <= 63 ? (int)v : -1;
	}
	memset(up, 0, sizeof(up)); /* n < sizeof(up): a NUL stays after the name */
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)w[i]);
	if (strcmp(up, "EF") == 0)
		return 46;
	if (strcmp(up, "VA") == 0)
		return 44;
	if (strcmp(up, "LE") == 0)
		return 1;
	if (n == 3 && strncmp(up, "CS", 2) == 0 && up[2] >= '0' && up[2] <= '7')
		return 8 * (up[2] - '0');
	if (n == 4 && strncmp(up, "AF", 2) == 0 && up[2] >= '1' && up[2] <= '4' && up[3] >= '1' &&
		up[3] <= '3')
		return 8 * (up[2] - '0') + 2 * (up[3] - '0');
	return -1;
}

static int parse_dscp_list(
	struct loader *L, const char *sec, const char *key, const char *value, uint64_t *out)
{
	char buf[CFG_VALUE_LEN], *w[65];
	int n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = cfg_split_words(buf, w, 64);
	if (n > 64)
		return fail(L, sec, key, 0, "more than 64 DSCP values");
	*out = 0;
	for (int i = 0; i < n; i++) {
		int d = parse_dscp(w[i]);
		if (d < 0)
			return fail(L, sec, key, 0,
				"'%s' is not a DSCP (0-63, EF, VA, LE, CS0-CS7 or AF11-AF43)",
				w[i]);
		*out |= 1ull << d;
	}
	return 0;
}

/* The entries of section sec, each passed to one(); stops at the first error. */
static int load_section(struct loader *L, struct mpgw_config *cfg, const char *sec,
	int (*one)(struct loader *, struct mpgw_config *, const char *, const char *, const char *))
{
	int n = rte_cfgfile_section_num_entries(L->cf, sec), rc;
	struct rte_cfgfile_entry *e = calloc(n > 0 ? n : 1, sizeof(*e));

	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	rc = cfg_check_repeats(L, sec, e, n, NULL);
	for (int i = 0; i < n && rc == 0; i++)
		rc = one(L, cfg, sec, e[i].name, e[i].value);
	free(e);
	return rc;
}

static int uplinks_key(
	struct loader *L, struct mpgw_config *cfg, const char *sec, const char *k, const char *v)
{
	if (strcmp(k, "probe_interval_ms") == 0)
		return cfg_parse_uint(L, sec, k, 0, v, 0, 10000, &cfg->probe_interval_ms);
	if (strcmp(k, "probe_down_after") == 0)
		return cfg_parse_uint(L, sec, k, 0, v, 1, 100, &cfg->probe_down_after);
	if (strcmp(k, "probe_up_after") == 0)
		return cfg_parse_uint(L, sec, k, 0, v, 1, 100, &cfg->probe_up_after);
	if (strcmp(k, "flowlet_gap_ms") == 0)
		return cfg_parse_uint(L, sec, k, 0, v, 0, 60000, &cfg->flowlet_gap_ms);
	if (strcmp(k, "low_latency_dscp") == 0)
		return parse_dscp_list(L, sec, k, v, &cfg->low_latency_dscp);
	return fail(L, sec, k, 0, "unknown key");
}

int config_load_uplinks(struct loader *L, struct mpgw_config *cfg)
{
	return load_section(L, cfg, "uplinks", uplinks_key);
}

static int flows_key(
	struct loader *L, struct mpgw_config *cfg, const char *sec, const char *k, const char *v)
{
	static const char *const timeouts[CFG_FLOW_TIMEOUTS] = {
		[CFG_FLOW_TCP] = "tcp_timeout_s",
		[CFG_FLOW_TCP_CLOSED] = "tcp_closed_timeout_s",
		[CFG_FLOW_UDP] = "udp_timeout_s",
		[CFG_FLOW_OTHER] = "other_timeout_s",
	};

	if (strcmp(k, "size") == 0)
		return cfg_parse_uint(L, sec, k, 0, v, 1024, 1u << 24, &cfg->flows);
	for (unsigned int i = 0; i < CFG_FLOW_TIMEOUTS; i++)
		if (strcmp(k, timeouts[i]) == 0)
			/* The table's clock is 32-bit milliseconds: a day is far inside it. */
			return cfg_parse_uint(L, sec, k, 0, v, 1, 86400, &cfg->flow_timeout_s[i]);
	return fail(L, sec, k, 0, "unknown key");
}

int config_load_flows(struct loader *L, struct mpgw_config *cfg)
{
	return load_section(L, cfg, "flows", flows_key);
}
