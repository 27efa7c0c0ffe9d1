/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [relay]: the kernel's MPTCP proxy that bonds LAN TCP over every uplink (shadowsocks-libev
 * with --mptcp, doc/operations.md "The relay"). mpgw itself uses the ports (whether a proxy
 * listens) and the fallback; scripts/relay-kernel.sh reads the rest (the VPS's port, the
 * secret's file, the cipher) from the same file, so the operator writes them once. The
 * checks that tie it to the role and the policy are in config_gateway.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_gateway.h"
#include "config_loader.h"

#define RELAY_DEFAULT_SERVER_PORT 65101
#define RELAY_DEFAULT_METHOD	  "chacha20-ietf-poly1305"

static int parse_port(struct loader *L, const char *k, const char *v, uint16_t *out)
{
	unsigned int n;

	if (cfg_parse_uint(L, "relay", k, 0, v, 1, 65535, &n) < 0)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

static int parse_text(struct loader *L, const char *k, const char *v, char *out, size_t len)
{
	if (v[0] == '\0' || strlen(v) >= len)
		return fail(L, "relay", k, 0, "expected 1 to %zu characters", len - 1);
	snprintf(out, len, "%s", v);
	return 0;
}

int config_load_relay(struct loader *L, struct mpgw_config *cfg)
{
	const char *sec = "relay";
	int n = rte_cfgfile_section_num_entries(L->cf, sec), rc = 0;
	struct rte_cfgfile_entry *e = calloc(n > 0 ? n : 1, sizeof(*e));
	struct cfg_relay *r = &cfg->relay;

	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	r->server_port = RELAY_DEFAULT_SERVER_PORT;
	r->fallback = CFG_ACT_TUNNEL;
	snprintf(r->method, sizeof(r->method), "%s", RELAY_DEFAULT_METHOD);
	rc = cfg_check_repeats(L, sec, e, n, NULL);
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = e[i].name, *v = e[i].value;
		if (strcmp(k, "port") == 0)
			rc = parse_port(L, k, v, &r->port);
		else if (strcmp(k, "server_port") == 0)
			rc = parse_port(L, k, v, &r->server_port);
		else if (strcmp(k, "fallback") == 0) {
			if (strcmp(v, "tunnel") == 0)
				r->fallback = CFG_ACT_TUNNEL;
			else if (strcmp(v, "drop") == 0)
				r->fallback = CFG_ACT_DROP;
			else
				rc = fail(L, sec, k, 0, "'%s' is not tunnel or drop", v);
		} else if (strcmp(k, "secret_file") == 0)
			rc = parse_text(L, k, v, r->secret_file, sizeof(r->secret_file));
		else if (strcmp(k, "method") == 0)
			rc = parse_text(L, k, v, r->method, sizeof(r->method));
		else
			rc = fail(L, sec, k, 0, "unknown key");
	}
	free(e);
	if (rc == 0 && r->port == 0)
		rc = fail(L, sec, NULL, 0, "needs port (the proxy's listening port)");
	return rc;
}

int config_check_relay(struct loader *L, struct mpgw_config *cfg)
{
	static const char *const gateway_only[] = {"server_port", "fallback"};

	if (cfg->relay.port == 0)
		return 0;
	if (!cfg->twins)
		return fail(L, "relay", "port", 0,
			"the relay needs the kernel twins ([mpgw] twins = yes): its proxy runs "
			"in the kernel");
	for (unsigned int i = 0; cfg->role == CFG_ROLE_VPS && i < RTE_DIM(gateway_only); i++)
		if (cfg_line_of(L, "relay", gateway_only[i], 0) != 0)
			return fail(L, "relay", gateway_only[i], 0, "only in the gateway role");
	return 0;
}
