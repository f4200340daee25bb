/*
 * lsmod: kmod's lsmod, for the seed's check `lsmod | grep -E
 * 'amneziawg|wireguard'` in images without kmod.  The modules come from
 * /proc/modules; size, use count and holders from /sys/module as kmod
 * reads them, with /proc/modules' columns where sysfs has nothing.
 */
//config:config LSMOD
//config:	bool "lsmod: list loaded kernel modules (kmod lsmod)"
//config:	default y
//config:	help
//config:	  kmod's lsmod: the loaded modules with their size, use count
//config:	  and the modules using them, in kmod's format.
//config:
//applet:lsmod LSMOD lsmod_main
//usage:lsmod
//usage:lsmod
//usage:lsmod List the loaded kernel modules (/proc/modules) as kmod's lsmod does.
//usage:lsmod $AWG_PROC_ROOT and $AWG_SYSFS_ROOT replace /proc and /sys (for tests).

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

/* The value of /sys/module/NAME/FILE as a number, or def. */
static long sys_number(const char *sys, const char *name, const char *file, long def)
{
	char path[PATH_MAX], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/module/%s/%s", sys, name, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return def;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return def;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* " a,b" from /sys/module/NAME/holders, else from /proc/modules' "a,b,". */
static void print_holders(const char *sys, const char *name, char *proc_holders)
{
	char path[PATH_MAX];
	const char *sep = " ";
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/module/%s/holders", sys, name);
	dir = opendir(path);
	if (dir) {
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			printf("%s%s", sep, d->d_name);
			sep = ",";
		}
		closedir(dir);
		return;
	}
	if (!proc_holders || !strcmp(proc_holders, "-"))
		return;
	for (char *save, *h = strtok_r(proc_holders, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		printf("%s%s", sep, h);
		sep = ",";
	}
}

/* All of a /proc file (its size is not known in advance), NUL-terminated. */
static char *read_all(const char *path)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 1;

	if (fd < 0)
		return NULL;
	while (n > 0) {
		if (cap - len < 4096) {
			nb = realloc(buf, cap += 16384);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (n != 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

int lsmod_main(int argc, char **argv)
{
	const char *proc = getenv("AWG_PROC_ROOT"), *sys = getenv("AWG_SYSFS_ROOT");
	char path[PATH_MAX], *text, *line, *next;

	if (argc > 1) {
		fputs("Usage: lsmod\n", stderr);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/modules", proc && *proc ? proc : "/proc");
	if (!sys || !*sys)
		sys = "/sys";
	text = read_all(path);
	if (!text) {
		fprintf(stderr, "lsmod: %s: %s\n", path, strerror(errno ? errno : ENOMEM));
		return 1;
	}
	puts("Module                  Size  Used by");
	/* name size refcount holders state address */
	for (line = text; *line; line = next) {
		char *name, *size, *refs, *holders, *save;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		name = strtok_r(line, " ", &save);
		size = strtok_r(NULL, " ", &save);
		refs = strtok_r(NULL, " ", &save);
		holders = strtok_r(NULL, " ", &save);
		if (!name || !size || !refs)
			continue;
		printf("%-19s %8ld  %ld", name, sys_number(sys, name, "coresize", strtol(size, NULL, 10)),
		       sys_number(sys, name, "refcnt", strtol(refs, NULL, 10)));
		print_holders(sys, name, holders);
		putchar('\n');
	}
	free(text);
	return 0;
}
