/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recursive-descent JSON parser. The recursion is bounded by JSON_MAX_DEPTH, every read is
 * checked against the end of the input, and every allocation failure unwinds cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *start; /* first byte of the input, for error offsets */
	const char *p;	   /* next byte to read */
	const char *end;   /* one past the last byte */
	char *err;
	size_t err_len;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed && ps->err_len > 0)
		snprintf(ps->err, ps->err_len, "%s at offset %zu", what,
			(size_t)(ps->p - ps->start));
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
		(*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Consume the literal word (true, false, null) if the input starts with it. */
static bool eat_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the 4 hex digits of a \u escape (ps->p just past the 'u'). Returns -1 if malformed. */
static long read_hex4(struct parser *ps)
{
	long v = 0;

	if (ps->end - ps->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(ps->p[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	ps->p += 4;
	return v;
}

static char *put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * Parse a string (ps->p on the opening quote) into a new NUL-terminated buffer. Decoding never
 * makes the text longer (an escape of n bytes yields at most n bytes), so the raw length up
 * to the closing quote bounds the buffer.
 */
static char *parse_string(struct parser *ps, size_t *len)
{
	const char *q = ps->p + 1;
	char *buf, *o;

	while (q < ps->end && *q != '"') {
		if (*q == '\\' && ps->end - q > 1)
			q++;
		q++;
	}
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	buf = malloc((size_t)(q - ps->p));
	if (buf == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	o = buf;
	ps->p++;
	for (;;) {
		unsigned char c = (unsigned char)*ps->p;
		long cp, lo;

		if (c == '"')
			break;
		if (c < 0x20) {
			fail(ps, "control character in string");
			goto err;
		}
		ps->p++;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		switch (*ps->p++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			cp = read_hex4(ps);
			if (cp < 0) {
				fail(ps, "bad \\u escape");
				goto err;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, "unpaired low surrogate");
				goto err;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					fail(ps, "unpaired high surrogate");
					goto err;
				}
				ps->p += 2;
				lo = read_hex4(ps);
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "bad low surrogate");
					goto err;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o = put_utf8(o, (unsigned long)cp);
			break;
		default:
			ps->p--;
			fail(ps, "bad escape in string");
			goto err;
		}
	}
	ps->p++; /* closing quote */
	*o = '\0';
	*len = (size_t)(o - buf);
	return buf;
err:
	free(buf);
	return NULL;
}

static bool is_digit(const struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; the text is kept as is. */
static bool parse_number(struct parser *ps, struct json *v)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (!is_digit(ps))
		goto bad;
	if (*ps->p++ != '0')
		while (is_digit(ps))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!is_digit(ps))
			goto bad;
		while (is_digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!is_digit(ps))
			goto bad;
		while (is_digit(ps))
			ps->p++;
	}
	v->len = (size_t)(ps->p - s);
	v->str = malloc(v->len + 1);
	if (v->str == NULL) {
		fail(ps, "out of memory");
		return false;
	}
	memcpy(v->str, s, v->len);
	v->str[v->len] = '\0';
	return true;
bad:
	fail(ps, "malformed number");
	return false;
}

static struct json *parse_value(struct parser *ps, int depth);

/* Parse the elements of an array or the members of an object (ps->p on '[' or '{'). */
static bool parse_container(struct parser *ps, struct json *v, int depth)
{
	const char close = v->type == JSON_ARRAY ? ']' : '}';
	struct json **tail = &v->child;

	if (depth >= JSON_MAX_DEPTH) {
		fail(ps, "nesting too deep");
		return false;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		size_t key_len = 0;
		struct json *elem;

		if (v->type == JSON_OBJECT) {
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected member name");
				return false;
			}
			key = parse_string(ps, &key_len);
			if (key == NULL)
				return false;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				return false;
			}
			ps->p++;
		}
		elem = parse_value(ps, depth + 1);
		if (elem == NULL) {
			free(key);
			return false;
		}
		elem->key = key;
		elem->key_len = key_len;
		*tail = elem;
		tail = &elem->next;
		v->count++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		fail(ps, v->type == JSON_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
		return false;
	}
}

static struct json *parse_value(struct parser *ps, int depth)
{
	struct json *v;
	bool ok = true;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of input");
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		v->type = JSON_OBJECT;
		ok = parse_container(ps, v, depth);
		break;
	case '[':
		v->type = JSON_ARRAY;
		ok = parse_container(ps, v, depth);
		break;
	case '"':
		v->type = JSON_STRING;
		v->str = parse_string(ps, &v->len);
		ok = v->str != NULL;
		break;
	case 't':
	case 'f':
		v->type = JSON_BOOL;
		v->boolean = *ps->p == 't';
		ok = eat_word(ps, v->boolean ? "true" : "false");
		if (!ok)
			fail(ps, "unexpected word");
		break;
	case 'n':
		v->type = JSON_NULL;
		ok = eat_word(ps, "null");
		if (!ok)
			fail(ps, "unexpected word");
		break;
	default:
		if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9')) {
			fail(ps, "unexpected character");
			ok = false;
			break;
		}
		v->type = JSON_NUMBER;
		ok = parse_number(ps, v);
		break;
	}
	if (!ok) {
		json_free(v);
		return NULL;
	}
	return v;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t err_len)
{
	struct parser ps = {
		.start = text, .p = text, .end = text + len, .err = err, .err_len = err_len};
	struct json *v;

	if (err_len > 0)
		err[0] = '\0';
	if (text == NULL) {
		fail(&ps, "no input");
		return NULL;
	}
	v = parse_value(&ps, 0);
	if (v == NULL)
		return NULL;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the value");
		json_free(v);
		return NULL;
	}
	return v;
}

void json_free(struct json *v)
{
	while (v != NULL) {
		struct json *next = v->next;

		json_free(v->child); /* depth is bounded by JSON_MAX_DEPTH */
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

const struct json *json_get(const struct json *obj, const char *key)
{
	size_t n = strlen(key);

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = obj->child; m != NULL; m = m->next)
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return m;
	return NULL;
}

bool json_is_scalar(const struct json *v)
{
	return v != NULL && v->type != JSON_ARRAY && v->type != JSON_OBJECT;
}

int json_u64(const struct json *v, uint64_t *out)
{
	uint64_t x = 0;

	if (v == NULL || v->type != JSON_NUMBER || v->len == 0)
		return -1;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->str[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static void write_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_write(FILE *f, const struct json *v)
{
	const struct json *c;

	if (v == NULL) {
		fputs("null", f);
		return;
	}
	switch (v->type) {
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_BOOL:
		fputs(v->boolean ? "true" : "false", f);
		break;
	case JSON_NUMBER:
		fwrite(v->str, 1, v->len, f);
		break;
	case JSON_STRING:
		write_string(f, v->str, v->len);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		fputc(v->type == JSON_ARRAY ? '[' : '{', f);
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				fputc(',', f);
			if (v->type == JSON_OBJECT) {
				write_string(f, c->key, c->key_len);
				fputc(':', f);
			}
			json_write(f, c);
		}
		fputc(v->type == JSON_ARRAY ? ']' : '}', f);
		break;
	}
}

const char *json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "?";
}
