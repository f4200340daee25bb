/*
 * rtnetlink requests as iproute2 6.1 builds them (header fields, attributes
 * and their order, flags), checked against `strace -e sendmsg ip ...`; see
 * rtnl.h.  Replies are parsed with every length checked before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "rtnl.h"

/* ---- IP prefixes ------------------------------------------------------------ */

size_t ip_addr_size(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* A decimal number of at most max with no sign, space or leading zero. */
static int parse_decimal(const char **s, unsigned int max, unsigned int *out)
{
	const char *p = *s;
	unsigned int v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*s = p;
	*out = v;
	return 0;
}

/* ip(8)'s IPv4 form: one to four dotted parts, missing ones zero. */
static int parse_ipv4(uint8_t addr[4], const char *s, const char *end)
{
	unsigned int v;
	int i;

	memset(addr, 0, 4);
	for (i = 0; i < 4; i++) {
		if (parse_decimal(&s, 255, &v) < 0)
			return -EINVAL;
		addr[i] = (uint8_t)v;
		if (s == end)
			return 0;
		if (*s++ != '.')
			return -EINVAL;
	}
	return -EINVAL;
}

int ip_prefix_parse(struct ip_prefix *p, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char host[ADDR_IP_LEN];
	unsigned int len;

	memset(p, 0, sizeof(*p));
	if (!n || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (memchr(host, ':', n)) {
		if (inet_pton(AF_INET6, host, p->addr) != 1)
			return -EINVAL;
		p->family = AF_INET6;
	} else {
		if (parse_ipv4(p->addr, host, host + n) < 0)
			return -EINVAL;
		p->family = AF_INET;
	}
	len = (unsigned int)ip_addr_size(p->family) * 8;
	if (slash) {
		s = slash + 1;
		if (parse_decimal(&s, len, &len) < 0 || *s)
			return -EINVAL;
	}
	p->len = (uint8_t)len;
	return 0;
}

char *ip_prefix_format(char buf[IP_PREFIX_STRLEN], const struct ip_prefix *p)
{
	addr_format_ip(buf, p->family, p->addr);
	sprintf(buf + strlen(buf), "/%u", p->len);
	return buf;
}

/* ---- parsing replies ------------------------------------------------------------ */

/*
 * Index the attributes in [a, a + len) by type into tb[0..max] (a later one
 * of a type replaces an earlier, as in the kernel; types above max are
 * skipped).  They must fill the space: a header or length running past its
 * end is -EPROTO, where libmnl's walk would stop quietly.
 */
static int attr_table(const struct nlattr *a, int len, const struct nlattr **tb, unsigned int max)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));
	for (; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
		len -= (int)MNL_ALIGN(a->nla_len);
	}
	return len > 0 ? -EPROTO : 0;
}

/* The attributes after a fixed header of hdrlen bytes in a message of the
 * given type: -EBADMSG when the header does not fit. */
static int msg_table(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen,
		     const struct nlattr **tb, unsigned int max)
{
	size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);

	if (nlh->nlmsg_type != type)
		return -EPROTO;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdrlen)
		return -EBADMSG;
	if (nlh->nlmsg_len <= off)
		return attr_table(NULL, 0, tb, max);
	return attr_table((const struct nlattr *)((const char *)nlh + off),
			  (int)(nlh->nlmsg_len - off), tb, max);
}

static int nested_table(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	return attr_table(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), tb, max);
}

/* An absent attribute leaves *v alone; a present one must be 4 bytes. */
static int attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) != 4)
		return -EPROTO;
	*v = mnl_attr_get_u32(a);
	return 0;
}

/* An address attribute of the family's size into addr. */
static int attr_addr(const struct nlattr *a, int family, uint8_t addr[16])
{
	size_t n = ip_addr_size(family);

	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) != n)
		return -EPROTO;
	memcpy(addr, mnl_attr_get_payload(a), n);
	return 0;
}

/* A string attribute into buf: NUL-terminated within its payload (the
 * kernel's nla_put_string), or -EPROTO.  One longer than buf is -EPROTO too,
 * or cut short when truncate (a cut string can equal no shorter one). */
static int attr_str(const struct nlattr *a, char *buf, size_t size, bool truncate)
{
	const char *s;
	size_t n;

	if (!a)
		return 0;
	s = mnl_attr_get_payload(a);
	n = mnl_attr_get_payload_len(a);
	if (!memchr(s, '\0', n))
		return -EPROTO;
	n = strlen(s);
	if (n >= size && !truncate)
		return -EPROTO;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *link)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	int err = msg_table(nlh, RTM_NEWLINK, sizeof(*ifi), tb, IFLA_MAX);

	if (err)
		return err;
	memset(link, 0, sizeof(*link));
	link->ifindex = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	if (!tb[IFLA_IFNAME] || link->ifindex <= 0)
		return -EPROTO;
	err = attr_str(tb[IFLA_IFNAME], link->name, sizeof(link->name), false);
	if (!err && !link->name[0])
		err = -EPROTO;	/* no link is named "": a get by name must not find one */
	if (!err)
		err = attr_u32(tb[IFLA_MTU], &link->mtu);
	if (!err && tb[IFLA_LINKINFO])
		err = nested_table(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
	if (!err && tb[IFLA_LINKINFO] && info[IFLA_INFO_KIND])
		err = attr_str(info[IFLA_INFO_KIND], link->kind, sizeof(link->kind), true);
	return err;
}

int rtnl_parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *addr)
{
	const struct nlattr *tb[IFA_MAX + 1], *local, *address;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	int err = msg_table(nlh, RTM_NEWADDR, sizeof(*ifa), tb, IFA_MAX);

	if (err)
		return err;
	if (!ip_addr_size(ifa->ifa_family))
		return -EAFNOSUPPORT;
	memset(addr, 0, sizeof(*addr));
	addr->ifindex = (int)ifa->ifa_index;
	addr->scope = ifa->ifa_scope;
	addr->flags = ifa->ifa_flags;
	addr->local.family = addr->address.family = ifa->ifa_family;
	addr->local.len = addr->address.len = ifa->ifa_prefixlen;
	if (ifa->ifa_prefixlen > ip_addr_size(ifa->ifa_family) * 8)
		return -EPROTO;
	/* as ip(8): each of IFA_LOCAL and IFA_ADDRESS stands in for the other */
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	address = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!local)
		return -EPROTO;
	err = attr_addr(local, ifa->ifa_family, addr->local.addr);
	if (!err)
		err = attr_addr(address, ifa->ifa_family, addr->address.addr);
	if (!err)
		err = attr_u32(tb[IFA_FLAGS], &addr->flags);
	return err;
}

int rtnl_parse_route(const struct nlmsghdr *nlh, struct rtnl_route *route)
{
	const struct nlattr *tb[RTA_MAX + 1], *mx[RTAX_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t oif = 0, lock = 0;
	int err = msg_table(nlh, RTM_NEWROUTE, sizeof(*rtm), tb, RTA_MAX);

	if (err)
		return err;
	if (!ip_addr_size(rtm->rtm_family))
		return -EAFNOSUPPORT;
	memset(route, 0, sizeof(*route));
	route->dst.family = rtm->rtm_family;
	route->dst.len = rtm->rtm_dst_len;
	route->table = rtm->rtm_table;
	route->type = rtm->rtm_type;
	route->protocol = rtm->rtm_protocol;
	route->scope = rtm->rtm_scope;
	route->flags = rtm->rtm_flags;
	if (rtm->rtm_dst_len > ip_addr_size(rtm->rtm_family) * 8)
		return -EPROTO;
	err = attr_addr(tb[RTA_DST], rtm->rtm_family, route->dst.addr);
	if (!err)
		err = attr_u32(tb[RTA_TABLE], &route->table);
	if (!err)
		err = attr_u32(tb[RTA_OIF], &oif);
	if (!err && tb[RTA_METRICS])
		err = nested_table(tb[RTA_METRICS], mx, RTAX_MAX);
	if (!err && tb[RTA_METRICS])
		err = attr_u32(mx[RTAX_MTU], &route->mtu);
	if (!err && tb[RTA_METRICS])
		err = attr_u32(mx[RTAX_LOCK], &lock);
	route->oif = (int)oif;
	route->mtu_locked = lock & (1u << RTAX_MTU);
	return err;
}

int rtnl_parse_rule(const struct nlmsghdr *nlh, struct rtnl_rule *rule)
{
	static const uint8_t selectors[] = {
		FRA_SRC, FRA_DST, FRA_IIFNAME, FRA_OIFNAME, FRA_UID_RANGE,
		FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE, FRA_TUN_ID,
	};
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	uint32_t suppress = (uint32_t)-1;
	int err = msg_table(nlh, RTM_NEWRULE, sizeof(*frh), tb, FRA_MAX);
	size_t i;

	if (err)
		return err;
	if (!ip_addr_size(frh->family))
		return -EAFNOSUPPORT;
	rtnl_rule_init(rule, frh->family);
	rule->action = frh->action;
	rule->invert = frh->flags & FIB_RULE_INVERT;
	rule->table = frh->table;
	rule->has_priority = tb[FRA_PRIORITY] != NULL;
	rule->has_fwmark = tb[FRA_FWMARK] || tb[FRA_FWMASK];
	rule->other = frh->src_len || frh->dst_len || frh->tos;
	for (i = 0; i < sizeof(selectors); i++)
		rule->other |= tb[selectors[i]] != NULL;
	if (tb[FRA_L3MDEV])
		rule->other |= mnl_attr_get_payload_len(tb[FRA_L3MDEV]) != 1 ||
			       mnl_attr_get_u8(tb[FRA_L3MDEV]);
	err = attr_u32(tb[FRA_PRIORITY], &rule->priority);
	if (!err)
		err = attr_u32(tb[FRA_TABLE], &rule->table);
	if (!err)
		err = attr_u32(tb[FRA_FWMARK], &rule->fwmark);
	if (!err)
		err = attr_u32(tb[FRA_FWMASK], &rule->fwmask);
	if (!err)
		err = attr_u32(tb[FRA_SUPPRESS_PREFIXLEN], &suppress);
	rule->suppress_prefixlen = (int32_t)suppress;
	return err;
}

/* ---- talking -------------------------------------------------------------------------- */

/* A walk over a dump: msg gets each message and returns 0 to go on.  The
 * first non-zero result is kept and later messages are only read, so the
 * dump is drained and the socket can be used again. */
struct walk {
	int (*msg)(const struct nlmsghdr *nlh, struct walk *w);
	void (*fn)(void);	/* the caller's callback, cast back by msg */
	void *data;
	const void *filter;
	int ifindex;
	int ret;
};

static int walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;

	if (!w->ret)
		w->ret = w->msg(nlh, w);
	return MNL_CB_OK;
}

/* Dump all objects of a family (type RTM_GET*) through w.  The family is
 * the first byte of each of the four rtnetlink headers used here. */
static int dump(struct nl *nl, uint16_t type, size_t hdrlen, int family, struct walk *w)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_put_request(nl, buf, type, NLM_F_DUMP);
	uint8_t *hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	int err;

	hdr[0] = (uint8_t)family;
	if (type == RTM_GETLINK)
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = nl_talk(nl, nlh, walk_cb, w);
	return err ? err : w->ret;
}

/* For a request whose one reply message is handed to parse (a get). */
struct one_reply {
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	void *out;
	int err;
};

static int one_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_reply *r = data;

	r->err = r->parse(nlh, r->out);
	return MNL_CB_STOP;
}

static int get_one(struct nl *nl, struct nlmsghdr *nlh,
		   int (*parse)(const struct nlmsghdr *nlh, void *out), void *out)
{
	struct one_reply r = { parse, out, -EPROTO };
	int err = nl_talk(nl, nlh, one_reply_cb, &r);

	return err ? err : r.err;
}

static int parse_link(const struct nlmsghdr *nlh, void *link)
{
	return rtnl_parse_link(nlh, link);
}

static int parse_route(const struct nlmsghdr *nlh, void *route)
{
	return rtnl_parse_route(nlh, route);
}

/* ---- links ------------------------------------------------------------------------------- */

static struct nlmsghdr *link_request(struct nl *nl, void *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = nl_put_request(nl, buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	return nlh;
}

static int link_get(struct nl *nl, const char *name, int ifindex, struct rtnl_link *link)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = link_request(nl, buf, RTM_GETLINK, 0, ifindex);

	/* iproute2 also asks for VF details (RTEXT_FILTER_VF), which can
	 * make the reply of an SR-IOV NIC larger than our buffer */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (name && strlen(name) >= IFNAMSIZ)
		return -ENODEV;		/* no link can have that name */
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return get_one(nl, nlh, parse_link, link);
}

int rtnl_link_get(struct nl *nl, const char *name, struct rtnl_link *link)
{
	return link_get(nl, name, 0, link);
}

int rtnl_link_get_index(struct nl *nl, int ifindex, struct rtnl_link *link)
{
	return link_get(nl, NULL, ifindex, link);
}

int rtnl_link_add(struct nl *nl, const char *name, const char *kind)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = link_request(nl, buf, RTM_NEWLINK,
					    NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE, 0);
	struct nlattr *info;

	if (strlen(name) >= IFNAMSIZ || strlen(kind) >= RTNL_KIND_LEN)
		return -ENAMETOOLONG;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	/* iproute2 sends the kind without its NUL */
	mnl_attr_put(nlh, IFLA_INFO_KIND, strlen(kind), kind);
	mnl_attr_nest_end(nlh, info);
	/* iproute2's nest has no NLA_F_NESTED flag; match it */
	info->nla_type = IFLA_LINKINFO;
	return nl_talk(nl, nlh, NULL, NULL);
}

int rtnl_link_del(struct nl *nl, int ifindex)
{
	char buf[NL_REQ_SIZE];

	return nl_talk(nl, link_request(nl, buf, RTM_DELLINK, NLM_F_ACK, ifindex), NULL, NULL);
}

int rtnl_link_set_mtu_up(struct nl *nl, int ifindex, uint32_t mtu)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = link_request(nl, buf, RTM_NEWLINK, NLM_F_ACK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

static bool kind_listed(const char *const *kinds, const char *kind)
{
	for (; *kinds; kinds++)
		if (!strcmp(*kinds, kind))
			return true;
	return false;
}

static int link_msg(const struct nlmsghdr *nlh, struct walk *w)
{
	const char *const *kinds = w->filter;
	struct rtnl_link link;
	int err = rtnl_parse_link(nlh, &link);

	if (err)
		return err;
	if (kinds && !kind_listed(kinds, link.kind))
		return 0;
	return ((rtnl_link_fn)w->fn)(&link, w->data);
}

int rtnl_link_list(struct nl *nl, const char *const *kinds, rtnl_link_fn fn, void *data)
{
	struct walk w = { .msg = link_msg, .fn = (void (*)(void))fn, .data = data, .filter = kinds };

	return dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC, &w);
}

/* ---- addresses ---------------------------------------------------------------------------- */

int rtnl_addr_add(struct nl *nl, int ifindex, const struct ip_prefix *p)
{
	size_t n = ip_addr_size(p->family);
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_put_request(nl, buf, RTM_NEWADDR,
					      NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	if (!n || p->len > n * 8)
		return -EINVAL;
	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = (uint32_t)ifindex;
	/* ip(8) gives 127.0.0.0/8 addresses host scope unless told a scope */
	if (p->family == AF_INET && p->addr[0] == 127)
		ifa->ifa_scope = RT_SCOPE_HOST;
	mnl_attr_put(nlh, IFA_LOCAL, n, p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, n, p->addr);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int addr_msg(const struct nlmsghdr *nlh, struct walk *w)
{
	struct rtnl_addr addr;
	int err = rtnl_parse_addr(nlh, &addr);

	if (err == -EAFNOSUPPORT)
		return 0;
	if (err)
		return err;
	if (w->ifindex && addr.ifindex != w->ifindex)
		return 0;
	return ((rtnl_addr_fn)w->fn)(&addr, w->data);
}

int rtnl_addr_list(struct nl *nl, int family, int ifindex, rtnl_addr_fn fn, void *data)
{
	struct walk w = { .msg = addr_msg, .fn = (void (*)(void))fn, .data = data, .ifindex = ifindex };

	return dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), family, &w);
}

/* ---- routes ------------------------------------------------------------------------------------ */

static int route_change(struct nl *nl, uint16_t type, int ifindex, const struct ip_prefix *dst, uint32_t table)
{
	size_t n = ip_addr_size(dst->family);
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!n || dst->len > n * 8)
		return -EINVAL;
	nlh = nl_put_request(nl, buf, type, NLM_F_ACK |
			     (type == RTM_NEWROUTE ? NLM_F_EXCL | NLM_F_CREATE : 0));
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = !table ? RT_TABLE_MAIN : table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = RTN_UNICAST;
		/* a v4 route without a gateway is on-link; v6 leaves it universe */
		rtm->rtm_scope = dst->family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	} else {
		rtm->rtm_scope = dst->family == AF_INET ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
	}
	mnl_attr_put(nlh, RTA_DST, n, dst->addr);
	if (table >= 256)
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nl_talk(nl, nlh, NULL, NULL);
}

int rtnl_route_add(struct nl *nl, int ifindex, const struct ip_prefix *dst, uint32_t table)
{
	return route_change(nl, RTM_NEWROUTE, ifindex, dst, table);
}

int rtnl_route_del(struct nl *nl, int ifindex, const struct ip_prefix *dst, uint32_t table)
{
	return route_change(nl, RTM_DELROUTE, ifindex, dst, table);
}

int rtnl_route_get(struct nl *nl, const struct ip_prefix *addr, struct rtnl_route *res)
{
	size_t n = ip_addr_size(addr->family);
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_put_request(nl, buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	if (!n)
		return -EINVAL;
	rtm->rtm_family = addr->family;
	rtm->rtm_dst_len = (uint8_t)(n * 8);
	/* only IPv4 knows the flag; ip(8) sets it there */
	if (addr->family == AF_INET)
		rtm->rtm_flags = RTM_F_LOOKUP_TABLE;
	mnl_attr_put(nlh, RTA_DST, n, addr->addr);
	return get_one(nl, nlh, parse_route, res);
}

static int route_msg(const struct nlmsghdr *nlh, struct walk *w)
{
	struct rtnl_route route;
	int err = rtnl_parse_route(nlh, &route);

	return err ? err : ((rtnl_route_fn)w->fn)(&route, w->data);
}

int rtnl_route_list(struct nl *nl, int family, rtnl_route_fn fn, void *data)
{
	struct walk w = { .msg = route_msg, .fn = (void (*)(void))fn, .data = data };

	if (!ip_addr_size(family))
		return -EAFNOSUPPORT;
	return dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), family, &w);
}

/* Whether the first len bits of a and b are equal. */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int bytes = len / 8, rest = len % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & (0xff00 >> rest));
}

/* What ip's route filter does with "match DST", "table T", "dev IF" and
 * "default" (exact 0/0): see match_route below. */
struct route_query {
	const struct ip_prefix *match;	/* prefix containing it, or NULL */
	bool exact_default;		/* dst_len 0 */
	uint32_t table;
	int oif;			/* 0: any */
	struct rtnl_route *found;
};

static int match_route(const struct rtnl_route *r, void *data)
{
	struct route_query *q = data;

	if (r->flags & RTM_F_CLONED || r->table != q->table)
		return 0;
	if (q->oif && r->oif != q->oif)
		return 0;
	if (q->exact_default && r->dst.len)
		return 0;
	if (q->match && (r->dst.len > q->match->len ||
			 !bits_equal(r->dst.addr, q->match->addr, r->dst.len)))
		return 0;
	if (q->found)
		*q->found = *r;
	return 1;
}

static int route_query(struct nl *nl, int family, struct route_query *q)
{
	int ret = rtnl_route_list(nl, family, match_route, q);

	return ret < 0 ? ret : ret == 1;
}

int rtnl_route_match(struct nl *nl, int ifindex, const struct ip_prefix *dst)
{
	struct route_query q = { .match = dst, .table = RT_TABLE_MAIN, .oif = ifindex };

	return route_query(nl, dst->family, &q);
}

int rtnl_route_table_used(struct nl *nl, int family, uint32_t table)
{
	struct route_query q = { .table = table };

	return route_query(nl, family, &q);
}

int rtnl_route_default(struct nl *nl, int family, struct rtnl_route *res)
{
	struct route_query q = { .exact_default = true, .table = RT_TABLE_MAIN, .found = res };
	int ret = route_query(nl, family, &q);

	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

/* ---- policy rules -------------------------------------------------------------------------------- */

void rtnl_rule_init(struct rtnl_rule *rule, int family)
{
	memset(rule, 0, sizeof(*rule));
	rule->family = (uint8_t)family;
	rule->suppress_prefixlen = -1;
}

static int rule_change(struct nl *nl, uint16_t type, const struct rtnl_rule *rule)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;
	uint32_t table = rule->table;

	if (!ip_addr_size(rule->family))
		return -EAFNOSUPPORT;
	nlh = nl_put_request(nl, buf, type, NLM_F_ACK |
			     (type == RTM_NEWRULE ? NLM_F_EXCL | NLM_F_CREATE : 0));
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = rule->family;
	frh->action = rule->action;
	if (type == RTM_NEWRULE) {
		frh->action = FR_ACT_TO_TBL;
		if (!table)
			table = RT_TABLE_MAIN;
	}
	if (rule->invert)
		frh->flags = FIB_RULE_INVERT;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (rule->has_priority)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, rule->priority);
	if (rule->has_fwmark)
		mnl_attr_put_u32(nlh, FRA_FWMARK, rule->fwmark);
	if (rule->has_fwmark && rule->fwmask)
		mnl_attr_put_u32(nlh, FRA_FWMASK, rule->fwmask);
	if (table >= 256)
		mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (rule->suppress_prefixlen >= 0)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, (uint32_t)rule->suppress_prefixlen);
	return nl_talk(nl, nlh, NULL, NULL);
}

int rtnl_rule_add(struct nl *nl, const struct rtnl_rule *rule)
{
	return rule_change(nl, RTM_NEWRULE, rule);
}

int rtnl_rule_del(struct nl *nl, const struct rtnl_rule *rule)
{
	return rule_change(nl, RTM_DELRULE, rule);
}

static int rule_msg(const struct nlmsghdr *nlh, struct walk *w)
{
	struct rtnl_rule rule;
	int err = rtnl_parse_rule(nlh, &rule);

	return err ? err : ((rtnl_rule_fn)w->fn)(&rule, w->data);
}

int rtnl_rule_list(struct nl *nl, int family, rtnl_rule_fn fn, void *data)
{
	struct walk w = { .msg = rule_msg, .fn = (void (*)(void))fn, .data = data };

	if (!ip_addr_size(family))
		return -EAFNOSUPPORT;
	return dump(nl, RTM_GETRULE, sizeof(struct fib_rule_hdr), family, &w);
}

/* ---- sysctl ------------------------------------------------------------------------------------------ */

/* /proc/sys/net/ipv4/... from net.ipv4....; no way out of /proc/sys. */
static int sysctl_path(char path[256], const char *key)
{
	size_t n = strlen(key), i;

	if (!n || key[0] == '.' || key[0] == '/' || strstr(key, ".."))
		return -EINVAL;
	if (n >= 256 - sizeof("/proc/sys/"))
		return -ENAMETOOLONG;
	memcpy(path, "/proc/sys/", sizeof("/proc/sys/") - 1);
	for (i = 0; i <= n; i++)
		path[sizeof("/proc/sys/") - 1 + i] = key[i] == '.' ? '/' : key[i];
	return 0;
}

int sysctl_read(const char *key, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd, err = sysctl_path(path, key);

	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if ((size_t)n >= size)
		return -EOVERFLOW;
	buf[n] = '\0';
	return 0;
}

int sysctl_write(const char *key, const char *value)
{
	char path[256];
	size_t len = strlen(value);
	ssize_t n;
	int fd, err = sysctl_path(path, key);

	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}
