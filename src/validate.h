/*
 * Typed validators for JSON request fields.  Each records a per-field error
 * code ("required", "invalid", "too_long", …) in v->errors and returns a
 * neutral value, so a handler validates everything, then checks v->nerr.
 */
#ifndef CONFERO_VALIDATE_H
#define CONFERO_VALIDATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct vld {
	cJSON *errors;          /* object: field -> code; owned by the caller */
	int nerr;
};

int utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_len(const char *s);
int email_valid(const char *s);
/* Lower-case A-Z in place (email addresses are compared this way). */
void ascii_lower(char *s);
/*
 * s as a LIKE pattern that matches it literally: % _ \ escaped, with
 * pre (may be "") before it and a % after.  out needs 2 * strlen(s) +
 * strlen(pre) + 2 bytes.
 */
void like_pattern(const char *pre, const char *s, char *out);
/* One line of text: valid UTF-8, no control characters. */
int text_line_valid(const char *s);
/* Multi-line text: as above but tab, CR and LF allowed. */
int text_block_valid(const char *s);

void vld_fail(struct vld *, const char *field, const char *code);
/* Strings are trimmed of surrounding blanks by the caller's choice: no. */
const char *vld_line(struct vld *, const cJSON *obj, const char *key,
    int required, size_t maxchars);
const char *vld_text(struct vld *, const cJSON *obj, const char *key,
    int required, size_t maxchars);
const char *vld_email(struct vld *, const cJSON *obj, const char *key,
    int required);
/* Index into choices (NULL-terminated), def when absent, -1 on error. */
int vld_enum(struct vld *, const cJSON *obj, const char *key,
    const char *const *choices, int required, int def);
/* 0/1, def when absent, -1 on error. */
int vld_bool(struct vld *, const cJSON *obj, const char *key, int required,
    int def);
/* *present set to whether the key was there (and valid). */
long long vld_int(struct vld *, const cJSON *obj, const char *key,
    int required, long long min, long long max, long long def, int *present);
/*
 * A language Confero speaks (its i18n_match code): NULL when absent, ""
 * for null when nullable; "unsupported" (and NULL) for anything else.
 */
const char *vld_lang(struct vld *, const cJSON *obj, const char *key,
    int nullable);
/* Flag every key of obj not in allowed (NULL-terminated) as "unknown". */
void vld_only(struct vld *, const cJSON *obj, const char *const *allowed);

#endif
