/* SPDX-License-Identifier: BSD-3-Clause */
/* Netlink attributes into a table by type (libmnl), for rtnetlink (nl_sync.c) and generic
 * netlink (lib/mptcp) alike: tb[type] for each attribute of a known type (<= max); a type
 * above max is skipped, as a newer kernel's attributes are. */
#ifndef MPGW_NL_ATTRS_H
#define MPGW_NL_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct nl_attrs {
	const struct nlattr **tb;
	uint16_t max;
};

static inline int nl_attr_store(const struct nlattr *a, void *data)
{
	const struct nl_attrs *t = data;

	if (mnl_attr_type_valid(a, t->max) > 0)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* The attributes of nlh after its family header of hdr_len bytes. */
static inline void nl_parse_attrs(
	const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb, uint16_t max)
{
	struct nl_attrs t = {.tb = tb, .max = max};

	mnl_attr_parse(nlh, (unsigned int)hdr_len, nl_attr_store, &t);
}

/* The attributes nested in nest. */
static inline void nl_parse_nested(
	const struct nlattr *nest, const struct nlattr **tb, uint16_t max)
{
	struct nl_attrs t = {.tb = tb, .max = max};

	mnl_attr_parse_nested(nest, nl_attr_store, &t);
}

/* The attributes in len bytes at payload (a multipath next hop's). */
static inline void nl_parse_payload(
	const void *payload, size_t len, const struct nlattr **tb, uint16_t max)
{
	struct nl_attrs t = {.tb = tb, .max = max};

	mnl_attr_parse_payload(payload, len, nl_attr_store, &t);
}

#endif
