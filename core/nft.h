/*
 * The kernel's nf_tables tables, listed over NETLINK_NETFILTER (what
 * `nft list tables` prints), so that a caller can tell without running nft
 * whether there is anything for nft or iptables-save to find.
 */
#ifndef AWGBOX_NFT_H
#define AWGBOX_NFT_H

#include <stdint.h>

/* Called for each table: its family (NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET
 * ...) and name; a non-zero return stops the walk and is returned. */
typedef int (*nft_table_fn)(uint8_t family, const char *name, void *data);

/* Every table of every family: 0, the callback's value, or -errno (e.g.
 * -EPROTONOSUPPORT when the kernel has no nfnetlink, -EPERM without
 * CAP_NET_ADMIN, -EBADMSG for a table message without a name). */
int nft_list_tables(nft_table_fn fn, void *data);

#endif
