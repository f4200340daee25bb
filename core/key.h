/* WireGuard keys: X25519 via libsodium, base64/hex encodings, randomness. */
#ifndef AWGBOX_KEY_H
#define AWGBOX_KEY_H

#include <stdbool.h>
#include <stdint.h>

#define KEY_LEN        32
#define KEY_B64_LEN    45	/* 44 characters and a NUL */
#define KEY_HEX_LEN    65	/* 64 characters and a NUL */

/* 0, or -EINVAL unless b64 is exactly 44 characters of standard base64 ending
 * in '=' whose last quantum has no stray bits (the only form upstream takes). */
int key_from_base64(uint8_t key[KEY_LEN], const char *b64);
void key_to_base64(char b64[KEY_B64_LEN], const uint8_t key[KEY_LEN]);

/* 0, or -EINVAL unless hex is exactly 64 hex digits (either case). */
int key_from_hex(uint8_t key[KEY_LEN], const char *hex);
void key_to_hex(char hex[KEY_HEX_LEN], const uint8_t key[KEY_LEN]);

/* 0 or -errno; fills key with KEY_LEN bytes from the kernel's CSPRNG. */
int key_random(uint8_t key[KEY_LEN]);
/* Make random bytes a valid X25519 private key (RFC 7748 clamping). */
void key_clamp(uint8_t key[KEY_LEN]);
/* pub = X25519(priv, 9); pub may alias priv. */
void key_public(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN]);

bool key_is_zero(const uint8_t key[KEY_LEN]);
bool key_equal(const uint8_t a[KEY_LEN], const uint8_t b[KEY_LEN]);
void key_wipe(void *buf, unsigned long len);

#endif
