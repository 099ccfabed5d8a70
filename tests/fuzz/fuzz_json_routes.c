/*
 * The JSON body validation of every route that takes one, through the real
 * handlers: the first input byte picks a route of src/routes.c with RF_JSON
 * (in table order, modulo their number: 0 login, 1 PATCH me, 2 users, …;
 * CONFERO_FUZZ_ROUTES=1 prints the list), the rest is the body.  The request is made as
 * http.c's prologue would leave it: path parameters from route_match, the
 * body parsed by json_parse_object (a body it refuses is a 400 and stops
 * here), an admin signed in with a session.
 *
 * No database: req_db gives a connection that was never opened (fakereq.c),
 * so a handler validates, then its first statement fails with
 * ERR_UNAVAILABLE.  What handlers read before validating comes from the
 * in-process cache (an event "fuzz" with two languages, a ticket type,
 * questions of every kind) or, for the participant routes under
 * /manage/{token}, from these stand-ins (ld --wrap, see fuzz.mk): the
 * manage link, matchmaking settings, the registration, the participant's
 * profile, a meeting and an opportunity.  Password hashing is a fast stand-in
 * (argon2id would make each input take 50 ms).
 *
 * Properties: a handler returns a known error or a response; ERR_INVALID
 * names a field or an error code; the error body is a JSON object.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "api.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "event.h"
#include "http.h"
#include "i18n.h"
#include "json.h"
#include "match.h"
#include "registration.h"
#include "route.h"

#include "fakereq.h"
#include "fuzz.h"

static const struct route *json_routes[128];
static size_t njson;
static struct event_ref fixture;
static char token[64];

/* ---- stand-ins for the database (ld --wrap) ---- */

enum err __wrap_manage_load(struct req *, struct event_ref *, long long *);
enum err __wrap_db_match_settings(struct db *, long long, struct match_settings *);
enum err __wrap_db_reg_json(struct db *, long long, long long, const char *, cJSON **);
enum err __wrap_db_match_profile_by_reg(struct db *, long long, struct match_profile *);
enum err __wrap_db_match_profile_get(struct db *, long long, long long, struct match_profile *);
enum err __wrap_db_match_expire(struct db *, long long);
enum err __wrap_db_meeting_get(struct db *, long long, long long, struct meeting *);
enum err __wrap_db_match_opp_json(struct db *, long long, long long, cJSON **);
enum err __wrap_auth_hash_password(const char *, char out[AUTH_HASH_MAX]);
int __wrap_auth_verify_password(const char *, const char *, enum err *);

enum err
__wrap_manage_load(struct req *r, struct event_ref *ev, long long *reg_id)
{
	(void)r;
	*ev = fixture;
	*reg_id = 1;
	return ERR_OK;
}

enum err
__wrap_db_match_settings(struct db *d, long long event_id, struct match_settings *s)
{
	(void)d;
	(void)event_id;
	memset(s, 0, sizeof(*s));
	s->exists = s->enabled = 1;
	s->meeting_minutes = 20;
	s->max_meetings = 12;
	s->expiry_hours = 72;
	s->all_ttypes = 1;
	for (int i = 0; match_default_orgtypes[i] != NULL && i < MATCH_ORGTYPES_MAX; i++)
		snprintf(s->orgtypes[s->norgtypes++], sizeof(s->orgtypes[0]), "%s",
		    match_default_orgtypes[i]);
	return ERR_OK;
}

enum err
__wrap_db_reg_json(struct db *d, long long event_id, long long id, const char *tz, cJSON **out)
{
	(void)d;
	(void)tz;
	*out = cJSON_CreateObject();
	cJSON_AddNumberToObject(*out, "id", (double)id);
	cJSON_AddNumberToObject(*out, "event_id", (double)event_id);
	cJSON_AddStringToObject(*out, "status", "confirmed");
	cJSON_AddNumberToObject(*out, "ticket_type_id", 1);
	cJSON_AddStringToObject(*out, "name", "Ana Novak");
	return ERR_OK;
}

enum err
__wrap_db_match_profile_by_reg(struct db *d, long long reg_id, struct match_profile *p)
{
	(void)d;
	memset(p, 0, sizeof(*p));
	p->id = 1;
	p->event_id = fixture.id;
	p->reg_id = reg_id;
	p->visible = 1;
	p->available_all = 1;
	return ERR_OK;
}

enum err
__wrap_db_match_profile_get(struct db *d, long long event_id, long long id, struct match_profile *p)
{
	(void)d;
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->event_id = event_id;
	p->reg_id = id;
	p->visible = 1;
	return ERR_OK;
}

enum err
__wrap_db_match_expire(struct db *d, long long event_id)
{
	(void)d;
	(void)event_id;
	return ERR_OK;
}

enum err
__wrap_db_meeting_get(struct db *d, long long event_id, long long id, struct meeting *m)
{
	(void)d;
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->event_id = event_id;
	m->requester = 1;
	m->recipient = 2;
	m->slot_id = 1;
	m->slot_starts = (long long)time(NULL) - 3600;
	m->slot_ends = m->slot_starts + 1200;
	snprintf(m->status, sizeof(m->status), "scheduled");
	return ERR_OK;
}

enum err
__wrap_db_match_opp_json(struct db *d, long long profile_id, long long id, cJSON **out)
{
	(void)d;
	*out = cJSON_CreateObject();
	cJSON_AddNumberToObject(*out, "id", (double)id);
	cJSON_AddNumberToObject(*out, "profile_id", (double)profile_id);
	cJSON_AddStringToObject(*out, "kind", "offer");
	return ERR_OK;
}

enum err
__wrap_auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	(void)pw;
	snprintf(out, AUTH_HASH_MAX, "$argon2id$v=19$m=65536,t=2,p=1$fuzz$fuzz");
	return ERR_OK;
}

int
__wrap_auth_verify_password(const char *hash, const char *pw, enum err *e)
{
	(void)hash;
	(void)pw;
	*e = ERR_OK;
	return 0;
}

/* ---- the cache a handler reads before its first statement ---- */

static void
seed_cache(void)
{
	static const char questions[] =
	    "[{\"id\":1,\"kind\":\"text\",\"required\":true,\"options\":null},"
	    "{\"id\":2,\"kind\":\"textarea\",\"required\":false},"
	    "{\"id\":3,\"kind\":\"choice\",\"required\":true,\"options\":[\"Yes\",\"No\"],"
	    "\"tr\":{\"options\":{\"sl\":[\"Da\",\"Ne\"]}}},"
	    "{\"id\":4,\"kind\":\"multichoice\",\"required\":false,\"options\":[\"A\",\"B\",\"C\"]},"
	    "{\"id\":5,\"kind\":\"checkbox\",\"required\":true},"
	    "{\"id\":6,\"kind\":\"country\",\"required\":false},"
	    "{\"id\":7,\"kind\":\"unknown\"}]";
	char qbuf[1200];
	struct ttype_rules tt;
	long long key[2] = {fixture.id, 1};

	cache_put(CACHE_EVENT, fixture.slug, strlen(fixture.slug), &fixture, sizeof(fixture), 60000);
	memset(&tt, 0, sizeof(tt));
	tt.id = 1;
	tt.all_sessions = 1;
	snprintf(tt.name, sizeof(tt.name), "Regular");
	cache_put(CACHE_TTYPE, key, sizeof(key), &tt, sizeof(tt), 60000);
	memset(qbuf, 0, sizeof(qbuf));
	memcpy(qbuf, questions, sizeof(questions));
	cache_put(CACHE_QUESTIONS, &fixture.id, sizeof(fixture.id), qbuf, sizeof(qbuf), 60000);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const kv[] = {
		"CONFERO_BASE_URL", "https://confero.example",
		"CONFERO_HASH_WORKERS", "1",
		NULL,
	};

	(void)argc;
	(void)argv;
	fz_config(kv);
	fz_server_init();
	fz_event_fixture(&fixture);
	memset(token, 'T', 43);
	/* The route list, for whoever reads a crash input's first byte. */
	for (size_t i = 0; i < nroutes; i++)
		if (routes[i].flags & RF_JSON)
			json_routes[njson++] = &routes[i];
	if (getenv("CONFERO_FUZZ_ROUTES") != NULL)
		for (size_t i = 0; i < njson; i++)
			fprintf(stderr, "%zu %s %s\n", i, json_routes[i]->method, json_routes[i]->pattern);
	return 0;
}

/* The pattern with {slug}, {id} and {token} filled in. */
static void
make_path(const char *pat, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *s = pat; *s != '\0' && o + 1 < cap;) {
		const char *v = NULL;
		if (strncmp(s, "{slug}", 6) == 0)
			v = fixture.slug;
		else if (strncmp(s, "{id}", 4) == 0)
			v = "1";
		else if (strncmp(s, "{token}", 7) == 0)
			v = token;
		if (v != NULL) {
			o += (size_t)snprintf(out + o, cap - o, "%s", v);
			s = strchr(s, '}') + 1;
		} else
			out[o++] = *s++;
	}
	out[o < cap ? o : cap - 1] = '\0';
}

static void
json_delete(void *p)
{
	cJSON_Delete(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route *want, *rt = NULL;
	char path[512], allow[128];
	struct fz_conn *c;
	struct req *r;
	enum err e;

	if (size < 1 || size > 65536 || njson == 0)
		return 0;
	want = json_routes[data[0] % njson];
	seed_cache();
	make_path(want->pattern, path, sizeof(path));
	c = fz_conn_new();
	fz_conn_add(c, FZ_HEADER, "Content-Type", "application/json");
	fz_conn_add(c, FZ_HEADER, "Accept-Language", data[0] & 0x80 ? "sl" : "en");
	r = fz_req_new(want->method, path, c);
	FZ_ASSERT(route_match(routes, nroutes, want->method, path, &rt, &r->params, allow,
	    sizeof(allow)) == ROUTE_FOUND && rt == want, "%s %s does not route to itself",
	    want->method, path);
	r->route = rt;
	r->who.kind = PRINCIPAL_SESSION;
	r->who.user_id = 1;
	r->who.role = ROLE_ADMIN;
	snprintf(r->who.email, sizeof(r->who.email), "admin@confero.example");
	snprintf(r->session_secret, sizeof(r->session_secret), "fuzz-session-secret-0123456789");
	r->body = arena_alloc(r->arena, size);
	memcpy(r->body, data + 1, size - 1);
	r->body[size - 1] = '\0';
	r->body_len = size - 1;
	r->body_cap = size;
	if ((r->json = json_parse_object(r->body, r->body_len)) == NULL)
		goto out;
	arena_defer(r->arena, json_delete, r->json);

	e = rt->fn(r);
	if (getenv("CONFERO_FUZZ_DEBUG") != NULL) {
		char *fields = r->err_fields ? cJSON_PrintUnformatted(r->err_fields) : NULL;
		fprintf(stderr, "%s %s -> %d %s %s\n", rt->method, rt->pattern, err_status(e),
		    r->err_code ? r->err_code : err_code(e), fields ? fields : "");
		free(fields);
	}

	FZ_ASSERT(e >= ERR_OK && err_status(e) >= 200 && err_status(e) < 600,
	    "%s %s: error %d", rt->method, rt->pattern, (int)e);
	if (e == ERR_OK) {
		FZ_ASSERT(r->status >= 200 && r->status < 600, "%s %s: ERR_OK without a response",
		    rt->method, rt->pattern);
	} else {
		char *body = json_error_body(r->err_code ? r->err_code : err_code(e),
		    r->err_msg ? r->err_msg : err_message(e),
		    e == ERR_INVALID ? r->err_fields : NULL);
		cJSON *j = body ? cJSON_Parse(body) : NULL;

		FZ_ASSERT(cJSON_IsObject(j), "%s %s: error body \"%s\"", rt->method, rt->pattern,
		    body ? body : "(null)");
		if (e == ERR_INVALID)
			FZ_ASSERT(r->err_code != NULL || (r->err_fields != NULL &&
			    cJSON_GetArraySize(r->err_fields) > 0),
			    "%s %s: 422 naming nothing", rt->method, rt->pattern);
		cJSON_Delete(j);
		free(body);
	}
out:
	fz_req_free(r);
	fz_conn_free(c);
	return 0;
}
