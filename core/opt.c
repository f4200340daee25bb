#include <stdio.h>
#include <string.h>

#include "opt.h"

/* Find letter c in spec: its bit and, if it takes an argument, its slot. */
static const char *opt_find(const char *spec, char c, int *bit, int *argn)
{
	const char *s;

	*bit = *argn = 0;
	if (c == ':')
		return NULL;
	for (s = spec; *s && *s != c; s++) {
		if (*s == ':')
			continue;
		++*bit;
		if (s[1] == ':')
			++*argn;
	}
	return *s ? s : NULL;
}

/* "--name", "--name=ARG" or "--name ARG": the letter, or 0 when unknown or
 * when an argument is given to an option without one or missing. */
static char opt_long(int argc, char **argv, int *i, const char *spec,
		     const struct opt_long *longs, const char **args, long *flags)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct opt_long *l;
	const char *s;
	int bit, argn;

	for (l = longs; l && l->name; l++)
		if (strlen(l->name) == len && !strncmp(l->name, a, len))
			break;
	if (!l || !l->name || !(s = opt_find(spec, l->letter, &bit, &argn)))
		return 0;
	if (s[1] == ':') {
		if (eq)
			args[argn] = eq + 1;
		else if (*i + 1 < argc)
			args[argn] = argv[++*i];
		else
			return 0;
	} else if (eq) {
		return 0;
	}
	*flags |= 1L << bit;
	return l->letter;
}

long opt_parse_long(int argc, char **argv, const char *spec, const struct opt_long *longs,
		    const char **args, int *next, char *bad)
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
		if (a[1] == '-') {
			if (!opt_long(argc, argv, &i, spec, longs, args, &flags)) {
				*bad = '-';
				*next = i;
				return -1;
			}
			continue;
		}
		for (a++; *a; a++) {
			int bit, argn;
			const char *s = opt_find(spec, *a, &bit, &argn);

			if (!s) {
				*bad = *a;
				*next = i;
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
					*next = i;
					return -1;
				}
				break;
			}
		}
	}
	*next = i;
	return flags;
}

long opt_parse(int argc, char **argv, const char *spec, const char **args, int *next, char *bad)
{
	return opt_parse_long(argc, argv, spec, NULL, args, next, bad);
}

void opt_error(char *buf, size_t len, const char *arg, char bad, const char *spec,
	       const struct opt_long *longs)
{
	const struct opt_long *l;
	const char *s = NULL, *eq;
	int bit, argn;
	size_t n;

	if (bad != '-') {
		s = opt_find(spec, bad, &bit, &argn);
		snprintf(buf, len, s && s[1] == ':' ? "option '-%c' needs an argument" :
			 "invalid option '-%c'", bad);
		return;
	}
	eq = strchr(arg + 2, '=');
	n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	for (l = longs; l && l->name; l++)
		if (strlen(l->name) == n && !strncmp(l->name, arg + 2, n))
			break;
	if (l && l->name)
		s = opt_find(spec, l->letter, &bit, &argn);
	if (!s)
		snprintf(buf, len, "invalid option '%s'", arg);
	else if (s[1] == ':')
		snprintf(buf, len, "option '--%s' needs an argument", l->name);
	else
		snprintf(buf, len, "option '--%s' takes no argument", l->name);
}
