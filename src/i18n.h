/*
 * Languages.  The gettext catalogs compiled into the binary (po/<lang>.po
 * → .mo → build/po_embed.c), message look-up with context and plurals, the
 * choice of a person's language, and everything locale-dependent a person
 * reads: dates and times in an event's zone, numbers, prices, sorting.
 * Plural categories, date and number formats and collation come from ICU
 * (CLDR data); nothing else in Confero formats a date or a number for a
 * person.  Adding a language is adding po/<code>.po: the list of languages
 * is the list of catalogs, plus English, the language of the sources.
 */
#ifndef CONFERO_I18N_H
#define CONFERO_I18N_H

#include <stddef.h>

#define LANG_MAX 16     /* a language code with its NUL, e.g. "sl", "pt-BR" */

/* Markers for xgettext: a string translated later, where it is used. */
#define N_(s) (s)
#define NC_(ctx, s) (s)

/*
 * Load the embedded catalogs and open ICU's data for each language.  A
 * catalog whose Plural-Forms count differs from the number of CLDR plural
 * forms of whole numbers is refused (err says which).  0 or -1.
 */
int i18n_init(char *err, size_t errlen);
void i18n_free(void);

/* The languages Confero speaks: "en" first, then the catalogs by code. */
size_t i18n_count(void);
const char *i18n_lang(size_t i);
/*
 * The supported language code that s (len bytes, or -1 for a string)
 * names: "sl", "SL", "sl-SI", "sl_SI" → "sl".  NULL when none.  The result
 * is static and can be compared by pointer.
 */
const char *i18n_match(const char *s, long len);
/* The language's name in itself ("slovenščina"), for switchers. */
const char *i18n_autonym(const char *lang);

/*
 * A person's language: the ?lang= value q, then the cookie value c, then
 * the Accept-Language header al (q-values honoured), each limited to the
 * codes in allowed[0..nallowed) when allowed is not NULL (an event's
 * languages; allowed[0] is its default).  A q that is not allowed gives
 * the default at once.  Without a match: allowed[0], or "en".  Any argument
 * may be NULL.  The result is static.
 */
const char *i18n_negotiate(const char *q, const char *c, const char *al,
    const char *const *allowed, size_t nallowed);

/*
 * Translations.  The result is the catalog's text, or msgid (the English
 * source) when the language has no translation for it; never NULL for a
 * non-NULL msgid.  Static storage, valid until i18n_free().
 */
const char *tr(const char *lang, const char *msgid);
const char *trc(const char *lang, const char *ctx, const char *msgid);
/* The plural form for n of (singular, plural), per the language's CLDR rules. */
const char *trn(const char *lang, const char *sg, const char *pl, unsigned long n);
const char *trnc(const char *lang, const char *ctx, const char *sg,
    const char *pl, unsigned long n);
/* Index of n's plural form in the language's catalog (0 .. forms - 1). */
int i18n_plural(const char *lang, unsigned long n);
int i18n_plural_forms(const char *lang);
/* The CLDR category ("one", "few", …) of form index i; NULL if none. */
const char *i18n_plural_category(const char *lang, int i);

/* How a date or time is written (CLDR formats of the language). */
enum dfmt {
	DF_DATE_FULL,           /* četrtek, 13. maj 2027 */
	DF_DATE_LONG,           /* 13. maj 2027 */
	DF_DATE_MEDIUM,         /* 13. maj 2027 / 13 May 2027 (abbreviated) */
	DF_TIME,                /* 09:00, 9:00 AM */
	DF_DATETIME_FULL,       /* četrtek, 13. maj 2027, 09:00 */
	DF_DATETIME_LONG,       /* 13. maj 2027 09:00 */
	DF_DATETIME_MEDIUM,     /* 13. maj 2027, 09:00 */
	DF__MAX
};

/*
 * Write instant t (seconds since the epoch) in time zone tz (IANA name;
 * our own TZif reader gives the offset) as format f in lang, UTF-8, into
 * out.  0, or -1 (then out is the RFC 3339 local time) on an unknown zone
 * or a short buffer.
 */
int i18n_date(const char *lang, const char *tz, long long t, enum dfmt f,
    char *out, size_t len);
/* A span of days: "14.–15. maj 2027", "May 14 – 15, 2027" (CLDR intervals). */
int i18n_date_range(const char *lang, const char *tz, long long from,
    long long to, char *out, size_t len);
/* A price: 123450 cents of "EUR" → "1.234,50 €" (sl), "€1,234.50" (en). */
int i18n_money(const char *lang, long long cents, const char *currency,
    char *out, size_t len);
/* A whole number with the language's grouping: 12345 → "12.345" (de). */
int i18n_int(const char *lang, long long v, char *out, size_t len);

/*
 * tmpl with each {name} replaced by its value: (name, value) string pairs
 * ending with NULL; an unknown {name} stays as written.  out is always
 * terminated; -1 when it was too short (the text is cut).
 */
int i18n_fill(char *out, size_t len, const char *tmpl, ...);

/* Compare two UTF-8 strings as people of lang sort them (Č after C in sl). */
int i18n_collate(const char *lang, const char *a, const char *b);

#endif
