/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The subflow table the workers read (mptcp_sf.h). It belongs to the data path: the
 * control thread's path manager (lib/mptcp/mptcp_pm_table.c) builds and publishes it,
 * the graph nodes only read it, so they depend on nothing above them.
 */
#include "mptcp_sf.h"

struct mptcp_sf_table *mptcp_sf_live;
