/* Unit tests for src/ticketcode.c: signed ticket codes and sealed event keys. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "codec.h"
#include "ticketcode.h"

#define CODE_BYTES (TICKETCODE_PAYLOAD + crypto_sign_BYTES)

static unsigned char pk1[crypto_sign_PUBLICKEYBYTES], sk1[crypto_sign_SECRETKEYBYTES];
static unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
static const unsigned char server_key[32] = "server key for the unit tests!!";
static const unsigned char other_key[32] = "another server key, not ours!!";

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(pk1, sk1);
	crypto_sign_keypair(pk2, sk2);
	return 0;
}

/* A code from arbitrary raw bytes: version, ids, then a signature by sk. */
static void
forge(unsigned char version, uint32_t ev, uint32_t tk, const unsigned char *sk,
    char out[TICKETCODE_MAX])
{
	unsigned char raw[CODE_BYTES];

	raw[0] = version;
	raw[1] = (unsigned char)(ev >> 24);
	raw[2] = (unsigned char)(ev >> 16);
	raw[3] = (unsigned char)(ev >> 8);
	raw[4] = (unsigned char)ev;
	raw[5] = (unsigned char)(tk >> 24);
	raw[6] = (unsigned char)(tk >> 16);
	raw[7] = (unsigned char)(tk >> 8);
	raw[8] = (unsigned char)tk;
	crypto_sign_detached(raw + TICKETCODE_PAYLOAD, NULL, raw, TICKETCODE_PAYLOAD, sk);
	assert_int_equal(b32_encode(raw, sizeof(raw), out, TICKETCODE_MAX), TICKETCODE_LEN);
}

static void
test_make_format(void **state)
{
	char a[TICKETCODE_MAX], b[TICKETCODE_MAX];
	unsigned char raw[CODE_BYTES];
	size_t n;

	(void)state;
	memset(a, 'x', sizeof(a));
	assert_int_equal(ticketcode_make(sk1, 1, 2, a), 0);
	assert_int_equal(strlen(a), TICKETCODE_LEN);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), TICKETCODE_LEN);
	/* Ed25519 is deterministic: one code per ticket and key. */
	assert_int_equal(ticketcode_make(sk1, 1, 2, b), 0);
	assert_string_equal(a, b);
	/* Layout: version, big-endian event id, ticket id, signature. */
	assert_int_equal(ticketcode_make(sk1, 0x01020304u, 0xa0b0c0d0u, a), 0);
	assert_int_equal(b32_decode(a, raw, sizeof(raw), &n), 0);
	assert_int_equal(n, CODE_BYTES);
	assert_int_equal(raw[0], TICKETCODE_VERSION);
	assert_memory_equal(raw + 1, "\x01\x02\x03\x04\xa0\xb0\xc0\xd0", 8);
	assert_int_equal(crypto_sign_verify_detached(raw + 9, raw, 9, pk1), 0);
	/* Other ids or another key: another code. */
	assert_int_equal(ticketcode_make(sk1, 1, 3, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(ticketcode_make(sk2, 0x01020304u, 0xa0b0c0d0u, b), 0);
	assert_string_not_equal(a, b);
}

static void
test_parse_and_verify(void **state)
{
	static const uint32_t ids[][2] = {
		{1, 2}, {0, 0}, {0xffffffffu, 0xffffffffu}, {42, 0x80000000u}, {0x7fffffffu, 1},
	};
	char code[TICKETCODE_MAX];
	uint32_t ev, tk;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(ticketcode_make(sk1, ids[i][0], ids[i][1], code), 0);
		ev = tk = 12345;
		assert_int_equal(ticketcode_parse(code, &ev, &tk), 0);
		assert_int_equal(ev, ids[i][0]);
		assert_int_equal(tk, ids[i][1]);
		ev = tk = 12345;
		assert_int_equal(ticketcode_verify(pk1, code, &ev, &tk), 0);
		assert_int_equal(ev, ids[i][0]);
		assert_int_equal(tk, ids[i][1]);
	}
}

static void
test_lower_case_accepted(void **state)
{
	char code[TICKETCODE_MAX];
	uint32_t ev = 0, tk = 0;
	size_t i;

	(void)state;
	assert_int_equal(ticketcode_make(sk1, 77, 88, code), 0);
	for (i = 0; code[i] != '\0'; i++)
		code[i] = (char)tolower((unsigned char)code[i]);
	assert_int_equal(ticketcode_verify(pk1, code, &ev, &tk), 0);
	assert_int_equal(ev, 77);
	assert_int_equal(tk, 88);
}

static void
test_wrong_key(void **state)
{
	char code[TICKETCODE_MAX];
	uint32_t ev = 5, tk = 6;

	(void)state;
	assert_int_equal(ticketcode_make(sk1, 10, 20, code), 0);
	assert_int_equal(ticketcode_verify(pk2, code, &ev, &tk), -1);
	/* Out-parameters are written only on success. */
	assert_int_equal(ev, 5);
	assert_int_equal(tk, 6);
	/* parse does not look at the signature. */
	assert_int_equal(ticketcode_parse(code, &ev, &tk), 0);
	assert_int_equal(ev, 10);
}

/*
 * Any single character changed to any other base32 character (31 per
 * position, 3627 codes) fails: in the payload or signature by the
 * signature, in the last character possibly already by its unused bit.
 */
static void
test_tamper_every_position(void **state)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char code[TICKETCODE_MAX], t[TICKETCODE_MAX];
	uint32_t ev, tk;
	size_t i, c;

	(void)state;
	assert_int_equal(ticketcode_make(sk1, 1000, 2000, code), 0);
	for (i = 0; i < TICKETCODE_LEN; i++)
		for (c = 0; c < 32; c++) {
			if (b32[c] == code[i])
				continue;
			memcpy(t, code, sizeof(t));
			t[i] = b32[c];
			ev = tk = 7;
			if (ticketcode_verify(pk1, t, &ev, &tk) != -1)
				fail_msg("position %zu changed to %c still verifies",
				    i, b32[c]);
			assert_int_equal(ev, 7);
			assert_int_equal(tk, 7);
		}
}

/* ticketcode_check (re-sign and compare) answers exactly as verify does. */
static void
test_check_agrees_with_verify(void **state)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char code[TICKETCODE_MAX], t[TICKETCODE_MAX], lower[TICKETCODE_MAX];
	uint32_t ev = 0, tk = 0;
	size_t i;

	(void)state;
	assert_int_equal(ticketcode_make(sk1, 4242, 77, code), 0);
	assert_int_equal(ticketcode_check(sk1, code, &ev, &tk), 0);
	assert_int_equal(ev, 4242);
	assert_int_equal(tk, 77);
	for (i = 0; code[i] != '\0'; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
	lower[i] = '\0';
	assert_int_equal(ticketcode_check(sk1, lower, &ev, &tk),
	    ticketcode_verify(pk1, lower, &ev, &tk));
	/* Another event's key: refused. */
	ev = tk = 7;
	assert_int_equal(ticketcode_check(sk2, code, &ev, &tk), -1);
	assert_int_equal(ev, 7);
	for (i = 0; i < TICKETCODE_LEN; i++) {
		memcpy(t, code, sizeof(t));
		t[i] = b32[(strchr(b32, code[i]) - b32 + 1) % 32];
		if (ticketcode_check(sk1, t, &ev, &tk) != ticketcode_verify(pk1, t, &ev, &tk) ||
		    ticketcode_check(sk1, t, &ev, &tk) != -1)
			fail_msg("position %zu altered: check and verify disagree or accept", i);
	}
	/* A payload signed by the right key but built by hand still passes. */
	forge(TICKETCODE_VERSION, 9, 9, sk1, t);
	assert_int_equal(ticketcode_check(sk1, t, &ev, &tk), 0);
	assert_int_equal(tk, 9);
}

static void
test_forged_payload(void **state)
{
	char code[TICKETCODE_MAX], other[TICKETCODE_MAX];
	unsigned char raw[CODE_BYTES];
	uint32_t ev, tk;
	size_t n;

	(void)state;
	/* Same signature, ticket id changed: no. */
	assert_int_equal(ticketcode_make(sk1, 1, 2, code), 0);
	assert_int_equal(b32_decode(code, raw, sizeof(raw), &n), 0);
	raw[8] ^= 1;
	assert_int_equal(b32_encode(raw, sizeof(raw), other, sizeof(other)), TICKETCODE_LEN);
	assert_int_equal(ticketcode_parse(other, &ev, &tk), 0);
	assert_int_equal(tk, 3);
	assert_int_equal(ticketcode_verify(pk1, other, &ev, &tk), -1);

	/* Signature of another ticket spliced in: no. */
	assert_int_equal(ticketcode_make(sk1, 1, 3, other), 0);
	memcpy(other, code, 15);        /* first 15 chars = 75 bits cover the payload */
	assert_int_equal(ticketcode_verify(pk1, other, &ev, &tk), -1);
}

static void
test_version(void **state)
{
	char code[TICKETCODE_MAX];
	uint32_t ev = 9, tk = 9;

	(void)state;
	/* Correctly signed, but version 2 or 0: refused by both. */
	forge(2, 1, 2, sk1, code);
	assert_int_equal(ticketcode_parse(code, &ev, &tk), -1);
	assert_int_equal(ticketcode_verify(pk1, code, &ev, &tk), -1);
	forge(0, 1, 2, sk1, code);
	assert_int_equal(ticketcode_parse(code, &ev, &tk), -1);
	assert_int_equal(ticketcode_verify(pk1, code, &ev, &tk), -1);
	assert_int_equal(ev, 9);
	assert_int_equal(tk, 9);
	/* The forge helper itself makes valid version-1 codes. */
	forge(TICKETCODE_VERSION, 1, 2, sk1, code);
	assert_int_equal(ticketcode_verify(pk1, code, &ev, &tk), 0);
}

static void
test_malformed(void **state)
{
	char code[TICKETCODE_MAX], t[TICKETCODE_MAX + 8];
	static char big[100000];
	uint32_t ev, tk;
	size_t len = TICKETCODE_LEN;
	int last;

	(void)state;
	assert_int_equal(ticketcode_make(sk1, 3, 4, code), 0);
	assert_int_equal(ticketcode_parse(NULL, &ev, &tk), -1);
	assert_int_equal(ticketcode_verify(pk1, NULL, &ev, &tk), -1);
	assert_int_equal(ticketcode_parse("", &ev, &tk), -1);
	/* One character short or long. */
	snprintf(t, sizeof(t), "%.*s", (int)len - 1, code);
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	snprintf(t, sizeof(t), "%sA", code);
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	assert_int_equal(ticketcode_verify(pk1, t, &ev, &tk), -1);
	/* Surrounding blanks, padding. */
	snprintf(t, sizeof(t), " %s", code);
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	snprintf(t, sizeof(t), "%s\n", code);
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	snprintf(t, sizeof(t), "%s===", code);
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	/* A character outside the alphabet. */
	snprintf(t, sizeof(t), "%s", code);
	t[50] = '0';
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	t[50] = '=';
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	/* The one unused bit of the last character set: not canonical. */
	snprintf(t, sizeof(t), "%s", code);
	last = (int)(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", t[len - 1]) -
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	assert_int_equal(last & 1, 0);
	t[len - 1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last | 1];
	assert_int_equal(ticketcode_parse(t, &ev, &tk), -1);
	assert_int_equal(ticketcode_verify(pk1, t, &ev, &tk), -1);
	/* A huge input is refused without reading it all. */
	memset(big, 'A', sizeof(big) - 1);
	assert_int_equal(ticketcode_parse(big, &ev, &tk), -1);
}

/* ---- event keys ---- */

static void
test_eventkey_roundtrip(void **state)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sealed[EVENTKEY_SEALED_LEN + 16], derived[crypto_sign_PUBLICKEYBYTES];
	size_t sealed_len = 0;
	char code[TICKETCODE_MAX];
	uint32_t ev, tk;

	(void)state;
	assert_int_equal(EVENTKEY_SEALED_LEN, 24 + 16 + 64);
	assert_int_equal(eventkey_generate(server_key, pk, sealed, &sealed_len), 0);
	assert_int_equal(sealed_len, EVENTKEY_SEALED_LEN);
	assert_int_equal(eventkey_open(server_key, sealed, sealed_len, sk), 0);
	/* The secret key belongs to pk, and signs codes that verify with it. */
	crypto_sign_ed25519_sk_to_pk(derived, sk);
	assert_memory_equal(derived, pk, sizeof(pk));
	assert_int_equal(ticketcode_make(sk, 5, 6, code), 0);
	assert_int_equal(ticketcode_verify(pk, code, &ev, &tk), 0);
	assert_int_equal(ev, 5);
	assert_int_equal(tk, 6);
	/* The sealed form does not contain the secret key in the clear. */
	assert_null(memmem(sealed, sealed_len, sk, 32));
	sodium_memzero(sk, sizeof(sk));
}

static void
test_eventkey_unique(void **state)
{
	unsigned char pka[32], pkb[32], sa[EVENTKEY_SEALED_LEN], sb[EVENTKEY_SEALED_LEN];
	size_t la, lb;

	(void)state;
	assert_int_equal(eventkey_generate(server_key, pka, sa, &la), 0);
	assert_int_equal(eventkey_generate(server_key, pkb, sb, &lb), 0);
	assert_memory_not_equal(pka, pkb, 32);
	assert_memory_not_equal(sa, sb, 24);            /* random nonces */
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
test_eventkey_open_failures(void **state)
{
	unsigned char pk[32], sk[64], sealed[EVENTKEY_SEALED_LEN + 1], t[EVENTKEY_SEALED_LEN + 1];
	size_t len, i;

	(void)state;
	assert_int_equal(eventkey_generate(server_key, pk, sealed, &len), 0);

	/* Wrong server key. */
	memset(sk, 0xaa, sizeof(sk));
	assert_int_equal(eventkey_open(other_key, sealed, len, sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));

	/* Wrong lengths and NULL. */
	memset(sk, 0xaa, sizeof(sk));
	assert_int_equal(eventkey_open(server_key, sealed, len - 1, sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));
	memset(sk, 0xaa, sizeof(sk));
	sealed[len] = 0;
	assert_int_equal(eventkey_open(server_key, sealed, len + 1, sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));
	memset(sk, 0xaa, sizeof(sk));
	assert_int_equal(eventkey_open(server_key, sealed, 0, sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));
	memset(sk, 0xaa, sizeof(sk));
	assert_int_equal(eventkey_open(server_key, NULL, len, sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));

	/* Any flipped bit anywhere (nonce, MAC or ciphertext). */
	for (i = 0; i < len; i++) {
		memcpy(t, sealed, len);
		t[i] ^= 0x01;
		memset(sk, 0xaa, sizeof(sk));
		if (eventkey_open(server_key, t, len, sk) != -1)
			fail_msg("sealed key with byte %zu changed opens", i);
		assert_true(all_zero(sk, sizeof(sk)));
	}
	/* Still fine untouched. */
	assert_int_equal(eventkey_open(server_key, sealed, len, sk), 0);
}

/* The documented format: nonce || secretbox(sk) under BLAKE2b(key=server key, msg=context). */
static void
seal_by_hand(const unsigned char *sk, unsigned char sealed[EVENTKEY_SEALED_LEN])
{
	static const char ctx[] = "confero event signing key v1";
	unsigned char kek[crypto_secretbox_KEYBYTES];

	crypto_generichash(kek, sizeof(kek), (const unsigned char *)ctx, sizeof(ctx) - 1,
	    server_key, 32);
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, sk, 64, sealed, kek);
}

static void
test_eventkey_documented_format(void **state)
{
	unsigned char sealed[EVENTKEY_SEALED_LEN], sk[64], bogus[64];

	(void)state;
	seal_by_hand(sk1, sealed);
	assert_int_equal(eventkey_open(server_key, sealed, sizeof(sealed), sk), 0);
	assert_memory_equal(sk, sk1, 64);

	/* A secret key whose public half does not match its seed: refused. */
	memcpy(bogus, sk1, 32);
	memcpy(bogus + 32, pk2, 32);
	seal_by_hand(bogus, sealed);
	memset(sk, 0xaa, sizeof(sk));
	assert_int_equal(eventkey_open(server_key, sealed, sizeof(sealed), sk), -1);
	assert_true(all_zero(sk, sizeof(sk)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_format),
		cmocka_unit_test(test_parse_and_verify),
		cmocka_unit_test(test_lower_case_accepted),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tamper_every_position),
		cmocka_unit_test(test_check_agrees_with_verify),
		cmocka_unit_test(test_forged_payload),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_eventkey_roundtrip),
		cmocka_unit_test(test_eventkey_unique),
		cmocka_unit_test(test_eventkey_open_failures),
		cmocka_unit_test(test_eventkey_documented_format),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
