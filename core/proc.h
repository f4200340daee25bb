/*
 * Processes: start a program, wait for it, and supervise it the way a
 * container's PID 1 must (forward signals, reap every zombie, exit with the
 * child's status).  awg-easy-init supervises with it; awg-quick runs its
 * hooks, resolvconf, nft and the userspace implementation with it.
 *
 * Nothing here prints or exits: functions return 0 or -errno.
 */
#ifndef AWGBOX_PROC_H
#define AWGBOX_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum {
	PROC_SETSID	= 1 << 0,	/* child: own session and process group, no ctty */
	PROC_SETPGID	= 1 << 1,	/* child: own process group in our session */
	PROC_KEEP_FDS	= 1 << 2,	/* child keeps our fds >= 3 that lack O_CLOEXEC */
	PROC_DEFAULT_SIGNALS = 1 << 3,	/* child: every signal at its default action,
					 * even those we were started ignoring */
	PROC_TTY	= 1 << 4,	/* with PROC_SETSID: make stdin, a terminal
					 * that no session holds, the child's
					 * controlling terminal (proc_sup_release_tty) */
};

struct proc_spec {
	char *const *argv;	/* argv[0]: a path, or a name looked up in the child's PATH */
	char *const *envp;	/* the child's environment; NULL: ours */
	const sigset_t *sigmask; /* the child's signal mask; NULL: none blocked */
	const void *stdin_buf;	/* when set, the child's stdin is a pipe holding these */
	size_t stdin_len;	/*   bytes, then EOF (at most a pipe's size limit,
				 *   1 MiB by default: else -EFBIG) */
	int stdin_fd;		/* else this fd becomes the child's stdin; 0 leaves ours */
	unsigned flags;		/* PROC_* */
};

/*
 * Start spec->argv.  In the child the signal mask is spec->sigmask and only
 * fds 0-2 stay open (unless PROC_KEEP_FDS); signals we ignore stay ignored
 * (as a shell does) unless PROC_DEFAULT_SIGNALS.  Returns 0 once the
 * program runs, with its pid in *pid.
 * When it cannot be started returns -errno and sets *pid to 0 when exec
 * itself failed (-ENOENT: not found, else it is not executable; see
 * proc_exec_exit_code()), or to -1 when the failure was ours (pipe, fork,
 * setsid...).  The failed child has been waited for.
 */
int proc_spawn(const struct proc_spec *spec, pid_t *pid);

/* proc_spawn() + proc_wait() with the child's stdout read into *out
 * (malloc'ed, NUL-terminated, *len bytes before the NUL) and its stderr
 * sent to /dev/null, as upstream's "$(cmd 2>/dev/null)".  On error
 * -errno and *out is not set (or NULL). */
int proc_capture(const struct proc_spec *spec, char **out, size_t *len, int *wstatus);

/* Is name a program that proc_spawn() would find (a regular executable
 * file at that path, or along our PATH)?  As "command -v". */
bool proc_in_path(const char *name);

/* waitpid() for pid, through EINTR. */
int proc_wait(pid_t pid, int *wstatus);

/* proc_spawn() + proc_wait(); *wstatus only set on success. */
int proc_run(const struct proc_spec *spec, int *wstatus);

/* A terminated process's status as a shell reports it: its exit code, or
 * 128 + N when killed by signal N. */
int proc_exit_code(int wstatus);

/* The exit code for a program that could not be started (proc_spawn's
 * -errno with *pid == 0): 127 when not found, else 126. */
int proc_exec_exit_code(int err);

/*
 * The environment base with the variables in set ("NAME=value") added or
 * replacing base's ones of the same name.  Strings are not copied; free()
 * only the array in *env.
 */
int proc_env_build(char ***env, char *const *base, char *const *set);

/* Become a child subreaper, so orphans of our descendants are re-parented
 * to us and we reap them.  Nothing to do (0) when we are PID 1. */
int proc_become_subreaper(void);

/*
 * The supervisor.  proc_sup_begin() blocks every signal except the ones the
 * kernel raises for a fault of ours (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT, SIGTRAP, SIGSYS), so none is lost before the loop runs; spawn the
 * child with .sigmask = &sup.child_mask.  proc_sup_run() then waits with
 * sigwaitinfo() (no polling), and for each signal:
 *   - SIGCHLD: reaps every zombie with waitpid(-1, WNOHANG), including
 *     orphans re-parented to us; notes the child's stops and exit;
 *   - in forward: sends it to the child's process group (to the child alone
 *     when it has left its group); a stopped child also gets SIGCONT after
 *     SIGTERM, SIGINT, SIGQUIT or SIGHUP so that it can act on them;
 *   - with no child, in stop: returns it;
 *   - anything else (SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU...) is dropped: PID 1
 *     must neither die of nor be stopped by a stray signal.
 * It returns 0 as soon as the child has been reaped, its wait status in
 * status, even while other processes remain (they are reaped meanwhile,
 * but not waited for).  Nothing is forwarded after the child is reaped,
 * because its process group id may then be reused.  With no child it
 * returns the stop signal; -errno only if sigwaitinfo() fails otherwise
 * than with EINTR (a bug).
 */
struct proc_sup {
	sigset_t collect;	/* what we block and wait for */
	sigset_t child_mask;	/* our mask before proc_sup_begin(): the child's */
	sigset_t forward;	/* forwarded to the child's process group */
	sigset_t stop;		/* with no child: end proc_sup_run() */
	pid_t child;		/* the supervised child; 0 for none */
	pid_t pgid;		/* its process group, 0 to signal the child only */
	bool stopped;		/* the child is stopped */
	bool exited;		/* the child has been reaped: status is valid */
	int status;		/* its wait status */
	unsigned long reaped;	/* other processes reaped */
};

int proc_sup_begin(struct proc_sup *s);
int proc_sup_run(struct proc_sup *s);
/*
 * When stdin is the controlling terminal of our session (PID 1 of a
 * container run with a terminal), give it up so that a child spawned with
 * PROC_SETSID | PROC_TTY can take it and have job control.  The SIGHUP and
 * SIGCONT the kernel then sends our process group are discarded.  Returns
 * 1 when released, 0 when there was nothing to release, or -errno.
 */
int proc_sup_release_tty(struct proc_sup *s);
/*
 * After the work is done (the child reaped, interfaces brought down): reap
 * every child until none is left, at most timeout_ms.  A userspace
 * WireGuard, re-parented to us, removes its socket when its link goes; as
 * PID 1 we must not exit (and have the kernel SIGKILL it) before it has.
 * 0 when no child is left, -ETIMEDOUT when some still are, or -errno.
 */
int proc_sup_drain(struct proc_sup *s, int timeout_ms);
/* Restore the signal mask proc_sup_begin() found. */
void proc_sup_end(struct proc_sup *s);

#endif
