#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "linereader.h"

int line_reader_init(struct line_reader *r, int fd, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->buf = malloc(cap);
	r->cap = cap;
	return r->buf ? 0 : -ENOMEM;
}

int line_reader_init_text(struct line_reader *r, const char *text, size_t len)
{
	int ret = line_reader_init(r, -1, len + 1);

	if (ret < 0)
		return ret;
	memcpy(r->buf, text, len);
	r->have = len;
	r->eof = true;
	return 0;
}

void line_reader_free(struct line_reader *r)
{
	if (r->buf) {
		key_wipe(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = NULL;
}

int line_reader_next(struct line_reader *r, char **line, size_t *len, bool *had_newline)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->have - r->start);
		ssize_t n;

		if (nl || (r->eof && r->start < r->have)) {
			size_t l = nl ? (size_t)(nl - (r->buf + r->start)) : r->have - r->start;

			*line = r->buf + r->start;
			*len = l;
			*had_newline = nl != NULL;
			(*line)[l] = '\0';
			r->start += l + (nl ? 1 : 0);
			return 1;
		}
		if (r->eof)
			return 0;
		/* keep the partial line, make room, read more */
		memmove(r->buf, r->buf + r->start, r->have - r->start);
		r->have -= r->start;
		r->start = 0;
		if (r->have + 1 >= r->cap)
			return -EFBIG;
		n = read(r->fd, r->buf + r->have, r->cap - 1 - r->have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			r->eof = true;
		r->have += (size_t)n;
	}
}
