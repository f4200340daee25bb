/* Generic netlink GET_DEVICE dump messages from the kernel. */
#include "device.h"
#include "fuzz.h"
#include "genl_wg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *d = device_new();
	/* netlink messages are 4-byte aligned in the receive buffer */
	void *buf = malloc(size + 1);

	memcpy(buf, data, size);
	genl_wg_parse_dump(buf, size, d);
	free(buf);
	device_free(d);
	return 0;
}
