/* JSON body parsing and the error body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "validate.h"

static int has_duplicate_keys(const cJSON *, int depth);

cJSON *
json_parse_object(const char *body, size_t len)
{
	cJSON *j;
	const char *end = NULL;

	if (body == NULL || len == 0 || memchr(body, '\0', len) != NULL ||
	    !utf8_valid(body, len))
		return NULL;
	/*
	 * cJSON would cut a string at an escaped NUL and hand back the
	 * prefix.  Turn "\u0000" into "\u0001", a control character every
	 * text validator refuses, so the error names the field.
	 */
	for (size_t i = 0; i + 5 < len; i++) {
		if (body[i] != '\\')
			continue;
		if (body[i + 1] == 'u' && memcmp(body + i + 2, "0000", 4) == 0)
			((char *)body)[i + 5] = '1';
		i++;
	}
	/* cJSON needs the length: bodies are not NUL-terminated strings. */
	j = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (j == NULL)
		return NULL;
	while (end != NULL && end < body + len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (!cJSON_IsObject(j) || (end != NULL && end < body + len && *end != '\0') ||
	    has_duplicate_keys(j, 0)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * 1 when some object holds a key twice ({"role":"x","role":"admin"}):
 * parsers disagree on which one wins, so such a body is refused.  Sorting
 * the keys keeps a huge object at n log n.
 */
static int
has_duplicate_keys(const cJSON *j, int depth)
{
	const cJSON *c;
	size_t n = 0, i;
	char **keys;
	int dup = 0;

	if (depth > 1000)               /* beyond cJSON's own nesting limit */
		return 1;
	for (c = j->child; c != NULL; c = c->next) {
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && has_duplicate_keys(c, depth + 1))
			return 1;
		n++;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return 0;
	if ((keys = malloc(n * sizeof(*keys))) == NULL)
		return 1;
	for (i = 0, c = j->child; c != NULL; c = c->next)
		keys[i++] = c->string ? c->string : "";
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n && !dup; i++)
		dup = strcmp(keys[i - 1], keys[i]) == 0;
	free(keys);
	return dup;
}

char *
json_error_body(const char *code, const char *message, const cJSON *fields)
{
	cJSON *root, *e;
	char *s;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	e = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	if (fields != NULL && cJSON_GetArraySize(fields) > 0)
		cJSON_AddItemToObject(e, "fields", cJSON_Duplicate(fields, 1));
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

void
json_add_str(cJSON *o, const char *key, const char *s)
{
	if (s == NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, s);
}

void
json_add_int(cJSON *o, const char *key, long long v)
{
	char buf[32];

	/* cJSON prints doubles with %g: big ids would turn into 1e+15. */
	snprintf(buf, sizeof(buf), "%lld", v);
	cJSON_AddRawToObject(o, key, buf);
}
