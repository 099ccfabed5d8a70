/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c) and their plain
 * replay build (replay_main.c): the entry points, an assertion that is a
 * crash for libFuzzer, and a fixed configuration with no database.
 */
#ifndef CONFERO_FUZZ_H
#define CONFERO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property that must hold: print where and why, then abort (a crash). */
#define FZ_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

/*
 * Parse a configuration from kv ("CONFERO_X", "value", …, NULL) and the
 * defaults, never from the environment (make test exports the test
 * MariaDB's CONFERO_DB_*): no database socket that exists, a fixed server
 * secret.  Sets cfg and initialises libsodium.  Exits on an invalid one.
 */
void fz_config(const char *const *kv);

/* data as a malloc'd NUL-terminated string (embedded NULs kept in size). */
char *fz_str(const uint8_t *data, size_t size);

/* Split at the first NUL: *b (may be empty) points after it, in s. */
void fz_split(char *s, size_t size, char **b, size_t *blen);

/* Split s (size bytes) at NULs into at most max fields; returns how many. */
size_t fz_fields(char *s, size_t size, char **f, size_t max);

/* i18n, auth and the (unreachable) database pool for the handler harnesses. */
void fz_server_init(void);

/* The event "fuzz" (id 7, en + sl, open until 2099) the handlers see. */
struct event_ref;
void fz_event_fixture(struct event_ref *ev);

/* The repository's top directory (where tests/, web/ and mail-templates/ are). */
const char *fz_top(void);

#endif
