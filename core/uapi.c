#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "addr.h"
#include "linereader.h"
#include "strlist.h"
#include "uapi.h"

#define SOCK_SUFFIX ".sock"
/* An I1-I5 value is one line; allow the same as a config line. */
#define UAPI_LINE_MAX 65536

static int sock_path(struct sockaddr_un *sun, const char *dir, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strchr(name, '/'))
		return -EINVAL;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s" SOCK_SUFFIX, dir, name) >=
	    sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* Connected socket fd, or -errno. */
static int uapi_connect(const char *dir, const char *name)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, ret = sock_path(&sun, dir, name);

	if (ret < 0)
		return ret;
	if (stat(sun.sun_path, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EBADF;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		/* the process is gone: clean up its socket, as upstream does */
		if (ret == -ECONNREFUSED)
			unlink(sun.sun_path);
		close(fd);
		return ret;
	}
	return fd;
}

bool uapi_has_device(const char *dir, const char *name)
{
	int fd = uapi_connect(dir, name);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int uapi_list_devices(const char *dir, struct strlist *list)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((ent = readdir(d))) {
		size_t len = strlen(ent->d_name), sl = strlen(SOCK_SUFFIX);

		if (len <= sl || strcmp(ent->d_name + len - sl, SOCK_SUFFIX))
			continue;
		ent->d_name[len - sl] = '\0';
		if (!uapi_has_device(dir, ent->d_name))
			continue;
		ret = strlist_add(list, ent->d_name);
		if (ret < 0)
			break;
	}
	closedir(d);
	return ret;
}

/* ---- writing a request ------------------------------------------------------ */

struct writer {
	int fd;
	int err;
	size_t n;
	char buf[8192];
};

static void send_all(struct writer *w, const char *buf, size_t len)
{
	size_t done = 0;

	while (!w->err && done < len) {
		/* MSG_NOSIGNAL: a daemon that hangs up must not kill us */
		ssize_t r = send(w->fd, buf + done, len - done, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			w->err = -errno;
		else
			done += (size_t)r;
	}
}

static void flush(struct writer *w)
{
	send_all(w, w->buf, w->n);
	key_wipe(w->buf, w->n);
	w->n = 0;
}

static void __attribute__((format(printf, 2, 3))) put(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int tries = 0; tries < 2; tries++) {
		va_start(ap, fmt);
		n = vsnprintf(w->buf + w->n, sizeof(w->buf) - w->n, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < sizeof(w->buf) - w->n) {
			w->n += (size_t)n;
			return;
		}
		flush(w);
	}
	/* a line longer than the buffer (a huge I1): send it in one go */
	if (!w->err) {
		char *big = NULL;

		va_start(ap, fmt);
		n = vasprintf(&big, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->err = -ENOMEM;
			return;
		}
		send_all(w, big, (size_t)n);
		key_wipe(big, (size_t)n);
		free(big);
	}
}

/* "key=value\n" without vsnprintf, which costs musl more than the rest of
 * a 10 000-peer request; put() when it does not fit. */
static void put_pair(struct writer *w, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);

	if (k + v + 2 > sizeof(w->buf) - w->n) {
		put(w, "%s=%s\n", key, value);
		return;
	}
	memcpy(w->buf + w->n, key, k);
	w->buf[w->n + k] = '=';
	memcpy(w->buf + w->n + k + 1, value, v);
	w->buf[w->n + k + 1 + v] = '\n';
	w->n += k + v + 2;
}

static void put_key(struct writer *w, const char *name, const uint8_t key[KEY_LEN])
{
	char hex[KEY_HEX_LEN];

	key_to_hex(hex, key);
	put_pair(w, name, hex);
	key_wipe(hex, sizeof(hex));
}

static void put_device(struct writer *w, enum wg_flavor flavor, const struct wg_device *dev)
{
	static const char *const u16_names[] = { "jc", "jmin", "jmax", "s1", "s2", "s3", "s4" };
	static const char *const timer_names[] = {
		"content_padding_addition", "rekey_after_time", "rekey_timeout",
		"reject_after_time", "keepalive_timeout", "max_handshake_attempts",
	};
	const uint16_t u16[] = { dev->jc, dev->jmin, dev->jmax, dev->s[0], dev->s[1], dev->s[2], dev->s[3] };
	char r[24];

	if (device_has(dev, WGF_PRIVATE_KEY))
		put_key(w, "private_key", dev->private_key);
	if (device_has(dev, WGF_LISTEN_PORT))
		put(w, "listen_port=%u\n", dev->listen_port);
	if (device_has(dev, WGF_FWMARK))
		put(w, "fwmark=%u\n", dev->fwmark);
	if (dev->replace_peers)
		put(w, "replace_peers=true\n");
	if (flavor != FLAVOR_AWG)
		return;
	for (int i = 0; i < 7; i++)
		if (device_has(dev, WGF_JC + i))
			put(w, "%s=%u\n", u16_names[i], u16[i]);
	for (int i = 0; i < 4; i++)
		if (device_has(dev, WGF_H1 + i))
			put(w, "h%d=%s\n", i + 1, range32_format(r, dev->h[i]));
	for (int i = 0; i < 5; i++)
		if (device_has(dev, WGF_I1 + i))
			put(w, "i%d=%s\n", i + 1, dev->i[i]);
	if (device_has(dev, WGF_HEADER_PROTECTION_KEY))
		put_key(w, "header_protection_key", dev->header_protection_key);
	for (int i = 0; i < WG_N_TIMERS; i++)
		if (device_has(dev, WGF_CONTENT_PADDING_ADDITION + i))
			put(w, "%s=%s\n", timer_names[i], range16_format(r, dev->timers[i]));
	if (device_has(dev, WGF_RANDOM_TRAILERS))
		put(w, "random_trailers=%u\n", dev->random_trailers);
	if (device_has(dev, WGF_DISABLE_COOKIES))
		put(w, "disable_cookies=%u\n", dev->disable_cookies);
}

static void put_peer(struct writer *w, const struct wg_device *dev, const struct wg_peer *peer)
{
	const struct wg_allowedip *a = peer_allowedips(dev, peer);
	char buf[ADDR_ENDPOINT_LEN];

	put_key(w, "public_key", peer->public_key);
	if (peer->flags & WGPEER_REMOVE_ME) {
		put(w, "remove=true\n");
		return;
	}
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY)
		put_key(w, "preshared_key", peer->preshared_key);
	if (peer->endpoint.sa.sa_family == AF_INET || peer->endpoint.sa.sa_family == AF_INET6)
		put(w, "endpoint=%s\n", addr_format_endpoint(buf, &peer->endpoint));
	if (peer->flags & WGPEER_HAS_KEEPALIVE)
		put(w, "persistent_keepalive_interval=%s\n", range16_format(buf, peer->keepalive));
	if (peer->flags & WGPEER_REPLACE_ALLOWEDIPS)
		put_pair(w, "replace_allowed_ips", "true");
	for (uint32_t i = 0; i < peer->n_allowedips; i++)
		put_pair(w, "allowed_ip", addr_format_allowedip(buf, &a[i]));
}

/* ---- reading a reply ---------------------------------------------------------- */

/* Upstream's NUM(max): decimal digits only, at most max. */
static bool num(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return !*end && !errno && *out <= max;
}

/* Read "key=value" lines to the blank line; errno=N gives the result.
 * on_line (may be NULL) sees every other line; returning false is EPROTO. */
static int read_reply(int fd, bool (*on_line)(void *data, char *key, char *value), void *data)
{
	struct line_reader lr;
	char *line;
	size_t len;
	bool nl;
	int ret, result = -EPROTO;

	ret = line_reader_init(&lr, fd, UAPI_LINE_MAX);
	if (ret < 0)
		return ret;
	for (;;) {
		char *value;

		ret = line_reader_next(&lr, &line, &len, &nl);
		if (ret <= 0 || !nl) {
			ret = ret < 0 && ret != -EFBIG ? ret : -EPROTO;
			break;
		}
		if (!len) {
			ret = result;
			break;
		}
		value = strchr(line, '=');
		if (!value) {
			ret = -EPROTO;
			break;
		}
		*value++ = '\0';
		if (!strcmp(line, "errno")) {
			long long n;
			char *end;

			if (value[0] != '-' && (value[0] < '0' || value[0] > '9')) {
				ret = -EPROTO;
				break;
			}
			n = strtoll(value, &end, 10);
			if (*end || n > INT_MAX || n < -INT_MAX) {
				ret = -EPROTO;
				break;
			}
			/* implementations send -EINVAL; accept EINVAL as well */
			result = n > 0 ? (int)-n : (int)n;
		} else if (on_line && !on_line(data, line, value)) {
			ret = -EPROTO;
			break;
		}
	}
	line_reader_free(&lr);
	return ret;
}

struct get_state {
	struct wg_device *dev;
	struct wg_peer *peer;
};

static bool parse_endpoint(union wg_endpoint *ep, char *value)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char *host = value, *port;
	bool ok;

	if (value[0] == '[') {
		host = value + 1;
		port = strchr(value, ']');
		if (!port || port[1] != ':' || !port[2])
			return false;
		*port = '\0';
		port += 2;
	} else {
		port = strrchr(value, ':');
		if (!port || !port[1])
			return false;
		*port++ = '\0';
	}
	if (getaddrinfo(host, port, &hints, &res))
		return false;
	ok = (res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) ||
	     (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6));
	if (ok) {
		memset(ep, 0, sizeof(*ep));
		memcpy(ep, res->ai_addr, res->ai_addrlen);
	}
	freeaddrinfo(res);
	return ok;
}

static bool parse_allowedip(struct wg_allowedip *a, char *value)
{
	char *mask = strchr(value, '/'), *end;
	unsigned long cidr;

	if (!mask || mask[1] < '0' || mask[1] > '9')
		return false;
	*mask++ = '\0';
	memset(a, 0, sizeof(*a));
	a->family = strchr(value, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, value, &a->ip6) != 1)
		return false;
	cidr = strtoul(mask, &end, 10);
	if (*end || cidr > (a->family == AF_INET ? 32U : 128U))
		return false;
	a->cidr = (uint8_t)cidr;
	return true;
}

static bool get_device_line(struct wg_device *dev, const char *key, char *value)
{
	static const char *const u16_names[] = { "jc", "jmin", "jmax", "s1", "s2", "s3", "s4" };
	static const char *const timer_names[] = {
		"content_padding_addition", "rekey_after_time", "rekey_timeout",
		"reject_after_time", "keepalive_timeout", "max_handshake_attempts",
	};
	unsigned long long n;
	struct range32 r;

	if (!strcmp(key, "private_key")) {
		if (key_from_hex(dev->private_key, value) < 0)
			return false;
		key_public(dev->public_key, dev->private_key);
		dev->has |= WGF_BIT(WGF_PRIVATE_KEY) | WGF_BIT(WGF_PUBLIC_KEY);
	} else if (!strcmp(key, "listen_port")) {
		if (!num(value, 0xffff, &n))
			return false;
		dev->listen_port = (uint16_t)n;
		dev->has |= WGF_BIT(WGF_LISTEN_PORT);
	} else if (!strcmp(key, "fwmark")) {
		if (!num(value, 0xffffffff, &n))
			return false;
		dev->fwmark = (uint32_t)n;
		dev->has |= WGF_BIT(WGF_FWMARK);
	} else if (!strcmp(key, "header_protection_key")) {
		if (key_from_hex(dev->header_protection_key, value) < 0)
			return false;
		if (!key_is_zero(dev->header_protection_key))
			dev->has |= WGF_BIT(WGF_HEADER_PROTECTION_KEY);
	} else if (!strcmp(key, "random_trailers") || !strcmp(key, "disable_cookies")) {
		bool rt = key[0] == 'r';

		if (!num(value, 1, &n))
			return false;
		*(rt ? &dev->random_trailers : &dev->disable_cookies) = n;
		dev->has |= WGF_BIT(rt ? WGF_RANDOM_TRAILERS : WGF_DISABLE_COOKIES);
	} else if (key[0] == 'h' && key[1] >= '1' && key[1] <= '4' && !key[2]) {
		/* as upstream, an unparsable range is left unset, not an error */
		if (range_from_text(value, &r)) {
			dev->h[key[1] - '1'] = r;
			dev->has |= WGF_BIT(WGF_H1 + key[1] - '1');
		}
	} else if (key[0] == 'i' && key[1] >= '1' && key[1] <= '5' && !key[2]) {
		if (device_set_i(dev, key[1] - '1', value) < 0)
			return false;
	} else {
		for (int i = 0; i < 7; i++)
			if (!strcmp(key, u16_names[i])) {
				uint16_t *f[] = { &dev->jc, &dev->jmin, &dev->jmax, &dev->s[0],
						  &dev->s[1], &dev->s[2], &dev->s[3] };

				if (!num(value, 0xffff, &n))
					return false;
				*f[i] = (uint16_t)n;
				dev->has |= WGF_BIT(WGF_JC + i);
			}
		for (int i = 0; i < WG_N_TIMERS; i++)
			if (!strcmp(key, timer_names[i]) && range_from_text(value, &r)) {
				dev->timers[i] = (struct range16){ (uint16_t)r.lo, (uint16_t)r.hi };
				dev->has |= WGF_BIT(WGF_CONTENT_PADDING_ADDITION + i);
			}
		/* anything else (protocol_version, keys of newer versions): ignored */
	}
	return true;
}

static bool get_peer_line(struct get_state *s, const char *key, char *value)
{
	struct wg_peer *peer = s->peer;
	struct wg_peer_stats *st;
	unsigned long long n;
	struct range32 r;

	if (!strcmp(key, "preshared_key")) {
		if (key_from_hex(peer->preshared_key, value) < 0)
			return false;
		if (!key_is_zero(peer->preshared_key))
			peer->flags |= WGPEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(key, "endpoint")) {
		return parse_endpoint(&peer->endpoint, value);
	} else if (!strcmp(key, "persistent_keepalive_interval")) {
		if (range_from_text(value, &r)) {
			peer->keepalive = (struct range16){ (uint16_t)r.lo, (uint16_t)r.hi };
			peer->flags |= WGPEER_HAS_KEEPALIVE;
		}
	} else if (!strcmp(key, "allowed_ip")) {
		struct wg_allowedip a;

		return parse_allowedip(&a, value) && device_add_allowedip(s->dev, &a) == 0;
	} else if (!strcmp(key, "last_handshake_time_sec")) {
		if (!num(value, INT64_MAX, &n) || !(st = device_peer_stats(s->dev, peer)))
			return false;
		st->last_handshake_sec = (int64_t)n;
	} else if (!strcmp(key, "last_handshake_time_nsec")) {
		if (!num(value, INT64_MAX, &n) || !(st = device_peer_stats(s->dev, peer)))
			return false;
		st->last_handshake_nsec = (int64_t)n;
	} else if (!strcmp(key, "rx_bytes")) {
		if (!num(value, UINT64_MAX, &n) || !(st = device_peer_stats(s->dev, peer)))
			return false;
		st->rx_bytes = n;
	} else if (!strcmp(key, "tx_bytes")) {
		if (!num(value, UINT64_MAX, &n) || !(st = device_peer_stats(s->dev, peer)))
			return false;
		st->tx_bytes = n;
	}
	return true;
}

static bool get_line(void *data, char *key, char *value)
{
	struct get_state *s = data;

	if (!strcmp(key, "public_key")) {
		s->peer = device_add_peer(s->dev);
		if (!s->peer || key_from_hex(s->peer->public_key, value) < 0)
			return false;
		s->peer->flags |= WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_STATS;
		return true;
	}
	if (s->peer)
		return get_peer_line(s, key, value);
	return get_device_line(s->dev, key, value);
}

int uapi_read_device(int fd, struct wg_device *dev)
{
	struct get_state s = { .dev = dev };

	return read_reply(fd, get_line, &s);
}

int uapi_get_device(const char *dir, struct wg_device *dev)
{
	int fd = uapi_connect(dir, dev->name), ret;

	if (fd < 0)
		return fd;
	if (send(fd, "get=1\n\n", 7, MSG_NOSIGNAL) != 7)
		ret = -errno;
	else
		ret = uapi_read_device(fd, dev);
	close(fd);
	return ret;
}

int uapi_set_device(const char *dir, enum wg_flavor flavor, const struct wg_device *dev)
{
	struct writer *w;
	const struct wg_peer *peer;
	int fd, ret;

	if (strlen(dev->name) >= WG_IFNAMSIZ)
		return -EINVAL;
	fd = uapi_connect(dir, dev->name);
	if (fd < 0)
		return fd;
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->fd = fd;
	put(w, "set=1\n");
	put_device(w, flavor, dev);
	device_for_each_peer(dev, peer)
		put_peer(w, dev, peer);
	put(w, "\n");
	flush(w);
	ret = w->err ? w->err : read_reply(fd, NULL, NULL);
	key_wipe(w, sizeof(*w));
	free(w);
	close(fd);
	return ret;
}
