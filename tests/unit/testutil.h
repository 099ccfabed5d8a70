/*
 * Helpers shared by the unit tests (header-only: each test is its own
 * program).  make_tmpdir: a fresh private directory under /tmp named after
 * the test and the process, created with mkdir so that it is ours alone.
 */
#ifndef CONFERO_TESTUTIL_H
#define CONFERO_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static inline int
make_tmpdir(char *out, size_t len, const char *tag)
{
	static unsigned int seq;
	int i, n;

	for (i = 0; i < 100; i++) {
		n = snprintf(out, len, "/tmp/confero-%s-%ld-%ld-%u", tag, (long)getpid(),
		    (long)time(NULL), seq++);
		if (n < 0 || (size_t)n >= len)
			return -1;
		if (mkdir(out, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

#endif
