/* core/proc: spawning real programs (/bin/sh), PATH search, stdin, fds,
 * exit statuses, the environment, and the supervisor loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "t.h"

extern char **environ;

static char tmp[] = "/tmp/awgbox-proc.XXXXXX";

/* Run argv; returns its exit code (as a shell reports it) or the -errno
 * of proc_spawn with *pid_out. */
static int run(char *const *argv, char *const *envp, unsigned flags, pid_t *pid_out)
{
	struct proc_spec spec = { .argv = argv, .envp = envp, .flags = flags };
	pid_t pid;
	int st, r = proc_spawn(&spec, &pid);

	if (pid_out)
		*pid_out = pid;
	if (r < 0)
		return r;
	r = proc_wait(pid, &st);
	return r < 0 ? r : proc_exit_code(st);
}

static int sh(const char *script)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };

	return run(argv, NULL, 0, NULL);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	t_check(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", path);
	close(fd);
	chmod(path, mode);
}

static void spawn_and_exit_codes(void)
{
	char *missing[] = { "/nonexistent/prog", NULL };
	char *name_missing[] = { "no-such-program-awgbox", NULL };
	pid_t pid;
	int r;

	t_begin("exit codes: normal, 128+signal");
	t_check_int(sh("exit 0"), 0);
	t_check_int(sh("exit 3"), 3);
	t_check_int(sh("exit 255"), 255);
	t_check_int(sh("kill -TERM $$"), 143);
	t_check_int(sh("kill -KILL $$"), 137);
	t_end();

	t_begin("exec failures: -errno, pid 0, 127 for not found, 126 otherwise");
	r = run(missing, NULL, 0, &pid);
	t_check_int(r, -ENOENT);
	t_check_int(pid, 0);
	t_check_int(proc_exec_exit_code(r), 127);
	r = run(name_missing, NULL, 0, &pid);
	t_check_int(r, -ENOENT);
	t_check_int(pid, 0);
	write_file("plain", "#!/bin/sh\nexit 0\n", 0644);
	write_file("noshebang", "exit 0\n", 0755);
	{
		char p1[256], p2[256];
		char *a1[] = { p1, NULL }, *a2[] = { p2, NULL }, *a3[] = { tmp, NULL };

		snprintf(p1, sizeof(p1), "%s/plain", tmp);
		snprintf(p2, sizeof(p2), "%s/noshebang", tmp);
		r = run(a1, NULL, 0, &pid);
		t_check_int(r, -EACCES);
		t_check_int(proc_exec_exit_code(r), 126);
		/* the same on glibc and musl: no /bin/sh fallback */
		t_check_int(run(a2, NULL, 0, &pid), -ENOEXEC);
		t_check_int(run(a3, NULL, 0, &pid), -EACCES);
		t_check_int(pid, 0);
	}
	t_end();

	t_begin("a failure of ours: -errno with pid -1 (setpgid after setsid)");
	{
		char *argv[] = { "/bin/true", NULL };

		r = run(argv, NULL, PROC_SETSID | PROC_SETPGID, &pid);
		t_check_int(r, -EPERM);
		t_check_int(pid, -1);
	}
	t_end();
}

static void path_search(void)
{
	char path_env[1024], *argv[] = { "awgbox-prog", NULL };
	char *env[] = { path_env, NULL };
	char d1[256], d2[256];

	t_begin("PATH of the child's environment; non-executable matches skipped");
	snprintf(d1, sizeof(d1), "%s/d1", tmp);
	snprintf(d2, sizeof(d2), "%s/d2", tmp);
	mkdir(d1, 0755);
	mkdir(d2, 0755);
	write_file("d1/awgbox-prog", "#!/bin/sh\nexit 11\n", 0644);	/* not executable */
	write_file("d2/awgbox-prog", "#!/bin/sh\nexit 12\n", 0755);
	snprintf(path_env, sizeof(path_env), "PATH=/nonexistent:%s:%s", d1, d2);
	t_check_int(run(argv, env, 0, NULL), 12);
	snprintf(path_env, sizeof(path_env), "PATH=/nonexistent:%s", d1);
	t_check_int(run(argv, env, 0, NULL), -EACCES);
	snprintf(path_env, sizeof(path_env), "PATH=/nonexistent");
	t_check_int(run(argv, env, 0, NULL), -ENOENT);
	t_end();

	t_begin("an empty PATH element is the current directory");
	{
		char cwd[256];

		t_check(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
		t_check(chdir(d2) == 0, "chdir");
		snprintf(path_env, sizeof(path_env), "PATH=/nonexistent:");
		t_check_int(run(argv, env, 0, NULL), 12);
		t_check(chdir(cwd) == 0, "chdir back");
	}
	t_end();
}

static void stdin_and_fds(void)
{
	char *check[] = { "/bin/sh", "-c", "test \"$(cat)\" = hello", NULL };
	char *count[] = { "/bin/sh", "-c", "test \"$(wc -c)\" = 300000", NULL };
	char *fds[] = { "/bin/sh", "-c", "test -e /proc/$$/fd/0 && ! test -e /proc/$$/fd/7", NULL };
	char *keep[] = { "/bin/sh", "-c", "test -e /proc/$$/fd/7", NULL };
	char *early[] = { "/bin/sh", "-c", "exit 5", NULL };
	struct proc_spec spec = { .argv = check, .stdin_buf = "hello", .stdin_len = 5 };
	char *big = malloc(300000);
	int st = -1, fd;

	t_begin("stdin from a buffer, also larger than a pipe, also left unread");
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 0);
	memset(big, 'x', 300000);
	spec.argv = count;
	spec.stdin_buf = big;
	spec.stdin_len = 300000;
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 0);
	spec.argv = early;
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 5);
	free(big);
	t_end();

	t_begin("stdin from an fd; only fds 0-2 reach the child unless PROC_KEEP_FDS");
	fd = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC on purpose */
	t_check(fd >= 0 && dup2(fd, 7) == 7, "fd 7");
	close(fd);
	spec = (struct proc_spec){ .argv = check, .stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC) };
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 1);	/* "" != hello: it read /dev/null */
	close(spec.stdin_fd);
	t_check_int(run(fds, NULL, 0, NULL), 0);
	t_check_int(run(keep, NULL, 0, NULL), 1);
	t_check_int(run(keep, NULL, PROC_KEEP_FDS, NULL), 0);
	close(7);
	t_end();
}

static void signals_in_child(void)
{
	/* grep itself, not a shell: dash clears its mask */
	char *ign[] = { "grep", "-q", "^SigIgn:.*[1-9a-f]", "/proc/self/status", NULL };
	char *hup[] = { "grep", "-q", "^SigIgn:.*[13579bdf]$", "/proc/self/status", NULL };
	char *blk[] = { "grep", "-q", "^SigBlk:.*[1-9a-f]", "/proc/self/status", NULL };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	struct proc_spec spec = { .argv = blk };
	sigset_t usr1;
	int st;

	t_begin("ignored signals stay ignored unless PROC_DEFAULT_SIGNALS; the mask is the spec's");
	sigaction(SIGHUP, &ignore, &old);
	t_check_int(run(hup, NULL, 0, NULL), 0);	/* SIGHUP is bit 0 */
	/* none at all, also what this process inherited ignored */
	t_check_int(run(ign, NULL, PROC_DEFAULT_SIGNALS, NULL), 1);
	sigaction(SIGHUP, &old, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 1);	/* blocked here, not in the child */
	spec.sigmask = &usr1;
	t_check_int(proc_run(&spec, &st), 0);
	t_check_int(proc_exit_code(st), 0);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	t_end();
}

static void capture_and_lookup(void)
{
	char *two[] = { "/bin/sh", "-c", "printf 'a\\nb'; echo err >&2; exit 3", NULL };
	char *big[] = { "/bin/sh", "-c", "yes | head -c 200000", NULL };
	char *missing[] = { "no-such-program-awgbox", NULL };
	struct proc_spec spec = { .argv = two };
	char *out = NULL, errfile[300];
	size_t len = 0;
	int st = -1, saved, fd;

	t_begin("proc_capture: stdout in a buffer, stderr discarded, the status");
	snprintf(errfile, sizeof(errfile), "%s/stderr", tmp);
	fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	t_check_int(proc_capture(&spec, &out, &len, &st), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	t_check_str(out, "a\nb");
	t_check_int(len, 3);
	t_check_int(proc_exit_code(st), 3);
	t_check(lseek(fd, 0, SEEK_END) == 0, "the child's stderr reached ours");
	close(fd);
	free(out);
	spec.argv = big;
	out = NULL;
	t_check_int(proc_capture(&spec, &out, &len, &st), 0);
	t_check_int(len, 200000);
	t_check(out && strlen(out) == 200000 && !strncmp(out, "y\ny\n", 4), "200000 bytes of yes");
	free(out);
	spec.argv = missing;
	out = NULL;
	t_check_int(proc_capture(&spec, &out, &len, &st), -ENOENT);
	t_check(out == NULL, "output of a program that did not run");
	t_end();

	t_begin("proc_in_path: regular executable files, by name or path");
	t_check(proc_in_path("sh"), "sh");
	t_check(proc_in_path("/bin/sh"), "/bin/sh");
	t_check(!proc_in_path("no-such-program-awgbox"), "a missing name");
	t_check(!proc_in_path("/etc/passwd"), "not executable");
	t_check(!proc_in_path("/bin"), "a directory");
	t_check(!proc_in_path("bin"), "a directory in PATH's parent");
	t_check(!proc_in_path(""), "empty");
	{
		char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL, d2[300];

		snprintf(d2, sizeof(d2), "/nonexistent:%s/d1:%s/d2", tmp, tmp);
		setenv("PATH", d2, 1);
		t_check(proc_in_path("awgbox-prog"), "found in the second directory");
		setenv("PATH", "/nonexistent", 1);
		t_check(!proc_in_path("awgbox-prog"), "not in PATH");
		if (old)
			setenv("PATH", old, 1);
		free(old);
	}
	t_end();
}

static void env_build(void)
{
	char *base[] = { "A=1", "B=2", "C=", "BB=4", NULL };
	char *set[] = { "B=new", "D=5", "C=x", NULL };
	char *none[] = { NULL };
	char **e;

	t_begin("proc_env_build: set replaces by whole name and is appended");
	t_check_int(proc_env_build(&e, base, set), 0);
	t_check_str(e[0], "A=1");
	t_check_str(e[1], "BB=4");
	t_check_str(e[2], "B=new");
	t_check_str(e[3], "D=5");
	t_check_str(e[4], "C=x");
	t_check(e[5] == NULL, "not terminated");
	free(e);
	t_check_int(proc_env_build(&e, base, none), 0);
	for (int i = 0; i < 4; i++)
		t_check(e[i] == base[i], "base[%d] not kept", i);
	t_check(e[4] == NULL, "not terminated");
	free(e);
	t_end();
}

static void supervisor(void)
{
	char *argv[] = { "/bin/sh", "-c", "kill -WINCH $PPID; kill -URG $PPID; exit 9", NULL };
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct proc_spec spec = { .argv = argv, .flags = PROC_SETSID };
	struct proc_sup s;
	sigset_t now, before;
	pid_t pid;

	t_begin("supervisor: the child's status even with SIGCHLD inherited ignored");
	sigprocmask(SIG_SETMASK, NULL, &before);
	sigaction(SIGCHLD, &ignore, NULL);	/* would make the kernel reap it */
	t_check_int(proc_sup_begin(&s), 0);
	spec.sigmask = &s.child_mask;
	t_check_int(proc_spawn(&spec, &pid), 0);
	s.child = s.pgid = pid;
	/* WINCH, URG are neither forwarded nor stop signals: dropped */
	t_check_int(proc_sup_run(&s), 0);
	t_check(s.exited, "child not reaped");
	t_check_int(proc_exit_code(s.status), 9);
	proc_sup_end(&s);
	sigprocmask(SIG_SETMASK, NULL, &now);
	for (int sig = 1; sig < _NSIG; sig++)
		t_check(sigismember(&now, sig) == sigismember(&before, sig), "mask not restored: %d", sig);
	t_end();

	t_begin("supervisor without a child: returns a stop signal, reaps meanwhile");
	t_check_int(proc_sup_begin(&s), 0);
	sigaddset(&s.stop, SIGTERM);
	{
		char *first[] = { "/bin/sh", "-c", "kill -HUP $PPID", NULL };
		char *second[] = { "/bin/sh", "-c", "sleep 0.5; kill -TERM $PPID", NULL };
		int st;

		spec = (struct proc_spec){ .argv = first, .sigmask = &s.child_mask };
		t_check_int(proc_spawn(&spec, &pid), 0);
		spec.argv = second;
		t_check_int(proc_spawn(&spec, &pid), 0);
		/* HUP is no stop signal; the first shell is reaped by the loop */
		t_check_int(proc_sup_run(&s), SIGTERM);
		t_check_int(s.reaped, 1);
		t_check_int(proc_wait(pid, &st), 0);
	}
	proc_sup_end(&s);
	t_end();
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* In a process of its own: the watchdog is a child of ours. */
static int drain_in_child(void)
{
	char *quick[] = { "/bin/sh", "-c", "sleep 0.2", NULL };
	char *slow[] = { "/bin/sh", "-c", "sleep 0.4", NULL };
	char *stuck[] = { "/bin/sh", "-c", "exec sleep 30", NULL };
	struct proc_spec spec = { .argv = quick };
	struct proc_sup s;
	long long t0;
	pid_t pid;
	int r;

	if (proc_sup_begin(&s) < 0 || proc_spawn(&spec, &pid) < 0)
		return 10;
	spec.argv = slow;
	if (proc_spawn(&spec, &pid) < 0)
		return 11;
	t0 = ms_now();
	r = proc_sup_drain(&s, 5000);
	if (r != 0 || s.reaped != 2 || ms_now() - t0 > 2000)
		return 12;	/* both reaped as they exit, not at the timeout */
	spec.argv = stuck;
	if (proc_spawn(&spec, &pid) < 0)
		return 13;
	t0 = ms_now();
	r = proc_sup_drain(&s, 300);
	if (r != -ETIMEDOUT || ms_now() - t0 < 290 || ms_now() - t0 > 2000)
		return 14;
	kill(pid, SIGKILL);
	if (proc_sup_drain(&s, 5000) != 0 || s.reaped != 3)
		return 15;
	return proc_sup_drain(&s, 0) == 0 ? 0 : 16;	/* none: returns at once */
}

static void drain(void)
{
	pid_t pid;
	int st = 0;

	t_begin("proc_sup_drain: reaps children as they exit, gives up at the timeout");
	pid = fork();
	if (pid == 0)
		_exit(drain_in_child());
	t_check(pid > 0 && waitpid(pid, &st, 0) == pid, "fork/wait");
	t_check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "drain check failed: step %d", WEXITSTATUS(st));
	t_end();
}

/* A supervisor that misses its child's exit waits forever, with the
 * signals a test runner's timeout sends blocked: end such a hang. */
static pid_t watchdog(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		sleep(60);
		printf("not ok watchdog: the tests hung; killing them\n");
		fflush(stdout);
		kill(parent, SIGKILL);
		_exit(1);
	}
	return pid;
}

int main(void)
{
	pid_t dog = watchdog();
	char rm[300];

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	spawn_and_exit_codes();
	path_search();
	stdin_and_fds();
	capture_and_lookup();
	signals_in_child();
	env_build();
	supervisor();
	drain();
	kill(dog, SIGKILL);
	waitpid(dog, NULL, 0);
	snprintf(rm, sizeof(rm), "rm -rf %s", tmp);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return t_done();
}
