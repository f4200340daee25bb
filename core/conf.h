/*
 * Config files (setconf/addconf/syncconf) and `set` arguments -> device model,
 * accepting exactly what upstream accepts: amneziawg-tools 3.1 for the awg
 * flavour, wireguard-tools 1.0.20210914 (Debian 12's wg) for the wg flavour.
 * See docs/design.md for why this is not built on minIni.
 */
#ifndef AWGBOX_CONF_H
#define AWGBOX_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "device.h"

/* Longest config line we read; upstream has no bound (getline). */
#define CONF_LINE_MAX 65536

struct conf_error {
	unsigned long line;	/* 0: not from a file (command line) */
	char key[32];		/* the key or `set` token, "" when none applies */
	char msg[320];		/* upstream's text where upstream has one */
};

/* Called for each warning (e.g. an allowed IP with a non-zero host part). */
typedef void conf_warn_fn(void *data, unsigned long line, const char *msg);

struct conf_opts {
	enum wg_flavor flavor;
	bool append;		/* addconf: no replace-peers, no implied key/fwmark */
	conf_warn_fn *warn;
	void *warn_data;
};

/*
 * Parse a whole config from fd, one pass.  On success *out is a new device
 * (name not set) and 0 is returned; otherwise -EINVAL with err filled (or
 * another -errno for read errors, err->msg saying what), and nothing is
 * allocated.  As upstream, setconf/syncconf imply PrivateKey and FwMark
 * (zero when absent) and replace-peers; addconf does not.
 */
int conf_parse_fd(int fd, const struct conf_opts *opts, struct wg_device **out,
		  struct conf_error *err);

/* The same for a config already in memory (awg-quick's stripped config). */
int conf_parse_text(const char *text, size_t len, const struct conf_opts *opts,
		    struct wg_device **out, struct conf_error *err);

/*
 * The same, fed one line at a time (awg-quick passes its config's wg lines
 * straight from the file, numbered as there).  conf_stream_line(): one raw
 * line without its '\n'; -EINVAL (or -ENOMEM) with err filled.
 * conf_stream_end(): with ret 0 finishes the parse and hands the device over
 * as conf_parse_fd() does; with ret < 0 abandons it; either way frees s.
 */
struct conf_stream;
int conf_stream_new(struct conf_stream **s, const struct conf_opts *opts, struct conf_error *err);
int conf_stream_line(struct conf_stream *s, const char *line, size_t len, unsigned long lineno);
int conf_stream_end(struct conf_stream *s, int ret, struct wg_device **out);

/* Parse `set IF ARGS...` arguments (argv after the interface name). */
int conf_parse_args(int argc, char **argv, const struct conf_opts *opts,
		    struct wg_device **out, struct conf_error *err);

#endif
