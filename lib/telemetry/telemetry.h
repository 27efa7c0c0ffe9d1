/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_telemetry commands under /mpgw/ (see doc/telemetry.md); mpgwctl is their client. */
#ifndef MPGW_TELEMETRY_H
#define MPGW_TELEMETRY_H

/* Register every /mpgw/ command. Call once the ports and workers exist. */
int telemetry_register(void);
/* From now on commands answer nothing: call before freeing ports, workers or tables. */
void telemetry_close(void);

#endif
