/* Request handlers, one file per resource (api_*.c); see routes.c. */
#ifndef CONFERO_API_H
#define CONFERO_API_H

#include "err.h"

struct req;
struct user;
struct token;

enum err api_healthz(struct req *);

enum err api_login(struct req *);
enum err api_logout(struct req *);
enum err api_me(struct req *);

enum err api_users_create(struct req *);
enum err api_users_list(struct req *);
enum err api_users_get(struct req *);
enum err api_users_update(struct req *);

enum err api_tokens_create(struct req *);
enum err api_tokens_list(struct req *);
enum err api_tokens_delete(struct req *);

/* Shared helpers (api_common.c). */
#include <cjson/cJSON.h>
cJSON *user_json(const struct user *);
/* Parse a positive decimal id from a path parameter; 0 when invalid. */
long long parse_id(const char *s);
/* Lower-case ASCII copy in the request arena. */
char *lower_dup(struct req *, const char *s);
/* "user"/"token" and the id, for audit rows. */
const char *actor_kind(const struct req *);
long long actor_id(const struct req *);

#endif
