/*
 * awg-easy-init: PID 1 of an awg-easy (or FROM scratch) container.  It
 * prepares the container and supervises the command the way tini and
 * dumb-init do: the command runs in its own session, signals go to its
 * process group, every zombie is reaped, and we exit with its status.
 */
//config:config AWG_EASY_INIT
//config:	bool "awg-easy-init: PID 1 for awg-easy and scratch images"
//config:	default y
//config:	help
//config:	  Replaces dumb-init/tini and the entrypoint glue of the awg-easy
//config:	  image: prepares the AmneziaWG directories and supervises the
//config:	  command as PID 1 (signal forwarding, zombie reaping).
//config:
//applet:awg-easy-init AWG_EASY_INIT awg_easy_init_main
//usage:awg-easy-init [--root DIR] [--] CMD [ARGS...]
//usage:awg-easy-init
//usage:awg-easy-init Prepare the container, then run CMD in its own session as PID 1 would:
//usage:awg-easy-init SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH go to its
//usage:awg-easy-init process group, every zombie is reaped (as a child subreaper when not
//usage:awg-easy-init PID 1), and the exit status is CMD's (128+N when killed by signal N;
//usage:awg-easy-init 126 when CMD cannot be executed, 127 when it is not found).  A terminal
//usage:awg-easy-init that is ours (docker run -t) becomes CMD's controlling terminal.
//usage:awg-easy-init
//usage:awg-easy-init Prepare: umask 077; /var/run/amneziawg and /var/run/wireguard (0700);
//usage:awg-easy-init /etc/amnezia/amneziawg -> /etc/wireguard when absent (an existing file,
//usage:awg-easy-init directory or link is kept).  Only fds 0-2 are passed to CMD.
//usage:awg-easy-init
//usage:awg-easy-init   --root DIR    prepare below DIR instead of / (for tests)
//usage:awg-easy-init
//usage:awg-easy-init Not in this build: AmneziaWG detection and module loading (CMD gets the
//usage:awg-easy-init environment unchanged: no AWG_* variables, OVERRIDE_AUTO_AWG as given),
//usage:awg-easy-init the standalone mode (no CMD), --config-dir, --down-on-exit and
//usage:awg-easy-init --healthcheck; they are rejected.

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"
#include "errtext.h"
#include "log.h"
#include "opt.h"
#include "proc.h"

/* Options (the letters are ours only; the long names are the interface). */
static const char opt_spec[] = "r:c:d:H";
static const struct opt_long opt_longs[] = {
	{ "root", 'r' }, { "config-dir", 'c' }, { "down-on-exit", 'd' }, { "healthcheck", 'H' },
	{ NULL, 0 },
};
enum { OPT_ROOT = 1 << 0 };
/* By bit: what later issues bring; refused until then. */
static const char *const later_opts[] = { NULL, "--config-dir", "--down-on-exit", "--healthcheck" };

/* The signals a container runtime or a terminal sends to stop, reload or
 * resize the workload. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

extern char **environ;

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

static int usage(void)
{
	log_line("usage: awg-easy-init [--root DIR] [--] CMD [ARGS...]  (--help for more)");
	return 2;
}

/* Start the command and supervise it until it exits.  Returns our exit
 * status. */
static int supervise(struct proc_sup *sup, char **cmd, char **env)
{
	struct proc_spec spec = {
		.argv = cmd,
		.envp = env,
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

int awg_easy_init_main(int argc, char **argv)
{
	const char *args[3] = { NULL }, *root = "";
	struct proc_sup sup;
	struct stat st;
	char bad;
	int next, r;
	long opts;

	log_init("awg-easy-init", false);
	opts = opt_parse_long(argc, argv, opt_spec, opt_longs, args, &next, &bad);
	if (opts < 0) {
		log_line("invalid option '%s'", argv[next]);
		return usage();
	}
	for (size_t i = 1; i < sizeof(later_opts) / sizeof(later_opts[0]); i++)
		if (opts & (1L << i)) {
			log_line("%s is not yet supported in this build", later_opts[i]);
			return 2;
		}
	if (opts & OPT_ROOT) {
		root = args[0];
		if (strlen(root) > PATH_MAX - 64 || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			log_line("--root %s: not a directory", root);
			return usage();
		}
		if (!strcmp(root, "/"))
			root = "";
	}
	if (next == argc) {
		log_line("standalone mode (no CMD) is not yet supported in this build");
		return 2;
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

	/*
	 * Stage 1, AmneziaWG detection and module loading, is not wired in
	 * yet.  It goes here: detect_run() (core/detect) as awg-detect runs it,
	 * so the log lines are the same, then the pairs of detect_vars()
	 * (OVERRIDE_AUTO_AWG=awg|wg, AWG_*, WG_QUICK_USERSPACE_IMPLEMENTATION)
	 * into the command's environment through proc_env_build().  Until then
	 * nothing is decided and the environment passes through unchanged.
	 */
	prepare(root);
	return supervise(&sup, argv + next, environ);
}
