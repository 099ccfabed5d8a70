/*
 * Multilingual organiser text: validation of string-or-object fields,
 * the `tr` patches they make, and localisation of rows read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "i18n.h"

/* The fields an organiser writes; staff reads get "<field>_i18n" for each. */
static const char *const translatable[] = {"name", "description", "venue", "title",
	"bio", "label", "options", "subject", "body", NULL};

static const char *
in_set(const struct langset *ls, const char *code)
{
	const char *m = i18n_match(code, -1);

	for (size_t i = 0; m != NULL && i < ls->n; i++)
		if (ls->langs[i] == m)
			return m;
	return NULL;
}

/* NULL when s is acceptable text, else the error code. */
static const char *
text_problem(const char *s, size_t maxchars, int multiline)
{
	if (!(multiline ? text_block_valid(s) : text_line_valid(s)))
		return "invalid_characters";
	if (utf8_len(s) > maxchars)
		return "too_long";
	return NULL;
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static void
patch(struct trpatch *p, const char *key, cJSON *langs)
{
	if (p == NULL) {
		cJSON_Delete(langs);
		return;
	}
	if (p->clear == NULL)
		p->clear = cJSON_CreateObject();
	if (p->set == NULL)
		p->set = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(p->clear, key);
	cJSON_AddNullToObject(p->clear, key);
	cJSON_DeleteItemFromObjectCaseSensitive(p->set, key);
	if (langs != NULL)
		cJSON_AddItemToObject(p->set, key, langs);
}

const char *
vld_mtext(struct vld *v, const cJSON *j, const char *key, const struct langset *ls,
    int required, size_t maxchars, int multiline, struct trpatch *p)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, key), *x;
	const char *def = NULL, *code, *bad;
	cJSON *langs;
	int nerr = v->nerr;

	if (it == NULL || cJSON_IsNull(it) || cJSON_IsString(it)) {
		def = multiline ? vld_text(v, j, key, required, maxchars) :
		    vld_line(v, j, key, required, maxchars);
		if (v->nerr != nerr)
			return NULL;
		/* A plain string is the default language's text alone. */
		if (it != NULL)
			patch(p, key, NULL);
		return def;
	}
	if (!cJSON_IsObject(it)) {
		vld_fail(v, key, "not_a_string");
		return NULL;
	}
	langs = cJSON_CreateObject();
	cJSON_ArrayForEach(x, it) {
		if ((code = in_set(ls, x->string)) == NULL) {
			vld_fail(v, key, "unsupported_language");
			continue;
		}
		if (!cJSON_IsString(x) || x->valuestring == NULL) {
			vld_fail(v, key, "not_a_string");
			continue;
		}
		if ((bad = text_problem(x->valuestring, maxchars, multiline)) != NULL) {
			vld_fail(v, key, bad);
			continue;
		}
		if (blank(x->valuestring))
			continue;       /* left out: falls back to the default */
		if (code == ls->langs[0])
			def = x->valuestring;
		cJSON_DeleteItemFromObjectCaseSensitive(langs, code);
		cJSON_AddStringToObject(langs, code, x->valuestring);
	}
	if (v->nerr == nerr && def == NULL && (required || cJSON_GetArraySize(langs) > 0))
		vld_fail(v, key, "default_language_missing");
	if (v->nerr != nerr) {
		cJSON_Delete(langs);
		return NULL;
	}
	if (def == NULL) {              /* {} for an optional field: empty */
		cJSON_Delete(langs);
		patch(p, key, NULL);
		return "";
	}
	patch(p, key, langs);
	return def;
}

/* NULL when a is a list of acceptable texts, else the error code. */
static const char *
list_problem(const cJSON *a, size_t maxitems, size_t maxchars)
{
	const cJSON *x;
	const char *bad;

	if (!cJSON_IsArray(a))
		return "not_a_list";
	if ((size_t)cJSON_GetArraySize(a) > maxitems)
		return "too_many";
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x) || x->valuestring == NULL || blank(x->valuestring))
			return "invalid_option";
		if ((bad = text_problem(x->valuestring, maxchars, 0)) != NULL)
			return bad;
	}
	return NULL;
}

const cJSON *
vld_mlist(struct vld *v, const cJSON *j, const char *key, const struct langset *ls,
    size_t maxitems, size_t maxchars, struct trpatch *p)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, key), *x, *def = NULL;
	const char *code, *bad;
	cJSON *langs;
	int nerr = v->nerr;

	if (it == NULL || cJSON_IsNull(it))
		return NULL;
	if (cJSON_IsArray(it)) {
		patch(p, key, NULL);
		return it;              /* the caller checks a plain list itself */
	}
	if (!cJSON_IsObject(it)) {
		vld_fail(v, key, "not_a_list");
		return NULL;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(it, ls->langs[0])) == NULL) {
		vld_fail(v, key, "default_language_missing");
		return NULL;
	}
	def = x;
	langs = cJSON_CreateObject();
	cJSON_ArrayForEach(x, it) {
		if ((code = in_set(ls, x->string)) == NULL) {
			vld_fail(v, key, "unsupported_language");
			continue;
		}
		if ((bad = list_problem(x, maxitems, maxchars)) != NULL) {
			vld_fail(v, key, bad);
			continue;
		}
		/* Item i is the same choice in every language. */
		if (cJSON_GetArraySize(x) != cJSON_GetArraySize(def)) {
			vld_fail(v, key, "options_differ_in_number");
			continue;
		}
		cJSON_AddItemToObject(langs, code, cJSON_Duplicate(x, 1));
	}
	if (v->nerr != nerr) {
		cJSON_Delete(langs);
		return NULL;
	}
	patch(p, key, langs);
	return def;
}

static char *
json_or_empty(const cJSON *o)
{
	return o != NULL ? cJSON_PrintUnformatted(o) : strdup("{}");
}

char *
trpatch_clear_json(const struct trpatch *p)
{
	return json_or_empty(p->clear);
}

char *
trpatch_set_json(const struct trpatch *p)
{
	return json_or_empty(p->set);
}

void
trpatch_free(struct trpatch *p)
{
	cJSON_Delete(p->clear);
	cJSON_Delete(p->set);
	p->clear = p->set = NULL;
}

const char *
content_pick(const cJSON *tr, const char *field, const char *lang)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(tr, field);
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(f, lang);

	return cJSON_IsString(x) && x->valuestring[0] != '\0' ? x->valuestring : NULL;
}

static void
localise_one(cJSON *o, const char *lang, const struct langset *ls, int staff)
{
	static const char *const nested[] = {"sessions", "speakers", "ticket_types",
		"questions", NULL};
	cJSON *tr = cJSON_DetachItemFromObjectCaseSensitive(o, "tr"), *f, *x, *all;
	const char *want = in_set(ls, lang);
	char key[64];
	size_t i, k;

	for (i = 0; translatable[i] != NULL; i++) {
		const char *name = translatable[i];
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(o, name);

		if (cur == NULL || !(cJSON_IsString(cur) || cJSON_IsArray(cur)))
			continue;
		f = cJSON_GetObjectItemCaseSensitive(tr, name);
		if (staff) {
			/* Every language the organiser wrote, the default included. */
			all = cJSON_CreateObject();
			cJSON_AddItemToObject(all, ls->langs[0], cJSON_Duplicate(cur, 1));
			for (k = 1; k < ls->n; k++)
				if ((x = cJSON_GetObjectItemCaseSensitive(f, ls->langs[k])) != NULL)
					cJSON_AddItemToObject(all, ls->langs[k], cJSON_Duplicate(x, 1));
			snprintf(key, sizeof(key), "%s_i18n", name);
			cJSON_DeleteItemFromObjectCaseSensitive(o, key);
			cJSON_AddItemToObject(o, key, all);
		}
		if (want == NULL || want == ls->langs[0] ||
		    (x = cJSON_GetObjectItemCaseSensitive(f, want)) == NULL)
			continue;
		if ((cJSON_IsString(x) && x->valuestring[0] != '\0') ||
		    (cJSON_IsArray(x) && cJSON_GetArraySize(x) == cJSON_GetArraySize(cur)))
			cJSON_ReplaceItemInObjectCaseSensitive(o, name, cJSON_Duplicate(x, 1));
	}
	cJSON_Delete(tr);
	for (i = 0; nested[i] != NULL; i++)
		if ((x = cJSON_GetObjectItemCaseSensitive(o, nested[i])) != NULL)
			content_localise(x, lang, ls, staff);
}

void
content_localise(cJSON *o, const char *lang, const struct langset *ls, int staff)
{
	cJSON *x;

	if (o == NULL || ls == NULL || ls->n == 0)
		return;
	if (cJSON_IsArray(o)) {
		cJSON_ArrayForEach(x, o)
			if (cJSON_IsObject(x))
				localise_one(x, lang, ls, staff);
	} else if (cJSON_IsObject(o))
		localise_one(o, lang, ls, staff);
}
