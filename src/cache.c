/* Fixed-size hash table, one mutex, entries expire or die with a bump. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cache.h"
#include "timeutil.h"

#define SLOTS 4096
#define VALMAX 1280

struct entry {
	unsigned char key[32];
	long long expires;              /* monotonic ms */
	unsigned long gen;
	size_t len;
	unsigned char val[VALMAX];
};

static struct entry *table;
/* Atomic: cache_generation() is read without the mutex, on the event thread too. */
static atomic_ulong generation = 1;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;

static void
digest(int kind, const void *key, size_t keylen, unsigned char out[32])
{
	crypto_generichash_state st;
	unsigned char k = (unsigned char)kind;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(&st, key, keylen);
	crypto_generichash_final(&st, out, 32);
}

int
cache_get(int kind, const void *key, size_t keylen, void *out, size_t len)
{
	unsigned char d[32];
	struct entry *e;
	int hit = 0;

	if (len > VALMAX)
		return 0;
	digest(kind, key, keylen, d);
	pthread_mutex_lock(&mtx);
	if (table != NULL) {
		e = &table[(d[0] | (d[1] << 8)) % SLOTS];
		if (e->gen == generation && e->len == len && e->expires > mono_ms() &&
		    memcmp(e->key, d, 32) == 0) {
			memcpy(out, e->val, len);
			hit = 1;
		}
	}
	pthread_mutex_unlock(&mtx);
	return hit;
}

void
cache_put(int kind, const void *key, size_t keylen, const void *val,
    size_t len, int ttl_ms)
{
	unsigned char d[32];
	struct entry *e;

	if (len > VALMAX)
		return;
	digest(kind, key, keylen, d);
	pthread_mutex_lock(&mtx);
	if (table == NULL)
		table = calloc(SLOTS, sizeof(*table));
	if (table != NULL) {
		e = &table[(d[0] | (d[1] << 8)) % SLOTS];
		memcpy(e->key, d, 32);
		memcpy(e->val, val, len);
		e->len = len;
		e->gen = generation;
		e->expires = mono_ms() + ttl_ms;
	}
	pthread_mutex_unlock(&mtx);
}

void
cache_bump(void)
{
	atomic_fetch_add(&generation, 1);
}

unsigned long
cache_generation(void)
{
	return atomic_load(&generation);
}

void
cache_free(void)
{
	pthread_mutex_lock(&mtx);
	if (table != NULL)
		sodium_memzero(table, SLOTS * sizeof(*table));
	free(table);
	table = NULL;
	pthread_mutex_unlock(&mtx);
}
