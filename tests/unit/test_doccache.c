/*
 * Unit tests for src/doccache.c: documents built once and shared, dropped
 * by cache_bump(), refreshed in the background when old, never served too
 * old, one build at a time per key.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "cache.h"
#include "doccache.h"

/* A build counts itself and returns "doc <n>"; it may be slow or fail. */
static atomic_int builds;
static int build_ms;
static enum err build_result = ERR_OK;
static int bump_while_building;

static enum err
build(void *arg, char **body, size_t *len)
{
	int n = atomic_fetch_add(&builds, 1) + 1;
	char buf[64];

	(void)arg;
	if (build_ms > 0)
		usleep((useconds_t)build_ms * 1000);
	if (bump_while_building)
		cache_bump();
	if (build_result != ERR_OK)
		return build_result;
	snprintf(buf, sizeof(buf), "{\"doc\":%d}", n);
	*body = strdup(buf);
	*len = strlen(buf);
	return *body != NULL ? ERR_OK : ERR_INTERNAL;
}

static void
key(struct doc_key *k, long long id, const char *variant)
{
	memset(k, 0, sizeof(*k));
	k->id = id;
	snprintf(k->variant, sizeof(k->variant), "%s", variant);
}

static struct doc *
fetch(const struct doc_key *k, long long not_before)
{
	struct doc_claim c;
	struct doc *d = NULL;

	assert_int_equal(doccache_fetch(k, not_before, build, NULL, &d, &c), ERR_OK);
	assert_non_null(d);
	if (c.seq != 0)
		doccache_abandon(k, &c);
	return d;
}

/* The body as a string, in a buffer the next call reuses. */
static const char *
body(const struct doc *d)
{
	static char buf[64];
	size_t len;
	const char *b = doc_body(d, &len);

	snprintf(buf, sizeof(buf), "%.*s", (int)len, b);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	atomic_store(&builds, 0);
	build_ms = 0;
	build_result = ERR_OK;
	bump_while_building = 0;
	cache_bump();                   /* nothing from the test before */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	doccache_free();
	return 0;
}

static void
test_built_once_then_shared(void **state)
{
	struct doc_claim c;
	struct doc_key k;
	struct doc *a, *b, *p;
	const char *etag;

	(void)state;
	key(&k, 7, "public");
	a = fetch(&k, 0);
	b = fetch(&k, 0);
	assert_int_equal(atomic_load(&builds), 1);
	assert_ptr_equal(a, b);
	assert_string_equal(body(a), "{\"doc\":1}");
	etag = doc_etag(a);
	assert_int_equal(strlen(etag), 34);
	assert_true(etag[0] == '"' && etag[33] == '"');
	p = doccache_peek(&k, &c);
	assert_ptr_equal(p, a);
	assert_int_equal(c.seq, 0);
	doc_release(a);
	doc_release(b);
	doc_release(p);
}

static void
test_variants_and_events_are_apart(void **state)
{
	struct doc_key k1, k2, k3;
	struct doc *a, *b, *c;

	(void)state;
	key(&k1, 7, "public");
	key(&k2, 7, "public/sl");
	key(&k3, 8, "public");
	a = fetch(&k1, 0);
	b = fetch(&k2, 0);
	c = fetch(&k3, 0);
	assert_int_equal(atomic_load(&builds), 3);
	assert_string_equal(body(a), "{\"doc\":1}");
	assert_string_equal(body(b), "{\"doc\":2}");
	assert_string_equal(body(c), "{\"doc\":3}");
	doc_release(a);
	doc_release(b);
	doc_release(c);
}

static void
test_bump_drops_documents(void **state)
{
	struct doc_claim c;
	struct doc_key k;
	struct doc *a, *b;

	(void)state;
	key(&k, 7, "public");
	a = fetch(&k, 0);
	cache_bump();
	assert_null(doccache_peek(&k, &c));
	b = fetch(&k, 0);
	assert_int_equal(atomic_load(&builds), 2);
	assert_string_equal(body(b), "{\"doc\":2}");
	/* The old one stays valid for whoever still sends it. */
	assert_string_equal(body(a), "{\"doc\":1}");
	doc_release(a);
	doc_release(b);
}

static void
test_a_build_overtaken_by_a_bump_is_not_kept(void **state)
{
	struct doc_claim c;
	struct doc_key k;
	struct doc *a;

	(void)state;
	key(&k, 7, "public");
	bump_while_building = 1;
	a = fetch(&k, 0);               /* its caller still gets it */
	assert_string_equal(body(a), "{\"doc\":1}");
	assert_null(doccache_peek(&k, &c));
	doc_release(a);
}

static void
test_not_before_asks_for_a_newer_build(void **state)
{
	struct doc_key k;
	struct doc *a, *b;

	(void)state;
	key(&k, 7, "public");
	a = fetch(&k, 0);
	usleep(3000);
	b = fetch(&k, doccache_now());
	assert_int_equal(atomic_load(&builds), 2);
	assert_ptr_not_equal(a, b);
	doc_release(a);
	doc_release(b);
}

static void
test_old_documents_are_refreshed_then_refused(void **state)
{
	struct doc_claim c, c2;
	struct doc_key k;
	struct doc *a, *p, *q;

	(void)state;
	key(&k, 7, "public");
	a = fetch(&k, 0);
	usleep((DOC_REFRESH_MS + 50) * 1000);
	/* Old enough to refresh: still served, and one caller gets the claim. */
	p = doccache_peek(&k, &c);
	q = doccache_peek(&k, &c2);
	assert_ptr_equal(p, a);
	assert_ptr_equal(q, a);
	assert_true(c.seq != 0);
	assert_int_equal(c2.seq, 0);
	doccache_rebuild(&k, &c, build, NULL);
	assert_int_equal(atomic_load(&builds), 2);
	doc_release(p);
	doc_release(q);
	p = doccache_peek(&k, &c);
	assert_non_null(p);
	assert_string_equal(body(p), "{\"doc\":2}");
	assert_int_equal(c.seq, 0);
	doc_release(p);
	/* Too old: never served, whatever the refresh is doing. */
	usleep((DOC_MAX_MS + 50) * 1000);
	assert_null(doccache_peek(&k, &c));
	doc_release(a);
}

static void
test_a_failed_build_leaves_no_claim(void **state)
{
	struct doc_claim c;
	struct doc_key k;
	struct doc *d = NULL;

	(void)state;
	key(&k, 7, "public");
	build_result = ERR_DB;
	assert_int_equal(doccache_fetch(&k, 0, build, NULL, &d, &c), ERR_DB);
	assert_null(d);
	build_result = ERR_OK;
	d = fetch(&k, 0);               /* at once: nobody waits for a dead build */
	assert_int_equal(atomic_load(&builds), 2);
	doc_release(d);
}

static struct doc_key herd_key;

static void *
herd_reader(void *arg)
{
	struct doc_claim c;
	struct doc *d = NULL;

	(void)arg;
	if (doccache_fetch(&herd_key, 0, build, NULL, &d, &c) != ERR_OK)
		return NULL;
	if (c.seq != 0)
		doccache_abandon(&herd_key, &c);
	return d;
}

static void
test_one_build_for_many_readers(void **state)
{
	pthread_t th[16];
	struct doc *d[16];
	int i;

	(void)state;
	key(&herd_key, 9, "public");
	build_ms = 100;
	for (i = 0; i < 16; i++)
		assert_int_equal(pthread_create(&th[i], NULL, herd_reader, NULL), 0);
	for (i = 0; i < 16; i++)
		pthread_join(th[i], (void **)&d[i]);
	assert_int_equal(atomic_load(&builds), 1);
	for (i = 0; i < 16; i++) {
		assert_non_null(d[i]);
		assert_ptr_equal(d[i], d[0]);
	}
	for (i = 0; i < 16; i++)
		doc_release(d[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_built_once_then_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variants_and_events_are_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bump_drops_documents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_build_overtaken_by_a_bump_is_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_before_asks_for_a_newer_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_documents_are_refreshed_then_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_build_leaves_no_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_build_for_many_readers, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
