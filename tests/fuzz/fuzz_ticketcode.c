/*
 * Ticket codes (src/ticketcode.c) and their base32 (src/codec.c), with a
 * fixed test key.  The input is tried three ways:
 *  - as a code a scanner sent: parse, verify and check must agree, and a
 *    code that verifies is exactly (case aside) the one we would sign;
 *  - as ids and an edit: a genuine code for those ids, changed at one place
 *    by the input, verifies only if the change was a change of case;
 *  - as bytes for base32 and as a sealed event key.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "codec.h"
#include "ticketcode.h"

#include "fuzz.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
static const unsigned char server_key[32] = "fuzz server key, not a real one";
static unsigned char sealed[EVENTKEY_SEALED_LEN];
static size_t sealed_len;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned char seed1[32] = "ticket code fuzz key one 000000";
	static const unsigned char seed2[32] = "ticket code fuzz key two 000000";
	unsigned char back[crypto_sign_SECRETKEYBYTES];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	crypto_sign_seed_keypair(pk, sk, seed1);
	crypto_sign_seed_keypair(pk2, sk2, seed2);
	if (eventkey_generate(server_key, pk2, sealed, &sealed_len) != 0 ||
	    sealed_len != EVENTKEY_SEALED_LEN ||
	    eventkey_open(server_key, sealed, sealed_len, back) != 0)
		abort();
	/* eventkey_generate made a fresh pair: keep its secret key as sk2. */
	memcpy(sk2, back, sizeof(sk2));
	sodium_memzero(back, sizeof(back));
	return 0;
}

static void
upper(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

/* The input as a scanned code. */
static void
as_code(const char *code)
{
	uint32_t pe = 0, pt = 0, ve = 0, vt = 0, ce = 0, ct = 0;
	char again[TICKETCODE_MAX], up[256];
	int p, v, c;

	p = ticketcode_parse(code, &pe, &pt);
	v = ticketcode_verify(pk, code, &ve, &vt);
	c = ticketcode_check(sk, code, &ce, &ct);
	FZ_ASSERT(v == c, "verify %d, check %d", v, c);
	if (p == 0) {
		FZ_ASSERT(strlen(code) == TICKETCODE_LEN, "parsed a code of %zu chars", strlen(code));
		FZ_ASSERT(strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz234567") ==
		    TICKETCODE_LEN, "parsed a code with a non-base32 character");
	}
	if (v == 0) {
		FZ_ASSERT(p == 0, "verified but does not parse");
		FZ_ASSERT(ve == pe && vt == pt && ce == pe && ct == pt, "ids differ");
		FZ_ASSERT(ticketcode_make(sk, ve, vt, again) == 0, "make failed");
		upper(code, up, sizeof(up));
		FZ_ASSERT(strcmp(up, again) == 0, "a second spelling of a valid code");
	}
	/* Never valid under another event's key. */
	FZ_ASSERT(v != 0 || ticketcode_verify(pk2, code, &ve, &vt) != 0,
	    "one code valid under two keys");
}

/* A genuine code, edited once by the input. */
static void
as_edit(const uint8_t *d, size_t n)
{
	uint32_t e, t, ge, gt;
	char code[TICKETCODE_MAX], orig[TICKETCODE_MAX];
	size_t pos;

	if (n < 10)
		return;
	e = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	t = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
	FZ_ASSERT(ticketcode_make(sk, e, t, code) == 0, "make failed");
	FZ_ASSERT(strlen(code) == TICKETCODE_LEN, "made %zu chars", strlen(code));
	FZ_ASSERT(ticketcode_verify(pk, code, &ge, &gt) == 0 && ge == e && gt == t,
	    "a genuine code does not verify");
	FZ_ASSERT(ticketcode_parse(code, &ge, &gt) == 0 && ge == e && gt == t, "parse");
	memcpy(orig, code, sizeof(orig));
	pos = d[8] % TICKETCODE_LEN;
	code[pos] = d[9] == 0 ? 'A' : (char)d[9];
	if (ticketcode_verify(pk, code, &ge, &gt) == 0)
		FZ_ASSERT(strcasecmp(code, orig) == 0 && ge == e && gt == t,
		    "an edited code still verifies");
	FZ_ASSERT(ticketcode_verify(pk2, orig, &ge, &gt) != 0, "valid under another key");
}

static void
as_bytes(const uint8_t *d, size_t n)
{
	char enc[512], up[512];
	unsigned char dec[320];
	unsigned char back[crypto_sign_SECRETKEYBYTES];
	size_t m, dn;
	char *s;

	if (n <= 250) {
		m = b32_encode(d, n, enc, sizeof(enc));
		FZ_ASSERT(m == b32_encoded_len(n), "encoded %zu chars for %zu bytes", m, n);
		FZ_ASSERT(b32_decode(enc, dec, sizeof(dec), &dn) == 0 && dn == n &&
		    memcmp(dec, d, n) == 0, "base32 round trip");
	}
	/* Any string that decodes is canonical: it re-encodes to itself. */
	s = fz_str(d, n);
	if (strlen(s) < 480 && b32_decode(s, dec, sizeof(dec), &dn) == 0) {
		m = b32_encode(dec, dn, enc, sizeof(enc));
		upper(s, up, sizeof(up));
		FZ_ASSERT(m == strlen(s) && strcmp(enc, up) == 0, "non-canonical base32 \"%s\"", s);
	}
	free(s);
	/* A sealed key: anything but the real one fails, and zeroes sk. */
	if (eventkey_open(server_key, d, n, back) == 0)
		FZ_ASSERT(n == sealed_len && memcmp(d, sealed, n) == 0, "a forged sealed key opened");
	else
		FZ_ASSERT(sodium_is_zero(back, sizeof(back)), "sk not zeroed on failure");
	if (n > 0 && n <= sealed_len) {
		unsigned char tampered[EVENTKEY_SEALED_LEN];
		memcpy(tampered, sealed, sealed_len);
		for (m = 0; m < n; m++)
			tampered[m] ^= d[m];
		if (!sodium_is_zero(d, n))
			FZ_ASSERT(eventkey_open(server_key, tampered, sealed_len, back) != 0,
			    "a tampered sealed key opened");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 1024)
		return 0;
	s = fz_str(data, size);
	as_code(s);
	free(s);
	as_edit(data, size);
	as_bytes(data, size);
	return 0;
}
