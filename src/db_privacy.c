/*
 * Anonymising registrations (sql/010_retention.sql): by the retention job
 * once an event is past its retention_days, or on erasure.  Everything in
 * the caller's transaction; the registration's place in every count stays.
 */
#include <string.h>

#include "db.h"
#include "db_internal.h"

enum err
db_anonymise(struct db *d, long long id, int *done)
{
	static const enum stmt rest[] = {STMT_ANON_TICKETS, STMT_ANON_SCANS,
	    STMT_ANON_OPPS, STMT_ANON_PROFILE, STMT_ANON_OUTBOX};
	struct dbv a[] = {V_INT(id), V_INT(id)};
	unsigned long long n = 0;
	enum err e;
	size_t i;

	*done = 0;
	if ((e = db_exec(d, STMT_ANON_REG, a, 1, &n, NULL)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_OK;          /* gone already, or no such registration */
	/* Meetings before the profile: they are found through it. */
	if ((e = db_exec(d, STMT_ANON_MEETINGS, a, 2, NULL, NULL)) != ERR_OK)
		return e;
	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		if ((e = db_exec(d, rest[i], a, 1, NULL, NULL)) != ERR_OK)
			return e;
	*done = 1;
	return ERR_OK;
}

struct retention {
	struct db *d;
	int max_days, limit, done;
};

static enum err
due_row(void *ctx, const struct dbrow *r)
{
	struct retention *t = ctx;
	long long id = row_ll(r, 0);
	int done;
	enum err e;

	if ((e = db_anonymise(t->d, id, &done)) != ERR_OK)
		return e;
	if (done) {
		t->done++;
		return db_audit(t->d, "system", 0, "registration.anonymise", "registration", id,
		    "{\"reason\":\"retention\"}");
	}
	return ERR_OK;
}

static enum err
retention_tx(struct db *d, void *arg)
{
	struct retention *t = arg;
	struct dbv a[] = {V_INT(t->max_days), V_INT(t->limit)};

	t->d = d;
	t->done = 0;
	return db_query(d, STMT_RETENTION_DUE, a, NARGS(a), due_row, t);
}

enum err
db_retention_batch(struct db *d, int max_days, int limit, int *done)
{
	struct retention t = {NULL, max_days, limit, 0};
	enum err e = db_tx(d, retention_tx, &t);

	*done = e == ERR_OK ? t.done : 0;
	return e;
}

/* Everything past retention now, in batches; *total anonymised. */
enum err
db_retention_run(struct db *d, int max_days, long long *total)
{
	struct dbv a[] = {V_INT(max_days), V_INT(max_days)};
	int done, i;
	enum err e;

	*total = 0;
	if ((e = db_exec(d, STMT_RETENTION_CLAMP, a, NARGS(a), NULL, NULL)) != ERR_OK)
		return e;
	for (i = 0; i < 1000; i++) {
		if ((e = db_retention_batch(d, max_days, 100, &done)) != ERR_OK)
			return e;
		*total += done;
		if (done < 100)
			break;
	}
	return ERR_OK;
}

/* Subject access: each part of what is held about registration id. */
enum err
db_subject_access(struct db *d, long long id, const char *tz, cJSON *o)
{
	static const struct {
		const char *key;
		enum stmt st;
		const char *spec;
		int nargs;
	} parts[] = {
		{"tickets", STMT_SAR_TICKETS, "code:s,status:s,created_at:t,revoked_at:t", 1},
		{"checkins", STMT_SAR_CHECKINS, "at:t,session_id:i,session:s,gate:s,undone_at:t", 1},
		{"sessions", STMT_SAR_SESSIONS, "id:i,title:s,starts_at:t", 1},
		{"opportunities", STMT_SAR_OPPS,
		    "id:i,kind:s,title:s,description:s,topics:j,created_at:t", 1},
		{"meetings", STMT_SAR_MEETINGS,
		    "id:i,status:s,direction:s,with_profile_id:i,message:s,created_at:t,starts_at:t,"
		    "table:i,outcome:s,note:s", 1},
		{"mails", STMT_SAR_MAILS,
		    "kind:s,mailing_subject:s,status:s,created_at:t,sent_at:t,message_id:s", 1},
	};
	struct dbv a[] = {V_INT(id)};
	cJSON *x = NULL;
	enum err e;
	size_t i;

	if ((e = db_json_row(d, STMT_SAR_CONSENT, a, 1, "at:t,version:i,language:s", tz, &x)) != ERR_OK)
		return e;
	cJSON_AddItemToObject(o, "consent", x);
	e = db_json_row(d, STMT_SAR_PROFILE, a, 1,
	    "id:i,visible:b,consent_at:t,withdrawn_at:t,hidden:b,headline:s,about:s,"
	    "organisation_type:s,country:s,topics:j,website:s,created_at:t,updated_at:t", tz, &x);
	if (e == ERR_NOTFOUND)
		cJSON_AddNullToObject(o, "matchmaking_profile");
	else if (e != ERR_OK)
		return e;
	else
		cJSON_AddItemToObject(o, "matchmaking_profile", x);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if ((e = db_json_rows(d, parts[i].st, a, (size_t)parts[i].nargs, parts[i].spec, tz,
		    cJSON_AddArrayToObject(o, parts[i].key))) != ERR_OK)
			return e;
	return ERR_OK;
}

/* A new erasure request: *fresh 0 when one was made two minutes ago. */
enum err
db_erase_request(struct db *d, long long id, const unsigned char nonce[16], int *fresh)
{
	struct dbv a[] = {V_BIN(nonce, 16), V_INT(id)};
	unsigned long long n = 0;
	enum err e;

	e = db_exec(d, STMT_ERASE_REQUEST, a, NARGS(a), &n, NULL);
	*fresh = n == 1;
	return e;
}

struct nonce_ctx {
	unsigned char *nonce;
	int found, valid;
};

static enum err
nonce_row(void *ctx, const struct dbrow *r)
{
	struct nonce_ctx *c = ctx;

	if (r->val[0] == NULL || r->len[0] != 16)
		return ERR_OK;
	memcpy(c->nonce, r->val[0], 16);
	c->found = 1;
	c->valid = row_ll(r, 1) != 0;
	return ERR_OK;
}

/* ERR_NOTFOUND: no request, or older than a day. */
enum err
db_erase_nonce(struct db *d, long long id, unsigned char nonce[16])
{
	struct dbv a[] = {V_INT(id)};
	struct nonce_ctx c = {nonce, 0, 0};
	enum err e;

	if ((e = db_query(d, STMT_ERASE_NONCE, a, NARGS(a), nonce_row, &c)) != ERR_OK)
		return e;
	return c.found && c.valid ? ERR_OK : ERR_NOTFOUND;
}

/* A new version of the privacy texts unless they are the current ones. */
enum err
db_privacy_set(struct db *d, long long event_id, const char *consent, const char *notice,
    long long user_id)
{
	struct dbv a[] = {V_STR(consent), V_STR(notice), V_ID(user_id), V_INT(event_id),
	    V_STR(consent), V_STR(notice)};
	struct dbv b[] = {V_INT(event_id)};
	unsigned long long n = 0;
	enum err e;

	if ((e = db_exec(d, STMT_PRIVACY_NEW, a, NARGS(a), &n, NULL)) != ERR_OK)
		return e;
	return n == 1 ? db_exec(d, STMT_PRIVACY_BUMP, b, 1, NULL, NULL) : ERR_OK;
}

/* {current, version, consent_text, notice, created_at}; version NULL when
 * that version does not exist (or is 0). */
enum err
db_privacy_get(struct db *d, long long event_id, long long version, cJSON **out)
{
	struct dbv a[] = {version >= 0 ? V_INT(version) : V_NULL, V_INT(event_id)};

	return db_json_row(d, STMT_PRIVACY_GET, a, NARGS(a),
	    "current:i,version:i,consent_text:j,notice:j,created_at:t", NULL, out);
}

struct plan {
	db_retention_cb cb;
	void *ctx;
};

static enum err
plan_row(void *ctx, const struct dbrow *r)
{
	struct plan *p = ctx;

	return p->cb(p->ctx, row_str(r, 0), row_str(r, 1), (int)row_ll(r, 2), row_ll(r, 3));
}

enum err
db_retention_plan(struct db *d, int max_days, db_retention_cb cb, void *ctx)
{
	struct dbv a[] = {V_INT(max_days), V_INT(max_days)};
	struct plan p = {cb, ctx};

	return db_query(d, STMT_RETENTION_PLAN, a, NARGS(a), plan_row, &p);
}
