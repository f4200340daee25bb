/*
 * Are secrets wiped?  An LD_PRELOAD shim for the glibc build: when the
 * process exits (exit() or a return from main), it searches all of its
 * writable memory -- heap, stack, data, anonymous mappings, freed blocks
 * included -- for each secret listed in the file $SECRET_SCAN (one per line:
 * the bytes to look for, in hex), and writes "found N at REGION" lines to
 * $SECRET_SCAN.out.  Used by tests/netns/hygiene.t, built there.
 *
 * The shim's own copy of the needles is skipped by address.  Buffers of the
 * C library we do not own (stdio's) are searched too: a tool that prints a
 * key keeps it in stdout's buffer, so the tests pick commands that do not.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NEEDLES 8

static unsigned char needle[MAX_NEEDLES][64];
static size_t needle_len[MAX_NEEDLES], n_needles;

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Read with read(2) into our own buffer (a FILE's buffer would be a heap
 * copy of the needles' text, which for a hex needle is another needle),
 * wiped when parsed. */
static void load_needles(const char *path)
{
	static char text[1024];
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	len = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	for (char *p = text; len > 0 && p < text + len && n_needles < MAX_NEEDLES; p++) {
		size_t n = 0;

		for (; hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && n < 64; p += 2)
			needle[n_needles][n++] = (unsigned char)(hexval(p[0]) << 4 | hexval(p[1]));
		if (n >= 16)
			needle_len[n_needles++] = n;
		while (p < text + len && *p != '\n')
			p++;
	}
	memset(text, 0, sizeof(text));
	__asm__ __volatile__("" : : "r"(text) : "memory");
}

static void scan(void)
{
	const char *path = getenv("SECRET_SCAN");
	char line[512], out[4096];
	FILE *maps, *rep;

	if (!path)
		return;
	load_needles(path);
	snprintf(out, sizeof(out), "%s.out", path);
	rep = fopen(out, "ae");
	maps = fopen("/proc/self/maps", "re");
	while (rep && maps && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char perms[8], name[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &lo, &hi, perms, name) < 3 ||
		    perms[0] != 'r' || perms[1] != 'w' || strstr(name, "secret-scan") ||
		    strstr(name, "[vvar") || strstr(name, "[vsyscall"))
			continue;
		for (size_t k = 0; k < n_needles; k++) {
			const unsigned char *p = (const unsigned char *)lo, *end = (const unsigned char *)hi;

			while ((p = memmem(p, (size_t)(end - p), needle[k], needle_len[k]))) {
				if (p < needle[0] || p >= needle[MAX_NEEDLES])
					fprintf(rep, "found %zu at %s+%#lx\n", k, name[0] ? name : "[anon]",
						(unsigned long)p - lo);
				p++;
			}
		}
	}
	if (maps)
		fclose(maps);
	if (rep)
		fclose(rep);
}

/* destructors run at exit(), after main's return: the program is done */
__attribute__((destructor)) static void secret_scan_at_exit(void)
{
	scan();
}
