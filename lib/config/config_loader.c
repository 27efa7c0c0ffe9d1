/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helpers every section parser of lib/config shares (config_loader.h): error messages
 * with the file, line, section and key; numbers, yes/no, words, repeated keys; port
 * references. They use nothing of the parsers, which use them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "config.h"
#include "config_loader.h"

char *cfg_strip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Line of the nth (0-based) occurrence of key in section; of the section header if key is
 * NULL; 0 if unknown. */
int cfg_line_of(const struct loader *L, const char *section, const char *key, int nth)
{
	for (unsigned int i = 0; i < L->n_recs; i++) {
		const struct line_rec *r = &L->recs[i];
		if (strcmp(r->section, section) != 0)
			continue;
		if (key == NULL ? r->key[0] == '\0' : strcmp(r->key, key) == 0) {
			if (nth-- == 0)
				return r->line;
		}
	}
	return 0;
}

int cfg_fail_at(
	struct loader *L, int line, const char *section, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key != NULL)
		snprintf(L->err, L->errlen, "%s:%d: [%s] %s: %s", L->path, line, section, key, msg);
	else if (section != NULL)
		snprintf(L->err, L->errlen, "%s:%d: [%s]: %s", L->path, line, section, msg);
	else
		snprintf(L->err, L->errlen, "%s:%d: %s", L->path, line, msg);
	return -1;
}

int cfg_parse_uint(struct loader *L, const char *section, const char *key, int nth,
	const char *value, unsigned long min, unsigned long max, unsigned int *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);

	/* Decimal digits only: no sign, no 0x, and no leading 0 read as octal. */
	if (value[0] == '\0' || strspn(value, "0123456789") != strlen(value) || errno != 0)
		return fail(L, section, key, nth, "'%s' is not a number", value);
	if (v < min || v > max)
		return fail(L, section, key, nth, "%lu is out of range [%lu, %lu]", v, min, max);
	*out = v;
	return 0;
}

int cfg_parse_yes_no(
	struct loader *L, const char *section, const char *key, const char *value, bool *out)
{
	if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
		return fail(L, section, key, 0, "'%s' is not yes or no", value);
	*out = strcmp(value, "yes") == 0;
	return 0;
}

/* Split `value` into at most max words on whitespace, in place. */
int cfg_split_words(char *value, char **words, int max)
{
	int n = 0;
	char *save, *w;

	for (w = strtok_r(value, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

/* Keys other than the listed repeatable ones may appear once per section. */
/* Is word one of the space-separated words of list? */
static bool in_list(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ' ');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

int cfg_check_repeats(struct loader *L, const char *sec, const struct rte_cfgfile_entry *e, int n,
	const char *repeatable)
{
	for (int i = 0; i < n; i++) {
		if (in_list(repeatable, e[i].name))
			continue;
		for (int j = 0; j < i; j++)
			if (strcmp(e[i].name, e[j].name) == 0)
				return fail(L, sec, e[i].name, 1, "given twice (first at line %d)",
					cfg_line_of(L, sec, e[i].name, 0));
	}
	return 0;
}

int cfg_parse_port_ref(struct loader *L, const struct mpgw_config *cfg, const char *sec,
	const char *key, int nth, char **words, int n, int i, int *port)
{
	if (i + 2 != n || strcmp(words[i], "port") != 0)
		return fail(L, sec, key, nth, "expected 'port NAME' after '%s'", words[i - 1]);
	*port = config_port_index(cfg, words[i + 1]);
	if (*port < 0)
		return fail(L, sec, key, nth, "no port named '%s'", words[i + 1]);
	return 0;
}
