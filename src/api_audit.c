/*
 * The audit trail for people: GET /api/v1/events/{slug}/audit (the event's
 * organisers) and GET /api/v1/audit (admins), newest first, filtered by
 * actor, registration and action.  Entries hold who acted, when, through
 * what and on which object; never passwords, tokens, codes or personal
 * values (the callers of db_audit write none).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "json.h"
#include "validate.h"

static int
action_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '.' || *s == '_'))
			return 0;
	return 1;
}

/* actor=system | user:ID | token:ID | attendee:ID */
static int
actor_parse(struct req *r, const char *s, struct audit_filter *f)
{
	static const char *const kinds[] = {"user", "token", "attendee", NULL};
	const char *colon;
	int i;

	if (strcmp(s, "system") == 0) {
		f->actor_kind = "system";
		return 0;
	}
	if ((colon = strchr(s, ':')) == NULL)
		return -1;
	for (i = 0; kinds[i] != NULL; i++)
		if (strlen(kinds[i]) == (size_t)(colon - s) &&
		    strncmp(kinds[i], s, (size_t)(colon - s)) == 0)
			break;
	if (kinds[i] == NULL || (f->actor_id = parse_id(colon + 1)) <= 0)
		return -1;
	f->actor_kind = kinds[i];
	(void)r;
	return 0;
}

static enum err
audit_reply(struct req *r, long long event_id, const char *tz)
{
	struct vld v = {req_fields(r), 0};
	struct audit_filter f;
	const char *s;
	long long total = 0, page = 1, per = 50;
	struct db *d;
	enum err e;
	cJSON *o;

	memset(&f, 0, sizeof(f));
	f.event_id = event_id;
	if ((s = req_query(r, "actor")) != NULL && *s != '\0' && actor_parse(r, s, &f) != 0)
		vld_fail(&v, "actor", "invalid");
	if ((s = req_query(r, "registration")) != NULL && *s != '\0' &&
	    (f.registration_id = parse_id(s)) <= 0)
		vld_fail(&v, "registration", "invalid");
	if ((s = req_query(r, "action")) != NULL && *s != '\0') {
		if (!action_valid(s))
			vld_fail(&v, "action", "invalid");
		f.action = s;
	}
	if ((s = req_query(r, "page")) != NULL && *s != '\0' &&
	    ((page = parse_id(s)) <= 0 || page > 1000000))
		vld_fail(&v, "page", "invalid");
	if ((s = req_query(r, "per_page")) != NULL && *s != '\0' &&
	    ((per = parse_id(s)) <= 0 || per > 500))
		vld_fail(&v, "per_page", "invalid");
	if (v.nerr)
		return ERR_INVALID;
	f.limit = per;
	f.offset = (page - 1) * per;
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	o = cJSON_CreateObject();
	if ((e = db_audit_list(d, &f, tz, cJSON_AddArrayToObject(o, "entries"), &total)) != ERR_OK) {
		cJSON_Delete(o);
		return e;
	}
	json_add_int(o, "total", total);
	json_add_int(o, "page", page);
	json_add_int(o, "per_page", per);
	return reply_json(r, 200, o);
}

enum err
api_audit_event(struct req *r)
{
	struct event_ref ev;
	enum err e;

	if ((e = event_load(r, ROLE_ORGANISER, &ev)) != ERR_OK)
		return e;
	return audit_reply(r, ev.id, ev.tz);
}

enum err
api_audit_all(struct req *r)
{
	return audit_reply(r, 0, NULL);
}
