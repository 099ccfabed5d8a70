/*
 * Matchmaking rules: slots from sessions, requests and answers, placement
 * at a table, the scheduler run, reminders and recommendations.  Every
 * write runs in db_tx(); the keys of sql/006_matchmaking.sql make the
 * placement safe under parallel clients (a loser of a race gets a
 * duplicate key and tries the next table or slot).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "match.h"
#include "match_schedule.h"
#include "timeutil.h"

const char *const match_default_orgtypes[] = {"hospital", "clinic", "insurer", "patient_org",
	"public_body", "sme", "startup", "large_company", "university", "research", "investor",
	"cluster", "other", NULL};

/* ---- slots ---- */

enum err
match_slots_sync(struct db *d, const struct event_ref *ev)
{
	struct match_settings s;
	cJSON *sessions = cJSON_CreateArray(), *slots = cJSON_CreateArray(), *x, *y;
	enum err e;

	if ((e = db_match_settings(d, ev->id, &s)) != ERR_OK ||
	    (e = db_match_slot_sessions(d, ev->id, sessions)) != ERR_OK ||
	    (e = db_match_slot_ids(d, ev->id, slots)) != ERR_OK)
		goto out;
	long long len = (long long)s.meeting_minutes * 60;
	/* Existing slots that no longer fit their session go, their meetings back to "accepted". */
	cJSON_ArrayForEach(x, slots) {
		long long sid = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "session_id"));
		long long st = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "starts_at"));
		long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id"));
		long long tables = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "tables"));
		int keep = 0;
		cJSON_ArrayForEach(y, sessions) {
			long long s0 = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "starts_at"));
			long long s1 = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "ends_at"));
			long long nt = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "tables"));
			if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "id")) != sid)
				continue;
			if (nt > 0 && st >= s0 && st + len <= s1 && (st - s0) % len == 0) {
				keep = 1;
				if (nt < tables && (e = db_match_slot_trim(d, id, nt, 0)) != ERR_OK)
					goto out;
			}
		}
		if (!keep && (e = db_match_slot_trim(d, id, 0, 1)) != ERR_OK)
			goto out;
	}
	cJSON_ArrayForEach(y, sessions) {
		long long sid = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "id"));
		long long s0 = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "starts_at"));
		long long s1 = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "ends_at"));
		long long nt = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "tables"));
		if (nt <= 0)
			continue;
		for (long long t = s0; t + len <= s1; t += len)
			if ((e = db_match_slot_upsert(d, ev->id, sid, t, t + len, nt)) != ERR_OK)
				goto out;
	}
out:
	cJSON_Delete(sessions);
	cJSON_Delete(slots);
	return e;
}

enum err
match_session_changed(struct db *d, const struct event_ref *ev, long long session_id)
{
	(void)session_id;
	return match_slots_sync(d, ev);
}

struct sdel {
	const struct event_ref *ev;
	long long id;
};

static enum err
session_delete_tx(struct db *d, void *arg)
{
	struct sdel *t = arg;
	cJSON *slots = cJSON_CreateArray(), *x;
	enum err e;

	if ((e = db_match_slot_ids(d, t->ev->id, slots)) == ERR_OK)
		cJSON_ArrayForEach(x, slots)
			if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "session_id")) == t->id &&
			    (e = db_match_slot_trim(d, (long long)cJSON_GetNumberValue(
			    cJSON_GetObjectItem(x, "id")), 0, 1)) != ERR_OK)
				break;
	cJSON_Delete(slots);
	if (e != ERR_OK)
		return e;
	return db_session_remove(d, t->ev->id, t->id);
}

enum err
match_session_delete(struct db *d, const struct event_ref *ev, long long session_id)
{
	struct sdel t = {ev, session_id};

	return db_tx(d, session_delete_tx, &t);
}

/* ---- reminders ---- */

static long long
local_day_of(const char *tz, long long t)
{
	int off = 0;

	if (tz_offset(tz, t, &off) != 0)
		off = 0;
	return (t + off) >= 0 ? (t + off) / 86400 : ((t + off) - 86399) / 86400;
}

/* The epoch of hh:00 local time on local day `day`. */
static long long
local_time_on(const char *tz, long long day, int hour)
{
	long long guess = day * 86400 + hour * 3600;
	int off = 0;

	if (tz_offset(tz, guess, &off) != 0)
		off = 0;
	guess -= off;
	if (tz_offset(tz, guess, &off) == 0)
		guess = day * 86400 + hour * 3600 - off;
	return guess;
}

/*
 * One reminder per person and meeting day, due at 18:00 the evening before
 * (local time); on the day itself no "tomorrow" mail any more.  The mail
 * renders the agenda when it is sent, so later moves show.
 */
static enum err
queue_reminders(struct db *d, const struct event_ref *ev, long long profile)
{
	cJSON *mine = cJSON_CreateArray(), *x;
	long long now = (long long)time(NULL), last = -1;
	enum err e;

	if ((e = db_meeting_list_mine(d, profile, NULL, mine)) != ERR_OK)
		goto out;
	cJSON_ArrayForEach(x, mine) {
		const cJSON *slot = cJSON_GetObjectItem(x, "slot");
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(x, "status"));
		long long t;
		char buf[40];
		if (st == NULL || strcmp(st, "scheduled") != 0 || !cJSON_IsObject(slot))
			continue;
		snprintf(buf, sizeof(buf), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(slot, "starts_at")) ?
		    cJSON_GetStringValue(cJSON_GetObjectItem(slot, "starts_at")) : "");
		if (rfc3339_parse(buf, &t) != 0 || t <= now)
			continue;
		long long day = local_day_of(ev->tz, t);
		if (day == last)
			continue;
		last = day;
		long long due = local_time_on(ev->tz, day - 1, 18);
		if (now >= local_time_on(ev->tz, day, 0))
			continue;
		if (due < now)
			due = now;
		time_t dd = (time_t)(day * 86400);
		struct tm tm;
		char ds[16];
		gmtime_r(&dd, &tm);
		strftime(ds, sizeof(ds), "%Y-%m-%d", &tm);
		if ((e = db_match_queue_reminder(d, profile, ds, due)) != ERR_OK)
			goto out;
	}
out:
	cJSON_Delete(mine);
	return e;
}

/* ---- placement ---- */

#define MAX_TABLES 1000

enum err
match_try_place(struct db *d, const struct event_ref *ev, const struct meeting *m, int *placed)
{
	long long slots[128];
	unsigned char used[MAX_TABLES];
	int n = 0, tables;
	enum err e;

	*placed = 0;
	if ((e = db_match_free_slots(d, ev->id, m->requester, m->recipient, slots, 128, &n)) != ERR_OK)
		return e;
	for (int i = 0; i < n && !*placed; i++) {
		e = db_match_seat(d, slots[i], m->requester, m->id);
		if (e == ERR_CONFLICT)
			continue;
		if (e != ERR_OK)
			return e;
		e = db_match_seat(d, slots[i], m->recipient, m->id);
		if (e == ERR_OK && (e = db_match_tables_used(d, slots[i], used, MAX_TABLES, &tables)) == ERR_OK) {
			for (int t = 0; t < tables; t++) {
				if (used[t])
					continue;
				e = db_meeting_place(d, m->id, slots[i], t, "participants");
				if (e == ERR_CONFLICT)
					continue;
				if (e != ERR_OK)
					return e;
				*placed = 1;
				break;
			}
			if (!*placed)
				e = ERR_CONFLICT;
		}
		if (e == ERR_CONFLICT) {
			if ((e = db_match_unseat(d, m->id)) != ERR_OK)
				return e;
			continue;
		}
		if (e != ERR_OK)
			return e;
	}
	if (*placed) {
		if ((e = queue_reminders(d, ev, m->requester)) != ERR_OK)
			return e;
		return queue_reminders(d, ev, m->recipient);
	}
	return ERR_OK;
}

/* ---- requests and answers ---- */

struct req_tx {
	const struct event_ref *ev;
	const struct match_settings *s;
	long long from, to, opp, id;
	const char *message, *why;
};

static enum err
request_tx(struct db *d, void *arg)
{
	struct req_tx *t = arg;
	long long n = 0;
	enum err e;

	t->why = NULL;
	if ((e = db_match_expire(d, t->ev->id)) != ERR_OK ||
	    (e = db_match_lock_profiles(d, t->from, t->to)) != ERR_OK ||
	    (e = db_match_live_count(d, t->from, &n)) != ERR_OK)
		return e;
	if (n >= t->s->max_meetings) {
		t->why = "limit";
		return ERR_CONFLICT;
	}
	e = db_meeting_insert(d, t->ev->id, t->from, t->to, t->message, t->opp,
	    t->s->expiry_hours, &t->id);
	if (e == ERR_CONFLICT) {
		t->why = "duplicate";
		return e;
	}
	if (e != ERR_OK)
		return e;
	return db_match_queue_mail(d, t->to, t->id, "meeting_request");
}

enum err
match_request(struct db *d, const struct event_ref *ev, const struct match_settings *s,
    long long from, long long to, const char *message, long long opportunity_id,
    long long *id, const char **why)
{
	struct req_tx t = {ev, s, from, to, opportunity_id, 0, message, NULL};
	enum err e = db_tx(d, request_tx, &t);

	*id = t.id;
	*why = t.why;
	if (e == ERR_OK)
		mail_wake();
	return e;
}

struct acc_tx {
	const struct event_ref *ev;
	const struct match_settings *s;
	long long id, by;
	int placed;
	const char *why;
};

static enum err
accept_tx(struct db *d, void *arg)
{
	struct acc_tx *t = arg;
	struct meeting m;
	long long n = 0;
	int changed;
	enum err e;

	t->why = NULL;
	t->placed = 0;
	if ((e = db_match_expire(d, t->ev->id)) != ERR_OK ||
	    (e = db_meeting_get(d, t->ev->id, t->id, &m)) != ERR_OK)
		return e;
	if (m.recipient != t->by) {
		t->why = m.requester == t->by ? "own_request" : "not_participant";
		return ERR_FORBIDDEN;
	}
	if ((e = db_match_lock_profiles(d, m.requester, m.recipient)) != ERR_OK ||
	    (e = db_meeting_get(d, t->ev->id, t->id, &m)) != ERR_OK)
		return e;
	if (strcmp(m.status, "requested") != 0) {
		t->why = "not_requested";
		return ERR_CONFLICT;
	}
	if ((e = db_match_live_count(d, t->by, &n)) != ERR_OK)
		return e;
	if (n >= t->s->max_meetings) {
		t->why = "limit";
		return ERR_CONFLICT;
	}
	if ((e = db_meeting_set_status(d, m.id, "requested", "accepted", 0, &changed)) != ERR_OK)
		return e;
	if (!changed) {
		t->why = "not_requested";
		return ERR_CONFLICT;
	}
	if ((e = match_try_place(d, t->ev, &m, &t->placed)) != ERR_OK)
		return e;
	if (t->placed && (e = db_meeting_mailed(d, m.id)) != ERR_OK)
		return e;
	return db_match_queue_mail(d, m.requester, m.id, "meeting_accepted");
}

enum err
match_accept(struct db *d, const struct event_ref *ev, const struct match_settings *s,
    long long meeting_id, long long by, int *placed, const char **why)
{
	struct acc_tx t = {ev, s, meeting_id, by, 0, NULL};
	enum err e = db_tx(d, accept_tx, &t);

	*placed = t.placed;
	*why = t.why;
	if (e == ERR_OK)
		mail_wake();
	return e;
}

/* ---- the scheduler run ---- */

static const char *
reason_code(enum ms_reason r)
{
	switch (r) {
	case MS_PLACED: return "placed";
	case MS_NO_COMMON_SLOT: return "no_common_slot";
	case MS_PERSON_BUSY: return "person_busy";
	case MS_TABLES_FULL: return "tables_full";
	case MS_CONFLICT: return "conflict";
	}
	return "unknown";
}

struct run_tx {
	const struct event_ref *ev;
	int reschedule;
	struct match_run *out;
};

static enum err
run_tx(struct db *d, void *arg)
{
	struct run_tx *t = arg;
	struct match_world w;
	struct ms_problem p;
	struct ms_result res, greedy;
	unsigned char *touched = NULL;
	cJSON *current = cJSON_CreateArray();
	enum err e;
	int i;

	memset(&res, 0, sizeof(res));
	memset(&greedy, 0, sizeof(greedy));
	cJSON_Delete(t->out->unplaced_list);
	memset(t->out, 0, sizeof(*t->out));
	t->out->unplaced_list = cJSON_CreateArray();
	if ((e = db_match_world(d, t->ev->id, t->reschedule, &w)) != ERR_OK) {
		cJSON_Delete(current);
		return e;
	}
	memset(&p, 0, sizeof(p));
	p.npeople = w.npeople;
	p.nslots = w.nslots;
	p.nmeetings = w.nmeetings;
	p.tables = w.tables;
	p.session = w.session;
	p.avail = w.avail;
	p.meetings = w.meetings;
	p.time_limit = 1.5;
	if (w.nmeetings == 0) {
		e = ERR_OK;
		goto out;
	}
	if (match_schedule(&p, &res) != 0 || ms_check(&p, &res) != 0 ||
	    match_schedule_greedy(&p, &greedy) != 0) {
		log_err("match: the scheduler failed on event %lld", t->ev->id);
		e = ERR_INTERNAL;
		goto out;
	}
	t->out->placed = res.placed;
	t->out->unplaced = w.nmeetings - res.placed;
	t->out->upper_bound = res.upper_bound;
	t->out->greedy_placed = greedy.placed;
	t->out->gaps = res.gaps;
	t->out->seconds = res.seconds;
	if ((e = db_meeting_list(d, t->ev->id, &(struct meeting_filter){NULL, 0, 0}, NULL,
	    current)) != ERR_OK)
		goto out;
	/* Take out every meeting that may move, then put them in their new places. */
	long long *cur_slot = calloc((size_t)w.nmeetings, sizeof(long long));
	if (cur_slot == NULL || (touched = calloc((size_t)w.npeople, 1)) == NULL) {
		free(cur_slot);
		e = ERR_INTERNAL;
		goto out;
	}
	{
		cJSON *x;
		cJSON_ArrayForEach(x, current) {
			long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id"));
			const cJSON *sl = cJSON_GetObjectItem(x, "slot");
			for (i = 0; i < w.nmeetings; i++)
				if (w.meeting_id[i] == id) {
					cur_slot[i] = cJSON_IsObject(sl) ?
					    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(sl, "id")) : 0;
					break;
				}
		}
	}
	for (i = 0; i < w.nmeetings && e == ERR_OK; i++) {
		long long ns = res.slot[i] >= 0 ? w.slot_id[res.slot[i]] : 0;
		if (w.meetings[i].fixed_slot >= 0 || cur_slot[i] == 0)
			continue;
		e = db_meeting_unplace(d, w.meeting_id[i]);
		if (cur_slot[i] != ns)
			t->out->moved++;
	}
	for (i = 0; i < w.nmeetings && e == ERR_OK; i++) {
		struct ms_meeting *m = &w.meetings[i];
		if (m->fixed_slot >= 0)
			continue;
		if (res.slot[i] < 0) {
			cJSON *u = cJSON_CreateObject();
			cJSON_AddNumberToObject(u, "meeting_id", (double)w.meeting_id[i]);
			cJSON_AddStringToObject(u, "reason", reason_code(res.why[i]));
			cJSON_AddItemToArray(t->out->unplaced_list, u);
			continue;
		}
		long long sid = w.slot_id[res.slot[i]];
		if ((e = db_match_seat(d, sid, w.person_id[m->a], w.meeting_id[i])) != ERR_OK ||
		    (e = db_match_seat(d, sid, w.person_id[m->b], w.meeting_id[i])) != ERR_OK ||
		    (e = db_meeting_place(d, w.meeting_id[i], sid, res.table[i], "scheduler")) != ERR_OK)
			break;
		if (cur_slot[i] != sid)
			touched[m->a] = touched[m->b] = 1;
	}
	/* Each person whose agenda changed gets one mail with all of it. */
	for (i = 0; i < w.nmeetings && e == ERR_OK; i++)
		if (w.meetings[i].fixed_slot < 0 && res.slot[i] >= 0 &&
		    (touched[w.meetings[i].a] || touched[w.meetings[i].b]))
			e = db_meeting_mailed(d, w.meeting_id[i]);
	for (i = 0; i < w.npeople && e == ERR_OK; i++)
		if (touched[i] && (e = db_match_queue_mail(d, w.person_id[i], 0, "meeting_scheduled")) == ERR_OK)
			e = queue_reminders(d, t->ev, w.person_id[i]);
	free(cur_slot);
out:
	if (e == ERR_CONFLICT) {
		/* A participant placed a meeting meanwhile: run again on the new state. */
		log_warn("match: placement raced with a participant on event %lld", t->ev->id);
		e = ERR_RETRY;
	}
	free(touched);
	cJSON_Delete(current);
	ms_result_free(&res);
	ms_result_free(&greedy);
	match_world_free(&w);
	return e;
}

enum err
match_schedule_run(struct db *d, const struct event_ref *ev, int reschedule, struct match_run *out)
{
	struct run_tx t = {ev, reschedule, out};
	enum err e;

	memset(out, 0, sizeof(*out));
	e = db_tx(d, run_tx, &t);
	if (e == ERR_OK)
		mail_wake();
	return e;
}

/* ---- recommendations ---- */

static int
has_topic(const cJSON *topics, const char *t)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, topics)
		if (cJSON_IsString(x) && strcmp(x->valuestring, t) == 0)
			return 1;
	return 0;
}

static int
common_topics(const cJSON *a, const cJSON *b)
{
	const cJSON *x;
	int n = 0;

	cJSON_ArrayForEach(x, a)
		if (cJSON_IsString(x) && has_topic(b, x->valuestring))
			n++;
	return n;
}

static int
complementary(const char *mine, const char *theirs)
{
	return (strcmp(mine, "request") == 0 && strcmp(theirs, "offer") == 0) ||
	    (strcmp(mine, "offer") == 0 && strcmp(theirs, "request") == 0) ||
	    (strcmp(mine, "partnership") == 0 && strcmp(theirs, "partnership") == 0);
}

/* Needs (care providers, payers, patients, public bodies) and expertise. */
static int
needs_side(const char *t)
{
	static const char *const needs[] = {"hospital", "clinic", "insurer", "patient_org",
		"public_body", NULL};

	for (int i = 0; needs[i] != NULL; i++)
		if (strcmp(t, needs[i]) == 0)
			return 1;
	return 0;
}

static int
expertise_side(const char *t)
{
	static const char *const exp[] = {"sme", "startup", "large_company", "university",
		"research", "investor", NULL};

	for (int i = 0; exp[i] != NULL; i++)
		if (strcmp(t, exp[i]) == 0)
			return 1;
	return 0;
}

static const char *
str_of(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	return s ? s : "";
}

static int
by_score(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	double sx = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "score"));
	double sy = cJSON_GetNumberValue(cJSON_GetObjectItem(y, "score"));

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(str_of(x, "name"), str_of(y, "name"));
}

cJSON *
match_recommend(const cJSON *me, const cJSON *others, const cJSON *counterparts,
    const char *lang, int limit)
{
	const cJSON *o, *mo, *to, *c;
	cJSON *out = cJSON_CreateArray(), **v = NULL;
	int n = 0, cap = 0;
	long long my_id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(me, "id"));
	const cJSON *my_topics = cJSON_GetObjectItem(me, "topics");
	const cJSON *my_opps = cJSON_GetObjectItem(me, "opportunities");
	const char *my_type = str_of(me, "organisation_type");
	char buf[800];

	cJSON_ArrayForEach(o, others) {
		long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id"));
		int skip = id == my_id, score = 0;
		cJSON *reasons;
		cJSON_ArrayForEach(c, counterparts) {
			const char *st = str_of(c, "status");
			if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "id")) == id &&
			    strcmp(st, "cancelled") != 0 && strcmp(st, "expired") != 0)
				skip = 1;
		}
		if (skip)
			continue;
		reasons = cJSON_CreateArray();
		/* Offers meeting requests first: the point of a brokerage. */
		cJSON_ArrayForEach(mo, my_opps) {
			cJSON_ArrayForEach(to, cJSON_GetObjectItem(o, "opportunities")) {
				const char *mk = str_of(mo, "kind"), *tk = str_of(to, "kind");
				int t = common_topics(cJSON_GetObjectItem(mo, "topics"),
				    cJSON_GetObjectItem(to, "topics"));
				if (!complementary(mk, tk) || t == 0)
					continue;
				score += 10 + 3 * t;
				if (strcmp(tk, "offer") == 0)
					i18n_fill(buf, sizeof(buf), tr(lang,
					    "Their offer “{theirs}” matches your request “{yours}”."),
					    "theirs", str_of(to, "title"), "yours", str_of(mo, "title"), NULL);
				else if (strcmp(tk, "request") == 0)
					i18n_fill(buf, sizeof(buf), tr(lang,
					    "Your offer “{yours}” matches their request “{theirs}”."),
					    "theirs", str_of(to, "title"), "yours", str_of(mo, "title"), NULL);
				else
					i18n_fill(buf, sizeof(buf), tr(lang,
					    "They look for a partnership like yours: “{theirs}”."),
					    "theirs", str_of(to, "title"), NULL);
				cJSON_AddItemToArray(reasons, cJSON_CreateString(buf));
			}
		}
		/* Then shared topics, of the profiles and their opportunities. */
		{
			cJSON *theirs = cJSON_CreateArray(), *shared = cJSON_CreateArray(), *x;
			cJSON_ArrayForEach(x, cJSON_GetObjectItem(o, "topics"))
				if (cJSON_IsString(x) && !has_topic(theirs, x->valuestring))
					cJSON_AddItemToArray(theirs, cJSON_CreateString(x->valuestring));
			cJSON_ArrayForEach(to, cJSON_GetObjectItem(o, "opportunities"))
				cJSON_ArrayForEach(x, cJSON_GetObjectItem(to, "topics"))
					if (cJSON_IsString(x) && !has_topic(theirs, x->valuestring))
						cJSON_AddItemToArray(theirs, cJSON_CreateString(x->valuestring));
			cJSON_ArrayForEach(x, my_topics)
				if (cJSON_IsString(x) && has_topic(theirs, x->valuestring) &&
				    !has_topic(shared, x->valuestring))
					cJSON_AddItemToArray(shared, cJSON_CreateString(x->valuestring));
			cJSON_ArrayForEach(mo, my_opps)
				cJSON_ArrayForEach(x, cJSON_GetObjectItem(mo, "topics"))
					if (cJSON_IsString(x) && has_topic(theirs, x->valuestring) &&
					    !has_topic(shared, x->valuestring))
						cJSON_AddItemToArray(shared, cJSON_CreateString(x->valuestring));
			int ns = cJSON_GetArraySize(shared);
			if (ns > 0) {
				char list[400] = "";
				size_t len = 0;
				cJSON_ArrayForEach(x, shared) {
					int k = snprintf(list + len, sizeof(list) - len, "%s%s",
					    len ? ", " : "", x->valuestring);
					if (k < 0 || (size_t)k >= sizeof(list) - len)
						break;
					len += (size_t)k;
				}
				score += 2 * ns;
				i18n_fill(buf, sizeof(buf), trn(lang, "You share the topic {topics}.",
				    "You share the topics {topics}.", (unsigned long)ns), "topics", list, NULL);
				cJSON_AddItemToArray(reasons, cJSON_CreateString(buf));
			}
			cJSON_Delete(theirs);
			cJSON_Delete(shared);
		}
		/* A need meeting expertise breaks ties. */
		if ((needs_side(my_type) && expertise_side(str_of(o, "organisation_type"))) ||
		    (expertise_side(my_type) && needs_side(str_of(o, "organisation_type"))))
			score += score > 0 ? 1 : 0;
		if (score == 0) {
			cJSON_Delete(reasons);
			continue;
		}
		cJSON *r = cJSON_Duplicate(o, 1);
		cJSON_AddNumberToObject(r, "score", score);
		cJSON_AddItemToObject(r, "reasons", reasons);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			cJSON **nv = realloc(v, (size_t)cap * sizeof(*v));
			if (nv == NULL) {
				cJSON_Delete(r);
				break;
			}
			v = nv;
		}
		v[n++] = r;
	}
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), by_score);
	for (int i = 0; i < n; i++) {
		if (i < limit)
			cJSON_AddItemToArray(out, v[i]);
		else
			cJSON_Delete(v[i]);
	}
	free(v);
	return out;
}
