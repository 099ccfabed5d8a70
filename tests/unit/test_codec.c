/* Unit tests for src/codec.c: RFC 4648 base32 without padding, strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Deterministic, so a failure reproduces; no libsodium needed here. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned char
rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned char)(rng_state >> 24);
}

/*
 * Reference encoder, bit by bit straight from RFC 4648 section 6, to check
 * the shifting implementation against something written differently.
 */
static void
ref_encode(const unsigned char *in, size_t len, char *out)
{
	size_t nbits = len * 8, i, b, bit;
	unsigned int v;

	for (i = 0; i * 5 < nbits; i++) {
		v = 0;
		for (b = 0; b < 5; b++) {
			bit = i * 5 + b;
			v <<= 1;
			if (bit < nbits)
				v |= (in[bit / 8] >> (7 - bit % 8)) & 1;
		}
		out[i] = alphabet[v];
	}
	out[i] = '\0';
}

static void
test_rfc4648_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "f", "MY" },
		{ "fo", "MZXQ" },
		{ "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" },
		{ "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	char enc[32];
	unsigned char dec[32];
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = strlen(v[i].in);
		memset(enc, 'x', sizeof(enc));
		n = b32_encode((const unsigned char *)v[i].in, len, enc, sizeof(enc));
		assert_int_equal(n, strlen(v[i].out));
		assert_string_equal(enc, v[i].out);
		assert_int_equal(b32_encoded_len(len), n);

		n = 99;
		assert_int_equal(b32_decode(v[i].out, dec, sizeof(dec), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, v[i].in, len);
	}
}

static void
test_encoded_len(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < 1000; n++)
		assert_int_equal(b32_encoded_len(n), (n * 8 + 4) / 5);
	/* Saturates instead of wrapping. */
	assert_int_equal(b32_encoded_len(SIZE_MAX), SIZE_MAX);
	assert_int_equal(b32_encoded_len(SIZE_MAX / 8 * 7), SIZE_MAX);
	/* Large but representable: exact. */
	n = SIZE_MAX / 2;
	assert_int_equal(b32_encoded_len(n), n / 5 * 8 + (n % 5 * 8 + 4) / 5);
}

static void
test_encode_outlen(void **state)
{
	static const unsigned char in[] = "foobar";
	char out[16];

	(void)state;
	/* "MZXW6YTBOI" needs 10 + 1 bytes. */
	memset(out, 'x', sizeof(out));
	assert_int_equal(b32_encode(in, 6, out, 10), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'x');            /* nothing else touched */
	assert_int_equal(b32_encode(in, 6, out, 1), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(b32_encode(in, 6, NULL, 0), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(b32_encode(in, 6, out, 11), 10);
	assert_string_equal(out, "MZXW6YTBOI");
	assert_int_equal(out[11], 'x');
	/* Empty input still needs room for the NUL. */
	assert_int_equal(b32_encode(in, 0, out, 0), 0);
	assert_int_equal(b32_encode(in, 0, out, 1), 0);
	assert_string_equal(out, "");
}

static void
test_round_trip_0_to_80(void **state)
{
	unsigned char in[80], dec[80 + 8];
	char enc[160], ref[160], lower[160];
	size_t len, n, i;
	int iter;

	(void)state;
	for (len = 0; len <= 80; len++) {
		for (iter = 0; iter < 64; iter++) {
			for (i = 0; i < len; i++)
				in[i] = rng_byte();
			/* Include the extremes, which stress the tail bits. */
			if (iter == 0)
				memset(in, 0x00, len);
			if (iter == 1)
				memset(in, 0xff, len);

			n = b32_encode(in, len, enc, sizeof(enc));
			assert_int_equal(n, b32_encoded_len(len));
			assert_int_equal(strlen(enc), n);
			ref_encode(in, len, ref);
			assert_string_equal(enc, ref);
			assert_int_equal(strspn(enc, alphabet), n);

			memset(dec, 0xa5, sizeof(dec));
			n = 12345;
			assert_int_equal(b32_decode(enc, dec, sizeof(dec), &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(dec, in, len);
			assert_int_equal(dec[len], 0xa5);  /* no overrun */

			/* Exactly enough room works, one byte less does not. */
			assert_int_equal(b32_decode(enc, dec, len, &n), 0);
			assert_int_equal(n, len);
			if (len > 0)
				assert_int_equal(b32_decode(enc, dec, len - 1, &n), -1);

			/* Lower case and mixed case decode the same bytes. */
			for (i = 0; enc[i] != '\0'; i++)
				lower[i] = (enc[i] >= 'A' && enc[i] <= 'Z' &&
				    (iter % 2 == 0 || i % 2 == 0)) ?
				    (char)(enc[i] + 32) : enc[i];
			lower[i] = '\0';
			memset(dec, 0, sizeof(dec));
			assert_int_equal(b32_decode(lower, dec, sizeof(dec), &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(dec, in, len);
		}
	}
}

static void
test_decode_outn_optional(void **state)
{
	unsigned char dec[8];

	(void)state;
	assert_int_equal(b32_decode("MZXW6", dec, sizeof(dec), NULL), 0);
	assert_memory_equal(dec, "foo", 3);
}

static void
test_decode_rejects(void **state)
{
	static const char *const bad[] = {
		/* Lengths no encoder produces: 8k+1, 8k+3, 8k+6. */
		"M", "MZX", "MZXW6Y", "MZXW6YTBO", "MZXW6YTBOIA",
		"MZXW6YTBOIAAAA",
		/* Padding in any form. */
		"MY======", "MY=", "MY==", "MZXQ====", "========", "=",
		/* Blanks, separators and line ends. */
		" MY", "MY ", "MY\n", "MY\r\n", "\tMY", "MZ XQ", "MZ-XQ",
		/* Not in the alphabet. */
		"M0", "M1", "M8", "M9", "MY0A", "MY+/", "MY_-", "MY.A",
		"\xc3\x84Y",                    /* Ä */
		"M\xff", "M\x80",
		/* Non-zero unused bits in the last character. */
		"MZ", "M7", "MZXR", "MZXW7", "MZXW6YR", "MZXW6YTBOJ",
		"mz", "mzxw7",
	};
	unsigned char dec[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 777;
		if (b32_decode(bad[i], dec, sizeof(dec), &n) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(n, 777);
	}
	/* Embedded NUL: the string simply ends there. */
	assert_int_equal(b32_decode("MY\0ZZ", dec, sizeof(dec), &n), 0);
	assert_int_equal(n, 1);
}

/* Every byte value in every position class: only the 64 letters pass. */
static void
test_decode_every_byte(void **state)
{
	char s[3] = "AA";
	unsigned char dec[4];
	int c, ok, want;
	size_t n;

	(void)state;
	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		ok = b32_decode(s, dec, sizeof(dec), &n) == 0;
		want = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '2' && c <= '7');
		if (ok != want)
			fail_msg("byte 0x%02x: decode %s", c,
			    ok ? "accepted" : "rejected");
	}
}

/* The last character may carry only zero bits beyond the final byte. */
static void
test_decode_trailing_bits(void **state)
{
	static const struct {
		const char *prefix;
		unsigned int unused_mask;
	} t[] = {
		{ "A", 0x3 },           /* 2 chars: 10 bits, 8 used */
		{ "AAA", 0xf },         /* 4 chars: 20 bits, 16 used */
		{ "AAAA", 0x1 },        /* 5 chars: 25 bits, 24 used */
		{ "AAAAAA", 0x7 },      /* 7 chars: 35 bits, 32 used */
		{ "AAAAAAA", 0x0 },     /* 8 chars: 40 bits, all used */
	};
	char s[16];
	unsigned char dec[8];
	size_t i, pl, n;
	unsigned int v;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pl = strlen(t[i].prefix);
		memcpy(s, t[i].prefix, pl);
		s[pl + 1] = '\0';
		for (v = 0; v < 32; v++) {
			s[pl] = alphabet[v];
			assert_int_equal(b32_decode(s, dec, sizeof(dec), &n),
			    (v & t[i].unused_mask) == 0 ? 0 : -1);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_encoded_len),
		cmocka_unit_test(test_encode_outlen),
		cmocka_unit_test(test_round_trip_0_to_80),
		cmocka_unit_test(test_decode_outn_optional),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_every_byte),
		cmocka_unit_test(test_decode_trailing_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
