/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgwctl: operator CLI for mpgw.
 *
 * It talks to the daemon over DPDK's telemetry v2 socket (a UNIX SOCK_SEQPACKET socket at
 * <runtime dir>/dpdk_telemetry.v2): on connect the server sends one JSON info message, then
 * each command string ("/path" or "/path,params") gets exactly one JSON reply of the form
 * {"/path": value}. The CLI prints the value as an aligned table, or as compact JSON.
 *
 * Adding a command is one entry in the commands[] table: a name, a telemetry path and a
 * printer. print_generic() renders any object of objects or object of scalars.
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

/* ---------------------------------------------------------------------------------------- */
/* Tables */

struct table {
	size_t n_cols;
	size_t n_rows; /* including the header row */
	size_t cap_rows;
	char **cells; /* n_rows * n_cols strings, row-major; row 0 is the header */
	bool *text;   /* per column: holds a non-numeric cell */
	bool *num;    /* per column: holds a number; right-aligned if it holds no text */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(EXIT_RUNTIME);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static void table_init(struct table *t, size_t n_cols)
{
	memset(t, 0, sizeof(*t));
	t->n_cols = n_cols;
	t->text = xrealloc(NULL, n_cols * sizeof(*t->text));
	t->num = xrealloc(NULL, n_cols * sizeof(*t->num));
	memset(t->text, 0, n_cols * sizeof(*t->text));
	memset(t->num, 0, n_cols * sizeof(*t->num));
}

/* Append an empty row; returns its cells, all NULL (printed as "-") until set. */
static char **table_add_row(struct table *t)
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
static char *cell_text(struct table *t, size_t col, const struct json *v)
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

static void table_print(struct table *t)
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

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->text);
	free(t->num);
}

static char *upper_copy(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

/* Row label: the member name of an object, or the index in an array. */
static char *row_label(const struct json *row, size_t index)
{
	char buf[32];

	if (row->key != NULL)
		return display_copy(row->key, row->key_len);
	snprintf(buf, sizeof(buf), "%zu", index);
	return xstrdup(buf);
}

/* ---------------------------------------------------------------------------------------- */
/* Printers */

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
static int print_generic(const struct command *cmd, const struct json *v, const struct options *opt)
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
static int print_columns(const struct command *cmd, const struct json *v, const struct options *opt)
{
	if (v->type != JSON_OBJECT || !all_children_are(v, JSON_OBJECT))
		return print_generic(cmd, v, opt);
	print_rows(cmd, v, opt);
	return 0;
}

/* A listing the daemon may have cut to fit its reply: rows, then what was left out. */
static int print_listing(const struct command *cmd, const struct json *v, const struct options *opt)
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
static int print_counters(
	const struct command *cmd, const struct json *v, const struct options *opt)
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

/* ---------------------------------------------------------------------------------------- */
/* Commands */

#define COLUMNS(a) .columns = (a), .n_columns = sizeof(a) / sizeof((a)[0])

static const struct column port_columns[] = {
	{NULL, "PORT", false},
	{"port_id", "ID", true},
	{"device", "DEVICE", false},
	{"link", "LINK", false},
	{"speed_mbps", "SPEED", true},
	{"mtu", "MTU", false},
	{"mac", "MAC", true},
	{"rx_packets", "RX_PKTS", false},
	{"rx_bytes", "RX_BYTES", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"rx_missed", "RX_MISSED", false},
	{"rx_nombuf", "RX_NOMBUF", true},
	{"rx_errors", "RX_ERR", false},
	{"tx_errors", "TX_ERR", false},
	{"tx_dropped", "TX_DROP", false},
};

static const struct column drop_columns[] = {
	{NULL, "REASON", false},
	{NULL, "PACKETS", false},
};

static const struct column tunnel_columns[] = {
	{NULL, "TUNNEL", false},
	{"port", "PORT", false},
	{"outer", "OUTER", false},
	{"local", "LOCAL", false},
	{"remote", "REMOTE", false},
	{"mtu", "MTU", false},
	{"state", "STATE", false},
};

static const struct column uplink_columns[] = {
	{NULL, "UPLINK", false},
	{"mode", "MODE", false},
	{"weight", "WEIGHT", false},
	{"link", "LINK", false},
	{"probe", "PROBE", false},
	{"state", "STATE", false},
	{"rtt_ms", "RTT_MS", false},
	{"jitter_ms", "JITTER_MS", false},
	{"loss_pct", "LOSS_%", false},
	{"flows", "FLOWS", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"state_changes", "CHANGES", false},
	{"since_change_s", "SINCE_S", true},
	{"low_latency", "LOW_LAT", true},
	{"local", "LOCAL", true},
	{"remote", "REMOTE", true},
	{"probes_sent", "PROBES", true},
	{"probes_lost", "LOST", true},
	{"probes_late", "LATE", true},
	{"probes_forged", "FORGED", true},
};

static const struct column flow_columns[] = {
	{NULL, "TABLE", false},
	{"capacity", "CAPACITY", false},
	{"live", "LIVE", false},
	{"created", "CREATED", false},
	{"expired", "EXPIRED", false},
	{"evicted", "EVICTED", false},
	{"memory_bytes", "MEMORY", false},
};

static const struct column twin_columns[] = {
	{NULL, "PORT", false},
	{"twin", "TWIN", false},
	{"ifindex", "IFINDEX", false},
	{"to_kernel", "TO_KERNEL", false},
	{"to_kernel_gso", "TO_K_GSO", false},
	{"to_kernel_errors", "TO_K_ERRORS", false},
	{"from_kernel", "FROM_KERNEL", false},
	{"from_kernel_tso", "FROM_K_TSO", false},
	{"from_kernel_malformed", "FROM_K_BAD", false},
	{"from_kernel_frames", "FROM_K_FRAMES", false},
	{"from_kernel_drops", "FROM_K_DROPS", false},
	{"from_kernel_queue_drops", "FROM_K_QDROPS", false},
};

static const struct column mptcp_columns[] = {
	{NULL, "SUBFLOW", false},
	{"state", "STATE", true},
	{"side", "SIDE", true},
	{"local", "LOCAL", false},
	{"remote", "REMOTE", false},
	{"loc_id", "LOC_ID", false},
	{"rem_id", "REM_ID", false},
	{"backup", "BACKUP", false},
	{"uplink", "UPLINK", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"rx_packets", "RX_PKTS", false},
	{"rx_bytes", "RX_BYTES", false},
};

static const struct column neighbour_columns[] = {
	{"address", "ADDRESS", false},
	{"mac", "MAC", false},
	{"port", "PORT", false},
	{"source", "SOURCE", false},
};

static const struct column counter_columns[] = {
	{NULL, "COUNTER", false},
	{NULL, "VALUE", false},
};

static const struct command commands[] = {
	{
		.name = "ports",
		.path = "/mpgw/ports",
		.args = "[--wide]",
		.help = "ports with link state and counters",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(port_columns),
	},
	{
		.name = "drops",
		.path = "/mpgw/drops",
		.args = "[--all]",
		.help = "dropped packets per reason (non-zero ones only)",
		.opts = CMD_OPT_ALL,
		.print = print_counters,
		COLUMNS(drop_columns),
	},
	{
		.name = "counters",
		.path = "/mpgw/counters",
		.args = "[--all]",
		.help = "MSS clamps, ICMP errors sent, fragmentation (non-zero ones only)",
		.opts = CMD_OPT_ALL,
		.print = print_counters,
		COLUMNS(counter_columns),
	},
	{
		.name = "tunnels",
		.path = "/mpgw/tunnels",
		.args = "",
		.help = "tunnel paths: port, outer family, addresses, inner MTU (uplink MTU - "
			"overhead)",
		.print = print_columns,
		COLUMNS(tunnel_columns),
	},
	{
		.name = "uplinks",
		.path = "/mpgw/uplinks",
		.args = "[--wide]",
		.help = "uplinks (tunnel paths): mode, weight, link, probes, RTT, jitter, loss, "
			"flows, traffic",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(uplink_columns),
	},
	{
		.name = "flows",
		.path = "/mpgw/flows",
		.args = "",
		.help = "flow tables per worker: capacity, live flows, created, expired, evicted",
		.print = print_columns,
		COLUMNS(flow_columns),
	},
	{
		.name = "twins",
		.path = "/mpgw/twins",
		.args = "",
		.help = "kernel twins (TAP) per port: frames punted to the kernel and sent by it",
		.print = print_columns,
		COLUMNS(twin_columns),
	},
	{
		.name = "routes",
		.path = "/mpgw/routes",
		.args = "",
		.help = "the mirror of the kernel's routes, neighbours and addresses: sizes, "
			"events, builds",
		.print = print_generic,
	},
	{
		.name = "neighbours",
		.path = "/mpgw/neighbours",
		.args = "",
		.help = "the neighbours the data path uses: address, MAC, port, source (config "
			"or kernel)",
		.print = print_listing,
		COLUMNS(neighbour_columns),
	},
	{
		.name = "mptcp",
		.path = "/mpgw/mptcp",
		.args = "[--wide]",
		.help = "the kernel's MPTCP subflows (TOKEN/N): addresses, ids, backup, uplink, "
			"packets and bytes each way",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(mptcp_columns),
	},
	{
		.name = "mptcp-endpoints",
		.path = "/mpgw/mptcp_endpoints",
		.args = "",
		.help = "the kernel's MPTCP endpoints and their uplinks; limits and event counts",
		.print = print_generic,
	},
	{
		.name = "relay",
		.path = "/mpgw/relay",
		.args = "",
		.help = "the relay to the kernel's MPTCP proxy: state, proxy, VPS, fallback, "
			"packets relayed and fallen back",
		.print = print_generic,
	},
	{
		.name = "show",
		.path = NULL,
		.args = "PATH[,PARAMS]",
		.help = "any telemetry command, shown as a generic table",
		.print = print_generic,
	},
	{
		.name = "raw",
		.path = NULL,
		.args = "PATH[,PARAMS]",
		.help = "any telemetry command, reply JSON printed as received",
		.print = NULL,
	},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Query a running mpgw through its DPDK telemetry socket. Options may come\n"
	      "before or after the command.\n"
	      "\n"
	      "Options:\n"
	      "  --file-prefix PREFIX  the DPDK --file-prefix mpgw runs with (default: rte).\n"
	      "                        The socket is DIR/" SOCKET_NAME ", where DIR is\n"
	      "                        /var/run/dpdk/PREFIX for root, otherwise\n"
	      "                        $XDG_RUNTIME_DIR/dpdk/PREFIX (/tmp/dpdk/PREFIX if unset)\n"
	      "  -j, --json            print the reply's value as compact JSON on one line,\n"
	      "                        exactly as the daemon sent it (never filtered)\n"
	      "  -a, --all             drops, counters: also list those that are zero\n"
	      "  -w, --wide            ports: also show port id, speed, MAC and rx_nombuf;\n"
	      "                        uplinks: also addresses, probe counts, low latency;\n"
	      "                        mptcp: also connection state and side\n"
	      "  -h, --help            show this help and exit\n"
	      "\n"
	      "Commands:\n",
		f);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-20s  %s\n", left, commands[i].help);
	}
	fputs("\n"
	      "Examples:\n"
	      "  " PROG " --file-prefix gw1 ports\n"
	      "  " PROG " drops --all\n"
	      "  " PROG " --json show /eal/params\n"
	      "\n"
	      "Exit status: 0 on success, 1 if the daemon cannot be reached or answers\n"
	      "badly, 2 on bad usage.\n",
		f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n");
	usage(stderr);
	return EXIT_USAGE;
}

/* ---------------------------------------------------------------------------------------- */
/* Telemetry socket */

static int socket_path(const char *prefix, char *buf, size_t len)
{
	const char *base = "/var/run";
	int n;

	if (geteuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL || base[0] == '\0')
			base = "/tmp";
	}
	n = snprintf(buf, len, "%s/dpdk/%s/" SOCKET_NAME, base, prefix);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* Receive one message; returns its length, or -1 with a message printed. */
static ssize_t recv_msg(int fd, char *buf, size_t len, const char *what)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	do {
		n = recvmsg(fd, &msg, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			fprintf(stderr, PROG ": timed out waiting for the %s\n", what);
		else
			fprintf(stderr, PROG ": reading the %s: %s\n", what, strerror(errno));
		return -1;
	}
	if (n == 0) {
		fprintf(stderr,
			PROG ": the daemon closed the connection before sending the %s "
			     "(too many telemetry clients?)\n",
			what);
		return -1;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		fprintf(stderr, PROG ": the %s is larger than %zu bytes\n", what, len);
		return -1;
	}
	return n;
}

/*
 * Send request and return the reply text (NUL-terminated, to free) in *reply, or NULL with
 * a message printed.
 */
static char *query(const char *prefix, const char *request, size_t *reply_len)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
	size_t buf_len = MIN_REPLY_BUF;
	char info_buf[4096];
	struct json *info;
	char *buf = NULL;
	uint64_t max_len;
	ssize_t n;
	int fd;

	if (socket_path(prefix, addr.sun_path, sizeof(addr.sun_path)) != 0) {
		fprintf(stderr, PROG ": file prefix \"%s\" is too long\n", prefix);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr,
			PROG
			": cannot connect to %s: %s (is mpgw running with --file-prefix %s?)\n",
			addr.sun_path, strerror(errno), prefix);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	/* The info message tells how long a reply may be. */
	n = recv_msg(fd, info_buf, sizeof(info_buf), "info message");
	if (n < 0)
		goto out;
	info = json_parse(info_buf, (size_t)n, NULL, 0);
	if (json_u64(json_get(info, "max_output_len"), &max_len) == 0 && max_len >= buf_len)
		buf_len = max_len < MAX_REPLY_BUF ? (size_t)max_len + 1 : MAX_REPLY_BUF;
	json_free(info);

	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, PROG ": sending the request: %s\n", strerror(errno));
		goto out;
	}
	buf = xrealloc(NULL, buf_len + 1);
	n = recv_msg(fd, buf, buf_len, "reply");
	if (n < 0) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*reply_len = (size_t)n;
out:
	close(fd);
	return buf;
}

/* ---------------------------------------------------------------------------------------- */

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int run(const struct command *cmd, const char *request, const struct options *opt)
{
	char err[128];
	size_t len = 0;
	char *text = query(opt->prefix, request, &len);
	struct json *reply = NULL;
	const struct json *value;
	int ret = EXIT_RUNTIME;

	if (text == NULL)
		return EXIT_RUNTIME;
	if (cmd->print == NULL && !opt->json) {
		fputs(text, stdout);
		if (len == 0 || text[len - 1] != '\n')
			putchar('\n');
		free(text);
		return 0;
	}
	reply = json_parse(text, len, err, sizeof(err));
	if (reply == NULL) {
		fprintf(stderr, PROG ": bad reply from the daemon: %s\n", err);
		goto out;
	}
	if (reply->type != JSON_OBJECT || reply->count != 1) {
		fprintf(stderr, PROG ": unexpected reply from the daemon: not {\"%.*s\": value}\n",
			(int)strcspn(request, ","), request);
		goto out;
	}
	value = reply->child;
	if (value->type == JSON_NULL && cmd->print != NULL) {
		fprintf(stderr,
			PROG
			": the daemon has no command %s, or it failed (is this an older mpgw?)\n",
			request);
		goto out;
	}
	if (opt->json) {
		json_write(stdout, value);
		putchar('\n');
		ret = 0;
	} else {
		ret = cmd->print(cmd, value, opt);
	}
out:
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, PROG ": writing the output: %s\n", strerror(errno));
		ret = EXIT_RUNTIME;
	}
	json_free(reply);
	free(text);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"file-prefix", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"all", no_argument, NULL, 'a'},
		{"wide", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct options opt = {.prefix = DEFAULT_PREFIX};
	const struct command *cmd;
	const char *request;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jawh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
				return usage_error("invalid file prefix \"%s\"", optarg);
			opt.prefix = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'a':
			opt.all = true;
			break;
		case 'w':
			opt.wide = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0) {
				char name[3] = {'-', (char)optopt, '\0'};

				return usage_error("unknown option %s", name);
			}
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given%s", "");
	cmd = find_command(argv[optind]);
	if (cmd == NULL)
		return usage_error("unknown command \"%s\"", argv[optind]);
	if (opt.all && !(cmd->opts & CMD_OPT_ALL))
		return usage_error("--all does not apply to %s", cmd->name);
	if (opt.wide && !(cmd->opts & CMD_OPT_WIDE))
		return usage_error("--wide does not apply to %s", cmd->name);
	optind++;
	if (cmd->path == NULL) {
		if (optind >= argc)
			return usage_error(
				"%s needs a telemetry path, e.g. /mpgw/ports", cmd->name);
		request = argv[optind++];
		if (request[0] != '/')
			return usage_error(
				"telemetry path \"%s\" does not start with '/'", request);
		if (strlen(request) > MAX_REQUEST_LEN)
			return usage_error("request \"%.40s...\" is too long", request);
	} else {
		request = cmd->path;
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	return run(cmd, request, &opt);
}
