/* Per-address hit counters in fixed windows (see ratelimit.h). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define SLOTS 16384                     /* power of two */
#define PROBE 16

struct slot {
	uint64_t key;                   /* 0: free */
	long long start;                /* window start */
	int hits;
};

static struct slot table[SLOTS];
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static unsigned char hkey[crypto_shorthash_KEYBYTES];
static int keyed;

static uint64_t
key_of(const char *scope, const char *addr)
{
	unsigned char out[crypto_shorthash_BYTES];
	char buf[192];
	size_t n;
	uint64_t k;

	n = (size_t)snprintf(buf, sizeof(buf), "%s\n%s", scope, addr);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	crypto_shorthash(out, (const unsigned char *)buf, n, hkey);
	memcpy(&k, out, sizeof(k));
	return k ? k : 1;
}

int
ratelimit_hit(const char *scope, const char *addr, int max, int window, long long now,
    long long *retry_after)
{
	struct slot *victim = NULL, *s;
	uint64_t k;
	int ok = 1;

	*retry_after = 0;
	if (max <= 0 || window <= 0)
		return 1;
	pthread_mutex_lock(&mtx);
	if (!keyed) {
		randombytes_buf(hkey, sizeof(hkey));
		keyed = 1;
	}
	k = key_of(scope, addr);
	for (int i = 0; i < PROBE; i++) {
		s = &table[(k + (uint64_t)i) & (SLOTS - 1)];
		if (s->key == k) {
			victim = s;
			break;
		}
		/* Else a free slot, else the window that began first (ended or not). */
		if (victim == NULL || (victim->key != 0 && (s->key == 0 || s->start < victim->start)))
			victim = s;
	}
	s = victim;
	if (s->key != k || s->start + window <= now) {
		s->key = k;
		s->start = now;
		s->hits = 0;
	}
	if (s->hits >= max) {
		*retry_after = s->start + window - now;
		if (*retry_after < 1)
			*retry_after = 1;
		ok = 0;
	} else
		s->hits++;
	pthread_mutex_unlock(&mtx);
	return ok;
}

void
ratelimit_reset(void)
{
	pthread_mutex_lock(&mtx);
	memset(table, 0, sizeof(table));
	pthread_mutex_unlock(&mtx);
}
