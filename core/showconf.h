/* A device as config text, upstream's `showconf` output byte for byte (used
 * by `awg showconf` and by awg-quick's save). */
#ifndef AWGBOX_SHOWCONF_H
#define AWGBOX_SHOWCONF_H

#include <stdio.h>

#include "device.h"

void showconf_write(FILE *f, enum wg_flavor flavor, const struct wg_device *dev);

#endif
