/*
 * measure: run a command once and say what it cost.
 *
 *   measure OUT CMD [ARG...]
 *
 * Appends one line to the file OUT:
 *
 *   WALL_US USER_US SYS_US MAXRSS_KIB STATUS
 *
 * and exits with the command's status (128+N when signal N ended it).
 * The command is started with vfork() and execvp(): until the exec the
 * child runs on this small static program's memory, so the peak RSS the
 * kernel reports (wait4's ru_maxrss, kept across exec) is the command's
 * own, not ours plus its (GNU time forks a copy of itself first, which
 * puts a floor of a few hundred KiB under every number).  It is a static
 * binary so that the same program measures on the host and in the test VM,
 * where there is neither hyperfine nor GNU time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long usec(const struct timespec *t)
{
	return t->tv_sec * 1000000LL + t->tv_nsec / 1000;
}

static long long tv_usec(const struct timeval *t)
{
	return t->tv_sec * 1000000LL + t->tv_usec;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	volatile int exec_errno = 0;
	int status, code;
	FILE *out;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUT CMD [ARG...]\n");
		return 2;
	}
	out = fopen(argv[1], "ae");
	if (!out) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = vfork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		exec_errno = errno;
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		return 2;
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
			return 2;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (exec_errno) {
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(exec_errno));
		return 127;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(out, "%lld %lld %lld %ld %d\n", usec(&t1) - usec(&t0), tv_usec(&ru.ru_utime),
		tv_usec(&ru.ru_stime), ru.ru_maxrss, code);
	if (fclose(out)) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	return code;
}
