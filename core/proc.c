/*
 * Processes: spawn, wait, and PID 1 supervision (see proc.h).
 *
 * The child side of proc_spawn() runs between fork() and execve(), so it
 * only makes plain system calls and never allocates.  An exec failure
 * travels back to the parent over a close-on-exec pipe: EOF means the exec
 * succeeded, an int is its errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

/* What Docker sets when an image declares no PATH. */
static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/* The next place to look for file (flen bytes) along the PATH list at
 * *dirs, in buf; false when the list is done.  An empty element is the
 * current directory, as for execvp(). */
static bool path_next(const char **dirs, const char *file, size_t flen, char *buf, size_t size)
{
	while (*dirs) {
		const char *dir = *dirs, *end = strchrnul(dir, ':');
		size_t dlen = end - dir;

		*dirs = *end ? end + 1 : NULL;
		if (!dlen) {
			dir = ".";
			dlen = 1;
		}
		if (dlen + 1 + flen < size) {
			memcpy(buf, dir, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			return true;
		}
	}
	return false;
}

static const char *path_of(char *const *env)
{
	const char *path = env_get(env, "PATH");

	return path ? path : default_path;
}

/*
 * execve() argv[0] as execvp() does, but with the PATH of envp, and the same
 * on every libc (glibc's execvpe() would run a file without "#!" with
 * /bin/sh, musl's does not).  Returns the errno that tells why it failed.
 */
static int exec_search(char *const *argv, char *const *envp)
{
	const char *file = argv[0], *dirs = path_of(envp);
	size_t flen = strlen(file);
	char buf[PATH_MAX];
	int err = ENOENT;

	if (strchr(file, '/')) {
		execve(file, argv, envp);
		return errno;
	}
	while (flen && path_next(&dirs, file, flen, buf, sizeof(buf))) {
		execve(buf, argv, envp);
		if (errno == EACCES)
			err = EACCES;	/* found, but keep looking as execvp does */
		else if (errno != ENOENT && errno != ENOTDIR)
			return errno;
	}
	return err;
}

static bool is_program(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

bool proc_in_path(const char *name)
{
	const char *dirs = path_of(environ);
	size_t len = strlen(name);
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return is_program(name);
	while (len && path_next(&dirs, name, len, buf, sizeof(buf)))
		if (is_program(buf))
			return true;
	return false;
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Mark every fd >= 3 close-on-exec by listing /proc/self/fd (kernels
 * before 5.11).  Returns 0 or -1. */
static int cloexec_listed_fds(void)
{
	char buf[1024] __attribute__((aligned(8)));	/* holds struct linux_dirent64 */
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (dir < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			int fd = 0;

			for (const char *c = d->d_name; *c >= '0' && *c <= '9'; c++)
				fd = fd * 10 + (*c - '0');
			if (fd > 2 && fd != dir)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
			off += d->d_reclen;
		}
	}
	close(dir);
	return n < 0 ? -1 : 0;
}

/* Only fds 0-2 may survive the exec.  Marking instead of closing keeps the
 * exec-error pipe working until execve() succeeds. */
static void cloexec_from_3(void)
{
	struct rlimit rl;

	if (!syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) || !cloexec_listed_fds())
		return;
	/* no /proc: every fd number we may have */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 65536;
	for (rlim_t fd = 3; fd < rl.rlim_cur; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

static void write_errno(int fd, int err)
{
	while (write(fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
}

/* The kernel's struct sigaction for rt_sigaction(2) (x86_64, arm64 and
 * the other asm-generic layouts): SIG_DFL needs no restorer. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static void default_action(int sig)
{
	struct kernel_sigaction dfl = { .handler = SIG_DFL };

	syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
}

/* The child, between fork() and execve().  Writes errno to report on
 * failure; exit code 127 is only what a careless waiter would see. */
static void __attribute__((noreturn)) child_exec(const struct proc_spec *spec, const int fds[3],
						 int report)
{
	char *const *envp = spec->envp ? spec->envp : environ;
	sigset_t none;

	if ((spec->flags & PROC_SETSID) && setsid() < 0)
		goto fail;
	if ((spec->flags & PROC_SETPGID) && setpgid(0, 0) < 0)
		goto fail;
	/* a signal ignored here would stay ignored across exec.  The system
	 * call, not sigaction(3): libc refuses the signals it keeps for
	 * itself (32-34), which an ignoring parent can still pass on. */
	for (int sig = 1; (spec->flags & PROC_DEFAULT_SIGNALS) && sig < _NSIG; sig++)
		default_action(sig);	/* EINVAL for KILL and STOP */
	for (int fd = 0; fd < 3; fd++)
		if (fds[fd] != fd && dup2(fds[fd], fd) < 0)
			goto fail;
	/* best effort: without it the child just has no terminal */
	if ((spec->flags & PROC_TTY) && (spec->flags & PROC_SETSID))
		ioctl(STDIN_FILENO, TIOCSCTTY, 0);
	if (!(spec->flags & PROC_KEEP_FDS))
		cloexec_from_3();
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, spec->sigmask ? spec->sigmask : &none, NULL) < 0)
		goto fail;
	write_errno(report, exec_search(spec->argv, envp));
	_exit(127);
fail:
	/* negative: the failure was ours, not the program's */
	write_errno(report, -errno);
	_exit(127);
}

/* A pipe whose read end holds len bytes and then EOF.  Filling it before
 * the child starts means no writer to block, no SIGPIPE and no deadlock
 * when the child does not read it all. */
static int stdin_pipe(const void *buf, size_t len, int *rd)
{
	int p[2], size;
	ssize_t n = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	/* never block: a pipe may be one page when the user has too many */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	size = fcntl(p[1], F_GETPIPE_SZ);
	if (len > INT_MAX || (size >= 0 && len > (size_t)size && fcntl(p[1], F_SETPIPE_SZ, (int)len) < 0))
		n = -1;
	else if (len)
		n = write(p[1], buf, len);
	close(p[1]);
	if (n != (ssize_t)len) {
		close(p[0]);
		return -EFBIG;
	}
	*rd = p[0];
	return 0;
}

/* proc_spawn() with the child's stdout and stderr from out_fd and err_fd
 * (1 and 2: ours). */
static int spawn_fds(const struct proc_spec *spec, int out_fd, int err_fd, pid_t *pid)
{
	int report[2], fds[3] = { spec->stdin_fd, out_fd, err_fd }, err = 0, r;
	ssize_t n = 0;

	*pid = -1;
	if (spec->stdin_buf) {
		r = stdin_pipe(spec->stdin_buf, spec->stdin_len, &fds[0]);
		if (r < 0)
			return r;
	}
	if (pipe2(report, O_CLOEXEC) < 0) {
		err = -errno;
		goto out;
	}
	r = _Fork();	/* fork() minus atfork handlers and locks we do not need */
	if (r == 0)
		child_exec(spec, fds, report[1]);
	if (r < 0)
		err = -errno;
	close(report[1]);
	while (r > 0 && (n = read(report[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (r > 0 && n <= 0) {
		err = 0;
		*pid = r;
	} else if (r > 0) {
		proc_wait(r, &(int){ 0 });
		if (err > 0) {
			*pid = 0;	/* exec's errno */
			err = -err;
		}
	}
out:
	if (spec->stdin_buf)
		close(fds[0]);
	return err;
}

int proc_spawn(const struct proc_spec *spec, pid_t *pid)
{
	return spawn_fds(spec, STDOUT_FILENO, STDERR_FILENO, pid);
}

int proc_wait(pid_t pid, int *wstatus)
{
	while (waitpid(pid, wstatus, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int proc_run(const struct proc_spec *spec, int *wstatus)
{
	pid_t pid;
	int r = proc_spawn(spec, &pid);

	return r < 0 ? r : proc_wait(pid, wstatus);
}

/* Read fd to EOF into a growing buffer, NUL-terminated. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size), *bigger;
	ssize_t r;

	while (buf) {
		if (size - n < 2) {
			bigger = realloc(buf, size * 2);
			if (!bigger)
				break;
			buf = bigger;
			size *= 2;
		}
		r = read(fd, buf + n, size - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			buf[n] = '\0';
			*out = buf;
			*len = n;
			return r < 0 ? -errno : 0;
		}
		n += (size_t)r;
	}
	free(buf);
	return -ENOMEM;
}

int proc_capture(const struct proc_spec *spec, char **out, size_t *len, int *wstatus)
{
	int p[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC), r, w;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	r = spawn_fds(spec, p[1], null >= 0 ? null : STDERR_FILENO, &pid);
	close(p[1]);
	if (r == 0) {
		*out = NULL;
		r = read_all(p[0], out, len);
	}
	close(p[0]);	/* a writer we stopped reading gets EPIPE */
	if (pid > 0) {
		w = proc_wait(pid, wstatus);
		if (r == 0)
			r = w;
	}
	if (r < 0 && pid > 0) {
		free(*out);
		*out = NULL;
	}
out:
	if (null >= 0)
		close(null);
	return r;
}

int proc_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;	/* not a terminated process */
}

int proc_exec_exit_code(int err)
{
	return err == -ENOENT || err == ENOENT ? 127 : 126;
}

static bool env_name_in(const char *var, char *const *set)
{
	size_t len = strchrnul(var, '=') - var;

	for (; *set; set++)
		if (!strncmp(*set, var, len) && (*set)[len] == '=')
			return true;
	return false;
}

int proc_env_build(char ***env, char *const *base, char *const *set)
{
	size_t nb = 0, ns = 0, n = 0;
	char **e;

	while (base[nb])
		nb++;
	while (set[ns])
		ns++;
	e = calloc(nb + ns + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < nb; i++)
		if (!env_name_in(base[i], set))
			e[n++] = base[i];
	for (size_t i = 0; i < ns; i++)
		e[n++] = set[i];
	*env = e;
	return 0;
}

int proc_become_subreaper(void)
{
	if (getpid() == 1)
		return 0;
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* The signals the kernel raises for a fault of ours: blocking them would
 * turn a crash into a hang. */
static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

int proc_sup_begin(struct proc_sup *s)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	memset(s, 0, sizeof(*s));
	sigfillset(&s->collect);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		sigdelset(&s->collect, fault_signals[i]);
	sigemptyset(&s->forward);
	sigemptyset(&s->stop);
	if (sigprocmask(SIG_SETMASK, &s->collect, &s->child_mask) < 0)
		return -errno;
	/* An inherited SIG_IGN (or SA_NOCLDWAIT) for SIGCHLD would make the
	 * kernel reap our children itself and lose their exit status. */
	if (sigaction(SIGCHLD, &dfl, NULL) < 0)
		return -errno;
	return 0;
}

void proc_sup_end(struct proc_sup *s)
{
	sigprocmask(SIG_SETMASK, &s->child_mask, NULL);
}

int proc_sup_release_tty(struct proc_sup *s)
{
	struct timespec now = { 0, 0 };
	sigset_t hup_cont;

	if (tcgetsid(STDIN_FILENO) != getpid())
		return 0;	/* no terminal, or not ours to give */
	if (ioctl(STDIN_FILENO, TIOCNOTTY) < 0)
		return -errno;
	/* sent to our own process group: not meant for the child */
	sigemptyset(&hup_cont);
	sigaddset(&hup_cont, SIGHUP);
	sigaddset(&hup_cont, SIGCONT);
	while (sigtimedwait(&hup_cont, NULL, &now) > 0)
		;
	return 1;
}

/* Reap every zombie; note the child's exit, stop and continue. */
static void sup_reap(struct proc_sup *s)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED);

		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return;		/* none ready (0) or no children left (ECHILD) */
		if (p != s->child || s->exited) {
			if (!WIFSTOPPED(st) && !WIFCONTINUED(st))
				s->reaped++;
		} else if (WIFSTOPPED(st)) {
			s->stopped = true;
		} else if (WIFCONTINUED(st)) {
			s->stopped = false;
		} else {
			s->status = st;
			s->exited = true;
		}
	}
}

static void sup_forward(struct proc_sup *s, int sig)
{
	/* ESRCH from the group: the child may have moved to a group or
	 * session of its own; it still gets the signal. */
	if (!s->pgid || (kill(-s->pgid, sig) < 0 && errno == ESRCH))
		kill(s->child, sig);
	if (s->stopped && (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT || sig == SIGHUP)) {
		if (!s->pgid || (kill(-s->pgid, SIGCONT) < 0 && errno == ESRCH))
			kill(s->child, SIGCONT);
	}
}

int proc_sup_run(struct proc_sup *s)
{
	for (;;) {
		siginfo_t si;
		int sig;

		/* before waiting: the child may have exited before we ran */
		sup_reap(s);
		if (s->child && s->exited)
			return 0;
		sig = sigwaitinfo(&s->collect, &si);
		if (sig < 0) {
			if (errno == EINTR)	/* e.g. resumed after SIGSTOP */
				continue;
			return -errno;
		}
		if (sig == SIGCHLD)
			continue;
		if (s->child && sigismember(&s->forward, sig))
			sup_forward(s, sig);
		else if (!s->child && sigismember(&s->stop, sig))
			return sig;
	}
}

int proc_sup_drain(struct proc_sup *s, int timeout_ms)
{
	struct timespec now, end;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct timespec left;
		pid_t p;

		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			s->reaped++;
		if (p < 0 && errno == ECHILD)
			return 0;
		if (p < 0 && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return -ETIMEDOUT;
		/* SIGCHLD is blocked since proc_sup_begin(): it waits here */
		sigtimedwait(&chld, NULL, &left);
	}
}
