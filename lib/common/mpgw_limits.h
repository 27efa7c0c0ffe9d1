/* SPDX-License-Identifier: BSD-3-Clause */
/* Compile-time limits shared by the control side and the data path. */
#ifndef MPGW_LIMITS_H
#define MPGW_LIMITS_H

#define MPGW_MAX_PORTS	      16	 /* ports mpgw drives */
#define MPGW_MAX_WORKERS      64	 /* worker lcores */
#define MPGW_MAX_PORT_ADDRS   16	 /* addresses per port and family */
#define MPGW_MAX_TUNNEL_PATHS 16	 /* tunnel paths (uplinks) per gateway */
#define MPGW_MAX_GATEWAYS     256	 /* gateways a vps serves */
#define MPGW_NAME_LEN	      32	 /* port names */
#define MPGW_MAX_NEXTHOPS     (1u << 16) /* nexthop ids fit in the mbuf metadata's u16 */

#endif
