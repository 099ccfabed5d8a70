/*
 * A small in-process cache for hot read paths (who is calling, event
 * lookups, memberships) with a short time-to-live.  Every change made
 * through this process calls cache_bump(), which empties it at once; other
 * instances behind the same load balancer see changes within the TTL.
 */
#ifndef CONFERO_CACHE_H
#define CONFERO_CACHE_H

#include <stddef.h>

#define CACHE_PRINCIPAL 'P'
#define CACHE_EVENT 'E'
#define CACHE_MEMBER 'M'
#define CACHE_TTYPE 'T'
#define CACHE_QUESTIONS 'Q'

/* Copy the value of (kind, key) into out; 1 on a hit. */
int cache_get(int kind, const void *key, size_t keylen, void *out, size_t len);
void cache_put(int kind, const void *key, size_t keylen, const void *val,
    size_t len, int ttl_ms);
void cache_bump(void);
/* Bumped by cache_bump(): what else caches (doccache.c) compares against. */
unsigned long cache_generation(void);
void cache_free(void);

#endif
