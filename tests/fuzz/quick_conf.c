/* awg-quick config files. */
#include "fuzz.h"
#include "quick_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quick_conf qc = { 0 };
	struct quick_error err = { 0 };
	int fd = fuzz_fd(data, size);

	quick_conf_parse_fd(fd, &qc, &err);
	close(fd);
	quick_conf_free(&qc);
	return 0;
}
