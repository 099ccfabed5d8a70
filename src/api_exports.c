/*
 * Exports for organisers and admins: the attendee list and attendance
 * counts as CSV and XLSX, name badges and certificates as PDF.  Each is
 * written to the audit log (who took which personal data, and when).
 *
 * The attendee CSV streams: rows go from a MariaDB cursor through a small
 * buffer to the socket as the client reads, on a connection the stream
 * owns until it ends, so memory stays flat at any size.  XLSX and PDF
 * need the whole file before the first byte (a zip; a cross-reference
 * table), so they are built in CONFERO_TMPDIR (libxlsxwriter in constant
 * memory mode: rows go to a temporary file as they come) and then sent
 * from there, the file already unlinked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_i18n.h"
#include "arena.h"
#include "config.h"
#include "csv.h"
#include "export.h"
#include "http.h"
#include "i18n.h"
#include "json.h"
#include "log.h"
#include "registration.h"
#include "sbuf.h"
#include "timeutil.h"
#include "validate.h"

#define CT_CSV "text/csv; charset=utf-8; header=present"
#define CT_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CT_PDF "application/pdf"
#define BADGES_MAX 1000         /* per PDF; ?page=N for more */

void
attachment(struct req *r, const char *slug, const char *what)
{
	resp_header(r, "Content-Disposition",
	    arena_printf(r->arena, "attachment; filename=\"%s-%s\"", slug, what));
}

/* The audit row: which export, with which filters. */
static void
audit_export(struct req *r, struct db *d, const struct event_ref *ev, const char *what,
    long long object_id)
{
	static const char *const keys[] = {"status", "ticket_type", "checked_in", "q",
		"registration", "layout", "breakdown", "page", NULL};
	cJSON *o = cJSON_CreateObject(), *f;
	const char *v;
	char *details;
	size_t i;

	if (o == NULL)
		return;
	cJSON_AddStringToObject(o, "export", what);
	f = cJSON_AddObjectToObject(o, "filters");
	for (i = 0; keys[i] != NULL; i++)
		if ((v = req_query(r, keys[i])) != NULL && *v != '\0')
			cJSON_AddStringToObject(f, keys[i], v);
	details = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	db_audit(d, actor_kind(r), actor_id(r), "export", object_id ? "registration" : "event",
	    object_id ? object_id : ev->id, details);
	free(details);
}

/* A file in CONFERO_TMPDIR for a library to write; *path is arena memory. */
enum err
temp_path(struct req *r, char **path)
{
	int fd;

	*path = arena_printf(r->arena, "%s/confero-export-XXXXXX", cfg->tmpdir);
	if (*path == NULL)
		return ERR_INTERNAL;
	if ((fd = mkstemp(*path)) == -1) {
		log_err("export: cannot create a file in %s: %s", cfg->tmpdir, strerror(errno));
		return ERR_INTERNAL;
	}
	close(fd);
	return ERR_OK;
}

/*
 * A library could not build the export at path (it says no more than
 * that): log why, with the room left in CONFERO_TMPDIR, and remove the
 * file.  A full disk (or one nearly full while the file was being
 * written) is 503 `unavailable`, to try again once there is room; any
 * other failure 500.
 */
static enum err
export_failed(const char *path, const char *slug, const char *what)
{
	int saved = errno, full;
	unsigned long long kb = 0;
	struct statvfs vs;

	if (statvfs(cfg->tmpdir, &vs) == 0)
		kb = (unsigned long long)vs.f_bavail * vs.f_frsize / 1024;
	unlink(path);
	full = saved == ENOSPC || saved == EDQUOT || kb < 1024;
	log_err("export %s: cannot write %s in %s (%s; %llu KB free there)%s", slug, what,
	    cfg->tmpdir, saved ? strerror(saved) : "no error number", kb,
	    full ? ": the disk is full" : "");
	return full ? ERR_UNAVAILABLE : ERR_INTERNAL;
}

/* Send the finished file at path, which is removed at once. */
enum err
send_file(struct req *r, const char *path, const char *ctype)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	unlink(path);
	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		return ERR_INTERNAL;
	}
	return reply_fd(r, 200, ctype, fd, (size_t)st.st_size);
}

/* ---- the attendee list */

struct att_stream {
	struct db *d;
	struct arena *a;
	struct exp_cursor *cur;
	struct attendee_cols cols;
	struct sbuf buf;
	size_t off;
	int ended;
	char tz[65];
	char slug[65];
};

static void
att_done(void *cls)
{
	struct att_stream *s = cls;
	enum err e = db_exp_close(s->cur);

	if (e != ERR_OK || !s->ended)
		log_warn("export %s: attendee list ended early (%s)", s->slug,
		    e != ERR_OK ? err_code(e) : "client went away");
	if (s->d != NULL)
		db_release(s->d);
	sb_free(&s->buf);
	arena_free(s->a);
	free(s);
}

static long
att_fill(void *cls, char *out, size_t max)
{
	struct att_stream *s = cls;
	struct exp_attendee a;
	size_t n;
	int rc;

	while (!s->ended && s->buf.len - s->off < max) {
		if (s->off > 0 && s->off == s->buf.len) {
			sb_reset(&s->buf);
			s->off = 0;
		}
		if ((rc = db_exp_attendees_next(s->cur, &a)) < 0)
			return -1;
		if (rc == 0) {
			s->ended = 1;
			break;
		}
		if (attendee_csv_line(&s->cols, &a, &s->buf) != 0 || s->buf.failed)
			return -1;
	}
	n = s->buf.len - s->off;
	if (n == 0)
		return 0;
	if (n > max)
		n = max;
	memcpy(out, s->buf.p + s->off, n);
	s->off += n;
	if (s->off == s->buf.len) {
		sb_reset(&s->buf);
		s->off = 0;
	}
	return (long)n;
}

static enum err
attendee_columns(struct db *d, struct arena *a, const struct event_ref *ev,
    struct attendee_cols *c)
{
	struct exp_question *q;
	struct exp_session *s;
	enum err e;

	memset(c, 0, sizeof(*c));
	if ((e = db_exp_questions(d, a, ev->id, &q, &c->nquestions)) != ERR_OK ||
	    (e = db_exp_sessions(d, a, ev->id, &s, &c->nsessions)) != ERR_OK)
		return e;
	c->questions = q;
	c->sessions = s;
	return ERR_OK;
}

static enum err
attendees_csv(struct req *r, const struct event_ref *ev, const struct reg_filter *f,
    struct db *d)
{
	struct att_stream *s;
	const char *bom = req_query(r, "bom");
	enum err e;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_INTERNAL;
	snprintf(s->tz, sizeof(s->tz), "%s", ev->tz);
	snprintf(s->slug, sizeof(s->slug), "%s", ev->slug);
	if ((s->a = arena_new()) == NULL) {
		free(s);
		return ERR_INTERNAL;
	}
	if ((e = attendee_columns(d, s->a, ev, &s->cols)) != ERR_OK)
		goto fail;
	s->cols.tz = s->tz;
	s->cols.lang = req_lang(r, NULL, 0);
	if (bom != NULL && (strcmp(bom, "1") == 0 || strcmp(bom, "true") == 0))
		sb_str(&s->buf, CSV_BOM);
	attendee_csv_line(&s->cols, NULL, &s->buf);
	if (s->buf.failed) {
		e = ERR_INTERNAL;
		goto fail;
	}
	if ((e = db_exp_attendees_open(d, ev->id, f, &s->cur)) != ERR_OK)
		goto fail;
	/* The stream owns the connection from here until att_done. */
	s->d = r->db;
	r->db = NULL;
	attachment(r, ev->slug, "attendees.csv");
	return reply_stream(r, 200, CT_CSV, att_fill, att_done, s);
fail:
	sb_free(&s->buf);
	arena_free(s->a);
	free(s);
	return e;
}

static enum err
attendees_xlsx(struct req *r, const struct event_ref *ev, const struct reg_filter *f,
    struct db *d)
{
	struct attendee_cols cols;
	struct xlsx_attendees *x;
	struct exp_cursor *cur;
	struct exp_attendee a;
	char *path;
	enum err e, e2;
	int rc;

	if ((e = attendee_columns(d, r->arena, ev, &cols)) != ERR_OK)
		return e;
	cols.tz = ev->tz;
	cols.lang = req_lang(r, NULL, 0);
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	errno = 0;
	if ((x = attendees_xlsx_open(path, cfg->tmpdir, &cols)) == NULL)
		return export_failed(path, ev->slug, "attendees.xlsx");
	if ((e = db_exp_attendees_open(d, ev->id, f, &cur)) != ERR_OK) {
		attendees_xlsx_close(x);
		unlink(path);
		return e;
	}
	while ((rc = db_exp_attendees_next(cur, &a)) == 1)
		attendees_xlsx_row(x, &a);
	e2 = db_exp_close(cur);
	errno = 0;
	if (attendees_xlsx_close(x) != 0 && rc >= 0 && e2 == ERR_OK)
		return export_failed(path, ev->slug, "attendees.xlsx");
	if (rc < 0 || e2 != ERR_OK) {
		unlink(path);
		return e2 != ERR_OK ? e2 : ERR_INTERNAL;
	}
	attachment(r, ev->slug, "attendees.xlsx");
	return send_file(r, path, CT_XLSX);
}

static enum err
export_attendees(struct req *r, int xlsx)
{
	struct reg_filter f;
	struct event_ref ev;
	const char *sort;
	struct db *d;
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK ||
	    (e = reg_filter_query(r, &f)) != ERR_OK)
		return e;
	/* sort=name: as people of the event's language sort names. */
	if ((sort = req_query(r, "sort")) != NULL && strcmp(sort, "name") == 0)
		f.sort_lang = ev.langs[0];
	else if (sort != NULL && *sort != '\0' && strcmp(sort, "registered") != 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, "sort", "invalid");
		return ERR_INVALID;
	}
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	audit_export(r, d, &ev, xlsx ? "attendees.xlsx" : "attendees.csv", 0);
	return xlsx ? attendees_xlsx(r, &ev, &f, d) : attendees_csv(r, &ev, &f, d);
}

enum err
api_export_attendees_csv(struct req *r)
{
	return export_attendees(r, 0);
}

enum err
api_export_attendees_xlsx(struct req *r)
{
	return export_attendees(r, 1);
}

/* ---- attendance counts */

static const char *const breakdowns[] = {"summary", "day", "session", "ticket_type",
	"organisation", "answer", NULL};

static enum err
export_attendance(struct req *r, int xlsx)
{
	const char *bd = req_query(r, "breakdown"), *bom = req_query(r, "bom");
	struct attendance at;
	struct event_ref ev;
	struct sbuf out = {0};
	struct db *d;
	char *path;
	enum err e;
	size_t i;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (bd != NULL && *bd == '\0')
		bd = NULL;
	if (bd != NULL) {
		for (i = 0; breakdowns[i] != NULL && strcmp(breakdowns[i], bd) != 0; i++)
			continue;
		if (breakdowns[i] == NULL || xlsx) {
			vld_fail(&(struct vld){req_fields(r), 0}, "breakdown", "invalid");
			return ERR_INVALID;
		}
	}
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	audit_export(r, d, &ev, xlsx ? "attendance.xlsx" : "attendance.csv", 0);
	if ((e = attendance_count(d, r->arena, ev.id, ev.tz, ev.capacity, &at)) != ERR_OK)
		return e;
	if (xlsx) {
		if ((e = temp_path(r, &path)) != ERR_OK)
			return e;
		/* The meetings, for events with matchmaking (funders ask for both). */
		cJSON *stats = cJSON_CreateObject();
		arena_defer(r->arena, (void (*)(void *))cJSON_Delete, stats);
		if ((e = match_stats_json(d, ev.id, stats)) != ERR_OK)
			return e;
		errno = 0;
		if (attendance_xlsx(&at, ev.name, ev.tz, req_lang(r, NULL, 0), path, cfg->tmpdir,
		    cJSON_GetObjectItem(stats, "matchmaking")) != 0)
			return export_failed(path, ev.slug, "attendance.xlsx");
		attachment(r, ev.slug, "attendance.xlsx");
		return send_file(r, path, CT_XLSX);
	}
	if (attendance_csv(&at, ev.tz, bd, bom != NULL && (strcmp(bom, "1") == 0 ||
	    strcmp(bom, "true") == 0), &out) != 0) {
		sb_free(&out);
		return ERR_INTERNAL;
	}
	arena_defer(r->arena, free, out.p);
	attachment(r, ev.slug, "attendance.csv");
	return reply_data(r, 200, CT_CSV, out.p ? out.p : "", out.len);
}

enum err
api_export_attendance_csv(struct req *r)
{
	return export_attendance(r, 0);
}

enum err
api_export_attendance_xlsx(struct req *r)
{
	return export_attendance(r, 1);
}

/* ---- badges and certificates */

static enum err
query_id(struct req *r, const char *key, long long *id)
{
	const char *s = req_query(r, key);

	*id = 0;
	if (s == NULL || *s == '\0')
		return ERR_OK;
	if ((*id = parse_id(s)) == 0) {
		vld_fail(&(struct vld){req_fields(r), 0}, key, "invalid");
		return ERR_INVALID;
	}
	return ERR_OK;
}

/* Each badge in its attendee's language: the event's name and the ticket type. */
static void
badges_localise(struct req *r, struct db *d, const struct event_ref *ev,
    struct badge *b, size_t n)
{
	cJSON *evj = NULL, *evtr, *tt;
	const char *lang, *s;

	if (db_event_json(d, ev->id, ev->tz, &evj) != ERR_OK)
		return;
	evtr = cJSON_GetObjectItem(evj, "tr");
	for (size_t i = 0; i < n; i++) {
		if ((lang = i18n_match(b[i].lang, -1)) == NULL)
			lang = ev->langs[0];
		if ((s = content_pick(evtr, "name", lang)) != NULL)
			b[i].event_name = arena_strdup(r->arena, s);
		if (b[i].ttype_tr != NULL && (tt = cJSON_Parse(b[i].ttype_tr)) != NULL) {
			if ((s = content_pick(tt, "name", lang)) != NULL)
				b[i].ttype = arena_strdup(r->arena, s);
			cJSON_Delete(tt);
		}
	}
	cJSON_Delete(evj);
}

enum err
api_export_badges(struct req *r)
{
	const char *layout = req_query(r, "layout");
	long long ttype, reg, page;
	struct event_ref ev;
	struct badge *b;
	struct db *d;
	enum badge_layout lay = BADGE_A6;
	char *path;
	size_t n;
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK ||
	    (e = query_id(r, "ticket_type", &ttype)) != ERR_OK ||
	    (e = query_id(r, "registration", &reg)) != ERR_OK ||
	    (e = query_id(r, "page", &page)) != ERR_OK)
		return e;
	if (page == 0)
		page = 1;
	if (layout != NULL && *layout != '\0') {
		if (strcmp(layout, "a4") == 0)
			lay = BADGE_A4x4;
		else if (strcmp(layout, "a6") != 0) {
			vld_fail(&(struct vld){req_fields(r), 0}, "layout", "invalid");
			return ERR_INVALID;
		}
	}
	if (page > 100000)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_exp_badges(d, r->arena, ev.id, ttype, reg, BADGES_MAX,
	    (page - 1) * BADGES_MAX, &b, &n)) != ERR_OK)
		return e;
	if (n == 0)
		return req_fail(r, ERR_NOTFOUND, "no_badges",
		    "No confirmed registration with a ticket matches.");
	badges_localise(r, d, &ev, b, n);
	audit_export(r, d, &ev, "badges.pdf", reg);
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	errno = 0;
	if (pdf_badges(path, cfg->font, cfg->font_bold, ev.name, b, n, lay) != 0)
		return export_failed(path, ev.slug, "badges.pdf (or its font)");
	attachment(r, ev.slug, "badges.pdf");
	return send_file(r, path, CT_PDF);
}

/* "14. maj 2027", "14.–15. maj 2027", … in lang (CLDR intervals). */
static char *
date_range(struct arena *a, const char *lang, const char *tz, long long from,
    long long to)
{
	char buf[200];

	if (i18n_date_range(lang, tz, from, to, buf, sizeof(buf)) != 0 &&
	    i18n_date(lang, tz, from, DF_DATE_LONG, buf, sizeof(buf)) != 0)
		return NULL;
	return arena_strdup(a, buf);
}

enum err
api_registration_certificate(struct req *r)
{
	struct cert_info c;
	struct event_ref ev;
	struct exp_session *s;
	const char *id_s = req_param(r, "id");
	long long id;
	cJSON *reg;
	struct db *d;
	char *path;
	size_t n;
	enum err e;
	const cJSON *ck;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if (id_s == NULL || (id = parse_id(id_s)) == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_reg_json(d, ev.id, id, ev.tz, &reg)) != ERR_OK)
		return e;
	arena_defer(r->arena, (void (*)(void *))cJSON_Delete, reg);
	if ((e = db_exp_cert_sessions(d, r->arena, ev.id, id, &s, &n)) != ERR_OK)
		return e;
	ck = cJSON_GetObjectItemCaseSensitive(reg, "checked_in_at");
	if (!cJSON_IsString(ck) && n == 0)
		return req_fail(r, ERR_CONFLICT, "not_checked_in",
		    "A certificate of attendance needs a check-in at the event.");
	memset(&c, 0, sizeof(c));
	/* In the attendee's language, whoever prints it. */
	c.lang = i18n_match(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reg, "language")), -1);
	if (c.lang == NULL)
		c.lang = ev.langs[0];
	c.name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reg, "name"));
	c.org = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reg, "organisation"));
	c.event_name = ev.name;
	c.venue = "";
	c.dates = date_range(r->arena, c.lang, ev.tz, ev.starts_at, ev.ends_at);
	c.issued = date_range(r->arena, c.lang, ev.tz, (long long)time(NULL), (long long)time(NULL));
	c.reg_id = id;
	c.sessions = s;
	c.nsessions = n;
	c.tz = ev.tz;
	if (c.name == NULL || c.dates == NULL || c.issued == NULL)
		return ERR_INTERNAL;
	audit_export(r, d, &ev, "certificate.pdf", id);
	if ((e = temp_path(r, &path)) != ERR_OK)
		return e;
	errno = 0;
	if (pdf_certificate(path, cfg->font, cfg->font_bold, &c) != 0)
		return export_failed(path, ev.slug, "certificate.pdf");
	resp_header(r, "Content-Disposition", arena_printf(r->arena,
	    "attachment; filename=\"%s-certificate-%lld.pdf\"", ev.slug, id));
	return send_file(r, path, CT_PDF);
}
