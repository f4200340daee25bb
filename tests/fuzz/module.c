/*
 * Module files and the kernel's module indexes.  The first byte picks what
 * the rest is:
 *   0  a module file (ELF, or xz/gzip-compressed ELF): its .modinfo
 *   1  modules.dep: a dependency plan for the names of its lines
 *   2  modules.builtin + modules.alias: states and alias lookups
 *   3  modules.builtin.modinfo: a built-in module's entries
 * Indexes are handed over in malloc'd buffers of exactly their size (not
 * mapped, where a page's zero padding would hide a read past the end).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "module.h"

static char dir[] = "/tmp/awgbox-fuzz-module.XXXXXX";
static char release_dir[sizeof(dir) + 8];
static int builtin_fd;

static void cleanup(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", release_dir);
	unlink(path);
	rmdir(release_dir);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[PATH_MAX], target[64];

	if (!mkdtemp(dir))
		abort();
	snprintf(release_dir, sizeof(release_dir), "%s/r", dir);
	if (mkdir(release_dir, 0700))
		abort();
	/* modules.builtin.modinfo is read by name: a link to a memfd */
	builtin_fd = fuzz_fd(NULL, 0);
	fuzz_fd_path(target, sizeof(target), builtin_fd);
	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", release_dir);
	if (symlink(target, path))
		abort();
	atexit(cleanup);
	return 0;
}

static void read_info(const uint8_t *data, size_t size)
{
	struct module_file m = { .fd = -1 };
	size_t pos = 0, klen;
	const char *k, *v;

	m.raw = malloc(size + !size);
	memcpy(m.raw, data, size);
	m.raw_len = size;
	m.comp = size >= 6 && !memcmp(data, "\xfd" "7zXZ\0", 6) ? MODULE_XZ :
		 size >= 2 && data[0] == 0x1f && data[1] == 0x8b ? MODULE_GZIP : MODULE_PLAIN;
	if (module_read_info(&m) == 0) {
		while (module_info_next(&m, &pos, &k, &klen, &v))
			if (!klen || strchr(k, '=') != v - 1)
				abort();
		module_vermagic_matches(module_info_get(&m, "vermagic"), "6.12.57+deb12-amd64");
		module_info_get(&m, "depends");
	}
	if (m.image != m.raw)
		free(m.image);
	free(m.raw);
}

static void set_index(struct module_index *x, const uint8_t *data, size_t size)
{
	x->data = malloc(size + !size);
	memcpy(x->data, data, size);
	x->len = size;
	x->err = 1;
}

static void free_index(struct module_index *x)
{
	free(x->data);
	memset(x, 0, sizeof(*x));
}

static int count_alias(const char *name, void *data)
{
	return ++*(int *)data > 1000;
}

static void plan_lines(struct module_env *e, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	/* each line's module, and a depends= list of the first few */
	for (int lines = 0; p < end && lines < 64; lines++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
		char name[MODULE_NAME_MAX];
		struct module_plan plan = { 0 };

		if (!nl)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		module_name_of((const char *)p, (size_t)((colon ? colon : nl) - p), name);
		if (module_plan_name(e, &plan, name) == 0 && plan.n == 0 &&
		    module_state(e, name, NULL) == MODULE_LOADABLE)
			abort();	/* loadable, yet nothing to load */
		module_plan_depends(e, &plan, "a,b,,c");
		module_plan_free(&plan);
		p = nl + 1;
	}
}

static void builtin_info(struct module_env *e, const uint8_t *data, size_t size)
{
	struct module_file m;
	size_t pos = 0, klen;
	const char *k, *v;

	fuzz_refill(builtin_fd, data, size);
	if (module_builtin_info(e, "amneziawg", &m) == 0) {
		while (module_info_next(&m, &pos, &k, &klen, &v))
			;
		module_close(&m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct module_env e;
	int n = 0;

	if (!size)
		return 0;
	module_env_init(&e, dir, "r", "/nonexistent");
	switch (data[0] & 3) {
	case 0:
		read_info(data + 1, size - 1);
		break;
	case 1:
		set_index(&e.dep, data + 1, size - 1);
		set_index(&e.builtin, (const uint8_t *)"", 0);
		plan_lines(&e, data + 1, size - 1);
		break;
	case 2:
		set_index(&e.builtin, data + 1, size - 1);
		set_index(&e.dep, (const uint8_t *)"", 0);
		set_index(&e.alias, data + 1, size - 1);
		module_state(&e, "wireguard", NULL);
		module_alias_each(&e, "net-pf-16-proto-16-family-amneziawg", count_alias, &n);
		module_alias_each(&e, "fs-overlay", count_alias, &n);
		break;
	case 3:
		builtin_info(&e, data + 1, size - 1);
		break;
	}
	free_index(&e.dep);
	free_index(&e.builtin);
	free_index(&e.alias);
	return 0;
}
