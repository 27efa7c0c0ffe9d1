/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgwctl's parts (app/mpgwctl): the command table (ctl_commands.c), the printers of
 * replies (ctl_print.c) and the tables they draw (ctl_table.c), the telemetry socket
 * (ctl_socket.c), and main (mpgwctl.c).
 */
#ifndef MPGWCTL_H
#define MPGWCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"

#define PROG		"mpgwctl"
#define DEFAULT_PREFIX	"rte"
#define SOCKET_NAME	"dpdk_telemetry.v2"
#define MIN_REPLY_BUF	(64 * 1024)
#define MAX_REPLY_BUF	(16 * 1024 * 1024)
#define MAX_REQUEST_LEN 1023 /* the server reads requests into a 1024-byte buffer */
#define REPLY_TIMEOUT_S 5
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* Per-command options, as a mask of what a command accepts. */
#define CMD_OPT_ALL  (1u << 0) /* --all */
#define CMD_OPT_WIDE (1u << 1) /* --wide */

struct options {
	const char *prefix;
	bool json;
	bool all;
	bool wide;
};

/* A column of a dict-of-dicts table: key NULL means the row's outer key. */
struct column {
	const char *key;
	const char *header;
	bool wide; /* shown only with --wide */
};

struct command;
typedef int (*printer_fn)(
	const struct command *cmd, const struct json *value, const struct options *opt);

struct command {
	const char *name;
	const char *path; /* telemetry path; NULL: the command's argument is the path */
	const char *args; /* argument synopsis, for the usage text */
	const char *help;
	unsigned int opts; /* CMD_OPT_* it accepts */
	printer_fn print;  /* NULL: print the reply as received (raw) */
	const struct column *columns;
	size_t n_columns;
};

struct table {
	size_t n_cols;
	size_t n_rows; /* including the header row */
	size_t cap_rows;
	char **cells; /* n_rows * n_cols strings, row-major; row 0 is the header */
	bool *text;   /* per column: holds a non-numeric cell */
	bool *num;    /* per column: holds a number; right-aligned if it holds no text */
};

/* ctl_table.c: aligned tables */
char *cell_text(struct table *t, size_t col, const struct json *v);
char *row_label(const struct json *row, size_t index);
char **table_add_row(struct table *t);
void table_free(struct table *t);
void table_init(struct table *t, size_t n_cols);
void table_print(struct table *t);
char *upper_copy(const char *s);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ctl_print.c: the printers of replies */
int print_columns(const struct command *cmd, const struct json *v, const struct options *opt);
int print_counters(const struct command *cmd, const struct json *v, const struct options *opt);
int print_generic(const struct command *cmd, const struct json *v, const struct options *opt);
int print_listing(const struct command *cmd, const struct json *v, const struct options *opt);

/* ctl_commands.c: the commands and the usage text */
const struct command *find_command(const char *name);
void usage(FILE *f);
int usage_error(const char *fmt, const char *arg);

/* ctl_socket.c: the telemetry socket */
char *query(const char *prefix, const char *request, size_t *reply_len);

#endif
