/*
 * modinfo: kmod's modinfo for module files and for names looked up in
 * /lib/modules/RELEASE, with kmod's output (the module signature fields
 * aside), so scripts that run `modinfo NAME` work in images without kmod.
 */
//config:config MODINFO
//config:	bool "modinfo: show information about a kernel module (kmod modinfo)"
//config:	default y
//config:	help
//config:	  kmod's modinfo: the .modinfo fields of a module file (plain,
//config:	  .ko.xz or .ko.gz) or of a module named by name or alias in
//config:	  /lib/modules/RELEASE, in kmod's format.  Signature fields are
//config:	  not shown.
//config:
//applet:modinfo MODINFO modinfo_main
//usage:modinfo [-0] [-F FIELD|-n|-a|-d|-l|-p] [-k REL] [-b DIR] MODULE...
//usage:modinfo
//usage:modinfo Show the .modinfo fields of kernel modules given as files, or by name or
//usage:modinfo alias (DIR/lib/modules/REL: modules.dep, modules.alias,
//usage:modinfo modules.builtin.modinfo).
//usage:modinfo
//usage:modinfo   -F, --field FIELD       only the values of FIELD
//usage:modinfo   -n, --filename          -F filename     -a, --author       -F author
//usage:modinfo   -d, --description       -F description  -l, --license      -F license
//usage:modinfo   -p, --parameters        -F parm         (-F first, then in this order)
//usage:modinfo   -0, --null              end lines with NUL, not newline
//usage:modinfo   -k, --set-version REL   modules of kernel REL, not `uname -r`
//usage:modinfo   -b, --basedir DIR       DIR/lib/modules, not /lib/modules
//usage:modinfo   -m, --modname           (accepted for kmod compatibility)

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "applet.h"
#include "module.h"
#include "opt.h"

struct show {
	const char *field;	/* NULL: everything */
	char end;		/* line end: '\n' or '\0' with -0 */
	int failed;
};

/* A module parameter from its parm= (description) and parmtype= entries. */
struct param {
	const char *name, *desc, *type;
	size_t name_len;
};

static void line(struct show *s, const char *key, size_t klen, const char *value)
{
	char k[64];

	snprintf(k, sizeof(k), "%.*s:", (int)klen, key);
	printf("%-16s%s%c", k, value, s->end);
}

/* kmod prints parameters after the other fields, last declared first;
 * -p prints "name:desc (type)" always, the full listing only the parts
 * that exist. */
static void show_params(struct show *s, struct module_file *m, bool listing)
{
	struct param *p = NULL, *np;
	size_t n = 0, pos = 0, klen;
	const char *k, *v;

	while (module_info_next(m, &pos, &k, &klen, &v)) {
		bool is_type = klen == 8 && !memcmp(k, "parmtype", 8);
		const char *colon = strchr(v, ':');
		size_t i;

		if (!colon || !(is_type || (klen == 4 && !memcmp(k, "parm", 4))))
			continue;
		for (i = 0; i < n; i++)
			if (p[i].name_len == (size_t)(colon - v) && !memcmp(p[i].name, v, p[i].name_len))
				break;
		if (i == n) {
			np = realloc(p, (n + 1) * sizeof(*p));
			if (!np)
				break;
			p = np;
			p[n++] = (struct param){ .name = v, .name_len = (size_t)(colon - v) };
		}
		*(is_type ? &p[i].type : &p[i].desc) = colon + 1;
	}
	while (n--) {
		const struct param *q = &p[n];

		if (listing)
			printf("%-16s", "parm:");
		printf("%.*s:%s", (int)q->name_len, q->name, q->desc ? q->desc : "");
		if (q->type)
			printf(listing && !q->desc ? "%s" : " (%s)", q->type);
		putchar(s->end);
	}
	free(p);
}

static void show_module(struct show *s, struct module_file *m, const char *builtin)
{
	size_t pos = 0, klen, flen = s->field ? strlen(s->field) : 0;
	const char *k, *v;

	if (s->field && !strcmp(s->field, "parm")) {
		show_params(s, m, false);
		return;
	}
	if (builtin && (!s->field || !strcmp(s->field, "name"))) {
		if (s->field)
			printf("%s%c", builtin, s->end);
		else
			line(s, "name", 4, builtin);
	}
	if (builtin && !s->field)
		line(s, "filename", 8, "(builtin)");
	while (module_info_next(m, &pos, &k, &klen, &v)) {
		if (s->field) {
			if (klen == flen && !memcmp(k, s->field, klen))
				printf("%s%c", v, s->end);
		} else if ((klen == 4 && !memcmp(k, "parm", 4)) ||
			   (klen == 8 && !memcmp(k, "parmtype", 8))) {
			continue;
		} else if (s->end) {
			line(s, k, klen, v);
		} else {
			/* kmod's -0 listing: "key=value" but for name, filename, parm */
			printf("%.*s=%s%c", (int)klen, k, v, 0);
		}
	}
	if (!s->field)
		show_params(s, m, true);
}

static void show_file(struct show *s, const char *path)
{
	char abs[PATH_MAX + 1] = "", name[MODULE_NAME_MAX];
	struct module_file m;
	int ret;

	/* kmod names a relative path from the working directory, as given */
	if (path[0] != '/' && getcwd(abs, sizeof(abs) - 1))
		strcat(abs, "/");
	strncat(abs, path, sizeof(abs) - strlen(abs) - 1);
	if (s->field && !strcmp(s->field, "filename")) {
		printf("%s%c", abs, s->end);
		return;
	}
	if (!s->field)
		line(s, "filename", 8, abs);
	ret = module_open(&m, path);
	if (!ret)
		ret = module_read_info(&m);
	if (ret < 0) {
		module_name_of(path, strlen(path), name);
		fflush(stdout);
		fprintf(stderr, "modinfo: ERROR: could not get modinfo from '%s': %s%s\n", name, strerror(-ret),
			ret == -ENOTSUP ? " (zstd: awgbox reads plain, .xz and .gz modules)" : "");
		s->failed = 1;
	} else {
		show_module(s, &m, NULL);
	}
	module_close(&m);
}

static void show_builtin(struct show *s, struct module_env *e, const char *name)
{
	struct module_file m;

	if (s->field && !strcmp(s->field, "filename")) {
		printf("(builtin)%c", s->end);
		return;
	}
	if (module_builtin_info(e, name, &m) < 0)
		return;
	show_module(s, &m, name);
	module_close(&m);
}

struct lookup {
	struct show *s;
	struct module_env *e;
	int found;
};

/* Show module NAME of modules.dep or modules.builtin.modinfo. */
static int show_named(const char *name, void *data)
{
	struct lookup *l = data;
	struct module_dep d;
	struct module_file m;
	char *path;

	if (module_dep_find(l->e, name, &d)) {
		path = module_dep_path(l->e, &d);
		if (!path)
			return -ENOMEM;
		show_file(l->s, path);
		free(path);
		l->found = 1;
	} else if (module_builtin_info(l->e, name, &m) == 0) {
		module_close(&m);
		show_builtin(l->s, l->e, name);
		l->found = 1;
	}
	return 0;
}

static void show_arg(struct show *s, struct module_env *e, const char *arg)
{
	struct lookup l = { s, e, 0 };
	struct module_dep d;
	struct stat st;

	if (!stat(arg, &st) && S_ISREG(st.st_mode)) {
		show_file(s, arg);
		return;
	}
	/* as kmod: a module name, else aliases, else a built-in module */
	if (module_dep_find(e, arg, &d))
		show_named(arg, &l);
	else if (module_alias_each(e, arg, show_named, &l), !l.found)
		show_named(arg, &l);
	if (!l.found) {
		fflush(stdout);
		fprintf(stderr, "modinfo: ERROR: Module %s not found.\n", arg);
		s->failed = 1;
	}
}

int modinfo_main(int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "field", 'F' }, { "filename", 'n' }, { "author", 'a' }, { "description", 'd' },
		{ "license", 'l' }, { "parameters", 'p' }, { "null", '0' }, { "set-version", 'k' },
		{ "basedir", 'b' }, { "modname", 'm' }, { NULL, 0 },
	};
	static const char *const fields[] = { "filename", "author", "description", "license", "parm" };
	const char *args[3] = { NULL, NULL, "" };
	struct show s = { .end = '\n' };
	struct module_env e;
	struct utsname u;
	char root[PATH_MAX], bad;
	int next;
	static const char spec[] = "F:nadlp0k:b:m";
	long f = opt_parse_long(argc, argv, spec, longs, args, &next, &bad);

	if (f < 0) {
		opt_error(root, sizeof(root), argv[next], bad, spec, longs);
		fprintf(stderr, "modinfo: %s\n", root);
		return 1;
	}
	/* one field: -F, else the first of -n -a -d -l -p */
	s.field = args[0];
	for (int i = 0; i < 5 && !s.field; i++)
		if (f & (2 << i))
			s.field = fields[i];
	if (f & (1 << 6))
		s.end = '\0';
	if (next >= argc) {
		fputs("modinfo: ERROR: missing module or filename.\n", stderr);
		return 1;
	}
	if (!args[1]) {
		uname(&u);
		args[1] = u.release;
	}
	snprintf(root, sizeof(root), "%s/lib/modules", args[2]);
	module_env_init(&e, root, args[1], "/sys");
	for (; next < argc; next++)
		show_arg(&s, &e, argv[next]);
	module_env_free(&e);
	return s.failed;
}
