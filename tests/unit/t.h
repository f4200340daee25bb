/* Minimal unit-test support: each case prints "ok NAME" or "not ok NAME: why"
 * (the protocol tests/run reads).
 *
 *	t_begin("parses a key");
 *	t_check(x == 1, "x is %d", x);
 *	t_end();
 *	...
 *	return t_done();
 */
#ifndef AWGBOX_T_H
#define AWGBOX_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *t_name;
static int t_case_failed, t_failures;

static inline void t_begin(const char *name)
{
	t_name = name;
	t_case_failed = 0;
}

static inline void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!t_case_failed)
		printf("not ok %s\n", t_name);
	t_case_failed = 1;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define t_check(cond, ...) \
	do { if (!(cond)) t_fail_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define t_check_str(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
	     t_check(g_ && !strcmp(g_, w_), "%s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_); } while (0)
#define t_check_int(got, want) \
	do { long long g_ = (long long)(got), w_ = (long long)(want); \
	     t_check(g_ == w_, "%s: got %lld, want %lld", #got, g_, w_); } while (0)

static inline void t_end(void)
{
	if (t_case_failed)
		t_failures++;
	else
		printf("ok %s\n", t_name);
	fflush(stdout);
}

/* Run a shell command made like printf; its exit status (system(3)). */
static inline int __attribute__((format(printf, 1, 2))) t_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static inline int t_done(void)
{
	return t_failures ? 1 : 0;
}

#endif
