#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strlist.h"

int strlist_add(struct strlist *l, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n == 1)
		return 0;
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap * 2 > l->len + n + 1 ? l->cap * 2 : l->len + n + 64;
		char *p = realloc(l->buf, cap);

		if (!p)
			return -ENOMEM;
		l->buf = p;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return 0;
}

int strlist_contains(const struct strlist *l, const char *s)
{
	const char *p;

	strlist_for_each(l, p)
		if (!strcmp(p, s))
			return 1;
	return 0;
}

void strlist_free(struct strlist *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->cap = 0;
}
