/* Helpers shared by handlers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "validate.h"

cJSON *
user_json(const struct user *u)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", u->id);
	json_add_str(o, "email", u->email);
	json_add_str(o, "role", role_name(u->role));
	cJSON_AddBoolToObject(o, "disabled", u->disabled != 0);
	json_add_str(o, "created_at", u->created_at[0] ? u->created_at : NULL);
	json_add_str(o, "language", u->language[0] ? u->language : NULL);
	return o;
}

long long
parse_id(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	return (errno == 0 && *end == '\0' && n > 0) ? n : 0;
}

enum err
query_enum(struct req *r, const char *key, const char *const *allowed,
    const char **out)
{
	const char *s = req_query(r, key);
	int i;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return ERR_OK;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(allowed[i], s) == 0) {
			*out = allowed[i];
			return ERR_OK;
		}
	vld_fail(&(struct vld){req_fields(r), 0}, key, "invalid");
	return ERR_INVALID;
}

char *
req_json_text(struct req *r, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j), *c;

	if (s == NULL)
		return NULL;
	c = arena_strdup(r->arena, s);
	free(s);
	return c;
}

char *
lower_dup(struct req *r, const char *s)
{
	char *p = arena_strdup(r->arena, s);

	if (p != NULL)
		ascii_lower(p);
	return p;
}

const char *
actor_kind(const struct req *r)
{
	switch (r->who.kind) {
	case PRINCIPAL_SESSION:
		return "user";
	case PRINCIPAL_TOKEN:
		return "token";
	default:
		return "system";
	}
}

long long
actor_id(const struct req *r)
{
	return r->who.kind == PRINCIPAL_TOKEN ? r->who.token_id : r->who.user_id;
}

#include "cache.h"
#include "event.h"
#include "timeutil.h"
#include "validate.h"

int
has_key(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

int
is_null_key(const cJSON *obj, const char *key)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, key));
}

long long
vld_time(struct vld *v, const cJSON *obj, const char *key, int required,
    int *present)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	long long t;

	if (present != NULL)
		*present = it != NULL;
	if (it == NULL || cJSON_IsNull(it)) {
		if (required)
			vld_fail(v, key, "required");
		return 0;
	}
	if (!cJSON_IsString(it) || rfc3339_parse(it->valuestring, &t) != 0) {
		vld_fail(v, key, "invalid_datetime");
		return 0;
	}
	if (t <= 0) {
		vld_fail(v, key, "out_of_range");
		return 0;
	}
	return t;
}

int
vld_ids(struct vld *v, const cJSON *obj, const char *key, struct req *r,
    long long **out)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key), *it;
	long long *ids;
	int n = 0, i;

	*out = NULL;
	if (arr == NULL || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > 500) {
		vld_fail(v, key, "not_an_array");
		return -1;
	}
	ids = arena_calloc(r->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*ids));
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
		    it->valuedouble > 9e15 || it->valuedouble != (double)(long long)it->valuedouble) {
			vld_fail(v, key, "invalid_id");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (ids[i] == (long long)it->valuedouble)
				break;
		if (i == n)
			ids[n++] = (long long)it->valuedouble;
	}
	*out = ids;
	return n;
}

/* 1 staff, 0 not; a database error is neither (*e set, 0 returned). */
static int
staff_of(struct req *r, const struct event_ref *ev, enum err *e)
{
	struct db *d;
	int member = 0;

	*e = ERR_OK;
	if (r->who.kind == PRINCIPAL_NONE)
		return 0;
	if (r->who.event_id > 0 && r->who.event_id != ev->id)
		return 0;
	if (r->who.role == ROLE_ADMIN)
		return 1;
	long long key[2] = {ev->id, r->who.user_id};
	if (cache_get(CACHE_MEMBER, key, sizeof(key), &member, sizeof(member)))
		return member;
	if ((*e = req_db(r, &d)) != ERR_OK)
		return 0;
	if ((*e = db_event_is_member(d, ev->id, r->who.user_id, &member)) != ERR_OK)
		return 0;
	/* Only "yes" is kept: a new member must work at once. */
	if (member)
		cache_put(CACHE_MEMBER, key, sizeof(key), &member, sizeof(member), 10000);
	return member;
}

int
event_is_staff(struct req *r, const struct event_ref *ev)
{
	enum err e;

	return staff_of(r, ev, &e);
}

void
event_cache_put(const struct event_ref *ev)
{
	cache_put(CACHE_EVENT, ev->slug, strlen(ev->slug), ev, sizeof(*ev), 1000);
}

enum err
event_load(struct req *r, enum role need, struct event_ref *ev)
{
	return event_load_slug(r, req_param(r, "slug"), need, ev);
}

enum err
event_load_slug(struct req *r, const char *slug, enum role need,
    struct event_ref *ev)
{
	struct db *d;
	enum err e;

	/* Slugs are [a-z0-9-]: anything else names no event. */
	if (slug == NULL || slug[0] == '\0' || strlen(slug) > 64 ||
	    strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(slug))
		return ERR_NOTFOUND;
	if (!cache_get(CACHE_EVENT, slug, strlen(slug), ev, sizeof(*ev))) {
		if ((e = req_db(r, &d)) != ERR_OK)
			return e;
		if ((e = db_event_ref(d, slug, ev)) != ERR_OK)
			return e;
		event_cache_put(ev);
	}
	if (need == ROLE_NONE) {
		if (strcmp(ev->status, "draft") == 0 && !staff_of(r, ev, &e))
			return e != ERR_OK ? e : ERR_NOTFOUND;
		return ERR_OK;
	}
	if (r->who.kind == PRINCIPAL_NONE)
		return ERR_UNAUTH;
	if (r->who.role < need)
		return ERR_FORBIDDEN;
	/* A database that does not answer is 503, never "not staff". */
	if (!staff_of(r, ev, &e))
		return e != ERR_OK ? e : req_fail(r, ERR_FORBIDDEN, "forbidden",
		    "You are not staff of this event.");
	return ERR_OK;
}

enum err
reply_event_list(struct req *r, const char *key, const char *const *allowed,
    const char *name, event_list_fn list)
{
	const char *filter;
	struct event_ref ev;
	struct db *d;
	enum err e;
	cJSON *o;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	if ((e = query_enum(r, key, allowed, &filter)) != ERR_OK)
		return e;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	if ((e = list(d, ev.id, filter, ev.tz, cJSON_AddArrayToObject(o, name))) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	return reply_json(r, 200, o);
}
