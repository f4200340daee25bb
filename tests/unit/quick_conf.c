/* awg-quick config files, read as upstream's bash script reads them. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quick_conf.h"
#include "t.h"

static char dir[] = "/tmp/awgbox-qc.XXXXXX";
static struct quick_error err;

static int load(const char *name, const char *text, struct quick_conf *qc)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	return quick_conf_load(path, FLAVOR_AWG, qc, &err);
}

struct collected {
	char text[1024];
	size_t len;
	unsigned long fail_at;
};

/* "LINENO TEXT\n" for every pass-through line */
static int collect(void *data, const char *line, size_t len, unsigned long lineno)
{
	struct collected *c = data;
	int n;

	if (lineno == c->fail_at)
		return -E2BIG;
	n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%lu %.*s\n", lineno, (int)len, line);
	if (n < 0 || (size_t)n >= sizeof(c->text) - c->len)
		return -ENOSPC;
	c->len += (size_t)n;
	return 0;
}

static bool vec_is(const struct strvec *v, const char *const *want, size_t n)
{
	if (v->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v->v[i], want[i]))
			return false;
	return true;
}

int main(void)
{
	struct quick_conf qc;
	int ret;

	if (!mkdtemp(dir))
		return 2;
	chmod(dir, 0700);

	t_begin("quick keys are taken out, everything else passes through as read");
	ret = load("wg0.conf",
		   "# a comment\n"
		   "[Interface]\n"
		   "  Address = 10.0.0.1/24, fd00::1/64  \n"
		   "address=10.0.1.1/24 10.0.2.1/24\n"
		   "DNS = 1.1.1.1, fd00::53,example.com corp.lan\n"
		   "MTU = 1380\n"
		   "Table = off # no routes\n"
		   "PreUp = echo pre %i\n"
		   "PostUp = iptables -A FORWARD -i %i -j ACCEPT; echo up # cut\n"
		   "PreDown = echo a=b\n"
		   "PostDown = \n"
		   "SaveConfig = TRUE\n"
		   "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
		   "\tI1 = <b 0x01> <t>\n"
		   "\n"
		   "[Peer]\n"
		   "Address = not-a-quick-key-here\n"
		   "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\r\n"
		   "[Interface]\n"
		   "MTU = 1400", &qc);
	t_check(ret == 0, "load: %d %s", ret, err.msg);
	if (!ret) {
		static const char *const addrs[] = { "10.0.0.1/24", "fd00::1/64", "10.0.1.1/24", "10.0.2.1/24" };
		static const char *const dns[] = { "1.1.1.1", "fd00::53" };
		static const char *const search[] = { "example.com", "corp.lan" };
		static const char *const post_up[] = { "iptables -A FORWARD -i %i -j ACCEPT; echo up" };
		static const char *const pre_down[] = { "echo a=b" };
		static const char *const post_down[] = { "" };

		t_check_str(qc.ifname, "wg0");
		t_check(vec_is(&qc.addresses, addrs, 4), "addresses");
		t_check(vec_is(&qc.dns, dns, 2), "dns");
		t_check(vec_is(&qc.dns_search, search, 2), "dns search");
		t_check_str(qc.mtu, "1400");
		t_check_str(qc.table, "off");
		t_check(vec_is(&qc.post_up, post_up, 1), "post_up");
		t_check(vec_is(&qc.pre_down, pre_down, 1), "pre_down");
		t_check(vec_is(&qc.post_down, post_down, 1), "an empty PostDown is kept");
		t_check(qc.save_config, "SaveConfig");
		t_check(!qc.world_accessible, "0600 is not world accessible");
		{
			struct collected c = { 0 };

			t_check_int(quick_conf_pass(&qc, collect, &c, &err), 0);
			t_check_str(c.text,
				    "1 # a comment\n"
				    "2 [Interface]\n"
				    "13 PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
				    "14 I1 = <b 0x01> <t>\n"
				    "15 \n"
				    "16 [Peer]\n"
				    "17 Address = not-a-quick-key-here\n"
				    "18 PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\r\n"
				    "19 [Interface]\n");
			c.len = 0;
			c.text[0] = '\0';
			t_check_int(quick_conf_pass(&qc, collect, &c, &err), 0);
			t_check(c.len > 0 && !strncmp(c.text, "1 # a comment\n", 14), "a second pass reads it again");
			c.len = 0;
			c.text[0] = '\0';
			c.fail_at = 16;
			t_check_int(quick_conf_pass(&qc, collect, &c, &err), -E2BIG);
			t_check(!strstr(c.text, "17 "), "pass() stopped after its error");
		}
		quick_conf_free(&qc);
	}
	t_end();

	t_begin("name and path rules");
	ret = load("bad name.conf", "", &qc);
	t_check(ret == -EINVAL, "bad name accepted");
	t_check_str(err.msg, "The config file must be a valid interface name, followed by .conf");
	ret = load("0123456789abcdef.conf", "", &qc);
	t_check(ret == -EINVAL, "16-character name accepted");
	ret = load("wg0.cfg", "", &qc);
	t_check(ret == -EINVAL, "wrong suffix accepted");
	ret = quick_conf_load("/nonexistent/wg0.conf", FLAVOR_AWG, &qc, &err);
	t_check(ret == -ENOENT, "missing file");
	t_check_str(err.msg, "`/nonexistent/wg0.conf' does not exist");
	ret = load("a=b+c.d-e_f.conf", "[Interface]\n", &qc);
	t_check(ret == 0 && !strcmp(qc.ifname, "a=b+c.d-e_f"), "odd but valid name");
	quick_conf_free(&qc);
	t_end();

	t_begin("SaveConfig is only true or false; world-accessible files are noticed");
	ret = load("wg1.conf", "[Interface]\nSaveConfig = yes\n", &qc);
	t_check(ret == -EINVAL, "yes accepted");
	t_check_str(err.msg, "`yes' is neither true nor false");
	t_check_int(err.line, 2);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/wg2.conf", dir);
		load("wg2.conf", "[Interface]\n", &qc);
		quick_conf_free(&qc);
		chmod(path, 0644);
		chmod(dir, 0755);
		ret = quick_conf_load(path, FLAVOR_AWG, &qc, &err);
		t_check(ret == 0 && qc.world_accessible, "0644 in 0755 not world accessible");
		quick_conf_free(&qc);
		chmod(dir, 0700);
		ret = quick_conf_load(path, FLAVOR_AWG, &qc, &err);
		t_check(ret == 0 && !qc.world_accessible, "0644 in 0700 world accessible");
		quick_conf_free(&qc);
	}
	t_end();

	t_begin("a file changed between the two passes is refused, not half read");
	ret = load("wg3.conf", "[Interface]\nPrivateKey = x\n", &qc);
	t_check_int(ret, 0);
	if (!ret) {
		struct collected c = { 0 };
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/wg3.conf", dir);
		f = fopen(path, "a");
		fputs("[Peer]\n", f);
		fclose(f);
		t_check_int(quick_conf_pass(&qc, collect, &c, &err), -ESTALE);
		t_check(strstr(err.msg, "wg3.conf' changed while it was being read") != NULL, "msg: %s", err.msg);
		t_check_int(c.len, 0);
		quick_conf_free(&qc);
	}
	t_end();

	t_begin("a FIFO is refused, naming the file: the config is read twice");
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/wg4.conf", dir);
		t_check(mkfifo(path, 0600) == 0, "mkfifo");
		ret = quick_conf_load(path, FLAVOR_AWG, &qc, &err);
		t_check_int(ret, -EINVAL);
		t_check(strstr(err.msg, "/wg4.conf: not a regular file") != NULL, "msg: %s", err.msg);
		t_check(!qc.fd_open, "the FIFO is still open");
	}
	t_end();

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			return 2;
	}
	return t_done();
}
