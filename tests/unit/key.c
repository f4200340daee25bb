/* Keys: RFC 7748 vectors, upstream's base64 and hex rules. */
#include <errno.h>

#include <sodium.h>

#include "key.h"
#include "t.h"

static void from_hex(uint8_t out[KEY_LEN], const char *hex)
{
	t_check(key_from_hex(out, hex) == 0, "bad hex in test: %s", hex);
}

static void check_pub(const char *priv_hex, const char *pub_hex)
{
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	char got[KEY_HEX_LEN];

	from_hex(priv, priv_hex);
	key_public(pub, priv);
	key_to_hex(got, pub);
	t_check_str(got, pub_hex);
}

int main(void)
{
	uint8_t k[KEY_LEN], u[KEY_LEN], r[KEY_LEN];
	char b64[KEY_B64_LEN], hex[KEY_HEX_LEN];

	t_begin("RFC 7748 6.1: Alice's and Bob's public keys");
	check_pub("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	check_pub("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	t_end();

	t_begin("RFC 7748 5.2: X25519 iterated 1 and 1000 times");
	memset(k, 0, sizeof(k));
	memset(u, 0, sizeof(u));
	k[0] = u[0] = 9;
	for (int i = 1; i <= 1000; i++) {
		t_check(crypto_scalarmult_curve25519(r, k, u) == 0, "scalarmult failed at %d", i);
		memcpy(u, k, KEY_LEN);
		memcpy(k, r, KEY_LEN);
		if (i == 1) {
			key_to_hex(hex, k);
			t_check_str(hex, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
		}
	}
	key_to_hex(hex, k);
	t_check_str(hex, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	t_end();

	t_begin("the all-zero private key has upstream's public key");
	memset(k, 0, sizeof(k));
	key_public(r, k);
	key_to_base64(b64, r);
	t_check_str(b64, "L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q=");
	t_end();

	t_begin("base64 round trip");
	t_check(key_from_base64(k, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=") == 0, "valid key refused");
	key_to_base64(b64, k);
	t_check_str(b64, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
	key_public(r, k);
	key_to_base64(b64, r);
	t_check_str(b64, "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=");
	t_end();

	t_begin("base64: only 44 characters of canonical standard base64 ending in '='");
	static const char *bad[] = {
		"",
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk",		/* 43, no pad */
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk==",	/* 45 */
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=",	/* stray low bits */
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm==",	/* two pads */
		"yAnz5TF-lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",	/* url alphabet */
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3f mk=",	/* space */
		"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA",	/* no pad */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		t_check(key_from_base64(k, bad[i]) == -EINVAL, "accepted \"%s\"", bad[i]);
	t_end();

	t_begin("base64: the 43rd character may only be one of AEIMQUYcgkosw048");
	for (int c = 0; c < 256; c++) {
		char s[KEY_B64_LEN];

		memcpy(s, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=", KEY_B64_LEN);
		s[42] = (char)c;
		bool ok = c && strchr("AEIMQUYcgkosw048", c);
		t_check((key_from_base64(k, s) == 0) == ok, "43rd char 0x%02x: %s", c,
			ok ? "refused" : "accepted");
	}
	t_end();

	t_begin("hex: 64 digits of either case, lowercase out");
	t_check(key_from_hex(k, "C8096737E3ABD41B5A9DEC9EE8C9A78A12ADDDF0FDA11E81C47C3D3D4C8D8F5D") == 0, "uppercase refused");
	key_to_hex(hex, k);
	t_check_str(hex, "c8096737e3abd41b5a9dec9ee8c9a78a12adddf0fda11e81c47c3d3d4c8d8f5d");
	t_check(key_from_hex(k, "c8096737e3abd41b5a9dec9ee8c9a78a12adddf0fda11e81c47c3d3d4c8d8f5") < 0, "63 digits accepted");
	t_check(key_from_hex(k, "c8096737e3abd41b5a9dec9ee8c9a78a12adddf0fda11e81c47c3d3d4c8d8f5dd") < 0, "65 digits accepted");
	t_check(key_from_hex(k, "g8096737e3abd41b5a9dec9ee8c9a78a12adddf0fda11e81c47c3d3d4c8d8f5d") < 0, "non-hex accepted");
	t_end();

	t_begin("clamping as RFC 7748 / upstream genkey");
	memset(k, 0xff, sizeof(k));
	key_clamp(k);
	t_check(k[0] == 248 && k[31] == 127 && k[15] == 0xff, "clamped to %02x..%02x", k[0], k[31]);
	memset(k, 0, sizeof(k));
	key_clamp(k);
	t_check(k[0] == 0 && k[31] == 64, "clamped zero to %02x..%02x", k[0], k[31]);
	t_end();

	t_begin("key_is_zero and key_equal");
	memset(k, 0, sizeof(k));
	t_check(key_is_zero(k), "zero key not zero");
	k[31] = 1;
	t_check(!key_is_zero(k), "non-zero key zero");
	memcpy(r, k, KEY_LEN);
	t_check(key_equal(k, r), "equal keys differ");
	r[0] ^= 1;
	t_check(!key_equal(k, r), "different keys equal");
	t_end();

	return t_done();
}
