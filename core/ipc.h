/*
 * Device access by name, whatever implements it: a userspace implementation's
 * socket when one answers (as upstream, it wins), else the kernel's generic
 * netlink family of the link.  Listing merges kernel links and sockets.
 *
 * The awg flavour sees everything: amneziawg and wireguard kernel links and
 * sockets in /var/run/amneziawg and /var/run/wireguard.  The wg flavour sees
 * what Debian's wg sees: wireguard links and /var/run/wireguard.
 */
#ifndef AWGBOX_IPC_H
#define AWGBOX_IPC_H

#include "device.h"
#include "strlist.h"

int ipc_list_devices(enum wg_flavor flavor, struct strlist *out);
/* -ENODEV when there is no such device. */
int ipc_get_device(enum wg_flavor flavor, const char *name, struct wg_device **out);
/* The same, holding one peer at a time (wg_device.one_peer): fn (when not
 * NULL) sees each peer in turn, and *out keeps the device's fields, its
 * last peer and every allowed IP.  fn's negative return fails it. */
int ipc_get_peers(enum wg_flavor flavor, const char *name, device_peer_fn *fn, void *data,
		  struct wg_device **out);
/* On failure why may hold a sentence saying which setting was refused
 * before anything was sent (else it is empty). */
#define IPC_WHY_LEN 256
int ipc_set_device(enum wg_flavor flavor, const struct wg_device *dev, char why[IPC_WHY_LEN]);

#endif
