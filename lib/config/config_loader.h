/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/config: the loader's state and the helpers its section parsers share
 * (config_loader.c; config_query.c for the port lookups), used by the parsers (config.c:
 * [mpgw], [port], [routes], [neighbours]; config_gateway.c: the gateway and vps sections;
 * config_uplinks.c, config_relay.c, config_inbound.c). Every error is "FILE:LINE: [SECTION]
 * KEY: message".
 */
#ifndef MPGW_CONFIG_LOADER_H
#define MPGW_CONFIG_LOADER_H

#include <stdbool.h>

#include <rte_cfgfile.h>

#include "config.h"

#define COMMENT_CHAR '#'

/*
 * rte_cfgfile keeps no line numbers, so the loader scans the file once more to find them:
 * one record per section header and per entry, in file order. The scan also catches the
 * syntax errors rte_cfgfile would only log.
 */
struct line_rec {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN]; /* empty for a section header */
	int line;
};

struct loader {
	const char *path;
	struct rte_cfgfile *cf;
	struct line_rec *recs;
	unsigned int n_recs;
	char *err;
	size_t errlen;
};

char *cfg_strip(char *s);
/* Line of the nth (0-based) occurrence of key in section; of the section header if key is
 * NULL; 0 if unknown. */
int cfg_line_of(const struct loader *L, const char *section, const char *key, int nth);
int cfg_fail_at(struct loader *L, int line, const char *section, const char *key, const char *fmt,
	...) __attribute__((format(printf, 5, 6)));
/* Fail at the nth occurrence of key in section (its line found by line_of). Returns -1. */
#define fail(L, section, key, nth, ...)                                                            \
	cfg_fail_at(L, cfg_line_of(L, section, key, nth), section, key, __VA_ARGS__)
/* A decimal number in [min, max]. */
int cfg_parse_uint(struct loader *L, const char *section, const char *key, int nth,
	const char *value, unsigned long min, unsigned long max, unsigned int *out);
/* yes or no. */
int cfg_parse_yes_no(
	struct loader *L, const char *section, const char *key, const char *value, bool *out);
/* Split value into at most max words on whitespace, in place; max + 1 if there are more. */
int cfg_split_words(char *value, char **words, int max);
/* Keys other than those in `repeatable` (space-separated; may be NULL) may appear once per
 * section. */
int cfg_check_repeats(struct loader *L, const char *sec, const struct rte_cfgfile_entry *e, int n,
	const char *repeatable);
/* The port whose subnet holds a, or -1. */
int cfg_port_of_subnet(const struct mpgw_config *cfg, const struct ipaddr *a);
/* "port NAME" at words[i]; fills *port. */
int cfg_parse_port_ref(struct loader *L, const struct mpgw_config *cfg, const char *sec,
	const char *key, int nth, char **words, int n, int i, int *port);

#endif
