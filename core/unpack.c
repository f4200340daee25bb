/*
 * The output buffer of the decompressors, and the gzip (deflate) decoder.
 * See unpack.h; unpack_xz.c has the xz decoder.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

int unpack_reserve(struct unpack_out *o, size_t n)
{
	size_t cap;
	uint8_t *b;

	if (n <= o->cap - o->pos)
		return 0;
	if (n > o->max - o->pos)
		return -EFBIG;
	cap = o->cap ? o->cap : 65536;
	while (cap - o->pos < n)
		cap = cap > o->max / 2 ? o->max : cap * 2;
	if (cap > o->max)
		cap = o->max;
	b = realloc(o->buf, cap);
	if (!b)
		return -ENOMEM;
	o->buf = b;
	o->cap = cap;
	return 0;
}

/* ---- deflate (RFC 1951) ---- */

struct inflate {
	struct unpack_out out;
	const uint8_t *in, *end;
	uint32_t bits;
	unsigned nbits;
	bool bad;
};

/* Canonical Huffman code: count of codes per length, symbols by code. */
struct huff {
	uint16_t count[16];
	uint16_t sym[288];
};

static unsigned get_bits(struct inflate *s, unsigned n)
{
	uint32_t v = s->bits;

	while (s->nbits < n) {
		if (s->in >= s->end) {
			s->bad = true;
			return 0;
		}
		v |= (uint32_t)*s->in++ << s->nbits;
		s->nbits += 8;
	}
	s->bits = v >> n;
	s->nbits -= n;
	return v & ((1u << n) - 1);
}

/* Over-subscribed sets of lengths are refused; incomplete ones are
 * allowed (a lone distance code) and fail only if an unused code comes. */
static int huff_build(struct huff *h, const uint8_t *len, unsigned n)
{
	uint16_t offs[16];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned i = 0; i < n; i++)
		h->count[len[i]]++;
	for (unsigned l = 1; l < 16; l++) {
		left = left * 2 - h->count[l];
		if (left < 0)
			return -EINVAL;
	}
	offs[1] = 0;
	for (unsigned l = 1; l < 15; l++)
		offs[l + 1] = offs[l] + h->count[l];
	for (unsigned i = 0; i < n; i++)
		if (len[i])
			h->sym[offs[len[i]]++] = (uint16_t)i;
	return 0;
}

static int huff_decode(struct inflate *s, const struct huff *h)
{
	int code = 0, first = 0, index = 0;

	for (unsigned l = 1; l < 16; l++) {
		int count = h->count[l];

		code |= (int)get_bits(s, 1);
		if (code - first < count)
			return h->sym[index + code - first];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/* Length (codes 257-285) and distance (0-29) bases with extra bits. */
static unsigned length_base(unsigned i, unsigned *extra)
{
	*extra = 0;
	if (i == 28)
		return 258;
	if (i < 8)
		return 3 + i;
	*extra = (i - 4) / 4;
	return 3 + ((4 + (i & 3)) << *extra);
}

static unsigned dist_base(unsigned i, unsigned *extra)
{
	*extra = 0;
	if (i < 4)
		return 1 + i;
	*extra = (i >> 1) - 1;
	return 1 + ((2 + (i & 1)) << *extra);
}

static int inflate_codes(struct inflate *s, const struct huff *lit, const struct huff *dist)
{
	for (;;) {
		int sym = huff_decode(s, lit);
		unsigned len, d, extra;
		int ret;

		if (sym < 0 || s->bad)
			return -EINVAL;
		if (sym < 256) {
			ret = unpack_reserve(&s->out, 1);
			if (ret < 0)
				return ret;
			s->out.buf[s->out.pos++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return 0;
		if (sym > 285)
			return -EINVAL;
		len = length_base((unsigned)sym - 257, &extra);
		len += get_bits(s, extra);
		sym = huff_decode(s, dist);
		if (sym < 0 || sym > 29)
			return -EINVAL;
		d = dist_base((unsigned)sym, &extra);
		d += get_bits(s, extra);
		if (s->bad || d > s->out.pos)
			return -EINVAL;
		ret = unpack_reserve(&s->out, len);
		if (ret < 0)
			return ret;
		for (; len; len--, s->out.pos++)
			s->out.buf[s->out.pos] = s->out.buf[s->out.pos - d];
	}
}

static int inflate_stored(struct inflate *s)
{
	unsigned len;
	int ret;

	/* the rest of the current byte is dropped; no whole byte is buffered */
	s->bits = 0;
	s->nbits = 0;
	if (s->end - s->in < 4)
		return -EINVAL;
	len = s->in[0] | (unsigned)s->in[1] << 8;
	if ((len ^ 0xffff) != (s->in[2] | (unsigned)s->in[3] << 8))
		return -EINVAL;
	s->in += 4;
	if (len > (size_t)(s->end - s->in))
		return -EINVAL;
	if (!len)
		return 0;	/* (and no output buffer yet, maybe) */
	ret = unpack_reserve(&s->out, len);
	if (ret < 0)
		return ret;
	memcpy(s->out.buf + s->out.pos, s->in, len);
	s->out.pos += len;
	s->in += len;
	return 0;
}

static int inflate_fixed(struct inflate *s, struct huff *lit, struct huff *dist)
{
	uint8_t len[288];

	memset(len, 8, 144);
	memset(len + 144, 9, 112);
	memset(len + 256, 7, 24);
	memset(len + 280, 8, 8);
	huff_build(lit, len, 288);
	memset(len, 5, 30);
	huff_build(dist, len, 30);
	return inflate_codes(s, lit, dist);
}

static int inflate_dynamic(struct inflate *s, struct huff *lit, struct huff *dist)
{
	static const uint8_t order[19] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
	};
	uint8_t len[286 + 30];
	unsigned nlen = get_bits(s, 5) + 257, ndist = get_bits(s, 5) + 1;
	unsigned ncode = get_bits(s, 4) + 4, i = 0;

	if (nlen > 286 || ndist > 30)
		return -EINVAL;
	memset(len, 0, 19);
	for (unsigned j = 0; j < ncode; j++)
		len[order[j]] = (uint8_t)get_bits(s, 3);
	if (huff_build(lit, len, 19) < 0)
		return -EINVAL;
	while (i < nlen + ndist) {
		int sym = huff_decode(s, lit);
		unsigned n;
		uint8_t v = 0;

		if (sym < 0 || s->bad)
			return -EINVAL;
		if (sym < 16) {
			len[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return -EINVAL;
			v = len[i - 1];
			n = 3 + get_bits(s, 2);
		} else if (sym == 17) {
			n = 3 + get_bits(s, 3);
		} else {
			n = 11 + get_bits(s, 7);
		}
		if (n > nlen + ndist - i)
			return -EINVAL;
		memset(len + i, v, n);
		i += n;
	}
	if (!len[256] || huff_build(lit, len, nlen) < 0 || huff_build(dist, len + nlen, ndist) < 0)
		return -EINVAL;
	return inflate_codes(s, lit, dist);
}

int unpack_gzip(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, size_t max)
{
	struct inflate s = { .out.max = max, .end = in + in_len };
	const uint8_t *p = in + 10;
	struct huff *h;
	unsigned flags, last;
	size_t isize;
	int ret;

	/* RFC 1952 header: magic, method 8, flags, mtime, xfl, os */
	if (in_len < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 || (in[3] & 0xe0))
		return -EINVAL;
	flags = in[3];
	if (flags & 4) {			/* FEXTRA */
		size_t xlen = p[0] | (size_t)p[1] << 8;

		if (xlen + 2 > (size_t)(s.end - p))
			return -EINVAL;
		p += 2 + xlen;
	}
	for (unsigned f = 8; f <= 16; f <<= 1) {	/* FNAME, FCOMMENT */
		const uint8_t *nul;

		if (!(flags & f))
			continue;
		nul = memchr(p, 0, (size_t)(s.end - p));
		if (!nul)
			return -EINVAL;
		p = nul + 1;
	}
	if (flags & 2)				/* FHCRC */
		p += 2;
	if (p >= s.end)
		return -EINVAL;
	s.in = p;
	/* the trailer's ISIZE is the size modulo 2^32: a good first guess,
	 * unless it is more than deflate can expand to (1032:1), when it is a
	 * lie that would have us reserve up to max for a few bytes */
	isize = (size_t)in[in_len - 4] | (size_t)in[in_len - 3] << 8 |
		(size_t)in[in_len - 2] << 16 | (size_t)in[in_len - 1] << 24;
	ret = unpack_reserve(&s.out, isize / 1032 <= in_len ? isize : 0);
	if (ret == -EFBIG)
		ret = 0;
	h = malloc(2 * sizeof(*h));
	if (!h)
		ret = -ENOMEM;
	while (!ret) {
		last = get_bits(&s, 1);
		switch (get_bits(&s, 2)) {
		case 0: ret = inflate_stored(&s); break;
		case 1: ret = inflate_fixed(&s, &h[0], &h[1]); break;
		case 2: ret = inflate_dynamic(&s, &h[0], &h[1]); break;
		default: ret = -EINVAL;
		}
		if (s.bad)
			ret = -EINVAL;
		if (last)
			break;
	}
	free(h);
	if (ret < 0) {
		free(s.out.buf);
		return ret;
	}
	*out = s.out.buf;
	*out_len = s.out.pos;
	return 0;
}
