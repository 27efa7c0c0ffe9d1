/* SPDX-License-Identifier: BSD-3-Clause */
/* One netlink request and its answers, for the control thread's netlink clients (the MPTCP
 * path manager and sock_diag in lib/mptcp, the relay in lib/relay, the twins' queue drops in
 * lib/exception, the route mirror's reads in lib/netlink). */
#ifndef MPGW_NL_TRANSACT_H
#define MPGW_NL_TRANSACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libmnl/libmnl.h>

/* Reads of one request's answers before it is given up: a dump of every TCP socket of a
 * busy host fits, a kernel that keeps answering does not hold the control thread. */
#define NL_TRANSACT_MAX_READS 4096

/* A socket of bus (NETLINK_ROUTE, NETLINK_SOCK_DIAG...) for requests, bound, whose
 * receives give up after timeout_ms: an answer must not hold the control thread if the
 * kernel is slow. NULL with errno set. */
struct mnl_socket *nl_request_socket(int bus, unsigned int timeout_ms);

/*
 * Send req on s, then read its answers into buf (len bytes) and run cb on each (cb may be
 * NULL) until the dump's end or the request's acknowledgement. Returns what mnl_cb_run
 * returned last (MNL_CB_STOP: done), or -1 with errno set: the kernel's error for the
 * request, a receive timeout, an answer cut short (EMSGSIZE: longer than len), or answers
 * past NL_TRANSACT_MAX_READS. Datagrams not from the kernel are skipped. After -1 the socket
 * may hold the rest of a dump, which the next request would take for its own answer
 * (mnl_cb_run refuses it: wrong sequence number): open a new one.
 */
int nl_transact(struct mnl_socket *s, const struct nlmsghdr *req, void *buf, size_t len,
	mnl_cb_t cb, void *data);

/* One datagram of s into buf (len bytes): its length, or -1 with errno set (EAGAIN: none
 * waiting, ENOBUFS: the socket overran). *sender: the port id of the socket that sent it, 0
 * for the kernel (another process with CAP_NET_ADMIN may send to a multicast group or to
 * the socket's port id, with a header that says what it likes); *flags: recvmsg()'s
 * (MSG_TRUNC: it was longer than buf, and cut). */
ssize_t nl_receive(struct mnl_socket *s, void *buf, size_t len, uint32_t *sender, int *flags);

/* Does buf (len bytes, a datagram as received) hold whole messages only, each no longer
 * than what is left of it? libmnl (1.0.4) takes a message length of 2 GiB or more for a
 * negative one, which fits any buffer, and its next message for one that far past it. */
bool nl_messages_fit(const void *buf, size_t len);

/* mnl_cb_run() of a datagram that nl_messages_fit(); else -1 with errno EBADMSG, none of it
 * run. Every netlink client of mpgw reads its datagrams through this. */
int nl_cb_run(const void *buf, size_t len, unsigned int seq, unsigned int portid, mnl_cb_t cb,
	void *data);

#endif
