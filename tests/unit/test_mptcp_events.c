/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MPTCP path manager's handling of the kernel's events (lib/mptcp/mptcp_pm_events.c),
 * fed datagrams of generic netlink events made here, without a socket
 * (mptcp_pm_test_events()): the connection table telemetry shows, and the subflow table
 * the workers read, after each. EAL with --no-huge: the subflow table is in its memory.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>

#include <rte_eal.h>

#include "mptcp_pm.h"
#include "mptcp_pm_test.h"
#include "mptcp_sf.h"

#define FAMILY 0x1d /* the kernel's choice at run time; any will do here */
#define TOKEN  0x5eed1234u

static uint8_t dgram[8192];
static size_t dgram_len;

/* One subflow of an event: local (the gateway's) and remote address and port. */
struct sf {
	const char *laddr, *raddr;
	uint16_t lport, rport;
	uint8_t loc_id;
	int addr_len; /* of the local address attribute: 4, or something else (malformed) */
};

static const struct sf initial = {"100.64.1.2", "203.0.113.10", 40000, 1100, 0, 4};
static const struct sf second = {"100.64.2.2", "203.0.113.10", 40001, 1100, 1, 4};

/* Append an event of cmd for token (0: none) with sf's attributes (NULL: none). */
static void event(uint8_t cmd, uint32_t token, const struct sf *sf, uint16_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dgram + dgram_len);
	nlh->nlmsg_type = family;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = MPTCP_PM_VER;
	if (token != 0)
		mnl_attr_put_u32(nlh, MPTCP_ATTR_TOKEN, token);
	if (sf != NULL) {
		struct in_addr l, r;
		assert_int_equal(inet_pton(AF_INET, sf->laddr, &l), 1);
		assert_int_equal(inet_pton(AF_INET, sf->raddr, &r), 1);
		mnl_attr_put_u16(nlh, MPTCP_ATTR_FAMILY, AF_INET);
		mnl_attr_put(nlh, MPTCP_ATTR_SADDR4, (size_t)sf->addr_len, &l);
		mnl_attr_put(nlh, MPTCP_ATTR_DADDR4, 4, &r);
		mnl_attr_put_u16(nlh, MPTCP_ATTR_SPORT, htons(sf->lport));
		mnl_attr_put_u16(nlh, MPTCP_ATTR_DPORT, htons(sf->rport));
		mnl_attr_put_u8(nlh, MPTCP_ATTR_LOC_ID, sf->loc_id);
		mnl_attr_put_u8(nlh, MPTCP_ATTR_REM_ID, 0);
	}
	if (cmd == MPTCP_EVENT_CREATED)
		mnl_attr_put_u8(nlh, MPTCP_ATTR_SERVER_SIDE, 0);
	dgram_len += NLMSG_ALIGN(nlh->nlmsg_len);
	assert_true(dgram_len < sizeof(dgram) - 512);
}

/* The datagram so far through the event parser (from an empty table), then a new one. */
static void deliver(void)
{
	mptcp_pm_test_events(dgram, dgram_len, FAMILY);
	dgram_len = 0;
}

static unsigned int connections(struct mptcp_conn_info *out, unsigned int *subflows)
{
	return mptcp_pm_connections(out, 4, subflows);
}

/* Is sf in the subflow table the workers read? */
static bool in_data_path(const struct sf *sf)
{
	const struct mptcp_sf_table *t = __atomic_load_n(&mptcp_sf_live, __ATOMIC_ACQUIRE);
	struct mptcp_sf_key k = {.family = 4, .lport = htons(sf->lport), .rport = htons(sf->rport)};

	if (t == NULL)
		return false;
	assert_int_equal(inet_pton(AF_INET, sf->laddr, k.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, sf->raddr, k.raddr), 1);
	return mptcp_sf_find(t, &k) >= 0;
}

static void test_connection_and_subflows(void **state)
{
	struct mptcp_conn_info c[4];
	unsigned int n_sf;

	(void)state;
	event(MPTCP_EVENT_CREATED, TOKEN, &initial, FAMILY);
	event(MPTCP_EVENT_ESTABLISHED, TOKEN, &initial, FAMILY);
	event(MPTCP_EVENT_SUB_ESTABLISHED, TOKEN, &second, FAMILY);
	deliver();
	assert_int_equal(connections(c, &n_sf), 1);
	assert_int_equal(n_sf, 2);
	assert_int_equal(c[0].token, TOKEN);
	assert_true(c[0].established);
	assert_false(c[0].server_side);
	assert_int_equal(c[0].n_subflows, 2);
	assert_int_equal(c[0].sf[0].lport, initial.lport);
	assert_int_equal(c[0].sf[1].lport, second.lport);
	assert_int_equal(c[0].sf[1].loc_id, 1);
	assert_true(in_data_path(&initial));
	assert_true(in_data_path(&second));
}

static void test_subflow_and_connection_closed(void **state)
{
	struct mptcp_conn_info c[4];
	unsigned int n_sf;

	(void)state;
	event(MPTCP_EVENT_CREATED, TOKEN, &initial, FAMILY);
	event(MPTCP_EVENT_SUB_ESTABLISHED, TOKEN, &second, FAMILY);
	event(MPTCP_EVENT_SUB_CLOSED, TOKEN, &second, FAMILY);
	deliver();
	assert_int_equal(connections(c, &n_sf), 1);
	assert_int_equal(n_sf, 1);
	assert_true(in_data_path(&initial));
	assert_false(in_data_path(&second));

	event(MPTCP_EVENT_CREATED, TOKEN, &initial, FAMILY);
	event(MPTCP_EVENT_CLOSED, TOKEN, NULL, FAMILY);
	deliver();
	assert_int_equal(connections(c, &n_sf), 0);
	assert_int_equal(n_sf, 0);
	assert_false(in_data_path(&initial));
}

/* What is not an event of a connection changes nothing; a malformed subflow is not taken. */
static void test_ignored(void **state)
{
	struct mptcp_conn_info c[4];
	unsigned int n_sf;
	struct sf bad = second;

	(void)state;
	bad.addr_len = 3;
	event(MPTCP_EVENT_CREATED, TOKEN, &initial, FAMILY + 1);    /* another family */
	event(MPTCP_EVENT_CREATED, 0, &initial, FAMILY);	    /* no token: a listener's */
	event(MPTCP_EVENT_SUB_ESTABLISHED, TOKEN, &second, FAMILY); /* no such connection */
	deliver();
	assert_int_equal(connections(c, &n_sf), 0);

	event(MPTCP_EVENT_CREATED, TOKEN, &initial, FAMILY);
	event(MPTCP_EVENT_SUB_ESTABLISHED, TOKEN, &bad, FAMILY); /* a 3-byte address */
	deliver();
	assert_int_equal(connections(c, &n_sf), 1);
	assert_int_equal(n_sf, 1);
	assert_true(in_data_path(&initial));
	assert_false(in_data_path(&second));
}

int main(void)
{
	char *eal_args[] = {"test_mptcp_events", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connection_and_subflows),
		cmocka_unit_test(test_subflow_and_connection_closed),
		cmocka_unit_test(test_ignored),
	};

	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "test_mptcp_events: rte_eal_init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
