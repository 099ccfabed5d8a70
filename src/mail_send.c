/*
 * The senders: threads that claim due outbox rows (FOR UPDATE SKIP LOCKED,
 * with a lease), render them from the templates with the data as it is
 * now, build the MIME message and deliver a batch per SMTP session with
 * libesmtp.  Temporary failures (no connection, timeouts, 4xx) come back
 * after the CONFERO_MAIL_BACKOFF delays; 5xx fails at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <auth-client.h>
#include <idn2.h>
#include <libesmtp.h>
#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "content.h"
#include "event.h"
#include "i18n.h"
#include "ics.h"
#include "log.h"
#include "mail.h"
#include "match.h"
#include "mime.h"
#include "qr.h"
#include "registration.h"
#include "template.h"
#include "timeutil.h"

#define BATCH 20

static struct tpl_set *templates;
static pthread_t threads[16];
static int nthreads;
static volatile int running;
static pthread_mutex_t wake_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;
static unsigned long wakeups;

int
mail_init(char *err, size_t errlen)
{
	char *a;

	/* Every message would fail on a From the MIME builder refuses. */
	if ((a = mime_address(cfg->smtp_from_name[0] ? cfg->smtp_from_name : NULL,
	    cfg->smtp_from_addr, 6)) == NULL) {
		snprintf(err, errlen, "CONFERO_SMTP_FROM: \"%s\" is not a usable sender address",
		    cfg->smtp_from_addr);
		return -1;
	}
	free(a);
	if (tpl_load(cfg->mail_templates, &templates, err, errlen) != 0)
		return -1;
	auth_client_init();
	return 0;
}

void
mail_free(void)
{
	if (templates != NULL)
		tpl_free(templates);
	templates = NULL;
	auth_client_exit();
}

void
mail_wake(void)
{
	pthread_mutex_lock(&wake_mtx);
	wakeups++;
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mtx);
}

/* ---- the manage link's secret, sealed under the server key ---- */

static void
seal_key(unsigned char key[crypto_secretbox_KEYBYTES])
{
	static const char ctx[] = "confero manage link v1";

	crypto_generichash(key, crypto_secretbox_KEYBYTES,
	    (const unsigned char *)ctx, sizeof(ctx) - 1, cfg->secret_key, 32);
}

int
manage_seal(const char *secret, unsigned char *out, size_t cap, size_t *len)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t n = strlen(secret);

	if (cap < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n)
		return -1;
	seal_key(key);
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)secret, n, out, key);
	sodium_memzero(key, sizeof(key));
	*len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	return 0;
}

int
manage_open(const unsigned char *sealed, size_t len, char *out, size_t cap)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t n;
	int rc;

	if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (n + 1 > cap)
		return -1;
	seal_key(key);
	rc = crypto_secretbox_open_easy((unsigned char *)out,
	    sealed + crypto_secretbox_NONCEBYTES, len - crypto_secretbox_NONCEBYTES,
	    sealed, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* ---- rendering ---- */

/* The calendar day of t in the event's zone, for "same day?". */
static long long
local_day(const char *tz, long long t)
{
	int off = 0;

	if (tz == NULL || tz_offset(tz, t, &off) != 0)
		off = 0;
	return (t + off) / 86400 - ((t + off) % 86400 < 0);
}

/* "četrtek, 13. maj 2027 ob 09:00": CLDR's words and order for lang, in the event's zone. */
static void
human_time(const char *lang, const char *tz, long long t, char *out, size_t len)
{
	i18n_date(lang, tz, t, DF_DATETIME_FULL, out, len);
}

/*
 * The end of a span that starts at `from`: the time alone on the same
 * local day, the whole date and time otherwise (a session past midnight).
 */
static void
human_until(const char *lang, const char *tz, long long from, long long t,
    char *out, size_t len)
{
	if (local_day(tz, from) != local_day(tz, t)) {
		human_time(lang, tz, t, out, len);
		return;
	}
	i18n_date(lang, tz, t, DF_TIME, out, len);
}

/* A registration's status in words, in lang. */
static const char *
status_words(const char *lang, const char *st)
{
	static const char *const words[][2] = {
		{"confirmed", NC_("registration status", "confirmed")},
		{"waitlisted", NC_("registration status", "on the waiting list")},
		{"pending_approval", NC_("registration status", "awaiting approval")},
		{"pending_payment", NC_("registration status", "awaiting payment")},
		{"cancelled", NC_("registration status", "cancelled")},
		{"rejected", NC_("registration status", "declined")},
	};

	for (size_t i = 0; st != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(st, words[i][0]) == 0)
			return trc(lang, "registration status", words[i][1]);
	return st;
}

struct rendered {
	struct mail_render r;
	unsigned char *png;
	size_t pnglen;
	char *ics;
	size_t icslen;
	char cid[96];
	char *message;                  /* the full MIME text */
	size_t msglen;
	const char *skip;               /* reason not to send */
	char from_name[201];            /* the event's organiser, or "" */
	char reply_to[255];             /* their address, or "" */
};

static void
rendered_free(struct rendered *m)
{
	mail_render_free(&m->r);
	free(m->png);
	free(m->ics);
	free(m->message);
	memset(m, 0, sizeof(*m));
}

void
mail_render_free(struct mail_render *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	memset(r, 0, sizeof(*r));
}

static int
has_ticket(const char *kind)
{
	return strcmp(kind, "confirmed") == 0 || strcmp(kind, "promoted") == 0 ||
	    strcmp(kind, "approved") == 0 || strcmp(kind, "ticket_resent") == 0;
}

static void
set_event_vars(struct tpl_vars *v, const struct event_ref *ev, cJSON *evj,
    const char *lang)
{
	char buf[160], *url;

	tpl_set_lang(v, lang);
	tpl_set_var(v, "event.name", ev->name);
	human_time(lang, ev->tz, ev->starts_at, buf, sizeof(buf));
	tpl_set_var(v, "event.starts_at", buf);
	human_until(lang, ev->tz, ev->starts_at, ev->ends_at, buf, sizeof(buf));
	tpl_set_var(v, "event.ends_at", buf);
	tpl_set_var(v, "event.timezone", ev->tz);
	tpl_set_var(v, "event.venue", cJSON_GetStringValue(cJSON_GetObjectItem(evj, "venue")));
	if (asprintf(&url, "%s/events/%s", cfg->base_url, ev->slug) > 0) {
		tpl_set_var(v, "event.url", url);
		free(url);
	}
	tpl_set_var(v, "organiser.name", cfg->smtp_from_name[0] ? cfg->smtp_from_name : ev->name);
}

/* Add the sessions whose ids are in `ids` (NULL: none) to the list. */
static void
add_sessions(struct tpl_vars *v, cJSON *all, const cJSON *ids, const char *tz,
    const char *lang)
{
	static const char *const f[] = {"title", "starts_at", "ends_at", "room"};
	const cJSON *s, *id;
	char st[160], en[160], tbuf[40];
	long long t, t0;
	int have_start;

	cJSON_ArrayForEach(s, all) {
		int want = 0;
		cJSON_ArrayForEach(id, ids)
			if (cJSON_GetNumberValue(id) == cJSON_GetNumberValue(cJSON_GetObjectItem(s, "id")))
				want = 1;
		if (!want)
			continue;
		snprintf(tbuf, sizeof(tbuf), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(s, "starts_at")));
		if ((have_start = rfc3339_parse(tbuf, &t0) == 0))
			human_time(lang, tz, t0, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "%s", tbuf);
		snprintf(tbuf, sizeof(tbuf), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(s, "ends_at")));
		if (have_start && rfc3339_parse(tbuf, &t) == 0)
			human_until(lang, tz, t0, t, en, sizeof(en));
		else
			en[0] = '\0';
		const char *vals[] = {cJSON_GetStringValue(cJSON_GetObjectItem(s, "title")), st, en,
		    cJSON_GetStringValue(cJSON_GetObjectItem(s, "room"))};
		tpl_add_item(v, "sessions", f, vals, 4);
	}
}

static enum err
event_ics(const struct event_ref *ev, cJSON *evj, char **out, size_t *len)
{
	struct ics cal;
	struct ics_event ie;
	char uid[128], *url = NULL;

	memset(&cal, 0, sizeof(cal));
	if (ics_begin(&cal, "-//Confero//Ticket//EN") != 0)
		return ERR_INTERNAL;
	memset(&ie, 0, sizeof(ie));
	snprintf(uid, sizeof(uid), "event-%lld@confero", ev->id);
	if (asprintf(&url, "%s/events/%s", cfg->base_url, ev->slug) < 0)
		url = NULL;
	ie.uid = uid;
	ie.start = ev->starts_at;
	ie.end = ev->ends_at;
	ie.summary = ev->name;
	ie.location = cJSON_GetStringValue(cJSON_GetObjectItem(evj, "venue"));
	ie.url = url;
	ics_event(&cal, &ie);
	free(url);
	*out = ics_end(&cal, len);
	return *out ? ERR_OK : ERR_INTERNAL;
}

/*
 * Render one row.  For a mailing, subject/body come from the mailing (or
 * from the arguments, for a preview).  m->skip is set when the message no
 * longer makes sense (a ticket mail for a ticket since cancelled).
 */
/* An event's data, kept across the messages of one batch. */
struct evcache {
	long long id;
	struct event_ref ev;
	cJSON *evj, *sessions, *ttypes;
};

static void
evcache_free(struct evcache *c)
{
	cJSON_Delete(c->evj);
	cJSON_Delete(c->sessions);
	cJSON_Delete(c->ttypes);
	memset(c, 0, sizeof(*c));
}

static enum err
evcache_load(struct db *d, long long id, struct evcache *c)
{
	enum err e;

	if (c->id == id && c->evj != NULL)
		return ERR_OK;
	evcache_free(c);
	if ((e = db_event_ref_id(d, id, &c->ev)) != ERR_OK ||
	    (e = db_event_json(d, id, c->ev.tz, &c->evj)) != ERR_OK)
		return e;
	c->sessions = cJSON_CreateArray();
	c->ttypes = cJSON_CreateArray();
	if ((e = db_session_list(d, id, c->ev.tz, c->sessions)) != ERR_OK ||
	    (e = db_ttype_list(d, id, c->ev.tz, 0, c->ttypes)) != ERR_OK) {
		evcache_free(c);
		return e;
	}
	c->id = id;
	return ERR_OK;
}

/* The registration's ticket type by name, in lang. */
static const char *
ttype_name(const cJSON *ttypes, const cJSON *reg, const char *lang)
{
	double id = cJSON_GetNumberValue(cJSON_GetObjectItem(reg, "ticket_type_id"));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(reg, "ticket_type")), *t;
	const cJSON *x;

	cJSON_ArrayForEach(x, ttypes)
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")) == id &&
		    (t = content_pick(cJSON_GetObjectItem(x, "tr"), "name", lang)) != NULL)
			return t;
	return name;
}

/* A meeting's place and time in words: "četrtek, 13. maj 2027 ob 09:00–09:20". */
static void
meeting_when(const char *lang, const char *tz, const cJSON *slot, char *out, size_t len)
{
	char a[160], b[40];
	long long s0, s1;

	out[0] = '\0';
	if (!cJSON_IsObject(slot) ||
	    rfc3339_parse(cJSON_GetStringValue(cJSON_GetObjectItem(slot, "starts_at")), &s0) != 0 ||
	    rfc3339_parse(cJSON_GetStringValue(cJSON_GetObjectItem(slot, "ends_at")), &s1) != 0)
		return;
	human_time(lang, tz, s0, a, sizeof(a));
	i18n_date(lang, tz, s1, DF_TIME, b, sizeof(b));
	snprintf(out, len, "%s–%s", a, b);
}

static void
add_meeting_item(struct tpl_vars *v, const cJSON *x, const char *lang, const char *tz)
{
	const cJSON *with = cJSON_GetObjectItem(x, "with");
	char when[220];
	const char *vals[6];

	meeting_when(lang, tz, cJSON_GetObjectItem(x, "slot"), when, sizeof(when));
	vals[0] = when;
	vals[1] = cJSON_GetStringValue(cJSON_GetObjectItem(with, "name"));
	vals[2] = cJSON_GetStringValue(cJSON_GetObjectItem(with, "organisation"));
	vals[3] = cJSON_GetStringValue(cJSON_GetObjectItem(with, "headline"));
	vals[4] = cJSON_GetStringValue(cJSON_GetObjectItem(x, "table"));
	vals[5] = cJSON_GetStringValue(cJSON_GetObjectItem(x, "room"));
	tpl_add_item(v, "meetings", (const char *const[]){"when", "with_name", "with_organisation",
	    "with_headline", "table", "room"}, vals, 6);
}

/*
 * The variables of a meeting mail: the meeting and the other side (the
 * recipient's view), or the recipient's agenda (all upcoming meetings; a
 * reminder: that day's only, skipped when none are left).
 */
static enum err
meeting_vars(struct db *d, const struct outbox_row *o, const struct event_ref *ev,
    const char *lang, struct tpl_vars *v, struct rendered *m)
{
	struct match_profile p;
	cJSON *mt = NULL, *all = NULL, *x;
	long long now = (long long)time(NULL);
	int n = 0;
	enum err e;

	if ((e = db_match_profile_by_reg(d, o->reg_id, &p)) != ERR_OK) {
		if (e == ERR_NOTFOUND) {
			m->skip = "no matchmaking profile any more";
			e = ERR_OK;
		}
		return e;
	}
	if (o->meeting_id > 0) {
		if ((e = db_meeting_json(d, ev->id, o->meeting_id, p.id, ev->tz, &mt)) != ERR_OK)
			return e;
		const cJSON *with = cJSON_GetObjectItem(mt, "with");
		char when[220];
		tpl_set_var(v, "meeting.with_name", cJSON_GetStringValue(cJSON_GetObjectItem(with, "name")));
		tpl_set_var(v, "meeting.with_organisation",
		    cJSON_GetStringValue(cJSON_GetObjectItem(with, "organisation")));
		tpl_set_var(v, "meeting.with_headline",
		    cJSON_GetStringValue(cJSON_GetObjectItem(with, "headline")));
		tpl_set_var(v, "meeting.message", cJSON_GetStringValue(cJSON_GetObjectItem(mt, "message")));
		tpl_set_var(v, "meeting.opportunity",
		    cJSON_GetStringValue(cJSON_GetObjectItem(mt, "opportunity_title")));
		meeting_when(lang, ev->tz, cJSON_GetObjectItem(mt, "slot"), when, sizeof(when));
		if (when[0] != '\0')
			tpl_set_var(v, "meeting.when", when);
		tpl_set_var(v, "meeting.table", cJSON_GetStringValue(cJSON_GetObjectItem(mt, "table")));
		tpl_set_var(v, "meeting.room", cJSON_GetStringValue(cJSON_GetObjectItem(mt, "room")));
		/* A request answered or withdrawn before its mail went out needs none. */
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(mt, "status"));
		if (strcmp(o->kind, "meeting_request") == 0 && st != NULL && strcmp(st, "requested") != 0)
			m->skip = "the request was answered or withdrawn";
		cJSON_Delete(mt);
		return ERR_OK;
	}
	all = cJSON_CreateArray();
	if ((e = db_meeting_list_mine(d, p.id, ev->tz, all)) != ERR_OK) {
		cJSON_Delete(all);
		return e;
	}
	cJSON_ArrayForEach(x, all) {
		const cJSON *slot = cJSON_GetObjectItem(x, "slot");
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(x, "status"));
		long long t;
		char day[16] = "";
		if (!cJSON_IsObject(slot) || st == NULL || strcmp(st, "scheduled") != 0 ||
		    rfc3339_parse(cJSON_GetStringValue(cJSON_GetObjectItem(slot, "starts_at")), &t) != 0 ||
		    t < now)
			continue;
		if (o->about_day[0] != '\0') {
			long long ld = local_day(ev->tz, t);
			time_t dd = (time_t)(ld * 86400);
			struct tm tm;
			gmtime_r(&dd, &tm);
			strftime(day, sizeof(day), "%Y-%m-%d", &tm);
			if (strcmp(day, o->about_day) != 0)
				continue;
			if (n == 0) {
				char human[160];
				i18n_date(lang, ev->tz, t, DF_DATE_FULL, human, sizeof(human));
				tpl_set_var(v, "agenda.day", human);
			}
		}
		add_meeting_item(v, x, lang, ev->tz);
		n++;
	}
	cJSON_Delete(all);
	if (n == 0)
		m->skip = "no upcoming meetings to tell of";
	return ERR_OK;
}

/* erase_url of an erasure confirmation; 0 when no request is good any more. */
static int
erase_link(struct db *d, long long reg_id, const char *secret, struct tpl_vars *v)
{
	unsigned char nonce[16];
	char tok[AUTH_SECRET_MAX], *url;

	if (db_erase_nonce(d, reg_id, nonce) != ERR_OK)
		return 0;
	auth_erase_token(reg_id, nonce, tok);
	if (asprintf(&url, "%s/manage/%s?erase=%s", cfg->base_url, secret, tok) > 0) {
		tpl_set_var(v, "erase_url", url);
		sodium_memzero(url, strlen(url));
		free(url);
	}
	sodium_memzero(tok, sizeof(tok));
	return 1;
}

static enum err
render(struct db *d, const struct outbox_row *o, struct rendered *m,
    const char *msubject, const char *mbody, struct evcache *ec)
{
	struct evcache local;
	struct event_ref ev;
	struct tpl_vars *v;
	cJSON *evj, *sessions, *own_evj = NULL, *own_sessions = NULL;
	cJSON *reg = NULL, *mailing = NULL, *spk = NULL;
	struct langset ls;
	unsigned char sealed[200];
	char secret[96], *url;
	const char *code = NULL, *lang, *l;
	size_t slen;
	long long eid;
	enum err e;

	memset(m, 0, sizeof(*m));
	memset(&local, 0, sizeof(local));
	if (ec == NULL)
		ec = &local;
	if ((e = evcache_load(d, o->event_id, ec)) != ERR_OK)
		return e;
	ev = ec->ev;
	evj = ec->evj;
	sessions = ec->sessions;
	if ((v = tpl_vars_new()) == NULL) {
		evcache_free(&local);
		return ERR_INTERNAL;
	}
	/* A registration's own language; a speaker gets the event's default. */
	lang = ev.langs[0];
	if (o->reg_id > 0) {
		if ((e = db_reg_json(d, ev.id, o->reg_id, ev.tz, &reg)) != ERR_OK)
			goto out;
		if ((l = i18n_match(cJSON_GetStringValue(cJSON_GetObjectItem(reg, "language")), -1)) != NULL)
			lang = l;
	}
	if (o->lang != NULL)
		lang = o->lang;
	m->r.lang = lang;
	/* The organisers' texts in that language, the default where missing. */
	ls.langs = ev.langs;
	ls.n = ev.nlangs;
	/* The columns hold the default's texts: copies only for another language. */
	if (lang != ev.langs[0]) {
		evj = own_evj = cJSON_Duplicate(ec->evj, 1);
		sessions = own_sessions = cJSON_Duplicate(ec->sessions, 1);
		content_localise(evj, lang, &ls, 0);
		content_localise(sessions, lang, &ls, 0);
		snprintf(ev.name, sizeof(ev.name), "%s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(evj, "name")) ?
		    cJSON_GetStringValue(cJSON_GetObjectItem(evj, "name")) : ec->ev.name);
	}
	set_event_vars(v, &ev, evj, lang);
	/* The data controller: sender name, Reply-To and sign-off. */
	{
		const cJSON *org = cJSON_GetObjectItem(evj, "organiser");
		const char *oname = cJSON_GetStringValue(cJSON_GetObjectItem(org, "name"));
		const char *omail = cJSON_GetStringValue(cJSON_GetObjectItem(org, "email"));

		if (oname != NULL && *oname != '\0') {
			tpl_set_var(v, "organiser.name", oname);
			snprintf(m->from_name, sizeof(m->from_name), "%s", oname);
		}
		if (omail != NULL && *omail != '\0')
			snprintf(m->reply_to, sizeof(m->reply_to), "%s", omail);
	}
	if (reg != NULL) {
		tpl_set_var(v, "attendee.name", cJSON_GetStringValue(cJSON_GetObjectItem(reg, "name")));
		tpl_set_var(v, "attendee.email", cJSON_GetStringValue(cJSON_GetObjectItem(reg, "email")));
		tpl_set_var(v, "attendee.organisation",
		    cJSON_GetStringValue(cJSON_GetObjectItem(reg, "organisation")));
		tpl_set_var(v, "registration.status",
		    status_words(lang, cJSON_GetStringValue(cJSON_GetObjectItem(reg, "status"))));
		tpl_set_var(v, "ticket.type", ttype_name(ec->ttypes, reg, lang));
		code = cJSON_GetStringValue(cJSON_GetObjectItem(reg, "ticket_code"));
		add_sessions(v, sessions, cJSON_GetObjectItem(reg, "session_ids"), ev.tz, lang);
		if (reg_manage_sealed(d, o->reg_id, sealed, sizeof(sealed), &slen) == ERR_OK &&
		    manage_open(sealed, slen, secret, sizeof(secret)) == 0) {
			if (asprintf(&url, "%s/manage/%s", cfg->base_url, secret) > 0) {
				tpl_set_var(v, "manage_url", url);
				sodium_memzero(url, strlen(url));
				free(url);
			}
			if (strcmp(o->kind, "erase_confirm") == 0 &&
			    !erase_link(d, o->reg_id, secret, v)) {
				m->skip = "the erasure request was replaced or expired";
				sodium_memzero(secret, sizeof(secret));
				e = ERR_OK;
				goto out;
			}
			if (strncmp(o->kind, "meeting_", 8) == 0 &&
			    asprintf(&url, "%s/manage/%s/matchmaking", cfg->base_url, secret) > 0) {
				char *murl = NULL;
				tpl_set_var(v, "matchmaking_url", url);
				if (o->meeting_id > 0 && asprintf(&murl, "%s#meeting-%lld", url, o->meeting_id) > 0) {
					tpl_set_var(v, "meeting.url", murl);
					sodium_memzero(murl, strlen(murl));
					free(murl);
				}
				sodium_memzero(url, strlen(url));
				free(url);
			}
			sodium_memzero(secret, sizeof(secret));
		}
	}
	/* The last mail of an erasure: the registration holds no address any more. */
	if (strcmp(o->kind, "erased") == 0)
		tpl_set_var(v, "attendee.email", o->to_addr);
	if (o->speaker_id > 0) {
		if ((e = db_speaker_json(d, ev.id, o->speaker_id, 1, &spk)) != ERR_OK)
			goto out;
		tpl_set_var(v, "speaker.name", cJSON_GetStringValue(cJSON_GetObjectItem(spk, "name")));
		tpl_set_var(v, "attendee.name", cJSON_GetStringValue(cJSON_GetObjectItem(spk, "name")));
		tpl_set_var(v, "attendee.email", cJSON_GetStringValue(cJSON_GetObjectItem(spk, "email")));
		tpl_set_var(v, "attendee.organisation",
		    cJSON_GetStringValue(cJSON_GetObjectItem(spk, "organisation")));
		add_sessions(v, sessions, cJSON_GetObjectItem(spk, "session_ids"), ev.tz, lang);
	}
	if (strncmp(o->kind, "meeting_", 8) == 0 && o->reg_id > 0) {
		if ((e = meeting_vars(d, o, &ev, lang, v, m)) != ERR_OK || m->skip != NULL)
			goto out;
	}
	if (has_ticket(o->kind) && (code == NULL || *code == '\0')) {
		const char *st = reg ? cJSON_GetStringValue(cJSON_GetObjectItem(reg, "status")) : NULL;
		/*
		 * Never mail a revoked ticket: a registration cancelled before
		 * its ticket mail went out gets only the cancellation.  A
		 * promotion or approval to "pending payment" has no ticket yet
		 * and goes out without one.
		 */
		if (strcmp(o->kind, "ticket_resent") == 0 || st == NULL ||
		    strcmp(st, "cancelled") == 0 || strcmp(st, "rejected") == 0 ||
		    strcmp(st, "confirmed") == 0) {
			m->skip = "no valid ticket any more (registration changed since)";
			e = ERR_OK;
			goto out;
		}
	}
	if (has_ticket(o->kind) && code != NULL && *code != '\0') {
		snprintf(m->cid, sizeof(m->cid), "qr.%lld@confero", o->id);
		tpl_set_var(v, "ticket.code", code);
		tpl_set_var(v, "ticket.qr_cid", m->cid);
		if (qr_png(code, 6, &m->png, &m->pnglen) != 0 ||
		    event_ics(&ev, evj, &m->ics, &m->icslen) != ERR_OK) {
			e = ERR_INTERNAL;
			goto out;
		}
	}
	if (strcmp(o->kind, "mailing") == 0) {
		if (msubject == NULL) {
			if ((e = mailing_json(d, o->mailing_id, &mailing, &eid)) != ERR_OK)
				goto out;
			/* Each recipient gets the organiser's text in their language. */
			content_localise(mailing, lang, &ls, 0);
			msubject = cJSON_GetStringValue(cJSON_GetObjectItem(mailing, "subject"));
			mbody = cJSON_GetStringValue(cJSON_GetObjectItem(mailing, "body"));
		}
		char *subj = tpl_render_string(msubject, v, 0);
		tpl_set_var(v, "mailing.subject", subj ? subj : msubject);
		free(subj);
		if (asprintf(&url, "mailto:%s?subject=unsubscribe%%20%s", cfg->smtp_from_addr, ev.slug) > 0) {
			tpl_set_var(v, "unsubscribe_url", url);
			free(url);
		}
		if (tpl_render_mailing(templates, mbody ? mbody : "", v, &m->r.subject,
		    &m->r.text, &m->r.html) != 0) {
			e = ERR_INTERNAL;
			goto out;
		}
	} else if (tpl_render(templates, o->kind, v, &m->r.subject, &m->r.text, &m->r.html) != 0) {
		log_err("mail: no template for kind %s", o->kind);
		e = ERR_INTERNAL;
		goto out;
	}
	e = ERR_OK;
out:
	evcache_free(&local);
	cJSON_Delete(own_evj);
	cJSON_Delete(own_sessions);
	cJSON_Delete(reg);
	cJSON_Delete(mailing);
	cJSON_Delete(spk);
	tpl_vars_free(v);
	return e;
}

enum err
mail_render_row(struct db *d, const struct outbox_row *o, struct mail_render *out,
    const char *msubject, const char *mbody)
{
	struct rendered m;
	enum err e = render(d, o, &m, msubject, mbody, NULL);

	*out = m.r;
	memset(&m.r, 0, sizeof(m.r));
	rendered_free(&m);
	return e;
}

/*
 * An address with a UTF-8 domain ("ana@šola.si") in its ASCII (xn--)
 * form, as SMTP and the headers need it; the local part is ASCII already
 * (email_valid).  0, or -1 when the domain is not a valid IDN.
 */
static int
ascii_address(const char *addr, char *out, size_t len)
{
	const char *at = strrchr(addr, '@');
	char *ace = NULL;
	int n;

	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			goto idn;
	return (size_t)snprintf(out, len, "%s", addr) < len ? 0 : -1;
idn:
	if (at == NULL || idn2_to_ascii_8z(at + 1, &ace, IDN2_NONTRANSITIONAL) != IDN2_OK)
		return -1;
	n = snprintf(out, len, "%.*s@%s", (int)(at - addr), addr, ace);
	idn2_free(ace);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int
build(struct outbox_row *o, struct rendered *m)
{
	struct mime_part inl[1], att[2];
	struct mime_msg msg;
	size_t ninl = 0, natt = 0;
	char *unsub = NULL;

	char to[sizeof(o->to_addr)], reply_to[sizeof(m->reply_to) + 64];

	if (ascii_address(o->to_addr, to, sizeof(to)) != 0)
		return -1;
	/* The envelope (deliver) uses the same form. */
	snprintf(o->to_addr, sizeof(o->to_addr), "%s", to);
	memset(&msg, 0, sizeof(msg));
	/* The organiser's name on the relay's address (SPF and DKIM stay the
	 * relay's); replies go to the organiser. */
	msg.from_name = m->from_name[0] ? m->from_name :
	    cfg->smtp_from_name[0] ? cfg->smtp_from_name : NULL;
	msg.from_addr = cfg->smtp_from_addr;
	if (m->reply_to[0] && ascii_address(m->reply_to, reply_to, sizeof(reply_to)) == 0)
		msg.reply_to = reply_to;
	msg.to_name = o->to_name;
	msg.to_addr = o->to_addr;
	msg.subject = m->r.subject;
	msg.message_id = o->message_id;
	msg.date = time(NULL);
	msg.text = m->r.text;
	msg.html = m->r.html;
	msg.auto_submitted = strcmp(o->kind, "mailing") == 0 ? NULL : "auto-generated";
	msg.content_language = m->r.lang;
	if (m->png != NULL) {
		inl[ninl++] = (struct mime_part){"image/png", "ticket-qr.png", m->cid, m->png, m->pnglen};
		att[natt++] = (struct mime_part){"image/png", "ticket.png", NULL, m->png, m->pnglen};
	}
	if (m->ics != NULL)
		att[natt++] = (struct mime_part){"text/calendar; charset=utf-8; method=PUBLISH",
		    "event.ics", NULL, m->ics, m->icslen};
	msg.inline_parts = inl;
	msg.ninline = ninl;
	msg.attachments = att;
	msg.nattach = natt;
	if (strcmp(o->kind, "mailing") == 0 &&
	    asprintf(&unsub, "<mailto:%s?subject=unsubscribe>", cfg->smtp_from_addr) > 0)
		msg.list_unsubscribe = unsub;
	m->message = mime_build(&msg, &m->msglen);
	free(unsub);
	return m->message != NULL ? 0 : -1;
}

/* ---- SMTP ---- */

static int
interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_PASS)
			result[i] = (char *)(uintptr_t)cfg->smtp_password;
		else if (req[i].flags & AUTH_USER)
			result[i] = (char *)(uintptr_t)cfg->smtp_user;
		else
			result[i] = NULL;
	}
	return 1;
}

struct outcome {
	long long id;
	int code;                       /* SMTP reply code, 0: not delivered */
	char reply[300];
	const char *status;             /* sent, failed, skipped, retry */
};

static void
deliver(struct rendered *msgs, struct outbox_row *rows, struct outcome *res, int n)
{
	smtp_session_t s;
	smtp_message_t sm[BATCH];
	smtp_recipient_t rc[BATCH];
	auth_context_t ctx = NULL;
	char hostport[300], buf[256];
	long to;
	int i, any = 0;

	for (i = 0; i < n; i++)
		if (res[i].status == NULL)
			any = 1;
	if (!any)
		return;
	if ((s = smtp_create_session()) == NULL)
		goto fail_all;
	snprintf(hostport, sizeof(hostport), "%s:%d", cfg->smtp_host, cfg->smtp_port);
	smtp_set_server(s, hostport);
	/* A relay that accepts the connection and never answers costs this. */
	to = 1000L * cfg->smtp_timeout;
	smtp_set_timeout(s, Timeout_GREETING | Timeout_OVERRIDE_RFC2822_MINIMUM, to);
	smtp_set_timeout(s, Timeout_ENVELOPE | Timeout_OVERRIDE_RFC2822_MINIMUM, to);
	smtp_set_timeout(s, Timeout_DATA | Timeout_OVERRIDE_RFC2822_MINIMUM, to);
	smtp_set_timeout(s, Timeout_TRANSFER | Timeout_OVERRIDE_RFC2822_MINIMUM, 2 * to);
	smtp_set_timeout(s, Timeout_DATA2 | Timeout_OVERRIDE_RFC2822_MINIMUM, 2 * to);
	smtp_starttls_enable(s, cfg->smtp_starttls == 2 ? Starttls_REQUIRED :
	    cfg->smtp_starttls == 1 ? Starttls_ENABLED : Starttls_DISABLED);
	if (cfg->smtp_user[0] != '\0') {
		ctx = auth_create_context();
		auth_set_mechanism_flags(ctx, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(ctx, interact, NULL);
		smtp_auth_set_context(s, ctx);
	}
	for (i = 0; i < n; i++) {
		sm[i] = NULL;
		if (res[i].status != NULL)
			continue;
		sm[i] = smtp_add_message(s);
		smtp_set_reverse_path(sm[i], cfg->smtp_from_addr);
		/*
		 * No header options: libesmtp then passes our headers through
		 * and adds only those missing (none are: mime_build writes
		 * Date, Message-ID, From and To).
		 */
		rc[i] = smtp_add_recipient(sm[i], rows[i].to_addr);
		smtp_set_message_str(sm[i], msgs[i].message);
	}
	if (!smtp_start_session(s)) {
		smtp_strerror(smtp_errno(), buf, sizeof(buf));
		for (i = 0; i < n; i++)
			if (res[i].status == NULL) {
				res[i].status = "retry";
				snprintf(res[i].reply, sizeof(res[i].reply), "connection: %s", buf);
			}
	} else {
		for (i = 0; i < n; i++) {
			const smtp_status_t *st, *rs;
			if (res[i].status != NULL)
				continue;
			st = smtp_message_transfer_status(sm[i]);
			rs = smtp_recipient_status(rc[i]);
			/*
			 * A refused recipient is the message's fate: the reply
			 * to DATA that follows ("503 need RCPT") says nothing.
			 */
			if (rs != NULL && rs->code >= 400)
				st = rs;
			res[i].code = st ? st->code : 0;
			snprintf(res[i].reply, sizeof(res[i].reply), "%d %s", res[i].code,
			    st && st->text ? st->text : "");
			res[i].reply[strcspn(res[i].reply, "\r\n")] = '\0';
			if (res[i].code >= 200 && res[i].code < 300)
				res[i].status = "sent";
			else if (res[i].code >= 500)
				res[i].status = "failed";
			else
				res[i].status = "retry";
		}
	}
	smtp_destroy_session(s);
	if (ctx != NULL)
		auth_destroy_context(ctx);
	return;
fail_all:
	for (i = 0; i < n; i++)
		if (res[i].status == NULL) {
			res[i].status = "retry";
			snprintf(res[i].reply, sizeof(res[i].reply), "cannot create an SMTP session");
		}
}

static int
backoff(long long attempts)
{
	/* attempts counts this one: after the 1st failure wait backoff[0]. */
	if (attempts < 1)
		attempts = 1;
	if (attempts > cfg->mail_backoff_n)
		return -1;
	return cfg->mail_backoff[attempts - 1];
}

struct record_tx {
	struct outcome *res;
	struct outbox_row *rows;
	int n;
};

static enum err
record_tx(struct db *d, void *arg)
{
	struct record_tx *t = arg;
	enum err e;
	int i, wait;

	for (i = 0; i < t->n; i++) {
		struct outcome *r = &t->res[i];
		if (strcmp(r->status, "retry") == 0) {
			if ((wait = backoff(t->rows[i].attempts)) < 0)
				e = outbox_done(d, r->id, t->rows[i].attempts, "failed", r->reply);
			else
				e = outbox_retry(d, r->id, t->rows[i].attempts, wait, r->reply);
		} else
			e = outbox_done(d, r->id, t->rows[i].attempts, r->status, r->reply);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/*
 * A relay's reply for the log: relays often name the recipient ("550 5.1.1
 * <a@b>: Recipient address rejected"), so words holding an address are left
 * out.  The outbox keeps the whole reply for the organisers.
 */
static void
reply_for_log(const char *in, char *out, size_t len)
{
	size_t o = 0, w;
	int n;

	out[0] = '\0';
	for (; *in != '\0' && o < len; in += w) {
		if ((w = strcspn(in, " ")) == 0) {
			w = 1;
			n = snprintf(out + o, len - o, " ");
		} else if (memchr(in, '@', w) != NULL)
			n = snprintf(out + o, len - o, "<address>");
		else
			n = snprintf(out + o, len - o, "%.*s", (int)w, in);
		o += (size_t)n;
	}
}

/* One round: claim, render, send, record.  Returns messages handled. */
static int
round_once(void)
{
	struct outbox_row rows[BATCH];
	struct rendered msgs[BATCH];
	struct outcome res[BATCH];
	struct evcache ec;
	struct record_tx rt;
	long long ids[BATCH];
	struct db *d = NULL;
	int got = 0, i, n = 0, sent = 0;

	if (db_acquire(&d, 2000) != ERR_OK)
		return 0;
	if (outbox_claim(d, BATCH, cfg->mail_lease, ids, &got) != ERR_OK || got == 0 ||
	    outbox_load(d, ids, got, rows, &n) != ERR_OK) {
		db_release(d);
		return 0;
	}
	memset(res, 0, sizeof(res));
	memset(&ec, 0, sizeof(ec));
	for (i = 0; i < n; i++) {
		res[i].id = rows[i].id;
		if (render(d, &rows[i], &msgs[i], NULL, NULL, &ec) != ERR_OK) {
			res[i].status = "retry";
			snprintf(res[i].reply, sizeof(res[i].reply), "could not render the message");
		} else if (msgs[i].skip != NULL) {
			res[i].status = "skipped";
			snprintf(res[i].reply, sizeof(res[i].reply), "%s", msgs[i].skip);
		} else if (build(&rows[i], &msgs[i]) != 0) {
			res[i].status = "failed";
			snprintf(res[i].reply, sizeof(res[i].reply), "invalid recipient or header");
		}
	}
	evcache_free(&ec);
	/* No database connection is held while talking to the relay. */
	db_release(d);
	d = NULL;
	deliver(msgs, rows, res, n);
	rt = (struct record_tx){res, rows, n};
	if (db_acquire(&d, 10000) == ERR_OK) {
		if (db_tx(d, record_tx, &rt) != ERR_OK)
			log_warn("mail: could not record a batch; it is sent again after the lease");
		db_release(d);
	}
	for (i = 0; i < n; i++) {
		if (strcmp(res[i].status, "sent") == 0)
			sent++;
		else {
			char safe[sizeof(res[i].reply)];

			reply_for_log(res[i].reply, safe, sizeof(safe));
			log_info("mail: outbox %lld %s: %s", res[i].id, res[i].status, safe);
		}
		rendered_free(&msgs[i]);
	}
	/* Per batch, no addresses: how much each instance sends. */
	if (sent > 0)
		log_info("mail: %d sent", sent);
	return got;
}

static void *
sender(void *arg)
{
	struct timespec ts;
	unsigned long seen;
	int n;

	(void)arg;
	snprintf(log_reqid, sizeof(log_reqid), "mailer");
	while (running) {
		pthread_mutex_lock(&wake_mtx);
		seen = wakeups;
		pthread_mutex_unlock(&wake_mtx);
		n = round_once();
		if (n > 0 && cfg->smtp_rate > 0)
			usleep((useconds_t)(1e6 * n / cfg->smtp_rate));
		if (n == BATCH)
			continue;
		/* Nothing (more) due: sleep until woken or a second passes. */
		pthread_mutex_lock(&wake_mtx);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (running && wakeups == seen &&
		    pthread_cond_timedwait(&wake_cv, &wake_mtx, &ts) == 0)
			continue;
		pthread_mutex_unlock(&wake_mtx);
	}
	return NULL;
}

int
mail_start(int n)
{
	int i;

	if (cfg->smtp_host[0] == '\0') {
		log_warn("mail: CONFERO_SMTP_HOST is not set; messages wait in the outbox");
		return 0;
	}
	running = 1;
	for (i = 0; i < n && i < 16; i++) {
		if (pthread_create(&threads[i], NULL, sender, NULL) != 0)
			return -1;
		nthreads++;
	}
	log_info("mail: %d sender(s) to %s:%d", nthreads, cfg->smtp_host, cfg->smtp_port);
	return 0;
}

void
mail_stop(void)
{
	int i;

	running = 0;
	mail_wake();
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}
