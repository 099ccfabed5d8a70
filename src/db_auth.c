/* Staff accounts, auth sessions, API tokens, throttling and audit rows. */
#include <string.h>

#include "db_internal.h"


enum err
db_user_count(struct db *d, long long *n)
{
	*n = 0;
	return db_query(d, STMT_USER_COUNT, NULL, 0, db_row_ll, n);
}

enum err
db_changes_bump(struct db *d)
{
	return db_exec(d, STMT_CHANGES_BUMP, NULL, 0, NULL, NULL);
}

enum err
db_changes_get(struct db *d, long long *n)
{
	*n = -1;
	return db_query(d, STMT_CHANGES_GET, NULL, 0, db_row_ll, n);
}

enum err
db_user_insert(struct db *d, const char *email, const char *pwhash,
    enum role role, long long *id)
{
	struct dbv a[] = {V_STR(email), V_STR(pwhash), V_STR(role_name(role))};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_USER_INSERT, a, NARGS(a), NULL, &iid);
	if (id != NULL)
		*id = (long long)iid;
	return e;
}

struct user_ctx {
	struct user *u;
	int found;
	db_user_cb cb;
	void *ctx;
};

static void
user_from_row(const struct dbrow *r, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = row_ll(r, 0);
	row_cpy(r, 1, u->email, sizeof(u->email));
	u->role = (enum role)role_parse(row_str(r, 2));
	u->disabled = (int)row_ll(r, 3);
	row_cpy(r, 4, u->created_at, sizeof(u->created_at));
	row_cpy(r, 5, u->pwhash, sizeof(u->pwhash));
	row_cpy(r, 6, u->language, sizeof(u->language));
}

static enum err
user_row(void *ctx, const struct dbrow *r)
{
	struct user_ctx *c = ctx;

	user_from_row(r, c->u);
	c->found = 1;
	return ERR_OK;
}

enum err
db_user_by_email(struct db *d, const char *email, struct user *u)
{
	struct dbv a[] = {V_STR(email)};
	struct user_ctx c = {.u = u};
	enum err e;

	if ((e = db_query(d, STMT_USER_BY_EMAIL, a, NARGS(a), user_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_user_by_id(struct db *d, long long id, struct user *u)
{
	struct dbv a[] = {V_INT(id)};
	struct user_ctx c = {.u = u};
	enum err e;

	if ((e = db_query(d, STMT_USER_BY_ID, a, NARGS(a), user_row, &c)) != ERR_OK)
		return e;
	u->pwhash[0] = '\0';
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

static enum err
user_list_row(void *ctx, const struct dbrow *r)
{
	struct user_ctx *c = ctx;
	struct user u;

	user_from_row(r, &u);
	u.pwhash[0] = '\0';
	return c->cb(c->ctx, &u);
}

enum err
db_user_list(struct db *d, db_user_cb cb, void *ctx)
{
	struct user_ctx c = {.cb = cb, .ctx = ctx};

	return db_query(d, STMT_USER_LIST, NULL, 0, user_list_row, &c);
}

enum err
db_user_update(struct db *d, long long id, int role, int disabled,
    const char *pwhash, const char *language)
{
	struct dbv a[] = {
		role >= 0 ? V_STR(role_name((enum role)role)) : V_NULL,
		disabled >= 0 ? V_INT(disabled) : V_NULL,
		V_STR(pwhash),
		V_INT(language != NULL), V_STR(language ? language : ""),
		V_INT(id),
	};
	unsigned long long n = 0;
	enum err e;
	struct user u;

	if ((e = db_exec(d, STMT_USER_UPDATE, a, NARGS(a), &n, NULL)) != ERR_OK)
		return e;
	/* Zero changed rows may mean "no change": tell it from "no user". */
	if (n == 0)
		return db_user_by_id(d, id, &u);
	return ERR_OK;
}

enum err
db_session_insert(struct db *d, const unsigned char hash[32],
    long long user_id, int ttl)
{
	struct dbv a[] = {V_BIN(hash, 32), V_INT(user_id), V_INT(ttl)};

	/* Expired sessions go a few at a time, on the way in. */
	db_exec(d, STMT_SESSION_PURGE, NULL, 0, NULL, NULL);
	return db_exec(d, STMT_SESSION_INSERT, a, NARGS(a), NULL, NULL);
}

struct principal_ctx {
	struct principal *p;
	int found;
};

static enum err
session_row(void *ctx, const struct dbrow *r)
{
	struct principal_ctx *c = ctx;

	c->p->kind = PRINCIPAL_SESSION;
	c->p->user_id = row_ll(r, 0);
	row_cpy(r, 1, c->p->email, sizeof(c->p->email));
	c->p->role = (enum role)role_parse(row_str(r, 2));
	c->found = c->p->role > ROLE_NONE;
	return ERR_OK;
}

enum err
db_session_lookup(struct db *d, const unsigned char hash[32],
    struct principal *p)
{
	struct dbv a[] = {V_BIN(hash, 32)};
	struct principal_ctx c = {.p = p};
	enum err e;

	memset(p, 0, sizeof(*p));
	if ((e = db_query(d, STMT_SESSION_LOOKUP, a, NARGS(a), session_row, &c)) != ERR_OK)
		return e;
	if (!c.found) {
		memset(p, 0, sizeof(*p));
		return ERR_NOTFOUND;
	}
	return ERR_OK;
}

enum err
db_session_delete(struct db *d, const unsigned char hash[32])
{
	struct dbv a[] = {V_BIN(hash, 32)};

	return db_exec(d, STMT_SESSION_DELETE, a, NARGS(a), NULL, NULL);
}

enum err
db_session_delete_user(struct db *d, long long user_id)
{
	struct dbv a[] = {V_INT(user_id)};

	return db_exec(d, STMT_SESSION_DELETE_USER, a, NARGS(a), NULL, NULL);
}

enum err
db_session_delete_user_others(struct db *d, long long user_id, const unsigned char keep[32])
{
	struct dbv a[] = {V_INT(user_id), V_BIN(keep, 32)};

	return db_exec(d, STMT_SESSION_DELETE_USER_OTHERS, a, NARGS(a), NULL, NULL);
}

enum err
db_token_insert(struct db *d, const unsigned char hash[32], const char *prefix,
    const char *name, long long user_id, enum role role, long long event_id,
    long long *id)
{
	struct dbv a[] = {V_BIN(hash, 32), V_STR(prefix), V_STR(name),
	    V_INT(user_id), V_STR(role_name(role)), V_ID(event_id)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_TOKEN_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

static enum err
token_principal_row(void *ctx, const struct dbrow *r)
{
	struct principal_ctx *c = ctx;

	c->p->kind = PRINCIPAL_TOKEN;
	c->p->token_id = row_ll(r, 0);
	/* ENUM + 0 is the 1-based index: checkin 1, organiser 2, admin 3. */
	c->p->role = (enum role)row_ll(r, 1);
	c->p->user_id = row_ll(r, 2);
	row_cpy(r, 3, c->p->email, sizeof(c->p->email));
	c->p->event_id = row_ll(r, 4);
	c->found = c->p->role >= ROLE_CHECKIN && c->p->role <= ROLE_ADMIN;
	return ERR_OK;
}

enum err
db_token_lookup(struct db *d, const unsigned char hash[32], struct principal *p)
{
	struct dbv a[] = {V_BIN(hash, 32)};
	struct principal_ctx c = {.p = p};
	enum err e;

	memset(p, 0, sizeof(*p));
	if ((e = db_query(d, STMT_TOKEN_LOOKUP, a, NARGS(a), token_principal_row, &c)) != ERR_OK)
		return e;
	if (!c.found) {
		memset(p, 0, sizeof(*p));
		return ERR_NOTFOUND;
	}
	struct dbv t[] = {V_INT(p->token_id)};
	db_exec(d, STMT_TOKEN_TOUCH, t, NARGS(t), NULL, NULL);
	return ERR_OK;
}

struct token_ctx {
	struct token *t;
	int found;
	db_token_cb cb;
	void *ctx;
};

static void
token_from_row(const struct dbrow *r, struct token *t)
{
	memset(t, 0, sizeof(*t));
	t->id = row_ll(r, 0);
	row_cpy(r, 1, t->name, sizeof(t->name));
	row_cpy(r, 2, t->prefix, sizeof(t->prefix));
	t->user_id = row_ll(r, 3);
	t->role = (enum role)role_parse(row_str(r, 4));
	t->event_id = row_ll(r, 5);
	row_cpy(r, 6, t->event_slug, sizeof(t->event_slug));
	row_cpy(r, 7, t->created_at, sizeof(t->created_at));
	row_cpy(r, 8, t->last_used_at, sizeof(t->last_used_at));
	t->revoked = (int)row_ll(r, 9);
}

static enum err
token_row(void *ctx, const struct dbrow *r)
{
	struct token_ctx *c = ctx;
	struct token t;

	if (c->cb == NULL) {
		token_from_row(r, c->t);
		c->found = 1;
		return ERR_OK;
	}
	token_from_row(r, &t);
	return c->cb(c->ctx, &t);
}

enum err
db_token_list(struct db *d, long long user_id, db_token_cb cb, void *ctx)
{
	struct dbv a[] = {V_INT(user_id), V_INT(user_id)};
	struct token_ctx c = {.cb = cb, .ctx = ctx};

	return db_query(d, STMT_TOKEN_LIST, a, NARGS(a), token_row, &c);
}

enum err
db_token_get(struct db *d, long long id, struct token *t)
{
	struct dbv a[] = {V_INT(id)};
	struct token_ctx c = {.t = t};
	enum err e;

	if ((e = db_query(d, STMT_TOKEN_GET, a, NARGS(a), token_row, &c)) != ERR_OK)
		return e;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
db_token_revoke(struct db *d, long long id)
{
	struct dbv a[] = {V_INT(id)};

	return db_exec(d, STMT_TOKEN_REVOKE, a, NARGS(a), NULL, NULL);
}

enum err
db_token_revoke_user(struct db *d, long long user_id)
{
	struct dbv a[] = {V_INT(user_id)};

	return db_exec(d, STMT_TOKEN_REVOKE_USER, a, NARGS(a), NULL, NULL);
}

enum err
db_throttle_check(struct db *d, const unsigned char k1[32],
    const unsigned char k2[32], long long *retry_after)
{
	struct dbv a[] = {V_BIN(k1, 32), V_BIN(k2, 32)};

	*retry_after = 0;
	return db_query(d, STMT_THROTTLE_CHECK, a, NARGS(a), db_row_ll, retry_after);
}

enum err
db_throttle_fail(struct db *d, const unsigned char key[32], int max,
    int window)
{
	struct dbv a[] = {V_BIN(key, 32), V_INT(max), V_INT(window),
	    V_INT(window), V_INT(max), V_INT(window), V_INT(max), V_INT(window),
	    V_INT(window), V_INT(window)};

	return db_exec(d, STMT_THROTTLE_FAIL, a, NARGS(a), NULL, NULL);
}

enum err
db_throttle_count(struct db *d, const unsigned char key[32], int window, long long *n)
{
	struct dbv a[] = {V_BIN(key, 32), V_INT(window)};

	*n = 0;
	return db_query(d, STMT_THROTTLE_COUNT, a, NARGS(a), db_row_ll, n);
}

enum err
db_throttle_undo(struct db *d, const unsigned char key[32], int max)
{
	struct dbv a[] = {V_INT(max), V_BIN(key, 32)};

	return db_exec(d, STMT_THROTTLE_UNDO, a, NARGS(a), NULL, NULL);
}

enum err
db_throttle_reset(struct db *d, const unsigned char key[32])
{
	struct dbv a[] = {V_BIN(key, 32)};

	db_exec(d, STMT_THROTTLE_PURGE, NULL, 0, NULL, NULL);
	return db_exec(d, STMT_THROTTLE_RESET, a, NARGS(a), NULL, NULL);
}

enum err
db_audit_at(struct db *d, long long event_id, const char *actor_kind, long long actor_id,
    const char *action, const char *object_type, long long object_id,
    const char *details)
{
	struct dbv a[] = {V_STR(actor_kind), V_ID(actor_id), V_STR(action),
	    V_STR(object_type), V_ID(object_id), V_STR(details),
	    V_STR(object_type), V_ID(object_id), V_STR(actor_kind), V_ID(actor_id),
	    V_ID(event_id)};

	return db_exec(d, STMT_AUDIT_INSERT, a, NARGS(a), NULL, NULL);
}

enum err
db_audit(struct db *d, const char *actor_kind, long long actor_id,
    const char *action, const char *object_type, long long object_id,
    const char *details)
{
	return db_audit_at(d, 0, actor_kind, actor_id, action, object_type, object_id, details);
}
