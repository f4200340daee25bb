/*
 * .xz decoder: the container (stream header, blocks) and LZMA2/LZMA.
 * The whole output stays in memory, so it is the LZMA dictionary too and
 * matches may reach back to the last dictionary reset.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

/* Probability array layout (LZMA's adaptive bit models, 11-bit). */
enum {
	P_IS_MATCH = 0,				/* [state][pos_state]: 12 << 4 */
	P_IS_REP = P_IS_MATCH + 192,		/* [state] */
	P_IS_REP_G0 = P_IS_REP + 12,
	P_IS_REP_G1 = P_IS_REP_G0 + 12,
	P_IS_REP_G2 = P_IS_REP_G1 + 12,
	P_IS_REP0_LONG = P_IS_REP_G2 + 12,	/* [state][pos_state] */
	P_POS_SLOT = P_IS_REP0_LONG + 192,	/* [len_state 0-3][6-bit tree] */
	P_SPEC_POS = P_POS_SLOT + 256,		/* distances of slots 4-13 */
	P_ALIGN = P_SPEC_POS + 115,		/* low 4 bits of long distances */
	P_LEN = P_ALIGN + 16,			/* match lengths, see lzma_len() */
	P_REP_LEN = P_LEN + 514,		/* repeated-match lengths */
	P_LITERAL = P_REP_LEN + 514,		/* 0x300 per literal context */
	P_TOTAL = P_LITERAL + 0x300 * 16,	/* lc + lp <= 4 */
};

struct lzma {
	struct unpack_out out;
	size_t dict_start;		/* matches may not reach before this */
	const uint8_t *in, *in_end;	/* range coder input of this chunk */
	uint32_t range, code;
	uint32_t rep[4];
	unsigned state, lc, lp, pb;
	bool bad;
	uint16_t probs[P_TOTAL];
};

static uint8_t rc_byte(struct lzma *s)
{
	if (s->in < s->in_end)
		return *s->in++;
	s->bad = true;
	return 0;
}

static void rc_normalize(struct lzma *s)
{
	if (s->range < (1u << 24)) {
		s->range <<= 8;
		s->code = (s->code << 8) | rc_byte(s);
	}
}

static unsigned rc_bit(struct lzma *s, uint16_t *p)
{
	uint32_t bound = (s->range >> 11) * *p;
	unsigned bit;

	if (s->code < bound) {
		s->range = bound;
		*p += (2048 - *p) >> 5;
		bit = 0;
	} else {
		s->range -= bound;
		s->code -= bound;
		*p -= *p >> 5;
		bit = 1;
	}
	rc_normalize(s);
	return bit;
}

/* n bits, most significant first, through a binary tree of models */
static unsigned rc_tree(struct lzma *s, unsigned base, unsigned n)
{
	unsigned m = 1;

	for (unsigned i = 0; i < n; i++)
		m = (m << 1) | rc_bit(s, &s->probs[base + m]);
	return m - (1u << n);
}

/* the same, least significant bit first */
static unsigned rc_tree_reverse(struct lzma *s, unsigned base, unsigned n)
{
	unsigned m = 1, sym = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned bit = rc_bit(s, &s->probs[base + m]);

		m = (m << 1) | bit;
		sym |= bit << i;
	}
	return sym;
}

/* n bits of probability one half */
static uint32_t rc_direct(struct lzma *s, unsigned n)
{
	uint32_t v = 0;

	while (n--) {
		s->range >>= 1;
		v <<= 1;
		if (s->code >= s->range) {
			s->code -= s->range;
			v |= 1;
		}
		rc_normalize(s);
	}
	return v;
}

static void lzma_reset_state(struct lzma *s)
{
	for (unsigned i = 0; i < P_TOTAL; i++)
		s->probs[i] = 1024;
	memset(s->rep, 0, sizeof(s->rep));
	s->state = 0;
}

static void lzma_literal(struct lzma *s)
{
	uint8_t *o = s->out.buf;
	size_t pos = s->out.pos;
	unsigned prev = pos > s->dict_start ? o[pos - 1] : 0;
	unsigned ctx = ((pos & ((1u << s->lp) - 1)) << s->lc) + (prev >> (8 - s->lc));
	unsigned base = P_LITERAL + 0x300 * ctx, sym = 1;

	if (s->state >= 7) {
		/* after a match the byte at rep0 predicts this one */
		unsigned match = o[pos - s->rep[0] - 1];

		while (sym < 0x100) {
			unsigned mbit = (match >> 7) & 1, bit;

			match <<= 1;
			bit = rc_bit(s, &s->probs[base + 0x100 + (mbit << 8) + sym]);
			sym = (sym << 1) | bit;
			if (bit != mbit)
				break;
		}
	}
	while (sym < 0x100)
		sym = (sym << 1) | rc_bit(s, &s->probs[base + sym]);
	o[s->out.pos++] = (uint8_t)sym;
	s->state = s->state < 4 ? 0 : s->state < 10 ? s->state - 3 : s->state - 6;
}

/* Match length minus 2: choice bits, then a 3-, 3- or 8-bit tree. */
static unsigned lzma_len(struct lzma *s, unsigned base, unsigned ps)
{
	if (!rc_bit(s, &s->probs[base]))
		return rc_tree(s, base + 2 + ps * 8, 3);
	if (!rc_bit(s, &s->probs[base + 1]))
		return 8 + rc_tree(s, base + 130 + ps * 8, 3);
	return 16 + rc_tree(s, base + 258, 8);
}

static uint32_t lzma_distance(struct lzma *s, unsigned len)
{
	unsigned slot = rc_tree(s, P_POS_SLOT + ((len < 3 ? len : 3) << 6), 6), n;
	uint32_t dist;

	if (slot < 4)
		return slot;
	n = (slot >> 1) - 1;
	dist = (2 | (slot & 1)) << n;
	if (slot < 14)
		return dist + rc_tree_reverse(s, P_SPEC_POS + dist - slot, n);
	dist += rc_direct(s, n - 4) << 4;
	return dist + rc_tree_reverse(s, P_ALIGN, 4);
}

/* Decode symbols until `size` more bytes are out (one LZMA2 chunk). */
static int lzma_chunk(struct lzma *s, size_t size)
{
	size_t end = s->out.pos + size;

	while (s->out.pos < end && !s->bad) {
		unsigned ps = s->out.pos & ((1u << s->pb) - 1), st = s->state, len;
		size_t have = s->out.pos - s->dict_start;

		if (!rc_bit(s, &s->probs[P_IS_MATCH + (st << 4) + ps])) {
			if (st >= 7 && s->rep[0] >= have)
				return -EINVAL;
			lzma_literal(s);
			continue;
		}
		if (!rc_bit(s, &s->probs[P_IS_REP + st])) {
			len = lzma_len(s, P_LEN, ps);
			s->state = st < 7 ? 7 : 10;
			s->rep[3] = s->rep[2];
			s->rep[2] = s->rep[1];
			s->rep[1] = s->rep[0];
			s->rep[0] = lzma_distance(s, len);
		} else {
			if (!rc_bit(s, &s->probs[P_IS_REP_G0 + st])) {
				if (!rc_bit(s, &s->probs[P_IS_REP0_LONG + (st << 4) + ps])) {
					/* one byte from rep0 */
					if (s->rep[0] >= have)
						return -EINVAL;
					s->state = st < 7 ? 9 : 11;
					s->out.buf[s->out.pos] = s->out.buf[s->out.pos - s->rep[0] - 1];
					s->out.pos++;
					continue;
				}
			} else {
				uint32_t d;

				if (!rc_bit(s, &s->probs[P_IS_REP_G1 + st])) {
					d = s->rep[1];
				} else {
					if (!rc_bit(s, &s->probs[P_IS_REP_G2 + st])) {
						d = s->rep[2];
					} else {
						d = s->rep[3];
						s->rep[3] = s->rep[2];
					}
					s->rep[2] = s->rep[1];
				}
				s->rep[1] = s->rep[0];
				s->rep[0] = d;
			}
			len = lzma_len(s, P_REP_LEN, ps);
			s->state = st < 7 ? 8 : 11;
		}
		len += 2;
		/* also catches the end marker (distance 0xffffffff), which
		 * LZMA2 does not use */
		if (s->rep[0] >= have || len > end - s->out.pos)
			return -EINVAL;
		for (; len; len--, s->out.pos++)
			s->out.buf[s->out.pos] = s->out.buf[s->out.pos - s->rep[0] - 1];
	}
	return s->bad ? -EINVAL : 0;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * LZMA2: chunks, each a control byte and either stored bytes or LZMA data
 * with its own range coder, until control byte 0.  *pp moves past it.
 */
static int lzma2_decode(struct lzma *s, const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	bool need_dict = true, need_props = true;
	int ret;

	for (;;) {
		unsigned c, reset;
		size_t size, packed;

		if (p >= end)
			return -EINVAL;
		c = *p++;
		if (!c)
			break;
		if (c == 1 || c >= 0xe0) {
			s->dict_start = s->out.pos;
			need_dict = false;
		} else if (need_dict) {
			return -EINVAL;
		}
		if (c < 0x80) {
			/* 1, 2: stored chunk */
			if (c > 2 || end - p < 2)
				return -EINVAL;
			size = be16(p) + 1;
			p += 2;
			if (size > (size_t)(end - p))
				return -EINVAL;
			ret = unpack_reserve(&s->out, size);
			if (ret < 0)
				return ret;
			memcpy(s->out.buf + s->out.pos, p, size);
			s->out.pos += size;
			p += size;
			continue;
		}
		if (end - p < 4)
			return -EINVAL;
		size = ((size_t)(c & 0x1f) << 16) + be16(p) + 1;
		packed = be16(p + 2) + 1;
		p += 4;
		reset = (c >> 5) & 3;
		if (reset >= 2) {
			/* new properties: (pb * 5 + lp) * 9 + lc */
			unsigned b;

			if (p >= end || (b = *p++) >= 9 * 5 * 5)
				return -EINVAL;
			s->lc = b % 9;
			s->lp = (b / 9) % 5;
			s->pb = b / 45;
			if (s->lc + s->lp > 4)
				return -EINVAL;
			need_props = false;
		} else if (need_props) {
			return -EINVAL;
		}
		if (reset >= 1)
			lzma_reset_state(s);
		if (packed > (size_t)(end - p) || packed < 5 || p[0])
			return -EINVAL;
		ret = unpack_reserve(&s->out, size);
		if (ret < 0)
			return ret;
		s->in = p + 1;
		s->in_end = p + packed;
		s->range = 0xffffffff;
		s->code = 0;
		for (int i = 0; i < 4; i++)
			s->code = (s->code << 8) | rc_byte(s);
		ret = lzma_chunk(s, size);
		if (ret < 0)
			return ret;
		p += packed;
	}
	*pp = p;
	return 0;
}

/* xz variable-length integer (7 bits a byte, low first) */
static int xz_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;

	*v = 0;
	for (unsigned shift = 0; shift < 63; shift += 7) {
		if (p >= end)
			return -EINVAL;
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			return 0;
		}
	}
	return -EINVAL;
}

/* A block header: only one filter, LZMA2 (id 0x21), is what modules use. */
static int xz_block_header(const uint8_t *p, size_t size)
{
	const uint8_t *end = p + size - 4;	/* the header's CRC32 follows */
	uint64_t v;
	unsigned flags = p[1];

	p += 2;
	if (flags & 0x3c)
		return -EINVAL;
	if (flags & 3)
		return -ENOTSUP;	/* a filter chain (BCJ, delta) */
	if ((flags & 0x40) && xz_varint(&p, end, &v) < 0)
		return -EINVAL;
	if ((flags & 0x80) && xz_varint(&p, end, &v) < 0)
		return -EINVAL;
	if (xz_varint(&p, end, &v) < 0)
		return -EINVAL;
	if (v != 0x21)
		return -ENOTSUP;
	if (xz_varint(&p, end, &v) < 0 || v != 1 || p >= end)
		return -EINVAL;
	return 0;
}

int unpack_xz(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, size_t max)
{
	static const uint8_t magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	const uint8_t *p = in + 12, *end = in + in_len;
	struct lzma *s;
	size_t check;
	int ret = 0;

	if (in_len < 12 || memcmp(in, magic, 6) || in[6] || (in[7] & 0xf0))
		return -EINVAL;
	/* size of the check after each block: none, 4, 8, 16, 32 or 64 bytes */
	check = (in[7] & 0x0f) ? 4u << (((in[7] & 0x0f) - 1) / 3) : 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->out.max = max;
	/* blocks until the index (a header size byte of 0) */
	while (p < end && *p) {
		size_t hsize = ((size_t)*p + 1) * 4;
		const uint8_t *data = p + hsize;

		if (hsize > (size_t)(end - p)) {
			ret = -EINVAL;
			break;
		}
		ret = xz_block_header(p, hsize);
		if (ret < 0)
			break;
		p = data;
		ret = lzma2_decode(s, &p, end);
		if (ret < 0)
			break;
		p += (4 - ((size_t)(p - data) & 3)) & 3;	/* block padding */
		p += check;
	}
	if (!ret && p >= end)
		ret = -EINVAL;	/* no index: truncated */
	if (ret < 0) {
		free(s->out.buf);
	} else {
		*out = s->out.buf;
		*out_len = s->out.pos;
	}
	free(s);
	return ret;
}
