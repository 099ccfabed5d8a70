/*
 * Mail templates: the per-kind subject/text/HTML files of mail-templates/,
 * compiled once at start into a read-only tpl_set, and the variables of one
 * rendering.  Also organiser mailing bodies (templates held in strings).
 */
#ifndef CONFERO_TEMPLATE_H
#define CONFERO_TEMPLATE_H

#include <stddef.h>

/*
 * Every kind of mail, as ticket-carrying or not.  The files are
 * <dir>/<kind>.subject, <kind>.txt and <kind>.html; all must exist.
 */
#define TPL_KINDS       "confirmed", "waitlisted", "promoted", \
    "pending_approval", "pending_payment", "approved", "rejected", "cancelled", \
    "ticket_resent", "mailing", "meeting_request", "meeting_accepted", \
    "meeting_declined", "meeting_cancelled", "meeting_scheduled", "meeting_reminder", \
    "erase_confirm", "erased"

/*
 * A loaded set.  Immutable after tpl_load: any number of threads may render
 * from it at once without locking.  Freed by tpl_free, once no one renders.
 */
struct tpl_set;

/*
 * Load and check every kind from dir.  0, or -1 with a message for the
 * organiser in err: "dir/confirmed.html:12: unknown placeholder
 * {{attendee.nme}} (did you mean {{attendee.name}}?)".  Nothing to free
 * on error.
 */
int tpl_load(const char *dir, struct tpl_set **out, char *err, size_t errlen);
void tpl_free(struct tpl_set *);

/*
 * The values of one rendering, owned by its creator.  Not locked: fill it
 * in one thread; after that it may be read by renderings in any thread.
 */
struct tpl_vars;

struct tpl_vars *tpl_vars_new(void);        /* NULL: out of memory */
void tpl_vars_free(struct tpl_vars *);
/*
 * The language to render in (a code of i18n, kept as a pointer: use
 * static strings such as i18n_match's); NULL or one without templates:
 * English.
 */
void tpl_set_lang(struct tpl_vars *, const char *lang);
/*
 * Set a scalar (copied; NULL clears it; a variable never set renders
 * empty).  Values are plain text: pre-format dates and times in the
 * event's time zone before setting them.  -1 with errno EINVAL if name is
 * not in the table of template.c (or is a list), ENOMEM.
 */
int tpl_set_var(struct tpl_vars *, const char *name, const char *value);
/*
 * Append an item to a list ("sessions"): n field names and values (copied;
 * NULL or a missing field renders empty).  -1 with errno EINVAL for an
 * unknown list or field (nothing is added), ENOMEM.
 */
int tpl_add_item(struct tpl_vars *, const char *list,
    const char *const *fields, const char *const *values, size_t n);

/*
 * Render a kind.  Each of subject, text, html may be NULL to skip that
 * part; the others get malloc'd strings the caller frees.  Lines end in
 * LF (the mailer makes them CRLF).  The subject is one line: control
 * characters and line breaks in values become spaces.  0, or -1 with
 * errno EINVAL (unknown kind) or ENOMEM; on -1 every *out is NULL.
 */
int tpl_render(const struct tpl_set *, const char *kind,
    const struct tpl_vars *, char **subject, char **text, char **html);

/*
 * Organiser mailing bodies: plain text with the same placeholders and
 * sections, but no {{{…}}} and no *_html variables.  tpl_check_string is
 * for when the organiser saves the body: 0, or -1 with "line N: message"
 * in err.  tpl_render_string gives a malloc'd rendering, values
 * HTML-escaped when html_escape is set; NULL if src does not pass
 * tpl_check_string (errno EINVAL) or on ENOMEM.
 */
int tpl_check_string(const char *src, char *err, size_t errlen);
char *tpl_render_string(const char *src, const struct tpl_vars *,
    int html_escape);

/*
 * Plain text to simple safe HTML: everything escaped, <p> per paragraph
 * (blank-line separated), <br> on single line breaks, and http:// and
 * https:// URLs made links (no other scheme ever is).  Invalid UTF-8
 * becomes U+FFFD, control characters other than TAB and LF go.  malloc'd;
 * NULL on ENOMEM.
 */
char *tpl_text_to_html(const char *text);

/*
 * The whole mailing step: render body_src (which passed tpl_check_string)
 * as text, turn that into HTML with tpl_text_to_html, store both in vars
 * as mailing.body_text / mailing.body_html, set mailing.body_lists_sessions
 * when that rendering repeated at least one item of "sessions" (so the
 * frame does not list them again), then render kind "mailing".  Same
 * results as tpl_render.
 */
int tpl_render_mailing(const struct tpl_set *, const char *body_src,
    struct tpl_vars *, char **subject, char **text, char **html);

#endif
