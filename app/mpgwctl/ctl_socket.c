/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's telemetry v2 socket: the path for a --file-prefix, one request and its reply.
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
char *query(const char *prefix, const char *request, size_t *reply_len)
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
