/* Staff accounts, for admins: /api/v1/users. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "changes.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "validate.h"

static const char *const role_choices[] = {"checkin", "organiser", "admin", NULL};

static const char *
valid_password(struct vld *v, const cJSON *obj, int required)
{
	/* ASVS 2.1.1/2.1.2: at least 12 characters, at most 128. */
	const char *pw = vld_text(v, obj, "password", required, 128);

	if (pw != NULL && utf8_len(pw) < 12) {
		vld_fail(v, "password", "too_short");
		return NULL;
	}
	return pw;
}

enum err
api_users_create(struct req *r)
{
	static const char *const keys[] = {"email", "role", "password", "language", NULL};
	struct vld v = {req_fields(r), 0};
	const char *email, *pw, *lang;
	char gen[32], hash[AUTH_HASH_MAX], *details;
	struct user u;
	struct db *d;
	long long id;
	int role;
	enum err e;
	cJSON *o;

	vld_only(&v, r->json, keys);
	email = vld_email(&v, r->json, "email", 1);
	role = vld_enum(&v, r->json, "role", role_choices, 1, -1);
	pw = valid_password(&v, r->json, 0);
	lang = vld_lang(&v, r->json, "language", 1);
	if (v.nerr)
		return ERR_INVALID;
	email = lower_dup(r, email);
	gen[0] = '\0';
	if (pw == NULL) {
		auth_new_password(gen);
		pw = gen;
	}
	if ((e = auth_hash_password(pw, hash)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = db_user_insert(d, email, hash, (enum role)(role + 1), &id);
	if (e == ERR_OK && lang != NULL && lang[0] != '\0')
		e = db_user_update(d, id, -1, -1, NULL, lang);
	if (e == ERR_CONFLICT) {
		vld_fail(&v, "email", "taken");
		return req_fail(r, ERR_CONFLICT, "email_taken",
		    "A user with this email already exists.");
	}
	if (e != ERR_OK || (e = db_user_by_id(d, id, &u)) != ERR_OK)
		return e;
	details = arena_printf(r->arena, "{\"role\":\"%s\"}", role_name(u.role));
	db_audit(d, actor_kind(r), actor_id(r), "user.create", "user", id, details);
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "user", user_json(&u));
	if (gen[0] != '\0')
		cJSON_AddStringToObject(o, "password", gen);
	sodium_memzero(gen, sizeof(gen));
	return reply_json(r, 201, o);
}

struct list_ctx {
	cJSON *arr;
};

static enum err
add_user(void *ctx, const struct user *u)
{
	struct list_ctx *c = ctx;

	cJSON_AddItemToArray(c->arr, user_json(u));
	return ERR_OK;
}

enum err
api_users_list(struct req *r)
{
	struct list_ctx c;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	c.arr = cJSON_AddArrayToObject(o, "users");
	if ((e = db_user_list(d, add_user, &c)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_users_get(struct req *r)
{
	long long id = parse_id(req_param(r, "id"));
	struct user u;
	struct db *d;
	enum err e;
	cJSON *o;

	if (id == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_user_by_id(d, id, &u)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "user", user_json(&u));
	return reply_json(r, 200, o);
}

enum err
api_users_update(struct req *r)
{
	static const char *const keys[] = {"role", "disabled", "password", "language", NULL};
	struct vld v = {req_fields(r), 0};
	long long id = parse_id(req_param(r, "id"));
	char hash[AUTH_HASH_MAX], *details;
	const char *pw, *lang;
	struct user u;
	struct db *d;
	int role, disabled;
	enum err e;
	cJSON *o;

	if (id == 0)
		return ERR_NOTFOUND;
	vld_only(&v, r->json, keys);
	role = vld_enum(&v, r->json, "role", role_choices, 0, -1);
	disabled = vld_bool(&v, r->json, "disabled", 0, -1);
	pw = valid_password(&v, r->json, 0);
	lang = vld_lang(&v, r->json, "language", 1);
	if (v.nerr)
		return ERR_INVALID;
	if (id == r->who.user_id && (disabled == 1 || (role >= 0 && role + 1 < ROLE_ADMIN)))
		return req_fail(r, ERR_CONFLICT, "self_lockout",
		    "You cannot disable or demote your own account.");
	if (pw != NULL && (e = auth_hash_password(pw, hash)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_user_update(d, id, role >= 0 ? role + 1 : -1, disabled,
	    pw ? hash : NULL, lang)) != ERR_OK)
		return e;
	/*
	 * Disabling or a new password ends every login, except the session
	 * that sets its own password; disabling revokes tokens.
	 */
	if (disabled == 1 || pw != NULL) {
		if (id == r->who.user_id && r->who.kind == PRINCIPAL_SESSION) {
			unsigned char h[32];

			auth_secret_hash(r->session_secret, h);
			e = db_session_delete_user_others(d, id, h);
		} else
			e = db_session_delete_user(d, id);
		if (e != ERR_OK)
			return e;
	}
	if (disabled == 1 && (e = db_token_revoke_user(d, id)) != ERR_OK)
		return e;
	/* After the deletes: no request in between can cache a login again. */
	changes_bump(d);
	if ((e = db_user_by_id(d, id, &u)) != ERR_OK)
		return e;
	details = arena_printf(r->arena, "{\"role\":%s%s%s,\"disabled\":%s,\"password_changed\":%s}",
	    role >= 0 ? "\"" : "", role >= 0 ? role_name((enum role)(role + 1)) : "null",
	    role >= 0 ? "\"" : "", disabled < 0 ? "null" : disabled ? "true" : "false",
	    pw ? "true" : "false");
	db_audit(d, actor_kind(r), actor_id(r), "user.update", "user", id, details);
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "user", user_json(&u));
	return reply_json(r, 200, o);
}
