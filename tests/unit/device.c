/* core/device.c: the growing arrays of a device keep what was put in them,
 * small (calloc, moved by hand) and large (a mapping of their own, grown
 * with mremap), and what lies past the last element is zero (only the used
 * part is wiped when they go). */
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

int main(void)
{
	grows_and_keeps();
	return t_done();
}
