/* Config and `set` parsing: every key, every error, upstream's quirks, and
 * parse -> showconf -> parse round trips. */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "addr.h"
#include "conf.h"
#include "showconf.h"
#include "t.h"

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define K3 "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define K4 "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA="

static char warnings[4096];

static void collect_warning(void *data, unsigned long line, const char *msg)
{
	size_t n = strlen(warnings);

	snprintf(warnings + n, sizeof(warnings) - n, "%lu: %s\n", line, msg);
}

static int text_fd(const char *text, size_t len)
{
	int fd = memfd_create("conf", MFD_CLOEXEC);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0) {
		perror("memfd");
		exit(2);
	}
	return fd;
}

static struct conf_error err;

static struct wg_device *parse_n(const char *text, size_t len, enum wg_flavor flavor, bool append)
{
	struct conf_opts o = { .flavor = flavor, .append = append, .warn = collect_warning };
	struct wg_device *d;
	int fd = text_fd(text, len);

	warnings[0] = '\0';
	if (conf_parse_fd(fd, &o, &d, &err) < 0)
		d = NULL;
	close(fd);
	return d;
}

static struct wg_device *parse(const char *text)
{
	return parse_n(text, strlen(text), FLAVOR_AWG, false);
}

static struct wg_device *parse_wg(const char *text)
{
	return parse_n(text, strlen(text), FLAVOR_WG, false);
}

/* The config must fail with this line and message. */
#define t_fails(text, want_line, want_msg) do { \
	struct wg_device *d_ = parse(text); \
	t_check(!d_, "accepted: %s", text); \
	device_free(d_); \
	if (!d_) { t_check_int(err.line, want_line); t_check_str(err.msg, want_msg); } \
} while (0)

static const char *key_b64(const uint8_t *k)
{
	static char buf[KEY_B64_LEN];

	key_to_base64(buf, k);
	return buf;
}

static char *showconf(const struct wg_device *d, enum wg_flavor flavor)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	showconf_write(f, flavor, d);
	fclose(f);
	return buf;
}

static struct wg_device *set_args(enum wg_flavor flavor, ...)
{
	struct conf_opts o = { .flavor = flavor, .append = true, .warn = collect_warning };
	char *argv[64];
	int argc = 0;
	struct wg_device *d;
	va_list ap;

	va_start(ap, flavor);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	warnings[0] = '\0';
	if (conf_parse_args(argc, argv, &o, &d, &err) < 0)
		return NULL;
	return d;
}

static void every_key(void)
{
	struct wg_device *d;
	char ip[ADDR_IP_LEN], ep[ADDR_ENDPOINT_LEN];

	t_begin("every key of amneziawg-tools 3.1 parses into the model");
	d = parse("[Interface]\n"
		  "PrivateKey = " K1 "\n"
		  "ListenPort = 51820\n"
		  "FwMark = 0x1234\n"
		  "Jc = 4\nJmin = 40\nJmax = 70\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 25\n"
		  "H1 = 123456-123500\nH2 = 67543-67550\nH3 = 123123\nH4 = 32345-32350\n"
		  "I1 = <b 0xf6ab3267fa><r 100>\nI2 = <t>\nI3 = <rc 10> <rd 5>\nI4 = <c>\nI5 = <b 0x01>\n"
		  "HeaderProtectionKey = " K2 "\n"
		  "ContentPaddingAddition = 0-40\nRekeyAfterTime = 100-140\nRekeyTimeout = 5\n"
		  "RejectAfterTime = 180\nKeepaliveTimeout = 10-12\nMaxHandshakeAttempts = 18\n"
		  "RandomTrailers = on\nDisableCookies = 1\n"
		  "\n[Peer]\n"
		  "PublicKey = " K3 "\n"
		  "PresharedKey = " K4 "\n"
		  "AllowedIPs = 10.0.0.2/32, fd00::2/128\n"
		  "AllowedIPs = 10.1.0.0/16\n"
		  "Endpoint = [fd00::1]:51821\n"
		  "PersistentKeepalive = 20-30\n"
		  "AdvancedSecurity = off\n");
	t_check(d != NULL, "refused: %lu: %s", err.line, err.msg);
	if (d) {
		t_check_str(key_b64(d->private_key), K1);
		t_check_int(d->listen_port, 51820);
		t_check_int(d->fwmark, 0x1234);
		t_check_int(d->jc, 4);
		t_check_int(d->jmin, 40);
		t_check_int(d->jmax, 70);
		t_check_int(d->s[0], 15);
		t_check_int(d->s[3], 25);
		t_check_int(d->h[0].lo, 123456);
		t_check_int(d->h[0].hi, 123500);
		t_check_int(d->h[2].lo, 123123);
		t_check_int(d->h[2].hi, 123123);
		t_check_str(d->i[0], "<b 0xf6ab3267fa><r 100>");
		t_check_str(d->i[2], "<rc 10> <rd 5>");
		t_check_str(d->i[3], "<c>");
		t_check_str(d->i[4], "<b 0x01>");
		t_check_str(key_b64(d->header_protection_key), K2);
		t_check_int(d->timers[WG_TIMER_CPA].hi, 40);
		t_check_int(d->timers[WG_TIMER_RAT].lo, 100);
		t_check_int(d->timers[WG_TIMER_MHA].lo, 18);
		t_check(d->random_trailers && d->disable_cookies, "booleans");
		t_check(d->has == ((1ULL << WGF_COUNT) - 1 - WGF_BIT(WGF_PUBLIC_KEY)),
			"has = %llx", (unsigned long long)d->has);
		t_check(d->replace_peers, "setconf replaces peers");
		t_check_int(d->n_peers, 1);
		t_check_str(key_b64(d->peers[0].public_key), K3);
		t_check_str(key_b64(d->peers[0].preshared_key), K4);
		t_check_int(d->peers[0].n_allowedips, 3);
		t_check_str(addr_format_ip(ip, AF_INET6, &d->allowedips[1].ip6), "fd00::2");
		t_check_int(d->allowedips[2].cidr, 16);
		t_check_str(addr_format_endpoint(ep, &d->peers[0].endpoint), "[fd00::1]:51821");
		t_check_int(d->peers[0].keepalive.lo, 20);
		t_check_int(d->peers[0].keepalive.hi, 30);
		t_check(d->peers[0].flags == (WGPEER_REPLACE_ALLOWEDIPS | WGPEER_HAS_PUBLIC_KEY |
					      WGPEER_HAS_PRESHARED_KEY | WGPEER_HAS_KEEPALIVE |
					      WGPEER_HAS_ADVANCED_SECURITY), "peer flags %x", d->peers[0].flags);
	}
	device_free(d);
	t_end();
}

static void whitespace_and_comments(void)
{
	struct wg_device *d;

	t_begin("whitespace goes everywhere, except inside I1-I5 values");
	d = parse(" [ Inter face ] \r\n"
		  "\tPrivate Key\t=\t" K1 " # the key\r\n"
		  "Listen Port = 5 1 8 2 0\n"
		  "I1 =   <b 0x01>   <r 2>  \t\r\n"
		  "i2=<t>#cut here <r 5>\n"
		  "# [Peer]\n"
		  "   \n"
		  "[PEER]\npublickey=" K3);
	t_check(d != NULL, "refused: %lu: %s", err.line, err.msg);
	if (d) {
		t_check_int(d->listen_port, 51820);
		t_check_str(d->i[0], "<b 0x01>   <r 2>");
		t_check_str(d->i[1], "<t>");
		t_check_int(d->n_peers, 1);
	}
	device_free(d);
	t_end();

	t_begin("a leading blank hides an I-line from upstream's special case: its spaces go");
	d = parse("[Interface]\n I3 = <t> <c> x y\n");
	t_check(d && d->i[2] && !strcmp(d->i[2], "<t><c>xy"), "value");
	device_free(d);
	d = parse("[Interface]\n I3 = <b 0x02> <t>\n");
	t_check(!d, "<b0x02> accepted");
	t_check_str(err.msg, "unknown tag <b0x02> in `<b0x02><t>' (an I-line that starts with blanks "
		    "loses the spaces inside its value, as upstream)");
	t_end();

	t_begin("sections and keys are case-insensitive, [Interface] may repeat");
	d = parse("[INTERFACE]\nprivatekey=" K1 "\n[interface]\nLISTENPORT=1\n[peer]\nPUBLICKEY=" K2
		  "\n[Peer]\nPublicKey=" K3 "\n");
	t_check(d && d->listen_port == 1 && d->n_peers == 2, "parsed wrongly");
	device_free(d);
	t_end();

	t_begin("a NUL byte or an over-long line is refused with its line number");
	{
		static const char nul[] = "[Interface]\nPrivateKey = \0" K1 "\n";
		char *big = malloc(CONF_LINE_MAX + 100);

		d = parse_n(nul, sizeof(nul) - 1, FLAVOR_AWG, false);
		t_check(!d, "NUL accepted");
		t_check_int(err.line, 2);
		t_check_str(err.msg, "NUL byte in line");
		memcpy(big, "[Interface]\nI1 = ", 17);
		memset(big + 17, 'x', CONF_LINE_MAX + 50);
		d = parse_n(big, CONF_LINE_MAX + 67, FLAVOR_AWG, false);
		t_check(!d, "long line accepted");
		t_check_int(err.line, 2);
		free(big);
	}
	t_end();

	t_begin("a 16 KiB I1 line parses whole");
	{
		size_t n = 16384;
		char *big = malloc(n + 64), *v = malloc(n + 1);

		for (size_t i = 0; i < n; i++)
			v[i] = "<b 0x0f>"[i % 8];
		v[n] = '\0';
		snprintf(big, n + 64, "[Interface]\nI1 = %s\n", v);
		d = parse(big);
		t_check(d && d->i[0] && !strcmp(d->i[0], v), "I1 not kept whole");
		device_free(d);
		free(big);
		free(v);
	}
	t_end();
}

static void errors(void)
{
	t_begin("line errors: upstream's texts, our line numbers");
	t_fails("PrivateKey = " K1 "\n", 1, "Line unrecognized: `PrivateKey=" K1 "'");
	t_fails("[Interface]\nJc =\n", 2, "Line unrecognized: `Jc='");
	t_fails("[Interface]\n\nNoSuchKey = 1\n", 3, "Line unrecognized: `NoSuchKey=1'");
	t_fails("[Interface]\nPublicKey = " K1 "\n", 2, "Line unrecognized: `PublicKey=" K1 "'");
	t_fails("[Peer]\nListenPort = 1\n", 2, "Line unrecognized: `ListenPort=1'");
	t_fails("[Interface]\n[Peer] x\n", 2, "Line unrecognized: `[Peer]x'");
	t_fails("[Interface]\nPrivateKey = abc\n", 2, "Key is not the correct length or format: `abc'");
	t_fails("[Interface]\nFwMark = 0X10\n", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `0X10'");
	t_fails("[Interface]\nFwMark = 4294967296\n", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `4294967296'");
	t_fails("[Interface]\nFwMark = -1\n", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `-1'");
	t_fails("[Interface]\nJc = 65536\n", 2, "Unable to parse Jc: `65536'");
	t_fails("[Interface]\nS4 = 1x\n", 2, "Unable to parse S4: `1x'");
	t_fails("[Interface]\nH1 = 5-3\n", 2, "Unable to parse H1: `5-3' (expected N or LO-HI, 0-4294967295)");
	t_fails("[Interface]\nH2 = 1-2-3\n", 2, "Unable to parse H2: `1-2-3' (expected N or LO-HI, 0-4294967295)");
	t_fails("[Interface]\nH3 = 4294967296\n", 2, "Unable to parse H3: `4294967296' (expected N or LO-HI, 0-4294967295)");
	t_fails("[Interface]\nRekeyTimeout = x\n", 2, "Unable to parse RekeyTimeout: `x' (expected N or LO-HI, 0-65535)");
	t_fails("[Interface]\nRandomTrailers = true\n", 2, "Boolean value is neither on/off nor 0/1: `true'");
	t_fails("[Interface]\nDisableCookies = 1x\n", 2, "Unable to parse DisableCookies: `1x'");
	t_fails("[Interface]\nHeaderProtectionKey = " K1 "x\n", 2, "Key is not the correct length or format: `" K1 "x'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/33\n", 3, "AllowedIP is not in the correct format: `10.0.0.1/33'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = fd00::/129\n", 3, "AllowedIP is not in the correct format: `fd00::/129'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/\n", 3, "AllowedIP is not in the correct format: `10.0.0.1/'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/+1\n", 3, "AllowedIP is not in the correct format: `10.0.0.1/+1'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.256\n", 3, "Unable to parse IP address: `10.0.0.256'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = ,10.0.0.1\n", 3, "Unable to parse IP address: `'");
	t_fails("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 010.0.0.1\n", 3, "Unable to parse IP address: `010.0.0.1'");
	t_fails("[Peer]\nPublicKey = " K1 "\nEndpoint = [fd00::1\n", 3, "Unable to find matching brace of endpoint: `[fd00::1'");
	t_fails("[Peer]\nPublicKey = " K1 "\nEndpoint = [fd00::1]51820\n", 3, "Unable to find port of endpoint: `[fd00::1]51820'");
	t_fails("[Peer]\nPublicKey = " K1 "\nEndpoint = [fd00::1]:\n", 3, "Unable to find port of endpoint: `[fd00::1]:'");
	t_fails("[Peer]\nPublicKey = " K1 "\nEndpoint = 10.0.0.1\n", 3, "Unable to find port of endpoint: `10.0.0.1'");
	t_fails("[Peer]\nPublicKey = " K1 "\nEndpoint = 10.0.0.1:\n", 3, "Unable to find port of endpoint: `10.0.0.1:'");
	t_fails("[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = off\n", 3,
		"Unable to parse PersistentKeepalive: `off' (expected N or LO-HI, 0-65535)");
	t_end();

	t_begin("I1-I5: what every AmneziaWG implementation refuses, refused before sending");
	t_fails("[Interface]\nI1 = <b 0x0>\n", 2, "<b 0x0> needs an even, non-zero number of hex digits, in `<b 0x0>'");
	t_fails("[Interface]\nI1 = <b 0x>\n", 2, "<b 0x> needs an even, non-zero number of hex digits, in `<b 0x>'");
	t_fails("[Interface]\nI2 = <b 0xzz>\n", 2, "<b 0xzz> has a non-hex digit, in `<b 0xzz>'");
	t_fails("[Interface]\nI3 = <t><x 5>\n", 2, "unknown tag <x 5> in `<t><x 5>'");
	t_fails("[Interface]\nI4 = <>\n", 2, "unknown tag <> in `<>'");
	t_fails("[Interface]\nI5 = <r>\n", 2, "<r> needs a length, in `<r>'");
	t_fails("[Interface]\nI5 = <rc -5>\n", 2, "<rc -5> needs a length 0-2147483647, in `<rc -5>'");
	t_fails("[Interface]\nI5 = <rd 2147483648>\n", 2, "<rd 2147483648> needs a length 0-2147483647, in `<rd 2147483648>'");
	{
		/* taken by at least one implementation: kept for it to judge */
		struct wg_device *d = parse("[Interface]\nI1 = <b f6ab><c><t x><d><ds><dz 4><r +5>text<b 0xAB\n");
		t_check(d != NULL, "refused: %s", err.msg);
		device_free(d);
	}
	t_end();

	t_begin("H1-H4 given together must not overlap; with a HeaderProtectionKey S1-S4 >= 12");
	t_fails("[Interface]\nH1 = 5-10\nH2 = 3\nH3 = 10-20\n", 4,
		"H1 and H3 overlap: `5-10' and `10-20' (H1-H4 must not share a value)");
	t_fails("[Interface]\nHeaderProtectionKey = " K1 "\nS1 = 12\nS2 = 11\n", 4,
		"S2 is 11: with a HeaderProtectionKey S1-S4 must be at least 12");
	{
		struct wg_device *d = parse("[Interface]\nH1 = 5-10\nH2 = 11\nHeaderProtectionKey = " K1 "\nS1 = 12\n");
		t_check(d != NULL, "refused: %s", err.msg);
		device_free(d);
		t_check(!set_args(FLAVOR_AWG, "h1", "1-100", "h4", "100", NULL), "set accepted overlap");
		t_check_str(err.msg, "H1 and H4 overlap: `1-100' and `100' (H1-H4 must not share a value)");
	}
	t_end();

	t_begin("a peer without a public key is reported at its [Peer] line, after the whole file");
	t_fails("[Interface]\n[Peer]\nAllowedIPs = 10.0.0.1\n[Peer]\nPublicKey = " K1 "\n", 2,
		"A peer is missing a public key");
	t_fails("[Peer]\nPublicKey = " K1 "\n\n[Peer]\n", 4, "A peer is missing a public key");
	/* a later line error is reported first, as upstream reads on */
	t_fails("[Peer]\n[Interface]\nBogus = 1\n", 3, "Line unrecognized: `Bogus=1'");
	t_end();
}

static void quirks(void)
{
	struct wg_device *d;

	t_begin("upstream quirks accepted as upstream does");
	d = parse("[Interface]\nJc = 4294967296\nJmin = +5\nH1 = 0-\nH2 = +7\nH3 = 00012\n"
		  "FwMark = 0x\t1f\nRandomTrailers = 4294967296\nDisableCookies = 2\n");
	t_check(d != NULL, "refused: %lu: %s", err.line, err.msg);
	if (d) {
		t_check_int(d->jc, 0);		/* kept in 32 bits: 2^32 is 0 */
		t_check_int(d->jmin, 5);
		t_check(d->h[0].lo == 0 && d->h[0].hi == 0, "0- is 0");
		t_check_int(d->h[1].lo, 7);
		t_check_int(d->h[2].lo, 12);
		t_check_int(d->fwmark, 0x1f);
		t_check(!d->random_trailers, "2^32 is off, as upstream");
		t_check(d->disable_cookies, "2 is on");
	}
	device_free(d);
	t_end();

	t_begin("16-bit ranges above 65535 are truncated as upstream, with a warning");
	d = parse("[Interface]\nRekeyAfterTime = 70000\nKeepaliveTimeout = 65535-70000\n");
	t_check(d && d->timers[WG_TIMER_RAT].lo == 4464 && d->timers[WG_TIMER_RAT].hi == 4464,
		"70000 not 4464");
	t_check(d && d->timers[WG_TIMER_KT].lo == 65535 && d->timers[WG_TIMER_KT].hi == 4464,
		"range not truncated");
	t_check(strstr(warnings, "2: Warning: RekeyAfterTime: `70000' is out of range 0-65535; used as 4464-4464") != NULL,
		"warnings: %s", warnings);
	device_free(d);
	t_end();

	t_begin("allowed IPs: default prefix, repeats, host-part warning");
	d = parse("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1, fd00::1\nAllowedIPs = 10.0.0.1/24\n");
	t_check(d && d->n_allowedips == 3 && d->allowedips[0].cidr == 32 && d->allowedips[1].cidr == 128 &&
		d->allowedips[2].cidr == 24, "allowed IPs wrong");
	t_check(!strcmp(warnings, "4: Warning: AllowedIP has nonzero host part: 10.0.0.1/24\n"),
		"warnings: %s", warnings);
	device_free(d);
	d = parse("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 0.0.0.0/0, ::/0, 10.0.0.0/8, fd00::/8\n");
	t_check(d && !warnings[0], "warning for a zero host part: %s", warnings);
	device_free(d);
	t_end();

	t_begin("setconf implies PrivateKey, FwMark and replace-peers; addconf does not");
	d = parse("[Interface]\n");
	t_check(d && d->replace_peers && device_has(d, WGF_PRIVATE_KEY) && device_has(d, WGF_FWMARK) &&
		key_is_zero(d->private_key), "setconf flags");
	device_free(d);
	d = parse_n("[Interface]\n", 12, FLAVOR_AWG, true);
	t_check(d && !d->replace_peers && !d->has, "addconf flags");
	device_free(d);
	t_end();
}

static void wg_flavor(void)
{
	struct wg_device *d;

	t_begin("wg: plain WireGuard keys only, keepalive off or 0-65535");
	d = parse_wg("[Interface]\nPrivateKey = " K1 "\n[Peer]\nPublicKey = " K2 "\nPersistentKeepalive = off\n"
		     "[Peer]\nPublicKey = " K3 "\nPersistentKeepalive = 65535\n");
	t_check(d && d->n_peers == 2 && range16_is_zero(d->peers[0].keepalive) &&
		d->peers[1].keepalive.lo == 65535, "wg keepalive");
	device_free(d);
	d = parse_wg("[Peer]\nPublicKey = " K2 "\nPersistentKeepalive = 65536\n");
	t_check(!d, "65536 accepted");
	t_check_str(err.msg, "Persistent keepalive interval is neither 0/off nor 1-65535: `65536'");
	d = parse_wg("[Interface]\nJc = 4\n");
	t_check(!d, "Jc accepted by wg");
	t_check_str(err.msg, "Line unrecognized: `Jc=4' (an AmneziaWG setting: use awg)");
	d = parse_wg("[Interface]\nI1 = <b 0x01> <t>\n");
	t_check(!d, "I1 accepted by wg");
	t_check_str(err.msg, "Line unrecognized: `I1=<b0x01><t>' (an AmneziaWG setting: use awg)");
	d = parse_wg("[Peer]\nPublicKey = " K2 "\nAdvancedSecurity = on\n");
	t_check(!d, "AdvancedSecurity accepted by wg");
	t_end();
}

static void set_arguments(void)
{
	struct wg_device *d;

	t_begin("set: device and peer tokens, remove, allowed-ips with spaces, empty clears");
	d = set_args(FLAVOR_AWG, "listen-port", "1234", "fwmark", "off", "jc", "3", "h4", "10-20",
		     "i1", "<b 0x01> <t>", "i2", "", "rekey-timeout", "3-5", "random-trailers", "off",
		     "peer", K1, "allowed-ips", " 10.0.0.1/32 , fd00::1/128 ", "persistent-keepalive", "25",
		     "endpoint", "10.9.8.7:9", "advanced-security", "on",
		     "peer", K2, "remove", "peer", K3, "allowed-ips", "", NULL);
	t_check(d != NULL, "refused: %s", err.msg);
	if (d) {
		t_check_int(d->listen_port, 1234);
		t_check(device_has(d, WGF_FWMARK) && !d->fwmark, "fwmark off");
		t_check_int(d->h[3].hi, 20);
		t_check_str(d->i[0], "<b 0x01> <t>");
		t_check_str(d->i[1], "");
		t_check_int(d->timers[WG_TIMER_RT].hi, 5);
		t_check(!d->replace_peers, "set does not replace peers");
		t_check_int(d->n_peers, 3);
		t_check_int(d->peers[0].n_allowedips, 2);
		t_check(d->peers[0].flags & WGPEER_ADVANCED_SECURITY, "advanced-security");
		t_check(d->peers[1].flags & WGPEER_REMOVE_ME, "remove");
		t_check(d->peers[2].n_allowedips == 0 && (d->peers[2].flags & WGPEER_REPLACE_ALLOWEDIPS),
			"empty allowed-ips clears");
	}
	device_free(d);
	t_end();

	t_begin("set: upstream's error texts");
	t_check(!set_args(FLAVOR_AWG, "bogus", "1", NULL), "bogus accepted");
	t_check_str(err.msg, "Invalid argument: bogus");
	t_check(!set_args(FLAVOR_AWG, "jc", NULL), "missing value accepted");
	t_check_str(err.msg, "Invalid argument: jc");
	t_check(!set_args(FLAVOR_AWG, "peer", K1, "jc", "1", NULL), "device token after peer accepted");
	t_check_str(err.msg, "Invalid argument: jc");
	t_check(!set_args(FLAVOR_AWG, "endpoint", "1.2.3.4:5", NULL), "peer token before peer accepted");
	t_check_str(err.msg, "Invalid argument: endpoint");
	t_check(!set_args(FLAVOR_AWG, "remove", NULL), "remove without peer accepted");
	t_check(!set_args(FLAVOR_AWG, "peer", "abc", NULL), "bad key accepted");
	t_check_str(err.msg, "Key is not the correct length or format: `abc'");
	t_check(!set_args(FLAVOR_AWG, "jc", "", NULL), "empty jc accepted");
	t_check_str(err.msg, "Unable to parse empty string");
	t_check(!set_args(FLAVOR_AWG, "jc", "70000", NULL), "jc 70000 accepted");
	t_check_str(err.msg, "Unable to parse jc: `70000'");
	t_check(!set_args(FLAVOR_AWG, "random-trailers", "yes", NULL), "yes accepted");
	t_check_str(err.msg, "Boolean value is neither on/off nor 0/1: `yes'");
	t_check(!set_args(FLAVOR_AWG, "peer", K1, "advanced-security", "2x", NULL), "2x accepted");
	t_check_str(err.msg, "Unable to parse AdvancedSecurity: `2x'");
	t_check(!set_args(FLAVOR_AWG, "private-key", "/nonexistent/key", NULL), "missing file accepted");
	t_check_str(err.msg, "fopen: No such file or directory");
	t_check(!set_args(FLAVOR_AWG, "rekey_timeout", "5", NULL), "underscore spelling accepted");
	t_check(!set_args(FLAVOR_WG, "jc", "4", NULL), "wg accepted jc");
	t_check_str(err.msg, "Invalid argument: jc (an AmneziaWG setting: use awg)");
	t_check(!set_args(FLAVOR_WG, "listen-port", "", NULL), "empty port accepted");
	t_check_str(err.msg, "Unable to parse empty port");
	t_end();

	t_begin("key files: empty is the zero key, trailing space ok, junk refused");
	{
		char path[] = "/tmp/awgbox-key.XXXXXX";
		int fd = mkstemp(path);

		t_check(fd >= 0, "mkstemp");
		d = set_args(FLAVOR_AWG, "private-key", path, NULL);
		t_check(d && device_has(d, WGF_PRIVATE_KEY) && key_is_zero(d->private_key), "empty file");
		device_free(d);
		t_check(write(fd, K1 " \n\t\n", 48) == 48, "write");
		d = set_args(FLAVOR_AWG, "private-key", path, NULL);
		t_check(d && !strcmp(key_b64(d->private_key), K1), "key file with trailing space");
		device_free(d);
		t_check(write(fd, "x", 1) == 1, "write");
		t_check(!set_args(FLAVOR_AWG, "private-key", path, NULL), "junk accepted");
		t_check_str(err.msg, "Found trailing character in key file: `x'");
		t_check(ftruncate(fd, 10) == 0, "truncate");
		t_check(!set_args(FLAVOR_AWG, "private-key", path, NULL), "short key accepted");
		t_check_str(err.msg, "Invalid length key in key file");
		close(fd);
		unlink(path);
	}
	t_end();
}

static void round_trip(void)
{
	static const char conf[] =
		"[Interface]\n"
		"ListenPort = 51820\n"
		"FwMark = 0xca6c\n"
		"PrivateKey = " K1 "\n"
		"Jc = 5\nJmin = 500\nJmax = 1000\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 25\n"
		"H1 = 123456-123500\nH2 = 67543-67550\nH3 = 123123-123200\nH4 = 32345-32350\n"
		"I1 = <b 0xf6ab3267fa><r 100>\nI2 = <rc 8> <t>\n"
		"HeaderProtectionKey = " K4 "\n"
		"ContentPaddingAddition = 0-40\nRekeyAfterTime = 110\nRekeyTimeout = 5\n"
		"RejectAfterTime = 180\nKeepaliveTimeout = 10\nMaxHandshakeAttempts = 18\n"
		"RandomTrailers = on\nDisableCookies = off\n"
		"\n"
		"[Peer]\n"
		"PublicKey = " K2 "\n"
		"PresharedKey = " K3 "\n"
		"AdvancedSecurity = on\n"
		"AllowedIPs = 10.0.0.2/32, fd00::2/128, ::ffff:10.0.0.0/104, 0.0.0.0/0\n"
		"Endpoint = [fe80::1:2:0:3]:51820\n"
		"PersistentKeepalive = 20-30\n"
		"\n"
		"[Peer]\n"
		"PublicKey = " K3 "\n"
		"Endpoint = 192.0.2.7:9\n";
	struct wg_device *d, *d2;
	char *out, *out2;

	t_begin("parse -> showconf gives the same text -> parse gives the same model");
	d = parse(conf);
	t_check(d != NULL, "refused: %lu: %s", err.line, err.msg);
	if (!d) {
		t_end();
		return;
	}
	out = showconf(d, FLAVOR_AWG);
	t_check_str(out, conf);
	d2 = parse(out);
	t_check(d2 != NULL, "showconf output refused: %s", err.msg);
	out2 = d2 ? showconf(d2, FLAVOR_AWG) : NULL;
	t_check(out2 && !strcmp(out, out2), "second round differs");
	t_check(d2 && d2->has == d->has && d2->n_peers == d->n_peers && d2->n_allowedips == d->n_allowedips &&
		!memcmp(d2->peers, d->peers, d->n_peers * sizeof(*d->peers)) &&
		!memcmp(d2->allowedips, d->allowedips, d->n_allowedips * sizeof(*d->allowedips)),
		"models differ");
	free(out);
	free(out2);
	device_free(d);
	device_free(d2);
	t_end();
}

static void many_peers(void)
{
	size_t n = 10000, len = 0, cap = n * 200;
	char *text = malloc(cap);
	struct wg_device *d;
	uint8_t key[KEY_LEN] = { 0 };

	t_begin("10 000 peers parse in one pass");
	len += (size_t)snprintf(text, cap, "[Interface]\nPrivateKey = " K1 "\n");
	for (size_t i = 0; i < n; i++) {
		key[0] = (uint8_t)i;
		key[1] = (uint8_t)(i >> 8);
		len += (size_t)snprintf(text + len, cap - len,
					"[Peer]\nPublicKey = %s\nAllowedIPs = 10.%zu.%zu.0/24, fd00::%zx/128\n",
					key_b64(key), i >> 8, i & 255, i);
	}
	d = parse_n(text, len, FLAVOR_AWG, false);
	t_check(d && d->n_peers == n && d->n_allowedips == 2 * n, "parsed %zu peers",
		d ? d->n_peers : 0);
	if (d) {
		const struct wg_peer *last = &d->peers[n - 1];

		t_check(last->first_allowedip == 2 * (n - 1) && last->n_allowedips == 2, "last peer's IPs");
		t_check(peer_allowedips(d, last)[0].ip4.s_addr == htonl(0x0a000000 | (uint32_t)(n - 1) << 8),
			"last peer's first IP");
	}
	device_free(d);
	free(text);
	t_end();
}

int main(void)
{
	every_key();
	whitespace_and_comments();
	errors();
	quirks();
	wg_flavor();
	set_arguments();
	round_trip();
	many_peers();
	return t_done();
}
