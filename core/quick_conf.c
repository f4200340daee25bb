#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf.h"
#include "errtext.h"
#include "key.h"
#include "linereader.h"
#include "quick_conf.h"

int strvec_add(struct strvec *v, const char *s, size_t len)
{
	char **nv = realloc(v->v, (v->n + 1) * sizeof(*nv));
	char *copy;

	if (!nv)
		return -ENOMEM;
	v->v = nv;
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	v->v[v->n++] = copy;
	return 0;
}

void strvec_free(struct strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void quick_conf_free(struct quick_conf *qc)
{
	struct strvec *lists[] = { &qc->addresses, &qc->dns, &qc->dns_search, &qc->pre_up,
				   &qc->post_up, &qc->pre_down, &qc->post_down };

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strvec_free(lists[i]);
	free(qc->mtu);
	free(qc->table);
	if (qc->fd_open)
		close(qc->fd);
	memset(qc, 0, sizeof(*qc));
}

bool quick_valid_ifname(const char *s, size_t len)
{
	if (len < 1 || len > 15)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_=+.-", s[i])))
			return false;
	return true;
}

/* bash's [[:space:]] */
static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s))
		(*s)++, (*len)--;
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static bool key_is(const char *key, size_t len, const char *want)
{
	return len == strlen(want) && !strncasecmp(key, want, len);
}

/* ${value//,/ } then word splitting on blanks */
static int add_words(struct strvec *v, struct strvec *other, const char *s, size_t len, bool dns)
{
	size_t i = 0;

	while (i < len) {
		size_t start, n;
		bool nameserver = true, colon = false;

		while (i < len && (s[i] == ',' || s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
			i++;
		start = i;
		while (i < len && !(s[i] == ',' || s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
			i++;
		n = i - start;
		if (!n)
			continue;
		if (dns) {
			/* upstream: (^[0-9.]+$)|(^.*:.*$) is a server, else a search domain */
			for (size_t j = start; j < i; j++) {
				nameserver &= (s[j] >= '0' && s[j] <= '9') || s[j] == '.';
				colon |= s[j] == ':';
			}
		}
		if (strvec_add(!dns || nameserver || colon ? v : other, s + start, n) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int set_str(char **dst, const char *s, size_t len)
{
	free(*dst);
	*dst = strndup(s, len);
	return *dst ? 0 : -ENOMEM;
}

static int fail(struct quick_error *err, unsigned long line, int ret, const char *fmt, const char *arg)
{
	err->line = line;
	snprintf(err->msg, sizeof(err->msg), fmt, arg);
	return ret;
}

/* The [Interface] keys the quick tool takes for itself */
enum { QK_WORDS, QK_DNS, QK_STR, QK_LINE, QK_BOOL };
static const struct quick_key {
	char key[11];
	uint8_t kind;
	uint16_t offset;
} quick_keys[] = {
	{ "Address", QK_WORDS, offsetof(struct quick_conf, addresses) },
	{ "MTU", QK_STR, offsetof(struct quick_conf, mtu) },
	{ "DNS", QK_DNS, offsetof(struct quick_conf, dns) },
	{ "Table", QK_STR, offsetof(struct quick_conf, table) },
	{ "PreUp", QK_LINE, offsetof(struct quick_conf, pre_up) },
	{ "PreDown", QK_LINE, offsetof(struct quick_conf, pre_down) },
	{ "PostUp", QK_LINE, offsetof(struct quick_conf, post_up) },
	{ "PostDown", QK_LINE, offsetof(struct quick_conf, post_down) },
	{ "SaveConfig", QK_BOOL, 0 },
};

/*
 * One line as upstream's `read -r line` loop sees it: *line and *len become
 * the line without its outer blanks.  A quick key of [Interface] is stored
 * in qc (when qc is given: the first pass) and 1 returned; 0 means the line
 * passes through to the wg config.
 */
static int scan_line(struct quick_conf *qc, bool *interface, char **line, size_t *len,
		     unsigned long lineno, struct quick_error *err)
{
	const char *hash, *eq, *key, *value;
	size_t klen, vlen;
	char *l = *line;
	size_t n = *len;
	const struct quick_key *k;
	int ret;

	if (memchr(l, '\0', n))
		return fail(err, lineno, -EINVAL, "NUL byte in line%s", "");
	/* `read -r line`: leading and trailing blanks go */
	while (n && (*l == ' ' || *l == '\t'))
		l++, n--;
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	*line = l;
	*len = n;
	hash = memchr(l, '#', n);
	klen = hash ? (size_t)(hash - l) : n;
	eq = memchr(l, '=', klen);
	key = l;
	value = eq ? eq + 1 : l;
	vlen = klen - (size_t)(value - l);
	if (eq)
		klen = (size_t)(eq - l);
	trim(&key, &klen);
	trim(&value, &vlen);
	if (klen && key[0] == '[')
		*interface = key_is(key, klen, "[Interface]");
	if (!*interface)
		return 0;
	for (k = quick_keys; k < quick_keys + sizeof(quick_keys) / sizeof(quick_keys[0]); k++) {
		void *field;

		if (!key_is(key, klen, k->key))
			continue;
		if (!qc)
			return 1;	/* the second pass: taken in the first */
		field = (char *)qc + k->offset;
		switch (k->kind) {
		case QK_WORDS:
		case QK_DNS:
			ret = add_words(field, &qc->dns_search, value, vlen, k->kind == QK_DNS);
			break;
		case QK_STR:
			ret = set_str(field, value, vlen);
			break;
		case QK_LINE:
			ret = strvec_add(field, value, vlen);
			break;
		default:
			if (!key_is(value, vlen, "true") && !key_is(value, vlen, "false")) {
				char v[64];

				snprintf(v, sizeof(v), "%.*s", (int)(vlen > 60 ? 60 : vlen), value);
				return fail(err, lineno, -EINVAL, "`%s' is neither true nor false", v);
			}
			qc->save_config = key_is(value, vlen, "true");
			ret = 0;
		}
		if (ret < 0)
			return fail(err, lineno, ret, "%s", err_text(ENOMEM));
		return 1;
	}
	return 0;
}

/* Every line of fd from its start: the quick keys into qc (first pass), or
 * each pass-through line to pass() (second pass). */
static int scan(int fd, struct quick_conf *qc, quick_pass_fn *pass, void *data,
		struct quick_error *err)
{
	struct line_reader lr;
	bool interface = false, nl;
	unsigned long lineno = 0;
	size_t len;
	char *line;
	int ret = line_reader_init(&lr, fd, CONF_LINE_MAX);

	if (ret < 0)
		return fail(err, 0, ret, "%s", err_text(-ret));
	while ((ret = line_reader_next(&lr, &line, &len, &nl)) > 0) {
		ret = scan_line(qc, &interface, &line, &len, ++lineno, err);
		if (!ret && pass)
			ret = pass(data, line, len, lineno);
		if (ret < 0)
			goto out;	/* worded by scan_line() or pass()'s owner */
	}
	if (ret == -EFBIG)
		ret = fail(err, lineno + 1, -EINVAL, "line longer than %s bytes", "65534");
	else if (ret < 0)
		fail(err, lineno, ret, "read: %s", err_text(-ret));
out:
	line_reader_free(&lr);
	return ret < 0 ? ret : 0;
}

int quick_conf_parse_fd(int fd, struct quick_conf *qc, struct quick_error *err)
{
	return scan(fd, qc, NULL, NULL, err);
}

int quick_conf_pass(struct quick_conf *qc, quick_pass_fn *pass, void *data, struct quick_error *err)
{
	struct stat now;

	memset(err, 0, sizeof(*err));
	if (fstat(qc->fd, &now) < 0 || now.st_size != qc->st.st_size ||
	    now.st_mtim.tv_sec != qc->st.st_mtim.tv_sec || now.st_mtim.tv_nsec != qc->st.st_mtim.tv_nsec)
		return fail(err, 0, -ESTALE, "`%s' changed while it was being read", qc->path);
	if (lseek(qc->fd, 0, SEEK_SET) < 0)
		return fail(err, 0, -errno, "lseek: %s", err_text(errno));
	return scan(qc->fd, NULL, pass, data, err);
}

int quick_conf_load(const char *arg, enum wg_flavor flavor, struct quick_conf *qc,
		    struct quick_error *err)
{
	char given[PATH_MAX];
	const char *base, *slash;
	struct stat st, dst;
	size_t len = strlen(arg), blen;
	int fd, ret;

	memset(qc, 0, sizeof(*qc));
	memset(err, 0, sizeof(*err));
	if (quick_valid_ifname(arg, len)) {
		snprintf(given, sizeof(given), "%s/%s.conf",
			 flavor == FLAVOR_AWG ? "/etc/amnezia/amneziawg" : "/etc/wireguard", arg);
		if (flavor == FLAVOR_AWG && stat(given, &st) < 0) {
			char alt[PATH_MAX];

			snprintf(alt, sizeof(alt), "/etc/wireguard/%s.conf", arg);
			if (stat(alt, &st) == 0)
				strcpy(given, alt);
		}
	} else if (len >= sizeof(given)) {
		return fail(err, 0, -ENAMETOOLONG, "`%s' does not exist", arg);
	} else {
		strcpy(given, arg);
	}
	if (stat(given, &st) < 0)
		return fail(err, 0, -ENOENT, "`%s' does not exist", given);
	/* (^|/)NAME.conf$, NAME an interface name */
	slash = strrchr(given, '/');
	base = slash ? slash + 1 : given;
	blen = strlen(base);
	if (blen < 6 || strcmp(base + blen - 5, ".conf") || !quick_valid_ifname(base, blen - 5))
		return fail(err, 0, -EINVAL, "The config file must be a valid interface name, followed by .conf%s", "");
	memcpy(qc->ifname, base, blen - 5);
	qc->ifname[blen - 5] = '\0';
	/* O_NONBLOCK: a FIFO is refused below, not waited on */
	fd = open(given, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "%s: %s", given, err_text(-ret));
		return ret;
	}
	/* upstream's readlink -f: the file's real path, from the open file
	 * itself (what /proc says of it; no second lookup to race) */
	{
		char link[32];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, qc->path, sizeof(qc->path) - 1);
		if (n <= 0 || qc->path[0] != '/') {
			close(fd);
			return fail(err, 0, -ENOENT, "%s: cannot resolve its path (is /proc mounted?)", given);
		}
		qc->path[n] = '\0';
	}
	qc->fd = fd;
	qc->fd_open = true;
	if (fstat(fd, &qc->st) == 0) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", qc->path);
		*strrchr(dir, '/') = '\0';
		if (stat(dir[0] ? dir : "/", &dst) == 0 && (qc->st.st_mode & dst.st_mode & 0007))
			qc->world_accessible = true;
	}
	/* read twice (see quick_conf_pass()): a regular file (a directory
	 * fails in the first read, as upstream's) */
	if (!S_ISREG(qc->st.st_mode) && !S_ISDIR(qc->st.st_mode))
		ret = fail(err, 0, -EINVAL, "not a regular file%s", "");
	else
		ret = quick_conf_parse_fd(fd, qc, err);
	if (ret < 0 && !err->line) {
		/* a read error before the first line (a directory): name the file */
		char msg[48];

		snprintf(msg, sizeof(msg), "%.47s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "%.*s: %s", PATH_MAX, qc->path, msg);
	}
	if (ret < 0) {
		char ifname[WG_IFNAMSIZ];

		memcpy(ifname, qc->ifname, sizeof(ifname));
		quick_conf_free(qc);
		memcpy(qc->ifname, ifname, sizeof(ifname));
	}
	return ret;
}
