/* SPDX-License-Identifier: BSD-3-Clause */
/* Closing the kernel's MPTCP subflows over a dead path (see mptcp_close.h). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include <rte_common.h>

#include "mptcp_close.h"
#include "nl_attrs.h"
#include "nl_diag.h"
#include "nl_transact.h"

/* Subflows closed per call at most: a path of a busy gateway carries many. */
#define CLOSE_MAX 1024

struct close_search {
	const struct ipaddr *addr;
	bool local;
	unsigned int n;
	struct inet_diag_sockid ids[CLOSE_MAX];
};

static bool is_mptcp_subflow(const struct nlmsghdr *nlh, const struct inet_diag_msg *d)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const struct nlattr *ulp[INET_ULP_INFO_MAX + 1] = {0};

	nl_parse_attrs(nlh, sizeof(*d), tb, INET_DIAG_MAX);
	if (tb[INET_DIAG_ULP_INFO] == NULL ||
		mnl_attr_validate(tb[INET_DIAG_ULP_INFO], MNL_TYPE_NESTED) < 0)
		return false;
	nl_parse_nested(tb[INET_DIAG_ULP_INFO], ulp, INET_ULP_INFO_MAX);
	return ulp[INET_ULP_INFO_NAME] != NULL &&
	       mnl_attr_validate(ulp[INET_ULP_INFO_NAME], MNL_TYPE_NUL_STRING) == 0 &&
	       strcmp(mnl_attr_get_str(ulp[INET_ULP_INFO_NAME]), "mptcp") == 0;
}

static int on_socket(const struct nlmsghdr *nlh, void *data)
{
	struct close_search *s = data;
	const struct inet_diag_msg *d = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*d))
		return MNL_CB_OK;
	const void *a = s->local ? (const void *)d->id.idiag_src : (const void *)d->id.idiag_dst;
	if (memcmp(a, s->addr->family == 4 ? (const void *)&s->addr->v4 : s->addr->v6,
		    s->addr->family == 4 ? 4 : 16) != 0 ||
		!is_mptcp_subflow(nlh, d))
		return MNL_CB_OK;
	if (s->n < CLOSE_MAX)
		s->ids[s->n++] = d->id; /* with its interface and cookie, as SOCK_DESTROY wants */
	return MNL_CB_OK;
}

/* Send req and run cb on the answers, to the end of the dump or the ack. */
static int transact(struct mnl_socket *diag, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static uint8_t buf[1 << 15];

	return nl_transact(diag, req, buf, sizeof(buf), cb, data);
}

int mptcp_subflows_close(
	struct mnl_socket *diag, unsigned int *seq, const struct ipaddr *addr, bool local)
{
	static struct close_search s;
	char buf[256];
	uint8_t family = addr->family == 4 ? AF_INET : AF_INET6;
	int closed = 0;

	s = (struct close_search){.addr = addr, .local = local};
	/* Every state, with INET_DIAG_INFO and so the ULP's name. */
	if (transact(diag,
		    nl_diag_request(buf, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ++*seq, family, ~0u,
			    1 << (INET_DIAG_INFO - 1)),
		    on_socket, &s) < 0)
		return -1;
	for (unsigned int i = 0; i < s.n; i++) {
		struct nlmsghdr *nlh =
			nl_diag_request(buf, SOCK_DESTROY, NLM_F_ACK, ++*seq, family, ~0u, 0);
		struct inet_diag_req_v2 *r = mnl_nlmsg_get_payload(nlh);
		r->id = s.ids[i];
		/* Gone already (closed meanwhile) is not a failure. */
		if (transact(diag, nlh, NULL, NULL) >= 0 || errno == ENOENT)
			closed++;
	}
	return closed;
}
