/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration loader (lib/config): the input is the text of an
 * INI file. The loader reads a path (twice: its own line scan, then rte_cfgfile), so the
 * input goes into a memfd, opened by its /proc/self/fd name: nothing touches the disk.
 * Whatever the text, config_load() must return a configuration or NULL with a message that
 * names the file; never crash, and never leak (LeakSanitizer checks every input).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_log.h>

#include "config.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("fuzz_config.ini", 0);
	if (fd < 0) {
		perror("fuzz_config: memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* rte_cfgfile logs what it cannot parse; the loader's own message is what counts. */
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct mpgw_config *cfg;

	if (size > 64 * 1024)
		return -1;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	cfg = config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		/* "FILE:LINE: [SECTION] KEY: message", or "FILE: message". */
		CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
		CHECK(strlen(err) > strlen(path) + 2);
		return 0;
	}
	/* Accepted: what the rest of mpgw relies on holds. */
	CHECK(cfg->n_ports >= 1 && cfg->n_ports <= MPGW_MAX_PORTS);
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		CHECK(memchr(p->name, '\0', sizeof(p->name)) != NULL && p->name[0] != '\0');
		CHECK(config_port_index(cfg, p->name) == (int)i);
		CHECK(p->n_gateways <= 2);
		CHECK(p->n_addrs <= RTE_DIM(p->addrs));
	}
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];

		CHECK(r->port >= -1 && r->port < (int)cfg->n_ports);
		CHECK(r->port >= 0 || r->type == CFG_ROUTE_BLACKHOLE || r->type == CFG_ROUTE_ECMP);
	}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++)
		CHECK(cfg->neighbours[i].port >= 0 && cfg->neighbours[i].port < (int)cfg->n_ports);
	for (unsigned int i = 0; i < cfg->n_bypass; i++)
		CHECK(cfg->bypass[i].port >= 0 && cfg->bypass[i].port < (int)cfg->n_ports);
	for (unsigned int c = 0; c < CFG_CLASS_MAX; c++)
		CHECK(cfg->policy[c] != CFG_ACT_DEFAULT && cfg->policy[c] <= CFG_ACT_DROP);
	CHECK(cfg->n_vps <= 2);
	config_free(cfg);
	return 0;
}
