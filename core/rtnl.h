/*
 * rtnetlink: the links, addresses, routes and policy rules that awg-quick and
 * wg-quick set up, done in-process instead of by running ip(8).  Each call
 * sends what iproute2 sends for the ip(8) command named beside it, so the
 * kernel ends up in the same state.  All return 0 (or a count/flag where
 * said) or -errno, the kernel's own errno passed on unchanged; nothing prints.
 *
 * Every reply is bounds-checked: a message or attribute shorter than its type
 * needs gives -EBADMSG (message header) or -EPROTO (attribute).  Lists are
 * walked with a callback that returns 0 to go on or any other value to stop
 * (the walk then returns that value, after reading the rest of the dump so
 * the socket stays usable).  A dump interrupted by a concurrent change gives
 * -EINTR after the callback saw part of it: start again.
 */
#ifndef AWGBOX_RTNL_H
#define AWGBOX_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/* ---- IP prefixes ---------------------------------------------------------- */

struct ip_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];	/* network order; AF_INET uses the first 4 */
};

#define IP_PREFIX_STRLEN 50	/* address, "/128", NUL */

/* Bytes of an address of this family: 4, 16, or 0 when it is neither. */
size_t ip_addr_size(int family);

/*
 * "10.0.0.1/24", "fd00::1/64"; without "/N" the length is 32 or 128 (a
 * host).  Like ip(8), an IPv4 address may have fewer than four parts
 * ("10.1/16" is 10.1.0.0/16) and host bits are kept (10.0.0.1/24 stays).
 * Octal/hex parts and leading zeros (which ip reads as octal) are refused.
 * 0 or -EINVAL.
 */
int ip_prefix_parse(struct ip_prefix *p, const char *s);

/* Canonical "address/len", always with the length; the address as
 * addr_format_ip (addr.h) prints it, which is glibc's inet_ntop form. */
char *ip_prefix_format(char buf[IP_PREFIX_STRLEN], const struct ip_prefix *p);

/* ---- links ------------------------------------------------------------------ */

#define RTNL_KIND_LEN 32

struct rtnl_link {
	int ifindex;
	unsigned int flags;		/* IFF_UP, ... */
	uint32_t mtu;
	char name[IFNAMSIZ];
	char kind[RTNL_KIND_LEN];	/* IFLA_INFO_KIND, "" when it has none */
};

/* ip link show dev NAME: -ENODEV when there is no such link (or NAME is
 * too long to be one). */
int rtnl_link_get(struct nl *nl, const char *name, struct rtnl_link *link);
int rtnl_link_get_index(struct nl *nl, int ifindex, struct rtnl_link *link);

/* ip link add NAME type KIND.  A kind the kernel does not know gives
 * -EOPNOTSUPP ("Unknown device type"); that is what sends awg-quick to the
 * userspace implementation.  -EEXIST when NAME is taken. */
int rtnl_link_add(struct nl *nl, const char *name, const char *kind);
/* ip link delete dev IF */
int rtnl_link_del(struct nl *nl, int ifindex);
/* ip link set mtu MTU up dev IF */
int rtnl_link_set_mtu_up(struct nl *nl, int ifindex, uint32_t mtu);

typedef int (*rtnl_link_fn)(const struct rtnl_link *link, void *data);
/* Every link whose kind is one of kinds (NULL-terminated; NULL for all
 * links), in the kernel's order (ifindex). */
int rtnl_link_list(struct nl *nl, const char *const *kinds, rtnl_link_fn fn, void *data);

/* ---- addresses ---------------------------------------------------------------- */

struct rtnl_addr {
	int ifindex;
	uint8_t scope;			/* RT_SCOPE_* */
	uint32_t flags;			/* IFA_F_* */
	struct ip_prefix local;		/* IFA_LOCAL (else IFA_ADDRESS) / prefix length */
	struct ip_prefix address;	/* IFA_ADDRESS (else IFA_LOCAL): differs for a peer */
};

/* ip -4|-6 address add ADDR/LEN dev IF */
int rtnl_addr_add(struct nl *nl, int ifindex, const struct ip_prefix *p);

typedef int (*rtnl_addr_fn)(const struct rtnl_addr *addr, void *data);
/* ip [-4|-6] address show [dev IF]: family AF_UNSPEC for both (IPv4 first),
 * ifindex 0 for every link; in the kernel's order. */
int rtnl_addr_list(struct nl *nl, int family, int ifindex, rtnl_addr_fn fn, void *data);

/* ---- routes ---------------------------------------------------------------------- */

struct rtnl_route {
	struct ip_prefix dst;	/* rtm_dst_len and RTA_DST (zeros when absent) */
	uint32_t table;		/* RTA_TABLE, else rtm_table */
	uint8_t type, protocol, scope;	/* RTN_*, RTPROT_*, RT_SCOPE_* */
	uint32_t flags;		/* rtm_flags: RTM_F_CLONED for cache entries */
	int oif;		/* RTA_OIF, 0 when absent (multipath, unreachable) */
	uint32_t mtu;		/* RTAX_MTU in RTA_METRICS, 0 when absent */
	bool mtu_locked;	/* RTAX_LOCK has the MTU bit: ip prints "mtu lock N" */
};

/* ip -4|-6 route add DST dev IF [table TABLE]; table 0 is main. */
int rtnl_route_add(struct nl *nl, int ifindex, const struct ip_prefix *dst, uint32_t table);
/* ip -4|-6 route delete DST dev IF [table TABLE] */
int rtnl_route_del(struct nl *nl, int ifindex, const struct ip_prefix *dst, uint32_t table);

/* ip route get ADDR (addr->len is ignored): the route the kernel would use.
 * The kernel's error (-ENETUNREACH, ...) when there is none.  ip prints
 * "dev NAME" for res->oif and "mtu N" for res->mtu unless it is locked. */
int rtnl_route_get(struct nl *nl, const struct ip_prefix *addr, struct rtnl_route *res);

typedef int (*rtnl_route_fn)(const struct rtnl_route *route, void *data);
/* Every route of a family (AF_INET or AF_INET6) in every table, cache
 * entries (RTM_F_CLONED) included, in the kernel's order. */
int rtnl_route_list(struct nl *nl, int family, rtnl_route_fn fn, void *data);

/* 1 when `ip -4|-6 route show dev IF match DST` would print a route (one in
 * main through IF whose prefix contains DST), else 0. */
int rtnl_route_match(struct nl *nl, int ifindex, const struct ip_prefix *dst);
/* 1 when `ip -4|-6 route show table TABLE` would print anything, else 0. */
int rtnl_route_table_used(struct nl *nl, int family, uint32_t table);
/* The first line of `ip -4|-6 route show default`: the first route to 0/0 in
 * main, -ENOENT when there is none. */
int rtnl_route_default(struct nl *nl, int family, struct rtnl_route *res);

/* ---- policy rules ------------------------------------------------------------------- */

struct rtnl_rule {
	uint8_t family;
	uint8_t action;		/* FR_ACT_TO_TBL for a lookup (what add sends) */
	bool invert;		/* "not" */
	bool has_priority;	/* add: without it the kernel picks one */
	bool has_fwmark;
	bool other;		/* listed: has selectors not described here
				   (from, to, tos, iif, oif, uidrange, ports, ...) */
	uint32_t priority;
	uint32_t table;		/* 0: none */
	uint32_t fwmark;
	uint32_t fwmask;	/* add: 0 sends none (the kernel takes all bits) */
	int32_t suppress_prefixlen;	/* -1: none */
};

/* A rule with nothing set: suppress_prefixlen -1. */
void rtnl_rule_init(struct rtnl_rule *rule, int family);
/* ip -4|-6 rule add [not] [priority P] [fwmark M[/MASK]] table T
 *	[suppress_prefixlength N]: the attributes in that order (iproute2
 *	sends them in the order of its arguments).  No table is main. */
int rtnl_rule_add(struct nl *nl, const struct rtnl_rule *rule);
/* ip -4|-6 rule delete ...: the kernel deletes the first rule that matches
 * every field given (action and priority only when set). */
int rtnl_rule_del(struct nl *nl, const struct rtnl_rule *rule);

typedef int (*rtnl_rule_fn)(const struct rtnl_rule *rule, void *data);
/* ip -4|-6 rule show, in the kernel's order (priority). */
int rtnl_rule_list(struct nl *nl, int family, rtnl_rule_fn fn, void *data);

/* ---- parsers, for the walks above and for tests ---------------------------------- */

/* One reply message each: 0, -EBADMSG, -EPROTO, or -EAFNOSUPPORT for an
 * address, route or rule of a family other than AF_INET/AF_INET6. */

struct nlmsghdr;
int rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *link);
int rtnl_parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *addr);
int rtnl_parse_route(const struct nlmsghdr *nlh, struct rtnl_route *route);
int rtnl_parse_rule(const struct nlmsghdr *nlh, struct rtnl_rule *rule);

/* ---- sysctl ------------------------------------------------------------------------ */

/* Read "net.ipv4.conf.all.src_valid_mark" from /proc/sys into buf, without
 * the trailing newline.  0 or -errno (-EOVERFLOW when buf is too small). */
int sysctl_read(const char *key, char *buf, size_t size);
/* Write value to it.  awg-easy's image skips the write when the value is
 * already right (containers often cannot write /proc/sys): read first. */
int sysctl_write(const char *key, const char *value);

#endif
