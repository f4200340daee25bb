#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* v in decimal or hex at p; returns the end.  (sprintf for each group was
 * most of the cost of formatting, and so of a 10 000-peer dump.) */
static char *put_uint(char *p, unsigned int v, unsigned int base)
{
	char digits[8];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

static char *put_ip4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_uint(p, a[i], 10);
	}
	*p = '\0';
	return p;
}

/*
 * glibc's IPv6 text form: the longest run of two or more zero groups (the
 * first one on a tie) becomes "::", and an address whose first 96 bits are
 * zero (except :: and ::1 forms with a non-zero group 6) or are ::ffff:0:0/96
 * ends in dotted IPv4.
 */
static char *format_ip6(char *buf, const uint8_t a[16])
{
	unsigned int w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	char *p = buf;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (cur < 0)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			put_ip4(p, a + 12);
			return buf;
		}
		p = put_uint(p, w[i], 16);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
	return buf;
}

char *addr_format_ip(char buf[ADDR_IP_LEN], int family, const void *addr)
{
	const uint8_t *a = addr;

	if (family == AF_INET6)
		return format_ip6(buf, a);
	put_ip4(buf, a);
	return buf;
}

char *addr_format_allowedip(char buf[ADDR_PREFIX_LEN], const struct wg_allowedip *a)
{
	char *p = addr_format_ip(buf, a->family, &a->ip6);

	p += strlen(p);
	*p++ = '/';
	*put_uint(p, a->cidr, 10) = '\0';
	return buf;
}

char *addr_format_endpoint(char buf[ADDR_ENDPOINT_LEN], const union wg_endpoint *ep)
{
	char ip[ADDR_IP_LEN], scope[IF_NAMESIZE + 12] = "";

	if (ep->sa.sa_family == AF_INET) {
		addr_format_ip(ip, AF_INET, &ep->sin.sin_addr);
		snprintf(buf, ADDR_ENDPOINT_LEN, "%s:%u", ip, ntohs(ep->sin.sin_port));
	} else if (ep->sa.sa_family == AF_INET6) {
		const struct in6_addr *a = &ep->sin6.sin6_addr;
		uint32_t id = ep->sin6.sin6_scope_id;

		addr_format_ip(ip, AF_INET6, a);
		/* getnameinfo: link-local scopes by interface name when known */
		if (id) {
			char name[IF_NAMESIZE];

			if ((IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a)) &&
			    if_indextoname(id, name))
				snprintf(scope, sizeof(scope), "%%%s", name);
			else
				snprintf(scope, sizeof(scope), "%%%u", id);
		}
		snprintf(buf, ADDR_ENDPOINT_LEN, "[%s%s]:%u", ip, scope, ntohs(ep->sin6.sin6_port));
	} else {
		buf[0] = '\0';
	}
	return buf;
}
