/* Error texts as glibc words them: upstream's messages (Debian's tools) say
 * "Operation not supported" where musl says "Not supported". */
#ifndef AWGBOX_ERRTEXT_H
#define AWGBOX_ERRTEXT_H

/* strerror(), with glibc's words for the errors our tools report */
const char *err_text(int err);

#endif
