/* SPDX-License-Identifier: BSD-3-Clause */
/* One netlink request and its answers (see nl_transact.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>

#include "nl_transact.h"

struct mnl_socket *nl_request_socket(int bus, unsigned int timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000};
	struct mnl_socket *s = mnl_socket_open2(bus, SOCK_CLOEXEC);

	if (s == NULL)
		return NULL;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 ||
		setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int e = errno;
		mnl_socket_close(s);
		errno = e;
		return NULL;
	}
	return s;
}

int nl_transact(struct mnl_socket *s, const struct nlmsghdr *req, void *buf, size_t len,
	mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(s);

	if (mnl_socket_sendto(s, req, req->nlmsg_len) < 0)
		return -1;
	for (unsigned int i = 0; i < NL_TRANSACT_MAX_READS; i++) {
		uint32_t sender;
		int flags;
		ssize_t n = nl_receive(s, buf, len, &sender, &flags);
		if (n < 0)
			return -1;
		if (sender != 0)
			continue;
		if (flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		int r = nl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb, data);
		if (r <= MNL_CB_STOP)
			return r;
	}
	return -1;
}

ssize_t nl_receive(struct mnl_socket *s, void *buf, size_t len, uint32_t *sender, int *flags)
{
	struct sockaddr_nl from = {0};
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(mnl_socket_get_fd(s), &msg, 0);

	if (n < 0)
		return -1;
	/* a sender the socket layer did not name is not the kernel */
	*sender = msg.msg_namelen == sizeof(from) && from.nl_family == AF_NETLINK ? from.nl_pid
										  : UINT32_MAX;
	*flags = msg.msg_flags;
	return n;
}

bool nl_messages_fit(const void *buf, size_t len)
{
	const uint8_t *at = buf;

	/* fewer bytes than a header left: libmnl stops there too */
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)at;
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
			return false;
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len) < len ? NLMSG_ALIGN(nlh->nlmsg_len) : len;
		at += step;
		len -= step;
	}
	return true;
}

int nl_cb_run(
	const void *buf, size_t len, unsigned int seq, unsigned int portid, mnl_cb_t cb, void *data)
{
	if (!nl_messages_fit(buf, len)) {
		errno = EBADMSG;
		return -1;
	}
	return mnl_cb_run(buf, len, seq, portid, cb, data);
}
