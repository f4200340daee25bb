/*
 * Kernel modules without kmod: read a module file (plain, .xz, .gz; .zst
 * only for the kernel to decompress), its .modinfo, the kernel's
 * modules.dep and modules.builtin, /sys/module; plan the dependencies and
 * load with finit_module (init_module where that is missing).
 * Functions return 0 or -errno and never print.
 */
#ifndef AWGBOX_MODULE_H
#define AWGBOX_MODULE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum module_comp { MODULE_PLAIN, MODULE_GZIP, MODULE_XZ, MODULE_ZSTD };

/* "gzip", "xz", "zstd" (as /sys/module/compression names them), or "" */
const char *module_comp_name(enum module_comp c);

struct module_file {
	int fd;
	enum module_comp comp;		/* from the file's first bytes */
	uint8_t *raw;			/* the file, mapped */
	size_t raw_len;
	uint8_t *image;			/* the ELF image: raw, or decompressed */
	size_t len;
	const char *info;		/* its .modinfo section */
	size_t info_len;
};

/* Open and map path; nothing is parsed yet.  -errno of open(2). */
int module_open(struct module_file *m, const char *path);

/*
 * Find the .modinfo section, decompressing first if needed.  Errors as
 * kmod's: -ENOEXEC not ELF; -EINVAL shorter than 6 bytes, an ELF file that
 * is broken or not of this machine, or corrupt compressed data; -ENOENT no
 * .modinfo; -ENOTSUP zstd (awgbox does not decompress it).
 */
int module_read_info(struct module_file *m);

void module_close(struct module_file *m);

/* The next "key=value" of .modinfo in file order (*pos starts at 0): false
 * at the end.  value is NUL-terminated; key is not (key_len bytes). */
bool module_info_next(const struct module_file *m, size_t *pos,
		      const char **key, size_t *key_len, const char **value);
/* The first value of key, or NULL. */
const char *module_info_get(const struct module_file *m, const char *key);

/* Does vermagic ("6.12.50-0-lts SMP mod_unload ...") start with release? */
bool module_vermagic_matches(const char *vermagic, const char *release);

/* Module names: '-' and '_' are the same (the kernel uses '_'). */
#define MODULE_NAME_MAX 64
bool module_name_eq(const char *a, size_t a_len, const char *b);
/* The name of a module file: its base name up to the first '.'. */
void module_name_of(const char *path, size_t len, char name[MODULE_NAME_MAX]);

/*
 * The modules of the running kernel: ROOT/RELEASE with modules.dep and
 * modules.builtin (mapped on first use), and the kernel's /sys.
 */
struct module_index {
	char *data;
	size_t len;
	int err;	/* 0 not tried yet, 1 mapped, -errno */
};
struct module_env {
	char dir[PATH_MAX];
	const char *sysfs;
	struct module_index dep, builtin, alias;
};
/* Map ROOT/RELEASE/FILE once (x->err caches the result): 1 or -errno. */
int module_index_map(struct module_env *e, struct module_index *x, const char *file);
void module_index_unmap(struct module_index *x);
void module_env_init(struct module_env *e, const char *root, const char *release, const char *sysfs);
void module_env_free(struct module_env *e);

/* A line of modules.dep: the module's path (relative to the env's dir,
 * or absolute) and the paths of all it needs, separated by spaces. */
struct module_dep {
	const char *path, *deps;
	size_t path_len, deps_len;
};

/* The modules.dep line of NAME: true when found. */
bool module_dep_find(struct module_env *e, const char *name, struct module_dep *d);
/* The full path of its module file, malloc'd (NULL: no memory). */
char *module_dep_path(const struct module_env *e, const struct module_dep *d);

enum module_state {
	MODULE_ABSENT = 1,	/* neither loaded, built in, nor in modules.dep */
	MODULE_LOADED,		/* /sys/module/NAME with an initstate */
	MODULE_BUILTIN,		/* /sys/module/NAME without one, or modules.builtin */
	MODULE_LOADABLE,	/* in modules.dep (then *dep is its line) */
};
enum module_state module_state(struct module_env *e, const char *name, struct module_dep *dep);

/* The .modinfo of a built-in module, from modules.builtin.modinfo, as a
 * module_file without a file (module_info_next() reads it; module_close()
 * frees it).  -ENOENT when NAME has no entries. */
int module_builtin_info(struct module_env *e, const char *name, struct module_file *m);

/* Call fn with the module name of each line of modules.alias whose pattern
 * matches alias (as fnmatch(3)), in file order, until fn returns non-zero. */
int module_alias_each(struct module_env *e, const char *alias,
		      int (*fn)(const char *name, void *data), void *data);

/* What to load, dependencies first; modules already loaded or built in
 * are left out. */
#define MODULE_PLAN_MAX 32
struct module_plan {
	unsigned n;
	struct {
		char name[MODULE_NAME_MAX];
		char *path;
	} mod[MODULE_PLAN_MAX];
	char missing[MODULE_NAME_MAX];	/* set when -ENOENT */
};
/* Add NAME with everything it needs per modules.dep.  -ENOENT when it or a
 * dependency is nowhere (its name in p->missing), -E2BIG, -ENOMEM. */
int module_plan_name(struct module_env *e, struct module_plan *p, const char *name);
/* Add the modules of a .modinfo depends= list ("a,b,c"). */
int module_plan_depends(struct module_env *e, struct module_plan *p, const char *depends);
void module_plan_free(struct module_plan *p);

/*
 * Load an opened module.  Compressed files go to the kernel as they are
 * (MODULE_INIT_COMPRESSED_FILE) when SYSFS/module/compression names their
 * format, else are decompressed here for init_module(2).  -EEXIST when a
 * module of that name is loaded already; other errors as the kernel says.
 */
int module_insert(struct module_file *m, const char *sysfs, const char *params);

#endif
