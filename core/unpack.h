/*
 * In-memory decompressors for compressed kernel modules (.ko.xz, .ko.gz),
 * so awgbox can read a module's .modinfo (vermagic, depends) before it asks
 * the kernel to load the file, and can load it on kernels that do not
 * decompress modules themselves.  Only what module files use is supported:
 * xz with one LZMA2 filter, gzip with deflate.  Integrity checks (CRC) are
 * not verified: the kernel checks the module itself.
 *
 * Both return 0 with a malloc'd buffer in *out (free() it) and its length,
 * -EINVAL for corrupt data, -ENOTSUP for a feature modules do not use,
 * -EFBIG when the output would exceed max bytes, -ENOMEM.
 */
#ifndef AWGBOX_UNPACK_H
#define AWGBOX_UNPACK_H

#include <stddef.h>
#include <stdint.h>

int unpack_xz(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, size_t max);
int unpack_gzip(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, size_t max);

/* Output buffer shared by both decoders. */
struct unpack_out {
	uint8_t *buf;
	size_t pos, cap, max;
};
int unpack_reserve(struct unpack_out *o, size_t n);

#endif
