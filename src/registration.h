/*
 * Registrations and check-in: the rules (capacity, waiting list, approval,
 * payment, exactly-once check-in) as transactions over the db_reg_* and
 * db_ck_* functions, which are the only SQL for them.
 */
#ifndef CONFERO_REGISTRATION_H
#define CONFERO_REGISTRATION_H

#include <cjson/cJSON.h>

#include "db.h"
#include "event.h"

struct ttype_rules {
	long long id, price_cents, sale_starts, sale_ends;
	int requires_approval, all_sessions;
	char name[801];
};

struct reg_row {
	long long id, event_id, ttype_id;
	char status[24];
	int holds_seat;
};

struct reg_session {
	long long id;
	int holds, requires_signup;
};

/* ---- db layer (db_registration.c) ---- */
enum err db_ttype_rules(struct db *, long long event_id, long long id,
    struct ttype_rules *);
/* *exists 0: no such session in the event. */
enum err db_session_rules(struct db *, long long event_id, long long ttype_id,
    long long session_id, int *exists, int *requires_signup, int *included);
enum err db_question_rules(struct db *, long long event_id, cJSON *array);
struct reg_request;
/* The registration row of rq with this status; rq->id is set. */
enum err db_reg_insert(struct db *, struct reg_request *rq,
    const char *status, int holds_seat);
/* Idempotency keys (sql/007): the first answer to a key, by hashes. */
struct idem_row {
	unsigned char body_hash[32];
	int outcome;                    /* 0 created, else REG_* */
	long long reg_id, session_id;
	char reg_status[24];
	char code[160];
	unsigned char sealed[160];
	size_t sealed_len;
};
/* ERR_CONFLICT when the key is taken (by a committed or running request). */
enum err db_idem_insert(struct db *, long long event_id, const unsigned char key[32],
    const unsigned char body[32], int outcome, long long reg_id, const char *reg_status,
    long long ticket_id, long long session_id);
enum err db_idem_get(struct db *, long long event_id, const unsigned char key[32],
    struct idem_row *);
enum err db_idem_purge(struct db *);
enum err db_reg_set_language(struct db *, long long event_id, long long id,
    const char *lang);
/* 1 taken, 0 full. */
enum err db_seat_take(struct db *, int what, long long id, int *taken);
enum err db_seat_free(struct db *, int what, long long id);
#define SEAT_EVENT 0
#define SEAT_TTYPE 1
#define SEAT_SESSION 2
enum err db_reg_set_status(struct db *, long long id, const char *status,
    int holds_seat, int live);
enum err db_reg_session_add(struct db *, long long reg, long long session,
    int holds);
enum err db_reg_session_del(struct db *, long long reg, long long session);
/* Up to cap sessions of a registration. */
enum err db_reg_sessions(struct db *, long long reg, struct reg_session *,
    int cap, int *n);
/* ERR_CONFLICT when the (random) id is taken. */
enum err db_ticket_insert(struct db *, long long id, long long reg,
    long long event_id, const char *code);
enum err db_ticket_revoke(struct db *, long long reg);
enum err db_reg_lock(struct db *, long long id, struct reg_row *);
/* Waitlisted registrations of an event, oldest first, locked. */
enum err db_reg_waitlist(struct db *, long long event_id, long long *ids,
    long long *ttypes, int cap, int *n);
enum err db_reg_by_manage(struct db *, const unsigned char hash[32],
    long long *id, long long *event_id);
enum err db_reg_json(struct db *, long long event_id, long long id,
    const char *tz, cJSON **);
struct reg_filter {
	const char *status;             /* NULL: any */
	long long ttype_id;             /* 0: any */
	const char *q;                  /* LIKE pattern or NULL */
	int checked_in;                 /* -1 any, 0 no, 1 yes */
	long long limit, offset;
	const char *sort_lang;          /* exports: by name in this language; NULL: id order */
};
enum err db_reg_list(struct db *, long long event_id, const struct reg_filter *,
    const char *tz, cJSON *array, long long *total);
enum err db_reg_update(struct db *, long long event_id, long long id,
    const char *name, const char *organisation, const char *answers,
    const char *email);

/* ---- check-in (db_registration.c) ---- */
struct ck_ticket {
	long long ticket_id, event_id, reg_id, ttype_id;
	char ticket_status[16], reg_status[24];
	char name[801], organisation[801], ttype_name[801];
	int found;
};
enum err db_ck_ticket(struct db *, long long ticket_id, struct ck_ticket *);
enum err db_ck_reg(struct db *, long long event_id, long long reg_id,
    struct ck_ticket *);
enum err db_ck_session(struct db *, long long event_id, long long ttype_id,
    long long reg_id, long long session_id, int *exists, int *requires_signup,
    int *included, int *signed_up);
/* What one scan writes: a check-in row, or a scan-log row for a refusal. */
struct ck_write {
	long long event_id, reg_id, ticket_id, point;   /* reg and ticket: 0 if unknown */
	const char *gate, *nonce;                       /* nonce may be NULL */
	long long by_user, by_token;                    /* 0 where not applicable */
};
/*
 * One statement, its own transaction: the check-in row is the record of an
 * accepted scan, at at_ms (Unix milliseconds; the answer shows the same
 * time as the row).  ERR_CONFLICT when this registration is already in at
 * this point, or the nonce was used by another check-in of the event.
 */
enum err db_ck_insert(struct db *, const struct ck_write *, long long at_ms,
    long long *id);
enum err db_ck_first(struct db *, long long reg_id, long long point,
    long long *at, char *gate, size_t gatelen, long long *id);
enum err db_ck_get(struct db *, long long id, long long *event_id,
    long long *reg_id, char *slug, size_t slugl);
enum err db_ck_undo(struct db *, long long id, long long by_user);
/* A refused scan.  ERR_CONFLICT when its nonce is already in the log. */
enum err db_scan_insert(struct db *, const struct ck_write *, const char *result,
    int status, const char *response);
/* What a nonce was answered: a refusal's stored answer, or the check-in it made. */
struct scan_answer {
	int found, status;
	char *response;         /* refusal: the body as sent (malloc'd; caller frees) */
	long long checkin_id;   /* accepted: the check-in, its time and gate */
	long long at, reg_id;
	char gate[401];         /* VARCHAR(100) of utf8mb4 */
};
enum err db_scan_nonce(struct db *, long long event_id, const char *nonce,
    struct scan_answer *);
/*
 * The same statements on a non-blocking connection (db.h, struct adb), for
 * the event thread: each returns what adb_cont returns.
 */
int adb_ck_ticket(struct adb *, long long ticket_id);
enum err adb_ck_ticket_row(struct adb *, struct ck_ticket *);
int adb_ck_insert(struct adb *, const struct ck_write *, long long at_ms);
int adb_scan_nonce(struct adb *, long long event_id, const char *nonce);
/* After adb_scan_nonce: *found is 1 when the nonce has an answer. */
enum err adb_scan_nonce_found(struct adb *, int *found);
/* The latest 1,000 scan attempts, accepted (check-ins) and refused, newest first. */
enum err db_scan_list(struct db *, long long event_id, const char *result,
    const char *tz, cJSON *array);
enum err db_attendees(struct db *, long long event_id, const char *q,
    int with_email, const char *tz, cJSON *array);
enum err db_stats(struct db *, long long event_id, const char *tz, cJSON *out);

/* ---- rules (registration.c) ---- */
struct reg_request {
	long long event_id, ttype_id;
	const char *name, *email, *email_lc, *organisation, *answers;
	const char *language;           /* one of the event's (i18n_match) */
	long long consent_version;      /* of the wording agreed to */
	long long *sessions;
	int nsessions;
	unsigned char manage_hash[32];
	unsigned char manage_sealed[160];
	size_t manage_sealed_len;
	/* Idempotency-Key and body hashes, or NULL: recorded with the row. */
	const unsigned char *idem_key, *idem_body;
	/* results */
	long long id;
	char status[24];
	char code[160];
	long long full_session;         /* set when a session was full */
	long long ticket_id;            /* of rq->code */
	int idem_kept;                  /* the refusal is kept under the key already */
};

/* Outcome codes beyond enum err, for registration_create. */
#define REG_SOLD_OUT 1
#define REG_DUPLICATE 2
#define REG_SESSION_FULL 3
#define REG_REPLAY 4              /* the idempotency key is taken */

/*
 * The whole registration in one transaction.  *outcome is 0 on success or
 * one of REG_*; the event's waitlist flag and the type's rules decide.
 */
enum err registration_create(struct db *, const struct event_ref *,
    const struct ttype_rules *, struct reg_request *, int *outcome);
/* Cancel (attendee or organiser) and promote from the waiting list. */
/* Cancel if live, then anonymise (db_anonymise); ERR_GONE if it was already. */
enum err registration_erase(struct db *, const struct event_ref *, long long id,
    const char *actor_kind, long long actor_id, int by_attendee);
enum err registration_cancel(struct db *, const struct event_ref *,
    long long id, const char *actor_kind, long long actor_id, int reject);
enum err registration_approve(struct db *, const struct event_ref *,
    long long id, const char *actor_kind, long long actor_id, int *outcome);
enum err registration_mark_paid(struct db *, const struct event_ref *,
    long long id, const char *actor_kind, long long actor_id);
/* Replace the session sign-ups; *full_session set when one is full. */
enum err registration_set_sessions(struct db *, const struct event_ref *,
    long long id, const long long *sessions, int n, const char *actor_kind,
    long long actor_id, long long *full_session);
/* Seats freed by a larger capacity or quota go to the waiting list first. */
enum err registration_promote(struct db *, const struct event_ref *);
/* A new code for the registration's ticket; the old one is revoked. */
enum err registration_reissue(struct db *, const struct event_ref *,
    long long id, const char *actor_kind, long long actor_id);

/* Queue the ticket mail again (same code). */
enum err registration_resend(struct db *, const struct event_ref *,
    long long id, const char *actor_kind, long long actor_id);

/* Event signing keys, cached in memory after the first use. */
enum err eventkey_pk(struct db *, long long event_id, unsigned char pk[32]);
enum err eventkey_sk(struct db *, long long event_id, unsigned char sk[64]);
/* Only from memory: 0 when the key was there. */
int eventkey_sk_cached(long long event_id, unsigned char sk[64]);

#endif
