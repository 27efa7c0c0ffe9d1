/* SPDX-License-Identifier: BSD-3-Clause */
/* /mpgw/twins: the kernel twins (lib/exception/twin.h), one row per port that has one. */
#include <errno.h>
#include <net/if.h>

#include <rte_telemetry.h>

#include "port.h"
#include "telemetry_internal.h"
#include "twin.h"

int telemetry_cmd_twins(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (unsigned int p = 0; p < n_ports; p++) {
		char ifname[IF_NAMESIZE];
		int ifindex;
		struct twin_stats s;
		if (!twin_info(p, ifname, sizeof(ifname), &ifindex, &s))
			continue;
		struct rte_tel_data *r = rte_tel_data_alloc();
		if (r == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_string(r, "twin", ifname);
		rte_tel_data_add_dict_u64(r, "ifindex", (uint64_t)ifindex);
		rte_tel_data_add_dict_u64(r, "to_kernel", s.to_kernel);
		rte_tel_data_add_dict_u64(r, "to_kernel_errors", s.to_kernel_errors);
		rte_tel_data_add_dict_u64(r, "from_kernel", s.from_kernel);
		rte_tel_data_add_dict_u64(r, "from_kernel_drops", s.from_kernel_drops);
		if (rte_tel_data_add_dict_container(d, ports[p].name, r, 0) != 0) {
			rte_tel_data_free(r);
			return -ENOMEM;
		}
	}
	return 0;
}
