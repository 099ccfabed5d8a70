/* i18n.c: catalogs, plural forms, language negotiation, CLDR dates, numbers, sorting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"
#include "timeutil.h"

static int
setup(void **state)
{
	char err[300];

	(void)state;
	if (i18n_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "i18n_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	i18n_free();
	return 0;
}

static void
test_languages(void **state)
{
	static const char *const want[] = {"en", "bg", "da", "de", "hu", "sl"};
	size_t i, j;

	(void)state;
	assert_true(i18n_count() >= 6);
	assert_string_equal(i18n_lang(0), "en");
	for (i = 0; i < 6; i++) {
		for (j = 0; j < i18n_count(); j++)
			if (strcmp(i18n_lang(j), want[i]) == 0)
				break;
		assert_true(j < i18n_count());
	}
	assert_string_equal(i18n_autonym("sl"), "slovenščina");
	assert_string_equal(i18n_autonym("de"), "Deutsch");
	assert_string_equal(i18n_autonym("bg"), "български");
}

static void
test_match(void **state)
{
	(void)state;
	assert_string_equal(i18n_match("sl", -1), "sl");
	assert_string_equal(i18n_match("SL-si", -1), "sl");
	assert_string_equal(i18n_match("de_AT", -1), "de");
	assert_string_equal(i18n_match(" hu ", -1), "hu");
	assert_string_equal(i18n_match("en-GB,de", 5), "en");
	assert_null(i18n_match("xx", -1));
	assert_null(i18n_match("", -1));
	assert_null(i18n_match("s'l", -1));
	assert_null(i18n_match("slovenian-language-tag", -1));
	assert_null(i18n_match(NULL, -1));
	/* The same pointer for the same language, whatever the spelling. */
	assert_ptr_equal(i18n_match("da", -1), i18n_match("DA-dk", -1));
}

static void
test_negotiate(void **state)
{
	static const char *const slen[] = {"sl", "en"};
	static const char *const bgen[] = {"bg", "en"};

	(void)state;
	/* Accept-Language with q-values; a region falls back to its language. */
	assert_string_equal(i18n_negotiate(NULL, NULL, "sl-SI,sl;q=0.9,en;q=0.8", NULL, 0), "sl");
	assert_string_equal(i18n_negotiate(NULL, NULL, "en;q=0.5, de;q=0.9", NULL, 0), "de");
	assert_string_equal(i18n_negotiate(NULL, NULL, "fr, hu;q=0.3", NULL, 0), "hu");
	assert_string_equal(i18n_negotiate(NULL, NULL, "de;q=0, da", NULL, 0), "da");
	assert_string_equal(i18n_negotiate(NULL, NULL, "*", NULL, 0), "en");
	assert_string_equal(i18n_negotiate(NULL, NULL, ";;;,,q=", NULL, 0), "en");
	/* Limited to an event's languages, else its default. */
	assert_string_equal(i18n_negotiate(NULL, NULL, "de, en;q=0.5", slen, 2), "en");
	assert_string_equal(i18n_negotiate(NULL, NULL, "de, da", slen, 2), "sl");
	assert_string_equal(i18n_negotiate(NULL, NULL, NULL, bgen, 2), "bg");
	/* ?lang= first; one the event does not have gives the default. */
	assert_string_equal(i18n_negotiate("en", "sl", "sl", slen, 2), "en");
	assert_string_equal(i18n_negotiate("de", "en", "en", slen, 2), "sl");
	assert_string_equal(i18n_negotiate("zz", NULL, "en", NULL, 0), "en");
	/* Then the cookie, then the header. */
	assert_string_equal(i18n_negotiate(NULL, "en", "sl", slen, 2), "en");
	assert_string_equal(i18n_negotiate(NULL, "de", "en", slen, 2), "en");
	assert_string_equal(i18n_negotiate("", "hu", NULL, NULL, 0), "hu");
}

/* Slovenian: one (…01), two (…02), few (…03, …04), other; the others one/other. */
static void
test_plurals(void **state)
{
	unsigned long n;
	int want;

	(void)state;
	assert_int_equal(i18n_plural_forms("sl"), 4);
	assert_string_equal(i18n_plural_category("sl", 0), "one");
	assert_string_equal(i18n_plural_category("sl", 1), "two");
	assert_string_equal(i18n_plural_category("sl", 2), "few");
	assert_string_equal(i18n_plural_category("sl", 3), "other");
	for (n = 0; n < 20000; n++) {
		want = n % 100 == 1 ? 0 : n % 100 == 2 ? 1 : (n % 100 == 3 || n % 100 == 4) ? 2 : 3;
		assert_int_equal(i18n_plural("sl", n), want);
		assert_int_equal(i18n_plural("en", n), n == 1 ? 0 : 1);
		assert_int_equal(i18n_plural("de", n), n == 1 ? 0 : 1);
		assert_int_equal(i18n_plural("da", n), n == 1 ? 0 : 1);
		assert_int_equal(i18n_plural("hu", n), n == 1 ? 0 : 1);
		assert_int_equal(i18n_plural("bg", n), n == 1 ? 0 : 1);
	}
	assert_int_equal(i18n_plural("sl", 1000001), 0);
	assert_int_equal(i18n_plural("sl", 1000102), 1);
	/* English falls back to the source's singular and plural. */
	assert_string_equal(trn("en", "{n} seat", "{n} seats", 1), "{n} seat");
	assert_string_equal(trn("en", "{n} seat", "{n} seats", 0), "{n} seats");
	assert_string_equal(trn("xx", "{n} seat", "{n} seats", 2), "{n} seats");
}

static void
test_untranslated_falls_back_to_source(void **state)
{
	(void)state;
	assert_string_equal(tr("sl", "A string no catalog has, 8c1f"), "A string no catalog has, 8c1f");
	assert_string_equal(trc("de", "nowhere", "Open"), "Open");
	assert_null(tr("sl", NULL));
}

static void
date_is(const char *lang, const char *when, const char *tz, enum dfmt f, const char *want)
{
	long long t;
	char out[160];

	assert_int_equal(rfc3339_parse(when, &t), 0);
	assert_int_equal(i18n_date(lang, tz, t, f, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

/* The CLDR long dates the issue names, in the event's zone. */
static void
test_dates(void **state)
{
	(void)state;
	date_is("sl", "2027-05-13T09:00:00+02:00", "Europe/Ljubljana", DF_DATE_LONG, "13. maj 2027");
	date_is("hu", "2027-05-13T09:00:00+02:00", "Europe/Budapest", DF_DATE_LONG, "2027. május 13.");
	date_is("bg", "2027-05-13T09:00:00+03:00", "Europe/Sofia", DF_DATE_LONG, "13 май 2027\u202fг.");
	date_is("de", "2027-05-13T09:00:00+02:00", "Europe/Vienna", DF_DATE_LONG, "13. Mai 2027");
	date_is("da", "2027-05-13T09:00:00+02:00", "Europe/Copenhagen", DF_DATE_LONG, "13. maj 2027");
	date_is("en", "2027-05-13T09:00:00+02:00", "Europe/Ljubljana", DF_DATE_LONG, "May 13, 2027");
	date_is("sl", "2027-05-13T09:00:00+02:00", "Europe/Ljubljana", DF_DATE_FULL, "četrtek, 13. maj 2027");
	/* The zone decides the day: 23:30 UTC is already the 13th in Ljubljana. */
	date_is("sl", "2027-05-12T23:30:00Z", "Europe/Ljubljana", DF_DATE_LONG, "13. maj 2027");
	date_is("sl", "2027-05-12T23:30:00Z", "Europe/Ljubljana", DF_TIME, "01:30");
	date_is("de", "2027-05-12T23:30:00Z", "Europe/London", DF_TIME, "00:30");
	/* Winter time: the offset of that instant, not of today. */
	date_is("da", "2027-01-14T08:00:00Z", "Europe/Copenhagen", DF_TIME, "09.00");
	date_is("da", "2027-07-14T08:00:00Z", "Europe/Copenhagen", DF_TIME, "10.00");
	date_is("hu", "2027-05-13T07:00:00Z", "Europe/Budapest", DF_DATETIME_LONG, "2027. május 13. 9:00");
}

static void
test_bad_zone_and_short_buffer(void **state)
{
	char out[64], tiny[4];
	long long t = 1810000000;

	(void)state;
	assert_int_equal(i18n_date("sl", "Mars/Olympus", t, DF_DATE_LONG, out, sizeof(out)), -1);
	assert_int_equal(i18n_date("sl", "Europe/Ljubljana", t, DF_DATE_FULL, tiny, sizeof(tiny)), -1);
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void
test_numbers_and_money(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(i18n_money("sl", 123450, "EUR", out, sizeof(out)), 0);
	assert_string_equal(out, "1.234,50\u00a0€");
	assert_int_equal(i18n_money("de", 123450, "EUR", out, sizeof(out)), 0);
	assert_string_equal(out, "1.234,50\u00a0€");
	assert_int_equal(i18n_money("en", 123450, "EUR", out, sizeof(out)), 0);
	assert_string_equal(out, "€1,234.50");
	assert_int_equal(i18n_money("da", 9900, "DKK", out, sizeof(out)), 0);
	assert_string_equal(out, "99,00\u00a0kr.");
	assert_int_equal(i18n_int("de", 12345, out, sizeof(out)), 0);
	assert_string_equal(out, "12.345");
	assert_int_equal(i18n_int("en", 12345, out, sizeof(out)), 0);
	assert_string_equal(out, "12,345");
}

static void
test_fill_and_ranges(void **state)
{
	char out[64];
	long long a, b;

	(void)state;
	assert_int_equal(i18n_fill(out, sizeof(out), "Issued {date}. Ref {ref}, {x}.", "date",
	    "13. maj 2027", "ref", "42", NULL), 0);
	assert_string_equal(out, "Issued 13. maj 2027. Ref 42, {x}.");
	assert_int_equal(i18n_fill(out, 8, "{a}{a}{a}", "a", "xyz", NULL), -1);
	assert_string_equal(out, "xyzxyz");
	assert_int_equal(rfc3339_parse("2027-05-14T09:00:00+02:00", &a), 0);
	assert_int_equal(rfc3339_parse("2027-05-15T18:00:00+02:00", &b), 0);
	assert_int_equal(i18n_date_range("sl", "Europe/Ljubljana", a, b, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "14."));
	assert_non_null(strstr(out, "15. maj 2027"));
	assert_int_equal(i18n_date_range("hu", "Europe/Budapest", a, b, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "2027. május 14"));
	assert_int_equal(i18n_date_range("bg", "Europe/Sofia", a, a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "14 май 2027"));
}

static int
cmp_sl(const void *a, const void *b)
{
	return i18n_collate("sl", *(const char *const *)a, *(const char *const *)b);
}

static void
test_collation(void **state)
{
	const char *names[] = {"Dolenc", "Čeh", "Cankar", "Šuštar", "Sever", "Žagar", "Zupan", "cerar"};
	static const char *const want[] = {"Cankar", "cerar", "Čeh", "Dolenc", "Sever", "Šuštar", "Zupan", "Žagar"};
	size_t i;

	(void)state;
	qsort(names, 8, sizeof(names[0]), cmp_sl);
	for (i = 0; i < 8; i++)
		assert_string_equal(names[i], want[i]);
	assert_true(i18n_collate("sl", "Čeh", "Dolenc") < 0);
	assert_true(strcmp("Čeh", "Dolenc") > 0);      /* bytes would put it last */
	assert_int_equal(i18n_collate("en", "a", "a"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_plurals),
		cmocka_unit_test(test_untranslated_falls_back_to_source),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_bad_zone_and_short_buffer),
		cmocka_unit_test(test_numbers_and_money),
		cmocka_unit_test(test_fill_and_ranges),
		cmocka_unit_test(test_collation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
