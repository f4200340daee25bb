/*
 * Runs one core/rtnl.c operation named on the command line, for
 * tests/netns/rtnl.t to compare with the ip(8) command it stands for.
 * Prints results on stdout; on failure "rtnl-probe: OP: message (errno N)"
 * on stderr and exit status 1; bad usage exits 2.
 *
 *	link-add NAME KIND | link-del NAME | link-set-mtu-up NAME MTU
 *	link-get NAME | link-list [KIND...]
 *	addr-add NAME PREFIX | addr-list 4|6|all NAME|all
 *	route-add NAME PREFIX [TABLE] | route-del NAME PREFIX [TABLE]
 *	route-get ADDR | route-match NAME PREFIX | route-default 4|6
 *	table-used 4|6 TABLE
 *	rule-add 4|6 RULE... | rule-del 4|6 RULE... | rule-list 4|6
 *		RULE: not, fwmark M[/MASK], table T, suppress_prefixlength N,
 *		priority P (numbers as strtoul base 0)
 *	sysctl-read KEY | sysctl-write KEY VALUE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "rtnl.h"

static struct nl nl;
static const char *op;

static void usage(void)
{
	fprintf(stderr, "rtnl-probe: %s: bad arguments\n", op);
	exit(2);
}

static int check(int err)
{
	if (err < 0) {
		fprintf(stderr, "rtnl-probe: %s: %s (errno %d)\n", op, strerror(-err), -err);
		exit(1);
	}
	return err;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end)
		usage();
	return v;
}

static int family(const char *s)
{
	if (!strcmp(s, "4"))
		return AF_INET;
	if (!strcmp(s, "6"))
		return AF_INET6;
	if (!strcmp(s, "all"))
		return AF_UNSPEC;
	usage();
	return 0;
}

static void prefix(struct ip_prefix *p, const char *s)
{
	if (ip_prefix_parse(p, s) < 0)
		usage();
}

static int ifindex(const char *name)
{
	struct rtnl_link link;

	check(rtnl_link_get(&nl, name, &link));
	return link.ifindex;
}

static const char *ifname(int index)
{
	static struct rtnl_link link;

	if (!index)
		return "-";
	check(rtnl_link_get_index(&nl, index, &link));
	return link.name;
}

static int print_link(const struct rtnl_link *link, void *data)
{
	printf("%s\n", link->name);
	return 0;
}

static int print_addr(const struct rtnl_addr *a, void *data)
{
	char buf[IP_PREFIX_STRLEN], peer[ADDR_IP_LEN];

	printf("%s %s", a->local.family == AF_INET ? "inet" : "inet6",
	       ip_prefix_format(buf, &a->local));
	if (memcmp(a->local.addr, a->address.addr, sizeof(a->local.addr)))
		printf(" peer %s", addr_format_ip(peer, a->address.family, a->address.addr));
	printf("\n");
	return 0;
}

/* What ip(8) prints that awg-quick reads: "dev NAME", "mtu N"/"mtu lock N". */
static void print_route(const struct rtnl_route *r)
{
	printf("dev %s", ifname(r->oif));
	if (r->mtu || r->mtu_locked)
		printf(r->mtu_locked ? " mtu lock %u" : " mtu %u", r->mtu);
	printf("\n");
}

static const char *table_name(uint32_t t, char buf[16])
{
	if (t == RT_TABLE_MAIN)
		return "main";
	if (t == RT_TABLE_LOCAL)
		return "local";
	if (t == RT_TABLE_DEFAULT)
		return "default";
	snprintf(buf, 16, "%u", t);
	return buf;
}

/* ip rule show's line for rules with no other selectors. */
static int print_rule(const struct rtnl_rule *r, void *data)
{
	char t[16];

	printf("%u:\t%s", r->priority, r->invert ? "not " : "");
	if (r->other)
		printf("(other)");
	else
		printf("from all");
	if (r->has_fwmark)
		printf(r->fwmask != 0xffffffff ? " fwmark %#x/%#x" : " fwmark %#x",
		       r->fwmark, r->fwmask);
	if (r->table)
		printf(" lookup %s", table_name(r->table, t));
	if (r->table && r->suppress_prefixlen != -1)
		printf(" suppress_prefixlength %d", r->suppress_prefixlen);
	printf("\n");
	return 0;
}

static void rule_args(struct rtnl_rule *r, const char *fam, char **argv)
{
	char *slash;

	rtnl_rule_init(r, family(fam));
	for (; *argv; argv++) {
		if (!strcmp(*argv, "not")) {
			r->invert = true;
		} else if (!argv[1]) {
			usage();
		} else if (!strcmp(*argv, "fwmark")) {
			slash = strchr(*++argv, '/');
			if (slash) {
				*slash = '\0';
				r->fwmask = (uint32_t)number(slash + 1);
			}
			r->fwmark = (uint32_t)number(*argv);
			r->has_fwmark = true;
		} else if (!strcmp(*argv, "table")) {
			r->table = !strcmp(*++argv, "main") ? RT_TABLE_MAIN : (uint32_t)number(*argv);
		} else if (!strcmp(*argv, "suppress_prefixlength")) {
			r->suppress_prefixlen = (int32_t)number(*++argv);
		} else if (!strcmp(*argv, "priority")) {
			r->priority = (uint32_t)number(*++argv);
			r->has_priority = true;
		} else {
			usage();
		}
	}
}

int main(int argc, char **argv)
{
	struct rtnl_link link;
	struct rtnl_route route;
	struct rtnl_rule rule;
	struct ip_prefix p;
	char buf[256];
	int n;

	if (argc < 2)
		return 2;
	op = argv[1];
	n = argc - 2;
	argv += 2;
	check(nl_open(&nl, NETLINK_ROUTE));
	if (!strcmp(op, "link-add") && n == 2) {
		check(rtnl_link_add(&nl, argv[0], argv[1]));
	} else if (!strcmp(op, "link-del") && n == 1) {
		check(rtnl_link_del(&nl, ifindex(argv[0])));
	} else if (!strcmp(op, "link-set-mtu-up") && n == 2) {
		check(rtnl_link_set_mtu_up(&nl, ifindex(argv[0]), (uint32_t)number(argv[1])));
	} else if (!strcmp(op, "link-get") && n == 1) {
		check(rtnl_link_get(&nl, argv[0], &link));
		printf("ifindex=%d name=%s kind=%s mtu=%u up=%d\n", link.ifindex, link.name,
		       link.kind, link.mtu, !!(link.flags & IFF_UP));
	} else if (!strcmp(op, "link-list")) {
		check(rtnl_link_list(&nl, n ? (const char *const *)argv : NULL, print_link, NULL));
	} else if (!strcmp(op, "addr-add") && n == 2) {
		prefix(&p, argv[1]);
		check(rtnl_addr_add(&nl, ifindex(argv[0]), &p));
	} else if (!strcmp(op, "addr-list") && n == 2) {
		check(rtnl_addr_list(&nl, family(argv[0]),
				     strcmp(argv[1], "all") ? ifindex(argv[1]) : 0, print_addr, NULL));
	} else if ((!strcmp(op, "route-add") || !strcmp(op, "route-del")) && (n == 2 || n == 3)) {
		prefix(&p, argv[1]);
		check((op[6] == 'a' ? rtnl_route_add : rtnl_route_del)(&nl, ifindex(argv[0]), &p,
				n == 3 ? (uint32_t)number(argv[2]) : 0));
	} else if (!strcmp(op, "route-get") && n == 1) {
		prefix(&p, argv[0]);
		check(rtnl_route_get(&nl, &p, &route));
		print_route(&route);
	} else if (!strcmp(op, "route-match") && n == 2) {
		prefix(&p, argv[1]);
		printf("%d\n", check(rtnl_route_match(&nl, ifindex(argv[0]), &p)));
	} else if (!strcmp(op, "route-default") && n == 1) {
		check(rtnl_route_default(&nl, family(argv[0]), &route));
		print_route(&route);
	} else if (!strcmp(op, "table-used") && n == 2) {
		printf("%d\n", check(rtnl_route_table_used(&nl, family(argv[0]), (uint32_t)number(argv[1]))));
	} else if ((!strcmp(op, "rule-add") || !strcmp(op, "rule-del")) && n >= 1) {
		rule_args(&rule, argv[0], argv + 1);
		check((op[5] == 'a' ? rtnl_rule_add : rtnl_rule_del)(&nl, &rule));
	} else if (!strcmp(op, "rule-list") && n == 1) {
		check(rtnl_rule_list(&nl, family(argv[0]), print_rule, NULL));
	} else if (!strcmp(op, "sysctl-read") && n == 1) {
		check(sysctl_read(argv[0], buf, sizeof(buf)));
		printf("%s\n", buf);
	} else if (!strcmp(op, "sysctl-write") && n == 2) {
		check(sysctl_write(argv[0], argv[1]));
	} else {
		usage();
	}
	nl_close(&nl);
	return 0;
}
