/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"

int ipaddr_parse(const char *s, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->v6) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

int ipprefix_parse(const char *s, struct ipprefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (ipaddr_parse(buf, &p->addr) < 0)
		return -1;
	unsigned int max = p->addr.family == 4 ? 32 : 128;
	if (slash == NULL) {
		p->len = max;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || end == slash + 1 || *end != '\0' || len > max)
		return -1;
	p->len = len;
	return 0;
}

int mac_parse(const char *s, struct rte_ether_addr *mac)
{
	unsigned int b[RTE_ETHER_ADDR_LEN];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		    &tail) != 6)
		return -1;
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = b[i];
	return 0;
}

/* Compare the first `len` bits of two byte strings of `size` bytes: a length beyond them
 * (a prefix longer than its address, which nothing should make) compares them whole
 * rather than read past them. */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned int len, unsigned int size)
{
	if (len > 8 * size)
		len = 8 * size;
	unsigned int bytes = len / 8, rest = len % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool ipprefix_contains(const struct ipprefix *p, const struct ipaddr *a)
{
	if (p->addr.family != a->family)
		return false;
	if (a->family == 4)
		return bits_equal((const uint8_t *)&p->addr.v4, (const uint8_t *)&a->v4, p->len, 4);
	return bits_equal(p->addr.v6, a->v6, p->len, 16);
}

void ipprefix_mask(struct ipprefix *p)
{
	uint8_t *bytes = p->addr.family == 4 ? (uint8_t *)&p->addr.v4 : p->addr.v6;
	unsigned int total = p->addr.family == 4 ? 4 : 16;

	for (unsigned int i = 0; i < total; i++) {
		unsigned int first_bit = i * 8;
		if (first_bit >= p->len)
			bytes[i] = 0;
		else if (first_bit + 8 > p->len)
			bytes[i] &= (uint8_t)(0xff << (8 - (p->len - first_bit)));
	}
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == 4 ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0;
}

const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6,
		    a->family == 4 ? (const void *)&a->v4 : (const void *)a->v6, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}
