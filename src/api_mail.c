/* Organiser mailings, the outbox view, and re-sending a ticket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_i18n.h"
#include "http.h"
#include "json.h"
#include "mail.h"
#include "registration.h"
#include "template.h"
#include "validate.h"

struct mailing_in {
	const char *audience, *subject, *body;
	long long audience_id;
	char kind[32];
	struct trpatch tr;      /* subject and body in other languages */
	struct langset ls;
};

static const char *const mailing_keys[] = {"audience", "subject", "body", NULL};

/*
 * audience: speakers, attendees, checked_in, no_shows, waitlisted,
 * matchmaking (everyone with a profile), matchmaking_no_meetings,
 * session:<id>, ticket_type:<id>
 */
static int
parse_audience(struct vld *v, const char *a, struct mailing_in *m)
{
	static const char *const plain[] = {"speakers", "attendees", "checked_in",
		"no_shows", "waitlisted", "matchmaking", "matchmaking_no_meetings", NULL};
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

/* Every language's text of field (the default's is def) passes tpl_check_string. */
static void
check_placeholders(struct req *r, struct vld *v, const struct mailing_in *m,
    const char *field, const char *def)
{
	const cJSON *langs = cJSON_GetObjectItemCaseSensitive(m->tr.set, field), *x;
	char err[256];

	if (def != NULL && tpl_check_string(def, err, sizeof(err)) != 0) {
		vld_fail(v, field, "unknown_placeholder");
		if (strcmp(field, "body") == 0)
			r->err_msg = arena_strdup(r->arena, err);
		return;
	}
	cJSON_ArrayForEach(x, langs)
		if (cJSON_IsString(x) && tpl_check_string(x->valuestring, err, sizeof(err)) != 0) {
			vld_fail(v, field, "unknown_placeholder");
			if (strcmp(field, "body") == 0)
				r->err_msg = arena_printf(r->arena, "%s: %s", x->string, err);
			return;
		}
}

/* The caller frees m->tr (trpatch_free), whatever the result. */
static enum err
mailing_fields(struct req *r, struct vld *v, const struct event_ref *ev,
    struct mailing_in *m)
{
	memset(m, 0, sizeof(*m));
	m->ls.langs = ev->langs;
	m->ls.n = ev->nlangs;
	vld_only(v, r->json, mailing_keys);
	m->audience = vld_line(v, r->json, "audience", 1, 64);
	/* A string (the default language) or {"sl": "…", "en": "…"}. */
	m->subject = vld_mtext(v, r->json, "subject", &m->ls, 1, 300, 0, &m->tr);
	m->body = vld_mtext(v, r->json, "body", &m->ls, 1, 50000, 1, &m->tr);
	if (m->audience != NULL)
		parse_audience(v, m->audience, m);
	if (m->subject != NULL)
		check_placeholders(r, v, m, "subject", m->subject);
	if (m->body != NULL)
		check_placeholders(r, v, m, "body", m->body);
	return v->nerr ? ERR_INVALID : ERR_OK;
}

struct mailing_tx {
	long long event_id, user_id, id, count;
	struct mailing_in *m;
	int preview;
	struct mail_render rendered;
	int have_preview;
	/* A preview: the first recipient's message in each event language. */
	struct mail_render each[EVENT_LANGS_MAX];
	size_t neach;
};

static void
mailing_tx_free(struct mailing_tx *t)
{
	mail_render_free(&t->rendered);
	for (size_t i = 0; i < t->neach; i++)
		mail_render_free(&t->each[i]);
	t->neach = 0;
}

static enum err
mailing_tx(struct db *d, void *arg)
{
	struct mailing_tx *t = arg;
	struct outbox_row o;
	long long reg = 0, spk = 0;
	enum err e;

	mailing_tx_free(t);
	t->have_preview = 0;
	if ((e = mailing_insert(d, t->event_id, t->m->audience, t->m->subject, t->m->body,
	    t->user_id, &t->id)) != ERR_OK)
		return e;
	if ((e = tr_apply(d, TR_MAILING, t->event_id, t->id, &t->m->tr)) != ERR_OK)
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
		/* Read back from the row: the texts as stored, per language. */
		if ((e = mail_render_row(d, &o, &t->rendered, NULL, NULL)) != ERR_OK)
			return e;
		t->have_preview = 1;
		for (size_t i = 0; i < t->m->ls.n; i++) {
			o.lang = t->m->ls.langs[i];
			if ((e = mail_render_row(d, &o, &t->each[i], NULL, NULL)) != ERR_OK)
				return e;
			t->neach = i + 1;
		}
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
	e = mailing_fields(r, &v, &ev, &m);
	if (e == ERR_OK)
		e = req_db(r, &d);
	if (e != ERR_OK) {
		trpatch_free(&m.tr);
		return e;
	}
	memset(&t, 0, sizeof(t));
	t.event_id = ev.id;
	t.user_id = r->who.user_id;
	t.m = &m;
	e = db_tx(d, mailing_tx, &t);
	trpatch_free(&m.tr);
	mailing_tx_free(&t);
	if (e != ERR_OK)
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
	e = mailing_fields(r, &v, &ev, &m);
	if (e == ERR_OK)
		e = req_db(r, &d);
	if (e != ERR_OK) {
		trpatch_free(&m.tr);
		return e;
	}
	memset(&t, 0, sizeof(t));
	t.event_id = ev.id;
	t.user_id = r->who.user_id;
	t.m = &m;
	t.preview = 1;
	e = db_tx(d, mailing_tx, &t);
	trpatch_free(&m.tr);
	if (e != ERR_CONFLICT && e != ERR_OK) {
		mailing_tx_free(&t);
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
	if (t.have_preview) {
		cJSON *langs = cJSON_AddObjectToObject(o, "languages"), *one;

		json_add_str(o, "language", t.rendered.lang);
		for (size_t i = 0; i < t.neach; i++) {
			one = cJSON_AddObjectToObject(langs, t.each[i].lang);
			json_add_str(one, "subject", t.each[i].subject);
			json_add_str(one, "text", t.each[i].text);
			json_add_str(one, "html", t.each[i].html);
		}
	}
	mailing_tx_free(&t);
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
	localise(r, &ev, o, 1);
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
	localise(r, &ev, arr, 1);
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
