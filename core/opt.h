/* Declared option parsing shared by every applet (toybox style). */
#ifndef AWGBOX_OPT_H
#define AWGBOX_OPT_H

#include <stddef.h>

/*
 * Parse leading short options of argv[1..] against spec, a string of option
 * letters; a letter followed by ':' takes an argument, stored in args[index
 * of that letter among the argument-taking letters].  "--" ends options, as
 * does the first argument that does not start with '-' (or is just "-").
 *
 * Returns a bit mask (bit i = i-th letter of spec, ':' not counted) and sets
 * *next to the index of the first operand; returns -1 on an unknown option or
 * a missing argument, with the offending letter in *bad.
 */
long opt_parse(int argc, char **argv, const char *spec, const char **args, int *next, char *bad);

/*
 * The same, where "--NAME" (or "--NAME=ARG", "--NAME ARG" when the letter
 * takes an argument) stands for the short option of that letter; longs ends
 * with { NULL, 0 }.  An unknown or malformed long option returns -1 with
 * *bad = '-'.  On every error *next is the index of the offending argument.
 */
struct opt_long {
	const char *name;
	char letter;
};
long opt_parse_long(int argc, char **argv, const char *spec, const struct opt_long *longs,
		    const char **args, int *next, char *bad);

/*
 * Why argv[next] (arg) was refused, for the applet to print after its name:
 * "invalid option '-z'", "option '-m' needs an argument", "invalid option
 * '--nosuch'", "option '--module' needs an argument", "option '--json'
 * takes no argument".  Into buf (len bytes, cut to fit).
 */
void opt_error(char *buf, size_t len, const char *arg, char bad, const char *spec,
	       const struct opt_long *longs);

#endif
