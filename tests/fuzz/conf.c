/* Config files: first byte picks the flavour and setconf/addconf. */
#include "conf.h"
#include "fuzz.h"
#include "showconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_opts o = { 0 };
	struct conf_error err;
	struct wg_device *d;

	if (!size)
		return 0;
	o.flavor = data[0] & 1 ? FLAVOR_WG : FLAVOR_AWG;
	o.append = data[0] & 2;
	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	if (conf_parse_text((const char *)data + 1, size - 1, &o, &d, &err) == 0) {
		/* whatever parses must print, and the print must parse again */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct wg_device *d2;

		showconf_write(f, o.flavor, d);
		fclose(f);
		o.append = false;
		if (conf_parse_text(buf, len, &o, &d2, &err) != 0)
			abort();
		device_free(d2);
		free(buf);
		device_free(d);
	}
	return 0;
}
