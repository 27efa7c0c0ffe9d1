/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgwctl: operator CLI for mpgw.
 *
 * It talks to the daemon over DPDK's telemetry v2 socket (a UNIX SOCK_SEQPACKET socket at
 * <runtime dir>/dpdk_telemetry.v2): on connect the server sends one JSON info message, then
 * each command string ("/path" or "/path,params") gets exactly one JSON reply of the form
 * {"/path": value}. The CLI prints the value as an aligned table, or as compact JSON.
 *
 * Adding a command is one entry in the commands[] table of ctl_commands.c: a name, a
 * telemetry path and a printer. print_generic() renders any object of objects or object
 * of scalars.
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
