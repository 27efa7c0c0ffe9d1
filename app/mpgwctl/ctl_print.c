/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The printers of mpgwctl: a reply's value as a table of its rows (print_columns), of
 * any object (print_generic), as a listing or as counters.
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

static bool all_children_are(const struct json *v, enum json_type type)
{
	for (const struct json *c = v->child; c != NULL; c = c->next)
		if (c->type != type)
			return false;
	return true;
}

/*
 * Any value: an object (or array) of objects is a table with one row per member and the union
 * of the inner keys as columns; an object of anything else is a NAME VALUE table; a scalar is
 * printed alone.
 */
int print_generic(const struct command *cmd, const struct json *v, const struct options *opt)
{
	struct table t;
	const char **keys = NULL;
	size_t n_keys = 0, index = 0;

	(void)cmd;
	(void)opt;
	if (json_is_scalar(v)) {
		struct table one;

		table_init(&one, 1);
		table_add_row(&one)[0] = cell_text(&one, 0, v);
		puts(one.cells[0]);
		table_free(&one);
		return 0;
	}
	if (v->count > 0 && all_children_are(v, JSON_OBJECT)) {
		/* Columns: union of the inner keys, in order of first appearance. */
		for (const struct json *row = v->child; row != NULL; row = row->next) {
			for (const struct json *m = row->child; m != NULL; m = m->next) {
				size_t k;

				for (k = 0; k < n_keys; k++)
					if (strcmp(keys[k], m->key) == 0)
						break;
				if (k == n_keys) {
					keys = xrealloc(keys, (n_keys + 1) * sizeof(*keys));
					keys[n_keys++] = m->key;
				}
			}
		}
		table_init(&t, n_keys + 1);
		char **hdr = table_add_row(&t);

		hdr[0] = xstrdup(v->type == JSON_ARRAY ? "INDEX" : "NAME");
		for (size_t k = 0; k < n_keys; k++)
			hdr[k + 1] = upper_copy(keys[k]);
		for (const struct json *row = v->child; row != NULL; row = row->next) {
			char **cells = table_add_row(&t);

			cells[0] = row_label(row, index++);
			for (size_t k = 0; k < n_keys; k++)
				cells[k + 1] = cell_text(&t, k + 1, json_get(row, keys[k]));
		}
		t.text[0] = true;
		free(keys);
	} else {
		table_init(&t, 2);
		char **hdr = table_add_row(&t);

		hdr[0] = xstrdup(v->type == JSON_ARRAY ? "INDEX" : "NAME");
		hdr[1] = xstrdup("VALUE");
		for (const struct json *row = v->child; row != NULL; row = row->next) {
			char **cells = table_add_row(&t);

			cells[0] = row_label(row, index++);
			cells[1] = cell_text(&t, 1, row);
		}
		t.text[0] = true;
	}
	table_print(&t);
	table_free(&t);
	return 0;
}

/* The members of object v that are objects, one row each, with the command's fixed
 * columns; unknown keys are ignored. */
static void print_rows(const struct command *cmd, const struct json *v, const struct options *opt)
{
	struct table t;
	size_t n = 0, c;
	char **cells;

	for (c = 0; c < cmd->n_columns; c++)
		n += !cmd->columns[c].wide || opt->wide;
	table_init(&t, n);
	cells = table_add_row(&t);
	for (c = 0, n = 0; c < cmd->n_columns; c++)
		if (!cmd->columns[c].wide || opt->wide)
			cells[n++] = xstrdup(cmd->columns[c].header);
	for (const struct json *row = v->child; row != NULL; row = row->next) {
		if (row->type != JSON_OBJECT)
			continue;
		cells = table_add_row(&t);
		for (c = 0, n = 0; c < cmd->n_columns; c++) {
			const struct column *col = &cmd->columns[c];

			if (col->wide && !opt->wide)
				continue;
			if (col->key == NULL) {
				cells[n] = row_label(row, 0);
				t.text[n] = true;
			} else {
				cells[n] = cell_text(&t, n, json_get(row, col->key));
			}
			n++;
		}
	}
	table_print(&t);
	table_free(&t);
}

/* An object of objects, shown with the command's fixed columns. */
int print_columns(const struct command *cmd, const struct json *v, const struct options *opt)
{
	if (v->type != JSON_OBJECT || !all_children_are(v, JSON_OBJECT))
		return print_generic(cmd, v, opt);
	print_rows(cmd, v, opt);
	return 0;
}

/* A listing the daemon may have cut to fit its reply: rows, then what was left out. */
int print_listing(const struct command *cmd, const struct json *v, const struct options *opt)
{
	uint64_t count, shown;

	if (v->type != JSON_OBJECT)
		return print_generic(cmd, v, opt);
	print_rows(cmd, v, opt);
	if (json_u64(json_get(v, "count"), &count) == 0 &&
		json_u64(json_get(v, "shown"), &shown) == 0 && shown < count)
		printf("(%llu of %llu shown: the daemon's reply holds no more)\n",
			(unsigned long long)shown, (unsigned long long)count);
	return 0;
}

struct counter {
	const struct json *member;
	uint64_t value;
};

static int counter_cmp(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->member->key, y->member->key);
}

/* An object of counters: largest first, then by name; zeros only with --all. */
int print_counters(const struct command *cmd, const struct json *v, const struct options *opt)
{
	struct counter *list;
	struct table t;
	size_t n = 0;
	char **cells;

	if (v->type != JSON_OBJECT || !all_children_are(v, JSON_NUMBER))
		return print_generic(cmd, v, opt);
	list = xrealloc(NULL, (v->count + 1) * sizeof(*list));
	for (const struct json *m = v->child; m != NULL; m = m->next) {
		if (json_u64(m, &list[n].value) != 0) {
			free(list);
			return print_generic(cmd, v, opt);
		}
		list[n].member = m;
		if (list[n].value != 0 || opt->all)
			n++;
	}
	if (n == 0 && v->count > 0) {
		printf("no non-zero counters (use '%s --all' to list them all)\n", cmd->name);
		free(list);
		return 0;
	}
	qsort(list, n, sizeof(*list), counter_cmp);
	table_init(&t, cmd->n_columns);
	cells = table_add_row(&t);
	cells[0] = xstrdup(cmd->columns[0].header);
	cells[1] = xstrdup(cmd->columns[1].header);
	t.text[0] = true;
	for (size_t i = 0; i < n; i++) {
		cells = table_add_row(&t);
		cells[0] = row_label(list[i].member, 0);
		cells[1] = cell_text(&t, 1, list[i].member);
	}
	table_print(&t);
	table_free(&t);
	free(list);
	return 0;
}
