/*
 * awg-detect's handling of what it reads from outside: the environment
 * (EXPERIMENTAL_AWG, OVERRIDE_AUTO_AWG, WG_QUICK_USERSPACE_IMPLEMENTATION),
 * the kernel release, the prebuilt module's version file and the module
 * file itself, through detect_run() without loading anything.
 *
 * Input: a flags byte (bit i: field i is set), then fields split at 0xff
 * bytes: EXPERIMENTAL_AWG, OVERRIDE_AUTO_AWG, release, userspace program,
 * version file bytes, module file bytes.  Strings end at a NUL, as the
 * environment's do; the files take any byte but 0xff.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "detect.h"
#include "fuzz.h"
#include "log.h"

static char dir[] = "/tmp/awgbox-fuzz-detect.XXXXXX";
static char version_file[64], module_file[64], prog[PATH_MAX], sysmod[PATH_MAX];
static int version_fd, module_fd;

static void cleanup(void)
{
	unlink(prog);
	rmdir(sysmod);
	*strrchr(sysmod, '/') = '\0';
	rmdir(sysmod);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	if (!mkdtemp(dir))
		abort();
	version_fd = fuzz_fd(NULL, 0);
	module_fd = fuzz_fd(NULL, 0);
	fuzz_fd_path(version_file, sizeof(version_file), version_fd);
	fuzz_fd_path(module_file, sizeof(module_file), module_fd);
	snprintf(prog, sizeof(prog), "%s/amneziawg-go", dir);
	snprintf(sysmod, sizeof(sysmod), "%s/sys", dir);
	mkdir(sysmod, 0700);
	strcat(sysmod, "/module");
	mkdir(sysmod, 0700);
	fd = open(prog, O_WRONLY | O_CREAT | O_CLOEXEC, 0700);
	if (fd < 0)
		abort();
	close(fd);
	atexit(cleanup);
	log_init("awg-detect", true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct detect_opts o = { .no_load = true, .tun = "/dev/null", .path = dir };
	char *field[6] = { 0 }, sysfs[PATH_MAX];
	size_t len[6] = { 0 };
	const uint8_t *p, *end = data + size;
	struct detect_result r;
	const char *keys[DETECT_VARS_MAX], *values[DETECT_VARS_MAX];
	int i, n, status;

	if (!size)
		return 0;
	p = data + 1;
	for (i = 0; i < 6 && p <= end; i++) {
		const uint8_t *sep = i < 5 ? memchr(p, 0xff, (size_t)(end - p)) : NULL;

		len[i] = (size_t)((sep ? sep : end) - p);
		field[i] = malloc(len[i] + 1);
		memcpy(field[i], p, len[i]);
		field[i][len[i]] = '\0';
		p += len[i] + 1;
	}
	if (data[0] & 1)
		o.experimental = field[0] ? field[0] : "";
	if (data[0] & 2)
		o.override = field[1] ? field[1] : "";
	if (data[0] & 4 && field[2])
		o.release = field[2];
	else
		o.release = "6.12.57+deb12-amd64";	/* not uname: the same run each time */
	if (data[0] & 8)
		o.userspace = field[3] ? field[3] : "";
	fuzz_refill(version_fd, (const uint8_t *)field[4], len[4]);
	o.version_file = data[0] & 16 ? version_file : "/nonexistent/version";
	fuzz_refill(module_fd, (const uint8_t *)field[5], len[5]);
	o.module = data[0] & 32 ? module_file : "/nonexistent/amneziawg.ko";
	o.modules_root = dir;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", dir);
	o.sysfs = sysfs;

	status = detect_run(&o, &r);
	if (status != r.status || status < 0 || status > 2)
		abort();
	n = detect_vars(&r, keys, values);
	for (i = 0; i < n; i++)
		if (!values[i] || strchr(values[i], '\n'))
			abort();	/* every variable has a one-line value */
	for (i = 0; i < 6; i++)
		free(field[i]);
	return 0;
}
