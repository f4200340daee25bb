/* Keys.  All secret-dependent work is libsodium's constant-time code. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

#include "key.h"

/*
 * Decoding is our own, branch-free on the key's characters: libsodium 1.0.18's
 * sodium_base642bin() takes some bytes above 0x7f as base64 digits (found by
 * fuzzing), and upstream does not.
 */

/* -1 (all ones) when lo <= c <= hi, else 0; c, lo, hi in 0..255 */
static int in_range(int c, int lo, int hi)
{
	return ((lo - 1 - c) & (c - hi - 1)) >> 8;
}

/* the 6-bit value of a base64 digit, or -1 */
static int b64_digit(unsigned char ch)
{
	int c = ch;

	return -1 + (in_range(c, 'A', 'Z') & (c - 'A' + 1)) + (in_range(c, 'a', 'z') & (c - 'a' + 27)) +
	       (in_range(c, '0', '9') & (c - '0' + 53)) + (in_range(c, '+', '+') & 63) +
	       (in_range(c, '/', '/') & 64);
}

/* The decoded key, unless a digit was bad; tmp wiped either way. */
static int decoded(uint8_t key[KEY_LEN], uint8_t tmp[KEY_LEN], int bad)
{
	if (!bad)
		memcpy(key, tmp, KEY_LEN);
	sodium_memzero(tmp, KEY_LEN);
	return bad ? -EINVAL : 0;
}

int key_from_base64(uint8_t key[KEY_LEN], const char *b64)
{
	uint8_t tmp[KEY_LEN];
	int bad = 0;

	/* exactly 44 characters: 43 digits and '=', the last digit's two low
	 * bits unused and zero (the only form upstream takes) */
	if (strlen(b64) != KEY_B64_LEN - 1 || b64[KEY_B64_LEN - 2] != '=')
		return -EINVAL;
	for (int i = 0; i < 10; i++) {
		int d0 = b64_digit(b64[4 * i]), d1 = b64_digit(b64[4 * i + 1]);
		int d2 = b64_digit(b64[4 * i + 2]), d3 = b64_digit(b64[4 * i + 3]);
		uint32_t v = (uint32_t)d0 << 18 | (uint32_t)d1 << 12 | (uint32_t)d2 << 6 | (uint32_t)d3;

		bad |= (d0 | d1 | d2 | d3) >> 8;
		tmp[3 * i] = (uint8_t)(v >> 16);
		tmp[3 * i + 1] = (uint8_t)(v >> 8);
		tmp[3 * i + 2] = (uint8_t)v;
	}
	{
		int d0 = b64_digit(b64[40]), d1 = b64_digit(b64[41]), d2 = b64_digit(b64[42]);
		uint32_t v = (uint32_t)d0 << 18 | (uint32_t)d1 << 12 | (uint32_t)d2 << 6;

		bad |= (d0 | d1 | d2) >> 8;
		bad |= d2 & 3;
		tmp[30] = (uint8_t)(v >> 16);
		tmp[31] = (uint8_t)(v >> 8);
	}
	return decoded(key, tmp, bad);
}

void key_to_base64(char b64[KEY_B64_LEN], const uint8_t key[KEY_LEN])
{
	sodium_bin2base64(b64, KEY_B64_LEN, key, KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

/* the value of a hex digit, either case, or -1 */
static int hex_digit(unsigned char ch)
{
	int c = ch;

	return -1 + (in_range(c, '0', '9') & (c - '0' + 1)) + (in_range(c, 'a', 'f') & (c - 'a' + 11)) +
	       (in_range(c, 'A', 'F') & (c - 'A' + 11));
}

int key_from_hex(uint8_t key[KEY_LEN], const char *hex)
{
	uint8_t tmp[KEY_LEN];
	int bad = 0;

	if (strlen(hex) != KEY_HEX_LEN - 1)
		return -EINVAL;
	for (int i = 0; i < KEY_LEN; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		bad |= (hi | lo) >> 8;
		tmp[i] = (uint8_t)((unsigned int)hi << 4 | (unsigned int)lo);
	}
	return decoded(key, tmp, bad);
}

void key_to_hex(char hex[KEY_HEX_LEN], const uint8_t key[KEY_LEN])
{
	sodium_bin2hex(hex, KEY_HEX_LEN, key, KEY_LEN);
}

int key_random(uint8_t key[KEY_LEN])
{
	size_t done = 0;

	/* getrandom() blocks only until the pool is initialised, then never
	 * fails for 32 bytes; loop anyway for EINTR and short reads. */
	while (done < KEY_LEN) {
		ssize_t n = getrandom(key + done, KEY_LEN - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

void key_clamp(uint8_t key[KEY_LEN])
{
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

void key_public(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN])
{
	/* The Montgomery ladder on the base point u = 9, not libsodium's
	 * *_base(), which drags in a 30 KiB table of Edwards points.  The
	 * scalar is clamped inside, as upstream's curve25519 does. */
	static const uint8_t base[KEY_LEN] = { 9 };
	uint8_t out[KEY_LEN];
	int low_order;

	/* fails only for low-order points, and the base point is not one */
	low_order = crypto_scalarmult_curve25519(out, priv, base);
	(void)low_order;
	memcpy(pub, out, KEY_LEN);
	sodium_memzero(out, sizeof(out));
}

bool key_is_zero(const uint8_t key[KEY_LEN])
{
	return sodium_is_zero(key, KEY_LEN);
}

bool key_equal(const uint8_t a[KEY_LEN], const uint8_t b[KEY_LEN])
{
	return sodium_memcmp(a, b, KEY_LEN) == 0;
}

void key_wipe(void *buf, unsigned long len)
{
	sodium_memzero(buf, len);
}
