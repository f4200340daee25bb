/* `set` arguments: the input split at NUL bytes into argv. */
#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_opts o = { 0 };
	struct conf_error err;
	struct wg_device *d;
	char *copy, *argv[64];
	int argc = 0;

	if (!size)
		return 0;
	o.flavor = data[0] & 1 ? FLAVOR_WG : FLAVOR_AWG;
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (char *p = copy; p < copy + size - 1 && argc < 64; p += strlen(p) + 1) {
		/* key files would be opened: keep the fuzzer off the disk */
		if (!strcmp(p, "private-key") || !strcmp(p, "preshared-key") ||
		    !strcmp(p, "header-protection-key"))
			p[0] = 'X';
		argv[argc++] = p;
	}
	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	if (conf_parse_args(argc, argv, &o, &d, &err) == 0)
		device_free(d);
	free(copy);
	return 0;
}
