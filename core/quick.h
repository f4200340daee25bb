/*
 * awg-quick / wg-quick: up, down, save and strip of an interface from its
 * config file (upstream's bash scripts, done in-process; see quick.c).
 */
#ifndef AWGBOX_QUICK_H
#define AWGBOX_QUICK_H

#include <stdio.h>

#include "device.h"

enum quick_cmd { QUICK_UP, QUICK_DOWN, QUICK_SAVE, QUICK_STRIP };

struct quick_opts {
	enum wg_flavor flavor;
	/* every "[#] ..." line and every message, without '\n' */
	void (*say)(void *data, const char *line);
	void *say_data;
	/* a signal number when the caller wants `up` to stop (and undo), else
	 * 0; checked between steps.  NULL: never. */
	int (*interrupted)(void *data);
};

/* Run cmd for a config file or interface name.  0, or -1 once the failure
 * has been said; a failed up has undone what it did.  strip writes to out. */
int quick_run(enum quick_cmd cmd, const char *name_or_path, const struct quick_opts *o, FILE *out);

/* A say() writing each line to stderr with one write(2). */
void quick_say_stderr(void *data, const char *line);

#endif
