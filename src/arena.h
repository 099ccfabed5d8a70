/*
 * Per-request memory.  Everything allocated from an arena, and everything
 * registered with arena_defer(), is released by one arena_free() when the
 * request completes.  Ownership rule: a function taking an arena returns
 * memory owned by that arena; the caller never frees it.
 */
#ifndef CONFERO_ARENA_H
#define CONFERO_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *);
void *arena_alloc(struct arena *, size_t);
void *arena_calloc(struct arena *, size_t, size_t);
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_printf(struct arena *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Run fn(p) at arena_free(), in reverse order of registration. */
int arena_defer(struct arena *, void (*fn)(void *), void *p);

#endif
