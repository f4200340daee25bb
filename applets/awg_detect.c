/*
 * awg-detect: the seed's choice between AmneziaWG and standard WireGuard,
 * kernel module and userspace, made from EXPERIMENTAL_AWG and
 * OVERRIDE_AUTO_AWG; loads the module it chooses.  Prints the result as
 * shell assignments (eval "$(awg-detect)") or JSON, and logs each step on
 * stderr.  The work is core/detect.c's, shared with awg-easy-init.
 */
//config:config AWG_DETECT
//config:	bool "awg-detect: choose AmneziaWG or WireGuard, kernel or userspace"
//config:	default y
//config:	help
//config:	  Decides, as the awg-easy seed describes, whether AmneziaWG or
//config:	  standard WireGuard runs, and whether from the kernel module
//config:	  (loading it and its dependencies without kmod) or userspace
//config:	  (amneziawg-go, wireguard-go).  `awg-detect status` shows what
//config:	  is loaded and which interfaces exist.
//config:
//applet:awg-detect AWG_DETECT awg_detect_main
//usage:awg-detect [-n] [-j] [-q] [-m MODULE] [OPTIONS] [status]
//usage:awg-detect
//usage:awg-detect Choose AmneziaWG (EXPERIMENTAL_AWG=true) or standard WireGuard, kernel module
//usage:awg-detect or userspace; OVERRIDE_AUTO_AWG=awg|wg forces one.  Loads the chosen module
//usage:awg-detect with its dependencies and prints, for eval "$(awg-detect)":
//usage:awg-detect   AWG_MODE=awg|wg  AWG_IMPL=kernel|userspace|none  AWG_REASON=TOKEN
//usage:awg-detect   OVERRIDE_AUTO_AWG=awg|wg  AWG_TOOL=awg|wg  AWG_QUICK=awg-quick|wg-quick
//usage:awg-detect   WG_QUICK_USERSPACE_IMPLEMENTATION=PATH (userspace only)
//usage:awg-detect Exit status 0: something usable chosen, 1: nothing usable, 2: bad usage/env.
//usage:awg-detect
//usage:awg-detect   -n, --no-load              decide without loading anything
//usage:awg-detect   -j, --json                 print one JSON object instead
//usage:awg-detect   -q, --quiet                no log on stderr (errors still)
//usage:awg-detect   -m, --module FILE          the amneziawg module ($AWG_MODULE; default:
//usage:awg-detect                              modules.dep, then /lib/modules/amneziawg.ko*,
//usage:awg-detect                              /lib/modules/PREBUILT/**/amneziawg.ko*)
//usage:awg-detect   -f, --version-file FILE    prebuilt module's kernel ($AWG_VERSION_FILE,
//usage:awg-detect                              /etc/amneziawg-kernel-version.txt)
//usage:awg-detect   -d, --modules-root DIR     $AWG_MODULES_ROOT, /lib/modules
//usage:awg-detect   -s, --sysfs-root DIR       $AWG_SYSFS_ROOT, /sys
//usage:awg-detect   -k, --kernel-release REL   $AWG_KERNEL_RELEASE, uname -r
//usage:awg-detect   -t, --tun FILE             $AWG_TUN, /dev/net/tun
//usage:awg-detect userspace: $WG_QUICK_USERSPACE_IMPLEMENTATION, else amneziawg-go or
//usage:awg-detect wireguard-go, found in $PATH.
//usage:awg-detect
//usage:awg-detect status: which of amneziawg and wireguard is loaded or built in, their
//usage:awg-detect version, and the interfaces of each kind.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "applet.h"
#include "detect.h"
#include "rtnl.h"
#include "log.h"
#include "opt.h"

/* A value as one shell word: bare when only safe characters, else in
 * single quotes with each ' written as '\''. */
static void put_shell(const char *v)
{
	if (*v && !v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+,=-")]) {
		fputs(v, stdout);
		return;
	}
	putchar('\'');
	for (; *v; v++) {
		if (*v == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*v);
	}
	putchar('\'');
}

static void put_json(const char *v)
{
	putchar('"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_result(const struct detect_result *r, bool json)
{
	const char *keys[DETECT_VARS_MAX], *values[DETECT_VARS_MAX];
	int n = detect_vars(r, keys, values);

	for (int i = 0; i < n; i++) {
		if (json) {
			fputs(i ? "," : "{", stdout);
			put_json(keys[i]);
			putchar(':');
			put_json(values[i]);
		} else {
			printf("%s=", keys[i]);
			put_shell(values[i]);
			putchar('\n');
		}
	}
	if (json && n)
		puts("}");
}

/* /sys/module/NAME/FILE, first line */
static const char *sys_value(const char *sysfs, const char *name, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/module/%s/%s", sysfs, name, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

struct links_by_kind {
	const char *const *kinds;
	char (*names)[512];
};

static int add_link(const struct rtnl_link *link, void *data)
{
	struct links_by_kind *l = data;

	for (int i = 0; i < 2; i++)
		if (!strcmp(link->kind, l->kinds[i])) {
			size_t len = strlen(l->names[i]);

			snprintf(l->names[i] + len, sizeof(l->names[i]) - len, "%s%s", len ? " " : "", link->name);
		}
	return 0;
}

/* The interfaces of each kind, space-separated, in names[i] for kinds[i]. */
static int list_links(const char *const kinds[2], char names[2][512])
{
	static const char *const both[] = { "amneziawg", "wireguard", NULL };
	struct links_by_kind l = { kinds, names };
	struct nl nl;
	int ret = nl_open(&nl, NETLINK_ROUTE), tries = 0;

	if (ret < 0)
		return ret;
	do {
		names[0][0] = names[1][0] = '\0';
		ret = rtnl_link_list(&nl, both, add_link, &l);
	} while (ret == -EINTR && ++tries < 5);	/* links changed during the dump */
	nl_close(&nl);
	return ret;
}

static int status(const char *modules_root, const char *release, const char *sysfs)
{
	static const char *const kinds[] = { "amneziawg", "wireguard" };
	static const char *const states[] = { "", "not loaded", "loaded", "built in",
					      "not loaded (loadable: in modules.dep)" };
	char names[2][512], ver[64], src[64];
	struct module_env e;
	int links = list_links(kinds, names);

	module_env_init(&e, modules_root, release, sysfs);
	for (int i = 0; i < 2; i++) {
		int st = module_state(&e, kinds[i], NULL);
		const char *v = sys_value(sysfs, kinds[i], "version", ver, sizeof(ver));
		const char *s = sys_value(sysfs, kinds[i], "srcversion", src, sizeof(src));

		printf("%s: %s", kinds[i], states[st]);
		if (v || s)
			printf(" (%s%s%s%s%s)", v ? "version " : "", v ? v : "", v && s ? ", " : "",
			       s ? "srcversion " : "", s ? s : "");
		if (links < 0)
			printf("\n%s interfaces: unknown (%s)\n", kinds[i], strerror(-links));
		else
			printf("\n%s interfaces: %s\n", kinds[i], *names[i] ? names[i] : "none");
	}
	module_env_free(&e);
	return 0;
}

int awg_detect_main(int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "no-load", 'n' }, { "json", 'j' }, { "quiet", 'q' }, { "module", 'm' },
		{ "version-file", 'f' }, { "modules-root", 'd' }, { "sysfs-root", 's' },
		{ "kernel-release", 'k' }, { "tun", 't' }, { NULL, 0 },
	};
	const char *a[6] = { 0 };
	struct detect_opts o;
	struct detect_result r;
	struct utsname u;
	int next, ret;
	char bad;
	static const char spec[] = "njqm:f:d:s:k:t:";
	long f = opt_parse_long(argc, argv, spec, longs, a, &next, &bad);
	char why[96];

	if (f < 0 || (next < argc && (strcmp(argv[next], "status") || next + 1 < argc))) {
		if (f < 0) {
			opt_error(why, sizeof(why), argv[next], bad, spec, longs);
			fprintf(stderr, "awg-detect: %s\n", why);
		} else {
			fprintf(stderr, "awg-detect: unexpected argument '%s'\n",
				argv[strcmp(argv[next], "status") ? next : next + 1]);
		}
		fputs("Usage: awg-detect [-n] [-j] [-q] [-m MODULE] [OPTIONS] [status]\n", stderr);
		return 2;
	}
	detect_opts_from_env(&o, a);
	if (next < argc) {
		if (!o.release) {
			uname(&u);
			o.release = u.release;
		}
		return status(o.modules_root ? o.modules_root : "/lib/modules", o.release,
			      o.sysfs ? o.sysfs : "/sys");
	}
	o.no_load = f & 1;
	log_init("awg-detect", f & 4);
	ret = detect_run(&o, &r);
	print_result(&r, f & 2);
	if (fflush(stdout) || ferror(stdout)) {
		log_error("write error: %s", strerror(errno));
		return 2;
	}
	return ret;
}
