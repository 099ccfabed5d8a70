/*
 * Time (src/timeutil.c): RFC 3339 and MariaDB DATETIME text, the civil
 * calendar, IANA zone names, and our own TZif and POSIX TZ-string readers.
 * The file is included here (timeutil.o is left out of the link, see
 * fuzz.mk) so the readers, which are static, can be fed bytes directly.
 *
 * Input: one mode byte, then
 *   0  a string: rfc3339_parse / sql_utc_parse, and back
 *   1  8 bytes of epoch, then a zone name: formatting in that zone
 *   2  a TZif file: parsed, looked up at many instants, formatted
 *   3  a POSIX TZ string (a TZif footer): parsed and looked up
 * Properties: parse(format(t)) == t wherever the formats can hold t;
 * a strict, canonical string formats back to itself; offsets stay
 * printable; zone names never leave /usr/share/zoneinfo.
 */
#include "../../src/timeutil.c"

#include <ctype.h>
#include <strings.h>

#include "fuzz.h"

static long long
get_epoch(const uint8_t *d)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = u << 8 | d[i];
	return (long long)u;
}

/* The instants that matter around t, all clamped into range by callers. */
static const long long probes[] = {
	TIME_MIN, -2208988800LL, -1, 0, 1, 86399, 951782400LL, 1711846800LL,
	1729990800LL, 2147483647LL, 2147483648LL, 4102444800LL, TIME_MAX,
};

static int
canonical_utc(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    toupper((unsigned char)s[i]) != pat[i])
			return 0;
	}
	return 1;
}

static void
check_epoch(long long t)
{
	char a[32], b[20];
	struct utc_tm tm;
	long long back, c = t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;

	utc_rfc3339(t, a);
	FZ_ASSERT(strlen(a) == 20 && canonical_utc(a), "utc_rfc3339 gave \"%s\"", a);
	if (c >= 0) {
		FZ_ASSERT(rfc3339_parse(a, &back) == 0 && back == c,
		    "rfc3339 round trip of %lld: \"%s\" -> %lld", c, a, back);
	} else
		FZ_ASSERT(rfc3339_parse(a, &back) != 0, "parsed a year before 1970: %s", a);
	utc_sql(t, b);
	FZ_ASSERT(strlen(b) == 19, "utc_sql gave \"%s\"", b);
	FZ_ASSERT(sql_utc_parse(b, &back) == 0 && back == c, "sql round trip of %lld: %s", c, b);
	utc_split(t, &tm);
	FZ_ASSERT(tm.year >= 0 && tm.year <= 9999 && tm.mon >= 1 && tm.mon <= 12 &&
	    tm.day >= 1 && tm.day <= month_days(tm.year, tm.mon) && tm.hour >= 0 &&
	    tm.hour < 24 && tm.min >= 0 && tm.min < 60 && tm.sec >= 0 && tm.sec < 60 &&
	    tm.wday >= 0 && tm.wday < 7, "utc_split(%lld) out of range", t);
	FZ_ASSERT(utc_join(&tm) == c, "utc_join(utc_split(%lld)) = %lld", c, utc_join(&tm));
	/* 1970-01-01 was a Thursday. */
	FZ_ASSERT(tm.wday == (int)(((c / 86400 - (c % 86400 < 0)) % 7 + 11) % 7),
	    "weekday of %lld", c);
}

static void
check_string(const char *s)
{
	char out[32], up[64];
	long long t;
	size_t i;

	if (rfc3339_parse(s, &t) == 0) {
		FZ_ASSERT(t <= TIME_MAX, "parsed past TIME_MAX: %lld", t);
		/* The year is 1970.. and offsets are under a day. */
		FZ_ASSERT(t >= -86400, "parsed \"%s\" to %lld", s, t);
		check_epoch(t);
		utc_rfc3339(t, out);
		if (canonical_utc(s) && strlen(s) < sizeof(up)) {
			for (i = 0; s[i] != '\0'; i++)
				up[i] = (char)toupper((unsigned char)s[i]);
			up[i] = '\0';
			FZ_ASSERT(strcmp(up, out) == 0, "\"%s\" formats back as \"%s\"", s, out);
		}
	}
	if (sql_utc_parse(s, &t) == 0) {
		FZ_ASSERT(t >= TIME_MIN && t <= TIME_MAX, "sql parsed out of range: %lld", t);
		utc_sql(t, out);
		FZ_ASSERT(strncmp(s, out, 19) == 0, "\"%s\" formats back as \"%s\"", s, out);
	}
}

static void
check_type(const struct tz_type *ty)
{
	FZ_ASSERT(ty != NULL, "no type");
	FZ_ASSERT(ty->utoff >= -TZ_UTOFF_MAX && ty->utoff <= TZ_UTOFF_MAX, "utoff %d", ty->utoff);
	FZ_ASSERT(memchr(ty->abbr, '\0', sizeof(ty->abbr)) != NULL, "abbr not terminated");
}

/* tz_format's promise: the local time and offset name the same instant. */
static void
check_format(const char *name, long long t)
{
	char out[32], ab[16];
	long long back;
	int off = 0;

	if (tz_format(name, t, out) != 0) {
		FZ_ASSERT(out[0] == '\0', "failed tz_format left \"%s\"", out);
		FZ_ASSERT(tz_offset(name, t, &off) != 0 && tz_abbrev(name, t, ab) != 0,
		    "tz_format failed for a zone the others accept");
		return;
	}
	FZ_ASSERT(strlen(out) == 25, "tz_format gave \"%s\"", out);
	FZ_ASSERT(tz_offset(name, t, &off) == 0 && off >= -TZ_UTOFF_MAX && off <= TZ_UTOFF_MAX,
	    "offset %d", off);
	FZ_ASSERT(tz_abbrev(name, t, ab) == 0 && strlen(ab) < sizeof(ab), "abbrev");
	/*
	 * Inside the years rfc3339_parse accepts, with a day's margin, and for
	 * offsets it accepts (TZif allows up to TZ_UTOFF_MAX, 24:59).
	 */
	if (t >= 2 * 86400 && t <= TIME_MAX - 2 * 86400 && off > -86400 && off < 86400)
		FZ_ASSERT(rfc3339_parse(out, &back) == 0 && back == t,
		    "tz_format(%s, %lld) = \"%s\" parses to %lld", name, t, out, back);
}

static void
check_zone_name(const char *name, long long t)
{
	const char *p;
	int valid = tz_valid(name);

	if (valid) {
		FZ_ASSERT(tz_name_ok(name), "accepted a bad name");
		FZ_ASSERT(name[0] != '/' && strstr(name, "..") == NULL, "escaping name \"%s\"", name);
		for (p = name; *p != '\0'; p++)
			FZ_ASSERT(isalnum((unsigned char)*p) || strchr("/_+-", *p) != NULL,
			    "odd character in zone name");
	}
	check_format(name, t);
	for (size_t i = 0; valid && i < sizeof(probes) / sizeof(probes[0]); i++)
		check_format(name, probes[i]);
}

/* A parsed zone under a name of its own in the cache, for the public API. */
static void
check_tzif(const uint8_t *d, size_t n, long long t)
{
	static const char name[] = "Fuzz/Zone";
	struct tz_zone *z = tzif_parse(d, n);
	unsigned int h;

	if (z == NULL)
		return;
	FZ_ASSERT(z->ntypes >= 1, "a zone without types");
	for (size_t i = 0; i < z->ntrans; i++) {
		FZ_ASSERT(z->idx[i] < z->ntypes, "transition type out of range");
		FZ_ASSERT(i == 0 || z->trans[i] > z->trans[i - 1], "transitions not ascending");
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		check_type(zone_lookup(z, probes[i]));
	check_type(zone_lookup(z, t));
	for (size_t i = 0; i < z->ntrans && i < 64; i++) {
		check_type(zone_lookup(z, z->trans[i] - 1));
		check_type(zone_lookup(z, z->trans[i]));
	}
	memcpy(z->name, name, sizeof(name));
	h = tz_hash(name);
	z->next = tz_cache[h];
	tz_cache[h] = z;
	check_format(name, t);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		check_format(name, probes[i]);
	tz_cache[h] = z->next;
	zone_free(z);
}

static void
check_posix(const char *s, long long t)
{
	struct tz_posix p;

	if (tzs_parse(s, &p) != 0)
		return;
	/* What tzif_parse then refuses (tzs_parse alone allows 24h + 1h of DST). */
	if (abs(p.std.utoff) > TZ_UTOFF_MAX || abs(p.dst.utoff) > TZ_UTOFF_MAX)
		return;
	check_type(&p.std);
	if (p.has_dst)
		check_type(&p.dst);
	check_type(posix_lookup(&p, t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t));
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		check_type(posix_lookup(&p, probes[i]));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long t;
	char *s;

	if (size < 1 || size > 64 * 1024)
		return 0;
	switch (data[0] % 4) {
	case 0:
		s = fz_str(data + 1, size - 1);
		check_string(s);
		free(s);
		break;
	case 1:
		if (size < 9)
			return 0;
		t = get_epoch(data + 1);
		check_epoch(t);
		s = fz_str(data + 9, size - 9);
		check_zone_name(s, t);
		free(s);
		break;
	case 2:
		t = size >= 9 ? get_epoch(data + 1) : 0;
		check_tzif(data + 1, size - 1, t);
		break;
	default:
		t = size >= 9 ? get_epoch(data + 1) : 0;
		s = fz_str(data + (size >= 9 ? 9 : 1), size - (size >= 9 ? 9 : 1));
		check_posix(s, t);
		free(s);
		break;
	}
	return 0;
}
