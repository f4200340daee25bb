/* Key decoding: base64 and hex must agree with their own encoders. */
#include "fuzz.h"
#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[KEY_HEX_LEN];
	uint8_t k[KEY_LEN];

	memcpy(s, data, size);
	s[size] = '\0';
	if (key_from_base64(k, s) == 0) {
		key_to_base64(out, k);
		if (strcmp(out, s))
			abort();	/* only the canonical form is taken */
	}
	if (key_from_hex(k, s) == 0) {
		key_to_hex(out, k);
		if (strcasecmp(out, s))
			abort();
	}
	free(s);
	return 0;
}
