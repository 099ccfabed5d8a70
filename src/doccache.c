/*
 * Direct-mapped slots under one mutex.  A slot holds the newest document
 * of its key and notes the build under way, if any; documents are
 * reference counted, so a reply may still be sending one the slot has
 * replaced.  Nothing here does I/O or waits while holding the mutex.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cache.h"
#include "doccache.h"
#include "timeutil.h"

/*
 * Memory is at most SLOTS documents: one stays until its slot is reused
 * (another key, or the next build of its own).
 */
#define SLOTS 256
/* The longest a reader waits for another thread's build before its own. */
#define WAIT_MS 5000

struct doc {
	atomic_uint refs;
	size_t len;
	char *body;
	char etag[35];                  /* '"', 32 hex digits, '"' */
};

struct slot {
	struct doc_key key;
	struct doc *doc;                /* the newest built, or NULL */
	unsigned long gen;              /* cache generation it was built in */
	long long born;                 /* when its build started */
	unsigned long long build;       /* the claim under way, 0: none */
	unsigned long build_gen;
	long long build_since;
};

static struct slot slots[SLOTS];
static unsigned long long claims;
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t built;            /* a build ended; on CLOCK_MONOTONIC */
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

long long
doccache_now(void)
{
	return mono_ms();
}

static void
built_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&built, &a);
	pthread_condattr_destroy(&a);
}

static void
lock(void)
{
	pthread_once(&built_once, built_init);
	pthread_mutex_lock(&mtx);
}

const char *
doc_body(const struct doc *d, size_t *len)
{
	*len = d->len;
	return d->body;
}

const char *
doc_etag(const struct doc *d)
{
	return d->etag;
}

void
doc_release(void *p)
{
	struct doc *d = p;

	if (d != NULL && atomic_fetch_sub(&d->refs, 1) == 1) {
		free(d->body);
		free(d);
	}
}

static struct doc *
doc_ref(struct doc *d)
{
	atomic_fetch_add(&d->refs, 1);
	return d;
}

/* Takes body: it is in the document or freed. */
static struct doc *
doc_new(char *body, size_t len)
{
	unsigned char h[16];
	struct doc *d;

	if ((d = malloc(sizeof(*d))) == NULL) {
		free(body);
		return NULL;
	}
	atomic_init(&d->refs, 1);
	d->body = body;
	d->len = len;
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, len, NULL, 0);
	d->etag[0] = '"';
	sodium_bin2hex(d->etag + 1, 33, h, sizeof(h));
	d->etag[33] = '"';
	d->etag[34] = '\0';
	return d;
}

static struct slot *
slot_of(const struct doc_key *k)
{
	const unsigned char *p = (const unsigned char *)&k->id;
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(k->id); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (p = (const unsigned char *)k->variant; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return &slots[h % SLOTS];
}

static int
same_key(const struct slot *s, const struct doc_key *k)
{
	return s->key.id == k->id && strcmp(s->key.variant, k->variant) == 0;
}

/* The slot's document, if it may be served to a reader of not_before. */
static int
usable(const struct slot *s, const struct doc_key *k, unsigned long gen,
    long long not_before)
{
	return same_key(s, k) && s->doc != NULL && s->gen == gen &&
	    s->born >= not_before;
}

/* A build is under way whose result would be kept. */
static int
building(const struct slot *s, const struct doc_key *k, unsigned long gen)
{
	return same_key(s, k) && s->build != 0 && s->build_gen == gen;
}

/* Under mtx: the next build of key is the caller's. */
static void
claim(struct slot *s, const struct doc_key *k, unsigned long gen, long long now,
    struct doc_claim *c)
{
	if (!same_key(s, k)) {
		/* Another key had the slot: its document and build are lost. */
		doc_release(s->doc);
		s->doc = NULL;
		s->key = *k;
	}
	s->build = c->seq = ++claims;
	s->build_gen = c->gen = gen;
	s->build_since = c->since = now;
}

/* Under mtx: serve the slot's document, claiming its refresh when due. */
static struct doc *
serve(struct slot *s, const struct doc_key *k, unsigned long gen, long long now,
    struct doc_claim *c)
{
	if (now - s->born >= DOC_REFRESH_MS && !building(s, k, gen))
		claim(s, k, gen, now, c);
	return doc_ref(s->doc);
}

struct doc *
doccache_peek(const struct doc_key *k, struct doc_claim *c)
{
	unsigned long gen = cache_generation();
	long long now = doccache_now();
	struct doc *d = NULL;
	struct slot *s;

	memset(c, 0, sizeof(*c));
	lock();
	s = slot_of(k);
	if (usable(s, k, gen, now - DOC_MAX_MS))
		d = serve(s, k, gen, now, c);
	pthread_mutex_unlock(&mtx);
	return d;
}

/* Under mtx: keep d (when given) and end claim c. */
static void
install(const struct doc_key *k, const struct doc_claim *c, struct doc *d)
{
	struct slot *s = slot_of(k);

	if (!same_key(s, k))
		return;
	/* A build that started before a bump may predate the change. */
	if (d != NULL && c->gen == cache_generation() &&
	    (s->doc == NULL || s->gen != c->gen || s->born <= c->since)) {
		doc_release(s->doc);
		s->doc = doc_ref(d);
		s->gen = c->gen;
		s->born = c->since;
	}
	if (s->build == c->seq)
		s->build = 0;
}

/* Build under claim c; *out gets the caller's reference, or NULL. */
static enum err
build_claimed(const struct doc_key *k, const struct doc_claim *c,
    doc_build_fn build, void *arg, struct doc **out)
{
	struct doc *d = NULL;
	char *body = NULL;
	size_t len = 0;
	enum err e;

	if ((e = build(arg, &body, &len)) == ERR_OK &&
	    (d = doc_new(body, len)) == NULL)
		e = ERR_INTERNAL;
	else if (e != ERR_OK)
		free(body);
	lock();
	install(k, c, d);
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&mtx);
	*out = d;
	return e;
}

enum err
doccache_fetch(const struct doc_key *k, long long not_before, doc_build_fn build,
    void *arg, struct doc **out, struct doc_claim *c)
{
	struct doc_claim mine;
	struct timespec until;
	unsigned long gen;
	long long now, start = doccache_now();
	struct slot *s;

	memset(c, 0, sizeof(*c));
	until.tv_sec = (start + WAIT_MS) / 1000;
	until.tv_nsec = (long)((start + WAIT_MS) % 1000) * 1000000;
	lock();
	for (;;) {
		gen = cache_generation();
		now = doccache_now();
		s = slot_of(k);
		if (usable(s, k, gen, not_before > now - DOC_MAX_MS ?
		    not_before : now - DOC_MAX_MS)) {
			*out = serve(s, k, gen, now, c);
			pthread_mutex_unlock(&mtx);
			return ERR_OK;
		}
		/*
		 * Wait for the build under way even when it started too early
		 * for this reader: one build at a time, and the next is ours.
		 */
		if (!building(s, k, gen) || now >= start + WAIT_MS)
			break;
		pthread_cond_timedwait(&built, &mtx, &until);
	}
	claim(s, k, gen, now, &mine);
	pthread_mutex_unlock(&mtx);
	return build_claimed(k, &mine, build, arg, out);
}

void
doccache_rebuild(const struct doc_key *k, const struct doc_claim *c,
    doc_build_fn build, void *arg)
{
	struct doc *d;

	build_claimed(k, c, build, arg, &d);
	doc_release(d);
}

void
doccache_abandon(const struct doc_key *k, const struct doc_claim *c)
{
	lock();
	install(k, c, NULL);
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&mtx);
}

void
doccache_free(void)
{
	size_t i;

	lock();
	for (i = 0; i < SLOTS; i++) {
		doc_release(slots[i].doc);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
	pthread_mutex_unlock(&mtx);
}
