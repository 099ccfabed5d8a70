/*
 * Events and everything hanging off them: programme sessions, speakers,
 * ticket types, questions, registrations, tickets and check-ins.  The
 * db_event*.c functions declared here are the only SQL for them; rules
 * (capacity, waitlist, check-in semantics) live in registration.c and
 * checkin.c, which run them inside db_tx().
 */
#ifndef CONFERO_EVENT_H
#define CONFERO_EVENT_H

#include <cjson/cJSON.h>

#include "db.h"

/* What access checks and rules need of an event. */
#define EVENT_LANGS_MAX 12

struct event_ref {
	long long id;
	char slug[65];
	char name[801];
	char status[16];                /* draft, published, closed */
	char tz[65];
	long long capacity;             /* -1: unlimited */
	int waitlist;
	long long reg_opens, reg_closes;        /* epoch, 0: none */
	long long starts_at, ends_at;
	unsigned char pk[32];
	/* The event's languages (i18n_match pointers), langs[0] its default. */
	const char *langs[EVENT_LANGS_MAX];
	size_t nlangs;
	long long privacy_version;      /* of the consent wording (0: Confero's) */
};

/* Fields of a POST or PATCH; `has` tells which are present (PATCH). */
enum {
	EF_NAME = 1 << 0, EF_DESCRIPTION = 1 << 1, EF_VENUE = 1 << 2,
	EF_TIMEZONE = 1 << 3, EF_STARTS = 1 << 4, EF_ENDS = 1 << 5,
	EF_CAPACITY = 1 << 6, EF_WAITLIST = 1 << 7, EF_REG_OPENS = 1 << 8,
	EF_REG_CLOSES = 1 << 9, EF_RETENTION = 1 << 10, EF_ORGANISER = 1 << 11,
};

struct event_in {
	unsigned has;
	const char *slug, *name, *description, *venue, *timezone;
	long long starts_at, ends_at, capacity, reg_opens, reg_closes;
	int waitlist;
	int retention_days;
	const char *organiser;          /* JSON object text, or NULL */
};

enum err db_event_insert(struct db *, const struct event_in *,
    const unsigned char pk[32], const unsigned char *sealed, size_t sealed_len,
    long long creator, long long *id);
enum err db_event_update(struct db *, long long id, const struct event_in *);
enum err db_event_set_status(struct db *, long long id, const char *status);
enum err db_event_ref(struct db *, const char *slug, struct event_ref *);
void event_langs_parse(const char *json, struct event_ref *);
/* The same from a parsed array (NULL: English). */
void event_langs_set(const cJSON *array, struct event_ref *);
/* The tables with organiser texts in several languages (content.h). */
enum tr_table { TR_EVENT, TR_SESSION, TR_SPEAKER, TR_TTYPE, TR_QUESTION, TR_MAILING };
/* Apply a change's translations (JSON texts of struct trpatch) to a row. */
enum err db_tr_patch(struct db *, enum tr_table, long long event_id, long long id,
    const char *clear, const char *set);
enum err db_event_set_languages(struct db *, long long id, const char *json);
enum err db_event_ref_id(struct db *, long long id, struct event_ref *);
enum err db_event_key(struct db *, long long id, unsigned char *sealed,
    size_t cap, size_t *len);
enum err db_event_is_member(struct db *, long long event_id, long long user_id,
    int *member);
/* ERR_CONFLICT when already a member, ERR_NOTFOUND when no such user. */
enum err db_event_member_add(struct db *, long long event_id, long long user_id);
enum err db_event_members(struct db *, long long event_id, cJSON *array);
enum err db_event_json(struct db *, long long id, const char *tz, cJSON **);
/* scope 0: public (published/closed); else the user's (admin: all). */
enum err db_event_list(struct db *, int staff, long long user_id, int admin,
    cJSON *array);

/* Speakers. */
struct speaker_in {
	unsigned has;                   /* SF_* */
	const char *name, *email, *organisation, *bio;
};
enum { SF_NAME = 1, SF_EMAIL = 2, SF_ORG = 4, SF_BIO = 8 };
enum err db_speaker_insert(struct db *, long long event_id,
    const struct speaker_in *, long long *id);
enum err db_speaker_update(struct db *, long long event_id, long long id,
    const struct speaker_in *);
enum err db_speaker_delete(struct db *, long long event_id, long long id);
enum err db_speaker_json(struct db *, long long event_id, long long id,
    int with_email, cJSON **);
enum err db_speaker_list(struct db *, long long event_id, int with_email,
    cJSON *array);

/* Programme sessions. */
struct session_in {
	unsigned has;                   /* PF_* */
	const char *title, *description, *kind, *room, *track;
	long long starts_at, ends_at, capacity;
	int requires_signup;
	/* One-to-one meetings: cut into slots, `tables` tables each (-1: none). */
	int one_to_one;
	long long tables;
	const char *table_labels;       /* JSON array text or NULL */
};
enum {
	PF_TITLE = 1, PF_DESCRIPTION = 2, PF_KIND = 4, PF_STARTS = 8,
	PF_ENDS = 16, PF_ROOM = 32, PF_TRACK = 64, PF_CAPACITY = 128,
	PF_SIGNUP = 256, PF_ONE2ONE = 512, PF_TABLES = 1024,
};
enum err db_session_create(struct db *, long long event_id,
    const struct session_in *, long long *id);
enum err db_session_update(struct db *, long long event_id, long long id,
    const struct session_in *);
enum err db_session_remove(struct db *, long long event_id, long long id);
/* Replace the speakers; ERR_INVALID when one is not of this event. */
enum err db_session_set_speakers(struct db *, long long event_id,
    long long session_id, const long long *ids, int n);
enum err db_session_json(struct db *, long long event_id, long long id,
    const char *tz, cJSON **);
enum err db_session_list(struct db *, long long event_id, const char *tz,
    cJSON *array);
typedef enum err (*db_ics_cb)(void *ctx, long long id, const char *title,
    const char *description, const char *room, long long starts,
    long long ends, const char *speakers);
enum err db_session_each(struct db *, long long event_id, db_ics_cb, void *);

/* Ticket types. */
struct ttype_in {
	unsigned has;                   /* TF_* */
	const char *name, *description, *currency;
	long long quota, price_cents, sale_starts, sale_ends;
	int requires_approval, all_sessions;
};
enum {
	TF_NAME = 1, TF_DESCRIPTION = 2, TF_QUOTA = 4, TF_PRICE = 8,
	TF_CURRENCY = 16, TF_SALE_STARTS = 32, TF_SALE_ENDS = 64,
	TF_APPROVAL = 128, TF_SESSIONS = 256,
};
enum err db_ttype_insert(struct db *, long long event_id,
    const struct ttype_in *, long long *id);
enum err db_ttype_update(struct db *, long long event_id, long long id,
    const struct ttype_in *);
enum err db_ttype_delete(struct db *, long long event_id, long long id);
enum err db_ttype_set_sessions(struct db *, long long event_id,
    long long ttype_id, const long long *ids, int n);
enum err db_ttype_json(struct db *, long long event_id, long long id,
    const char *tz, cJSON **);
enum err db_ttype_list(struct db *, long long event_id, const char *tz,
    int public_only, cJSON *array);

/* Questions. */
struct question_in {
	unsigned has;                   /* QF_* */
	const char *label, *kind, *options;     /* options: JSON array text */
	int required;
	long long position;
};
enum { QF_LABEL = 1, QF_KIND = 2, QF_REQUIRED = 4, QF_OPTIONS = 8, QF_POSITION = 16 };
enum err db_question_insert(struct db *, long long event_id,
    const struct question_in *, long long *id);
enum err db_question_update(struct db *, long long event_id, long long id,
    const struct question_in *);
enum err db_question_delete(struct db *, long long event_id, long long id);
enum err db_question_list(struct db *, long long event_id, cJSON *array);
enum err db_question_json(struct db *, long long event_id, long long id, cJSON **);

#endif
