#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/module.h>

#include "module.h"
#include "unpack.h"

/* The largest decompressed module we accept (the biggest are ~40 MiB). */
#define MODULE_MAX_IMAGE (512u << 20)

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr elf_ehdr;
typedef Elf64_Shdr elf_shdr;
#define ELF_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr elf_ehdr;
typedef Elf32_Shdr elf_shdr;
#define ELF_CLASS ELFCLASS32
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELF_DATA ELFDATA2LSB
#else
#define ELF_DATA ELFDATA2MSB
#endif

const char *module_comp_name(enum module_comp c)
{
	static const char names[][5] = { "", "gzip", "xz", "zstd" };

	return names[c];
}

static enum module_comp comp_of(const uint8_t *p, size_t len)
{
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return MODULE_XZ;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return MODULE_GZIP;
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return MODULE_ZSTD;
	return MODULE_PLAIN;
}

int module_open(struct module_file *m, const char *path)
{
	struct stat st;
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (fstat(m->fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if (st.st_size > 0) {
		m->raw = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, m->fd, 0);
		if (m->raw == MAP_FAILED) {
			m->raw = NULL;
			goto fail;
		}
		m->raw_len = (size_t)st.st_size;
	}
	m->comp = comp_of(m->raw, m->raw_len);
	return 0;
fail:
	ret = -errno;
	module_close(m);
	return ret;
}

void module_close(struct module_file *m)
{
	if (m->image && m->image != m->raw)
		free(m->image);
	if (m->raw)
		munmap(m->raw, m->raw_len);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* Decompress if needed, so m->image is the ELF file. */
static int module_image(struct module_file *m)
{
	if (m->image)
		return 0;
	switch (m->comp) {
	case MODULE_PLAIN:
		m->image = m->raw;
		m->len = m->raw_len;
		return 0;
	case MODULE_XZ:
		return unpack_xz(m->raw, m->raw_len, &m->image, &m->len, MODULE_MAX_IMAGE);
	case MODULE_GZIP:
		return unpack_gzip(m->raw, m->raw_len, &m->image, &m->len, MODULE_MAX_IMAGE);
	default:
		return -ENOTSUP;
	}
}

/* Section headers are copied out: the image need not be aligned for them. */
static int elf_section(const uint8_t *img, size_t len, const elf_ehdr *eh, unsigned i, elf_shdr *sh)
{
	memcpy(sh, img + eh->e_shoff + (size_t)i * sizeof(*sh), sizeof(*sh));
	if (sh->sh_type != SHT_NOBITS && (sh->sh_offset > len || sh->sh_size > len - sh->sh_offset))
		return -EINVAL;
	return 0;
}

int module_read_info(struct module_file *m)
{
	const uint8_t *img;
	elf_ehdr eh;
	elf_shdr strtab, sh;
	int ret = module_image(m);

	if (ret < 0)
		return ret;
	img = m->image;
	/* kmod's errors: too short to tell, not ELF, broken ELF, no .modinfo */
	if (m->raw_len < 6)
		return -EINVAL;
	if (m->len < SELFMAG || memcmp(img, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (m->len < sizeof(eh))
		return -EINVAL;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELF_CLASS || eh.e_ident[EI_DATA] != ELF_DATA || eh.e_type != ET_REL ||
	    eh.e_shentsize != sizeof(elf_shdr) || eh.e_shoff > m->len ||
	    eh.e_shnum > (m->len - eh.e_shoff) / sizeof(elf_shdr) || eh.e_shstrndx >= eh.e_shnum ||
	    elf_section(img, m->len, &eh, eh.e_shstrndx, &strtab) < 0 ||
	    strtab.sh_type == SHT_NOBITS)	/* names read from it: it must be in the file */
		return -EINVAL;
	for (unsigned i = 1; i < eh.e_shnum; i++) {
		if (elf_section(img, m->len, &eh, i, &sh) < 0)
			return -EINVAL;
		if (sh.sh_name >= strtab.sh_size || strtab.sh_size - sh.sh_name < sizeof(".modinfo") ||
		    memcmp(img + strtab.sh_offset + sh.sh_name, ".modinfo", sizeof(".modinfo")))
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return -EINVAL;
		m->info = (const char *)img + sh.sh_offset;
		m->info_len = sh.sh_size;
		/* entries are NUL-terminated: a last one without is cut off */
		while (m->info_len && m->info[m->info_len - 1])
			m->info_len--;
		return 0;
	}
	return -ENOENT;
}

bool module_info_next(const struct module_file *m, size_t *pos,
		      const char **key, size_t *key_len, const char **value)
{
	while (*pos < m->info_len) {
		const char *s = m->info + *pos;
		size_t n = strlen(s);
		const char *eq = memchr(s, '=', n);

		*pos += n + 1;
		if (eq && eq > s) {
			*key = s;
			*key_len = (size_t)(eq - s);
			*value = eq + 1;
			return true;
		}
	}
	return false;
}

const char *module_info_get(const struct module_file *m, const char *key)
{
	size_t pos = 0, klen, want = strlen(key);
	const char *k, *v;

	while (module_info_next(m, &pos, &k, &klen, &v))
		if (klen == want && !memcmp(k, key, klen))
			return v;
	return NULL;
}

bool module_vermagic_matches(const char *vermagic, const char *release)
{
	size_t n = strlen(release);

	return vermagic && !strncmp(vermagic, release, n) && (vermagic[n] == ' ' || !vermagic[n]);
}

bool module_name_eq(const char *a, size_t a_len, const char *b)
{
	size_t i;

	for (i = 0; i < a_len; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (!b[i] || x != y)
			return false;
	}
	return !b[i];
}

void module_name_of(const char *path, size_t len, char name[MODULE_NAME_MAX])
{
	const char *base = memrchr(path, '/', len), *dot;

	base = base ? base + 1 : path;
	len -= (size_t)(base - path);
	dot = memchr(base, '.', len);
	if (dot)
		len = (size_t)(dot - base);
	if (len >= MODULE_NAME_MAX)
		len = MODULE_NAME_MAX - 1;
	memcpy(name, base, len);
	name[len] = '\0';
}

void module_env_init(struct module_env *e, const char *root, const char *release, const char *sysfs)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "%s/%s", root, release);
	e->sysfs = sysfs;
}

void module_index_unmap(struct module_index *x)
{
	if (x->err == 1 && x->len)
		munmap(x->data, x->len);
	memset(x, 0, sizeof(*x));
}

void module_env_free(struct module_env *e)
{
	module_index_unmap(&e->dep);
	module_index_unmap(&e->builtin);
	module_index_unmap(&e->alias);
}

int module_index_map(struct module_env *e, struct module_index *x, const char *file)
{
	char path[PATH_MAX + 32];
	struct stat st;
	int fd;

	if (x->err)
		return x->err;
	snprintf(path, sizeof(path), "%s/%s", e->dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		x->err = -errno;
	} else if (st.st_size > 0) {
		x->data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (x->data == MAP_FAILED) {
			x->err = -errno;
			x->data = NULL;
		} else {
			x->len = (size_t)st.st_size;
			x->err = 1;
		}
	} else {
		x->data = (char *)"";	/* empty: a pointer to walk from all the same */
		x->err = 1;
	}
	if (fd >= 0)
		close(fd);
	return x->err;
}

/* The line of modules.dep / modules.builtin ("path[: deps]") naming NAME. */
static bool index_find(struct module_env *e, struct module_index *x, const char *file,
		       const char *name, struct module_dep *d)
{
	const char *p, *end;
	char base[MODULE_NAME_MAX];

	if (module_index_map(e, x, file) < 0)
		return false;
	for (p = x->data, end = p + x->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;

		if (!nl)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		d->path = p;
		d->path_len = (size_t)((colon ? colon : nl) - p);
		module_name_of(d->path, d->path_len, base);
		if (module_name_eq(base, strlen(base), name)) {
			d->deps = colon ? colon + 1 : nl;
			d->deps_len = (size_t)(nl - d->deps);
			return true;
		}
		p = nl + 1;
	}
	return false;
}

bool module_dep_find(struct module_env *e, const char *name, struct module_dep *d)
{
	return index_find(e, &e->dep, "modules.dep", name, d);
}

char *module_dep_path(const struct module_env *e, const struct module_dep *d)
{
	bool abs = d->path_len && d->path[0] == '/';
	char *path;

	if (asprintf(&path, "%s%s%.*s", abs ? "" : e->dir, abs ? "" : "/", (int)d->path_len, d->path) < 0)
		return NULL;
	return path;
}

enum module_state module_state(struct module_env *e, const char *name, struct module_dep *dep)
{
	char path[PATH_MAX], *s;
	struct module_dep d;
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/module/", e->sysfs);

	if (n > 0 && (size_t)n < sizeof(path)) {
		snprintf(path + n, sizeof(path) - (size_t)n, "%s/initstate", name);
		for (s = path + n; *s && *s != '/'; s++)
			if (*s == '-')
				*s = '_';
		if (!stat(path, &st))
			return MODULE_LOADED;
		*s = '\0';
		if (!stat(path, &st))
			return MODULE_BUILTIN;
	}
	if (index_find(e, &e->builtin, "modules.builtin", name, &d))
		return MODULE_BUILTIN;
	if (module_dep_find(e, name, dep ? dep : &d))
		return MODULE_LOADABLE;
	return MODULE_ABSENT;
}

int module_builtin_info(struct module_env *e, const char *name, struct module_file *m)
{
	struct module_index x = { 0 };
	const char *p, *end;
	char *buf = NULL;
	size_t used = 0;
	int ret = module_index_map(e, &x, "modules.builtin.modinfo");

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (ret < 0)
		return ret;
	/* "name.key=value\0" entries; ours are copied without "name." */
	for (p = x.data, end = p + x.len; p < end;) {
		const char *z = memchr(p, 0, (size_t)(end - p)), *dot;
		size_t n;

		if (!z)
			z = end;
		dot = memchr(p, '.', (size_t)(z - p));
		if (dot && module_name_eq(p, (size_t)(dot - p), name)) {
			char *nb = realloc(buf, used + (size_t)(z - dot));

			if (!nb) {
				free(buf);
				module_index_unmap(&x);
				return -ENOMEM;
			}
			buf = nb;
			n = (size_t)(z - dot - 1);
			memcpy(buf + used, dot + 1, n);
			buf[used + n] = '\0';
			used += n + 1;
		}
		p = z + 1;
	}
	module_index_unmap(&x);
	if (!buf)
		return -ENOENT;
	m->image = (uint8_t *)buf;
	m->len = m->info_len = used;
	m->info = buf;
	return 0;
}

/* One pattern element of a glob at p against c: the rest of the pattern,
 * or NULL when it does not match.  [...] takes ranges and a leading ! or ^;
 * an unterminated [ is a plain character. */
static const char *glob_one(const char *p, unsigned char c)
{
	const char *q = p + 1;
	bool neg, hit = false;

	if (*p == '?')
		return p + 1;
	if (*p != '[')
		return (unsigned char)*p == c ? p + 1 : NULL;
	neg = *q == '!' || *q == '^';
	q += neg;
	do {	/* a ']' first is a member */
		unsigned char lo = (unsigned char)*q, hi = lo;

		if (!*q)
			return c == '[' ? p + 1 : NULL;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hi = (unsigned char)q[2];
			q += 2;
		}
		hit |= lo <= c && c <= hi;
		q++;
	} while (*q != ']');
	return hit != neg ? q + 1 : NULL;
}

/* fnmatch(3) without flags, as module aliases need: * ? [...] */
static bool glob_match(const char *p, const char *s)
{
	const char *star = NULL, *retry = NULL, *next;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			retry = s;
		} else if (*p && (next = glob_one(p, (unsigned char)*s))) {
			p = next;
			s++;
		} else if (star) {
			p = star;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

int module_alias_each(struct module_env *e, const char *alias,
		      int (*fn)(const char *name, void *data), void *data)
{
	const char *p, *end;
	int ret = module_index_map(e, &e->alias, "modules.alias");

	if (ret < 0)
		return ret;
	for (p = e->alias.data, end = p + e->alias.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[512], *pat, *name;

		if (!nl)
			nl = end;
		if ((size_t)(nl - p) < sizeof(line) && nl - p >= 6 && !memcmp(p, "alias ", 6)) {
			memcpy(line, p, (size_t)(nl - p));
			line[nl - p] = '\0';
			pat = line + 6;
			name = strchr(pat, ' ');
			if (name) {
				*name++ = '\0';
				if (glob_match(pat, alias) && (ret = fn(name, data)))
					return ret;
			}
		}
		p = nl + 1;
	}
	return 0;
}

static int plan_add(struct module_env *e, struct module_plan *p, const char *name, size_t len,
		    unsigned depth)
{
	char dname[MODULE_NAME_MAX], nm[MODULE_NAME_MAX];
	struct module_dep d;
	const char *w, *end;
	int ret;

	if (len >= MODULE_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(nm, name, len);
	nm[len] = '\0';
	for (unsigned i = 0; i < p->n; i++)
		if (module_name_eq(p->mod[i].name, strlen(p->mod[i].name), nm))
			return 0;
	switch (module_state(e, nm, &d)) {
	case MODULE_LOADED:
	case MODULE_BUILTIN:
		return 0;
	case MODULE_ABSENT:
		memcpy(p->missing, nm, len + 1);
		return -ENOENT;
	default:
		break;
	}
	/* modules.dep lists everything a module needs, but not in an order
	 * one can rely on: each dependency brings its own first */
	if (depth > 16)
		return -ELOOP;
	for (w = d.deps, end = d.deps + d.deps_len; w < end;) {
		const char *sp;

		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		if (w == end)
			break;
		sp = memchr(w, ' ', (size_t)(end - w));
		if (!sp)
			sp = end;
		module_name_of(w, (size_t)(sp - w), dname);
		ret = plan_add(e, p, dname, strlen(dname), depth + 1);
		if (ret < 0)
			return ret;
		w = sp;
	}
	if (p->n == MODULE_PLAN_MAX)
		return -E2BIG;
	p->mod[p->n].path = module_dep_path(e, &d);
	if (!p->mod[p->n].path)
		return -ENOMEM;
	memcpy(p->mod[p->n].name, nm, len + 1);
	p->n++;
	return 0;
}

int module_plan_name(struct module_env *e, struct module_plan *p, const char *name)
{
	return plan_add(e, p, name, strlen(name), 0);
}

int module_plan_depends(struct module_env *e, struct module_plan *p, const char *depends)
{
	while (depends && *depends) {
		size_t n = strcspn(depends, ",");
		int ret = n ? plan_add(e, p, depends, n, 0) : 0;

		if (ret < 0)
			return ret;
		depends += n + (depends[n] == ',');
	}
	return 0;
}

void module_plan_free(struct module_plan *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->mod[i].path);
	p->n = 0;
}

/* 1 when SYSFS/module/compression names the format, 0 when it names
 * another, -ENOENT when the kernel does not decompress modules at all (or
 * does not say). */
static int kernel_decompresses(const char *sysfs, enum module_comp c)
{
	char path[PATH_MAX], buf[16];
	int fd, n;

	snprintf(path, sizeof(path), "%s/module/compression", sysfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, module_comp_name(c));
}

int module_insert(struct module_file *m, const char *sysfs, const char *params)
{
	int flags = 0, ret;

	if (m->comp != MODULE_PLAIN) {
		ret = kernel_decompresses(sysfs, m->comp);
		/* without word from the kernel, try it only where we cannot */
		if (ret == 0 || (ret < 0 && m->comp != MODULE_ZSTD))
			goto here;
		flags = MODULE_INIT_COMPRESSED_FILE;
	}
	if (!syscall(SYS_finit_module, m->fd, params, flags))
		return 0;
	if (errno != ENOSYS)
		return -errno;
here:
	ret = module_image(m);
	if (ret < 0)
		return ret;
	if (syscall(SYS_init_module, m->image, (unsigned long)m->len, params))
		return -errno;
	return 0;
}
