#include <string.h>

#include "opt.h"

long opt_parse(int argc, char **argv, const char *spec, const char **args, int *next, char *bad)
{
	long flags = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		for (a++; *a; a++) {
			int bit = 0, argn = 0;
			const char *s;

			for (s = spec; *s && *s != *a; s++) {
				if (*s == ':')
					continue;
				bit++;
				if (s[1] == ':')
					argn++;
			}
			if (!*s || *a == ':') {
				*bad = *a;
				return -1;
			}
			flags |= 1L << bit;
			if (s[1] == ':') {
				/* "-dDIR" or "-d DIR" */
				if (a[1])
					args[argn] = a + 1;
				else if (i + 1 < argc)
					args[argn] = argv[++i];
				else {
					*bad = *a;
					return -1;
				}
				break;
			}
		}
	}
	*next = i;
	return flags;
}
