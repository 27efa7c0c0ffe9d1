/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small JSON (RFC 8259) parser for mpgwctl.
 *
 * json_parse() builds a tree of struct json nodes. Strings are decoded (escapes resolved,
 * \uXXXX turned into UTF-8); numbers keep their source text, so a u64 counter is never rounded
 * through a double: convert with json_u64() where a value is needed. Nesting is limited to
 * JSON_MAX_DEPTH levels; malformed input yields NULL and an error message, never a crash.
 */
#ifndef MPGWCTL_JSON_H
#define MPGWCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 64 /* containers nested deeper than this are rejected */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	char *key;	    /* member name (decoded, NUL-terminated) inside an object, else NULL */
	size_t key_len;	    /* bytes in key, which may hold a NUL from \u0000 */
	char *str;	    /* JSON_STRING: decoded text; JSON_NUMBER: source text; else NULL */
	size_t len;	    /* bytes in str, not counting the terminating NUL */
	bool boolean;	    /* JSON_BOOL */
	size_t count;	    /* JSON_ARRAY, JSON_OBJECT: number of children */
	struct json *child; /* JSON_ARRAY, JSON_OBJECT: first child, in document order */
	struct json *next;  /* next sibling */
};

/*
 * Parse len bytes of text holding exactly one JSON value (surrounding whitespace allowed).
 * Returns the tree (free it with json_free) or NULL; on NULL, err (when err_len > 0) holds
 * a message with the byte offset of the problem.
 */
struct json *json_parse(const char *text, size_t len, char *err, size_t err_len);

/* Free a tree returned by json_parse. NULL is allowed. */
void json_free(struct json *v);

/* The first member of object obj named key, or NULL (also when obj is not an object). */
const struct json *json_get(const struct json *obj, const char *key);

/* True for null, booleans, numbers and strings. */
bool json_is_scalar(const struct json *v);

/*
 * Store the value of a number that is a non-negative integer without fraction or exponent and
 * fits in 64 bits. Returns 0, or -1 (out untouched) for anything else.
 */
int json_u64(const struct json *v, uint64_t *out);

/* Write v as compact JSON (no whitespace); object members keep their order. */
void json_write(FILE *f, const struct json *v);

/* Name of a type, for messages: "null", "boolean", "number", "string", "array", "object". */
const char *json_type_name(enum json_type type);

#endif /* MPGWCTL_JSON_H */
