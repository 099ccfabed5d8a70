/*
 * A growable byte buffer.  Every append reports failure (out of memory or
 * past the size cap) by returning -1 and leaving the buffer as it was, so
 * callers can check once at the end with sb->failed.
 */
#ifndef CONFERO_SBUF_H
#define CONFERO_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p;                        /* NUL-terminated while non-NULL */
	size_t len, cap;
	int failed;
};

int sb_add(struct sbuf *, const void *data, size_t n);
int sb_str(struct sbuf *, const char *s);
int sb_printf(struct sbuf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget the contents, keep the memory. */
void sb_reset(struct sbuf *);
void sb_free(struct sbuf *);

#endif
