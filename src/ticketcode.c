/* Ticket code signing, parsing and verification; event key sealing. */
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "ticketcode.h"

#define CODE_BYTES (TICKETCODE_PAYLOAD + crypto_sign_BYTES)

_Static_assert((CODE_BYTES * 8 + 4) / 5 == TICKETCODE_LEN,
    "TICKETCODE_LEN does not match the payload");
_Static_assert(TICKETCODE_LEN < TICKETCODE_MAX, "no room for the NUL");

/* Part of the key derivation: changing it orphans every sealed event key. */
static const char eventkey_context[] = "confero event signing key v1";

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
ticketcode_make(const unsigned char sk[crypto_sign_SECRETKEYBYTES],
    uint32_t event_id, uint32_t ticket_id, char out[TICKETCODE_MAX])
{
	unsigned char raw[CODE_BYTES];

	raw[0] = TICKETCODE_VERSION;
	put_be32(raw + 1, event_id);
	put_be32(raw + 5, ticket_id);
	if (crypto_sign_detached(raw + TICKETCODE_PAYLOAD, NULL, raw,
	    TICKETCODE_PAYLOAD, sk) != 0)
		return -1;
	if (b32_encode(raw, sizeof(raw), out, TICKETCODE_MAX) != TICKETCODE_LEN)
		return -1;
	return 0;
}

/* Decodes code into raw and checks length and version. */
static int
decode(const char *code, unsigned char raw[CODE_BYTES])
{
	size_t n;

	/* strnlen: a scanner may hand us anything, unbounded. */
	if (code == NULL || strnlen(code, TICKETCODE_LEN + 1) != TICKETCODE_LEN)
		return -1;
	if (b32_decode(code, raw, CODE_BYTES, &n) != 0 || n != CODE_BYTES)
		return -1;
	if (raw[0] != TICKETCODE_VERSION)
		return -1;
	return 0;
}

int
ticketcode_parse(const char *code, uint32_t *event_id, uint32_t *ticket_id)
{
	unsigned char raw[CODE_BYTES];

	if (decode(code, raw) != 0)
		return -1;
	*event_id = get_be32(raw + 1);
	*ticket_id = get_be32(raw + 5);
	return 0;
}

int
ticketcode_verify(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
    const char *code, uint32_t *event_id, uint32_t *ticket_id)
{
	unsigned char raw[CODE_BYTES];

	if (decode(code, raw) != 0)
		return -1;
	if (crypto_sign_verify_detached(raw + TICKETCODE_PAYLOAD, raw,
	    TICKETCODE_PAYLOAD, pk) != 0)
		return -1;
	*event_id = get_be32(raw + 1);
	*ticket_id = get_be32(raw + 5);
	return 0;
}

/*
 * The server holds the signing key, and Ed25519 signing (RFC 8032) is
 * deterministic: a genuine code is exactly the one we would sign again.
 * Signing costs about half of verifying (one fixed-base multiplication
 * instead of a double-base one), and check-in does this for every scan.
 * The comparison is constant-time so timing cannot teach a forger the
 * expected signature byte by byte.  A code that does not match is still
 * verified properly, so the answer never depends on how the signer picks
 * its nonce.
 */
int
ticketcode_check(const unsigned char sk[crypto_sign_SECRETKEYBYTES],
    const char *code, uint32_t *event_id, uint32_t *ticket_id)
{
	unsigned char raw[CODE_BYTES], sig[crypto_sign_BYTES];

	if (decode(code, raw) != 0)
		return -1;
	if (crypto_sign_detached(sig, NULL, raw, TICKETCODE_PAYLOAD, sk) != 0)
		return -1;
	if (sodium_memcmp(sig, raw + TICKETCODE_PAYLOAD, crypto_sign_BYTES) != 0 &&
	    crypto_sign_verify_detached(raw + TICKETCODE_PAYLOAD, raw,
	    TICKETCODE_PAYLOAD, sk + 32) != 0)
		return -1;
	*event_id = get_be32(raw + 1);
	*ticket_id = get_be32(raw + 5);
	return 0;
}

static void
eventkey_kek(const unsigned char server_key[32],
    unsigned char kek[crypto_secretbox_KEYBYTES])
{
	crypto_generichash(kek, crypto_secretbox_KEYBYTES,
	    (const unsigned char *)eventkey_context,
	    sizeof(eventkey_context) - 1, server_key, 32);
}

int
eventkey_generate(const unsigned char server_key[32],
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], unsigned char *sealed,
    size_t *sealed_len)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char kek[crypto_secretbox_KEYBYTES];
	int rc = -1;

	if (crypto_sign_keypair(pk, sk) != 0)
		goto out;
	eventkey_kek(server_key, kek);
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	if (crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, sk,
	    sizeof(sk), sealed, kek) != 0)
		goto out;
	*sealed_len = EVENTKEY_SEALED_LEN;
	rc = 0;
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(kek, sizeof(kek));
	return rc;
}

int
eventkey_open(const unsigned char server_key[32],
    const unsigned char *sealed, size_t sealed_len,
    unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
	unsigned char kek[crypto_secretbox_KEYBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char check[crypto_sign_SECRETKEYBYTES];
	int rc = -1;

	if (sealed == NULL || sealed_len != EVENTKEY_SEALED_LEN)
		goto out;
	eventkey_kek(server_key, kek);
	if (crypto_secretbox_open_easy(sk, sealed + crypto_secretbox_NONCEBYTES,
	    sealed_len - crypto_secretbox_NONCEBYTES, sealed, kek) != 0)
		goto out;
	/*
	 * libsodium's secret key is seed || public key.  Signing uses both
	 * halves, so one not derived from the other would make codes that
	 * never verify; refuse it here instead.
	 */
	if (crypto_sign_seed_keypair(pk, check, sk) != 0 ||
	    sodium_memcmp(check, sk, sizeof(check)) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		sodium_memzero(sk, crypto_sign_SECRETKEYBYTES);
	sodium_memzero(check, sizeof(check));
	sodium_memzero(kek, sizeof(kek));
	return rc;
}
