/* SQL for registrations, tickets, check-ins, the scan log and stats. */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "registration.h"
#include "timeutil.h"
#include "validate.h"

struct ttr_ctx {
	struct ttype_rules *t;
	int found;
};

static enum err
ttr_row(void *ctx, const struct dbrow *r)
{
	struct ttr_ctx *c = ctx;

	c->t->id = row_ll(r, 0);
	c->t->price_cents = row_ll(r, 1);
	c->t->requires_approval = (int)row_ll(r, 2);
	c->t->all_sessions = (int)row_ll(r, 3);
	c->t->sale_starts = row_ll(r, 4);
	c->t->sale_ends = row_ll(r, 5);
	row_cpy(r, 6, c->t->name, sizeof(c->t->name));
	c->found = 1;
	return ERR_OK;
}

enum err
db_ttype_rules(struct db *d, long long event_id, long long id,
    struct ttype_rules *t)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};
	struct ttr_ctx c = {t, 0};
	enum err e;

	memset(t, 0, sizeof(*t));
	if ((e = db_query(d, STMT_TTYPE_RULES, a, NARGS(a), ttr_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

struct sr_ctx {
	int exists, signup, included;
};

static enum err
sr_row(void *ctx, const struct dbrow *r)
{
	struct sr_ctx *c = ctx;

	c->exists = 1;
	c->signup = (int)row_ll(r, 1);
	c->included = (int)row_ll(r, 2);
	return ERR_OK;
}

enum err
db_session_rules(struct db *d, long long event_id, long long ttype_id,
    long long session_id, int *exists, int *signup, int *included)
{
	struct dbv a[] = {V_INT(ttype_id), V_INT(session_id), V_INT(event_id)};
	struct sr_ctx c = {0, 0, 0};
	enum err e;

	e = db_query(d, STMT_SESSION_RULES, a, NARGS(a), sr_row, &c);
	*exists = c.exists;
	*signup = c.signup;
	*included = c.included;
	return e;
}

enum err
db_question_rules(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_QUESTION_RULES, a, NARGS(a),
	    "id:i,kind:s,required:b,options:j,tr:j", NULL, array);
}

enum err
db_reg_insert(struct db *d, struct reg_request *rq, const char *status, int holds)
{
	struct dbv a[] = {V_INT(rq->event_id), V_INT(rq->ttype_id), V_STR(rq->name),
	    V_STR(rq->email), V_STR(rq->email_lc),
	    V_STR(rq->organisation ? rq->organisation : ""), V_STR(status),
	    V_INT(holds), V_STR(rq->answers), V_BIN(rq->manage_hash, 32),
	    rq->manage_sealed_len ? V_BIN(rq->manage_sealed, rq->manage_sealed_len) : V_NULL,
	    V_STR(rq->language ? rq->language : "en"), V_STR(rq->language ? rq->language : "en"),
	    V_INT(rq->consent_version)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_REG_INSERT, a, NARGS(a), NULL, &iid);
	rq->id = (long long)iid;
	return e;
}

enum err
db_idem_insert(struct db *d, long long event_id, const unsigned char key[32],
    const unsigned char body[32], int outcome, long long reg_id, const char *reg_status,
    long long ticket_id, long long session_id)
{
	struct dbv a[] = {V_INT(event_id), V_BIN(key, 32), V_BIN(body, 32), V_INT(outcome),
	    reg_id > 0 ? V_INT(reg_id) : V_NULL, reg_status ? V_STR(reg_status) : V_NULL,
	    ticket_id > 0 ? V_INT(ticket_id) : V_NULL, session_id > 0 ? V_INT(session_id) : V_NULL};

	return db_exec(d, STMT_IDEM_INSERT, a, NARGS(a), NULL, NULL);
}

static enum err
idem_row_cb(void *ctx, const struct dbrow *r)
{
	struct idem_row *k = ctx;

	if (r->n < 7 || r->val[0] == NULL || r->len[0] != 32)
		return ERR_DB;
	memcpy(k->body_hash, r->val[0], 32);
	k->outcome = (int)row_ll(r, 1);
	k->reg_id = row_ll(r, 2);
	row_cpy(r, 3, k->reg_status, sizeof(k->reg_status));
	row_cpy(r, 4, k->code, sizeof(k->code));
	k->session_id = row_ll(r, 5);
	k->sealed_len = 0;
	if (r->val[6] != NULL && r->len[6] <= sizeof(k->sealed)) {
		memcpy(k->sealed, r->val[6], r->len[6]);
		k->sealed_len = r->len[6];
	}
	k->outcome |= 0x100;            /* found */
	return ERR_OK;
}

enum err
db_idem_get(struct db *d, long long event_id, const unsigned char key[32], struct idem_row *k)
{
	struct dbv a[] = {V_INT(event_id), V_BIN(key, 32)};
	enum err e;

	memset(k, 0, sizeof(*k));
	if ((e = db_query(d, STMT_IDEM_GET, a, NARGS(a), idem_row_cb, k)) != ERR_OK)
		return e;
	if (!(k->outcome & 0x100))
		return ERR_NOTFOUND;
	k->outcome &= 0xff;
	return ERR_OK;
}

enum err
db_idem_purge(struct db *d)
{
	return db_exec(d, STMT_IDEM_PURGE, NULL, 0, NULL, NULL);
}

enum err
db_reg_set_language(struct db *d, long long event_id, long long id, const char *lang)
{
	struct dbv a[] = {V_STR(lang), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_REG_SET_LANGUAGE, a, NARGS(a), NULL, NULL);
}

static const enum stmt take_stmt[] = {STMT_SEAT_EVENT_TAKE, STMT_SEAT_TTYPE_TAKE,
	STMT_SEAT_SESSION_TAKE};
static const enum stmt free_stmt[] = {STMT_SEAT_EVENT_FREE, STMT_SEAT_TTYPE_FREE,
	STMT_SEAT_SESSION_FREE};

enum err
db_seat_take(struct db *d, int what, long long id, int *taken)
{
	struct dbv a[] = {V_INT(id)};
	unsigned long long n = 0;
	enum err e;

	e = db_exec(d, take_stmt[what], a, NARGS(a), &n, NULL);
	*taken = n == 1;
	return e;
}

enum err
db_seat_free(struct db *d, int what, long long id)
{
	struct dbv a[] = {V_INT(id)};

	return db_exec(d, free_stmt[what], a, NARGS(a), NULL, NULL);
}

enum err
db_reg_set_status(struct db *d, long long id, const char *status, int holds,
    int live)
{
	struct dbv a[] = {V_STR(status), V_INT(holds), V_INT(live), V_INT(id)};

	return db_exec(d, STMT_REG_SET_STATUS, a, NARGS(a), NULL, NULL);
}

enum err
db_reg_session_add(struct db *d, long long reg, long long session, int holds)
{
	struct dbv a[] = {V_INT(reg), V_INT(session), V_INT(holds)};

	return db_exec(d, STMT_REG_SESSION_ADD, a, NARGS(a), NULL, NULL);
}

enum err
db_reg_session_del(struct db *d, long long reg, long long session)
{
	struct dbv a[] = {V_INT(reg), V_INT(session)};

	return db_exec(d, STMT_REG_SESSION_DEL, a, NARGS(a), NULL, NULL);
}

struct rs_ctx {
	struct reg_session *s;
	int cap, n;
};

static enum err
rs_row(void *ctx, const struct dbrow *r)
{
	struct rs_ctx *c = ctx;

	if (c->n >= c->cap)
		return ERR_OK;
	c->s[c->n].id = row_ll(r, 0);
	c->s[c->n].holds = (int)row_ll(r, 1);
	c->s[c->n].requires_signup = (int)row_ll(r, 2);
	c->n++;
	return ERR_OK;
}

enum err
db_reg_sessions(struct db *d, long long reg, struct reg_session *s, int cap,
    int *n)
{
	struct dbv a[] = {V_INT(reg)};
	struct rs_ctx c = {s, cap, 0};
	enum err e;

	e = db_query(d, STMT_REG_SESSIONS, a, NARGS(a), rs_row, &c);
	*n = c.n;
	return e;
}

enum err
db_ticket_insert(struct db *d, long long id, long long reg, long long event_id,
    const char *code)
{
	struct dbv a[] = {V_INT(id), V_INT(reg), V_INT(event_id), V_STR(code)};

	return db_exec(d, STMT_TICKET_INSERT, a, NARGS(a), NULL, NULL);
}

enum err
db_ticket_revoke(struct db *d, long long reg)
{
	struct dbv a[] = {V_INT(reg)};

	return db_exec(d, STMT_TICKET_REVOKE, a, NARGS(a), NULL, NULL);
}

struct lock_ctx {
	struct reg_row *r;
	int found;
};

static enum err
lock_row(void *ctx, const struct dbrow *r)
{
	struct lock_ctx *c = ctx;

	c->r->id = row_ll(r, 0);
	c->r->event_id = row_ll(r, 1);
	c->r->ttype_id = row_ll(r, 2);
	row_cpy(r, 3, c->r->status, sizeof(c->r->status));
	c->r->holds_seat = (int)row_ll(r, 4);
	c->found = 1;
	return ERR_OK;
}

enum err
db_reg_lock(struct db *d, long long id, struct reg_row *out)
{
	struct dbv a[] = {V_INT(id)};
	struct lock_ctx c = {out, 0};
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(d, STMT_REG_LOCK, a, NARGS(a), lock_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

struct wl_ctx {
	long long *ids, *tt;
	int cap, n;
};

static enum err
wl_row(void *ctx, const struct dbrow *r)
{
	struct wl_ctx *c = ctx;

	if (c->n < c->cap) {
		c->ids[c->n] = row_ll(r, 0);
		c->tt[c->n] = row_ll(r, 1);
		c->n++;
	}
	return ERR_OK;
}

enum err
db_reg_waitlist(struct db *d, long long event_id, long long *ids,
    long long *ttypes, int cap, int *n)
{
	struct dbv a[] = {V_INT(event_id)};
	struct wl_ctx c = {ids, ttypes, cap, 0};
	enum err e;

	e = db_query(d, STMT_REG_WAITLIST, a, NARGS(a), wl_row, &c);
	*n = c.n;
	return e;
}

struct manage_ctx {
	long long a, b;
	int found, gone;
};

static enum err
manage_row(void *ctx, const struct dbrow *r)
{
	struct manage_ctx *c = ctx;

	c->a = row_ll(r, 0);
	c->b = row_ll(r, 1);
	c->gone = row_ll(r, 2) != 0;
	c->found = 1;
	return ERR_OK;
}

enum err
db_reg_by_manage(struct db *d, const unsigned char hash[32], long long *id,
    long long *event_id)
{
	struct dbv a[] = {V_BIN(hash, 32)};
	struct manage_ctx c = {0, 0, 0, 0};
	enum err e;

	if ((e = db_query(d, STMT_REG_BY_MANAGE, a, NARGS(a), manage_row, &c)) != ERR_OK)
		return e;
	*id = c.a;
	*event_id = c.b;
	return !c.found ? ERR_NOTFOUND : c.gone ? ERR_GONE : ERR_OK;
}

#define REG_SPEC "id:i,status:s,name:s,email:s,organisation:s,ticket_type_id:i," \
	"ticket_type:s,answers:j,created_at:t,updated_at:t,ticket_code:s,session_ids:j," \
	"checked_in_at:t,language:s,anonymised:b,consent_version:i"

enum err
db_reg_json(struct db *d, long long event_id, long long id, const char *tz,
    cJSON **out)
{
	struct dbv a[] = {V_INT(id), V_INT(event_id)};

	return db_json_row(d, STMT_REG_GET, a, NARGS(a), REG_SPEC, tz, out);
}


enum err
db_reg_list(struct db *d, long long event_id, const struct reg_filter *f,
    const char *tz, cJSON *array, long long *total)
{
	struct dbv a[] = {V_INT(event_id), V_STR(f->status), V_STR(f->status),
	    V_ID(f->ttype_id), V_ID(f->ttype_id), V_STR(f->q), V_STR(f->q),
	    V_STR(f->q), V_STR(f->q),
	    f->checked_in >= 0 ? V_INT(f->checked_in) : V_NULL,
	    f->checked_in >= 0 ? V_INT(f->checked_in) : V_NULL,
	    V_INT(f->limit), V_INT(f->offset)};
	enum err e;

	*total = 0;
	if ((e = db_query(d, STMT_REG_COUNT, a, NARGS(a) - 2, db_row_ll, total)) != ERR_OK)
		return e;
	return db_json_rows(d, STMT_REG_LIST, a, NARGS(a), REG_SPEC, tz, array);
}

enum err
db_reg_update(struct db *d, long long event_id, long long id, const char *name,
    const char *org, const char *answers, const char *email)
{
	struct dbv a[] = {V_INT(name != NULL), V_STR(name), V_INT(org != NULL),
	    V_STR(org), V_INT(answers != NULL), V_STR(answers), V_INT(email != NULL),
	    V_STR(email), V_INT(id), V_INT(event_id)};

	return db_exec(d, STMT_REG_UPDATE, a, NARGS(a), NULL, NULL);
}

/* ---- check-in ---- */

static enum err
ck_row(void *ctx, const struct dbrow *r)
{
	struct ck_ticket *t = ctx;

	t->ticket_id = row_ll(r, 0);
	row_cpy(r, 1, t->ticket_status, sizeof(t->ticket_status));
	t->event_id = row_ll(r, 2);
	t->reg_id = row_ll(r, 3);
	row_cpy(r, 4, t->reg_status, sizeof(t->reg_status));
	row_cpy(r, 5, t->name, sizeof(t->name));
	row_cpy(r, 6, t->organisation, sizeof(t->organisation));
	row_cpy(r, 7, t->ttype_name, sizeof(t->ttype_name));
	t->ttype_id = row_ll(r, 8);
	t->found = 1;
	return ERR_OK;
}

enum err
db_ck_ticket(struct db *d, long long ticket_id, struct ck_ticket *t)
{
	struct dbv a[] = {V_INT(ticket_id)};

	memset(t, 0, sizeof(*t));
	return db_query(d, STMT_CK_TICKET, a, NARGS(a), ck_row, t);
}

int
adb_ck_ticket(struct adb *a, long long ticket_id)
{
	struct dbv v[] = {V_INT(ticket_id)};

	return adb_start(a, STMT_CK_TICKET, v, NARGS(v), 1);
}

enum err
adb_ck_ticket_row(struct adb *a, struct ck_ticket *t)
{
	memset(t, 0, sizeof(*t));
	return adb_rows(a, ck_row, t);
}

static void
ck_insert_args(const struct ck_write *w, long long at_ms, struct dbv *a)
{
	a[0] = V_INT(w->event_id);
	a[1] = V_INT(w->reg_id);
	a[2] = V_ID(w->ticket_id);
	a[3] = V_INT(w->point);
	a[4] = V_STR(w->gate ? w->gate : "");
	a[5] = V_ID(w->by_user);
	a[6] = V_ID(w->by_token);
	a[7] = V_STR(w->nonce);
	a[8] = V_INT(at_ms);
}

int
adb_ck_insert(struct adb *a, const struct ck_write *w, long long at_ms)
{
	struct dbv v[9];

	ck_insert_args(w, at_ms, v);
	return adb_start(a, STMT_CK_INSERT, v, NARGS(v), 0);
}

enum err
db_ck_reg(struct db *d, long long event_id, long long reg_id,
    struct ck_ticket *t)
{
	struct dbv a[] = {V_INT(reg_id), V_INT(event_id)};

	memset(t, 0, sizeof(*t));
	return db_query(d, STMT_CK_REG, a, NARGS(a), ck_row, t);
}

struct cks_ctx {
	int exists, signup, included, signed_up;
};

static enum err
cks_row(void *ctx, const struct dbrow *r)
{
	struct cks_ctx *c = ctx;

	c->exists = 1;
	c->signup = (int)row_ll(r, 0);
	c->included = (int)row_ll(r, 1);
	c->signed_up = (int)row_ll(r, 2);
	return ERR_OK;
}

enum err
db_ck_session(struct db *d, long long event_id, long long ttype_id,
    long long reg_id, long long session_id, int *exists, int *signup,
    int *included, int *signed_up)
{
	struct dbv a[] = {V_INT(reg_id), V_INT(ttype_id), V_INT(session_id),
	    V_INT(event_id)};
	struct cks_ctx c = {0, 0, 0, 0};
	enum err e;

	e = db_query(d, STMT_CK_SESSION, a, NARGS(a), cks_row, &c);
	*exists = c.exists;
	*signup = c.signup;
	*included = c.included;
	*signed_up = c.signed_up;
	return e;
}

enum err
db_ck_insert(struct db *d, const struct ck_write *w, long long at_ms, long long *id)
{
	struct dbv a[9];
	unsigned long long iid = 0;
	enum err e;

	ck_insert_args(w, at_ms, a);
	e = db_exec(d, STMT_CK_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

struct first_ctx {
	long long at, id;
	char *gate;
	size_t gatelen;
	int found;
};

static enum err
first_row(void *ctx, const struct dbrow *r)
{
	struct first_ctx *c = ctx;

	c->at = row_ll(r, 0);
	row_cpy(r, 1, c->gate, c->gatelen);
	c->id = row_ll(r, 2);
	c->found = 1;
	return ERR_OK;
}

enum err
db_ck_first(struct db *d, long long reg_id, long long point, long long *at,
    char *gate, size_t gatelen, long long *id)
{
	struct dbv a[] = {V_INT(reg_id), V_INT(point)};
	struct first_ctx c = {0, 0, gate, gatelen, 0};
	enum err e;

	gate[0] = '\0';
	if ((e = db_query(d, STMT_CK_FIRST, a, NARGS(a), first_row, &c)) != ERR_OK)
		return e;
	*at = c.at;
	*id = c.id;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

struct ckget_ctx {
	long long event_id, reg_id;
	char *slug;
	size_t slugl;
	int found;
};

static enum err
ckget_row(void *ctx, const struct dbrow *r)
{
	struct ckget_ctx *c = ctx;

	c->event_id = row_ll(r, 1);
	c->reg_id = row_ll(r, 2);
	row_cpy(r, 4, c->slug, c->slugl);
	c->found = 1;
	return ERR_OK;
}

enum err
db_ck_get(struct db *d, long long id, long long *event_id, long long *reg_id,
    char *slug, size_t slugl)
{
	struct dbv a[] = {V_INT(id)};
	struct ckget_ctx c = {0, 0, slug, slugl, 0};
	enum err e;

	if ((e = db_query(d, STMT_CK_GET, a, NARGS(a), ckget_row, &c)) != ERR_OK)
		return e;
	*event_id = c.event_id;
	*reg_id = c.reg_id;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_ck_undo(struct db *d, long long id, long long by_user)
{
	struct dbv a[] = {V_ID(by_user), V_INT(id)};
	unsigned long long n = 0;
	enum err e;

	e = db_exec(d, STMT_CK_UNDO, a, NARGS(a), &n, NULL);
	if (e == ERR_OK && n == 0)
		return ERR_NOTFOUND;
	return e;
}

enum err
db_scan_insert(struct db *d, const struct ck_write *w, const char *result,
    int status, const char *response)
{
	struct dbv a[] = {V_INT(w->event_id), V_ID(w->by_user), V_ID(w->by_token),
	    V_STR(w->gate ? w->gate : ""), V_INT(w->point), V_STR(result), V_ID(w->reg_id),
	    V_ID(w->ticket_id), V_STR(w->nonce), V_INT(status), V_STR(response)};

	return db_exec(d, STMT_SCAN_INSERT, a, NARGS(a), NULL, NULL);
}

static enum err
nonce_row(void *ctx, const struct dbrow *r)
{
	struct scan_answer *c = ctx;

	if (c->found)
		return ERR_OK;  /* a client that reused a nonce: the first row wins */
	c->status = (int)row_ll(r, 0);
	if (row_str(r, 1) != NULL && (c->response = strdup(row_str(r, 1))) == NULL)
		return ERR_INTERNAL;
	c->checkin_id = row_ll(r, 2);
	c->at = row_ll(r, 3);
	row_cpy(r, 4, c->gate, sizeof(c->gate));
	c->reg_id = row_ll(r, 5);
	c->found = 1;
	return ERR_OK;
}

enum err
db_scan_nonce(struct db *d, long long event_id, const char *nonce,
    struct scan_answer *out)
{
	struct dbv a[] = {V_INT(event_id), V_STR(nonce), V_INT(event_id), V_STR(nonce)};
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(d, STMT_SCAN_NONCE, a, NARGS(a), nonce_row, out)) != ERR_OK) {
		free(out->response);
		out->response = NULL;
		return e;
	}
	return out->found ? ERR_OK : ERR_NOTFOUND;
}

int
adb_scan_nonce(struct adb *a, long long event_id, const char *nonce)
{
	struct dbv v[] = {V_INT(event_id), V_STR(nonce), V_INT(event_id), V_STR(nonce)};

	return adb_start(a, STMT_SCAN_NONCE, v, NARGS(v), 1);
}

enum err
adb_scan_nonce_found(struct adb *a, int *found)
{
	*found = 0;
	return adb_rows(a, db_row_exists, found);
}

enum err
db_scan_list(struct db *d, long long event_id, const char *result, const char *tz,
    cJSON *array)
{
	struct dbv a[] = {V_INT(event_id), V_INT(event_id), V_STR(result), V_STR(result)};

	return db_json_rows(d, STMT_SCAN_LIST, a, NARGS(a),
	    "at:t,result:s,gate:s,session_id:i,user_id:i,token_id:i,registration_id:i,name:s,undone:b",
	    tz, array);
}

enum err
db_attendees(struct db *d, long long event_id, const char *q, int with_email,
    const char *tz, cJSON *array)
{
	size_t n = strlen(q);
	char *pfx = malloc(2 * n + 3), *word = malloc(2 * n + 5);
	enum err e;

	if (pfx == NULL || word == NULL) {
		free(pfx);
		free(word);
		return ERR_INTERNAL;
	}
	/* A prefix of the name, of a later word of it, of email or organisation. */
	like_pattern("", q, pfx);
	like_pattern("% ", q, word);
	{
		struct dbv a[] = {V_INT(with_email), V_INT(event_id), V_STR(pfx),
		    V_STR(word), V_STR(pfx), V_STR(pfx)};
		e = db_json_rows(d, STMT_ATTENDEES, a, NARGS(a),
		    "id:i,name:s,organisation:s,ticket_type:s,status:s,email:s,checked_in_at:t",
		    tz, array);
	}
	free(pfx);
	free(word);
	return e;
}

struct status_ctx {
	cJSON *out;
	long long total;
};

static enum err
status_row(void *ctx, const struct dbrow *r)
{
	struct status_ctx *c = ctx;
	const char *s = row_str(r, 0);
	long long n = row_ll(r, 1);

	if (s == NULL)
		return ERR_OK;
	if (strcmp(s, "pending_approval") == 0 || strcmp(s, "pending_payment") == 0) {
		cJSON *p = cJSON_GetObjectItem(c->out, "pending");
		cJSON_SetNumberValue(p, p->valuedouble + (double)n);
	}
	cJSON_ReplaceItemInObject(c->out, s, cJSON_CreateNumber((double)n));
	if (strcmp(s, "cancelled") != 0 && strcmp(s, "rejected") != 0)
		c->total += n;
	return ERR_OK;
}

enum err
db_stats(struct db *d, long long event_id, const char *tz, cJSON *out)
{
	static const char *const st[] = {"confirmed", "waitlisted", "pending",
		"pending_approval", "pending_payment", "cancelled", "rejected", NULL};
	struct dbv a[] = {V_INT(event_id)};
	struct status_ctx c = {out, 0};
	long long checked = 0;
	enum err e;
	int i;

	for (i = 0; st[i] != NULL; i++)
		cJSON_AddNumberToObject(out, st[i], 0);
	if ((e = db_query(d, STMT_STATS_STATUS, a, NARGS(a), status_row, &c)) != ERR_OK)
		return e;
	cJSON_AddNumberToObject(out, "registered", (double)c.total);
	if ((e = db_query(d, STMT_STATS_CHECKED_IN, a, NARGS(a), db_row_ll, &checked)) != ERR_OK)
		return e;
	cJSON_AddNumberToObject(out, "checked_in", (double)checked);
	if ((e = db_json_rows(d, STMT_STATS_TTYPES, a, NARGS(a),
	    "ticket_type_id:i,name:s,quota:i,sold:i,confirmed:i,waitlisted:i,checked_in:i",
	    tz, cJSON_AddArrayToObject(out, "by_ticket_type"))) != ERR_OK)
		return e;
	if ((e = db_json_rows(d, STMT_STATS_SESSIONS, a, NARGS(a),
	    "session_id:i,title:s,signed_up:i,checked_in:i,capacity:i", tz,
	    cJSON_AddArrayToObject(out, "by_session"))) != ERR_OK)
		return e;
	return db_json_rows(d, STMT_STATS_ARRIVALS, a, NARGS(a), "from:t,to:t,count:i",
	    tz, cJSON_AddArrayToObject(out, "arrivals"));
}

