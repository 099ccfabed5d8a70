/* POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "changes.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "validate.h"

static void
set_cookie(struct req *r, const char *value, int max_age)
{
	char *c = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
	    session_cookie_name(), value, max_age, cfg->https ? "; Secure" : "");

	resp_header(r, "Set-Cookie", c);
}

enum err
api_login(struct req *r)
{
	static const char *const keys[] = {"email", "password", NULL};
	struct vld v = {req_fields(r), 0};
	const char *email, *pw;
	unsigned char kacct[32], kaddr[32], h[32];
	char secret[AUTH_SECRET_MAX], csrf[AUTH_SECRET_MAX];
	struct user u;
	struct db *d;
	long long wait = 0, na = 0, nb = 0;
	enum err e, ve;
	int found, ok;
	cJSON *o;

	vld_only(&v, r->json, keys);
	email = vld_line(&v, r->json, "email", 1, 254);
	pw = vld_text(&v, r->json, "password", 1, 1024);
	if (v.nerr)
		return ERR_INVALID;
	email = lower_dup(r, email);

	auth_throttle_key("account", email, kacct);
	auth_throttle_key("addr", r->client_addr, kaddr);
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_throttle_check(d, kacct, kaddr, &wait)) != ERR_OK)
		return e;
	if (wait > 0) {
		r->retry_after = wait;
		return req_fail(r, ERR_RATELIMIT, "rate_limited",
		    "Too many failed logins; try again later.");
	}
	/*
	 * Each attempt is counted before its password is checked, and one
	 * past the limit is refused unchecked: however many arrive at once,
	 * an account and an address get at most their limit of guesses.
	 */
	if ((e = db_throttle_fail(d, kacct, cfg->login_max_account, cfg->login_window)) != ERR_OK ||
	    (e = db_throttle_fail(d, kaddr, cfg->login_max_addr, cfg->login_window)) != ERR_OK ||
	    (e = db_throttle_count(d, kacct, cfg->login_window, &na)) != ERR_OK ||
	    (e = db_throttle_count(d, kaddr, cfg->login_window, &nb)) != ERR_OK)
		return e;
	if (na > cfg->login_max_account || nb > cfg->login_max_addr) {
		r->retry_after = cfg->login_window;
		log_info("login: throttled");
		return req_fail(r, ERR_RATELIMIT, "rate_limited",
		    "Too many failed logins; try again later.");
	}
	e = db_user_by_email(d, email, &u);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	found = e == ERR_OK && !u.disabled;

	/* Hashing takes ~50 ms: give the connection back meanwhile. */
	db_release(r->db);
	r->db = NULL;
	ok = auth_verify_password(found ? u.pwhash : NULL, pw, &ve);
	sodium_memzero((char *)pw, strlen(pw));     /* the parsed body's copy */
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	if (ve != ERR_OK)
		return ve;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if (!ok) {
		log_info("login: failed %s", found ? "(wrong password)" : "(no such active account)");
		return req_fail(r, ERR_UNAUTH, "unauthorized", "Wrong email or password.");
	}
	db_throttle_reset(d, kacct);
	db_throttle_undo(d, kaddr, cfg->login_max_addr);
	auth_new_secret("", secret);
	auth_secret_hash(secret, h);
	if ((e = db_session_insert(d, h, u.id, cfg->session_ttl)) != ERR_OK)
		return e;
	db_audit(d, "user", u.id, "login", "user", u.id, NULL);
	log_info("login: user %lld", u.id);

	set_cookie(r, secret, cfg->session_ttl);
	auth_csrf(secret, csrf);
	sodium_memzero(secret, sizeof(secret));
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "user", user_json(&u));
	cJSON_AddStringToObject(o, "csrf_token", csrf);
	cJSON_AddNumberToObject(o, "expires_in", cfg->session_ttl);
	return reply_json(r, 200, o);
}

enum err
api_logout(struct req *r)
{
	unsigned char h[32];
	struct db *d;
	enum err e;

	if (r->who.kind == PRINCIPAL_SESSION) {
		auth_secret_hash(r->session_secret, h);
		if ((e = req_db(r, &d)) != ERR_OK)
			return e;
		if ((e = db_session_delete(d, h)) != ERR_OK)
			return e;
		changes_bump(d);
		db_audit(d, "user", r->who.user_id, "logout", "user", r->who.user_id, NULL);
	}
	set_cookie(r, "", 0);
	return reply_empty(r, 204);
}

/* PATCH /api/v1/auth/me {"language"}: the console and scanner speak it. */
enum err
api_me_update(struct req *r)
{
	static const char *const keys[] = {"language", NULL};
	struct vld v = {req_fields(r), 0};
	const char *lang;
	struct db *d;
	enum err e;

	if (r->who.kind != PRINCIPAL_SESSION)
		return req_fail(r, ERR_FORBIDDEN, "forbidden",
		    "A device token has no account to change.");
	vld_only(&v, r->json, keys);
	if (!has_key(r->json, "language"))
		vld_fail(&v, "language", "required");
	lang = vld_lang(&v, r->json, "language", 1);
	if (v.nerr)
		return ERR_INVALID;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_user_update(d, r->who.user_id, -1, -1, NULL, lang)) != ERR_OK)
		return e;
	return api_me(r);
}

enum err
api_me(struct req *r)
{
	struct user u;
	struct db *d;
	char csrf[AUTH_SECRET_MAX];
	enum err e;
	cJSON *o, *uj;

	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_user_by_id(d, r->who.user_id, &u)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	uj = user_json(&u);
	/* The role in force: a token's may be lower than its creator's. */
	cJSON_ReplaceItemInObject(uj, "role", cJSON_CreateString(role_name(r->who.role)));
	cJSON_AddItemToObject(o, "user", uj);
	cJSON_AddStringToObject(o, "auth", r->who.kind == PRINCIPAL_TOKEN ? "token" : "session");
	if (r->who.kind == PRINCIPAL_SESSION) {
		auth_csrf(r->session_secret, csrf);
		cJSON_AddStringToObject(o, "csrf_token", csrf);
	} else {
		cJSON *t = cJSON_AddObjectToObject(o, "token");
		json_add_int(t, "id", r->who.token_id);
		if (r->who.event_id > 0)
			json_add_int(t, "event_id", r->who.event_id);
		else
			cJSON_AddNullToObject(t, "event_id");
	}
	return reply_json(r, 200, o);
}
