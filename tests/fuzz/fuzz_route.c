/*
 * Routing and what a request's URL and headers are parsed into: the real
 * route table (src/routes.c) through route_match and route_param
 * (src/route.c), path ids (parse_id), roles, the registration filters of
 * the query string (reg_filter_query, query_enum, like_pattern), language
 * negotiation (i18n_negotiate: ?lang=, cookie, Accept-Language) and the
 * static file paths (static_path_ok, static_page_alias, static_serve).
 * The query string itself is split here the way libmicrohttpd does
 * ('&', '=', %XX and '+'); MHD's own parser is fuzzed through fuzz_http.
 *
 * Input, NUL-separated: method, path[?query], Accept-Language, the
 * confero_lang cookie, then a byte for the Allow buffer's size.
 * Properties: a found route's parameters put back into its pattern give
 * the path; whether a path routes does not depend on the method; Allow
 * lists only methods of routes for that path, within its buffer; a LIKE
 * pattern escapes every % _ and \; a negotiated language is one we have
 * (and one allowed, when a list is given); a path static_path_ok accepts
 * has no "." segment start, backslash, %, or control character.
 */
#include <ctype.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "http.h"
#include "i18n.h"
#include "registration.h"
#include "route.h"
#include "static.h"
#include "validate.h"

#include "fakereq.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256], web[512];

	(void)argc;
	(void)argv;
	fz_config(NULL);
	if (i18n_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		exit(1);
	}
	snprintf(web, sizeof(web), "%s/web", fz_top());
	static_init(web);
	return 0;
}

static int
count_params(const char *pat)
{
	int n = 0;

	for (const char *p = pat; (p = strchr(p, '{')) != NULL; p++)
		n++;
	return n;
}

/* The pattern with each {name} replaced by its value. */
static void
fill_pattern(const char *pat, const struct route_params *p, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *s = pat; *s != '\0' && o + 1 < cap;) {
		if (*s == '{') {
			const char *e = strchr(s, '}');
			char name[64];
			const char *v;
			snprintf(name, sizeof(name), "%.*s", (int)(e - s - 1), s + 1);
			v = route_param(p, name);
			FZ_ASSERT(v != NULL, "no value for {%s}", name);
			for (; *v != '\0' && o + 1 < cap; v++)
				out[o++] = *v;
			s = e + 1;
		} else
			out[o++] = *s++;
	}
	out[o] = '\0';
}

static void
check_route(const char *method, const char *path, size_t allowlen)
{
	char allow[256], want_allow[256], filled[4096];
	const struct route *rt = NULL;
	struct route_params p;
	enum route_result rr, rg;

	if (allowlen > sizeof(allow))
		allowlen = sizeof(allow);
	memset(allow, 'X', sizeof(allow));
	rr = route_match(routes, nroutes, method, path, &rt, &p, allow, allowlen);
	FZ_ASSERT(rr == ROUTE_FOUND || rr == ROUTE_NOTFOUND || rr == ROUTE_BADMETHOD, "result %d", rr);
	if (allowlen > 0)
		FZ_ASSERT(memchr(allow, '\0', allowlen) != NULL, "Allow not terminated in its buffer");
	for (size_t i = allowlen; i < sizeof(allow); i++)
		FZ_ASSERT(allow[i] == 'X', "Allow written past its buffer (%zu)", allowlen);
	if (rr == ROUTE_FOUND) {
		FZ_ASSERT(rt >= routes && rt < routes + nroutes, "route outside the table");
		FZ_ASSERT(strcmp(rt->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0),
		    "%s matched a %s route", method, rt->method);
		FZ_ASSERT(p.n == count_params(rt->pattern), "%d params for %s", p.n, rt->pattern);
		for (int i = 0; i < p.n; i++)
			FZ_ASSERT(p.value[i][0] != '\0' && strchr(p.value[i], '/') == NULL &&
			    strlen(p.value[i]) < ROUTE_MAXVALUE, "parameter %d is \"%s\"", i, p.value[i]);
		if (strlen(path) < sizeof(filled)) {
			fill_pattern(rt->pattern, &p, filled, sizeof(filled));
			FZ_ASSERT(strcmp(filled, path) == 0, "%s filled back is %s, not %s",
			    rt->pattern, filled, path);
		}
		/* Ids in paths: positive decimal, exactly as written. */
		{
			const char *id = route_param(&p, "id");
			long long v = parse_id(id);
			char back[32];
			if (v > 0) {
				snprintf(back, sizeof(back), "%lld", v);
				FZ_ASSERT(strcmp(back, id) == 0, "parse_id(\"%s\") = %lld", id, v);
			}
		}
	} else if (rr == ROUTE_BADMETHOD && allowlen == sizeof(allow)) {
		/* Every method listed has a route for this path, and ours is not one. */
		char *save = NULL, *m;
		FZ_ASSERT(allow[0] != '\0', "405 with an empty Allow");
		snprintf(want_allow, sizeof(want_allow), "%s", allow);
		for (m = strtok_r(want_allow, ", ", &save); m != NULL; m = strtok_r(NULL, ", ", &save)) {
			const struct route *r2;
			struct route_params p2;
			char a2[8];
			FZ_ASSERT(strcmp(m, method) != 0, "Allow lists the refused method %s", m);
			FZ_ASSERT(route_match(routes, nroutes, m, path, &r2, &p2, a2, sizeof(a2)) ==
			    ROUTE_FOUND, "Allow lists %s, which does not route %s", m, path);
		}
	}
	/* Routing a path does not depend on the method. */
	rg = route_match(routes, nroutes, strcmp(method, "GET") == 0 ? "DELETE" : "GET", path,
	    &rt, &p, allow, sizeof(allow));
	FZ_ASSERT((rr == ROUTE_NOTFOUND) == (rg == ROUTE_NOTFOUND), "%s routes for one method only",
	    path);
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
	    (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* In place: %XX and '+' as libmicrohttpd decodes query arguments. */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s == '%' && hexval((unsigned char)s[1]) >= 0 && hexval((unsigned char)s[2]) >= 0) {
			*w++ = (char)(hexval((unsigned char)s[1]) * 16 + hexval((unsigned char)s[2]));
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

static void
add_query(struct fz_conn *c, char *q)
{
	char *save = NULL, *kv;

	for (kv = strtok_r(q, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq != NULL)
			*eq++ = '\0';
		unescape(kv);
		if (eq != NULL)
			unescape(eq);
		fz_conn_add(c, FZ_QUERY, kv, eq != NULL ? eq : "");
	}
}

/* pattern is "%" s-escaped "%": unescaping the middle gives s back. */
static void
check_like(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 3), *back = malloc(n + 1);
	size_t i, k = 0, len;

	like_pattern("%", s, out);
	len = strlen(out);
	FZ_ASSERT(len >= 2 && out[0] == '%' && out[len - 1] == '%', "pattern \"%s\"", out);
	FZ_ASSERT(len <= 2 * n + 2, "pattern too long for its buffer");
	for (i = 1; i + 1 < len; i++) {
		if (out[i] == '\\') {
			FZ_ASSERT(i + 2 < len && strchr("%_\\", out[i + 1]) != NULL,
			    "a stray backslash in \"%s\"", out);
			i++;
		} else
			FZ_ASSERT(out[i] != '%' && out[i] != '_', "an unescaped wildcard in \"%s\"", out);
		back[k++] = out[i];
	}
	back[k] = '\0';
	FZ_ASSERT(strcmp(back, s) == 0, "like_pattern lost \"%s\"", s);
	free(out);
	free(back);
}

static void
check_query(struct req *r)
{
	static const char *const allowed[] = {"a", "b", "", NULL};
	struct reg_filter f;
	const char *out;
	enum err e;

	e = reg_filter_query(r, &f);
	FZ_ASSERT(e == ERR_OK || e == ERR_INVALID, "reg_filter_query: %d", e);
	if (e == ERR_INVALID)
		FZ_ASSERT(r->err_fields != NULL && cJSON_GetArraySize(r->err_fields) > 0,
		    "invalid without a field");
	if (e == ERR_OK && f.q != NULL)
		check_like(req_query(r, "q"));
	e = query_enum(r, "lang", allowed, &out);
	FZ_ASSERT(e == ERR_OK || e == ERR_INVALID, "query_enum: %d", e);
	if (e == ERR_OK && out != NULL)
		FZ_ASSERT(strcmp(out, req_query(r, "lang")) == 0, "query_enum chose another value");
}

static void
check_lang(const char *q, const char *cookie, const char *al)
{
	static const char *const allowed[] = {"sl", "en", "de"};
	const char *l;

	l = i18n_negotiate(q, cookie, al, NULL, 0);
	FZ_ASSERT(l != NULL && i18n_match(l, -1) == l, "negotiated \"%s\"", l ? l : "(null)");
	l = i18n_negotiate(q, cookie, al, allowed, 3);
	FZ_ASSERT(l != NULL && (strcmp(l, "sl") == 0 || strcmp(l, "en") == 0 ||
	    strcmp(l, "de") == 0), "negotiated \"%s\" outside the event's languages", l ? l : "(null)");
	if (al != NULL)
		(void)i18n_match(al, (long)strlen(al));
}

static void
check_static(const char *path)
{
	struct req *r;
	enum err e;

	if (static_path_ok(path)) {
		FZ_ASSERT(path[0] == '/' && strchr(path, '\\') == NULL && strchr(path, '%') == NULL &&
		    strstr(path, "/.") == NULL && strstr(path, "//") == NULL, "accepted \"%s\"", path);
		for (const char *p = path; *p != '\0'; p++)
			FZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f, "a control in \"%s\"", path);
	}
	(void)static_page_alias(path);
	(void)static_mime(path);
	r = fz_req_new("GET", path, NULL);
	e = static_serve(r);
	if (e == ERR_OK)
		FZ_ASSERT(r->resp_fd >= 0 || r->status == 304 || r->resp != NULL, "served nothing");
	fz_req_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *f[5], *q, *path;
	size_t n = 0, left = size, allowlen;
	struct fz_conn *c;
	struct req *r;

	if (size > 8192)
		return 0;
	s = fz_str(data, size);
	n = fz_fields(s, left, f, 5);
	for (size_t i = n; i < 5; i++)
		f[i] = NULL;
	allowlen = f[4] != NULL ? (unsigned char)f[4][0] : 128;
	path = f[1] != NULL ? f[1] : "/";
	if ((q = strchr(path, '?')) != NULL)
		*q++ = '\0';
	check_route(f[0], path, allowlen);
	role_name((enum role)role_parse(f[0]));
	if (role_parse(f[0]) >= 0)
		FZ_ASSERT(strcmp(role_name((enum role)role_parse(f[0])), f[0]) == 0, "role round trip");
	check_static(path);
	check_lang(NULL, f[3], f[2]);
	c = fz_conn_new();
	if (q != NULL)
		add_query(c, q);
	if (f[2] != NULL)
		fz_conn_add(c, FZ_HEADER, "Accept-Language", f[2]);
	if (f[3] != NULL)
		fz_conn_add(c, FZ_COOKIE, "confero_lang", f[3]);
	r = fz_req_new(f[0], path, c);
	check_query(r);
	check_lang(req_query(r, "lang"), f[3], f[2]);
	FZ_ASSERT(req_lang(r, NULL, 0) != NULL, "req_lang");
	check_like(path);
	fz_req_free(r);
	fz_conn_free(c);
	free(s);
	return 0;
}
