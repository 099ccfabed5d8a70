/* Unit tests for src/route.c: the path-pattern matcher and role names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "route.h"

static enum err
dummy(struct req *r)
{
	(void)r;
	return ERR_OK;
}

/* Our own table; the real one (routes[]) lives in src/routes.c. */
static const struct route tbl[] = {
	{"GET", "/", dummy, ROLE_NONE, 0},                                    /* 0 */
	{"GET", "/api/health", dummy, ROLE_NONE, RF_NOAUTH},                  /* 1 */
	{"GET", "/api/events", dummy, ROLE_NONE, 0},                          /* 2 */
	{"POST", "/api/events", dummy, ROLE_ORGANISER, RF_JSON},              /* 3 */
	{"GET", "/api/events/{id}", dummy, ROLE_NONE, 0},                     /* 4 */
	{"PATCH", "/api/events/{id}", dummy, ROLE_ORGANISER, RF_JSON},        /* 5 */
	{"DELETE", "/api/events/{id}", NULL, ROLE_ADMIN, 0},                  /* 6 */
	{"GET", "/api/events/{id}/tickets/{tid}", dummy, ROLE_CHECKIN, 0},    /* 7 */
	{"POST", "/api/events/{id}/tickets/{tid}/checkin", dummy, ROLE_CHECKIN, 0}, /* 8 */
	{"POST", "/api/login", dummy, ROLE_NONE, RF_NOCSRF | RF_NOAUTH},      /* 9 */
	/* Same method twice for one path: Allow must list it once. */
	{"PUT", "/api/things/{a}", dummy, ROLE_NONE, 0},                      /* 10 */
	{"PUT", "/api/things/{b}", dummy, ROLE_NONE, 0},                      /* 11 */
	{"DELETE", "/api/things/special", dummy, ROLE_NONE, 0},               /* 12 */
	{"PUT", "/api/things/{c}", dummy, ROLE_NONE, 0},                      /* 13 */
	{"GET", "/t/{code}", dummy, ROLE_NONE, RF_SECRET},                    /* 14 */
	{"POST", "/api/only-post", dummy, ROLE_NONE, 0},                      /* 15 */
};
#define NTBL (sizeof(tbl) / sizeof(tbl[0]))

struct m {
	enum route_result rc;
	const struct route *r;
	struct route_params p;
	char allow[128];
};

static enum route_result
match(struct m *m, const char *method, const char *path)
{
	memset(m, 0, sizeof(*m));
	memset(m->allow, 'X', sizeof(m->allow) - 1);
	m->r = NULL;
	m->rc = route_match(tbl, NTBL, method, path, &m->r, &m->p, m->allow,
	    sizeof(m->allow));
	return m->rc;
}

static void
test_exact_static(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/health"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[1]);
	assert_int_equal(m.p.n, 0);
	assert_int_equal(m.r->flags, RF_NOAUTH);

	assert_int_equal(match(&m, "GET", "/"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[0]);

	assert_int_equal(match(&m, "GET", "/api/events"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[2]);
	assert_int_equal(match(&m, "POST", "/api/events"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[3]);
	assert_int_equal(m.r->role, ROLE_ORGANISER);
}

static void
test_segment_must_match_exactly(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/healthz"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/healt"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/Health"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/apix/health"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/health/x"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/x/api/health"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "api/health"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", ""), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "//"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "//api/health"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api//health"), ROUTE_NOTFOUND);
	/* The fixed segments around a parameter are fixed too. */
	assert_int_equal(match(&m, "GET", "/api/events/1/ticket/2"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/events/1/tickets"), ROUTE_NOTFOUND);
}

static void
test_trailing_slash_no_match(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/health/"), ROUTE_NOTFOUND);
	/* "/api/events/" must not be /api/events, nor /api/events/{id} with id="". */
	assert_int_equal(match(&m, "GET", "/api/events/"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/events/7/"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/events/7/tickets/9/"), ROUTE_NOTFOUND);
}

static void
test_param_capture(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/events/42"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[4]);
	assert_int_equal(m.p.n, 1);
	assert_string_equal(route_param(&m.p, "id"), "42");

	assert_int_equal(match(&m, "GET", "/api/events/abc-DEF_1.2~x%20y"), ROUTE_FOUND);
	assert_string_equal(route_param(&m.p, "id"), "abc-DEF_1.2~x%20y");

	assert_int_equal(match(&m, "GET", "/api/events/7/tickets/tk_99"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[7]);
	assert_int_equal(m.p.n, 2);
	assert_string_equal(route_param(&m.p, "id"), "7");
	assert_string_equal(route_param(&m.p, "tid"), "tk_99");

	assert_int_equal(match(&m, "POST", "/api/events/7/tickets/tk_99/checkin"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[8]);
	assert_string_equal(route_param(&m.p, "id"), "7");
	assert_string_equal(route_param(&m.p, "tid"), "tk_99");

	assert_int_equal(match(&m, "GET", "/t/SECRETCODE"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[14]);
	assert_true(m.r->flags & RF_SECRET);
	assert_string_equal(route_param(&m.p, "code"), "SECRETCODE");
}

static void
test_route_param_lookup(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/events/7/tickets/8"), ROUTE_FOUND);
	assert_null(route_param(&m.p, "i"));        /* prefix of a name */
	assert_null(route_param(&m.p, "idx"));      /* name is a prefix */
	assert_null(route_param(&m.p, "ID"));
	assert_null(route_param(&m.p, ""));
	assert_null(route_param(&m.p, "nope"));
	assert_null(route_param(&m.p, "{id}"));

	/* No params at all. */
	assert_int_equal(match(&m, "GET", "/api/health"), ROUTE_FOUND);
	assert_null(route_param(&m.p, "id"));
}

static void
test_empty_param_no_match(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/api/events//tickets/1"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/api/events/1/tickets/"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "GET", "/t/"), ROUTE_NOTFOUND);
	assert_int_equal(match(&m, "PATCH", "/api/events/"), ROUTE_NOTFOUND);
}

static void
test_param_length_limit(void **state)
{
	struct m m;
	char path[600], val[ROUTE_MAXVALUE + 2];

	(void)state;
	/* 255 bytes: the longest value that fits with its NUL. */
	memset(val, 'a', ROUTE_MAXVALUE - 1);
	val[ROUTE_MAXVALUE - 1] = '\0';
	snprintf(path, sizeof(path), "/api/events/%s", val);
	assert_int_equal(match(&m, "GET", path), ROUTE_FOUND);
	assert_int_equal(strlen(route_param(&m.p, "id")), ROUTE_MAXVALUE - 1);
	assert_string_equal(route_param(&m.p, "id"), val);

	/* 256 and 257 bytes: no match (not truncated). */
	memset(val, 'b', ROUTE_MAXVALUE);
	val[ROUTE_MAXVALUE] = '\0';
	snprintf(path, sizeof(path), "/api/events/%s", val);
	assert_int_equal(match(&m, "GET", path), ROUTE_NOTFOUND);
	memset(val, 'c', ROUTE_MAXVALUE + 1);
	val[ROUTE_MAXVALUE + 1] = '\0';
	snprintf(path, sizeof(path), "/api/events/%s/tickets/1", val);
	assert_int_equal(match(&m, "GET", path), ROUTE_NOTFOUND);
	/* ... and with the second param too long. */
	snprintf(path, sizeof(path), "/api/events/1/tickets/%s", val);
	assert_int_equal(match(&m, "GET", path), ROUTE_NOTFOUND);
}

static void
test_405_allow(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "PUT", "/api/events"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "GET, POST");

	assert_int_equal(match(&m, "POST", "/api/events/5"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "GET, PATCH, DELETE");

	assert_int_equal(match(&m, "GET", "/api/login"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "POST");

	/* Distinct methods only, in table order. */
	assert_int_equal(match(&m, "GET", "/api/things/special"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "PUT, DELETE");
	assert_int_equal(match(&m, "GET", "/api/things/other"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "PUT");

	/* Method names are case-sensitive. */
	assert_int_equal(match(&m, "get", "/api/health"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "GET");
}

static void
test_404_clears_allow(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "GET", "/nowhere"), ROUTE_NOTFOUND);
	assert_string_equal(m.allow, "");
	assert_null(m.r);
	assert_int_equal(match(&m, "DELETE", "/api/nowhere/1"), ROUTE_NOTFOUND);
	assert_string_equal(m.allow, "");
}

static void
test_head_matches_get(void **state)
{
	struct m m;

	(void)state;
	assert_int_equal(match(&m, "HEAD", "/api/health"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[1]);
	assert_int_equal(match(&m, "HEAD", "/api/events/3"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[4]);
	assert_string_equal(route_param(&m.p, "id"), "3");
	/* HEAD on a path without GET: 405, and the Allow lists what there is. */
	assert_int_equal(match(&m, "HEAD", "/api/only-post"), ROUTE_BADMETHOD);
	assert_string_equal(m.allow, "POST");
	assert_int_equal(match(&m, "HEAD", "/nothing"), ROUTE_NOTFOUND);
	/* GET does not match a HEAD-only idea in reverse: POST stays POST. */
	assert_int_equal(match(&m, "POST", "/api/health"), ROUTE_BADMETHOD);
}

static void
test_first_match_wins(void **state)
{
	struct m m;

	(void)state;
	/* /api/things/{a} and /api/things/{b}: the first one is chosen. */
	assert_int_equal(match(&m, "PUT", "/api/things/special"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[10]);
	assert_string_equal(route_param(&m.p, "a"), "special");
	assert_null(route_param(&m.p, "b"));
	assert_int_equal(match(&m, "DELETE", "/api/things/special"), ROUTE_FOUND);
	assert_ptr_equal(m.r, &tbl[12]);
	assert_int_equal(m.p.n, 0);
}

static void
test_allow_buffer_small_or_absent(void **state)
{
	const struct route *r = NULL;
	struct route_params p;
	char small[8];
	enum route_result rc;

	(void)state;
	/* allowlen 0: the buffer is never touched (NULL is fine). */
	rc = route_match(tbl, NTBL, "POST", "/api/events/1", &r, &p, NULL, 0);
	assert_int_equal(rc, ROUTE_BADMETHOD);
	rc = route_match(tbl, NTBL, "GET", "/nowhere", &r, &p, NULL, 0);
	assert_int_equal(rc, ROUTE_NOTFOUND);

	/* A short buffer is not overrun and stays NUL-terminated. */
	memset(small, 'Z', sizeof(small));
	rc = route_match(tbl, NTBL, "POST", "/api/events/1", &r, &p, small, sizeof(small));
	assert_int_equal(rc, ROUTE_BADMETHOD);
	assert_non_null(memchr(small, '\0', sizeof(small)));
	assert_true(strncmp(small, "GET", 3) == 0);

	/* An empty table finds nothing. */
	rc = route_match(tbl, 0, "GET", "/", &r, &p, small, sizeof(small));
	assert_int_equal(rc, ROUTE_NOTFOUND);
}

static void
test_role_names(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_NONE), "none");
	assert_string_equal(role_name(ROLE_CHECKIN), "checkin");
	assert_string_equal(role_name(ROLE_ORGANISER), "organiser");
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name((enum role)4), "none");
	assert_string_equal(role_name((enum role)99), "none");
	assert_string_equal(role_name((enum role)-1), "none");
}

static void
test_role_parse(void **state)
{
	int r;

	(void)state;
	assert_int_equal(role_parse("checkin"), ROLE_CHECKIN);
	assert_int_equal(role_parse("organiser"), ROLE_ORGANISER);
	assert_int_equal(role_parse("admin"), ROLE_ADMIN);
	/* Round trip for every assignable role. */
	for (r = ROLE_CHECKIN; r <= ROLE_ADMIN; r++)
		assert_int_equal(role_parse(role_name((enum role)r)), r);
	/* "none" is not a role a user can hold. */
	assert_int_equal(role_parse("none"), -1);
	assert_int_equal(role_parse(NULL), -1);
	assert_int_equal(role_parse(""), -1);
	assert_int_equal(role_parse("Admin"), -1);
	assert_int_equal(role_parse("ADMIN"), -1);
	assert_int_equal(role_parse("admin "), -1);
	assert_int_equal(role_parse(" admin"), -1);
	assert_int_equal(role_parse("adm"), -1);
	assert_int_equal(role_parse("administrator"), -1);
	assert_int_equal(role_parse("organizer"), -1);
	assert_int_equal(role_parse("3"), -1);
}

/* ---- the real table, src/routes.c ---- */

static int
is_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0;
}

/* Pattern with every {param} replaced by "{}", for duplicate detection. */
static void
shape(const char *pat, char *out, size_t outlen)
{
	size_t o = 0;

	while (*pat != '\0' && o + 3 < outlen) {
		if (*pat == '{') {
			out[o++] = '{';
			out[o++] = '}';
			while (*pat != '\0' && *pat != '}')
				pat++;
			if (*pat == '}')
				pat++;
		} else
			out[o++] = *pat++;
	}
	out[o] = '\0';
}

/* A concrete path for pattern, each parameter replaced by "v<n>". */
static void
concrete(const char *pat, char *out, size_t outlen)
{
	size_t o = 0;
	int n = 0;

	while (*pat != '\0' && o + 4 < outlen) {
		if (*pat == '{') {
			o += (size_t)snprintf(out + o, outlen - o, "v%d", n++);
			while (*pat != '\0' && *pat != '}')
				pat++;
			if (*pat == '}')
				pat++;
		} else
			out[o++] = *pat++;
	}
	out[o] = '\0';
}

static void
test_real_table_sane(void **state)
{
	size_t i, j;
	char si[512], sj[512];

	(void)state;
	assert_true(nroutes > 0);
	for (i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];
		const char *p;
		int nparam = 0;

		assert_non_null(r->method);
		assert_non_null(r->pattern);
		if (!is_method(r->method))
			fail_msg("route %zu: method \"%s\"", i, r->method);
		if (r->fn == NULL)
			fail_msg("route %zu %s %s: no handler", i, r->method, r->pattern);
		if (r->role < ROLE_NONE || r->role > ROLE_ADMIN)
			fail_msg("route %zu %s %s: role %d", i, r->method, r->pattern, (int)r->role);
		if (r->pattern[0] != '/' || strstr(r->pattern, "//") != NULL ||
		    (strlen(r->pattern) > 1 && r->pattern[strlen(r->pattern) - 1] == '/'))
			fail_msg("route %zu: pattern \"%s\"", i, r->pattern);
		if ((r->flags & (RF_JSON | RF_JSON_OPT)) && strcmp(r->method, "GET") == 0)
			fail_msg("route %zu %s %s: a GET with a JSON body", i, r->method, r->pattern);
		if ((r->flags & ~(unsigned)(RF_JSON | RF_NOCSRF | RF_SECRET | RF_NOAUTH | RF_UNSCOPED | RF_JSON_OPT)) != 0)
			fail_msg("route %zu: unknown flags %#x", i, r->flags);
		/* Event routes check a token's event themselves (event_load). */
		if ((r->flags & RF_UNSCOPED) && strstr(r->pattern, "{slug}") != NULL)
			fail_msg("route %zu %s: an event route refused to event tokens", i, r->pattern);
		/* Parameters: whole segments, named, not too many. */
		for (p = r->pattern; (p = strchr(p, '{')) != NULL; p++) {
			const char *e = strchr(p, '}');

			nparam++;
			if (p[-1] != '/' || e == NULL || e == p + 1 || (e[1] != '/' && e[1] != '\0'))
				fail_msg("route %zu: bad parameter in \"%s\"", i, r->pattern);
		}
		if (nparam > ROUTE_MAXPARAMS)
			fail_msg("route %zu: %d parameters", i, nparam);
		/* No duplicate method + path shape. */
		shape(r->pattern, si, sizeof(si));
		for (j = 0; j < i; j++) {
			shape(routes[j].pattern, sj, sizeof(sj));
			if (strcmp(routes[j].method, r->method) == 0 && strcmp(si, sj) == 0)
				fail_msg("routes %zu and %zu: both %s %s", j, i, r->method, si);
		}
	}
}

/* Every entry is reachable: an earlier pattern never shadows it. */
static void
test_real_table_reachable(void **state)
{
	size_t i;
	char path[512], allow[128];

	(void)state;
	for (i = 0; i < nroutes; i++) {
		const struct route *r = NULL;
		struct route_params p;
		enum route_result rc;

		concrete(routes[i].pattern, path, sizeof(path));
		rc = route_match(routes, nroutes, routes[i].method, path, &r, &p, allow,
		    sizeof(allow));
		if (rc != ROUTE_FOUND || r != &routes[i])
			fail_msg("%s %s (from %s) does not reach route %zu", routes[i].method,
			    path, routes[i].pattern, i);
		if (strcmp(routes[i].method, "GET") == 0) {
			rc = route_match(routes, nroutes, "HEAD", path, &r, &p, allow, sizeof(allow));
			assert_int_equal(rc, ROUTE_FOUND);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_static),
		cmocka_unit_test(test_segment_must_match_exactly),
		cmocka_unit_test(test_trailing_slash_no_match),
		cmocka_unit_test(test_param_capture),
		cmocka_unit_test(test_route_param_lookup),
		cmocka_unit_test(test_empty_param_no_match),
		cmocka_unit_test(test_param_length_limit),
		cmocka_unit_test(test_405_allow),
		cmocka_unit_test(test_404_clears_allow),
		cmocka_unit_test(test_head_matches_get),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_allow_buffer_small_or_absent),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_parse),
		cmocka_unit_test(test_real_table_sane),
		cmocka_unit_test(test_real_table_reachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
