/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4/IPv6 addresses and prefixes as the configuration and the tables hold them. */
#ifndef MPGW_IPADDR_H
#define MPGW_IPADDR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct ipaddr {
	uint8_t family; /* 4 or 6 */
	union {
		uint32_t v4; /* network byte order */
		uint8_t v6[16];
	};
};

struct ipprefix {
	struct ipaddr addr;
	uint8_t len;
};

/* "192.0.2.1" or "2001:db8::1". Returns 0, or -1 when the text is not an address. */
int ipaddr_parse(const char *s, struct ipaddr *a);
/* "192.0.2.0/24"; without "/len" the prefix is a host (/32 or /128). */
int ipprefix_parse(const char *s, struct ipprefix *p);
/* "02:00:00:00:00:01" */
int mac_parse(const char *s, struct rte_ether_addr *mac);

/* Is a under p? A length past the address (which nothing should make) counts as the whole
 * address: never read past it. */
bool ipprefix_contains(const struct ipprefix *p, const struct ipaddr *a);
/* Zero the host bits, so 192.0.2.1/24 becomes 192.0.2.0/24. */
void ipprefix_mask(struct ipprefix *p);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b);

/* Is the IPv6 address at a (16 bytes) link-local, fe80::/10? */
static inline bool ip6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}
/* Text form into buf (at least INET6_ADDRSTRLEN bytes); returns buf. */
const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t len);

#endif
