/* SPDX-License-Identifier: BSD-3-Clause */
/* A sock_diag request about TCP sockets (inet_diag), for the callers of NETLINK_SOCK_DIAG:
 * the MPTCP table (lib/mptcp), the relay's health (lib/relay). */
#ifndef MPGW_NL_DIAG_H
#define MPGW_NL_DIAG_H

#include <netinet/in.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

/* Put into buf (256 bytes are enough) a request of type (SOCK_DIAG_BY_FAMILY, SOCK_DESTROY)
 * with flags (NLM_F_DUMP, NLM_F_ACK) about the TCP sockets of family in states (a mask of
 * 1 << TCP_*), asking for the extensions ext (a mask of 1 << (INET_DIAG_* - 1)). */
static inline struct nlmsghdr *nl_diag_request(char *buf, uint16_t type, uint16_t flags,
	unsigned int seq, uint8_t family, uint32_t states, uint8_t ext)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_ext = ext;
	r->idiag_states = states;
	return nlh;
}

#endif
