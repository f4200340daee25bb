/*
 * awg-quick / wg-quick config files: the name-or-path rules, the [Interface]
 * keys the quick tool handles itself (Address, DNS, MTU, Table, PreUp,
 * PostUp, PreDown, PostDown, SaveConfig), and everything else passed through
 * for setconf -- read exactly as upstream's bash script reads it (`read -r`,
 * text after '#' dropped, keys case-insensitive).
 */
#ifndef AWGBOX_QUICK_CONF_H
#define AWGBOX_QUICK_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "device.h"

struct strvec {
	char **v;
	size_t n;
};

struct quick_conf {
	char ifname[WG_IFNAMSIZ];
	char path[PATH_MAX];		/* resolved config file */
	bool world_accessible;		/* upstream warns about it */
	struct strvec addresses, dns, dns_search;
	struct strvec pre_up, post_up, pre_down, post_down;
	char *mtu, *table;		/* NULL or "" when not given */
	bool save_config;
	/* the file (a regular one), open for the second pass over its wg
	 * lines, and its size and time then */
	int fd;
	bool fd_open;
	struct stat st;
};

struct quick_error {
	unsigned long line;		/* 0: not about a line */
	char msg[PATH_MAX + 64];
};

/* The config file for an interface name or a path (upstream's rules; the awg
 * flavour looks in /etc/amnezia/amneziawg, then /etc/wireguard).  -ENOENT,
 * -EINVAL with err->msg. */
int quick_conf_load(const char *name_or_path, enum wg_flavor flavor, struct quick_conf *qc,
		    struct quick_error *err);
void quick_conf_free(struct quick_conf *qc);
/* The reading part alone, from an open file (qc zeroed by the caller): the
 * quick keys into qc, every other line checked only as upstream checks it. */
int quick_conf_parse_fd(int fd, struct quick_conf *qc, struct quick_error *err);

/*
 * The second pass over a loaded config: every line that is not a quick key
 * (the config upstream hands to `wg setconf`), without its outer blanks and
 * numbered as in the file, to pass(); a negative return stops it and is
 * returned.  -ESTALE with err->msg if the file changed since it was loaded.
 * Keeping only the file open, not its text, lets a 10 000-peer config go
 * straight into the device model.
 */
typedef int quick_pass_fn(void *data, const char *line, size_t len, unsigned long lineno);
int quick_conf_pass(struct quick_conf *qc, quick_pass_fn *pass, void *data, struct quick_error *err);

/* Is s a valid interface name for the quick tools ([a-zA-Z0-9_=+.-]{1,15})? */
bool quick_valid_ifname(const char *s, size_t len);

int strvec_add(struct strvec *v, const char *s, size_t len);
void strvec_free(struct strvec *v);

#endif
