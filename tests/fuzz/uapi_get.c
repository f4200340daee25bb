/* A userspace implementation's `get` reply. */
#include "device.h"
#include "fuzz.h"
#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *d = device_new();
	int fd = fuzz_fd(data, size);

	strcpy(d->name, "fuzz0");
	uapi_read_device(fd, d);
	close(fd);
	device_free(d);
	return 0;
}
