/* API tokens for scanners and scripts: /api/v1/tokens. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "changes.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "json.h"
#include "validate.h"

static const char *const role_choices[] = {"checkin", "organiser", "admin", NULL};

static cJSON *
token_json(const struct token *t)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", t->id);
	json_add_str(o, "name", t->name);
	json_add_str(o, "role", role_name(t->role));
	json_add_str(o, "event", t->event_slug[0] ? t->event_slug : NULL);
	json_add_str(o, "prefix", t->prefix);
	json_add_int(o, "user_id", t->user_id);
	json_add_str(o, "created_at", t->created_at);
	json_add_str(o, "last_used_at", t->last_used_at[0] ? t->last_used_at : NULL);
	cJSON_AddBoolToObject(o, "revoked", t->revoked != 0);
	return o;
}

enum err
api_tokens_create(struct req *r)
{
	static const char *const keys[] = {"name", "role", "event", NULL};
	struct vld v = {req_fields(r), 0};
	char secret[AUTH_SECRET_MAX], prefix[16], *details;
	unsigned char h[32];
	const cJSON *ev;
	const char *name;
	struct token t;
	struct db *d;
	long long id, event_id = 0;
	int role;
	enum err e;
	cJSON *o;

	vld_only(&v, r->json, keys);
	name = vld_line(&v, r->json, "name", 1, 100);
	role = vld_enum(&v, r->json, "role", role_choices, 1, -1);
	ev = cJSON_GetObjectItemCaseSensitive(r->json, "event");
	if (ev != NULL && !cJSON_IsNull(ev) && !cJSON_IsString(ev))
		vld_fail(&v, "event", "not_a_string");
	if (v.nerr)
		return ERR_INVALID;
	/*
	 * A token for one event (a door scanner): only staff of that event may
	 * make one, and it sees nothing of any other event.
	 */
	if (cJSON_IsString(ev)) {
		struct event_ref ref;
		e = event_load_slug(r, ev->valuestring, ROLE_CHECKIN, &ref);
		if (e == ERR_NOTFOUND) {
			vld_fail(&v, "event", "not_found");
			return ERR_INVALID;
		}
		if (e != ERR_OK)
			return e;
		event_id = ref.id;
	}
	/* A stolen scanner token must not be able to outlive its revocation. */
	if (r->who.kind == PRINCIPAL_TOKEN)
		return req_fail(r, ERR_FORBIDDEN, "forbidden",
		    "Tokens are created by signed-in users, not by other tokens.");
	if (role + 1 > (int)r->who.role)
		return req_fail(r, ERR_FORBIDDEN, "forbidden",
		    "A token cannot have more rights than its creator.");
	if (r->who.event_id > 0 && event_id != r->who.event_id)
		return req_fail(r, ERR_FORBIDDEN, "forbidden",
		    "An event-scoped token can only create tokens for its event.");
	auth_new_secret("cft_", secret);
	snprintf(prefix, sizeof(prefix), "%.8s", secret + 4);
	auth_secret_hash(secret, h);
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_token_insert(d, h, prefix, name, r->who.user_id,
	    (enum role)(role + 1), event_id, &id)) != ERR_OK)
		return e;
	if ((e = db_token_get(d, id, &t)) != ERR_OK)
		return e;
	details = arena_printf(r->arena, "{\"role\":\"%s\"}", role_name(t.role));
	db_audit(d, actor_kind(r), actor_id(r), "token.create", "api_token", id, details);
	o = token_json(&t);
	cJSON_AddStringToObject(o, "token", secret);
	sodium_memzero(secret, sizeof(secret));
	return reply_json(r, 201, o);
}

static enum err
add_token(void *ctx, const struct token *t)
{
	cJSON_AddItemToArray(ctx, token_json(t));
	return ERR_OK;
}

enum err
api_tokens_list(struct req *r)
{
	struct db *d;
	enum err e;
	cJSON *o, *arr;

	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "tokens");
	if ((e = db_token_list(d, r->who.role == ROLE_ADMIN ? 0 : r->who.user_id,
	    add_token, arr)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}

enum err
api_tokens_delete(struct req *r)
{
	long long id = parse_id(req_param(r, "id"));
	struct token t;
	struct db *d;
	enum err e;

	if (id == 0)
		return ERR_NOTFOUND;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	if ((e = db_token_get(d, id, &t)) != ERR_OK)
		return e;
	/* Someone else's token is not found, not forbidden: no probing. */
	if (t.user_id != r->who.user_id && r->who.role != ROLE_ADMIN)
		return ERR_NOTFOUND;
	if ((e = db_token_revoke(d, id)) != ERR_OK)
		return e;
	changes_bump(d);
	db_audit(d, actor_kind(r), actor_id(r), "token.revoke", "api_token", id, NULL);
	return reply_empty(r, 204);
}
