/*
 * Fault injection for the glibc build: an LD_PRELOAD shim that makes the
 * Nth call, counted over the libc functions below that reach the kernel,
 * fail with an errno that call can really give.  Used by
 * tests/netns/fault-injection.t, built there with the system compiler:
 *
 *	FAULT_NTH=N	fail the Nth call (0 or unset: fail none, only count)
 *	FAULT_ONLY=a,b	count only these functions (default: all but fflush)
 *	FAULT_LOG=FILE	append "N function[ FAILED]" for each call counted
 *
 * Only the process that loaded the shim counts: a forked child is another
 * pid, and LD_PRELOAD is removed from the environment at load so that the
 * programs we run (hooks, nft, wireguard-go) start without it.
 *
 * Calls glibc makes inside itself (fopen's open, execvp's execve) are not
 * seen; the outer call (fopen, execvp) is, which is what the caller sees.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static pid_t owner = -1;
static unsigned long nth, count;
static const char *only;
static int log_fd = -1;
/* the shim's own log goes around the wrappers below */
static ssize_t (*log_write)(int, const void *, size_t);

__attribute__((constructor)) static void fault_init(void)
{
	const char *s = getenv("FAULT_NTH"), *log = getenv("FAULT_LOG");
	int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");

	log_write = dlsym(RTLD_NEXT, "write");
	nth = s ? strtoul(s, NULL, 10) : 0;
	only = getenv("FAULT_ONLY");
	if (log)
		log_fd = real_open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	unsetenv("LD_PRELOAD");
	owner = getpid();
}

static bool counted(const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!p)	/* fflush only when named: see its wrapper */
		return strcmp(name, "fflush") != 0;
	for (; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Should this call fail?  Then errno is set to err. */
static bool fault(const char *name, int err)
{
	char line[64];
	bool fail;
	int n;

	if (getpid() != owner || !counted(name))
		return false;
	fail = ++count == nth;
	if (log_fd >= 0) {
		n = snprintf(line, sizeof(line), "%lu %s%s\n", count, name, fail ? " FAILED" : "");
		if (log_write(log_fd, line, (size_t)n) < 0)
			n = 0;
	}
	if (fail)
		errno = err;
	return fail;
}

#define REAL(name) static __typeof__(name) *real_##name; \
	if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* open, openat: the optional mode argument is passed on when given */
#define OPEN_LIKE(name, ...) \
	int name(__VA_ARGS__, int flags, ...) \
	{ \
		mode_t mode = 0; \
		va_list ap; \
		REAL(name); \
		if (flags & (O_CREAT | O_TMPFILE)) { \
			va_start(ap, flags); \
			mode = va_arg(ap, mode_t); \
			va_end(ap); \
		} \
		if (fault(#name, (flags & O_ACCMODE) == O_RDONLY ? EACCES : EROFS)) \
			return -1; \
		return CALL_##name; \
	}
#define CALL_open real_open(path, flags, mode)
#define CALL_open64 real_open64(path, flags, mode)
#define CALL_openat real_openat(dir, path, flags, mode)
#define CALL_openat64 real_openat64(dir, path, flags, mode)
OPEN_LIKE(open, const char *path)
OPEN_LIKE(open64, const char *path)
OPEN_LIKE(openat, int dir, const char *path)
OPEN_LIKE(openat64, int dir, const char *path)

/* The rest: name, errno, return type, failure value, parameters, arguments. */
#define WRAP(name, err, type, bad, params, args) \
	type name params \
	{ \
		REAL(name); \
		if (fault(#name, err)) \
			return bad; \
		return real_##name args; \
	}

WRAP(fopen, EACCES, FILE *, NULL, (const char *p, const char *m), (p, m))
/* a stream's writes happen inside glibc, out of the shim's sight: its flush
 * failing stands for them, and as a failed write would, it loses what was
 * buffered (counted only when FAULT_ONLY names it, so that the tests of
 * every call do not also fail each flush of stderr) */
int fflush(FILE *f)
{
	REAL(fflush);
	if (f && fault("fflush", ENOSPC)) {
		__fpurge(f);
		return EOF;
	}
	return real_fflush(f);
}
WRAP(fopen64, EACCES, FILE *, NULL, (const char *p, const char *m), (p, m))
WRAP(mkostemp, ENOSPC, int, -1, (char *t, int f), (t, f))
WRAP(mkostemp64, ENOSPC, int, -1, (char *t, int f), (t, f))
WRAP(read, EIO, ssize_t, -1, (int fd, void *b, size_t n), (fd, b, n))
WRAP(write, ENOSPC, ssize_t, -1, (int fd, const void *b, size_t n), (fd, b, n))
WRAP(fsync, EIO, int, -1, (int fd), (fd))
WRAP(fchmod, EPERM, int, -1, (int fd, mode_t m), (fd, m))
WRAP(rename, EIO, int, -1, (const char *a, const char *b), (a, b))
WRAP(unlink, EIO, int, -1, (const char *p), (p))
WRAP(mkdir, ENOSPC, int, -1, (const char *p, mode_t m), (p, m))
WRAP(socket, EMFILE, int, -1, (int d, int t, int p), (d, t, p))
WRAP(bind, EADDRINUSE, int, -1, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))
WRAP(connect, EAGAIN, int, -1, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))
WRAP(send, ENOBUFS, ssize_t, -1, (int fd, const void *b, size_t n, int f), (fd, b, n, f))
WRAP(sendto, ENOBUFS, ssize_t, -1,
     (int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l), (fd, b, n, f, a, l))
WRAP(sendmsg, ENOBUFS, ssize_t, -1, (int fd, const struct msghdr *m, int f), (fd, m, f))
WRAP(recv, ENOBUFS, ssize_t, -1, (int fd, void *b, size_t n, int f), (fd, b, n, f))
WRAP(recvfrom, ENOBUFS, ssize_t, -1,
     (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l), (fd, b, n, f, a, l))
WRAP(recvmsg, ENOBUFS, ssize_t, -1, (int fd, struct msghdr *m, int f), (fd, m, f))
WRAP(pipe2, EMFILE, int, -1, (int p[2], int f), (p, f))
WRAP(dup2, EMFILE, int, -1, (int a, int b), (a, b))
WRAP(_Fork, EAGAIN, pid_t, -1, (void), ())
WRAP(fork, EAGAIN, pid_t, -1, (void), ())
WRAP(execve, ENOEXEC, int, -1, (const char *p, char *const a[], char *const e[]), (p, a, e))
WRAP(execvp, ENOEXEC, int, -1, (const char *p, char *const a[]), (p, a))
WRAP(execvpe, ENOEXEC, int, -1, (const char *p, char *const a[], char *const e[]), (p, a, e))
WRAP(kill, EPERM, int, -1, (pid_t p, int s), (p, s))
