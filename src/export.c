/*
 * Counting attendance and writing exports as CSV and XLSX.  The CSV side
 * writes into an sbuf the caller sends on; the XLSX side uses
 * libxlsxwriter in constant-memory mode (rows go to a temporary file as
 * they come) and writes numbers as numbers and times as dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "arena.h"
#include "csv.h"
#include "export.h"
#include "match_export.h"
#include "i18n.h"
#include "sbuf.h"
#include "timeutil.h"

/* ---- time */

static void
local_tm(const char *tz, long long epoch, struct utc_tm *tm)
{
	int off = 0;

	if (tz_offset(tz, epoch, &off) != 0)
		off = 0;
	utc_split(epoch + off, tm);
}

void
local_time_text(const char *tz, long long epoch, char out[20])
{
	struct utc_tm tm;

	local_tm(tz, epoch, &tm);
	snprintf(out, 20, "%04u-%02u-%02u %02u:%02u", (unsigned)tm.year % 10000u,
	    (unsigned)tm.mon % 100u, (unsigned)tm.day % 100u, (unsigned)tm.hour % 100u,
	    (unsigned)tm.min % 100u);
}

static lxw_datetime
local_lxw(const char *tz, long long epoch)
{
	struct utc_tm tm;
	lxw_datetime d;

	local_tm(tz, epoch, &tm);
	d.year = tm.year;
	d.month = tm.mon;
	d.day = tm.day;
	d.hour = tm.hour;
	d.min = tm.min;
	d.sec = tm.sec;
	return d;
}

/* ---- cells */

char *
answer_text(const cJSON *answers, long long qid)
{
	char key[24];
	const cJSON *v, *it;
	struct sbuf b = {0};

	snprintf(key, sizeof(key), "%lld", qid);
	v = cJSON_GetObjectItemCaseSensitive(answers, key);
	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "yes" : "no");
	if (cJSON_IsNumber(v)) {
		sb_printf(&b, "%g", v->valuedouble);
		return b.p;
	}
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it))
				continue;
			if (b.len > 0)
				sb_str(&b, "; ");
			sb_str(&b, it->valuestring);
		}
		if (b.failed) {
			sb_free(&b);
			return NULL;
		}
		return b.p;
	}
	return NULL;
}

char *
session_titles(const struct attendee_cols *c, const char *ids)
{
	struct sbuf b = {0};
	const char *p;
	char *end;
	size_t i;

	if (ids == NULL || *ids == '\0')
		return NULL;
	for (p = ids; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		long long id = strtoll(p, &end, 10);
		if (end == p)
			break;
		for (i = 0; i < c->nsessions && c->sessions[i].id != id; i++)
			continue;
		if (i == c->nsessions)
			continue;
		if (b.len > 0)
			sb_str(&b, "; ");
		sb_str(&b, c->sessions[i].title);
	}
	if (b.failed) {
		sb_free(&b);
		return NULL;
	}
	return b.p;
}

/* TRANSLATORS: column headings of the attendee list (CSV and XLSX). */
static const char *const attendee_head[] = {NC_("export column", "ID"),
	NC_("export column", "Name"), NC_("export column", "Email"),
	NC_("export column", "Organisation"), NC_("export column", "Ticket type"),
	NC_("export column", "Status"), NC_("export column", "Registered at"),
	NC_("export column", "Checked in at"), NC_("export column", "Gate")};
#define COL(lang, s) trc((lang), "export column", (s))
#define NHEAD (sizeof(attendee_head) / sizeof(attendee_head[0]))

int
attendee_csv_line(const struct attendee_cols *c, const struct exp_attendee *a,
    struct sbuf *out)
{
	char t1[20], t2[20];
	cJSON *answers = NULL;
	char *s;
	size_t i;

	if (a == NULL) {
		for (i = 0; i < NHEAD; i++)
			csv_text(out, COL(c->lang, attendee_head[i]), i == 0);
		for (i = 0; i < c->nquestions; i++)
			csv_text(out, c->questions[i].label, 0);
		csv_text(out, trc(c->lang, "export column", "Sessions signed up"), 0);
		csv_text(out, trc(c->lang, "export column", "Sessions attended"), 0);
		return csv_eol(out);
	}
	local_time_text(c->tz, a->registered_at, t1);
	t2[0] = '\0';
	if (a->checked_in_at > 0)
		local_time_text(c->tz, a->checked_in_at, t2);
	csv_int(out, a->id, 1);
	csv_text(out, a->name, 0);
	csv_text(out, a->email, 0);
	csv_text(out, a->org, 0);
	csv_text(out, a->ttype, 0);
	csv_text(out, a->status, 0);
	csv_text(out, t1, 0);
	csv_text(out, t2, 0);
	csv_text(out, a->checked_in_at > 0 ? a->gate : NULL, 0);
	if (c->nquestions > 0 && a->answers != NULL)
		answers = cJSON_Parse(a->answers);
	for (i = 0; i < c->nquestions; i++) {
		s = answers != NULL ? answer_text(answers, c->questions[i].id) : NULL;
		csv_text(out, s, 0);
		free(s);
	}
	cJSON_Delete(answers);
	s = session_titles(c, a->signed_ids);
	csv_text(out, s, 0);
	free(s);
	s = session_titles(c, a->attended_ids);
	csv_text(out, s, 0);
	free(s);
	return csv_eol(out);
}

/* ---- attendance */

static int
visit_cmp(const void *a, const void *b)
{
	const struct exp_visit *x = a, *y = b;

	if (x->at != y->at)             /* here .at holds the local day */
		return x->at < y->at ? -1 : 1;
	return (x->reg > y->reg) - (x->reg < y->reg);
}

struct answer_acc {
	struct arena *a;
	const struct exp_question *qs;
	size_t nq;
	struct att_answer *out;         /* one per counted question */
	const struct exp_question **q;  /* its question */
	size_t nout;
};

static struct exp_count *
value_slot(struct answer_acc *x, struct att_answer *aa, const char *value)
{
	struct exp_count *nv;
	size_t i;

	for (i = 0; i < aa->nvalues; i++)
		if (strcmp(aa->values[i].name, value) == 0)
			return &aa->values[i];
	if (aa->nvalues == aa->cap) {
		/* Arena memory is never freed: doubling keeps the waste bounded. */
		size_t cap = aa->cap ? 2 * aa->cap : 8;
		if ((nv = arena_calloc(x->a, cap, sizeof(*nv))) == NULL)
			return NULL;
		if (aa->nvalues > 0)
			memcpy(nv, aa->values, aa->nvalues * sizeof(*nv));
		aa->values = nv;
		aa->cap = cap;
	}
	nv = &aa->values[aa->nvalues++];
	nv->name = arena_strdup(x->a, value);
	nv->capacity = -1;
	return nv->name != NULL ? nv : NULL;
}

static enum err
count_answer(void *ctx, const char *json, int checked_in)
{
	struct answer_acc *x = ctx;
	const cJSON *v, *it;
	struct exp_count *k;
	cJSON *answers;
	char key[24];
	size_t i;

	if (json == NULL || (answers = cJSON_Parse(json)) == NULL)
		return ERR_OK;
	for (i = 0; i < x->nout; i++) {
		snprintf(key, sizeof(key), "%lld", x->q[i]->id);
		v = cJSON_GetObjectItemCaseSensitive(answers, key);
		if (cJSON_IsString(v) && *v->valuestring != '\0') {
			if ((k = value_slot(x, &x->out[i], v->valuestring)) == NULL)
				goto oom;
			k->registered++;
			k->checked_in += checked_in;
		} else if (cJSON_IsBool(v)) {
			if ((k = value_slot(x, &x->out[i], cJSON_IsTrue(v) ? "yes" : "no")) == NULL)
				goto oom;
			k->registered++;
			k->checked_in += checked_in;
		} else if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(it, v) {
				if (!cJSON_IsString(it))
					continue;
				if ((k = value_slot(x, &x->out[i], it->valuestring)) == NULL)
					goto oom;
				k->registered++;
				k->checked_in += checked_in;
			}
		}
	}
	cJSON_Delete(answers);
	return ERR_OK;
oom:
	cJSON_Delete(answers);
	return ERR_INTERNAL;
}

static int
count_desc(const void *a, const void *b)
{
	const struct exp_count *x = a, *y = b;

	if (x->registered != y->registered)
		return x->registered > y->registered ? -1 : 1;
	return strcmp(x->name, y->name);
}

enum err
attendance_count(struct db *d, struct arena *a, long long event_id, const char *tz,
    long long capacity, struct attendance *at)
{
	struct exp_question *qs;
	struct exp_visit *v = NULL;
	struct answer_acc acc;
	size_t nq, nv = 0, i, j;
	enum err e;

	memset(at, 0, sizeof(*at));
	at->capacity = capacity;
	if ((e = db_exp_sessions(d, a, event_id, &at->sessions, &at->nsessions)) != ERR_OK ||
	    (e = db_exp_ttypes(d, a, event_id, &at->ttypes, &at->nttypes)) != ERR_OK ||
	    (e = db_exp_orgs(d, a, event_id, &at->orgs, &at->norgs)) != ERR_OK ||
	    (e = db_exp_questions(d, a, event_id, &qs, &nq)) != ERR_OK)
		return e;
	for (i = 0; i < at->nttypes; i++) {
		at->confirmed += at->ttypes[i].registered;
		at->checked_in += at->ttypes[i].checked_in;
	}
	for (i = 0; i < at->norgs; i++)
		if (at->orgs[i].name[0] == '\0')
			at->orgs[i].name = "(none given)";

	/* Attendees per local day: distinct registrations with a check-in. */
	if ((e = db_exp_visits(d, event_id, &v, &nv)) != ERR_OK)
		return e;
	for (i = 0; i < nv; i++) {
		struct utc_tm tm;
		local_tm(tz, v[i].at, &tm);
		v[i].at = (long long)tm.year * 10000 + tm.mon * 100 + tm.day;
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), visit_cmp);
	at->days = arena_calloc(a, nv > 0 ? nv : 1, sizeof(*at->days));
	if (at->days == NULL) {
		free(v);
		return ERR_INTERNAL;
	}
	for (i = 0; i < nv; i = j) {
		struct exp_count *k = &at->days[at->ndays++];
		k->name = arena_printf(a, "%04lld-%02lld-%02lld", v[i].at / 10000,
		    v[i].at / 100 % 100, v[i].at % 100);
		k->capacity = -1;
		for (j = i; j < nv && v[j].at == v[i].at; j++)
			if (j == i || v[j].reg != v[j - 1].reg)
				k->checked_in++;
	}
	free(v);

	/* Answers of the questions with a fixed set of answers. */
	memset(&acc, 0, sizeof(acc));
	acc.a = a;
	acc.qs = qs;
	acc.nq = nq;
	acc.out = arena_calloc(a, nq > 0 ? nq : 1, sizeof(*acc.out));
	acc.q = arena_calloc(a, nq > 0 ? nq : 1, sizeof(*acc.q));
	if (acc.out == NULL || acc.q == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < nq; i++) {
		if (strcmp(qs[i].kind, "choice") != 0 && strcmp(qs[i].kind, "multichoice") != 0 &&
		    strcmp(qs[i].kind, "country") != 0 && strcmp(qs[i].kind, "checkbox") != 0)
			continue;
		acc.q[acc.nout] = &qs[i];
		acc.out[acc.nout].question = qs[i].label;
		/* Every offered option gets a row, even when nobody chose it. */
		if (cJSON_IsArray(qs[i].options)) {
			const cJSON *o;
			cJSON_ArrayForEach(o, qs[i].options)
				if (cJSON_IsString(o) &&
				    value_slot(&acc, &acc.out[acc.nout], o->valuestring) == NULL)
					return ERR_INTERNAL;
		}
		acc.nout++;
	}
	if (acc.nout > 0 && (e = db_exp_answers(d, event_id, count_answer, &acc)) != ERR_OK)
		return e;
	for (i = 0; i < acc.nout; i++)
		if (!cJSON_IsArray(acc.q[i]->options))  /* countries: most first */
			qsort(acc.out[i].values, acc.out[i].nvalues,
			    sizeof(*acc.out[i].values), count_desc);
	at->answers = acc.out;
	at->nanswers = acc.nout;
	return ERR_OK;
}

static double
pct(long long part, long long whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : -1;
}

static int
want(const char *breakdown, const char *name)
{
	return breakdown == NULL || strcmp(breakdown, name) == 0;
}

/* breakdown,item,question,starts_at,registered,checked_in,no_show,
 * capacity,fill_percent,no_show_percent */
static void
csv_counts(struct sbuf *o, const char *bd, const char *item, const char *question,
    const char *starts, long long reg, long long ck, long long cap, double fill)
{
	csv_text(o, bd, 1);
	csv_text(o, item, 0);
	csv_text(o, question, 0);
	csv_text(o, starts, 0);
	if (reg >= 0) {
		csv_int(o, reg, 0);
		csv_int(o, ck, 0);
		csv_int(o, reg - ck < 0 ? 0 : reg - ck, 0);
	} else {
		csv_text(o, NULL, 0);
		csv_int(o, ck, 0);
		csv_text(o, NULL, 0);
	}
	if (cap >= 0)
		csv_int(o, cap, 0);
	else
		csv_text(o, NULL, 0);
	csv_pct(o, fill, 0);
	csv_pct(o, reg >= 0 ? pct(reg - ck < 0 ? 0 : reg - ck, reg) : -1, 0);
	csv_eol(o);
}

int
attendance_csv(const struct attendance *at, const char *tz, const char *bd, int bom,
    struct sbuf *o)
{
	char when[20];
	size_t i, j;

	if (bom)
		sb_str(o, CSV_BOM);
	sb_str(o, "breakdown,item,question,starts_at,registered,checked_in,no_show,"
	    "capacity,fill_percent,no_show_percent\r\n");
	if (want(bd, "summary"))
		csv_counts(o, "summary", "all", NULL, NULL, at->confirmed, at->checked_in,
		    at->capacity, at->capacity > 0 ? pct(at->confirmed, at->capacity) : -1);
	if (want(bd, "day"))
		for (i = 0; i < at->ndays; i++)
			csv_counts(o, "day", at->days[i].name, NULL, NULL, -1,
			    at->days[i].checked_in, -1, -1);
	if (want(bd, "session"))
		for (i = 0; i < at->nsessions; i++) {
			const struct exp_session *s = &at->sessions[i];
			local_time_text(tz, s->starts_at, when);
			csv_counts(o, "session", s->title, NULL, when, s->signed_up,
			    s->checked_in, s->capacity,
			    s->capacity > 0 ? pct(s->signed_up, s->capacity) : -1);
		}
	if (want(bd, "ticket_type"))
		for (i = 0; i < at->nttypes; i++)
			csv_counts(o, "ticket_type", at->ttypes[i].name, NULL, NULL,
			    at->ttypes[i].registered, at->ttypes[i].checked_in,
			    at->ttypes[i].capacity, at->ttypes[i].capacity > 0 ?
			    pct(at->ttypes[i].registered, at->ttypes[i].capacity) : -1);
	if (want(bd, "organisation"))
		for (i = 0; i < at->norgs; i++)
			csv_counts(o, "organisation", at->orgs[i].name, NULL, NULL,
			    at->orgs[i].registered, at->orgs[i].checked_in, -1, -1);
	if (want(bd, "answer"))
		for (i = 0; i < at->nanswers; i++)
			for (j = 0; j < at->answers[i].nvalues; j++)
				csv_counts(o, "answer", at->answers[i].values[j].name,
				    at->answers[i].question, NULL,
				    at->answers[i].values[j].registered,
				    at->answers[i].values[j].checked_in, -1, -1);
	return o->failed ? -1 : 0;
}

/* ---- XLSX */

struct xfmt {
	lxw_format *head, *date, *datetime, *pct;
};

static void
xfmt_init(lxw_workbook *wb, struct xfmt *f)
{
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_font_color(f->head, LXW_COLOR_WHITE);
	format_set_bg_color(f->head, 0x14213D);
	format_set_border(f->head, LXW_BORDER_THIN);
	f->date = workbook_add_format(wb);
	format_set_num_format(f->date, "yyyy-mm-dd");
	f->datetime = workbook_add_format(wb);
	format_set_num_format(f->datetime, "yyyy-mm-dd hh:mm");
	f->pct = workbook_add_format(wb);
	format_set_num_format(f->pct, "0.0%");
}

/* A sheet with a styled, frozen header row and a filter over it. */
static lxw_worksheet *
sheet(lxw_workbook *wb, const struct xfmt *f, const char *lang, const char *name,
    const char *const *head, size_t n, long long nrows)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, trc(lang, "export sheet", name));

	/* A translation too long for a sheet name (31 characters) or with a
	 * character Excel refuses: the English name. */
	if (ws == NULL)
		ws = workbook_add_worksheet(wb, name);
	size_t i;

	if (ws == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 32 : 16, NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)i, COL(lang, head[i]), f->head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, (lxw_row_t)(nrows > 0 ? nrows : 1), (lxw_col_t)(n - 1));
	return ws;
}

static void
num_or_blank(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, long long v)
{
	if (v >= 0)
		worksheet_write_number(ws, r, c, (double)v, NULL);
}

static void
ratio(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, long long part, long long whole,
    lxw_format *f)
{
	if (whole > 0)
		worksheet_write_number(ws, r, c, (double)part / (double)whole, f);
}

static double
jnum(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItem(o, a);

	return cJSON_GetNumberValue(b ? cJSON_GetObjectItem(x, b) : x);
}

/*
 * The funders' numbers of the matchmaking: "214 meetings held between 31
 * hospitals and 58 SMEs from 9 countries" — totals, then by organisation
 * type and by pair of types (db_match_stats's JSON).
 */
static int
match_sheet(lxw_workbook *wb, const struct xfmt *f, const char *lang, const cJSON *m)
{
	static const char *const h_sum[] = {NC_("export column", "Measure"),
		NC_("export column", "Value")};
	static const char *const h_type[] = {NC_("export column", "Organisation type"),
		NC_("export column", "Participants"), NC_("export column", "Participants who met"),
		NC_("export column", "Meetings held")};
	static const char *const h_pair[] = {NC_("export column", "Type A"),
		NC_("export column", "Type B"), NC_("export column", "Meetings scheduled"),
		NC_("export column", "Meetings held")};
	static const struct { const char *label, *a, *b; } rows[] = {
		{NC_("export row", "Meeting requests"), "meetings", "requested"},
		{NC_("export row", "Meetings agreed"), "meetings", "accepted"},
		{NC_("export row", "Requests declined"), "meetings", "declined"},
		{NC_("export row", "Requests expired"), "meetings", "expired"},
		{NC_("export row", "Meetings scheduled"), "meetings", "scheduled"},
		{NC_("export row", "Meetings held"), "meetings", "held"},
		{NC_("export row", "Meetings missed (no-show)"), "meetings", "no_show"},
		{NC_("export row", "Participants with a profile"), "participants", "profiles"},
		{NC_("export row", "Participants who met"), "participants", "met"},
		{NC_("export row", "Countries of participants who met"), "participants", "met_countries"},
	};
	const cJSON *types = cJSON_GetObjectItem(m, "by_organisation_type");
	const cJSON *pairs = cJSON_GetObjectItem(m, "pairs"), *x;
	lxw_worksheet *ws;
	lxw_row_t r;
	size_t i;

	if ((ws = sheet(wb, f, lang, NC_("export sheet", "Matchmaking"), h_sum, 2,
	    (long long)(sizeof(rows) / sizeof(rows[0])))) == NULL)
		return -1;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, trc(lang, "export row", rows[i].label), NULL);
		worksheet_write_number(ws, (lxw_row_t)(i + 1), 1, jnum(m, rows[i].a, rows[i].b), NULL);
	}
	if ((ws = sheet(wb, f, lang, NC_("export sheet", "Meetings by type"), h_type, 4,
	    (long long)cJSON_GetArraySize(types))) == NULL)
		return -1;
	r = 1;
	cJSON_ArrayForEach(x, types) {
		worksheet_write_string(ws, r, 0, match_orgtype_word(lang,
		    cJSON_GetStringValue(cJSON_GetObjectItem(x, "organisation_type"))), NULL);
		worksheet_write_number(ws, r, 1, jnum(x, "participants", NULL), NULL);
		worksheet_write_number(ws, r, 2, jnum(x, "met", NULL), NULL);
		worksheet_write_number(ws, r, 3, jnum(x, "held", NULL), NULL);
		r++;
	}
	if ((ws = sheet(wb, f, lang, NC_("export sheet", "Meetings by pair"), h_pair, 4,
	    (long long)cJSON_GetArraySize(pairs))) == NULL)
		return -1;
	r = 1;
	cJSON_ArrayForEach(x, pairs) {
		worksheet_write_string(ws, r, 0, match_orgtype_word(lang,
		    cJSON_GetStringValue(cJSON_GetObjectItem(x, "type_a"))), NULL);
		worksheet_write_string(ws, r, 1, match_orgtype_word(lang,
		    cJSON_GetStringValue(cJSON_GetObjectItem(x, "type_b"))), NULL);
		worksheet_write_number(ws, r, 2, jnum(x, "scheduled", NULL), NULL);
		worksheet_write_number(ws, r, 3, jnum(x, "held", NULL), NULL);
		r++;
	}
	return 0;
}

int
attendance_xlsx(const struct attendance *at, const char *event_name, const char *tz,
    const char *lang, const char *path, const char *tmpdir, const cJSON *match)
{
	static const char *const h_sum[] = {NC_("export column", "Measure"),
		NC_("export column", "Value")};
	static const char *const h_day[] = {NC_("export column", "Day"),
		NC_("export column", "Attendees checked in")};
	static const char *const h_ses[] = {NC_("export column", "Session"),
		NC_("export column", "Starts"), NC_("export column", "Room"),
		NC_("export column", "Signed up"), NC_("export column", "Checked in"),
		NC_("export column", "Capacity"), NC_("export column", "Fill %")};
	static const char *const h_tt[] = {NC_("export column", "Ticket type"),
		NC_("export column", "Confirmed"), NC_("export column", "Checked in"),
		NC_("export column", "No-shows"), NC_("export column", "No-show %"),
		NC_("export column", "Quota")};
	static const char *const h_org[] = {NC_("export column", "Organisation"),
		NC_("export column", "Confirmed"), NC_("export column", "Checked in"),
		NC_("export column", "No-shows"), NC_("export column", "No-show %")};
	static const char *const h_ans[] = {NC_("export column", "Question"),
		NC_("export column", "Answer"), NC_("export column", "Confirmed"),
		NC_("export column", "Checked in"), NC_("export column", "No-shows")};
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws;
	struct xfmt f;
	lxw_row_t r;
	size_t i, j, nans = 0;

	if (wb == NULL)
		return -1;
	xfmt_init(wb, &f);
	ws = sheet(wb, &f, lang, NC_("export sheet", "Summary"), h_sum, 2, 6);
	if (ws == NULL)
		goto fail;
	worksheet_write_string(ws, 1, 0, trc(lang, "export row", "Event"), NULL);
	worksheet_write_string(ws, 1, 1, event_name, NULL);
	worksheet_write_string(ws, 2, 0, trc(lang, "export row", "Confirmed registrations"), NULL);
	worksheet_write_number(ws, 2, 1, (double)at->confirmed, NULL);
	worksheet_write_string(ws, 3, 0, trc(lang, "export row", "Checked in"), NULL);
	worksheet_write_number(ws, 3, 1, (double)at->checked_in, NULL);
	worksheet_write_string(ws, 4, 0, trc(lang, "export row", "No-shows"), NULL);
	worksheet_write_number(ws, 4, 1, (double)(at->confirmed - at->checked_in), NULL);
	worksheet_write_string(ws, 5, 0, trc(lang, "export row", "No-show rate"), NULL);
	ratio(ws, 5, 1, at->confirmed - at->checked_in, at->confirmed, f.pct);
	worksheet_write_string(ws, 6, 0, trc(lang, "export row", "Capacity"), NULL);
	num_or_blank(ws, 6, 1, at->capacity);

	if ((ws = sheet(wb, &f, lang, NC_("export sheet", "By day"), h_day, 2, (long long)at->ndays)) == NULL)
		goto fail;
	for (i = 0, r = 1; i < at->ndays; i++, r++) {
		lxw_datetime d = {0};
		sscanf(at->days[i].name, "%d-%d-%d", &d.year, &d.month, &d.day);
		worksheet_write_datetime(ws, r, 0, &d, f.date);
		worksheet_write_number(ws, r, 1, (double)at->days[i].checked_in, NULL);
	}
	if ((ws = sheet(wb, &f, lang, NC_("export sheet", "By session"), h_ses, 7, (long long)at->nsessions)) == NULL)
		goto fail;
	for (i = 0, r = 1; i < at->nsessions; i++, r++) {
		const struct exp_session *s = &at->sessions[i];
		lxw_datetime d = local_lxw(tz, s->starts_at);
		worksheet_write_string(ws, r, 0, s->title, NULL);
		worksheet_write_datetime(ws, r, 1, &d, f.datetime);
		worksheet_write_string(ws, r, 2, s->room, NULL);
		worksheet_write_number(ws, r, 3, (double)s->signed_up, NULL);
		worksheet_write_number(ws, r, 4, (double)s->checked_in, NULL);
		num_or_blank(ws, r, 5, s->capacity);
		ratio(ws, r, 6, s->signed_up, s->capacity, f.pct);
	}
	if ((ws = sheet(wb, &f, lang, NC_("export sheet", "By ticket type"), h_tt, 6, (long long)at->nttypes)) == NULL)
		goto fail;
	for (i = 0, r = 1; i < at->nttypes; i++, r++) {
		const struct exp_count *k = &at->ttypes[i];
		worksheet_write_string(ws, r, 0, k->name, NULL);
		worksheet_write_number(ws, r, 1, (double)k->registered, NULL);
		worksheet_write_number(ws, r, 2, (double)k->checked_in, NULL);
		worksheet_write_number(ws, r, 3, (double)(k->registered - k->checked_in), NULL);
		ratio(ws, r, 4, k->registered - k->checked_in, k->registered, f.pct);
		num_or_blank(ws, r, 5, k->capacity);
	}
	if ((ws = sheet(wb, &f, lang, NC_("export sheet", "By organisation"), h_org, 5, (long long)at->norgs)) == NULL)
		goto fail;
	for (i = 0, r = 1; i < at->norgs; i++, r++) {
		const struct exp_count *k = &at->orgs[i];
		worksheet_write_string(ws, r, 0, k->name, NULL);
		worksheet_write_number(ws, r, 1, (double)k->registered, NULL);
		worksheet_write_number(ws, r, 2, (double)k->checked_in, NULL);
		worksheet_write_number(ws, r, 3, (double)(k->registered - k->checked_in), NULL);
		ratio(ws, r, 4, k->registered - k->checked_in, k->registered, f.pct);
	}
	for (i = 0; i < at->nanswers; i++)
		nans += at->answers[i].nvalues;
	if ((ws = sheet(wb, &f, lang, NC_("export sheet", "By answer"), h_ans, 5, (long long)nans)) == NULL)
		goto fail;
	for (i = 0, r = 1; i < at->nanswers; i++)
		for (j = 0; j < at->answers[i].nvalues; j++, r++) {
			const struct exp_count *k = &at->answers[i].values[j];
			worksheet_write_string(ws, r, 0, at->answers[i].question, NULL);
			worksheet_write_string(ws, r, 1, k->name, NULL);
			worksheet_write_number(ws, r, 2, (double)k->registered, NULL);
			worksheet_write_number(ws, r, 3, (double)k->checked_in, NULL);
			worksheet_write_number(ws, r, 4, (double)(k->registered - k->checked_in), NULL);
		}
	if (match != NULL && match_sheet(wb, &f, lang, match) != 0)
		goto fail;
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
fail:
	workbook_close(wb);
	return -1;
}

struct xlsx_attendees {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct xfmt f;
	const struct attendee_cols *c;
	lxw_row_t row;
};

struct xlsx_attendees *
attendees_xlsx_open(const char *path, const char *tmpdir, const struct attendee_cols *c)
{
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
	struct xlsx_attendees *x = calloc(1, sizeof(*x));
	size_t i;
	lxw_col_t col;

	if (x == NULL)
		return NULL;
	if ((x->wb = workbook_new_opt(path, &opt)) == NULL) {
		free(x);
		return NULL;
	}
	x->c = c;
	xfmt_init(x->wb, &x->f);
	if ((x->ws = workbook_add_worksheet(x->wb, trc(c->lang, "export sheet", "Attendees"))) == NULL) {
		workbook_close(x->wb);
		free(x);
		return NULL;
	}
	for (i = 0; i < NHEAD; i++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, COL(c->lang, attendee_head[i]), x->f.head);
	col = (lxw_col_t)NHEAD;
	for (i = 0; i < c->nquestions; i++)
		worksheet_write_string(x->ws, 0, col++, c->questions[i].label, x->f.head);
	worksheet_write_string(x->ws, 0, col++, COL(c->lang, "Sessions signed up"), x->f.head);
	worksheet_write_string(x->ws, 0, col, COL(c->lang, "Sessions attended"), x->f.head);
	worksheet_set_column(x->ws, 0, 0, 8, NULL);
	worksheet_set_column(x->ws, 1, 3, 26, NULL);
	worksheet_set_column(x->ws, 4, col, 18, NULL);
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 1;
	return x;
}

int
attendees_xlsx_row(struct xlsx_attendees *x, const struct exp_attendee *a)
{
	const struct attendee_cols *c = x->c;
	lxw_worksheet *ws = x->ws;
	lxw_row_t r = x->row++;
	lxw_datetime d;
	cJSON *answers = NULL;
	lxw_col_t col;
	char *s;
	size_t i;

	worksheet_write_number(ws, r, 0, (double)a->id, NULL);
	worksheet_write_string(ws, r, 1, a->name ? a->name : "", NULL);
	worksheet_write_string(ws, r, 2, a->email ? a->email : "", NULL);
	if (a->org != NULL && *a->org != '\0')
		worksheet_write_string(ws, r, 3, a->org, NULL);
	worksheet_write_string(ws, r, 4, a->ttype ? a->ttype : "", NULL);
	worksheet_write_string(ws, r, 5, a->status ? a->status : "", NULL);
	d = local_lxw(c->tz, a->registered_at);
	worksheet_write_datetime(ws, r, 6, &d, x->f.datetime);
	if (a->checked_in_at > 0) {
		d = local_lxw(c->tz, a->checked_in_at);
		worksheet_write_datetime(ws, r, 7, &d, x->f.datetime);
		if (a->gate != NULL && *a->gate != '\0')
			worksheet_write_string(ws, r, 8, a->gate, NULL);
	}
	col = (lxw_col_t)NHEAD;
	if (c->nquestions > 0 && a->answers != NULL)
		answers = cJSON_Parse(a->answers);
	for (i = 0; i < c->nquestions; i++, col++) {
		if (answers != NULL && (s = answer_text(answers, c->questions[i].id)) != NULL) {
			worksheet_write_string(ws, r, col, s, NULL);
			free(s);
		}
	}
	cJSON_Delete(answers);
	if ((s = session_titles(c, a->signed_ids)) != NULL) {
		worksheet_write_string(ws, r, col, s, NULL);
		free(s);
	}
	col++;
	if ((s = session_titles(c, a->attended_ids)) != NULL) {
		worksheet_write_string(ws, r, col, s, NULL);
		free(s);
	}
	return 0;
}

int
attendees_xlsx_close(struct xlsx_attendees *x)
{
	int rc;

	if (x->row > 1)
		worksheet_autofilter(x->ws, 0, 0, x->row - 1,
		    (lxw_col_t)(NHEAD + x->c->nquestions + 1));
	rc = workbook_close(x->wb) == LXW_NO_ERROR ? 0 : -1;
	free(x);
	return rc;
}
