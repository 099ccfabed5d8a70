/*
 * Signed ticket codes and the per-event signing keys behind them.  A code is
 * base32(payload || Ed25519 signature over payload), payload being version
 * 0x01, event id and ticket id (big-endian uint32s): 73 bytes, 117 chars.
 */
#ifndef CONFERO_TICKETCODE_H
#define CONFERO_TICKETCODE_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define TICKETCODE_VERSION 0x01
#define TICKETCODE_PAYLOAD 9            /* version, event id, ticket id */
#define TICKETCODE_LEN 117              /* base32 of 9 + 64 bytes */
#define TICKETCODE_MAX 128              /* TICKETCODE_LEN + NUL, rounded up */

/* nonce || secretbox(secret key): 24 + 16 + 64 bytes. */
#define EVENTKEY_SEALED_LEN \
	(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + \
	crypto_sign_SECRETKEYBYTES)

/*
 * All functions expect sodium_init() to have been called.  Return 0 on
 * success, -1 otherwise; out-parameters are written only on success unless
 * said otherwise.
 */

/* out gets TICKETCODE_LEN upper-case base32 characters and a NUL. */
int ticketcode_make(const unsigned char sk[crypto_sign_SECRETKEYBYTES],
    uint32_t event_id, uint32_t ticket_id, char out[TICKETCODE_MAX]);
/*
 * Reads the ids WITHOUT checking the signature: only to pick the event whose
 * key then goes to ticketcode_verify.  Exactly TICKETCODE_LEN base32
 * characters, either case (handheld scanners may send lower case), no
 * surrounding blanks, version TICKETCODE_VERSION.
 */
int ticketcode_parse(const char *code, uint32_t *event_id,
    uint32_t *ticket_id);
/* As ticketcode_parse, and 0 only when the signature verifies with pk. */
int ticketcode_verify(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
    const char *code, uint32_t *event_id, uint32_t *ticket_id);
/* The same answer as ticketcode_verify, from the secret key, faster. */
int ticketcode_check(const unsigned char sk[crypto_sign_SECRETKEYBYTES],
    const char *code, uint32_t *event_id, uint32_t *ticket_id);

/*
 * A new event key pair.  pk is stored in the clear; the secret key leaves
 * only as sealed (EVENTKEY_SEALED_LEN bytes, which sealed must hold;
 * *sealed_len is set to that): crypto_secretbox_easy under
 * BLAKE2b-256(key = server_key, message = "confero event signing key v1"),
 * with a random nonce in front.  Changing the server key or that string
 * makes every stored event key unreadable.
 */
int eventkey_generate(const unsigned char server_key[32],
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], unsigned char *sealed,
    size_t *sealed_len);
/*
 * Unseals a secret key; -1 on a wrong length, wrong server key or any
 * tampering (sk is then zeroed).  The caller should sodium_memzero(sk)
 * once done with it.
 */
int eventkey_open(const unsigned char server_key[32],
    const unsigned char *sealed, size_t sealed_len,
    unsigned char sk[crypto_sign_SECRETKEYBYTES]);

#endif
