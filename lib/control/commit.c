/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_lcore.h>

#include "commit.h"
#include "port.h"
#include "uplink_ctl.h"

struct fib *commit_build(
	const struct mpgw_config *cfg, enum commit_fault *fault, char *err, size_t errlen)
{
	struct fib_port fp[MPGW_MAX_PORTS];

	for (unsigned int i = 0; i < n_ports; i++)
		fp[i] = (struct fib_port){.port_id = ports[i].port_id, .mac = ports[i].mac};
	struct fib *f = fib_build(cfg, fp, (int)rte_socket_id(), err, errlen);
	if (f == NULL) {
		*fault = COMMIT_TABLES;
		return NULL;
	}
	if (uplink_ctl_attach(f, cfg, err, errlen) < 0) {
		fib_free(f);
		*fault = COMMIT_UPLINKS;
		return NULL;
	}
	return f;
}
