/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration loader's refusals (lib/config): a valid file, changed one line at a
 * time, must be refused with exactly the message an operator reads, naming the file, the
 * line, the section and the key. No EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static const char base[] = "[mpgw]\n"
			   "idle_sleep_us = 100\n"
			   "[port lan0]\n"
			   "device = net_null0\n"
			   "mtu = 1500\n"
			   "address = 10.0.1.1/24\n"
			   "address = fd00:1::1/64\n"
			   "[port wan0]\n"
			   "device = net_null1\n"
			   "mtu = 1500\n"
			   "address = 10.0.2.1/24\n"
			   "[routes]\n"
			   "route = 198.51.100.0/24 via 10.0.2.2\n"
			   "[neighbours]\n"
			   "neighbour = 10.0.1.2 02:00:00:00:01:02\n";

/* A gateway's: uplinks, the VPS, the policy, the WAN edge's rules. */
static const char gateway[] = "[mpgw]\n"
			      "role = gateway\n"
			      "[port lan0]\n"
			      "device = net_null0\n"
			      "address = 10.0.1.1/24\n"
			      "[port wan0]\n"
			      "device = net_null1\n"
			      "uplink = yes\n"
			      "address = 100.64.1.2/24\n"
			      "gateway = 100.64.1.1\n"
			      "[vps]\n"
			      "address = 203.0.113.10\n"
			      "[policy]\n"
			      "tcp4 = tunnel\n"
			      "[inbound]\n"
			      "allow = tcp 10.0.1.2/32 22\n";

/* text with `from` replaced by `to` (NULL: removed; from NULL: to appended). */
static char *edit_of(const char *text, const char *from, const char *to)
{
	static char out[4096];
	const char *at = from != NULL ? strstr(text, from) : NULL;

	if (from == NULL) {
		snprintf(out, sizeof(out), "%s%s", text, to);
		return out;
	}
	assert_non_null(at);
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to != NULL ? to : "",
		at + strlen(from));
	return out;
}

/* Load text from a file; its error with the file's path replaced by "FILE". */
static const char *load_error(const char *text)
{
	static char err[512], shown[512];
	char path[] = "/tmp/mpgw-test-config-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	err[0] = '\0';
	struct mpgw_config *cfg = config_load(path, err, sizeof(err));
	unlink(path);
	if (cfg != NULL) {
		config_free(cfg);
		return "(accepted)";
	}
	size_t n = strlen(path);
	if (strncmp(err, path, n) == 0)
		snprintf(shown, sizeof(shown), "FILE%s", err + n);
	else
		snprintf(shown, sizeof(shown), "%s", err);
	return shown;
}

static void test_bases_are_valid(void **state)
{
	(void)state;
	assert_string_equal(load_error(base), "(accepted)");
	assert_string_equal(load_error(gateway), "(accepted)");
}

struct refusal {
	const char *from, *to; /* the edit of base (or of gateway) */
	const char *error;     /* what the loader says */
};

static const struct refusal refusals[] = {
	{"[mpgw]", "[mpgw", "FILE:1: malformed section header"},
	{"idle_sleep_us = 100", "colour = blue", "FILE:2: [mpgw] colour: unknown key"},
	{"idle_sleep_us = 100", "role = router",
		"FILE:2: [mpgw] role: 'router' is not gateway or vps"},
	{"idle_sleep_us = 100", "mbufs = 100",
		"FILE:2: [mpgw] mbufs: 100 is below 2048 (0 sizes the pool itself)"},
	{"idle_sleep_us = 100", "idle_sleep_us", "FILE:2: [mpgw]: expected KEY = VALUE"},
	{"[port wan0]", "[port lan0]", "FILE:8: [port lan0]: section repeated (first at line 3)"},
	{"[port wan0]", "[port]", "FILE:8: [port]: expected [port NAME]"},
	{"mtu = 1500\naddress = 10.0.1.1/24", "mtu = 15oo\naddress = 10.0.1.1/24",
		"FILE:5: [port lan0] mtu: '15oo' is not a number"},
	{"mtu = 1500\naddress = 10.0.2.1/24", "mtu = 67\naddress = 10.0.2.1/24",
		"FILE:10: [port wan0] mtu: 67 is out of range [68, 9600]"},
	{"mtu = 1500\naddress = 10.0.1.1/24", "mtu = 1279\naddress = 10.0.1.1/24",
		"FILE:5: [port lan0] mtu: 1279 is below 1280, the least a port with an IPv6 "
		"address may have"},
	{"address = 10.0.1.1/24", "address = 10.0.1.1/24x",
		"FILE:6: [port lan0] address: '10.0.1.1/24x' is not ADDRESS/LEN"},
	{"address = fd00:1::1/64", "address = fd00:1::1/129",
		"FILE:7: [port lan0] address: 'fd00:1::1/129' is not ADDRESS/LEN"},
	{"address = 10.0.2.1/24", "address = 10.0.2.1/24\nmss_clamp = 10",
		"FILE:12: [port wan0] mss_clamp: 10 is out of range [88, 65495]"},
	{"address = 10.0.2.1/24", "address = 10.0.2.1/24\nmac = 01:00:00:00:00:01",
		"FILE:12: [port wan0] mac: '01:00:00:00:00:01' is not a unicast MAC address"},
	{"device = net_null1\n", NULL, "FILE:8: [port wan0]: missing key 'device'"},
	{"device = net_null1", "device = net_null0",
		"FILE:9: [port wan0] device: device net_null0 is already port lan0"},
	{"route = 198.51.100.0/24 via 10.0.2.2", "route = 198.51.100.0/33 via 10.0.2.2",
		"FILE:13: [routes] route: '198.51.100.0/33' is not a prefix"},
	{"route = 198.51.100.0/24 via 10.0.2.2", "route = 198.51.100.0/24 via gateway",
		"FILE:13: [routes] route: 'gateway' is not an address"},
	{"route = 198.51.100.0/24 via 10.0.2.2", "route = 198.51.100.0/24 via 10.9.9.9",
		"FILE:13: [routes] route: gateway 10.9.9.9 is on no port's subnet: add 'port "
		"NAME'"},
	{"neighbour = 10.0.1.2 02:00:00:00:01:02", "neighbour = 10.0.1.2",
		"FILE:15: [neighbours] neighbour: expected 'ADDRESS MAC [port NAME]'"},
	{"neighbour = 10.0.1.2 02:00:00:00:01:02", "neighbour = 10.9.9.9 02:00:00:00:01:02",
		"FILE:15: [neighbours] neighbour: 10.9.9.9 is on no port's subnet: add 'port "
		"NAME'"},
	{NULL, "neighbour = 10.0.1.2 02:00:00:00:01:03\n",
		"FILE:16: [neighbours] neighbour: 10.0.1.2 is already a neighbour (line 15)"},
	{NULL, "[colours]\nred = yes\n", "FILE:16: [colours]: unknown section"},
};

static const struct refusal gateway_refusals[] = {
	{"role = gateway", "role = gateway\ntwins = maybe",
		"FILE:3: [mpgw] twins: 'maybe' is not yes or no"},
	{"uplink = yes", "uplink = maybe", "FILE:8: [port wan0] uplink: 'maybe' is not yes or no"},
	{"gateway = 100.64.1.1", "gateway = 100.64.9.1",
		"FILE:10: [port wan0] gateway: 100.64.9.1 is not on this port's subnets"},
	{"gateway = 100.64.1.1", "gateway = 100.64.1.1\ngateway = 100.64.1.3",
		"FILE:11: [port wan0] gateway: a second IPv4 gateway"},
	{"address = 203.0.113.10", "address = 203.0.113.x",
		"FILE:12: [vps] address: '203.0.113.x' is not an address"},
	{"tcp4 = tunnel", "tcp4 = teleport",
		"FILE:14: [policy] tcp4: 'teleport' is not relay, tunnel, direct or drop"},
	{"tcp4 = tunnel", "sctp = tunnel", "FILE:14: [policy] sctp: unknown key"},
	{"allow = tcp 10.0.1.2/32 22", "allow = tcp 10.0.1.2/32 23-22",
		"FILE:16: [inbound] allow: port range 23-22 runs backwards"},
	{"allow = tcp 10.0.1.2/32 22", "allow = icmp 10.0.1.2/32 22",
		"FILE:16: [inbound] allow: ports are for tcp and udp only"},
	{"allow = tcp 10.0.1.2/32 22", "allow = icmp6 10.0.1.2/32",
		"FILE:16: [inbound] allow: 'icmp6' is not tcp, udp, icmp, icmpv6, gre or esp"},
	{"allow = tcp 10.0.1.2/32 22", "allow = tcp",
		"FILE:16: [inbound] allow: expected 'PROTOCOL PREFIX [PORT[-PORT]]'"},
	{NULL, "[uplinks]\nprobe_interval_ms = 20000\n",
		"FILE:18: [uplinks] probe_interval_ms: 20000 is out of range [0, 10000]"},
	{NULL, "[relay]\nport = 1100\n",
		"FILE:18: [relay] port: the relay needs the kernel twins ([mpgw] twins = yes): its "
		"proxy runs in the kernel"},
};

/* Each of n refusals of text, as expected; what differs printed. */
static void check_refusals(const char *text, const struct refusal *refusals, size_t n)
{
	unsigned int bad = 0;

	for (size_t i = 0; i < n; i++) {
		const struct refusal *r = &refusals[i];
		const char *got = load_error(edit_of(text, r->from, r->to));
		if (strcmp(got, r->error) != 0) {
			printf("case %zu (%s -> %s):\n  expected: %s\n  got:      %s\n", i,
				r->from != NULL ? r->from : "(end)",
				r->to != NULL ? r->to : "(removed)", r->error, got);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_refusals(void **state)
{
	(void)state;
	check_refusals(base, refusals, sizeof(refusals) / sizeof(refusals[0]));
}

static void test_gateway_refusals(void **state)
{
	(void)state;
	check_refusals(
		gateway, gateway_refusals, sizeof(gateway_refusals) / sizeof(gateway_refusals[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bases_are_valid),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_gateway_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
