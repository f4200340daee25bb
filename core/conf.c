/*
 * Config and `set` argument parsing.  The rules are upstream's (see
 * amneziawg-facts.md sections 1-2), reimplemented:
 *  - a line is cut at the first '#'; every whitespace character is then
 *    removed, except on a line whose first two characters are I1-I5 (awg),
 *    where only whitespace around the key and '=' and at the end goes;
 *  - "[Interface]" and "[Peer]" (any case) start sections, each [Peer] a new
 *    peer; keys are matched as a case-insensitive "Key=" prefix with a
 *    non-empty value;
 *  - value syntax and its error texts as upstream.  Where upstream fails
 *    silently (ranges), we say why.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "addr.h"
#include "conf.h"
#include "errtext.h"
#include "io.h"
#include "linereader.h"

struct parser {
	const struct conf_opts *o;
	struct conf_error *err;
	struct wg_device *dev;
	unsigned long line;
	const char *key;		/* key being parsed, for messages */
	enum { SEC_NONE, SEC_INTERFACE, SEC_PEER } section;
	unsigned long peer_line;		/* line of the current [Peer] */
	unsigned long field_line[WGF_COUNT];	/* where each device field was set */
	unsigned long keyless_peer_line;	/* first [Peer] without PublicKey */
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int __attribute__((format(printf, 2, 3))) fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->line;
	snprintf(p->err->key, sizeof(p->err->key), "%s", p->key ? p->key : "");
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void __attribute__((format(printf, 2, 3))) warn(struct parser *p, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	if (!p->o->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->o->warn(p->o->warn_data, p->line, msg);
}

/* getaddrinfo() error texts as glibc words them (upstream's messages). */
static const char *gai_text(int code)
{
	switch (code) {
	case EAI_BADFLAGS: return "Bad value for ai_flags";
	case EAI_NONAME: return "Name or service not known";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_SYSTEM: return err_text(errno);
	case EAI_OVERFLOW: return "Result too large for supplied buffer";
#ifdef EAI_NODATA
	case EAI_NODATA: return "No address associated with hostname";
#endif
	default: return "Unknown error";
	}
}

/* strtoul() as upstream uses it: base 10 unless told, end pointer, and the
 * result as unsigned long (64 bits here, so "4294967296" stays itself). */
static unsigned long to_ulong(const char *s, char **end, int base)
{
	return strtoul(s, end, base);
}

/* ---- values ------------------------------------------------------------- */

static int parse_key(struct parser *p, uint8_t key[KEY_LEN], const char *value)
{
	if (key_from_base64(key, value) < 0) {
		key_wipe(key, KEY_LEN);
		return fail(p, "Key is not the correct length or format: `%s'", value);
	}
	return 0;
}

/* A key in a file (private-key, preshared-key, header-protection-key):
 * 44 base64 characters and only whitespace after; an empty file (or
 * /dev/null) is the all-zero key, which removes the key. */
static int parse_keyfile(struct parser *p, uint8_t key[KEY_LEN], const char *path)
{
	char b64[KEY_B64_LEN], tail[64];
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(p, "fopen: %s", err_text(errno));
	n = io_read_full(fd, b64, KEY_B64_LEN - 1);
	if (n < 0) {
		ret = fail(p, "read: %s", err_text((int)-n));
		goto out;
	}
	if (!n) {
		memset(key, 0, KEY_LEN);
		ret = 0;
		goto out;
	}
	if (n != KEY_B64_LEN - 1) {
		ret = fail(p, "Invalid length key in key file");
		goto out;
	}
	b64[KEY_B64_LEN - 1] = '\0';
	while ((n = io_read_full(fd, tail, sizeof(tail))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (!is_space((unsigned char)tail[i])) {
				ret = fail(p, "Found trailing character in key file: `%c'", tail[i]);
				goto out;
			}
	if (n < 0) {
		ret = fail(p, "getc: %s", err_text((int)-n));
		goto out;
	}
	ret = parse_key(p, key, b64);
out:
	key_wipe(b64, sizeof(b64));
	close(fd);
	return ret;
}

/*
 * A port number above 65535 is an error.  (Debian's glibc-built wg takes
 * it modulo 65536, so 65536 would mean "any port"; the musl-built tools of
 * Alpine images refuse it, and so do we, in both builds.)
 */
static int check_port_number(struct parser *p, const char *value, const char *what)
{
	const char *s = value;
	unsigned long v = 0;

	while (is_space((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	if (!is_digit(*s))
		return 0;	/* a service name: getaddrinfo() decides */
	for (; is_digit(*s); s++)
		if ((v = v * 10 + (unsigned long)(*s - '0')) > 65535)
			return fail(p, "Port is neither a number 0-65535 nor a service name: `%s'", what);
	return 0;
}

static int parse_port(struct parser *p, uint16_t *port, const char *value)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP, .ai_flags = AI_PASSIVE,
	};
	struct addrinfo *res;
	int ret;

	if (!*value)
		return fail(p, "Unable to parse empty port");
	ret = check_port_number(p, value, value);
	if (ret < 0)
		return ret;
	ret = getaddrinfo(NULL, value, &hints, &res);
	if (ret)
		return fail(p, "%s: `%s'", gai_text(ret), value);
	ret = 0;
	if (res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in))
		*port = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
	else if (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6))
		*port = ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port);
	else
		ret = fail(p, "Neither IPv4 nor IPv6 address found: `%s'", value);
	freeaddrinfo(res);
	return ret;
}

static int parse_fwmark(struct parser *p, uint32_t *fwmark, const char *value)
{
	unsigned long v;
	char *end;

	if (!strcasecmp(value, "off")) {
		*fwmark = 0;
		return 0;
	}
	if (is_digit(value[0])) {
		int base = strlen(value) > 2 && value[0] == '0' && value[1] == 'x' ? 16 : 10;

		v = to_ulong(value, &end, base);
		if (!*end && v <= UINT32_MAX) {
			*fwmark = (uint32_t)v;
			return 0;
		}
	}
	return fail(p, "Fwmark is neither 0/off nor 0-0xffffffff: `%s'", value);
}

/* Jc, Jmin, Jmax, S1-S4.  Upstream keeps strtoul()'s result in 32 bits
 * before the range check, so 4294967296 passes as 0: accepted the same. */
static int parse_u16(struct parser *p, uint16_t *out, const char *name, const char *value)
{
	uint32_t v;
	char *end;

	if (!*value)
		return fail(p, "Unable to parse empty string");
	v = (uint32_t)to_ulong(value, &end, 10);
	if (*end || v > UINT16_MAX)
		return fail(p, "Unable to parse %s: `%s'", name, value);
	*out = (uint16_t)v;
	return 0;
}

static int parse_range32(struct parser *p, struct range32 *out, const char *value)
{
	if (!range_from_text(value, out))
		return fail(p, "Unable to parse %s: `%s' (expected N or LO-HI, 0-4294967295)",
			    p->key, value);
	return 0;
}

/* Timers, padding and (awg) keepalive: upstream checks the 32-bit bounds,
 * then keeps the low 16 bits; we accept the same and say so. */
static int parse_range16(struct parser *p, struct range16 *out, const char *value)
{
	struct range32 r;

	if (!range_from_text(value, &r))
		return fail(p, "Unable to parse %s: `%s' (expected N or LO-HI, 0-65535)",
			    p->key, value);
	if (r.lo > UINT16_MAX || r.hi > UINT16_MAX)
		warn(p, "Warning: %s: `%s' is out of range 0-65535; used as %u-%u, as amneziawg-tools does",
		     p->key, value, r.lo & 0xffff, r.hi & 0xffff);
	out->lo = (uint16_t)r.lo;
	out->hi = (uint16_t)r.hi;
	return 0;
}

static int parse_bool(struct parser *p, bool *out, const char *name, const char *value)
{
	char *end;
	uint32_t v;

	if (!*value)
		return fail(p, "Unable to parse empty string");
	if (!strcasecmp(value, "off")) {
		*out = false;
		return 0;
	}
	if (!strcasecmp(value, "on")) {
		*out = true;
		return 0;
	}
	if (!is_digit(value[0]))
		return fail(p, "Boolean value is neither on/off nor 0/1: `%s'", value);
	v = (uint32_t)to_ulong(value, &end, 10);
	if (*end)
		return fail(p, "Unable to parse %s: `%s'", name, value);
	*out = v != 0;
	return 0;
}

static int parse_keepalive(struct parser *p, struct wg_peer *peer, const char *value)
{
	unsigned long v;
	char *end;

	if (p->o->flavor == FLAVOR_AWG)
		return parse_range16(p, &peer->keepalive, value);
	/* wireguard-tools: off, or 0-65535 */
	if (!strcasecmp(value, "off")) {
		peer->keepalive = (struct range16){ 0, 0 };
		return 0;
	}
	if (is_digit(value[0])) {
		v = to_ulong(value, &end, 10);
		if (!*end && v <= 65535) {
			peer->keepalive = (struct range16){ (uint16_t)v, (uint16_t)v };
			return 0;
		}
	}
	return fail(p, "Persistent keepalive interval is neither 0/off nor 1-65535: `%s'", value);
}

/* Does the address have bits set beyond the prefix? */
static bool host_bits_set(const struct wg_allowedip *a)
{
	const uint8_t *b = (const uint8_t *)&a->ip6;
	int len = a->family == AF_INET ? 4 : 16;

	for (int i = 0; i < len; i++) {
		int keep = (int)a->cidr - 8 * i;
		uint8_t mask = keep >= 8 ? 0 : keep <= 0 ? 0xff : (uint8_t)(0xff >> keep);

		if (b[i] & mask)
			return true;
	}
	return false;
}

/* "a/b,c/d": each entry an address, optionally /prefix (default host). */
static int parse_allowedips(struct parser *p, struct wg_peer *peer, const char *value)
{
	char *copy, *next, *entry;
	int ret = 0;

	peer->flags |= WGPEER_REPLACE_ALLOWEDIPS;
	if (!*value)
		return 0;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	for (next = copy; (entry = strsep(&next, ",")); ) {
		struct wg_allowedip a = { 0 };
		char *mask = strchr(entry, '/'), *end;
		unsigned long cidr;

		if (mask)
			*mask++ = '\0';
		a.family = strchr(entry, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(a.family, entry, &a.ip6) != 1) {
			ret = fail(p, "Unable to parse IP address: `%s'", entry);
			break;
		}
		if (mask) {
			cidr = is_digit(mask[0]) ? to_ulong(mask, &end, 10) : ~0UL;
			if (!is_digit(mask[0]) || *end || cidr > (a.family == AF_INET ? 32U : 128U)) {
				ret = fail(p, "AllowedIP is not in the correct format: `%s/%s'", entry, mask);
				break;
			}
		} else {
			cidr = a.family == AF_INET ? 32 : 128;
		}
		a.cidr = (uint8_t)cidr;
		if (host_bits_set(&a))
			warn(p, "Warning: AllowedIP has nonzero host part: %s/%s", entry, mask);
		ret = device_add_allowedip(p->dev, &a);
		if (ret < 0)
			break;
	}
	free(copy);
	return ret;
}

static int endpoint_retries(struct parser *p, long *retries)
{
	const char *v = getenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	unsigned long n;
	char *end;

	*retries = 15;
	if (!v)
		return 0;
	if (!strcmp(v, "infinity")) {
		*retries = -1;
		return 0;
	}
	n = to_ulong(v, &end, 10);
	if (*end || n > INT_MAX) {
		const char *key = p->key;
		int ret;

		p->key = NULL;
		ret = fail(p, "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `%s'", v);
		p->key = key;
		return ret;
	}
	*retries = (long)n;
	return 0;
}

static int parse_endpoint(struct parser *p, union wg_endpoint *ep, const char *value)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP,
	};
	struct addrinfo *res;
	char *copy, *host, *port;
	unsigned int delay_us = 1000000;
	long retries;
	int ret;

	if (!*value)
		return fail(p, "Unable to parse empty endpoint");
	ret = endpoint_retries(p, &retries);
	if (ret < 0)
		return ret;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	if (copy[0] == '[') {
		host = copy + 1;
		port = strchr(copy, ']');
		if (!port) {
			ret = fail(p, "Unable to find matching brace of endpoint: `%s'", value);
			goto out;
		}
		*port++ = '\0';
		if (*port++ != ':' || !*port) {
			ret = fail(p, "Unable to find port of endpoint: `%s'", value);
			goto out;
		}
	} else {
		host = copy;
		port = strrchr(copy, ':');
		if (!port || !port[1]) {
			ret = fail(p, "Unable to find port of endpoint: `%s'", value);
			goto out;
		}
		*port++ = '\0';
	}
	ret = check_port_number(p, port, value);
	if (ret < 0)
		goto out;
	for (;;) {
		ret = getaddrinfo(host, port, &hints, &res);
		if (!ret)
			break;
		/* permanent failures, as upstream; the rest may be transient */
		if (ret == EAI_NONAME || ret == EAI_FAIL ||
#ifdef EAI_NODATA
		    ret == EAI_NODATA ||
#endif
		    (retries >= 0 && !retries--)) {
			ret = fail(p, "%s: `%s'", gai_text(ret), value);
			goto out;
		}
		/* "%.2f" of the delay in seconds, in integers */
		warn(p, "%s: `%s'. Trying again in %u.%02u seconds...", gai_text(ret), value,
		     (delay_us + 5000) / 1000000, (delay_us + 5000) / 10000 % 100);
		usleep(delay_us);
		delay_us = delay_us * 6 / 5 > 20000000 ? 20000000 : delay_us * 6 / 5;
	}
	if ((res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) ||
	    (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6))) {
		memset(ep, 0, sizeof(*ep));
		memcpy(ep, res->ai_addr, res->ai_addrlen);
		ret = 0;
	} else {
		ret = fail(p, "Neither IPv4 nor IPv6 address found: `%s'", value);
	}
	freeaddrinfo(res);
out:
	free(copy);
	return ret;
}

/*
 * I1-I5: refuse what every AmneziaWG implementation refuses (the kernel
 * module and amneziawg-go, whose tag sets differ: <c> is kernel-only, <d>,
 * <ds>, <dz N> Go-only), so a bad packet is found before anything is sent.
 * Also refused, though both take it: a negative length (<r -5>), which they
 * do not check and which is unsafe.
 */
static int check_i_packet(struct parser *p, const char *v)
{
	static const char *const tags[] = { "b", "c", "t", "r", "rc", "rd", "d", "ds", "dz" };
	const char *s = v;

	while ((s = strchr(s, '<'))) {
		const char *end = strchr(++s, '>'), *arg;
		size_t len = end ? (size_t)(end - s) : strlen(s), klen, alen, i;
		char tag[64];

		snprintf(tag, sizeof(tag), "<%.*s>", (int)(len > 40 ? 40 : len), s);
		for (klen = 0; klen < len && !is_space((unsigned char)s[klen]); klen++)
			;
		for (arg = s + klen; arg < s + len && is_space((unsigned char)*arg); arg++)
			;
		alen = (size_t)(s + len - arg);
		while (alen && is_space((unsigned char)arg[alen - 1]))
			alen--;
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (klen == strlen(tags[i]) && !strncmp(s, tags[i], klen))
				break;
		if (!klen || i == sizeof(tags) / sizeof(tags[0]))
			return fail(p, "unknown tag %s in `%s'%s", tag, v,
				    klen > 1 && strchr("bcr", s[0]) && !is_space((unsigned char)s[1]) &&
				    !strchr(v, ' ') ? " (an I-line that starts with blanks loses the "
						      "spaces inside its value, as upstream)" : "");
		if (i == 0) {	/* <b 0xHEX>: hex bytes, "0x" optional for amneziawg-go */
			if (alen >= 2 && arg[0] == '0' && arg[1] == 'x')
				arg += 2, alen -= 2;
			if (!alen || alen % 2)
				return fail(p, "%s needs an even, non-zero number of hex digits, in `%s'", tag, v);
			for (size_t j = 0; j < alen; j++)
				if (!isxdigit((unsigned char)arg[j]))
					return fail(p, "%s has a non-hex digit, in `%s'", tag, v);
		} else if (i == 3 || i == 4 || i == 5 || i == 8) {	/* <r N>, <rc N>, <rd N>, <dz N> */
			unsigned long n = 0;
			size_t j = alen && arg[0] == '+' ? 1 : 0;

			if (j == alen)
				return fail(p, "%s needs a length, in `%s'", tag, v);
			for (; j < alen; j++) {
				if (!is_digit(arg[j]))
					return fail(p, "%s needs a length 0-2147483647, in `%s'", tag, v);
				if ((n = n * 10 + (unsigned long)(arg[j] - '0')) > INT_MAX)
					return fail(p, "%s needs a length 0-2147483647, in `%s'", tag, v);
			}
		}
		if (!end)
			break;
		s = end + 1;
	}
	return 0;
}

static int set_i(struct parser *p, int n, const char *v)
{
	int ret = check_i_packet(p, v);

	return ret < 0 ? ret : device_set_i(p->dev, n, v);
}

/*
 * What the AmneziaWG implementations refuse about a set of values given
 * together: H1-H4 ranges that overlap, and with a HeaderProtectionKey an S1-S4
 * below 12.  (Against the device's current values only the implementation
 * can tell.)
 */
static int check_together(struct parser *p)
{
	struct wg_device *d = p->dev;
	char a[24], b[24];

	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (device_has(d, WGF_H1 + i) && device_has(d, WGF_H1 + j) &&
			    range32_overlap(d->h[i], d->h[j])) {
				p->line = p->field_line[WGF_H1 + j];
				p->key = j == 1 ? "H2" : j == 2 ? "H3" : "H4";
				return fail(p, "H%d and H%d overlap: `%s' and `%s' (H1-H4 must not share a value)",
					    i + 1, j + 1, range32_format(a, d->h[i]), range32_format(b, d->h[j]));
			}
	if (device_has(d, WGF_HEADER_PROTECTION_KEY) && !key_is_zero(d->header_protection_key))
		for (int i = 0; i < 4; i++)
			if (device_has(d, WGF_S1 + i) && d->s[i] < 12) {
				p->line = p->field_line[WGF_S1 + i];
				p->key = i == 0 ? "S1" : i == 1 ? "S2" : i == 2 ? "S3" : "S4";
				return fail(p, "S%d is %u: with a HeaderProtectionKey S1-S4 must be at least 12",
					    i + 1, d->s[i]);
			}
	return 0;
}

/* ---- config lines ----------------------------------------------------------- */

static const char *const awg_keys[] = {
	"Jc", "Jmin", "Jmax", "S1", "S2", "S3", "S4", "H1", "H2", "H3", "H4",
	"I1", "I2", "I3", "I4", "I5", "HeaderProtectionKey", "ContentPaddingAddition",
	"RekeyAfterTime", "RekeyTimeout", "RejectAfterTime", "KeepaliveTimeout",
	"MaxHandshakeAttempts", "RandomTrailers", "DisableCookies", "AdvancedSecurity",
};

/* "Key=value" with a non-empty value, key case-insensitive: the value. */
static const char *match(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncasecmp(line, key, n) || line[n] != '=' || !line[n + 1])
		return NULL;
	return line + n + 1;
}

static int unrecognized(struct parser *p, const char *line)
{
	p->key = NULL;
	if (p->o->flavor == FLAVOR_WG)
		for (size_t i = 0; i < sizeof(awg_keys) / sizeof(awg_keys[0]); i++)
			if (match(line, awg_keys[i]))
				return fail(p, "Line unrecognized: `%s' (an AmneziaWG setting: use awg)", line);
	return fail(p, "Line unrecognized: `%s'", line);
}

static struct wg_peer *last_peer(struct parser *p)
{
	return &p->dev->peers[p->dev->n_peers - 1];
}

/* Jc, Jmin, Jmax, S1-S4 by index, in that order */
static uint16_t *u16_field(struct wg_device *d, int i)
{
	return i < 3 ? (i == 0 ? &d->jc : i == 1 ? &d->jmin : &d->jmax) : &d->s[i - 3];
}

/* Remember the first peer that ended without a PublicKey; upstream reports
 * it only after the whole file was read. */
static void end_peer(struct parser *p)
{
	if (p->dev->n_peers && !(last_peer(p)->flags & WGPEER_HAS_PUBLIC_KEY) &&
	    !p->keyless_peer_line)
		p->keyless_peer_line = p->peer_line;
}

static int device_line(struct parser *p, const char *line)
{
	struct wg_device *d = p->dev;
	static const char *const u16_keys[] = { "Jc", "Jmin", "Jmax", "S1", "S2", "S3", "S4" };
	static const char *const timer_keys[] = {
		"ContentPaddingAddition", "RekeyAfterTime", "RekeyTimeout",
		"RejectAfterTime", "KeepaliveTimeout", "MaxHandshakeAttempts",
	};
	const char *v;
	int ret;

	if ((v = match(line, p->key = "ListenPort"))) {
		ret = parse_port(p, &d->listen_port, v);
		if (!ret)
			d->has |= WGF_BIT(WGF_LISTEN_PORT);
		return ret;
	}
	if ((v = match(line, p->key = "FwMark"))) {
		ret = parse_fwmark(p, &d->fwmark, v);
		if (!ret)
			d->has |= WGF_BIT(WGF_FWMARK);
		return ret;
	}
	if ((v = match(line, p->key = "PrivateKey"))) {
		ret = parse_key(p, d->private_key, v);
		if (!ret)
			d->has |= WGF_BIT(WGF_PRIVATE_KEY);
		return ret;
	}
	if (p->o->flavor != FLAVOR_AWG)
		return unrecognized(p, line);
	for (int i = 0; i < 7; i++)
		if ((v = match(line, p->key = u16_keys[i]))) {
			ret = parse_u16(p, u16_field(d, i), u16_keys[i], v);
			if (!ret)
				d->has |= WGF_BIT(WGF_JC + i);
			return ret;
		}
	for (int i = 0; i < 4; i++) {
		static const char *const h_keys[] = { "H1", "H2", "H3", "H4" };

		if ((v = match(line, p->key = h_keys[i]))) {
			ret = parse_range32(p, &d->h[i], v);
			if (!ret)
				d->has |= WGF_BIT(WGF_H1 + i);
			return ret;
		}
	}
	for (int i = 0; i < 5; i++) {
		static const char *const i_keys[] = { "I1", "I2", "I3", "I4", "I5" };

		if ((v = match(line, p->key = i_keys[i])))
			return set_i(p, i, v);
	}
	if ((v = match(line, p->key = "HeaderProtectionKey"))) {
		ret = parse_key(p, d->header_protection_key, v);
		if (!ret)
			d->has |= WGF_BIT(WGF_HEADER_PROTECTION_KEY);
		return ret;
	}
	for (int i = 0; i < WG_N_TIMERS; i++)
		if ((v = match(line, p->key = timer_keys[i]))) {
			ret = parse_range16(p, &d->timers[i], v);
			if (!ret)
				d->has |= WGF_BIT(WGF_CONTENT_PADDING_ADDITION + i);
			return ret;
		}
	if ((v = match(line, p->key = "RandomTrailers"))) {
		ret = parse_bool(p, &d->random_trailers, "RandomTrailers", v);
		if (!ret)
			d->has |= WGF_BIT(WGF_RANDOM_TRAILERS);
		return ret;
	}
	if ((v = match(line, p->key = "DisableCookies"))) {
		ret = parse_bool(p, &d->disable_cookies, "DisableCookies", v);
		if (!ret)
			d->has |= WGF_BIT(WGF_DISABLE_COOKIES);
		return ret;
	}
	return unrecognized(p, line);
}

static int peer_line(struct parser *p, const char *line)
{
	struct wg_peer *peer = last_peer(p);
	const char *v;
	int ret;

	if ((v = match(line, p->key = "Endpoint")))
		return parse_endpoint(p, &peer->endpoint, v);
	if ((v = match(line, p->key = "PublicKey"))) {
		ret = parse_key(p, peer->public_key, v);
		if (!ret)
			peer->flags |= WGPEER_HAS_PUBLIC_KEY;
		return ret;
	}
	if ((v = match(line, p->key = "AllowedIPs")))
		return parse_allowedips(p, peer, v);
	if ((v = match(line, p->key = "PersistentKeepalive"))) {
		ret = parse_keepalive(p, peer, v);
		if (!ret)
			peer->flags |= WGPEER_HAS_KEEPALIVE;
		return ret;
	}
	if ((v = match(line, p->key = "PresharedKey"))) {
		ret = parse_key(p, peer->preshared_key, v);
		if (!ret)
			peer->flags |= WGPEER_HAS_PRESHARED_KEY;
		return ret;
	}
	if (p->o->flavor == FLAVOR_AWG && (v = match(line, p->key = "AdvancedSecurity"))) {
		bool on;

		ret = parse_bool(p, &on, "AdvancedSecurity", v);
		if (!ret)
			peer->flags |= WGPEER_HAS_ADVANCED_SECURITY | (on ? WGPEER_ADVANCED_SECURITY : 0);
		return ret;
	}
	return unrecognized(p, line);
}

static int process_line(struct parser *p, const char *line)
{
	p->key = NULL;
	if (!strcasecmp(line, "[Interface]")) {
		p->section = SEC_INTERFACE;
		return 0;
	}
	if (!strcasecmp(line, "[Peer]")) {
		struct wg_peer *peer;

		end_peer(p);
		peer = device_add_peer(p->dev);
		if (!peer)
			return -ENOMEM;
		peer->flags |= WGPEER_REPLACE_ALLOWEDIPS;
		p->section = SEC_PEER;
		p->peer_line = p->line;
		return 0;
	}
	if (p->section == SEC_INTERFACE) {
		uint64_t before = p->dev->has;
		int ret = device_line(p, line);

		for (int f = 0; f < WGF_COUNT; f++)
			if ((p->dev->has & ~before) & WGF_BIT(f))
				p->field_line[f] = p->line;
		return ret;
	}
	if (p->section == SEC_PEER)
		return peer_line(p, line);
	return unrecognized(p, line);
}

/* Upstream's cleaning of one raw line (without its comment) into buf. */
static size_t clean_line(const struct parser *p, const char *in, size_t len, char *out)
{
	size_t n = 0, end = len, i = 0;

	if (p->o->flavor == FLAVOR_AWG && len >= 2 && (in[0] == 'I' || in[0] == 'i') &&
	    in[1] >= '1' && in[1] <= '5') {
		/* I1-I5: the value keeps its inner spaces */
		while (end && is_space((unsigned char)in[end - 1]))
			end--;
		for (; i < end && in[i] != '='; i++)
			if (!is_space((unsigned char)in[i]))
				out[n++] = in[i];
		if (i < end) {
			out[n++] = in[i++];
			while (i < end && is_space((unsigned char)in[i]))
				i++;
			memcpy(out + n, in + i, end - i);
			n += end - i;
		}
	} else {
		for (; i < len; i++)
			if (!is_space((unsigned char)in[i]))
				out[n++] = in[i];
	}
	out[n] = '\0';
	return n;
}

static int parse_raw_line(struct parser *p, const char *raw, size_t len, char *scratch)
{
	const char *hash = memchr(raw, '#', len);

	if (hash)
		len = (size_t)(hash - raw);
	if (!clean_line(p, raw, len, scratch))
		return 0;
	return process_line(p, scratch);
}

static int begin(struct parser *p, const struct conf_opts *o, struct conf_error *err)
{
	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->o = o;
	p->err = err;
	p->dev = device_new();
	return p->dev ? 0 : -ENOMEM;
}

/* The end of a parse: the device to the caller, or freed and the error
 * (an allocation failure worded if nothing else was). */
static int hand_over(struct parser *p, int ret, struct wg_device **out, struct conf_error *err)
{
	if (ret < 0) {
		if (ret == -ENOMEM && !err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "%s", err_text(ENOMEM));
		device_free(p->dev);
		return ret;
	}
	*out = p->dev;
	return 0;
}

static int finish(struct parser *p)
{
	int ret;

	end_peer(p);
	if (p->keyless_peer_line) {
		p->line = p->keyless_peer_line;
		p->key = NULL;
		return fail(p, "A peer is missing a public key");
	}
	ret = check_together(p);
	return ret;
}

struct conf_stream {
	struct parser p;
	char scratch[CONF_LINE_MAX];	/* a cleaned line; only what lines use is touched */
};

int conf_stream_new(struct conf_stream **out, const struct conf_opts *opts, struct conf_error *err)
{
	struct conf_stream *s = malloc(sizeof(*s));

	*out = NULL;
	if (!s || begin(&s->p, opts, err) < 0) {
		free(s);
		memset(err, 0, sizeof(*err));
		snprintf(err->msg, sizeof(err->msg), "%s", err_text(ENOMEM));
		return -ENOMEM;
	}
	if (!opts->append) {
		s->p.dev->replace_peers = true;
		s->p.dev->has |= WGF_BIT(WGF_PRIVATE_KEY) | WGF_BIT(WGF_FWMARK);
	}
	*out = s;
	return 0;
}

int conf_stream_line(struct conf_stream *s, const char *line, size_t len, unsigned long lineno)
{
	struct parser *p = &s->p;

	p->line = lineno;
	p->key = NULL;
	if (len > CONF_LINE_MAX - 2)
		return fail(p, "line longer than %d bytes", CONF_LINE_MAX - 2);
	if (memchr(line, '\0', len))
		return fail(p, "NUL byte in line");
	return parse_raw_line(p, line, len, s->scratch);
}

int conf_stream_end(struct conf_stream *s, int ret, struct wg_device **out)
{
	struct conf_error *err = s->p.err;

	if (!ret)
		ret = finish(&s->p);
	ret = hand_over(&s->p, ret, out, err);
	key_wipe(s->scratch, sizeof(s->scratch));
	free(s);
	return ret;
}

static int parse_lines(struct line_reader *lr, const struct conf_opts *opts, struct wg_device **out,
		       struct conf_error *err)
{
	struct conf_stream *s;
	unsigned long lineno = 0;
	char *line;
	size_t len;
	bool nl;
	int ret;

	*out = NULL;
	ret = conf_stream_new(&s, opts, err);
	if (ret < 0)
		return ret;
	while ((ret = line_reader_next(lr, &line, &len, &nl)) > 0) {
		ret = conf_stream_line(s, line, len, ++lineno);
		if (ret < 0)
			return conf_stream_end(s, ret, out);
	}
	if (ret == -EFBIG) {
		s->p.line = lineno + 1;
		s->p.key = NULL;
		ret = fail(&s->p, "line longer than %zu bytes", lr->cap - 2);
	} else if (ret < 0) {
		snprintf(err->msg, sizeof(err->msg), "read: %s", err_text(-ret));
		err->line = lineno;
	}
	return conf_stream_end(s, ret, out);
}

/* parse_lines() over a reader that line_reader_init*() gave ret for */
static int parse_reader(struct line_reader *lr, int ret, const struct conf_opts *opts,
			struct wg_device **out, struct conf_error *err)
{
	*out = NULL;
	if (ret < 0) {
		memset(err, 0, sizeof(*err));
		snprintf(err->msg, sizeof(err->msg), "%s", err_text(-ret));
		return ret;
	}
	ret = parse_lines(lr, opts, out, err);
	line_reader_free(lr);
	return ret;
}

int conf_parse_fd(int fd, const struct conf_opts *opts, struct wg_device **out,
		  struct conf_error *err)
{
	struct line_reader lr;

	return parse_reader(&lr, line_reader_init(&lr, fd, CONF_LINE_MAX), opts, out, err);
}

int conf_parse_text(const char *text, size_t len, const struct conf_opts *opts,
		    struct wg_device **out, struct conf_error *err)
{
	struct line_reader lr;

	return parse_reader(&lr, line_reader_init_text(&lr, text, len), opts, out, err);
}

/* ---- `set` arguments -------------------------------------------------------- */

struct set_token {
	const char *name;
	unsigned char kind;	/* what it sets, below */
	unsigned char field;	/* index for u16/range/i/timer kinds */
	bool awg;		/* amneziawg-tools only */
};

enum {
	T_LISTEN_PORT, T_FWMARK, T_PRIVATE_KEY, T_U16, T_H, T_I, T_HPK, T_TIMER,
	T_RANDOM_TRAILERS, T_DISABLE_COOKIES,
	T_PEER_FIRST,		/* tokens from here on need a peer */
	T_REMOVE = T_PEER_FIRST, T_ENDPOINT, T_ALLOWED_IPS, T_KEEPALIVE, T_PSK, T_ADVSEC,
};

static const struct set_token set_tokens[] = {
	{ "listen-port", T_LISTEN_PORT, 0, false },
	{ "fwmark", T_FWMARK, 0, false },
	{ "private-key", T_PRIVATE_KEY, 0, false },
	{ "jc", T_U16, 0, true }, { "jmin", T_U16, 1, true }, { "jmax", T_U16, 2, true },
	{ "s1", T_U16, 3, true }, { "s2", T_U16, 4, true }, { "s3", T_U16, 5, true },
	{ "s4", T_U16, 6, true },
	{ "h1", T_H, 0, true }, { "h2", T_H, 1, true }, { "h3", T_H, 2, true }, { "h4", T_H, 3, true },
	{ "i1", T_I, 0, true }, { "i2", T_I, 1, true }, { "i3", T_I, 2, true }, { "i4", T_I, 3, true },
	{ "i5", T_I, 4, true },
	{ "header-protection-key", T_HPK, 0, true },
	{ "content-padding-addition", T_TIMER, WG_TIMER_CPA, true },
	{ "rekey-after-time", T_TIMER, WG_TIMER_RAT, true },
	{ "rekey-timeout", T_TIMER, WG_TIMER_RT, true },
	{ "reject-after-time", T_TIMER, WG_TIMER_RJT, true },
	{ "keepalive-timeout", T_TIMER, WG_TIMER_KT, true },
	{ "max-handshake-attempts", T_TIMER, WG_TIMER_MHA, true },
	{ "random-trailers", T_RANDOM_TRAILERS, 0, true },
	{ "disable-cookies", T_DISABLE_COOKIES, 0, true },
	{ "remove", T_REMOVE, 0, false },
	{ "endpoint", T_ENDPOINT, 0, false },
	{ "allowed-ips", T_ALLOWED_IPS, 0, false },
	{ "persistent-keepalive", T_KEEPALIVE, 0, false },
	{ "preshared-key", T_PSK, 0, false },
	{ "advanced-security", T_ADVSEC, 0, true },
};

static int set_device_token(struct parser *p, const struct set_token *t, const char *v)
{
	struct wg_device *d = p->dev;
	int ret, field;

	switch (t->kind) {
	case T_LISTEN_PORT:
		ret = parse_port(p, &d->listen_port, v), field = WGF_LISTEN_PORT;
		break;
	case T_FWMARK:
		ret = parse_fwmark(p, &d->fwmark, v), field = WGF_FWMARK;
		break;
	case T_PRIVATE_KEY:
		ret = parse_keyfile(p, d->private_key, v), field = WGF_PRIVATE_KEY;
		break;
	case T_U16:
		ret = parse_u16(p, u16_field(d, t->field), t->name, v), field = WGF_JC + t->field;
		break;
	case T_H:
		ret = parse_range32(p, &d->h[t->field], v), field = WGF_H1 + t->field;
		break;
	case T_I:
		return set_i(p, t->field, v);
	case T_HPK:
		ret = parse_keyfile(p, d->header_protection_key, v), field = WGF_HEADER_PROTECTION_KEY;
		break;
	case T_TIMER:
		ret = parse_range16(p, &d->timers[t->field], v), field = WGF_CONTENT_PADDING_ADDITION + t->field;
		break;
	case T_RANDOM_TRAILERS:
		ret = parse_bool(p, &d->random_trailers, t->name, v), field = WGF_RANDOM_TRAILERS;
		break;
	default:
		ret = parse_bool(p, &d->disable_cookies, t->name, v), field = WGF_DISABLE_COOKIES;
		break;
	}
	if (!ret)
		d->has |= WGF_BIT(field);
	return ret;
}

static int set_peer_token(struct parser *p, const struct set_token *t, const char *v)
{
	struct wg_peer *peer = last_peer(p);
	char *stripped;
	size_t n = 0;
	int ret;
	bool on;

	switch (t->kind) {
	case T_REMOVE:
		peer->flags |= WGPEER_REMOVE_ME;
		return 0;
	case T_ENDPOINT:
		return parse_endpoint(p, &peer->endpoint, v);
	case T_ALLOWED_IPS:
		/* spaces are allowed on the command line: "a/32, b/32" */
		stripped = malloc(strlen(v) + 1);
		if (!stripped)
			return -ENOMEM;
		for (; *v; v++)
			if (!is_space((unsigned char)*v))
				stripped[n++] = *v;
		stripped[n] = '\0';
		ret = parse_allowedips(p, peer, stripped);
		free(stripped);
		return ret;
	case T_KEEPALIVE:
		ret = parse_keepalive(p, peer, v);
		if (!ret)
			peer->flags |= WGPEER_HAS_KEEPALIVE;
		return ret;
	case T_PSK:
		ret = parse_keyfile(p, peer->preshared_key, v);
		if (!ret)
			peer->flags |= WGPEER_HAS_PRESHARED_KEY;
		return ret;
	default:
		ret = parse_bool(p, &on, "AdvancedSecurity", v);
		if (!ret)
			peer->flags |= WGPEER_HAS_ADVANCED_SECURITY | (on ? WGPEER_ADVANCED_SECURITY : 0);
		return ret;
	}
}

int conf_parse_args(int argc, char **argv, const struct conf_opts *opts,
		    struct wg_device **out, struct conf_error *err)
{
	struct parser p;
	int ret;

	*out = NULL;
	ret = begin(&p, opts, err);
	if (ret < 0)
		return ret;
	while (argc > 0) {
		const struct set_token *t = NULL;
		bool have_peer = p.dev->n_peers > 0;

		p.key = argv[0];
		if (!strcmp(argv[0], "peer") && argc >= 2) {
			struct wg_peer *peer = device_add_peer(p.dev);

			if (!peer) {
				ret = -ENOMEM;
				break;
			}
			ret = parse_key(&p, peer->public_key, argv[1]);
			if (ret < 0)
				break;
			peer->flags |= WGPEER_HAS_PUBLIC_KEY;
			argv += 2, argc -= 2;
			continue;
		}
		for (size_t i = 0; i < sizeof(set_tokens) / sizeof(set_tokens[0]); i++)
			if (!strcmp(argv[0], set_tokens[i].name) &&
			    (opts->flavor == FLAVOR_AWG || !set_tokens[i].awg)) {
				t = &set_tokens[i];
				break;
			}
		if (!t || (t->kind != T_REMOVE && argc < 2) ||
		    (t->kind >= T_PEER_FIRST) != have_peer) {
			bool awg_only = false;

			for (size_t i = 0; i < sizeof(set_tokens) / sizeof(set_tokens[0]); i++)
				if (!strcmp(argv[0], set_tokens[i].name))
					awg_only = set_tokens[i].awg;
			p.key = NULL;
			ret = fail(&p, "Invalid argument: %s%s", argv[0],
				   opts->flavor == FLAVOR_WG && awg_only ? " (an AmneziaWG setting: use awg)" : "");
			break;
		}
		if (t->kind == T_REMOVE) {
			ret = set_peer_token(&p, t, NULL);
			argv += 1, argc -= 1;
		} else {
			ret = t->kind >= T_PEER_FIRST ? set_peer_token(&p, t, argv[1])
						      : set_device_token(&p, t, argv[1]);
			argv += 2, argc -= 2;
		}
		if (ret < 0)
			break;
	}
	if (!ret)
		ret = check_together(&p);
	return hand_over(&p, ret, out, err);
}
