/* Option parsing: short options, long options, operands and errors. */
#include <string.h>

#include "opt.h"
#include "t.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

int main(void)
{
	static const struct opt_long longs[] = {
		{ "quiet", 'q' }, { "module", 'm' }, { "no-load", 'n' }, { NULL, 0 },
	};
	const char *args[2];
	char bad = 0;
	int next;
	long f;

	t_begin("short options, clustered, with an argument attached or separate");
	{
		char *v[] = { "x", "-qn", "-mFILE", "-k", "REL", "op" };
		args[0] = args[1] = NULL;
		f = opt_parse(ARGC(v), v, "qnm:k:", args, &next, &bad);
		t_check_int(f, 0xf);
		t_check_str(args[0], "FILE");
		t_check_str(args[1], "REL");
		t_check_int(next, 5);
	}
	t_end();

	t_begin("long options map to their letters: --name, --name=ARG, --name ARG");
	{
		char *v[] = { "x", "--quiet", "--module=/a=b", "--no-load", "--module", "/c", "--", "-q" };
		args[0] = NULL;
		f = opt_parse_long(ARGC(v), v, "qm:n", longs, args, &next, &bad);
		t_check_int(f, 7);
		t_check_str(args[0], "/c");
		t_check_int(next, 7);
	}
	t_end();

	t_begin("bad long options: unknown, prefix only, argument to a flag, missing argument");
	{
		char *v1[] = { "x", "-q", "--nosuch" };
		char *v2[] = { "x", "--quie" };
		char *v3[] = { "x", "--quiet=1" };
		char *v4[] = { "x", "--module" };
		char *v5[] = { "x", "--quiet" };

		t_check_int(opt_parse_long(ARGC(v1), v1, "qm:n", longs, args, &next, &bad), -1);
		t_check(bad == '-' && next == 2, "bad '%c' next %d", bad, next);
		t_check_int(opt_parse_long(ARGC(v2), v2, "qm:n", longs, args, &next, &bad), -1);
		t_check_int(opt_parse_long(ARGC(v3), v3, "qm:n", longs, args, &next, &bad), -1);
		t_check_int(opt_parse_long(ARGC(v4), v4, "qm:n", longs, args, &next, &bad), -1);
		/* a long name whose letter is not in spec is unknown */
		t_check_int(opt_parse_long(ARGC(v5), v5, "m:n", longs, args, &next, &bad), -1);
		/* without a table every long option is unknown */
		t_check_int(opt_parse(ARGC(v5), v5, "qm:n", args, &next, &bad), -1);
	}
	t_end();

	t_begin("bad short options: unknown letter, missing argument, ':'");
	{
		char *v1[] = { "x", "-n", "-qz" };
		char *v2[] = { "x", "-m" };
		char *v3[] = { "x", "-:" };

		t_check_int(opt_parse(ARGC(v1), v1, "qm:n", args, &next, &bad), -1);
		t_check(bad == 'z' && next == 2, "bad '%c' next %d", bad, next);
		t_check_int(opt_parse(ARGC(v2), v2, "qm:n", args, &next, &bad), -1);
		t_check(bad == 'm', "bad '%c'", bad);
		t_check_int(opt_parse(ARGC(v3), v3, "qm:n", args, &next, &bad), -1);
	}
	t_end();

	t_begin("opt_error: why, naming the one option that was refused");
	{
		static const struct opt_long el[] = { { "module", 'm' }, { "json", 'j' }, { NULL, 0 } };
		static const struct { char *argv[3]; const char *want; } cases[] = {
			{ { "x", "-jz" }, "invalid option '-z'" },
			{ { "x", "-jm" }, "option '-m' needs an argument" },
			{ { "x", "--nosuch" }, "invalid option '--nosuch'" },
			{ { "x", "--mod" }, "invalid option '--mod'" },
			{ { "x", "--module" }, "option '--module' needs an argument" },
			{ { "x", "--json=1" }, "option '--json' takes no argument" },
		};
		char buf[64], small[8];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char **v = (char **)cases[i].argv;

			t_check_int(opt_parse_long(2, v, "jm:", el, args, &next, &bad), -1);
			opt_error(buf, sizeof(buf), v[next], bad, "jm:", el);
			t_check(!strcmp(buf, cases[i].want), "%s: '%s', want '%s'", v[1], buf, cases[i].want);
		}
		opt_error(small, sizeof(small), "--nosuch", '-', "jm:", el);
		t_check(!strcmp(small, "invalid"), "cut to fit: '%s'", small);
	}
	t_end();

	t_begin("operands: '-' alone and the first non-option end the options");
	{
		char *v[] = { "x", "-q", "-", "-n" };
		f = opt_parse(ARGC(v), v, "qn", args, &next, &bad);
		t_check_int(f, 1);
		t_check_int(next, 2);
	}
	t_end();
	return t_done();
}
