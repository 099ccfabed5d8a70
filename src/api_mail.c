/* Organiser mailings, the outbox view, and re-sending a ticket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "http.h"
#include "json.h"
#include "mail.h"
#include "registration.h"
#include "template.h"
#include "validate.h"

struct mailing_in {
	const char *audience, *subject, *body;
	long long audience_id;
	char kind[16];
};

static const char *const mailing_keys[] = {"audience", "subject", "body", NULL};

/* audience: speakers, attendees, checked_in, no_shows, waitlisted, session:<id>, ticket_type:<id> */
static int
parse_audience(struct vld *v, const char *a, struct mailing_in *m)
{
	static const char *const plain[] = {"speakers", "attendees", "checked_in",
		"no_shows", "waitlisted", NULL};
	const char *colon;
	int i;

	for (i = 0; plain[i] != NULL; i++)
		if (strcmp(a, plain[i]) == 0) {
			snprintf(m->kind, sizeof(m->kind), "%s", a);
			return 0;
		}
	if ((colon = strchr(a, ':')) != NULL) {
		if (strncmp(a, "session:", 8) == 0)
			snprintf(m->kind, sizeof(m->kind), "session");
		else if (strncmp(a, "ticket_type:", 12) == 0)
			snprintf(m->kind, sizeof(m->kind), "ticket_type");
		else
			goto bad;
		if ((m->audience_id = parse_id(colon + 1)) > 0)
			return 0;
	}
bad:
	vld_fail(v, "audience", "invalid");
	return -1;
}

static enum err
mailing_fields(struct req *r, struct vld *v, struct mailing_in *m)
{
	char err[256];

	memset(m, 0, sizeof(*m));
	vld_only(v, r->json, mailing_keys);
	m->audience = vld_line(v, r->json, "audience", 1, 64);
	m->subject = vld_line(v, r->json, "subject", 1, 300);
	m->body = vld_text(v, r->json, "body", 1, 50000);
	if (m->audience != NULL)
		parse_audience(v, m->audience, m);
	if (m->subject != NULL && tpl_check_string(m->subject, err, sizeof(err)) != 0)
		vld_fail(v, "subject", "unknown_placeholder");
	if (m->body != NULL && tpl_check_string(m->body, err, sizeof(err)) != 0) {
		vld_fail(v, "body", "unknown_placeholder");
		r->err_msg = arena_strdup(r->arena, err);
	}
	return v->nerr ? ERR_INVALID : ERR_OK;
}

struct mailing_tx {
	long long event_id, user_id, id, count;
	struct mailing_in *m;
	int preview;
	struct mail_render rendered;
	int have_preview;
};

static enum err
mailing_tx(struct db *d, void *arg)
{
	struct mailing_tx *t = arg;
	struct outbox_row o;
	long long reg = 0, spk = 0;
	enum err e;

	mail_render_free(&t->rendered);
	t->have_preview = 0;
	if ((e = mailing_insert(d, t->event_id, t->m->audience, t->m->subject, t->m->body,
	    t->user_id, &t->id)) != ERR_OK)
		return e;
	if ((e = outbox_enqueue_mailing(d, t->event_id, t->id, t->m->kind,
	    t->m->audience_id, &t->count)) != ERR_OK)
		return e;
	if ((e = mailing_set_total(d, t->id, t->count)) != ERR_OK)
		return e;
	if (!t->preview)
		return ERR_OK;
	/* A preview is the real thing rolled back: same recipients, same text. */
	if (mailing_first(d, t->id, &reg, &spk) == ERR_OK) {
		memset(&o, 0, sizeof(o));
		snprintf(o.kind, sizeof(o.kind), "mailing");
		o.event_id = t->event_id;
		o.reg_id = reg;
		o.speaker_id = spk;
		o.mailing_id = t->id;
		if ((e = mail_render_row(d, &o, &t->rendered, t->m->subject, t->m->body)) != ERR_OK)
			return e;
		t->have_preview = 1;
	}
	return ERR_CONFLICT;            /* roll back */
}

enum err
api_mailings_create(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct mailing_in m;
	struct mailing_tx t;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = mailing_fields(r, &v, &m)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	memset(&t, 0, sizeof(t));
	t.event_id = ev.id;
	t.user_id = r->who.user_id;
	t.m = &m;
	if ((e = db_tx(d, mailing_tx, &t)) != ERR_OK)
		return e;
	mail_wake();
	db_audit(d, actor_kind(r), actor_id(r), "mailing.create", "mailing", t.id,
	    arena_printf(r->arena, "{\"recipients\":%lld}", t.count));
	o = cJSON_CreateObject();
	json_add_int(o, "id", t.id);
	json_add_int(o, "recipients", t.count);
	return reply_json(r, 202, o);
}

enum err
api_mailings_preview(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct mailing_in m;
	struct mailing_tx t;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = mailing_fields(r, &v, &m)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	memset(&t, 0, sizeof(t));
	t.event_id = ev.id;
	t.user_id = r->who.user_id;
	t.m = &m;
	t.preview = 1;
	e = db_tx(d, mailing_tx, &t);
	if (e != ERR_CONFLICT && e != ERR_OK) {
		mail_render_free(&t.rendered);
		return e;
	}
	o = cJSON_CreateObject();
	json_add_int(o, "recipients", t.count);
	if (t.have_preview) {
		json_add_str(o, "subject", t.rendered.subject);
		json_add_str(o, "text", t.rendered.text);
		json_add_str(o, "html", t.rendered.html);
	} else {
		cJSON_AddNullToObject(o, "subject");
		cJSON_AddNullToObject(o, "text");
		cJSON_AddNullToObject(o, "html");
	}
	mail_render_free(&t.rendered);
	return reply_json(r, 200, o);
}

enum err
api_mailings_get(struct req *r)
{
	long long id = parse_id(req_param(r, "id")), event_id;
	struct event_ref ev;
	struct db *d;
	cJSON *o, *slug;
	enum err e;

	if (id == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = mailing_json(d, id, &o, &event_id)) != ERR_OK)
		return e;
	slug = cJSON_GetObjectItem(o, "event");
	if ((e = event_load_slug(r, cJSON_GetStringValue(slug), ROLE_ORGANISER, &ev)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	cJSON_AddStringToObject(o, "status",
	    cJSON_GetNumberValue(cJSON_GetObjectItem(o, "pending")) > 0 ? "sending" : "done");
	return reply_json(r, 200, o);
}

enum err
api_mailings_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o, *arr, *it;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "mailings");
	if ((e = mailing_list(d, ev.id, arr)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	cJSON_ArrayForEach(it, arr)
		cJSON_AddStringToObject(it, "status",
		    cJSON_GetNumberValue(cJSON_GetObjectItem(it, "pending")) > 0 ? "sending" : "done");
	return reply_json(r, 200, o);
}

enum err
api_outbox_list(struct req *r)
{
	static const char *const st[] = {"pending", "sending", "sent", "failed", "skipped", NULL};

	return reply_event_list(r, "status", st, "messages", outbox_list);
}

enum err
api_registrations_resend(struct req *r)
{
	struct event_ref ev;
	long long id = parse_id(req_param(r, "id"));
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (id == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = registration_resend(d, &ev, id, actor_kind(r), actor_id(r));
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "wrong_status",
		    "Only confirmed registrations have a ticket to send.");
	if (e != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "queued");
	return reply_json(r, 202, o);
}
