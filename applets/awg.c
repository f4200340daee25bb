/*
 * awg / wg: the amneziawg-tools / wireguard-tools command line.
 * Same subcommands, output, messages and exit codes as upstream; `wg` is the
 * same code speaking plain WireGuard (wireguard-tools 1.0.20210914, Debian 12).
 */
//config:config AWG
//config:	bool "awg: AmneziaWG configuration tool (amneziawg-tools awg)"
//config:	default y
//config:	help
//config:	  The `awg` command of amneziawg-tools: key generation and the
//config:	  configuration of AmneziaWG and WireGuard interfaces.
//config:
//config:config WG
//config:	bool "wg: WireGuard configuration tool (wireguard-tools wg)"
//config:	default y
//config:	help
//config:	  The `wg` command of wireguard-tools, from the same code as awg,
//config:	  restricted to plain WireGuard.
//config:
//applet:awg AWG awg_main self-help
//applet:wg WG awg_main self-help
//usage:awg <cmd> [<args>]
//usage:wg <cmd> [<args>]

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "applet.h"
#include "conf.h"
#include "errtext.h"
#include "io.h"
#include "ipc.h"
#include "key.h"
#include "showconf.h"

/* Upstream prints argv[0] as given, in usage lines and errors. */
static const char *prog_name;
static enum wg_flavor flavor;

static int show_main(int argc, char **argv);
static int showconf_main(int argc, char **argv);
static int set_main(int argc, char **argv);
static int setconf_main(int argc, char **argv);
static int genkey_main(int argc, char **argv);
static int pubkey_main(int argc, char **argv);

static const struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "show", show_main, "Shows the current configuration and device information" },
	{ "showconf", showconf_main, "Shows the current configuration of a given WireGuard interface, for use with `setconf'" },
	{ "set", set_main, "Change the current configuration, add peers, remove peers, or change peers" },
	{ "setconf", setconf_main, "Applies a configuration file to a WireGuard interface" },
	{ "addconf", setconf_main, "Appends a configuration file to a WireGuard interface" },
	{ "syncconf", setconf_main, "Synchronizes a configuration file to a WireGuard interface" },
	{ "genkey", genkey_main, "Generates a new private key and writes it to stdout" },
	{ "genpsk", genkey_main, "Generates a new preshared key and writes it to stdout" },
	{ "pubkey", pubkey_main, "Reads a private key from stdin and writes a public key to stdout" },
};

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog_name);
	fputs("Available subcommands:\n", f);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %s: %s\n", subcommands[i].name, subcommands[i].description);
	fputs("You may pass `--help' to any of these subcommands to view usage.\n", f);
}

/* perror() with a prefix, as upstream reports backend errors. */
static void report(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, err_text(err < 0 ? -err : err));
}

/* ---- terminal output: colours only on a terminal or when asked -------------- */

#define T_RESET "\x1b[0m"
#define T_BOLD "\x1b[1m"
#define T_RED "\x1b[31m"
#define T_GREEN "\x1b[32m"
#define T_YELLOW "\x1b[33m"
#define T_CYAN "\x1b[36m"

static int color = -1;

static bool color_mode(void)
{
	if (color < 0) {
		const char *v = getenv("WG_COLOR_MODE");

		if (v && !strcmp(v, "always"))
			color = 1;
		else if (v && !strcmp(v, "never"))
			color = 0;
		else
			color = isatty(STDOUT_FILENO);
	}
	return color;
}

/* Print, removing ANSI sequences (ESC '[' ... letter) unless colours are on,
 * as upstream does, also from names and values. */
static void __attribute__((format(printf, 1, 2))) tprintf(const char *fmt, ...)
{
	char small[512], *s = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (!s)
			return;
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (color_mode()) {
		fwrite(s, 1, (size_t)n, stdout);
	} else {
		for (int i = 0; i < n; i++) {
			if (s[i] == '\x1b' && i + 2 < n && s[i + 1] == '[') {
				for (i += 2; i < n && !((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z'); i++)
					;
				continue;
			}
			putchar(s[i]);
		}
	}
	if (s != small)
		free(s);
}

static const char *b64(const uint8_t key[KEY_LEN])
{
	static char buf[KEY_B64_LEN];

	key_to_base64(buf, key);
	return buf;
}

static const char *maybe_key(const uint8_t key[KEY_LEN], bool have)
{
	return have ? b64(key) : "(none)";
}

static const char *masked_key(const uint8_t key[KEY_LEN])
{
	const char *v = getenv("WG_HIDE_KEYS");

	return v && !strcmp(v, "never") ? b64(key) : "(hidden)";
}

static const char *endpoint(const struct wg_peer *peer)
{
	static char buf[ADDR_ENDPOINT_LEN];

	return addr_format_endpoint(buf, &peer->endpoint);
}

static bool has_endpoint(const struct wg_peer *peer)
{
	return peer->endpoint.sa.sa_family == AF_INET || peer->endpoint.sa.sa_family == AF_INET6;
}

static const char *r32(struct range32 r)
{
	static char buf[24];

	return range32_format(buf, r);
}

static const char *r16(struct range16 r)
{
	static char buf[24];

	return range16_format(buf, r);
}

static size_t pretty_time(char *buf, size_t len, unsigned long long left)
{
	static const struct { const char *unit; unsigned long long secs; } units[] = {
		{ "year", 365 * 24 * 60 * 60ULL }, { "day", 24 * 60 * 60 }, { "hour", 60 * 60 },
		{ "minute", 60 }, { "second", 1 },
	};
	size_t off = 0;

	for (size_t i = 0; i < 5; i++) {
		unsigned long long n = left / units[i].secs;

		left %= units[i].secs;
		if (n && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%llu " T_CYAN "%s%s" T_RESET,
						off ? ", " : "", n, units[i].unit, n == 1 ? "" : "s");
	}
	return off < len ? off : len - 1;
}

static const char *ago(int64_t sec)
{
	static char buf[1024];
	time_t now = time(NULL);

	if (now == sec)
		strcpy(buf, "Now");
	else if (now < sec)
		strcpy(buf, "(" T_RED "System clock wound backward; connection problems may ensue." T_RESET ")");
	else
		snprintf(buf + pretty_time(buf, sizeof(buf) - 8, (unsigned long long)(now - sec)), 8, " ago");
	return buf;
}

static const char *every(uint16_t seconds)
{
	static char buf[1024] = "every ";

	pretty_time(buf + 6, sizeof(buf) - 7, seconds);
	return buf;
}

/*
 * printf's "%.2f" of b / 1024^n, without pulling floating-point formatting
 * into the binary: b * 100 / 1024^n is an exact binary fraction, rounded to
 * an integer the way printf rounds it (to nearest, ties to even).  (Counts
 * above 2^53 bytes, where upstream's double loses bits first, never occur.)
 */
static const char *bytes(uint64_t b)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	static char buf[64];
	unsigned __int128 v = (unsigned __int128)b * 25, q, r, half;
	int u = b < 1024ULL << 10 ? 0 : b < 1024ULL << 20 ? 1 : b < 1024ULL << 30 ? 2 : 3;
	int shift = 8 + 10 * u;		/* 100 / 1024^(u+1) = 25 / 2^shift */

	if (b < 1024ULL) {
		snprintf(buf, sizeof(buf), "%u " T_CYAN "B" T_RESET, (unsigned int)b);
		return buf;
	}
	q = v >> shift;
	r = v & (((unsigned __int128)1 << shift) - 1);
	half = (unsigned __int128)1 << (shift - 1);
	if (r > half || (r == half && (q & 1)))
		q++;
	snprintf(buf, sizeof(buf), "%llu.%02u " T_CYAN "%s" T_RESET, (unsigned long long)(q / 100),
		 (unsigned int)(q % 100), units[u]);
	return buf;
}

/* ---- show -------------------------------------------------------------------- */

static const char *show_cmd;

static void show_usage_text(void)
{
	/* wg's field list, and amneziawg-tools' after it */
	fprintf(stderr, "Usage: %s %s { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump%s]\n",
		prog_name, show_cmd, flavor == FLAVOR_WG ? "" :
		" | jc | jmin | jmax | s1 | s2 | s3 | s4 | h1 | h2 | h3 | h4 | i1 | i2 | i3 | i4 | i5 | header-protection-key | content-padding-addition | rekey-after-time | rekey-timeout | reject-after-time | keepalive-timeout | max-handshake-attempts | random-trailers | disable-cookies");
}

struct sorted_peer {
	const struct wg_peer *peer;
	int64_t sec, nsec;
};

/* Newest handshake first; peers without a handshake last (stable). */
static int peer_cmp(const void *pa, const void *pb)
{
	const struct sorted_peer *a = pa, *b = pb;
	bool a0 = !a->sec && !a->nsec, b0 = !b->sec && !b->nsec;
	int64_t d;

	if (a0 != b0)
		return a0 ? 1 : -1;
	d = a->sec - b->sec;
	if (!d)
		d = a->nsec - b->nsec;
	return d < 0 ? 1 : d > 0 ? -1 : (a->peer < b->peer ? -1 : a->peer > b->peer);
}

static void pretty_awg_fields(const struct wg_device *d)
{
	static const char *const u16_names[] = { "jc", "jmin", "jmax", "s1", "s2", "s3", "s4" };
	static const char *const timer_names[] = {
		"content padding addition", "rekey after time", "rekey timeout",
		"reject after time", "keepalive timeout", "max handshake attempts",
	};
	const uint16_t u16[] = { d->jc, d->jmin, d->jmax, d->s[0], d->s[1], d->s[2], d->s[3] };

	/* a plain WireGuard device (wireguard-go, the wireguard module) reports
	 * no AmneziaWG field at all: show it as wg does, not with "h1: 0" */
	if (!(d->has & WGF_AWG_MASK))
		return;
	for (int i = 0; i < 7; i++)
		if (u16[i])
			tprintf("  " T_BOLD "%s" T_RESET ": %u\n", u16_names[i], u16[i]);
	for (int i = 0; i < 4; i++)
		if (!range32_is_default(d, i))
			tprintf("  " T_BOLD "h%d" T_RESET ": %s\n", i + 1, r32(d->h[i]));
	for (int i = 0; i < 5; i++)
		if (d->i[i])
			tprintf("  " T_BOLD "i%d" T_RESET ": %s\n", i + 1, d->i[i]);
	if (device_has(d, WGF_HEADER_PROTECTION_KEY))
		tprintf("  " T_BOLD "header protection key" T_RESET ": %s\n", b64(d->header_protection_key));
	for (int i = 0; i < WG_N_TIMERS; i++)
		if (!range16_is_zero(d->timers[i]))
			tprintf("  " T_BOLD "%s" T_RESET ": %s\n", timer_names[i], r16(d->timers[i]));
	if (device_has(d, WGF_RANDOM_TRAILERS))
		tprintf("  " T_BOLD "random trailers" T_RESET ": %s\n", d->random_trailers ? "on" : "off");
	if (device_has(d, WGF_DISABLE_COOKIES))
		tprintf("  " T_BOLD "disable cookies" T_RESET ": %s\n", d->disable_cookies ? "on" : "off");
}

static void pretty_peer(const struct wg_device *d, const struct wg_peer *peer)
{
	const struct wg_peer_stats *st = peer_stats(d, peer);
	const struct wg_allowedip *a = peer_allowedips(d, peer);
	char ip[ADDR_IP_LEN];

	tprintf(T_YELLOW T_BOLD "peer" T_RESET ": " T_YELLOW "%s" T_RESET "\n", b64(peer->public_key));
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY)
		tprintf("  " T_BOLD "preshared key" T_RESET ": %s\n", masked_key(peer->preshared_key));
	if (has_endpoint(peer))
		tprintf("  " T_BOLD "endpoint" T_RESET ": %s\n", endpoint(peer));
	tprintf("  " T_BOLD "allowed ips" T_RESET ": ");
	for (uint32_t i = 0; i < peer->n_allowedips; i++)
		tprintf("%s" T_CYAN "/" T_RESET "%u%s", addr_format_ip(ip, a[i].family, &a[i].ip6),
			a[i].cidr, i + 1 < peer->n_allowedips ? ", " : "\n");
	if (!peer->n_allowedips)
		tprintf("(none)\n");
	if (st->last_handshake_sec)
		tprintf("  " T_BOLD "latest handshake" T_RESET ": %s\n", ago(st->last_handshake_sec));
	if (st->rx_bytes || st->tx_bytes) {
		tprintf("  " T_BOLD "transfer" T_RESET ": ");
		tprintf("%s received, ", bytes(st->rx_bytes));
		tprintf("%s sent\n", bytes(st->tx_bytes));
	}
	if (!range16_is_zero(peer->keepalive)) {
		if (flavor == FLAVOR_WG)
			tprintf("  " T_BOLD "persistent keepalive" T_RESET ": %s\n", every(peer->keepalive.lo));
		else
			tprintf("  " T_BOLD "persistent keepalive" T_RESET ": %s\n", r16(peer->keepalive));
	}
}

static void pretty_print(const struct wg_device *d)
{
	struct sorted_peer *sorted;

	tprintf(T_RESET);
	tprintf(T_GREEN T_BOLD "interface" T_RESET ": " T_GREEN "%s" T_RESET "\n", d->name);
	if (device_has(d, WGF_PUBLIC_KEY))
		tprintf("  " T_BOLD "public key" T_RESET ": %s\n", b64(d->public_key));
	if (device_has(d, WGF_PRIVATE_KEY))
		tprintf("  " T_BOLD "private key" T_RESET ": %s\n", masked_key(d->private_key));
	if (d->listen_port)
		tprintf("  " T_BOLD "listening port" T_RESET ": %u\n", d->listen_port);
	if (d->fwmark)
		tprintf("  " T_BOLD "fwmark" T_RESET ": 0x%x\n", d->fwmark);
	if (flavor == FLAVOR_AWG)
		pretty_awg_fields(d);
	if (!d->n_peers)
		return;
	tprintf("\n");
	sorted = malloc(d->n_peers * sizeof(*sorted));
	if (sorted) {
		for (size_t i = 0; i < d->n_peers; i++) {
			const struct wg_peer_stats *st = peer_stats(d, &d->peers[i]);

			sorted[i] = (struct sorted_peer){ &d->peers[i], st->last_handshake_sec,
							  st->last_handshake_nsec };
		}
		qsort(sorted, d->n_peers, sizeof(*sorted), peer_cmp);
	}
	for (size_t i = 0; i < d->n_peers; i++) {
		pretty_peer(d, sorted ? sorted[i].peer : &d->peers[i]);
		if (i + 1 < d->n_peers)
			tprintf("\n");
	}
	free(sorted);
}

static void print_prefix(const struct wg_device *d, bool with_interface)
{
	if (with_interface)
		printf("%s\t", d->name);
}

/* A dump field and the tab after it: printf costs musl more than all the
 * rest of printing a dump, and these are most of its calls. */
static void field(const char *s)
{
	fputs(s, stdout);
	putchar('\t');
}

static void dump_print(const struct wg_device *d, bool with_interface)
{
	const struct wg_peer *peer;
	char prefix[ADDR_PREFIX_LEN];

	print_prefix(d, with_interface);
	printf("%s\t", maybe_key(d->private_key, device_has(d, WGF_PRIVATE_KEY)));
	printf("%s\t", maybe_key(d->public_key, device_has(d, WGF_PUBLIC_KEY)));
	printf("%u\t", d->listen_port);
	if (flavor == FLAVOR_AWG) {
		printf("%u\t%u\t%u\t%u\t%u\t%u\t%u\t", d->jc, d->jmin, d->jmax,
		       d->s[0], d->s[1], d->s[2], d->s[3]);
		for (int i = 0; i < 4; i++)
			printf("%s\t", r32(d->h[i]));
		for (int i = 0; i < 5; i++)
			printf("%s\t", d->i[i] ? d->i[i] : "(null)");
		printf("%s\t", maybe_key(d->header_protection_key, device_has(d, WGF_HEADER_PROTECTION_KEY)));
		for (int i = 0; i < WG_N_TIMERS; i++)
			printf("%s\t", r16(d->timers[i]));
		printf("%s\t%s\t", d->random_trailers ? "on" : "off", d->disable_cookies ? "on" : "off");
	}
	if (d->fwmark)
		printf("0x%x\n", d->fwmark);
	else
		printf("off\n");
	device_for_each_peer(d, peer) {
		const struct wg_allowedip *a = peer_allowedips(d, peer);

		print_prefix(d, with_interface);
		field(b64(peer->public_key));
		field(maybe_key(peer->preshared_key, peer->flags & WGPEER_HAS_PRESHARED_KEY));
		field(has_endpoint(peer) ? endpoint(peer) : "(none)");
		for (uint32_t i = 0; i < peer->n_allowedips; i++) {
			fputs(addr_format_allowedip(prefix, &a[i]), stdout);
			putchar(i + 1 < peer->n_allowedips ? ',' : '\t');
		}
		if (!peer->n_allowedips)
			field("(none)");
		printf("%llu\t%" PRIu64 "\t%" PRIu64 "\t", (unsigned long long)peer_stats(d, peer)->last_handshake_sec,
		       peer_stats(d, peer)->rx_bytes, peer_stats(d, peer)->tx_bytes);
		if (range16_is_zero(peer->keepalive))
			fputs("off\n", stdout);
		else if (flavor == FLAVOR_AWG)
			printf("%s\n", r16(peer->keepalive));
		else
			printf("%u\n", peer->keepalive.lo);
	}
}

/* `show IF FIELD` for one of the device's own values; false if not one. */
static bool print_device_field(const struct wg_device *d, const char *f, bool with_interface)
{
	static const char *const u16_names[] = { "jc", "jmin", "jmax", "s1", "s2", "s3", "s4" };
	static const char *const timer_names[] = {
		"content-padding-addition", "rekey-after-time", "rekey-timeout",
		"reject-after-time", "keepalive-timeout", "max-handshake-attempts",
	};
	const uint16_t u16[] = { d->jc, d->jmin, d->jmax, d->s[0], d->s[1], d->s[2], d->s[3] };
	char line[64];

	if (!strcmp(f, "public-key"))
		snprintf(line, sizeof(line), "%s", maybe_key(d->public_key, device_has(d, WGF_PUBLIC_KEY)));
	else if (!strcmp(f, "private-key"))
		snprintf(line, sizeof(line), "%s", maybe_key(d->private_key, device_has(d, WGF_PRIVATE_KEY)));
	else if (!strcmp(f, "listen-port"))
		snprintf(line, sizeof(line), "%u", d->listen_port);
	else if (!strcmp(f, "fwmark"))
		snprintf(line, sizeof(line), d->fwmark ? "0x%x" : "off", d->fwmark);
	else if (flavor == FLAVOR_WG)
		return false;
	else if (f[0] == 'h' && f[1] >= '1' && f[1] <= '4' && !f[2])
		snprintf(line, sizeof(line), "%s", r32(d->h[f[1] - '1']));
	else if (f[0] == 'i' && f[1] >= '1' && f[1] <= '5' && !f[2]) {
		const char *v = d->i[f[1] - '1'];

		/* an I-value can be longer than line */
		print_prefix(d, with_interface);
		printf("%s\n", v ? v : "(null)");
		return true;
	} else if (!strcmp(f, "header-protection-key"))
		/* upstream prints a key even when none is set (an all-zero one);
		 * we print (none) then, like every other key */
		snprintf(line, sizeof(line), "%s",
			 maybe_key(d->header_protection_key, device_has(d, WGF_HEADER_PROTECTION_KEY)));
	else if (!strcmp(f, "random-trailers"))
		snprintf(line, sizeof(line), "%s", d->random_trailers ? "on" : "off");
	else if (!strcmp(f, "disable-cookies"))
		snprintf(line, sizeof(line), "%s", d->disable_cookies ? "on" : "off");
	else {
		int i;

		for (i = 0; i < 7 && strcmp(f, u16_names[i]); i++)
			;
		if (i < 7) {
			snprintf(line, sizeof(line), "%u", u16[i]);
		} else {
			/* upstream spells it "max-handshake-attemps"; take both */
			if (!strcmp(f, "max-handshake-attemps"))
				f = "max-handshake-attempts";
			for (i = 0; i < WG_N_TIMERS && strcmp(f, timer_names[i]); i++)
				;
			if (i == WG_N_TIMERS)
				return false;
			snprintf(line, sizeof(line), "%s", r16(d->timers[i]));
		}
	}
	print_prefix(d, with_interface);
	printf("%s\n", line);
	return true;
}

static bool ugly_print(const struct wg_device *d, const char *f, bool with_interface)
{
	const struct wg_peer *peer;
	char ip[ADDR_IP_LEN];
	enum { F_NONE, F_ENDPOINTS, F_AIPS, F_HANDSHAKES, F_TRANSFER, F_KEEPALIVE, F_PSKS, F_PEERS } pf;

	if (!strcmp(f, "dump")) {
		dump_print(d, with_interface);
		return true;
	}
	pf = !strcmp(f, "endpoints") ? F_ENDPOINTS : !strcmp(f, "allowed-ips") ? F_AIPS :
	     !strcmp(f, "latest-handshakes") ? F_HANDSHAKES : !strcmp(f, "transfer") ? F_TRANSFER :
	     !strcmp(f, "persistent-keepalive") ? F_KEEPALIVE : !strcmp(f, "preshared-keys") ? F_PSKS :
	     !strcmp(f, "peers") ? F_PEERS : F_NONE;
	if (pf == F_NONE) {
		if (print_device_field(d, f, with_interface))
			return true;
		fprintf(stderr, "Invalid parameter: `%s'\n", f);
		show_usage_text();
		return false;
	}
	device_for_each_peer(d, peer) {
		const struct wg_allowedip *a = peer_allowedips(d, peer);

		print_prefix(d, with_interface);
		printf("%s", b64(peer->public_key));
		switch (pf) {
		case F_ENDPOINTS:
			printf("\t%s\n", has_endpoint(peer) ? endpoint(peer) : "(none)");
			break;
		case F_AIPS:
			putchar('\t');
			for (uint32_t i = 0; i < peer->n_allowedips; i++)
				printf("%s/%u%c", addr_format_ip(ip, a[i].family, &a[i].ip6), a[i].cidr,
				       i + 1 < peer->n_allowedips ? ' ' : '\n');
			if (!peer->n_allowedips)
				printf("(none)\n");
			break;
		case F_HANDSHAKES:
			printf("\t%llu\n", (unsigned long long)peer_stats(d, peer)->last_handshake_sec);
			break;
		case F_TRANSFER:
			printf("\t%" PRIu64 "\t%" PRIu64 "\n", peer_stats(d, peer)->rx_bytes, peer_stats(d, peer)->tx_bytes);
			break;
		case F_KEEPALIVE:
			/* amneziawg-tools: "off" only when not reported; wg: when 0 */
			if (flavor == FLAVOR_AWG && (peer->flags & WGPEER_HAS_KEEPALIVE))
				printf("\t%s\n", r16(peer->keepalive));
			else if (flavor == FLAVOR_WG && !range16_is_zero(peer->keepalive))
				printf("\t%u\n", peer->keepalive.lo);
			else
				printf("\toff\n");
			break;
		case F_PSKS:
			printf("\t%s\n", maybe_key(peer->preshared_key, peer->flags & WGPEER_HAS_PRESHARED_KEY));
			break;
		default:
			putchar('\n');
			break;
		}
	}
	return true;
}

static int show_main(int argc, char **argv)
{
	struct strlist names = { 0 };
	const char *name;
	int ret = 0;

	show_cmd = argv[0];
	if (argc > 3) {
		show_usage_text();
		return 1;
	}
	if (argc == 1 || !strcmp(argv[1], "all")) {
		ret = ipc_list_devices(flavor, &names);
		if (ret < 0) {
			report("Unable to list interfaces", ret);
			return 1;
		}
		ret = names.buf && *names.buf;
		strlist_for_each(&names, name) {
			struct wg_device *d;
			int err = ipc_get_device(flavor, name, &d);

			if (err < 0) {
				fprintf(stderr, "Unable to access interface %s: %s\n", name, err_text(-err));
				continue;
			}
			if (argc == 3) {
				if (!ugly_print(d, argv[2], true)) {
					ret = 1;
					device_free(d);
					break;
				}
			} else {
				pretty_print(d);
				if (*(name + strlen(name) + 1))
					printf("\n");
			}
			device_free(d);
			ret = 0;
		}
		strlist_free(&names);
	} else if (!strcmp(argv[1], "interfaces")) {
		if (argc > 2) {
			show_usage_text();
			return 1;
		}
		ret = ipc_list_devices(flavor, &names);
		if (ret < 0) {
			report("Unable to list interfaces", ret);
			return 1;
		}
		strlist_for_each(&names, name)
			printf("%s%c", name, *(name + strlen(name) + 1) ? ' ' : '\n');
		strlist_free(&names);
	} else if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
				 !strcmp(argv[1], "help"))) {
		show_usage_text();
	} else {
		struct wg_device *d;
		int err = ipc_get_device(flavor, argv[1], &d);

		if (err < 0) {
			report("Unable to access interface", err);
			return 1;
		}
		if (argc == 3)
			ret = !ugly_print(d, argv[2], false);
		else
			pretty_print(d);
		device_free(d);
	}
	return ret;
}

static int showconf_main(int argc, char **argv)
{
	struct wg_device *d;
	int err;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s %s <interface>\n", prog_name, argv[0]);
		return 1;
	}
	err = ipc_get_device(flavor, argv[1], &d);
	if (err < 0) {
		report("Unable to access interface", err);
		return 1;
	}
	showconf_write(stdout, flavor, d);
	device_free(d);
	return 0;
}

/* ---- set, setconf, addconf, syncconf ------------------------------------------ */

static const char *conf_file;

static void print_warning(void *data, unsigned long line, const char *msg)
{
	if (line)
		fprintf(stderr, "%s:%lu: %s\n", conf_file, line, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static void print_conf_error(const struct conf_error *e)
{
	if (!e->line) {
		fprintf(stderr, "%s\n", e->msg);
		return;
	}
	fprintf(stderr, "%s: %s:%lu: ", prog_name, conf_file, e->line);
	if (e->key[0] && !strstr(e->msg, e->key))
		fprintf(stderr, "%s: ", e->key);
	fprintf(stderr, "%s\n", e->msg);
}

static bool set_name(struct wg_device *d, const char *name)
{
	if (strlen(name) >= WG_IFNAMSIZ) {
		/* upstream silently cuts the name; that would address another interface */
		fprintf(stderr, "Interface name too long (at most %d characters): `%s'\n",
			WG_IFNAMSIZ - 1, name);
		return false;
	}
	strcpy(d->name, name);
	return true;
}

/* Send the device; 0 or 1 (the exit status), with upstream's message. */
static int apply(const struct wg_device *d)
{
	char why[IPC_WHY_LEN];
	int ret = ipc_set_device(flavor, d, why);

	if (ret >= 0)
		return 0;
	if (why[0])
		fprintf(stderr, "Unable to modify interface: %s (%s)\n", err_text(-ret), why);
	else
		report("Unable to modify interface", ret);
	return 1;
}

static int set_main(int argc, char **argv)
{
	struct conf_opts opts = { .flavor = flavor, .append = true, .warn = print_warning };
	struct conf_error err;
	struct wg_device *d;
	int ret;

	if (argc < 3) {
		/* wg's options, and amneziawg-tools' among them */
		fprintf(stderr, "Usage: %s %s <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] %s[peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]%s...] ]...\n",
			prog_name, argv[0], flavor == FLAVOR_WG ? "" :
			"[jc <junk_count>] [jmin <min_value>] [jmax <max_value>] [s1 <init_junk>] [s2 <resp_junk>] [s3 <cookie_junk>] [s4 <trans_junk>] [h1 <init_header>] [h2 <resp_header>] [h3 <cookie_header>] [h4 <transp_header>] [i1 \"<taged_junk>\"] [i2 \"<taged_junk>\"] [i3 \"<taged_junk>\"] [i4 \"<taged_junk>\"] [i5 \"<taged_junk>\"] [header-protection-key <file path>] [content-padding-addition \"<range>\"] [rekey-after-time \"<range>\"] [rekey-timeout \"<range>\"] [reject-after-time \"<range>\"] [keepalive-timeout \"<range>\"] [max-handshake-attempts \"<range>\"] [random-trailers <on|off>] [disable-cookies <on|off>] ",
			flavor == FLAVOR_WG ? "" : " [advanced-security <on|off>]");
		return 1;
	}
	conf_file = NULL;
	ret = conf_parse_args(argc - 2, argv + 2, &opts, &d, &err);
	if (ret < 0) {
		print_conf_error(&err);
		return 1;
	}
	ret = 1;
	if (!set_name(d, argv[1]))
		goto out;
	ret = apply(d);
out:
	device_free(d);
	return ret ? 1 : 0;
}

static int pubkey_cmp(const void *a, const void *b)
{
	const struct wg_peer *pa = *(const struct wg_peer *const *)a, *pb = *(const struct wg_peer *const *)b;

	return memcmp(pa->public_key, pb->public_key, KEY_LEN);
}

static const struct wg_peer *find_peer(const struct wg_peer **sorted, size_t n, const uint8_t *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(key, sorted[mid]->public_key, KEY_LEN);

		if (!c)
			return sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * syncconf: make the runtime peers exactly the file's.  Peers only in the
 * runtime get "remove"; and, as wireguard-tools does since 1.0.20250521, a
 * preshared key or keepalive that the file no longer has is cleared (upstream
 * awg and Debian's wg leave them in place).
 */
static int sync_conf(struct wg_device *file)
{
	struct wg_device *rt;
	const struct wg_peer **sorted = NULL;
	size_t n_file = file->n_peers, n_remove = 0;
	int ret;

	if (!file->n_peers)
		return 0;
	ret = ipc_get_device(flavor, file->name, &rt);
	if (ret < 0) {
		report("Unable to retrieve current interface configuration", ret);
		return ret;
	}
	if (!rt->n_peers)
		goto out;
	file->replace_peers = false;
	sorted = malloc(n_file * sizeof(*sorted));
	if (!sorted) {
		ret = -ENOMEM;
		report("Peer list allocation", ret);
		goto out;
	}
	for (size_t i = 0; i < n_file; i++)
		sorted[i] = &file->peers[i];
	qsort(sorted, n_file, sizeof(*sorted), pubkey_cmp);
	/* first pass: adjust the file's peers; mark runtime-only peers */
	for (size_t i = 0; i < rt->n_peers; i++) {
		struct wg_peer *r = &rt->peers[i];
		const struct wg_peer *f = find_peer(sorted, n_file, r->public_key);
		struct wg_peer *fp;

		if (!f) {
			r->flags |= WGPEER_REMOVE_ME;
			n_remove++;
			continue;
		}
		fp = &file->peers[f - file->peers];
		if ((r->flags & WGPEER_HAS_PRESHARED_KEY) && !(fp->flags & WGPEER_HAS_PRESHARED_KEY))
			fp->flags |= WGPEER_HAS_PRESHARED_KEY;	/* the zero key: none */
		if (!range16_is_zero(r->keepalive) && !(fp->flags & WGPEER_HAS_KEEPALIVE))
			fp->flags |= WGPEER_HAS_KEEPALIVE;	/* zero: off */
	}
	/* second pass: append the removals (this may move file->peers) */
	for (size_t i = 0; i < rt->n_peers && n_remove; i++) {
		struct wg_peer *p;

		if (!(rt->peers[i].flags & WGPEER_REMOVE_ME))
			continue;
		p = device_add_peer(file);
		if (!p) {
			ret = -ENOMEM;
			report("Peer allocation", ret);
			goto out;
		}
		memcpy(p->public_key, rt->peers[i].public_key, KEY_LEN);
		p->flags = WGPEER_HAS_PUBLIC_KEY | WGPEER_REMOVE_ME;
	}
out:
	free(sorted);
	device_free(rt);
	return ret;
}

static int setconf_main(int argc, char **argv)
{
	struct conf_opts opts = { .flavor = flavor, .append = !strcmp(argv[0], "addconf"),
				  .warn = print_warning };
	struct conf_error err;
	struct wg_device *d = NULL;
	int fd, ret;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename>\n", prog_name, argv[0]);
		return 1;
	}
	conf_file = argv[2];
	fd = open(argv[2], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, argv[2], err_text(errno));
		return 1;
	}
	ret = conf_parse_fd(fd, &opts, &d, &err);
	close(fd);
	if (ret < 0) {
		if (err.line || ret == -EINVAL)
			print_conf_error(&err);
		else
			fprintf(stderr, "%s: %s: %s\n", prog_name, argv[2], err.msg);
		return 1;
	}
	ret = 1;
	if (!set_name(d, argv[1]))
		goto out;
	if (!strcmp(argv[0], "syncconf") && sync_conf(d) < 0)
		goto out;
	ret = apply(d);
out:
	device_free(d);
	return ret ? 1 : 0;
}

/* ---- keys ---------------------------------------------------------------------- */

/* Write a key line from our own buffer (not stdio's, which we could not
 * wipe) and wipe it.  Returns the exit status. */
static int put_key(const uint8_t key[KEY_LEN])
{
	char line[KEY_B64_LEN];
	int ret;

	key_to_base64(line, key);
	line[KEY_B64_LEN - 1] = '\n';
	ret = io_write_full(STDOUT_FILENO, line, sizeof(line));
	if (ret < 0) {
		fprintf(stderr, "%s: write error: %s\n", prog_name, err_text(-ret));
		ret = 1;
	}
	key_wipe(line, sizeof(line));
	return ret;
}

static int genkey_main(int argc, char **argv)
{
	uint8_t key[KEY_LEN];
	struct stat st;
	int ret;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 1;
	}
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n", stderr);
	ret = key_random(key);
	if (ret < 0) {
		errno = -ret;
		perror("getrandom");
		return 1;
	}
	if (!strcmp(argv[0], "genkey"))
		key_clamp(key);
	ret = put_key(key);
	key_wipe(key, sizeof(key));
	return ret;
}

/* After the key, upstream allows only whitespace and NUL bytes. */
static bool only_space_follows(int fd)
{
	char buf[256];
	ssize_t n;

	while ((n = io_read_full(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] && !strchr(" \t\n\v\f\r", buf[i]))
				return false;
	return n == 0;
}

static int pubkey_main(int argc, char **argv)
{
	char b64key[KEY_B64_LEN];
	uint8_t key[KEY_LEN];
	int ret = 1;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 1;
	}
	/* read(), not stdio: the private key must not linger in a libc buffer */
	if (io_read_full(STDIN_FILENO, b64key, KEY_B64_LEN - 1) != KEY_B64_LEN - 1) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", prog_name);
		goto out;
	}
	b64key[KEY_B64_LEN - 1] = '\0';
	if (!only_space_follows(STDIN_FILENO)) {
		fprintf(stderr, "%s: Trailing characters found after key\n", prog_name);
		goto out;
	}
	if (key_from_base64(key, b64key) < 0) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", prog_name);
		goto out;
	}
	key_public(key, key);
	ret = put_key(key);
out:
	key_wipe(b64key, sizeof(b64key));
	key_wipe(key, sizeof(key));
	return ret;
}

int awg_main(int argc, char **argv)
{
	static char outbuf[65536];

	prog_name = argv[0];
	flavor = ENABLE_WG && !strcmp(applet_name, "wg") ? FLAVOR_WG : FLAVOR_AWG;
	if (argc == 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "version"))) {
		if (flavor == FLAVOR_WG)
			printf("%s (wireguard-tools v1.0.20210914 compatible) - wg\n", AWGBOX_BANNER);
		else
			printf("%s (amneziawg-tools v3.1.20260812 compatible) - awg\n", AWGBOX_BANNER);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	/* dumps of many peers: one write per 64 KiB, not per line */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (argc == 1) {
		static char show[] = "show";
		char *args[] = { show, NULL };

		return show_main(1, args);
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
