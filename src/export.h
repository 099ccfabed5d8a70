/*
 * Exports for organisers: the attendee list (CSV, XLSX) streamed row by
 * row from MariaDB, attendance counts by day, session, ticket type,
 * organisation and answer (CSV, XLSX), and printable PDFs (badges,
 * certificates of attendance).  db_export.c holds the SQL, export.c the
 * counting and the CSV/XLSX writing, pdf.c the PDFs, api_exports.c the
 * HTTP side.
 */
#ifndef CONFERO_EXPORT_H
#define CONFERO_EXPORT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "registration.h"

/* ---- db_export.c ---- */

/* One attendee row; the strings live until the next call. */
struct exp_attendee {
	long long id;
	const char *name, *email, *org, *ttype, *status, *gate;
	long long registered_at;        /* epoch */
	long long checked_in_at;        /* epoch, 0: not checked in */
	const char *answers;            /* JSON object or NULL */
	const char *signed_ids;         /* "3,7" session ids, or NULL */
	const char *attended_ids;
};
struct exp_cursor;
/* The connection streams until db_exp_close; run nothing else on it. */
enum err db_exp_attendees_open(struct db *, long long event_id,
    const struct reg_filter *, struct exp_cursor **);
/* 1: *a filled; 0: end; -1: error (db_exp_close returns it). */
int db_exp_attendees_next(struct exp_cursor *, struct exp_attendee *a);
enum err db_exp_close(struct exp_cursor *);

struct exp_question {
	long long id;
	char *label;
	char kind[16];
	cJSON *options;                 /* array of strings or NULL */
};
struct exp_session {
	long long id;
	char *title, *room;
	long long starts_at, ends_at;
	long long capacity;             /* -1: none */
	long long signed_up, checked_in;
};
/* Counts: name, registered (confirmed), checked in, capacity or -1. */
struct exp_count {
	char *name;
	long long registered, checked_in, capacity;
};
/* One check-in: registration and epoch (for attendees per day). */
struct exp_visit {
	long long reg, at;
};
/* What the answers breakdown needs of each confirmed registration. */
typedef enum err (*exp_answer_cb)(void *ctx, const char *answers_json,
    int checked_in);

/* Lists are allocated in the arena. */
struct arena;
enum err db_exp_questions(struct db *, struct arena *, long long event_id,
    struct exp_question **, size_t *n);
enum err db_exp_sessions(struct db *, struct arena *, long long event_id,
    struct exp_session **, size_t *n);
enum err db_exp_ttypes(struct db *, struct arena *, long long event_id,
    struct exp_count **, size_t *n);
enum err db_exp_orgs(struct db *, struct arena *, long long event_id,
    struct exp_count **, size_t *n);
/* malloc'd array (the caller frees): there may be many. */
enum err db_exp_visits(struct db *, long long event_id,
    struct exp_visit **, size_t *n);
enum err db_exp_answers(struct db *, long long event_id, exp_answer_cb,
    void *ctx);

struct badge {
	long long reg_id;
	char *name, *org, *ttype, *code;
	char *lang, *ttype_tr;          /* the attendee's language; the type's tr */
	const char *event_name;         /* in that language; NULL: the PDF's */
};
/* ttype_id, reg_id 0: any.  At most limit badges from offset. */
enum err db_exp_badges(struct db *, struct arena *, long long event_id,
    long long ttype_id, long long reg_id, long long limit, long long offset,
    struct badge **, size_t *n);
/* The programme sessions the registration was checked in at. */
enum err db_exp_cert_sessions(struct db *, struct arena *, long long event_id,
    long long reg_id, struct exp_session **, size_t *n);

/* ---- export.c ---- */

/* The whole attendance picture of an event, counted. */
struct attendance {
	long long confirmed, checked_in;
	long long capacity;             /* -1: unlimited */
	struct exp_count *days;         /* name "YYYY-MM-DD", checked_in */
	size_t ndays;
	struct exp_session *sessions;
	size_t nsessions;
	struct exp_count *ttypes, *orgs;
	size_t nttypes, norgs;
	struct att_answer {
		const char *question;
		struct exp_count *values;
		size_t nvalues, cap;
	} *answers;
	size_t nanswers;
};
enum err attendance_count(struct db *, struct arena *, long long event_id,
    const char *tz, long long capacity, struct attendance *);

/* Attendance as CSV (every breakdown, or the one named) into out. */
struct sbuf;
int attendance_csv(const struct attendance *, const char *tz,
    const char *breakdown, int bom, struct sbuf *out);
/* Attendance as an XLSX file at path, one sheet per breakdown. */
int attendance_xlsx(const struct attendance *, const char *event_name,
    const char *tz, const char *lang, const char *path, const char *tmpdir,
    const cJSON *match);

/* Column headings and cell text of one attendee row (shared by CSV, XLSX). */
struct attendee_cols {
	const struct exp_question *questions;
	size_t nquestions;
	const struct exp_session *sessions;
	size_t nsessions;
	const char *tz;
	const char *lang;               /* of the headings (i18n) */
};
/* Writes one CSV line for the header (a == NULL) or a row. */
int attendee_csv_line(const struct attendee_cols *, const struct exp_attendee *a,
    struct sbuf *out);
/* An answer as text: strings as they are, arrays joined by "; ", booleans
 * as yes/no.  Returns a malloc'd string or NULL for no answer. */
char *answer_text(const cJSON *answers, long long qid);
/* Session titles for "3,7" (ids) joined by "; ", malloc'd, or NULL. */
char *session_titles(const struct attendee_cols *, const char *ids);
/* Local wall-clock time of epoch in tz as "YYYY-MM-DD HH:MM". */
void local_time_text(const char *tz, long long epoch, char out[20]);

/* ---- pdf.c ---- */
enum badge_layout { BADGE_A6, BADGE_A4x4 };
/* Write the PDF to path; 0 on success. */
int pdf_badges(const char *path, const char *font_path, const char *font_bold_path,
    const char *event_name, const struct badge *, size_t n, enum badge_layout);
struct cert_info {
	const char *lang;               /* the attendee's */
	const char *name, *org, *event_name, *venue, *dates, *issued;
	long long reg_id;
	const struct exp_session *sessions;
	size_t nsessions;
	const char *tz;
};
int pdf_certificate(const char *path, const char *font_path,
    const char *font_bold_path, const struct cert_info *);



/* ---- export.c: the attendee list as XLSX (constant memory) ---- */
struct xlsx_attendees;
struct xlsx_attendees *attendees_xlsx_open(const char *path, const char *tmpdir,
    const struct attendee_cols *);
int attendees_xlsx_row(struct xlsx_attendees *, const struct exp_attendee *);
/* Writes the file; 0 on success.  Frees x either way. */
int attendees_xlsx_close(struct xlsx_attendees *);
#endif
