/* SPDX-License-Identifier: BSD-3-Clause */
#include "counters.h"

#define COUNTER_NAME(name, desc) [CNT_##name] = #name,
#define COUNTER_DESC(name, desc) [CNT_##name] = desc,
static const char *const names[CNT_MAX] = {MPGW_COUNTERS(COUNTER_NAME)};
static const char *const descs[CNT_MAX] = {MPGW_COUNTERS(COUNTER_DESC)};

const char *counter_name(enum mpgw_counter c)
{
	return (unsigned int)c < CNT_MAX ? names[c] : "none";
}

const char *counter_desc(enum mpgw_counter c)
{
	return (unsigned int)c < CNT_MAX ? descs[c] : "";
}
