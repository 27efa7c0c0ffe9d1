/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to lib/config: loaders of the role sections (config_gateway.c). */
#ifndef MPGW_CONFIG_GATEWAY_H
#define MPGW_CONFIG_GATEWAY_H

#include "config.h"
#include "config_loader.h"

int config_load_vps(struct loader *L, struct mpgw_config *cfg);
int config_load_policy(struct loader *L, struct mpgw_config *cfg);
/* config_relay.c: [relay]. */
int config_load_relay(struct loader *L, struct mpgw_config *cfg);
/* After every section: the relay needs twins; some keys are the gateway's only. */
int config_check_relay(struct loader *L, struct mpgw_config *cfg);
/* config_inbound.c: [inbound]. */
int config_load_inbound(struct loader *L, struct mpgw_config *cfg);
int config_load_gateway(
	struct loader *L, struct mpgw_config *cfg, const char *sec, const char *name);
/* config_uplinks.c: [uplinks], [flows] and the uplink keys of [port]. */
void config_uplinks_defaults(struct mpgw_config *cfg);
int config_load_uplinks(struct loader *L, struct mpgw_config *cfg);
int config_load_flows(struct loader *L, struct mpgw_config *cfg);
int config_parse_multipath(
	struct loader *L, const char *sec, const char *key, const char *v, uint8_t *out);
/* After every section: the checks that depend on the role, and the policy defaults. */
int config_check_role(struct loader *L, struct mpgw_config *cfg);

#endif
