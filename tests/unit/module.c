/*
 * Module files and the kernel's module indexes: .modinfo of real ELF
 * objects (built here by the C compiler, plain and compressed, and Debian's
 * own modules), names, vermagic, modules.dep / modules.builtin / sysfs
 * states and dependency plans (a small tree made here, and Debian's real
 * modules.dep).
 */
#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "t.h"

static char tmp[] = "/tmp/awgbox-module.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	t_sh("mkdir -p \"$(dirname %s)\"", path);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* All "key=value" entries of a module, joined with '|'. */
static void all_info(struct module_file *m, char *out, size_t size)
{
	size_t pos = 0, klen, n = 0;
	const char *k, *v;

	out[0] = '\0';
	while (module_info_next(m, &pos, &k, &klen, &v) && n < size)
		n += (size_t)snprintf(out + n, size - n, "%s%.*s=%s", n ? "|" : "", (int)klen, k, v);
}

static int read_module(const char *rel, struct module_file *m)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	ret = module_open(m, path);
	return ret < 0 ? ret : module_read_info(m);
}

static int count_hit(const char *name, void *data)
{
	++*(int *)data;
	return 0;
}

static void test_modinfo(void)
{
	struct module_file m;
	char got[1024];
	int ret;

	/* a relocatable object with a .modinfo section, as modpost makes one:
	 * NUL-terminated strings, an entry without '=', an empty one, a key
	 * twice */
	put("mod.c",
	    "__attribute__((section(\".modinfo\"), used)) static const char i1[] = \"version=1.0.0\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i2[] = \"alias=a-1\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i3[] = \"noequals\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i4[] = \"alias=a-2\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i5[] = \"depends=udp_tunnel,ip6_udp_tunnel\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i6[] = \"name=amneziawg\";\n"
	    "__attribute__((section(\".modinfo\"), used)) static const char i7[] = \"vermagic=6.12.50-0-lts SMP mod_unload \";\n"
	    "int f(void) { return 1; }\n");
	put("nomodinfo.c", "int g(void) { return 2; }\n");
	t_check(!t_sh("cd %s && cc -c -o mod.ko mod.c && cc -c -o none.ko nomodinfo.c && "
		    "xz -k mod.ko && gzip -k mod.ko && cp mod.ko.xz mod.xz.renamed && "
		    "head -c 1000 mod.ko >trunc.ko && echo not a module >text.ko", tmp), "cannot build test objects");

	t_begin(".modinfo of an ELF object: entries in order, odd ones skipped");
	ret = read_module("mod.ko", &m);
	t_check_int(ret, 0);
	t_check_int(m.comp, MODULE_PLAIN);
	all_info(&m, got, sizeof(got));
	t_check_str(got, "version=1.0.0|alias=a-1|alias=a-2|depends=udp_tunnel,ip6_udp_tunnel|"
		    "name=amneziawg|vermagic=6.12.50-0-lts SMP mod_unload ");
	t_check_str(module_info_get(&m, "alias"), "a-1");
	t_check_str(module_info_get(&m, "depends"), "udp_tunnel,ip6_udp_tunnel");
	t_check(!module_info_get(&m, "vermagi") && !module_info_get(&m, "noequals"), "prefix or bare entry found");
	module_close(&m);
	t_end();

	t_begin("compressed modules: xz and gzip found by content, same .modinfo");
	for (int i = 0; i < 3; i++) {
		static const char *f[] = { "mod.ko.xz", "mod.ko.gz", "mod.xz.renamed" };
		static const enum module_comp c[] = { MODULE_XZ, MODULE_GZIP, MODULE_XZ };
		char again[1024];

		ret = read_module(f[i], &m);
		t_check(!ret, "%s: %d", f[i], ret);
		t_check(m.comp == c[i], "%s: compression %d", f[i], m.comp);
		all_info(&m, again, sizeof(again));
		t_check(!strcmp(again, got), "%s: %s", f[i], again);
		module_close(&m);
	}
	t_end();

	t_begin("zstd modules are recognised but not read here (-ENOTSUP)");
	if (t_sh("command -v zstd >/dev/null")) {
		printf("# zstd not installed: checked with its magic only\n");
		put("mod.ko.zst", "\x28\xb5\x2f\xfd rest");
	} else {
		t_check(!t_sh("cd %s && zstd -q mod.ko", tmp), "zstd");
	}
	t_check_int(read_module("mod.ko.zst", &m), -ENOTSUP);
	t_check_int(m.comp, MODULE_ZSTD);
	module_close(&m);
	t_end();

	t_begin("not a module, with kmod's errors: text, tiny, truncated ELF, no .modinfo, missing, directory");
	t_check_int(read_module("text.ko", &m), -ENOEXEC);
	module_close(&m);
	put("tiny.ko", "\177ELF");
	t_check_int(read_module("tiny.ko", &m), -EINVAL);
	module_close(&m);
	t_check_int(read_module("trunc.ko", &m), -EINVAL);
	module_close(&m);
	t_check_int(read_module("none.ko", &m), -ENOENT);
	module_close(&m);
	t_check_int(read_module("nosuch.ko", &m), -ENOENT);
	t_check_int(read_module("", &m), -EISDIR);
	t_end();

	t_begin("a section-name table that is not in the file (SHT_NOBITS, far offset) is refused");
	{
		/* mod.ko with its .shstrtab header made NOBITS at 256 MiB */
		char path[256];
		FILE *f;
		Elf64_Ehdr eh;
		Elf64_Shdr sh;
		long at;

		snprintf(path, sizeof(path), "%s/nobits.ko", tmp);
		t_check(!t_sh("cp %s/mod.ko %s", tmp, path), "cp");
		f = fopen(path, "r+");
		t_check(f && fread(&eh, sizeof(eh), 1, f) == 1, "read ELF header");
		at = (long)(eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(sh));
		t_check(f && !fseek(f, at, SEEK_SET) && fread(&sh, sizeof(sh), 1, f) == 1, "read");
		sh.sh_type = SHT_NOBITS;
		sh.sh_offset = 256u << 20;
		t_check(f && !fseek(f, at, SEEK_SET) && fwrite(&sh, sizeof(sh), 1, f) == 1, "write");
		if (f)
			fclose(f);
		t_check_int(read_module("nobits.ko", &m), -EINVAL);
		module_close(&m);
	}
	t_end();
}

static void test_names(void)
{
	char n[MODULE_NAME_MAX];

	t_begin("vermagic: the first word is the kernel release");
	t_check(module_vermagic_matches("6.12.50-0-lts SMP mod_unload ", "6.12.50-0-lts"), "match refused");
	t_check(module_vermagic_matches("6.12.50-0-lts", "6.12.50-0-lts"), "bare release refused");
	t_check(!module_vermagic_matches("6.12.50-0-lts SMP", "6.12.5"), "prefix accepted");
	t_check(!module_vermagic_matches("6.12.50-0-lts-x SMP", "6.12.50-0-lts"), "longer accepted");
	t_check(!module_vermagic_matches(NULL, "6.12.50-0-lts"), "NULL accepted");
	t_end();

	t_begin("module names: '-' equals '_', base name up to the first '.'");
	t_check(module_name_eq("curve25519-x86_64", 17, "curve25519_x86_64"), "- vs _");
	t_check(!module_name_eq("wireguard", 9, "wireguar"), "shorter equal");
	t_check(!module_name_eq("wireguar", 8, "wireguard"), "longer equal");
	module_name_of("kernel/net/ipv4/udp_tunnel.ko.xz", 32, n);
	t_check_str(n, "udp_tunnel");
	module_name_of("amneziawg.ko", 12, n);
	t_check_str(n, "amneziawg");
	module_name_of("/a/b/c.ko: x", 7, n);
	t_check_str(n, "c");
	t_end();
}

static const char fake_dep[] =
	"kernel/drivers/net/wg/wireguard.ko.xz: kernel/lib/libchacha20poly1305.ko.xz "
	"kernel/arch/chacha-x86_64.ko.xz kernel/lib/libchacha.ko.xz kernel/net/ip6_udp_tunnel.ko.xz "
	"kernel/net/udp_tunnel.ko.xz\n"
	"kernel/lib/libchacha20poly1305.ko.xz: kernel/arch/chacha-x86_64.ko.xz kernel/lib/libchacha.ko.xz\n"
	"kernel/arch/chacha-x86_64.ko.xz: kernel/lib/libchacha.ko.xz\n"
	"kernel/lib/libchacha.ko.xz:\n"
	"kernel/net/ip6_udp_tunnel.ko.xz:\n"
	"kernel/net/udp_tunnel.ko.xz:\n"
	"kernel/net/needs-ghost.ko: kernel/net/ghost.ko\n"
	"/abs/extra/absolute.ko:";

static void plan_str(struct module_plan *p, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < p->n && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? " " : "", p->mod[i].name);
}

static void test_env(void)
{
	struct module_env e;
	struct module_plan p = { 0 };
	struct module_dep d;
	char root[300], sys[300], got[512];
	int ret;

	put("lib/6.12.50-0-lts/modules.dep", fake_dep);
	put("lib/6.12.50-0-lts/modules.builtin", "kernel/lib/crc32.ko\nkernel/net/ipv6/ipv6.ko\n");
	put("sys/module/udp_tunnel/initstate", "live\n");
	put("sys/module/ip6_udp_tunnel/initstate", "live\n");
	put("sys/module/vt/parameters/x", "");	/* a built-in with parameters */
	snprintf(root, sizeof(root), "%s/lib", tmp);
	snprintf(sys, sizeof(sys), "%s/sys", tmp);
	module_env_init(&e, root, "6.12.50-0-lts", sys);

	t_begin("module_state: loaded, built in (sysfs and modules.builtin), loadable, absent");
	t_check_int(module_state(&e, "udp_tunnel", NULL), MODULE_LOADED);
	t_check_int(module_state(&e, "udp-tunnel", NULL), MODULE_LOADED);
	t_check_int(module_state(&e, "vt", NULL), MODULE_BUILTIN);
	t_check_int(module_state(&e, "crc32", NULL), MODULE_BUILTIN);
	t_check_int(module_state(&e, "chacha_x86_64", &d), MODULE_LOADABLE);
	t_check(d.path_len == 31 && !strncmp(d.path, "kernel/arch/chacha-x86_64.ko.xz", 31), "path %.*s",
		(int)d.path_len, d.path);
	t_check(d.deps_len == 27 && !strncmp(d.deps, " kernel/lib/libchacha.ko.xz", 27), "deps %.*s",
		(int)d.deps_len, d.deps);
	t_check_int(module_state(&e, "absolute", NULL), MODULE_LOADABLE);
	t_check_int(module_state(&e, "amneziawg", NULL), MODULE_ABSENT);
	t_check_int(module_state(&e, "wire", NULL), MODULE_ABSENT);
	t_end();

	t_begin("plan: dependencies first, loaded ones left out, each once");
	ret = module_plan_name(&e, &p, "wireguard");
	t_check_int(ret, 0);
	plan_str(&p, got, sizeof(got));
	t_check_str(got, "libchacha chacha-x86_64 libchacha20poly1305 wireguard");
	snprintf(got, sizeof(got), "%s/6.12.50-0-lts/kernel/drivers/net/wg/wireguard.ko.xz", root);
	t_check_str(p.mod[3].path, got);
	module_plan_free(&p);
	t_end();

	t_begin("plan from a depends= list (a module outside modules.dep)");
	ret = module_plan_depends(&e, &p, "libchacha20poly1305,udp_tunnel,,libchacha,absolute");
	t_check_int(ret, 0);
	plan_str(&p, got, sizeof(got));
	t_check_str(got, "libchacha chacha-x86_64 libchacha20poly1305 absolute");
	t_check_str(p.mod[3].path, "/abs/extra/absolute.ko");
	module_plan_free(&p);
	ret = module_plan_depends(&e, &p, "");
	t_check(!ret && !p.n, "empty depends: %d, %u", ret, p.n);
	t_end();

	t_begin("plan: a dependency nowhere is -ENOENT and named");
	t_check_int(module_plan_name(&e, &p, "needs-ghost"), -ENOENT);
	t_check_str(p.missing, "ghost");
	module_plan_free(&p);
	t_check_int(module_plan_depends(&e, &p, "udp_tunnel,nosuch"), -ENOENT);
	t_check_str(p.missing, "nosuch");
	module_plan_free(&p);
	t_end();

	t_begin("without modules.dep everything not loaded is absent");
	module_env_free(&e);
	module_env_init(&e, root, "6.1.0-nope", sys);
	t_check_int(module_state(&e, "udp_tunnel", NULL), MODULE_LOADED);
	t_check_int(module_state(&e, "wireguard", NULL), MODULE_ABSENT);
	module_env_free(&e);
	t_end();

	t_begin("empty index files: nothing in them, read without a pointer to nowhere");
	put("lib/6.1.0-empty/modules.dep", "");
	put("lib/6.1.0-empty/modules.builtin", "");
	put("lib/6.1.0-empty/modules.alias", "");
	put("lib/6.1.0-empty/modules.builtin.modinfo", "");
	module_env_init(&e, root, "6.1.0-empty", sys);
	t_check_int(module_state(&e, "wireguard", NULL), MODULE_ABSENT);
	{
		struct module_file m;
		int hits = 0;

		t_check_int(module_builtin_info(&e, "wireguard", &m), -ENOENT);
		t_check_int(module_alias_each(&e, "wireguard", count_hit, &hits), 0);
		t_check_int(hits, 0);
	}
	module_env_free(&e);
	t_end();
}

struct alias_hits {
	char names[512];
};

static int collect(const char *name, void *data)
{
	struct alias_hits *h = data;
	size_t n = strlen(h->names);

	snprintf(h->names + n, sizeof(h->names) - n, "%s%s", n ? " " : "", name);
	return 0;
}

/* modules.alias patterns against fnmatch(3) of the C library. */
static void test_alias(void)
{
	static const char *const pats[] = {
		"pci:v00008086d0000100Esv*sd*bc*sc*i*", "usb:v13FDp3940d0[0-2]*dc*", "a?c", "*", "x*y*z",
		"[!a-c]x", "[^a]", "[]]x", "[a-]", "tun", "net-pf-16-proto-16-family-wireguard", "**a",
		"[", "a[", "ab*", "*ab", "a*b*c*d",
	};
	static const char *const strs[] = {
		"pci:v00008086d0000100Esv00001028sd00000002bc02sc00i00", "pci:v00008086d0000100E",
		"usb:v13FDp3940d0150dc00", "usb:v13FDp3940d0350dc00", "abc", "aXc", "ac", "", "xyz",
		"x-y-z-", "dx", "ax", "b", "a", "]x", "-", "tun", "tunx", "net-pf-16-proto-16-family-wireguard",
		"aaa", "[", "a[", "abab", "ab", "b", "aXbXcXd", "abcd", "abdc",
	};
	char text[4096] = "", root[300], want[512];
	struct module_env e;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "alias %s m%zu\n", pats[i], i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "# a comment\nalias broken\n");
	put("alias/R/modules.alias", text);
	snprintf(root, sizeof(root), "%s/alias", tmp);
	module_env_init(&e, root, "R", "/nonexistent");

	t_begin("modules.alias: patterns match as fnmatch(3) does, in file order");
	for (size_t j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
		struct alias_hits h = { "" };

		want[0] = '\0';
		n = 0;
		for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
			if (!fnmatch(pats[i], strs[j], 0))
				n += (size_t)snprintf(want + n, sizeof(want) - n, "%sm%zu", n ? " " : "", i);
		t_check_int(module_alias_each(&e, strs[j], collect, &h), 0);
		t_check(!strcmp(h.names, want), "'%s': got '%s', fnmatch says '%s'", strs[j], h.names, want);
	}
	module_env_free(&e);
	t_end();
}

/* Debian's own modules.dep: the plan for wireguard loads every module after
 * all that its modules.dep line names. */
static void test_debian(void)
{
	struct module_env e;
	struct module_plan p = { 0 };
	glob_t g;
	char sys[300];

	t_begin("Debian's modules.dep: wireguard's plan is in a valid load order");
	if (glob("/lib/modules/*/modules.dep", 0, NULL, &g)) {
		printf("skip Debian's modules.dep: no /lib/modules/*/modules.dep\n");
		return;
	}
	*strrchr(g.gl_pathv[0], '/') = '\0';
	*strrchr(g.gl_pathv[0], '/') = '\0';
	snprintf(sys, sizeof(sys), "%s/empty-sys", tmp);
	module_env_init(&e, "/lib/modules", g.gl_pathv[0] + strlen("/lib/modules/"), sys);
	t_check_int(module_plan_name(&e, &p, "wireguard"), 0);
	t_check(p.n >= 2 && !strcmp(p.mod[p.n - 1].name, "wireguard"), "%u modules, last %s", p.n,
		p.n ? p.mod[p.n - 1].name : "-");
	for (unsigned i = 0; i < p.n; i++) {
		struct module_dep d;
		char dn[MODULE_NAME_MAX];

		t_check(access(p.mod[i].path, R_OK) == 0, "%s: not readable", p.mod[i].path);
		t_check_int(module_state(&e, p.mod[i].name, &d), MODULE_LOADABLE);
		for (const char *w = d.deps; w < d.deps + d.deps_len; w++) {
			size_t n;
			unsigned j;

			if (*w == ' ')
				continue;
			n = strcspn(w, " \n");
			module_name_of(w, n, dn);
			for (j = 0; j < i; j++)
				if (module_name_eq(p.mod[j].name, strlen(p.mod[j].name), dn))
					break;
			t_check(j < i, "%s loaded before its dependency %s", p.mod[i].name, dn);
			w += n - 1;
		}
	}
	module_plan_free(&p);
	module_env_free(&e);
	globfree(&g);
	t_end();
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_modinfo();
	test_names();
	test_env();
	test_alias();
	test_debian();
	t_sh("rm -rf %s", tmp);
	return t_done();
}
