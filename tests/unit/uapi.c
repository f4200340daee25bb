/* The userspace socket protocol, byte for byte: the `set` request we write
 * for every AmneziaWG key (amneziawg-go's spelling and upstream awg's order),
 * and the `get` reply of an amneziawg-go device read back.  The other end is
 * a socket in a temporary directory served by a child process that records
 * the request and sends a canned reply (no AmneziaWG implementation exists
 * on test machines; wireguard-go covers the plain keys in the netns tier). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "showconf.h"
#include "t.h"
#include "uapi.h"

static char dir[] = "/tmp/awgbox-uapi.XXXXXX";

/* Serve one connection on DIR/NAME.sock: read the request up to its blank
 * line into *req, answer with reply. */
static pid_t serve(const char *name, const char *reply, int *req_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ls = socket(AF_UNIX, SOCK_STREAM, 0), p[2];
	pid_t pid;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s.sock", dir, name);
	unlink(sun.sun_path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(ls, 4) < 0 || pipe(p) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		char buf[65536];
		size_t n = 0;
		int c;

		close(p[0]);
		/* uapi_set/get first probe with a connect (has_device) */
		for (;;) {
			ssize_t r;

			c = accept(ls, NULL, NULL);
			n = 0;
			while ((r = read(c, buf + n, sizeof(buf) - n)) > 0) {
				n += (size_t)r;
				if (n >= 2 && buf[n - 1] == '\n' && buf[n - 2] == '\n')
					break;
			}
			if (n)
				break;
			close(c);	/* the probe */
		}
		if (write(p[1], buf, n) != (ssize_t)n || write(c, reply, strlen(reply)) < 0)
			_exit(1);
		_exit(0);
	}
	close(ls);
	close(p[1]);
	*req_fd = p[0];
	return pid;
}

static char *collect(int fd, pid_t pid)
{
	static char buf[65536];
	size_t n = 0;
	ssize_t r;
	int st;

	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	waitpid(pid, &st, 0);
	return buf;
}

/* uapi_get_device() into a new device, freed again on failure */
static int get(const char *d, const char *name, struct wg_device **out)
{
	int ret;

	*out = device_new();
	if (!*out)
		return -ENOMEM;
	strcpy((*out)->name, name);
	ret = uapi_get_device(d, *out);
	if (ret < 0) {
		device_free(*out);
		*out = NULL;
	}
	return ret;
}

static struct wg_device *parse(const char *text, bool append)
{
	struct conf_opts o = { .flavor = FLAVOR_AWG, .append = append };
	struct conf_error err;
	struct wg_device *d;

	if (conf_parse_text(text, strlen(text), &o, &d, &err) < 0) {
		printf("# parse: %lu: %s\n", err.line, err.msg);
		return NULL;
	}
	strcpy(d->name, "awgu0");
	return d;
}

int main(void)
{
	struct wg_device *d;
	int fd;
	pid_t pid;
	char *req;

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 2;

	t_begin("set: every AmneziaWG key in amneziawg-go's spelling, in upstream awg's order");
	d = parse("[Interface]\n"
		  "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
		  "ListenPort = 51820\nFwMark = 0x1234\n"
		  "Jc = 5\nJmin = 40\nJmax = 70\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 25\n"
		  "H1 = 123456-123500\nH2 = 67543-67550\nH3 = 123123\nH4 = 32345-32350\n"
		  "I1 = <b 0xf6ab3267fa><r 100>\nI5 = <rc 8> <t>\n"
		  "HeaderProtectionKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
		  "ContentPaddingAddition = 0-40\nRekeyAfterTime = 110\nRekeyTimeout = 3-5\n"
		  "RejectAfterTime = 180\nKeepaliveTimeout = 10\nMaxHandshakeAttempts = 18\n"
		  "RandomTrailers = on\nDisableCookies = 0\n"
		  "[Peer]\nPublicKey = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n"
		  "PresharedKey = gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=\n"
		  "Endpoint = [2001:db8::1]:51821\nPersistentKeepalive = 20-30\n"
		  "AllowedIPs = 10.0.0.2/32, fd00::2/128\n", false);
	if (d) {
		pid = serve("awgu0", "errno=0\n\n", &fd);
		t_check(uapi_set_device(dir, FLAVOR_AWG, d) == 0, "set failed");
		req = collect(fd, pid);
		t_check_str(req,
			    "set=1\n"
			    "private_key=c809f3e5317e9575c9b5ed78b638b7ce530dabe85ddab614220241801ddf0669\n"
			    "listen_port=51820\n"
			    "fwmark=4660\n"
			    "replace_peers=true\n"
			    "jc=5\njmin=40\njmax=70\ns1=15\ns2=18\ns3=20\ns4=25\n"
			    "h1=123456-123500\nh2=67543-67550\nh3=123123\nh4=32345-32350\n"
			    "i1=<b 0xf6ab3267fa><r 100>\ni5=<rc 8> <t>\n"
			    "header_protection_key=c53201039adba14be71f886da1d8dbe9eebded08cb111b75340078999aa9f038\n"
			    "content_padding_addition=0-40\nrekey_after_time=110\nrekey_timeout=3-5\n"
			    "reject_after_time=180\nkeepalive_timeout=10\nmax_handshake_attempts=18\n"
			    "random_trailers=1\ndisable_cookies=0\n"
			    "public_key=4eb32f4a83f88d842563a448cc181bb2c42a637bf12363e2fb2ef594e5965d7d\n"
			    "preshared_key=80deb906420acb578213da4fd7075cf11394b641cb1763df02a61dc98073e840\n"
			    "endpoint=[2001:db8::1]:51821\n"
			    "persistent_keepalive_interval=20-30\n"
			    "replace_allowed_ips=true\n"
			    "allowed_ip=10.0.0.2/32\n"
			    "allowed_ip=fd00::2/128\n"
			    "\n");
	}
	device_free(d);
	t_end();

	t_begin("set: remove, an empty I-packet, and the implementation's errno");
	d = parse("[Interface]\nI2 = <t>\n[Peer]\nPublicKey = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n", true);
	if (d) {
		d->peers[0].flags |= WGPEER_REMOVE_ME;
		free(d->i[1]);
		d->i[1] = strdup("");
		pid = serve("awgu0", "errno=-22\n\n", &fd);
		t_check(uapi_set_device(dir, FLAVOR_AWG, d) == -EINVAL, "errno=-22 not EINVAL");
		req = collect(fd, pid);
		t_check_str(req, "set=1\ni2=\n"
			    "public_key=4eb32f4a83f88d842563a448cc181bb2c42a637bf12363e2fb2ef594e5965d7d\n"
			    "remove=true\n\n");
	}
	device_free(d);
	t_end();

	t_begin("get: an amneziawg-go reply read into every field, shown as upstream shows it");
	pid = serve("awgu1",
		    "private_key=c809f3e5317e9575c9b5ed78b638b7ce530dabe85ddab614220241801ddf0669\n"
		    "listen_port=51820\nfwmark=4660\n"
		    "jc=5\njmin=40\njmax=70\ns1=15\ns2=18\ns3=20\ns4=25\n"
		    "h1=123456-123500\nh2=67543-67550\nh3=123123\nh4=32345-32350\n"
		    "i1=<b 0xf6ab3267fa><r 100>\n"
		    "header_protection_key=c53201039adba14be71f886da1d8dbe9eebded08cb111b75340078999aa9f038\n"
		    "content_padding_addition=0-40\nrekey_timeout=3-5\n"
		    "random_trailers=1\ndisable_cookies=0\n"
		    "public_key=4eb32f4a83f88d842563a448cc181bb2c42a637bf12363e2fb2ef594e5965d7d\n"
		    "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
		    "protocol_version=1\nendpoint=[2001:db8::1]:51821\n"
		    "last_handshake_time_sec=1700000000\nlast_handshake_time_nsec=5\n"
		    "tx_bytes=100\nrx_bytes=200\npersistent_keepalive_interval=20-30\n"
		    "allowed_ip=10.0.0.2/32\nallowed_ip=fd00::2/128\n"
		    "some_future_key=7\n"
		    "errno=0\n\n", &fd);
	{
		struct wg_device *g = NULL;
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		t_check(get(dir, "awgu1", &g) == 0, "get failed");
		collect(fd, pid);
		if (g) {
			f = open_memstream(&text, &len);
			showconf_write(f, FLAVOR_AWG, g);
			fclose(f);
			t_check_str(text,
				    "[Interface]\nListenPort = 51820\nFwMark = 0x1234\n"
				    "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
				    "Jc = 5\nJmin = 40\nJmax = 70\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 25\n"
				    "H1 = 123456-123500\nH2 = 67543-67550\nH3 = 123123\nH4 = 32345-32350\n"
				    "I1 = <b 0xf6ab3267fa><r 100>\n"
				    "HeaderProtectionKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
				    "ContentPaddingAddition = 0-40\nRekeyTimeout = 3-5\n"
				    "RandomTrailers = on\nDisableCookies = off\n\n"
				    "[Peer]\nPublicKey = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n"
				    "AllowedIPs = 10.0.0.2/32, fd00::2/128\n"
				    "Endpoint = [2001:db8::1]:51821\nPersistentKeepalive = 20-30\n");
			t_check(peer_stats(g, &g->peers[0])->rx_bytes == 200 &&
				peer_stats(g, &g->peers[0])->tx_bytes == 100 &&
				peer_stats(g, &g->peers[0])->last_handshake_sec == 1700000000, "stats");
			t_check(device_has(g, WGF_PUBLIC_KEY), "public key derived from the private key");
			free(text);
		}
		device_free(g);
	}
	t_end();

	t_begin("get: malformed replies are EPROTO, errno=N is the implementation's error");
	{
		static const char *const bad[] = {
			"jc=65536\nerrno=0\n\n", "listen_port=x\nerrno=0\n\n", "private_key=zz\nerrno=0\n\n",
			"public_key=4eb32f4a83f88d842563a448cc181bb2c42a637bf12363e2fb2ef594e5965d7d\nallowed_ip=10.0.0.1/33\nerrno=0\n\n",
			"no equals sign\nerrno=0\n\n", "errno=0\n", "listen_port=1\n",
		};
		struct wg_device *g;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			pid = serve("awgu2", bad[i], &fd);
			t_check(get(dir, "awgu2", &g) == -EPROTO, "accepted: %s", bad[i]);
			collect(fd, pid);
		}
		pid = serve("awgu2", "errno=-19\n\n", &fd);
		t_check(get(dir, "awgu2", &g) == -ENODEV, "errno=-19 not ENODEV");
		collect(fd, pid);
	}
	t_end();

	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			return 2;
	}
	return t_done();
}
