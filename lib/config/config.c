/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "config.h"
#include "config_gateway.h"
#include "config_loader.h"

static int scan_lines(struct loader *L)
{
	FILE *f = fopen(L->path, "r");
	/* rte_cfgfile reads lines into a buffer of this size: longer ones it cannot parse. */
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 4], section[CFG_NAME_LEN] = "";
	int line = 0;

	if (f == NULL) {
		snprintf(L->err, L->errlen, "%s: %s", L->path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			fclose(f);
			return cfg_fail_at(
				L, line, NULL, NULL, "line longer than %zu bytes", sizeof(buf) - 2);
		}
		char *hash = strchr(buf, COMMENT_CHAR);
		if (hash != NULL)
			*hash = '\0';
		char *s = cfg_strip(buf);
		if (*s == '\0')
			continue;
		struct line_rec rec = {.line = line};
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end == NULL || *cfg_strip(end + 1) != '\0') {
				fclose(f);
				return cfg_fail_at(L, line, NULL, NULL, "malformed section header");
			}
			*end = '\0';
			char *name = cfg_strip(s + 1);
			if (*name == '\0' || strlen(name) >= CFG_NAME_LEN) {
				fclose(f);
				return cfg_fail_at(L, line, NULL, NULL, "bad section name");
			}
			snprintf(section, sizeof(section), "%s", name);
			if (cfg_line_of(L, section, NULL, 0) != 0) {
				fclose(f);
				return cfg_fail_at(L, line, section, NULL,
					"section repeated (first at line %d)",
					cfg_line_of(L, section, NULL, 0));
			}
		} else {
			char *eq = strchr(s, '=');
			if (section[0] == '\0') {
				fclose(f);
				return cfg_fail_at(
					L, line, NULL, NULL, "entry outside any section");
			}
			if (eq == NULL) {
				fclose(f);
				return cfg_fail_at(L, line, section, NULL, "expected KEY = VALUE");
			}
			*eq = '\0';
			char *key = cfg_strip(s);
			if (*key == '\0' || strlen(key) >= CFG_NAME_LEN) {
				fclose(f);
				return cfg_fail_at(L, line, section, NULL, "bad key name");
			}
			if (strlen(cfg_strip(eq + 1)) >= CFG_VALUE_LEN) {
				fclose(f);
				return cfg_fail_at(L, line, section, key,
					"value longer than %d bytes", CFG_VALUE_LEN - 1);
			}
			snprintf(rec.key, sizeof(rec.key), "%s", key);
		}
		snprintf(rec.section, sizeof(rec.section), "%s", section);
		struct line_rec *n = realloc(L->recs, (L->n_recs + 1) * sizeof(*n));
		if (n == NULL) {
			fclose(f);
			snprintf(L->err, L->errlen, "%s: out of memory", L->path);
			return -1;
		}
		L->recs = n;
		L->recs[L->n_recs++] = rec;
	}
	fclose(f);
	return 0;
}

static int load_global(struct loader *L, struct mpgw_config *cfg)
{
	const char *sec = "mpgw";
	int n = rte_cfgfile_section_num_entries(L->cf, sec);
	struct rte_cfgfile_entry *e = calloc(n > 0 ? n : 1, sizeof(*e));

	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	if (cfg_check_repeats(L, sec, e, n, NULL) < 0) {
		free(e);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int rc;
		if (strcmp(e[i].name, "idle_sleep_us") == 0)
			rc = cfg_parse_uint(
				L, sec, e[i].name, 0, e[i].value, 0, 1000000, &cfg->idle_sleep_us);
		else if (strcmp(e[i].name, "burst") == 0)
			rc = cfg_parse_uint(L, sec, e[i].name, 0, e[i].value, 1, 256, &cfg->burst);
		else if (strcmp(e[i].name, "role") == 0) {
			rc = 0;
			if (strcmp(e[i].value, "gateway") == 0)
				cfg->role = CFG_ROLE_GATEWAY;
			else if (strcmp(e[i].value, "vps") == 0)
				cfg->role = CFG_ROLE_VPS;
			else
				rc = fail(L, sec, e[i].name, 0, "'%s' is not gateway or vps",
					e[i].value);
		} else if (strcmp(e[i].name, "icmp_rate") == 0)
			rc = cfg_parse_uint(
				L, sec, e[i].name, 0, e[i].value, 0, 1000000, &cfg->icmp_rate);
		else if (strcmp(e[i].name, "icmp_burst") == 0)
			rc = cfg_parse_uint(
				L, sec, e[i].name, 0, e[i].value, 1, 100000, &cfg->icmp_burst);
		else if (strcmp(e[i].name, "mbufs") == 0)
			rc = cfg_parse_uint(
				L, sec, e[i].name, 0, e[i].value, 0, 16u << 20, &cfg->mbufs);
		else if (strcmp(e[i].name, "netlink_rcvbuf") == 0)
			rc = cfg_parse_uint(L, sec, e[i].name, 0, e[i].value, 0, 1u << 30,
				&cfg->netlink_rcvbuf);
		else if (strcmp(e[i].name, "twins") == 0)
			rc = cfg_parse_yes_no(L, sec, e[i].name, e[i].value, &cfg->twins);
		else if (strcmp(e[i].name, "mptcp_follow_uplinks") == 0)
			rc = cfg_parse_yes_no(
				L, sec, e[i].name, e[i].value, &cfg->mptcp_follow_uplinks);
		else
			rc = fail(L, sec, e[i].name, 0, "unknown key");
		if (rc < 0) {
			free(e);
			return -1;
		}
	}
	free(e);
	if (cfg->mbufs != 0 && cfg->mbufs < 2048)
		return fail(L, sec, "mbufs", 0, "%u is below 2048 (0 sizes the pool itself)",
			cfg->mbufs);
	return 0;
}

static bool valid_port_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= MPGW_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

static int load_port(struct loader *L, struct mpgw_config *cfg, const char *sec, const char *name)
{
	struct cfg_port *p = &cfg->ports[cfg->n_ports];
	int n = rte_cfgfile_section_num_entries(L->cf, sec), n_addr = 0, rc = 0;
	struct rte_cfgfile_entry *e;

	if (!valid_port_name(name))
		return fail(L, sec, NULL, 0,
			"port name must be 1-%d letters, digits or '_' (it names counters)",
			MPGW_NAME_LEN - 1);
	if (config_port_index(cfg, name) >= 0)
		return fail(L, sec, NULL, 0, "port name used twice");
	if (cfg->n_ports == MPGW_MAX_PORTS)
		return fail(L, sec, NULL, 0, "more than %d ports", MPGW_MAX_PORTS);
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->mtu = 1500;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->mss_clamp = CFG_MSS_AUTO;
	p->multipath = CFG_MP_ON;
	p->weight = 1;

	e = calloc(n > 0 ? n : 1, sizeof(*e));
	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	rc = cfg_check_repeats(L, sec, e, n, "address gateway");
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = e[i].name, *v = e[i].value;
		unsigned int u;
		if (strcmp(k, "device") == 0) {
			p->device_line = cfg_line_of(L, sec, k, 0);
			if (v[0] == '\0' || strlen(v) >= sizeof(p->device))
				rc = fail(L, sec, k, 0, "bad device name");
			snprintf(p->device, sizeof(p->device), "%s", v);
		} else if (strcmp(k, "mtu") == 0) {
			p->mtu_line = cfg_line_of(L, sec, k, 0);
			rc = cfg_parse_uint(L, sec, k, 0, v, 68, 9600, &u);
			p->mtu = u;
		} else if (strcmp(k, "rx_desc") == 0) {
			rc = cfg_parse_uint(L, sec, k, 0, v, 64, 16384, &u);
			p->rx_desc = u;
		} else if (strcmp(k, "tx_desc") == 0) {
			rc = cfg_parse_uint(L, sec, k, 0, v, 64, 16384, &u);
			p->tx_desc = u;
		} else if (strcmp(k, "mss_clamp") == 0) {
			if (strcmp(v, "auto") == 0) {
				p->mss_clamp = CFG_MSS_AUTO;
			} else if (strcmp(v, "off") == 0) {
				p->mss_clamp = CFG_MSS_OFF;
			} else if (isdigit((unsigned char)v[0])) {
				rc = cfg_parse_uint(L, sec, k, 0, v, CFG_MSS_MIN, CFG_MSS_MAX, &u);
				p->mss_clamp = (int)u;
			} else {
				rc = fail(L, sec, k, 0, "'%s' is not auto, off or an MSS (%d-%d)",
					v, CFG_MSS_MIN, CFG_MSS_MAX);
			}
		} else if (strcmp(k, "uplink") == 0) {
			rc = cfg_parse_yes_no(L, sec, k, v, &p->uplink);
		} else if (strcmp(k, "multipath") == 0) {
			rc = config_parse_multipath(L, sec, k, v, &p->multipath);
		} else if (strcmp(k, "weight") == 0) {
			rc = cfg_parse_uint(L, sec, k, 0, v, 1, 100, &p->weight);
		} else if (strcmp(k, "gateway") == 0) {
			struct ipaddr a;
			int nth = (int)p->n_gateways;
			if (ipaddr_parse(v, &a) < 0)
				rc = fail(L, sec, k, nth, "'%s' is not an address", v);
			else if (config_addr_of_family(p->gateways, p->n_gateways, a.family))
				rc = fail(L, sec, k, nth, "a second IPv%d gateway", a.family);
			else
				p->gateways[p->n_gateways++] = a;
		} else if (strcmp(k, "mac") == 0) {
			if (mac_parse(v, &p->mac) < 0 || !rte_is_unicast_ether_addr(&p->mac) ||
				rte_is_zero_ether_addr(&p->mac))
				rc = fail(L, sec, k, 0, "'%s' is not a unicast MAC address", v);
			p->has_mac = true;
		} else if (strcmp(k, "address") == 0) {
			struct ipprefix a;
			if (ipprefix_parse(v, &a) < 0)
				rc = fail(L, sec, k, n_addr, "'%s' is not ADDRESS/LEN", v);
			else if (p->n_addrs == RTE_DIM(p->addrs))
				rc = fail(L, sec, k, n_addr, "more than %zu addresses",
					RTE_DIM(p->addrs));
			else
				p->addrs[p->n_addrs++] = a;
			n_addr++;
		} else {
			rc = fail(L, sec, k, 0, "unknown key");
		}
	}
	free(e);
	if (rc == 0 && p->device[0] == '\0')
		rc = fail(L, sec, NULL, 0, "missing key 'device'");
	for (unsigned int i = 0; rc == 0 && i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].device, p->device) == 0)
			rc = fail(L, sec, "device", 0, "device %s is already port %s", p->device,
				cfg->ports[i].name);
	if (rc == 0)
		cfg->n_ports++;
	return rc;
}

static int load_route(struct loader *L, struct mpgw_config *cfg, const char *value, int nth)
{
	const char *sec = "routes", *key = "route";
	struct cfg_route r = {.port = -1};
	char buf[CFG_VALUE_LEN], *w[6];
	int n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = cfg_split_words(buf, w, 5);
	if (n < 2 || n > 5)
		return fail(L, sec, key, nth,
			"expected 'PREFIX via ADDRESS [port NAME]', 'PREFIX port NAME' or "
			"'PREFIX blackhole'");
	if (ipprefix_parse(w[0], &r.prefix) < 0)
		return fail(L, sec, key, nth, "'%s' is not a prefix", w[0]);
	ipprefix_mask(&r.prefix);
	if (strcmp(w[1], "blackhole") == 0 && n == 2) {
		r.type = CFG_ROUTE_BLACKHOLE;
	} else if (strcmp(w[1], "via") == 0 && n >= 3) {
		r.type = CFG_ROUTE_VIA;
		if (ipaddr_parse(w[2], &r.via) < 0)
			return fail(L, sec, key, nth, "'%s' is not an address", w[2]);
		if (r.via.family != r.prefix.addr.family)
			return fail(
				L, sec, key, nth, "gateway %s is not of the prefix's family", w[2]);
		if (n > 3) {
			if (cfg_parse_port_ref(L, cfg, sec, key, nth, w, n, 3, &r.port) < 0)
				return -1;
		} else {
			r.port = cfg_port_of_subnet(cfg, &r.via);
			if (r.port < 0)
				return fail(L, sec, key, nth,
					"gateway %s is on no port's subnet: add 'port NAME'", w[2]);
		}
	} else if (strcmp(w[1], "port") == 0) {
		r.type = CFG_ROUTE_ONLINK;
		if (cfg_parse_port_ref(L, cfg, sec, key, nth, w, n, 1, &r.port) < 0)
			return -1;
	} else {
		return fail(
			L, sec, key, nth, "expected 'via', 'port' or 'blackhole' after %s", w[0]);
	}
	struct cfg_route *nr = realloc(cfg->routes, (cfg->n_routes + 1) * sizeof(*nr));
	if (nr == NULL)
		return fail(L, sec, key, nth, "out of memory");
	cfg->routes = nr;
	cfg->routes[cfg->n_routes++] = r;
	return 0;
}

static int load_neighbour(struct loader *L, struct mpgw_config *cfg, const char *value, int nth)
{
	const char *sec = "neighbours", *key = "neighbour";
	struct cfg_neighbour nb = {.port = -1, .line = cfg_line_of(L, sec, key, nth)};
	char buf[CFG_VALUE_LEN], *w[5];
	int n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = cfg_split_words(buf, w, 4);
	if (n != 2 && n != 4)
		return fail(L, sec, key, nth, "expected 'ADDRESS MAC [port NAME]'");
	if (ipaddr_parse(w[0], &nb.addr) < 0)
		return fail(L, sec, key, nth, "'%s' is not an address", w[0]);
	if (mac_parse(w[1], &nb.mac) < 0 || !rte_is_unicast_ether_addr(&nb.mac))
		return fail(L, sec, key, nth, "'%s' is not a unicast MAC address", w[1]);
	if (n == 4) {
		if (cfg_parse_port_ref(L, cfg, sec, key, nth, w, n, 2, &nb.port) < 0)
			return -1;
	} else {
		nb.port = cfg_port_of_subnet(cfg, &nb.addr);
		if (nb.port < 0)
			return fail(L, sec, key, nth, "%s is on no port's subnet: add 'port NAME'",
				w[0]);
	}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++)
		if (ipaddr_equal(&cfg->neighbours[i].addr, &nb.addr) &&
			cfg->neighbours[i].port == nb.port)
			return fail(L, sec, key, nth, "%s is already a neighbour (line %d)", w[0],
				cfg->neighbours[i].line);
	struct cfg_neighbour *nn = realloc(cfg->neighbours, (cfg->n_neighbours + 1) * sizeof(*nn));
	if (nn == NULL)
		return fail(L, sec, key, nth, "out of memory");
	cfg->neighbours = nn;
	cfg->neighbours[cfg->n_neighbours++] = nb;
	return 0;
}

/* [routes] and [neighbours] hold one repeatable key each. */
static int load_list(struct loader *L, struct mpgw_config *cfg, const char *sec, const char *key,
	int (*load_one)(struct loader *, struct mpgw_config *, const char *, int))
{
	int n = rte_cfgfile_section_num_entries(L->cf, sec), rc = 0, nth = 0;
	struct rte_cfgfile_entry *e = calloc(n > 0 ? n : 1, sizeof(*e));

	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	for (int i = 0; i < n && rc == 0; i++) {
		if (strcmp(e[i].name, key) != 0)
			rc = fail(L, sec, e[i].name, 0, "unknown key (expected '%s')", key);
		else
			rc = load_one(L, cfg, e[i].value, nth++);
	}
	free(e);
	return rc;
}

static int load_all(struct loader *L, struct mpgw_config *cfg)
{
	int n = rte_cfgfile_num_sections(L->cf, NULL, 0);
	char(*names)[CFG_NAME_LEN] = calloc(n > 0 ? n : 1, CFG_NAME_LEN);
	char *ptrs[n > 0 ? n : 1];
	int rc = 0;

	if (names == NULL)
		return cfg_fail_at(L, 0, NULL, NULL, "out of memory");
	for (int i = 0; i < n; i++)
		ptrs[i] = names[i];
	n = rte_cfgfile_sections(L->cf, ptrs, n);
	/* Ports first: routes and neighbours refer to them, wherever they stand in the file. */
	for (int i = 0; i < n && rc == 0; i++) {
		if (strncmp(names[i], "port ", 5) == 0)
			rc = load_port(L, cfg, names[i], cfg_strip(names[i] + 5));
		else if (strcmp(names[i], "port") == 0)
			rc = fail(L, names[i], NULL, 0, "expected [port NAME]");
	}
	for (int i = 0; i < n && rc == 0; i++) {
		if (strcmp(names[i], "mpgw") == 0)
			rc = load_global(L, cfg);
		else if (strcmp(names[i], "routes") == 0)
			rc = load_list(L, cfg, "routes", "route", load_route);
		else if (strcmp(names[i], "neighbours") == 0)
			rc = load_list(L, cfg, "neighbours", "neighbour", load_neighbour);
		else if (strcmp(names[i], "vps") == 0)
			rc = config_load_vps(L, cfg);
		else if (strcmp(names[i], "policy") == 0)
			rc = config_load_policy(L, cfg);
		else if (strcmp(names[i], "relay") == 0)
			rc = config_load_relay(L, cfg);
		else if (strcmp(names[i], "inbound") == 0)
			rc = config_load_inbound(L, cfg);
		else if (strcmp(names[i], "uplinks") == 0)
			rc = config_load_uplinks(L, cfg);
		else if (strcmp(names[i], "flows") == 0)
			rc = config_load_flows(L, cfg);
		else if (strncmp(names[i], "gateway ", 8) == 0)
			rc = config_load_gateway(L, cfg, names[i], cfg_strip(names[i] + 8));
		else if (strncmp(names[i], "port ", 5) != 0)
			rc = fail(L, names[i], NULL, 0, "unknown section");
	}
	free(names);
	if (rc == 0 && cfg->n_ports == 0)
		rc = cfg_fail_at(L, 0, NULL, NULL, "no [port NAME] section");
	if (rc == 0)
		rc = config_check_role(L, cfg);
	return rc;
}

struct mpgw_config *config_load(const char *path, char *err, size_t errlen)
{
	struct loader L = {.path = path, .err = err, .errlen = errlen};
	struct rte_cfgfile_parameters params = {.comment_character = COMMENT_CHAR};
	struct mpgw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->idle_sleep_us = 100;
	cfg->burst = 32;
	cfg->icmp_rate = 1000;
	cfg->icmp_burst = 50;
	cfg->mptcp_follow_uplinks = true;
	config_uplinks_defaults(cfg);

	if (scan_lines(&L) < 0)
		goto fail;
	L.cf = rte_cfgfile_load_with_params(path, 0, &params);
	if (L.cf == NULL) {
		snprintf(err, errlen, "%s: rte_cfgfile could not read it", path);
		goto fail;
	}
	if (load_all(&L, cfg) < 0)
		goto fail;
	rte_cfgfile_close(L.cf);
	free(L.recs);
	return cfg;
fail:
	if (L.cf != NULL)
		rte_cfgfile_close(L.cf);
	free(L.recs);
	config_free(cfg);
	return NULL;
}

void config_free(struct mpgw_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->routes);
	free(cfg->neighbours);
	free(cfg->bypass);
	free(cfg->gw);
	free(cfg->inbound);
	free(cfg);
}
