/* awg-quick config files: the first pass (the quick keys), then the second
 * (every other line straight into the config parser), as `up` reads them. */
#include "conf.h"
#include "fuzz.h"
#include "quick_conf.h"

static int feed(void *data, const char *line, size_t len, unsigned long lineno)
{
	return conf_stream_line(data, line, len, lineno);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quick_conf qc = { 0 };
	struct quick_error err = { 0 };
	struct conf_opts o = { .flavor = size && data[0] & 1 ? FLAVOR_WG : FLAVOR_AWG };
	struct conf_error cerr;
	struct conf_stream *s;
	struct wg_device *d = NULL;
	int fd = fuzz_fd(data, size);

	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	if (quick_conf_parse_fd(fd, &qc, &err) == 0 && fstat(fd, &qc.st) == 0 &&
	    conf_stream_new(&s, &o, &cerr) == 0) {
		qc.fd = fd;	/* not fd_open: closed below */
		conf_stream_end(s, quick_conf_pass(&qc, feed, s, &err), &d);
		device_free(d);
	}
	close(fd);
	quick_conf_free(&qc);
	return 0;
}
