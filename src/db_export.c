/*
 * The SQL side of exports.  The attendee list streams through a cursor so
 * 100,000 rows cost no more memory than one; the breakdowns are small
 * (one row per session, ticket type, organisation) and read whole.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "export.h"

struct exp_cursor {
	struct db_cursor *c;
};

/* The statement for an order: by id, or by name in a language's collation. */
static enum stmt
attendee_order(const char *lang)
{
	static const struct {
		const char *lang;
		enum stmt st;
	} by[] = {{"sl", STMT_EXP_ATT_NAME_SL}, {"hu", STMT_EXP_ATT_NAME_HU},
		{"da", STMT_EXP_ATT_NAME_DA}, {"de", STMT_EXP_ATT_NAME_DE}};

	if (lang == NULL)
		return STMT_EXP_ATTENDEES;
	for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++)
		if (strcmp(lang, by[i].lang) == 0)
			return by[i].st;
	return STMT_EXP_ATT_NAME;       /* the Unicode order (Cyrillic, English, …) */
}

enum err
db_exp_attendees_open(struct db *d, long long event_id, const struct reg_filter *f,
    struct exp_cursor **out)
{
	struct dbv a[] = {V_INT(event_id), V_STR(f->status), V_STR(f->status),
	    V_ID(f->ttype_id), V_ID(f->ttype_id), V_STR(f->q), V_STR(f->q),
	    V_STR(f->q), V_STR(f->q),
	    f->checked_in >= 0 ? V_INT(f->checked_in) : V_NULL,
	    f->checked_in >= 0 ? V_INT(f->checked_in) : V_NULL};
	struct exp_cursor *x;
	enum err e;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return ERR_INTERNAL;
	if ((e = db_cursor_open(d, attendee_order(f->sort_lang), a, NARGS(a), &x->c)) != ERR_OK) {
		free(x);
		return e;
	}
	*out = x;
	return ERR_OK;
}

int
db_exp_attendees_next(struct exp_cursor *x, struct exp_attendee *a)
{
	const struct dbrow *r;
	int rc;

	if ((rc = db_cursor_next(x->c, &r)) != 1)
		return rc;
	a->id = row_ll(r, 0);
	a->name = row_str(r, 1);
	a->email = row_str(r, 2);
	a->org = row_str(r, 3);
	a->ttype = row_str(r, 4);
	a->status = row_str(r, 5);
	a->registered_at = row_ll(r, 6);
	a->checked_in_at = row_ll(r, 7);
	a->gate = row_str(r, 8);
	a->answers = row_str(r, 9);
	a->signed_ids = row_str(r, 10);
	a->attended_ids = row_str(r, 11);
	return 1;
}

enum err
db_exp_close(struct exp_cursor *x)
{
	enum err e;

	if (x == NULL)
		return ERR_OK;
	e = db_cursor_close(x->c);
	free(x);
	return e;
}

/* A growing arena array of fixed-size items. */
struct collect {
	struct arena *a;
	void *items;
	size_t n, cap, size;
};

static void *
collect_next(struct collect *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		void *p = arena_alloc(c->a, cap * c->size);
		if (p == NULL)
			return NULL;
		if (c->n > 0)
			memcpy(p, c->items, c->n * c->size);
		c->items = p;
		c->cap = cap;
	}
	return (char *)c->items + c->n++ * c->size;
}

static char *
adup(struct arena *a, const char *s)
{
	return arena_strdup(a, s != NULL ? s : "");
}

static enum err
question_row(void *ctx, const struct dbrow *r)
{
	struct collect *c = ctx;
	struct exp_question *q = collect_next(c);
	const char *opts;

	if (q == NULL)
		return ERR_INTERNAL;
	q->id = row_ll(r, 0);
	q->label = adup(c->a, row_str(r, 1));
	row_cpy(r, 2, q->kind, sizeof(q->kind));
	q->options = NULL;
	if ((opts = row_str(r, 4)) != NULL && (q->options = cJSON_Parse(opts)) != NULL)
		arena_defer(c->a, (void (*)(void *))cJSON_Delete, q->options);
	return q->label != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
db_exp_questions(struct db *d, struct arena *a, long long event_id,
    struct exp_question **out, size_t *n)
{
	struct collect c = {a, NULL, 0, 0, sizeof(**out)};
	struct dbv v[] = {V_INT(event_id)};
	enum err e = db_query(d, STMT_QUESTION_LIST, v, NARGS(v), question_row, &c);

	*out = c.items;
	*n = c.n;
	return e;
}

static enum err
session_row(void *ctx, const struct dbrow *r)
{
	struct collect *c = ctx;
	struct exp_session *s = collect_next(c);

	if (s == NULL)
		return ERR_INTERNAL;
	memset(s, 0, sizeof(*s));
	s->title = adup(c->a, row_str(r, 0 + (r->n == 8)));
	if (r->n == 8) {                /* STMT_EXP_SESSIONS */
		s->id = row_ll(r, 0);
		s->starts_at = row_ll(r, 2);
		s->ends_at = row_ll(r, 3);
		s->room = adup(c->a, row_str(r, 4));
		s->capacity = row_str(r, 5) != NULL ? row_ll(r, 5) : -1;
		s->signed_up = row_ll(r, 6);
		s->checked_in = row_ll(r, 7);
	} else {                        /* STMT_EXP_CERT_SESSIONS */
		s->starts_at = row_ll(r, 1);
		s->ends_at = row_ll(r, 2);
		s->room = adup(c->a, row_str(r, 3));
		s->capacity = -1;
	}
	return s->title != NULL && s->room != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
db_exp_sessions(struct db *d, struct arena *a, long long event_id,
    struct exp_session **out, size_t *n)
{
	struct collect c = {a, NULL, 0, 0, sizeof(**out)};
	struct dbv v[] = {V_INT(event_id), V_INT(event_id), V_INT(event_id)};
	enum err e = db_query(d, STMT_EXP_SESSIONS, v, NARGS(v), session_row, &c);

	*out = c.items;
	*n = c.n;
	return e;
}

enum err
db_exp_cert_sessions(struct db *d, struct arena *a, long long event_id,
    long long reg_id, struct exp_session **out, size_t *n)
{
	struct collect c = {a, NULL, 0, 0, sizeof(**out)};
	struct dbv v[] = {V_INT(reg_id), V_INT(event_id)};
	enum err e = db_query(d, STMT_EXP_CERT_SESSIONS, v, NARGS(v), session_row, &c);

	*out = c.items;
	*n = c.n;
	return e;
}

/* name, [capacity,] registered, checked_in */
static enum err
count_row(void *ctx, const struct dbrow *r)
{
	struct collect *c = ctx;
	struct exp_count *k = collect_next(c);
	const char *name = row_str(r, 0);

	if (k == NULL)
		return ERR_INTERNAL;
	k->name = adup(c->a, name);
	if (r->n == 4) {
		k->capacity = row_str(r, 1) != NULL ? row_ll(r, 1) : -1;
		k->registered = row_ll(r, 2);
		k->checked_in = row_ll(r, 3);
	} else {
		k->capacity = -1;
		k->registered = row_ll(r, 1);
		k->checked_in = row_ll(r, 2);
	}
	return k->name != NULL ? ERR_OK : ERR_INTERNAL;
}

static enum err
counts(struct db *d, enum stmt id, struct arena *a, long long event_id,
    struct exp_count **out, size_t *n)
{
	struct collect c = {a, NULL, 0, 0, sizeof(**out)};
	struct dbv v[] = {V_INT(event_id)};
	enum err e = db_query(d, id, v, NARGS(v), count_row, &c);

	*out = c.items;
	*n = c.n;
	return e;
}

enum err
db_exp_ttypes(struct db *d, struct arena *a, long long event_id,
    struct exp_count **out, size_t *n)
{
	return counts(d, STMT_EXP_TTYPES, a, event_id, out, n);
}

enum err
db_exp_orgs(struct db *d, struct arena *a, long long event_id,
    struct exp_count **out, size_t *n)
{
	return counts(d, STMT_EXP_ORGS, a, event_id, out, n);
}

struct visits {
	struct exp_visit *v;
	size_t n, cap;
};

static enum err
visit_row(void *ctx, const struct dbrow *r)
{
	struct visits *x = ctx;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 1024;
		struct exp_visit *p = realloc(x->v, cap * sizeof(*p));
		if (p == NULL)
			return ERR_INTERNAL;
		x->v = p;
		x->cap = cap;
	}
	x->v[x->n].reg = row_ll(r, 0);
	x->v[x->n].at = row_ll(r, 1);
	x->n++;
	return ERR_OK;
}

enum err
db_exp_visits(struct db *d, long long event_id, struct exp_visit **out, size_t *n)
{
	struct visits x = {NULL, 0, 0};
	struct dbv v[] = {V_INT(event_id)};
	enum err e = db_query_stream(d, STMT_EXP_DAYS, v, NARGS(v), visit_row, &x);

	if (e != ERR_OK) {
		free(x.v);
		x.v = NULL;
		x.n = 0;
	}
	*out = x.v;
	*n = x.n;
	return e;
}

struct answers_ctx {
	exp_answer_cb fn;
	void *ctx;
};

static enum err
answer_row(void *ctx, const struct dbrow *r)
{
	struct answers_ctx *x = ctx;

	return x->fn(x->ctx, row_str(r, 0), row_ll(r, 1) != 0);
}

enum err
db_exp_answers(struct db *d, long long event_id, exp_answer_cb fn, void *ctx)
{
	struct answers_ctx x = {fn, ctx};
	struct dbv v[] = {V_INT(event_id)};

	return db_query_stream(d, STMT_EXP_ANSWERS, v, NARGS(v), answer_row, &x);
}

static enum err
badge_row(void *ctx, const struct dbrow *r)
{
	struct collect *c = ctx;
	struct badge *b = collect_next(c);

	if (b == NULL)
		return ERR_INTERNAL;
	b->reg_id = row_ll(r, 0);
	b->name = adup(c->a, row_str(r, 1));
	b->org = adup(c->a, row_str(r, 2));
	b->ttype = adup(c->a, row_str(r, 3));
	b->code = adup(c->a, row_str(r, 4));
	b->lang = adup(c->a, row_str(r, 5));
	b->ttype_tr = row_str(r, 6) ? adup(c->a, row_str(r, 6)) : NULL;
	b->event_name = NULL;
	return b->name && b->org && b->ttype && b->code ? ERR_OK : ERR_INTERNAL;
}

enum err
db_exp_badges(struct db *d, struct arena *a, long long event_id, long long ttype_id,
    long long reg_id, long long limit, long long offset, struct badge **out, size_t *n)
{
	struct collect c = {a, NULL, 0, 0, sizeof(**out)};
	struct dbv v[] = {V_INT(event_id), V_ID(ttype_id), V_ID(ttype_id), V_ID(reg_id),
	    V_ID(reg_id), V_INT(limit), V_INT(offset)};
	enum err e = db_query(d, STMT_EXP_BADGES, v, NARGS(v), badge_row, &c);

	*out = c.items;
	*n = c.n;
	return e;
}
