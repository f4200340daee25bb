/*
 * xz and gzip decoders against the real xz and gzip tools: data compressed
 * with many settings, Debian's compressed kernel modules, and damaged or
 * unsupported input.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unpack.h"
#include "t.h"

static char tmp[] = "/tmp/awgbox-unpack.XXXXXX";

static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *b = NULL;

	*len = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;
	b = malloc((size_t)st.st_size + 1);
	if (b && read(fd, b, (size_t)st.st_size) != st.st_size) {
		free(b);
		b = NULL;
	} else if (b) {
		*len = (size_t)st.st_size;
	}
out:
	if (fd >= 0)
		close(fd);
	return b;
}

typedef int unpack_fn(const uint8_t *, size_t, uint8_t **, size_t *, size_t);

/* Decode FILE with fn and compare with REF; returns fn's result. */
static int check_file(unpack_fn *fn, const char *file, const char *ref)
{
	size_t in_len, ref_len, out_len = 0;
	uint8_t *in = slurp(file, &in_len), *want = slurp(ref, &ref_len), *out = NULL;
	int ret = -EIO;

	t_check(in && want, "cannot read %s or %s", file, ref);
	if (in && want) {
		ret = fn(in, in_len, &out, &out_len, (size_t)1 << 30);
		if (!ret)
			t_check(out_len == ref_len && (!ref_len || !memcmp(out, want, ref_len)),
				"%s: decoded %zu bytes differ from the %zu of the tool", file, out_len, ref_len);
	}
	free(in);
	free(want);
	free(out);
	return ret;
}

/* A test input: text, runs, and pseudo-random bytes (matches of every
 * length and distance, literals after matches). */
static void make_input(const char *path, size_t size, unsigned seed)
{
	FILE *f = fopen(path, "w");
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; f && i < size; i++) {
		x = x * 1103515245u + 12345;
		if ((i / 4096) % 3 == 0)
			fputc("awgbox amneziawg wireguard module\n"[i % 34], f);
		else if ((i / 4096) % 3 == 1)
			fputc((x >> 16) & ((i / 8192) % 2 ? 0xff : 0x3), f);
		else
			fputc((int)(i % 251) ^ (int)((x >> 24) & 1), f);
	}
	if (f)
		fclose(f);
}

int main(void)
{
	static const char *xz_opts[] = {
		"-0", "-6", "-9e", "--check=none", "--check=crc64", "--check=sha256",
		"--lzma2=preset=6,lc=0,lp=0,pb=0", "--lzma2=preset=6,lc=4,lp=0,pb=4",
		"--lzma2=preset=1,lc=1,lp=3,pb=2", "--lzma2=dict=4KiB,mf=hc3",
		"--check=crc32 --lzma2=dict=1MiB", "--block-size=20000",
	};
	static const char *gz_opts[] = { "-1", "-6", "-9", "-n", "-N" };
	char in[64], out[64], ref[64];
	uint8_t *o = NULL;
	size_t ol;
	glob_t g;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(in, sizeof(in), "%s/in", tmp);
	snprintf(out, sizeof(out), "%s/in.c", tmp);

	t_begin("xz: the decoder agrees with xz for every preset, check and lc/lp/pb");
	for (unsigned seed = 0; seed < 3; seed++) {
		make_input(in, seed ? 150000 + seed * 77777 : 0, seed);
		for (size_t i = 0; i < sizeof(xz_opts) / sizeof(xz_opts[0]); i++) {
			t_check(!t_sh("xz -z -c %s <%s >%s", xz_opts[i], in, out), "xz %s failed", xz_opts[i]);
			t_check(!check_file(unpack_xz, out, in), "xz %s: refused", xz_opts[i]);
		}
	}
	t_end();

	t_begin("gzip: the decoder agrees with gzip (stored, fixed and dynamic blocks)");
	for (unsigned seed = 0; seed < 3; seed++) {
		make_input(in, seed ? 100000 + seed * 55555 : 0, seed);
		for (size_t i = 0; i < sizeof(gz_opts) / sizeof(gz_opts[0]); i++) {
			t_check(!t_sh("gzip -c %s <%s >%s", gz_opts[i], in, out), "gzip failed");
			t_check(!check_file(unpack_gzip, out, in), "gzip %s: refused", gz_opts[i]);
		}
		/* a file name in the header, and incompressible data (stored blocks) */
		t_check(!t_sh("head -c 70000 /dev/urandom >%s/rnd && gzip -c -N %s/rnd >%s", tmp, tmp, out), "gzip");
		snprintf(ref, sizeof(ref), "%s/rnd", tmp);
		t_check(!check_file(unpack_gzip, out, ref), "gzip of random bytes refused");
	}
	t_end();

	t_begin("xz: Debian's kernel modules decode as xz -d does");
	if (glob("/lib/modules/*/kernel/drivers/net/wireguard/*.ko.xz", 0, NULL, &g) ||
	    glob("/lib/modules/*/kernel/lib/crypto/*.ko.xz", GLOB_APPEND, NULL, &g)) {
		printf("skip Debian's modules: none in /lib/modules\n");
	} else {
		snprintf(ref, sizeof(ref), "%s/ref", tmp);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			t_check(!t_sh("xz -dc %s >%s", g.gl_pathv[i], ref), "xz -d %s", g.gl_pathv[i]);
			t_check(!check_file(unpack_xz, g.gl_pathv[i], ref), "%s refused", g.gl_pathv[i]);
		}
		globfree(&g);
	}
	t_end();

	t_begin("damaged input is refused, never read out of bounds");
	make_input(in, 50000, 7);
	t_check(!t_sh("xz -z -c <%s >%s && gzip -c <%s >%s.gz", in, out, in, out), "compress");
	{
		static const char *suffix[] = { "", ".gz" };
		for (int k = 0; k < 2; k++) {
			unpack_fn *fn = k ? unpack_gzip : unpack_xz;
			size_t len;
			uint8_t *b;

			snprintf(ref, sizeof(ref), "%s%s", out, suffix[k]);
			b = slurp(ref, &len);
			/* every truncation fails cleanly */
			for (size_t cut = 0; b && cut < len; cut += 1 + cut / 7) {
				uint8_t *c = malloc(cut ? cut : 1);

				memcpy(c, b, cut);
				o = NULL;
				t_check(fn(c, cut, &o, &ol, 1 << 24) < 0, "%s cut at %zu accepted", suffix[k], cut);
				free(o);
				free(c);
			}
			/* flipped bytes: any result but a crash (checked by ASan) */
			for (size_t at = 12; b && at < len; at += 97) {
				b[at] ^= 0x55;
				o = NULL;
				if (!fn(b, len, &o, &ol, 1 << 24))
					free(o);
				b[at] ^= 0x55;
			}
			/* the output limit */
			t_check(b && fn(b, len, &o, &ol, 1000) == -EFBIG, "%s: limit not enforced", suffix[k]);
			free(b);
		}
	}
	t_end();

#ifndef __SANITIZE_ADDRESS__	/* ASan's shadow memory is over any data limit */
	t_begin("gzip: a trailer claiming more than deflate can give reserves nothing");
	{
		/* "hi" whose ISIZE says 1 GiB: decoded under a 64 MiB data
		 * limit, so believing the trailer fails with -ENOMEM */
		static const uint8_t gz[] = {
			0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0xc8, 4, 0,
			0xac, 0x2a, 0x93, 0xd8, 0, 0, 0, 0x40,
		};
		pid_t pid = fork();
		int st = -1;

		if (pid == 0) {
			struct rlimit rl = { 64 << 20, 64 << 20 };

			setrlimit(RLIMIT_DATA, &rl);
			_exit(unpack_gzip(gz, sizeof(gz), &o, &ol, 1u << 31) == 0 && ol == 2 &&
			      !memcmp(o, "hi", 2) ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		t_check(st == 0, "decoding failed (status %#x)", st);
	}
	t_end();
#endif

	t_begin("gzip: an empty stored block before any output");
	{
		static const uint8_t gz[] = {
			0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
			1, 0, 0, 0xff, 0xff,	/* final stored block, length 0 */
			0, 0, 0, 0, 0, 0, 0, 0,
		};

		o = NULL;
		t_check_int(unpack_gzip(gz, sizeof(gz), &o, &ol, 1 << 20), 0);
		t_check_int(ol, 0);
		free(o);
	}
	t_end();

	t_begin("xz with a BCJ filter is not supported (-ENOTSUP), not misread");
	t_check(!t_sh("xz -z -c --x86 --lzma2 <%s >%s", in, out), "xz --x86");
	t_check(check_file(unpack_xz, out, in) == -ENOTSUP, "BCJ filter accepted");
	t_end();

	t_sh("rm -rf %s", tmp);
	return t_done();
}
