#include <string.h>

#include "addr.h"
#include "showconf.h"

static void put_key(FILE *f, const char *name, const uint8_t key[KEY_LEN])
{
	char b64[KEY_B64_LEN];

	key_to_base64(b64, key);
	fprintf(f, "%s = %s\n", name, b64);
	key_wipe(b64, sizeof(b64));
}

static void write_awg_fields(FILE *f, const struct wg_device *dev)
{
	static const char *const u16_names[] = { "Jc", "Jmin", "Jmax", "S1", "S2", "S3", "S4" };
	static const char *const timer_names[] = {
		"ContentPaddingAddition", "RekeyAfterTime", "RekeyTimeout",
		"RejectAfterTime", "KeepaliveTimeout", "MaxHandshakeAttempts",
	};
	const uint16_t u16[] = { dev->jc, dev->jmin, dev->jmax, dev->s[0], dev->s[1], dev->s[2], dev->s[3] };
	char r[24];

	for (int i = 0; i < 7; i++)
		if (device_has(dev, WGF_JC + i))
			fprintf(f, "%s = %u\n", u16_names[i], u16[i]);
	for (int i = 0; i < 4; i++)
		if (device_has(dev, WGF_H1 + i))
			fprintf(f, "H%d = %s\n", i + 1, range32_format(r, dev->h[i]));
	for (int i = 0; i < 5; i++)
		if (device_has(dev, WGF_I1 + i))
			fprintf(f, "I%d = %s\n", i + 1, dev->i[i] ? dev->i[i] : "");
	if (device_has(dev, WGF_HEADER_PROTECTION_KEY))
		put_key(f, "HeaderProtectionKey", dev->header_protection_key);
	for (int i = 0; i < WG_N_TIMERS; i++)
		if (device_has(dev, WGF_CONTENT_PADDING_ADDITION + i))
			fprintf(f, "%s = %s\n", timer_names[i], range16_format(r, dev->timers[i]));
	if (device_has(dev, WGF_RANDOM_TRAILERS))
		fprintf(f, "RandomTrailers = %s\n", dev->random_trailers ? "on" : "off");
	if (device_has(dev, WGF_DISABLE_COOKIES))
		fprintf(f, "DisableCookies = %s\n", dev->disable_cookies ? "on" : "off");
}

void showconf_interface(FILE *f, enum wg_flavor flavor, const struct wg_device *dev)
{
	if (dev->listen_port)
		fprintf(f, "ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "FwMark = 0x%x\n", dev->fwmark);
	if (device_has(dev, WGF_PRIVATE_KEY))
		put_key(f, "PrivateKey", dev->private_key);
	if (flavor == FLAVOR_AWG)
		write_awg_fields(f, dev);
}

void showconf_peer(FILE *f, enum wg_flavor flavor, const struct wg_device *dev, const struct wg_peer *peer)
{
	const struct wg_allowedip *a = peer_allowedips(dev, peer);
	char buf[ADDR_ENDPOINT_LEN];

	fputs("[Peer]\n", f);
	put_key(f, "PublicKey", peer->public_key);
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY)
		put_key(f, "PresharedKey", peer->preshared_key);
	if (flavor == FLAVOR_AWG && (peer->flags & WGPEER_HAS_ADVANCED_SECURITY))
		fprintf(f, "AdvancedSecurity = %s\n", peer->flags & WGPEER_ADVANCED_SECURITY ? "on" : "off");
	if (peer->n_allowedips) {
		fputs("AllowedIPs = ", f);
		for (uint32_t i = 0; i < peer->n_allowedips; i++)
			fprintf(f, "%s/%u%s", addr_format_ip(buf, a[i].family, &a[i].ip6), a[i].cidr,
				i + 1 < peer->n_allowedips ? ", " : "\n");
	}
	if (peer->endpoint.sa.sa_family == AF_INET || peer->endpoint.sa.sa_family == AF_INET6)
		fprintf(f, "Endpoint = %s\n", addr_format_endpoint(buf, &peer->endpoint));
	if (!range16_is_zero(peer->keepalive)) {
		if (flavor == FLAVOR_AWG)
			fprintf(f, "PersistentKeepalive = %s\n", range16_format(buf, peer->keepalive));
		else
			fprintf(f, "PersistentKeepalive = %u\n", peer->keepalive.lo);
	}
}

void showconf_write(FILE *f, enum wg_flavor flavor, const struct wg_device *dev)
{
	const struct wg_peer *peer;

	fputs("[Interface]\n", f);
	showconf_interface(f, flavor, dev);
	device_for_each_peer(dev, peer) {
		fputc('\n', f);
		showconf_peer(f, flavor, dev, peer);
	}
	if (!dev->n_peers)
		fputc('\n', f);
}
