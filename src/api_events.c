/* Events: create, read, update, publish, close, members, check-in key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "api_i18n.h"
#include "i18n.h"
#include "cache.h"
#include "changes.h"
#include "config.h"
#include "doccache.h"
#include "event.h"
#include "http.h"
#include "json.h"
#include "registration.h"
#include "ticketcode.h"
#include "timeutil.h"
#include "validate.h"

static int
slug_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 64 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/*
 * Read and check the event fields; for PATCH (patch = 1) only those given.
 * cur gives the stored values a partial update is checked against.
 */
/*
 * "languages": one to EVENT_LANGS_MAX codes Confero has catalogs for, no
 * repeats, the first the default.  Fills out (i18n_match pointers) and
 * json (arena); 0 when absent, -1 after a field error.
 */
static int
event_languages(struct req *r, struct vld *v, const cJSON *j, const char **out,
    size_t *n, const char **json)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "languages"), *x;
	cJSON *clean;
	const char *m;
	char *txt;
	size_t i;

	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > EVENT_LANGS_MAX) {
		vld_fail(v, "languages", "invalid");
		return -1;
	}
	*n = 0;
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x) || (m = i18n_match(x->valuestring, -1)) == NULL) {
			vld_fail(v, "languages", "unsupported");
			return -1;
		}
		for (i = 0; i < *n; i++)
			if (out[i] == m) {
				vld_fail(v, "languages", "duplicate");
				return -1;
			}
		out[(*n)++] = m;
	}
	clean = cJSON_CreateArray();
	for (i = 0; i < *n; i++)
		cJSON_AddItemToArray(clean, cJSON_CreateString(out[i]));
	txt = cJSON_PrintUnformatted(clean);
	cJSON_Delete(clean);
	*json = txt ? arena_strdup(r->arena, txt) : NULL;
	cJSON_free(txt);
	return *json != NULL ? 1 : -1;
}

static void
event_fields(struct vld *v, const cJSON *j, int patch, struct event_in *in,
    const struct event_ref *cur, const struct langset *ls, struct trpatch *tp)
{
	int p, req = !patch;
	long long starts, ends, opens, closes;

	if (!patch || has_key(j, "name")) {
		in->name = vld_mtext(v, j, "name", ls, 1, 200, 0, tp);
		in->has |= EF_NAME;
	}
	if (!patch || has_key(j, "description")) {
		in->description = vld_mtext(v, j, "description", ls, 0, 20000, 1, tp);
		if (in->description == NULL)
			in->description = "";
		in->has |= EF_DESCRIPTION;
	}
	if (!patch || has_key(j, "venue")) {
		in->venue = vld_mtext(v, j, "venue", ls, 0, 300, 0, tp);
		if (in->venue == NULL)
			in->venue = "";
		in->has |= EF_VENUE;
	}
	if (!patch || has_key(j, "timezone")) {
		in->timezone = vld_line(v, j, "timezone", 1, 64);
		if (in->timezone != NULL && !tz_valid(in->timezone)) {
			vld_fail(v, "timezone", "unknown_timezone");
			in->timezone = NULL;
		}
		in->has |= EF_TIMEZONE;
	}
	in->starts_at = vld_time(v, j, "starts_at", req || has_key(j, "starts_at"), &p);
	if (p)
		in->has |= EF_STARTS;
	in->ends_at = vld_time(v, j, "ends_at", req || has_key(j, "ends_at"), &p);
	if (p)
		in->has |= EF_ENDS;
	in->capacity = -1;
	if (!patch || has_key(j, "capacity")) {
		if (!is_null_key(j, "capacity"))
			in->capacity = vld_int(v, j, "capacity", 0, 0, 10000000, -1, NULL);
		in->has |= EF_CAPACITY;
	}
	if (!patch || has_key(j, "waitlist")) {
		in->waitlist = vld_bool(v, j, "waitlist", 0, 0);
		in->has |= EF_WAITLIST;
	}
	if (!patch || has_key(j, "retention_days")) {
		in->retention_days = (int)vld_int(v, j, "retention_days", 0, 1, cfg->retention_max_days,
		    cfg->retention_max_days < 180 ? cfg->retention_max_days : 180, NULL);
		in->has |= EF_RETENTION;
	}
	in->reg_opens = vld_time(v, j, "registration_opens_at", 0, &p);
	if (p || !patch)
		in->has |= EF_REG_OPENS;
	in->reg_closes = vld_time(v, j, "registration_closes_at", 0, &p);
	if (p || !patch)
		in->has |= EF_REG_CLOSES;

	starts = (in->has & EF_STARTS) ? in->starts_at : cur ? cur->starts_at : 0;
	ends = (in->has & EF_ENDS) ? in->ends_at : cur ? cur->ends_at : 0;
	if (starts > 0 && ends > 0 && ends <= starts)
		vld_fail(v, "ends_at", "before_start");
	opens = (in->has & EF_REG_OPENS) ? in->reg_opens : cur ? cur->reg_opens : 0;
	closes = (in->has & EF_REG_CLOSES) ? in->reg_closes : cur ? cur->reg_closes : 0;
	if (opens > 0 && closes > 0 && closes <= opens)
		vld_fail(v, "registration_closes_at", "before_opening");
}

static const char *const event_keys[] = {"slug", "name", "description", "venue",
	"timezone", "starts_at", "ends_at", "capacity", "waitlist",
	"registration_opens_at", "registration_closes_at", "languages", "retention_days",
	"organiser", "privacy", NULL};

/* o as JSON text on the request's arena (req_json_text); o is freed. */
static const char *
json_take(struct req *r, cJSON *o)
{
	const char *out = req_json_text(r, o);

	cJSON_Delete(o);
	return out;
}

/* The errors of a nested object's checks, as "prefix.field"; sub is freed. */
static void
sub_errors(struct req *r, struct vld *v, const char *prefix, struct vld *sub)
{
	cJSON *x;

	cJSON_ArrayForEach(x, sub->errors)
		vld_fail(v, arena_printf(r->arena, "%s.%s", prefix, x->string), cJSON_GetStringValue(x));
	cJSON_Delete(sub->errors);
	sub->errors = NULL;
}

/*
 * One privacy text: a string (the event's first language) or an object
 * {language: text} over the event's languages; null clears it.  Into a
 * JSON object text in *json (NULL when cleared).
 */
static void
privacy_text(struct req *r, struct vld *v, const cJSON *o, const char *key, size_t max,
    const struct langset *ls, const char **json)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key), *t;
	const char *field = arena_printf(r->arena, "privacy.%s", key);
	cJSON *clean;
	size_t i;

	*json = NULL;
	if (x == NULL || cJSON_IsNull(x))
		return;
	clean = cJSON_CreateObject();
	if (cJSON_IsString(x)) {
		if (!text_block_valid(x->valuestring) || utf8_len(x->valuestring) > max ||
		    *x->valuestring == '\0')
			vld_fail(v, field, "invalid");
		else
			cJSON_AddStringToObject(clean, ls->langs[0], x->valuestring);
	} else if (cJSON_IsObject(x)) {
		cJSON_ArrayForEach(t, x) {
			for (i = 0; i < ls->n; i++)
				if (strcmp(t->string, ls->langs[i]) == 0)
					break;
			if (i == ls->n) {
				vld_fail(v, arena_printf(r->arena, "%s.%s", field, t->string), "not_an_event_language");
				continue;
			}
			if (!cJSON_IsString(t) || !text_block_valid(t->valuestring) ||
			    utf8_len(t->valuestring) > max || *t->valuestring == '\0') {
				vld_fail(v, arena_printf(r->arena, "%s.%s", field, t->string), "invalid");
				continue;
			}
			cJSON_AddStringToObject(clean, ls->langs[i], t->valuestring);
		}
	} else
		vld_fail(v, field, "invalid");
	*json = json_take(r, clean);
}

struct privacy_in {
	int has_consent, has_notice;
	const char *consent, *notice;
};

/* "privacy": {"consent_text", "notice"}; 0 when absent. */
static int
privacy_field(struct req *r, struct vld *v, const cJSON *j, const struct langset *ls,
    struct privacy_in *p)
{
	static const char *const keys[] = {"consent_text", "notice", NULL};
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "privacy");
	struct vld sub = {NULL, 0};

	memset(p, 0, sizeof(*p));
	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o)) {
		vld_fail(v, "privacy", "invalid");
		return 1;
	}
	sub.errors = cJSON_CreateObject();
	vld_only(&sub, o, keys);
	sub_errors(r, v, "privacy", &sub);
	p->has_consent = cJSON_GetObjectItemCaseSensitive(o, "consent_text") != NULL;
	p->has_notice = cJSON_GetObjectItemCaseSensitive(o, "notice") != NULL;
	privacy_text(r, v, o, "consent_text", 2000, ls, &p->consent);
	privacy_text(r, v, o, "notice", 20000, ls, &p->notice);
	return 1;
}

/* A new version when the texts changed; what is not given stays. */
static enum err
privacy_save(struct req *r, struct db *d, long long event_id, const struct privacy_in *p)
{
	const char *consent = p->consent, *notice = p->notice;
	enum err e;
	cJSON *cur = NULL;

	if (!p->has_consent || !p->has_notice) {
		if ((e = db_privacy_get(d, event_id, -1, &cur)) != ERR_OK)
			return e;
		if (!p->has_consent && cJSON_IsObject(cJSON_GetObjectItem(cur, "consent_text")))
			consent = req_json_text(r, cJSON_GetObjectItem(cur, "consent_text"));
		if (!p->has_notice && cJSON_IsObject(cJSON_GetObjectItem(cur, "notice")))
			notice = req_json_text(r, cJSON_GetObjectItem(cur, "notice"));
		cJSON_Delete(cur);
	}
	return db_privacy_set(d, event_id, consent, notice, r->who.user_id);
}

/*
 * "organiser": the data controller, {name, address, email, website,
 * dpo_email} (name required), or null to clear.  Errors name the field as
 * "organiser.email" and so on.  0 absent, 1 given (*json NULL for null).
 */
static int
organiser_field(struct req *r, struct vld *v, const cJSON *j, const char **json)
{
	static const char *const keys[] = {"name", "address", "email", "website", "dpo_email", NULL};
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "organiser");
	struct vld sub = {NULL, 0};
	const char *s, *web;
	cJSON *clean;
	int bad;

	*json = NULL;
	if (o == NULL)
		return 0;
	if (cJSON_IsNull(o))
		return 1;
	if (!cJSON_IsObject(o)) {
		vld_fail(v, "organiser", "invalid");
		return 1;
	}
	sub.errors = cJSON_CreateObject();
	vld_only(&sub, o, keys);
	clean = cJSON_CreateObject();
	if ((s = vld_line(&sub, o, "name", 1, 200)) != NULL)
		cJSON_AddStringToObject(clean, "name", s);
	if ((s = vld_text(&sub, o, "address", 0, 500)) != NULL)
		cJSON_AddStringToObject(clean, "address", s);
	if ((s = vld_email(&sub, o, "email", 0)) != NULL)
		cJSON_AddStringToObject(clean, "email", s);
	if ((web = vld_line(&sub, o, "website", 0, 300)) != NULL) {
		if (strncmp(web, "https://", 8) != 0 && strncmp(web, "http://", 7) != 0)
			vld_fail(&sub, "website", "invalid");
		else
			cJSON_AddStringToObject(clean, "website", web);
	}
	if ((s = vld_email(&sub, o, "dpo_email", 0)) != NULL)
		cJSON_AddStringToObject(clean, "dpo_email", s);
	bad = sub.nerr;
	sub_errors(r, v, "organiser", &sub);
	if (bad == 0)
		*json = json_take(r, clean);
	else
		cJSON_Delete(clean);
	return 1;
}

/* The instance's organiser (CONFERO_ORGANISER_*) for a new event, or NULL. */
static const char *
organiser_default(struct req *r)
{
	cJSON *o;

	if (cfg->organiser_name[0] == '\0')
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", cfg->organiser_name);
	if (cfg->organiser_address[0])
		cJSON_AddStringToObject(o, "address", cfg->organiser_address);
	if (cfg->organiser_email[0])
		cJSON_AddStringToObject(o, "email", cfg->organiser_email);
	if (cfg->organiser_website[0])
		cJSON_AddStringToObject(o, "website", cfg->organiser_website);
	if (cfg->dpo_email[0])
		cJSON_AddStringToObject(o, "dpo_email", cfg->dpo_email);
	return json_take(r, o);
}

/* The event as its organisers see it: every language's texts too. */
static enum err
reply_event(struct req *r, int status, long long id, const char *tz)
{
	struct event_ref ev;
	struct db *d;
	cJSON *o;
	enum err e;

	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_event_ref_id(d, id, &ev)) != ERR_OK ||
	    (e = db_event_json(d, id, tz, &o)) != ERR_OK)
		return e;
	localise(r, &ev, o, 1);
	return reply_json(r, status, o);
}

enum err
api_events_create(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct trpatch *tp = req_trpatch(r);
	const char *langs[EVENT_LANGS_MAX], *langs_json = NULL;
	struct langset ls = {langs, 0};
	struct event_in in;
	struct privacy_in priv;
	int has_privacy;
	unsigned char pk[32], sealed[EVENTKEY_SEALED_LEN + 16];
	size_t sealed_len = sizeof(sealed);
	struct db *d;
	long long id;
	enum err e;

	memset(&in, 0, sizeof(in));
	if (tp == NULL)
		return ERR_INTERNAL;
	vld_only(&v, r->json, event_keys);
	in.slug = vld_line(&v, r->json, "slug", 1, 64);
	if (in.slug != NULL && !slug_valid(in.slug)) {
		vld_fail(&v, "slug", "invalid");
		in.slug = NULL;
	}
	/* Without "languages": the language the organiser works in. */
	if (event_languages(r, &v, r->json, langs, &ls.n, &langs_json) == 0) {
		langs[0] = req_lang(r, NULL, 0);
		ls.n = 1;
		langs_json = arena_printf(r->arena, "[\"%s\"]", langs[0]);
	}
	event_fields(&v, r->json, 0, &in, NULL, &ls, tp);
	if (organiser_field(r, &v, r->json, &in.organiser) == 0)
		in.organiser = organiser_default(r);
	has_privacy = privacy_field(r, &v, r->json, &ls, &priv);
	if (v.nerr)
		return ERR_INVALID;
	if (eventkey_generate(cfg->secret_key, pk, sealed, &sealed_len) != 0)
		return ERR_INTERNAL;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = db_event_insert(d, &in, pk, sealed, sealed_len, r->who.user_id, &id);
	sodium_memzero(sealed, sizeof(sealed));
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "slug_taken", "This slug is taken.");
	if (e != ERR_OK)
		return e;
	if ((e = db_event_member_add(d, id, r->who.user_id)) != ERR_OK && e != ERR_CONFLICT)
		return e;
	if ((e = db_event_set_languages(d, id, langs_json)) != ERR_OK ||
	    (e = tr_apply(d, TR_EVENT, id, id, tp)) != ERR_OK ||
	    (has_privacy && (e = privacy_save(r, d, id, &priv)) != ERR_OK))
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "event.create", "event", id, NULL);
	return reply_event(r, 201, id, in.timezone);
}

enum err
api_events_list(struct req *r)
{
	const char *scope = req_query(r, "scope");
	int staff = scope != NULL && strcmp(scope, "mine") == 0;
	struct db *d;
	enum err e;
	cJSON *o, *arr;

	if (staff && r->who.kind == PRINCIPAL_NONE)
		return ERR_UNAUTH;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "events");
	if ((e = db_event_list(d, staff, r->who.user_id,
	    r->who.role == ROLE_ADMIN && r->who.event_id == 0, arr)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	localise_events(r, arr, staff);
	if (staff && r->who.event_id > 0) {
		/* An event-scoped token sees only its event. */
		cJSON *it = arr->child, *next;
		for (; it != NULL; it = next) {
			next = it->next;
			if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id")) != r->who.event_id)
				cJSON_Delete(cJSON_DetachItemViaPointer(arr, it));
		}
	}
	return reply_json(r, 200, o);
}

/* Everything the event page shows; staff also see speakers' email. */
static enum err
event_doc(struct db *d, long long id, const char *tz, int staff, cJSON **out)
{
	enum err e;
	cJSON *o;

	if ((e = db_event_json(d, id, tz, &o)) != ERR_OK)
		return e;
	if ((e = db_session_list(d, id, tz, cJSON_AddArrayToObject(o, "sessions"))) != ERR_OK ||
	    (e = db_speaker_list(d, id, staff, cJSON_AddArrayToObject(o, "speakers"))) != ERR_OK ||
	    (e = db_ttype_list(d, id, tz, !staff, cJSON_AddArrayToObject(o, "ticket_types"))) != ERR_OK ||
	    (e = db_question_list(d, id, cJSON_AddArrayToObject(o, "questions"))) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}

/*
 * The public document is the same for every visitor, so it comes from
 * the document cache (doccache.h); staff get theirs fresh.  The key's
 * variant is where a negotiated language will go.
 */
static void
public_key(struct doc_key *k, long long id, const char *lang)
{
	memset(k, 0, sizeof(*k));
	k->id = id;
	snprintf(k->variant, sizeof(k->variant), "public/%s", lang);
}

/* What a public document is built from; r NULL: off any request. */
struct doc_src {
	struct req *r;
	long long id;
	char tz[65];
	const char *lang;               /* i18n_match: static */
	struct event_ref ev;            /* its languages */
};

/* The document in one language: texts picked, and which one it is. */
static void
doc_localise(cJSON *o, const char *lang, const struct event_ref *ev, int staff)
{
	struct langset ls = event_langset(ev);

	content_localise(o, lang, &ls, staff);
	cJSON_DeleteItemFromObject(o, "language");
	cJSON_AddStringToObject(o, "language", lang);
}

static enum err
public_build(void *arg, char **body, size_t *len)
{
	struct doc_src *s = arg;
	struct event_ref ev;
	struct db *d = NULL;
	cJSON *o = NULL;
	enum err e;

	if ((e = s->r != NULL ? req_db(s->r, &d) : db_acquire(&d, 5000)) != ERR_OK)
		return e;
	/*
	 * In the background the event's reference is read again too: the
	 * event thread needs it in the cache to serve the document, and it
	 * would expire as often as the document does.
	 */
	if (s->r == NULL) {
		if ((e = db_event_ref_id(d, s->id, &ev)) != ERR_OK)
			goto out;
		event_cache_put(&ev);
		snprintf(s->tz, sizeof(s->tz), "%s", ev.tz);
		s->ev = ev;
	}
	if ((e = event_doc(d, s->id, s->tz, 0, &o)) != ERR_OK)
		goto out;
	doc_localise(o, s->lang, &s->ev, 0);
	if ((*body = cJSON_PrintUnformatted(o)) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	*len = strlen(*body);
out:
	cJSON_Delete(o);
	if (s->r == NULL)
		db_release(d);
	return e;
}

/* A background rebuild: it lives until its job has run. */
struct doc_refresh {
	struct job job;
	struct doc_key key;
	struct doc_claim claim;
	struct doc_src src;
};

static void
refresh_run(void *arg)
{
	struct doc_refresh *f = arg;

	doccache_rebuild(&f->key, &f->claim, public_build, &f->src);
	free(f);
}

/* The document is getting old: a worker rebuilds it, nobody waits. */
static void
refresh_later(const struct doc_key *k, const struct doc_claim *c,
    const struct event_ref *ev, const char *lang)
{
	struct doc_refresh *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		doccache_abandon(k, c);
		return;
	}
	f->key = *k;
	f->claim = *c;
	f->src.id = ev->id;
	f->src.lang = lang;
	f->src.ev = *ev;
	snprintf(f->src.tz, sizeof(f->src.tz), "%s", ev->tz);
	http_defer(&f->job, refresh_run, f);
}

/*
 * Cache-Control: no-cache asks for a document built after the request
 * came (the event page after the server said sold_out); the requests of
 * that moment still share one build.
 */
static int
wants_fresh(struct req *r)
{
	const char *cc = req_header(r, "Cache-Control");

	return cc != NULL && strcasestr(cc, "no-cache") != NULL;
}

/* Takes doc: 200 with its body, or 304 when the client has it. */
static enum err
reply_doc(struct req *r, struct doc *doc)
{
	const char *inm, *body;
	size_t len;

	if (arena_defer(r->arena, doc_release, doc) != 0) {
		doc_release(doc);
		return ERR_INTERNAL;
	}
	resp_header(r, "ETag", doc_etag(doc));
	/* The language is chosen by these (i18n_negotiate). */
	resp_header(r, "Vary", "Accept-Language, Cookie");
	/* Anyone may keep it, but must ask again: availability moves. */
	resp_header(r, "Cache-Control", "no-cache");
	if ((inm = req_header(r, "If-None-Match")) != NULL &&
	    strstr(inm, doc_etag(doc)) != NULL)
		return reply_empty(r, 304);
	body = doc_body(doc, &len);
	return reply_data(r, 200, "application/json; charset=utf-8", body, len);
}

enum err
api_events_get(struct req *r)
{
	struct event_ref ev;
	struct doc_claim c;
	struct doc_key k;
	struct doc_src src;
	struct doc *doc;
	const char *lang;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK)
		return e;
	lang = req_lang(r, ev.langs, ev.nlangs);
	if (event_is_staff(r, &ev)) {
		if ((e = req_db(r, &d)) != ERR_OK ||
		    (e = event_doc(d, ev.id, ev.tz, 1, &o)) != ERR_OK)
			return e;
		doc_localise(o, lang, &ev, 1);
		return reply_json(r, 200, o);
	}
	public_key(&k, ev.id, lang);
	src.r = r;
	src.id = ev.id;
	src.lang = lang;
	src.ev = ev;
	snprintf(src.tz, sizeof(src.tz), "%s", ev.tz);
	if ((e = doccache_fetch(&k, wants_fresh(r) ? doccache_now() : 0,
	    public_build, &src, &doc, &c)) != ERR_OK)
		return e;
	if (c.seq != 0)
		refresh_later(&k, &c, &ev, lang);
	return reply_doc(r, doc);
}

/*
 * On the event thread: the public document when it is in memory.  Anything
 * else (staff, a fresh build, a caller or event not in the caches) goes
 * to a worker and api_events_get().
 */
enum err
api_events_get_lane(struct req *r)
{
	struct event_ref ev;
	struct doc_claim c;
	struct doc_key k;
	struct doc *doc;
	const char *lang;
	enum err e;

	if (wants_fresh(r))
		return req_needs_worker(r);
	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK || r->wouldblock)
		return e;
	if (event_is_staff(r, &ev) || r->wouldblock)
		return req_needs_worker(r);
	lang = req_lang(r, ev.langs, ev.nlangs);
	public_key(&k, ev.id, lang);
	if ((doc = doccache_peek(&k, &c)) == NULL)
		return req_needs_worker(r);
	if (c.seq != 0)
		refresh_later(&k, &c, &ev, lang);
	return reply_doc(r, doc);
}

enum err
api_events_update(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct trpatch *tp = req_trpatch(r);
	const char *langs[EVENT_LANGS_MAX], *langs_json = NULL;
	struct langset ls;
	struct event_in in;
	struct privacy_in priv;
	struct event_ref ev;
	struct db *d;
	enum err e;
	int nl, has_privacy;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (tp == NULL)
		return ERR_INTERNAL;
	memset(&in, 0, sizeof(in));
	vld_only(&v, r->json, event_keys);
	if (has_key(r->json, "slug"))
		vld_fail(&v, "slug", "immutable");
	/* Texts are checked against the languages the event will have. */
	ls = event_langset(&ev);
	if ((nl = event_languages(r, &v, r->json, langs, &ls.n, &langs_json)) == 1)
		ls.langs = langs;
	event_fields(&v, r->json, 1, &in, &ev, &ls, tp);
	if (organiser_field(r, &v, r->json, &in.organiser) == 1)
		in.has |= EF_ORGANISER;
	has_privacy = privacy_field(r, &v, r->json, &ls, &priv);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = db_event_update(d, ev.id, &in);
	if (e == ERR_OK && nl == 1)
		e = db_event_set_languages(d, ev.id, langs_json);
	if (e == ERR_OK)
		e = tr_apply(d, TR_EVENT, ev.id, ev.id, tp);
	if (e == ERR_OK && has_privacy)
		e = privacy_save(r, d, ev.id, &priv);
	changes_bump(d);
	if (e == ERR_CONFLICT) {
		vld_fail(&v, "capacity", "below_registrations");
		return req_fail(r, ERR_INVALID, "validation",
		    "The capacity is below the seats already taken.");
	}
	if (e != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "event.update", "event", ev.id, NULL);
	/* More seats: the waiting list goes first, in order. */
	if ((in.has & (EF_CAPACITY | EF_WAITLIST)) && (e = registration_promote(d, &ev)) != ERR_OK)
		return e;
	return reply_event(r, 200, ev.id, (in.has & EF_TIMEZONE) ? in.timezone : ev.tz);
}

static enum err
set_status(struct req *r, const char *status)
{
	struct event_ref ev;
	struct db *d;
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_event_set_status(d, ev.id, status)) != ERR_OK)
		return e;
	changes_bump(d);
	db_audit(d, actor_kind(r), actor_id(r),
	    strcmp(status, "published") == 0 ? "event.publish" : "event.close",
	    "event", ev.id, NULL);
	return reply_event(r, 200, ev.id, ev.tz);
}

enum err
api_events_publish(struct req *r)
{
	return set_status(r, "published");
}

enum err
api_events_close(struct req *r)
{
	return set_status(r, "closed");
}

enum err
api_events_members_add(struct req *r)
{
	static const char *const keys[] = {"user_id", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	struct user u;
	struct db *d;
	long long uid;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	uid = vld_int(&v, r->json, "user_id", 1, 1, 9007199254740991LL, 0, NULL);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_user_by_id(d, uid, &u)) == ERR_NOTFOUND || (e == ERR_OK && u.disabled)) {
		vld_fail(&v, "user_id", "not_found");
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	e = db_event_member_add(d, ev.id, uid);
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "already_member", "Already a member of this event.");
	if (e != ERR_OK)
		return e;
	db_audit(d, actor_kind(r), actor_id(r), "event.member_add", "event", ev.id,
	    arena_printf(r->arena, "{\"user_id\":%lld}", uid));
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "member", user_json(&u));
	return reply_json(r, 201, o);
}

enum err
api_events_members_list(struct req *r)
{
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	if ((e = db_event_members(d, ev.id, cJSON_AddArrayToObject(o, "members"))) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_events_checkin_key(struct req *r)
{
	struct event_ref ev;
	char b64[64], hex[65];
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_CHECKIN, &ev)) != ERR_OK)
		return e;
	sodium_bin2base64(b64, sizeof(b64), ev.pk, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2hex(hex, sizeof(hex), ev.pk, 32);
	o = cJSON_CreateObject();
	json_add_int(o, "event_id", ev.id);
	cJSON_AddStringToObject(o, "algorithm", "Ed25519");
	cJSON_AddStringToObject(o, "public_key", b64);
	cJSON_AddStringToObject(o, "public_key_hex", hex);
	cJSON_AddStringToObject(o, "code_format",
	    "base32(RFC 4648, upper case, no padding) of payload || signature; "
	    "payload = 0x01 | event_id (u32 BE) | ticket_id (u32 BE); "
	    "signature = Ed25519 detached over payload");
	return reply_json(r, 200, o);
}

/* The text of obj in lang, else the event's first language, else any. */
static const char *
text_in(const cJSON *obj, const char *lang, const struct event_ref *ev)
{
	const char *t;

	if (!cJSON_IsObject(obj))
		return NULL;
	if ((t = cJSON_GetStringValue(cJSON_GetObjectItem(obj, lang))) != NULL)
		return t;
	if ((t = cJSON_GetStringValue(cJSON_GetObjectItem(obj, ev->langs[0]))) != NULL)
		return t;
	return obj->child ? cJSON_GetStringValue(obj->child) : NULL;
}

/*
 * GET /api/v1/events/{slug}/privacy[?version=N]: the privacy notice and
 * consent wording (current, or the version a registration agreed to), in
 * the visitor's language, with the controller and the retention period.
 * Version 0: Confero's own wording (the pages' catalogs), no texts here.
 */
enum err
api_events_privacy(struct req *r)
{
	struct event_ref ev;
	const char *q = req_query(r, "version"), *lang;
	long long version = -1;
	struct db *d;
	cJSON *o, *evj, *texts;
	enum err e;

	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK)
		return e;
	if (q != NULL && *q != '\0') {
		char *end;

		version = strtoll(q, &end, 10);
		if (*end != '\0' || version < 0 || version > 1000000) {
			struct vld v = {req_fields(r), 0};

			vld_fail(&v, "version", "invalid");
			return ERR_INVALID;
		}
	}
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_privacy_get(d, ev.id, version, &o)) != ERR_OK)
		return e;
	if (version > 0 && cJSON_IsNull(cJSON_GetObjectItem(o, "version"))) {
		cJSON_Delete(o);
		return ERR_NOTFOUND;
	}
	if (cJSON_IsNull(cJSON_GetObjectItem(o, "version")))
		cJSON_ReplaceItemInObject(o, "version", cJSON_CreateNumber(0));
	lang = req_lang(r, ev.langs, ev.nlangs);
	cJSON_AddStringToObject(o, "language", lang);
	texts = cJSON_AddObjectToObject(o, "texts");
	cJSON_AddItemToObject(texts, "consent_text", cJSON_DetachItemFromObject(o, "consent_text"));
	cJSON_AddItemToObject(texts, "notice", cJSON_DetachItemFromObject(o, "notice"));
	{
		const char *c = text_in(cJSON_GetObjectItem(texts, "consent_text"), lang, &ev);
		const char *n = text_in(cJSON_GetObjectItem(texts, "notice"), lang, &ev);

		if (c != NULL)
			cJSON_AddStringToObject(o, "consent_text", c);
		else
			cJSON_AddNullToObject(o, "consent_text");
		if (n != NULL)
			cJSON_AddStringToObject(o, "notice", n);
		else
			cJSON_AddNullToObject(o, "notice");
	}
	if (db_event_json(d, ev.id, ev.tz, &evj) == ERR_OK) {
		cJSON_AddItemToObject(o, "organiser", cJSON_DetachItemFromObject(evj, "organiser"));
		cJSON_AddItemToObject(o, "retention_days", cJSON_DetachItemFromObject(evj, "retention_days"));
		cJSON_Delete(evj);
	}
	return reply_json(r, 200, o);
}
