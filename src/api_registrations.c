/*
 * Registration (public, no account), self-service through the secret
 * manage link, and the organisers' view: list, read, edit, approve,
 * reject, cancel, mark paid, re-issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <sodium.h>

#include "api.h"
#include "api_i18n.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "http.h"
#include "i18n.h"
#include "json.h"
#include "mail.h"
#include "ratelimit.h"
#include "registration.h"
#include "ticketcode.h"
#include "validate.h"

/* ISO 3166-1 alpha-2. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL "
    "BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV "
    "CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD "
    "GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM "
    "IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK "
    "LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW "
    "MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR "
    "PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS "
    "ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY "
    "UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK";

int
country_valid(const char *s)
{
	const char *p;

	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return 0;
	for (p = countries; (p = strstr(p, s)) != NULL; p++)
		if ((p == countries || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0'))
			return 1;
	return 0;
}

static int
in_options(const cJSON *opts, const char *s)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, opts)
		if (cJSON_IsString(o) && strcmp(o->valuestring, s) == 0)
			return 1;
	return 0;
}

/*
 * The option s names: itself when it is one of the default language's
 * options, else the default option at the same place in a translated list
 * (a form shown in Slovenian sends the Slovenian words).  NULL: none.
 * Answers are stored in the default language, so exports and counts
 * agree whatever language people registered in.
 */
static const char *
canonical_option(const cJSON *q, const char *s)
{
	const cJSON *opts = cJSON_GetObjectItem(q, "options"), *lists, *l, *x;
	int i;

	if (in_options(opts, s))
		return s;
	lists = cJSON_GetObjectItem(cJSON_GetObjectItem(q, "tr"), "options");
	cJSON_ArrayForEach(l, lists) {
		i = 0;
		cJSON_ArrayForEach(x, l) {
			if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0 &&
			    cJSON_IsString(cJSON_GetArrayItem(opts, i)))
				return cJSON_GetArrayItem(opts, i)->valuestring;
			i++;
		}
	}
	return NULL;
}

/*
 * Check answers against the event's questions; returns the answers as JSON
 * text (arena) holding only known questions, or NULL after field errors
 * named "answers.<id>".
 */
static const char *
check_answers(struct req *r, struct vld *v, const cJSON *given,
    const cJSON *questions, int partial)
{
	const cJSON *q, *a, *it;
	cJSON *clean = cJSON_CreateObject();
	char key[40], field[64], *txt;
	const char *res;
	int before = v->nerr;

	if (given != NULL && !cJSON_IsNull(given) && !cJSON_IsObject(given)) {
		vld_fail(v, "answers", "not_an_object");
		cJSON_Delete(clean);
		return NULL;
	}
	/* Every answer must be to one of this event's questions. */
	cJSON_ArrayForEach(a, given) {
		int known = 0;
		cJSON_ArrayForEach(q, questions) {
			snprintf(key, sizeof(key), "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(q, "id")));
			if (a->string != NULL && strcmp(a->string, key) == 0)
				known = 1;
		}
		if (!known) {
			snprintf(field, sizeof(field), "answers.%.30s", a->string ? a->string : "?");
			vld_fail(v, field, "unknown_question");
		}
	}
	cJSON_ArrayForEach(q, questions) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(q, "kind"));
		int required = cJSON_IsTrue(cJSON_GetObjectItem(q, "required"));

		snprintf(key, sizeof(key), "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(q, "id")));
		snprintf(field, sizeof(field), "answers.%s", key);
		a = given ? cJSON_GetObjectItemCaseSensitive(given, key) : NULL;
		if (a == NULL || cJSON_IsNull(a) ||
		    (cJSON_IsString(a) && a->valuestring[strspn(a->valuestring, " \t\r\n")] == '\0') ||
		    (cJSON_IsArray(a) && cJSON_GetArraySize(a) == 0)) {
			if (required && !partial)
				vld_fail(v, field, "required");
			continue;
		}
		if (kind == NULL)
			continue;
		if (strcmp(kind, "text") == 0 || strcmp(kind, "textarea") == 0) {
			int block = kind[4] == 'a';
			if (!cJSON_IsString(a) || !(block ? text_block_valid(a->valuestring) :
			    text_line_valid(a->valuestring)))
				vld_fail(v, field, "invalid");
			else if (utf8_len(a->valuestring) > (block ? 10000u : 1000u))
				vld_fail(v, field, "too_long");
			else
				cJSON_AddStringToObject(clean, key, a->valuestring);
		} else if (strcmp(kind, "choice") == 0) {
			const char *c = cJSON_IsString(a) ? canonical_option(q, a->valuestring) : NULL;

			if (c == NULL)
				vld_fail(v, field, "not_an_option");
			else
				cJSON_AddStringToObject(clean, key, c);
		} else if (strcmp(kind, "multichoice") == 0) {
			cJSON *arr = cJSON_CreateArray();
			int bad = !cJSON_IsArray(a);
			cJSON_ArrayForEach(it, (bad ? NULL : a)) {
				const char *c = cJSON_IsString(it) ? canonical_option(q, it->valuestring) : NULL;

				if (c == NULL)
					bad = 1;
				else if (!in_options(arr, c))
					cJSON_AddItemToArray(arr, cJSON_CreateString(c));
			}
			if (bad) {
				vld_fail(v, field, "not_an_option");
				cJSON_Delete(arr);
			} else
				cJSON_AddItemToObject(clean, key, arr);
		} else if (strcmp(kind, "checkbox") == 0) {
			if (!cJSON_IsBool(a))
				vld_fail(v, field, "not_a_boolean");
			else if (required && !cJSON_IsTrue(a) && !partial)
				vld_fail(v, field, "required");
			else
				cJSON_AddBoolToObject(clean, key, cJSON_IsTrue(a));
		} else if (strcmp(kind, "country") == 0) {
			if (!cJSON_IsString(a) || !country_valid(a->valuestring))
				vld_fail(v, field, "unknown_country");
			else
				cJSON_AddStringToObject(clean, key, a->valuestring);
		}
	}
	if (v->nerr != before) {
		cJSON_Delete(clean);
		return NULL;
	}
	txt = cJSON_PrintUnformatted(clean);
	cJSON_Delete(clean);
	res = arena_strdup(r->arena, txt);
	free(txt);
	return res;
}

static void
add_ticket(struct req *r, cJSON *o, const char *code)
{
	cJSON *t;

	if (code == NULL || code[0] == '\0') {
		cJSON_AddNullToObject(o, "ticket");
		return;
	}
	t = cJSON_AddObjectToObject(o, "ticket");
	cJSON_AddStringToObject(t, "code", code);
	cJSON_AddStringToObject(t, "qr_png_url",
	    arena_printf(r->arena, "%s/t/%s.png", cfg->base_url, code));
	cJSON_AddStringToObject(t, "qr_svg_url",
	    arena_printf(r->arena, "%s/t/%s.svg", cfg->base_url, code));
}

/* The registration's JSON with its ticket object instead of the bare code. */
static enum err
reg_view(struct req *r, const struct event_ref *ev, long long id, cJSON **out)
{
	struct db *d;
	enum err e;
	cJSON *o, *code;

	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_reg_json(d, ev->id, id, ev->tz, &o)) != ERR_OK)
		return e;
	code = cJSON_DetachItemFromObject(o, "ticket_code");
	add_ticket(r, o, cJSON_IsString(code) ? code->valuestring : NULL);
	cJSON_Delete(code);
	*out = o;
	return ERR_OK;
}

static int
window_open(const struct event_ref *ev, time_t now)
{
	if (strcmp(ev->status, "published") != 0)
		return 0;
	if (ev->reg_opens > 0 && now < ev->reg_opens)
		return 0;
	if (ev->reg_closes > 0)
		return now < ev->reg_closes;
	return now < ev->ends_at;
}

/* The event's questions, from the cache when they fit in it. */
static enum err
question_rules(struct db *d, long long event_id, cJSON **out)
{
	char buf[1200];
	enum err e;
	char *txt;

	if (cache_get(CACHE_QUESTIONS, &event_id, sizeof(event_id), buf, sizeof(buf)) &&
	    (*out = cJSON_Parse(buf)) != NULL)
		return ERR_OK;
	*out = cJSON_CreateArray();
	if ((e = db_question_rules(d, event_id, *out)) != ERR_OK) {
		cJSON_Delete(*out);
		*out = NULL;
		return e;
	}
	if ((txt = cJSON_PrintUnformatted(*out)) != NULL && strlen(txt) < sizeof(buf)) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, txt, strlen(txt));
		cache_put(CACHE_QUESTIONS, &event_id, sizeof(event_id), buf, sizeof(buf), 1000);
	}
	free(txt);
	return ERR_OK;
}

static const char *const reg_keys[] = {"ticket_type_id", "name", "email",
	"organisation", "answers", "session_ids", "consent", "consent_version", "language", NULL};

/*
 * The "language" of a body: one of the event's languages (422 otherwise).
 * Absent: def (NULL for "keep").
 */
static const char *
body_language(struct req *r, struct vld *v, const struct event_ref *ev,
    const char *def)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(r->json, "language");
	const char *m;
	size_t i;

	if (j == NULL || cJSON_IsNull(j))
		return def;
	if (!cJSON_IsString(j) || (m = i18n_match(j->valuestring, -1)) == NULL) {
		vld_fail(v, "language", "unsupported");
		return NULL;
	}
	for (i = 0; i < ev->nlangs; i++)
		if (ev->langs[i] == m)
			return m;
	vld_fail(v, "language", "not_an_event_language");
	return NULL;
}

/* Sessions must be in the event and included in the ticket type. */
static int
check_sessions(struct req *r, struct vld *v, struct db *d, long long event_id,
    long long ttype_id, const long long *ids, int n, enum err *e)
{
	int i, exists, signup, included;

	*e = ERR_OK;
	for (i = 0; i < n; i++) {
		if ((*e = db_session_rules(d, event_id, ttype_id, ids[i], &exists,
		    &signup, &included)) != ERR_OK)
			return -1;
		if (!exists) {
			vld_fail(v, "session_ids", "unknown_session");
			return -1;
		}
		if (!included) {
			vld_fail(v, "session_ids", "not_included");
			return -1;
		}
	}
	(void)r;
	return 0;
}

/* 422 naming the session that filled up meanwhile, so a page can point at it. */
static enum err
session_full(struct req *r, struct vld *v, long long session_id)
{
	vld_fail(v, "session_ids", "session_full");
	cJSON_AddNumberToObject(req_fields(r), "full_session_id", (double)session_id);
	return req_fail(r, ERR_INVALID, "validation", "A session you chose is full.");
}

/* 1-64 printable ASCII characters (RFC draft "The Idempotency-Key HTTP Header Field"). */
static int
idem_key_valid(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || (unsigned char)k[i] > 0x7e)
			return 0;
	return 1;
}

static enum err
refusal(struct req *r, struct vld *v, int outcome, long long session)
{
	if (outcome == REG_DUPLICATE)
		return req_fail(r, ERR_CONFLICT, "already_registered",
		    "This email address is already registered for this event.");
	if (outcome == REG_SOLD_OUT)
		return req_fail(r, ERR_CONFLICT, "sold_out", "No seats are left.");
	return session_full(r, v, session);
}

static enum err
created_reply(struct req *r, long long id, const char *status, const char *code,
    const char *secret)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", id);
	cJSON_AddStringToObject(o, "status", status);
	add_ticket(r, o, code);
	cJSON_AddStringToObject(o, "manage_url",
	    arena_printf(r->arena, "%s/manage/%s", cfg->base_url, secret));
	return reply_json(r, 201, o);
}

/* The first answer to this key, again; or 422 when the body differs. */
static enum err
idem_replay(struct req *r, struct vld *v, struct db *d, long long event_id,
    const unsigned char key[32], const unsigned char body[32])
{
	struct idem_row k;
	char secret[AUTH_SECRET_MAX];
	enum err e;

	if ((e = db_idem_get(d, event_id, key, &k)) == ERR_NOTFOUND)
		return ERR_RETRY;       /* its first request was rolled back meanwhile */
	if (e != ERR_OK)
		return e;
	if (sodium_memcmp(k.body_hash, body, 32) != 0) {
		vld_fail(v, "Idempotency-Key", "idempotency_mismatch");
		return req_fail(r, ERR_INVALID, "idempotency_mismatch",
		    "This Idempotency-Key was already used with a different request.");
	}
	if (k.outcome != 0)
		return refusal(r, v, k.outcome, k.session_id);
	if (k.sealed_len == 0 || manage_open(k.sealed, k.sealed_len, secret, sizeof(secret)) != 0)
		return ERR_NOTFOUND;    /* the registration was erased since */
	resp_header(r, "Idempotent-Replayed", "true");
	e = created_reply(r, k.reg_id, k.reg_status, k.code, secret);
	sodium_memzero(secret, sizeof(secret));
	return e;
}

static void
idem_purge_now_and_then(struct db *d, time_t now)
{
	static time_t last;
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int due;

	pthread_mutex_lock(&m);
	due = now - last >= 3600;
	if (due)
		last = now;
	pthread_mutex_unlock(&m);
	if (due)
		db_idem_purge(d);
}

enum err
api_register(struct req *r)
{
	struct vld v = {req_fields(r), 0};
	struct reg_request rq;
	struct event_ref ev;
	struct ttype_rules tt;
	char secret[AUTH_SECRET_MAX];
	const cJSON *consent;
	cJSON *questions;
	struct db *d;
	time_t now = time(NULL);
	const char *ikey;
	unsigned char ikey_hash[32], body_hash[32];
	int outcome, cons;
	long long shown;
	enum err e;

	memset(&rq, 0, sizeof(rq));
	if ((e = event_load(r, ROLE_NONE, &ev)) != ERR_OK)
		return e;
	if (!window_open(&ev, now))
		return req_fail(r, ERR_FORBIDDEN, "registration_closed",
		    "Registration for this event is not open.");
	ikey = req_header(r, "Idempotency-Key");
	if (ikey != NULL && !idem_key_valid(ikey))
		vld_fail(&v, "Idempotency-Key", "invalid");
	if (!ratelimit_hit("register", r->client_addr, cfg->register_max_addr,
	    cfg->register_window, (long long)now, &r->retry_after))
		return req_fail(r, ERR_RATELIMIT, "rate_limited",
		    "Too many registrations from your network; try again later.");
	vld_only(&v, r->json, reg_keys);
	rq.ttype_id = vld_int(&v, r->json, "ticket_type_id", 1, 1, 9007199254740991LL, 0, NULL);
	rq.name = vld_line(&v, r->json, "name", 1, 200);
	rq.email = vld_email(&v, r->json, "email", 1);
	rq.organisation = vld_line(&v, r->json, "organisation", 0, 200);
	consent = cJSON_GetObjectItemCaseSensitive(r->json, "consent");
	cons = vld_bool(&v, r->json, "consent", 1, 0);
	if (cons == 0 && cJSON_IsBool(consent))
		vld_fail(&v, "consent", "required");
	shown = vld_int(&v, r->json, "consent_version", 0, 0, 1000000, -1, NULL);
	rq.nsessions = vld_ids(&v, r->json, "session_ids", r, &rq.sessions);
	/* The page's language unless the form says which (it does). */
	rq.language = body_language(r, &v, &ev, req_lang(r, ev.langs, ev.nlangs));
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	/* The form says which wording it showed: consent to another is none. */
	if (shown >= 0 && v.nerr == 0 && shown != ev.privacy_version)
		return req_fail(r, ERR_CONFLICT, "consent_changed",
		    "The consent wording has changed since this page was loaded. Please read it again.");
	rq.consent_version = ev.privacy_version;
	if (rq.ttype_id > 0) {
		long long key[2] = {ev.id, rq.ttype_id};
		if (cache_get(CACHE_TTYPE, key, sizeof(key), &tt, sizeof(tt)))
			e = ERR_OK;
		else if ((e = db_ttype_rules(d, ev.id, rq.ttype_id, &tt)) == ERR_OK)
			cache_put(CACHE_TTYPE, key, sizeof(key), &tt, sizeof(tt), 1000);
		if (e == ERR_NOTFOUND) {
			vld_fail(&v, "ticket_type_id", "not_found");
			rq.ttype_id = 0;
		} else if (e != ERR_OK)
			return e;
		else if ((tt.sale_starts > 0 && now < tt.sale_starts) ||
		    (tt.sale_ends > 0 && now >= tt.sale_ends)) {
			vld_fail(&v, "ticket_type_id", "not_on_sale");
			rq.ttype_id = 0;
		}
	}
	if ((e = question_rules(d, ev.id, &questions)) != ERR_OK)
		return e;
	rq.answers = check_answers(r, &v, cJSON_GetObjectItemCaseSensitive(r->json, "answers"),
	    questions, 0);
	cJSON_Delete(questions);
	if (rq.ttype_id > 0 && rq.nsessions > 0 &&
	    check_sessions(r, &v, d, ev.id, rq.ttype_id, rq.sessions, rq.nsessions, &e) != 0 &&
	    e != ERR_OK)
		return e;
	if (v.nerr)
		return ERR_INVALID;

	rq.event_id = ev.id;
	rq.email_lc = lower_dup(r, rq.email);
	if (rq.organisation == NULL)
		rq.organisation = "";
	auth_new_secret("", secret);
	auth_secret_hash(secret, rq.manage_hash);
	if (manage_seal(secret, rq.manage_sealed, sizeof(rq.manage_sealed),
	    &rq.manage_sealed_len) != 0)
		rq.manage_sealed_len = 0;
	if (ikey != NULL) {
		char *canon = cJSON_PrintUnformatted(r->json);
		if (canon == NULL)
			return ERR_INTERNAL;
		crypto_generichash(ikey_hash, 32, (const unsigned char *)ikey, strlen(ikey), NULL, 0);
		crypto_generichash(body_hash, 32, (const unsigned char *)canon, strlen(canon), NULL, 0);
		free(canon);
		rq.idem_key = ikey_hash;
		rq.idem_body = body_hash;
		idem_purge_now_and_then(d, now);
	}
	e = registration_create(d, &ev, &tt, &rq, &outcome);
	if (rq.idem_kept && e == ERR_OK) {
		sodium_memzero(secret, sizeof(secret));
		return refusal(r, &v, outcome, 0);
	}
	if (outcome != 0 && rq.idem_key != NULL) {
		/* A refusal is an answer too: kept, unless the key was taken meanwhile. */
		sodium_memzero(secret, sizeof(secret));
		if (outcome != REG_REPLAY) {
			e = db_idem_insert(d, ev.id, ikey_hash, body_hash, outcome, 0, NULL, 0,
			    rq.full_session);
			/* Kept as this key's first answer (or not kept at all). */
			if (e != ERR_CONFLICT)
				return refusal(r, &v, outcome, rq.full_session);
		}
		return idem_replay(r, &v, d, ev.id, ikey_hash, body_hash);
	}
	if (outcome != 0)
		return refusal(r, &v, outcome, rq.full_session);
	if (e != ERR_OK)
		return e;
	e = created_reply(r, rq.id, rq.status, rq.code, secret);
	sodium_memzero(secret, sizeof(secret));
	return e;
}

/* ---- self-service through the manage link ---- */

enum err
manage_load(struct req *r, struct event_ref *ev, long long *id)
{
	const char *tok = req_param(r, "token");
	unsigned char h[32];
	long long eid;
	struct db *d;
	enum err e;

	if (tok == NULL || strlen(tok) < 40 || strlen(tok) > 60)
		return ERR_NOTFOUND;
	auth_secret_hash(tok, h);
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_reg_by_manage(d, h, id, &eid)) != ERR_OK)
		return e;
	return db_event_ref_id(d, eid, ev);
}

/*
 * The ticket page speaks the registration's language (its switcher changes
 * it, and with it every later mail); ?lang= shows another for a moment.
 */
static void
add_event_summary(cJSON *o, const struct event_ref *ev, struct req *r)
{
	struct langset ls = event_langset(ev);
	const char *q = req_query(r, "lang"), *lang;
	struct db *d;
	cJSON *evj;

	if (req_db(r, &d) != ERR_OK || db_event_json(d, ev->id, ev->tz, &evj) != ERR_OK)
		return;
	cJSON_DeleteItemFromObject(evj, "seats_taken");
	lang = i18n_negotiate(q, cJSON_GetStringValue(cJSON_GetObjectItem(o, "language")),
	    NULL, ev->langs, ev->nlangs);
	content_localise(evj, lang, &ls, 0);
	cJSON_DeleteItemFromObject(o, "page_language");
	cJSON_AddStringToObject(o, "page_language", lang);
	cJSON_AddItemToObject(o, "event", evj);
}

enum err
api_manage_get(struct req *r)
{
	struct event_ref ev;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = manage_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	add_event_summary(o, &ev, r);
	return reply_json(r, 200, o);
}

/*
 * GET /manage/{token}/data: everything Confero holds about this
 * registration (GDPR Art. 15), as one JSON document; ?download=1 as a file.
 */
enum err
api_manage_data(struct req *r)
{
	struct audit_filter f;
	struct event_ref ev;
	const char *dl = req_query(r, "download");
	long long id, total = 0;
	struct db *d;
	enum err e;
	cJSON *o, *reg, *evj;

	if ((e = manage_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &reg)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "registration", reg);
	evj = cJSON_AddObjectToObject(o, "event");
	cJSON_AddStringToObject(evj, "slug", ev.slug);
	cJSON_AddStringToObject(evj, "name", ev.name);
	memset(&f, 0, sizeof(f));
	f.registration_id = id;
	f.limit = 10000;
	if ((e = db_subject_access(d, id, ev.tz, o)) != ERR_OK ||
	    (e = db_audit_list(d, &f, ev.tz, cJSON_AddArrayToObject(o, "audit"), &total)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	if (dl != NULL && strcmp(dl, "1") == 0)
		resp_header(r, "Content-Disposition", arena_printf(r->arena,
		    "attachment; filename=\"confero-%s-registration-%lld.json\"", ev.slug, id));
	return reply_json(r, 200, o);
}

enum err
api_manage_update(struct req *r)
{
	static const char *const keys[] = {"session_ids", "language", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	long long id, *ids = NULL, full = 0;
	const char *lang;
	struct db *d;
	int n = 0;
	enum err e;
	cJSON *o, *cur;

	if ((e = manage_load(r, &ev, &id)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	if (!has_key(r->json, "session_ids") && !has_key(r->json, "language"))
		vld_fail(&v, "session_ids", "required");
	if (has_key(r->json, "session_ids"))
		n = vld_ids(&v, r->json, "session_ids", r, &ids);
	lang = body_language(r, &v, &ev, NULL);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (has_key(r->json, "session_ids")) {
		if ((e = db_reg_json(d, ev.id, id, NULL, &cur)) != ERR_OK)
			return e;
		long long ttype = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(cur, "ticket_type_id"));
		cJSON_Delete(cur);
		if (n > 0 && check_sessions(r, &v, d, ev.id, ttype, ids, n, &e) != 0)
			return e != ERR_OK ? e : ERR_INVALID;
		e = registration_set_sessions(d, &ev, id, ids, n, "attendee", id, &full);
		if (e == ERR_CONFLICT && full > 0)
			return session_full(r, &v, full);
		if (e == ERR_CONFLICT)
			return req_fail(r, ERR_CONFLICT, "cancelled", "This registration is cancelled.");
		if (e != ERR_OK)
			return e;
	}
	/* Every later mail, the badge and the certificate follow it. */
	if (lang != NULL && (e = db_reg_set_language(d, ev.id, id, lang)) != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_manage_cancel(struct req *r)
{
	struct event_ref ev;
	long long id;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = manage_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = registration_cancel(d, &ev, id, "attendee", id, 0);
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "already_cancelled",
		    "This registration is already cancelled.");
	if (e != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

/*
 * POST /manage/{token}/erase: without a body, mail a confirmation link
 * (202, also when one went out in the last two minutes: no new mail);
 * with {"confirm": token from that link}, erase now (200).
 */
enum err
api_manage_erase(struct req *r)
{
	static const char *const keys[] = {"confirm", NULL};
	struct vld v = {req_fields(r), 0};
	unsigned char nonce[16];
	char want[AUTH_SECRET_MAX];
	struct event_ref ev;
	const char *tok;
	long long id;
	struct db *d;
	int fresh;
	enum err e;
	cJSON *o;

	if ((e = manage_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (r->json == NULL) {
		randombytes_buf(nonce, sizeof(nonce));
		if ((e = db_erase_request(d, id, nonce, &fresh)) != ERR_OK)
			return e;
		if (fresh) {
			if ((e = outbox_enqueue_reg(d, id, "erase_confirm")) != ERR_OK)
				return e;
			db_audit(d, "attendee", id, "registration.erase_request", "registration", id, NULL);
			mail_wake();
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "confirmation_sent");
		return reply_json(r, 202, o);
	}
	vld_only(&v, r->json, keys);
	tok = vld_line(&v, r->json, "confirm", 1, 100);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = db_erase_nonce(d, id, nonce)) == ERR_NOTFOUND)
		return req_fail(r, ERR_INVALID, "confirmation_expired",
		    "This confirmation link has expired or was replaced. Ask for a new one on your ticket page.");
	if (e != ERR_OK)
		return e;
	auth_erase_token(id, nonce, want);
	if (!auth_streq(want, tok))
		return req_fail(r, ERR_INVALID, "confirmation_invalid",
		    "This confirmation link is not valid. Use the link from the most recent email.");
	sodium_memzero(want, sizeof(want));
	if ((e = registration_erase(d, &ev, id, "attendee", id, 1)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "erased");
	return reply_json(r, 200, o);
}

/* ---- organisers ---- */

static enum err
org_load(struct req *r, struct event_ref *ev, long long *id)
{
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, ev)) != ERR_OK)
		return e;
	*id = parse_id(req_param(r, "id"));
	return *id > 0 ? ERR_OK : ERR_NOTFOUND;
}

static const char *const statuses[] = {"confirmed", "waitlisted", "pending_approval",
	"pending_payment", "cancelled", "rejected", NULL};

/*
 * The registration filters of the query string (status, ticket_type,
 * checked_in, q), shared by the list and the exports.
 */
enum err
reg_filter_query(struct req *r, struct reg_filter *f)
{
	const char *s;
	enum err e;

	memset(f, 0, sizeof(*f));
	f->checked_in = -1;
	if ((e = query_enum(r, "status", statuses, &f->status)) != ERR_OK)
		return e;
	if ((s = req_query(r, "ticket_type")) != NULL && *s != '\0' &&
	    (f->ttype_id = parse_id(s)) == 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, "ticket_type", "invalid");
		return ERR_INVALID;
	}
	if ((s = req_query(r, "checked_in")) != NULL && *s != '\0')
		f->checked_in = strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
	if ((s = req_query(r, "q")) != NULL && *s != '\0') {
		char *p;
		if (strlen(s) > 200 || !text_line_valid(s)) {
			vld_fail(&(struct vld){req_fields(r), 0}, "q", "invalid");
			return ERR_INVALID;
		}
		p = arena_alloc(r->arena, 2 * strlen(s) + 3);
		like_pattern("%", s, p);
		f->q = p;
	}
	return ERR_OK;
}

enum err
api_registrations_list(struct req *r)
{
	struct reg_filter f;
	struct event_ref ev;
	const char *s;
	struct db *d;
	long long total, page = 1, per = 50;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = reg_filter_query(r, &f)) != ERR_OK)
		return e;
	if ((s = req_query(r, "page")) != NULL && (page = parse_id(s)) == 0)
		page = 1;
	if ((s = req_query(r, "per_page")) != NULL && (per = parse_id(s)) == 0)
		per = 50;
	if (per > 500)
		per = 500;
	if (page > 1000000)
		page = 1000000;
	f.limit = per;
	f.offset = (page - 1) * per;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	if ((e = db_reg_list(d, ev.id, &f, ev.tz, cJSON_AddArrayToObject(o, "registrations"),
	    &total)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	json_add_int(o, "total", total);
	json_add_int(o, "page", page);
	json_add_int(o, "per_page", per);
	return reply_json(r, 200, o);
}

enum err
api_registrations_get(struct req *r)
{
	struct event_ref ev;
	long long id;
	enum err e;
	cJSON *o;

	if ((e = org_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_registrations_update(struct req *r)
{
	static const char *const keys[] = {"name", "email", "organisation", "answers",
		"session_ids", NULL};
	struct vld v = {req_fields(r), 0};
	struct event_ref ev;
	const char *name, *email, *org, *answers = NULL;
	long long id, *ids = NULL, full = 0;
	struct db *d;
	int n = -1;
	enum err e;
	cJSON *o, *cur, *questions;

	if ((e = org_load(r, &ev, &id)) != ERR_OK)
		return e;
	vld_only(&v, r->json, keys);
	name = vld_line(&v, r->json, "name", has_key(r->json, "name"), 200);
	email = vld_email(&v, r->json, "email", has_key(r->json, "email"));
	org = vld_line(&v, r->json, "organisation", 0, 200);
	if (org == NULL && has_key(r->json, "organisation") && !v.nerr)
		org = "";
	if (has_key(r->json, "session_ids"))
		n = vld_ids(&v, r->json, "session_ids", r, &ids);
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_reg_json(d, ev.id, id, NULL, &cur)) != ERR_OK)
		return e;
	long long ttype = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(cur, "ticket_type_id"));
	cJSON_Delete(cur);
	if (has_key(r->json, "answers")) {
		questions = cJSON_CreateArray();
		if ((e = db_question_rules(d, ev.id, questions)) != ERR_OK) {
			cJSON_Delete(questions);
			return e;
		}
		answers = check_answers(r, &v, cJSON_GetObjectItemCaseSensitive(r->json, "answers"),
		    questions, 0);
		cJSON_Delete(questions);
	}
	if (n > 0 && check_sessions(r, &v, d, ev.id, ttype, ids, n, &e) != 0 && e != ERR_OK)
		return e;
	if (v.nerr)
		return ERR_INVALID;
	e = db_reg_update(d, ev.id, id, name, org, answers, email);
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "already_registered",
		    "Another registration of this event uses that email address.");
	if (e != ERR_OK)
		return e;
	if (n >= 0) {
		e = registration_set_sessions(d, &ev, id, ids, n, actor_kind(r), actor_id(r), &full);
		if (e == ERR_CONFLICT && full > 0)
			return session_full(r, &v, full);
		if (e != ERR_OK && e != ERR_CONFLICT)
			return e;
	}
	db_audit(d, actor_kind(r), actor_id(r), "registration.update", "registration", id,
	    arena_printf(r->arena, "{\"name\":%s,\"email\":%s,\"organisation\":%s,\"answers\":%s}",
	    name ? "true" : "false", email ? "true" : "false", org ? "true" : "false",
	    answers ? "true" : "false"));
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

static enum err
transition(struct req *r, int what)
{
	struct event_ref ev;
	long long id;
	struct db *d;
	int outcome = 0;
	enum err e;
	cJSON *o;

	if ((e = org_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	switch (what) {
	case 0:
		e = registration_approve(d, &ev, id, actor_kind(r), actor_id(r), &outcome);
		break;
	case 1:
		e = registration_cancel(d, &ev, id, actor_kind(r), actor_id(r), 1);
		break;
	case 2:
		e = registration_cancel(d, &ev, id, actor_kind(r), actor_id(r), 0);
		break;
	case 3:
		e = registration_mark_paid(d, &ev, id, actor_kind(r), actor_id(r));
		break;
	default:
		e = registration_reissue(d, &ev, id, actor_kind(r), actor_id(r));
		break;
	}
	if (outcome == REG_SOLD_OUT)
		return req_fail(r, ERR_CONFLICT, "sold_out", "No seats are left.");
	if (e == ERR_CONFLICT)
		return req_fail(r, ERR_CONFLICT, "wrong_status",
		    "The registration's status does not allow this.");
	if (e != ERR_OK)
		return e;
	if ((e = reg_view(r, &ev, id, &o)) != ERR_OK)
		return e;
	return reply_json(r, 200, o);
}

enum err
api_registrations_approve(struct req *r)
{
	return transition(r, 0);
}

enum err
api_registrations_reject(struct req *r)
{
	return transition(r, 1);
}

enum err
api_registrations_cancel(struct req *r)
{
	return transition(r, 2);
}

/* POST .../registrations/{id}/erase: the person's data, gone for good. */
enum err
api_registrations_erase(struct req *r)
{
	struct event_ref ev;
	long long id;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = org_load(r, &ev, &id)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = registration_erase(d, &ev, id, actor_kind(r), actor_id(r), 0)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	json_add_int(o, "id", id);
	cJSON_AddStringToObject(o, "status", "erased");
	return reply_json(r, 200, o);
}

enum err
api_registrations_mark_paid(struct req *r)
{
	return transition(r, 3);
}

enum err
api_registrations_reissue(struct req *r)
{
	return transition(r, 4);
}
