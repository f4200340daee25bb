#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "genl_wg.h"
#include "ipc.h"
#include "uapi.h"

static const char *const awg_dirs[] = { UAPI_DIR_AWG, UAPI_DIR_WG, NULL };
static const char *const wg_dirs[] = { UAPI_DIR_WG, NULL };

static const char *const *socket_dirs(enum wg_flavor flavor)
{
	return flavor == FLAVOR_AWG ? awg_dirs : wg_dirs;
}

/* The directory whose socket for name answers, or NULL. */
static const char *userspace_dir(enum wg_flavor flavor, const char *name)
{
	for (const char *const *d = socket_dirs(flavor); *d; d++)
		if (uapi_has_device(*d, name))
			return *d;
	return NULL;
}

int ipc_list_devices(enum wg_flavor flavor, struct strlist *out)
{
	int ret = genl_wg_list_devices(flavor, out);

	for (const char *const *d = socket_dirs(flavor); *d && !ret; d++)
		ret = uapi_list_devices(*d, out);
	if (ret < 0)
		strlist_free(out);
	return ret;
}

static int get(enum wg_flavor flavor, const char *name, bool one_peer, device_peer_fn *fn, void *data,
	       struct wg_device **out)
{
	const char *dir = userspace_dir(flavor, name);
	struct wg_device *dev;
	int ret;

	*out = NULL;
	if (strlen(name) >= WG_IFNAMSIZ)
		return -ENAMETOOLONG;
	dev = device_new();
	if (!dev)
		return -ENOMEM;
	strcpy(dev->name, name);
	dev->one_peer = one_peer;
	dev->peer_fn = fn;
	dev->peer_data = data;
	ret = dir ? uapi_get_device(dir, dev) : genl_wg_get_device(flavor, dev);
	if (ret >= 0 || dev->peer_err)
		ret = device_end_peers(dev);
	if (ret < 0) {
		device_free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

int ipc_get_device(enum wg_flavor flavor, const char *name, struct wg_device **out)
{
	return get(flavor, name, false, NULL, NULL, out);
}

int ipc_get_peers(enum wg_flavor flavor, const char *name, device_peer_fn *fn, void *data,
		  struct wg_device **out)
{
	return get(flavor, name, true, fn, data, out);
}

int ipc_set_device(enum wg_flavor flavor, const struct wg_device *dev, char why[IPC_WHY_LEN])
{
	const char *dir = userspace_dir(flavor, dev->name);
	const struct wg_peer *peer;

	why[0] = '\0';
	if (!dir)
		return genl_wg_set_device(flavor, dev, why, IPC_WHY_LEN);
	/* the socket protocol has no AdvancedSecurity (upstream sends part of
	 * the request before it notices; we refuse before sending anything) */
	device_for_each_peer(dev, peer)
		if (peer->flags & WGPEER_HAS_ADVANCED_SECURITY) {
			snprintf(why, IPC_WHY_LEN, "AdvancedSecurity: not supported by userspace implementations");
			return -EINVAL;
		}
	/* wireguard-go applies a request line by line and stops at the first
	 * key it does not know: AmneziaWG settings would leave it half set */
	if (!strcmp(dir, UAPI_DIR_WG) && (dev->has & WGF_AWG_MASK)) {
		snprintf(why, IPC_WHY_LEN, "AmneziaWG settings: %s is a WireGuard, not an AmneziaWG, "
			 "userspace device", dev->name);
		return -EOPNOTSUPP;
	}
	return uapi_set_device(dir, flavor, dev);
}
