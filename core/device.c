#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "device.h"

/* Arrays of at least this many bytes live in a mapping of their own (see
 * grow()). */
#define MAPPED_ARRAY (64 * 1024)

/* Wipe (only the used part: no element past it was ever written, and
 * wiping the rest would bring untouched pages in) and free an array. */
static void free_array(void *a, size_t used, size_t cap, size_t size)
{
	if (!a)
		return;
	key_wipe(a, used * size);
	if (cap * size >= MAPPED_ARRAY)
		munmap(a, cap * size);
	else
		free(a);
}

struct wg_device *device_new(void)
{
	return calloc(1, sizeof(struct wg_device));
}

static void free_i(struct wg_device *dev, int n)
{
	if (dev->i[n]) {
		key_wipe(dev->i[n], strlen(dev->i[n]));
		free(dev->i[n]);
		dev->i[n] = NULL;
	}
}

void device_clear_peers(struct wg_device *dev)
{
	free_array(dev->peers, dev->n_peers, dev->cap_peers, sizeof(*dev->peers));
	free_array(dev->allowedips, dev->n_allowedips, dev->cap_allowedips, sizeof(*dev->allowedips));
	free_array(dev->stats, 0, dev->cap_stats, sizeof(*dev->stats));	/* no secrets */
	dev->peers = NULL;
	dev->allowedips = NULL;
	dev->stats = NULL;
	dev->n_peers = dev->cap_peers = dev->n_allowedips = dev->cap_allowedips = dev->cap_stats = 0;
	dev->cleared++;
}

void device_free(struct wg_device *dev)
{
	if (!dev)
		return;
	device_clear_peers(dev);
	for (int n = 0; n < 5; n++)
		free_i(dev, n);
	key_wipe(dev, sizeof(*dev));
	free(dev);
}

/*
 * Grow a full array of secrets (cap elements, all used).  realloc() could
 * leave a copy of the old block behind unwiped, so a small array is moved
 * by hand.  A large one lives in its own mapping and grows with mremap(),
 * which moves the pages instead of copying them: nothing is left behind,
 * and the peak is the array, not old and new together (peak RSS of a
 * 10 000-peer show dump: 1920 KiB, was 2688).  New elements are zero
 * either way; the arrays hold no pointers.
 */
static void *grow(void *old, size_t *cap, size_t size)
{
	size_t n = *cap < 8 ? 8 : *cap + *cap / 2;
	void *new;

	if (n > SIZE_MAX / size)
		return NULL;
	if (n * size < MAPPED_ARRAY) {
		new = calloc(n, size);
	} else if (old && *cap * size >= MAPPED_ARRAY) {
		new = mremap(old, *cap * size, n * size, MREMAP_MAYMOVE);
		if (new == MAP_FAILED)
			return NULL;
		*cap = n;
		return new;
	} else {
		new = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (new == MAP_FAILED)
			new = NULL;
	}
	if (!new)
		return NULL;
	if (old) {
		memcpy(new, old, *cap * size);
		free_array(old, *cap, *cap, size);
	}
	*cap = n;
	return new;
}

struct wg_peer *device_add_peer(struct wg_device *dev)
{
	struct wg_peer *peer;

	if (dev->one_peer && dev->n_peers) {
		if (device_end_peers(dev) < 0)
			return NULL;
		peer = &dev->peers[0];
		key_wipe(peer, sizeof(*peer));
		peer->first_allowedip = (uint32_t)dev->n_allowedips;
		return peer;
	}
	if (dev->n_peers == dev->cap_peers) {
		void *p = grow(dev->peers, &dev->cap_peers, sizeof(*dev->peers));

		if (!p)
			return NULL;
		dev->peers = p;
	}
	peer = &dev->peers[dev->n_peers++];
	memset(peer, 0, sizeof(*peer));
	peer->first_allowedip = (uint32_t)dev->n_allowedips;
	return peer;
}

int device_end_peers(struct wg_device *dev)
{
	if (dev->one_peer && dev->peer_fn && dev->n_peers && !dev->peer_err)
		dev->peer_err = dev->peer_fn(dev->peer_data, dev, &dev->peers[0]);
	return dev->peer_err;
}

int device_add_allowedip(struct wg_device *dev, const struct wg_allowedip *aip)
{
	struct wg_peer *peer;

	if (!dev->n_peers)
		return -EINVAL;
	if (dev->n_allowedips >= UINT32_MAX)
		return -ENOMEM;
	if (dev->n_allowedips == dev->cap_allowedips) {
		void *p = grow(dev->allowedips, &dev->cap_allowedips, sizeof(*dev->allowedips));

		if (!p)
			return -ENOMEM;
		dev->allowedips = p;
	}
	peer = &dev->peers[dev->n_peers - 1];
	dev->allowedips[dev->n_allowedips++] = *aip;
	peer->n_allowedips++;
	return 0;
}

const struct wg_peer_stats *peer_stats(const struct wg_device *dev, const struct wg_peer *peer)
{
	static const struct wg_peer_stats none;
	size_t i = (size_t)(peer - dev->peers);

	return i < dev->cap_stats ? &dev->stats[i] : &none;
}

struct wg_peer_stats *device_peer_stats(struct wg_device *dev, const struct wg_peer *peer)
{
	size_t i = (size_t)(peer - dev->peers);

	while (i >= dev->cap_stats) {
		void *p = grow(dev->stats, &dev->cap_stats, sizeof(*dev->stats));

		if (!p)
			return NULL;
		dev->stats = p;
	}
	return &dev->stats[i];
}

int device_set_i(struct wg_device *dev, int n, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free_i(dev, n);
	dev->i[n] = copy;
	dev->has |= WGF_BIT(WGF_I1 + n);
	return 0;
}

char *range32_format(char *buf, struct range32 r)
{
	if (r.lo == r.hi)
		sprintf(buf, "%u", r.lo);
	else
		sprintf(buf, "%u-%u", r.lo, r.hi);
	return buf;
}

char *range16_format(char *buf, struct range16 r)
{
	return range32_format(buf, (struct range32){ r.lo, r.hi });
}

bool range_from_text(const char *s, struct range32 *r)
{
	unsigned long lo, hi;
	char *end;

	lo = strtoul(s, &end, 10);
	if (end == s || lo > UINT32_MAX)
		return false;
	hi = lo;
	if (*end) {
		if (*end != '-')
			return false;
		/* as upstream, an empty HI reads as 0, so "0-" is 0 */
		hi = strtoul(end + 1, &end, 10);
		if (*end || hi > UINT32_MAX || hi < lo)
			return false;
	}
	r->lo = (uint32_t)lo;
	r->hi = (uint32_t)hi;
	return true;
}
