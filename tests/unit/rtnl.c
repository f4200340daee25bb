/* core/rtnl.c without a kernel: IP prefix parsing and formatting, and the
 * reply parsers fed constructed messages, whole, truncated and malformed. */
#include <errno.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"
#include "t.h"

static const char *fmt(const char *in)
{
	static char buf[IP_PREFIX_STRLEN];
	struct ip_prefix p;

	if (ip_prefix_parse(&p, in) < 0)
		return "(refused)";
	return ip_prefix_format(buf, &p);
}

static void prefixes(void)
{
	static const char *bad[] = {
		"", "/24", "10.0.0.1/", "10.0.0.1/33", "fd00::/129", "010.0.0.1",
		"10.0.0.256", "1.2.3.4.5", "10.0.0.1/024", "10.0.0.1/+1", "10.0.0.1 /24",
		"10..0.1", "10.0.0.", ".10.0.0", "fd00::1/64x", "hello", "10.0.0.1/2 4",
		"0x0a.0.0.1", "1:2:3:4:5:6:7:8:9", "fd00::1/-1", "10.0.0.1/99999999999",
		"fd00::1::2", " 10.0.0.1", "10.0.0.1//24",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};
	struct ip_prefix p;

	t_begin("prefix: parse and canonical format");
	t_check_str(fmt("10.0.0.1/24"), "10.0.0.1/24");
	t_check_str(fmt("10.0.0.1"), "10.0.0.1/32");
	t_check_str(fmt("0.0.0.0/0"), "0.0.0.0/0");
	t_check_str(fmt("fd00::1/64"), "fd00::1/64");
	t_check_str(fmt("FD00:0:0::1"), "fd00::1/128");
	t_check_str(fmt("::/0"), "::/0");
	t_check_str(fmt("::ffff:1.2.3.4/96"), "::ffff:1.2.3.4/96");
	t_check_str(fmt("255.255.255.255/32"), "255.255.255.255/32");
	t_end();

	t_begin("prefix: ip(8)'s short IPv4 forms, host bits kept");
	t_check_str(fmt("10.1/16"), "10.1.0.0/16");
	t_check_str(fmt("10/8"), "10.0.0.0/8");
	t_check_str(fmt("192.168.7"), "192.168.7.0/32");
	t_check_str(fmt("10.9.8.7/8"), "10.9.8.7/8");
	t_check(ip_prefix_parse(&p, "10.0.0.1/24") == 0 && p.family == AF_INET && p.len == 24 &&
		!memcmp(p.addr, "\x0a\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16), "fields of 10.0.0.1/24");
	t_end();

	t_begin("prefix: malformed input is -EINVAL");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		t_check(ip_prefix_parse(&p, bad[i]) == -EINVAL, "accepted \"%s\"", bad[i]);
	t_end();
}

/* ---- messages --------------------------------------------------------------- */

static char msgbuf[NL_REQ_SIZE];

static struct nlmsghdr *msg(uint16_t type, size_t hdrlen, void **hdr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);

	nlh->nlmsg_type = type;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

/* A copy in a buffer of exactly nlmsg_len bytes, so that the sanitizer
 * build sees any read past the end. */
static struct nlmsghdr *exact_copy(const struct nlmsghdr *nlh, uint32_t len)
{
	struct nlmsghdr *copy = malloc(len);

	memcpy(copy, nlh, len);
	copy->nlmsg_len = len;
	return copy;
}

typedef int (*parse_fn)(const struct nlmsghdr *, void *);

/*
 * Cut the message at every length below its own: inside an attribute's
 * header or payload the parser must say -EPROTO (-EBADMSG inside the fixed
 * header); at an attribute boundary, or in the padding after an attribute
 * (the kernel's own parser takes an unpadded last attribute too), it may
 * parse (0) or miss a required attribute (-EPROTO).  Never a crash or a
 * read past the end.
 */
static void truncations(const struct nlmsghdr *nlh, size_t hdrlen, parse_fn parse, void *out)
{
	uint32_t full = nlh->nlmsg_len, len, at = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
	bool boundary[NL_REQ_SIZE] = { false };
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdrlen) {
		size_t start = (size_t)((const char *)a - (const char *)nlh);

		boundary[start] = true;
		for (len = a->nla_len; len < MNL_ALIGN(a->nla_len); len++)
			boundary[start + len] = true;
	}
	for (len = 0; len < full; len++) {
		struct nlmsghdr *copy = exact_copy(nlh, len < sizeof(*nlh) ? sizeof(*nlh) : len);
		int err;

		copy->nlmsg_len = len;
		err = parse(copy, out);
		if (len < MNL_NLMSG_HDRLEN + hdrlen)
			t_check(err == -EBADMSG, "cut at %u of %u: %d, want -EBADMSG", len, full, err);
		else if (len >= at && !boundary[len])
			t_check(err == -EPROTO, "cut at %u of %u: %d, want -EPROTO", len, full, err);
		else
			t_check(err == 0 || err == -EPROTO, "cut at %u of %u: %d", len, full, err);
		free(copy);
	}
}

static struct nlmsghdr *link_msg(int ifindex, const char *name, const char *kind)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, sizeof(*ifi), (void **)&ifi);
	struct nlattr *nest;

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1420);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 0x7ff0, 1);	/* a type from the future: skipped */
	return nlh;
}

/* The attribute of the given type at the top level of nlh. */
static struct nlattr *find_attr(struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdrlen)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static void links(void)
{
	struct nlmsghdr *nlh;
	struct rtnl_link l;
	struct nlattr *a;

	t_begin("link: a whole RTM_NEWLINK");
	nlh = link_msg(7, "awg0", "amneziawg");
	t_check_int(rtnl_parse_link(nlh, &l), 0);
	t_check(l.ifindex == 7 && l.mtu == 1420 && (l.flags & IFF_UP), "fields %d %u %x",
		l.ifindex, l.mtu, l.flags);
	t_check_str(l.name, "awg0");
	t_check_str(l.kind, "amneziawg");
	t_end();

	t_begin("link: every truncation is refused cleanly");
	truncations(nlh, sizeof(struct ifinfomsg), (parse_fn)rtnl_parse_link, &l);
	t_end();

	t_begin("link: wrong lengths and types");
	nlh = link_msg(7, "awg0", "amneziawg");
	a = find_attr(nlh, sizeof(struct ifinfomsg), IFLA_MTU);
	a->nla_len = 6;				/* a 2-byte MTU */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	a->nla_len = 3;				/* shorter than its header */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	a->nla_len = 200;			/* past the message */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	{
		struct ifinfomsg *ifi;

		nlh = msg(RTM_NEWLINK, sizeof(*ifi), (void **)&ifi);
		ifi->ifi_index = 1;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
		mnl_attr_put_u64(nlh, IFLA_MTU, 1420);	/* an 8-byte MTU */
		t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	}

	nlh = link_msg(7, "awg0", "amneziawg");
	a = find_attr(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME);
	memcpy(mnl_attr_get_payload(a), "awg0X", 5);	/* no NUL */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);

	nlh = link_msg(7, "0123456789abcdef", "ifb");	/* 16 characters */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	nlh = link_msg(7, "", "ifb");		/* no link is named "" */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);

	nlh = link_msg(7, "awg0", "amneziawg");
	a = find_attr(nlh, sizeof(struct ifinfomsg), IFLA_LINKINFO);
	((struct nlattr *)mnl_attr_get_payload(a))->nla_len = 40;	/* kind past the nest */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);

	nlh = link_msg(7, "awg0", "amneziawg");
	nlh->nlmsg_type = RTM_NEWADDR;
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	nlh = link_msg(0, "awg0", "amneziawg");
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);

	nlh = link_msg(7, "awg0", "amneziawg");
	nlh->nlmsg_len += 2;			/* stray bytes after the last attribute */
	t_check_int(rtnl_parse_link(nlh, &l), -EPROTO);
	t_end();

	t_begin("link: a kind longer than ours is cut, no kind is empty");
	nlh = link_msg(3, "x", "a-kind-name-much-longer-than-thirty-one");
	t_check_int(rtnl_parse_link(nlh, &l), 0);
	t_check_str(l.kind, "a-kind-name-much-longer-than-th");
	{
		struct ifinfomsg *ifi;

		nlh = msg(RTM_NEWLINK, sizeof(*ifi), (void **)&ifi);
		ifi->ifi_index = 1;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
		t_check_int(rtnl_parse_link(nlh, &l), 0);
		t_check_str(l.kind, "");
		t_check_int(l.mtu, 0);
	}
	t_end();
}

static struct nlmsghdr *addr_msg(int family, int plen, const char *local, const char *address)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = msg(RTM_NEWADDR, sizeof(*ifa), (void **)&ifa);
	uint8_t a[16];

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = 4;
	if (address) {
		inet_pton(family, address, a);
		mnl_attr_put(nlh, IFA_ADDRESS, ip_addr_size(family), a);
	}
	if (local) {
		inet_pton(family, local, a);
		mnl_attr_put(nlh, IFA_LOCAL, ip_addr_size(family), a);
	}
	mnl_attr_put_u32(nlh, IFA_FLAGS, 0x100);
	return nlh;
}

static void addrs(void)
{
	char b1[IP_PREFIX_STRLEN], b2[IP_PREFIX_STRLEN];
	struct nlmsghdr *nlh;
	struct rtnl_addr a;
	struct nlattr *at;

	t_begin("addr: IPv4 with a peer, IPv6 with IFA_ADDRESS only");
	nlh = addr_msg(AF_INET, 32, "10.0.0.1", "10.0.0.2");
	t_check_int(rtnl_parse_addr(nlh, &a), 0);
	t_check_str(ip_prefix_format(b1, &a.local), "10.0.0.1/32");
	t_check_str(ip_prefix_format(b2, &a.address), "10.0.0.2/32");
	t_check(a.ifindex == 4 && a.flags == 0x100, "ifindex %d flags %x", a.ifindex, a.flags);
	nlh = addr_msg(AF_INET6, 64, NULL, "fd00::1");
	t_check_int(rtnl_parse_addr(nlh, &a), 0);
	t_check_str(ip_prefix_format(b1, &a.local), "fd00::1/64");
	t_check_str(ip_prefix_format(b2, &a.address), "fd00::1/64");
	t_end();

	t_begin("addr: every truncation is refused cleanly");
	nlh = addr_msg(AF_INET6, 64, "fd00::1", "fd00::1");
	truncations(nlh, sizeof(struct ifaddrmsg), (parse_fn)rtnl_parse_addr, &a);
	t_end();

	t_begin("addr: wrong lengths, prefix lengths and families");
	nlh = addr_msg(AF_INET, 24, "10.0.0.1", NULL);
	at = find_attr(nlh, sizeof(struct ifaddrmsg), IFA_LOCAL);
	at->nla_len = 7;			/* 3 address bytes */
	t_check_int(rtnl_parse_addr(nlh, &a), -EPROTO);
	nlh = addr_msg(AF_INET, 24, "10.0.0.1", NULL);	/* 4 bytes in an AF_INET6 message */
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_INET6;
	t_check_int(rtnl_parse_addr(nlh, &a), -EPROTO);
	nlh = addr_msg(AF_INET, 33, "10.0.0.1", NULL);
	t_check_int(rtnl_parse_addr(nlh, &a), -EPROTO);
	nlh = addr_msg(AF_INET, 24, NULL, NULL);
	t_check_int(rtnl_parse_addr(nlh, &a), -EPROTO);
	nlh = addr_msg(AF_INET, 24, "10.0.0.1", NULL);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_PACKET;
	t_check_int(rtnl_parse_addr(nlh, &a), -EAFNOSUPPORT);
	t_end();
}

static struct nlmsghdr *route_msg(int family, int dlen, const char *dst, uint32_t mtu, uint32_t lock)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = msg(RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	struct nlattr *mx;
	uint8_t a[16];

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)dlen;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, 51820);
	inet_pton(family, dst, a);
	mnl_attr_put(nlh, RTA_DST, ip_addr_size(family), a);
	mnl_attr_put_u32(nlh, RTA_OIF, 9);
	mx = mnl_attr_nest_start(nlh, RTA_METRICS);
	if (lock)
		mnl_attr_put_u32(nlh, RTAX_LOCK, lock);
	if (mtu)
		mnl_attr_put_u32(nlh, RTAX_MTU, mtu);
	mnl_attr_put_str(nlh, RTAX_CC_ALGO, "bbr");	/* a string metric: ignored */
	mnl_attr_nest_end(nlh, mx);
	return nlh;
}

static void routes(void)
{
	char b[IP_PREFIX_STRLEN];
	struct nlmsghdr *nlh;
	struct rtnl_route r;
	struct nlattr *at;

	t_begin("route: table, dst, oif, mtu and its lock");
	nlh = route_msg(AF_INET6, 64, "fd00:1::", 1380, 0);
	t_check_int(rtnl_parse_route(nlh, &r), 0);
	t_check_str(ip_prefix_format(b, &r.dst), "fd00:1::/64");
	t_check(r.table == 51820 && r.oif == 9 && r.mtu == 1380 && !r.mtu_locked,
		"table %u oif %d mtu %u locked %d", r.table, r.oif, r.mtu, r.mtu_locked);
	nlh = route_msg(AF_INET, 0, "0.0.0.0", 1400, 1u << RTAX_MTU);
	t_check_int(rtnl_parse_route(nlh, &r), 0);
	t_check(r.mtu == 1400 && r.mtu_locked && r.dst.len == 0, "mtu %u locked %d", r.mtu, r.mtu_locked);
	nlh = route_msg(AF_INET, 8, "10.0.0.0", 0, 1u << RTAX_WINDOW);
	t_check_int(rtnl_parse_route(nlh, &r), 0);
	t_check(r.mtu == 0 && !r.mtu_locked, "mtu %u locked %d", r.mtu, r.mtu_locked);
	t_end();

	t_begin("route: every truncation is refused cleanly");
	nlh = route_msg(AF_INET, 24, "10.1.2.0", 1300, 1u << RTAX_MTU);
	truncations(nlh, sizeof(struct rtmsg), (parse_fn)rtnl_parse_route, &r);
	t_end();

	t_begin("route: wrong lengths inside and outside the metrics");
	nlh = route_msg(AF_INET, 24, "10.1.2.0", 1300, 0);
	at = find_attr(nlh, sizeof(struct rtmsg), RTA_METRICS);
	((struct nlattr *)mnl_attr_get_payload(at))->nla_len = 6;	/* a 2-byte RTAX_MTU */
	t_check_int(rtnl_parse_route(nlh, &r), -EPROTO);
	nlh = route_msg(AF_INET, 24, "10.1.2.0", 1300, 0);
	at = find_attr(nlh, sizeof(struct rtmsg), RTA_METRICS);
	at->nla_len = 4 + 6;			/* the nest ends inside RTAX_MTU */
	t_check_int(rtnl_parse_route(nlh, &r), -EPROTO);
	nlh = route_msg(AF_INET, 33, "10.1.2.0", 0, 0);
	t_check_int(rtnl_parse_route(nlh, &r), -EPROTO);
	nlh = route_msg(AF_INET, 24, "10.1.2.0", 0, 0);
	at = find_attr(nlh, sizeof(struct rtmsg), RTA_OIF);
	at->nla_len = 5;
	t_check_int(rtnl_parse_route(nlh, &r), -EPROTO);
	nlh = route_msg(AF_INET, 24, "10.1.2.0", 0, 0);
	at = find_attr(nlh, sizeof(struct rtmsg), RTA_DST);
	at->nla_type = RTA_SRC;			/* unused by us: fine */
	t_check_int(rtnl_parse_route(nlh, &r), 0);
	t_check_int(r.dst.addr[0], 0);
	t_end();
}

static struct nlmsghdr *rule_msg(uint32_t table, bool fwmark)
{
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh = msg(RTM_NEWRULE, sizeof(*frh), (void **)&frh);

	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	frh->flags = fwmark ? FIB_RULE_INVERT : 0;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 32765);
	if (fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, table);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	}
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, fwmark ? (uint32_t)-1 : 0);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, 0);
	return nlh;
}

static void rules(void)
{
	struct nlmsghdr *nlh;
	struct rtnl_rule r;
	struct nlattr *at;

	t_begin("rule: not fwmark T lookup T; lookup main suppress_prefixlength 0");
	nlh = rule_msg(51820, true);
	t_check_int(rtnl_parse_rule(nlh, &r), 0);
	t_check(r.invert && r.has_fwmark && r.fwmark == 51820 && r.fwmask == 0xffffffff &&
		r.table == 51820 && r.priority == 32765 && r.has_priority &&
		r.suppress_prefixlen == -1 && !r.other && r.action == FR_ACT_TO_TBL, "fields");
	nlh = rule_msg(RT_TABLE_MAIN, false);
	t_check_int(rtnl_parse_rule(nlh, &r), 0);
	t_check(!r.invert && !r.has_fwmark && r.table == RT_TABLE_MAIN &&
		r.suppress_prefixlen == 0 && !r.other, "fields");
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "eth0");
	t_check_int(rtnl_parse_rule(nlh, &r), 0);
	t_check(r.other, "iif not seen as another selector");
	t_end();

	t_begin("rule: every truncation is refused cleanly");
	nlh = rule_msg(51820, true);
	truncations(nlh, sizeof(struct fib_rule_hdr), (parse_fn)rtnl_parse_rule, &r);
	t_end();

	t_begin("rule: wrong lengths");
	nlh = rule_msg(51820, true);
	at = find_attr(nlh, sizeof(struct fib_rule_hdr), FRA_PRIORITY);
	at->nla_len = 12;			/* eats FRA_FWMARK's header: 8 bytes */
	t_check_int(rtnl_parse_rule(nlh, &r), -EPROTO);
	nlh = rule_msg(51820, true);
	at = find_attr(nlh, sizeof(struct fib_rule_hdr), FRA_SUPPRESS_PREFIXLEN);
	at->nla_len = 6;
	t_check_int(rtnl_parse_rule(nlh, &r), -EPROTO);
	nlh = rule_msg(51820, true);
	((struct fib_rule_hdr *)mnl_nlmsg_get_payload(nlh))->family = 0;
	t_check_int(rtnl_parse_rule(nlh, &r), -EAFNOSUPPORT);
	t_end();
}

static void sysctls(void)
{
	char buf[8];

	t_begin("sysctl: keys cannot leave /proc/sys; values must fit");
	t_check_int(sysctl_read("../../etc/passwd", buf, sizeof(buf)), -EINVAL);
	t_check_int(sysctl_read("/etc/passwd", buf, sizeof(buf)), -EINVAL);
	t_check_int(sysctl_read("", buf, sizeof(buf)), -EINVAL);
	t_check_int(sysctl_write("net..ipv4", "1"), -EINVAL);
	t_check_int(sysctl_read("kernel.no_such_key_here", buf, sizeof(buf)), -ENOENT);
	t_check_int(sysctl_read("kernel.ostype", buf, sizeof(buf)), 0);
	t_check_str(buf, "Linux");
	t_check_int(sysctl_read("kernel.ostype", buf, 5), -EOVERFLOW);
	t_end();
}

int main(void)
{
	prefixes();
	links();
	addrs();
	routes();
	rules();
	sysctls();
	return t_done();
}
