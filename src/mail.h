/*
 * Mail: the durable outbox (rows written in the transaction of the change
 * that causes them), organiser mailings, and the sender threads that claim
 * due rows, render them from mail-templates/ and deliver them over SMTP.
 */
#ifndef CONFERO_MAIL_H
#define CONFERO_MAIL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "db.h"

/* ---- db layer (db_mail.c) ---- */
/* One message about a registration (kind: confirmed, waitlisted, …). */
enum err outbox_enqueue_reg(struct db *, long long reg_id, const char *kind);
/* audience: attendees, waitlisted, checked_in, no_shows, session, ticket_type, speakers. */
enum err outbox_enqueue_mailing(struct db *, long long event_id,
    long long mailing_id, const char *audience, long long audience_id,
    long long *count);
struct outbox_row {
	long long id, attempts, event_id, reg_id, speaker_id, mailing_id, created;
	char kind[33], to_addr[256], to_name[801], message_id[201];
	const char *lang;       /* a preview's language; NULL: the recipient's */
	long long meeting_id;   /* a meeting mail's meeting, 0: none */
	char about_day[11];     /* a reminder's local day, YYYY-MM-DD */
};
/* Claim up to n (at most 20) due rows (lease_s seconds); ids into out. */
enum err outbox_claim(struct db *, int n, int lease_s, long long *out, int *got);
/* Load up to 20 rows by id, in id order. */
enum err outbox_load(struct db *, const long long *ids, int n,
    struct outbox_row *, int *got);
/* status: sent, failed, skipped. */
/* Only while the lease of that attempt holds (else nothing changes). */
enum err outbox_done(struct db *, long long id, long long attempts, const char *status,
    const char *reply);
enum err outbox_retry(struct db *, long long id, long long attempts, int after_s,
    const char *reply);
enum err outbox_list(struct db *, long long event_id, const char *status,
    const char *tz, cJSON *array);
enum err mailing_insert(struct db *, long long event_id, const char *audience,
    const char *subject, const char *body, long long by, long long *id);
enum err mailing_set_total(struct db *, long long id, long long total);
/* {"id","event","audience","subject","body","total","sent","failed","pending","created_at"} */
enum err mailing_json(struct db *, long long id, cJSON **out, long long *event_id);
enum err mailing_list(struct db *, long long event_id, cJSON *array);
enum err mailing_first(struct db *, long long mailing_id, long long *reg_id,
    long long *speaker_id);
enum err reg_seal_manage(struct db *, long long reg_id, const unsigned char *sealed,
    size_t len);
enum err reg_manage_sealed(struct db *, long long reg_id, unsigned char *buf,
    size_t cap, size_t *len);

/* ---- sending (mail_send.c) ---- */
/* Load and check the templates; -1 with a message naming file and line. */
int mail_init(char *err, size_t errlen);
void mail_free(void);
/* Start n sender threads; mail_wake() nudges them after a commit. */
int mail_start(int n);
void mail_stop(void);
void mail_wake(void);
/* Render a message as it would be sent (preview); malloc'd fields. */
struct mail_render {
	char *subject, *text, *html;
	const char *lang;               /* the language it is in (static) */
};
enum err mail_render_row(struct db *, const struct outbox_row *,
    struct mail_render *, const char *mailing_subject, const char *mailing_body);
void mail_render_free(struct mail_render *);
/* The manage link's secret, sealed under the server key. */
int manage_seal(const char *secret, unsigned char *out, size_t cap, size_t *len);
int manage_open(const unsigned char *sealed, size_t len, char *out, size_t cap);

#endif
