/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the kernel says about the twins, checked (lengths, families, prefix lengths), and
 * the neighbours and addresses it reports, mirrored.
 */
#include "nl_sync_internal.h"

/* Defined here, in the lowest file of the mirror. */
struct nl_sync_state nls = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Weak: the unit tests and the fuzzer, without twins, give their own (nl_sync_test.h). */
__attribute__((weak)) int nl_sync_port_of_ifindex(int ifindex)
{
	return twin_port_of_ifindex(ifindex);
}

void nls_mark_dirty(void)
{
	if (!nls.dirty)
		nls.dirty_since = rte_rdtsc();
	nls.dirty = true;
}

/* --- what the kernel says, checked ---------------------------------------------------- */

/*
 * The mirror reads no more of a message than its sizes allow: a family header longer than
 * the message's payload, an attribute the mirror reads whose payload is not of its type's
 * size, a prefix longer than its address, a multipath next hop past its attribute, each
 * make the message refused whole and counted (`malformed`). Attributes the mirror does not
 * read are not looked at: a newer kernel's are skipped.
 */

bool nls_ip_family(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* The size of an address of family (AF_INET or AF_INET6), and its longest prefix. */
uint16_t nls_addr_size(int family)
{
	return family == AF_INET ? 4 : 16;
}

unsigned int nls_max_prefix(int family)
{
	return 8u * nls_addr_size(family);
}

/* Does nlh's payload hold its family header of len bytes? Counted if not. */
bool nls_header_fits(const struct nlmsghdr *nlh, size_t len)
{
	if (nlh->nlmsg_len >= NLMSG_LENGTH(len))
		return true;
	nls.stats.malformed++;
	return false;
}

/* A prefix of len bits of family and the attributes after a family header of hdr bytes
 * into tb (up to max); counted as malformed if the prefix is too long or the attributes
 * overrun the message. */
bool nls_prefix_attrs(const struct nlmsghdr *nlh, size_t hdr, int family, unsigned int len,
	const struct nlattr **tb, unsigned int max)
{
	if (len > nls_max_prefix(family) || !nl_parse_attrs(nlh, hdr, tb, max)) {
		nls.stats.malformed++;
		return false;
	}
	return true;
}

/* Are the attributes of tb named in sizes (those present) of their size exactly? Counted
 * if not. */
bool nls_attrs_sized(const struct nlattr *const *tb, const struct attr_size *sizes, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct nlattr *a = tb[sizes[i].type];
		if (a != NULL && mnl_attr_validate2(a, MNL_TYPE_BINARY, sizes[i].len) < 0) {
			nls.stats.malformed++;
			return false;
		}
	}
	return true;
}

/* The address in attribute at of family (AF_INET or AF_INET6), its size checked. */
void nls_attr_addr(struct ipaddr *a, int family, const struct nlattr *at)
{
	memset(a, 0, sizeof(*a));
	a->family = family == AF_INET ? 4 : 6;
	memcpy(family == AF_INET ? (void *)&a->v4 : (void *)a->v6, mnl_attr_get_payload(at),
		nls_addr_size(family));
}

/* --- neighbours ----------------------------------------------------------------------- */

static void neighbour_update(const struct ipaddr *a, int port, const uint8_t *mac, bool present)
{
	uint32_t i;

	for (i = 0; i < nls.n_neighbours; i++)
		if (nls.neighbours[i].port == port && ipaddr_equal(&nls.neighbours[i].addr, a))
			break;
	if (!present) {
		if (i < nls.n_neighbours) {
			nls.neighbours[i] = nls.neighbours[--nls.n_neighbours];
			nls_mark_dirty();
		}
		return;
	}
	if (i == nls.n_neighbours) {
		if (nls.n_neighbours == NL_MAX_NEIGHBOURS) {
			nls.stats.ignored++;
			return;
		}
		nls.n_neighbours++;
		nls.neighbours[i] = (struct cfg_neighbour){.addr = *a, .port = port};
	} else if (memcmp(nls.neighbours[i].mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN) == 0) {
		return; /* a state change only (reachable -> stale ...): nothing for us */
	}
	memcpy(nls.neighbours[i].mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	nls_mark_dirty();
}

static void neighbour_set(const struct ipaddr *a, int port, const uint8_t *mac, bool present)
{
	pthread_mutex_lock(&nls.lock);
	neighbour_update(a, port, mac, present);
	pthread_mutex_unlock(&nls.lock);
}

void nls_on_neigh(const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = {0};
	struct ipaddr a;

	if (!nls_header_fits(nlh, sizeof(*nd)))
		return;
	/* A bridge's entries (AF_BRIDGE, a twin made a bridge port) have no IP address. */
	int port = nl_sync_port_of_ifindex(nd->ndm_ifindex);
	if (port < 0 || !nls_ip_family(nd->ndm_family)) {
		nls.stats.ignored++;
		return;
	}
	if (!nl_parse_attrs(nlh, sizeof(*nd), tb, NDA_MAX)) {
		nls.stats.malformed++;
		return;
	}
	/* A twin is an Ethernet device (TAP): its neighbours' MACs are 6 bytes. */
	const struct attr_size sizes[] = {
		{NDA_DST, nls_addr_size(nd->ndm_family)}, {NDA_LLADDR, RTE_ETHER_ADDR_LEN}};
	if (!nls_attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	if (tb[NDA_DST] == NULL) {
		nls.stats.ignored++;
		return;
	}
	nls_attr_addr(&a, nd->ndm_family, tb[NDA_DST]);
	/* The kernel asking again (INCOMPLETE) or having failed to (FAILED) leaves the MAC the
	 * mirror has: an ARP or ND answer lost on a busy link must not take away a route or a
	 * tunnel path (a vps's paths to a gateway all go through its one router: the whole
	 * tunnel). Whether the next hop is alive is the probes' to judge; a new MAC replaces
	 * the old once the kernel learns one, and the entry's removal takes it away. */
	if (nlh->nlmsg_type == RTM_NEWNEIGH && (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED))) {
		nls.stats.neighbour_failures++;
		return;
	}
	const uint16_t usable =
		NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
	/* A unicast MAC only: the kernel keeps NOARP entries with the broadcast MAC for a
	 * subnet's broadcast address, which must not become a forwarding entry. */
	bool present = nlh->nlmsg_type == RTM_NEWNEIGH && (nd->ndm_state & usable) &&
		       tb[NDA_LLADDR] != NULL &&
		       rte_is_unicast_ether_addr(mnl_attr_get_payload(tb[NDA_LLADDR]));
	neighbour_set(&a, port, present ? mnl_attr_get_payload(tb[NDA_LLADDR]) : NULL, present);
}

/* --- addresses ------------------------------------------------------------------------ */

static void addr_set(const struct ipprefix *p, int port, bool present)
{
	uint32_t i;

	for (i = 0; i < nls.n_addrs; i++)
		if (nls.addrs[i].port == port && ipaddr_equal(&nls.addrs[i].prefix.addr, &p->addr))
			break;
	if (!present) {
		if (i == nls.n_addrs)
			return;
		/* in order: the first address of a family is an uplink's tunnel source */
		memmove(&nls.addrs[i], &nls.addrs[i + 1],
			(nls.n_addrs - i - 1) * sizeof(nls.addrs[0]));
		nls.n_addrs--;
		*(p->addr.family == 4 ? &nls.stats.addrs4 : &nls.stats.addrs6) -= 1;
	} else if (i < nls.n_addrs) {
		if (nls.addrs[i].prefix.len == p->len)
			return; /* its lifetimes or flags refreshed: nothing for us */
		nls.addrs[i].prefix.len = p->len;
	} else {
		if (nls.n_addrs == NL_MAX_ADDRS) {
			nls.stats.ignored++;
			return;
		}
		nls.addrs[nls.n_addrs++] = (struct kernel_addr){.prefix = *p, .port = port};
		*(p->addr.family == 4 ? &nls.stats.addrs4 : &nls.stats.addrs6) += 1;
	}
	nls.addrs_changed = true;
	nls_mark_dirty();
}

void nls_on_addr(const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	struct ipprefix p;

	if (!nls_header_fits(nlh, sizeof(*ifa)))
		return;
	int port = nl_sync_port_of_ifindex((int)ifa->ifa_index);
	if (port < 0 || !nls_ip_family(ifa->ifa_family)) {
		nls.stats.ignored++;
		return;
	}
	if (!nls_prefix_attrs(nlh, sizeof(*ifa), ifa->ifa_family, ifa->ifa_prefixlen, tb, IFA_MAX))
		return;
	const struct attr_size sizes[] = {{IFA_LOCAL, nls_addr_size(ifa->ifa_family)},
		{IFA_ADDRESS, nls_addr_size(ifa->ifa_family)}, {IFA_FLAGS, sizeof(uint32_t)}};
	if (!nls_attrs_sized(tb, sizes, RTE_DIM(sizes)))
		return;
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the same, or the far
	 * end's on a point-to-point link (IPv6 has IFA_ADDRESS only). */
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a == NULL) {
		nls.stats.ignored++;
		return;
	}
	nls_attr_addr(&p.addr, ifa->ifa_family, a);
	p.len = ifa->ifa_prefixlen;
	uint32_t flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	bool usable = ifa->ifa_scope == RT_SCOPE_UNIVERSE &&
		      !(p.addr.family == 6 && ip6_is_link_local(p.addr.v6)) &&
		      !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	if (nlh->nlmsg_type == RTM_NEWADDR && !usable)
		nls.stats.ignored++; /* and gone from the mirror, if it was there */
	addr_set(&p, port, nlh->nlmsg_type == RTM_NEWADDR && usable);
	/* The kernel drops the IPv4 routes through a gateway the address made reachable
	 * without a word (no RTM_DELROUTE): read the routes again. */
	if (nlh->nlmsg_type == RTM_DELADDR && p.addr.family == 4)
		nls.redump = true;
}

/* A twin taken down (`ip link set wan0 down`) loses its IPv4 routes as silently. */
void nls_on_link(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (!nls_header_fits(nlh, sizeof(*ifi)))
		return;
	int port = nl_sync_port_of_ifindex(ifi->ifi_index);
	if (port < 0)
		return;
	bool down = nlh->nlmsg_type == RTM_DELLINK || !(ifi->ifi_flags & IFF_UP);
	if (down && !nls.link_down[port])
		nls.redump = true;
	nls.link_down[port] = down;
}
