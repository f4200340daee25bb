#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "detect.h"
#include "log.h"
#include "nl.h"

/* ---- the decision table (pure) ------------------------------------------ */

static enum detect_need kernel(struct detect_result *r, const char *reason)
{
	r->impl = DETECT_KERNEL;
	r->reason = reason;
	return NEED_NOTHING;
}

/* The kernel module is out; the userspace step decides the rest. */
static enum detect_need no_kernel(struct detect_result *r, const char *reason)
{
	r->reason = reason;
	return NEED_NOTHING;
}

static const char *load_reason(int err)
{
	switch (-err) {
	case EPERM:
		return "no-cap-sys-module";
	case ENOEXEC:
	case EINVAL:
		return "wrong-kernel";
	case ENOENT:
		return "missing-dependency";
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		return "signature-rejected";
	case ENOTSUP:
		return "unsupported-compression";
	default:
		return "load-failed";
	}
}

/*
 * Is the prebuilt module for this kernel?  The version file holds the full
 * release ("6.12.50-0-lts", what `uname -r` says and the seed documents) or,
 * as awg-easy's images write it, the version alone ("6.12.50", no '-'): that
 * matches the release it begins, up to its first '-'.  (Either way the module's vermagic is
 * checked against the release before anything is loaded.)
 */
bool detect_release_matches(const char *release, const char *prebuilt)
{
	size_t n;

	if (!release || !prebuilt || !*prebuilt)
		return false;
	n = strlen(prebuilt);
	return !strcmp(release, prebuilt) ||
	       (!strchr(prebuilt, '-') && !strncmp(release, prebuilt, n) && release[n] == '-');
}

static enum detect_need decide_kernel(const struct detect_facts *f, struct detect_result *r)
{
	if (!f->state)
		return NEED_STATE;
	if (f->state == MODULE_LOADED)
		return kernel(r, "kernel-loaded");
	if (f->state == MODULE_BUILTIN)
		return kernel(r, "kernel-builtin");
	if (r->mode == DETECT_AWG) {
		/* the prebuilt module: for this kernel (unless forced), and
		 * built for it (always: the kernel would refuse it anyway) */
		if (!f->versions)
			return NEED_VERSIONS;
		if (r->why == WHY_AUTO && f->versions < 0)
			return no_kernel(r, "no-version-file");
		if (r->why == WHY_AUTO && !detect_release_matches(f->release, f->prebuilt))
			return no_kernel(r, "version-mismatch");
		if (!f->file)
			return NEED_FILE;
		if (f->file < 0)
			return no_kernel(r, f->file == -ENOENT ? "no-module" : "bad-module");
		if (!module_vermagic_matches(f->vermagic, f->release))
			return no_kernel(r, "vermagic-mismatch");
	} else if (f->state != MODULE_LOADABLE) {
		return no_kernel(r, "no-module");
	}
	if (f->no_load)
		return kernel(r, "kernel-loadable");
	if (!f->load)
		return NEED_LOAD;
	if (f->load == -EEXIST)
		return kernel(r, "kernel-loaded");
	if (f->load < 0)
		return no_kernel(r, load_reason(f->load));
	if (!f->genl)
		return NEED_GENL;
	if (f->genl < 0)
		return no_kernel(r, "no-genl-family");
	return kernel(r, "kernel-load");
}

enum detect_need detect_decide(const struct detect_facts *f, struct detect_result *r)
{
	const char *ov = f->override && *f->override ? f->override : NULL;
	enum detect_need need;

	r->impl = DETECT_NONE;
	r->reason = NULL;
	r->status = 0;
	r->mode = DETECT_AWG;
	if (!f->experimental || strcmp(f->experimental, "true")) {
		r->mode = DETECT_WG;
		r->why = WHY_DISABLED;
	} else if (!ov) {
		r->why = WHY_AUTO;
	} else if (!strcmp(ov, "awg")) {
		r->why = WHY_FORCED_AWG;
	} else if (!strcmp(ov, "wg")) {
		r->mode = DETECT_WG;
		r->why = WHY_FORCED_WG;
	} else {
		r->why = WHY_BAD_OVERRIDE;
		r->reason = "bad-override";
		r->status = 2;
		return NEED_NOTHING;
	}
	need = decide_kernel(f, r);
	if (need != NEED_NOTHING || r->impl == DETECT_KERNEL)
		return need;
	/* userspace: the binary, and a TUN device for it */
	if (!f->userspace)
		return NEED_USERSPACE;
	if (!f->tun && f->userspace > 0)
		return NEED_TUN;
	if (f->userspace < 0 || f->tun < 0) {
		r->reason = f->userspace < 0 ? "no-userspace" : "no-tun";
		r->status = 1;
		return NEED_NOTHING;
	}
	r->impl = DETECT_USERSPACE;
	return NEED_NOTHING;
}

int detect_vars(const struct detect_result *r, const char *keys[], const char *values[])
{
	bool awg = r->mode == DETECT_AWG;
	static const char *const impl[] = { "none", "kernel", "userspace" };
	int n = 0;

	if (r->status == 2)
		return 0;
#define VAR(k, v) (keys[n] = (k), values[n++] = (v))
	VAR("AWG_MODE", awg ? "awg" : "wg");
	VAR("AWG_IMPL", impl[r->impl]);
	VAR("AWG_REASON", r->reason);
	VAR("OVERRIDE_AUTO_AWG", awg ? "awg" : "wg");
	VAR("AWG_TOOL", awg ? "awg" : "wg");
	VAR("AWG_QUICK", awg ? "awg-quick" : "wg-quick");
	if (r->impl == DETECT_USERSPACE)
		VAR("WG_QUICK_USERSPACE_IMPLEMENTATION", r->userspace);
#undef VAR
	return n;
}

/* flag, else environment variable (empty = unset) */
static const char *setting(const char *flag, const char *env)
{
	const char *v = flag ? flag : getenv(env);

	return v && *v ? v : NULL;
}

void detect_opts_from_env(struct detect_opts *o, const char *const flag[DETECT_PATH_FLAGS])
{
	static const char *const vars[DETECT_PATH_FLAGS] = {
		"AWG_MODULE", "AWG_VERSION_FILE", "AWG_MODULES_ROOT", "AWG_SYSFS_ROOT",
		"AWG_KERNEL_RELEASE", "AWG_TUN",
	};
	const char **paths[DETECT_PATH_FLAGS] = {
		&o->module, &o->version_file, &o->modules_root, &o->sysfs, &o->release, &o->tun,
	};

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < DETECT_PATH_FLAGS; i++)
		*paths[i] = setting(flag[i], vars[i]);
	o->experimental = getenv("EXPERIMENTAL_AWG");
	o->override = getenv("OVERRIDE_AUTO_AWG");
	o->userspace = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");
	o->path = getenv("PATH");
}

/* ---- gathering the facts for real, with a log line for each ------------- */

#define say(...) log_line("AmneziaWG: " __VA_ARGS__)

struct run {
	const struct detect_opts *o;
	struct detect_facts f;
	struct detect_result *r;
	struct module_env env;
	struct module_file file;	/* the amneziawg module, once read */
	const char *name;		/* amneziawg or wireguard */
	char modname[MODULE_NAME_MAX];	/* the module file's name= */
	char path[PATH_MAX];
	char prebuilt[128];
	struct utsname uts;
};

/* Environment values go into log lines: keep them short and printable. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void log_mode(const struct run *x)
{
	const struct detect_opts *o = x->o;
	char e[48], v[48];

	switch (x->r->why) {
	case WHY_DISABLED:
		say("off (EXPERIMENTAL_AWG %s%s, not true): standard WireGuard%s%s%s",
		    o->experimental ? "is " : "unset",
		    o->experimental ? printable(o->experimental, e, sizeof(e)) : "",
		    o->override && *o->override ? " (OVERRIDE_AUTO_AWG=" : "",
		    o->override && *o->override ? printable(o->override, v, sizeof(v)) : "",
		    o->override && *o->override ? " ignored)" : "");
		break;
	case WHY_AUTO:
		say("on (EXPERIMENTAL_AWG=true, OVERRIDE_AUTO_AWG unset): kernel module if it fits, else userspace");
		break;
	case WHY_FORCED_AWG:
		say("on, forced by OVERRIDE_AUTO_AWG=awg: kernel module if it loads, else userspace");
		break;
	case WHY_FORCED_WG:
		say("on, but OVERRIDE_AUTO_AWG=wg: standard WireGuard");
		break;
	case WHY_BAD_OVERRIDE:
		log_error("AmneziaWG: OVERRIDE_AUTO_AWG=%s is invalid: use awg, wg, or leave it unset",
			  printable(o->override, v, sizeof(v)));
		break;
	}
}

static const char *state_text(int state)
{
	switch (state) {
	case MODULE_LOADED: return "loaded";
	case MODULE_BUILTIN: return "built into the kernel";
	case MODULE_LOADABLE: return "not loaded, in modules.dep";
	default: return "not loaded";
	}
}

static int family_exists(const char *name)
{
	struct nl nl;
	uint16_t id;
	int ret = nl_open(&nl, NETLINK_GENERIC);

	if (ret < 0)
		return ret;
	ret = genl_family(&nl, name, &id, NULL);
	nl_close(&nl);
	return ret;
}

static void gather_state(struct run *x)
{
	char path[PATH_MAX];
	struct stat st;

	x->f.state = module_state(&x->env, x->name, NULL);
	/* with no /sys to ask, the netlink family tells a loaded module */
	snprintf(path, sizeof(path), "%s/module", x->env.sysfs);
	if (x->f.state != MODULE_LOADED && x->f.state != MODULE_BUILTIN && stat(path, &st) &&
	    family_exists(x->name) == 0)
		x->f.state = MODULE_LOADED;
	say("%s module: %s", x->name, state_text(x->f.state));
}

static void gather_versions(struct run *x)
{
	const char *file = x->o->version_file ? x->o->version_file : "/etc/amneziawg-kernel-version.txt";
	char *s = x->prebuilt, *e, buf[64];
	ssize_t n = -1;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, x->prebuilt, sizeof(x->prebuilt) - 1);
		close(fd);
	}
	if (n < 0) {
		x->f.versions = -errno;
		say("no prebuilt module version: %s: %s", file, strerror(errno));
		return;
	}
	x->prebuilt[n] = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r');)
		*--e = '\0';
	x->f.prebuilt = s;
	x->f.versions = FACT_OK;
	if (!strcmp(s, x->f.release))
		say("kernel %s matches the prebuilt module (%s)", x->f.release, file);
	else
		say("kernel %s does not match the prebuilt module's %s (%s)%s", x->f.release,
		    printable(s, buf, sizeof(buf)), file,
		    x->r->why == WHY_FORCED_AWG ? ": trying the module anyway" : "");
}

/* DIR/.../amneziawg.ko* at most depth directories down. */
static bool find_module(const char *dir, int depth, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		if (!strncmp(de->d_name, "amneziawg.ko", 12) &&
		    (!de->d_name[12] || de->d_name[12] == '.')) {
			snprintf(out, size, "%s", sub);
			found = true;
		} else if (depth > 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)) {
			found = find_module(sub, depth - 1, out, size);
		}
	}
	closedir(d);
	return found;
}

/* --module, else modules.dep of this kernel, else the prebuilt module in
 * /lib/modules, /lib/modules/PREBUILT/..., /lib/modules/RELEASE/{extra,updates}/... */
static bool locate_module(struct run *x)
{
	const char *root = x->o->modules_root ? x->o->modules_root : "/lib/modules";
	struct module_dep d;
	char dir[PATH_MAX + 16], *p;

	if (x->o->module) {
		snprintf(x->path, sizeof(x->path), "%s", x->o->module);
		return true;
	}
	if (module_dep_find(&x->env, "amneziawg", &d) && (p = module_dep_path(&x->env, &d))) {
		snprintf(x->path, sizeof(x->path), "%s", p);
		free(p);
		return true;
	}
	if (find_module(root, 0, x->path, sizeof(x->path)))
		return true;
	if (x->f.prebuilt && *x->f.prebuilt && !strchr(x->f.prebuilt, '/')) {
		snprintf(dir, sizeof(dir), "%s/%s", root, x->f.prebuilt);
		if (find_module(dir, 4, x->path, sizeof(x->path)))
			return true;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", x->env.dir, i ? "updates" : "extra");
		if (find_module(dir, 4, x->path, sizeof(x->path)))
			return true;
	}
	return false;
}

static void gather_file(struct run *x)
{
	const char *name;
	char buf[96];
	int ret;

	if (!locate_module(x)) {
		x->f.file = -ENOENT;
		say("no amneziawg module file in %s", x->o->modules_root ? x->o->modules_root : "/lib/modules");
		return;
	}
	ret = module_open(&x->file, x->path);
	if (ret < 0) {
		x->f.file = ret;
		say("%s: %s", x->path, strerror(-ret));
		return;
	}
	ret = module_read_info(&x->file);
	if (ret < 0) {
		/* the file is there: whatever is wrong, it is not a module */
		x->f.file = ret == -ENOENT ? -ENOEXEC : ret;
		say("%s: not a kernel module for this machine (%s)", x->path,
		    ret == -ENOENT ? "no .modinfo" : ret == -ENOTSUP ? "zstd, which awgbox does not read" :
		    strerror(-ret));
		return;
	}
	x->f.file = FACT_OK;
	x->f.vermagic = module_info_get(&x->file, "vermagic");
	/* the module's own name names its netlink family too (a stand-in
	 * such as wireguard.ko in tests is checked for what it is) */
	name = module_info_get(&x->file, "name");
	if (name && *name)
		snprintf(x->modname, sizeof(x->modname), "%s", name);
	else
		module_name_of(x->path, strlen(x->path), x->modname);
	if (module_vermagic_matches(x->f.vermagic, x->f.release))
		say("%s: %s module built for kernel %s", x->path, x->modname, x->f.release);
	else
		say("%s: %s module built for another kernel (vermagic %s), not %s: not loading it",
		    x->path, x->modname, x->f.vermagic ? printable(x->f.vermagic, buf, sizeof(buf)) : "missing",
		    x->f.release);
}

static const char *load_hint(int err)
{
	switch (-err) {
	case EPERM: return " (CAP_SYS_MODULE missing: add it to the container)";
	case ENOEXEC: return " (built for another kernel)";
	case EINVAL: return " (refused: another kernel, or invalid)";
	case ENOENT: return " (unknown symbols: a dependency is missing or of another kernel)";
	case EKEYREJECTED: case ENOKEY: case EBADMSG: return " (the kernel requires a valid signature)";
	case ENOTSUP: return " (compressed in a format neither the kernel nor awgbox decompresses)";
	case ENOSYS: return " (this kernel cannot load modules)";
	default: return "";
	}
}

/* Load one file; -EEXIST (loaded already) is passed on. */
static int insert_file(struct run *x, const char *name, const char *path, struct module_file *m)
{
	struct module_file own;
	int ret = 0;

	if (!m) {
		m = &own;
		ret = module_open(m, path);
	}
	if (!ret)
		ret = module_insert(m, x->env.sysfs, "");
	if (m == &own)
		module_close(m);
	if (ret == -EEXIST)
		say("%s already loaded", name);
	else if (ret < 0)
		say("cannot load %s from %s: %s%s", name, path, strerror(-ret), load_hint(ret));
	else
		say("loaded %s from %s", name, path);
	return ret;
}

static void gather_load(struct run *x)
{
	struct module_plan plan = { 0 };
	bool awg = x->r->mode == DETECT_AWG;
	const char *target = awg ? x->modname : x->name;
	int ret;

	if (awg)
		ret = module_plan_depends(&x->env, &plan, module_info_get(&x->file, "depends"));
	else
		ret = module_plan_name(&x->env, &plan, x->name);
	if (ret == -ENOENT)
		say("cannot load %s: it needs %s, which is not loaded and not in %s/modules.dep",
		    target, plan.missing, x->env.dir);
	else if (ret < 0)
		say("cannot plan loading %s: %s", target, strerror(-ret));
	for (unsigned i = 0; !ret && i < plan.n; i++) {
		/* the last of a plan by name is the module itself */
		ret = insert_file(x, plan.mod[i].name, plan.mod[i].path, NULL);
		if (ret == -EEXIST && (awg || i + 1 < plan.n))
			ret = 0;
	}
	if (!ret && awg)
		ret = insert_file(x, target, x->path, &x->file);
	x->f.load = ret < 0 ? ret : FACT_OK;
	module_plan_free(&plan);
}

static void gather_genl(struct run *x)
{
	const char *family = x->r->mode == DETECT_AWG ? x->modname : x->name;
	int ret = family_exists(family);

	x->f.genl = ret < 0 ? ret : FACT_OK;
	if (ret < 0)
		say("no generic netlink family %s after loading: %s", family, strerror(-ret));
	else
		say("generic netlink family %s is there", family);
}

/* A name with a '/' is the file itself; others are looked up in $PATH. */
static bool find_program(const char *name, const char *path, char *out, size_t size)
{
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return !stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK);
	}
	while (path) {
		const char *colon = strchr(path, ':');
		int n = colon ? (int)(colon - path) : (int)strlen(path);

		/* an empty entry is the working directory */
		snprintf(out, size, "%.*s%s%s", n, path, n ? "/" : "", name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return true;
		path = colon ? colon + 1 : NULL;
	}
	return false;
}

static void gather_userspace(struct run *x)
{
	const char *prog = x->o->userspace && *x->o->userspace ? x->o->userspace :
			   x->r->mode == DETECT_AWG ? "amneziawg-go" : "wireguard-go";
	char buf[64];

	if (find_program(prog, x->o->path ? x->o->path : "/usr/local/bin:/usr/bin:/bin",
			 x->r->userspace, sizeof(x->r->userspace))) {
		x->f.userspace = FACT_OK;
		return;
	}
	x->f.userspace = -ENOENT;
	x->r->userspace[0] = '\0';
	say("userspace %s not found%s", printable(prog, buf, sizeof(buf)), strchr(prog, '/') ? "" : " in PATH");
}

static void gather_tun(struct run *x)
{
	const char *tun = x->o->tun ? x->o->tun : "/dev/net/tun";
	int fd = open(tun, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		x->f.tun = -errno;
		say("%s unusable for userspace: %s", tun, strerror(errno));
		return;
	}
	close(fd);
	x->f.tun = FACT_OK;
}

static void log_decision(const struct run *x)
{
	const struct detect_result *r = x->r;
	const char *what = r->mode == DETECT_AWG ? "AmneziaWG" : "standard WireGuard";

	switch (r->impl) {
	case DETECT_KERNEL:
		say("using the %s kernel module %s (%s)", what,
		    r->mode == DETECT_AWG && x->modname[0] ? x->modname : x->name, r->reason);
		break;
	case DETECT_USERSPACE:
		say("using %s userspace %s (%s)", what, r->userspace, r->reason);
		break;
	default:
		log_error("AmneziaWG: no usable %s: kernel module unavailable and %s (%s)", what,
			  r->status == 1 && x->f.userspace < 0 ? "no userspace implementation" :
			  "no usable TUN device", r->reason);
	}
}

int detect_run(const struct detect_opts *o, struct detect_result *r)
{
	struct run x = { .o = o, .r = r };
	enum detect_need need;
	bool first = true;

	memset(r, 0, sizeof(*r));
	x.f.experimental = o->experimental;
	x.f.override = o->override;
	x.f.no_load = o->no_load;
	if (o->release) {
		x.f.release = o->release;
	} else {
		uname(&x.uts);
		x.f.release = x.uts.release;
	}
	module_env_init(&x.env, o->modules_root ? o->modules_root : "/lib/modules", x.f.release,
			o->sysfs ? o->sysfs : "/sys");
	x.file.fd = -1;
	while ((need = detect_decide(&x.f, r)) != NEED_NOTHING || first) {
		if (first) {
			x.name = r->mode == DETECT_AWG ? "amneziawg" : "wireguard";
			log_mode(&x);
			first = false;
		}
		switch (need) {
		case NEED_NOTHING: break;
		case NEED_STATE: gather_state(&x); break;
		case NEED_VERSIONS: gather_versions(&x); break;
		case NEED_FILE: gather_file(&x); break;
		case NEED_LOAD: gather_load(&x); break;
		case NEED_GENL: gather_genl(&x); break;
		case NEED_USERSPACE: gather_userspace(&x); break;
		case NEED_TUN: gather_tun(&x); break;
		}
	}
	if (r->status != 2)
		log_decision(&x);
	module_close(&x.file);
	module_env_free(&x.env);
	return r->status;
}

