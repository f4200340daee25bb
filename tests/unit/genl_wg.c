/* The kernel backend's SET_DEVICE messages: encodings by family version,
 * refusals before anything is sent, fragmentation of many peers and of a peer
 * with many allowed IPs -- read back with the dump parser, which must give
 * the device that was sent. */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "conf.h"
#include "genl_wg.h"
#include "showconf.h"
#include "t.h"

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

struct capture {
	char *buf;
	size_t len, n;
	bool too_big;
	int first_has_replace, later_have_device_attrs;
	/* per-peer facts over all fragments, for the peers walked */
	unsigned replace_flags, heads_with_endpoint, fragments, peer_keys_seen;
	uint16_t h1_len;		/* payload length of H1 in the first message */
	char h1_text[32];
	uint16_t pka_len;
};

static int peer_attr_cb(const struct nlattr *a, void *data)
{
	struct capture *c = data;

	switch (mnl_attr_get_type(a)) {
	case 3:	/* FLAGS */
		if (mnl_attr_get_u32(a) & 2)
			c->replace_flags++;
		break;
	case 4:	/* ENDPOINT */
		c->heads_with_endpoint++;
		break;
	case 5:	/* PERSISTENT_KEEPALIVE_INTERVAL */
		c->pka_len = mnl_attr_get_payload_len(a);
		break;
	}
	return MNL_CB_OK;
}

static int peers_cb(const struct nlattr *a, void *data)
{
	struct capture *c = data;

	c->fragments++;
	return mnl_attr_parse_nested(a, peer_attr_cb, c);
}

static int attr_cb(const struct nlattr *a, void *data)
{
	struct capture *c = data;
	uint16_t type = mnl_attr_get_type(a);

	if (c->n == 0 && type == 5 /* FLAGS */ && mnl_attr_get_u32(a) == 1)
		c->first_has_replace = 1;
	if (c->n > 0 && type != 2 /* IFNAME */ && type != 8 /* PEERS */)
		c->later_have_device_attrs = 1;
	if (c->n == 0 && type == 14 /* H1 */) {
		c->h1_len = mnl_attr_get_payload_len(a);
		snprintf(c->h1_text, sizeof(c->h1_text), "%.*s", (int)c->h1_len, (const char *)mnl_attr_get_payload(a));
	}
	if (type == 8)
		return mnl_attr_parse_nested(a, peers_cb, c);
	return MNL_CB_OK;
}

static int emit(struct nlmsghdr *nlh, void *data)
{
	struct capture *c = data;

	if (nlh->nlmsg_len > GENL_WG_SET_MSG_SIZE)
		c->too_big = true;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, c);
	c->buf = realloc(c->buf, c->len + nlh->nlmsg_len);
	memcpy(c->buf + c->len, nlh, nlh->nlmsg_len);
	c->len += nlh->nlmsg_len;
	c->n++;
	return 0;
}

static struct wg_device *parse(const char *text)
{
	struct conf_opts o = { .flavor = FLAVOR_AWG };
	struct conf_error err;
	struct wg_device *d;

	if (conf_parse_text(text, strlen(text), &o, &d, &err) < 0) {
		printf("# parse: %lu: %s\n", err.line, err.msg);
		return NULL;
	}
	strcpy(d->name, "awg0");
	return d;
}

static char *conf_text(const struct wg_device *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	showconf_write(f, FLAVOR_AWG, d);
	fclose(f);
	return buf;
}

/* send d as the family would get it, read the messages back, compare;
 * what was sent goes to *out when it is not NULL (the caller frees buf) */
static void round_trip(const char *family, uint8_t version, uint32_t maxattr,
		       const struct wg_device *d, size_t min_messages, struct capture *out)
{
	struct capture c = { 0 };
	struct wg_device *back = device_new();
	char why[256], *a, *b;
	int ret = genl_wg_set_messages(family, version, maxattr, d, why, sizeof(why), emit, &c);

	t_check(ret == 0, "refused: %s", why);
	t_check(!c.too_big, "a message over %u bytes", GENL_WG_SET_MSG_SIZE);
	t_check(c.n >= min_messages, "%zu messages, expected at least %zu", c.n, min_messages);
	t_check(c.first_has_replace, "replace-peers not in the first message");
	t_check(!c.later_have_device_attrs, "device attributes after the first message");
	t_check(genl_wg_parse_dump(c.buf, c.len, back) == 0, "messages do not parse back");
	a = conf_text(d);
	b = conf_text(back);
	/* what the dump parser cannot know from a set: the implied private key
	 * is sent and read (zero), the flags differ; compare the config text */
	t_check(!strcmp(a, b), "read back differs:\n--- sent\n%s--- read\n%s", a, b);
	free(a);
	free(b);
	if (out)
		*out = c;
	else
		free(c.buf);
	device_free(back);
}

static void refused(const char *family, uint8_t version, uint32_t maxattr, const char *text,
		    const char *want)
{
	struct capture c = { 0 };
	struct wg_device *d = parse(text);
	char why[256];
	int ret;

	if (!d) {
		t_check(0, "config refused by the parser");
		return;
	}
	ret = genl_wg_set_messages(family, version, maxattr, d, why, sizeof(why), emit, &c);
	t_check(ret == -EOPNOTSUPP, "not refused (%d)", ret);
	t_check(c.n == 0, "%zu messages sent before the refusal", c.n);
	t_check(strstr(why, want) != NULL, "why: \"%s\", want \"%s\"", why, want);
	free(c.buf);
	device_free(d);
}

static const char awg3[] =
	"[Interface]\nPrivateKey = " K1 "\nListenPort = 51820\nFwMark = 0x1234\n"
	"Jc = 5\nJmin = 40\nJmax = 70\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 25\n"
	"H1 = 123456-123500\nH2 = 67543-67550\nH3 = 123123-123200\nH4 = 32345\n"
	"I1 = <b 0xf6ab3267fa><c><t><r 10>\nI3 = <rc 8> <rd 4>\n"
	"HeaderProtectionKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
	"ContentPaddingAddition = 0-40\nRekeyAfterTime = 110-130\nRekeyTimeout = 5\n"
	"RejectAfterTime = 180\nKeepaliveTimeout = 10-12\nMaxHandshakeAttempts = 18\n"
	"\n[Peer]\nPublicKey = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n"
	"PresharedKey = gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=\n"
	"AdvancedSecurity = on\nAllowedIPs = 10.0.0.2/32, fd00::2/128\n"
	"Endpoint = [2001:db8::1]:51820\nPersistentKeepalive = 20-30\n";

/* n peers with k allowed IPs each, and one more peer with big allowed IPs */
static struct wg_device *many(size_t n, size_t k, size_t big)
{
	struct wg_device *d = parse("[Interface]\nPrivateKey = " K1 "\n");

	for (size_t i = 0; i < n + 1 && d; i++) {
		struct wg_peer *p = device_add_peer(d);
		size_t count = i < n ? k : big;

		p->public_key[0] = (uint8_t)i;
		p->public_key[1] = (uint8_t)(i >> 8);
		p->public_key[31] = 0x5a;
		p->flags = WGPEER_HAS_PUBLIC_KEY | WGPEER_REPLACE_ALLOWEDIPS;
		if (i % 3 == 0) {
			p->endpoint.sin.sin_family = AF_INET;
			p->endpoint.sin.sin_port = htons(51820);
			p->endpoint.sin.sin_addr.s_addr = htonl(0xc0000200 | (uint32_t)(i & 255));
		}
		for (size_t j = 0; j < count; j++) {
			struct wg_allowedip a = { .family = j % 2 ? AF_INET6 : AF_INET, .cidr = j % 2 ? 128 : 32 };

			if (a.family == AF_INET)
				a.ip4.s_addr = htonl(0x0a000000 | (uint32_t)(i << 12 | j));
			else {
				a.ip6.s6_addr[0] = 0xfd;
				memcpy(&a.ip6.s6_addr[8], &i, sizeof(i));
				a.ip6.s6_addr[15] = (uint8_t)j;
				a.ip6.s6_addr[14] = (uint8_t)(j >> 8);
			}
			device_add_allowedip(d, &a);
		}
	}
	return d;
}

int main(void)
{
	struct wg_device *d;

	t_begin("amneziawg version 3: every setting encoded as the module reads it");
	d = parse(awg3);
	if (d) {
		struct capture c = { 0 };

		round_trip("amneziawg", 3, 32, d, 1, &c);
		t_check(c.h1_len == 8, "H1 is %u bytes, not a u64 range", c.h1_len);
		t_check(c.pka_len == 4, "keepalive is %u bytes, not a u32 range", c.pka_len);
		free(c.buf);
	}
	device_free(d);
	t_end();

	t_begin("amneziawg version 2: H as strings, keepalive as u16; newer settings refused");
	d = parse("[Interface]\nPrivateKey = " K1 "\nJc = 3\nS3 = 9\nH1 = 5-10\nH2 = 20\nI2 = <t>\n"
		  "[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = 25\nAllowedIPs = 10.0.0.0/8\n");
	if (d) {
		struct capture c = { 0 };

		round_trip("amneziawg", 2, 25, d, 1, &c);
		t_check(!strcmp(c.h1_text, "5-10") && c.h1_len == 5, "H1 as \"%s\" (%u bytes)", c.h1_text, c.h1_len);
		t_check(c.pka_len == 2, "keepalive is %u bytes, not a u16", c.pka_len);
		free(c.buf);
	}
	device_free(d);
	refused("amneziawg", 2, 25, "[Interface]\nHeaderProtectionKey = " K1 "\n", "HeaderProtectionKey: not supported");
	refused("amneziawg", 2, 25, "[Interface]\nRekeyTimeout = 5\n", "RekeyTimeout: not supported");
	refused("amneziawg", 2, 25, "[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = 5-9\n",
		"PersistentKeepalive ranges: not supported");
	t_end();

	t_begin("amneziawg version 1: H as one u32; ranges and 2.0 settings refused");
	d = parse("[Interface]\nPrivateKey = " K1 "\nJc = 3\nS1 = 9\nH1 = 70000\nH4 = 4\n");
	if (d) {
		struct capture c = { 0 };

		round_trip("amneziawg", 1, 17, d, 1, &c);
		t_check(c.h1_len == 4, "H1 is %u bytes, not a u32", c.h1_len);
		free(c.buf);
	}
	device_free(d);
	refused("amneziawg", 1, 17, "[Interface]\nH1 = 5-10\n", "H1 ranges: not supported by the kernel's amneziawg family (version 1)");
	refused("amneziawg", 1, 17, "[Interface]\nS3 = 5\n", "S3: not supported");
	refused("amneziawg", 1, 17, "[Interface]\nI1 = <t>\n", "I1: not supported");
	t_end();

	t_begin("3.1's switches: off skipped where the module lacks them, on refused");
	d = parse("[Interface]\nPrivateKey = " K1 "\nRandomTrailers = off\nDisableCookies = off\n");
	if (d) {
		struct capture c = { 0 };
		char why[256];

		t_check(genl_wg_set_messages("amneziawg", 3, 32, d, why, sizeof(why), emit, &c) == 0, "refused: %s", why);
		t_check(c.n == 1 && !memmem(c.buf, c.len, "\x05\x00\x21\x00", 4) &&
			!memmem(c.buf, c.len, "\x05\x00\x22\x00", 4), "attributes 33/34 sent to a module without them");
		free(c.buf);
	}
	device_free(d);
	refused("amneziawg", 3, 32, "[Interface]\nRandomTrailers = on\n", "RandomTrailers: not supported");
	d = parse("[Interface]\nPrivateKey = " K1 "\nRandomTrailers = on\nDisableCookies = on\n");
	if (d)
		round_trip("amneziawg", 3, 34, d, 1, NULL);
	device_free(d);
	t_end();

	t_begin("the wireguard family: plain settings only, AmneziaWG refused before sending");
	d = parse("[Interface]\nPrivateKey = " K1 "\nListenPort = 5\n[Peer]\nPublicKey = " K1
		  "\nPersistentKeepalive = 25\nAllowedIPs = 0.0.0.0/0\nEndpoint = 10.0.0.1:5\n");
	if (d)
		round_trip("wireguard", 1, 8, d, 1, NULL);
	device_free(d);
	refused("wireguard", 1, 8, "[Interface]\nJc = 4\n", "this is a WireGuard interface, not an AmneziaWG one");
	refused("wireguard", 1, 8, "[Peer]\nPublicKey = " K1 "\nAdvancedSecurity = off\n", "AdvancedSecurity");
	t_end();

	t_begin("10 000 peers x 4 allowed IPs, and one peer with 20 000: split across messages");
	d = many(10000, 4, 20000);
	if (d) {
		struct capture c = { 0 };

		round_trip("wireguard", 1, 8, d, 40, &c);
		/* a peer's head (replace-allowedips, endpoint) goes once, in its
		 * first fragment; the big peer is in several */
		t_check(c.replace_flags == 10001, "replace-allowedips sent %u times for 10001 peers", c.replace_flags);
		t_check(c.heads_with_endpoint == 3334, "endpoints sent %u times for 3334", c.heads_with_endpoint);
		t_check(c.fragments > 10001 + 4, "%u peer fragments: the big peer was not split", c.fragments);
		free(c.buf);
	}
	device_free(d);
	t_end();

	return t_done();
}
