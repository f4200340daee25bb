#include <errno.h>
#include <fcntl.h>
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
	if (qc->wg_config) {
		key_wipe(qc->wg_config, qc->wg_len);	/* holds the private key */
		free(qc->wg_config);
	}
	free(qc->wg_lines);
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

static int append_wg_line(struct quick_conf *qc, size_t *cap, const char *line, size_t len,
			  unsigned long lineno)
{
	if (qc->wg_len + len + 2 > *cap) {
		size_t ncap = (*cap + len + 2) * 2;
		char *n = malloc(ncap);
		unsigned long *nl;

		if (!n)
			return -ENOMEM;
		if (qc->wg_config) {
			memcpy(n, qc->wg_config, qc->wg_len);
			key_wipe(qc->wg_config, *cap);
			free(qc->wg_config);
		}
		qc->wg_config = n;
		*cap = ncap;
		nl = realloc(qc->wg_lines, ncap * sizeof(*nl));	/* at least one per byte */
		if (!nl)
			return -ENOMEM;
		qc->wg_lines = nl;
	}
	memcpy(qc->wg_config + qc->wg_len, line, len);
	qc->wg_len += len;
	qc->wg_config[qc->wg_len++] = '\n';
	qc->wg_config[qc->wg_len] = '\0';
	qc->wg_lines[qc->wg_n_lines++] = lineno;
	return 0;
}

static int fail(struct quick_error *err, unsigned long line, int ret, const char *fmt, const char *arg)
{
	err->line = line;
	snprintf(err->msg, sizeof(err->msg), fmt, arg);
	return ret;
}

int quick_conf_parse_fd(int fd, struct quick_conf *qc, struct quick_error *err)
{
	struct line_reader lr;
	bool interface = false, nl;
	unsigned long lineno = 0;
	size_t cap = 0, len;
	char *line;
	int ret = line_reader_init(&lr, fd, CONF_LINE_MAX);

	if (ret < 0)
		return fail(err, 0, ret, "%s", err_text(-ret));
	while ((ret = line_reader_next(&lr, &line, &len, &nl)) > 0) {
		const char *hash, *eq, *key, *value;
		size_t klen, vlen;

		lineno++;
		if (memchr(line, '\0', len)) {
			ret = fail(err, lineno, -EINVAL, "NUL byte in line%s", "");
			break;
		}
		/* `read -r line`: leading and trailing blanks go */
		while (len && (*line == ' ' || *line == '\t'))
			line++, len--;
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		hash = memchr(line, '#', len);
		klen = hash ? (size_t)(hash - line) : len;
		eq = memchr(line, '=', klen);
		key = line;
		value = eq ? eq + 1 : line;
		vlen = klen - (size_t)(value - line);
		if (eq)
			klen = (size_t)(eq - line);
		trim(&key, &klen);
		trim(&value, &vlen);
		if (klen && key[0] == '[')
			interface = key_is(key, klen, "[Interface]");
		if (interface) {
			ret = 0;
			if (key_is(key, klen, "Address"))
				ret = add_words(&qc->addresses, NULL, value, vlen, false);
			else if (key_is(key, klen, "MTU"))
				ret = set_str(&qc->mtu, value, vlen);
			else if (key_is(key, klen, "DNS"))
				ret = add_words(&qc->dns, &qc->dns_search, value, vlen, true);
			else if (key_is(key, klen, "Table"))
				ret = set_str(&qc->table, value, vlen);
			else if (key_is(key, klen, "PreUp"))
				ret = strvec_add(&qc->pre_up, value, vlen);
			else if (key_is(key, klen, "PreDown"))
				ret = strvec_add(&qc->pre_down, value, vlen);
			else if (key_is(key, klen, "PostUp"))
				ret = strvec_add(&qc->post_up, value, vlen);
			else if (key_is(key, klen, "PostDown"))
				ret = strvec_add(&qc->post_down, value, vlen);
			else if (key_is(key, klen, "SaveConfig")) {
				if (key_is(value, vlen, "true"))
					qc->save_config = true;
				else if (key_is(value, vlen, "false"))
					qc->save_config = false;
				else {
					char v[64];

					snprintf(v, sizeof(v), "%.*s", (int)(vlen > 60 ? 60 : vlen), value);
					ret = fail(err, lineno, -EINVAL, "`%s' is neither true nor false", v);
				}
			} else
				goto pass;
			if (ret < 0)
				break;
			continue;
		}
pass:
		ret = append_wg_line(qc, &cap, line, len, lineno);
		if (ret < 0)
			break;
	}
	if (ret == -EFBIG)
		ret = fail(err, lineno + 1, -EINVAL, "line longer than %s bytes", "65534");
	else if (ret == -ENOMEM)
		fail(err, lineno, ret, "%s", err_text(ENOMEM));
	else if (ret < 0 && !err->msg[0])
		fail(err, lineno, ret, "read: %s", err_text(-ret));
	if (!ret && !qc->wg_config) {
		qc->wg_config = calloc(1, 1);	/* nothing passed through */
		if (!qc->wg_config)
			ret = -ENOMEM;
	}
	line_reader_free(&lr);
	return ret;
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
	fd = open(given, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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
	if (fstat(fd, &st) == 0) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", qc->path);
		*strrchr(dir, '/') = '\0';
		if (stat(dir[0] ? dir : "/", &dst) == 0 && (st.st_mode & dst.st_mode & 0007))
			qc->world_accessible = true;
	}
	ret = quick_conf_parse_fd(fd, qc, err);
	close(fd);
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

unsigned long quick_conf_file_line(const struct quick_conf *qc, unsigned long n)
{
	return n >= 1 && n <= qc->wg_n_lines ? qc->wg_lines[n - 1] : 0;
}
