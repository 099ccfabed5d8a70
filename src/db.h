/*
 * The database layer's public face.  Callers get a connection from the
 * pool (db_acquire), run domain operations on it, and give it back.  No
 * SQL and no mysql.h above this header: the db_*.c files own both.
 */
#ifndef CONFERO_DB_H
#define CONFERO_DB_H

#include <stddef.h>

#include "err.h"
#include "route.h"

struct config;
struct db;

int db_init(const struct config *);
void db_shutdown(void);
/* The last failed connect was refused for good (credentials, database). */
int db_connect_fatal(void);
/* 1 while MariaDB is known unreachable (connecting fails at once then). */
int db_outage(void);
/* Wait up to timeout_ms for a pooled connection; connects it if needed. */
enum err db_acquire(struct db **, int timeout_ms);

/*
 * A non-blocking connection of its own, for the event thread: start a
 * statement (db_*.c wrappers), wait for adb_fd() as the returned
 * MYSQL_WAIT_READ/WRITE bits say, call adb_cont with what is ready, until
 * 0: then adb_err tells how it ended.
 */
struct adb;
enum err adb_open(struct adb **);
void adb_close(struct adb *);
int adb_fd(struct adb *);
int adb_broken(struct adb *);
int adb_cont(struct adb *, int ready);
enum err adb_err(struct adb *);
unsigned long long adb_insert_id(struct adb *);
void db_release(struct db *);
/* Round trip to the server; reconnects a broken connection once. */
enum err db_ping(struct db *);

/*
 * Run fn in a transaction; retried (up to 5 times) on deadlock, lock wait
 * timeout or a connection lost before COMMIT, so fn must have no effect
 * outside the database other than on memory it resets itself.
 */
typedef enum err (*db_txfn)(struct db *, void *arg);
enum err db_tx(struct db *, db_txfn fn, void *arg);

/* Apply pending sql/ migrations (embedded); verbose prints each name. */
enum err db_migrate(struct db *, int verbose);

/* ---- staff accounts, auth sessions, API tokens, throttling, audit ---- */

struct user {
	long long id;
	char email[256];
	enum role role;
	int disabled;
	char created_at[32];            /* RFC 3339 UTC */
	char pwhash[256];               /* only filled by db_user_by_email */
	char language[16];              /* "": the browser's */
};

struct token {
	long long id;
	char name[404];
	char prefix[16];
	long long user_id;
	enum role role;
	long long event_id;             /* 0: every event the creator may see */
	char event_slug[128];
	char created_at[32];
	char last_used_at[32];          /* "" when never used */
	int revoked;
};

/* Who is calling: filled by db_session_lookup / db_token_lookup. */
struct principal {
	int kind;                       /* PRINCIPAL_NONE, _SESSION, _TOKEN */
	long long user_id;
	enum role role;                 /* effective role */
	char email[256];
	long long token_id;
	long long event_id;             /* token scope, 0: none */
};
#define PRINCIPAL_NONE 0
#define PRINCIPAL_SESSION 1
#define PRINCIPAL_TOKEN 2

enum err db_user_count(struct db *, long long *n);
/* ERR_CONFLICT when the email is taken. */
enum err db_user_insert(struct db *, const char *email, const char *pwhash,
    enum role, long long *id);
enum err db_user_by_email(struct db *, const char *email, struct user *);
enum err db_user_by_id(struct db *, long long id, struct user *);
typedef enum err (*db_user_cb)(void *ctx, const struct user *);
enum err db_user_list(struct db *, db_user_cb, void *ctx);
/* role < 0, disabled < 0, pwhash NULL: unchanged. */
/* role, disabled < 0 and pwhash, language NULL: unchanged ("" clears the language). */
enum err db_user_update(struct db *, long long id, int role, int disabled,
    const char *pwhash, const char *language);

enum err db_session_insert(struct db *, const unsigned char hash[32],
    long long user_id, int ttl_seconds);
/* ERR_NOTFOUND when unknown, expired or the user is disabled. */
enum err db_session_lookup(struct db *, const unsigned char hash[32],
    struct principal *);
enum err db_session_delete(struct db *, const unsigned char hash[32]);
enum err db_session_delete_user(struct db *, long long user_id);
/* Every session of the user but the one whose hash is keep. */
enum err db_session_delete_user_others(struct db *, long long user_id,
    const unsigned char keep[32]);

enum err db_token_insert(struct db *, const unsigned char hash[32],
    const char *prefix, const char *name, long long user_id, enum role,
    long long event_id, long long *id);
/* ERR_NOTFOUND when unknown, revoked or the creator is disabled. */
enum err db_token_lookup(struct db *, const unsigned char hash[32],
    struct principal *);
typedef enum err (*db_token_cb)(void *ctx, const struct token *);
/* user_id 0: all tokens. */
enum err db_token_list(struct db *, long long user_id, db_token_cb, void *);
enum err db_token_get(struct db *, long long id, struct token *);
enum err db_token_revoke(struct db *, long long id);
enum err db_token_revoke_user(struct db *, long long user_id);

/* The audit chain (db_audit.c). */
struct audit_verdict {
	long long checked;      /* sealed entries that match */
	long long unsealed;     /* written, not yet sealed */
	long long broken_id;    /* audit_log id of the first bad entry; -1: the end cut off */
	long long broken_seq;
	char reason[200];
};
enum err db_audit_seal(struct db *, int *sealed);
struct audit_filter {
	long long event_id;     /* 0: every event (admins) */
	const char *actor_kind; /* NULL: any */
	long long actor_id;
	long long registration_id;
	const char *action;     /* exact, or a prefix ending in "." */
	long long limit, offset;
};
struct cJSON;
enum err db_audit_list(struct db *, const struct audit_filter *, const char *tz,
    struct cJSON *array, long long *total);
/* ERR_OK also when the chain is broken: see v->broken_id. */
enum err db_audit_verify(struct db *, struct audit_verdict *v);

/* Retention and erasure (db_privacy.c).  db_anonymise runs in the
 * caller's transaction; *done 0 when it was anonymised already. */
enum err db_anonymise(struct db *, long long registration_id, int *done);
/* One transaction: up to limit registrations past retention; *done of them. */
enum err db_retention_batch(struct db *, int max_days, int limit, int *done);
enum err db_retention_run(struct db *, int max_days, long long *total);
/* Versioned privacy texts (JSON {lang: text} or NULL each). */
enum err db_privacy_set(struct db *, long long event_id, const char *consent,
    const char *notice, long long user_id);
enum err db_privacy_get(struct db *, long long event_id, long long version,
    struct cJSON **out);
/* Erasure through the manage link: a request's nonce (the mail's token is
 * derived from it, auth_erase_token); ERR_NOTFOUND when none is good. */
enum err db_erase_request(struct db *, long long id, const unsigned char nonce[16], int *fresh);
enum err db_erase_nonce(struct db *, long long id, unsigned char nonce[16]);
/* Subject access: consent, tickets, check-ins, sessions, matchmaking
 * profile, opportunities, meetings and mails of one registration, as keys
 * of o. */
enum err db_subject_access(struct db *, long long registration_id, const char *tz,
    struct cJSON *o);
typedef enum err (*db_retention_cb)(void *ctx, const char *slug, const char *ended,
    int days, long long due);
enum err db_retention_plan(struct db *, int max_days, db_retention_cb, void *ctx);

/* The change counter every instance polls (changes.c). */
enum err db_changes_bump(struct db *);
enum err db_changes_get(struct db *, long long *n);

/* Seconds the caller must still wait (0: not throttled) for either key. */
enum err db_throttle_check(struct db *, const unsigned char k1[32],
    const unsigned char k2[32], long long *retry_after);
enum err db_throttle_fail(struct db *, const unsigned char key[32],
    int max_failures, int window_seconds);
enum err db_throttle_reset(struct db *, const unsigned char key[32]);
/* Attempts counted for key in the window; one attempt taken back. */
enum err db_throttle_count(struct db *, const unsigned char key[32], int window,
    long long *n);
enum err db_throttle_undo(struct db *, const unsigned char key[32], int max);

/* actor_kind: "system", "user", "token", "attendee"; details: JSON or NULL. */
enum err db_audit(struct db *, const char *actor_kind, long long actor_id,
    const char *action, const char *object_type, long long object_id,
    const char *details);
/* The same when the caller knows the event (no look-up by object). */
enum err db_audit_at(struct db *, long long event_id, const char *actor_kind,
    long long actor_id, const char *action, const char *object_type,
    long long object_id, const char *details);

#endif
