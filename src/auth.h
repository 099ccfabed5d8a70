/*
 * Passwords (argon2id on a bounded pool), random secrets for sessions and
 * API tokens, their stored hashes, CSRF tokens and throttle keys.
 */
#ifndef CONFERO_AUTH_H
#define CONFERO_AUTH_H

#include <stddef.h>

#include "err.h"

#define AUTH_HASH_MAX 128       /* crypto_pwhash_STRBYTES */
#define AUTH_SECRET_MAX 64      /* "cft_" + 43 base64url chars + NUL fits */

int auth_init(const unsigned char secret_key[32], int hash_workers);
/* ERR_UNAVAILABLE when no hashing slot frees up within 10 s. */
enum err auth_hash_password(const char *pw, char out[AUTH_HASH_MAX]);
/* 1 match, 0 mismatch; a NULL or empty hash burns the same time. */
int auth_verify_password(const char *hash, const char *pw, enum err *e);
/* A 256-bit random secret, base64url, after prefix ("" or "cft_"). */
void auth_new_secret(const char *prefix, char out[AUTH_SECRET_MAX]);
/* A readable random password of 20 characters. */
void auth_new_password(char out[32]);
void auth_secret_hash(const char *secret, unsigned char out[32]);
/* CSRF token bound to a session secret (HMAC with the server key). */
void auth_csrf(const char *session_secret, char out[AUTH_SECRET_MAX]);
int auth_csrf_ok(const char *session_secret, const char *given);
void auth_throttle_key(const char *kind, const char *value, unsigned char out[32]);
/* A hash keyed with the server key, for purpose (e.g. "audit-chain-v1"):
 * init, then crypto_generichash_update/final with 32-byte output. */
#include <sodium.h>
void auth_mac_init(crypto_generichash_state *, const char *purpose);
/* The token of an erasure confirmation link (base64url, 43 characters). */
void auth_erase_token(long long registration_id, const unsigned char nonce[16],
    char out[AUTH_SECRET_MAX]);
/* Constant-time string equality. */
int auth_streq(const char *a, const char *b);

#endif
