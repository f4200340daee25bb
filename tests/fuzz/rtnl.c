/* rtnetlink replies: a receive buffer of link, address, route and rule
 * messages (a dump), checked and walked as nl_talk() does, every message
 * given to each of the four parsers. */
#include <linux/rtnetlink.h>

#include "fuzz.h"
#include "rtnl.h"

static int each_msg(const struct nlmsghdr *nlh, void *data)
{
	char buf[IP_PREFIX_STRLEN];
	struct rtnl_link link;
	struct rtnl_addr addr;
	struct rtnl_route route;
	struct rtnl_rule rule;

	if (rtnl_parse_link(nlh, &link) == 0 && (!link.name[0] || link.ifindex <= 0))
		abort();	/* a link is only taken with a name and an index */
	if (rtnl_parse_addr(nlh, &addr) == 0) {
		ip_prefix_format(buf, &addr.local);
		ip_prefix_format(buf, &addr.address);
	}
	if (rtnl_parse_route(nlh, &route) == 0)
		ip_prefix_format(buf, &route.dst);
	rtnl_parse_rule(nlh, &rule);
	(*(unsigned *)data)++;
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the bytes received, so a read past them is caught */
	void *buf = malloc(size + !size);
	unsigned n = 0;

	memcpy(buf, data, size);
	if (nl_messages_ok(buf, size))
		mnl_cb_run(buf, size, 0, 0, each_msg, &n);
	free(buf);
	return 0;
}
