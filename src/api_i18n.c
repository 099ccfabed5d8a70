/* Translations of organiser texts, between handlers, content.c and the db. */
#include <stdlib.h>

#include "arena.h"

#include "api_i18n.h"
#include "i18n.h"

struct langset
event_langset(const struct event_ref *ev)
{
	struct langset ls = {ev->langs, ev->nlangs};

	return ls;
}

static void
trpatch_done(void *p)
{
	trpatch_free(p);
}

struct trpatch *
req_trpatch(struct req *r)
{
	struct trpatch *p = arena_calloc(r->arena, 1, sizeof(*p));

	if (p != NULL && arena_defer(r->arena, trpatch_done, p) != 0)
		return NULL;
	return p;
}

enum err
tr_apply(struct db *d, enum tr_table t, long long event_id, long long id,
    const struct trpatch *p)
{
	char *clear, *set;
	enum err e;

	if (p == NULL || (p->clear == NULL && p->set == NULL))
		return ERR_OK;
	clear = trpatch_clear_json(p);
	set = trpatch_set_json(p);
	e = clear && set ? db_tr_patch(d, t, event_id, id, clear, set) : ERR_INTERNAL;
	cJSON_free(clear);
	cJSON_free(set);
	return e;
}

struct sortctx {
	const char *key, *lang;
};

struct sortitem {
	cJSON *x;
	int pos;
};

static int
by_key(const void *a, const void *b, void *arg)
{
	const struct sortctx *c = arg;
	const struct sortitem *p = a, *q = b;
	const char *x = cJSON_GetStringValue(cJSON_GetObjectItem(p->x, c->key));
	const char *y = cJSON_GetStringValue(cJSON_GetObjectItem(q->x, c->key));
	int r = i18n_collate(c->lang, x ? x : "", y ? y : "");

	/* Equal names keep their order (qsort is not stable). */
	return r != 0 ? r : p->pos - q->pos;
}

void
sort_for_people(cJSON *arr, const char *key, const char *lang)
{
	struct sortctx c = {key, lang};
	int n = cJSON_GetArraySize(arr), i;
	struct sortitem *v;

	if (n < 2 || (v = calloc((size_t)n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		v[i].x = cJSON_DetachItemFromArray(arr, 0);
		v[i].pos = i;
	}
	qsort_r(v, (size_t)n, sizeof(*v), by_key, &c);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, v[i].x);
	free(v);
}

void
localise_events(struct req *r, cJSON *arr, int staff)
{
	struct event_ref ev;
	cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		event_langs_set(cJSON_GetObjectItem(it, "languages"), &ev);
		localise(r, &ev, it, staff);
	}
}

const char *
localise(struct req *r, const struct event_ref *ev, cJSON *o, int staff)
{
	struct langset ls = event_langset(ev);
	const char *lang = req_lang(r, ev->langs, ev->nlangs);

	content_localise(o, lang, &ls, staff);
	return lang;
}
