#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"

static const char *log_prefix;
static bool log_quiet;

void log_init(const char *prefix, bool quiet)
{
	log_prefix = prefix;
	log_quiet = quiet;
}

static void log_write(const char *fmt, va_list ap)
{
	char line[1024];
	size_t len = 0;
	int n;

	if (log_prefix) {
		n = snprintf(line, sizeof(line), "%s: ", log_prefix);
		len = n > 0 ? (size_t)n : 0;
	}
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n < 0)
		n = 0;
	len += (size_t)n;
	if (len > sizeof(line) - 1) {
		len = sizeof(line) - 1;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	io_write_full(STDERR_FILENO, line, len);	/* an error: nowhere to report it */
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_write(fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(fmt, ap);
	va_end(ap);
}
