#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft.h"
#include "nl.h"

struct table_walk {
	nft_table_fn fn;
	void *data;
	int ret;
};

static int name_attr(const struct nlattr *attr, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(attr) == NFTA_TABLE_NAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*name = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table_walk *w = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const char *name = NULL;

	if (w->ret)
		return MNL_CB_OK;
	/* a table we cannot read makes the whole answer unsure */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g) ||
	    mnl_attr_parse(nlh, sizeof(*g), name_attr, &name) < 0 || !name)
		w->ret = -EBADMSG;
	else
		w->ret = w->fn(g->nfgen_family, name, w->data);
	return MNL_CB_OK;
}

int nft_list_tables(nft_table_fn fn, void *data)
{
	struct table_walk w = { .fn = fn, .data = data };
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *g;
	struct nl nl;
	int ret = nl_open(&nl, NETLINK_NETFILTER);

	if (ret < 0)
		return ret;
	nlh = nl_put_request(&nl, buf, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_UNSPEC;
	g->version = NFNETLINK_V0;
	ret = nl_talk(&nl, nlh, table_cb, &w);
	nl_close(&nl);
	return ret ? ret : w.ret;
}
