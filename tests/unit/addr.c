/* core/addr.c: addresses printed as glibc's inet_ntop prints them (and so
 * upstream's wg and ip), under either libc. */
#include <stdlib.h>

#include <arpa/inet.h>

#include "addr.h"
#include "t.h"

/* Expected strings are what glibc's inet_ntop prints (and so ip and wg). */
static void formats(void)
{
	static const char *vec[][2] = {
		{ "::", "::" }, { "::1", "::1" }, { "1::", "1::" },
		{ "1:0:0:2::", "1:0:0:2::" },
		{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7" },	/* one zero word: no "::" */
		{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },		/* the longest run */
		{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },		/* the first of equals */
		{ "::ffff:1.2.3.4", "::ffff:1.2.3.4" }, { "::1.2.3.4", "::1.2.3.4" },
		{ "::ffff:0:0", "::ffff:0.0.0.0" }, { "0:0:0:0:0:1:0:0", "::1:0:0" },
		{ "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" }, { "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
		{ "::ffff:0:1.2.3.4", "::ffff:0:102:304" }, { "64:ff9b::1.2.3.4", "64:ff9b::102:304" },
		{ "::0.0.1.0", "::100" }, { "::0.1.0.0", "::0.1.0.0" },
		{ "0:0:0:0:0:ffff:0:1", "::ffff:0.0.0.1" },
		{ "2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	char buf[ADDR_IP_LEN];
	uint8_t a[16];

	t_begin("IPv6 addresses print as glibc's inet_ntop does, under any libc");
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		t_check(inet_pton(AF_INET6, vec[i][0], a) == 1, "bad vector %s", vec[i][0]);
		t_check_str(addr_format_ip(buf, AF_INET6, a), vec[i][1]);
	}
#ifdef __GLIBC__
	/* and random addresses full of zero words, against glibc itself */
	char want[INET6_ADDRSTRLEN];
	srand(7);
	for (int n = 0; n < 100000; n++) {
		for (int w = 0; w < 8; w++) {
			int r = rand();
			a[2 * w] = r & 1 ? (uint8_t)(r >> 8) : 0;
			a[2 * w + 1] = r & 2 ? (uint8_t)(r >> 16) : 0;
			if (w == 5 && (r & 12) == 12)
				a[10] = a[11] = 0xff;
		}
		inet_ntop(AF_INET6, a, want, sizeof(want));
		if (strcmp(addr_format_ip(buf, AF_INET6, a), want)) {
			t_check_str(buf, want);
			break;
		}
	}
#endif
	t_end();
}

/* IPv4: every byte value in every position, against inet_ntop */
static void formats_ip4(void)
{
	char buf[ADDR_IP_LEN], want[INET_ADDRSTRLEN];
	uint8_t a[4];

	t_begin("IPv4 addresses print as inet_ntop prints them");
	for (int v = 0; v < 256; v++) {
		for (int i = 0; i < 4; i++)
			a[i] = (uint8_t)(v * (i + 1) + i);
		a[v % 4] = (uint8_t)v;
		inet_ntop(AF_INET, a, want, sizeof(want));
		t_check_str(addr_format_ip(buf, AF_INET, a), want);
	}
	t_end();
}

int main(void)
{
	formats();
	formats_ip4();
	return t_done();
}
