/*
 * Cross-checks of src/timeutil.c against glibc as an independent oracle:
 * utc_split against gmtime_r over the whole supported range, tz_offset and
 * tz_abbrev against localtime_r (TZ set per zone) at samples and at every
 * transition 1850..2100 plus coarse samples to 9999, for zones with odd
 * offsets, negative DST, southern DST and recent rule changes; and the
 * property that tz_format's text always names the same instant.  Fixed
 * vectors are in test_timeutil.c.  Single-threaded (it sets TZ).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "timeutil.h"

static int
group_teardown(void **state)
{
	(void)state;
	tz_cache_free();
	return 0;
}

static void
test_split_vs_gmtime(void **state)
{
	long long t;
	struct utc_tm tm;
	struct tm g;
	time_t tt;
	unsigned long long step = 7919ULL * 3607ULL;   /* ~331 days, odd seconds */

	(void)state;
	for (t = TIME_MIN; t <= TIME_MAX; t += (long long)step) {
		utc_split(t, &tm);
		tt = (time_t)t;
		assert_non_null(gmtime_r(&tt, &g));
		if (tm.year != g.tm_year + 1900 || tm.mon != g.tm_mon + 1 ||
		    tm.day != g.tm_mday || tm.hour != g.tm_hour || tm.min != g.tm_min ||
		    tm.sec != g.tm_sec || tm.wday != g.tm_wday)
			fail_msg("utc_split(%lld) differs from gmtime_r", t);
		if (utc_join(&tm) != t)
			fail_msg("utc_join(utc_split(%lld)) = %lld", t, utc_join(&tm));
	}
	/* Every day boundary around 1970 and 2000 (negative division). */
	for (t = -400LL * 86400; t < 400LL * 86400; t += 86399) {
		utc_split(t, &tm);
		assert_true(utc_join(&tm) == t);
		utc_split(t + 946684800LL, &tm);
		assert_true(utc_join(&tm) == t + 946684800LL);
	}
}

/* Local mean time offsets have seconds: truncated, same instant kept. */
static void
test_tz_format_lmt(void **state)
{
	char buf[32], want[32];
	struct utc_tm tm;
	long long t = -2840140800LL;            /* 1880-01-01T00:00:00Z */
	int off;

	(void)state;
	/* New York LMT is -4:56:02. */
	assert_int_equal(tz_offset("America/New_York", t, &off), 0);
	assert_int_equal(off, -17762);
	assert_int_equal(tz_format("America/New_York", t, buf), 0);
	utc_split(t - 17760, &tm);
	snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d-04:56", tm.year, tm.mon,
	    tm.day, tm.hour, tm.min, tm.sec);
	assert_string_equal(buf, want);
	assert_string_equal(buf, "1879-12-31T19:04:00-04:56");

	/* Ljubljana LMT is +0:58:04 (before 1884). */
	assert_int_equal(tz_offset("Europe/Ljubljana", t, &off), 0);
	assert_int_equal(off, 3484);
	assert_int_equal(tz_format("Europe/Ljubljana", t, buf), 0);
	assert_string_equal(buf, "1880-01-01T00:58:00+00:58");
}

/* The string tz_format writes always names the same instant. */
static void
test_tz_format_roundtrip(void **state)
{
	static const char *const zones[] = {
		"Europe/Ljubljana", "America/New_York", "Asia/Kathmandu", "Australia/Sydney",
		"Pacific/Chatham", "Europe/Dublin", "America/St_Johns", "Asia/Kolkata", NULL,
	};
	char buf[32];
	long long t, back;
	int i;

	(void)state;
	for (i = 0; zones[i] != NULL; i++)
		for (t = 100000; t < 4102444800LL; t += 86400LL * 13 + 3779) {
			assert_int_equal(tz_format(zones[i], t, buf), 0);
			if (rfc3339_parse(buf, &back) != 0 || back != t)
				fail_msg("%s: tz_format(%lld) = %s does not parse back", zones[i], t, buf);
		}
}

/* ---- glibc as the oracle for offsets and abbreviations ---- */

/* With TZ already set to zone (see test_tz_vs_glibc). */
static int
glibc_local(const char *zone, long long t, long *gmtoff, char *abbr, size_t abbrlen)
{
	struct tm tm;
	time_t tt = (time_t)t;

	(void)zone;
	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	*gmtoff = tm.tm_gmtoff;
	snprintf(abbr, abbrlen, "%s", tm.tm_zone);
	return 0;
}

static void
compare_zone(const char *zone, long long from, long long to, long long step, int *bad)
{
	long long t, prev_t = from;
	long gmt, prev_gmt = LONG_MIN;
	char ga[64], ta[16];
	int off;

	for (t = from; t <= to; t += step) {
		if (glibc_local(zone, t, &gmt, ga, sizeof(ga)) != 0)
			continue;
		/* A change since the last sample: find the transition exactly. */
		if (step > 1 && prev_gmt != LONG_MIN && gmt != prev_gmt) {
			long long lo = prev_t, hi = t, mid;
			long g2 = LONG_MIN;

			while (hi - lo > 1) {
				mid = lo + (hi - lo) / 2;
				glibc_local(zone, mid, &g2, ga, sizeof(ga));
				if (g2 == prev_gmt)
					lo = mid;
				else
					hi = mid;
			}
			compare_zone(zone, lo - 1, hi + 1, 1, bad);
			glibc_local(zone, t, &gmt, ga, sizeof(ga));
		}
		prev_gmt = gmt;
		prev_t = t;
		if (tz_offset(zone, t, &off) != 0 || tz_abbrev(zone, t, ta) != 0) {
			if ((*bad)++ < 10)
				print_error("%s: tz_offset(%lld) failed\n", zone, t);
			continue;
		}
		if (off != gmt || strcmp(ta, ga) != 0) {
			char iso[32];

			utc_rfc3339(t, iso);
			if ((*bad)++ < 10)
				print_error("%s at %s (%lld): ours %d %s, glibc %ld %s\n", zone, iso, t,
				    off, ta, gmt, ga);
		}
	}
}

static void
test_tz_vs_glibc(void **state)
{
	static const char *const zones[] = {
		"UTC", "Europe/Ljubljana", "Europe/London", "Europe/Dublin", "Europe/Moscow",
		"America/New_York", "America/Los_Angeles", "America/St_Johns", "America/Sao_Paulo",
		"America/Santiago", "America/Havana", "Asia/Kathmandu", "Asia/Kolkata",
		"Asia/Tehran", "Asia/Gaza", "Australia/Sydney", "Australia/Lord_Howe",
		"Pacific/Chatham", "Pacific/Apia", "Pacific/Kiritimati", "Africa/Casablanca",
		"Antarctica/Troll", "Etc/GMT+12", NULL,
	};
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	int i, bad = 0;

	(void)state;
	for (i = 0; zones[i] != NULL; i++) {
		if (!tz_valid(zones[i]))
			fail_msg("%s not valid", zones[i]);
		setenv("TZ", zones[i], 1);
		tzset();
		/* 1850..2100 finely, then on to 9999 coarsely (glibc is slow there). */
		compare_zone(zones[i], -3786825600LL, 4102444800LL, 86400LL * 5 + 1237, &bad);
		compare_zone(zones[i], 4102444800LL, TIME_MAX, 86400LL * 331 + 4321, &bad);
	}
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	if (bad > 0)
		fail_msg("%d disagreements with glibc", bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_vs_gmtime),
		cmocka_unit_test(test_tz_format_lmt),
		cmocka_unit_test(test_tz_format_roundtrip),
		cmocka_unit_test(test_tz_vs_glibc),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
