/* A bump allocator in growing blocks plus a cleanup list. */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(max_align_t) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct block *blocks;
	struct cleanup *cleanups;
};

/*
 * Each thread keeps one spare standard block: a request's first block is
 * then the previous request's, not a fresh 8 KiB from malloc (which, past
 * the per-thread cache, takes an arena lock and consolidates free chunks).
 */
#define BLOCK 8192
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void
spare_init(void)
{
	/* The destructor frees a thread's spare when the thread ends. */
	spare_ok = pthread_key_create(&spare_key, free) == 0;
}

static struct block *
block_get(size_t sz)
{
	struct block *b = NULL;

	pthread_once(&spare_once, spare_init);
	if (sz == BLOCK && spare_ok && (b = pthread_getspecific(spare_key)) != NULL)
		pthread_setspecific(spare_key, NULL);
	else if ((b = malloc(sizeof(*b) + sz)) == NULL)
		return NULL;
	b->size = sz;
	b->used = 0;
	return b;
}

static void
block_put(struct block *b)
{
	if (b->size == BLOCK && spare_ok && pthread_getspecific(spare_key) == NULL &&
	    pthread_setspecific(spare_key, b) == 0)
		return;
	free(b);
}

struct arena *
arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	struct block *b, *nb;
	struct cleanup *c, *nc;

	if (a == NULL)
		return;
	for (c = a->cleanups; c != NULL; c = nc) {
		nc = c->next;
		c->fn(c->p);
	}
	for (b = a->blocks; b != NULL; b = nb) {
		nb = b->next;
		block_put(b);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b;
	size_t sz, al = _Alignof(max_align_t);
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + al - 1) & ~(al - 1);
	if (n == 0)
		n = al;
	b = a->blocks;
	if (b == NULL || b->size - b->used < n) {
		sz = n > BLOCK ? n : BLOCK;
		if ((b = block_get(sz)) == NULL)
			return NULL;
		/* A big one-off block goes behind the current one. */
		if (n > BLOCK && a->blocks != NULL) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
	void *p;

	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	if ((p = arena_alloc(a, n * sz)) != NULL)
		memset(p, 0, n * sz);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if ((p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c;

	if ((c = arena_alloc(a, sizeof(*c))) == NULL)
		return -1;
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}
