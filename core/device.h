/*
 * The device model every path shares (wireguard-tools' model, extended with
 * AmneziaWG): a device, its peers, their allowed IPs, and per-field "is set"
 * flags.  The config parser and `set` fill it, the backends (generic netlink,
 * userspace socket) send it or fill it from a reply, show/showconf print it.
 *
 * Peers and allowed IPs live in two growable arrays owned by the device, so a
 * 10 000-peer device is two allocations, not 40 000: a peer refers to its
 * allowed IPs by index.  Allowed IPs are only ever appended to the last peer,
 * which every producer (config file, `set` arguments, kernel dump, UAPI reply)
 * does naturally.  device_free() wipes all of it (keys are secrets).
 */
#ifndef AWGBOX_DEVICE_H
#define AWGBOX_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "key.h"

#define WG_IFNAMSIZ 16

/* Which upstream a command follows: amneziawg-tools (awg, awg-quick) or
 * wireguard-tools (wg, wg-quick).  It decides the keys accepted, the output
 * columns, the kernel family and the userspace socket directory. */
enum wg_flavor {
	FLAVOR_AWG,
	FLAVOR_WG,
};

/* A range of header values (H1-H4): N is lo == hi.  Wire form: hi << 32 | lo. */
struct range32 {
	uint32_t lo, hi;
};

/* A range of 16-bit values (timers, padding, keepalive): zero is "unset".
 * Wire form: hi << 16 | lo. */
struct range16 {
	uint16_t lo, hi;
};

struct wg_allowedip {
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t cidr;
};

union wg_endpoint {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

enum {
	WGPEER_REMOVE_ME = 1U << 0,
	WGPEER_REPLACE_ALLOWEDIPS = 1U << 1,
	WGPEER_UPDATE_ONLY = 1U << 2,
	WGPEER_HAS_PUBLIC_KEY = 1U << 3,
	WGPEER_HAS_PRESHARED_KEY = 1U << 4,
	WGPEER_HAS_KEEPALIVE = 1U << 5,
	WGPEER_HAS_ADVANCED_SECURITY = 1U << 6,	/* AdvancedSecurity given / reported */
	WGPEER_ADVANCED_SECURITY = 1U << 7,	/* ... and its value is on */
	WGPEER_HAS_STATS = 1U << 8,		/* handshake time and transfer reported */
};

struct wg_peer {
	uint32_t flags;
	uint8_t public_key[KEY_LEN];
	uint8_t preshared_key[KEY_LEN];
	union wg_endpoint endpoint;	/* sa_family 0: none */
	struct range16 keepalive;	/* wg: lo == hi */
	uint32_t first_allowedip, n_allowedips;	/* into device->allowedips */
};

/* What a backend reports of a peer; kept apart from struct wg_peer (in a
 * parallel array made only by reads) so that a 10 000-peer setconf does not
 * carry it. */
struct wg_peer_stats {
	int64_t last_handshake_sec;
	int64_t last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
};

/* Device fields, each with an "is set" bit in device->has. */
enum wg_field {
	WGF_PRIVATE_KEY, WGF_PUBLIC_KEY, WGF_LISTEN_PORT, WGF_FWMARK,
	WGF_JC, WGF_JMIN, WGF_JMAX, WGF_S1, WGF_S2, WGF_S3, WGF_S4,
	WGF_H1, WGF_H2, WGF_H3, WGF_H4,
	WGF_I1, WGF_I2, WGF_I3, WGF_I4, WGF_I5,
	WGF_HEADER_PROTECTION_KEY,
	WGF_CONTENT_PADDING_ADDITION, WGF_REKEY_AFTER_TIME, WGF_REKEY_TIMEOUT,
	WGF_REJECT_AFTER_TIME, WGF_KEEPALIVE_TIMEOUT, WGF_MAX_HANDSHAKE_ATTEMPTS,
	WGF_RANDOM_TRAILERS, WGF_DISABLE_COOKIES,
	WGF_COUNT
};
#define WGF_BIT(f) (1ULL << (f))
#define WGF_AWG_MASK (((1ULL << WGF_COUNT) - 1) & ~(WGF_BIT(WGF_PRIVATE_KEY) | \
	WGF_BIT(WGF_PUBLIC_KEY) | WGF_BIT(WGF_LISTEN_PORT) | WGF_BIT(WGF_FWMARK)))

/* Indices into the arrays below, in upstream's order. */
enum { WG_S1, WG_S2, WG_S3, WG_S4 };
enum { WG_TIMER_CPA, WG_TIMER_RAT, WG_TIMER_RT, WG_TIMER_RJT, WG_TIMER_KT, WG_TIMER_MHA, WG_N_TIMERS };

struct wg_device;
/* What a one-peer read shows each peer to (wg_device.one_peer) */
typedef int device_peer_fn(void *data, const struct wg_device *dev, const struct wg_peer *peer);

struct wg_device {
	char name[WG_IFNAMSIZ];
	uint32_t ifindex;
	uint64_t has;			/* WGF_BIT(field) */
	bool replace_peers;

	uint8_t private_key[KEY_LEN];
	uint8_t public_key[KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;

	/* AmneziaWG */
	uint16_t jc, jmin, jmax;
	uint16_t s[4];			/* S1-S4 */
	struct range32 h[4];		/* H1-H4 */
	char *i[5];			/* I1-I5, NUL-terminated; "" clears */
	uint8_t header_protection_key[KEY_LEN];
	struct range16 timers[WG_N_TIMERS];	/* ContentPaddingAddition .. MaxHandshakeAttempts */
	bool random_trailers, disable_cookies;

	/* A read that looks at each peer once (awg-quick's MTU and routes,
	 * with 10 000 peers) holds one peer, not all: with one_peer set, every
	 * peer reuses slot 0 (peers[0] is the last one read) while allowedips
	 * keeps every peer's.  peer_fn, when set, sees each peer as the next
	 * one replaces it, and the last in device_end_peers(); its negative
	 * return (kept in peer_err) fails the read. */
	bool one_peer;
	device_peer_fn *peer_fn;
	void *peer_data;
	int peer_err;
	unsigned int cleared;		/* device_clear_peers() calls: a read began again */
	struct wg_peer *peers;
	size_t n_peers, cap_peers;
	struct wg_allowedip *allowedips;
	size_t n_allowedips, cap_allowedips;
	struct wg_peer_stats *stats;	/* [i] for peers[i]; NULL or short: zeros */
	size_t cap_stats;
};

static inline bool device_has(const struct wg_device *dev, enum wg_field f)
{
	return dev->has & WGF_BIT(f);
}

struct wg_device *device_new(void);
/* Wipes keys and frees everything; NULL is fine. */
void device_free(struct wg_device *dev);
/* Drop every peer and allowed IP (wiped), keep the device fields. */
void device_clear_peers(struct wg_device *dev);

/* Append a zeroed peer; NULL on allocation failure (or peer_fn's, in
 * peer_err).  The pointer is valid
 * until the next device_add_peer(). */
struct wg_peer *device_add_peer(struct wg_device *dev);
/* A one-peer read is over: its last peer to peer_fn.  0, or peer_fn's error. */
int device_end_peers(struct wg_device *dev);
/* Append an allowed IP to the last peer; -ENOMEM or -EINVAL (no peer). */
int device_add_allowedip(struct wg_device *dev, const struct wg_allowedip *aip);
/* A peer's stats for reading (zeros when none were reported) and for
 * writing (NULL on allocation failure). */
const struct wg_peer_stats *peer_stats(const struct wg_device *dev, const struct wg_peer *peer);
struct wg_peer_stats *device_peer_stats(struct wg_device *dev, const struct wg_peer *peer);
/* Set (copy) I1-I5 string n (0-4); -ENOMEM. */
int device_set_i(struct wg_device *dev, int n, const char *value);

static inline const struct wg_allowedip *peer_allowedips(const struct wg_device *dev,
							  const struct wg_peer *peer)
{
	return dev->allowedips ? dev->allowedips + peer->first_allowedip : NULL;
}

#define device_for_each_peer(dev, p) \
	for ((p) = (dev)->peers; (p) && (p) < (dev)->peers + (dev)->n_peers; (p)++)

/* Upstream's defaults H1-H4 = 1, 2, 3, 4 (message types). */
static inline bool range32_is_default(const struct wg_device *dev, int n)
{
	return dev->h[n].lo == (uint32_t)n + 1 && dev->h[n].hi == (uint32_t)n + 1;
}

static inline bool range16_is_zero(struct range16 r)
{
	return !r.lo && !r.hi;
}

/* "N" or "LO-HI", decimal, each at most 4294967295, LO <= HI (upstream's
 * syntax, quirks included: "+5" and "0-" are accepted). */
bool range_from_text(const char *s, struct range32 *r);
/* "N" when lo == hi, else "LO-HI".  buf: at least 22 bytes. */
char *range32_format(char *buf, struct range32 r);
char *range16_format(char *buf, struct range16 r);

static inline uint64_t range32_pack(struct range32 r)
{
	return (uint64_t)r.hi << 32 | r.lo;
}

static inline struct range32 range32_unpack(uint64_t v)
{
	return (struct range32){ (uint32_t)v, (uint32_t)(v >> 32) };
}

static inline uint32_t range16_pack(struct range16 r)
{
	return (uint32_t)r.hi << 16 | r.lo;
}

static inline struct range16 range16_unpack(uint32_t v)
{
	return (struct range16){ (uint16_t)v, (uint16_t)(v >> 16) };
}

/* Do two ranges share a value? */
static inline bool range32_overlap(struct range32 a, struct range32 b)
{
	return a.lo <= b.hi && b.lo <= a.hi;
}

#endif
