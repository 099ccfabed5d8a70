/*
 * Catalogs are the .mo files msgfmt made of po/<lang>.po, embedded by
 * scripts/embed-po; each is indexed once at start (sorted keys, binary
 * search).  ICU objects are opened once per language and format under a
 * mutex each (ICU formatters are not thread-safe), so no request creates
 * a locale object.  Dates: the offset of the zone at that instant comes
 * from timeutil (the system's tzdata, which Debian updates), and ICU
 * formats the wall-clock time in UTC shifted by it, so ICU's own copy of
 * the zone database can never disagree with the rest of Confero.
 */
#include <ctype.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>
#include <unicode/uclean.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>
#include <unicode/upluralrules.h>
#include <unicode/ustring.h>

#include "i18n.h"
#include "timeutil.h"

struct po_blob {
	const char *lang;
	const unsigned char *data;
	size_t len;
};
extern const struct po_blob po_blobs[];         /* build/po_embed.c */

#define LANGS_MAX 32
#define SMALL_N 10000   /* plural forms of 0..SMALL_N-1 are precomputed */

struct msg {
	const char *key;        /* "ctx\004msgid" or "msgid" (NUL-terminated) */
	const char *str;        /* forms separated by NUL */
	size_t strlen;          /* the whole of str, all forms */
};

struct lang {
	char code[LANG_MAX];
	char autonym[64];
	struct msg *msgs;
	size_t nmsgs;
	int nforms;
	const char *cats[6];            /* CLDR category of each form */
	unsigned char small[SMALL_N];   /* form of n, n < SMALL_N */
	UPluralRules *plural;
	pthread_mutex_t mtx;            /* the ICU objects below */
	UDateFormat *df[DF__MAX];
	UDateIntervalFormat *range;
	UNumberFormat *money, *num;
	UCollator *coll;
};

static struct lang langs[LANGS_MAX];
static size_t nlangs;

/* ---- catalogs ---- */

static uint32_t
rd32(const unsigned char *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	if (swap)
		v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return v;
}

static int
msgcmp(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->key, ((const struct msg *)b)->key);
}

/* The value of header field name ("nplurals=") in the catalog header. */
static int
header_nplurals(const char *hdr)
{
	const char *p = strstr(hdr, "Plural-Forms:");

	if (p == NULL || (p = strstr(p, "nplurals=")) == NULL)
		return -1;
	return atoi(p + 9);
}

static int
load_mo(struct lang *l, const unsigned char *d, size_t len, char *err, size_t errlen)
{
	uint32_t magic, n, otab, ttab, i, ol, oo, tl, to;
	const char *hdr = "";
	size_t k = 0;
	int swap;

	if (len < 28)
		goto bad;
	memcpy(&magic, d, 4);
	if (magic == 0x950412de)
		swap = 0;
	else if (magic == 0xde120495)
		swap = 1;
	else
		goto bad;
	n = rd32(d + 8, swap);
	otab = rd32(d + 12, swap);
	ttab = rd32(d + 16, swap);
	if (n > 100000 || otab > len || ttab > len || (len - otab) / 8 < n ||
	    (len - ttab) / 8 < n)
		goto bad;
	if ((l->msgs = calloc(n ? n : 1, sizeof(*l->msgs))) == NULL)
		goto bad;
	for (i = 0; i < n; i++) {
		ol = rd32(d + otab + 8 * i, swap);
		oo = rd32(d + otab + 8 * i + 4, swap);
		tl = rd32(d + ttab + 8 * i, swap);
		to = rd32(d + ttab + 8 * i + 4, swap);
		if (oo > len || ol >= len - oo || to > len || tl >= len - to ||
		    d[oo + ol] != '\0' || d[to + tl] != '\0')
			goto bad;
		if (ol == 0) {          /* the header */
			hdr = (const char *)d + to;
			continue;
		}
		if (tl == 0)
			continue;
		l->msgs[k].key = (const char *)d + oo;
		l->msgs[k].str = (const char *)d + to;
		l->msgs[k].strlen = tl;
		k++;
	}
	l->nmsgs = k;
	qsort(l->msgs, k, sizeof(*l->msgs), msgcmp);
	l->nforms = header_nplurals(hdr);
	if (l->nforms < 1 || l->nforms > 6) {
		snprintf(err, errlen, "po/%s.po: no valid Plural-Forms header", l->code);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "po/%s.po: the compiled catalog is damaged", l->code);
	return -1;
}

static const struct msg *
lookup(const struct lang *l, const char *key)
{
	size_t lo = 0, hi = l->nmsgs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(key, l->msgs[mid].key);
		if (c == 0)
			return &l->msgs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct lang *
find(const char *code)
{
	size_t i;

	if (code == NULL)
		return &langs[0];
	for (i = 0; i < nlangs; i++)
		if (code == langs[i].code || strcmp(code, langs[i].code) == 0)
			return &langs[i];
	return &langs[0];
}

/* ---- plural rules ---- */

static const char *const canon[] = {"zero", "one", "two", "few", "many", "other"};

static int
category(UPluralRules *pr, double n)
{
	UChar kw[16];
	char k[16];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len, i;

	len = uplrules_select(pr, n, kw, 16, &st);
	if (U_FAILURE(st) || len <= 0 || len >= 16)
		return 5;
	for (i = 0; i < len; i++)
		k[i] = (char)kw[i];
	k[len] = '\0';
	for (i = 0; i < 6; i++)
		if (strcmp(k, canon[i]) == 0)
			return i;
	return 5;
}

/*
 * gettext's form index for CLDR-derived Plural-Forms: the categories that
 * whole numbers take, in CLDR's order (zero, one, two, few, many, other).
 */
static int
plural_setup(struct lang *l, char *err, size_t errlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int seen[6] = {0}, index[6], i, k = 0;
	unsigned long n;
	static const double big[] = {1e5, 1e6, 1000001, 1e7 + 2, 1e9 + 3};

	l->plural = uplrules_open(l->code, &st);
	if (U_FAILURE(st) || l->plural == NULL) {
		snprintf(err, errlen, "%s: ICU has no plural rules (%s)", l->code, u_errorName(st));
		return -1;
	}
	/* small[] holds the category for now, the form index below. */
	for (n = 0; n < SMALL_N; n++) {
		l->small[n] = (unsigned char)category(l->plural, (double)n);
		seen[l->small[n]] = 1;
	}
	for (i = 0; i < (int)(sizeof(big) / sizeof(big[0])); i++)
		seen[category(l->plural, big[i])] = 1;
	for (i = 0; i < 6; i++) {
		index[i] = seen[i] ? k : -1;
		if (seen[i])
			l->cats[k++] = canon[i];
	}
	if (l->nforms == 0)
		l->nforms = k;          /* English: no catalog */
	if (k != l->nforms) {
		snprintf(err, errlen, "po/%s.po: Plural-Forms says nplurals=%d, but CLDR "
		    "gives whole numbers %d forms in %s", l->code, l->nforms, k, l->code);
		return -1;
	}
	for (n = 0; n < SMALL_N; n++)
		l->small[n] = (unsigned char)index[l->small[n]];
	return 0;
}

int
i18n_plural(const char *lang, unsigned long n)
{
	struct lang *l = find(lang);
	int i;

	if (n < SMALL_N)
		return l->small[n];
	pthread_mutex_lock(&l->mtx);
	i = category(l->plural, (double)n);
	pthread_mutex_unlock(&l->mtx);
	for (int k = 0; k < l->nforms; k++)
		if (strcmp(l->cats[k], canon[i]) == 0)
			return k;
	return l->nforms - 1;
}

int
i18n_plural_forms(const char *lang)
{
	return find(lang)->nforms;
}

const char *
i18n_plural_category(const char *lang, int i)
{
	struct lang *l = find(lang);

	return i >= 0 && i < l->nforms ? l->cats[i] : NULL;
}

/* ---- set-up ---- */

static int
lang_setup(struct lang *l, char *err, size_t errlen)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar name[64];
	int32_t n;

	pthread_mutex_init(&l->mtx, NULL);
	if (plural_setup(l, err, errlen) != 0)
		return -1;
	n = uloc_getDisplayName(l->code, l->code, name, 64, &st);
	if (U_SUCCESS(st) && n > 0)
		u_strToUTF8(l->autonym, sizeof(l->autonym), NULL, name, n, &st);
	if (U_FAILURE(st) || l->autonym[0] == '\0')
		snprintf(l->autonym, sizeof(l->autonym), "%s", l->code);
	return 0;
}

int
i18n_init(char *err, size_t errlen)
{
	const struct po_blob *b;
	struct lang *l;

	i18n_free();
	l = &langs[nlangs++];
	snprintf(l->code, sizeof(l->code), "en");
	if (lang_setup(l, err, errlen) != 0)
		return -1;
	for (b = po_blobs; b->lang != NULL; b++) {
		if (nlangs == LANGS_MAX) {
			snprintf(err, errlen, "too many catalogs (at most %d)", LANGS_MAX);
			return -1;
		}
		l = &langs[nlangs++];
		snprintf(l->code, sizeof(l->code), "%s", b->lang);
		if (load_mo(l, b->data, b->len, err, errlen) != 0 ||
		    lang_setup(l, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void
i18n_free(void)
{
	size_t i;
	int k;

	for (i = 0; i < nlangs; i++) {
		struct lang *l = &langs[i];

		free(l->msgs);
		if (l->plural)
			uplrules_close(l->plural);
		for (k = 0; k < DF__MAX; k++)
			if (l->df[k])
				udat_close(l->df[k]);
		if (l->range)
			udtitvfmt_close(l->range);
		if (l->money)
			unum_close(l->money);
		if (l->num)
			unum_close(l->num);
		if (l->coll)
			ucol_close(l->coll);
		pthread_mutex_destroy(&l->mtx);
		memset(l, 0, sizeof(*l));
	}
	nlangs = 0;
	/* ICU's own caches (valgrind counts them as leaks otherwise). */
	u_cleanup();
}

size_t
i18n_count(void)
{
	return nlangs;
}

const char *
i18n_lang(size_t i)
{
	return i < nlangs ? langs[i].code : NULL;
}

const char *
i18n_autonym(const char *lang)
{
	return find(lang)->autonym;
}

const char *
i18n_match(const char *s, long len)
{
	char want[LANG_MAX];
	size_t n, i, k;

	if (s == NULL)
		return NULL;
	n = len < 0 ? strlen(s) : (size_t)len;
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= LANG_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return NULL;
		want[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
	}
	want[n] = '\0';
	/* The whole tag ("pt-br"), then its language ("sl" of "sl-si"). */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < nlangs; i++)
			if (strcasecmp(want, langs[i].code) == 0)
				return langs[i].code;
		if (strchr(want, '-') == NULL)
			break;
		want[strcspn(want, "-")] = '\0';
	}
	return NULL;
}

/* ---- negotiation ---- */

static const char *
allowed_match(const char *code, const char *const *allowed, size_t nallowed)
{
	size_t i;

	if (code == NULL)
		return NULL;
	if (allowed == NULL)
		return code;
	for (i = 0; i < nallowed; i++)
		if (allowed[i] != NULL && strcmp(allowed[i], code) == 0)
			return code;
	return NULL;
}

static const char *
fallback(const char *const *allowed, size_t nallowed)
{
	const char *d;

	if (allowed != NULL && nallowed > 0 && (d = i18n_match(allowed[0], -1)) != NULL)
		return d;
	return langs[0].code;
}

/* Accept-Language: the allowed language with the highest q (first wins ties). */
static const char *
accept_language(const char *al, const char *const *allowed, size_t nallowed)
{
	const char *p = al, *best = NULL, *code;
	double bestq = 0, q;
	size_t tl;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		tl = strcspn(p, ";, ");
		q = 1.0;
		code = i18n_match(p, (long)tl);
		p += tl;
		while (*p == ' ')
			p++;
		while (*p == ';') {
			p++;
			while (*p == ' ')
				p++;
			if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
				q = strtod(p + 2, NULL);
			p += strcspn(p, ";,");
		}
		if (q > 0 && q <= 1 && q > bestq &&
		    (code = allowed_match(code, allowed, nallowed)) != NULL) {
			best = code;
			bestq = q;
		}
		if (*p != ',')
			p += strcspn(p, ",");
	}
	return best;
}

const char *
i18n_negotiate(const char *q, const char *c, const char *al,
    const char *const *allowed, size_t nallowed)
{
	const char *m;

	if (q != NULL && *q != '\0') {
		m = allowed_match(i18n_match(q, -1), allowed, nallowed);
		return m != NULL ? m : fallback(allowed, nallowed);
	}
	if ((m = allowed_match(i18n_match(c, -1), allowed, nallowed)) != NULL)
		return m;
	if (al != NULL && (m = accept_language(al, allowed, nallowed)) != NULL)
		return m;
	return fallback(allowed, nallowed);
}

/* ---- look-up ---- */

static const char *
form(const struct msg *m, int i)
{
	const char *s = m->str, *end = m->str + m->strlen;

	while (i-- > 0) {
		s += strlen(s) + 1;
		if (s >= end)
			return NULL;
	}
	return *s != '\0' ? s : NULL;
}

static const char *
get(const char *lang, const char *ctx, const char *sg, const char *pl,
    unsigned long n, int plural)
{
	struct lang *l = find(lang);
	const struct msg *m;
	char key[2048];
	const char *s;
	int i = plural ? i18n_plural(lang, n) : 0;
	const char *eng = (!plural || n == 1) ? sg : pl;

	if (sg == NULL)
		return NULL;
	if (l == &langs[0] || l->nmsgs == 0)
		return eng;
	if (ctx != NULL) {
		if ((size_t)snprintf(key, sizeof(key), "%s\004%s", ctx, sg) >= sizeof(key))
			return eng;
		m = lookup(l, key);
	} else
		m = lookup(l, sg);
	if (m == NULL || (s = form(m, i)) == NULL)
		return eng;
	return s;
}

const char *
tr(const char *lang, const char *msgid)
{
	return get(lang, NULL, msgid, NULL, 1, 0);
}

const char *
trc(const char *lang, const char *ctx, const char *msgid)
{
	return get(lang, ctx, msgid, NULL, 1, 0);
}

const char *
trn(const char *lang, const char *sg, const char *pl, unsigned long n)
{
	return get(lang, NULL, sg, pl, n, 1);
}

const char *
trnc(const char *lang, const char *ctx, const char *sg, const char *pl,
    unsigned long n)
{
	return get(lang, ctx, sg, pl, n, 1);
}

int
i18n_fill(char *out, size_t len, const char *tmpl, ...)
{
	const char *p = tmpl, *q, *name, *val, *rep;
	size_t o = 0, n, k;
	va_list ap;
	int cut = 0;

	if (len == 0)
		return -1;
	while (*p != '\0') {
		rep = NULL;
		n = 1;
		if (*p == '{' && (q = strchr(p + 1, '}')) != NULL) {
			k = (size_t)(q - p - 1);
			va_start(ap, tmpl);
			while ((name = va_arg(ap, const char *)) != NULL) {
				val = va_arg(ap, const char *);
				if (strlen(name) == k && strncmp(name, p + 1, k) == 0) {
					rep = val ? val : "";
					break;
				}
			}
			va_end(ap);
			if (rep != NULL)
				n = k + 2;
		}
		if (rep == NULL)
			rep = p;
		k = rep == p ? 1 : strlen(rep);
		if (o + k >= len) {
			cut = 1;
			break;
		}
		memcpy(out + o, rep, k);
		o += k;
		p += n;
	}
	out[o] = '\0';
	return cut ? -1 : 0;
}

/* ---- formatting ---- */

static int
to_utf8(const UChar *u, int32_t n, char *out, size_t len)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t w = 0;

	u_strToUTF8(out, (int32_t)len, &w, u, n, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || (size_t)w >= len) {
		if (len > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

static UDateFormat *
date_format(struct lang *l, enum dfmt f)
{
	static const UChar utc[] = {'U', 'T', 'C', 0};
	UDateFormatStyle ds = UDAT_NONE, ts = UDAT_NONE;
	UErrorCode st = U_ZERO_ERROR;

	if (l->df[f] != NULL)
		return l->df[f];
	switch (f) {
	case DF_DATE_FULL: ds = UDAT_FULL; break;
	case DF_DATE_LONG: ds = UDAT_LONG; break;
	case DF_DATE_MEDIUM: ds = UDAT_MEDIUM; break;
	case DF_TIME: ts = UDAT_SHORT; break;
	case DF_DATETIME_FULL: ds = UDAT_FULL; ts = UDAT_SHORT; break;
	case DF_DATETIME_LONG: ds = UDAT_LONG; ts = UDAT_SHORT; break;
	case DF_DATETIME_MEDIUM: ds = UDAT_MEDIUM; ts = UDAT_SHORT; break;
	default: return NULL;
	}
	l->df[f] = udat_open(ts, ds, l->code, utc, -1, NULL, 0, &st);
	if (U_FAILURE(st)) {
		l->df[f] = NULL;
		return NULL;
	}
	return l->df[f];
}

int
i18n_date(const char *lang, const char *tz, long long t, enum dfmt f,
    char *out, size_t len)
{
	struct lang *l = find(lang);
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *df;
	UChar buf[256];
	char iso[32];
	int32_t n = -1;
	int off;

	if (len == 0)
		return -1;
	if (f < 0 || f >= DF__MAX || tz_offset(tz, t, &off) != 0)
		goto fail;
	pthread_mutex_lock(&l->mtx);
	if ((df = date_format(l, f)) != NULL)
		n = udat_format(df, ((double)t + off) * 1000.0, buf, 256, NULL, &st);
	pthread_mutex_unlock(&l->mtx);
	if (n < 0 || U_FAILURE(st) || n >= 256 || to_utf8(buf, n, out, len) != 0)
		goto fail;
	return 0;
fail:
	/* Not for people, but never wrong: the local time in RFC 3339. */
	if (tz_format(tz, t, iso) == 0 && strlen(iso) < len)
		memcpy(out, iso, strlen(iso) + 1);
	else
		out[0] = '\0';
	return -1;
}

int
i18n_date_range(const char *lang, const char *tz, long long from, long long to,
    char *out, size_t len)
{
	static const UChar utc[] = {'U', 'T', 'C', 0};
	static const UChar skel[] = {'y', 'M', 'M', 'M', 'M', 'd', 0};
	struct lang *l = find(lang);
	UErrorCode st = U_ZERO_ERROR;
	UChar buf[256];
	int32_t n = -1;
	int o1, o2;

	if (len == 0 || tz_offset(tz, from, &o1) != 0 || tz_offset(tz, to, &o2) != 0) {
		if (len > 0)
			out[0] = '\0';
		return -1;
	}
	pthread_mutex_lock(&l->mtx);
	if (l->range == NULL) {
		l->range = udtitvfmt_open(l->code, skel, -1, utc, -1, &st);
		if (U_FAILURE(st))
			l->range = NULL;
		st = U_ZERO_ERROR;
	}
	if (l->range != NULL)
		n = udtitvfmt_format(l->range, ((double)from + o1) * 1000.0,
		    ((double)to + o2) * 1000.0, buf, 256, NULL, &st);
	pthread_mutex_unlock(&l->mtx);
	if (n < 0 || U_FAILURE(st) || n >= 256 || to_utf8(buf, n, out, len) != 0)
		return -1;
	return 0;
}

int
i18n_money(const char *lang, long long cents, const char *currency,
    char *out, size_t len)
{
	struct lang *l = find(lang);
	UErrorCode st = U_ZERO_ERROR;
	UChar cur[4], buf[128];
	int32_t n = -1;
	int i;

	if (currency == NULL || strlen(currency) != 3)
		currency = "EUR";
	for (i = 0; i < 3; i++)
		cur[i] = (UChar)toupper((unsigned char)currency[i]);
	cur[3] = 0;
	pthread_mutex_lock(&l->mtx);
	if (l->money == NULL) {
		l->money = unum_open(UNUM_CURRENCY, NULL, 0, l->code, NULL, &st);
		if (U_FAILURE(st))
			l->money = NULL;
		st = U_ZERO_ERROR;
	}
	if (l->money != NULL)
		n = unum_formatDoubleCurrency(l->money, (double)cents / 100.0, cur, buf,
		    128, NULL, &st);
	pthread_mutex_unlock(&l->mtx);
	if (n < 0 || U_FAILURE(st) || n >= 128 || to_utf8(buf, n, out, len) != 0) {
		snprintf(out, len, "%lld.%02lld %s", cents / 100, (cents < 0 ? -cents : cents) % 100, currency);
		return -1;
	}
	return 0;
}

int
i18n_int(const char *lang, long long v, char *out, size_t len)
{
	struct lang *l = find(lang);
	UErrorCode st = U_ZERO_ERROR;
	UChar buf[64];
	int32_t n = -1;

	pthread_mutex_lock(&l->mtx);
	if (l->num == NULL) {
		l->num = unum_open(UNUM_DECIMAL, NULL, 0, l->code, NULL, &st);
		if (U_FAILURE(st))
			l->num = NULL;
		st = U_ZERO_ERROR;
	}
	if (l->num != NULL)
		n = unum_formatInt64(l->num, v, buf, 64, NULL, &st);
	pthread_mutex_unlock(&l->mtx);
	if (n < 0 || U_FAILURE(st) || n >= 64 || to_utf8(buf, n, out, len) != 0) {
		snprintf(out, len, "%lld", v);
		return -1;
	}
	return 0;
}

int
i18n_collate(const char *lang, const char *a, const char *b)
{
	struct lang *l = find(lang);
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult r;

	pthread_mutex_lock(&l->mtx);
	if (l->coll == NULL) {
		l->coll = ucol_open(l->code, &st);
		if (U_FAILURE(st))
			l->coll = NULL;
		st = U_ZERO_ERROR;
	}
	if (l->coll == NULL) {
		pthread_mutex_unlock(&l->mtx);
		return strcmp(a, b);
	}
	r = ucol_strcollUTF8(l->coll, a, -1, b, -1, &st);
	pthread_mutex_unlock(&l->mtx);
	if (U_FAILURE(st))
		return strcmp(a, b);
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}
