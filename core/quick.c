/*
 * awg-quick / wg-quick, the engine: bring an interface up or down from a
 * config file.  Upstream is a bash script that runs ip, awg, sysctl,
 * resolvconf and nft/iptables-restore for each step; here links, addresses,
 * MTU, routes, rules and the device configuration are done in-process, and
 * the same "[#] ..." lines say what was done, in upstream's order, through
 * the caller's say().  A failed `up` undoes every step it did.  The applets
 * awg-quick and wg-quick and awg-easy-init's standalone mode run it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/netfilter.h>

#include "addr.h"
#include "conf.h"
#include "errtext.h"
#include "io.h"
#include "ipc.h"
#include "nft.h"
#include "proc.h"
#include "quick.h"
#include "quick_conf.h"
#include "rtnl.h"
#include "showconf.h"

#define FIRST_TABLE 51820

struct quick {
	const struct quick_opts *o;
	enum wg_flavor flavor;
	const char *prog;	/* awg-quick, wg-quick */
	const char *tool;	/* awg, wg: in the [#] lines */
	const char *kind;	/* the link kind */
	const char *userspace;	/* the default userspace implementation */
	struct quick_conf conf;
	struct wg_device *dev;	/* up: the config's wg part, parsed */
	struct nl rt;
	int ifindex;
	/* what `up` did, for undoing it */
	bool have_link, have_dns, have_firewall;
	uint32_t rules_table;	/* the table of the default-route rules added */
};

static void __attribute__((format(printf, 2, 3))) say(const struct quick *q, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	q->o->say(q->o->say_data, line);
}

/* An error from the kernel, worded as ip(8) words it. */
static int ip_error(const struct quick *q, int err)
{
	if (err == -EOPNOTSUPP)
		say(q, "Error: Unknown device type.");
	else
		say(q, "RTNETLINK answers: %s", err_text(-err));
	return err;
}

static int __attribute__((format(printf, 2, 3))) fail(struct quick *q, const char *fmt, ...)
{
	char msg[PATH_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(q, "%s: %s", q->prog, msg);
	return -1;
}

static int check_interrupted(struct quick *q)
{
	int sig = q->o->interrupted ? q->o->interrupted(q->o->say_data) : 0;

	if (sig)
		return fail(q, "interrupted by signal %d", sig);
	return 0;
}

/* ---- running programs --------------------------------------------------------- */

/* Run argv with stdin (may be NULL); its exit code, or -errno if it could
 * not be started (with a message). */
static int run(struct quick *q, char *const *argv, const char *in, size_t in_len)
{
	struct proc_spec spec = { .argv = argv, .stdin_buf = in, .stdin_len = in_len };
	int ret, status;

	ret = proc_run(&spec, &status);
	if (ret < 0) {
		say(q, "%s: %s: %s", q->prog, argv[0], ret == -ENOENT ? "command not found" : err_text(-ret));
		return ret;
	}
	return proc_exit_code(status);
}

static int run_hooks(struct quick *q, const struct strvec *hooks)
{
	for (size_t i = 0; i < hooks->n; i++) {
		const char *h = hooks->v[i];
		size_t n = 0;
		char *cmd;
		int ret;

		/* %i is the interface name */
		for (const char *p = h; (p = strstr(p, "%i")); p += 2)
			n++;
		cmd = malloc(strlen(h) + n * strlen(q->conf.ifname) + 1);
		if (!cmd)
			return fail(q, "%s", err_text(ENOMEM));
		for (char *d = cmd;; ) {
			const char *p = strstr(h, "%i");

			if (!p) {
				strcpy(d, h);
				break;
			}
			memcpy(d, h, (size_t)(p - h));
			d += p - h;
			d = stpcpy(d, q->conf.ifname);
			h = p + 2;
		}
		say(q, "[#] %s", cmd);
		if (access("/bin/sh", X_OK) < 0) {
			free(cmd);
			return fail(q, "hooks need /bin/sh, which this system does not have");
		}
		{
			char *argv[] = { "/bin/sh", "-c", cmd, NULL };

			ret = run(q, argv, NULL, 0);
		}
		free(cmd);
		if (ret)
			return -1;
		if (check_interrupted(q) < 0)
			return -1;
	}
	return 0;
}

/* ---- DNS through resolvconf -------------------------------------------------------- */

/* "NAME." from the first "NAME*" line of /etc/resolvconf/interface-order */
static void resolvconf_name(const struct quick *q, char *buf, size_t len)
{
	FILE *f = fopen("/etc/resolvconf/interface-order", "re");
	char line[256], prefix[256] = "";

	while (f && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n"), i;

		line[n] = '\0';
		for (i = 0; i < n && (line[i] == '-' || (line[i] >= '0' && line[i] <= '9') ||
				      ((line[i] | 32) >= 'a' && (line[i] | 32) <= 'z')); i++)
			;
		if (i > 0 && i + 1 == n && line[i] == '*') {
			snprintf(prefix, sizeof(prefix), "%.*s.", (int)i, line);
			break;
		}
	}
	if (f)
		fclose(f);
	snprintf(buf, len, "%s%s", prefix, q->conf.ifname);
}

static int set_dns(struct quick *q)
{
	char name[300], *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!q->conf.dns.n)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return fail(q, "%s", err_text(ENOMEM));
	for (size_t i = 0; i < q->conf.dns.n; i++)
		fprintf(f, "nameserver %s\n", q->conf.dns.v[i]);
	if (q->conf.dns_search.n) {
		fputs("search", f);
		for (size_t i = 0; i < q->conf.dns_search.n; i++)
			fprintf(f, " %s", q->conf.dns_search.v[i]);
		fputc('\n', f);
	}
	fclose(f);
	resolvconf_name(q, name, sizeof(name));
	say(q, "[#] resolvconf -a %s -m 0 -x", name);
	{
		char *argv[] = { "resolvconf", "-a", name, "-m", "0", "-x", NULL };

		ret = run(q, argv, text, len);
	}
	free(text);
	if (ret)
		return -1;
	q->have_dns = true;
	return 0;
}

static void unset_dns(struct quick *q)
{
	char name[300];

	if (!q->conf.dns.n)
		return;
	resolvconf_name(q, name, sizeof(name));
	say(q, "[#] resolvconf -d %s -f", name);
	{
		char *argv[] = { "resolvconf", "-d", name, "-f", NULL };

		run(q, argv, NULL, 0);
	}
}

/* ---- the device --------------------------------------------------------------------- */

/* The device, or with one_peer its peers one at a time (ipc_get_peers) */
static int get_device(struct quick *q, bool one_peer, device_peer_fn *fn, void *data, struct wg_device **d)
{
	int ret = one_peer ? ipc_get_peers(q->flavor, q->conf.ifname, fn, data, d)
			   : ipc_get_device(q->flavor, q->conf.ifname, d);

	if (ret < 0)
		say(q, "Unable to access interface: %s", err_text(-ret));
	return ret;
}

/* The fwmark in use as table (upstream's get_fwmark); 0 when none.  A
 * device that cannot be read is an error, not "no fwmark": a second table
 * would then route the tunnel's own packets into itself. */
static int device_fwmark(struct quick *q, uint32_t *mark)
{
	struct wg_device *d;
	int ret = ipc_get_device(q->flavor, q->conf.ifname, &d);

	if (ret < 0)
		return fail(q, "Unable to access interface: %s", err_text(-ret));
	*mark = d->fwmark;
	device_free(d);
	return 0;
}

static int set_fwmark(struct quick *q, uint32_t mark)
{
	struct wg_device *d = device_new();
	char why[IPC_WHY_LEN];
	int ret;

	if (!d)
		return fail(q, "%s", err_text(ENOMEM));
	say(q, "[#] %s set %s fwmark %u", q->tool, q->conf.ifname, mark);
	strcpy(d->name, q->conf.ifname);
	d->fwmark = mark;
	d->has = WGF_BIT(WGF_FWMARK);
	ret = ipc_set_device(q->flavor, d, why);
	device_free(d);
	if (ret < 0)
		say(q, "Unable to modify interface: %s%s%s%s", err_text(-ret), why[0] ? " (" : "", why,
		     why[0] ? ")" : "");
	return ret;
}

/* An error of the quick part of the config (or of reading it) */
static int conf_fail(struct quick *q, const struct quick_error *e, const char *path)
{
	if (e->line)
		return fail(q, "%s:%lu: %s", path, e->line, e->msg);
	return fail(q, "%s", e->msg);
}

static void print_conf_error(void *data, unsigned long line, const char *msg)
{
	struct quick *q = data;

	if (line)
		say(q, "%s:%lu: %s", q->conf.path, line, msg);
	else
		say(q, "%s", msg);
}

static int feed_line(void *data, const char *line, size_t len, unsigned long lineno)
{
	return conf_stream_line(data, line, len, lineno);
}

/* The config's wg part, read before anything is made, so that a malformed
 * file changes nothing (upstream adds the link, then fails in setconf and
 * deletes it again).  Its lines go from the file straight to the parser. */
static int parse_config(struct quick *q)
{
	struct conf_opts o = { .flavor = q->flavor, .warn = print_conf_error, .warn_data = q };
	struct conf_stream *s;
	struct conf_error err;
	struct quick_error qerr;
	int ret = conf_stream_new(&s, &o, &err);

	if (ret < 0)
		return fail(q, "%s", err.msg);
	ret = quick_conf_pass(&q->conf, feed_line, s, &qerr);
	if (ret < 0 && qerr.msg[0]) {
		conf_stream_end(s, ret, &q->dev);
		q->dev = NULL;
		return conf_fail(q, &qerr, q->conf.path);
	}
	ret = conf_stream_end(s, ret, &q->dev);
	if (ret < 0) {
		bool key = err.key[0] && !strstr(err.msg, err.key);

		q->dev = NULL;
		if (err.line)
			say(q, "%s: %s:%lu: %s%s%s", q->tool, q->conf.path, err.line, key ? err.key : "",
			     key ? ": " : "", err.msg);
		else
			say(q, "%s", err.msg);
	}
	return ret;
}

/* `awg setconf IF <(stripped config)`, in-process */
static int set_config(struct quick *q)
{
	char why[IPC_WHY_LEN];
	int ret;

	say(q, "[#] %s setconf %s /dev/fd/63", q->tool, q->conf.ifname);
	strcpy(q->dev->name, q->conf.ifname);
	ret = ipc_set_device(q->flavor, q->dev, why);
	/* the routes come from the device itself, as upstream's do: the
	 * config's model is not needed again */
	device_free(q->dev);
	q->dev = NULL;
	if (ret < 0)
		say(q, "Unable to modify interface: %s%s%s%s", err_text(-ret), why[0] ? " (" : "", why,
		     why[0] ? ")" : "");
	return ret;
}

/* ---- link, addresses, MTU --------------------------------------------------------- */

static bool sysfs_module_loaded(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* Wait for a userspace implementation's socket, at most a few seconds. */
static bool wait_for_socket(struct quick *q)
{
	struct wg_device *d;

	for (int i = 0; i < 50; i++) {
		if (ipc_get_device(q->flavor, q->conf.ifname, &d) == 0) {
			device_free(d);
			return true;
		}
		if (q->o->interrupted && q->o->interrupted(q->o->say_data))
			return false;
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	return false;
}

static int add_if(struct quick *q)
{
	struct rtnl_link link;
	const char *impl = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");
	int ret;

	if (!impl || !*impl)
		impl = q->userspace;
	say(q, "[#] ip link add %s type %s", q->conf.ifname, q->kind);
	ret = rtnl_link_add(&q->rt, q->conf.ifname, q->kind);
	if (ret < 0) {
		ip_error(q, ret);
		if (sysfs_module_loaded(q->kind) || !proc_in_path(impl))
			return ret;
		if (q->flavor == FLAVOR_AWG)
			say(q, "[!] Missing WireGuard (Amnezia VPN) kernel module. Falling back to slow userspace implementation.");
		else
			say(q, "[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.");
		say(q, "[#] %s %s", impl, q->conf.ifname);
		{
			char *argv[] = { (char *)impl, q->conf.ifname, NULL };

			ret = run(q, argv, NULL, 0);
		}
		if (ret)
			return -1;
		/* from here on its link is ours to delete, even if it never
		 * answers or we cannot see it yet (del_if looks it up) */
		q->have_link = true;
		if (!wait_for_socket(q))
			return fail(q, "%s did not open its control socket for %s", impl, q->conf.ifname);
	}
	ret = rtnl_link_get(&q->rt, q->conf.ifname, &link);
	if (ret < 0)
		return ip_error(q, ret);
	q->ifindex = link.ifindex;
	q->have_link = true;
	return 0;
}

static int add_addresses(struct quick *q)
{
	for (size_t i = 0; i < q->conf.addresses.n; i++) {
		const char *a = q->conf.addresses.v[i];
		struct ip_prefix p;
		int ret;

		say(q, "[#] ip %s address add %s dev %s", strchr(a, ':') ? "-6" : "-4", a, q->conf.ifname);
		if (ip_prefix_parse(&p, a) < 0 || (p.family == AF_INET6) != (strchr(a, ':') != NULL)) {
			say(q, "Error: any valid prefix is expected rather than \"%s\".", a);
			return -1;
		}
		ret = rtnl_addr_add(&q->rt, q->ifindex, &p);
		if (ret < 0)
			return ip_error(q, ret);
		if (check_interrupted(q) < 0)
			return -1;
	}
	return 0;
}

/* What ip(8) shows as the "mtu N" of the route to an address, or of its
 * device; 0 when neither answers. */
static uint32_t route_mtu(struct quick *q, const struct rtnl_route *r)
{
	struct rtnl_link link;

	if (r->mtu && !r->mtu_locked)
		return r->mtu;
	if (r->oif && rtnl_link_get_index(&q->rt, r->oif, &link) == 0)
		return link.mtu;
	return 0;
}

struct endpoint_mtu {
	struct quick *q;
	uint32_t mtu;
};

/* A peer's part of the MTU: the route's to its endpoint, if larger */
static int endpoint_mtu(void *data, const struct wg_device *dev, const struct wg_peer *peer)
{
	struct endpoint_mtu *e = data;
	struct ip_prefix dst = { .family = peer->endpoint.sa.sa_family };
	struct rtnl_route r;
	uint32_t m;

	(void)dev;
	if (dst.family == AF_INET) {
		memcpy(dst.addr, &peer->endpoint.sin.sin_addr, 4);
		dst.len = 32;
	} else if (dst.family == AF_INET6 && !peer->endpoint.sin6.sin6_scope_id) {
		/* upstream's pattern skips scoped addresses (fe80::1%eth0) */
		memcpy(dst.addr, &peer->endpoint.sin6.sin6_addr, 16);
		dst.len = 128;
	} else {
		return 0;
	}
	if (rtnl_route_get(&e->q->rt, &dst, &r) == 0 && (m = route_mtu(e->q, &r)) > e->mtu)
		e->mtu = m;
	return 0;
}

static int set_mtu_up(struct quick *q)
{
	struct endpoint_mtu e = { .q = q };
	uint32_t mtu;
	struct rtnl_route r;
	struct wg_device *d;
	int ret;

	if (q->conf.mtu && *q->conf.mtu) {
		unsigned long v;
		char *end;

		say(q, "[#] ip link set mtu %s up dev %s", q->conf.mtu, q->conf.ifname);
		errno = 0;
		v = strtoul(q->conf.mtu, &end, 0);
		if (*end || errno || v > UINT32_MAX || q->conf.mtu[0] == '-') {
			say(q, "Error: argument \"%s\" is wrong: Invalid \"mtu\" value", q->conf.mtu);
			return -1;
		}
		ret = rtnl_link_set_mtu_up(&q->rt, q->ifindex, (uint32_t)v);
		return ret < 0 ? ip_error(q, ret) : 0;
	}
	/* the largest MTU on the way to any endpoint, less 80 for the tunnel */
	ret = get_device(q, true, endpoint_mtu, &e, &d);
	if (ret < 0)
		return ret;
	device_free(d);
	mtu = e.mtu;
	if (!mtu && rtnl_route_default(&q->rt, AF_INET, &r) == 0)
		mtu = route_mtu(q, &r);
	if (!mtu)
		mtu = 1500;
	say(q, "[#] ip link set mtu %u up dev %s", mtu - 80, q->conf.ifname);
	ret = rtnl_link_set_mtu_up(&q->rt, q->ifindex, mtu - 80);
	return ret < 0 ? ip_error(q, ret) : 0;
}

/* ---- routes, and the default route's policy routing ------------------------------------ */

/* ip(8)'s table argument: a number (any base) or a name of rt_tables. */
static int parse_table(const char *s, uint32_t *table)
{
	static const struct { const char *name; uint32_t id; } builtin[] = {
		{ "default", 253 }, { "main", 254 }, { "local", 255 },
	};
	unsigned long v;
	char *end, line[256];
	FILE *f;

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(s, builtin[i].name)) {
			*table = builtin[i].id;
			return 0;
		}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*s && *s != '-' && !*end && !errno && v <= UINT32_MAX) {
		*table = (uint32_t)v;
		return 0;
	}
	f = fopen("/etc/iproute2/rt_tables", "re");
	while (f && fgets(line, sizeof(line), f)) {
		/* "ID NAME": ID in any base, as ip reads it */
		char *p = line, *name;
		unsigned long id;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p < '0' || *p > '9')
			continue;
		errno = 0;
		id = strtoul(p, &name, 0);
		if (errno || id > UINT32_MAX || (*name != ' ' && *name != '\t'))
			continue;
		name += strspn(name, " \t");
		n = strcspn(name, " \t\r\n#");
		if (n == strlen(s) && !strncmp(name, s, n)) {
			*table = (uint32_t)id;
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	return -EINVAL;
}

static bool table_is_auto(const struct quick *q)
{
	return !q->conf.table || !*q->conf.table || !strcmp(q->conf.table, "auto");
}

static const char *family_flag(int family)
{
	return family == AF_INET6 ? "-6" : "-4";
}

struct fw_addrs {
	FILE *nft, *ipt;
	const struct quick *q;
	const char *pf;
	const char *marker;
};

static int add_fw_addr(const struct rtnl_addr *a, void *data)
{
	struct fw_addrs *fw = data;
	char ip[ADDR_IP_LEN];

	addr_format_ip(ip, a->local.family, a->local.addr);
	fprintf(fw->ipt, "-I PREROUTING ! -i %s -d %s -m addrtype ! --src-type LOCAL -j DROP %s\n",
		fw->q->conf.ifname, ip, fw->marker);
	fprintf(fw->nft, "add rule %s wg-quick-%s preraw iifname != \"%s\" %s daddr %s fib saddr type != local drop\n",
		fw->pf, fw->q->conf.ifname, fw->q->conf.ifname, fw->pf, ip);
	return 0;
}

/* The firewall rules of upstream's add_default: nft when there is nft, else
 * iptables-restore; neither only gets a warning. */
static int add_firewall(struct quick *q, int family, uint32_t table)
{
	const char *pf = family == AF_INET6 ? "ip6" : "ip";
	char *nft = NULL, *ipt = NULL, marker[128];
	size_t nft_len = 0, ipt_len = 0;
	struct fw_addrs fw = { .q = q, .pf = pf, .marker = marker };
	int ret;

	snprintf(marker, sizeof(marker), "-m comment --comment \"%s(8) rule for %s\"", q->prog, q->conf.ifname);
	fw.nft = open_memstream(&nft, &nft_len);
	fw.ipt = open_memstream(&ipt, &ipt_len);
	if (!fw.nft || !fw.ipt)
		return fail(q, "%s", err_text(ENOMEM));
	fputs("*raw\n", fw.ipt);
	fprintf(fw.nft, "add table %s wg-quick-%s\n", pf, q->conf.ifname);
	fprintf(fw.nft, "add chain %s wg-quick-%s preraw { type filter hook prerouting priority -300; }\n", pf, q->conf.ifname);
	fprintf(fw.nft, "add chain %s wg-quick-%s premangle { type filter hook prerouting priority -150; }\n", pf, q->conf.ifname);
	fprintf(fw.nft, "add chain %s wg-quick-%s postmangle { type filter hook postrouting priority -150; }\n", pf, q->conf.ifname);
	ret = rtnl_addr_list(&q->rt, family, q->ifindex, add_fw_addr, &fw);
	fprintf(fw.ipt, "COMMIT\n*mangle\n-I POSTROUTING -m mark --mark %u -p udp -j CONNMARK --save-mark %s\n"
		"-I PREROUTING -p udp -j CONNMARK --restore-mark %s\nCOMMIT\n", table, marker, marker);
	fprintf(fw.nft, "add rule %s wg-quick-%s postmangle meta l4proto udp mark %u ct mark set mark \n",
		pf, q->conf.ifname, table);
	fprintf(fw.nft, "add rule %s wg-quick-%s premangle meta l4proto udp meta mark set ct mark \n",
		pf, q->conf.ifname);
	fclose(fw.nft);
	fclose(fw.ipt);
	if (ret < 0) {
		ip_error(q, ret);
		goto out;
	}
	if (family == AF_INET) {
		char v[16];

		/* containers often cannot write /proc/sys; as awg-easy's image
		 * does, leave it alone when it already says 1 */
		if (sysctl_read("net.ipv4.conf.all.src_valid_mark", v, sizeof(v)) < 0 || strcmp(v, "1")) {
			say(q, "[#] sysctl -q net.ipv4.conf.all.src_valid_mark=1");
			ret = sysctl_write("net.ipv4.conf.all.src_valid_mark", "1");
			if (ret < 0) {
				say(q, "sysctl: setting key \"net.ipv4.conf.all.src_valid_mark\": %s", err_text(-ret));
				goto out;
			}
		}
	}
	if (proc_in_path("nft")) {
		char *argv[] = { "nft", "-f", "/dev/stdin", NULL };

		say(q, "[#] nft -f /dev/fd/63");
		ret = run(q, argv, nft, nft_len) ? -1 : 0;
	} else {
		const char *restore = family == AF_INET6 ? "ip6tables-restore" : "iptables-restore";
		char *argv[] = { (char *)restore, "-n", NULL };

		if (!proc_in_path(restore)) {
			say(q, "Warning: neither nft nor %s found: no firewall rules for %s's default route",
			     restore, q->conf.ifname);
			ret = 0;
			goto out;
		}
		say(q, "[#] %s -n", restore);
		ret = run(q, argv, ipt, ipt_len) ? -1 : 0;
	}
	if (!ret)
		q->have_firewall = true;
out:
	free(nft);
	free(ipt);
	return ret;
}

static int add_rule(struct quick *q, int family, bool suppress, uint32_t table)
{
	struct rtnl_rule rule;
	int ret;

	rtnl_rule_init(&rule, family);
	if (suppress) {
		say(q, "[#] ip %s rule add table main suppress_prefixlength 0", family_flag(family));
		rule.table = 254;
		rule.suppress_prefixlen = 0;
	} else {
		say(q, "[#] ip %s rule add not fwmark %u table %u", family_flag(family), table, table);
		rule.invert = true;
		rule.has_fwmark = true;
		rule.fwmark = table;
		rule.table = table;
	}
	ret = rtnl_rule_add(&q->rt, &rule);
	return ret < 0 ? ip_error(q, ret) : 0;
}

static int add_table_route(struct quick *q, const struct ip_prefix *dst, const char *text, uint32_t table)
{
	int ret;

	say(q, "[#] ip %s route add %s dev %s table %u", family_flag(dst->family), text, q->conf.ifname, table);
	ret = rtnl_route_add(&q->rt, q->ifindex, dst, table);
	return ret < 0 ? ip_error(q, ret) : 0;
}

static int add_default(struct quick *q, const struct ip_prefix *dst, const char *text)
{
	uint32_t table = 0;
	int ret;

	if (device_fwmark(q, &table) < 0)
		return -1;
	if (!table) {
		/* the first table with no routes; a dump that fails is an
		 * error, not an empty table */
		for (table = FIRST_TABLE;; table++) {
			ret = rtnl_route_table_used(&q->rt, AF_INET, table);
			if (!ret)
				ret = rtnl_route_table_used(&q->rt, AF_INET6, table);
			if (ret < 0)
				return ip_error(q, ret);
			if (!ret)
				break;
		}
		if (set_fwmark(q, table) < 0)
			return -1;
	}
	/* Debian's wg-quick adds the route first, then the rules; awg-quick
	 * the other way round */
	if (q->flavor == FLAVOR_WG && add_table_route(q, dst, text, table) < 0)
		return -1;
	q->rules_table = table;	/* before: a half-added pair is deleted too */
	if (add_rule(q, dst->family, false, table) < 0 || add_rule(q, dst->family, true, table) < 0)
		return -1;
	if (q->flavor == FLAVOR_AWG && add_table_route(q, dst, text, table) < 0)
		return -1;
	return add_firewall(q, dst->family, table);
}

/* An allowed IP to route: its index in the device read back, and its text
 * ("10.0.0.2/32") at an offset into one pool of texts, so 20 000 of them
 * take 12 bytes each plus their text. */
struct route_item {
	uint32_t ai, text;
	uint8_t cidr;
};

static const char *route_texts;	/* the pool, for route_cmp() */

/* upstream: sort -nr -k 2 -t / : longest prefix first, ties by the whole
 * text, descending */
static int route_cmp(const void *pa, const void *pb)
{
	const struct route_item *a = pa, *b = pb;

	if (a->cidr != b->cidr)
		return a->cidr < b->cidr ? 1 : -1;
	return -strcmp(route_texts + a->text, route_texts + b->text);
}

/* Every allowed IP of d, formatted, in upstream's order. */
static int sort_routes(const struct wg_device *d, struct route_item **items, char **pool)
{
	size_t used = 0, cap = 0;

	*pool = NULL;
	*items = calloc(d->n_allowedips ? d->n_allowedips : 1, sizeof(**items));
	if (!*items)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_allowedips; i++) {
		const struct wg_allowedip *a = &d->allowedips[i];
		char ip[ADDR_IP_LEN];
		int n;

		if (cap - used < IP_PREFIX_STRLEN) {
			char *p = realloc(*pool, cap = cap ? cap * 2 : 4096);

			if (!p)
				return -ENOMEM;
			*pool = p;
		}
		n = snprintf(*pool + used, IP_PREFIX_STRLEN, "%s/%u", addr_format_ip(ip, a->family, &a->ip6),
			     a->cidr);
		(*items)[i] = (struct route_item){ .ai = (uint32_t)i, .text = (uint32_t)used, .cidr = a->cidr };
		used += (size_t)n + 1;
	}
	route_texts = *pool;
	qsort(*items, d->n_allowedips, sizeof(**items), route_cmp);
	return 0;
}

static int add_routes(struct quick *q)
{
	struct route_item *items = NULL;
	struct wg_device *d;
	char *texts = NULL;
	uint32_t table = 0;
	int ret = get_device(q, true, NULL, NULL, &d);

	if (ret < 0)
		return ret;
	if (q->conf.table && !strcmp(q->conf.table, "off"))
		goto out;
	if (!table_is_auto(q) && parse_table(q->conf.table, &table) < 0) {
		say(q, "Error: argument \"%s\" is wrong: \"table\" value is invalid", q->conf.table);
		ret = -1;
		goto out;
	}
	if (sort_routes(d, &items, &texts) < 0) {
		ret = fail(q, "%s", err_text(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < d->n_allowedips && !ret; i++) {
		const struct wg_allowedip *a = &d->allowedips[items[i].ai];
		const char *text = texts + items[i].text;
		struct ip_prefix p = { .family = a->family, .len = a->cidr };

		memcpy(p.addr, &a->ip6, a->family == AF_INET ? 4 : 16);
		if (!table_is_auto(q)) {
			say(q, "[#] ip %s route add %s dev %s table %s", family_flag(p.family), text,
			     q->conf.ifname, q->conf.table);
			ret = rtnl_route_add(&q->rt, q->ifindex, &p, table);
			if (ret < 0)
				ip_error(q, ret);
		} else if (!p.len) {
			ret = add_default(q, &p, text);
		} else if (rtnl_route_match(&q->rt, q->ifindex, &p) <= 0) {
			say(q, "[#] ip %s route add %s dev %s", family_flag(p.family), text, q->conf.ifname);
			ret = rtnl_route_add(&q->rt, q->ifindex, &p, 0);
			if (ret < 0)
				ip_error(q, ret);
		}
		if (!ret)
			ret = check_interrupted(q);
	}
out:
	free(items);
	free(texts);
	route_texts = NULL;
	device_free(d);
	return ret;
}

/* ---- taking things down ------------------------------------------------------------------- */

/* Output of a program (its stderr discarded), or NULL if it did not run. */
static char *capture(char *const *argv)
{
	struct proc_spec spec = { .argv = argv };
	char *out = NULL;
	size_t len;
	int status;

	if (proc_capture(&spec, &out, &len, &status) < 0)
		return NULL;
	return out;
}

/*
 * What remove_firewall() could find, asked of the kernel: running nft,
 * iptables-save and ip6tables-save costs more than all the rest of `down`
 * (in the test VM, a split-tunnel down took 445 ms with them and 150 ms
 * without, most of that the kernel deleting the link), and they almost
 * always find nothing.  Each still runs when its tables may hold
 * something, and whenever the kernel's answer is unsure.
 */
struct firewall_probe {
	const char *name;	/* "wg-quick-IF" */
	bool nft;		/* a table whose `nft list tables` line would match */
	bool xt[2];		/* iptables-nft tables, family ip / ip6 */
};

static int probe_table(uint8_t family, const char *name, void *data)
{
	static const char *const xt_tables[] = { "filter", "mangle", "raw", "security", "nat" };
	struct firewall_probe *p = data;
	size_t n = strlen(name), len = strlen(p->name);

	if (n >= len && !strcmp(name + n - len, p->name))
		p->nft = true;
	for (size_t i = 0; i < sizeof(xt_tables) / sizeof(xt_tables[0]); i++)
		if (!strcmp(name, xt_tables[i]) && (family == NFPROTO_IPV4 || family == NFPROTO_IPV6))
			p->xt[family == NFPROTO_IPV6] = true;
	return 0;
}

/* iptables-legacy's tables of a family (absent: its module is not loaded) */
static bool legacy_tables(bool v6)
{
	int fd = open(v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names", O_RDONLY | O_CLOEXEC);
	bool any;
	char c;

	if (fd < 0)
		return errno != ENOENT;
	any = read(fd, &c, 1) != 0;
	close(fd);
	return any;
}

static void remove_firewall(struct quick *q)
{
	char suffix[WG_IFNAMSIZ + 16], marker[128];
	struct firewall_probe p = { .name = suffix + 1 };
	bool nft = proc_in_path("nft"), ipt = proc_in_path("iptables");
	int ret;

	snprintf(suffix, sizeof(suffix), " wg-quick-%s", q->conf.ifname);
	snprintf(marker, sizeof(marker), "-m comment --comment \"%s(8) rule for %s\"", q->prog, q->conf.ifname);
	/* only when upstream would run nft or iptables: the request may load
	 * nf_tables, as theirs would */
	ret = nft || ipt ? nft_list_tables(probe_table, &p) : 0;
	/* no nfnetlink: nothing for nft, nor for iptables-nft */
	if (ret < 0 && ret != -EPROTONOSUPPORT)
		p.nft = p.xt[0] = p.xt[1] = true;
	if (nft && p.nft) {
		char *list_argv[] = { "nft", "list", "tables", NULL };
		char *tables = capture(list_argv), *cmds = NULL, *line, *save = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&cmds, &len);

		for (line = tables ? strtok_r(tables, "\n", &save) : NULL; line && f;
		     line = strtok_r(NULL, "\n", &save)) {
			size_t n = strlen(line), sl = strlen(suffix);

			if (n >= sl && !strcmp(line + n - sl, suffix))
				fprintf(f, "delete %s\n", line);
		}
		if (f)
			fclose(f);
		if (cmds && len) {
			char *argv[] = { "nft", "-f", "/dev/stdin", NULL };

			say(q, "[#] nft -f /dev/fd/63");
			run(q, argv, cmds, len);
		}
		free(tables);
		free(cmds);
	}
	if (ipt) {
		static const char *const tools[][2] = {
			{ "iptables-save", "iptables-restore" }, { "ip6tables-save", "ip6tables-restore" },
		};

		for (int t = 0; t < 2; t++) {
			char *save_argv[] = { (char *)tools[t][0], NULL };
			char *rules, *restore = NULL, *line, *sp = NULL;
			size_t len = 0;
			bool found = false;
			FILE *f;

			if (!p.xt[t] && !legacy_tables(t))
				continue;
			rules = capture(save_argv);
			f = open_memstream(&restore, &len);

			for (line = rules ? strtok_r(rules, "\n", &sp) : NULL; line && f;
			     line = strtok_r(NULL, "\n", &sp)) {
				if (line[0] == '*' || !strcmp(line, "COMMIT")) {
					fprintf(f, "%s\n", line);
				} else if (!strncmp(line, "-A ", 3) && strstr(line, marker)) {
					fprintf(f, "-D%s\n", line + 2);
					found = true;
				}
			}
			if (f)
				fclose(f);
			if (found) {
				char *argv[] = { (char *)tools[t][1], "-n", NULL };

				say(q, "[#] %s -n", tools[t][1]);
				run(q, argv, restore, len);
			}
			free(rules);
			free(restore);
		}
	}
}

struct rule_find {
	uint32_t table;
	bool suppress;
	bool found;
};

static int find_rule(const struct rtnl_rule *r, void *data)
{
	struct rule_find *f = data;

	if (f->suppress ? (!r->invert && !r->has_fwmark && !r->other && r->table == 254 &&
			   r->suppress_prefixlen == 0)
			: r->table == f->table)
		f->found = true;
	return f->found;
}

/* Delete a rule while one is listed, as upstream's loops do.  0, or -1
 * when a listing or a delete failed. */
static int delete_rules(struct quick *q, int family, bool suppress, uint32_t table)
{
	for (int guard = 0; guard < 1000; guard++) {
		struct rule_find f = { .table = table, .suppress = suppress };
		struct rtnl_rule rule;
		int ret;

		ret = rtnl_rule_list(&q->rt, family, find_rule, &f);
		if (ret < 0 && !f.found)
			return ip_error(q, ret);
		if (!f.found)
			return 0;
		rtnl_rule_init(&rule, family);
		if (suppress) {
			say(q, "[#] ip %s rule delete table main suppress_prefixlength 0", family_flag(family));
			rule.table = 254;
			rule.suppress_prefixlen = 0;
		} else {
			say(q, "[#] ip %s rule delete table %u", family_flag(family), table);
			rule.table = table;
		}
		ret = rtnl_rule_del(&q->rt, &rule);
		if (ret < 0)
			return ip_error(q, ret);
	}
	return 0;
}

static bool has_default_route(const struct wg_device *d)
{
	for (size_t i = 0; i < d->n_allowedips; i++)
		if (!d->allowedips[i].cidr)
			return true;
	return false;
}

/* upstream's del_if: DNS and firewall (when `up` set them), the policy
 * rules of a default route, then the link; undo: undoing our own up */
static int del_if(struct quick *q, bool undo)
{
	struct wg_device *d;
	uint32_t table = q->rules_table;	/* undo: the rules we added, if any */
	int ret;

	/* down: the rules' table is the device's fwmark.  A device that cannot
	 * be read is an error before anything is deleted: with the link gone
	 * no later down could find the rules again. */
	if (!undo && table_is_auto(q)) {
		ret = ipc_get_device(q->flavor, q->conf.ifname, &d);
		if (ret < 0)
			return fail(q, "Unable to access interface: %s", err_text(-ret));
		if (has_default_route(d))
			table = d->fwmark;
		device_free(d);
	}
	if (q->have_dns)
		unset_dns(q);
	if (q->have_firewall)
		remove_firewall(q);
	/* down stops at a rule it could not delete, so that the link (and
	 * with it the fwmark naming the rules) is there for another down;
	 * an undo goes on regardless */
	for (int i = 0; table && i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;

		if ((delete_rules(q, family, false, table) < 0 ||
		     delete_rules(q, family, true, table) < 0) && !undo)
			return -1;
	}
	say(q, "[#] ip link delete dev %s", q->conf.ifname);
	if (!q->ifindex) {	/* up failed before it knew the index */
		struct rtnl_link link;

		ret = rtnl_link_get(&q->rt, q->conf.ifname, &link);
		if (ret == -ENODEV) {
			q->have_link = false;
			return 0;
		}
		if (ret < 0)
			return ip_error(q, ret);
		q->ifindex = link.ifindex;
	}
	ret = rtnl_link_del(&q->rt, q->ifindex);
	if (ret < 0)
		return ip_error(q, ret);
	q->have_link = false;
	return 0;
}

/* ---- save ---------------------------------------------------------------------------- */

static int add_address_line(const struct rtnl_addr *a, void *data)
{
	char buf[IP_PREFIX_STRLEN];

	fprintf(data, "Address = %s\n", ip_prefix_format(buf, &a->local));
	return 0;
}

static void dns_lines(struct quick *q, FILE *f)
{
	char name[300], path[400], *text, *line, *sp = NULL;
	char *argv[] = { "resolvconf", "-l", name, NULL };

	resolvconf_name(q, name, sizeof(name));
	text = proc_in_path("resolvconf") ? capture(argv) : NULL;
	if (!text || !*text) {
		int fd;

		free(text);
		text = NULL;
		snprintf(path, sizeof(path), "/etc/resolvconf/run/interface/%s", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (text = calloc(1, 8192))) {
			size_t got = 0;
			ssize_t n;

			while (got < 8191 && (n = read(fd, text + got, 8191 - got)) > 0)
				got += (size_t)n;
		}
		if (fd >= 0)
			close(fd);
	}
	for (line = text ? strtok_r(text, "\n", &sp) : NULL; line; line = strtok_r(NULL, "\n", &sp)) {
		const char *v = line + 11;

		/* ^nameserver ([a-zA-Z0-9_=+:%.-]+)$ */
		if (strncmp(line, "nameserver ", 11) || !*v || v[strspn(v,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+:%.-")])
			continue;
		fprintf(f, "DNS = %s\n", v);
	}
	free(text);
}

/*
 * The saved config goes straight into a 0600 temporary file beside the
 * config, synced and renamed over it once complete (the old file is
 * untouched on error).  Its stdio buffer is ours (wiped after:
 * it held keys); the device is read one peer at a time, each written as it
 * comes, so 10 000 peers are never all in memory, nor is their text.
 */
struct save {
	struct quick *q;
	FILE *f;
	int fd, err;
	off_t header_end;		/* where the device's part begins */
	unsigned int cleared;		/* the device's count when it began */
	bool interface_done;
};

static int save_peer(void *data, const struct wg_device *dev, const struct wg_peer *peer)
{
	struct save *s = data;

	if (dev->cleared != s->cleared) {
		/* the peer list changed while it was read and the read began
		 * again: so does the text */
		if (fflush(s->f) || ftruncate(s->fd, s->header_end) < 0 ||
		    lseek(s->fd, s->header_end, SEEK_SET) < 0)
			return s->err = -EIO;
		s->cleared = dev->cleared;
		s->interface_done = false;
	}
	if (!s->interface_done)
		showconf_interface(s->f, s->q->flavor, dev);
	s->interface_done = true;
	if (peer) {
		fputc('\n', s->f);
		showconf_peer(s->f, s->q->flavor, dev, peer);
	}
	return ferror(s->f) ? (s->err = -EIO) : 0;
}

/* The [Interface] lines of upstream's save: addresses, DNS, MTU, Table,
 * SaveConfig and the hooks, as the config has them */
static void save_header(struct quick *q, FILE *f)
{
	const struct strvec *hooks[] = { &q->conf.pre_up, &q->conf.post_up, &q->conf.pre_down, &q->conf.post_down };
	static const char *const hook_keys[] = { "PreUp", "PostUp", "PreDown", "PostDown" };
	struct rtnl_link link;

	fputs("[Interface]\n", f);
	rtnl_addr_list(&q->rt, AF_UNSPEC, q->ifindex, add_address_line, f);
	dns_lines(q, f);
	if (q->conf.mtu && *q->conf.mtu && rtnl_link_get_index(&q->rt, q->ifindex, &link) == 0)
		fprintf(f, "MTU = %u\n", link.mtu);
	if (q->conf.table && *q->conf.table)
		fprintf(f, "Table = %s\n", q->conf.table);
	if (q->conf.save_config)
		fputs("SaveConfig = true\n", f);
	for (int h = 0; h < 4; h++)
		for (size_t i = 0; i < hooks[h]->n; i++)
			fprintf(f, "%s = %s\n", hook_keys[h], hooks[h]->v[i]);
}

/* The header, then `showconf` without its first line: as upstream's
 * $(...) and echo make it, the text ends in exactly one newline (every
 * line written ends in one, and no blank line comes last). */
static int save_config(struct quick *q)
{
	struct save s = { .q = q };
	char tmp[PATH_MAX + 16], buf[4096];
	struct wg_device *d = NULL;
	int ret = -1, dir;
	bool bad;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", q->conf.path);
	s.fd = mkostemp(tmp, O_CLOEXEC);
	if (s.fd < 0)
		return fail(q, "Could not write configuration file");
	s.f = fdopen(s.fd, "w");
	if (!s.f) {
		close(s.fd);
		unlink(tmp);
		return fail(q, "%s", err_text(ENOMEM));
	}
	setvbuf(s.f, buf, _IOFBF, sizeof(buf));
	save_header(q, s.f);
	say(q, "[#] %s showconf %s", q->tool, q->conf.ifname);
	if (fflush(s.f) == 0 && (s.header_end = lseek(s.fd, 0, SEEK_CUR)) >= 0) {
		int err = ipc_get_peers(q->flavor, q->conf.ifname, save_peer, &s, &d);

		if (err < 0 && !s.err)
			say(q, "Unable to access interface: %s", err_text(-err));
		else if (!err)
			ret = save_peer(&s, d, NULL);	/* no peer at all: the settings */
		device_free(d);
	} else {
		s.err = -EIO;
	}
	bad = s.err || ret < 0 || fflush(s.f) != 0 || ferror(s.f);
	if (ret < 0 && !s.err) {	/* the device could not be read */
		fclose(s.f);
		key_wipe(buf, sizeof(buf));
		unlink(tmp);
		return -1;
	}
	bad = bad || fchmod(s.fd, 0600) < 0 || fsync(s.fd) < 0;
	bad = fclose(s.f) != 0 || bad;	/* closed either way: no fd left open */
	key_wipe(buf, sizeof(buf));
	if (bad) {
		unlink(tmp);
		return fail(q, "Could not write configuration file");
	}
	if (rename(tmp, q->conf.path) < 0) {
		unlink(tmp);
		return fail(q, "Could not move configuration file");
	}
	/* make the rename itself durable */
	*strrchr(tmp, '/') = '\0';
	dir = open(tmp[0] ? tmp : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	return 0;
}

/* ---- the commands ------------------------------------------------------------------------- */

static int cmd_up(struct quick *q)
{
	struct rtnl_link link;

	if (rtnl_link_get(&q->rt, q->conf.ifname, &link) == 0)
		return fail(q, "`%s' already exists", q->conf.ifname);
	if (parse_config(q) < 0)
		return -1;
	if (q->flavor == FLAVOR_WG && run_hooks(q, &q->conf.pre_up) < 0)
		goto undo;
	if (add_if(q) < 0 || check_interrupted(q) < 0)
		goto undo;
	if (q->flavor == FLAVOR_AWG && run_hooks(q, &q->conf.pre_up) < 0)
		goto undo;
	if (set_config(q) < 0 || check_interrupted(q) < 0 || add_addresses(q) < 0 ||
	    set_mtu_up(q) < 0 || check_interrupted(q) < 0 || set_dns(q) < 0 ||
	    check_interrupted(q) < 0 || add_routes(q) < 0 || run_hooks(q, &q->conf.post_up) < 0)
		goto undo;
	return 0;
undo:
	if (q->have_link)
		del_if(q, true);
	return -1;
}

static bool is_wireguard_interface(struct quick *q)
{
	struct strlist names = { 0 };
	bool found = ipc_list_devices(q->flavor, &names) == 0 && strlist_contains(&names, q->conf.ifname);

	strlist_free(&names);
	return found;
}

static int lookup_link(struct quick *q)
{
	struct rtnl_link link;
	int ret = rtnl_link_get(&q->rt, q->conf.ifname, &link);

	if (ret < 0)
		return ip_error(q, ret);
	q->ifindex = link.ifindex;
	return 0;
}

static int cmd_down(struct quick *q)
{
	struct rtnl_link link;

	if (!is_wireguard_interface(q)) {
		/* a down that failed after deleting the link left the DNS entry
		 * and firewall table: this one removes them (upstream stops) */
		if (rtnl_link_get(&q->rt, q->conf.ifname, &link) == -ENODEV) {
			unset_dns(q);
			remove_firewall(q);
		}
		return fail(q, "`%s' is not a WireGuard interface", q->conf.ifname);
	}
	if (lookup_link(q) < 0 || run_hooks(q, &q->conf.pre_down) < 0)
		return -1;
	if (q->conf.save_config && save_config(q) < 0)
		return -1;
	if (del_if(q, false) < 0)
		return -1;
	unset_dns(q);
	remove_firewall(q);
	return run_hooks(q, &q->conf.post_down);
}

static int cmd_save(struct quick *q)
{
	if (!is_wireguard_interface(q))
		return fail(q, "`%s' is not a WireGuard interface", q->conf.ifname);
	if (lookup_link(q) < 0)
		return -1;
	return save_config(q);
}



/* ---- entry points ----------------------------------------------------------------------- */

static void init(struct quick *q, const struct quick_opts *o)
{
	memset(q, 0, sizeof(*q));
	q->o = o;
	q->flavor = o->flavor;
	q->prog = o->flavor == FLAVOR_WG ? "wg-quick" : "awg-quick";
	q->tool = o->flavor == FLAVOR_WG ? "wg" : "awg";
	q->kind = o->flavor == FLAVOR_WG ? "wireguard" : "amneziawg";
	q->userspace = o->flavor == FLAVOR_WG ? "wireguard-go" : "amneziawg-go";
}

static int load(struct quick *q, const char *name_or_path)
{
	struct quick_error err;
	int ret = quick_conf_load(name_or_path, q->flavor, &q->conf, &err);

	if (ret < 0)
		return conf_fail(q, &err, q->conf.path[0] ? q->conf.path : name_or_path);
	if (q->conf.world_accessible)
		say(q, "Warning: `%s' is world accessible", q->conf.path);
	return 0;
}

static int print_line(void *data, const char *line, size_t len, unsigned long lineno)
{
	FILE *out = data;

	(void)lineno;
	return fwrite(line, 1, len, out) == len && fputc('\n', out) != EOF ? 0 : -EIO;
}

int quick_run(enum quick_cmd cmd, const char *name_or_path, const struct quick_opts *o, FILE *out)
{
	struct quick q;
	int ret;

	init(&q, o);
	if (load(&q, name_or_path) < 0)
		return -1;
	if (cmd == QUICK_STRIP) {
		/* upstream: echo "$WG_CONFIG", one more newline */
		struct quick_error err;

		ret = quick_conf_pass(&q.conf, print_line, out, &err);
		if (ret < 0 && err.msg[0])
			conf_fail(&q, &err, q.conf.path);
		else if (ret < 0)
			fail(&q, "write: %s", err_text(-ret));
		else if (fputc('\n', out) == EOF || fflush(out))
			ret = -1;
	} else if ((ret = nl_open(&q.rt, NETLINK_ROUTE)) < 0) {
		ret = fail(&q, "netlink: %s", err_text(-ret));
	} else {
		ret = cmd == QUICK_UP ? cmd_up(&q) : cmd == QUICK_DOWN ? cmd_down(&q) : cmd_save(&q);
		nl_close(&q.rt);
	}
	quick_conf_free(&q.conf);
	device_free(q.dev);
	return ret < 0 ? -1 : 0;
}

void quick_say_stderr(void *data, const char *line)
{
	size_t n = strlen(line);
	char buf[1100];

	/* one write per line: the [#] lines interleave with children's output */
	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	memcpy(buf, line, n);
	buf[n] = '\n';
	if (write(STDERR_FILENO, buf, n + 1) < 0)
		return;
}
