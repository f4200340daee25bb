/*
 * Attribute numbers: amneziawg-facts.md section 5 (the amneziawg family is
 * the wireguard one, extended; attributes 0-8 / 0-10 / 0-3 are shared).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "genl_wg.h"
#include "nl.h"
#include "rtnl.h"
#include "strlist.h"

enum {
	WGDEVICE_A_UNSPEC, WGDEVICE_A_IFINDEX, WGDEVICE_A_IFNAME, WGDEVICE_A_PRIVATE_KEY,
	WGDEVICE_A_PUBLIC_KEY, WGDEVICE_A_FLAGS, WGDEVICE_A_LISTEN_PORT, WGDEVICE_A_FWMARK,
	WGDEVICE_A_PEERS, WGDEVICE_A_JC, WGDEVICE_A_JMIN, WGDEVICE_A_JMAX, WGDEVICE_A_S1,
	WGDEVICE_A_S2, WGDEVICE_A_H1, WGDEVICE_A_H2, WGDEVICE_A_H3, WGDEVICE_A_H4,
	WGDEVICE_A_PEER, WGDEVICE_A_S3, WGDEVICE_A_S4, WGDEVICE_A_I1, WGDEVICE_A_I2,
	WGDEVICE_A_I3, WGDEVICE_A_I4, WGDEVICE_A_I5, WGDEVICE_A_HEADER_PROTECTION_KEY,
	WGDEVICE_A_CONTENT_PADDING_ADDITION, WGDEVICE_A_REKEY_AFTER_TIME,
	WGDEVICE_A_REKEY_TIMEOUT, WGDEVICE_A_REJECT_AFTER_TIME, WGDEVICE_A_KEEPALIVE_TIMEOUT,
	WGDEVICE_A_MAX_HANDSHAKE_ATTEMPTS, WGDEVICE_A_RANDOM_TRAILERS, WGDEVICE_A_DISABLE_COOKIES,
};
enum {
	WGPEER_A_UNSPEC, WGPEER_A_PUBLIC_KEY, WGPEER_A_PRESHARED_KEY, WGPEER_A_FLAGS,
	WGPEER_A_ENDPOINT, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, WGPEER_A_LAST_HANDSHAKE_TIME,
	WGPEER_A_RX_BYTES, WGPEER_A_TX_BYTES, WGPEER_A_ALLOWEDIPS, WGPEER_A_PROTOCOL_VERSION,
	WGPEER_A_AWG,
};
enum { WGALLOWEDIP_A_UNSPEC, WGALLOWEDIP_A_FAMILY, WGALLOWEDIP_A_IPADDR, WGALLOWEDIP_A_CIDR_MASK };
enum { WG_CMD_GET_DEVICE, WG_CMD_SET_DEVICE };
#define WGDEVICE_F_REPLACE_PEERS 1U
#define WGPEER_F_REMOVE_ME 1U
#define WGPEER_F_REPLACE_ALLOWEDIPS 2U
#define WGPEER_F_HAS_AWG 8U

/* Set requests are split into messages of this size (upstream uses a page;
 * bigger messages mean fewer round trips for thousands of peers, and the
 * kernel takes up to its socket send buffer, 208 KiB by default). */
#define SET_MSG_SIZE GENL_WG_SET_MSG_SIZE

struct family {
	const char *name;
	int state;		/* 0 not asked yet, 1 present, -errno absent */
	struct genl_family_info info;
};

static struct family families[] = { { .name = "amneziawg" }, { .name = "wireguard" } };
static struct nl genl_sock, rtnl_sock;
static bool genl_open, rtnl_open;

static int rtnl(struct nl **nl)
{
	if (!rtnl_open) {
		int ret = nl_open(&rtnl_sock, NETLINK_ROUTE);

		if (ret < 0)
			return ret;
		rtnl_open = true;
	}
	*nl = &rtnl_sock;
	return 0;
}

/* The rtnetlink link kind of an interface ("" when it has none). */
static int link_kind(const char *name, char *kind, size_t len)
{
	struct rtnl_link link;
	struct nl *nl;
	int ret = rtnl(&nl);

	if (ret < 0)
		return ret;
	ret = rtnl_link_get(nl, name, &link);
	if (ret < 0)
		return ret;
	snprintf(kind, len, "%s", link.kind);
	return 0;
}

static int sock(struct nl **nl)
{
	if (!genl_open) {
		int ret = nl_open(&genl_sock, NETLINK_GENERIC);

		if (ret < 0)
			return ret;
		genl_open = true;
	}
	*nl = &genl_sock;
	return 0;
}

/* A malformed reply: stop parsing with EPROTO. */
static int bad(void)
{
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int family_present(struct nl *nl, struct family *f)
{
	if (!f->state) {
		int ret = genl_family_get(nl, f->name, &f->info);

		f->state = ret < 0 ? ret : 1;
	}
	return f->state;
}

static struct nlmsghdr *request(struct nl *nl, void *buf, const struct family *f, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = nl_put_request(nl, buf, f->info.id, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = f->info.version;
	return nlh;
}

/*
 * The family that owns the device, from its link kind.  As upstream, a
 * kernel without the family is "Protocol not supported" before anything
 * else; a link of another kind is "Operation not supported".
 */
static int device_family(enum wg_flavor flavor, const char *name, struct nl **nl, struct family **fam)
{
	char kind[32];
	bool any = false;
	int ret = sock(nl);

	if (ret < 0)
		return ret;
	for (size_t i = flavor == FLAVOR_AWG ? 0 : 1; i < sizeof(families) / sizeof(families[0]); i++) {
		ret = family_present(*nl, &families[i]);
		if (ret < 0 && ret != -ENOENT)
			return ret;
		any |= ret > 0;
	}
	if (!any)
		return -EPROTONOSUPPORT;
	ret = link_kind(name, kind, sizeof(kind));
	if (ret < 0)
		return ret;
	for (size_t i = flavor == FLAVOR_AWG ? 0 : 1; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(kind, families[i].name)) {
			if (families[i].state < 0)
				return -EPROTONOSUPPORT;
			*fam = &families[i];
			return 0;
		}
	return -EOPNOTSUPP;
}

static int add_name(const struct rtnl_link *link, void *data)
{
	return strlist_add(data, link->name);
}

int genl_wg_list_devices(enum wg_flavor flavor, struct strlist *list)
{
	static const char *const awg_kinds[] = { "amneziawg", "wireguard", NULL };
	static const char *const wg_kinds[] = { "wireguard", NULL };
	struct nl *nl;
	int ret = rtnl(&nl);

	if (ret < 0)
		return ret;
	ret = rtnl_link_list(nl, flavor == FLAVOR_AWG ? awg_kinds : wg_kinds, add_name, list);
	/* links came and went during the dump: upstream keeps what it got */
	return ret == -EINTR ? 0 : ret;
}

/* ---- get ----------------------------------------------------------------- */

struct dump {
	struct wg_device *dev;
	struct wg_peer *peer;
};

static int parse_allowedip(const struct nlattr *attr, void *data)
{
	struct wg_allowedip *a = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return bad();
		a->family = (uint8_t)mnl_attr_get_u16(attr);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (len != 4 && len != 16)
			return bad();
		memcpy(&a->ip6, mnl_attr_get_payload(attr), len);
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return bad();
		a->cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int parse_allowedips(const struct nlattr *attr, void *data)
{
	struct dump *d = data;
	struct wg_allowedip a = { 0 };

	if (mnl_attr_parse_nested(attr, parse_allowedip, &a) < 0)
		return MNL_CB_ERROR;
	if (!((a.family == AF_INET && a.cidr <= 32) || (a.family == AF_INET6 && a.cidr <= 128)))
		return bad();
	if (device_add_allowedip(d->dev, &a) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int nomem(void)
{
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

static int parse_peer(const struct nlattr *attr, void *data)
{
	struct dump *d = data;
	struct wg_peer *p = d->peer;
	struct wg_peer_stats *st;
	uint16_t len = mnl_attr_get_payload_len(attr);
	const void *v = mnl_attr_get_payload(attr);

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PRESHARED_KEY:
		if (len != KEY_LEN)
			return bad();
		memcpy(p->preshared_key, v, KEY_LEN);
		if (!key_is_zero(p->preshared_key))
			p->flags |= WGPEER_HAS_PRESHARED_KEY;
		break;
	case WGPEER_A_ENDPOINT: {
		const struct sockaddr *sa = v;

		if (len >= sizeof(*sa) && sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in))
			memcpy(&p->endpoint.sin, v, len);
		else if (len >= sizeof(*sa) && sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6))
			memcpy(&p->endpoint.sin6, v, len);
		else
			return bad();
		break;
	}
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		/* u16 (wireguard, amneziawg 1-2) or a packed u16 range (3) */
		if (len == 2)
			p->keepalive.lo = p->keepalive.hi = mnl_attr_get_u16(attr);
		else if (len == 4)
			p->keepalive = range16_unpack(mnl_attr_get_u32(attr));
		else
			return bad();
		p->flags |= WGPEER_HAS_KEEPALIVE;
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME: {
		int64_t t[2];

		if (len != sizeof(t))
			return bad();
		memcpy(t, v, sizeof(t));
		if (!(st = device_peer_stats(d->dev, p)))
			return nomem();
		st->last_handshake_sec = t[0];
		st->last_handshake_nsec = t[1];
		break;
	}
	case WGPEER_A_RX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return bad();
		if (!(st = device_peer_stats(d->dev, p)))
			return nomem();
		st->rx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_TX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return bad();
		if (!(st = device_peer_stats(d->dev, p)))
			return nomem();
		st->tx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return bad();
		if (mnl_attr_get_u32(attr) & WGPEER_F_HAS_AWG)
			p->flags |= WGPEER_HAS_ADVANCED_SECURITY;
		break;
	case WGPEER_A_AWG:
		p->flags |= WGPEER_HAS_ADVANCED_SECURITY | WGPEER_ADVANCED_SECURITY;
		break;
	case WGPEER_A_ALLOWEDIPS:
		return mnl_attr_parse_nested(attr, parse_allowedips, d);
	}
	return MNL_CB_OK;
}

static int find_public_key(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == WGPEER_A_PUBLIC_KEY) {
		if (mnl_attr_get_payload_len(attr) != KEY_LEN)
			return bad();
		memcpy(data, mnl_attr_get_payload(attr), KEY_LEN);
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

static int parse_peers(const struct nlattr *attr, void *data)
{
	struct dump *d = data;
	uint8_t key[KEY_LEN];
	struct wg_peer *last = d->dev->n_peers ? &d->dev->peers[d->dev->n_peers - 1] : NULL;

	if (mnl_attr_parse_nested(attr, find_public_key, key) != MNL_CB_STOP)
		return bad();	/* no public key */
	/* a peer whose allowed IPs did not fit goes on in the next message */
	if (last && !memcmp(last->public_key, key, KEY_LEN)) {
		d->peer = last;
	} else {
		d->peer = device_add_peer(d->dev);
		if (!d->peer) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		memcpy(d->peer->public_key, key, KEY_LEN);
		d->peer->flags |= WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_STATS;
	}
	key_wipe(key, sizeof(key));
	return mnl_attr_parse_nested(attr, parse_peer, d);
}

static int parse_h(const struct nlattr *attr, struct range32 *r)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *s = mnl_attr_get_payload(attr);

	/* by exact length: u32 value (v1), u64 range (v3), else a string (v2) */
	if (len == 4) {
		r->lo = r->hi = mnl_attr_get_u32(attr);
		return 0;
	}
	if (len == 8) {
		*r = range32_unpack(mnl_attr_get_u64(attr));
		return 0;
	}
	if (!len || s[len - 1] || !range_from_text(s, r))
		return -1;
	return 0;
}

static int parse_device(const struct nlattr *attr, void *data)
{
	struct dump *d = data;
	struct wg_device *dev = d->dev;
	uint16_t type = mnl_attr_get_type(attr), len = mnl_attr_get_payload_len(attr);
	const void *v = mnl_attr_get_payload(attr);

	switch (type) {
	case WGDEVICE_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return bad();
		dev->ifindex = mnl_attr_get_u32(attr);
		break;
	case WGDEVICE_A_PRIVATE_KEY:
	case WGDEVICE_A_PUBLIC_KEY:
	case WGDEVICE_A_HEADER_PROTECTION_KEY:
		if (len != KEY_LEN)
			return bad();
		memcpy(type == WGDEVICE_A_PRIVATE_KEY ? dev->private_key :
		       type == WGDEVICE_A_PUBLIC_KEY ? dev->public_key : dev->header_protection_key, v, KEY_LEN);
		dev->has |= WGF_BIT(type == WGDEVICE_A_PRIVATE_KEY ? WGF_PRIVATE_KEY :
				    type == WGDEVICE_A_PUBLIC_KEY ? WGF_PUBLIC_KEY : WGF_HEADER_PROTECTION_KEY);
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return bad();
		dev->listen_port = mnl_attr_get_u16(attr);
		break;
	case WGDEVICE_A_FWMARK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return bad();
		dev->fwmark = mnl_attr_get_u32(attr);
		break;
	case WGDEVICE_A_PEERS:
		return mnl_attr_parse_nested(attr, parse_peers, d);
	case WGDEVICE_A_JC: case WGDEVICE_A_JMIN: case WGDEVICE_A_JMAX:
	case WGDEVICE_A_S1: case WGDEVICE_A_S2: case WGDEVICE_A_S3: case WGDEVICE_A_S4: {
		static const uint8_t field[] = {
			[WGDEVICE_A_JC] = WGF_JC, [WGDEVICE_A_JMIN] = WGF_JMIN, [WGDEVICE_A_JMAX] = WGF_JMAX,
			[WGDEVICE_A_S1] = WGF_S1, [WGDEVICE_A_S2] = WGF_S2, [WGDEVICE_A_S3] = WGF_S3,
			[WGDEVICE_A_S4] = WGF_S4,
		};
		uint16_t *dst[] = { &dev->jc, &dev->jmin, &dev->jmax, &dev->s[0], &dev->s[1], &dev->s[2], &dev->s[3] };

		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return bad();
		*dst[field[type] - WGF_JC] = mnl_attr_get_u16(attr);
		dev->has |= WGF_BIT(field[type]);
		break;
	}
	case WGDEVICE_A_H1: case WGDEVICE_A_H2: case WGDEVICE_A_H3: case WGDEVICE_A_H4:
		if (parse_h(attr, &dev->h[type - WGDEVICE_A_H1]) < 0)
			return bad();
		dev->has |= WGF_BIT(WGF_H1 + type - WGDEVICE_A_H1);
		break;
	case WGDEVICE_A_I1: case WGDEVICE_A_I2: case WGDEVICE_A_I3: case WGDEVICE_A_I4: case WGDEVICE_A_I5:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return bad();
		if (device_set_i(dev, type - WGDEVICE_A_I1, mnl_attr_get_str(attr)) < 0) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		break;
	case WGDEVICE_A_CONTENT_PADDING_ADDITION: case WGDEVICE_A_REKEY_AFTER_TIME:
	case WGDEVICE_A_REKEY_TIMEOUT: case WGDEVICE_A_REJECT_AFTER_TIME:
	case WGDEVICE_A_KEEPALIVE_TIMEOUT: case WGDEVICE_A_MAX_HANDSHAKE_ATTEMPTS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return bad();
		dev->timers[type - WGDEVICE_A_CONTENT_PADDING_ADDITION] = range16_unpack(mnl_attr_get_u32(attr));
		dev->has |= WGF_BIT(WGF_CONTENT_PADDING_ADDITION + type - WGDEVICE_A_CONTENT_PADDING_ADDITION);
		break;
	case WGDEVICE_A_RANDOM_TRAILERS:
	case WGDEVICE_A_DISABLE_COOKIES:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return bad();
		*(type == WGDEVICE_A_RANDOM_TRAILERS ? &dev->random_trailers : &dev->disable_cookies) =
			mnl_attr_get_u8(attr) != 0;
		dev->has |= WGF_BIT(type == WGDEVICE_A_RANDOM_TRAILERS ? WGF_RANDOM_TRAILERS : WGF_DISABLE_COOKIES);
		break;
	}
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_device, data);
}

int genl_wg_parse_dump(const void *buf, size_t len, struct wg_device *dev)
{
	struct dump d = { .dev = dev };
	int ret;

	if (!nl_messages_ok(buf, len))
		return -EBADMSG;
	errno = 0;
	ret = mnl_cb_run(buf, len, 0, 0, dump_cb, &d);
	if (ret < 0)
		return errno ? -errno : -EPROTO;
	return 0;
}

static int get_device(struct nl *nl, struct family *f, struct wg_device *dev)
{
	char buf[NL_REQ_SIZE];

	for (;;) {
		struct dump d = { .dev = dev };
		struct nlmsghdr *nlh = request(nl, buf, f, WG_CMD_GET_DEVICE, NLM_F_ACK | NLM_F_DUMP);
		int ret;

		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->name);
		ret = nl_talk(nl, nlh, dump_cb, &d);
		/* the peer list changed while we read it: read it again */
		if (ret != -EINTR)
			return ret;
		device_clear_peers(dev);
	}
}

int genl_wg_get_device(enum wg_flavor flavor, struct wg_device *dev)
{
	struct family *f;
	struct nl *nl;
	int ret = device_family(flavor, dev->name, &nl, &f);

	return ret < 0 ? ret : get_device(nl, f, dev);
}

/* ---- set ------------------------------------------------------------------- */

struct set_req {
	const struct wg_device *dev;
	char *why;
	size_t why_len;
	char *buf;
};

static bool family_has(const struct family *f, unsigned int attr)
{
	return attr <= f->info.maxattr;
}

static bool is_awg_family(const struct family *f)
{
	return !strcmp(f->name, "amneziawg");
}

/* Can this family take everything the device asks for?  Checked before any
 * message goes out, so an unsupported setting changes nothing. */
static int check_supported(const struct family *f, const struct set_req *r)
{
	static const struct { uint8_t field, attr; const char *key; } attrs[] = {
		{ WGF_JC, WGDEVICE_A_JC, "Jc" }, { WGF_JMIN, WGDEVICE_A_JMIN, "Jmin" },
		{ WGF_JMAX, WGDEVICE_A_JMAX, "Jmax" }, { WGF_S1, WGDEVICE_A_S1, "S1" },
		{ WGF_S2, WGDEVICE_A_S2, "S2" }, { WGF_S3, WGDEVICE_A_S3, "S3" }, { WGF_S4, WGDEVICE_A_S4, "S4" },
		{ WGF_H1, WGDEVICE_A_H1, "H1" }, { WGF_H2, WGDEVICE_A_H2, "H2" },
		{ WGF_H3, WGDEVICE_A_H3, "H3" }, { WGF_H4, WGDEVICE_A_H4, "H4" },
		{ WGF_I1, WGDEVICE_A_I1, "I1" }, { WGF_I2, WGDEVICE_A_I2, "I2" }, { WGF_I3, WGDEVICE_A_I3, "I3" },
		{ WGF_I4, WGDEVICE_A_I4, "I4" }, { WGF_I5, WGDEVICE_A_I5, "I5" },
		{ WGF_HEADER_PROTECTION_KEY, WGDEVICE_A_HEADER_PROTECTION_KEY, "HeaderProtectionKey" },
		{ WGF_CONTENT_PADDING_ADDITION, WGDEVICE_A_CONTENT_PADDING_ADDITION, "ContentPaddingAddition" },
		{ WGF_REKEY_AFTER_TIME, WGDEVICE_A_REKEY_AFTER_TIME, "RekeyAfterTime" },
		{ WGF_REKEY_TIMEOUT, WGDEVICE_A_REKEY_TIMEOUT, "RekeyTimeout" },
		{ WGF_REJECT_AFTER_TIME, WGDEVICE_A_REJECT_AFTER_TIME, "RejectAfterTime" },
		{ WGF_KEEPALIVE_TIMEOUT, WGDEVICE_A_KEEPALIVE_TIMEOUT, "KeepaliveTimeout" },
		{ WGF_MAX_HANDSHAKE_ATTEMPTS, WGDEVICE_A_MAX_HANDSHAKE_ATTEMPTS, "MaxHandshakeAttempts" },
	};
	const struct wg_device *dev = r->dev;
	const struct wg_peer *peer;
	const char *key = NULL, *what = "";
	bool awg_family = is_awg_family(f);

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]) && !key; i++)
		if (device_has(dev, attrs[i].field) && (!awg_family || !family_has(f, attrs[i].attr)))
			key = attrs[i].key;
	/* 3.1's two switches: asking for "on" needs them, "off" is what a
	 * kernel without them does anyway */
	if (!key && device_has(dev, WGF_RANDOM_TRAILERS) && dev->random_trailers &&
	    (!awg_family || !family_has(f, WGDEVICE_A_RANDOM_TRAILERS)))
		key = "RandomTrailers";
	if (!key && device_has(dev, WGF_DISABLE_COOKIES) && dev->disable_cookies &&
	    (!awg_family || !family_has(f, WGDEVICE_A_DISABLE_COOKIES)))
		key = "DisableCookies";
	/* version 1 carries one header value, not a range */
	for (int i = 0; i < 4 && !key && awg_family && f->info.version < 2; i++)
		if (device_has(dev, WGF_H1 + i) && dev->h[i].lo != dev->h[i].hi) {
			static const char *const h_keys[] = { "H1", "H2", "H3", "H4" };

			key = h_keys[i];
			what = " ranges";
		}
	device_for_each_peer(dev, peer) {
		if (key)
			break;
		if ((peer->flags & WGPEER_HAS_ADVANCED_SECURITY) && !awg_family)
			key = "AdvancedSecurity";
		else if ((peer->flags & WGPEER_HAS_KEEPALIVE) && peer->keepalive.lo != peer->keepalive.hi &&
			 (!awg_family || f->info.version < 3))
			key = "PersistentKeepalive", what = " ranges";
	}
	if (!key)
		return 0;
	snprintf(r->why, r->why_len, "%s%s: not supported by the kernel's %s family (version %u)%s",
		 key, what, f->name, f->info.version,
		 awg_family ? "; the amneziawg module is older than this setting" :
			      "; this is a WireGuard interface, not an AmneziaWG one");
	return -EOPNOTSUPP;
}

static bool put_device_attrs(struct nlmsghdr *nlh, const struct family *f, const struct wg_device *dev)
{
	const size_t max = SET_MSG_SIZE;
	const uint16_t u16[] = { dev->jc, dev->jmin, dev->jmax, dev->s[0], dev->s[1], dev->s[2], dev->s[3] };
	static const uint8_t u16_attr[] = { WGDEVICE_A_JC, WGDEVICE_A_JMIN, WGDEVICE_A_JMAX, WGDEVICE_A_S1,
					    WGDEVICE_A_S2, WGDEVICE_A_S3, WGDEVICE_A_S4 };
	bool ok = true;

	if (device_has(dev, WGF_PRIVATE_KEY))
		ok &= mnl_attr_put_check(nlh, max, WGDEVICE_A_PRIVATE_KEY, KEY_LEN, dev->private_key);
	if (device_has(dev, WGF_LISTEN_PORT))
		ok &= mnl_attr_put_u16_check(nlh, max, WGDEVICE_A_LISTEN_PORT, dev->listen_port);
	for (int i = 0; i < 7; i++)
		if (device_has(dev, WGF_JC + i))
			ok &= mnl_attr_put_u16_check(nlh, max, u16_attr[i], u16[i]);
	for (int i = 0; i < 4; i++) {
		char text[24];

		if (!device_has(dev, WGF_H1 + i))
			continue;
		if (f->info.version < 2)
			ok &= mnl_attr_put_u32_check(nlh, max, WGDEVICE_A_H1 + i, dev->h[i].lo);
		else if (f->info.version < 3)
			ok &= mnl_attr_put_strz_check(nlh, max, WGDEVICE_A_H1 + i, range32_format(text, dev->h[i]));
		else
			ok &= mnl_attr_put_u64_check(nlh, max, WGDEVICE_A_H1 + i, range32_pack(dev->h[i]));
	}
	for (int i = 0; i < 5; i++)
		if (device_has(dev, WGF_I1 + i))
			ok &= mnl_attr_put_strz_check(nlh, max, WGDEVICE_A_I1 + i, dev->i[i]);
	if (device_has(dev, WGF_HEADER_PROTECTION_KEY))
		ok &= mnl_attr_put_check(nlh, max, WGDEVICE_A_HEADER_PROTECTION_KEY, KEY_LEN,
					 dev->header_protection_key);
	for (int i = 0; i < WG_N_TIMERS; i++)
		if (device_has(dev, WGF_CONTENT_PADDING_ADDITION + i))
			ok &= mnl_attr_put_u32_check(nlh, max, WGDEVICE_A_CONTENT_PADDING_ADDITION + i,
						     range16_pack(dev->timers[i]));
	if (device_has(dev, WGF_RANDOM_TRAILERS) && family_has(f, WGDEVICE_A_RANDOM_TRAILERS))
		ok &= mnl_attr_put_u8_check(nlh, max, WGDEVICE_A_RANDOM_TRAILERS, dev->random_trailers);
	if (device_has(dev, WGF_DISABLE_COOKIES) && family_has(f, WGDEVICE_A_DISABLE_COOKIES))
		ok &= mnl_attr_put_u8_check(nlh, max, WGDEVICE_A_DISABLE_COOKIES, dev->disable_cookies);
	if (device_has(dev, WGF_FWMARK))
		ok &= mnl_attr_put_u32_check(nlh, max, WGDEVICE_A_FWMARK, dev->fwmark);
	if (dev->replace_peers)
		ok &= mnl_attr_put_u32_check(nlh, max, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
	return ok;
}

/* The parts of a peer sent once, in the message where the peer starts. */
static bool put_peer_head(struct nlmsghdr *nlh, const struct family *f, const struct wg_peer *p,
			  bool first_part)
{
	const size_t max = SET_MSG_SIZE;
	uint32_t flags = 0;
	bool ok = mnl_attr_put_check(nlh, max, WGPEER_A_PUBLIC_KEY, KEY_LEN, p->public_key);

	if (p->flags & WGPEER_REMOVE_ME)
		flags |= WGPEER_F_REMOVE_ME;
	if (first_part) {
		if (p->flags & WGPEER_REPLACE_ALLOWEDIPS)
			flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
		if (p->flags & WGPEER_HAS_PRESHARED_KEY)
			ok &= mnl_attr_put_check(nlh, max, WGPEER_A_PRESHARED_KEY, KEY_LEN, p->preshared_key);
		if (p->endpoint.sa.sa_family == AF_INET)
			ok &= mnl_attr_put_check(nlh, max, WGPEER_A_ENDPOINT, sizeof(p->endpoint.sin), &p->endpoint.sin);
		else if (p->endpoint.sa.sa_family == AF_INET6)
			ok &= mnl_attr_put_check(nlh, max, WGPEER_A_ENDPOINT, sizeof(p->endpoint.sin6), &p->endpoint.sin6);
		if (p->flags & WGPEER_HAS_KEEPALIVE) {
			if (is_awg_family(f) && f->info.version >= 3)
				ok &= mnl_attr_put_u32_check(nlh, max, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
							     range16_pack(p->keepalive));
			else
				ok &= mnl_attr_put_u16_check(nlh, max, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
							     p->keepalive.lo);
		}
	}
	if (p->flags & WGPEER_HAS_ADVANCED_SECURITY) {
		if (p->flags & WGPEER_ADVANCED_SECURITY)
			ok &= mnl_attr_put_check(nlh, max, WGPEER_A_AWG, 0, NULL);
		flags |= WGPEER_F_HAS_AWG;
	}
	if (flags)
		ok &= mnl_attr_put_u32_check(nlh, max, WGPEER_A_FLAGS, flags);
	return ok;
}

static bool put_allowedip(struct nlmsghdr *nlh, const struct wg_allowedip *a)
{
	const size_t max = SET_MSG_SIZE;
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, max, 0);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, max, WGALLOWEDIP_A_FAMILY, a->family) ||
	    !mnl_attr_put_check(nlh, max, WGALLOWEDIP_A_IPADDR, a->family == AF_INET ? 4 : 16, &a->ip6) ||
	    !mnl_attr_put_u8_check(nlh, max, WGALLOWEDIP_A_CIDR_MASK, a->cidr)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/*
 * One SET_DEVICE message after another: the first carries the device
 * attributes and replace-peers, each takes as many peers (and of a peer with
 * many allowed IPs, as many of its IPs) as fit; a peer cut short goes on in
 * the next message with its public key and the rest of its IPs.
 */
static int set_messages(const struct family *f, struct set_req *r,
			int (*emit)(struct nlmsghdr *nlh, void *data), void *data)
{
	const struct wg_device *dev = r->dev;
	size_t pi = 0;		/* next peer */
	uint32_t ai = 0;	/* next allowed IP of peers[pi] */
	bool started = false;	/* peers[pi] is already partly sent */
	bool first = true;
	int ret = check_supported(f, r);

	if (ret < 0)
		return ret;
	do {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
		struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		struct nlattr *peers = NULL;
		size_t sent_before = pi;
		uint32_t ai_before = ai;

		nlh->nlmsg_type = f->info.id;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		g->cmd = WG_CMD_SET_DEVICE;
		g->version = f->info.version;
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->name);
		if (first && !put_device_attrs(nlh, f, dev)) {
			snprintf(r->why, r->why_len, "the device settings do not fit in one %u-byte netlink message",
				 SET_MSG_SIZE);
			return -EMSGSIZE;
		}
		if (pi < dev->n_peers)
			peers = mnl_attr_nest_start_check(nlh, SET_MSG_SIZE, WGDEVICE_A_PEERS);
		while (peers && pi < dev->n_peers) {
			const struct wg_peer *p = &dev->peers[pi];
			const struct wg_allowedip *a = peer_allowedips(dev, p);
			struct nlattr *pn = mnl_attr_nest_start_check(nlh, SET_MSG_SIZE, 0), *an;

			if (!pn)
				break;
			if (!put_peer_head(nlh, f, p, !started)) {
				mnl_attr_nest_cancel(nlh, pn);
				break;
			}
			started = true;
			if (ai < p->n_allowedips) {
				an = mnl_attr_nest_start_check(nlh, SET_MSG_SIZE, WGPEER_A_ALLOWEDIPS);
				while (an && ai < p->n_allowedips && put_allowedip(nlh, &a[ai]))
					ai++;
				if (an)
					mnl_attr_nest_end(nlh, an);
			}
			mnl_attr_nest_end(nlh, pn);
			if (ai < p->n_allowedips)
				break;		/* the rest in the next message */
			pi++;
			ai = 0;
			started = false;
		}
		if (peers)
			mnl_attr_nest_end(nlh, peers);
		if (!first && pi == sent_before && ai == ai_before) {
			snprintf(r->why, r->why_len, "a peer does not fit in one %u-byte netlink message", SET_MSG_SIZE);
			return -EMSGSIZE;
		}
		ret = emit(nlh, data);
		key_wipe(r->buf, nlh->nlmsg_len);
		if (ret < 0)
			return ret;
		first = false;
	} while (pi < dev->n_peers);
	return 0;
}

static int talk(struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = data;

	nlh->nlmsg_seq = ++nl->seq;
	return nl_talk(nl, nlh, NULL, NULL);
}

int genl_wg_set_messages(const char *family, uint8_t version, uint32_t maxattr,
			 const struct wg_device *dev, char *why, size_t why_len,
			 int (*emit)(struct nlmsghdr *nlh, void *data), void *data)
{
	struct family f = { .name = family, .state = 1, .info = { .id = 0x42, .version = version,
								  .maxattr = maxattr } };
	struct set_req r = { .dev = dev, .why = why, .why_len = why_len };
	int ret;

	why[0] = '\0';
	r.buf = calloc(1, SET_MSG_SIZE);
	if (!r.buf)
		return -ENOMEM;
	ret = set_messages(&f, &r, emit, data);
	free(r.buf);
	return ret;
}

int genl_wg_set_device(enum wg_flavor flavor, const struct wg_device *dev, char *why, size_t why_len)
{
	struct set_req r = { .dev = dev, .why = why, .why_len = why_len };
	struct family *f;
	struct nl *nl;
	int ret;

	why[0] = '\0';
	if (strlen(dev->name) >= WG_IFNAMSIZ)
		return -ENAMETOOLONG;
	ret = device_family(flavor, dev->name, &nl, &f);
	if (ret < 0)
		return ret;
	r.buf = calloc(1, SET_MSG_SIZE);	/* libmnl does not clear attribute padding */
	if (!r.buf)
		return -ENOMEM;
	ret = set_messages(f, &r, talk, nl);
	key_wipe(r.buf, SET_MSG_SIZE);
	free(r.buf);
	return ret;
}
