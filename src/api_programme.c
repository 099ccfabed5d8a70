/* The programme: sessions, speakers, ticket types, questions, .ics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_i18n.h"
#include "cache.h"
#include "changes.h"
#include "config.h"
#include "event.h"
#include "http.h"
#include "ics.h"
#include "json.h"
#include "match.h"
#include "registration.h"
#include "timeutil.h"
#include "validate.h"

static enum err
path_id(struct req *r, long long *id)
{
	*id = parse_id(req_param(r, "id"));
	return *id > 0 ? ERR_OK : ERR_NOTFOUND;
}

/*
 * The common start of the read and delete handlers: the event (with the
 * caller's access), the {id} when with_id, and a database connection.
 */
static enum err
open_item(struct req *r, enum role need, int with_id, struct event_ref *ev,
    long long *id, struct db **d)
{
	enum err e;

	if ((e = event_load(r, need, ev)) != ERR_OK)
		return e;
	if (with_id && (e = path_id(r, id)) != ERR_OK)
		return e;
	return req_db(r, d);
}

/* {"<key>":[…]} from a list query, or the query's error. */
static enum err
reply_list(struct req *r, cJSON *o, enum err e)
{
	if (e != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

/* A deletion done: audit it and answer 204. */
static enum err
deleted(struct req *r, struct db *d, const char *object, long long id)
{
	db_audit(d, actor_kind(r), actor_id(r),
	    arena_printf(r->arena, "%s.delete", object), object, id, NULL);
	return reply_empty(r, 204);
}

/* ---- programme sessions ---- */

static const char *const kinds[] = {"keynote", "talk", "panel", "workshop",
	"networking", NULL};
static const char *const session_keys[] = {"title", "description", "kind",
	"starts_at", "ends_at", "room", "track", "capacity", "requires_signup",
	"speaker_ids", "one_to_one", "tables", "table_labels", NULL};

/*
 * A one-to-one session's tables: "tables": n, or "table_labels": ["A1", …]
 * (then n is their count).  Labels are short, unique and printable.
 */
static void
table_fields(struct vld *v, const cJSON *j, struct session_in *in, struct req *r)
{
	const cJSON *labels = cJSON_GetObjectItem(j, "table_labels"), *x, *y;
	int n = 0;

	in->tables = -1;
	if (has_key(j, "tables") && !is_null_key(j, "tables")) {
		in->tables = vld_int(v, j, "tables", 0, 1, 1000, -1, NULL);
		in->has |= PF_TABLES;
	} else if (has_key(j, "tables"))
		in->has |= PF_TABLES;
	if (labels == NULL || cJSON_IsNull(labels))
		return;
	in->has |= PF_TABLES;
	if (!cJSON_IsArray(labels) || cJSON_GetArraySize(labels) < 1 ||
	    cJSON_GetArraySize(labels) > 1000) {
		vld_fail(v, "table_labels", "invalid");
		return;
	}
	cJSON_ArrayForEach(x, labels) {
		if (!cJSON_IsString(x) || x->valuestring[0] == '\0' ||
		    !text_line_valid(x->valuestring) || utf8_len(x->valuestring) > 20) {
			vld_fail(v, "table_labels", "invalid");
			return;
		}
		for (y = labels->child; y != x; y = y->next)
			if (strcmp(y->valuestring, x->valuestring) == 0) {
				vld_fail(v, "table_labels", "duplicate");
				return;
			}
		n++;
	}
	if (in->tables >= 0 && in->tables != n)
		vld_fail(v, "tables", "labels_count");
	in->tables = n;
	in->table_labels = req_json_text(r, labels);
}

static void
session_fields(struct vld *v, const cJSON *j, int patch, struct session_in *in,
    const struct event_ref *ev, struct trpatch *tp)
{
	struct langset ls = event_langset(ev);
	int p, k, req = !patch;

	if (!patch || has_key(j, "title")) {
		in->title = vld_mtext(v, j, "title", &ls, 1, 300, 0, tp);
		in->has |= PF_TITLE;
	}
	if (!patch || has_key(j, "description")) {
		in->description = vld_mtext(v, j, "description", &ls, 0, 20000, 1, tp);
		if (in->description == NULL)
			in->description = "";
		in->has |= PF_DESCRIPTION;
	}
	if (!patch || has_key(j, "kind")) {
		k = vld_enum(v, j, "kind", kinds, 0, 1);
		in->kind = k >= 0 ? kinds[k] : NULL;
		in->has |= PF_KIND;
	}
	in->starts_at = vld_time(v, j, "starts_at", req || has_key(j, "starts_at"), &p);
	if (p)
		in->has |= PF_STARTS;
	in->ends_at = vld_time(v, j, "ends_at", req || has_key(j, "ends_at"), &p);
	if (p)
		in->has |= PF_ENDS;
	if ((in->has & PF_STARTS) && (in->has & PF_ENDS) && in->starts_at > 0 &&
	    in->ends_at > 0 && in->ends_at <= in->starts_at)
		vld_fail(v, "ends_at", "before_start");
	/* A day's margin each side: pre-event workshops, evening networking. */
	if ((in->has & PF_STARTS) && in->starts_at > 0 &&
	    (in->starts_at < ev->starts_at - 86400 || in->starts_at > ev->ends_at + 86400))
		vld_fail(v, "starts_at", "outside_event");
	if (!patch || has_key(j, "room")) {
		in->room = vld_line(v, j, "room", 0, 100);
		if (in->room == NULL)
			in->room = "";
		in->has |= PF_ROOM;
	}
	if (!patch || has_key(j, "track")) {
		in->track = vld_line(v, j, "track", 0, 100);
		if (in->track == NULL)
			in->track = "";
		in->has |= PF_TRACK;
	}
	in->capacity = -1;
	if (!patch || has_key(j, "capacity")) {
		if (!is_null_key(j, "capacity"))
			in->capacity = vld_int(v, j, "capacity", 0, 0, 10000000, -1, NULL);
		in->has |= PF_CAPACITY;
	}
	if (!patch || has_key(j, "requires_signup")) {
		/* Workshops and networking sessions usually need sign-up. */
		int def = in->kind != NULL && (strcmp(in->kind, "workshop") == 0 ||
		    strcmp(in->kind, "networking") == 0);
		in->requires_signup = vld_bool(v, j, "requires_signup", 0, def);
		in->has |= PF_SIGNUP;
	}
	if (!patch || has_key(j, "one_to_one")) {
		in->one_to_one = vld_bool(v, j, "one_to_one", 0, 0);
		in->has |= PF_ONE2ONE;
	}
}

static enum err
session_save(struct db *d, void *arg);

struct session_tx {
	struct req *r;
	struct event_ref *ev;
	struct session_in in;
	long long id;
	int create;
	long long *speakers;
	int nspeakers;                  /* -1: leave unchanged */
	struct trpatch *tr;
};

static enum err
session_save(struct db *d, void *arg)
{
	struct session_tx *t = arg;
	enum err e;

	if (t->create)
		e = db_session_create(d, t->ev->id, &t->in, &t->id);
	else
		e = db_session_update(d, t->ev->id, t->id, &t->in);
	if (e != ERR_OK)
		return e;
	if (t->nspeakers >= 0)
		e = db_session_set_speakers(d, t->ev->id, t->id, t->speakers, t->nspeakers);
	if (e == ERR_OK)
		e = tr_apply(d, TR_SESSION, t->ev->id, t->id, t->tr);
	/* A one-to-one session is cut into meeting slots (match.c). */
	if (e == ERR_OK)
		e = match_session_changed(d, t->ev, t->id);
	return e;
}

static enum err
session_write(struct req *r, int create)
{
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct session_tx t;
	struct db *d;
	enum err e;
	cJSON *o;

	memset(&t, 0, sizeof(t));
	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (!create && (e = path_id(r, &t.id)) != ERR_OK)
		return e;
	t.r = r;
	t.ev = &ev;
	t.create = create;
	vld_only(&v, r->json, session_keys);
	if ((t.tr = req_trpatch(r)) == NULL)
		return ERR_INTERNAL;
	session_fields(&v, r->json, !create, &t.in, &ev, t.tr);
	table_fields(&v, r->json, &t.in, r);
	t.nspeakers = has_key(r->json, "speaker_ids") ?
	    vld_ids(&v, r->json, "speaker_ids", r, &t.speakers) : -1;
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (!create) {
		cJSON *cur;
		if ((e = db_session_json(d, ev.id, t.id, NULL, &cur)) != ERR_OK)
			return e;
		cJSON_Delete(cur);
	}
	e = db_tx(d, session_save, &t);
	/* The event's public document shows the programme (doccache.h). */
	changes_bump(d);
	if (e == ERR_INVALID) {
		vld_fail(&v, "speaker_ids", "unknown_speaker");
		return ERR_INVALID;
	}
	if (e == ERR_CONFLICT) {
		/* A CHECK: capacity below sign-ups, or end before start. */
		vld_fail(&v, has_key(r->json, "capacity") ? "capacity" : "ends_at",
		    has_key(r->json, "capacity") ? "below_signups" : "before_start");
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), create ? "session.create" : "session.update",
	    "session", t.id, NULL);
	if ((e = db_session_json(d, ev.id, t.id, ev.tz, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, 1);
	return reply_json(r, create ? 201 : 200, o);
}

enum err
api_sessions_create(struct req *r)
{
	return session_write(r, 1);
}

enum err
api_sessions_update(struct req *r)
{
	return session_write(r, 0);
}

enum err
api_sessions_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 0, &ev, NULL, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	e = db_session_list(d, ev.id, ev.tz, cJSON_AddArrayToObject(o, "sessions"));
	localise(r, &ev, cJSON_GetObjectItem(o, "sessions"), event_is_staff(r, &ev));
	return reply_list(r, o, e);
}

enum err
api_sessions_get(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = db_session_json(d, ev.id, id, ev.tz, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, event_is_staff(r, &ev));
	return reply_json(r, 200, o);
}

enum err
api_sessions_delete(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;

	/* Its meeting slots go with it; their meetings wait for another slot. */
	if ((e = open_item(r, ROLE_ORGANISER, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = match_session_delete(d, &ev, id)) != ERR_OK)
		return e;
	changes_bump(d);
	return deleted(r, d, "session", id);
}

/* ---- speakers ---- */

static const char *const speaker_keys[] = {"name", "email", "organisation", "bio", NULL};

static void
speaker_fields(struct vld *v, const cJSON *j, int patch, struct speaker_in *in,
    const struct event_ref *ev, struct trpatch *tp)
{
	struct langset ls = event_langset(ev);

	if (!patch || has_key(j, "name")) {
		in->name = vld_line(v, j, "name", 1, 200);
		in->has |= SF_NAME;
	}
	if (!patch || has_key(j, "email")) {
		in->email = vld_email(v, j, "email", 0);
		in->has |= SF_EMAIL;
	}
	if (!patch || has_key(j, "organisation")) {
		in->organisation = vld_line(v, j, "organisation", 0, 200);
		if (in->organisation == NULL)
			in->organisation = "";
		in->has |= SF_ORG;
	}
	if (!patch || has_key(j, "bio")) {
		in->bio = vld_mtext(v, j, "bio", &ls, 0, 10000, 1, tp);
		if (in->bio == NULL)
			in->bio = "";
		in->has |= SF_BIO;
	}
}

static enum err
speaker_write(struct req *r, int create)
{
	struct vld v = {req_fields(r), 0};
	struct trpatch *tp = req_trpatch(r);
	struct speaker_in in;
	struct event_ref ev;
	struct db *d;
	long long id = 0;
	enum err e;
	cJSON *o;

	memset(&in, 0, sizeof(in));
	if (tp == NULL)
		return ERR_INTERNAL;
	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (!create && (e = path_id(r, &id)) != ERR_OK)
		return e;
	vld_only(&v, r->json, speaker_keys);
	speaker_fields(&v, r->json, !create, &in, &ev, tp);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (create)
		e = db_speaker_insert(d, ev.id, &in, &id);
	else if ((e = db_speaker_json(d, ev.id, id, 1, &o)) == ERR_OK) {
		cJSON_Delete(o);
		e = db_speaker_update(d, ev.id, id, &in);
	}
	if (e == ERR_OK)
		e = tr_apply(d, TR_SPEAKER, ev.id, id, tp);
	if (e != ERR_OK)
		return e;
	changes_bump(d);
	db_audit(d, actor_kind(r), actor_id(r), create ? "speaker.create" : "speaker.update",
	    "speaker", id, NULL);
	if ((e = db_speaker_json(d, ev.id, id, 1, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, 1);
	return reply_json(r, create ? 201 : 200, o);
}

enum err
api_speakers_create(struct req *r)
{
	return speaker_write(r, 1);
}

enum err
api_speakers_update(struct req *r)
{
	return speaker_write(r, 0);
}

enum err
api_speakers_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 0, &ev, NULL, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	e = db_speaker_list(d, ev.id, event_is_staff(r, &ev), cJSON_AddArrayToObject(o, "speakers"));
	localise(r, &ev, cJSON_GetObjectItem(o, "speakers"), event_is_staff(r, &ev));
	return reply_list(r, o, e);
}

enum err
api_speakers_get(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = db_speaker_json(d, ev.id, id, event_is_staff(r, &ev), &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, event_is_staff(r, &ev));
	return reply_json(r, 200, o);
}

enum err
api_speakers_delete(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;

	if ((e = open_item(r, ROLE_ORGANISER, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = db_speaker_delete(d, ev.id, id)) != ERR_OK)
		return e;
	changes_bump(d);
	return deleted(r, d, "speaker", id);
}

/* ---- ticket types ---- */

static const char *const ttype_keys[] = {"name", "description", "quota",
	"price_cents", "currency", "sale_starts_at", "sale_ends_at",
	"requires_approval", "sessions", NULL};

struct ttype_tx {
	struct ttype_in in;
	long long event_id, id;
	int create;
	long long *sessions;
	int nsessions;                  /* -1: unchanged */
	struct trpatch *tr;
};

static enum err
ttype_save(struct db *d, void *arg)
{
	struct ttype_tx *t = arg;
	enum err e;

	if (t->create)
		e = db_ttype_insert(d, t->event_id, &t->in, &t->id);
	else
		e = db_ttype_update(d, t->event_id, t->id, &t->in);
	if (e == ERR_OK && t->nsessions >= 0)
		e = db_ttype_set_sessions(d, t->event_id, t->id, t->sessions, t->nsessions);
	if (e == ERR_OK)
		e = tr_apply(d, TR_TTYPE, t->event_id, t->id, t->tr);
	return e;
}

static enum err
ttype_write(struct req *r, int create)
{
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct ttype_tx t;
	struct langset ls;
	const cJSON *sess;
	struct db *d;
	int p;
	enum err e;
	cJSON *o;

	memset(&t, 0, sizeof(t));
	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (!create && (e = path_id(r, &t.id)) != ERR_OK)
		return e;
	t.event_id = ev.id;
	t.create = create;
	t.nsessions = -1;
	if ((t.tr = req_trpatch(r)) == NULL)
		return ERR_INTERNAL;
	ls = event_langset(&ev);
	vld_only(&v, r->json, ttype_keys);
	if (create || has_key(r->json, "name")) {
		t.in.name = vld_mtext(&v, r->json, "name", &ls, 1, 200, 0, t.tr);
		t.in.has |= TF_NAME;
	}
	if (create || has_key(r->json, "description")) {
		t.in.description = vld_mtext(&v, r->json, "description", &ls, 0, 20000, 1, t.tr);
		if (t.in.description == NULL)
			t.in.description = "";
		t.in.has |= TF_DESCRIPTION;
	}
	t.in.quota = -1;
	if (create || has_key(r->json, "quota")) {
		if (!is_null_key(r->json, "quota"))
			t.in.quota = vld_int(&v, r->json, "quota", 0, 0, 10000000, -1, NULL);
		t.in.has |= TF_QUOTA;
	}
	if (create || has_key(r->json, "price_cents")) {
		t.in.price_cents = vld_int(&v, r->json, "price_cents", 0, 0, 100000000, 0, NULL);
		t.in.has |= TF_PRICE;
	}
	if (create || has_key(r->json, "currency")) {
		t.in.currency = vld_line(&v, r->json, "currency", 0, 3);
		if (t.in.currency == NULL)
			t.in.currency = "EUR";
		else if (strlen(t.in.currency) != 3 ||
		    strspn(t.in.currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
			vld_fail(&v, "currency", "invalid");
		t.in.has |= TF_CURRENCY;
	}
	t.in.sale_starts = vld_time(&v, r->json, "sale_starts_at", 0, &p);
	if (p || create)
		t.in.has |= TF_SALE_STARTS;
	t.in.sale_ends = vld_time(&v, r->json, "sale_ends_at", 0, &p);
	if (p || create)
		t.in.has |= TF_SALE_ENDS;
	if (t.in.sale_starts > 0 && t.in.sale_ends > 0 && t.in.sale_ends <= t.in.sale_starts)
		vld_fail(&v, "sale_ends_at", "before_start");
	if (create || has_key(r->json, "requires_approval")) {
		t.in.requires_approval = vld_bool(&v, r->json, "requires_approval", 0, 0);
		t.in.has |= TF_APPROVAL;
	}
	sess = cJSON_GetObjectItemCaseSensitive(r->json, "sessions");
	if (create || sess != NULL) {
		t.in.has |= TF_SESSIONS;
		if (sess == NULL || cJSON_IsNull(sess) ||
		    (cJSON_IsString(sess) && strcmp(sess->valuestring, "all") == 0)) {
			t.in.all_sessions = 1;
			t.nsessions = create ? -1 : 0;
		} else if (cJSON_IsArray(sess)) {
			t.in.all_sessions = 0;
			t.nsessions = vld_ids(&v, r->json, "sessions", r, &t.sessions);
		} else
			vld_fail(&v, "sessions", "invalid");
	}
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (!create) {
		if ((e = db_ttype_json(d, ev.id, t.id, NULL, &o)) != ERR_OK)
			return e;
		cJSON_Delete(o);
	}
	e = db_tx(d, ttype_save, &t);
	changes_bump(d);
	if (e == ERR_INVALID) {
		vld_fail(&v, "sessions", "unknown_session");
		return ERR_INVALID;
	}
	if (e == ERR_CONFLICT) {
		vld_fail(&v, "quota", "below_sold");
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), create ? "ticket_type.create" : "ticket_type.update",
	    "ticket_type", t.id, NULL);
	if (!create && (t.in.has & TF_QUOTA) && (e = registration_promote(d, &ev)) != ERR_OK)
		return e;
	if ((e = db_ttype_json(d, ev.id, t.id, ev.tz, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, 1);
	return reply_json(r, create ? 201 : 200, o);
}

enum err
api_ttypes_create(struct req *r)
{
	return ttype_write(r, 1);
}

enum err
api_ttypes_update(struct req *r)
{
	return ttype_write(r, 0);
}

enum err
api_ttypes_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 0, &ev, NULL, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	e = db_ttype_list(d, ev.id, ev.tz, 1, cJSON_AddArrayToObject(o, "ticket_types"));
	localise(r, &ev, cJSON_GetObjectItem(o, "ticket_types"), event_is_staff(r, &ev));
	return reply_list(r, o, e);
}

enum err
api_ttypes_get(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = db_ttype_json(d, ev.id, id, ev.tz, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, event_is_staff(r, &ev));
	return reply_json(r, 200, o);
}

enum err
api_ttypes_delete(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;

	if ((e = open_item(r, ROLE_ORGANISER, 1, &ev, &id, &d)) != ERR_OK)
		return e;
	e = db_ttype_delete(d, ev.id, id);
	changes_bump(d);
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "in_use",
		    "This ticket type has registrations; it cannot be deleted.");
	if (e != ERR_OK)
		return e;
	return deleted(r, d, "ticket_type", id);
}

/* ---- questions ---- */

static const char *const qkinds[] = {"text", "textarea", "choice", "multichoice",
	"checkbox", "country", NULL};
static const char *const question_keys[] = {"label", "kind", "required", "options",
	"position", NULL};

static enum err
question_write(struct req *r, int create)
{
	struct vld v = {req_fields(r), 0};
	struct trpatch *tp = req_trpatch(r);
	struct question_in in;
	struct event_ref ev;
	struct langset ls;
	const cJSON *opts, *it;
	struct db *d;
	long long id = 0;
	int k;
	enum err e;
	cJSON *o;

	memset(&in, 0, sizeof(in));
	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (!create && (e = path_id(r, &id)) != ERR_OK)
		return e;
	if (tp == NULL)
		return ERR_INTERNAL;
	ls = event_langset(&ev);
	vld_only(&v, r->json, question_keys);
	if (create || has_key(r->json, "label")) {
		in.label = vld_mtext(&v, r->json, "label", &ls, 1, 300, 0, tp);
		in.has |= QF_LABEL;
	}
	if (create || has_key(r->json, "kind")) {
		k = vld_enum(&v, r->json, "kind", qkinds, 1, -1);
		in.kind = k >= 0 ? qkinds[k] : NULL;
		in.has |= QF_KIND;
	}
	if (create || has_key(r->json, "required")) {
		in.required = vld_bool(&v, r->json, "required", 0, 0);
		in.has |= QF_REQUIRED;
	}
	if (create || has_key(r->json, "position")) {
		in.position = vld_int(&v, r->json, "position", 0, -100000, 100000, 0, NULL);
		in.has |= QF_POSITION;
	}
	/* A list, or a list per language (item i the same choice in each). */
	opts = cJSON_GetObjectItemCaseSensitive(r->json, "options");
	if (cJSON_IsObject(opts))
		opts = vld_mlist(&v, r->json, "options", &ls, 200, 200, tp);
	else if (cJSON_IsArray(opts))
		vld_mlist(&v, r->json, "options", &ls, 200, 200, tp);
	if (in.kind != NULL && (strcmp(in.kind, "choice") == 0 || strcmp(in.kind, "multichoice") == 0)) {
		if (!cJSON_IsArray(opts) || cJSON_GetArraySize(opts) < 1 ||
		    cJSON_GetArraySize(opts) > 200)
			vld_fail(&v, "options", "required");
	}
	if (opts != NULL && !cJSON_IsNull(opts)) {
		if (!cJSON_IsArray(opts))
			vld_fail(&v, "options", "not_an_array");
		else {
			cJSON_ArrayForEach(it, opts) {
				const cJSON *o2;
				if (!cJSON_IsString(it) || !text_line_valid(it->valuestring) ||
				    it->valuestring[0] == '\0' || utf8_len(it->valuestring) > 200) {
					vld_fail(&v, "options", "invalid_option");
					break;
				}
				for (o2 = opts->child; o2 != it; o2 = o2->next)
					if (strcmp(o2->valuestring, it->valuestring) == 0)
						vld_fail(&v, "options", "duplicate_option");
			}
			char *txt = cJSON_PrintUnformatted(opts);
			in.options = arena_strdup(r->arena, txt);
			free(txt);
		}
		in.has |= QF_OPTIONS;
	} else if (has_key(r->json, "options") && v.nerr == 0)
		in.has |= QF_OPTIONS;
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	changes_bump(d);
	if (create)
		e = db_question_insert(d, ev.id, &in, &id);
	else if ((e = db_question_json(d, ev.id, id, &o)) == ERR_OK) {
		cJSON_Delete(o);
		e = db_question_update(d, ev.id, id, &in);
	}
	if (e == ERR_OK)
		e = tr_apply(d, TR_QUESTION, ev.id, id, tp);
	if (e != ERR_OK)
		return e;
	changes_bump(d);
	db_audit(d, actor_kind(r), actor_id(r), create ? "question.create" : "question.update",
	    "question", id, NULL);
	if ((e = db_question_json(d, ev.id, id, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, 1);
	return reply_json(r, create ? 201 : 200, o);
}

enum err
api_questions_create(struct req *r)
{
	return question_write(r, 1);
}

enum err
api_questions_update(struct req *r)
{
	return question_write(r, 0);
}

enum err
api_questions_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = open_item(r, ROLE_NONE, 0, &ev, NULL, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	e = db_question_list(d, ev.id, cJSON_AddArrayToObject(o, "questions"));
	localise(r, &ev, cJSON_GetObjectItem(o, "questions"), event_is_staff(r, &ev));
	return reply_list(r, o, e);
}

enum err
api_questions_delete(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	long long id;
	enum err e;

	if ((e = open_item(r, ROLE_ORGANISER, 1, &ev, &id, &d)) != ERR_OK ||
	    (e = db_question_delete(d, ev.id, id)) != ERR_OK)
		return e;
	changes_bump(d);
	return deleted(r, d, "question", id);
}

/* ---- iCalendar ---- */

struct ics_ctx {
	struct ics cal;
	struct req *r;
	const struct event_ref *ev;
	const char *venue, *host, *url, *name;
};

static enum err
ics_session(void *ctx, long long id, const char *title, const char *desc,
    const char *room, long long starts, long long ends, const char *speakers)
{
	struct ics_ctx *c = ctx;
	struct ics_event ie;
	const char *cats[2] = {c->ev->name, NULL};

	memset(&ie, 0, sizeof(ie));
	ie.uid = arena_printf(c->r->arena, "session-%lld@%s", id, c->host);
	ie.start = starts;
	ie.end = ends;
	ie.summary = title;
	ie.description = speakers && *speakers ?
	    arena_printf(c->r->arena, "%s%s%s", speakers, desc && *desc ? "\n\n" : "",
	    desc ? desc : "") : desc;
	ie.location = room && *room ? (c->venue && *c->venue ?
	    arena_printf(c->r->arena, "%s, %s", room, c->venue) : room) : c->venue;
	ie.url = c->url;
	ie.categories = cats;
	return ics_event(&c->cal, &ie) == 0 || c->cal.failed == 0 ? ERR_OK : ERR_INTERNAL;
}

enum err
api_programme_ics(struct req *r)
{
	struct event_ref ev;
	struct ics_ctx c;
	struct ics_event ie;
	struct db *d;
	const char *h;
	cJSON *evj;
	char *txt, *fn;
	size_t len;
	enum err e;

	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_event_json(d, ev.id, NULL, &evj)) != ERR_OK)
		return e;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.ev = &ev;
	localise(r, &ev, evj, 0);
	c.venue = arena_strdup(r->arena, cJSON_GetStringValue(cJSON_GetObjectItem(evj, "venue")));
	c.name = arena_strdup(r->arena, cJSON_GetStringValue(cJSON_GetObjectItem(evj, "name")));
	cJSON_Delete(evj);
	h = strstr(cfg->base_url, "://");
	c.host = h ? arena_strndup(r->arena, h + 3, strcspn(h + 3, ":/")) : "confero";
	c.url = arena_printf(r->arena, "%s/events/%s", cfg->base_url, ev.slug);
	if (ics_begin(&c.cal, "-//Confero//Programme//EN") != 0)
		return ERR_INTERNAL;
	memset(&ie, 0, sizeof(ie));
	ie.uid = arena_printf(r->arena, "event-%lld@%s", ev.id, c.host);
	ie.start = ev.starts_at;
	ie.end = ev.ends_at;
	ie.summary = c.name ? c.name : ev.name;
	ie.location = c.venue;
	ie.url = c.url;
	ics_event(&c.cal, &ie);
	if ((e = db_session_each(d, ev.id, ics_session, &c)) != ERR_OK) {
		ics_free(&c.cal);
		return e;
	}
	if ((txt = ics_end(&c.cal, &len)) == NULL)
		return ERR_INTERNAL;
	h = arena_strndup(r->arena, txt, len);
	free(txt);
	fn = arena_printf(r->arena, "attachment; filename=\"%s.ics\"", ev.slug);
	resp_header(r, "Content-Disposition", fn);
	resp_header(r, "Cache-Control", "no-cache");
	return reply_data(r, 200, "text/calendar; charset=utf-8", h, len);
}
