/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop_reasons.h"

#define DROP_NAME(name, desc) [DROP_##name] = #name,
#define DROP_DESC(name, desc) [DROP_##name] = desc,
static const char *const names[DROP_MAX] = {MPGW_DROP_REASONS(DROP_NAME)};
static const char *const descs[DROP_MAX] = {MPGW_DROP_REASONS(DROP_DESC)};

const char *drop_reason_name(enum mpgw_drop r)
{
	return r > DROP_NONE && r < DROP_MAX ? names[r] : "none";
}

const char *drop_reason_desc(enum mpgw_drop r)
{
	return r > DROP_NONE && r < DROP_MAX ? descs[r] : "";
}
