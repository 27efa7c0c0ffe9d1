/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests to the kernel's path manager (the family, its endpoints and limits) and dumps
 * of its MPTCP sockets (sock_diag), merged into the table after lost events and checked
 * against it every few seconds.
 */
#include "mptcp_pm_internal.h"

/* --- requests ------------------------------------------------------------------------- */

/* Send a request of cmd (NLM_F_DUMP if dump) to family, with the attributes put() adds
 * (put_arg its argument), and run cb on the answers (nl_transact()). */
int pm_request(uint16_t family, uint8_t cmd, bool dump,
	void (*put)(struct nlmsghdr *, const void *), const void *put_arg, mnl_cb_t cb, void *data)
{
	char req[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned int seq = ++pm_state.seq;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : MPTCP_PM_VER;
	if (put != NULL)
		put(nlh, put_arg);
	return nl_transact(pm_state.req, nlh, pm_state.buf, sizeof(pm_state.buf), cb, data);
}

void pm_put_family_name(struct nlmsghdr *nlh, const void *arg)
{
	RTE_SET_USED(arg);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MPTCP_PM_NAME);
}

int pm_on_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {0};
	const struct nlattr *grp;

	RTE_SET_USED(data);
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	pm_attr_get(tb[CTRL_ATTR_FAMILY_ID], &pm_state.family, sizeof(pm_state.family));
	if (!pm_attr_is(tb[CTRL_ATTR_MCAST_GROUPS], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
	{
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = {0};
		nl_parse_nested(grp, g, CTRL_ATTR_MCAST_GRP_MAX);
		if (pm_attr_is(g[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) &&
			strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
				MPTCP_PM_EV_GRP_NAME) == 0)
			pm_attr_get(g[CTRL_ATTR_MCAST_GRP_ID], &pm_state.events_group,
				sizeof(pm_state.events_group));
	}
	return MNL_CB_OK;
}

int pm_on_endpoint(const struct nlmsghdr *nlh, void *data)
{
	struct endpoint_list *list = data;
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {0};
	const struct nlattr *a[MPTCP_PM_ADDR_ATTR_MAX + 1] = {0};
	struct mptcp_endpoint e = {.port = -1};
	int32_t ifindex = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	if (!pm_attr_is(tb[MPTCP_PM_ATTR_ADDR], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(tb[MPTCP_PM_ATTR_ADDR], a, MPTCP_PM_ADDR_ATTR_MAX);
	pm_attr_get(a[MPTCP_PM_ADDR_ATTR_ID], &e.id, sizeof(e.id));
	pm_attr_get(a[MPTCP_PM_ADDR_ATTR_FLAGS], &e.flags, sizeof(e.flags));
	pm_attr_get(a[MPTCP_PM_ADDR_ATTR_IF_IDX], &ifindex, sizeof(ifindex));
	e.ifindex = ifindex;
	if (pm_attr_get(a[MPTCP_PM_ADDR_ATTR_ADDR4], &e.addr.v4, 4))
		e.addr.family = 4;
	else if (pm_attr_get(a[MPTCP_PM_ADDR_ATTR_ADDR6], e.addr.v6, 16))
		e.addr.family = 6;
	else
		return MNL_CB_OK;
	e.port = pm_port_of(e.ifindex, &e.addr);
	if (list->n < MPTCP_MAX_ENDPOINTS)
		list->e[list->n++] = e;
	return MNL_CB_OK;
}

static int on_limits(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1] = {0};
	uint32_t *lim = data;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	nl_parse_attrs(nlh, GENL_HDRLEN, tb, MPTCP_PM_ATTR_MAX);
	pm_attr_get(tb[MPTCP_PM_ATTR_SUBFLOWS], &lim[0], sizeof(lim[0]));
	pm_attr_get(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS], &lim[1], sizeof(lim[1]));
	return MNL_CB_OK;
}

/* Did mpgw flag e (its id, with its address) backup? Under the lock. */
bool pm_demoted(const struct mptcp_endpoint *e)
{
	return pm_state.demoted[e->id].on && ipaddr_equal(&pm_state.demoted[e->id].addr, &e->addr);
}

void pm_set_demoted(const struct mptcp_endpoint *e, bool on)
{
	pm_state.demoted[e->id].on = on;
	pm_state.demoted[e->id].addr = e->addr;
}

/* The endpoints and limits, now. */
void pm_dump_endpoints(void)
{
	static struct endpoint_list list;
	uint32_t lim[2] = {0, 0};

	list.n = 0;
	if (pm_request(pm_state.family, MPTCP_PM_CMD_GET_ADDR, true, NULL, NULL, pm_on_endpoint,
		    &list) < 0 ||
		pm_request(pm_state.family, MPTCP_PM_CMD_GET_LIMITS, false, NULL, NULL, on_limits,
			lim) < 0)
		return; /* the old view stays; tried again at the next dump */
	pthread_mutex_lock(&pm_state.lock);
	pm_state.n_endpoints = list.n;
	memcpy(pm_state.endpoints, list.e, list.n * sizeof(list.e[0]));
	/* An endpoint deleted while mpgw had flagged it: a new one of its id (or one of its
	 * id with another address) is not ours. */
	bool present[256] = {false};
	for (unsigned int i = 0; i < list.n; i++)
		present[list.e[i].id] |= pm_demoted(&list.e[i]);
	for (unsigned int id = 0; id < 256; id++)
		pm_state.demoted[id].on &= present[id];
	pm_state.stats.subflows_limit = lim[0];
	pm_state.stats.add_addr_accepted_limit = lim[1];
	pthread_mutex_unlock(&pm_state.lock);
}

/* --- the kernel's sockets (sock_diag) ---------------------------------------------------- */

/* What a dump found: the subflows (TCP sockets of the "mptcp" ULP) and the tokens of the
 * connections (MPTCP sockets), both as ss -M shows them (pm_dump_sockets()). */
struct dumped_subflow {
	uint32_t token;
	uint32_t flags; /* MPTCP_SUBFLOW_FLAG_* */
	struct mptcp_subflow_info info;
};

static struct {
	unsigned int n, over;
	struct dumped_subflow sf[MPTCP_MAX_SUBFLOWS];
	bool have_tokens;
	unsigned int n_tokens;
	uint32_t tokens[2 * MPTCP_MAX_CONNS];
} dumped;

/* Dump the sockets of family (AF_INET, AF_INET6) in states (a mask of 1 << TCP_*): MPTCP
 * connections (msk) or TCP sockets, with INET_DIAG_INFO (and so the ULP's info). */
static int diag_dump(uint8_t family, bool msk, uint32_t states, mnl_cb_t cb)
{
	char req[256];
	unsigned int seq = ++pm_state.seq;
	struct nlmsghdr *nlh = nl_diag_request(req, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, seq, family,
		states, 1 << (INET_DIAG_INFO - 1));

	/* IPPROTO_MPTCP does not fit sdiag_protocol: the attribute says it. */
	if (msk)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	return nl_transact(pm_state.diag, nlh, pm_state.buf, sizeof(pm_state.buf), cb, NULL);
}

static int on_msk(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const size_t at = offsetof(struct mptcp_info, mptcpi_token);
	uint32_t token;

	RTE_SET_USED(data);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX);
	const struct nlattr *a = tb[INET_DIAG_INFO];
	if (a == NULL || mnl_attr_get_payload_len(a) < at + sizeof(token))
		return MNL_CB_OK;
	memcpy(&token, (const uint8_t *)mnl_attr_get_payload(a) + at, sizeof(token));
	if (dumped.n_tokens < RTE_DIM(dumped.tokens))
		dumped.tokens[dumped.n_tokens++] = token;
	return MNL_CB_OK;
}

static int on_subflow_sock(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *d = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	const struct nlattr *ulp[INET_ULP_INFO_MAX + 1] = {0};
	const struct nlattr *mp[MPTCP_SUBFLOW_ATTR_MAX + 1] = {0};
	struct dumped_subflow s = {.info = {.port = -1, .from_dump = true}};

	RTE_SET_USED(data);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*d))
		return MNL_CB_OK;
	nl_parse_attrs(nlh, sizeof(*d), tb, INET_DIAG_MAX);
	if (!pm_attr_is(tb[INET_DIAG_ULP_INFO], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(tb[INET_DIAG_ULP_INFO], ulp, INET_ULP_INFO_MAX);
	if (!pm_attr_is(ulp[INET_ULP_INFO_NAME], MNL_TYPE_NUL_STRING) ||
		strcmp(mnl_attr_get_str(ulp[INET_ULP_INFO_NAME]), "mptcp") != 0 ||
		!pm_attr_is(ulp[INET_ULP_INFO_MPTCP], MNL_TYPE_NESTED))
		return MNL_CB_OK;
	nl_parse_nested(ulp[INET_ULP_INFO_MPTCP], mp, MPTCP_SUBFLOW_ATTR_MAX);
	/* Every subflow of a connection has its local token, the one events name. */
	if (!pm_attr_get(mp[MPTCP_SUBFLOW_ATTR_TOKEN_LOC], &s.token, sizeof(s.token)) ||
		s.token == 0)
		return MNL_CB_OK;
	pm_attr_get(mp[MPTCP_SUBFLOW_ATTR_FLAGS], &s.flags, sizeof(s.flags));
	pm_attr_get(mp[MPTCP_SUBFLOW_ATTR_ID_LOC], &s.info.loc_id, 1);
	pm_attr_get(mp[MPTCP_SUBFLOW_ATTR_ID_REM], &s.info.rem_id, 1);
	s.info.backup =
		(s.flags & (MPTCP_SUBFLOW_FLAG_BKUP_REM | MPTCP_SUBFLOW_FLAG_BKUP_LOC)) != 0;
	if (d->idiag_family == AF_INET) {
		s.info.laddr.family = s.info.raddr.family = 4;
		s.info.laddr.v4 = d->id.idiag_src[0];
		s.info.raddr.v4 = d->id.idiag_dst[0];
	} else {
		pm_addrs_from6(&s.info, (const uint8_t *)d->id.idiag_src,
			(const uint8_t *)d->id.idiag_dst);
	}
	s.info.lport = rte_be_to_cpu_16(d->id.idiag_sport);
	s.info.rport = rte_be_to_cpu_16(d->id.idiag_dport);
	s.info.port = pm_port_of((int)d->id.idiag_if, &s.info.laddr);
	if (dumped.n < MPTCP_MAX_SUBFLOWS)
		dumped.sf[dumped.n++] = s;
	else
		dumped.over++;
	return MNL_CB_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The kernel's MPTCP subflows now, into dumped; -1 with errno if the kernel refused. */
int pm_dump_sockets(void)
{
	/* What ss -M shows: connected, or closing on one side or both (a shutdown() of the
	 * application, or the peer's FIN); not listening, not yet connected, not closed. */
	const uint32_t open = 1 << TCP_ESTABLISHED | 1 << TCP_FIN_WAIT1 | 1 << TCP_FIN_WAIT2 |
			      1 << TCP_CLOSE_WAIT | 1 << TCP_CLOSING | 1 << TCP_LAST_ACK;

	dumped.n = dumped.over = dumped.n_tokens = 0;
	/* Without MPTCP's own diag (module mptcp_diag) every subflow is taken. */
	dumped.have_tokens = diag_dump(AF_INET, true, open, on_msk) >= 0 &&
			     diag_dump(AF_INET6, true, open, on_msk) >= 0;
	if (diag_dump(AF_INET, false, open, on_subflow_sock) < 0 ||
		diag_dump(AF_INET6, false, open, on_subflow_sock) < 0)
		return -1;
	qsort(dumped.tokens, dumped.n_tokens, sizeof(dumped.tokens[0]), cmp_u32);
	return 0;
}

/* Make the table what the dump found: subflows kept (with their counters) or added, the
 * others gone. Under the lock. */
void pm_merge_dump(void)
{
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++)
		for (unsigned int i = 0; pm_state.conn_used[c] && i < pm_state.conns[c].n_sf; i++)
			pm_state.conns[c].sf[i].seen = false;
	pm_state.stats.untracked += dumped.over;
	for (unsigned int i = 0; i < dumped.n; i++) {
		const struct dumped_subflow *d = &dumped.sf[i];
		if (dumped.have_tokens && bsearch(&d->token, dumped.tokens, dumped.n_tokens,
						  sizeof(d->token), cmp_u32) == NULL)
			continue; /* its connection is closing */
		bool known = pm_conn_find(d->token, false) != NULL;
		struct conn *c = pm_conn_find(d->token, true);
		if (c == NULL)
			continue;
		if (!known)
			*c = (struct conn){.server_side = true, .from_dump = true};
		struct subflow *sf = pm_sf_set(c, &d->info);
		if (sf != NULL)
			sf->seen = true;
		c->established |= (d->flags & MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED) != 0;
		/* Only the connecting end asks for MP_CAPABLE or MP_JOIN. */
		if (c->from_dump &&
			(d->flags & (MPTCP_SUBFLOW_FLAG_MCAP_LOC | MPTCP_SUBFLOW_FLAG_JOIN_LOC)))
			c->server_side = false;
	}
	for (unsigned int c = 0; c < MPTCP_MAX_CONNS; c++) {
		if (!pm_state.conn_used[c])
			continue;
		for (unsigned int i = pm_state.conns[c].n_sf; i-- > 0;)
			if (!pm_state.conns[c].sf[i].seen)
				pm_sf_remove(&pm_state.conns[c], i);
		if (pm_state.conns[c].n_sf == 0)
			pm_conn_close(&pm_state.conns[c]);
	}
	pm_state.stats.dumps++;
}

/* Rebuild the table from the kernel's sockets: what the event socket holds is dropped
 * (the dump is newer), then what comes after applies on top. */
void pm_resync(void)
{
	for (unsigned int i = 0; i < 4096; i++)
		if (mnl_socket_recvfrom(pm_state.ev, pm_state.buf, sizeof(pm_state.buf)) < 0 &&
			errno != ENOBUFS)
			break;
	if (pm_dump_sockets() < 0) {
		pthread_mutex_lock(&pm_state.lock);
		pm_state.stats.dump_errors++;
		pthread_mutex_unlock(&pm_state.lock);
		pm_state.next_resync = ms_from_now(MPTCP_PM_RESYNC_RETRY_MS);
		return;
	}
	pthread_mutex_lock(&pm_state.lock);
	pm_merge_dump();
	pthread_mutex_unlock(&pm_state.lock);
	pm_state.resync = false;
}

/* Make the table the kernel's sockets again, every MPTCP_PM_RECONCILE_MS: a connection
 * reset by the peer ends without a CLOSED event. Events still queued apply on top (a
 * CLOSED for a connection already gone, or a CREATED for one the dump added, change
 * nothing). */
void pm_reconcile(void)
{
	pm_state.next_reconcile = ms_from_now(MPTCP_PM_RECONCILE_MS);
	if (pm_dump_sockets() < 0) {
		pthread_mutex_lock(&pm_state.lock);
		pm_state.stats.dump_errors++;
		pthread_mutex_unlock(&pm_state.lock);
		return;
	}
	pthread_mutex_lock(&pm_state.lock);
	/* What did not fit the table was counted when it was first seen (its event, or the
	 * dump at start): every reconcile finds it again. */
	uint64_t untracked = pm_state.stats.untracked;
	pm_merge_dump();
	pm_state.stats.untracked = untracked;
	pm_state.stats.reconciles++;
	pthread_mutex_unlock(&pm_state.lock);
}
