/* Path-pattern matching for the route table; pure, unit-tested. */
#include <stdio.h>
#include <string.h>

#include "route.h"

/* Match one pattern against a path; fills p on success. */
static int
match_pattern(const char *pat, const char *path, struct route_params *p)
{
	const char *ps, *pe, *ss, *se;

	p->n = 0;
	if (*pat != '/' || *path != '/')
		return 0;
	ps = pat + 1;
	ss = path + 1;
	for (;;) {
		pe = strchr(ps, '/');
		se = strchr(ss, '/');
		if (pe == NULL)
			pe = ps + strlen(ps);
		if (se == NULL)
			se = ss + strlen(ss);
		if (*ps == '{' && pe > ps + 1 && pe[-1] == '}') {
			size_t len = (size_t)(se - ss);
			if (len == 0 || len >= ROUTE_MAXVALUE || p->n == ROUTE_MAXPARAMS)
				return 0;
			p->name[p->n] = ps + 1;
			p->namelen[p->n] = (size_t)(pe - ps - 2);
			memcpy(p->value[p->n], ss, len);
			p->value[p->n][len] = '\0';
			p->n++;
		} else if ((pe - ps) != (se - ss) || memcmp(ps, ss, (size_t)(pe - ps)) != 0)
			return 0;
		if (*pe == '\0' || *se == '\0')
			return *pe == '\0' && *se == '\0';
		ps = pe + 1;
		ss = se + 1;
	}
}

enum route_result
route_match(const struct route *tbl, size_t n, const char *method,
    const char *path, const struct route **out, struct route_params *p,
    char *allow, size_t allowlen)
{
	struct route_params tmp;
	size_t i, used = 0;
	int pathmatch = 0, head = strcmp(method, "HEAD") == 0;

	if (allowlen > 0)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match_pattern(tbl[i].pattern, path, &tmp))
			continue;
		if (strcmp(tbl[i].method, method) == 0 ||
		    (head && strcmp(tbl[i].method, "GET") == 0)) {
			*p = tmp;
			*out = &tbl[i];
			return ROUTE_FOUND;
		}
		pathmatch = 1;
		if (allowlen > 0 && strstr(allow, tbl[i].method) == NULL) {
			int w = snprintf(allow + used, allowlen - used, "%s%s",
			    used ? ", " : "", tbl[i].method);
			if (w > 0 && (size_t)w < allowlen - used)
				used += (size_t)w;
		}
	}
	return pathmatch ? ROUTE_BADMETHOD : ROUTE_NOTFOUND;
}

const char *
route_param(const struct route_params *p, const char *name)
{
	int i;
	size_t len = strlen(name);

	for (i = 0; i < p->n; i++)
		if (p->namelen[i] == len && memcmp(p->name[i], name, len) == 0)
			return p->value[i];
	return NULL;
}

static const char *const role_names[] = {"none", "checkin", "organiser", "admin"};

const char *
role_name(enum role r)
{
	return (r >= ROLE_NONE && r <= ROLE_ADMIN) ? role_names[r] : "none";
}

int
role_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = ROLE_CHECKIN; i <= ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}
