/* SPDX-License-Identifier: BSD-3-Clause */
/* FIB versions (lib/fib): rte_fib / rte_fib6 tables built from a configuration. Default
 * routes (depth 0) cover the whole space and no more than it, /32 and /128 routes, the
 * precedence of configured routes, connected subnets, neighbours and own addresses, "no
 * route", and a table of many routes (every one looked up). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "config.h"
#include "fib.h"
#include "test_config.h"

/* Two ports, lan0 and wan0 (whose keys follow), and the neighbours on wan0. */
#define LAN0                                                                                       \
	"[port lan0]\n"                                                                            \
	"device = net_null0\n"                                                                     \
	"mac = 02:00:00:00:01:01\n"                                                                \
	"address = 10.0.1.1/24\n"                                                                  \
	"address = fd00:1::1/64\n"                                                                 \
	"[port wan0]\n"                                                                            \
	"device = net_null1\n"                                                                     \
	"mac = 02:00:00:00:02:01\n"
#define WAN0_ADDRESSES                                                                             \
	"address = 10.0.2.1/24\n"                                                                  \
	"address = fd00:2::1/64\n"
#define WAN0_NEIGHBOURS                                                                            \
	"[neighbours]\n"                                                                           \
	"neighbour = 10.0.2.2 02:00:00:00:02:02\n"                                                 \
	"neighbour = fd00:2::2 02:00:00:00:02:02\n"

static const char precedence_text[] =
	LAN0 WAN0_ADDRESSES "[routes]\n"
			    /* a /1 before the /0: the /0 added after keeps off it */
			    "route = 0.0.0.0/1 blackhole\n"
			    "route = 0.0.0.0/0 via 10.0.2.2\n"
			    "route = ::/0 via fd00:2::2\n"
			    "route = 2001:db8:1::/48 blackhole\n"
			    /* the later of two equal prefixes wins */
			    "route = 192.0.2.0/24 blackhole\n"
			    "route = 192.0.2.0/24 via 10.0.1.3\n"
			    "route = 198.51.100.7/32 via 10.0.1.2\n"
			    "route = 2001:db8::7/128 via fd00:1::2\n"
			    /* connected subnet, neighbour, own address win over these */
			    "route = 10.0.1.0/24 blackhole\n"
			    "route = 10.0.1.2/32 blackhole\n"
			    "route = 10.0.1.1/32 blackhole\n"
			    "route = fd00:1::2/128 blackhole\n"
			    /* under the connected /64, added after it: the /128 only */
			    "route = fd00:1::5/128 via fd00:2::2\n" WAN0_NEIGHBOURS
			    "neighbour = 10.0.1.2 02:00:00:00:01:02\n"
			    "neighbour = fd00:1::2 02:00:00:00:01:02\n";

static const char plain_text[] = LAN0 WAN0_ADDRESSES WAN0_NEIGHBOURS;

/* A gateway: bypass prefixes (added after the routes) around routes of their own. */
static const char gateway_text[] = "[mpgw]\n"
				   "role = gateway\n"
				   "[vps]\n"
				   "address = 10.0.2.2\n"
				   "address = fd00:2::2\n"
				   "[uplinks]\n"
				   "probe_interval_ms = 0\n"
				   "[policy]\n"
				   "bypass = 2001:db8::/32 port wan0\n"
				   "bypass = 198.18.0.0/15 port wan0\n" LAN0 "uplink = yes\n"
				   "gateway = 10.0.2.2\n"
				   "gateway = fd00:2::2\n" WAN0_ADDRESSES "[routes]\n"
				   "route = ::/0 via fd00:2::2\n"
				   "route = 2001:db8:5::/48 blackhole\n"
				   "route = 2001:db8:5:1::/64 port lan0\n"
				   "route = 198.18.7.0/24 blackhole\n" WAN0_NEIGHBOURS;

static const struct fib_port test_ports[2] = {
	{.port_id = 0, .mac = {{0x02, 0, 0, 0, 1, 1}}},
	{.port_id = 1, .mac = {{0x02, 0, 0, 0, 2, 1}}},
};

static struct mpgw_config *load(const char *text)
{
	char err[512];
	struct mpgw_config *cfg = test_config_load(text, err, sizeof(err));

	if (cfg == NULL)
		fail_msg("config: %s", err);
	return cfg;
}

static struct fib *build(const struct mpgw_config *cfg)
{
	char err[512];
	struct fib *f = fib_build(cfg, test_ports, SOCKET_ID_ANY, err, sizeof(err));

	if (f == NULL)
		fail_msg("fib_build: %s", err);
	return f;
}

/* The nexthop for text address s, NULL when there is no route. */
static const struct fib_nexthop *nh_of(const struct fib *f, const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(s, &a), 0);
	uint32_t nh = fib_route(f, &a);
	if (nh == FIB_NH_NONE)
		return NULL;
	assert_true(nh < f->n_nexthops);
	return &f->nexthops[nh];
}

static void expect(const struct fib *f, const char *addr, enum fib_nh_type type, int port)
{
	const struct fib_nexthop *nh = nh_of(f, addr);

	if (nh == NULL)
		fail_msg("%s: no route", addr);
	if (nh->type != type || (port >= 0 && nh->port != port))
		fail_msg("%s: type %u port %u, expected type %u port %d", addr, nh->type, nh->port,
			type, port);
}

static void test_precedence(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(precedence_text);
	struct fib *f = build(cfg);

	/* IPv4 default route and the /1 added before it. */
	expect(f, "0.0.0.0", FIB_NH_BLACKHOLE, -1);
	expect(f, "127.255.255.255", FIB_NH_BLACKHOLE, -1);
	expect(f, "128.0.0.0", FIB_NH_FORWARD, 1);
	expect(f, "255.255.255.255", FIB_NH_FORWARD, 1);
	expect(f, "203.0.113.9", FIB_NH_FORWARD, 1);
	/* IPv6 default route, whole space, and a /48 in it. */
	expect(f, "::", FIB_NH_FORWARD, 1);
	expect(f, "::1", FIB_NH_FORWARD, 1);
	expect(f, "8000::", FIB_NH_FORWARD, 1);
	expect(f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", FIB_NH_FORWARD, 1);
	expect(f, "2001:db8:1::", FIB_NH_BLACKHOLE, -1);
	expect(f, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", FIB_NH_BLACKHOLE, -1);
	expect(f, "2001:db8:2::", FIB_NH_FORWARD, 1);
	expect(f, "2001:db8:0:ffff:ffff:ffff:ffff:ffff", FIB_NH_FORWARD, 1);
	/* The later of two equal prefixes: via a gateway with no neighbour entry. */
	expect(f, "192.0.2.77", FIB_NH_UNRESOLVED, 0);
	/* /32 and /128: the host only, with the gateway's MAC. */
	expect(f, "198.51.100.7", FIB_NH_FORWARD, 0);
	assert_int_equal(nh_of(f, "198.51.100.7")->dst.addr_bytes[5], 0x02);
	expect(f, "198.51.100.6", FIB_NH_FORWARD, 1);
	expect(f, "198.51.100.8", FIB_NH_FORWARD, 1);
	expect(f, "2001:db8::7", FIB_NH_FORWARD, 0);
	expect(f, "2001:db8::6", FIB_NH_FORWARD, 1);
	expect(f, "2001:db8::8", FIB_NH_FORWARD, 1);
	/* Connected subnet over a configured route of the same prefix. */
	expect(f, "10.0.1.77", FIB_NH_UNRESOLVED, 0);
	expect(f, "fd00:1::77", FIB_NH_UNRESOLVED, 0);
	/* Neighbour host routes over configured /32 and /128 routes. */
	expect(f, "10.0.1.2", FIB_NH_FORWARD, 0);
	expect(f, "fd00:1::2", FIB_NH_FORWARD, 0);
	expect(f, "10.0.2.2", FIB_NH_FORWARD, 1);
	/* A /128 inside a connected subnet: the subnet around it (aggregates of the IPv6
	 * table, added before the subnet, take the subnet's nexthop). */
	expect(f, "fd00:1::5", FIB_NH_FORWARD, 1);
	expect(f, "fd00:1::4", FIB_NH_UNRESOLVED, 0);
	expect(f, "fd00:1::6", FIB_NH_UNRESOLVED, 0);
	expect(f, "fd00:1::ffff", FIB_NH_UNRESOLVED, 0);
	/* Own addresses over everything. */
	expect(f, "10.0.1.1", FIB_NH_LOCAL, 0);
	expect(f, "fd00:2::1", FIB_NH_LOCAL, 1);

	fib_free(f);
	config_free(cfg);
}

/* ECMP sets (the kernel's multipath routes, as the mirror hands them over): weights
 * spread over the slots, members resolved through the neighbours, one set shared by the
 * routes that use it. */
static void test_ecmp(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(plain_text);
	struct cfg_ecmp sets[2] = {
		{.n_hops = 2, .hops = {{.port = 1, .weight = 1}, {.port = 1, .weight = 3}}},
		{.n_hops = 3,
			.hops = {{.port = 0, .weight = 1}, {.port = 1, .weight = 1},
				{.port = 1, .weight = 200}}},
	};
	assert_int_equal(ipaddr_parse("10.0.2.2", &sets[0].hops[0].via), 0);
	assert_int_equal(ipaddr_parse("10.0.2.3", &sets[0].hops[1].via), 0);
	assert_int_equal(ipaddr_parse("10.0.1.9", &sets[1].hops[0].via), 0);
	assert_int_equal(ipaddr_parse("10.0.2.2", &sets[1].hops[2].via), 0);
	struct cfg_route routes[3] = {{.type = CFG_ROUTE_ECMP, .ecmp = 0, .port = -1},
		{.type = CFG_ROUTE_ECMP, .ecmp = 0, .port = -1},
		{.type = CFG_ROUTE_ECMP, .ecmp = 1, .port = -1}};
	assert_int_equal(ipprefix_parse("198.51.100.0/24", &routes[0].prefix), 0);
	assert_int_equal(ipprefix_parse("2001:db8::/32", &routes[1].prefix), 0);
	assert_int_equal(ipprefix_parse("203.0.113.0/24", &routes[2].prefix), 0);
	cfg->routes = realloc(cfg->routes, sizeof(routes));
	memcpy(cfg->routes, routes, sizeof(routes));
	cfg->n_routes = 3;
	cfg->ecmp = sets;
	cfg->n_ecmp = 2;
	struct fib *f = build(cfg);

	expect(f, "198.51.100.1", FIB_NH_ECMP, -1);
	expect(f, "2001:db8::1", FIB_NH_ECMP, -1);
	/* one set for both routes of set 0 */
	assert_int_equal(nh_of(f, "198.51.100.1")->ecmp, nh_of(f, "2001:db8::1")->ecmp);
	const struct fib_ecmp *e = &f->ecmp[nh_of(f, "198.51.100.1")->ecmp];
	unsigned int fwd = 0, unres = 0;
	for (unsigned int s = 0; s < FIB_ECMP_SLOTS; s++) {
		const struct fib_nexthop *m = &f->nexthops[e->nh[s]];
		assert_int_equal(m->port, 1);
		if (m->type == FIB_NH_FORWARD) /* 10.0.2.2: a neighbour */
			fwd++;
		else if (m->type == FIB_NH_UNRESOLVED) /* 10.0.2.3: none */
			unres++;
	}
	assert_int_equal(fwd, 16); /* weights 1:3 */
	assert_int_equal(unres, 48);
	/* Weights 1:1:200: every member keeps a slot (10.0.1.9 unresolved on lan0, on-link
	 * on wan0, 10.0.2.2 resolved on wan0). */
	e = &f->ecmp[nh_of(f, "203.0.113.1")->ecmp];
	assert_int_equal(f->nexthops[e->nh[0]].port, 0);
	assert_true(e->nh[1] != e->nh[0] && e->nh[1] != e->nh[FIB_ECMP_SLOTS - 1]);
	assert_int_equal(f->nexthops[e->nh[FIB_ECMP_SLOTS - 1]].port, 1);

	fib_free(f);
	cfg->ecmp = NULL;
	cfg->n_ecmp = 0;
	config_free(cfg);
}

/* The routes fib_build() refuses, each alone in an otherwise good configuration, and
 * fib_route_check() says so of each (the mirror prunes the kernel's routes with it): a
 * prefix longer than its address, a port that is not there, an ECMP set that is not there
 * or has a next hop on no port. */
static void test_route_check(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(plain_text);
	struct cfg_ecmp sets[1] = {{.n_hops = 2, .hops = {{.port = 1, .weight = 1}, {.port = 2}}}};
	struct cfg_route bad[5] = {
		{.type = CFG_ROUTE_BLACKHOLE, .port = -1},
		{.type = CFG_ROUTE_ONLINK, .port = 2},
		{.type = CFG_ROUTE_VIA, .port = -1},
		{.type = CFG_ROUTE_ECMP, .ecmp = 1, .port = -1},
		{.type = CFG_ROUTE_ECMP, .ecmp = 0, .port = -1},
	};
	char err[256];

	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(ipprefix_parse("198.51.100.0/24", &bad[i].prefix), 0);
	bad[0].prefix.len = 33;
	cfg->routes = realloc(cfg->routes, (cfg->n_routes + 1) * sizeof(*cfg->routes));
	cfg->ecmp = sets;
	cfg->n_ecmp = 1;
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(fib_route_check(&bad[i], sets, 1, 2, err, sizeof(err)), -1);
		cfg->routes[cfg->n_routes] = bad[i];
		cfg->n_routes++;
		assert_null(fib_build(cfg, test_ports, SOCKET_ID_ANY, err, sizeof(err)));
		cfg->n_routes--;
	}
	/* the same routes made good */
	bad[0].prefix.len = 32;
	bad[1].port = 1;
	bad[2].port = 0;
	bad[3].ecmp = 0;
	sets[0].hops[1].port = 0;
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(fib_route_check(&bad[i], sets, 1, 2, err, sizeof(err)), 0);
		cfg->routes[cfg->n_routes++] = bad[i];
		fib_free(build(cfg));
		cfg->n_routes--;
	}
	cfg->ecmp = NULL;
	cfg->n_ecmp = 0;
	config_free(cfg);
}

static void test_no_route(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(plain_text);
	struct fib *f = build(cfg);

	assert_null(nh_of(f, "8.8.8.8"));
	assert_null(nh_of(f, "0.0.0.0"));
	assert_null(nh_of(f, "255.255.255.255"));
	assert_null(nh_of(f, "2001:db8::1"));
	assert_null(nh_of(f, "::"));
	assert_null(nh_of(f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	expect(f, "10.0.2.2", FIB_NH_FORWARD, 1);
	expect(f, "10.0.2.3", FIB_NH_UNRESOLVED, 1);
	expect(f, "fd00:2::2", FIB_NH_FORWARD, 1);
	/* 2 subnets + 1 neighbour + 2 own addresses, per family */
	assert_int_equal(f->n_routes4, 5);
	assert_int_equal(f->n_routes6, 5);

	fib_free(f);
	config_free(cfg);
}

static void test_bypass(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(gateway_text);
	struct fib *f = build(cfg);

	assert_true(f->gateway);
	assert_int_equal(f->n_bypass, 2);
	expect(f, "2001:db8::", FIB_NH_BYPASS, 1);
	expect(f, "2001:db8:4:ffff::1", FIB_NH_BYPASS, 1);
	expect(f, "2001:db8:5::1", FIB_NH_BLACKHOLE, -1);
	expect(f, "2001:db8:5:1::1", FIB_NH_UNRESOLVED, 0);
	expect(f, "2001:db8:5:2::1", FIB_NH_BLACKHOLE, -1);
	expect(f, "2001:db8:6::1", FIB_NH_BYPASS, 1);
	expect(f, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", FIB_NH_BYPASS, 1);
	expect(f, "2001:db9::", FIB_NH_FORWARD, 1);
	expect(f, "198.18.7.1", FIB_NH_BLACKHOLE, -1);
	expect(f, "198.18.8.1", FIB_NH_BYPASS, 1);
	assert_null(nh_of(f, "198.20.0.1"));

	fib_free(f);
	config_free(cfg);
}

/* Random routes, nested and repeated, against a reference longest-prefix match: the
 * last of equal prefixes wins, the connected subnets and host routes of plain_text over
 * them (queries keep off those). */
#define RANDOM_ROUTES 3000u

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void mask_bytes(uint8_t *a, unsigned int len, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++) {
		unsigned int bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static const uint8_t *addr_bytes(const struct ipaddr *a)
{
	return a->family == 4 ? (const uint8_t *)&a->v4 : a->v6;
}

static bool covers(const struct ipprefix *p, const struct ipaddr *a)
{
	unsigned int size = a->family == 4 ? 4 : 16;
	uint8_t x[16];

	if (p->addr.family != a->family)
		return false;
	memcpy(x, addr_bytes(a), size);
	mask_bytes(x, p->len, size);
	return memcmp(x, addr_bytes(&p->addr), size) == 0;
}

/* a + delta (-1, 0, +1), wrapping */
static struct ipaddr step(struct ipaddr a, int delta)
{
	unsigned int size = a.family == 4 ? 4 : 16;
	uint8_t *b = a.family == 4 ? (uint8_t *)&a.v4 : a.v6;

	for (int i = (int)size - 1; i >= 0 && delta != 0; i--) {
		uint8_t before = b[i];
		b[i] = (uint8_t)(b[i] + delta);
		if ((delta > 0 && b[i] > before) || (delta < 0 && b[i] < before))
			break;
	}
	return a;
}

static void random_check(
	const struct fib *f, const struct cfg_route *r, uint32_t n, const struct ipaddr *q)
{
	int best = -1;

	if (q->family == 6 && q->v6[0] == 0xfd)
		return; /* the subnets of plain_text */
	if (q->family == 4 && (q->v4 & RTE_BE32(0xffff0000)) == RTE_BE32(0x0a000000))
		return;
	for (uint32_t i = 0; i < n; i++)
		if (covers(&r[i].prefix, q) && (best < 0 || r[i].prefix.len >= r[best].prefix.len))
			best = (int)i;
	uint32_t nh = fib_route(f, q);
	char buf[64];
	if (best < 0) {
		if (nh != FIB_NH_NONE)
			fail_msg("%s: a route, expected none", ipaddr_str(q, buf, sizeof(buf)));
		return;
	}
	if (nh == FIB_NH_NONE)
		fail_msg("%s: no route, expected route %d", ipaddr_str(q, buf, sizeof(buf)), best);
	const struct fib_nexthop *h = &f->nexthops[nh];
	uint8_t want_type = r[best].type == CFG_ROUTE_BLACKHOLE ? FIB_NH_BLACKHOLE
			    : r[best].type == CFG_ROUTE_VIA	? FIB_NH_FORWARD
								: FIB_NH_UNRESOLVED;
	if (h->type != want_type || (want_type != FIB_NH_BLACKHOLE && h->port != r[best].port))
		fail_msg("%s: type %u port %u, expected route %d /%u type %u port %d",
			ipaddr_str(q, buf, sizeof(buf)), h->type, h->port, best, r[best].prefix.len,
			want_type, r[best].port);
}

static void test_random(void **state)
{
	(void)state;
	static const uint8_t bases[4][16] = {
		{0x20, 0x01, 0x0d, 0xb8},
		{0x20, 0x01, 0x0d, 0xb8, 0x80},
		{0x24, 0x00, 0x00, 0x01},
		{0x24, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03},
	};
	struct mpgw_config *cfg = load(plain_text);
	struct cfg_route *r = realloc(cfg->routes, RANDOM_ROUTES * sizeof(*r));

	assert_non_null(r);
	cfg->routes = r;
	for (uint32_t i = 0; i < RANDOM_ROUTES; i++) {
		bool v6 = i % 3 != 0;
		unsigned int size = v6 ? 16 : 4, max = v6 ? 128 : 32;
		/* the base up to a random depth, random bits after it, then the length */
		unsigned int keep = (unsigned int)(rnd() % (max + 1));
		unsigned int len = (unsigned int)(rnd() % 8 == 0 ? rnd() % (max + 1)
								 : keep + rnd() % (max + 1 - keep));
		uint8_t a[16], noise[16];
		memcpy(a, v6 ? bases[rnd() % 4] : (const uint8_t[16]){100, 64}, 16);
		for (unsigned int j = 0; j < 16; j++)
			noise[j] = (uint8_t)rnd();
		for (unsigned int bit = keep; bit < max; bit++) {
			uint8_t m = (uint8_t)(0x80 >> (bit % 8));
			a[bit / 8] = (uint8_t)((a[bit / 8] & ~m) | (noise[bit / 8] & m));
		}
		mask_bytes(a, len, size);
		r[i] = (struct cfg_route){
			.prefix = {.addr = {.family = v6 ? 6 : 4}, .len = (uint8_t)len}};
		memcpy(v6 ? r[i].prefix.addr.v6 : (uint8_t *)&r[i].prefix.addr.v4, a, size);
		switch (rnd() % 4) {
		case 0:
			r[i].type = CFG_ROUTE_BLACKHOLE;
			r[i].port = -1;
			break;
		case 1:
		case 2:
			r[i].type = CFG_ROUTE_ONLINK;
			r[i].port = (int)(rnd() % 2);
			break;
		default:
			r[i].type = CFG_ROUTE_VIA;
			r[i].port = 1;
			assert_int_equal(ipaddr_parse(v6 ? "fd00:2::2" : "10.0.2.2", &r[i].via), 0);
		}
	}
	/* some equal prefixes, the later wins */
	for (uint32_t i = 0; i < RANDOM_ROUTES / 20; i++) {
		uint32_t from = (uint32_t)(rnd() % RANDOM_ROUTES),
			 to = (uint32_t)(rnd() % RANDOM_ROUTES);
		r[to].prefix = r[from].prefix;
	}
	cfg->n_routes = RANDOM_ROUTES;
	struct fib *f = build(cfg);

	for (uint32_t i = 0; i < RANDOM_ROUTES; i++) {
		/* the first and last addresses of each route, and those just outside */
		struct ipaddr first = r[i].prefix.addr, last = first;
		unsigned int size = first.family == 4 ? 4 : 16;
		uint8_t *l = first.family == 4 ? (uint8_t *)&last.v4 : last.v6;
		for (unsigned int bit = r[i].prefix.len; bit < 8 * size; bit++)
			l[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		struct ipaddr q[4] = {first, last, step(first, -1), step(last, 1)};
		for (unsigned int k = 0; k < 4; k++)
			random_check(f, r, RANDOM_ROUTES, &q[k]);
	}

	fib_free(f);
	config_free(cfg);
}

/* 100k IPv4 /24s and 20k IPv6 /48s, alternately through the two gateways, and 1000 /32s:
 * every one looked up, and the addresses around them. */
#define MANY4  100000u
#define MANY6  20000u
#define MANY32 1000u

static void test_many(void **state)
{
	(void)state;
	struct mpgw_config *cfg = load(plain_text);
	uint32_t n = MANY4 + MANY6 + MANY32;
	struct cfg_route *r = realloc(cfg->routes, n * sizeof(*r));

	assert_non_null(r);
	cfg->routes = r;
	for (uint32_t i = 0; i < n; i++) {
		r[i] = (struct cfg_route){.type = CFG_ROUTE_VIA, .port = 1};
		if (i < MANY4 || i >= MANY4 + MANY6) {
			uint32_t a = i < MANY4 ? (11u << 24) + (i << 8) : (100u << 24) + i;
			r[i].prefix = (struct ipprefix){
				.addr = {.family = 4}, .len = i < MANY4 ? 24 : 32};
			r[i].prefix.addr.v4 = rte_cpu_to_be_32(a);
			assert_int_equal(
				ipaddr_parse(i & 1 ? "10.0.2.2" : "10.0.2.3", &r[i].via), 0);
		} else {
			uint32_t j = i - MANY4;
			r[i].prefix = (struct ipprefix){.addr = {.family = 6}, .len = 48};
			r[i].prefix.addr.v6[0] = 0x24;
			r[i].prefix.addr.v6[3] = (uint8_t)(j >> 16);
			r[i].prefix.addr.v6[4] = (uint8_t)(j >> 8);
			r[i].prefix.addr.v6[5] = (uint8_t)j;
			assert_int_equal(
				ipaddr_parse(i & 1 ? "fd00:2::2" : "fd00:2::3", &r[i].via), 0);
		}
	}
	cfg->n_routes = n;
	struct fib *f = build(cfg);
	assert_int_equal(f->n_routes4, MANY4 + MANY32 + 5);
	assert_int_equal(f->n_routes6, MANY6 + 5);

	for (uint32_t i = 0; i < n; i++) {
		/* the last address of the prefix, and (IPv4 /24s) the one after the table */
		struct ipaddr a = r[i].prefix.addr;
		enum fib_nh_type want = i & 1 ? FIB_NH_FORWARD : FIB_NH_UNRESOLVED;
		if (a.family == 4 && r[i].prefix.len == 24)
			a.v4 |= rte_cpu_to_be_32(0xff);
		else if (a.family == 6)
			memset(a.v6 + 6, 0xff, 10);
		uint32_t nh = fib_route(f, &a);
		assert_true(nh < f->n_nexthops);
		if (f->nexthops[nh].type != want || f->nexthops[nh].port != 1)
			fail_msg("route %u: type %u port %u", i, f->nexthops[nh].type,
				f->nexthops[nh].port);
	}
	assert_null(nh_of(f, "10.255.255.255"));
	assert_null(nh_of(f, "12.134.160.0")); /* 11.0.0.0 + 100000 /24s */
	assert_null(nh_of(f, "100.1.134.160"));
	assert_null(nh_of(f, "2400:ff::1"));
	/* 4 nexthops from the routes (2 gateways), the rest from the ports and neighbours */
	assert_true(f->n_nexthops < 10);

	fib_free(f);
	config_free(cfg);
}

int main(void)
{
	char *eal_args[] = {"test_fib", "--no-huge", "-m", "1024", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_ecmp),
		cmocka_unit_test(test_route_check),
		cmocka_unit_test(test_bypass),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_many),
	};

	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "test_fib: rte_eal_init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
