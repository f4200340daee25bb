/*
 * Netlink request/response on top of the libmnl API: one socket, a receive
 * buffer, sequence numbers, and the loop that reads replies until the ACK or
 * the end of a dump.  Used by the generic netlink (genl) and rtnetlink (rtnl)
 * code.  Returns 0 or -errno like the rest of core/.
 */
#ifndef AWGBOX_NL_H
#define AWGBOX_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char *buf;		/* receive buffer, NL_BUFSIZE bytes */
	bool unread;		/* replies of the last request may be left */
};

/* Large enough for any message the kernel sends in one datagram (it sizes
 * dump messages by the reader's buffer, up to 32 KiB). */
#define NL_BUFSIZE 32768u
/* Largest request we build: the kernel accepts more, but upstream's tools
 * split at a page and so do we (MNL_SOCKET_BUFFER_SIZE). */
#define NL_REQ_SIZE 4096u

/* Open and bind a socket of the given bus (NETLINK_ROUTE, NETLINK_GENERIC). */
int nl_open(struct nl *nl, int bus);
void nl_close(struct nl *nl);

/* Start a request in buf (NL_REQ_SIZE bytes, zeroed here): header with type
 * and flags (NLM_F_REQUEST is added), the next sequence number. */
struct nlmsghdr *nl_put_request(struct nl *nl, void *buf, uint16_t type, uint16_t flags);

/*
 * Send nlh and read replies, handing each data message to cb (may be NULL),
 * until the kernel's ACK (needs NLM_F_ACK) or NLMSG_DONE of a dump.
 * Returns 0, the kernel's error as -errno (e.g. -ENODEV), -EINTR when a dump
 * was interrupted by a concurrent change, or a negative value cb returned
 * (cb returns MNL_CB_OK, MNL_CB_STOP, or MNL_CB_ERROR with errno set).
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Are the messages in buf well-formed (every length inside the buffer)?
 * libmnl trusts the kernel; replies are checked before they are parsed. */
bool nl_messages_ok(const void *buf, size_t len);

/* Generic netlink: the id and version of a family, by name.
 * -ENOENT when the kernel has no such family. */
int genl_family(struct nl *nl, const char *name, uint16_t *id, uint8_t *version);

struct genl_family_info {
	uint16_t id;
	uint8_t version;
	uint32_t maxattr;	/* highest attribute number the family knows */
};
int genl_family_get(struct nl *nl, const char *name, struct genl_family_info *info);

#endif
