/* Helpers shared by handlers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "json.h"

cJSON *
user_json(const struct user *u)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "id", u->id);
	json_add_str(o, "email", u->email);
	json_add_str(o, "role", role_name(u->role));
	cJSON_AddBoolToObject(o, "disabled", u->disabled != 0);
	json_add_str(o, "created_at", u->created_at[0] ? u->created_at : NULL);
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

char *
lower_dup(struct req *r, const char *s)
{
	char *p = arena_strdup(r->arena, s);

	for (char *q = p; q != NULL && *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
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
