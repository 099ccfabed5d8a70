/*
 * Handlers' side of multilingual organiser texts: store a change's
 * translations, and answer with texts in the caller's language.
 */
#ifndef CONFERO_API_I18N_H
#define CONFERO_API_I18N_H

#include <cjson/cJSON.h>

#include "content.h"
#include "event.h"
#include "http.h"

/* The event's languages as a langset (pointing into ev). */
struct langset event_langset(const struct event_ref *ev);
/* An empty patch that lives (and is freed) with the request; NULL: no memory. */
struct trpatch *req_trpatch(struct req *);
/* Write p to the row's tr (nothing when p changes nothing). */
enum err tr_apply(struct db *, enum tr_table, long long event_id, long long id,
    const struct trpatch *p);
/*
 * o (a row or rows as read) in the request's language among the event's
 * (?lang, cookie, Accept-Language, else the default); staff also get
 * every language as <field>_i18n.  Returns the language used.
 */
const char *localise(struct req *, const struct event_ref *, cJSON *o, int staff);

/* Sort an array of objects by their string member key, as people of lang do. */
void sort_for_people(cJSON *arr, const char *key, const char *lang);
/* Events listed (each with its "languages"), each in the caller's language. */
void localise_events(struct req *, cJSON *arr, int staff);

#endif
