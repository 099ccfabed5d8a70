/*
 * What organisers write, in the event's languages.  A text field is given
 * either as a string (the event's default language) or as an object
 * {"sl": "…", "en": "…"} limited to the event's languages and holding the
 * default one.  It is stored as the default text in the field's own column
 * (search, exports and the audit log read that) plus, in the row's `tr`
 * column, {"<field>": {"<lang>": "text", …}, …}; a read in a language picks
 * that language's text and falls back to the default.  Pure JSON: no SQL,
 * no HTTP.
 */
#ifndef CONFERO_CONTENT_H
#define CONFERO_CONTENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "validate.h"

/* The event's languages, default first (i18n_match codes). */
struct langset {
	const char *const *langs;
	size_t n;
};

/*
 * The changes to a row's `tr` a create or an update makes: fields given as
 * objects are set, fields given as plain strings are cleared (a string is
 * the default language's text alone).  Both NULL when nothing changes.
 */
struct trpatch {
	cJSON *clear;           /* {"field": null, …} */
	cJSON *set;             /* {"field": {"lang": "text"}, …} */
};

/*
 * j[key] as a multilingual text: each value checked like vld_line (one
 * line, multiline 0) or vld_text (multiline 1) with maxchars, the object's
 * keys limited to ls (else "<key>": "unsupported_language", or
 * "default_language_missing").  Returns the default language's text (in
 * j's memory), NULL when absent or invalid; records the change in p
 * (allocates p's objects; free them with trpatch_free).
 */
const char *vld_mtext(struct vld *, const cJSON *j, const char *key,
    const struct langset *ls, int required, size_t maxchars, int multiline,
    struct trpatch *p);
/* A list of texts (a choice question's options), same rules per item. */
const cJSON *vld_mlist(struct vld *, const cJSON *j, const char *key,
    const struct langset *ls, size_t maxitems, size_t maxchars,
    struct trpatch *p);
/* The patches as JSON text for the db layer ("{}" when empty); malloc'd. */
char *trpatch_clear_json(const struct trpatch *);
char *trpatch_set_json(const struct trpatch *);
void trpatch_free(struct trpatch *);

/*
 * Localise a row read back (an object with a "tr" member, or an array of
 * them, recursively into "sessions", "speakers", "ticket_types",
 * "questions"): each field in tr gets lang's text (the default's when lang
 * has none); with staff set, also "<field>_i18n", every language's text
 * with the default's.  "tr" is removed.  Languages not in ls are ignored.
 */
void content_localise(cJSON *o, const char *lang, const struct langset *ls,
    int staff);

/* One field of a `tr` object in lang (NULL: none; then use the column). */
const char *content_pick(const cJSON *tr, const char *field, const char *lang);

#endif
