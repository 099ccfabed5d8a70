/*
 * Unit tests for src/auth.c: random secrets (base64url tokens), their
 * hashes, CSRF tokens, throttle keys, constant-time equality, passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth.h"

static const unsigned char key1[32] = "0123456789abcdef0123456789abcde";

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
group_setup(void **state)
{
	(void)state;
	return auth_init(key1, 2);
}

/* 32 bytes -> 43 base64url characters, no padding; decodes back to 32. */
static void
assert_b64url_32(const char *s)
{
	unsigned char bin[64];
	size_t binlen = 0;

	if (strlen(s) != 43)
		fail_msg("\"%s\": length %zu, want 43", s, strlen(s));
	if (strspn(s, b64url) != 43)
		fail_msg("\"%s\": not base64url", s);
	assert_int_equal(sodium_base642bin(bin, sizeof(bin), s, 43, NULL, &binlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_int_equal(binlen, 32);
}

static void
test_new_secret_format(void **state)
{
	char s[AUTH_SECRET_MAX];

	(void)state;
	memset(s, 'Z', sizeof(s));
	auth_new_secret("", s);
	assert_b64url_32(s);

	memset(s, 'Z', sizeof(s));
	auth_new_secret("cft_", s);
	assert_true(strncmp(s, "cft_", 4) == 0);
	assert_b64url_32(s + 4);
	assert_int_equal(strlen(s), 47);
}

static void
test_new_secret_unique(void **state)
{
	enum { N = 200 };
	static char s[N][AUTH_SECRET_MAX];
	int i, j;

	(void)state;
	for (i = 0; i < N; i++)
		auth_new_secret(i % 2 ? "cft_" : "", s[i]);
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			assert_string_not_equal(s[i], s[j]);
}

static void
test_secret_hash(void **state)
{
	unsigned char h1[32], h2[32], h3[32], want[32];
	static const char sec[] = "cft_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

	(void)state;
	auth_secret_hash(sec, h1);
	auth_secret_hash(sec, h2);
	assert_memory_equal(h1, h2, 32);
	/* Unkeyed BLAKE2b-256 of the secret: stable across key changes. */
	crypto_generichash(want, 32, (const unsigned char *)sec, strlen(sec), NULL, 0);
	assert_memory_equal(h1, want, 32);
	/* One character off: a different hash. */
	auth_secret_hash("cft_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFH", h3);
	assert_memory_not_equal(h1, h3, 32);
	auth_secret_hash("", h3);
	assert_memory_not_equal(h1, h3, 32);
}

static void
test_csrf(void **state)
{
	char t1[AUTH_SECRET_MAX], t2[AUTH_SECRET_MAX], t3[AUTH_SECRET_MAX];
	char want[AUTH_SECRET_MAX];
	unsigned char mac[32];
	crypto_auth_hmacsha256_state st;
	static const char sess[] = "session-secret-one";

	(void)state;
	auth_csrf(sess, t1);
	auth_csrf(sess, t2);
	assert_b64url_32(t1);
	assert_string_equal(t1, t2);
	auth_csrf("session-secret-two", t3);
	assert_string_not_equal(t1, t3);

	/* HMAC-SHA256(server key, "csrf:" || session secret), base64url. */
	crypto_auth_hmacsha256_init(&st, key1, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sess, strlen(sess));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(want, sizeof(want), mac, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_equal(t1, want);
	/* The token is not the session secret's plain hash. */
	crypto_auth_hmacsha256(mac, (const unsigned char *)sess, strlen(sess), key1);
	sodium_bin2base64(want, sizeof(want), mac, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_not_equal(t1, want);
}

static void
test_csrf_ok(void **state)
{
	char t[AUTH_SECRET_MAX], other[AUTH_SECRET_MAX], mod[AUTH_SECRET_MAX + 2];
	static const char sess[] = "the-session";

	(void)state;
	auth_csrf(sess, t);
	assert_true(auth_csrf_ok(sess, t));
	assert_false(auth_csrf_ok(sess, NULL));
	assert_false(auth_csrf_ok(sess, ""));
	/* Another session's token. */
	auth_csrf("another-session", other);
	assert_false(auth_csrf_ok(sess, other));
	/* Truncated, extended, one character changed, case changed. */
	snprintf(mod, sizeof(mod), "%.*s", (int)strlen(t) - 1, t);
	assert_false(auth_csrf_ok(sess, mod));
	snprintf(mod, sizeof(mod), "%sA", t);
	assert_false(auth_csrf_ok(sess, mod));
	snprintf(mod, sizeof(mod), "%s", t);
	mod[10] = mod[10] == 'A' ? 'B' : 'A';
	assert_false(auth_csrf_ok(sess, mod));
	snprintf(mod, sizeof(mod), " %s", t);
	assert_false(auth_csrf_ok(sess, mod));
}

static void
test_streq(void **state)
{
	(void)state;
	assert_true(auth_streq("", ""));
	assert_true(auth_streq("abc", "abc"));
	assert_false(auth_streq("abc", "abd"));
	assert_false(auth_streq("abc", "ab"));
	assert_false(auth_streq("ab", "abc"));
	assert_false(auth_streq("", "a"));
	assert_false(auth_streq("abc", "ABC"));
}

static void
test_throttle_key(void **state)
{
	unsigned char a[32], b[32], want[32];
	crypto_generichash_state st;

	(void)state;
	auth_throttle_key("account", "a@example.org", a);
	auth_throttle_key("account", "a@example.org", b);
	assert_memory_equal(a, b, 32);
	/* Keyed BLAKE2b(key, kind || NUL || value). */
	crypto_generichash_init(&st, key1, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)"account\0", 8);
	crypto_generichash_update(&st, (const unsigned char *)"a@example.org", 13);
	crypto_generichash_final(&st, want, 32);
	assert_memory_equal(a, want, 32);

	/* The kind separates namespaces... */
	auth_throttle_key("addr", "a@example.org", b);
	assert_memory_not_equal(a, b, 32);
	/* ...and cannot be confused by moving the boundary. */
	auth_throttle_key("ab", "c", a);
	auth_throttle_key("a", "bc", b);
	assert_memory_not_equal(a, b, 32);
	auth_throttle_key("addr", "192.0.2.1", a);
	auth_throttle_key("addr", "192.0.2.10", b);
	assert_memory_not_equal(a, b, 32);
	/* Not the unkeyed hash. */
	crypto_generichash(want, 32, (const unsigned char *)"addr\0" "192.0.2.1", 14, NULL, 0);
	auth_throttle_key("addr", "192.0.2.1", a);
	assert_memory_not_equal(a, want, 32);
}

static void
test_new_password(void **state)
{
	char p[32], q[32];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		memset(p, 'Z', sizeof(p));
		auth_new_password(p);
		assert_int_equal(strlen(p), 20);
		/* Letters and digits without look-alikes. */
		if (strspn(p, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") != 20)
			fail_msg("password \"%s\" has an unexpected character", p);
		assert_null(strpbrk(p, "0O1lI"));
	}
	auth_new_password(q);
	assert_string_not_equal(p, q);
}

static void
test_password_hash_verify(void **state)
{
	char h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
	enum err e;

	(void)state;
	assert_int_equal(auth_hash_password("correct horse battery staple", h1), ERR_OK);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_true(strlen(h1) < AUTH_HASH_MAX);
	/* OWASP minimum: m=19456 KiB, t=2. */
	assert_non_null(strstr(h1, "m=19456,t=2"));

	e = ERR_INTERNAL;
	assert_int_equal(auth_verify_password(h1, "correct horse battery staple", &e), 1);
	assert_int_equal(e, ERR_OK);
	e = ERR_INTERNAL;
	assert_int_equal(auth_verify_password(h1, "correct horse battery stapl", &e), 0);
	assert_int_equal(e, ERR_OK);
	assert_int_equal(auth_verify_password(h1, "", &e), 0);
	assert_int_equal(auth_verify_password(h1, "Correct horse battery staple", &e), 0);

	/* Salted: the same password hashes differently, both verify. */
	assert_int_equal(auth_hash_password("correct horse battery staple", h2), ERR_OK);
	assert_string_not_equal(h1, h2);
	assert_int_equal(auth_verify_password(h2, "correct horse battery staple", &e), 1);

	/* Non-ASCII passwords. */
	assert_int_equal(auth_hash_password("\xc5\xbe\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", h2), ERR_OK);
	assert_int_equal(auth_verify_password(h2, "\xc5\xbe\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", &e), 1);
	assert_int_equal(auth_verify_password(h2, "\xc5\xbe\xc3\xa9\xe2\x82\xac", &e), 0);
}

static void
test_password_verify_bad_hash(void **state)
{
	enum err e;

	(void)state;
	e = ERR_INTERNAL;
	assert_int_equal(auth_verify_password(NULL, "confero-dummy-password", &e), 0);
	assert_int_equal(e, ERR_OK);
	assert_int_equal(auth_verify_password("", "confero-dummy-password", &e), 0);
	assert_int_equal(e, ERR_OK);
	assert_int_equal(auth_verify_password("not a hash", "x", &e), 0);
	assert_int_equal(auth_verify_password("$argon2id$v=19$m=19456,t=2,p=1$garbage", "x", &e), 0);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unknown accounts cost about as much as known ones (no user enumeration). */
static void
test_password_verify_null_burns_time(void **state)
{
	char h[AUTH_HASH_MAX];
	double t0, real, burn;
	enum err e;

	(void)state;
	assert_int_equal(auth_hash_password("some password here", h), ERR_OK);
	t0 = now();
	auth_verify_password(h, "wrong password", &e);
	real = now() - t0;
	t0 = now();
	auth_verify_password(NULL, "wrong password", &e);
	burn = now() - t0;
	if (burn < real / 4)
		fail_msg("NULL hash took %.1f ms, a real one %.1f ms", burn * 1e3, real * 1e3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_secret_format),
		cmocka_unit_test(test_new_secret_unique),
		cmocka_unit_test(test_secret_hash),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_csrf_ok),
		cmocka_unit_test(test_streq),
		cmocka_unit_test(test_throttle_key),
		cmocka_unit_test(test_new_password),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_password_verify_bad_hash),
		cmocka_unit_test(test_password_verify_null_burns_time),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
