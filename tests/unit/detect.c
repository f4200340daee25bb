/*
 * The decision table of the seed (DESIGN.md section 4), row by row: every
 * value of EXPERIMENTAL_AWG and OVERRIDE_AUTO_AWG, every way the kernel
 * module can be missing or fail, and the userspace fallback.  Facts are fed
 * to detect_decide() when it asks, and the order in which it asks is
 * checked too: e.g. a module whose vermagic does not match is never loaded.
 */
#include <errno.h>

#include "detect.h"
#include "t.h"

/* The facts a test case starts from; 0 fields are "the good answer". */
struct world {
	const char *exp, *ov;
	bool no_load;
	int state;		/* enum module_state; 0: MODULE_ABSENT */
	int versions;		/* -errno: version file unreadable */
	const char *release, *prebuilt, *vermagic;
	int file, load, genl, userspace, tun;	/* -errno to fail */
};

static const char *need_names[] = {
	"", "state", "versions", "file", "load", "genl", "userspace", "tun",
};

/* Run the decision, answering each question from w; the questions asked
 * go into asked ("state versions ..."). */
static void decide(const struct world *w, struct detect_result *r, char *asked, size_t size)
{
	struct detect_facts f = { .experimental = w->exp, .override = w->ov, .no_load = w->no_load };
	enum detect_need need;
	size_t n = 0;
	int guard = 0;

	asked[0] = '\0';
	memset(r, 0, sizeof(*r));
	while ((need = detect_decide(&f, r)) != NEED_NOTHING && guard++ < 20) {
		n += (size_t)snprintf(asked + n, size - n, "%s%s", n ? " " : "", need_names[need]);
		switch (need) {
		case NEED_STATE: f.state = w->state ? w->state : MODULE_ABSENT; break;
		case NEED_VERSIONS:
			f.versions = w->versions ? w->versions : FACT_OK;
			f.release = w->release ? w->release : "6.12.50-0-lts";
			f.prebuilt = f.versions > 0 ? (w->prebuilt ? w->prebuilt : "6.12.50-0-lts") : NULL;
			break;
		case NEED_FILE:
			f.file = w->file ? w->file : FACT_OK;
			f.vermagic = w->vermagic ? w->vermagic : "6.12.50-0-lts SMP mod_unload ";
			break;
		case NEED_LOAD: f.load = w->load ? w->load : FACT_OK; break;
		case NEED_GENL: f.genl = w->genl ? w->genl : FACT_OK; break;
		case NEED_USERSPACE: f.userspace = w->userspace ? w->userspace : FACT_OK; break;
		case NEED_TUN: f.tun = w->tun ? w->tun : FACT_OK; break;
		case NEED_NOTHING: break;
		}
	}
	t_check(guard < 20, "no decision after 20 questions: %s", asked);
}

static const char *impl_name(enum detect_impl i)
{
	return i == DETECT_KERNEL ? "kernel" : i == DETECT_USERSPACE ? "userspace" : "none";
}

/* One row: the world, then mode, implementation, reason, exit status and
 * the questions asked. */
#define ROW(name, w, mode_, impl_, reason_, status_, asked_) do {			\
	struct world wld_ = w;								\
	struct detect_result r_;							\
	char a_[256];									\
	t_begin(name);									\
	decide(&wld_, &r_, a_, sizeof(a_));						\
	t_check_str(r_.status == 2 ? "-" : r_.mode == DETECT_AWG ? "awg" : "wg", mode_);	\
	t_check_str(impl_name(r_.impl), impl_);						\
	t_check_str(r_.reason ? r_.reason : "(none)", reason_);				\
	t_check_int(r_.status, status_);						\
	t_check_str(a_, asked_);							\
	t_end();									\
} while (0)

#define W(...) ((struct world){ __VA_ARGS__ })

int main(void)
{
	/* ---- row 1: EXPERIMENTAL_AWG not true: standard WireGuard, whatever
	 * OVERRIDE_AUTO_AWG says (even values that are invalid with true) */
	static const char *not_true[] = { NULL, "", "false", "TRUE", "True", "1", "yes", "on", " true", "true ", "true\n" };
	static const char *any_override[] = { NULL, "", "awg", "wg", "AWG", "foo", "awg ", "'; rm -rf /" };

	t_begin("row 1: EXPERIMENTAL_AWG not 'true' is standard WireGuard, any OVERRIDE_AUTO_AWG");
	for (size_t i = 0; i < sizeof(not_true) / sizeof(not_true[0]); i++)
		for (size_t j = 0; j < sizeof(any_override) / sizeof(any_override[0]); j++) {
			struct world w = { .exp = not_true[i], .ov = any_override[j], .state = MODULE_LOADED };
			struct detect_result r;
			char asked[256];

			decide(&w, &r, asked, sizeof(asked));
			t_check(r.mode == DETECT_WG && r.why == WHY_DISABLED && r.status == 0 &&
				r.impl == DETECT_KERNEL && !strcmp(asked, "state"),
				"EXPERIMENTAL_AWG=%s OVERRIDE_AUTO_AWG=%s: mode %d why %d status %d asked %s",
				not_true[i] ? not_true[i] : "(unset)", any_override[j] ? any_override[j] : "(unset)",
				r.mode, r.why, r.status, asked);
		}
	t_end();

	/* standard WireGuard, both ways in (rows 1 and 2): kernel wireguard
	 * loaded, built in or loadable, else wireguard-go */
	for (int k = 0; k < 2; k++) {
		const char *e = k ? "true" : NULL, *o = k ? "wg" : NULL;

		ROW(k ? "row 2 (wg): wireguard loaded" : "row 1: wireguard loaded",
		    W(.exp = e, .ov = o, .state = MODULE_LOADED), "wg", "kernel", "kernel-loaded", 0, "state");
		ROW(k ? "row 2 (wg): wireguard built in" : "row 1: wireguard built in",
		    W(.exp = e, .ov = o, .state = MODULE_BUILTIN), "wg", "kernel", "kernel-builtin", 0, "state");
		ROW(k ? "row 2 (wg): wireguard loadable: loaded, family checked" :
			"row 1: wireguard loadable: loaded, family checked",
		    W(.exp = e, .ov = o, .state = MODULE_LOADABLE), "wg", "kernel", "kernel-load", 0,
		    "state load genl");
		ROW(k ? "row 2 (wg): --no-load: loadable is enough" : "row 1: --no-load: loadable is enough",
		    W(.exp = e, .ov = o, .state = MODULE_LOADABLE, .no_load = true), "wg", "kernel",
		    "kernel-loadable", 0, "state");
		ROW(k ? "row 2 (wg): no wireguard module: wireguard-go" : "row 1: no wireguard module: wireguard-go",
		    W(.exp = e, .ov = o, .state = MODULE_ABSENT), "wg", "userspace", "no-module", 0,
		    "state userspace tun");
		ROW(k ? "row 2 (wg): loading fails without CAP_SYS_MODULE: wireguard-go" :
			"row 1: loading fails without CAP_SYS_MODULE: wireguard-go",
		    W(.exp = e, .ov = o, .state = MODULE_LOADABLE, .load = -EPERM), "wg", "userspace",
		    "no-cap-sys-module", 0, "state load userspace tun");
		ROW(k ? "row 2 (wg): loaded by someone else meanwhile (EEXIST)" :
			"row 1: loaded by someone else meanwhile (EEXIST)",
		    W(.exp = e, .ov = o, .state = MODULE_LOADABLE, .load = -EEXIST), "wg", "kernel",
		    "kernel-loaded", 0, "state load");
		ROW(k ? "row 2 (wg): nothing usable: no module, no wireguard-go" :
			"row 1: nothing usable: no module, no wireguard-go",
		    W(.exp = e, .ov = o, .state = MODULE_ABSENT, .userspace = -ENOENT), "wg", "none",
		    "no-userspace", 1, "state userspace");
	}
	ROW("row 2 (wg): the version file and module file are not looked at",
	    W(.exp = "true", .ov = "wg", .state = MODULE_ABSENT, .versions = -ENOENT, .file = -ENOENT),
	    "wg", "userspace", "no-module", 0, "state userspace tun");

	/* ---- row 5: EXPERIMENTAL_AWG=true and anything but awg, wg, unset */
	static const char *bad_override[] = { "AWG", "Wg", "foo", "awg ", " wg", "kernel", "userspace",
					      "1", "awg\n", "'; rm -rf /" };
	for (size_t j = 0; j < sizeof(bad_override) / sizeof(bad_override[0]); j++) {
		char name[96], *nl;

		snprintf(name, sizeof(name), "row 5: OVERRIDE_AUTO_AWG='%s' is a usage error (exit 2)", bad_override[j]);
		while ((nl = strchr(name, '\n')))	/* one line per result */
			*nl = '~';
		ROW(name, W(.exp = "true", .ov = bad_override[j]), "-", "none", "bad-override", 2, "");
	}
	ROW("row 4: OVERRIDE_AUTO_AWG empty is unset (auto)", W(.exp = "true", .ov = ""), "awg", "kernel",
	    "kernel-load", 0, "state versions file load genl");

	/* ---- row 4: auto */
	ROW("row 4 auto: versions and vermagic match: module loaded, family checked",
	    W(.exp = "true"), "awg", "kernel", "kernel-load", 0, "state versions file load genl");
	ROW("row 4 auto: amneziawg loaded already: nothing read, nothing loaded",
	    W(.exp = "true", .state = MODULE_LOADED), "awg", "kernel", "kernel-loaded", 0, "state");
	ROW("row 4 auto: amneziawg built in", W(.exp = "true", .state = MODULE_BUILTIN), "awg", "kernel",
	    "kernel-builtin", 0, "state");
	ROW("row 4 auto: amneziawg in modules.dep is loaded like the prebuilt file",
	    W(.exp = "true", .state = MODULE_LOADABLE), "awg", "kernel", "kernel-load", 0,
	    "state versions file load genl");
	ROW("row 4 auto: --no-load decides kernel without loading",
	    W(.exp = "true", .no_load = true), "awg", "kernel", "kernel-loadable", 0, "state versions file");
	ROW("row 4 auto: kernel differs from the prebuilt version: userspace, module file not read",
	    W(.exp = "true", .release = "6.12.51-0-lts"), "awg", "userspace", "version-mismatch", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: a release that only starts like the prebuilt one is a mismatch",
	    W(.exp = "true", .release = "6.12.50-0-lts2"), "awg", "userspace", "version-mismatch", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: a version file with the version alone (awg-easy's 6.12.50) matches 6.12.50-0-lts",
	    W(.exp = "true", .prebuilt = "6.12.50"), "awg", "kernel", "kernel-load", 0,
	    "state versions file load genl");
	ROW("row 4 auto: ... but 6.12.5 does not match 6.12.50-0-lts",
	    W(.exp = "true", .prebuilt = "6.12.5"), "awg", "userspace", "version-mismatch", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: ... and a full release must match whole: 6.12.50-0 is not 6.12.50-0-lts",
	    W(.exp = "true", .prebuilt = "6.12.50-0"), "awg", "userspace", "version-mismatch", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: no version file: userspace",
	    W(.exp = "true", .versions = -ENOENT), "awg", "userspace", "no-version-file", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: unreadable version file: userspace",
	    W(.exp = "true", .versions = -EACCES), "awg", "userspace", "no-version-file", 0,
	    "state versions userspace tun");
	ROW("row 4 auto: no module file: userspace",
	    W(.exp = "true", .file = -ENOENT), "awg", "userspace", "no-module", 0,
	    "state versions file userspace tun");
	ROW("row 4 auto: not a module: userspace",
	    W(.exp = "true", .file = -ENOEXEC), "awg", "userspace", "bad-module", 0,
	    "state versions file userspace tun");
	ROW("row 4 auto: zstd module awgbox cannot read: userspace",
	    W(.exp = "true", .file = -ENOTSUP), "awg", "userspace", "bad-module", 0,
	    "state versions file userspace tun");
	ROW("row 4 auto: vermagic of another kernel: refused before loading",
	    W(.exp = "true", .vermagic = "6.12.49-0-lts SMP mod_unload "), "awg", "userspace",
	    "vermagic-mismatch", 0, "state versions file userspace tun");
	{
		/* in struct world NULL is "the good vermagic": a module
		 * without one needs the facts set by hand */
		struct detect_facts f = { .experimental = "true", .state = MODULE_ABSENT, .versions = FACT_OK,
					  .release = "6.12.50-0-lts", .prebuilt = "6.12.50-0-lts",
					  .file = FACT_OK, .vermagic = NULL };
		struct detect_result r;

		t_begin("row 4 auto: a module without vermagic is refused before loading");
		t_check_int(detect_decide(&f, &r), NEED_USERSPACE);
		t_check_str(r.reason, "vermagic-mismatch");
		t_end();
	}
	static const struct { int err; const char *reason; } load_errors[] = {
		{ -EPERM, "no-cap-sys-module" }, { -ENOEXEC, "wrong-kernel" }, { -EINVAL, "wrong-kernel" },
		{ -ENOENT, "missing-dependency" }, { -EKEYREJECTED, "signature-rejected" },
		{ -ENOKEY, "signature-rejected" }, { -EBADMSG, "signature-rejected" },
		{ -ENOTSUP, "unsupported-compression" }, { -EBUSY, "load-failed" }, { -ENOSYS, "load-failed" },
		{ -ENOMEM, "load-failed" },
	};
	for (size_t i = 0; i < sizeof(load_errors) / sizeof(load_errors[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "row 4 auto: loading fails with %s: userspace (%s)",
			 strerror(-load_errors[i].err), load_errors[i].reason);
		ROW(name, W(.exp = "true", .load = load_errors[i].err), "awg", "userspace", load_errors[i].reason,
		    0, "state versions file load userspace tun");
	}
	ROW("row 4 auto: loaded meanwhile (EEXIST) counts as loaded",
	    W(.exp = "true", .load = -EEXIST), "awg", "kernel", "kernel-loaded", 0, "state versions file load");
	ROW("row 4 auto: loaded but no generic netlink family: userspace",
	    W(.exp = "true", .genl = -ENOENT), "awg", "userspace", "no-genl-family", 0,
	    "state versions file load genl userspace tun");
	ROW("row 4 auto: mismatch and no amneziawg-go: nothing usable (exit 1)",
	    W(.exp = "true", .release = "6.1.0", .userspace = -ENOENT), "awg", "none", "no-userspace", 1,
	    "state versions userspace");
	ROW("row 4 auto: mismatch and no usable /dev/net/tun: nothing usable (exit 1)",
	    W(.exp = "true", .release = "6.1.0", .tun = -ENODEV), "awg", "none", "no-tun", 1,
	    "state versions userspace tun");

	/* ---- row 3: forced AmneziaWG: the module if it loads, else amneziawg-go */
	ROW("row 3 awg: everything fits: kernel",
	    W(.exp = "true", .ov = "awg"), "awg", "kernel", "kernel-load", 0, "state versions file load genl");
	ROW("row 3 awg: version file differs: the module is tried anyway",
	    W(.exp = "true", .ov = "awg", .prebuilt = "6.12.49-0-lts"), "awg", "kernel", "kernel-load", 0,
	    "state versions file load genl");
	ROW("row 3 awg: no version file: the module is tried anyway",
	    W(.exp = "true", .ov = "awg", .versions = -ENOENT), "awg", "kernel", "kernel-load", 0,
	    "state versions file load genl");
	ROW("row 3 awg: vermagic of another kernel is still refused before loading",
	    W(.exp = "true", .ov = "awg", .vermagic = "6.1.0 SMP"), "awg", "userspace", "vermagic-mismatch", 0,
	    "state versions file userspace tun");
	ROW("row 3 awg: loading fails: amneziawg-go",
	    W(.exp = "true", .ov = "awg", .load = -EPERM), "awg", "userspace", "no-cap-sys-module", 0,
	    "state versions file load userspace tun");
	ROW("row 3 awg: no module file: amneziawg-go", W(.exp = "true", .ov = "awg", .file = -ENOENT),
	    "awg", "userspace", "no-module", 0, "state versions file userspace tun");
	ROW("row 3 awg: loaded already", W(.exp = "true", .ov = "awg", .state = MODULE_LOADED), "awg",
	    "kernel", "kernel-loaded", 0, "state");
	ROW("row 3 awg: --no-load", W(.exp = "true", .ov = "awg", .no_load = true), "awg", "kernel",
	    "kernel-loadable", 0, "state versions file");
	ROW("row 3 awg: nothing usable never falls back to standard WireGuard",
	    W(.exp = "true", .ov = "awg", .file = -ENOENT, .userspace = -ENOENT), "awg", "none",
	    "no-userspace", 1, "state versions file userspace");

	/* ---- the variables printed and exported */
	{
		const char *k[DETECT_VARS_MAX], *v[DETECT_VARS_MAX];
		struct detect_result r = { .mode = DETECT_AWG, .impl = DETECT_USERSPACE,
					   .reason = "version-mismatch", .userspace = "/usr/bin/amneziawg-go" };
		char all[512];
		size_t n = 0;
		int c;

		t_begin("variables: userspace AmneziaWG names the userspace binary");
		c = detect_vars(&r, k, v);
		for (int i = 0; i < c; i++)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s=%s;", k[i], v[i]);
		t_check_str(all, "AWG_MODE=awg;AWG_IMPL=userspace;AWG_REASON=version-mismatch;"
			    "OVERRIDE_AUTO_AWG=awg;AWG_TOOL=awg;AWG_QUICK=awg-quick;"
			    "WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/bin/amneziawg-go;");
		t_end();

		t_begin("variables: kernel WireGuard has no userspace variable; usage errors print none");
		r = (struct detect_result){ .mode = DETECT_WG, .impl = DETECT_KERNEL, .reason = "kernel-loaded" };
		c = detect_vars(&r, k, v);
		n = 0;
		for (int i = 0; i < c; i++)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s=%s;", k[i], v[i]);
		t_check_str(all, "AWG_MODE=wg;AWG_IMPL=kernel;AWG_REASON=kernel-loaded;"
			    "OVERRIDE_AUTO_AWG=wg;AWG_TOOL=wg;AWG_QUICK=wg-quick;");
		r.status = 2;
		t_check_int(detect_vars(&r, k, v), 0);
		t_end();
	}
	return t_done();
}
