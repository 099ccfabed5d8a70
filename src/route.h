/*
 * The route table type and the matcher.  A pattern is a path whose
 * segments may be {name} parameters; matching is exact per segment.
 */
#ifndef CONFERO_ROUTE_H
#define CONFERO_ROUTE_H

#include <stddef.h>

#include "err.h"

enum role {
	ROLE_NONE = 0,          /* public route */
	ROLE_CHECKIN = 1,
	ROLE_ORGANISER = 2,
	ROLE_ADMIN = 3,
};

#define RF_JSON    0x01     /* body must be a JSON object */
#define RF_NOCSRF  0x02     /* state-changing but exempt from CSRF (login) */
#define RF_SECRET  0x04     /* path parameters are secrets; redacted in logs */
#define RF_NOAUTH  0x08     /* never look up credentials (health, login) */
#define RF_UNSCOPED 0x10    /* not for event-scoped tokens (users, tokens, new events) */
#define RF_JSON_OPT 0x20    /* a body, if any, must be a JSON object */

struct req;
typedef enum err (*handler_fn)(struct req *);

struct route {
	const char *method;
	const char *pattern;
	handler_fn fn;
	enum role role;         /* least role needed; ROLE_NONE: public */
	unsigned flags;
};

#define ROUTE_MAXPARAMS 6
#define ROUTE_MAXVALUE 256

struct route_params {
	int n;
	const char *name[ROUTE_MAXPARAMS];      /* points into the pattern */
	size_t namelen[ROUTE_MAXPARAMS];
	char value[ROUTE_MAXPARAMS][ROUTE_MAXVALUE];
};

enum route_result {
	ROUTE_FOUND = 0,
	ROUTE_NOTFOUND = 404,
	ROUTE_BADMETHOD = 405,
};

/*
 * Find the route for method and path.  On ROUTE_BADMETHOD, allow holds the
 * comma-separated methods the path accepts.  HEAD matches GET routes.
 */
enum route_result route_match(const struct route *tbl, size_t n,
    const char *method, const char *path, const struct route **out,
    struct route_params *p, char *allow, size_t allowlen);
const char *route_param(const struct route_params *, const char *name);
const char *role_name(enum role);
/* -1 when s names no role. */
int role_parse(const char *s);

extern const struct route routes[];
extern const size_t nroutes;
/* The handler tried first on the event thread, if the route has one (http.h). */
handler_fn route_lane(const struct route *);

#endif
