/* A device as config text, upstream's `showconf` output byte for byte (used
 * by `awg showconf` and by awg-quick's save). */
#ifndef AWGBOX_SHOWCONF_H
#define AWGBOX_SHOWCONF_H

#include <stdio.h>

#include "device.h"

void showconf_write(FILE *f, enum wg_flavor flavor, const struct wg_device *dev);
/* Its parts: the [Interface] section's settings (no section line), and one
 * [Peer] section; showconf_write() puts a blank line before each peer, and
 * after the settings when there is none. */
void showconf_interface(FILE *f, enum wg_flavor flavor, const struct wg_device *dev);
void showconf_peer(FILE *f, enum wg_flavor flavor, const struct wg_device *dev, const struct wg_peer *peer);

#endif
