#include <errno.h>
#include <string.h>

#include "errtext.h"

const char *err_text(int err)
{
#ifndef __GLIBC__
	static const struct { unsigned char err; const char *text; } glibc[] = {
		{ EIO, "Input/output error" },
		{ ENOMEM, "Cannot allocate memory" },
		{ EBUSY, "Device or resource busy" },
		{ EMFILE, "Too many open files" },
		{ ENOTTY, "Inappropriate ioctl for device" },
		{ ERANGE, "Numerical result out of range" },
		{ ENAMETOOLONG, "File name too long" },
		{ ELOOP, "Too many levels of symbolic links" },
		{ EOVERFLOW, "Value too large for defined data type" },
		{ EILSEQ, "Invalid or incomplete multibyte or wide character" },
		{ ENOTSOCK, "Socket operation on non-socket" },
		{ EMSGSIZE, "Message too long" },
		{ EOPNOTSUPP, "Operation not supported" },
		{ EADDRINUSE, "Address already in use" },
		{ EADDRNOTAVAIL, "Cannot assign requested address" },
		{ ENETUNREACH, "Network is unreachable" },
		{ ECONNABORTED, "Software caused connection abort" },
		{ ETIMEDOUT, "Connection timed out" },
		{ EHOSTUNREACH, "No route to host" },
		{ EINPROGRESS, "Operation now in progress" },
		{ EDQUOT, "Disk quota exceeded" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(glibc) / sizeof(glibc[0]); i++)
		if (glibc[i].err == err)
			return glibc[i].text;
#endif
	return strerror(err < 0 ? -err : err);
}
