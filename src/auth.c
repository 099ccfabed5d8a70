/* libsodium-based credentials: argon2id, random secrets, HMAC CSRF. */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "log.h"

/* OWASP's argon2id minimum: 19 MiB, t=2. */
#define PW_OPS 2
#define PW_MEM (19u * 1024u * 1024u)

static unsigned char key[32];
static sem_t hash_slots;
static char dummy_hash[crypto_pwhash_STRBYTES];

static int
slot_take(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	while (sem_timedwait(&hash_slots, &ts) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
auth_init(const unsigned char secret_key[32], int workers)
{
	if (sodium_init() < 0)
		return -1;
	memcpy(key, secret_key, sizeof(key));
	if (sem_init(&hash_slots, 0, (unsigned)workers) != 0)
		return -1;
	/* Verified against for unknown emails, so both cost the same. */
	if (crypto_pwhash_str_alg(dummy_hash, "confero-dummy-password", 22,
	    PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

enum err
auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	int rc;

	if (slot_take() == -1)
		return ERR_UNAVAILABLE;
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPS, PW_MEM,
	    crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&hash_slots);
	return rc == 0 ? ERR_OK : ERR_INTERNAL;
}

int
auth_verify_password(const char *hash, const char *pw, enum err *e)
{
	int ok;

	*e = ERR_OK;
	if (slot_take() == -1) {
		*e = ERR_UNAVAILABLE;
		return 0;
	}
	if (hash == NULL || hash[0] == '\0') {
		int burn = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));
		(void)burn;
		ok = 0;
	} else
		ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	sem_post(&hash_slots);
	return ok;
}

void
auth_new_secret(const char *prefix, char out[AUTH_SECRET_MAX])
{
	unsigned char raw[32];
	size_t pl = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, pl);
	sodium_bin2base64(out + pl, AUTH_SECRET_MAX - pl, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void
auth_new_password(char out[32])
{
	/* No look-alikes (0/O, 1/l/I): people type these from a screen. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	int i;

	for (i = 0; i < 20; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[20] = '\0';
}

void
auth_secret_hash(const char *secret, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)secret,
	    strlen(secret), NULL, 0);
}

void
auth_csrf(const char *session_secret, char out[AUTH_SECRET_MAX])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)session_secret,
	    strlen(session_secret));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, AUTH_SECRET_MAX, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
auth_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int
auth_csrf_ok(const char *session_secret, const char *given)
{
	char want[AUTH_SECRET_MAX];

	if (given == NULL || given[0] == '\0')
		return 0;
	auth_csrf(session_secret, want);
	return auth_streq(want, given);
}

void
auth_mac_init(crypto_generichash_state *st, const char *purpose)
{
	crypto_generichash_init(st, key, sizeof(key), 32);
	crypto_generichash_update(st, (const unsigned char *)purpose, strlen(purpose) + 1);
}

void
auth_erase_token(long long id, const unsigned char nonce[16], char out[AUTH_SECRET_MAX])
{
	crypto_generichash_state st;
	unsigned char h[32];
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", id);

	auth_mac_init(&st, "confero erase confirmation v1");
	crypto_generichash_update(&st, (const unsigned char *)num, (unsigned long long)n + 1);
	crypto_generichash_update(&st, nonce, 16);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2base64(out, AUTH_SECRET_MAX, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(h, sizeof(h));
}

void
auth_throttle_key(const char *kind, const char *value, unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, sizeof(key), 32);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&st, out, 32);
}
