/*
 * The seed's decision: AmneziaWG or standard WireGuard, kernel module or
 * userspace.  detect_decide() is the decision table alone, a pure function
 * of the facts gathered so far; it asks for the next fact it needs, so
 * facts are gathered only when they matter (and unit tests feed them
 * directly).  detect_run() gathers them for real, loads modules, and logs
 * each step through core/log, for awg-detect and awg-easy-init alike.
 */
#ifndef AWGBOX_DETECT_H
#define AWGBOX_DETECT_H

#include <limits.h>
#include <stdbool.h>

#include "module.h"

/* A fact is 0 while unknown, FACT_OK when it holds, -errno when not. */
#define FACT_OK 1

/*
 * What the decision rests on.  Only one module matters per run: amneziawg
 * in AmneziaWG mode, wireguard in standard WireGuard mode.
 */
struct detect_facts {
	/* the environment (NULL = unset) */
	const char *experimental;	/* EXPERIMENTAL_AWG */
	const char *override;		/* OVERRIDE_AUTO_AWG */
	bool no_load;			/* decide without loading anything */

	int state;		/* the module: enum module_state, 0 unknown */
	/* AmneziaWG only: the prebuilt module */
	int versions;		/* version file read (-errno: not) */
	const char *release;	/* uname -r */
	const char *prebuilt;	/* the version file's content, trimmed */
	int file;		/* module file read (-ENOENT: none found) */
	const char *vermagic;	/* its vermagic */
	/* loading it: FACT_OK, -EEXIST (loaded meanwhile), -errno */
	int load;
	int genl;		/* its generic netlink family after loading */

	/* the userspace implementation of the chosen mode */
	int userspace;		/* found (-ENOENT: not in PATH) */
	int tun;		/* /dev/net/tun opens */
};

enum detect_need {
	NEED_NOTHING,		/* decided */
	NEED_STATE, NEED_VERSIONS, NEED_FILE, NEED_LOAD, NEED_GENL,
	NEED_USERSPACE, NEED_TUN,
};

enum detect_mode { DETECT_WG, DETECT_AWG };
enum detect_impl { DETECT_NONE, DETECT_KERNEL, DETECT_USERSPACE };
/* how the mode was chosen */
enum detect_why { WHY_DISABLED, WHY_AUTO, WHY_FORCED_AWG, WHY_FORCED_WG, WHY_BAD_OVERRIDE };

struct detect_result {
	enum detect_mode mode;
	enum detect_why why;
	enum detect_impl impl;
	const char *reason;	/* short token: AWG_REASON */
	int status;		/* exit status: 0 usable, 1 nothing usable, 2 bad environment */
	char userspace[PATH_MAX];	/* the userspace binary, when impl is userspace */
};

enum detect_need detect_decide(const struct detect_facts *f, struct detect_result *r);

/* Where detect_run looks; NULL members take the defaults shown. */
struct detect_opts {
	const char *experimental, *override;	/* the environment's values */
	const char *module;		/* amneziawg module file: search /lib/modules */
	const char *version_file;	/* /etc/amneziawg-kernel-version.txt */
	const char *modules_root;	/* /lib/modules */
	const char *sysfs;		/* /sys */
	const char *release;		/* uname -r */
	const char *tun;		/* /dev/net/tun */
	const char *userspace;		/* $WG_QUICK_USERSPACE_IMPLEMENTATION: amneziawg-go / wireguard-go */
	const char *path;		/* $PATH for finding it */
	bool no_load;
};

/*
 * The options as awg-detect and awg-easy-init take them: each path from
 * flag[i] when set, else its environment variable (empty is unset), in
 * this order: module $AWG_MODULE, version_file $AWG_VERSION_FILE,
 * modules_root $AWG_MODULES_ROOT, sysfs $AWG_SYSFS_ROOT, release
 * $AWG_KERNEL_RELEASE, tun $AWG_TUN; and EXPERIMENTAL_AWG,
 * OVERRIDE_AUTO_AWG, WG_QUICK_USERSPACE_IMPLEMENTATION and PATH.
 */
#define DETECT_PATH_FLAGS 6
void detect_opts_from_env(struct detect_opts *o, const char *const flag[DETECT_PATH_FLAGS]);

/* Decide (and load, unless no_load), logging each step.  Returns the exit
 * status (also in r->status). */
int detect_run(const struct detect_opts *o, struct detect_result *r);

/* The prebuilt module is for this kernel: the version file says the release,
 * or the version the release begins with ("6.12.50" for "6.12.50-0-lts"). */
bool detect_release_matches(const char *release, const char *prebuilt);

/* The result as the KEY=value pairs awg-detect prints and awg-easy-init
 * exports; returns how many (at most DETECT_VARS_MAX). */
#define DETECT_VARS_MAX 8
int detect_vars(const struct detect_result *r, const char *keys[], const char *values[]);


#endif
