#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <linux/genetlink.h>

#include "key.h"
#include "nl.h"

int nl_open(struct nl *nl, int bus)
{
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(NL_BUFSIZE);
	if (!nl->buf)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* start from a changing value, so a stale reply of an earlier process
	 * that had the same port id cannot match */
	nl->seq = (unsigned int)time(NULL);
	return 0;
fail:
	err = -errno;
	nl_close(nl);
	return err ? err : -EIO;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	if (nl->buf)	/* it held the device dumps: private keys */
		key_wipe(nl->buf, NL_BUFSIZE);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

struct nlmsghdr *nl_put_request(struct nl *nl, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	/* libmnl before 1.0.5 (Debian 12 has 1.0.4) leaves the padding after
	 * an attribute as it finds it: those bytes would go to the kernel */
	memset(buf, 0, NL_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

bool nl_messages_ok(const void *buf, size_t len)
{
	const char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t n = nlh->nlmsg_len, step = MNL_ALIGN(n);

		/* libmnl parses up to the aligned end: it must be there too */
		if (n < sizeof(*nlh) || step > len || n > INT32_MAX)
			return false;
		if (step == len)
			return true;
		p += step;
		len -= step;
	}
	return len == 0;
}

/* Replies of a request that was not read to its end (a receive failed,
 * a reply was malformed) stay queued, and a dump left unfinished makes the
 * kernel refuse the next one with EBUSY: read them all away. */
static void nl_drain(struct nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock);

	while (recv(fd, nl->buf, NL_BUFSIZE, MSG_DONTWAIT) >= 0 || errno == EINTR)
		;
	nl->unread = false;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (nl->unread)
		nl_drain(nl);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	nl->unread = true;	/* until the reply is read to its end */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUFSIZE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!nl_messages_ok(nl->buf, (size_t)n))
			return -EBADMSG;
		/* the reply to an earlier request that was not read to its end
		 * (its receive failed): skip it rather than fail this one too */
		if ((size_t)n >= sizeof(struct nlmsghdr) && ((struct nlmsghdr *)nl->buf)->nlmsg_seq != seq)
			continue;
		errno = 0;
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid, cb, data);
		if (ret == MNL_CB_STOP) {
			nl->unread = false;
			return 0;
		}
		if (ret < 0)
			return errno ? -errno : -EIO;
	}
}

struct family_reply {
	struct genl_family_info info;
	int found;
};

static int family_attr(const struct nlattr *attr, void *data)
{
	struct family_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		r->info.id = mnl_attr_get_u16(attr);
		r->found |= 1;
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		r->info.version = (uint8_t)mnl_attr_get_u32(attr);
		r->found |= 2;
		break;
	case CTRL_ATTR_MAXATTR:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		r->info.maxattr = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data);
}

int genl_family_get(struct nl *nl, const char *name, struct genl_family_info *info)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_put_request(nl, buf, GENL_ID_CTRL, NLM_F_ACK);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct family_reply r = { 0 };
	int ret;

	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), CTRL_ATTR_FAMILY_NAME, name))
		return -ENAMETOOLONG;
	ret = nl_talk(nl, nlh, family_cb, &r);
	if (ret < 0)
		return ret;
	if (!(r.found & 1))
		return -EPROTO;
	*info = r.info;
	return 0;
}

int genl_family(struct nl *nl, const char *name, uint16_t *id, uint8_t *version)
{
	struct genl_family_info info;
	int ret = genl_family_get(nl, name, &info);

	if (ret < 0)
		return ret;
	*id = info.id;
	if (version)
		*version = info.version;
	return 0;
}
