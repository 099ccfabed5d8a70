/* SQL for matchmaking: settings, slots, profiles, opportunities, meetings, stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "match.h"
#include "match_schedule.h"

/* ---- settings ---- */

struct ms_ctx {
	struct match_settings *s;
};

static void
ids_parse(const char *json, struct match_settings *s)
{
	cJSON *a = json ? cJSON_Parse(json) : NULL, *x;

	s->all_ttypes = a == NULL || !cJSON_IsArray(a);
	s->nttypes = 0;
	cJSON_ArrayForEach(x, a)
		if (cJSON_IsNumber(x) && s->nttypes < (int)(sizeof(s->ttypes) / sizeof(s->ttypes[0])))
			s->ttypes[s->nttypes++] = (long long)x->valuedouble;
	cJSON_Delete(a);
}

static enum err
ms_row(void *ctx, const struct dbrow *r)
{
	struct match_settings *s = ((struct ms_ctx *)ctx)->s;
	cJSON *a, *x;

	s->exists = 1;
	s->enabled = (int)row_ll(r, 0);
	s->opens_at = row_ll(r, 1);
	s->closes_at = row_ll(r, 2);
	s->meeting_minutes = (int)row_ll(r, 3);
	s->max_meetings = (int)row_ll(r, 4);
	s->expiry_hours = (int)row_ll(r, 5);
	ids_parse(row_str(r, 6), s);
	a = cJSON_Parse(row_str(r, 7) ? row_str(r, 7) : "[]");
	s->norgtypes = 0;
	cJSON_ArrayForEach(x, a)
		if (cJSON_IsString(x) && s->norgtypes < MATCH_ORGTYPES_MAX)
			snprintf(s->orgtypes[s->norgtypes++], sizeof(s->orgtypes[0]), "%s", x->valuestring);
	cJSON_Delete(a);
	return ERR_OK;
}

enum err
db_match_settings(struct db *d, long long event_id, struct match_settings *s)
{
	struct dbv a[] = {V_INT(event_id)};
	struct ms_ctx c = {s};
	int i;

	memset(s, 0, sizeof(*s));
	s->meeting_minutes = 20;
	s->max_meetings = 12;
	s->expiry_hours = 72;
	s->all_ttypes = 1;
	for (i = 0; match_default_orgtypes[i] != NULL; i++)
		snprintf(s->orgtypes[s->norgtypes++], sizeof(s->orgtypes[0]), "%s",
		    match_default_orgtypes[i]);
	return db_query(d, STMT_MS_GET, a, NARGS(a), ms_row, &c);
}

enum err
db_match_settings_json(struct db *d, long long event_id, const char *tz, cJSON **out)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_row(d, STMT_MS_GET, a, NARGS(a),
	    "enabled:b,opens_at:t,closes_at:t,meeting_minutes:i,max_meetings:i,"
	    "request_expiry_hours:i,ticket_type_ids:j,organisation_types:j", tz, out);
}

enum err
db_match_settings_put(struct db *d, long long event_id, const struct match_settings *s)
{
	cJSON *tt = cJSON_CreateArray(), *ot = cJSON_CreateArray();
	char *tts = NULL, *ots = NULL;
	enum err e = ERR_INTERNAL;
	int i;

	for (i = 0; i < s->nttypes; i++)
		cJSON_AddItemToArray(tt, cJSON_CreateNumber((double)s->ttypes[i]));
	for (i = 0; i < s->norgtypes; i++)
		cJSON_AddItemToArray(ot, cJSON_CreateString(s->orgtypes[i]));
	if ((tts = cJSON_PrintUnformatted(tt)) != NULL && (ots = cJSON_PrintUnformatted(ot)) != NULL) {
		struct dbv a[] = {V_INT(event_id), V_INT(s->enabled), V_INT(s->opens_at),
		    V_INT(s->closes_at), V_INT(s->meeting_minutes), V_INT(s->max_meetings),
		    V_INT(s->expiry_hours), s->all_ttypes ? V_NULL : V_STR(tts), V_STR(ots)};
		e = db_exec(d, STMT_MS_PUT, a, NARGS(a), NULL, NULL);
	}
	free(tts);
	free(ots);
	cJSON_Delete(tt);
	cJSON_Delete(ot);
	return e;
}

/* ---- slots ---- */

enum err
db_match_slots_json(struct db *d, long long event_id, const char *tz, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_SLOT_LIST, a, NARGS(a),
	    "id:i,session_id:i,starts_at:t,ends_at:t,tables:i,table_labels:j,room:s", tz, array);
}

enum err
db_match_slot_sessions(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_SLOT_SESSIONS, a, NARGS(a),
	    "id:i,starts_at:i,ends_at:i,tables:i", NULL, array);
}

enum err
db_match_slot_ids(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_SLOT_IDS, a, NARGS(a),
	    "id:i,session_id:i,starts_at:i,ends_at:i,tables:i", NULL, array);
}

enum err
db_match_slot_upsert(struct db *d, long long event_id, long long session_id,
    long long starts, long long ends, long long tables)
{
	struct dbv a[] = {V_INT(event_id), V_INT(session_id), V_INT(starts), V_INT(ends),
	    V_INT(tables)};

	return db_exec(d, STMT_SLOT_UPSERT, a, NARGS(a), NULL, NULL);
}

enum err
db_match_slot_trim(struct db *d, long long slot_id, long long from_table, int drop)
{
	struct dbv a[] = {V_INT(slot_id), V_INT(from_table)};
	struct dbv b[] = {V_INT(slot_id)};
	enum err e;

	if ((e = db_exec(d, STMT_SLOT_SEATS_DROP, a, NARGS(a), NULL, NULL)) != ERR_OK ||
	    (e = db_exec(d, STMT_SLOT_UNPLACE, a, NARGS(a), NULL, NULL)) != ERR_OK)
		return e;
	return drop ? db_exec(d, STMT_SLOT_DELETE, b, NARGS(b), NULL, NULL) : ERR_OK;
}

/* ---- profiles ---- */

struct prof_ctx {
	struct match_profile *p;
	int found;
};

static enum err
prof_row(void *ctx, const struct dbrow *r)
{
	struct prof_ctx *c = ctx;

	c->p->id = row_ll(r, 0);
	c->p->event_id = row_ll(r, 1);
	c->p->reg_id = row_ll(r, 2);
	c->p->visible = (int)row_ll(r, 3);
	c->p->hidden = (int)row_ll(r, 4);
	c->p->available_all = (int)row_ll(r, 5);
	row_cpy(r, 6, c->p->organisation_type, sizeof(c->p->organisation_type));
	row_cpy(r, 7, c->p->country, sizeof(c->p->country));
	c->found = 1;
	return ERR_OK;
}

enum err
db_match_profile_by_reg(struct db *d, long long reg_id, struct match_profile *p)
{
	struct dbv a[] = {V_INT(reg_id)};
	struct prof_ctx c = {p, 0};
	enum err e;

	memset(p, 0, sizeof(*p));
	if ((e = db_query(d, STMT_PROFILE_BY_REG, a, NARGS(a), prof_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_match_profile_get(struct db *d, long long event_id, long long id, struct match_profile *p)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	struct prof_ctx c = {p, 0};
	enum err e;

	memset(p, 0, sizeof(*p));
	if ((e = db_query(d, STMT_PROFILE_GET, a, NARGS(a), prof_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_match_profile_put(struct db *d, long long event_id, long long reg_id,
    const struct match_profile_in *in, long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_INT(reg_id), V_INT(in->visible), V_INT(in->visible),
	    V_STR(in->headline), V_STR(in->about), V_STR(in->organisation_type),
	    V_STR(in->country), V_STR(in->topics), V_STR(in->website), V_INT(in->available_all)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_PROFILE_PUT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
db_match_availability_set(struct db *d, long long event_id, long long profile_id,
    const long long *slots, int n)
{
	struct dbv c[] = {V_INT(profile_id)};
	unsigned long long k;
	enum err e;

	if ((e = db_exec(d, STMT_AVAIL_CLEAR, c, NARGS(c), NULL, NULL)) != ERR_OK)
		return e;
	for (int i = 0; i < n; i++) {
		struct dbv a[] = {V_INT(profile_id), V_INT(slots[i]), V_INT(event_id)};
		k = 0;
		if ((e = db_exec(d, STMT_AVAIL_ADD, a, NARGS(a), &k, NULL)) != ERR_OK)
			return e;
		if (k != 1)
			return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
db_match_profile_withdraw(struct db *d, long long id)
{
	struct dbv a[] = {V_INT(id)};

	return db_exec(d, STMT_PROFILE_WITHDRAW, a, NARGS(a), NULL, NULL);
}

enum err
db_match_profile_hide(struct db *d, long long event_id, long long id, int hidden)
{
	struct dbv a[] = {V_INT(hidden), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_PROFILE_HIDE, a, NARGS(a), NULL, NULL);
}

enum err
db_match_profile_json(struct db *d, long long id, const char *tz, cJSON **out)
{
	struct dbv a[] = {V_INT(id)};

	return db_json_row(d, STMT_PROFILE_JSON, a, NARGS(a),
	    "id:i,name:s,organisation:s,visible:b,hidden:b,headline:s,about:s,organisation_type:s,"
	    "country:s,topics:j,website:s,availability:j,consent_at:t,withdrawn_at:t,opportunities:j",
	    tz, out);
}

/* ---- opportunities ---- */

#define OPP_SPEC "id:i,kind:s,title:s,description:s,topics:j,created_at:t"
#define PS(has, f, s) V_INT(((has) & (f)) != 0), V_STR(((has) & (f)) ? (s) : NULL)

enum err
db_match_opp_insert(struct db *d, long long profile_id, const struct match_opp_in *in,
    long long *id)
{
	struct dbv a[] = {V_INT(profile_id), V_STR(in->kind), V_STR(in->title),
	    V_STR(in->description ? in->description : ""), V_STR(in->topics ? in->topics : "[]")};
	unsigned long long iid = 0;
	enum err e = db_exec(d, STMT_OPP_INSERT, a, NARGS(a), NULL, &iid);

	*id = (long long)iid;
	return e;
}

enum err
db_match_opp_update(struct db *d, long long profile_id, long long id,
    const struct match_opp_in *in)
{
	struct dbv a[] = {PS(in->has, OF_KIND, in->kind), PS(in->has, OF_TITLE, in->title),
	    PS(in->has, OF_DESCRIPTION, in->description), PS(in->has, OF_TOPICS, in->topics),
	    V_INT(id), V_INT(profile_id)};

	return db_exec(d, STMT_OPP_UPDATE, a, NARGS(a), NULL, NULL);
}

enum err
db_match_opp_delete(struct db *d, long long profile_id, long long id)
{
	struct dbv a[] = {V_INT(id), V_INT(profile_id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_OPP_DELETE, a, NARGS(a), &n, NULL);

	return e != ERR_OK ? e : n == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_match_opp_json(struct db *d, long long profile_id, long long id, cJSON **out)
{
	struct dbv a[] = {V_INT(id), V_INT(profile_id)};

	return db_json_row(d, STMT_OPP_GET, a, NARGS(a), OPP_SPEC, NULL, out);
}

enum err
db_match_opp_list(struct db *d, long long profile_id, cJSON *array)
{
	struct dbv a[] = {V_INT(profile_id)};

	return db_json_rows(d, STMT_OPP_LIST, a, NARGS(a), OPP_SPEC, NULL, array);
}

enum err
db_match_opp_owner(struct db *d, long long event_id, long long id, long long *profile)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};

	*profile = 0;
	return db_query(d, STMT_OPP_OWNER, a, NARGS(a), db_row_ll, profile);
}

/* ---- directory ---- */

enum err
db_match_directory(struct db *d, long long event_id, const struct match_dir_filter *f,
    cJSON *array, long long *total)
{
	const char *q = f->q;
	struct dbv a[] = {V_INT(event_id), V_INT(f->exclude), V_STR(q), V_STR(q), V_STR(q),
	    V_STR(q), V_STR(q), V_STR(q), V_STR(q), V_STR(f->topic), V_STR(f->topic),
	    V_STR(f->topic), V_STR(f->organisation_type), V_STR(f->organisation_type),
	    V_STR(f->country), V_STR(f->country), V_STR(f->kind), V_STR(f->kind),
	    V_INT(f->limit), V_INT(f->offset)};
	enum err e;

	if (total != NULL) {
		*total = 0;
		if ((e = db_query(d, STMT_DIR_COUNT, a, NARGS(a) - 2, db_row_ll, total)) != ERR_OK)
			return e;
	}
	return db_json_rows(d, STMT_DIR_LIST, a, NARGS(a),
	    "id:i,name:s,organisation:s,headline:s,about:s,organisation_type:s,country:s,"
	    "topics:j,website:s,opportunities:j", NULL, array);
}

enum err
db_match_counterparts(struct db *d, long long profile_id, cJSON *array)
{
	struct dbv a[] = {V_INT(profile_id), V_INT(profile_id), V_INT(profile_id)};

	return db_json_rows(d, STMT_COUNTERPARTS, a, NARGS(a), "id:i,status:s", NULL, array);
}

/* ---- meetings ---- */

enum err
db_match_expire(struct db *d, long long event_id)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_exec(d, STMT_MEET_EXPIRE, a, NARGS(a), NULL, NULL);
}

static enum err
ignore_row(void *ctx, const struct dbrow *r)
{
	(void)ctx;
	(void)r;
	return ERR_OK;
}

enum err
db_match_lock_profiles(struct db *d, long long a, long long b)
{
	struct dbv v[] = {V_INT(a), V_INT(b)};

	return db_query(d, STMT_MEET_LOCK, v, NARGS(v), ignore_row, NULL);
}

enum err
db_match_live_count(struct db *d, long long profile_id, long long *n)
{
	struct dbv a[] = {V_INT(profile_id), V_INT(profile_id)};

	*n = 0;
	return db_query(d, STMT_MEET_LIVE_COUNT, a, NARGS(a), db_row_ll, n);
}

enum err
db_meeting_insert(struct db *d, long long event_id, long long from, long long to,
    const char *message, long long opportunity_id, int expiry_hours, long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_INT(from), V_INT(to), V_INT(from), V_INT(to),
	    V_INT(from), V_INT(to), V_STR(message ? message : ""), V_ID(opportunity_id),
	    V_INT(expiry_hours)};
	unsigned long long iid = 0;
	enum err e = db_exec(d, STMT_MEET_INSERT, a, NARGS(a), NULL, &iid);

	*id = (long long)iid;
	return e;
}

struct mg_ctx {
	struct meeting *m;
	int found;
};

static enum err
mg_row(void *ctx, const struct dbrow *r)
{
	struct mg_ctx *c = ctx;
	struct meeting *m = c->m;

	m->id = row_ll(r, 0);
	m->event_id = row_ll(r, 1);
	m->requester = row_ll(r, 2);
	m->recipient = row_ll(r, 3);
	m->slot_id = row_ll(r, 4);
	m->table_no = row_ll(r, 5);
	m->opportunity_id = row_ll(r, 6);
	m->expires_at = row_ll(r, 7);
	m->slot_starts = row_ll(r, 8);
	m->slot_ends = row_ll(r, 9);
	row_cpy(r, 10, m->status, sizeof(m->status));
	m->time_mailed = (int)row_ll(r, 11);
	m->held_at = row_ll(r, 12);
	c->found = 1;
	return ERR_OK;
}

enum err
db_meeting_get(struct db *d, long long event_id, long long id, struct meeting *m)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	struct mg_ctx c = {m, 0};
	enum err e;

	memset(m, 0, sizeof(*m));
	if ((e = db_query(d, STMT_MEET_GET, a, NARGS(a), mg_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_meeting_set_status(struct db *d, long long id, const char *from, const char *to,
    long long by, int *changed)
{
	struct dbv a[] = {V_STR(to), V_STR(to), V_STR(to), V_STR(to), V_ID(by), V_STR(to),
	    V_INT(id), V_STR(from)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_MEET_SET_STATUS, a, NARGS(a), &n, NULL);

	*changed = n == 1;
	return e;
}

struct ids_ctx {
	long long *ids;
	int cap, n;
};

static enum err
ids_row(void *ctx, const struct dbrow *r)
{
	struct ids_ctx *c = ctx;

	if (c->n < c->cap)
		c->ids[c->n++] = row_ll(r, 0);
	return ERR_OK;
}

enum err
db_match_free_slots(struct db *d, long long event_id, long long a, long long b,
    long long *slots, int cap, int *n)
{
	struct dbv v[] = {V_INT(a), V_INT(b), V_INT(event_id)};
	struct ids_ctx c = {slots, cap, 0};
	enum err e = db_query(d, STMT_MEET_FREE_SLOTS, v, NARGS(v), ids_row, &c);

	*n = c.n;
	return e;
}

struct tu_ctx {
	unsigned char *used;
	int n, tables;
};

static enum err
tu_row(void *ctx, const struct dbrow *r)
{
	struct tu_ctx *c = ctx;
	long long t = row_str(r, 0) ? row_ll(r, 0) : -1;

	c->tables = (int)row_ll(r, 1);
	if (t >= 0 && t < c->n)
		c->used[t] = 1;
	return ERR_OK;
}

enum err
db_match_tables_used(struct db *d, long long slot_id, unsigned char *used, int ntables,
    int *tables)
{
	struct dbv a[] = {V_INT(slot_id)};
	struct tu_ctx c = {used, ntables, 0};
	enum err e;

	memset(used, 0, (size_t)ntables);
	e = db_query(d, STMT_MEET_TABLES_USED, a, NARGS(a), tu_row, &c);
	*tables = c.tables < ntables ? c.tables : ntables;
	return e;
}

enum err
db_match_seat(struct db *d, long long slot_id, long long profile, long long meeting)
{
	struct dbv a[] = {V_INT(slot_id), V_INT(profile), V_INT(meeting)};

	return db_exec(d, STMT_MEET_SEAT, a, NARGS(a), NULL, NULL);
}

enum err
db_match_unseat(struct db *d, long long meeting)
{
	struct dbv a[] = {V_INT(meeting)};

	return db_exec(d, STMT_MEET_UNSEAT, a, NARGS(a), NULL, NULL);
}

enum err
db_meeting_place(struct db *d, long long id, long long slot_id, long long table_no,
    const char *booked_by)
{
	struct dbv a[] = {V_INT(slot_id), V_INT(table_no), V_STR(booked_by), V_INT(id)};

	return db_exec(d, STMT_MEET_PLACE, a, NARGS(a), NULL, NULL);
}

enum err
db_meeting_unplace(struct db *d, long long id)
{
	struct dbv a[] = {V_INT(id)};
	enum err e;

	if ((e = db_exec(d, STMT_MEET_UNSEAT, a, NARGS(a), NULL, NULL)) != ERR_OK)
		return e;
	return db_exec(d, STMT_MEET_UNPLACE, a, NARGS(a), NULL, NULL);
}

enum err
db_meeting_mailed(struct db *d, long long id)
{
	struct dbv a[] = {V_INT(id)};

	return db_exec(d, STMT_MEET_MAILED, a, NARGS(a), NULL, NULL);
}

enum err
db_meeting_held(struct db *d, long long id, const char *by, int *changed)
{
	struct dbv a[] = {V_STR(by), V_INT(id)};
	unsigned long long n = 0;
	enum err e = db_exec(d, STMT_MEET_HELD, a, NARGS(a), &n, NULL);

	*changed = n == 1;
	return e;
}

enum err
db_meeting_outcome(struct db *d, long long id, int requester, const char *outcome,
    const char *note)
{
	struct dbv a[] = {V_STR(outcome), V_STR(note), V_INT(id)};

	return db_exec(d, requester ? STMT_MEET_OUTCOME_REQ : STMT_MEET_OUTCOME_REC, a,
	    NARGS(a), NULL, NULL);
}

#define MEET_PSPEC "id:i,status:s,direction:s,with_id:i,with_name:s,with_organisation:s," \
	"with_headline:s,with_organisation_type:s,with_country:s,message:s,opportunity_id:i," \
	"opportunity_title:s,created_at:t,expires_at:t,slot_id:i,slot_starts_at:t,slot_ends_at:t," \
	"table:s,room:s,held_at:t,outcome:s,note:s,no_show:b"
#define MEET_OSPEC "id:i,status:s,a_id:i,a_name:s,a_organisation:s,a_organisation_type:s," \
	"a_country:s,b_id:i,b_name:s,b_organisation:s,b_organisation_type:s,b_country:s," \
	"message:s,opportunity_id:i,opportunity_title:s,created_at:t,expires_at:t,slot_id:i," \
	"slot_starts_at:t,slot_ends_at:t,table:s,room:s,held_at:t,held_by:s,a_outcome:s,a_note:s," \
	"b_outcome:s,b_note:s,no_show:b,booked_by:s,time_mailed:b"

/* Group the flat columns: "with": {…} or "requester"/"recipient": {…}, "slot": {…}. */
static void
group(cJSON *o, const char *prefix, const char *name)
{
	cJSON *g = cJSON_CreateObject(), *x, *next;
	size_t n = strlen(prefix);

	for (x = o->child; x != NULL; x = next) {
		next = x->next;
		if (strncmp(x->string, prefix, n) == 0) {
			cJSON *item = cJSON_DetachItemViaPointer(o, x);
			cJSON_AddItemToObject(g, x->string + n, item);
		}
	}
	if (cJSON_GetObjectItem(g, "id") != NULL && cJSON_IsNull(cJSON_GetObjectItem(g, "id"))) {
		cJSON_Delete(g);
		cJSON_AddNullToObject(o, name);
		return;
	}
	cJSON_AddItemToObject(o, name, g);
}

static void
shape(cJSON *o, int organiser)
{
	if (organiser) {
		group(o, "a_", "requester");
		group(o, "b_", "recipient");
	} else
		group(o, "with_", "with");
	group(o, "slot_", "slot");
	/* A no-show is a status for the statistics, not a state of the row. */
}

static void
shape_all(cJSON *array, int organiser)
{
	cJSON *x;

	cJSON_ArrayForEach(x, array)
		shape(x, organiser);
}

enum err
db_meeting_json(struct db *d, long long event_id, long long id, long long viewer,
    const char *tz, cJSON **out)
{
	enum err e;

	if (viewer > 0) {
		struct dbv a[] = {V_INT(viewer), V_INT(viewer), V_INT(id), V_INT(event_id)};
		e = db_json_row(d, STMT_MEET_JSON, a, NARGS(a), MEET_PSPEC, tz, out);
		if (e == ERR_OK)
			shape(*out, 0);
		return e;
	}
	cJSON *arr = cJSON_CreateArray();
	struct meeting_filter f = {NULL, 0, 0};

	/* The organisers' single read: the event's list, one row of it. */
	e = db_meeting_list(d, event_id, &f, tz, arr);
	*out = NULL;
	if (e == ERR_OK) {
		cJSON *x;
		cJSON_ArrayForEach(x, arr)
			if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")) == id) {
				*out = cJSON_DetachItemViaPointer(arr, x);
				break;
			}
		if (*out == NULL)
			e = ERR_NOTFOUND;
	}
	cJSON_Delete(arr);
	return e;
}

enum err
db_meeting_list_mine(struct db *d, long long profile_id, const char *tz, cJSON *array)
{
	struct dbv a[] = {V_INT(profile_id), V_INT(profile_id), V_INT(profile_id), V_INT(profile_id)};
	enum err e = db_json_rows(d, STMT_MEET_MINE, a, NARGS(a), MEET_PSPEC, tz, array);

	if (e == ERR_OK)
		shape_all(array, 0);
	return e;
}

enum err
db_meeting_list(struct db *d, long long event_id, const struct meeting_filter *f,
    const char *tz, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id), V_STR(f->status), V_STR(f->status), V_STR(f->status),
	    V_INT(f->participant), V_INT(f->participant), V_INT(f->participant), V_INT(f->slot),
	    V_INT(f->slot)};
	enum err e = db_json_rows(d, STMT_MEET_LIST, a, NARGS(a), MEET_OSPEC, tz, array);

	if (e == ERR_OK)
		shape_all(array, 1);
	return e;
}

enum err
db_meeting_export_rows(struct db *d, long long event_id, const char *tz, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_MEET_EXPORT, a, NARGS(a), MEET_OSPEC, tz, array);
}

enum err
db_match_participants(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_MATCH_PARTICIPANTS, a, NARGS(a),
	    "id:i,registration_id:i,name:s,email:s,organisation:s,visible:b,hidden:b,headline:s,"
	    "organisation_type:s,country:s,topics:j,consent_at:t,meetings:i,held:i,open_requests:i,"
	    "opportunities:i", NULL, array);
}

/* ---- the scheduler's world ---- */

struct world_ctx {
	struct match_world *w;
	int cap;
	int which;
	unsigned char *all;             /* per person: available_all */
};

static int
index_of(const long long *ids, int n, long long id)
{
	int lo = 0, hi = n - 1;

	/* ids are ascending (ORDER BY id) for people; slots are searched linearly. */
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
slot_index(const struct match_world *w, long long id)
{
	for (int i = 0; i < w->nslots; i++)
		if (w->slot_id[i] == id)
			return i;
	return -1;
}

static enum err
grow(void **p, int *cap, int n, size_t size)
{
	void *q;

	if (n < *cap)
		return ERR_OK;
	*cap = *cap ? *cap * 2 : 64;
	if ((q = realloc(*p, (size_t)*cap * size)) == NULL)
		return ERR_INTERNAL;
	*p = q;
	return ERR_OK;
}

static enum err
wslot_row(void *ctx, const struct dbrow *r)
{
	struct world_ctx *c = ctx;
	struct match_world *w = c->w;
	int cap = c->cap;

	if (grow((void **)&w->slot_id, &cap, w->nslots, sizeof(long long)) != ERR_OK)
		return ERR_INTERNAL;
	cap = c->cap;
	if (grow((void **)&w->session, &cap, w->nslots, sizeof(int)) != ERR_OK)
		return ERR_INTERNAL;
	cap = c->cap;
	if (grow((void **)&w->tables, &cap, w->nslots, sizeof(int)) != ERR_OK)
		return ERR_INTERNAL;
	cap = c->cap;
	if (grow((void **)&w->slot_starts, &cap, w->nslots, sizeof(long long)) != ERR_OK)
		return ERR_INTERNAL;
	c->cap = cap;
	w->slot_id[w->nslots] = row_ll(r, 0);
	w->session[w->nslots] = (int)row_ll(r, 1);
	w->tables[w->nslots] = (int)row_ll(r, 2);
	w->slot_starts[w->nslots] = row_ll(r, 3);
	w->nslots++;
	return ERR_OK;
}

static enum err
wpeople_row(void *ctx, const struct dbrow *r)
{
	struct world_ctx *c = ctx;
	struct match_world *w = c->w;
	int cap = c->cap;

	if (grow((void **)&w->person_id, &cap, w->npeople, sizeof(long long)) != ERR_OK)
		return ERR_INTERNAL;
	cap = c->cap;
	if (grow((void **)&c->all, &cap, w->npeople, 1) != ERR_OK)
		return ERR_INTERNAL;
	c->cap = cap;
	w->person_id[w->npeople] = row_ll(r, 0);
	c->all[w->npeople] = (unsigned char)row_ll(r, 1);
	w->npeople++;
	return ERR_OK;
}

static enum err
wavail_row(void *ctx, const struct dbrow *r)
{
	struct world_ctx *c = ctx;
	struct match_world *w = c->w;
	int p = index_of(w->person_id, w->npeople, row_ll(r, 0));
	int s = slot_index(w, row_ll(r, 1));

	if (p >= 0 && s >= 0 && !c->all[p])
		w->avail[(size_t)p * (size_t)w->nslots + (size_t)s] = 1;
	return ERR_OK;
}

struct wm_ctx {
	struct world_ctx *c;
	int reschedule;
};

static enum err
wmeet_row(void *ctx, const struct dbrow *r)
{
	struct wm_ctx *x = ctx;
	struct match_world *w = x->c->w;
	int cap = x->c->cap;
	int a = index_of(w->person_id, w->npeople, row_ll(r, 1));
	int b = index_of(w->person_id, w->npeople, row_ll(r, 2));
	int s = slot_index(w, row_ll(r, 3));
	const char *st = row_str(r, 6);
	struct ms_meeting *m;

	if (a < 0 || b < 0)
		return ERR_OK;
	if (grow((void **)&w->meeting_id, &cap, w->nmeetings, sizeof(long long)) != ERR_OK)
		return ERR_INTERNAL;
	cap = x->c->cap;
	if (grow((void **)&w->meetings, &cap, w->nmeetings, sizeof(struct ms_meeting)) != ERR_OK)
		return ERR_INTERNAL;
	x->c->cap = cap;
	w->meeting_id[w->nmeetings] = row_ll(r, 0);
	m = &w->meetings[w->nmeetings++];
	m->a = a;
	m->b = b;
	m->fixed_slot = -1;
	m->fixed_table = -1;
	/* Held meetings and (unless rescheduling) mailed times stay where they are. */
	if (s >= 0 && st != NULL && (strcmp(st, "held") == 0 || (!x->reschedule && row_ll(r, 5)))) {
		m->fixed_slot = s;
		m->fixed_table = (int)row_ll(r, 4);
	}
	return ERR_OK;
}

enum err
db_match_world(struct db *d, long long event_id, int reschedule, struct match_world *w)
{
	struct dbv a[] = {V_INT(event_id)};
	struct world_ctx c;
	struct wm_ctx mc;
	enum err e;

	memset(w, 0, sizeof(*w));
	memset(&c, 0, sizeof(c));
	c.w = w;
	if ((e = db_query(d, STMT_WORLD_SLOTS, a, NARGS(a), wslot_row, &c)) != ERR_OK)
		goto fail;
	c.cap = 0;
	if ((e = db_query(d, STMT_WORLD_PEOPLE, a, NARGS(a), wpeople_row, &c)) != ERR_OK)
		goto fail;
	if (w->npeople > 0 && w->nslots > 0) {
		if ((w->avail = calloc((size_t)w->npeople * (size_t)w->nslots, 1)) == NULL) {
			e = ERR_INTERNAL;
			goto fail;
		}
		for (int p = 0; p < w->npeople; p++)
			if (c.all[p])
				memset(w->avail + (size_t)p * (size_t)w->nslots, 1, (size_t)w->nslots);
		if ((e = db_query(d, STMT_WORLD_AVAIL, a, NARGS(a), wavail_row, &c)) != ERR_OK)
			goto fail;
	}
	c.cap = 0;
	mc.c = &c;
	mc.reschedule = reschedule;
	if ((e = db_query(d, STMT_WORLD_MEETINGS, a, NARGS(a), wmeet_row, &mc)) != ERR_OK)
		goto fail;
	free(c.all);
	return ERR_OK;
fail:
	free(c.all);
	match_world_free(w);
	return e;
}

void
match_world_free(struct match_world *w)
{
	free(w->slot_id);
	free(w->person_id);
	free(w->meeting_id);
	free(w->tables);
	free(w->session);
	free(w->avail);
	free(w->meetings);
	free(w->slot_starts);
	memset(w, 0, sizeof(*w));
}

/* ---- statistics ---- */

enum err
db_match_stats(struct db *d, long long event_id, cJSON *o)
{
	struct dbv a[] = {V_INT(event_id)};
	struct dbv a2[] = {V_INT(event_id), V_INT(event_id)};
	cJSON *arr;
	enum err e;

	arr = cJSON_CreateArray();
	if ((e = db_json_rows(d, STMT_MSTAT_STATUS, a, NARGS(a),
	    "requested:i,accepted:i,declined:i,expired:i,cancelled:i,scheduled:i,held:i,no_show:i,"
	    "open_requests:i,awaiting_slot:i", NULL, arr)) != ERR_OK) {
		cJSON_Delete(arr);
		return e;
	}
	{
		cJSON *row = cJSON_DetachItemFromArray(arr, 0), *x;
		cJSON_Delete(arr);
		cJSON_ArrayForEach(x, row)
			if (cJSON_IsNull(x))
				cJSON_SetNumberHelper(x, 0), x->type = cJSON_Number;
		cJSON_AddItemToObject(o, "meetings", row);
	}
	arr = cJSON_CreateArray();
	if ((e = db_json_rows(d, STMT_MSTAT_PEOPLE, a, NARGS(a),
	    "profiles:i,listed:i,countries:i,met:i,met_countries:i", NULL, arr)) != ERR_OK) {
		cJSON_Delete(arr);
		return e;
	}
	cJSON_AddItemToObject(o, "participants", cJSON_DetachItemFromArray(arr, 0));
	cJSON_Delete(arr);
	arr = cJSON_AddArrayToObject(o, "by_organisation_type");
	if ((e = db_json_rows(d, STMT_MSTAT_TYPES, a, NARGS(a),
	    "organisation_type:s,participants:i,met:i,held:d", NULL, arr)) != ERR_OK)
		return e;
	arr = cJSON_AddArrayToObject(o, "by_country");
	if ((e = db_json_rows(d, STMT_MSTAT_COUNTRIES, a, NARGS(a),
	    "country:s,participants:i,met:i,held:d", NULL, arr)) != ERR_OK)
		return e;
	arr = cJSON_AddArrayToObject(o, "pairs");
	if ((e = db_json_rows(d, STMT_MSTAT_PAIRS, a, NARGS(a),
	    "type_a:s,type_b:s,scheduled:i,held:d", NULL, arr)) != ERR_OK)
		return e;
	arr = cJSON_AddArrayToObject(o, "meetings_per_participant");
	if ((e = db_json_rows(d, STMT_MSTAT_PER_PERSON, a, NARGS(a), "meetings:i,participants:i",
	    NULL, arr)) != ERR_OK)
		return e;
	arr = cJSON_AddArrayToObject(o, "outcomes");
	return db_json_rows(d, STMT_MSTAT_OUTCOMES, a2, NARGS(a2), "outcome:s,count:i", NULL, arr);
}

/* ---- mail ---- */

static const char *
host_name(char *buf, size_t len)
{
	return outbox_msgid_host(buf, len);
}

enum err
db_match_queue_mail(struct db *d, long long profile_id, long long meeting_id, const char *kind)
{
	char host[256];
	struct dbv a[] = {V_ID(meeting_id), V_STR(kind), V_STR(host_name(host, sizeof(host))),
	    V_INT(profile_id)};

	return db_exec(d, STMT_OUTBOX_MEETING, a, NARGS(a), NULL, NULL);
}

enum err
db_match_queue_reminder(struct db *d, long long profile_id, const char *day, long long due)
{
	char host[256];
	struct dbv a[] = {V_STR(day), V_STR(host_name(host, sizeof(host))), V_STR(day), V_INT(due),
	    V_INT(profile_id)};

	return db_exec(d, STMT_OUTBOX_REMINDER, a, NARGS(a), NULL, NULL);
}
