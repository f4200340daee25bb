/* A list of names as one buffer: "first\0second\0\0" (upstream's form). */
#ifndef AWGBOX_STRLIST_H
#define AWGBOX_STRLIST_H

#include <stddef.h>

struct strlist {
	char *buf;
	size_t len, cap;
};

/* Append s (empty strings are skipped); -ENOMEM. */
int strlist_add(struct strlist *l, const char *s);
/* Is s in the list? */
int strlist_contains(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

#define strlist_for_each(l, s) \
	for ((s) = (l)->buf; (s) && *(s); (s) += strlen(s) + 1)

#endif
