/*
 * awg / wg: the amneziawg-tools / wireguard-tools command line.
 * Same subcommands, messages and exit codes as upstream; `wg` is the same
 * code speaking plain WireGuard.
 */
//config:config AWG
//config:	bool "awg: AmneziaWG configuration tool (amneziawg-tools awg)"
//config:	default y
//config:	help
//config:	  The `awg` command of amneziawg-tools: key generation and the
//config:	  configuration of AmneziaWG and WireGuard interfaces.
//config:
//config:config WG
//config:	bool "wg: WireGuard configuration tool (wireguard-tools wg)"
//config:	default y
//config:	help
//config:	  The `wg` command of wireguard-tools, from the same code as awg,
//config:	  restricted to plain WireGuard.
//config:
//applet:awg AWG awg_main self-help
//applet:wg WG awg_main self-help
//usage:awg <cmd> [<args>]
//usage:wg <cmd> [<args>]

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"
#include "key.h"

/* Upstream prints argv[0] as given, in usage lines and errors. */
static const char *prog_name;

static int genkey_main(int argc, char **argv);
static int pubkey_main(int argc, char **argv);

static const struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "genkey", genkey_main, "Generates a new private key and writes it to stdout" },
	{ "genpsk", genkey_main, "Generates a new preshared key and writes it to stdout" },
	{ "pubkey", pubkey_main, "Reads a private key from stdin and writes a public key to stdout" },
};

static bool is_wg(void)
{
	return ENABLE_WG && !strcmp(applet_name, "wg");
}

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog_name);
	fputs("Available subcommands:\n", f);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %s: %s\n", subcommands[i].name, subcommands[i].description);
	fputs("You may pass `--help' to any of these subcommands to view usage.\n", f);
}

/* Write a key line from our own buffer (not stdio's, which we could not
 * wipe) and wipe it.  Returns the exit status. */
static int put_key(const uint8_t key[KEY_LEN])
{
	char line[KEY_B64_LEN];
	size_t done = 0;
	int ret = 0;

	key_to_base64(line, key);
	line[KEY_B64_LEN - 1] = '\n';
	while (done < sizeof(line)) {
		ssize_t n = write(STDOUT_FILENO, line + done, sizeof(line) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s: write error: %s\n", prog_name, strerror(n < 0 ? errno : EIO));
			ret = 1;
			break;
		}
		done += (size_t)n;
	}
	key_wipe(line, sizeof(line));
	return ret;
}

static int genkey_main(int argc, char **argv)
{
	uint8_t key[KEY_LEN];
	struct stat st;
	int ret;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 1;
	}
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n", stderr);
	ret = key_random(key);
	if (ret < 0) {
		errno = -ret;
		perror("getrandom");
		return 1;
	}
	if (!strcmp(argv[0], "genkey"))
		key_clamp(key);
	ret = put_key(key);
	key_wipe(key, sizeof(key));
	return ret;
}

/* read() until len bytes or EOF; returns bytes read or -1. */
static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* After the key, upstream allows only whitespace and NUL bytes. */
static bool only_space_follows(int fd)
{
	char buf[256];
	ssize_t n;

	while ((n = read_full(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] && !strchr(" \t\n\v\f\r", buf[i]))
				return false;
	return n == 0;
}

static int pubkey_main(int argc, char **argv)
{
	char b64[KEY_B64_LEN];
	uint8_t key[KEY_LEN];
	int ret = 1;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog_name, argv[0]);
		return 1;
	}
	/* read(), not stdio: the private key must not linger in a libc buffer */
	if (read_full(STDIN_FILENO, b64, KEY_B64_LEN - 1) != KEY_B64_LEN - 1) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", prog_name);
		goto out;
	}
	b64[KEY_B64_LEN - 1] = '\0';
	if (!only_space_follows(STDIN_FILENO)) {
		fprintf(stderr, "%s: Trailing characters found after key\n", prog_name);
		goto out;
	}
	if (key_from_base64(key, b64) < 0) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", prog_name);
		goto out;
	}
	key_public(key, key);
	ret = put_key(key);
out:
	key_wipe(b64, sizeof(b64));
	key_wipe(key, sizeof(key));
	return ret;
}

int awg_main(int argc, char **argv)
{
	prog_name = argv[0];
	if (argc == 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "version"))) {
		if (is_wg())
			printf("%s wg: wireguard-tools v1.0.20210914 compatible\n", AWGBOX_BANNER);
		else
			printf("%s awg: amneziawg-tools v3.1.20260812 compatible\n", AWGBOX_BANNER);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc == 1) {
		/* upstream: no arguments means `show`, which is not built yet */
		show_usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
