/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for mpgwctl's JSON parser (app/mpgwctl/json.c): the input is the text
 * of a telemetry reply. Malformed text must give NULL and a message; accepted text must
 * survive a round trip: what json_write() prints parses again and prints the same.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const struct json *v, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	json_write(f, v);
	if (fclose(f) != 0)
		abort();
	return buf;
}

/* Walk the tree the way mpgwctl reads it: members by name, numbers as u64. */
static void walk(const struct json *v, unsigned int depth)
{
	uint64_t u;

	CHECK(depth <= JSON_MAX_DEPTH + 1);
	CHECK(strcmp(json_type_name(v->type), "?") != 0);
	if (v->type == JSON_NUMBER || v->type == JSON_STRING)
		CHECK(v->str != NULL && v->str[v->len] == '\0');
	if (json_u64(v, &u) == 0)
		CHECK(v->type == JSON_NUMBER);
	if (v->type != JSON_ARRAY && v->type != JSON_OBJECT) {
		CHECK(json_is_scalar(v) && v->child == NULL);
		return;
	}
	size_t n = 0;
	for (const struct json *c = v->child; c != NULL; c = c->next, n++) {
		if (v->type == JSON_OBJECT) {
			CHECK(c->key != NULL && c->key[c->key_len] == '\0');
			/* json_get finds the first member of that name (one without a NUL). */
			if (strlen(c->key) == c->key_len) {
				const struct json *g = json_get(v, c->key);
				CHECK(g != NULL && g->key_len == c->key_len);
			}
		} else {
			CHECK(c->key == NULL);
		}
		walk(c, depth + 1);
	}
	CHECK(n == v->count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	struct json *v, *again;
	char *out, *out2;
	size_t len, len2;

	err[0] = '\0';
	v = json_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		CHECK(err[0] != '\0');
		return 0;
	}
	walk(v, 0);
	out = dump(v, &len);
	json_free(v);

	again = json_parse(out, len, err, sizeof(err));
	CHECK(again != NULL);
	out2 = dump(again, &len2);
	json_free(again);
	CHECK(len == len2 && memcmp(out, out2, len) == 0);
	free(out);
	free(out2);
	return 0;
}
