/* What every applet gets from the dispatcher (applets/awgbox.c). */
#ifndef AWGBOX_APPLET_H
#define AWGBOX_APPLET_H

#include "autoconf.h"
#include "applets.h"	/* generated: prototypes of the applet mains */

/* Name the applet runs as: basename of argv[0], or the name after "awgbox". */
extern const char *applet_name;

#define APPLET_SELF_HELP 1	/* applet handles --help/--version itself */

/* "awgbox v0.1.0" */
#define AWGBOX_BANNER "awgbox v" AWGBOX_VERSION

#endif
