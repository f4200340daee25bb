/* Keys.  All secret-dependent work is libsodium's constant-time code. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

#include "key.h"

int key_from_base64(uint8_t key[KEY_LEN], const char *b64)
{
	size_t len = strlen(b64), got = 0;
	uint8_t tmp[KEY_LEN];
	int ret = -EINVAL;

	/* sodium_base642bin() alone would also take "...==" forms of other
	 * lengths; upstream takes exactly 44 characters with one '=' pad. */
	if (len == KEY_B64_LEN - 1 && b64[len - 1] == '=' &&
	    sodium_base642bin(tmp, sizeof(tmp), b64, len, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    got == KEY_LEN) {
		memcpy(key, tmp, KEY_LEN);
		ret = 0;
	}
	sodium_memzero(tmp, sizeof(tmp));
	return ret;
}

void key_to_base64(char b64[KEY_B64_LEN], const uint8_t key[KEY_LEN])
{
	sodium_bin2base64(b64, KEY_B64_LEN, key, KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

int key_from_hex(uint8_t key[KEY_LEN], const char *hex)
{
	size_t len = strlen(hex), got = 0;
	uint8_t tmp[KEY_LEN];
	int ret = -EINVAL;

	if (len == KEY_HEX_LEN - 1 &&
	    sodium_hex2bin(tmp, sizeof(tmp), hex, len, NULL, &got, NULL) == 0 &&
	    got == KEY_LEN) {
		memcpy(key, tmp, KEY_LEN);
		ret = 0;
	}
	sodium_memzero(tmp, sizeof(tmp));
	return ret;
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
