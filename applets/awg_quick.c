/*
 * awg-quick / wg-quick: bring an interface up or down from a config file,
 * as upstream's bash scripts do, without bash or iproute2 (core/quick.c).
 */
//config:config AWG_QUICK
//config:	bool "awg-quick: bring AmneziaWG interfaces up and down"
//config:	default y
//config:	depends on AWG
//config:	help
//config:	  amneziawg-tools' awg-quick, without bash or iproute2.
//config:
//config:config WG_QUICK
//config:	bool "wg-quick: bring WireGuard interfaces up and down"
//config:	default y
//config:	depends on WG
//config:	help
//config:	  wireguard-tools' wg-quick, without bash or iproute2.
//config:
//applet:awg-quick AWG_QUICK awg_quick_main self-help
//applet:wg-quick WG_QUICK awg_quick_main self-help
//usage:awg-quick [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]
//usage:wg-quick [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"
#include "proc.h"
#include "quick.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static int interrupted_by(void *data)
{
	return interrupted;
}

static void usage(enum wg_flavor flavor, const char *prog, const char *tool)
{
	fprintf(stderr,
		"Usage: %s [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]\n"
		"\n"
		"  CONFIG_FILE is a configuration file, whose filename is the interface name\n"
		"  followed by `.conf'. Otherwise, INTERFACE is an interface name, with\n"
		"  configuration found at %s. It is to be readable\n"
		"  by %s(8)'s `setconf' sub-command, with the exception of the following additions\n"
		"  to the [Interface] section, which are handled by %s:\n"
		"\n"
		"  - Address: may be specified one or more times and contains one or more\n"
		"    IP addresses (with an optional CIDR mask) to be set for the interface.\n"
		"  - DNS: an optional DNS server to use while the device is up.\n"
		"  - MTU: an optional MTU for the interface; if unspecified, auto-calculated.\n"
		"  - Table: an optional routing table to which routes will be added; if\n"
		"    unspecified or `auto', the default table is used. If `off', no routes\n"
		"    are added.\n"
		"  - PreUp, PostUp, PreDown, PostDown: script snippets which will be executed\n"
		"    by sh(1) at the corresponding phases of the link, most commonly used\n"
		"    to configure DNS. The string `%%i' is expanded to INTERFACE.\n"
		"  - SaveConfig: if set to `true', the configuration is saved from the current\n"
		"    state of the interface upon shutdown.\n"
		"\n"
		"See %s(8) for more info and examples.\n",
		prog,
		flavor == FLAVOR_AWG ? "/etc/amnezia/amneziawg/INTERFACE.conf\n  (or /etc/wireguard/INTERFACE.conf)"
				     : "/etc/wireguard/INTERFACE.conf",
		tool, prog, prog);
}

/* Upstream re-runs itself through sudo when not root. */
static void become_root(const char *prog, int argc, char **argv)
{
	char exe[PATH_MAX], prompt[128];
	char *args[10];
	ssize_t n;
	int i = 0;

	if (geteuid() == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && proc_in_path("sudo") && argc <= 3) {
		exe[n] = '\0';
		snprintf(prompt, sizeof(prompt),
			 "%s must be run as root. Please enter the password for %%u to continue: ", prog);
		args[i++] = "sudo";
		args[i++] = "-p";
		args[i++] = prompt;
		args[i++] = "--";
		args[i++] = exe;
		args[i++] = (char *)prog;
		for (int a = 1; a < argc; a++)
			args[i++] = argv[a];
		args[i] = NULL;
		execvp("sudo", args);
	}
	fprintf(stderr, "%s: must be run as root\n", prog);
	exit(1);
}

int awg_quick_main(int argc, char **argv)
{
	struct quick_opts o = { .say = quick_say_stderr, .interrupted = interrupted_by };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cmd = argc > 1 ? argv[1] : "", *prog, *tool;
	enum quick_cmd c;

	o.flavor = ENABLE_WG_QUICK && !strcmp(applet_name, "wg-quick") ? FLAVOR_WG : FLAVOR_AWG;
	prog = o.flavor == FLAVOR_WG ? "wg-quick" : "awg-quick";
	tool = o.flavor == FLAVOR_WG ? "wg" : "awg";
	if (argc == 2 && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))) {
		usage(o.flavor, prog, tool);
		return 0;
	}
	if (argc == 2 && !strcmp(cmd, "--version")) {
		printf("%s %s\n", AWGBOX_BANNER, prog);
		return 0;
	}
	if (argc != 3) {
		usage(o.flavor, prog, tool);
		return 1;
	}
	if (!strcmp(cmd, "up"))
		c = QUICK_UP;
	else if (!strcmp(cmd, "down"))
		c = QUICK_DOWN;
	else if (!strcmp(cmd, "save"))
		c = QUICK_SAVE;
	else if (!strcmp(cmd, "strip"))
		c = QUICK_STRIP;
	else {
		usage(o.flavor, prog, tool);
		return 1;
	}
	become_root(prog, argc, argv);
	/* upstream traps INT and TERM to undo what `up` did; so do we */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return quick_run(c, argv[2], &o, stdout) < 0 ? 1 : 0;
}
