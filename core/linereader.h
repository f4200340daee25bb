/* Lines from a file descriptor (config files, UAPI replies), read in large
 * blocks, never split: a line longer than the buffer is an error. */
#ifndef AWGBOX_LINEREADER_H
#define AWGBOX_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>

struct line_reader {
	int fd;
	char *buf;
	size_t cap, start, have;
	bool eof;
};

/* cap: longest line + 1.  -ENOMEM. */
int line_reader_init(struct line_reader *r, int fd, size_t cap);
/* Lines of a text in memory (copied; lines may be as long as the text). */
int line_reader_init_text(struct line_reader *r, const char *text, size_t len);
/* Wipes the buffer (it may have held keys) and frees it. */
void line_reader_free(struct line_reader *r);
/*
 * Next line, without its '\n', NUL-terminated in place; the last line may
 * lack a '\n' (*had_newline says).  Returns 1, 0 at the end, -EFBIG for an
 * over-long line, or a read error as -errno.
 */
int line_reader_next(struct line_reader *r, char **line, size_t *len, bool *had_newline);

#endif
