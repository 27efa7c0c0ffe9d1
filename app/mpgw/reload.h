/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload (SIGHUP): what the route tables are built from — [routes],
 * [neighbours], [vps], [policy], [gateway NAME], [relay] fallback — is read again and a new
 * FIB version is published under RCU, while the workers run. Everything else ([mpgw],
 * [port NAME], [flows], [relay] port) is fixed at start-up: a file that changes it is
 * refused, and the running version stays.
 */
#ifndef MPGW_RELOAD_H
#define MPGW_RELOAD_H

#include "config.h"

/*
 * Reload *cfg's file. On success *cfg is the new configuration (the old one freed) and 0 is
 * returned; on failure -1, with the reason in err, and nothing changes.
 */
int reload_config(struct mpgw_config **cfg, char *err, size_t errlen);

#endif
