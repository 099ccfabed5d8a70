/*
 * A main() for a harness without libFuzzer: every file named (a directory:
 * every file in it) goes once through LLVMFuzzerTestOneInput, with TAP
 * output for scripts/test ("ok 3 - path").  Without arguments: the
 * harness's committed corpus and regressions (FZ_NAME is the harness,
 * paths relative to the top directory, where scripts/test runs).  A crash
 * or a failed property is reported as "not ok" for the file that caused
 * it, then the process dies as it would have.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FZ_NAME
#error "compile with -DFZ_NAME=\"harness\""
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

static char **files;
static size_t nfiles, capfiles;
static volatile sig_atomic_t current = -1;
static int reported;

static void
add_file(const char *path)
{
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 64;
		if ((files = realloc(files, capfiles * sizeof(*files))) == NULL)
			abort();
	}
	if ((files[nfiles++] = strdup(path)) == NULL)
		abort();
}

static int
skip_name(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A file, or the regular files of a directory in name order. */
static void
add_path(const char *path, int must)
{
	struct dirent **ents;
	struct stat st;
	char buf[4096];
	int n, i;

	if (stat(path, &st) != 0) {
		if (must) {
			fprintf(stderr, "replay: %s: cannot stat\n", path);
			exit(2);
		}
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	if ((n = scandir(path, &ents, skip_name, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", path, ents[i]->d_name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			add_file(buf);
		free(ents[i]);
	}
	free(ents);
}

/* Async-signal-safe: write(2) only. */
static void
say_crash(void)
{
	char num[24], *p = num + sizeof(num);
	long i = (long)current;
	const char *path;

	if (reported || i < 0)
		return;
	reported = 1;
	path = files[i];
	*--p = '\0';
	i++;
	do
		*--p = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	if (write(1, "not ok ", 7) < 0 || write(1, p, strlen(p)) < 0 ||
	    write(1, " - ", 3) < 0 || write(1, path, strlen(path)) < 0 ||
	    write(1, " (crashed)\n", 11) < 0)
		return;
}

static void
on_signal(int sig)
{
	say_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		if ((r = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	unsigned char *data;
	size_t i, len;
	int k;

	if (argc > 1)
		for (k = 1; k < argc; k++)
			add_path(argv[k], 1);
	else {
		add_path("tests/fuzz/corpus/" FZ_NAME, 0);
		add_path("tests/fuzz/regressions/" FZ_NAME, 0);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_crash);
	for (k = 0; k < (int)(sizeof(sigs) / sizeof(sigs[0])); k++)
		signal(sigs[k], on_signal);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", nfiles);
	for (i = 0; i < nfiles; i++) {
		if ((data = slurp(files[i], &len)) == NULL) {
			printf("not ok %zu - %s (cannot read)\n", i + 1, files[i]);
			continue;
		}
		current = (sig_atomic_t)i;
		LLVMFuzzerTestOneInput(data, len);
		current = -1;
		free(data);
		printf("ok %zu - %s\n", i + 1, files[i]);
	}
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return 0;
}
