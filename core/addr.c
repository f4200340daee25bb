#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

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
			p += sprintf(p, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			break;
		}
		p += sprintf(p, "%x", w[i]);
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
	sprintf(buf, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
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
