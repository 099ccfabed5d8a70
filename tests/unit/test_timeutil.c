/*
 * Unit tests for src/timeutil.c: RFC 3339 and DATETIME text, calendar
 * arithmetic, and time zones read from the system's /usr/share/zoneinfo.
 * Expected instants and local times were computed independently with
 * Python's datetime and zoneinfo over the same tzdata.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"

#define SENTINEL 0x5a5a5a5aLL

static void
test_rfc3339_accepts(void **state)
{
	static const struct {
		const char *s;
		long long t;
	} ok[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2026-05-14T07:00:00Z", 1778742000},
		{"2026-05-14T09:00:00+02:00", 1778742000},
		{"2026-05-14T03:00:00-04:00", 1778742000},
		{"2026-05-14t07:00:00z", 1778742000},
		{"2026-05-14t09:00:00+02:00", 1778742000},
		{"2026-05-14T07:00:00.999999999Z", 1778742000},    /* truncated */
		{"2026-05-14T07:00:00.5+00:00", 1778742000},
		{"2026-05-14T07:00:00-00:00", 1778742000},         /* "unknown offset" */
		{"2026-05-14T09:00:00+05:45", 1778728500},
		{"2026-05-14T09:00:00-03:30", 1778761800},
		{"2028-02-29T12:00:00Z", 1835438400},
		{"2000-02-29T23:59:59-23:59", 951955139},
		{"2026-12-31T23:30:00-01:00", 1798763400},         /* next UTC year */
		{"1970-01-01T00:00:00+01:00", -3600},
		{"1970-01-01T00:00:00-23:59", 86340},
		{"9999-12-31T23:59:59Z", TIME_MAX},
		{"9999-12-31T23:59:59+23:59", TIME_MAX - 86340},
		{"2026-03-29T01:59:59.000Z", 1774749599},
	};
	long long t;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = SENTINEL;
		if (rfc3339_parse(ok[i].s, &t) != 0 || t != ok[i].t)
			fail_msg("\"%s\": got %lld, want %lld", ok[i].s, t, ok[i].t);
	}
}

static void
test_rfc3339_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"2026",
		"2026-05-14",
		"2026-05-14T09:00:00",              /* local time, no offset */
		"2026-05-14T09:00:00.123",
		"2026-05-14T09:00Z",                /* seconds are required */
		"2026-05-14 09:00:00Z",             /* space instead of T */
		"2026-05-14X09:00:00Z",
		"2026-05-14T09:00:00ZZ",
		"2026-05-14T09:00:00Z ",
		" 2026-05-14T09:00:00Z",
		"2026-05-14T09:00:00+02:00x",
		"2026-05-14T09:00:00+02",
		"2026-05-14T09:00:00+0200",
		"2026-05-14T09:00:00+2:00",
		"2026-05-14T09:00:00+02:0",
		"2026-05-14T09:00:00 +02:00",
		"2026-05-14T09:00:00+24:00",        /* offset at most 23:59 */
		"2026-05-14T09:00:00-05:60",
		"2026-05-14T09:00:00UTC",
		"2026-05-14T09:00:00.Z",            /* empty fraction */
		"2026-05-14T09:00:00,5Z",
		"2026-02-29T12:00:00Z",             /* 2026 is not a leap year */
		"2100-02-29T12:00:00Z",             /* nor is 2100 */
		"2026-02-30T12:00:00Z",
		"2026-04-31T12:00:00Z",
		"2026-06-31T12:00:00Z",
		"2026-01-32T12:00:00Z",
		"2026-00-10T12:00:00Z",
		"2026-13-10T12:00:00Z",
		"2026-05-00T12:00:00Z",
		"2026-05-14T24:00:00Z",
		"2026-05-14T23:60:00Z",
		"2016-12-31T23:59:60Z",             /* leap second: rejected */
		"2026-5-14T09:00:00Z",
		"2026-05-4T09:00:00Z",
		"2026-05-14T9:00:00Z",
		"+2026-05-14T09:00:00Z",
		"-2026-05-14T09:00:00Z",
		"20260514T090000Z",                 /* ISO 8601 basic format */
		"1969-12-31T23:59:59Z",             /* year before 1970 */
		"0000-01-01T00:00:00Z",
		"10000-01-01T00:00:00Z",
		"9999-12-31T23:59:59-00:01",        /* that instant is in year 10000 */
		"2026-05-14T09:00:00\xef\xbc\xba",  /* fullwidth Z */
		"2026-05-14T09:00:00\n",
	};
	long long t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = SENTINEL;
		if (rfc3339_parse(bad[i], &t) != -1)
			fail_msg("\"%s\" accepted as %lld", bad[i], t);
		assert_int_equal(t, SENTINEL);
	}
}

static void
test_utc_format(void **state)
{
	char buf[32], sql[20];

	(void)state;
	utc_rfc3339(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	utc_sql(0, sql);
	assert_string_equal(sql, "1970-01-01 00:00:00");
	utc_rfc3339(1778742000, buf);
	assert_string_equal(buf, "2026-05-14T07:00:00Z");
	utc_sql(1778742000, sql);
	assert_string_equal(sql, "2026-05-14 07:00:00");
	utc_sql(1835438400, sql);
	assert_string_equal(sql, "2028-02-29 12:00:00");
	utc_rfc3339(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	utc_rfc3339(-5364619200LL, buf);
	assert_string_equal(buf, "1800-01-01T12:00:00Z");
	utc_rfc3339(TIME_MAX, buf);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	utc_rfc3339(TIME_MIN, buf);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
	/* Out of range: clamped, never longer than the buffer. */
	utc_sql(TIME_MAX + 1, sql);
	assert_string_equal(sql, "9999-12-31 23:59:59");
	utc_sql(LLONG_MAX, sql);
	assert_string_equal(sql, "9999-12-31 23:59:59");
	utc_sql(LLONG_MIN, sql);
	assert_string_equal(sql, "0000-01-01 00:00:00");
	utc_rfc3339(LLONG_MIN, buf);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
}

static void
test_sql_parse(void **state)
{
	static const char *const bad[] = {
		"", "2026-05-14", "2026-05-14T07:00:00", "2026-05-14 07:00:00Z",
		"2026-05-14 07:00", "2026-05-14  07:00:00", "2026-05-14 07:00:00.",
		"0000-00-00 00:00:00", "2026-02-29 00:00:00", "2026-05-14 24:00:00",
		"2026-05-14 07:00:00 ", "2026-05-14 07:00:00+00:00",
	};
	long long t;

	(void)state;
	assert_int_equal(sql_utc_parse("2026-05-14 07:00:00", &t), 0);
	assert_int_equal(t, 1778742000);
	/* A DATETIME(6) column's fraction is dropped. */
	assert_int_equal(sql_utc_parse("2026-05-14 07:00:00.000000", &t), 0);
	assert_int_equal(t, 1778742000);
	assert_int_equal(sql_utc_parse("1000-01-01 00:00:00", &t), 0);
	assert_int_equal(t, -30610224000LL);
	assert_int_equal(sql_utc_parse("9999-12-31 23:59:59", &t), 0);
	assert_int_equal(t, TIME_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = SENTINEL;
		if (sql_utc_parse(bad[i], &t) != -1)
			fail_msg("\"%s\" accepted as %lld", bad[i], t);
		assert_int_equal(t, SENTINEL);
	}
}

/* Text round trips over the whole range, at an odd stride. */
static void
test_round_trips(void **state)
{
	char buf[32], sql[20];
	long long t, back;

	(void)state;
	for (t = 0; t <= TIME_MAX; t += 7777777 + (t & 1)) {
		utc_rfc3339(t, buf);
		assert_int_equal(rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, t);
		utc_sql(t, sql);
		assert_int_equal(sql_utc_parse(sql, &back), 0);
		assert_int_equal(back, t);
	}
	for (t = TIME_MIN; t < 0; t += 7777777) {
		utc_sql(t, sql);
		assert_int_equal(sql_utc_parse(sql, &back), 0);
		assert_int_equal(back, t);
	}
	/* Local times with offsets name the same instant again. */
	assert_int_equal(tz_format("Asia/Kathmandu", 1778742000, buf), 0);
	assert_int_equal(rfc3339_parse(buf, &back), 0);
	assert_int_equal(back, 1778742000);
}

/*
 * Every day from 0000-01-01 to 9999-12-31 follows the previous one in the
 * calendar, checked against a plain leap-year rule, and joins back.
 */
static void
test_calendar_days(void **state)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct utc_tm tm, prev;
	long long t;
	int leap, last;

	(void)state;
	utc_split(TIME_MIN, &prev);
	assert_int_equal(prev.year, 0);
	assert_int_equal(prev.mon, 1);
	assert_int_equal(prev.day, 1);
	assert_int_equal(prev.wday, 6);             /* a Saturday, proleptic */
	for (t = TIME_MIN + 86400 + 3723; t <= TIME_MAX; t += 86400) {
		utc_split(t, &tm);
		leap = prev.year % 4 == 0 && (prev.year % 100 != 0 || prev.year % 400 == 0);
		last = mdays[prev.mon - 1] + (prev.mon == 2 && leap);
		if (prev.day < last) {
			assert_int_equal(tm.year, prev.year);
			assert_int_equal(tm.mon, prev.mon);
			assert_int_equal(tm.day, prev.day + 1);
		} else if (prev.mon < 12) {
			assert_int_equal(tm.year, prev.year);
			assert_int_equal(tm.mon, prev.mon + 1);
			assert_int_equal(tm.day, 1);
		} else {
			assert_int_equal(tm.year, prev.year + 1);
			assert_int_equal(tm.mon, 1);
			assert_int_equal(tm.day, 1);
		}
		assert_int_equal(tm.wday, (prev.wday + 1) % 7);
		assert_int_equal(tm.hour, 1);
		assert_int_equal(tm.min, 2);
		assert_int_equal(tm.sec, 3);
		assert_int_equal(utc_join(&tm), t);
		prev = tm;
	}
	assert_int_equal(prev.year, 9999);
	utc_split(0, &tm);
	assert_int_equal(tm.wday, 4);               /* 1970-01-01, Thursday */
	utc_split(1778742000, &tm);
	assert_int_equal(tm.wday, 4);               /* 2026-05-14, Thursday */
}

struct tzcase {
	const char *zone;
	long long t;
	const char *local;
	int offset;
	const char *abbr;
};

static void
check_cases(const struct tzcase *c, size_t n)
{
	char buf[32], ab[16];
	int off;

	for (size_t i = 0; i < n; i++) {
		if (tz_format(c[i].zone, c[i].t, buf) != 0 ||
		    strcmp(buf, c[i].local) != 0)
			fail_msg("%s at %lld: got \"%s\", want \"%s\"", c[i].zone,
			    c[i].t, buf, c[i].local);
		off = -1;
		if (tz_offset(c[i].zone, c[i].t, &off) != 0 || off != c[i].offset)
			fail_msg("%s at %lld: offset %d, want %d", c[i].zone,
			    c[i].t, off, c[i].offset);
		if (c[i].abbr != NULL && (tz_abbrev(c[i].zone, c[i].t, ab) != 0 ||
		    strcmp(ab, c[i].abbr) != 0))
			fail_msg("%s at %lld: abbreviation \"%s\", want \"%s\"",
			    c[i].zone, c[i].t, ab, c[i].abbr);
	}
}

/* 2026 comes from the transition table (the files list them to 2037). */
static void
test_tz_2026(void **state)
{
	static const struct tzcase c[] = {
		{"Europe/Ljubljana", 1768478400, "2026-01-15T13:00:00+01:00", 3600, "CET"},
		{"Europe/Ljubljana", 1784116800, "2026-07-15T14:00:00+02:00", 7200, "CEST"},
		{"Europe/Ljubljana", 1778742000, "2026-05-14T09:00:00+02:00", 7200, "CEST"},
		/* 2026-03-29T01:00:00Z: 02:00 CET becomes 03:00 CEST. */
		{"Europe/Ljubljana", 1774746000 - 1, "2026-03-29T01:59:59+01:00", 3600, "CET"},
		{"Europe/Ljubljana", 1774746000, "2026-03-29T03:00:00+02:00", 7200, "CEST"},
		/* 2026-10-25T01:00:00Z: 03:00 CEST becomes 02:00 CET. */
		{"Europe/Ljubljana", 1792890000 - 1, "2026-10-25T02:59:59+02:00", 7200, "CEST"},
		{"Europe/Ljubljana", 1792890000, "2026-10-25T02:00:00+01:00", 3600, "CET"},
		{"Europe/Sofia", 1768478400, "2026-01-15T14:00:00+02:00", 7200, "EET"},
		{"Europe/Sofia", 1784116800, "2026-07-15T15:00:00+03:00", 10800, "EEST"},
		{"Europe/Sofia", 1774746000 - 1, "2026-03-29T02:59:59+02:00", 7200, "EET"},
		{"Europe/Sofia", 1774746000, "2026-03-29T04:00:00+03:00", 10800, "EEST"},
		{"Europe/Sofia", 1792890000 - 1, "2026-10-25T03:59:59+03:00", 10800, "EEST"},
		{"Europe/Sofia", 1792890000, "2026-10-25T03:00:00+02:00", 7200, "EET"},
		{"America/New_York", 1768478400, "2026-01-15T07:00:00-05:00", -18000, "EST"},
		{"America/New_York", 1784116800, "2026-07-15T08:00:00-04:00", -14400, "EDT"},
		{"America/New_York", 1772953200 - 1, "2026-03-08T01:59:59-05:00", -18000, "EST"},
		{"America/New_York", 1772953200, "2026-03-08T03:00:00-04:00", -14400, "EDT"},
		{"America/New_York", 1793512800 - 1, "2026-11-01T01:59:59-04:00", -14400, "EDT"},
		{"America/New_York", 1793512800, "2026-11-01T01:00:00-05:00", -18000, "EST"},
		{"Asia/Kathmandu", 1778742000, "2026-05-14T12:45:00+05:45", 20700, "+0545"},
		{"America/Argentina/Buenos_Aires", 1778742000, "2026-05-14T04:00:00-03:00", -10800, "-03"},
		{"UTC", 0, "1970-01-01T00:00:00+00:00", 0, "UTC"},
		{"UTC", 1778742000, "2026-05-14T07:00:00+00:00", 0, "UTC"},
		{"Etc/UTC", 1784116800, "2026-07-15T12:00:00+00:00", 0, "UTC"},
		{"Etc/GMT+5", 1778742000, "2026-05-14T02:00:00-05:00", -18000, "-05"},
		{"Europe/London", 1768478400, "2026-01-15T12:00:00+00:00", 0, "GMT"},
		{"Europe/London", 1784116800, "2026-07-15T13:00:00+01:00", 3600, "BST"},
	};

	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

/* After 2037 only the POSIX TZ footer of the file applies. */
static void
test_tz_future(void **state)
{
	static const struct tzcase c[] = {
		{"Europe/Ljubljana", 3786955200, "2090-01-01T13:00:00+01:00", 3600, "CET"},
		{"Europe/Ljubljana", 3802593600, "2090-07-01T14:00:00+02:00", 7200, "CEST"},
		{"Europe/Ljubljana", 3794173200 - 1, "2090-03-26T01:59:59+01:00", 3600, "CET"},
		{"Europe/Ljubljana", 3794173200, "2090-03-26T03:00:00+02:00", 7200, "CEST"},
		{"Europe/Ljubljana", 3812922000 - 1, "2090-10-29T02:59:59+02:00", 7200, "CEST"},
		{"Europe/Ljubljana", 3812922000, "2090-10-29T02:00:00+01:00", 3600, "CET"},
		{"Europe/Sofia", 3794173200, "2090-03-26T04:00:00+03:00", 10800, "EEST"},
		{"America/New_York", 3788164800, "2090-01-15T07:00:00-05:00", -18000, "EST"},
		{"America/New_York", 3803803200, "2090-07-15T08:00:00-04:00", -14400, "EDT"},
		{"Asia/Kathmandu", 3802593600, "2090-07-01T17:45:00+05:45", 20700, "+0545"},
		/* Southern hemisphere: DST across New Year, rules at 24:00. */
		{"America/Santiago", 3788164800, "2090-01-15T09:00:00-03:00", -10800, "-03"},
		{"America/Santiago", 3803803200, "2090-07-15T08:00:00-04:00", -14400, "-04"},
		/* Ireland's "negative DST": winter is the isdst period. */
		{"Europe/Dublin", 3788164800, "2090-01-15T12:00:00+00:00", 0, "GMT"},
		{"Europe/Dublin", 3803803200, "2090-07-15T13:00:00+01:00", 3600, "IST"},
		/* Half-hour DST. */
		{"Australia/Lord_Howe", 3788164800, "2090-01-15T23:00:00+11:00", 39600, "+11"},
		{"Australia/Lord_Howe", 3803803200, "2090-07-15T22:30:00+10:30", 37800, "+1030"},
		{"UTC", TIME_MAX, "9999-12-31T23:59:59+00:00", 0, "UTC"},
	};

	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

/* Before the first transition: local mean time, offsets with seconds. */
static void
test_tz_past(void **state)
{
	static const struct tzcase c[] = {
		{"Europe/Ljubljana", -2208988800LL, "1900-01-01T01:00:00+01:00", 3600, "CET"},
		{"Europe/Sofia", -2208988800LL, "1900-01-01T02:00:00+02:00", 7200, "EET"},
		{"Asia/Kathmandu", 315532800, "1980-01-01T05:30:00+05:30", 19800, "+0530"},
		/* +00:58:04 is written +00:58 and the local time follows it. */
		{"Europe/Ljubljana", -5364619200LL, "1800-01-01T12:58:00+00:58", 3484, "LMT"},
		{"America/New_York", -5364619200LL, "1800-01-01T07:04:00-04:56", -17762, "LMT"},
		{"UTC", TIME_MIN, "0000-01-01T00:00:00+00:00", 0, "UTC"},
	};

	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

static void
test_tz_valid(void **state)
{
	static const char *const good[] = {
		"Europe/Ljubljana", "UTC", "America/Argentina/Buenos_Aires",
		"Europe/Sofia", "America/New_York", "Asia/Kathmandu", "Etc/GMT+5",
		"Etc/GMT-14", "America/Port-au-Prince", "Etc/UTC",
	};
	static const char *const bad[] = {
		"../etc/passwd", "Europe/../../etc", "", "Nowhere/City", "/etc/passwd",
		"/UTC", "UTC/", "Europe/", "Europe", "Europe//Ljubljana",
		"./UTC", "Europe/./Ljubljana", "europe/ljubljana", "Europe/Ljubljana ",
		" UTC", "UTC\n", "Europe\\Ljubljana", "zone.tab", "tzdata.zi",
		"iso3166.tab", "leapseconds", "right/UTC", "-UTC", "_/UTC",
		"Europe/Ljubljana%00", "Europe/Ljubljana\xc5\xbe", "..", "...",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	char buf[32], ab[16];
	int off = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!tz_valid(good[i]))
			fail_msg("\"%s\" rejected", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tz_valid(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	/* The others fail the same way, and leave no stale text behind. */
	strcpy(buf, "stale");
	assert_int_equal(tz_format("Nowhere/City", 0, buf), -1);
	assert_string_equal(buf, "");
	assert_int_equal(tz_offset("../etc/passwd", 0, &off), -1);
	assert_int_equal(off, 12345);
	assert_int_equal(tz_abbrev("", 0, ab), -1);
	/* Twice: once loading, once from the cache. */
	assert_true(tz_valid("Europe/Ljubljana"));
	assert_true(tz_valid("Europe/Ljubljana"));
}

/* Many threads loading and reading the same zones at once. */
struct tz_job {
	int id;
	int bad;
};

static const struct tzcase thread_cases[] = {
	{"Europe/Ljubljana", 1774746000, "2026-03-29T03:00:00+02:00", 7200, NULL},
	{"Europe/Sofia", 1792890000, "2026-10-25T03:00:00+02:00", 7200, NULL},
	{"America/New_York", 3803803200, "2090-07-15T08:00:00-04:00", -14400, NULL},
	{"Asia/Kathmandu", 1778742000, "2026-05-14T12:45:00+05:45", 20700, NULL},
	{"UTC", 0, "1970-01-01T00:00:00+00:00", 0, NULL},
};

static void *
tz_worker(void *arg)
{
	struct tz_job *j = arg;
	const size_t n = sizeof(thread_cases) / sizeof(thread_cases[0]);
	char buf[32];

	for (int i = 0; i < 200; i++) {
		const struct tzcase *c = &thread_cases[(size_t)(i + j->id) % n];

		if (tz_format(c->zone, c->t, buf) != 0 || strcmp(buf, c->local) != 0)
			j->bad++;
	}
	return NULL;
}

static void
test_tz_threads(void **state)
{
	pthread_t th[8];
	struct tz_job jobs[8];

	(void)state;
	for (int round = 0; round < 3; round++) {
		tz_cache_free();
		for (int i = 0; i < 8; i++) {
			jobs[i].id = i;
			jobs[i].bad = 0;
			assert_int_equal(pthread_create(&th[i], NULL, tz_worker, &jobs[i]), 0);
		}
		for (int i = 0; i < 8; i++) {
			assert_int_equal(pthread_join(th[i], NULL), 0);
			assert_int_equal(jobs[i].bad, 0);
		}
	}
}

static int
teardown(void **state)
{
	(void)state;
	tz_cache_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_accepts),
		cmocka_unit_test(test_rfc3339_rejects),
		cmocka_unit_test(test_utc_format),
		cmocka_unit_test(test_sql_parse),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_calendar_days),
		cmocka_unit_test(test_tz_2026),
		cmocka_unit_test(test_tz_future),
		cmocka_unit_test(test_tz_past),
		cmocka_unit_test(test_tz_valid),
		cmocka_unit_test(test_tz_threads),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
