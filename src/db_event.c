/* SQL for events, programme sessions, speakers, ticket types, questions. */
#include <string.h>

#include <cjson/cJSON.h>

#include "db_internal.h"
#include "event.h"
#include "i18n.h"

/* A PATCH pair: (present, value). */
#define PS(has, f, s) V_INT(((has) & (f)) != 0), V_STR(((has) & (f)) ? (s) : NULL)
#define PI(has, f, x) V_INT(((has) & (f)) != 0), V_INT(x)
/* Integer or NULL (negative: NULL, e.g. unlimited capacity). */
#define VN(x) ((x) >= 0 ? V_INT(x) : V_NULL)
#define PN(has, f, x) V_INT(((has) & (f)) != 0), VN(x)
/* Epoch or NULL (0: NULL). */
#define VT(x) ((x) > 0 ? V_INT(x) : V_NULL)
#define PT(has, f, x) V_INT(((has) & (f)) != 0), VT(x)

static enum err
affected_one(enum err e, unsigned long long n)
{
	if (e != ERR_OK)
		return e;
	return n > 0 ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_event_insert(struct db *d, const struct event_in *in,
    const unsigned char pk[32], const unsigned char *sealed, size_t sealed_len,
    long long creator, long long *id)
{
	struct dbv a[] = {V_STR(in->slug), V_STR(in->name),
	    V_STR(in->description ? in->description : ""),
	    V_STR(in->venue ? in->venue : ""), V_STR(in->timezone),
	    V_INT(in->starts_at), V_INT(in->ends_at), VN(in->capacity),
	    V_INT(in->waitlist), VT(in->reg_opens), VT(in->reg_closes),
	    V_BIN(pk, 32), V_BIN(sealed, sealed_len), V_ID(creator),
	    V_INT(in->retention_days > 0 ? in->retention_days : 180), V_STR(in->organiser)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_EVENT_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_event_update(struct db *d, long long id, const struct event_in *in)
{
	unsigned h = in->has;
	struct dbv a[] = {PS(h, EF_NAME, in->name),
	    PS(h, EF_DESCRIPTION, in->description), PS(h, EF_VENUE, in->venue),
	    PS(h, EF_TIMEZONE, in->timezone), PI(h, EF_STARTS, in->starts_at),
	    PI(h, EF_ENDS, in->ends_at), PN(h, EF_CAPACITY, in->capacity),
	    PI(h, EF_WAITLIST, in->waitlist), PT(h, EF_REG_OPENS, in->reg_opens),
	    PT(h, EF_REG_CLOSES, in->reg_closes), PI(h, EF_RETENTION, in->retention_days),
	    PS(h, EF_ORGANISER, in->organiser), V_INT(id)};

	return db_exec(d, STMT_EVENT_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_event_set_status(struct db *d, long long id, const char *status)
{
	struct dbv a[] = {V_STR(status), V_INT(id)};

	return db_exec(d, STMT_EVENT_STATUS, a, NARGS(a), NULL, NULL);
}

/*
 * The languages column (a JSON array of codes) into ev->langs: codes this
 * build has no catalog for are left out; none left gives English.
 */
void
event_langs_parse(const char *json, struct event_ref *ev)
{
	cJSON *a = json ? cJSON_Parse(json) : NULL;

	event_langs_set(a, ev);
	cJSON_Delete(a);
}

void
event_langs_set(const cJSON *a, struct event_ref *ev)
{
	const cJSON *x;
	const char *m;
	size_t i;

	ev->nlangs = 0;
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x) || (m = i18n_match(x->valuestring, -1)) == NULL)
			continue;
		for (i = 0; i < ev->nlangs && ev->langs[i] != m; i++)
			;
		if (i == ev->nlangs && ev->nlangs < EVENT_LANGS_MAX)
			ev->langs[ev->nlangs++] = m;
	}
	if (ev->nlangs == 0)
		ev->langs[ev->nlangs++] = i18n_match("en", -1);
}

enum err
db_tr_patch(struct db *d, enum tr_table t, long long event_id, long long id,
    const char *clear, const char *set)
{
	static const enum stmt st[] = {STMT_TR_EVENT, STMT_TR_SESSION, STMT_TR_SPEAKER,
		STMT_TR_TTYPE, STMT_TR_QUESTION, STMT_TR_MAILING};
	struct dbv a[] = {V_STR(clear), V_STR(set), V_INT(event_id), V_INT(id)};

	if (strcmp(clear, "{}") == 0 && strcmp(set, "{}") == 0)
		return ERR_OK;
	return db_exec(d, st[t], a, NARGS(a), NULL, NULL);
}

enum err
db_event_set_languages(struct db *d, long long id, const char *json)
{
	struct dbv a[] = {V_STR(json), V_INT(id)};

	return db_exec(d, STMT_EVENT_LANGUAGES, a, NARGS(a), NULL, NULL);
}

struct ref_ctx {
	struct event_ref *ev;
	int found;
};

static enum err
ref_row(void *ctx, const struct dbrow *r)
{
	struct ref_ctx *c = ctx;
	struct event_ref *ev = c->ev;

	ev->id = row_ll(r, 0);
	row_cpy(r, 1, ev->slug, sizeof(ev->slug));
	row_cpy(r, 2, ev->name, sizeof(ev->name));
	row_cpy(r, 3, ev->status, sizeof(ev->status));
	row_cpy(r, 4, ev->tz, sizeof(ev->tz));
	ev->capacity = row_str(r, 5) ? row_ll(r, 5) : -1;
	ev->waitlist = (int)row_ll(r, 6);
	ev->reg_opens = row_ll(r, 7);
	ev->reg_closes = row_ll(r, 8);
	ev->starts_at = row_ll(r, 9);
	ev->ends_at = row_ll(r, 10);
	if (r->len[11] == 32)
		memcpy(ev->pk, r->val[11], 32);
	event_langs_parse(row_str(r, 12), ev);
	ev->privacy_version = row_ll(r, 13);
	c->found = 1;
	return ERR_OK;
}

enum err
db_event_ref(struct db *d, const char *slug, struct event_ref *ev)
{
	struct dbv a[] = {V_STR(slug)};
	struct ref_ctx c = {.ev = ev};
	enum err e;

	memset(ev, 0, sizeof(*ev));
	if ((e = db_query(d, STMT_EVENT_REF_SLUG, a, NARGS(a), ref_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_event_ref_id(struct db *d, long long id, struct event_ref *ev)
{
	struct dbv a[] = {V_INT(id)};
	struct ref_ctx c = {.ev = ev};
	enum err e;

	memset(ev, 0, sizeof(*ev));
	if ((e = db_query(d, STMT_EVENT_REF_ID, a, NARGS(a), ref_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}



enum err
db_event_key(struct db *d, long long id, unsigned char *sealed, size_t cap,
    size_t *len)
{
	struct dbv a[] = {V_INT(id)};
	struct db_blob c = {.buf = sealed, .cap = cap};
	enum err e;

	if ((e = db_query(d, STMT_EVENT_KEY, a, NARGS(a), db_row_blob, &c)) != ERR_OK)
		return e;
	*len = c.len;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}


enum err
db_event_is_member(struct db *d, long long event_id, long long user_id,
    int *member)
{
	struct dbv a[] = {V_INT(event_id), V_INT(user_id)};

	*member = 0;
	return db_query(d, STMT_EVENT_IS_MEMBER, a, NARGS(a), db_row_exists, member);
}

enum err
db_event_member_add(struct db *d, long long event_id, long long user_id)
{
	struct dbv a[] = {V_INT(event_id), V_INT(user_id)};

	return db_exec(d, STMT_EVENT_MEMBER_ADD, a, NARGS(a), NULL, NULL);
}

enum err
db_event_members(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_EVENT_MEMBERS, a, NARGS(a),
	    "id:i,email:s,role:s,added_at:t", NULL, array);
}

#define EVENT_SPEC "id:i,slug:s,name:s,description:s,venue:s,timezone:s," \
	"starts_at:t,ends_at:t,capacity:i,seats_taken:i,available:i,waitlist:b," \
	"registration_opens_at:t,registration_closes_at:t,status:s,created_at:t,languages:j,tr:j," \
	"retention_days:i,retention_runs_at:t,organiser:j"

enum err
db_event_json(struct db *d, long long id, const char *tz, cJSON **out)
{
	struct dbv a[] = {V_INT(id)};

	return db_json_row(d, STMT_EVENT_GET, a, NARGS(a), EVENT_SPEC, tz, out);
}

enum err
db_event_list(struct db *d, int staff, long long user_id, int admin,
    cJSON *array)
{
	struct dbv a[] = {V_INT(admin), V_INT(user_id)};

	if (!staff)
		return db_json_rows(d, STMT_EVENT_LIST_PUBLIC, NULL, 0, EVENT_SPEC,
		    NULL, array);
	return db_json_rows(d, STMT_EVENT_LIST_STAFF, a, NARGS(a), EVENT_SPEC,
	    NULL, array);
}

/* ---- speakers ---- */

#define SPEAKER_SPEC "id:i,name:s,email:s,organisation:s,bio:s,session_ids:j,tr:j"

enum err
db_speaker_insert(struct db *d, long long event_id, const struct speaker_in *in,
    long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_STR(in->name), V_STR(in->email),
	    V_STR(in->organisation ? in->organisation : ""),
	    V_STR(in->bio ? in->bio : "")};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_SPEAKER_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_speaker_update(struct db *d, long long event_id, long long id,
    const struct speaker_in *in)
{
	unsigned h = in->has;
	struct dbv a[] = {PS(h, SF_NAME, in->name), PS(h, SF_EMAIL, in->email),
	    PS(h, SF_ORG, in->organisation), PS(h, SF_BIO, in->bio), V_INT(id),
	    V_INT(event_id)};

	return db_exec(d, STMT_SPEAKER_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_speaker_delete(struct db *d, long long event_id, long long id)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_SPEAKER_DELETE, a, NARGS(a), &n, NULL);

	return affected_one(e, n);
}

enum err
db_speaker_json(struct db *d, long long event_id, long long id, int with_email,
    cJSON **out)
{
	struct dbv a[] = {V_INT(with_email), V_INT(id), V_INT(event_id)};

	return db_json_row(d, STMT_SPEAKER_GET, a, NARGS(a), SPEAKER_SPEC, NULL, out);
}

enum err
db_speaker_list(struct db *d, long long event_id, int with_email, cJSON *array)
{
	struct dbv a[] = {V_INT(with_email), V_INT(event_id)};

	return db_json_rows(d, STMT_SPEAKER_LIST, a, NARGS(a), SPEAKER_SPEC, NULL, array);
}

/* ---- programme sessions ---- */

#define SESSION_SPEC "id:i,title:s,description:s,kind:s,starts_at:t,ends_at:t," \
	"room:s,track:s,capacity:i,signed_up:i,available:i,requires_signup:b,speaker_ids:j,tr:j," \
	"one_to_one:b,tables:i,table_labels:j"

enum err
db_session_create(struct db *d, long long event_id, const struct session_in *in,
    long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_STR(in->title),
	    V_STR(in->description ? in->description : ""), V_STR(in->kind),
	    V_INT(in->starts_at), V_INT(in->ends_at), V_STR(in->room ? in->room : ""),
	    V_STR(in->track ? in->track : ""), VN(in->capacity),
	    V_INT(in->requires_signup), V_INT(in->one_to_one), VN(in->tables),
	    V_STR(in->table_labels)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_SESSION_CREATE, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_session_update(struct db *d, long long event_id, long long id,
    const struct session_in *in)
{
	unsigned h = in->has;
	struct dbv a[] = {PS(h, PF_TITLE, in->title),
	    PS(h, PF_DESCRIPTION, in->description), PS(h, PF_KIND, in->kind),
	    PI(h, PF_STARTS, in->starts_at), PI(h, PF_ENDS, in->ends_at),
	    PS(h, PF_ROOM, in->room), PS(h, PF_TRACK, in->track),
	    PN(h, PF_CAPACITY, in->capacity), PI(h, PF_SIGNUP, in->requires_signup),
	    PI(h, PF_ONE2ONE, in->one_to_one), PN(h, PF_TABLES, in->tables),
	    PS(h, PF_TABLES, in->table_labels), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_SESSION_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_session_remove(struct db *d, long long event_id, long long id)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_SESSION_REMOVE, a, NARGS(a), &n, NULL);

	return affected_one(e, n);
}

enum err
db_session_set_speakers(struct db *d, long long event_id, long long session_id,
    const long long *ids, int n)
{
	struct dbv c[] = {V_INT(session_id)};
	unsigned long long k;
	enum err e;
	int i;

	if ((e = db_exec(d, STMT_SESSION_SPEAKERS_CLEAR, c, NARGS(c), NULL, NULL)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		struct dbv a[] = {V_INT(session_id), V_INT(ids[i]), V_INT(event_id)};
		k = 0;
		if ((e = db_exec(d, STMT_SESSION_SPEAKER_ADD, a, NARGS(a), &k, NULL)) != ERR_OK)
			return e;
		if (k == 0)
			return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
db_session_json(struct db *d, long long event_id, long long id, const char *tz,
    cJSON **out)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};

	return db_json_row(d, STMT_SESSION_GET, a, NARGS(a), SESSION_SPEC, tz, out);
}

enum err
db_session_list(struct db *d, long long event_id, const char *tz, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_SESSION_LIST, a, NARGS(a), SESSION_SPEC, tz, array);
}

struct each_ctx {
	db_ics_cb cb;
	void *ctx;
};

static enum err
each_row(void *ctx, const struct dbrow *r)
{
	struct each_ctx *c = ctx;

	return c->cb(c->ctx, row_ll(r, 0), row_str(r, 1), row_str(r, 2),
	    row_str(r, 3), row_ll(r, 4), row_ll(r, 5), row_str(r, 6));
}

enum err
db_session_each(struct db *d, long long event_id, db_ics_cb cb, void *ctx)
{
	struct dbv a[] = {V_INT(event_id)};
	struct each_ctx c = {cb, ctx};

	return db_query(d, STMT_SESSION_EACH, a, NARGS(a), each_row, &c);
}

/* ---- ticket types ---- */

#define TTYPE_SPEC "id:i,name:s,description:s,quota:i,sold:i,available:i," \
	"price_cents:i,currency:s,sale_starts_at:t,sale_ends_at:t,requires_approval:b,sessions:j,tr:j"

enum err
db_ttype_insert(struct db *d, long long event_id, const struct ttype_in *in,
    long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_STR(in->name),
	    V_STR(in->description ? in->description : ""), VN(in->quota),
	    V_INT(in->price_cents), V_STR(in->currency ? in->currency : "EUR"),
	    VT(in->sale_starts), VT(in->sale_ends), V_INT(in->requires_approval),
	    V_INT(in->all_sessions)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_TTYPE_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_ttype_update(struct db *d, long long event_id, long long id,
    const struct ttype_in *in)
{
	unsigned h = in->has;
	struct dbv a[] = {PS(h, TF_NAME, in->name),
	    PS(h, TF_DESCRIPTION, in->description), PN(h, TF_QUOTA, in->quota),
	    PI(h, TF_PRICE, in->price_cents), PS(h, TF_CURRENCY, in->currency),
	    PT(h, TF_SALE_STARTS, in->sale_starts), PT(h, TF_SALE_ENDS, in->sale_ends),
	    PI(h, TF_APPROVAL, in->requires_approval),
	    PI(h, TF_SESSIONS, in->all_sessions), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_TTYPE_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_ttype_delete(struct db *d, long long event_id, long long id)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_TTYPE_DELETE, a, NARGS(a), &n, NULL);

	return affected_one(e, n);
}

enum err
db_ttype_set_sessions(struct db *d, long long event_id, long long ttype_id,
    const long long *ids, int n)
{
	struct dbv c[] = {V_INT(ttype_id)};
	unsigned long long k;
	enum err e;
	int i;

	if ((e = db_exec(d, STMT_TTS_CLEAR, c, NARGS(c), NULL, NULL)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		struct dbv a[] = {V_INT(ttype_id), V_INT(ids[i]), V_INT(event_id)};
		k = 0;
		if ((e = db_exec(d, STMT_TTS_ADD, a, NARGS(a), &k, NULL)) != ERR_OK)
			return e;
		if (k == 0)
			return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
db_ttype_json(struct db *d, long long event_id, long long id, const char *tz,
    cJSON **out)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};

	return db_json_row(d, STMT_TTYPE_GET, a, NARGS(a), TTYPE_SPEC, tz, out);
}

enum err
db_ttype_list(struct db *d, long long event_id, const char *tz, int public_only,
    cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	(void)public_only;
	return db_json_rows(d, STMT_TTYPE_LIST, a, NARGS(a), TTYPE_SPEC, tz, array);
}

/* ---- questions ---- */

#define QUESTION_SPEC "id:i,label:s,kind:s,required:b,options:j,position:i,tr:j"

enum err
db_question_insert(struct db *d, long long event_id,
    const struct question_in *in, long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_STR(in->label), V_STR(in->kind),
	    V_INT(in->required), V_STR(in->options), V_INT(in->position)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_QUESTION_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_question_update(struct db *d, long long event_id, long long id,
    const struct question_in *in)
{
	unsigned h = in->has;
	struct dbv a[] = {PS(h, QF_LABEL, in->label), PS(h, QF_KIND, in->kind),
	    PI(h, QF_REQUIRED, in->required), PS(h, QF_OPTIONS, in->options),
	    PI(h, QF_POSITION, in->position), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_QUESTION_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_question_delete(struct db *d, long long event_id, long long id)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_QUESTION_DELETE, a, NARGS(a), &n, NULL);

	return affected_one(e, n);
}

enum err
db_question_json(struct db *d, long long event_id, long long id, cJSON **out)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};

	return db_json_row(d, STMT_QUESTION_GET, a, NARGS(a), QUESTION_SPEC, NULL, out);
}

enum err
db_question_list(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_QUESTION_LIST, a, NARGS(a), QUESTION_SPEC, NULL, array);
}
