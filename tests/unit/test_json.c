/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for mpgwctl's JSON parser (app/mpgwctl/json.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static struct json *parse(const char *text)
{
	char err[128];

	return json_parse(text, strlen(text), err, sizeof(err));
}

/* Compact re-serialisation, to compare whole trees at once. */
static char *dump(const struct json *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_write(f, v);
	fclose(f);
	return buf;
}

static void assert_roundtrip(const char *text, const char *expect)
{
	struct json *v = parse(text);
	char *out;

	assert_non_null(v);
	out = dump(v);
	assert_string_equal(out, expect);
	free(out);
	json_free(v);
}

static void assert_rejected(const char *text)
{
	char err[128];
	struct json *v = json_parse(text, strlen(text), err, sizeof(err));

	if (v != NULL)
		fail_msg("accepted malformed input: %s", text);
	assert_true(strlen(err) > 0);
}

static void test_scalars(void **state)
{
	(void)state;
	assert_roundtrip("null", "null");
	assert_roundtrip(" true ", "true");
	assert_roundtrip("\n\tfalse\r\n", "false");
	assert_roundtrip("0", "0");
	assert_roundtrip("-0", "-0");
	assert_roundtrip("-12.5e+3", "-12.5e+3");
	assert_roundtrip("1E9", "1E9");
	assert_roundtrip("\"\"", "\"\"");
	assert_roundtrip("\"lan0\"", "\"lan0\"");
}

static void test_ports_shape(void **state)
{
	const char *text = "{\"/mpgw/ports\": {\"lan0\": {\"port_id\": 0, \"device\": "
			   "\"net_pcap0\", \"link\": \"up\", \"rx_packets\": 1000}, \"wan0\": "
			   "{\"port_id\": 1, \"link\": \"down\"}}}";
	struct json *v = parse(text);
	const struct json *ports, *lan, *wan, *m;
	uint64_t x;

	(void)state;
	assert_non_null(v);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->count, 1);
	assert_string_equal(v->child->key, "/mpgw/ports");
	ports = json_get(v, "/mpgw/ports");
	assert_non_null(ports);
	assert_int_equal(ports->count, 2);
	lan = ports->child;
	wan = lan->next;
	assert_string_equal(lan->key, "lan0"); /* document order is kept */
	assert_string_equal(wan->key, "wan0");
	assert_null(wan->next);
	m = json_get(lan, "device");
	assert_non_null(m);
	assert_int_equal(m->type, JSON_STRING);
	assert_string_equal(m->str, "net_pcap0");
	assert_int_equal(json_u64(json_get(lan, "rx_packets"), &x), 0);
	assert_int_equal(x, 1000);
	assert_null(json_get(wan, "device"));
	assert_null(json_get(m, "device")); /* not an object */
	assert_null(json_get(NULL, "device"));
	json_free(v);
}

static void test_u64(void **state)
{
	struct json *v;
	uint64_t x = 42;

	(void)state;
	v = parse("18446744073709551615");
	assert_int_equal(json_u64(v, &x), 0);
	assert_true(x == UINT64_MAX);
	json_free(v);

	v = parse("[18446744073709551616, -1, 1.5, 1e3, \"7\", null, 0]");
	assert_non_null(v);
	assert_int_equal(v->count, 7);
	x = 42;
	for (const struct json *e = v->child; e->next != NULL; e = e->next)
		assert_int_equal(json_u64(e, &x), -1);
	assert_true(x == 42); /* untouched on failure */
	for (const struct json *e = v->child; e != NULL; e = e->next)
		if (e->next == NULL)
			assert_int_equal(json_u64(e, &x), 0);
	assert_true(x == 0);
	json_free(v);
	assert_int_equal(json_u64(NULL, &x), -1);
}

static void test_strings(void **state)
{
	struct json *v;

	(void)state;
	v = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
	assert_non_null(v);
	assert_string_equal(v->str, "a\"b\\c/d\b\f\n\r\t");
	json_free(v);

	v = parse("\"\\u00e9\\u20AC\\ud83d\\ude00\"");
	assert_non_null(v);
	assert_string_equal(v->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_int_equal(v->len, 9);
	json_free(v);

	v = parse("\"a\\u0000b\""); /* embedded NUL: kept, with its length */
	assert_non_null(v);
	assert_int_equal(v->len, 3);
	assert_memory_equal(v->str, "a\0b", 3);
	json_free(v);

	v = parse("\"caf\xc3\xa9\""); /* raw UTF-8 passes through */
	assert_non_null(v);
	assert_string_equal(v->str, "caf\xc3\xa9");
	json_free(v);

	assert_roundtrip("\"q\\\"\\\\\\n\\u0001\"", "\"q\\\"\\\\\\n\\u0001\"");
	assert_roundtrip("{\"k\\\"ey\":1}", "{\"k\\\"ey\":1}");
}

static void test_containers(void **state)
{
	(void)state;
	assert_roundtrip("{}", "{}");
	assert_roundtrip("[ ]", "[]");
	assert_roundtrip(
		"[1, [2, [3, {}]], {\"a\": [true, null]}]", "[1,[2,[3,{}]],{\"a\":[true,null]}]");
	assert_roundtrip("{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"); /* duplicates kept */
	assert_roundtrip("{\"rx_drop\": 0, \"no_route\": 12345678901234}",
		"{\"rx_drop\":0,\"no_route\":12345678901234}");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"nul",
		"nulll",
		"True",
		"01",
		"-",
		"1.",
		".5",
		"1e",
		"1e+",
		"+1",
		"0x10",
		"\"abc",
		"\"abc\\\"",
		"\"\\x\"",
		"\"\\u12\"",
		"\"\\u12g4\"",
		"\"\\ud83d\"",
		"\"\\ud83d\\u0041\"",
		"\"\\ude00\"",
		"\"tab\there\"",
		"[",
		"[1",
		"[1,",
		"[1,]",
		"[,1]",
		"[1 2]",
		"{",
		"{\"a\"",
		"{\"a\":",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{a:1}",
		"{1:1}",
		"{\"a\":1]",
		"[1}",
		"{} {}",
		"1 2",
		"\"x\"y",
	};
	char err[8];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_rejected(bad[i]);

	/* NUL bytes in the input are not JSON. */
	assert_null(json_parse("[1,\0 2]", 7, err, sizeof(err)));
	assert_null(json_parse("\"a\0b\"", 5, err, sizeof(err)));
	/* A short or absent error buffer is fine. */
	assert_null(json_parse("[", 1, err, sizeof(err)));
	assert_true(strlen(err) < sizeof(err));
	assert_null(json_parse("[", 1, NULL, 0));
	assert_null(json_parse(NULL, 0, NULL, 0));
}

/* Truncating a valid document at every length never crashes and only the full text parses. */
static void test_truncated(void **state)
{
	const char *text = "{\"/mpgw/drops\": {\"no_route\": 3, \"ttl\\u0041\": [1.5e3, true, "
			   "null, \"\\ud83d\\ude00\"], \"x\": {}}}";
	size_t len = strlen(text);
	struct json *v_full;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		char *copy = malloc(n ? n : 1); /* exact size, so ASan sees over-reads */
		struct json *v;

		assert_non_null(copy);
		memcpy(copy, text, n);
		v = json_parse(copy, n, NULL, 0);
		assert_null(v);
		free(copy);
	}
	v_full = parse(text);
	assert_non_null(v_full);
	json_free(v_full);
}

static char *nested(size_t depth, char open, char close)
{
	char *s = malloc(2 * depth + 2);

	assert_non_null(s);
	for (size_t i = 0; i < depth; i++) {
		s[i] = open;
		s[2 * depth - i] = close;
	}
	s[depth] = '1';
	s[2 * depth + 1] = '\0';
	return s;
}

static void test_depth(void **state)
{
	char *ok = nested(JSON_MAX_DEPTH, '[', ']');
	char *deep = nested(JSON_MAX_DEPTH + 1, '[', ']');
	char *huge = nested(100000, '[', ']');
	struct json *v;

	(void)state;
	v = parse(ok);
	assert_non_null(v);
	json_free(v);
	assert_null(parse(deep));
	assert_null(parse(huge));
	free(ok);
	free(deep);
	free(huge);
}

static void test_free_null(void **state)
{
	struct json *v = parse("[\"s\", {}]");

	(void)state;
	json_free(NULL);
	assert_non_null(v);
	assert_true(json_is_scalar(v->child));
	assert_false(json_is_scalar(v->child->next));
	assert_false(json_is_scalar(NULL));
	assert_string_equal(json_type_name(v->child->next->type), "object");
	json_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_ports_shape),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
