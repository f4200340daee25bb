/* core/device.c: the growing arrays of a device keep what was put in them,
 * small (calloc, moved by hand) and large (a mapping of their own, grown
 * with mremap), and what lies past the last element is zero (only the used
 * part is wiped when they go). */
#include <errno.h>

#include "device.h"
#include "t.h"

static void grows_and_keeps(void)
{
	struct wg_device *d = device_new();
	const size_t n = 20000;	/* 2.9 MB of peers: both kinds of growth */
	bool kept = true;

	t_begin("20 000 peers with two allowed IPs each: every one kept, zero past the last");
	for (size_t i = 0; i < n && d; i++) {
		struct wg_peer *p = device_add_peer(d);
		struct wg_allowedip a = { .family = AF_INET, .cidr = 32 };

		t_check(p != NULL, "device_add_peer %zu failed", i);
		if (!p)
			break;
		memcpy(p->public_key, &i, sizeof(i));
		if (i % 3 == 0) {	/* stats for some peers only: the rest read as zeros */
			struct wg_peer_stats *st = device_peer_stats(d, p);

			t_check(st != NULL, "device_peer_stats %zu failed", i);
			if (st)
				st->rx_bytes = i * 7;
		}
		for (int k = 0; k < 2; k++) {
			a.ip4.s_addr = (uint32_t)(2 * i + k);
			t_check_int(device_add_allowedip(d, &a), 0);
		}
	}
	t_check_int(d->n_peers, n);
	t_check(d->cap_peers * sizeof(*d->peers) >= 64 * 1024, "the peers never got a mapping");
	for (size_t b = d->n_peers * sizeof(*d->peers); b < d->cap_peers * sizeof(*d->peers); b++)
		if (((uint8_t *)d->peers)[b]) {
			t_check(0, "byte %zu past the last peer is not zero", b);
			break;
		}
	t_check_int(d->n_allowedips, 2 * n);
	for (size_t i = 0; i < d->n_peers && kept; i++) {
		const struct wg_peer *p = &d->peers[i];
		const struct wg_allowedip *a = peer_allowedips(d, p);
		size_t k;

		memcpy(&k, p->public_key, sizeof(k));
		kept = k == i && peer_stats(d, p)->rx_bytes == (i % 3 ? 0 : i * 7) && p->n_allowedips == 2 &&
		       a[0].ip4.s_addr == 2 * i && a[1].ip4.s_addr == 2 * i + 1;
		t_check(kept, "peer %zu changed", i);
	}
	device_clear_peers(d);
	t_check(!d->peers && !d->n_peers && !d->cap_peers && !d->allowedips, "not cleared");
	/* and it grows again after a clear */
	t_check(device_add_peer(d) != NULL, "device_add_peer after clear failed");
	device_free(d);
	t_end();
}

struct seen {
	uint32_t n, bad, stop_at;
};

static int see_peer(void *data, const struct wg_device *dev, const struct wg_peer *peer)
{
	struct seen *s = data;
	const struct wg_allowedip *a = peer_allowedips(dev, peer);

	/* peer i: public key byte i % 256, allowed IPs 2i and 2i + 1 */
	if (peer != dev->peers || peer->public_key[0] != (uint8_t)s->n || peer->n_allowedips != 2 ||
	    a[0].ip4.s_addr != 2 * s->n || a[1].ip4.s_addr != 2 * s->n + 1)
		s->bad++;
	s->n++;
	return s->n == s->stop_at ? -E2BIG : 0;
}

static int add_peers(struct wg_device *d, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct wg_peer *p = device_add_peer(d);
		struct wg_allowedip a = { .family = AF_INET, .cidr = 32 };

		if (!p)
			return -1;
		if (p->flags || p->public_key[0] || p->n_allowedips)
			return -2;	/* the reused slot was not cleared */
		p->flags = WGPEER_HAS_PUBLIC_KEY;
		p->public_key[0] = (uint8_t)i;
		for (int k = 0; k < 2; k++) {
			a.ip4.s_addr = 2 * i + (uint32_t)k;
			if (device_add_allowedip(d, &a) < 0)
				return -3;
		}
	}
	return device_end_peers(d);
}

static void one_peer(void)
{
	struct wg_device *d = device_new();
	struct seen s = { 0 };
	bool kept = true;

	t_begin("one peer at a time: slot 0 reused and cleared, each peer seen once, every allowed IP kept");
	d->one_peer = true;
	d->peer_fn = see_peer;
	d->peer_data = &s;
	t_check_int(add_peers(d, 5000), 0);
	t_check_int(s.n, 5000);
	t_check_int(s.bad, 0);
	t_check_int(d->n_peers, 1);
	t_check_int(d->n_allowedips, 10000);
	for (size_t i = 0; i < d->n_allowedips && kept; i++)
		kept = d->allowedips[i].ip4.s_addr == i;
	t_check(kept, "an allowed IP changed");
	device_free(d);

	d = device_new();
	memset(&s, 0, sizeof(s));
	s.stop_at = 10;
	d->one_peer = true;
	d->peer_fn = see_peer;
	d->peer_data = &s;
	t_check_int(add_peers(d, 100), -1);	/* the 11th device_add_peer() fails */
	t_check_int(d->peer_err, -E2BIG);
	t_check_int(device_end_peers(d), -E2BIG);
	t_check_int(s.n, 10);
	device_free(d);
	t_end();
}

int main(void)
{
	grows_and_keeps();
	one_peer();
	return t_done();
}
