/*
 * Log lines on stderr: "PREFIX: message\n", each written with one write(2)
 * so lines of concurrent processes (PID 1 and its children) never mix.
 * awg-detect and awg-easy-init log the same detection through this.
 */
#ifndef AWGBOX_LOG_H
#define AWGBOX_LOG_H

#include <stdbool.h>

/* prefix is kept (not copied); quiet drops every line. */
void log_init(const char *prefix, bool quiet);

/* One line; longer than 1 KiB is cut and ends in "...". */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, printed even when quiet. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
