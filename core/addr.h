/* Text forms of addresses, byte for byte as the upstream tools print them
 * with glibc (musl's inet_ntop compresses IPv6 differently). */
#ifndef AWGBOX_ADDR_H
#define AWGBOX_ADDR_H

#include <stddef.h>

#include "device.h"

#define ADDR_IP_LEN 46		/* INET6_ADDRSTRLEN */
#define ADDR_ENDPOINT_LEN 96	/* "[" address "%" scope "]:" port */
#define ADDR_PREFIX_LEN (ADDR_IP_LEN + 4)	/* address "/" length */

/* family AF_INET or AF_INET6; returns buf. */
char *addr_format_ip(char buf[ADDR_IP_LEN], int family, const void *addr);
/* "10.0.0.0/8", "fd00::/64"; returns buf. */
char *addr_format_allowedip(char buf[ADDR_PREFIX_LEN], const struct wg_allowedip *a);
/* "1.2.3.4:51820", "[fd00::1]:51820", "[fe80::1%eth0]:51820"; "" if no endpoint. */
char *addr_format_endpoint(char buf[ADDR_ENDPOINT_LEN], const union wg_endpoint *ep);

#endif
