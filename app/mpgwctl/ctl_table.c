/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aligned text tables for mpgwctl's printers: rows of cells from JSON values, columns as
 * wide as their widest cell.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"
#include "mpgwctl.h"

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(EXIT_RUNTIME);
	}
	return p;
}

char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

void table_init(struct table *t, size_t n_cols)
{
	memset(t, 0, sizeof(*t));
	t->n_cols = n_cols;
	t->text = xrealloc(NULL, n_cols * sizeof(*t->text));
	t->num = xrealloc(NULL, n_cols * sizeof(*t->num));
	memset(t->text, 0, n_cols * sizeof(*t->text));
	memset(t->num, 0, n_cols * sizeof(*t->num));
}

/* Append an empty row; returns its cells, all NULL (printed as "-") until set. */
char **table_add_row(struct table *t)
{
	char **row;

	if (t->n_rows == t->cap_rows) {
		t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 16;
		t->cells = xrealloc(t->cells, t->cap_rows * t->n_cols * sizeof(*t->cells));
	}
	row = &t->cells[t->n_rows++ * t->n_cols];
	memset(row, 0, t->n_cols * sizeof(*row));
	return row;
}

/* Copy s for display, replacing control characters so they cannot upset the terminal. */
static char *display_copy(const char *s, size_t len)
{
	char *d = xrealloc(NULL, len + 1);

	for (size_t i = 0; i < len; i++)
		d[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	d[len] = '\0';
	return d;
}

/* Text of a cell for value v (NULL: absent) in column col; notes the column's kind. */
char *cell_text(struct table *t, size_t col, const struct json *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (v == NULL || v->type == JSON_NULL)
		return xstrdup("-");
	if (v->type == JSON_NUMBER)
		t->num[col] = true;
	else
		t->text[col] = true;
	switch (v->type) {
	case JSON_BOOL:
		return xstrdup(v->boolean ? "true" : "false");
	case JSON_NUMBER:
	case JSON_STRING:
		return display_copy(v->str, v->len);
	default:
		f = open_memstream(&buf, &len);
		if (f == NULL)
			return xstrdup("?");
		json_write(f, v);
		fclose(f);
		return buf;
	}
}

void table_print(struct table *t)
{
	size_t *width = xrealloc(NULL, t->n_cols * sizeof(*width));

	for (size_t c = 0; c < t->n_cols; c++) {
		width[c] = 0;
		for (size_t r = 0; r < t->n_rows; r++) {
			const char *s = t->cells[r * t->n_cols + c];
			size_t n = s ? strlen(s) : 1;

			if (n > width[c])
				width[c] = n;
		}
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			const char *s = t->cells[r * t->n_cols + c];
			bool last = c + 1 == t->n_cols;

			if (s == NULL)
				s = "-";
			if (t->num[c] && !t->text[c])
				printf("%*s", (int)width[c], s);
			else if (last)
				fputs(s, stdout);
			else
				printf("%-*s", (int)width[c], s);
			if (!last)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	free(width);
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->text);
	free(t->num);
}

char *upper_copy(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

/* Row label: the member name of an object, or the index in an array. */
char *row_label(const struct json *row, size_t index)
{
	char buf[32];

	if (row->key != NULL)
		return display_copy(row->key, row->key_len);
	snprintf(buf, sizeof(buf), "%zu", index);
	return xstrdup(buf);
}
