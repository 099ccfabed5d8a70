/*
 * Door check-in: codes are verified (Ed25519, per-event key) before any
 * ticket or registration is read; exactly one live check-in per
 * registration and point is a unique key in MariaDB; every attempt is
 * recorded (an accepted one by its check-in row, a refused one in the scan
 * log); a client nonce makes retries return the first answer.
 * Also the QR images, attendee look-up and live counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_i18n.h"
#include "config.h"
#include "http.h"
#include "json.h"
#include "lane.h"
#include "log.h"
#include "qr.h"
#include "registration.h"
#include "ticketcode.h"
#include "timeutil.h"
#include "validate.h"

/* GET /t/{code}.png?size=N and /t/{code}.svg */
enum err
api_ticket_qr(struct req *r)
{
	const char *p = req_param(r, "code"), *dot, *sz;
	char code[TICKETCODE_MAX];
	unsigned char pk[32], *png = NULL;
	uint32_t eid, tid;
	char *svg = NULL;
	size_t len = 0, n;
	struct db *d;
	int svgmode, px, size = 360, modules;
	enum err e;

	if (p == NULL || (dot = strrchr(p, '.')) == NULL)
		return ERR_NOTFOUND;
	svgmode = strcmp(dot, ".svg") == 0;
	if (!svgmode && strcmp(dot, ".png") != 0)
		return ERR_NOTFOUND;
	n = (size_t)(dot - p);
	if (n == 0 || n >= sizeof(code))
		return ERR_NOTFOUND;
	memcpy(code, p, n);
	code[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (code[i] >= 'a' && code[i] <= 'z')
			code[i] = (char)(code[i] - 'a' + 'A');
	if (ticketcode_parse(code, &eid, &tid) != 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = eventkey_pk(d, eid, pk)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_NOTFOUND : e;
	if (ticketcode_verify(pk, code, &eid, &tid) != 0)
		return ERR_NOTFOUND;
	/* A revoked code (cancelled, re-issued) has no image any more. */
	{
		struct ck_ticket t;
		if ((e = db_ck_ticket(d, tid, &t)) != ERR_OK)
			return e;
		if (!t.found || strcmp(t.ticket_status, "valid") != 0)
			return ERR_NOTFOUND;
	}
	/* The image of a code never changes, but revocation must show soon. */
	resp_header(r, "Cache-Control", "private, max-age=300");
	if (svgmode) {
		if (qr_svg(code, &svg, &len) != 0)
			return ERR_INTERNAL;
		p = arena_strndup(r->arena, svg, len);
		free(svg);
		return reply_data(r, 200, "image/svg+xml", p, len);
	}
	if ((sz = req_query(r, "size")) != NULL) {
		size = atoi(sz);
		if (size < 50 || size > 2000) {
			struct vld v = {req_fields(r), 0};
			vld_fail(&v, "size", "out_of_range");
			return req_fail(r, ERR_INVALID, "validation", "size must be 50 to 2000 pixels.");
		}
	}
	modules = 17 + 4 * qr_version(code) + 2 * QR_QUIET;
	px = size / modules;
	if (px < 1)
		px = 1;
	if (px > QR_MODULE_PX_MAX)
		px = QR_MODULE_PX_MAX;
	if (qr_png(code, px, &png, &len) != 0)
		return ERR_INTERNAL;
	p = arena_alloc(r->arena, len);
	memcpy((char *)p, png, len);
	free(png);
	return reply_data(r, 200, "image/png", p, len);
}

struct ck {
	struct ck_write w;
	const char *tz;
	const char *result;             /* preset for refusals: no check-in */
	int status;
	struct ck_ticket t;
	/* out */
	char *body;
};

static cJSON *
attendee_json(const struct ck_ticket *t)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "name", t->name);
	cJSON_AddStringToObject(a, "organisation", t->organisation);
	cJSON_AddStringToObject(a, "ticket_type", t->ttype_name);
	json_add_int(a, "registration_id", t->reg_id);
	return a;
}

/*
 * c->body (malloc'd) for a result; with a check-in ("checkin" for ours,
 * "first" for the one that was there) under key.
 */
static enum err
answer(struct ck *c, const char *result, int status, const char *key,
    long long cid, long long when, const char *gate)
{
	cJSON *o = cJSON_CreateObject();
	char at[40];

	if (key != NULL) {
		cJSON *k = cJSON_AddObjectToObject(o, key);
		if (tz_format(c->tz, when, at) != 0)
			utc_rfc3339(when, at);
		json_add_int(k, "id", cid);
		cJSON_AddStringToObject(k, "at", at);
		cJSON_AddStringToObject(k, "gate", gate);
	}
	cJSON_AddStringToObject(o, "result", result);
	if (c->t.found)
		cJSON_AddItemToObject(o, "attendee", attendee_json(&c->t));
	free(c->body);
	c->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	c->status = status;
	return c->body != NULL ? ERR_OK : ERR_INTERNAL;
}

/*
 * The answer this nonce was given before, if any (*found): a refusal's
 * stored body, or an accepted scan's answer rebuilt from its check-in row.
 */
static enum err
nonce_answer(struct db *d, struct ck *c, int *found)
{
	struct scan_answer n;
	enum err e;

	*found = 0;
	e = db_scan_nonce(d, c->w.event_id, c->w.nonce, &n);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	*found = 1;
	if (n.checkin_id == 0) {
		free(c->body);
		c->body = n.response != NULL ? n.response : strdup("{}");
		c->status = n.status;
		return c->body != NULL ? ERR_OK : ERR_INTERNAL;
	}
	if ((e = db_ck_reg(d, c->w.event_id, n.reg_id, &c->t)) != ERR_OK)
		return e;
	return answer(c, "ok", 200, "checkin", n.checkin_id, n.at, n.gate);
}

/*
 * Record the scan and set its answer.  An accepted scan is one INSERT into
 * checkins (the unique key decides who is first); a refusal is one row of
 * the scan log.  Neither needs a transaction of its own.
 */
static enum err
ck_record(struct db *d, struct ck *c)
{
	const char *result = c->result;
	long long cid = 0, when = 0;
	char gate[401];
	int attempt, found;
	enum err e;

	for (attempt = 0; result == NULL; attempt++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		e = db_ck_insert(d, &c->w, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &cid);
		if (e == ERR_OK)
			return answer(c, "ok", 200, "checkin", cid, (long long)ts.tv_sec, c->w.gate);
		if (e != ERR_CONFLICT)
			return e;
		/* A retry of this very scan may have got there first. */
		if (c->w.nonce != NULL &&
		    ((e = nonce_answer(d, c, &found)) != ERR_OK || found))
			return e;
		e = db_ck_first(d, c->t.reg_id, c->w.point, &when, gate, sizeof(gate), &cid);
		if (e == ERR_OK) {
			result = "already_checked_in";
			if ((e = answer(c, result, 409, "first", cid, when, gate)) != ERR_OK)
				return e;
			break;
		}
		/* Undone in the meantime: the place is free again. */
		if (e != ERR_NOTFOUND || attempt >= 3)
			return e == ERR_NOTFOUND ? ERR_UNAVAILABLE : e;
	}
	if (c->result != NULL && (e = answer(c, c->result, c->status, NULL, 0, 0,
	    NULL)) != ERR_OK)
		return e;
	/* The answer is kept only where a retry can ask for it again. */
	e = db_scan_insert(d, &c->w, result, c->status, c->w.nonce != NULL ? c->body : NULL);
	if (e == ERR_CONFLICT && c->w.nonce != NULL) {
		/* The same nonce won a race: answer as it was answered. */
		if ((e = nonce_answer(d, c, &found)) == ERR_OK && !found)
			e = ERR_UNAVAILABLE;
	}
	return e;
}

static enum err
reply_text(struct req *r, int status, const char *body)
{
	char *copy = arena_strdup(r->arena, body ? body : "{}");

	r->ctype = "application/json; charset=utf-8";
	reply_data(r, status, "application/json; charset=utf-8", copy, strlen(copy));
	return ERR_OK;
}

static int
nonce_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.:") == n;
}

/* A scan as sent: validated, the code upper-cased and its payload read. */
struct scan_in {
	const char *code;               /* NULL: by registration_id */
	char ucode[TICKETCODE_MAX];
	long long reg_id;
	uint32_t eid, tid;
	int forged;                     /* malformed (then also: not signed by us) */
};

static enum err
scan_parse(struct req *r, struct ck *c, struct scan_in *in)
{
	static const char *const keys[] = {"code", "registration_id", "session_id",
		"gate", "nonce", NULL};
	struct vld v = {req_fields(r), 0};

	memset(c, 0, sizeof(*c));
	memset(in, 0, sizeof(*in));
	vld_only(&v, r->json, keys);
	in->code = vld_line(&v, r->json, "code", 0, 200);
	in->reg_id = vld_int(&v, r->json, "registration_id", 0, 1, 9007199254740991LL, 0, NULL);
	c->w.point = vld_int(&v, r->json, "session_id", 0, 1, 9007199254740991LL, 0, NULL);
	c->w.gate = vld_line(&v, r->json, "gate", 0, 100);
	c->w.nonce = vld_line(&v, r->json, "nonce", 0, 64);
	if (c->w.nonce != NULL && !nonce_valid(c->w.nonce))
		vld_fail(&v, "nonce", "invalid");
	if ((in->code == NULL) == (in->reg_id == 0) && v.nerr == 0)
		vld_fail(&v, "code", "give code or registration_id");
	if (v.nerr)
		return ERR_INVALID;
	if (in->code != NULL) {
		size_t n = strlen(in->code), i;
		while (n > 0 && (in->code[n - 1] == ' ' || in->code[n - 1] == '\n' ||
		    in->code[n - 1] == '\r'))
			n--;
		if (n >= sizeof(in->ucode))
			n = sizeof(in->ucode) - 1;
		for (i = 0; i < n; i++)
			in->ucode[i] = (in->code[i] >= 'a' && in->code[i] <= 'z') ?
			    (char)(in->code[i] - 32) : in->code[i];
		in->ucode[n] = '\0';
		if (ticketcode_parse(in->ucode, &in->eid, &in->tid) != 0)
			in->forged = 1;
	}
	if (c->w.gate == NULL)
		c->w.gate = "";
	c->w.by_user = r->who.user_id;
	c->w.by_token = r->who.kind == PRINCIPAL_TOKEN ? r->who.token_id : 0;
	return ERR_OK;
}

enum err
api_checkin(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct scan_in in;
	struct ck c;
	unsigned char sk[64];
	int done, exists, signup, included, signed_up;
	struct db *d;
	enum err e;

	/* The signature first: a forged code costs no ticket lookup. */
	if ((e = scan_parse(r, &c, &in)) != ERR_OK)
		return e;
	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (in.code != NULL && !in.forged) {
		e = eventkey_sk(d, in.eid, sk);
		if (e == ERR_NOTFOUND || (e == ERR_OK &&
		    ticketcode_check(sk, in.ucode, &in.eid, &in.tid) != 0))
			in.forged = 1;
		sodium_memzero(sk, sizeof(sk));
		if (!in.forged && e != ERR_OK)
			return e;
	}
	c.w.event_id = ev.id;
	c.tz = ev.tz;
	if (c.w.nonce != NULL) {
		if ((e = nonce_answer(d, &c, &done)) != ERR_OK || done)
			goto out;
	}
	if (in.forged) {
		c.result = "invalid";
		c.status = 404;
	} else if (in.code != NULL && (long long)in.eid != ev.id) {
		c.result = "wrong_event";
		c.status = 422;
	} else {
		if (in.code != NULL)
			e = db_ck_ticket(d, in.tid, &c.t);
		else
			e = db_ck_reg(d, ev.id, in.reg_id, &c.t);
		if (e != ERR_OK)
			return e;
		if (!c.t.found || (in.code != NULL && strcmp(c.t.ticket_status, "valid") != 0 &&
		    strcmp(c.t.reg_status, "cancelled") != 0 && strcmp(c.t.reg_status, "rejected") != 0)) {
			/* Unknown ticket, or a code replaced by a re-issued one. */
			c.result = "invalid";
			c.status = 404;
			c.t.found = in.code == NULL ? 0 : c.t.found;
		} else if (c.t.event_id != ev.id) {
			c.result = "wrong_event";
			c.status = 422;
		} else if (strcmp(c.t.reg_status, "cancelled") == 0 ||
		    strcmp(c.t.reg_status, "rejected") == 0) {
			c.result = "cancelled";
			c.status = 422;
		} else if (strcmp(c.t.reg_status, "waitlisted") == 0) {
			c.result = "waitlisted";
			c.status = 422;
		} else if (strncmp(c.t.reg_status, "pending", 7) == 0) {
			c.result = "pending";
			c.status = 422;
		} else if (c.w.point > 0) {
			if ((e = db_ck_session(d, ev.id, c.t.ttype_id, c.t.reg_id, c.w.point,
			    &exists, &signup, &included, &signed_up)) != ERR_OK)
				return e;
			if (!exists) {
				vld_fail(&v, "session_id", "not_found");
				return ERR_INVALID;
			}
			if (!included || (signup && !signed_up)) {
				c.result = "not_for_session";
				c.status = 422;
			}
		}
	}
	/* Zero when no ticket was found (c.t is cleared then): the row names nobody. */
	c.w.reg_id = c.t.reg_id;
	c.w.ticket_id = c.t.ticket_id;
	e = ck_record(d, &c);
out:
	if (e == ERR_OK)
		e = reply_text(r, c.status, c.body);
	free(c.body);
	return e;
}

/*
 * The event thread's check-in: a signed code for the entrance whose event,
 * key and caller are all in memory becomes, without a worker, the ticket
 * read and the check-in INSERT on a non-blocking connection (the nonce
 * looked up first when there is one).  It answers only "ok": anything
 * else (a refusal, a duplicate, a used nonce, an error) goes to a worker
 * and api_checkin, which decides and records it.  Nothing is written
 * before the INSERT that succeeds, so the worker starts from a clean slate.
 */
enum lane_step { STEP_NONCE, STEP_TICKET, STEP_INSERT };

struct ck_lane {
	struct lane_task task;          /* first: the task is the job */
	struct req *r;
	struct ck c;
	long long tid, at_ms;
	enum lane_step step;
};

static void
ck_lane_fail(struct lane_task *t)
{
	http_lane_fallback(((struct ck_lane *)(void *)t)->r);
}

static int
ck_lane_step(struct ck_lane *j, struct adb *a, int ready)
{
	struct ck *c = &j->c;
	struct timespec ts;
	int w, found;

	if (ready == 0) {
		j->step = c->w.nonce != NULL ? STEP_NONCE : STEP_TICKET;
		w = j->step == STEP_NONCE ? adb_scan_nonce(a, c->w.event_id, c->w.nonce) :
		    adb_ck_ticket(a, j->tid);
	} else
		w = adb_cont(a, ready);
	while (w == 0) {
		if (adb_err(a) != ERR_OK)
			goto fallback;
		switch (j->step) {
		case STEP_NONCE:
			if (adb_scan_nonce_found(a, &found) != ERR_OK || found)
				goto fallback;
			j->step = STEP_TICKET;
			w = adb_ck_ticket(a, j->tid);
			break;
		case STEP_TICKET:
			if (adb_ck_ticket_row(a, &c->t) != ERR_OK || !c->t.found ||
			    c->t.event_id != c->w.event_id ||
			    strcmp(c->t.ticket_status, "valid") != 0 ||
			    strcmp(c->t.reg_status, "confirmed") != 0)
				goto fallback;
			c->w.reg_id = c->t.reg_id;
			c->w.ticket_id = c->t.ticket_id;
			clock_gettime(CLOCK_REALTIME, &ts);
			j->at_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
			j->step = STEP_INSERT;
			w = adb_ck_insert(a, &c->w, j->at_ms);
			break;
		case STEP_INSERT:
			if (answer(c, "ok", 200, "checkin", (long long)adb_insert_id(a),
			    j->at_ms / 1000, c->w.gate) != ERR_OK)
				goto fallback;      /* out of memory: nothing better to do */
			reply_text(j->r, c->status, c->body);
			free(c->body);
			c->body = NULL;
			http_lane_done(j->r);
			return 0;
		}
	}
	return w;
fallback:
	/* answer() leaves no body behind when it fails. */
	http_lane_fallback(j->r);
	return 0;
}

static int
ck_lane_run(struct lane_task *t, struct adb *a, int ready)
{
	struct ck_lane *j = (struct ck_lane *)(void *)t;
	int w;

	/* Log lines of this step (a database error, say) name the request. */
	snprintf(log_reqid, sizeof(log_reqid), "%s", j->r->id);
	w = ck_lane_step(j, a, ready);
	log_reqid[0] = '\0';
	return w;
}

enum err
api_checkin_lane(struct req *r)
{
	struct event_ref ev;
	struct ck_lane *j;
	struct scan_in in;
	unsigned char sk[64];
	int bad;
	enum err e;

	if ((j = arena_calloc(r->arena, 1, sizeof(*j))) == NULL)
		return ERR_INTERNAL;
	if ((e = scan_parse(r, &j->c, &in)) != ERR_OK)
		return e;
	/* Sessions, look-ups by registration and refusals are the worker's. */
	if (in.code == NULL || in.forged || j->c.w.point > 0)
		return req_needs_worker(r);
	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK || r->wouldblock)
		return e;
	if ((long long)in.eid != ev.id || eventkey_sk_cached(in.eid, sk) != 0)
		return req_needs_worker(r);
	bad = ticketcode_check(sk, in.ucode, &in.eid, &in.tid) != 0;
	sodium_memzero(sk, sizeof(sk));
	if (bad)
		return req_needs_worker(r);
	j->r = r;
	j->tid = in.tid;
	j->c.w.event_id = ev.id;
	if ((j->c.tz = arena_strdup(r->arena, ev.tz)) == NULL)
		return ERR_INTERNAL;
	j->task.run = ck_lane_run;
	j->task.fail = ck_lane_fail;
	r->lane_pending = 1;
	lane_submit(&j->task);
	return ERR_OK;
}

enum err
api_checkin_undo(struct req *r)
{
	long long id = parse_id(req_param(r, "id")), event_id, reg_id;
	struct event_ref ev;
	char slug[80];
	struct db *d;
	enum err e;

	if (id == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_ck_get(d, id, &event_id, &reg_id, slug, sizeof(slug))) != ERR_OK)
		return e;
	if ((e = event_load_slug(r, slug, ROLE_CHECKIN, &ev)) != ERR_OK)
		return e;
	if ((e = db_ck_undo(d, id, r->who.user_id)) != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "checkin.undo", "registration", reg_id,
	    arena_printf(r->arena, "{\"checkin_id\":%lld}", id));
	return reply_empty(r, 204);
}

enum err
api_attendees(struct req *r)
{
	struct event_ref ev;
	const char *q = req_query(r, "q");
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK)
		return e;
	if (q == NULL)
		q = "";
	if (strlen(q) > 100 || !text_line_valid(q)) {
		struct vld v = {req_fields(r), 0};
		vld_fail(&v, "q", "invalid");
		return ERR_INVALID;
	}
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	/* Door staff see name, organisation, ticket type and status only. */
	if ((e = db_attendees(d, ev.id, q, r->who.role >= ROLE_ORGANISER, ev.tz,
	    cJSON_AddArrayToObject(o, "attendees"))) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	if (r->who.role < ROLE_ORGANISER) {
		cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "attendees"))
			cJSON_DeleteItemFromObject(it, "email");
	}
	/* As people of the event's language sort names (Č after C in sl). */
	sort_for_people(cJSON_GetObjectItem(o, "attendees"), "name", ev.langs[0]);
	return reply_json(r, 200, o);
}

enum err
api_stats(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	if (ev.capacity >= 0)
		json_add_int(o, "capacity", ev.capacity);
	else
		cJSON_AddNullToObject(o, "capacity");
	if ((e = db_stats(d, ev.id, ev.tz, o)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	/* Meetings for the funders' numbers, when the event has matchmaking. */
	if ((e = match_stats_json(d, ev.id, o)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

/* GET /api/v1/events/{slug}/scans?result=: the scan log, for organisers. */
enum err
api_scans(struct req *r)
{
	static const char *const results[] = {"ok", "already_checked_in", "invalid",
		"cancelled", "waitlisted", "pending", "wrong_event", "not_for_session", NULL};

	return reply_event_list(r, "result", results, "scans", db_scan_list);
}
