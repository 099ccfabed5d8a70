/* Field validation: UTF-8, email syntax, text, enums, integers, booleans. */
#include <math.h>
#include <string.h>

#include "i18n.h"
#include "validate.h"

int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *e = s + len;
	unsigned int cp;
	int n;

	while (s < e) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else
			return 0;
		if (e - s <= n)
			return 0;
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		/* Overlong forms, surrogates and out-of-range code points. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
text_valid(const char *s, int block)
{
	const unsigned char *p;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (block && (*p == '\t' || *p == '\r' || *p == '\n'))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		/* C1 controls U+0080..U+009F and line/paragraph separators. */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if (!block && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
	}
	return 1;
}

int
text_line_valid(const char *s)
{
	return text_valid(s, 0);
}

int
text_block_valid(const char *s)
{
	return text_valid(s, 1);
}

/*
 * Pragmatic address syntax: what mail relays accept and what cannot smuggle
 * anything into a header.  Dot-atom local part (RFC 5322 atext), a domain of
 * LDH labels (or UTF-8 for IDN) with at least one dot.
 */
int
email_valid(const char *s)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789!#$%&'*+/=?^_`{|}~-";
	const char *at, *p, *label;
	size_t len = strlen(s), llen;
	int dots = 0;

	if (len < 3 || len > 254 || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	llen = (size_t)(at - s);
	if (llen == 0 || llen > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return 0;
			continue;
		}
		if (strchr(atext, *p) == NULL || *p == '\0')
			return 0;
	}
	label = at + 1;
	if (*label == '\0')
		return 0;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
				return 0;
			if (*p == '\0')
				break;
			dots++;
			label = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || (unsigned char)*p >= 0x80))
			return 0;
	}
	return dots > 0 && utf8_valid(s, len);
}

void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void
like_pattern(const char *pre, const char *s, char *out)
{
	size_t k = strlen(pre);

	memcpy(out, pre, k);
	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k++] = '%';
	out[k] = '\0';
}

void
vld_fail(struct vld *v, const char *field, const char *code)
{
	if (v->errors != NULL &&
	    cJSON_GetObjectItemCaseSensitive(v->errors, field) == NULL)
		cJSON_AddStringToObject(v->errors, field, code);
	v->nerr++;
}

static const char *
vld_str(struct vld *v, const cJSON *obj, const char *key, int required,
    size_t maxchars, int block)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it == NULL || cJSON_IsNull(it)) {
		if (required)
			vld_fail(v, key, "required");
		return NULL;
	}
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		vld_fail(v, key, "not_a_string");
		return NULL;
	}
	if (!(block ? text_block_valid(it->valuestring) : text_line_valid(it->valuestring))) {
		vld_fail(v, key, "invalid_characters");
		return NULL;
	}
	if (required && it->valuestring[strspn(it->valuestring, " \t\r\n")] == '\0') {
		vld_fail(v, key, "required");
		return NULL;
	}
	if (utf8_len(it->valuestring) > maxchars) {
		vld_fail(v, key, "too_long");
		return NULL;
	}
	return it->valuestring;
}

const char *
vld_line(struct vld *v, const cJSON *obj, const char *key, int required,
    size_t maxchars)
{
	return vld_str(v, obj, key, required, maxchars, 0);
}

const char *
vld_text(struct vld *v, const cJSON *obj, const char *key, int required,
    size_t maxchars)
{
	return vld_str(v, obj, key, required, maxchars, 1);
}

const char *
vld_email(struct vld *v, const cJSON *obj, const char *key, int required)
{
	int before = v->nerr;
	const char *s = vld_str(v, obj, key, required, 254, 0);

	if (s == NULL || v->nerr != before)
		return NULL;
	if (!email_valid(s)) {
		vld_fail(v, key, "invalid");
		return NULL;
	}
	return s;
}

int
vld_enum(struct vld *v, const cJSON *obj, const char *key,
    const char *const *choices, int required, int def)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	int i;

	if (it == NULL || cJSON_IsNull(it)) {
		if (required) {
			vld_fail(v, key, "required");
			return -1;
		}
		return def;
	}
	if (cJSON_IsString(it))
		for (i = 0; choices[i] != NULL; i++)
			if (strcmp(choices[i], it->valuestring) == 0)
				return i;
	vld_fail(v, key, "invalid");
	return -1;
}

int
vld_bool(struct vld *v, const cJSON *obj, const char *key, int required,
    int def)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it == NULL || cJSON_IsNull(it)) {
		if (required) {
			vld_fail(v, key, "required");
			return -1;
		}
		return def;
	}
	if (!cJSON_IsBool(it)) {
		vld_fail(v, key, "not_a_boolean");
		return -1;
	}
	return cJSON_IsTrue(it) ? 1 : 0;
}

const char *
vld_lang(struct vld *v, const cJSON *obj, const char *key, int nullable)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *m;

	if (it == NULL)
		return NULL;
	if (cJSON_IsNull(it) && nullable)
		return "";
	if (!cJSON_IsString(it) || (m = i18n_match(it->valuestring, -1)) == NULL) {
		vld_fail(v, key, "unsupported");
		return NULL;
	}
	return m;
}

long long
vld_int(struct vld *v, const cJSON *obj, const char *key, int required,
    long long min, long long max, long long def, int *present)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (present != NULL)
		*present = 0;
	if (it == NULL || cJSON_IsNull(it)) {
		if (required)
			vld_fail(v, key, "required");
		return def;
	}
	if (!cJSON_IsNumber(it)) {
		vld_fail(v, key, "not_an_integer");
		return def;
	}
	d = it->valuedouble;
	if (!isfinite(d) || d != floor(d) || d > 9007199254740992.0 || d < -9007199254740992.0) {
		vld_fail(v, key, "not_an_integer");
		return def;
	}
	if ((long long)d < min || (long long)d > max) {
		vld_fail(v, key, "out_of_range");
		return def;
	}
	if (present != NULL)
		*present = 1;
	return (long long)d;
}

void
vld_only(struct vld *v, const cJSON *obj, const char *const *allowed)
{
	const cJSON *it;
	int i, ok;

	cJSON_ArrayForEach(it, obj) {
		ok = 0;
		for (i = 0; allowed[i] != NULL; i++)
			if (it->string != NULL && strcmp(it->string, allowed[i]) == 0)
				ok = 1;
		if (!ok && it->string != NULL)
			vld_fail(v, it->string, "unknown_field");
	}
}
