/* Query results as cJSON objects, driven by a column spec string. */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "timeutil.h"

struct json_ctx {
	const char *spec;
	const char *tz;
	cJSON *array;
	cJSON *one;
	int count;
};

static cJSON *
row_object(const char *spec, const char *tz, const struct dbrow *r)
{
	char ts[40];
	cJSON *o = cJSON_CreateObject(), *v;
	const char *p = spec, *colon, *end;
	char name[64];
	unsigned int i = 0;
	size_t nl;

	for (; *p != '\0' && i < r->n; i++, p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL)
			break;
		nl = (size_t)(colon - p);
		if (nl >= sizeof(name))
			nl = sizeof(name) - 1;
		memcpy(name, p, nl);
		name[nl] = '\0';
		if (colon[1] == 'x')
			continue;
		/* Lists of events: each row's own zone shows its times. */
		if (strcmp(name, "timezone") == 0 && r->val[i] != NULL && tz == NULL)
			tz = r->val[i];
		if (r->val[i] == NULL) {
			cJSON_AddNullToObject(o, name);
			continue;
		}
		switch (colon[1]) {
		case 'i':
			v = cJSON_CreateNumber((double)strtoll(r->val[i], NULL, 10));
			break;
		case 'd':
			v = cJSON_CreateNumber(strtod(r->val[i], NULL));
			break;
		case 'b':
			v = cJSON_CreateBool(strtoll(r->val[i], NULL, 10) != 0);
			break;
		case 't':
			if (tz == NULL || tz_format(tz, strtoll(r->val[i], NULL, 10), ts) != 0)
				utc_rfc3339(strtoll(r->val[i], NULL, 10), ts);
			v = cJSON_CreateString(ts);
			break;
		case 'j':
			v = cJSON_ParseWithLength(r->val[i], r->len[i]);
			if (v == NULL)
				v = cJSON_CreateNull();
			break;
		default:
			v = cJSON_CreateString(r->val[i]);
			break;
		}
		cJSON_AddItemToObject(o, name, v);
	}
	return o;
}

static enum err
json_row_cb(void *ctx, const struct dbrow *r)
{
	struct json_ctx *c = ctx;
	cJSON *o = row_object(c->spec, c->tz, r);

	c->count++;
	if (c->array != NULL)
		cJSON_AddItemToArray(c->array, o);
	else if (c->one == NULL)
		c->one = o;
	else
		cJSON_Delete(o);
	return ERR_OK;
}

enum err
db_json_rows(struct db *d, enum stmt id, const struct dbv *args, size_t n,
    const char *spec, const char *tz, cJSON *array)
{
	struct json_ctx c = {.spec = spec, .tz = tz, .array = array};

	return db_query(d, id, args, n, json_row_cb, &c);
}

enum err
db_json_row(struct db *d, enum stmt id, const struct dbv *args, size_t n,
    const char *spec, const char *tz, cJSON **obj)
{
	struct json_ctx c = {.spec = spec, .tz = tz};
	enum err e;

	*obj = NULL;
	if ((e = db_query(d, id, args, n, json_row_cb, &c)) != ERR_OK) {
		cJSON_Delete(c.one);
		return e;
	}
	if (c.one == NULL)
		return ERR_NOTFOUND;
	*obj = c.one;
	return ERR_OK;
}
