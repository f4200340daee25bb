/*
 * Kernel devices over generic netlink: the `amneziawg` family (AmneziaWG
 * module, versions 1-3) and the `wireguard` family (mainline).  The link kind
 * of the interface picks the family; the wg flavour knows only wireguard.
 */
#ifndef AWGBOX_GENL_WG_H
#define AWGBOX_GENL_WG_H

#include <stdint.h>

#include "device.h"

/* Read the device dev->name names into dev (new, from device_new()): 0;
 * -ENODEV no such device, -EOPNOTSUPP not a WireGuard device,
 * -EPROTONOSUPPORT no WireGuard family in the kernel, other -errno. */
int genl_wg_get_device(enum wg_flavor flavor, struct wg_device *dev);
/* As above; also -EOPNOTSUPP with why saying which setting the device's
 * family cannot take (an older AmneziaWG module, or AmneziaWG settings for a
 * plain WireGuard device), found before anything is sent. */
int genl_wg_set_device(enum wg_flavor flavor, const struct wg_device *dev, char *why, size_t why_len);

struct strlist;
/* Append the kernel's WireGuard links (amneziawg and wireguard kinds for
 * awg, wireguard for wg), in the kernel's order. */
int genl_wg_list_devices(enum wg_flavor flavor, struct strlist *list);

/* Parse GET_DEVICE dump messages in buf into dev (for fuzzing and tests). */
int genl_wg_parse_dump(const void *buf, size_t len, struct wg_device *dev);

/*
 * The SET_DEVICE messages for dev as a family of this name, version and
 * highest attribute would get them, each handed to emit (for tests: the
 * encodings by version, the refusals, the fragmentation).  The messages are
 * SET_MSG_SIZE bytes at most.
 */
#define GENL_WG_SET_MSG_SIZE 32768u
struct nlmsghdr;
int genl_wg_set_messages(const char *family, uint8_t version, uint32_t maxattr,
			 const struct wg_device *dev, char *why, size_t why_len,
			 int (*emit)(struct nlmsghdr *nlh, void *data), void *data);

#endif
