/* Whole reads and writes on a file descriptor, with no stdio buffer in
 * between (a key read through one would linger in libc's memory). */
#ifndef AWGBOX_IO_H
#define AWGBOX_IO_H

#include <stddef.h>
#include <sys/types.h>

/* read() until len bytes or end of file, again after EINTR: the number of
 * bytes read (less than len only at end of file), or -errno. */
ssize_t io_read_full(int fd, void *buf, size_t len);
/* write() all len bytes, again after EINTR: 0, or -errno (-EIO when the
 * file takes no more). */
int io_write_full(int fd, const void *buf, size_t len);

#endif
