/* SPDX-License-Identifier: BSD-3-Clause */
/* Netlink attributes into a table by type (libmnl), for rtnetlink (nl_sync_*.c) and generic
 * netlink (lib/mptcp) alike: tb[type] for each attribute of a known type (<= max); a type
 * above max is skipped, as a newer kernel's attributes are.
 *
 * libmnl walks a message's attributes up to its length rounded up to 4 bytes: a message
 * whose length is not a multiple of 4, last in its datagram, would let an attribute end up
 * to 3 bytes past the datagram. nl_parse_attrs() stops at the message's own end instead;
 * an attribute running past it is left out, and the parse says so. */
#ifndef MPGW_NL_ATTRS_H
#define MPGW_NL_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct nl_attrs {
	const struct nlattr **tb;
	uint16_t max;
	const char *end; /* where the message ends; NULL: the walk's own bound holds */
	bool overrun;	 /* an attribute ran past end */
};

static inline int nl_attr_store(const struct nlattr *a, void *data)
{
	struct nl_attrs *t = data;

	if (t->end != NULL && (const char *)a + a->nla_len > t->end) {
		t->overrun = true;
		return MNL_CB_STOP;
	}
	if (mnl_attr_type_valid(a, t->max) > 0)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* The attributes of nlh after its family header of hdr_len bytes. False if one ran past
 * the message's end (those before it are in tb). */
static inline bool nl_parse_attrs(
	const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb, uint16_t max)
{
	struct nl_attrs t = {.tb = tb, .max = max, .end = (const char *)nlh + nlh->nlmsg_len};

	mnl_attr_parse(nlh, (unsigned int)hdr_len, nl_attr_store, &t);
	return !t.overrun;
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
