/*
 * The userspace implementations' control socket (amneziawg-go, wireguard-go):
 * DIR/NAME.sock, a stream of "key=value" lines, a blank line ending each
 * transaction, "errno=N" in every reply.
 */
#ifndef AWGBOX_UAPI_H
#define AWGBOX_UAPI_H

#include <stdbool.h>

#include "device.h"

#define UAPI_DIR_AWG "/var/run/amneziawg"
#define UAPI_DIR_WG "/var/run/wireguard"

struct strlist;

/* Is there a live socket for name in dir?  A stale one (connection
 * refused) is removed, as upstream does. */
bool uapi_has_device(const char *dir, const char *name);
/* Append the names of live sockets in dir (directory order).  A missing dir
 * is no error. */
int uapi_list_devices(const char *dir, struct strlist *list);
/* Read the device dev->name names into dev (new, from device_new()): 0, or
 * -errno: the socket's errors, -EPROTO for a malformed reply, or the
 * implementation's own errno=N. */
int uapi_get_device(const char *dir, struct wg_device *dev);
/* Read a `get` reply from fd into dev (for uapi_get_device, and fuzzing). */
int uapi_read_device(int fd, struct wg_device *dev);
int uapi_set_device(const char *dir, enum wg_flavor flavor, const struct wg_device *dev);

#endif
