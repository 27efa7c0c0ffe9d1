/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel mirror's checks of what netlink brings (lib/netlink/nl_sync_*.c), with netlink
 * messages made here and fed to its handlers as datagrams (nl_sync_test.h): good routes,
 * addresses and neighbours are mirrored; messages too short for their family header or
 * longer than their datagram, attributes running past their message's end, prefixes longer
 * than their addresses and attributes of the wrong size are refused (`malformed`);
 * attributes the mirror does not read are skipped; a route the FIB builder would refuse is
 * left out (`rejected`) and the next version builds with the good routes after it;
 * datagrams not from the kernel (`foreign`) and cut ones (`truncated`) are not
 * applied. The netlink clients' request path (nl_transact) skips datagrams not from the
 * kernel too: a forged end of dump does not cut the kernel's answer short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <rte_eal.h>

#include "config.h"
#include "fib.h"
#include "nl_sync.h"
#include "nl_sync_test.h"
#include "nl_transact.h"
#include "port.h"
#include "test_config.h"
#include "test_mirror.h"

static const struct fib_port test_ports[2] = {
	{.port_id = 0, .mac = {{0x02, 0, 0, 0, 1, 1}}},
	{.port_id = 1, .mac = {{0x02, 0, 0, 0, 2, 1}}},
};

static const uint8_t gw_mac[RTE_ETHER_ADDR_LEN] = {0x02, 0, 0, 0, 2, 2};

/* --- messages ------------------------------------------------------------------------- */

static uint8_t buf[4096];

static struct nlmsghdr *msg_new(uint16_t type)
{
	memset(buf, 0, sizeof(buf));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_CREATE;
	return nlh;
}

/* The address of text s, and its family's size in *len. */
static struct ipaddr addr_of(const char *s, size_t *len)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(s, &a), 0);
	*len = a.family == 4 ? 4 : 16;
	return a;
}

static const void *bytes_of(const struct ipaddr *a)
{
	return a->family == 4 ? (const void *)&a->v4 : (const void *)a->v6;
}

/* A unicast route of the main table to prefix (text, "a/len"), out of ifindex oif (0:
 * none) via gateway gw (NULL: on-link). The prefix length as given, checked or not. */
static struct nlmsghdr *route_msg(const char *prefix, unsigned int len, int oif, const char *gw)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWROUTE);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	size_t alen;
	struct ipaddr dst = addr_of(prefix, &alen);

	rt->rtm_family = dst.family == 4 ? AF_INET : AF_INET6;
	rt->rtm_dst_len = (uint8_t)len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_DST, alen, bytes_of(&dst));
	if (oif != 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (gw != NULL) {
		struct ipaddr g = addr_of(gw, &alen);
		mnl_attr_put(nlh, RTA_GATEWAY, alen, bytes_of(&g));
	}
	return nlh;
}

/* Start RTA_MULTIPATH in nlh; add next hops with multipath_hop(), end it with
 * attr_end(). */
static struct nlattr *attr_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	a->nla_type = type;
	nlh->nlmsg_len += MNL_ATTR_HDRLEN;
	return a;
}

static void attr_end(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (uint16_t)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) - (uint8_t *)a);
}

/* A next hop out of ifindex, via gw (gw_len bytes of it: its size, or a wrong one). */
static struct rtnexthop *multipath_hop(
	struct nlmsghdr *nlh, int ifindex, const char *gw, size_t gw_len)
{
	struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);
	size_t alen;
	struct ipaddr g = addr_of(gw, &alen);

	nlh->nlmsg_len += RTNH_LENGTH(0);
	nh->rtnh_ifindex = ifindex;
	mnl_attr_put(nlh, RTA_GATEWAY, gw_len, bytes_of(&g));
	nh->rtnh_len = (uint16_t)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) - (uint8_t *)nh);
	return nh;
}

/* An address of ifindex (text "a/len"; the length as given). */
static struct nlmsghdr *addr_msg(const char *addr, unsigned int len, int ifindex)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWADDR);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen;
	struct ipaddr a = addr_of(addr, &alen);

	ifa->ifa_family = a.family == 4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = (uint8_t)len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_ADDRESS, alen, bytes_of(&a));
	if (a.family == 4)
		mnl_attr_put(nlh, IFA_LOCAL, alen, bytes_of(&a));
	return nlh;
}

/* A reachable neighbour of ifindex with gw_mac. */
static struct nlmsghdr *neigh_msg(const char *addr, int ifindex)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWNEIGH);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	size_t alen;
	struct ipaddr a = addr_of(addr, &alen);

	nd->ndm_family = a.family == 4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_REACHABLE;
	mnl_attr_put(nlh, NDA_DST, alen, bytes_of(&a));
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(gw_mac), gw_mac);
	return nlh;
}

static struct nlmsghdr *link_msg(int ifindex)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWLINK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "twan0");
	return nlh;
}

/* nlh as a datagram of the kernel's. */
static void feed(const struct nlmsghdr *nlh)
{
	nl_sync_input(nlh, nlh->nlmsg_len, 0, 0);
}

/* The same, counted in *n. */
static void feed_count(const struct nlmsghdr *nlh, unsigned int *n)
{
	feed(nlh);
	(*n)++;
}

static struct nl_sync_stats stats(void)
{
	struct nl_sync_stats s;

	nl_sync_get_stats(&s);
	return s;
}

/* --- the FIB built from the mirror ---------------------------------------------------- */

/* A FIB version of the configuration plus the mirror, as the mirror's rebuild makes it;
 * the test fails if it cannot be built. */
static struct fib *build(void)
{
	char err[512];
	struct mpgw_config *cfg = test_config_load(TEST_MIRROR_CONFIG, err, sizeof(err));

	if (cfg == NULL)
		fail_msg("config: %s", err);
	struct mpgw_config *m = nl_sync_merged(cfg);
	assert_non_null(m);
	struct fib *f = fib_build(m, test_ports, SOCKET_ID_ANY, err, sizeof(err));
	nl_sync_merged_free(m);
	config_free(cfg);
	if (f == NULL)
		fail_msg("fib_build: %s", err);
	return f;
}

/* The nexthop of address s in f (NULL: no route). */
static const struct fib_nexthop *nh_of(const struct fib *f, const char *s)
{
	size_t alen;
	struct ipaddr a = addr_of(s, &alen);
	uint32_t nh = fib_route(f, &a);

	return nh == FIB_NH_NONE ? NULL : &f->nexthops[nh];
}

/* --- tests ---------------------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	n_ports = 2;
	return nl_sync_test_start(1024);
}

static int teardown(void **state)
{
	(void)state;
	nl_sync_stop();
	return 0;
}

/* What the others refuse, well made: mirrored, and in the FIB built from the mirror. */
static void test_good(void **state)
{
	(void)state;
	feed(route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2"));
	feed(route_msg("2001:db8::", 32, TEST_IF_WAN, "fd00:2::2"));
	feed(route_msg("192.0.2.7", 32, TEST_IF_LAN, NULL));
	feed(route_msg("2001:db8:1::1", 128, TEST_IF_LAN, NULL));
	feed(addr_msg("100.64.0.2", 24, TEST_IF_WAN));
	feed(neigh_msg("10.0.2.2", TEST_IF_WAN));
	feed(link_msg(TEST_IF_WAN));
	/* two next hops, the last one's length not padded (the attribute's end) */
	struct nlmsghdr *nlh = route_msg("203.0.113.0", 24, 0, NULL);
	struct nlattr *mp = attr_start(nlh, RTA_MULTIPATH);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.2", 4);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.3", 4);
	attr_end(nlh, mp);
	feed(nlh);

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 0);
	assert_int_equal(s.rejected, 0);
	assert_int_equal(s.routes4, 3);
	assert_int_equal(s.routes6, 2);
	assert_int_equal(s.addrs4, 1);
	assert_int_equal(s.neighbours, 1);
	struct fib *f = build();
	assert_int_equal(nh_of(f, "198.51.100.1")->type, FIB_NH_FORWARD);
	assert_int_equal(nh_of(f, "198.51.100.1")->port, 1);
	assert_int_equal(nh_of(f, "2001:db8::1")->type, FIB_NH_UNRESOLVED);
	assert_int_equal(nh_of(f, "192.0.2.7")->port, 0);
	assert_int_equal(nh_of(f, "203.0.113.1")->type, FIB_NH_ECMP);
	assert_int_equal(nh_of(f, "100.64.0.2")->type, FIB_NH_LOCAL);
	fib_free(f);
}

/* Each kind of message with its length cut inside its family header: refused, counted,
 * though the bytes after it (in the buffer, not in the message) would make a good one. */
static void test_short(void **state)
{
	(void)state;
	struct nlmsghdr *nlh;

	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg) - 4);
	feed(nlh);
	nlh = addr_msg("100.64.0.2", 24, TEST_IF_WAN);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg) - 4);
	feed(nlh);
	nlh = neigh_msg("10.0.2.2", TEST_IF_WAN);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg) - 4);
	feed(nlh);
	nlh = link_msg(TEST_IF_WAN);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg) - 4);
	feed(nlh);
	/* no family header at all */
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	nlh->nlmsg_len = NLMSG_HDRLEN;
	feed(nlh);

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 5);
	assert_int_equal(s.ignored, 0);
	assert_int_equal(s.routes4, 0);
	assert_int_equal(s.addrs4, 0);
	assert_int_equal(s.neighbours, 0);
}

/* A datagram whose second message's length is past its end (2 GiB or more: libmnl took
 * it for a negative one, and stepped that far): refused whole, counted. */
static void test_length_past_end(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	uint32_t len = nlh->nlmsg_len;
	struct nlmsghdr *second = (struct nlmsghdr *)(buf + NLMSG_ALIGN(len));

	memcpy(second, nlh, len);
	for (uint32_t bad = 0; bad < 3; bad++) {
		second->nlmsg_len = bad == 0 ? len + 4 : bad == 1 ? 0xc6000100u : 8;
		nl_sync_input(buf, NLMSG_ALIGN(len) + len, 0, 0);
	}
	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 3);
	assert_int_equal(s.routes4, 0);
}

/* nlh's message with its length cut by 2, alone in a datagram of exactly that many bytes
 * (malloc'd: under ASan a read past it is caught). */
static void feed_cut_by_2(const struct nlmsghdr *nlh)
{
	uint32_t len = nlh->nlmsg_len - 2;
	struct nlmsghdr *m = malloc(len);

	assert_non_null(m);
	memcpy(m, nlh, len);
	m->nlmsg_len = len;
	nl_sync_input(m, len, 0, 0);
	free(m);
}

/* A message whose length is not a multiple of 4, its last attribute running past it (libmnl
 * walks to the length rounded up: found by fuzz_netlink, a read past the datagram): each
 * refused, counted; the attribute never read. */
static void test_attribute_past_end(void **state)
{
	(void)state;
	struct nlmsghdr *nlh;

	feed_cut_by_2(route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2"));
	nlh = addr_msg("2001:db8:2::2", 64, TEST_IF_WAN); /* IFA_ADDRESS last */
	feed_cut_by_2(nlh);
	nlh = neigh_msg("10.0.2.2", TEST_IF_WAN);
	mnl_attr_put(nlh, NDA_DST, 4, "\x0a\x00\x02\x03"); /* the last NDA_DST counts */
	feed_cut_by_2(nlh);

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 3);
	assert_int_equal(s.routes4, 0);
	assert_int_equal(s.addrs6, 0);
	assert_int_equal(s.neighbours, 0);
}

/* Attributes the mirror does not read, of any size, and types past the kernel headers'
 * (a newer kernel's): skipped; the route, address and neighbour still mirrored. */
static void test_unknown_attributes(void **state)
{
	(void)state;
	static const uint8_t odd[5] = {1, 2, 3, 4, 5};
	struct nlmsghdr *nlh;

	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	mnl_attr_put(nlh, RTA_CACHEINFO, 3, odd);
	mnl_attr_put(nlh, RTA_MAX + 7, 5, odd);
	feed(nlh);
	nlh = addr_msg("100.64.0.2", 24, TEST_IF_WAN);
	mnl_attr_put(nlh, IFA_CACHEINFO, 1, odd);
	mnl_attr_put(nlh, IFA_MAX + 3, 2, odd);
	feed(nlh);
	nlh = neigh_msg("10.0.2.2", TEST_IF_WAN);
	mnl_attr_put(nlh, NDA_PROBES, 5, odd);
	mnl_attr_put(nlh, NDA_MAX + 1, 0, NULL);
	feed(nlh);

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 0);
	assert_int_equal(s.routes4, 1);
	assert_int_equal(s.addrs4, 1);
	assert_int_equal(s.neighbours, 1);
	struct fib *f = build();
	assert_int_equal(nh_of(f, "198.51.100.1")->port, 1);
	fib_free(f);
}

/* Prefixes longer than their addresses (/33, /129): refused as malformed, routes and
 * addresses alike; /32 and /128 taken. */
static void test_prefix_length(void **state)
{
	(void)state;
	feed(route_msg("198.51.100.7", 33, TEST_IF_WAN, "10.0.2.2"));
	feed(route_msg("2001:db8::7", 129, TEST_IF_WAN, "fd00:2::2"));
	feed(route_msg("198.51.100.0", 255, TEST_IF_WAN, "10.0.2.2"));
	feed(addr_msg("100.64.0.2", 33, TEST_IF_WAN));
	feed(addr_msg("2001:db8:2::2", 129, TEST_IF_WAN));

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, 5);
	assert_int_equal(s.rejected, 0);
	assert_int_equal(s.routes4 + s.routes6, 0);
	assert_int_equal(s.addrs4 + s.addrs6, 0);

	feed(route_msg("198.51.100.7", 32, TEST_IF_WAN, "10.0.2.2"));
	feed(route_msg("2001:db8::7", 128, TEST_IF_WAN, "fd00:2::2"));
	s = stats();
	assert_int_equal(s.malformed, 5);
	assert_int_equal(s.routes4, 1);
	assert_int_equal(s.routes6, 1);
}

/* Attributes the mirror reads, of the wrong size: the message refused whole. */
static void test_attribute_size(void **state)
{
	(void)state;
	static const uint8_t junk[16] = {10, 0, 2, 2, 9, 9, 9, 9};
	struct nlmsghdr *nlh;
	unsigned int sent = 0;

	/* a gateway of 5 bytes, 3 bytes, an IPv6 one on an IPv4 route */
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, NULL);
	mnl_attr_put(nlh, RTA_GATEWAY, 5, junk);
	feed_count(nlh, &sent);
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, NULL);
	mnl_attr_put(nlh, RTA_GATEWAY, 3, junk);
	feed_count(nlh, &sent);
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, NULL);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, junk);
	feed_count(nlh, &sent);
	/* an output interface, a metric, a table of 2 or 8 bytes */
	nlh = route_msg("198.51.100.0", 24, 0, "10.0.2.2");
	mnl_attr_put_u16(nlh, RTA_OIF, TEST_IF_WAN);
	feed_count(nlh, &sent);
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	mnl_attr_put_u64(nlh, RTA_PRIORITY, 100);
	feed_count(nlh, &sent);
	nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");
	mnl_attr_put_u16(nlh, RTA_TABLE, RT_TABLE_MAIN);
	feed_count(nlh, &sent);
	/* a destination of 3 bytes */
	nlh = msg_new(RTM_NEWROUTE);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	*rt = (struct rtmsg){.rtm_family = AF_INET,
		.rtm_dst_len = 24,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_type = RTN_UNICAST};
	mnl_attr_put(nlh, RTA_DST, 3, junk);
	mnl_attr_put_u32(nlh, RTA_OIF, TEST_IF_WAN);
	feed_count(nlh, &sent);
	/* a multipath next hop whose gateway is 3 bytes; one longer than what is left */
	nlh = route_msg("203.0.113.0", 24, 0, NULL);
	struct nlattr *mp = attr_start(nlh, RTA_MULTIPATH);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.2", 4);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.3", 3);
	attr_end(nlh, mp);
	feed_count(nlh, &sent);
	nlh = route_msg("203.0.113.0", 24, 0, NULL);
	mp = attr_start(nlh, RTA_MULTIPATH);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.2", 4);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.3", 4)->rtnh_len += 4;
	attr_end(nlh, mp);
	feed_count(nlh, &sent);
	/* a next hop cut inside its own header (4 of 8 bytes) */
	nlh = route_msg("203.0.113.0", 24, 0, NULL);
	mp = attr_start(nlh, RTA_MULTIPATH);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.2", 4);
	nlh->nlmsg_len += 4;
	attr_end(nlh, mp);
	feed_count(nlh, &sent);
	/* an address's local address of 3 bytes, its flags of 2 */
	nlh = msg_new(RTM_NEWADDR);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	*ifa = (struct ifaddrmsg){
		.ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = TEST_IF_WAN};
	mnl_attr_put(nlh, IFA_LOCAL, 3, junk);
	feed_count(nlh, &sent);
	nlh = addr_msg("100.64.0.2", 24, TEST_IF_WAN);
	mnl_attr_put_u16(nlh, IFA_FLAGS, 0);
	feed_count(nlh, &sent);
	/* a neighbour's MAC of 4 bytes, its IPv4 address of 16 */
	nlh = msg_new(RTM_NEWNEIGH);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	*nd = (struct ndmsg){
		.ndm_family = AF_INET, .ndm_ifindex = TEST_IF_WAN, .ndm_state = NUD_REACHABLE};
	mnl_attr_put(nlh, NDA_DST, 4, junk);
	mnl_attr_put(nlh, NDA_LLADDR, 4, gw_mac);
	feed_count(nlh, &sent);
	nlh = neigh_msg("10.0.2.2", TEST_IF_WAN);
	struct nlattr *dst = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct ndmsg));
	assert_int_equal(mnl_attr_get_type(dst), NDA_DST);
	dst->nla_type = NDA_PROBES; /* the 4-byte one skipped, a 16-byte one read */
	mnl_attr_put(nlh, NDA_DST, 16, junk);
	feed_count(nlh, &sent);

	struct nl_sync_stats s = stats();
	assert_int_equal(s.malformed, sent);
	assert_int_equal(s.routes4 + s.routes6, 0);
	assert_int_equal(s.addrs4, 0);
	assert_int_equal(s.neighbours, 0);
}

/* A route out of a twin whose port the FIB does not have (what fib_build() refuses, be it
 * alone or a multipath route's next hop): left out, counted; the good route after it is in
 * the next version, which builds. */
static void test_rejected(void **state)
{
	(void)state;
	feed(route_msg("198.51.100.0", 24, TEST_IF_NO_PORT, "10.0.2.2"));
	struct nlmsghdr *nlh = route_msg("203.0.113.0", 24, 0, NULL);
	struct nlattr *mp = attr_start(nlh, RTA_MULTIPATH);
	multipath_hop(nlh, TEST_IF_WAN, "10.0.2.2", 4);
	multipath_hop(nlh, TEST_IF_NO_PORT, "10.0.2.3", 4);
	attr_end(nlh, mp);
	feed(nlh);
	feed(route_msg("192.0.2.0", 24, TEST_IF_WAN, "10.0.2.2"));

	struct nl_sync_stats s = stats();
	assert_int_equal(s.rejected, 2);
	assert_int_equal(s.routes4, 1);
	struct fib *f = build();
	assert_null(nh_of(f, "198.51.100.1"));
	assert_null(nh_of(f, "203.0.113.1"));
	assert_int_equal(nh_of(f, "192.0.2.1")->port, 1);
	fib_free(f);
}

/* A datagram from another socket than the kernel's: not read. */
static void test_foreign(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");

	nl_sync_input(nlh, nlh->nlmsg_len, 4242, 0);
	struct nl_sync_stats s = stats();
	assert_int_equal(s.foreign, 1);
	assert_int_equal(s.routes4, 0);
	nl_sync_input(nlh, nlh->nlmsg_len, 0, 0);
	s = stats();
	assert_int_equal(s.foreign, 1);
	assert_int_equal(s.routes4, 1);
}

/* A datagram cut short (MSG_TRUNC): none of it applied, counted (a resync follows). */
static void test_truncated(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = route_msg("198.51.100.0", 24, TEST_IF_WAN, "10.0.2.2");

	nl_sync_input(nlh, nlh->nlmsg_len, 0, MSG_TRUNC);
	struct nl_sync_stats s = stats();
	assert_int_equal(s.truncated, 1);
	assert_int_equal(s.routes4, 0);
}

static int count_links(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		(*(unsigned int *)data)++;
	return MNL_CB_OK;
}

/* A message to the request socket's port id from another process's socket: an end of dump
 * with the request's sequence number and port id (all a forger needs to guess) is skipped,
 * and the kernel's answer is read whole; nl_receive names the forger as the sender. */
static void test_transact_forged(void **state)
{
	(void)state;
	static uint8_t req[256], forged[256], answers[1 << 15];
	struct mnl_socket *s = nl_request_socket(NETLINK_ROUTE, 2000);
	struct mnl_socket *f = mnl_socket_open(NETLINK_ROUTE);

	assert_non_null(s);
	assert_non_null(f);
	assert_int_equal(mnl_socket_bind(f, 0, MNL_SOCKET_AUTOPID), 0);
	struct nlmsghdr *r = mnl_nlmsg_put_header(req);
	r->nlmsg_type = RTM_GETLINK;
	r->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r->nlmsg_seq = 7;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(r, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	struct nlmsghdr *d = mnl_nlmsg_put_header(forged);
	d->nlmsg_type = NLMSG_DONE;
	d->nlmsg_flags = NLM_F_MULTI;
	d->nlmsg_seq = 7;
	d->nlmsg_pid = mnl_socket_get_portid(s);
	*(int *)mnl_nlmsg_put_extra_header(d, sizeof(int)) = 0;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = mnl_socket_get_portid(s)};

	assert_int_equal(sendto(mnl_socket_get_fd(f), d, d->nlmsg_len, 0, (struct sockaddr *)&to,
				 sizeof(to)),
		(ssize_t)d->nlmsg_len);
	unsigned int links = 0;
	assert_int_equal(
		nl_transact(s, r, answers, sizeof(answers), count_links, &links), MNL_CB_STOP);
	assert_true(links >= 1); /* lo, at least */

	assert_int_equal(sendto(mnl_socket_get_fd(f), d, d->nlmsg_len, 0, (struct sockaddr *)&to,
				 sizeof(to)),
		(ssize_t)d->nlmsg_len);
	uint32_t sender = 0;
	int flags = 0;
	assert_int_equal(
		nl_receive(s, answers, sizeof(answers), &sender, &flags), (ssize_t)d->nlmsg_len);
	assert_int_equal(sender, mnl_socket_get_portid(f));
	assert_int_equal(flags & MSG_TRUNC, 0);
	mnl_socket_close(f);
	mnl_socket_close(s);
}

int main(void)
{
	char *eal_args[] = {"test_nl_sync", "--no-huge", "-m", "1024", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attribute_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attribute_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test(test_transact_forged),
	};

	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "test_nl_sync: rte_eal_init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
