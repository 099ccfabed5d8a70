/*
 * Matchmaking over HTTP: the organisers' settings, slots, scheduler,
 * participants, meetings and exports under /api/v1/events/{slug}, and the
 * participants' profile, opportunities, directory, recommendations,
 * meetings and agenda under their manage link /manage/{token}.  Handlers
 * validate and shape; the rules are match.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_i18n.h"
#include "config.h"
#include "csv.h"
#include "http.h"
#include "i18n.h"
#include "ics.h"
#include "json.h"
#include "mail.h"
#include "match.h"
#include "match_export.h"
#include "registration.h"
#include "sbuf.h"
#include "ticketcode.h"
#include "timeutil.h"
#include "validate.h"

static void
cjson_free(void *p)
{
	cJSON_Delete(p);
}

static cJSON *
keep(struct req *r, cJSON *j)
{
	arena_defer(r->arena, cjson_free, j);
	return j;
}

static long long
num(const cJSON *o, const char *k)
{
	return (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static const char *
str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

static int
window_open(const struct match_settings *s)
{
	long long now = (long long)time(NULL);

	return s->enabled && (s->opens_at == 0 || now >= s->opens_at) &&
	    (s->closes_at == 0 || now < s->closes_at);
}

static enum err
closed(struct req *r)
{
	return req_fail(r, ERR_FORBIDDEN, "matchmaking_closed",
	    "Meeting requests are not open at the moment.");
}

/* An RFC 3339 time in the event's zone, or null for 0. */
static void
add_time(cJSON *o, const char *key, long long t, const char *tz)
{
	char buf[32];

	if (t == 0 || tz_format(tz, t, buf) != 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, buf);
}

/* ---- the participant behind a manage link ---- */

struct me {
	struct event_ref ev;
	struct match_settings s;
	struct match_profile p;
	long long reg_id;
	int has_profile, eligible;
	cJSON *reg;
	struct db *d;
};

#define NEED_ENABLED 1
#define NEED_PROFILE 2

static enum err
me_load(struct req *r, struct me *m, int need)
{
	enum err e;
	const char *st;

	memset(m, 0, sizeof(*m));
	if ((e = manage_load(r, &m->ev, &m->reg_id)) != ERR_OK || (e = req_db(r, &m->d)) != ERR_OK)
		return e;
	if ((e = db_match_settings(m->d, m->ev.id, &m->s)) != ERR_OK)
		return e;
	if ((e = db_reg_json(m->d, m->ev.id, m->reg_id, m->ev.tz, &m->reg)) != ERR_OK)
		return e;
	keep(r, m->reg);
	e = db_match_profile_by_reg(m->d, m->reg_id, &m->p);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	m->has_profile = e == ERR_OK;
	st = str(m->reg, "status");
	m->eligible = st != NULL && strcmp(st, "confirmed") == 0;
	if (m->eligible && !m->s.all_ttypes) {
		long long tt = num(m->reg, "ticket_type_id");
		int ok = 0;
		for (int i = 0; i < m->s.nttypes; i++)
			if (m->s.ttypes[i] == tt)
				ok = 1;
		m->eligible = ok;
	}
	if ((need & NEED_ENABLED) && !m->s.enabled)
		return req_fail(r, ERR_NOTFOUND, "matchmaking_disabled",
		    "This event has no matchmaking.");
	if ((need & NEED_PROFILE) && !m->has_profile)
		return req_fail(r, ERR_NOTFOUND, "no_profile",
		    "Create your matchmaking profile first.");
	return ERR_OK;
}

static enum err
not_eligible(struct req *r)
{
	return req_fail(r, ERR_FORBIDDEN, "not_eligible",
	    "Matchmaking is open to confirmed participants with an eligible ticket.");
}

/* Lower-case, trimmed, unique topics: JSON text in the arena, or NULL. */
static const char *
vld_topics(struct vld *v, const cJSON *j, const char *key, struct req *r)
{
	const cJSON *a = cJSON_GetObjectItem(j, key), *x;
	cJSON *out;

	if (a == NULL || cJSON_IsNull(a))
		return "[]";
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > 20) {
		vld_fail(v, key, "invalid");
		return NULL;
	}
	out = keep(r, cJSON_CreateArray());
	cJSON_ArrayForEach(x, a) {
		char buf[256], *p, *q;
		const cJSON *y;
		int dup = 0;
		if (!cJSON_IsString(x) || !text_line_valid(x->valuestring) ||
		    utf8_len(x->valuestring) > 60) {
			vld_fail(v, key, "invalid");
			return NULL;
		}
		snprintf(buf, sizeof(buf), "%s", x->valuestring);
		for (p = buf; *p == ' '; p++)
			continue;
		for (q = p + strlen(p); q > p && q[-1] == ' '; q--)
			continue;
		*q = '\0';
		ascii_lower(p);
		if (*p == '\0')
			continue;
		cJSON_ArrayForEach(y, out)
			if (strcmp(y->valuestring, p) == 0)
				dup = 1;
		if (!dup)
			cJSON_AddItemToArray(out, cJSON_CreateString(p));
	}
	return req_json_text(r, out);
}

static const char *
line_or_empty(struct vld *v, const cJSON *j, const char *key, size_t max)
{
	const char *s = vld_line(v, j, key, 0, max);

	return s ? s : "";
}

/* ---- participants: what the page needs first ---- */

enum err
api_my_matchmaking(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o, *slots, *me;

	if ((e = me_load(r, &m, 0)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "enabled", m.s.enabled);
	cJSON_AddBoolToObject(o, "open", window_open(&m.s));
	cJSON_AddBoolToObject(o, "eligible", m.eligible);
	add_time(o, "opens_at", m.s.opens_at, m.ev.tz);
	add_time(o, "closes_at", m.s.closes_at, m.ev.tz);
	json_add_int(o, "meeting_minutes", m.s.meeting_minutes);
	json_add_int(o, "max_meetings", m.s.max_meetings);
	cJSON *ot = cJSON_AddArrayToObject(o, "organisation_types");
	for (int i = 0; i < m.s.norgtypes; i++)
		cJSON_AddItemToArray(ot, cJSON_CreateString(m.s.orgtypes[i]));
	json_add_str(o, "timezone", m.ev.tz);
	json_add_str(o, "language", str(m.reg, "language"));
	cJSON *ev = cJSON_AddObjectToObject(o, "event");
	json_add_str(ev, "name", m.ev.name);
	json_add_str(ev, "slug", m.ev.slug);
	slots = cJSON_AddArrayToObject(o, "slots");
	if ((e = db_match_slots_json(m.d, m.ev.id, m.ev.tz, slots)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	if (m.has_profile) {
		cJSON *p;
		if ((e = db_match_profile_json(m.d, m.p.id, m.ev.tz, &p)) != ERR_OK) {
			cJSON_Delete(o);
			return e;
		}
		cJSON_AddItemToObject(o, "profile", p);
	} else
		cJSON_AddNullToObject(o, "profile");
	me = cJSON_AddObjectToObject(o, "me");
	json_add_str(me, "name", str(m.reg, "name"));
	json_add_str(me, "organisation", str(m.reg, "organisation"));
	json_add_str(me, "ticket_code", str(m.reg, "ticket_code"));
	return reply_json(r, 200, o);
}

/* ---- profile ---- */

enum err
api_my_profile_get(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_profile_json(m.d, m.p.id, m.ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

struct prof_tx {
	struct me *m;
	struct match_profile_in in;
	long long *slots;
	int nslots;
	long long id;
};

static enum err
profile_tx(struct db *d, void *arg)
{
	struct prof_tx *t = arg;
	enum err e;

	if ((e = db_match_profile_put(d, t->m->ev.id, t->m->reg_id, &t->in, &t->id)) != ERR_OK)
		return e;
	return db_match_availability_set(d, t->m->ev.id, t->id, t->slots,
	    t->in.available_all ? 0 : t->nslots);
}

enum err
api_my_profile_put(struct req *r)
{
	static const char *const keys[] = {"visible", "headline", "about", "organisation_type",
		"country", "topics", "website", "availability", NULL};
	struct vld v = {req_fields(r), 0};
	struct prof_tx t;
	struct me m;
	const cJSON *av;
	const char *ot, *c;
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_ENABLED)) != ERR_OK)
		return e;
	if (!m.eligible)
		return not_eligible(r);
	memset(&t, 0, sizeof(t));
	t.m = &m;
	vld_only(&v, r->json, keys);
	t.in.visible = vld_bool(&v, r->json, "visible", 1, 0);
	if (t.in.visible == 0 && !m.has_profile)
		vld_fail(&v, "visible", "consent_required");
	t.in.headline = line_or_empty(&v, r->json, "headline", 200);
	t.in.about = vld_text(&v, r->json, "about", 0, 4000);
	if (t.in.about == NULL)
		t.in.about = "";
	ot = vld_line(&v, r->json, "organisation_type", 1, 31);
	if (ot != NULL) {
		int ok = 0;
		for (int i = 0; i < m.s.norgtypes; i++)
			if (strcmp(m.s.orgtypes[i], ot) == 0)
				ok = 1;
		if (!ok)
			vld_fail(&v, "organisation_type", "invalid");
	}
	t.in.organisation_type = ot;
	c = vld_line(&v, r->json, "country", 0, 2);
	if (c != NULL && *c != '\0') {
		char *u = arena_strdup(r->arena, c);
		for (char *p = u; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (!country_valid(u))
			vld_fail(&v, "country", "invalid");
		c = u;
	}
	t.in.country = c ? c : "";
	t.in.topics = vld_topics(&v, r->json, "topics", r);
	t.in.website = line_or_empty(&v, r->json, "website", 300);
	if (*t.in.website != '\0' && strncmp(t.in.website, "https://", 8) != 0 &&
	    strncmp(t.in.website, "http://", 7) != 0)
		vld_fail(&v, "website", "invalid");
	av = cJSON_GetObjectItem(r->json, "availability");
	t.in.available_all = 1;
	if (av != NULL && !cJSON_IsNull(av) &&
	    !(cJSON_IsString(av) && strcmp(av->valuestring, "all") == 0)) {
		t.in.available_all = 0;
		t.nslots = vld_ids(&v, r->json, "availability", r, &t.slots);
	}
	if (v.nerr)
		return ERR_INVALID;
	e = db_tx(m.d, profile_tx, &t);
	if (e == ERR_INVALID) {
		vld_fail(&v, "availability", "unknown_slot");
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	db_audit(m.d, "attendee", m.reg_id, t.in.visible ? "match.profile.put" : "match.profile.unlisted",
	    "match_profile", t.id, NULL);
	if ((e = db_match_profile_json(m.d, t.id, m.ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, m.has_profile ? 200 : 201, o);
}

enum err
api_my_profile_delete(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_profile_withdraw(m.d, m.p.id)) != ERR_OK)
		return e;
	db_audit(m.d, "attendee", m.reg_id, "match.profile.withdraw", "match_profile", m.p.id, NULL);
	if ((e = db_match_profile_json(m.d, m.p.id, m.ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

/* ---- opportunities ---- */

static const char *const opp_kinds[] = {"offer", "request", "partnership", NULL};

static int
opp_fields(struct req *r, struct vld *v, int create, struct match_opp_in *in)
{
	static const char *const keys[] = {"kind", "title", "description", "topics", NULL};
	int k;

	memset(in, 0, sizeof(*in));
	vld_only(v, r->json, keys);
	if (create || has_key(r->json, "kind")) {
		k = vld_enum(v, r->json, "kind", opp_kinds, 1, -1);
		in->kind = k >= 0 ? opp_kinds[k] : NULL;
		in->has |= OF_KIND;
	}
	if (create || has_key(r->json, "title")) {
		in->title = vld_line(v, r->json, "title", 1, 200);
		in->has |= OF_TITLE;
	}
	if (create || has_key(r->json, "description")) {
		in->description = vld_text(v, r->json, "description", 0, 4000);
		if (in->description == NULL)
			in->description = "";
		in->has |= OF_DESCRIPTION;
	}
	if (create || has_key(r->json, "topics")) {
		in->topics = vld_topics(v, r->json, "topics", r);
		in->has |= OF_TOPICS;
	}
	return v->nerr;
}

enum err
api_my_opps_list(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o, *a;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "opportunities");
	if ((e = db_match_opp_list(m.d, m.p.id, a)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_my_opps_create(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct match_opp_in in;
	struct me m;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if (opp_fields(r, &v, 1, &in))
		return ERR_INVALID;
	if ((e = db_match_opp_insert(m.d, m.p.id, &in, &id)) != ERR_OK)
		return e;
	if ((e = db_match_opp_json(m.d, m.p.id, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 201, o);
}

static long long
path_id_of(struct req *r)
{
	const char *s = req_param(r, "id");

	return s ? parse_id(s) : 0;
}

enum err
api_my_opps_get(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_opp_json(m.d, m.p.id, path_id_of(r), &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_my_opps_update(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct match_opp_in in;
	struct me m;
	long long id = path_id_of(r);
	enum err e;
	cJSON *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_opp_json(m.d, m.p.id, id, &o)) != ERR_OK)
		return e;
	cJSON_Delete(o);
	if (opp_fields(r, &v, 0, &in))
		return ERR_INVALID;
	if ((e = db_match_opp_update(m.d, m.p.id, id, &in)) != ERR_OK)
		return e;
	if ((e = db_match_opp_json(m.d, m.p.id, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_my_opps_delete(struct req *r)
{
	struct me m;
	enum err e;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_opp_delete(m.d, m.p.id, path_id_of(r))) != ERR_OK)
		return e;
	return reply_empty(r, 204);
}

/* ---- directory and recommendations ---- */

#define PER_PAGE 20

enum err
api_my_directory(struct req *r)
{
	static const char *const kinds[] = {"offer", "request", "partnership", NULL};
	struct match_dir_filter f;
	struct vld v = {req_fields(r), 0};
	const char *q = req_query(r, "q"), *pg = req_query(r, "page"), *t, *c;
	long long total = 0, page = 1;
	struct me m;
	enum err e;
	cJSON *o, *a;

	if ((e = me_load(r, &m, NEED_ENABLED)) != ERR_OK)
		return e;
	if (!m.eligible)
		return not_eligible(r);
	memset(&f, 0, sizeof(f));
	if (q != NULL && *q != '\0') {
		char *pat;
		if (strlen(q) > 100 || !text_line_valid(q))
			vld_fail(&v, "q", "invalid");
		else if ((pat = arena_alloc(r->arena, 2 * strlen(q) + 4)) != NULL) {
			like_pattern("%", q, pat);
			f.q = pat;
		}
	}
	if ((t = req_query(r, "topic")) != NULL && *t != '\0') {
		if (strlen(t) > 100 || !text_line_valid(t))
			vld_fail(&v, "topic", "invalid");
		f.topic = lower_dup(r, t);
	}
	if ((t = req_query(r, "organisation_type")) != NULL && *t != '\0')
		f.organisation_type = t;
	if ((c = req_query(r, "country")) != NULL && *c != '\0') {
		char *u = lower_dup(r, c);
		for (char *p = u; p && *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (u == NULL || !country_valid(u))
			vld_fail(&v, "country", "invalid");
		f.country = u;
	}
	if ((e = query_enum(r, "kind", kinds, &f.kind)) != ERR_OK)
		return e;
	if (pg != NULL && *pg != '\0' && ((page = parse_id(pg)) <= 0 || page > 100000))
		vld_fail(&v, "page", "invalid");
	if (v.nerr)
		return ERR_INVALID;
	f.exclude = m.has_profile ? m.p.id : 0;
	f.limit = PER_PAGE;
	f.offset = (int)((page - 1) * PER_PAGE);
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "participants");
	if ((e = db_match_directory(m.d, m.ev.id, &f, a, &total)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	json_add_int(o, "total", total);
	json_add_int(o, "page", page);
	json_add_int(o, "per_page", PER_PAGE);
	return reply_json(r, 200, o);
}

enum err
api_my_recommendations(struct req *r)
{
	struct match_dir_filter f;
	struct me m;
	enum err e;
	cJSON *mine, *all, *cp, *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_profile_json(m.d, m.p.id, NULL, &mine)) != ERR_OK)
		return e;
	keep(r, mine);
	all = keep(r, cJSON_CreateArray());
	cp = keep(r, cJSON_CreateArray());
	memset(&f, 0, sizeof(f));
	f.exclude = m.p.id;
	f.limit = 100000;
	if ((e = db_match_directory(m.d, m.ev.id, &f, all, NULL)) != ERR_OK ||
	    (e = db_match_counterparts(m.d, m.p.id, cp)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "recommendations", match_recommend(mine, all, cp,
	    req_lang(r, m.ev.langs, m.ev.nlangs), 20));
	return reply_json(r, 200, o);
}

/* ---- meetings ---- */

static enum err
meeting_reply(struct req *r, struct me *m, long long id, int status)
{
	enum err e;
	cJSON *o;

	if ((e = db_meeting_json(m->d, m->ev.id, id, m->p.id, m->ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, status, o);
}

enum err
api_my_meetings_list(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *o, *a;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_expire(m.d, m.ev.id)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "meetings");
	if ((e = db_meeting_list_mine(m.d, m.p.id, m.ev.tz, a)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_my_meetings_request(struct req *r)
{
	static const char *const keys[] = {"with", "message", "opportunity_id", NULL};
	struct vld v = {req_fields(r), 0};
	struct match_profile other;
	struct me m;
	long long with, opp = 0, owner = 0, id;
	const char *msg, *why;
	enum err e;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	with = vld_int(&v, r->json, "with", 1, 1, (1LL << 53), 0, NULL);
	msg = vld_text(&v, r->json, "message", 0, 1000);
	if (has_key(r->json, "opportunity_id") && !is_null_key(r->json, "opportunity_id"))
		opp = vld_int(&v, r->json, "opportunity_id", 0, 1, (1LL << 53), 0, NULL);
	if (v.nerr)
		return ERR_INVALID;
	if (!window_open(&m.s))
		return closed(r);
	if (!m.eligible)
		return not_eligible(r);
	if (with == m.p.id)
		return req_fail(r, ERR_INVALID, "self", "You cannot request a meeting with yourself.");
	e = db_match_profile_get(m.d, m.ev.id, with, &other);
	if (e == ERR_NOTFOUND || (e == ERR_OK && (!other.visible || other.hidden))) {
		vld_fail(&v, "with", "unknown_participant");
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	if (opp > 0) {
		if ((e = db_match_opp_owner(m.d, m.ev.id, opp, &owner)) != ERR_OK)
			return e;
		if (owner != with) {
			vld_fail(&v, "opportunity_id", "not_theirs");
			return ERR_INVALID;
		}
	}
	e = match_request(m.d, &m.ev, &m.s, m.p.id, with, msg, opp, &id, &why);
	if (e == ERR_CONFLICT && why != NULL && strcmp(why, "limit") == 0)
		return req_fail(r, ERR_CONFLICT, "limit",
		    "You have reached the most meetings one participant may have.");
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "duplicate",
		    "You already have a meeting or an open request with this participant.");
	if (e != ERR_OK)
		return e;
	db_audit(m.d, "attendee", m.reg_id, "meeting.request", "meeting", id, NULL);
	return meeting_reply(r, &m, id, 201);
}

static enum err
my_meeting(struct req *r, struct me *m, struct meeting *mt)
{
	enum err e;

	if ((e = me_load(r, m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK)
		return e;
	if ((e = db_match_expire(m->d, m->ev.id)) != ERR_OK)
		return e;
	if ((e = db_meeting_get(m->d, m->ev.id, path_id_of(r), mt)) != ERR_OK)
		return e;
	/* Someone else's meeting does not exist for this link. */
	if (mt->requester != m->p.id && mt->recipient != m->p.id)
		return ERR_NOTFOUND;
	return ERR_OK;
}

enum err
api_my_meeting_accept(struct req *r)
{
	struct meeting mt;
	struct me m;
	const char *why;
	int placed;
	enum err e;

	if ((e = my_meeting(r, &m, &mt)) != ERR_OK)
		return e;
	if (!window_open(&m.s))
		return closed(r);
	if (mt.recipient != m.p.id)
		return req_fail(r, ERR_FORBIDDEN, "not_recipient",
		    "Only the participant who was asked can accept or decline.");
	e = match_accept(m.d, &m.ev, &m.s, mt.id, m.p.id, &placed, &why);
	if (e == ERR_CONFLICT && why != NULL && strcmp(why, "limit") == 0)
		return req_fail(r, ERR_CONFLICT, "limit",
		    "You have reached the most meetings one participant may have.");
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "not_requested",
		    "This request is no longer open.");
	if (e == ERR_FORBIDDEN)
		return req_fail(r, ERR_FORBIDDEN, "not_recipient",
		    "Only the participant who was asked can accept or decline.");
	if (e != ERR_OK)
		return e;
	db_audit(m.d, "attendee", m.reg_id, "meeting.accept", "meeting", mt.id, NULL);
	return meeting_reply(r, &m, mt.id, 200);
}

struct answer_tx {
	struct meeting *mt;
	const char *to;
	long long by, notify;
	int changed;
};

static enum err
answer_tx(struct db *d, void *arg)
{
	struct answer_tx *t = arg;
	enum err e;

	if ((e = db_match_unseat(d, t->mt->id)) != ERR_OK ||
	    (e = db_meeting_set_status(d, t->mt->id, t->mt->status, t->to, t->by, &t->changed)) != ERR_OK)
		return e;
	if (!t->changed)
		return ERR_CONFLICT;
	if (t->notify > 0)
		return db_match_queue_mail(d, t->notify, t->mt->id,
		    strcmp(t->to, "declined") == 0 ? "meeting_declined" : "meeting_cancelled");
	return ERR_OK;
}

enum err
api_my_meeting_decline(struct req *r)
{
	struct meeting mt;
	struct answer_tx t;
	struct me m;
	enum err e;

	if ((e = my_meeting(r, &m, &mt)) != ERR_OK)
		return e;
	if (mt.recipient != m.p.id)
		return req_fail(r, ERR_FORBIDDEN, "not_recipient",
		    "Only the participant who was asked can accept or decline.");
	if (strcmp(mt.status, "requested") != 0)
		return req_fail(r, ERR_CONFLICT, "not_requested", "This request is no longer open.");
	t = (struct answer_tx){&mt, "declined", 0, mt.requester, 0};
	if ((e = db_tx(m.d, answer_tx, &t)) == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "not_requested", "This request is no longer open.");
	if (e != ERR_OK)
		return e;
	mail_wake();
	db_audit(m.d, "attendee", m.reg_id, "meeting.decline", "meeting", mt.id, NULL);
	return meeting_reply(r, &m, mt.id, 200);
}

enum err
api_my_meeting_cancel(struct req *r)
{
	struct meeting mt;
	struct answer_tx t;
	struct me m;
	long long other;
	enum err e;

	if ((e = my_meeting(r, &m, &mt)) != ERR_OK)
		return e;
	if (strcmp(mt.status, "requested") != 0 && strcmp(mt.status, "accepted") != 0 &&
	    strcmp(mt.status, "scheduled") != 0)
		return req_fail(r, ERR_CONFLICT, "not_cancellable", "This meeting can no longer be cancelled.");
	other = mt.requester == m.p.id ? mt.recipient : mt.requester;
	/* A withdrawn request needs no mail; an agreed meeting does. */
	t = (struct answer_tx){&mt, "cancelled", m.p.id,
	    strcmp(mt.status, "requested") == 0 ? 0 : other, 0};
	if ((e = db_tx(m.d, answer_tx, &t)) == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "not_cancellable", "This meeting can no longer be cancelled.");
	if (e != ERR_OK)
		return e;
	mail_wake();
	db_audit(m.d, "attendee", m.reg_id, "meeting.cancel", "meeting", mt.id, NULL);
	return meeting_reply(r, &m, mt.id, 200);
}

/*
 * The registration of a ticket code of this event: verified signature,
 * valid ticket.  ERR_NOTFOUND for anything else.
 */
static enum err
code_registration(struct req *r, struct db *d, const struct event_ref *ev, const char *code,
    long long *reg_id)
{
	unsigned char pk[32];
	uint32_t eid, tid;
	struct ck_ticket t;
	char buf[TICKETCODE_MAX];
	enum err e;

	(void)r;
	if (code == NULL || strlen(code) >= sizeof(buf))
		return ERR_NOTFOUND;
	snprintf(buf, sizeof(buf), "%s", code);
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (ticketcode_parse(buf, &eid, &tid) != 0 || (long long)eid != ev->id)
		return ERR_NOTFOUND;
	if ((e = eventkey_pk(d, eid, pk)) != ERR_OK)
		return e;
	if (ticketcode_verify(pk, buf, &eid, &tid) != 0)
		return ERR_NOTFOUND;
	if ((e = db_ck_ticket(d, tid, &t)) != ERR_OK)
		return e;
	if (!t.found || strcmp(t.ticket_status, "valid") != 0 || t.event_id != ev->id)
		return ERR_NOTFOUND;
	*reg_id = t.reg_id;
	return ERR_OK;
}

static enum err
invalid_code(struct req *r)
{
	return req_fail(r, ERR_NOTFOUND, "invalid", "This is not a valid ticket of this event.");
}

static enum err
hold(struct req *r, struct db *d, const struct event_ref *ev, const struct meeting *mt,
    long long code_reg, int staff, long long my_profile, const char *by)
{
	struct match_profile a, b;
	int changed;
	enum err e;

	if ((e = db_match_profile_get(d, ev->id, mt->requester, &a)) != ERR_OK ||
	    (e = db_match_profile_get(d, ev->id, mt->recipient, &b)) != ERR_OK)
		return e;
	/* A participant shows the other side's code; staff either side's. */
	if (staff ? (code_reg != a.reg_id && code_reg != b.reg_id) :
	    (code_reg != (my_profile == a.id ? b.reg_id : a.reg_id)))
		return req_fail(r, ERR_INVALID, "not_participant",
		    "This ticket belongs to someone who is not in this meeting.");
	if (strcmp(mt->status, "held") == 0)
		return ERR_OK;
	if (strcmp(mt->status, "accepted") != 0 && strcmp(mt->status, "scheduled") != 0)
		return req_fail(r, ERR_CONFLICT, "not_accepted", "This meeting was not agreed.");
	if ((e = db_meeting_held(d, mt->id, by, &changed)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err
api_my_meeting_held(struct req *r)
{
	static const char *const keys[] = {"code", NULL};
	struct vld v = {req_fields(r), 0};
	struct meeting mt;
	struct me m;
	long long reg = 0;
	const char *code;
	enum err e;

	if ((e = my_meeting(r, &m, &mt)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	code = vld_line(&v, r->json, "code", 1, 200);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = code_registration(r, m.d, &m.ev, code, &reg)) == ERR_NOTFOUND)
		return invalid_code(r);
	if (e != ERR_OK)
		return e;
	if ((e = hold(r, m.d, &m.ev, &mt, reg, 0, m.p.id, "participant")) != ERR_OK)
		return e;
	db_audit(m.d, "attendee", m.reg_id, "meeting.held", "meeting", mt.id, NULL);
	return meeting_reply(r, &m, mt.id, 200);
}

enum err
api_my_meeting_outcome(struct req *r)
{
	static const char *const keys[] = {"outcome", "note", NULL};
	static const char *const outcomes[] = {"no_interest", "follow_up", "cooperation_likely",
		"agreement_signed", NULL};
	struct vld v = {req_fields(r), 0};
	struct meeting mt;
	struct me m;
	const char *note;
	int k;
	enum err e;

	if ((e = my_meeting(r, &m, &mt)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	k = vld_enum(&v, r->json, "outcome", outcomes, 1, -1);
	note = vld_text(&v, r->json, "note", 0, 2000);
	if (v.nerr)
		return ERR_INVALID;
	if (strcmp(mt.status, "held") != 0 && !(strcmp(mt.status, "scheduled") == 0 &&
	    mt.slot_starts > 0 && mt.slot_starts <= (long long)time(NULL)))
		return req_fail(r, ERR_CONFLICT, "not_held", "An outcome can be recorded once the meeting took place.");
	if ((e = db_meeting_outcome(m.d, mt.id, mt.requester == m.p.id, outcomes[k],
	    note ? note : "")) != ERR_OK)
		return e;
	return meeting_reply(r, &m, mt.id, 200);
}

/* ---- agenda ---- */

static enum err
agenda_rows(struct req *r, struct me *m, cJSON **out)
{
	cJSON *all = keep(r, cJSON_CreateArray()), *x, *next;
	enum err e;

	if ((e = db_meeting_list_mine(m->d, m->p.id, m->ev.tz, all)) != ERR_OK)
		return e;
	for (x = all->child; x != NULL; x = next) {
		const char *st = str(x, "status");
		next = x->next;
		if (!cJSON_IsObject(cJSON_GetObjectItem(x, "slot")) || st == NULL ||
		    (strcmp(st, "scheduled") != 0 && strcmp(st, "held") != 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(all, x));
	}
	*out = all;
	return ERR_OK;
}

enum err
api_my_agenda(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *rows, *o;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK ||
	    (e = agenda_rows(r, &m, &rows)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "meetings", cJSON_Duplicate(rows, 1));
	return reply_json(r, 200, o);
}

/* "Table 12", "Table 12 · Hall B": where a meeting is, in lang. */
static const char *
where(struct req *r, const char *lang, const cJSON *x)
{
	char buf[300];
	const char *room = str(x, "room");

	i18n_fill(buf, sizeof(buf), trc(lang, "meeting place", "Table {table}"), "table",
	    str(x, "table") ? str(x, "table") : "", NULL);
	if (room != NULL && *room != '\0')
		return arena_printf(r->arena, "%s · %s", buf, room);
	return arena_strdup(r->arena, buf);
}

enum err
api_my_agenda_ics(struct req *r)
{
	struct me m;
	struct ics cal;
	enum err e;
	cJSON *rows, *x;
	const char *lang;
	char *body;
	size_t len;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK ||
	    (e = agenda_rows(r, &m, &rows)) != ERR_OK)
		return e;
	lang = i18n_match(str(m.reg, "language"), -1);
	if (lang == NULL)
		lang = m.ev.langs[0];
	memset(&cal, 0, sizeof(cal));
	if (ics_begin(&cal, "-//Confero//Meetings//EN") != 0)
		return ERR_INTERNAL;
	cJSON_ArrayForEach(x, rows) {
		const cJSON *slot = cJSON_GetObjectItem(x, "slot"), *with = cJSON_GetObjectItem(x, "with");
		struct ics_event ie;
		char summary[600], desc[1200];
		long long s0, s1;
		if (rfc3339_parse(str(slot, "starts_at"), &s0) != 0 ||
		    rfc3339_parse(str(slot, "ends_at"), &s1) != 0)
			continue;
		memset(&ie, 0, sizeof(ie));
		i18n_fill(summary, sizeof(summary), trc(lang, "calendar", "Meeting with {name}"),
		    "name", str(with, "name") ? str(with, "name") : "", NULL);
		snprintf(desc, sizeof(desc), "%s%s%s%s%s", str(with, "name") ? str(with, "name") : "",
		    str(with, "organisation") && *str(with, "organisation") ? ", " : "",
		    str(with, "organisation") ? str(with, "organisation") : "",
		    str(with, "headline") && *str(with, "headline") ? "\n" : "",
		    str(with, "headline") ? str(with, "headline") : "");
		ie.uid = arena_printf(r->arena, "meeting-%lld@confero", num(x, "id"));
		ie.start = s0;
		ie.end = s1;
		ie.summary = summary;
		ie.description = desc;
		ie.location = where(r, lang, x);
		ics_event(&cal, &ie);
	}
	if ((body = ics_end(&cal, &len)) == NULL)
		return ERR_INTERNAL;
	{
		char *copy = arena_strndup(r->arena, body, len);
		free(body);
		if (copy == NULL)
			return ERR_INTERNAL;
		resp_header(r, "Content-Disposition", "attachment; filename=\"meetings.ics\"");
		return reply_data(r, 200, "text/calendar; charset=utf-8", copy, len);
	}
}

enum err
api_my_agenda_pdf(struct req *r)
{
	struct me m;
	enum err e;
	cJSON *rows;
	const char *lang;
	char *path;

	if ((e = me_load(r, &m, NEED_ENABLED | NEED_PROFILE)) != ERR_OK ||
	    (e = agenda_rows(r, &m, &rows)) != ERR_OK)
		return e;
	lang = i18n_match(str(m.reg, "language"), -1);
	if (lang == NULL)
		lang = m.ev.langs[0];
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	if (match_agenda_pdf(path, cfg->font, cfg->font_bold, lang, m.ev.tz, m.ev.name,
	    str(m.reg, "name"), str(m.reg, "organisation"), str(m.reg, "ticket_code"), rows) != 0) {
		unlink(path);
		return ERR_INTERNAL;
	}
	resp_header(r, "Content-Disposition", "attachment; filename=\"meetings.pdf\"");
	return send_file(r, path, "application/pdf");
}

/* ---- organisers ---- */

static cJSON *
default_settings_json(void)
{
	cJSON *o = cJSON_CreateObject(), *a;

	cJSON_AddBoolToObject(o, "enabled", 0);
	cJSON_AddNullToObject(o, "opens_at");
	cJSON_AddNullToObject(o, "closes_at");
	cJSON_AddNumberToObject(o, "meeting_minutes", 20);
	cJSON_AddNumberToObject(o, "max_meetings", 12);
	cJSON_AddNumberToObject(o, "request_expiry_hours", 72);
	cJSON_AddStringToObject(o, "ticket_type_ids", "all");
	a = cJSON_AddArrayToObject(o, "organisation_types");
	for (int i = 0; match_default_orgtypes[i] != NULL; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(match_default_orgtypes[i]));
	return o;
}

enum err
api_match_settings_get(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	e = db_match_settings_json(d, ev.id, ev.tz, &o);
	if (e == ERR_NOTFOUND)
		o = default_settings_json();
	else if (e != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

struct set_tx {
	const struct event_ref *ev;
	struct match_settings s;
};

static enum err
settings_tx(struct db *d, void *arg)
{
	struct set_tx *t = arg;
	enum err e;

	if ((e = db_match_settings_put(d, t->ev->id, &t->s)) != ERR_OK)
		return e;
	return match_slots_sync(d, t->ev);
}

enum err
api_match_settings_put(struct req *r)
{
	static const char *const keys[] = {"enabled", "opens_at", "closes_at", "meeting_minutes",
		"max_meetings", "request_expiry_hours", "ticket_type_ids", "organisation_types", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct set_tx t;
	const cJSON *tt, *ot, *x;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	memset(&t, 0, sizeof(t));
	t.ev = &ev;
	vld_only(&v, r->json, keys);
	t.s.enabled = vld_bool(&v, r->json, "enabled", 1, 0);
	t.s.opens_at = vld_time(&v, r->json, "opens_at", 0, NULL);
	t.s.closes_at = vld_time(&v, r->json, "closes_at", 0, NULL);
	if (t.s.opens_at > 0 && t.s.closes_at > 0 && t.s.closes_at <= t.s.opens_at)
		vld_fail(&v, "closes_at", "before_start");
	t.s.meeting_minutes = (int)vld_int(&v, r->json, "meeting_minutes", 0, 5, 240, 20, NULL);
	t.s.max_meetings = (int)vld_int(&v, r->json, "max_meetings", 0, 1, 200, 12, NULL);
	t.s.expiry_hours = (int)vld_int(&v, r->json, "request_expiry_hours", 0, 1, 24 * 60, 72, NULL);
	tt = cJSON_GetObjectItem(r->json, "ticket_type_ids");
	t.s.all_ttypes = 1;
	if (tt != NULL && !cJSON_IsNull(tt) && !(cJSON_IsString(tt) && strcmp(tt->valuestring, "all") == 0)) {
		long long *ids = NULL;
		int n = vld_ids(&v, r->json, "ticket_type_ids", r, &ids);
		t.s.all_ttypes = 0;
		if (n > 64)
			vld_fail(&v, "ticket_type_ids", "too_many");
		for (int i = 0; i < n && i < 64; i++) {
			struct ttype_rules tr;
			if ((e = db_ttype_rules(d, ev.id, ids[i], &tr)) == ERR_NOTFOUND)
				vld_fail(&v, "ticket_type_ids", "unknown_ticket_type");
			else if (e != ERR_OK)
				return e;
			t.s.ttypes[t.s.nttypes++] = ids[i];
		}
	}
	ot = cJSON_GetObjectItem(r->json, "organisation_types");
	if (ot == NULL || cJSON_IsNull(ot)) {
		for (int i = 0; match_default_orgtypes[i] != NULL; i++)
			snprintf(t.s.orgtypes[t.s.norgtypes++], sizeof(t.s.orgtypes[0]), "%s",
			    match_default_orgtypes[i]);
	} else if (!cJSON_IsArray(ot) || cJSON_GetArraySize(ot) < 1 ||
	    cJSON_GetArraySize(ot) > MATCH_ORGTYPES_MAX) {
		vld_fail(&v, "organisation_types", "invalid");
	} else {
		cJSON_ArrayForEach(x, ot) {
			const char *s = cJSON_GetStringValue(x);
			int ok = s != NULL && *s != '\0' && strlen(s) < sizeof(t.s.orgtypes[0]) &&
			    strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s);
			for (int i = 0; ok && i < t.s.norgtypes; i++)
				if (strcmp(t.s.orgtypes[i], s) == 0)
					ok = 0;
			if (!ok) {
				vld_fail(&v, "organisation_types", "invalid");
				break;
			}
			snprintf(t.s.orgtypes[t.s.norgtypes++], sizeof(t.s.orgtypes[0]), "%s", s);
		}
	}
	if (v.nerr)
		return ERR_INVALID;
	if ((e = db_tx(d, settings_tx, &t)) != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "matchmaking.settings", "event", ev.id, NULL);
	if ((e = db_match_settings_json(d, ev.id, ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_match_slots(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o, *a;

	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "slots");
	if ((e = db_match_slots_json(d, ev.id, ev.tz, a)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_match_schedule(struct req *r)
{
	static const char *const keys[] = {"reschedule", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct match_run run;
	struct db *d;
	int resched;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	resched = vld_bool(&v, r->json, "reschedule", 0, 0);
	if (v.nerr)
		return ERR_INVALID;
	memset(&run, 0, sizeof(run));
	if ((e = db_match_expire(d, ev.id)) != ERR_OK)
		return e;
	e = match_schedule_run(d, &ev, resched, &run);
	if (e != ERR_OK) {
		cJSON_Delete(run.unplaced_list);
		return e;
	}
	db_audit(d, actor_kind(r), actor_id(r), resched ? "matchmaking.reschedule" : "matchmaking.schedule",
	    "event", ev.id, NULL);
	o = cJSON_CreateObject();
	json_add_int(o, "placed", run.placed);
	json_add_int(o, "unplaced", run.unplaced);
	json_add_int(o, "upper_bound", run.upper_bound);
	json_add_int(o, "greedy_placed", run.greedy_placed);
	json_add_int(o, "moved", run.moved);
	json_add_int(o, "gaps", run.gaps);
	cJSON_AddNumberToObject(o, "seconds", run.seconds);
	cJSON_AddItemToObject(o, "unplaced_meetings", run.unplaced_list ? run.unplaced_list :
	    cJSON_CreateArray());
	return reply_json(r, 200, o);
}

enum err
api_match_participants(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o, *a;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "participants");
	if ((e = db_match_participants(d, ev.id, a)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_match_participant_update(struct req *r)
{
	static const char *const keys[] = {"hidden", NULL};
	struct vld v = {req_fields(r), 0};
	struct match_profile p;
	struct event_ref ev;
	long long id = path_id_of(r);
	struct db *d;
	int hidden;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_match_profile_get(d, ev.id, id, &p)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	hidden = vld_bool(&v, r->json, "hidden", 1, 0);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = db_match_profile_hide(d, ev.id, id, hidden)) != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), hidden ? "match.profile.hide" : "match.profile.unhide",
	    "match_profile", id, NULL);
	if ((e = db_match_profile_json(d, id, ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_meetings_list(struct req *r)
{
	static const char *const statuses[] = {"requested", "accepted", "scheduled", "held",
		"declined", "cancelled", "expired", "no_show", NULL};
	struct meeting_filter f = {NULL, 0, 0};
	struct event_ref ev;
	const char *p;
	struct db *d;
	enum err e;
	cJSON *o, *a;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = query_enum(r, "status", statuses, &f.status)) != ERR_OK)
		return e;
	if ((p = req_query(r, "participant")) != NULL && *p != '\0' && (f.participant = parse_id(p)) == 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, "participant", "invalid");
		return ERR_INVALID;
	}
	if ((p = req_query(r, "slot")) != NULL && *p != '\0' && (f.slot = parse_id(p)) == 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, "slot", "invalid");
		return ERR_INVALID;
	}
	if ((e = db_match_expire(d, ev.id)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(o, "meetings");
	if ((e = db_meeting_list(d, ev.id, &f, ev.tz, a)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

/* The slot's table index from "12" (a number, 1-based) or a label; -1 unknown, -2 absent. */
static int
table_index(struct db *d, const struct event_ref *ev, long long slot, const cJSON *table,
    int *found_slot)
{
	cJSON *slots = cJSON_CreateArray(), *x, *lab;
	int idx = -1;

	*found_slot = 0;
	if (db_match_slots_json(d, ev->id, NULL, slots) != ERR_OK) {
		cJSON_Delete(slots);
		return -1;
	}
	cJSON_ArrayForEach(x, slots) {
		if (num(x, "id") != slot)
			continue;
		*found_slot = 1;
		if (table == NULL || cJSON_IsNull(table)) {
			idx = -2;
			break;
		}
		lab = cJSON_GetObjectItem(x, "table_labels");
		const char *s = cJSON_IsString(table) ? table->valuestring : NULL;
		if (cJSON_IsArray(lab) && s != NULL) {
			int i = 0;
			const cJSON *l;
			cJSON_ArrayForEach(l, lab) {
				if (cJSON_IsString(l) && strcmp(l->valuestring, s) == 0)
					idx = i;
				i++;
			}
		} else {
			long long n = cJSON_IsNumber(table) ? (long long)table->valuedouble :
			    s != NULL ? parse_id(s) : 0;
			if (n >= 1 && n <= num(x, "tables"))
				idx = (int)n - 1;
		}
	}
	cJSON_Delete(slots);
	return idx;
}

struct book_tx {
	const struct event_ref *ev;
	long long id, a, b, slot;
	int table, create;
	const char *why;
};

static enum err
book_tx(struct db *d, void *arg)
{
	struct book_tx *t = arg;
	struct meeting m;
	unsigned char used[1000];
	int changed, tables;
	enum err e;

	t->why = NULL;
	if (t->create) {
		if ((e = db_match_lock_profiles(d, t->a, t->b)) != ERR_OK)
			return e;
		e = db_meeting_insert(d, t->ev->id, t->a, t->b, "", 0, 1, &t->id);
		if (e == ERR_CONFLICT)
			t->why = "duplicate";
		if (e != ERR_OK)
			return e;
		if ((e = db_meeting_set_status(d, t->id, "requested", "accepted", 0, &changed)) != ERR_OK)
			return e;
	}
	if ((e = db_meeting_get(d, t->ev->id, t->id, &m)) != ERR_OK)
		return e;
	if (strcmp(m.status, "accepted") != 0 && strcmp(m.status, "scheduled") != 0) {
		t->why = "not_accepted";
		return ERR_CONFLICT;
	}
	if ((e = db_meeting_unplace(d, m.id)) != ERR_OK)
		return e;
	if (t->slot == 0)
		return ERR_OK;
	if ((e = db_match_seat(d, t->slot, m.requester, m.id)) == ERR_OK)
		e = db_match_seat(d, t->slot, m.recipient, m.id);
	if (e == ERR_CONFLICT)
		t->why = "person_busy";
	if (e != ERR_OK)
		return e;
	if (t->table < 0) {
		if ((e = db_match_tables_used(d, t->slot, used, (int)sizeof(used), &tables)) != ERR_OK)
			return e;
		for (int i = 0; i < tables; i++)
			if (!used[i]) {
				t->table = i;
				break;
			}
		if (t->table < 0) {
			t->why = "tables_full";
			return ERR_CONFLICT;
		}
	}
	e = db_meeting_place(d, m.id, t->slot, t->table, "organiser");
	if (e == ERR_CONFLICT)
		t->why = "table_taken";
	if (e != ERR_OK)
		return e;
	/* Both sides hear of the time at once: it counts as mailed. */
	if ((e = db_meeting_mailed(d, m.id)) != ERR_OK ||
	    (e = db_match_queue_mail(d, m.requester, m.id, "meeting_scheduled")) != ERR_OK)
		return e;
	return db_match_queue_mail(d, m.recipient, m.id, "meeting_scheduled");
}

static enum err
book_conflict(struct req *r, const char *why)
{
	if (why != NULL && strcmp(why, "duplicate") == 0)
		return req_fail(r, ERR_CONFLICT, "duplicate",
		    "These two participants already have a meeting or an open request.");
	if (why != NULL && strcmp(why, "person_busy") == 0)
		return req_fail(r, ERR_CONFLICT, "person_busy",
		    "One of the two already has a meeting in this slot.");
	if (why != NULL && strcmp(why, "table_taken") == 0)
		return req_fail(r, ERR_CONFLICT, "table_taken", "This table is taken in this slot.");
	if (why != NULL && strcmp(why, "tables_full") == 0)
		return req_fail(r, ERR_CONFLICT, "tables_full", "Every table of this slot is taken.");
	return req_fail(r, ERR_CONFLICT, "not_accepted", "This meeting was not agreed.");
}

static enum err
book_or_move(struct req *r, int create)
{
	static const char *const ckeys[] = {"a", "b", "slot_id", "table", NULL};
	static const char *const mkeys[] = {"slot_id", "table", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct book_tx t;
	struct match_profile pa, pb;
	struct db *d;
	int found;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	memset(&t, 0, sizeof(t));
	t.ev = &ev;
	t.create = create;
	t.table = -1;
	vld_only(&v, r->json, create ? ckeys : mkeys);
	if (create) {
		t.a = vld_int(&v, r->json, "a", 1, 1, (1LL << 53), 0, NULL);
		t.b = vld_int(&v, r->json, "b", 1, 1, (1LL << 53), 0, NULL);
	} else {
		struct meeting m;
		t.id = path_id_of(r);
		if ((e = db_meeting_get(d, ev.id, t.id, &m)) != ERR_OK)
			return e;
	}
	if (create || !is_null_key(r->json, "slot_id"))
		t.slot = vld_int(&v, r->json, "slot_id", 1, 1, (1LL << 53), 0, NULL);
	if (v.nerr)
		return ERR_INVALID;
	if (create) {
		if (t.a == t.b)
			return req_fail(r, ERR_INVALID, "self", "A meeting needs two different participants.");
		if (db_match_profile_get(d, ev.id, t.a, &pa) != ERR_OK)
			vld_fail(&v, "a", "unknown_participant");
		if (db_match_profile_get(d, ev.id, t.b, &pb) != ERR_OK)
			vld_fail(&v, "b", "unknown_participant");
	}
	if (t.slot > 0) {
		int idx = table_index(d, &ev, t.slot, cJSON_GetObjectItem(r->json, "table"), &found);
		if (!found)
			vld_fail(&v, "slot_id", "unknown_slot");
		else if (idx == -1)
			vld_fail(&v, "table", "unknown_table");
		t.table = idx >= 0 ? idx : -1;
	}
	if (v.nerr)
		return ERR_INVALID;
	e = db_tx(d, book_tx, &t);
	if (e == ERR_CONFLICT)
		return book_conflict(r, t.why);
	if (e != ERR_OK)
		return e;
	mail_wake();
	db_audit(d, actor_kind(r), actor_id(r), create ? "meeting.book" : "meeting.move", "meeting",
	    t.id, NULL);
	if ((e = db_meeting_json(d, ev.id, t.id, 0, ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, create ? 201 : 200, o);
}

enum err
api_meetings_book(struct req *r)
{
	return book_or_move(r, 1);
}

enum err
api_meetings_move(struct req *r)
{
	return book_or_move(r, 0);
}

enum err
api_meetings_staff_held(struct req *r)
{
	static const char *const keys[] = {"code", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct meeting mt;
	long long reg = 0;
	const char *code;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_meeting_get(d, ev.id, path_id_of(r), &mt)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	code = vld_line(&v, r->json, "code", 1, 200);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = code_registration(r, d, &ev, code, &reg)) == ERR_NOTFOUND)
		return invalid_code(r);
	if (e != ERR_OK)
		return e;
	if ((e = hold(r, d, &ev, &mt, reg, 1, 0, "staff")) != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "meeting.held", "meeting", mt.id, NULL);
	if ((e = db_meeting_json(d, ev.id, mt.id, 0, ev.tz, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

/* ---- statistics and exports ---- */

enum err
match_stats_json(struct db *d, long long event_id, cJSON *stats)
{
	struct match_settings s;
	enum err e;
	cJSON *o;

	if ((e = db_match_settings(d, event_id, &s)) != ERR_OK)
		return e;
	if (!s.exists)
		return ERR_OK;
	o = cJSON_AddObjectToObject(stats, "matchmaking");
	return db_match_stats(d, event_id, o);
}

static enum err
export_rows(struct req *r, struct event_ref *ev, struct db **d, cJSON **rows)
{
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, ev)) != ERR_OK || (e = req_db(r, d)) != ERR_OK)
		return e;
	*rows = keep(r, cJSON_CreateArray());
	if ((e = db_meeting_export_rows(*d, ev->id, NULL, *rows)) != ERR_OK)
		return e;
	db_audit(*d, actor_kind(r), actor_id(r), "export", "event", ev->id, "{\"what\":\"meetings\"}");
	return ERR_OK;
}

enum err
api_export_meetings_csv(struct req *r)
{
	struct event_ref ev;
	struct sbuf b;
	struct db *d;
	enum err e;
	cJSON *rows;
	char *out;

	if ((e = export_rows(r, &ev, &d, &rows)) != ERR_OK)
		return e;
	memset(&b, 0, sizeof(b));
	if (match_meetings_csv(&b, rows, ev.tz, req_lang(r, NULL, 0)) != 0) {
		sb_free(&b);
		return ERR_INTERNAL;
	}
	out = arena_strndup(r->arena, b.p, b.len);
	size_t len = b.len;
	sb_free(&b);
	if (out == NULL)
		return ERR_INTERNAL;
	attachment(r, ev.slug, "meetings.csv");
	return reply_data(r, 200, "text/csv; charset=utf-8; header=present", out, len);
}

enum err
api_export_meetings_xlsx(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *rows;
	char *path;

	if ((e = export_rows(r, &ev, &d, &rows)) != ERR_OK)
		return e;
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	if (match_meetings_xlsx(path, cfg->tmpdir, rows, ev.name, ev.tz, req_lang(r, NULL, 0)) != 0) {
		unlink(path);
		return ERR_INTERNAL;
	}
	attachment(r, ev.slug, "meetings.xlsx");
	return send_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

enum err
api_export_table_plan(struct req *r)
{
	struct event_ref ev;
	struct meeting_filter f = {"scheduled", 0, 0};
	const char *s = req_query(r, "slot");
	struct db *d;
	enum err e;
	cJSON *slots, *rows, *held, *x, *slot = NULL;
	char *path;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK || (e = req_db(r, &d)) != ERR_OK)
		return e;
	if (s == NULL || (f.slot = parse_id(s)) == 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, "slot", "required");
		return ERR_INVALID;
	}
	slots = keep(r, cJSON_CreateArray());
	rows = keep(r, cJSON_CreateArray());
	held = keep(r, cJSON_CreateArray());
	if ((e = db_match_slots_json(d, ev.id, ev.tz, slots)) != ERR_OK)
		return e;
	cJSON_ArrayForEach(x, slots)
		if (num(x, "id") == f.slot)
			slot = x;
	if (slot == NULL)
		return ERR_NOTFOUND;
	if ((e = db_meeting_list(d, ev.id, &f, ev.tz, rows)) != ERR_OK)
		return e;
	f.status = "held";
	if ((e = db_meeting_list(d, ev.id, &f, ev.tz, held)) != ERR_OK)
		return e;
	while (held->child != NULL)
		cJSON_AddItemToArray(rows, cJSON_DetachItemViaPointer(held, held->child));
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	if (match_table_plan_pdf(path, cfg->font, cfg->font_bold, req_lang(r, ev.langs, ev.nlangs),
	    ev.tz, ev.name, slot, rows) != 0) {
		unlink(path);
		return ERR_INTERNAL;
	}
	attachment(r, ev.slug, "table-plan.pdf");
	return send_file(r, path, "application/pdf");
}
