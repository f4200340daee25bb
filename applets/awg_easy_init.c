/*
 * awg-easy-init: PID 1 of an awg-easy (or FROM scratch) container.  Stage 1
 * decides AmneziaWG or WireGuard and loads the module (awg-detect's
 * core/detect, the same log lines), stage 2 prepares the container, stage
 * 3 supervises the command the way tini and dumb-init do: it runs in its
 * own session, signals go to its process group, every zombie is reaped,
 * and we exit with its status.  Without a command it holds the tunnels of
 * the config directory up (core/quick) until told to stop.
 */
//config:config AWG_EASY_INIT
//config:	bool "awg-easy-init: PID 1 for awg-easy and scratch images"
//config:	default y
//config:	help
//config:	  Replaces dumb-init/tini and the entrypoint glue of the awg-easy
//config:	  image: AmneziaWG detection and module loading, the AmneziaWG
//config:	  directories, supervision of the command as PID 1 (signal
//config:	  forwarding, zombie reaping), a standalone mode holding every
//config:	  tunnel of /etc/wireguard up, and a healthcheck.
//config:
//applet:awg-easy-init AWG_EASY_INIT awg_easy_init_main
//usage:awg-easy-init [OPTIONS] [--] [CMD [ARGS...]]
//usage:awg-easy-init    or: awg-easy-init [--config-dir DIR] healthcheck|--healthcheck [IF]
//usage:awg-easy-init
//usage:awg-easy-init PID 1 of a container.  1. Detect and load as awg-detect does (same log,
//usage:awg-easy-init same AWG_* variables and path options); a bad OVERRIDE_AUTO_AWG exits 2.
//usage:awg-easy-init 2. Prepare: umask 077, /var/run/{amneziawg,wireguard} 0700,
//usage:awg-easy-init /etc/amnezia/amneziawg -> /etc/wireguard when absent.  3. Run CMD with
//usage:awg-easy-init the decision exported (AWG_MODE AWG_IMPL AWG_REASON AWG_TOOL AWG_QUICK,
//usage:awg-easy-init OVERRIDE_AUTO_AWG=awg|wg, WG_QUICK_USERSPACE_IMPLEMENTATION) in its own
//usage:awg-easy-init session: TERM INT HUP QUIT USR1 USR2 WINCH go to its process group, zombies
//usage:awg-easy-init are reaped, its exit status is ours (128+N for signal N, 126/127 when it
//usage:awg-easy-init cannot run).  Without CMD: bring up every *.conf of the config directory
//usage:awg-easy-init in name order until SIGTERM/SIGINT, then down in reverse order.
//usage:awg-easy-init
//usage:awg-easy-init   --config-dir DIR        *.conf for standalone and healthcheck (/etc/wireguard)
//usage:awg-easy-init   --down-on-exit IF[,IF]  after CMD exits, awg-quick down IF (else delete it)
//usage:awg-easy-init   --healthcheck [IF]      exit 0 when IF (default: all interfaces and configs)
//usage:awg-easy-init                           is up with a private key, else 1 and why
//usage:awg-easy-init   --no-detect             skip stage 1      --no-load   do not load modules
//usage:awg-easy-init   --module FILE --version-file FILE --modules-root DIR --sysfs-root DIR
//usage:awg-easy-init   --kernel-release REL --tun FILE    as awg-detect
//usage:awg-easy-init   --root DIR              prepare below DIR (tests)

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"
#include "detect.h"
#include "errtext.h"
#include "ipc.h"
#include "log.h"
#include "opt.h"
#include "proc.h"
#include "quick.h"
#include "quick_conf.h"
#include "rtnl.h"

/* Options.  The short letters of the detection paths are awg-detect's; the
 * others are ours only: the long names are the interface. */
static const char opt_spec[] = "r:C:D:m:f:d:s:k:t:HNn";
static const struct opt_long opt_longs[] = {
	{ "root", 'r' }, { "config-dir", 'C' }, { "down-on-exit", 'D' },
	{ "module", 'm' }, { "version-file", 'f' }, { "modules-root", 'd' },
	{ "sysfs-root", 's' }, { "kernel-release", 'k' }, { "tun", 't' },
	{ "healthcheck", 'H' }, { "no-detect", 'N' }, { "no-load", 'n' },
	{ NULL, 0 },
};
enum {
	OPT_ROOT = 1 << 0, OPT_CONFIG_DIR = 1 << 1, OPT_DOWN = 1 << 2,
	/* bits and args 3-8: the detection paths, detect_opts_from_env()'s order */
	OPT_HEALTHCHECK = 1 << 9, OPT_NO_DETECT = 1 << 10, OPT_NO_LOAD = 1 << 11,
};
enum { ARG_ROOT, ARG_CONFIG_DIR, ARG_DOWN, ARG_DETECT, N_ARGS = ARG_DETECT + DETECT_PATH_FLAGS };

#define DEFAULT_CONFIG_DIR "/etc/wireguard"
/* how long a userspace implementation gets to go once its link is gone */
#define DRAIN_MS 3000

/* The signals a container runtime or a terminal sends to stop, reload or
 * resize the workload. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

extern char **environ;

/* ---- stage 1: detection ------------------------------------------------------------- */

/* The decision into our environment, so that the command, awg-quick's
 * hooks and the userspace implementation it starts all see it. */
static int export_decision(const struct detect_result *r)
{
	const char *keys[DETECT_VARS_MAX], *values[DETECT_VARS_MAX];
	char *set[DETECT_VARS_MAX + 1], **env;
	int n = detect_vars(r, keys, values), ret;

	for (int i = 0; i < n; i++) {
		size_t len = strlen(keys[i]) + strlen(values[i]) + 2;

		set[i] = malloc(len);
		if (!set[i])
			return -ENOMEM;
		snprintf(set[i], len, "%s=%s", keys[i], values[i]);
	}
	set[n] = NULL;
	ret = proc_env_build(&env, environ, set);
	if (ret < 0)
		return ret;
	environ = env;	/* lives as long as we do */
	return 0;
}

/*
 * Stage 1: decide and load as awg-detect does, and export the decision.
 * Returns awg-detect's status (2: a bad environment, 1: nothing usable),
 * with the flavour of awg-quick that the decided mode calls for.  With
 * --no-detect only the flavour is decided, from the environment alone.
 */
static int detect(long opts, const char *const paths[DETECT_PATH_FLAGS], enum wg_flavor *flavor)
{
	struct detect_opts o;
	struct detect_result r;
	int status, ret;

	detect_opts_from_env(&o, paths);
	if (opts & OPT_NO_DETECT) {
		struct detect_facts f = { .experimental = o.experimental, .override = o.override };

		detect_decide(&f, &r);
		*flavor = r.mode == DETECT_AWG ? FLAVOR_AWG : FLAVOR_WG;
		return 0;
	}
	o.no_load = opts & OPT_NO_LOAD;
	status = detect_run(&o, &r);
	*flavor = r.mode == DETECT_AWG ? FLAVOR_AWG : FLAVOR_WG;
	if (status == 2)
		return status;
	ret = export_decision(&r);
	if (ret < 0) {
		log_line("cannot export the decision: %s", err_text(-ret));
		return 2;
	}
	return status;
}

/* ---- stage 2: prepare ----------------------------------------------------------------- */

/* mkdir() with exactly mode: umask 077 must not make /var or /var/run
 * private. */
static int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0)
		return -errno;
	return chmod(path, mode) < 0 ? -errno : 0;
}

/* mkdir -p: the missing parents of path 0755, path itself mode. */
static int make_dir(char *path, mode_t mode)
{
	struct stat st;
	int r;

	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		r = mkdir_mode(path, 0755);
		*p = '/';
		if (r < 0 && r != -EEXIST)
			return r;	/* say why, not "No such file or directory" */
	}
	r = mkdir_mode(path, mode);
	if (r != -EEXIST)
		return r;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static void prepare_run_dir(const char *root, const char *dir)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	r = make_dir(path, 0700);
	if (r < 0)
		log_line("warning: %s: %s", path, err_text(-r));
}

/* awg-quick looks in /etc/amnezia/amneziawg, awg-easy keeps its files in
 * /etc/wireguard (the volume): make one the other, unless the image or
 * the user put something there already. */
static void prepare_config_link(const char *root)
{
	char path[PATH_MAX];
	struct stat st;
	int r = 0;

	snprintf(path, sizeof(path), "%s/etc/amnezia/amneziawg", root);
	if (lstat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
			log_line("warning: %s: not a directory or link; left as it is", path);
		return;
	}
	if (errno == ENOENT) {
		*strrchr(path, '/') = '\0';
		r = make_dir(path, 0755);
		path[strlen(path)] = '/';
		if (r == 0 && symlink("/etc/wireguard", path) < 0 && errno != EEXIST)
			r = -errno;
	} else {
		r = -errno;
	}
	if (r < 0)
		log_line("warning: %s -> /etc/wireguard: %s", path, err_text(-r));
}

/*
 * Stage 2.  A failure here is logged and the command still runs: with a
 * read-only root or an unusual image it may not need what we could not
 * make, and it reports its own errors best.
 */
static void prepare(const char *root)
{
	umask(077);
	prepare_run_dir(root, "/var/run/amneziawg");
	prepare_run_dir(root, "/var/run/wireguard");
	prepare_config_link(root);
}

/* ---- interfaces: awg-quick in-process, the healthcheck ----------------------------------- */

static void say_log(void *data, const char *line)
{
	log_line("%s", line);
}

/* A stop signal is waiting (PID 1 has them blocked): `up` stops and undoes
 * what it did. */
static int stop_pending(void *data)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	return sigismember(&pending, SIGTERM) ? SIGTERM : sigismember(&pending, SIGINT) ? SIGINT : 0;
}

static int is_conf(const struct dirent *de)
{
	size_t len = strlen(de->d_name);

	return len > 5 && !strcmp(de->d_name + len - 5, ".conf");
}

/* The *.conf entries of dir, sorted by name (C locale); -errno. */
static int list_configs(const char *dir, struct dirent ***list)
{
	int n = scandir(dir, list, is_conf, alphasort);

	return n < 0 ? -errno : n;
}

static void free_configs(struct dirent **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static bool is_device(const char *name)
{
	struct strlist names = { 0 };
	bool found = ipc_list_devices(FLAVOR_AWG, &names) == 0 && strlist_contains(&names, name);

	strlist_free(&names);
	return found;
}

/* Healthy: the link exists and is up, and the device answers with a
 * private key.  Else false, with the reason in why. */
static bool healthy(struct nl *nl, const char *name, char *why, size_t len)
{
	struct rtnl_link link;
	struct wg_device *d;
	bool key;
	int ret = rtnl_link_get(nl, name, &link);

	if (ret < 0) {
		snprintf(why, len, "%s: %s", name, ret == -ENODEV ? "no such interface" : err_text(-ret));
		return false;
	}
	if (!(link.flags & IFF_UP)) {
		snprintf(why, len, "%s: interface is down", name);
		return false;
	}
	ret = ipc_get_device(FLAVOR_AWG, name, &d);
	if (ret == -ENODEV || ret == -EOPNOTSUPP || ret == -EPROTONOSUPPORT) {
		/* no socket answers, and no kernel family or not its link */
		snprintf(why, len, "%s: not a WireGuard or AmneziaWG device", name);
		return false;
	}
	if (ret < 0) {
		snprintf(why, len, "%s: cannot read the device: %s", name, err_text(-ret));
		return false;
	}
	key = (d->has & WGF_BIT(WGF_PRIVATE_KEY)) && !key_is_zero(d->private_key);
	device_free(d);
	if (!key)
		snprintf(why, len, "%s: no private key", name);
	return key;
}

/*
 * --healthcheck: a HEALTHCHECK for both modes, in-process (no programs
 * run).  Without IF every device found and every config's interface must
 * be healthy: a config that standalone mode failed to bring up counts,
 * though this process cannot know of that failure but by its absence.
 */
static int healthcheck(const char *ifname, const char *config_dir)
{
	struct strlist names = { 0 };
	struct dirent **confs = NULL;
	char why[IFNAMSIZ + 256] = "";
	const char *name;
	struct nl nl;
	int n = 0, ret = nl_open(&nl, NETLINK_ROUTE);

	if (ret < 0) {
		log_line("unhealthy: netlink: %s", err_text(-ret));
		return 1;
	}
	if (ifname) {
		ret = healthy(&nl, ifname, why, sizeof(why)) ? 0 : 1;
		goto out;
	}
	ret = ipc_list_devices(FLAVOR_AWG, &names);
	if (ret < 0) {
		snprintf(why, sizeof(why), "cannot list interfaces: %s", err_text(-ret));
		goto out;
	}
	n = list_configs(config_dir, &confs);
	if (n == -ENOENT) {
		n = 0;
	} else if (n < 0) {
		snprintf(why, sizeof(why), "%s: %s", config_dir, err_text(-n));
		n = 0;
		ret = -1;
		goto out;
	}
	for (int i = 0; i < n && !ret; i++) {
		confs[i]->d_name[strlen(confs[i]->d_name) - 5] = '\0';
		if (!strlist_contains(&names, confs[i]->d_name))
			ret = strlist_add(&names, confs[i]->d_name);
	}
	if (ret < 0) {
		snprintf(why, sizeof(why), "%s", err_text(-ret));
		goto out;
	}
	ret = 1;
	strlist_for_each(&names, name) {
		ret = healthy(&nl, name, why, sizeof(why)) ? 0 : 1;
		if (ret)
			break;
	}
	if (!names.len)
		snprintf(why, sizeof(why), "no WireGuard or AmneziaWG interface and no config in %s",
			 config_dir);
out:
	nl_close(&nl);
	strlist_free(&names);
	free_configs(confs, n);
	if (ret)
		log_line("unhealthy: %s", why);
	return ret ? 1 : 0;
}

/* ---- stage 3: supervise, or hold the tunnels up ---------------------------------------- */

static int usage(void)
{
	log_line("usage: awg-easy-init [OPTIONS] [--] [CMD [ARGS...]]  (--help for more)");
	return 2;
}

/* Start the command and supervise it until it exits.  Returns our exit
 * status. */
static int supervise(struct proc_sup *sup, char **cmd)
{
	struct proc_spec spec = {
		.argv = cmd,
		.envp = environ,
		.sigmask = &sup->child_mask,
		.flags = PROC_SETSID | PROC_DEFAULT_SIGNALS,
	};
	pid_t pid;
	int r = proc_sup_release_tty(sup);

	/* docker run -t: the command gets the terminal (and job control) */
	if (r > 0)
		spec.flags |= PROC_TTY;
	else if (r < 0)
		log_line("warning: cannot hand the terminal to %s: %s", cmd[0], err_text(-r));
	r = proc_spawn(&spec, &pid);
	if (r < 0 && pid == 0) {
		log_line("cannot run %s: %s", cmd[0], err_text(-r));
		return proc_exec_exit_code(r);
	}
	if (r < 0) {
		log_line("cannot start %s: %s", cmd[0], err_text(-r));
		return 1;
	}
	sup->child = sup->pgid = pid;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&sup->forward, forwarded[i]);
	r = proc_sup_run(sup);
	if (r < 0) {
		/* sigwaitinfo() failed: only a bug can get here */
		log_line("supervising %s: %s", cmd[0], err_text(-r));
		return 1;
	}
	return proc_exit_code(sup->status);
}

/* Wait for those that go with the links (userspace implementations). */
static void drain(struct proc_sup *sup)
{
	if (proc_sup_drain(sup, DRAIN_MS) == -ETIMEDOUT)
		log_line("processes still running after %d ms; they are left to the kernel", DRAIN_MS);
}

/*
 * awg-quick down; when that fails (no config any more, a bad one, a
 * failing hook) the link alone is deleted, so that nothing stays up.
 * -1 when awg-quick failed.
 */
static int bring_down(const char *conf, const char *ifname, const struct quick_opts *q)
{
	struct rtnl_link link;
	struct nl nl;
	int ret;

	if (quick_run(QUICK_DOWN, conf, q, NULL) == 0)
		return 0;
	if (!is_device(ifname))
		return -1;
	log_line("%s: deleting the link alone", ifname);
	log_line("[#] ip link delete dev %s", ifname);
	ret = nl_open(&nl, NETLINK_ROUTE);
	if (ret == 0) {
		ret = rtnl_link_get(&nl, ifname, &link);
		if (ret == 0)
			ret = rtnl_link_del(&nl, link.ifindex);
		nl_close(&nl);
	}
	if (ret < 0)
		log_line("%s: %s", ifname, err_text(-ret));
	return -1;
}

/* --down-on-exit: what the command left up goes down. */
static void down_on_exit(struct proc_sup *sup, char *list, const struct quick_opts *q)
{
	bool any = false;

	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		if (!is_device(name)) {
			log_line("--down-on-exit %s: not up", name);
			continue;
		}
		any = true;
		log_line("--down-on-exit %s: bringing it down", name);
		bring_down(name, name, q);
	}
	if (any)
		drain(sup);
}

/*
 * Standalone mode: every *.conf of dir up, in name order; then wait for
 * SIGTERM or SIGINT and bring them down in reverse order.  A stop signal
 * during `up` stops it (awg-quick undoes what it did) and goes straight
 * to bringing down what is up.
 */
static int standalone(struct proc_sup *sup, const char *dir, const struct quick_opts *q)
{
	struct dirent **confs;
	char path[PATH_MAX];
	int n = list_configs(dir, &confs), up = 0, sig = 0, ret = 0;
	bool *is_up;

	if (n <= 0) {
		log_line("standalone: %s: %s", dir, n ? err_text(-n) : "no *.conf: nothing to bring up");
		return 1;
	}
	is_up = calloc(n, sizeof(*is_up));
	if (!is_up) {
		free_configs(confs, n);
		log_line("standalone: %s", err_text(ENOMEM));
		return 1;
	}
	for (int i = 0; i < n && !sig; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, confs[i]->d_name);
		log_line("standalone: bringing up %s", path);
		is_up[i] = quick_run(QUICK_UP, path, q, NULL) == 0;
		up += is_up[i];
		if (!is_up[i])
			log_line("standalone: %s failed to come up%s", path,
				 i + 1 < n || up ? "; the others stay up" : "");
		sig = stop_pending(NULL);
	}
	if (!up && !sig) {
		log_line("standalone: no interface came up");
		ret = 1;
	} else if (!sig) {
		log_line("standalone: %d of %d up; SIGTERM or SIGINT brings them down", up, n);
		sigaddset(&sup->stop, SIGTERM);
		sigaddset(&sup->stop, SIGINT);
		sig = proc_sup_run(sup);
		if (sig < 0) {
			log_line("standalone: waiting for a signal: %s", err_text(-sig));
			sig = 0;
		}
	}
	if (sig)
		log_line("standalone: %s: bringing %d interface%s down", sig == SIGINT ? "SIGINT" : "SIGTERM",
			 up, up == 1 ? "" : "s");
	for (int i = n - 1; i >= 0; i--) {
		if (!is_up[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, confs[i]->d_name);
		confs[i]->d_name[strlen(confs[i]->d_name) - 5] = '\0';
		if (bring_down(path, confs[i]->d_name, q) < 0) {
			log_line("standalone: %s failed to come down", path);
			ret = 1;
		}
	}
	free(is_up);
	free_configs(confs, n);
	drain(sup);
	return ret;
}

/* Every name of a --down-on-exit list is one awg-quick takes. */
static bool valid_if_list(const char *list)
{
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");

		if (!quick_valid_ifname(p, len))
			return false;
		p += len;
		if (!*p)
			return true;
	}
}

int awg_easy_init_main(int argc, char **argv)
{
	const char *args[N_ARGS] = { NULL }, *root = "", *config_dir = DEFAULT_CONFIG_DIR;
	struct quick_opts q = { .say = say_log, .interrupted = stop_pending };
	struct proc_sup sup;
	struct stat st;
	char bad;
	int next, r, status;
	long opts;

	log_init("awg-easy-init", false);
	opts = opt_parse_long(argc, argv, opt_spec, opt_longs, args, &next, &bad);
	if (opts < 0) {
		log_line("invalid option '%s'", argv[next]);
		return usage();
	}
	if (opts & OPT_CONFIG_DIR)
		config_dir = args[ARG_CONFIG_DIR];
	/* "healthcheck" as the first operand, unless after "--" (a command) */
	if (next < argc && !strcmp(argv[next], "healthcheck") && strcmp(argv[next - 1], "--")) {
		opts |= OPT_HEALTHCHECK;
		next++;
	}
	if (opts & OPT_HEALTHCHECK) {
		if (argc - next > 1) {
			log_line("--healthcheck takes one interface at most");
			return usage();
		}
		return healthcheck(next < argc ? argv[next] : NULL, config_dir);
	}
	if ((opts & OPT_DOWN) && (next == argc || !valid_if_list(args[ARG_DOWN]))) {
		log_line(next == argc ? "--down-on-exit needs a command (standalone mode brings "
			 "everything down anyway)" : "--down-on-exit %s: not a list of interface names",
			 args[ARG_DOWN]);
		return usage();
	}
	if (opts & OPT_ROOT) {
		root = args[ARG_ROOT];
		if (strlen(root) > PATH_MAX - 64 || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			log_line("--root %s: not a directory", root);
			return usage();
		}
		if (!strcmp(root, "/"))
			root = "";
	}

	/* Block signals first: one that came before the loop would be lost
	 * (PID 1 ignores what it has no handler for). */
	r = proc_sup_begin(&sup);
	if (r < 0) {
		log_line("cannot block signals: %s", err_text(-r));
		return 1;
	}
	r = proc_become_subreaper();
	if (r < 0)
		log_line("warning: not PID 1 and cannot become a child subreaper (%s): "
		    "orphaned processes will not be reaped", err_text(-r));

	/* a misconfigured container must not start as if all were well;
	 * with nothing usable the command (awg-easy's UI) still shows why */
	if (detect(opts, args + ARG_DETECT, &q.flavor) == 2) {
		log_line("not starting: fix the environment (exit status 2)");
		return 2;
	}
	prepare(root);
	if (next == argc)
		return standalone(&sup, config_dir, &q);
	status = supervise(&sup, argv + next);
	if (opts & OPT_DOWN)
		down_on_exit(&sup, (char *)args[ARG_DOWN], &q);
	return status;
}
