/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way a configuration becomes the tables the workers read: a FIB version built
 * from it for the running ports, with the uplinks' scheduling table attached (carrying
 * over the paths' health), ready for fib_publish(). Start-up (app/mpgw/main.c), a reload
 * (app/mpgw/reload.c) and the kernel mirror's rebuilds (lib/netlink/nl_sync_build.c) all
 * go through it.
 */
#ifndef MPGW_COMMIT_H
#define MPGW_COMMIT_H

#include <stddef.h>

#include "config.h"
#include "fib.h"

/* What refused a configuration: the tables (its routes, neighbours or sizes: the
 * configuration's fault) or the uplinks' table (memory, at run time). */
enum commit_fault {
	COMMIT_TABLES,
	COMMIT_UPLINKS,
};

/* cfg's FIB version with its uplink table, not yet published; NULL with err and *fault. */
struct fib *commit_build(
	const struct mpgw_config *cfg, enum commit_fault *fault, char *err, size_t errlen);

#endif
