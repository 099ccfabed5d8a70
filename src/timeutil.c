/*
 * Calendar arithmetic, RFC 3339 / DATETIME text, and a TZif reader.
 *
 * Time zones are read with our own code rather than localtime_r(): that
 * needs setenv("TZ") + tzset() to switch zones, which is process-global
 * and races with every other thread.  A zone is parsed once into an
 * immutable struct tz_zone and kept in a cache for the life of the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

#define ZONEINFO        "/usr/share/zoneinfo/"
#define TZ_NAME_MAX     64
#define TZ_FILE_MAX     (256 * 1024)    /* the largest real one is ~4 KiB */
#define TZ_BUCKETS      64
#define TZ_ABBR_MAX     15
/* Keeps any offset printable as ±HH:MM; real ones stay within ±16h. */
#define TZ_UTOFF_MAX    (25 * 3600 - 1)

struct tz_type {
	int32_t utoff;                  /* seconds east of UTC */
	int isdst;
	char abbr[TZ_ABBR_MAX + 1];
};

/* One end of daylight saving time in a POSIX TZ string. */
struct tz_rule {
	char kind;                      /* 'J' Julian 1..365, 'D' 0..365, 'M' */
	int day;                        /* J and D */
	int mon, week, wday;            /* M: month 1..12, week 1..5, 0=Sunday */
	int32_t time;                   /* seconds after local midnight */
};

struct tz_posix {
	struct tz_type std, dst;
	int has_dst;
	struct tz_rule start, end;      /* start in standard, end in DST time */
};

struct tz_zone {
	struct tz_zone *next;           /* hash chain */
	char name[TZ_NAME_MAX + 1];
	size_t ntrans;
	int64_t *trans;                 /* ascending */
	unsigned char *idx;             /* type after each transition */
	size_t ntypes;
	struct tz_type *types;
	int has_posix;                  /* the v2+ footer, for after trans[] */
	struct tz_posix posix;
};

static pthread_mutex_t tz_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone *tz_cache[TZ_BUCKETS];

/* ---- calendar */

static int
is_leap(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
month_days(long long y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, after Howard
 * Hinnant's days_from_civil: March-based years put the leap day last.
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static long long
clamp(long long t)
{
	return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

void
utc_split(long long epoch, struct utc_tm *tm)
{
	long long t = clamp(epoch), days, secs;

	/* Floor division: the instants before 1970 still count forwards. */
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &tm->year, &tm->mon, &tm->day);
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
	tm->wday = (int)((days % 7 + 11) % 7);      /* 1970-01-01 was a Thursday */
}

long long
utc_join(const struct utc_tm *tm)
{
	return days_from_civil(tm->year, tm->mon, tm->day) * 86400 +
	    tm->hour * 3600LL + tm->min * 60LL + tm->sec;
}

/* ---- text */

/* Exactly n decimal digits; stops at the NUL of a short string. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" */
static int
parse_date(const char *s, struct utc_tm *tm)
{
	if (digits(s, 4, &tm->year) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &tm->mon) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &tm->day) == -1)
		return -1;
	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 ||
	    tm->day > month_days(tm->year, tm->mon))
		return -1;
	return 0;
}

/* "HH:MM:SS" and an optional ".digits", which is dropped. */
static int
parse_time(const char *s, struct utc_tm *tm, const char **end)
{
	if (digits(s, 2, &tm->hour) == -1 || s[2] != ':' ||
	    digits(s + 3, 2, &tm->min) == -1 || s[5] != ':' ||
	    digits(s + 6, 2, &tm->sec) == -1)
		return -1;
	if (tm->hour > 23 || tm->min > 59 || tm->sec > 59)
		return -1;
	s += 8;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*end = s;
	return 0;
}

int
rfc3339_parse(const char *s, long long *epoch)
{
	struct utc_tm tm;
	const char *p;
	int oh, om, off;
	long long t;

	if (parse_date(s, &tm) == -1 || (s[10] != 'T' && s[10] != 't') ||
	    parse_time(s + 11, &tm, &p) == -1)
		return -1;
	if (tm.year < 1970)
		return -1;
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
		off = 0;
	else if ((p[0] == '+' || p[0] == '-') && digits(p + 1, 2, &oh) == 0 &&
	    p[3] == ':' && digits(p + 4, 2, &om) == 0 && p[6] == '\0' &&
	    oh <= 23 && om <= 59)
		off = (p[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	else
		return -1;
	t = utc_join(&tm) - off;
	/* 9999-12-31T23:00:00-05:00 is in year 10000. */
	if (t > TIME_MAX)
		return -1;
	*epoch = t;
	return 0;
}

int
sql_utc_parse(const char *s, long long *epoch)
{
	struct utc_tm tm;
	const char *p;

	if (parse_date(s, &tm) == -1 || s[10] != ' ' ||
	    parse_time(s + 11, &tm, &p) == -1 || *p != '\0')
		return -1;
	*epoch = utc_join(&tm);
	return 0;
}

/* v as exactly n decimal digits (v >= 0, small enough). */
static char *
putn(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* "YYYY-MM-DD" sep "HH:MM:SS", no terminator; returns the end. */
static char *
put_datetime(char *p, const struct utc_tm *tm, char sep)
{
	p = putn(p, tm->year, 4);
	*p++ = '-';
	p = putn(p, tm->mon, 2);
	*p++ = '-';
	p = putn(p, tm->day, 2);
	*p++ = sep;
	p = putn(p, tm->hour, 2);
	*p++ = ':';
	p = putn(p, tm->min, 2);
	*p++ = ':';
	return putn(p, tm->sec, 2);
}

void
utc_rfc3339(long long epoch, char out[32])
{
	struct utc_tm tm;
	char *p;

	utc_split(epoch, &tm);
	p = put_datetime(out, &tm, 'T');
	*p++ = 'Z';
	*p = '\0';
}

void
utc_sql(long long epoch, char out[20])
{
	struct utc_tm tm;

	utc_split(epoch, &tm);
	*put_datetime(out, &tm, ' ') = '\0';
}

/* ---- POSIX TZ strings (the TZif footer, RFC 8536 3.3) */

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* "CET" or quoted "<+0545>"; POSIX wants at least three characters. */
static const char *
tzs_name(const char *p, char abbr[TZ_ABBR_MAX + 1])
{
	const char *b, *e;

	if (*p == '<') {
		for (b = ++p; is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-'; p++)
			;
		if (*p != '>')
			return NULL;
		e = p++;
	} else {
		for (b = p; is_alpha(*p); p++)
			;
		e = p;
	}
	if (e - b < 3 || e - b > TZ_ABBR_MAX)
		return NULL;
	memcpy(abbr, b, (size_t)(e - b));
	abbr[e - b] = '\0';
	return p;
}

/* Up to maxd digits, value <= max. */
static const char *
tzs_num(const char *p, int maxd, int max, int *out)
{
	int v = 0, n = 0;

	while (is_digit(*p) && n < maxd) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || is_digit(*p) || v > max)
		return NULL;
	*out = v;
	return p;
}

/*
 * [+-]hh[:mm[:ss]] in seconds.  maxh is 24 for offsets; rule times may
 * reach 167 hours either way (the RFC 8536 extension).
 */
static const char *
tzs_hms(const char *p, int maxh, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = tzs_num(p, 3, maxh, &h)) == NULL)
		return NULL;
	if (*p == ':') {
		if ((p = tzs_num(p + 1, 2, 59, &m)) == NULL)
			return NULL;
		if (*p == ':' && (p = tzs_num(p + 1, 2, 59, &s)) == NULL)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00:00). */
static const char *
tzs_rule(const char *p, struct tz_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		r->kind = 'J';
		p = tzs_num(p + 1, 3, 365, &r->day);
		if (p != NULL && r->day < 1)
			return NULL;
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = tzs_num(p + 1, 2, 12, &r->mon)) == NULL || r->mon < 1 ||
		    *p != '.' || (p = tzs_num(p + 1, 1, 5, &r->week)) == NULL ||
		    r->week < 1 || *p != '.' ||
		    (p = tzs_num(p + 1, 1, 6, &r->wday)) == NULL)
			return NULL;
	} else {
		r->kind = 'D';
		p = tzs_num(p, 3, 365, &r->day);
	}
	if (p == NULL)
		return NULL;
	r->time = 7200;
	if (*p == '/')
		p = tzs_hms(p + 1, 167, &r->time);
	return p;
}

static int
tzs_parse(const char *p, struct tz_posix *z)
{
	int32_t off;

	memset(z, 0, sizeof(*z));
	/* POSIX offsets count hours west; TZif and we count east. */
	if ((p = tzs_name(p, z->std.abbr)) == NULL ||
	    (p = tzs_hms(p, 24, &off)) == NULL)
		return -1;
	z->std.utoff = -off;
	if (*p == '\0')
		return 0;
	z->has_dst = 1;
	z->dst.isdst = 1;
	if ((p = tzs_name(p, z->dst.abbr)) == NULL)
		return -1;
	z->dst.utoff = z->std.utoff + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = tzs_hms(p, 24, &off)) == NULL)
			return -1;
		z->dst.utoff = -off;
	}
	/*
	 * Without a rule POSIX leaves the dates to the implementation; zic
	 * always writes one, so a footer without is not worth guessing at.
	 */
	if (*p != ',' || (p = tzs_rule(p + 1, &z->start)) == NULL ||
	    *p != ',' || (p = tzs_rule(p + 1, &z->end)) == NULL || *p != '\0')
		return -1;
	return 0;
}

/* The rule's instant in year y, as seconds of local time since 1970. */
static long long
rule_local(const struct tz_rule *r, int y)
{
	long long days;
	int first, d;

	switch (r->kind) {
	case 'J':
		/* Julian days never count February 29. */
		days = days_from_civil(y, 1, 1) + r->day - 1 +
		    (is_leap(y) && r->day >= 60);
		break;
	case 'D':
		days = days_from_civil(y, 1, 1) + r->day;
		break;
	default:
		days = days_from_civil(y, r->mon, 1);
		first = (int)((days % 7 + 11) % 7);
		d = 1 + (r->wday - first + 7) % 7 + (r->week - 1) * 7;
		/* Week 5 means the last such weekday of the month. */
		while (d > month_days(y, r->mon))
			d -= 7;
		days += d - 1;
		break;
	}
	return days * 86400 + r->time;
}

static const struct tz_type *
posix_lookup(const struct tz_posix *z, long long t)
{
	struct utc_tm tm;
	long long start, end;

	if (!z->has_dst)
		return &z->std;
	/*
	 * The rules are for the local (standard time) year; a southern zone's
	 * DST spans New Year, so start > end and DST is outside [end, start).
	 */
	utc_split(t + z->std.utoff, &tm);
	start = rule_local(&z->start, tm.year) - z->std.utoff;
	end = rule_local(&z->end, tm.year) - z->dst.utoff;
	if (start < end)
		return t >= start && t < end ? &z->dst : &z->std;
	return t >= end && t < start ? &z->std : &z->dst;
}

/* ---- TZif (RFC 8536) */

struct tzif_head {
	int version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The header at p; returns the size of the data block after it, or 0. */
static size_t
tzif_head(const unsigned char *p, size_t len, int tsize, struct tzif_head *h)
{
	size_t n;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return 0;
	h->version = p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	/* RFC 8536 3.1 constraints; the caps keep the sum below from overflowing. */
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
	    h->charcnt > TZ_FILE_MAX || h->timecnt > TZ_FILE_MAX ||
	    h->leapcnt > TZ_FILE_MAX ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return 0;
	n = (size_t)h->timecnt * (size_t)(tsize + 1) + (size_t)h->typecnt * 6 +
	    h->charcnt + (size_t)h->leapcnt * (size_t)(tsize + 4) +
	    h->isstdcnt + h->isutcnt;
	return n <= len - 44 ? n : 0;
}

static void
zone_free(struct tz_zone *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

/* Parse a whole TZif file (v1, or the 64-bit part and footer of v2+). */
static struct tz_zone *
tzif_parse(const unsigned char *buf, size_t len)
{
	struct tzif_head h;
	struct tz_zone *z;
	const unsigned char *p, *types, *chars, *nl;
	size_t n, i;
	int tsize = 4;
	char foot[128];

	if ((n = tzif_head(buf, len, 4, &h)) == 0)
		return NULL;
	p = buf + 44;
	if (h.version != 0) {
		/* Skip the 32-bit data kept for old readers. */
		p += n;
		tsize = 8;
		if ((n = tzif_head(p, len - (size_t)(p - buf), 8, &h)) == 0)
			return NULL;
		p += 44;
	}
	/*
	 * Leap-second ("right/") zones count in TAI-like seconds; Confero's
	 * clocks are POSIX time, so such a zone would be subtly wrong.
	 */
	if (h.leapcnt != 0)
		return NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	z->ntrans = h.timecnt;
	z->ntypes = h.typecnt;
	z->trans = malloc((h.timecnt ? h.timecnt : 1) * sizeof(*z->trans));
	z->idx = malloc(h.timecnt ? h.timecnt : 1);
	z->types = calloc(h.typecnt, sizeof(*z->types));
	if (z->trans == NULL || z->idx == NULL || z->types == NULL)
		goto bad;
	for (i = 0; i < h.timecnt; i++) {
		z->trans[i] = tsize == 8 ? be64(p + i * 8) :
		    (int32_t)be32(p + i * 4);
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			goto bad;
	}
	p += (size_t)h.timecnt * (size_t)tsize;
	for (i = 0; i < h.timecnt; i++)
		if ((z->idx[i] = p[i]) >= h.typecnt)
			goto bad;
	p += h.timecnt;
	types = p;
	chars = types + (size_t)h.typecnt * 6;
	for (i = 0; i < h.typecnt; i++) {
		struct tz_type *ty = &z->types[i];
		const unsigned char *t = types + i * 6, *a, *e;
		int32_t off = (int32_t)be32(t);

		if (off < -TZ_UTOFF_MAX || off > TZ_UTOFF_MAX || t[4] > 1 ||
		    t[5] >= h.charcnt)
			goto bad;
		ty->utoff = off;
		ty->isdst = t[4];
		a = chars + t[5];
		if ((e = memchr(a, '\0', h.charcnt - t[5])) == NULL)
			goto bad;
		n = (size_t)(e - a) > TZ_ABBR_MAX ? TZ_ABBR_MAX : (size_t)(e - a);
		memcpy(ty->abbr, a, n);
		ty->abbr[n] = '\0';
	}
	if (tsize == 8) {
		/* Footer: "\n" TZ-string "\n" after the data (leapcnt is 0). */
		p = chars + h.charcnt + h.isstdcnt + h.isutcnt;
		if (p >= buf + len || *p != '\n' ||
		    (nl = memchr(p + 1, '\n', len - (size_t)(p + 1 - buf))) == NULL ||
		    (size_t)(nl - p - 1) >= sizeof(foot))
			goto bad;
		memcpy(foot, p + 1, (size_t)(nl - p - 1));
		foot[nl - p - 1] = '\0';
		if (foot[0] != '\0') {
			if (tzs_parse(foot, &z->posix) == -1 ||
			    abs(z->posix.std.utoff) > TZ_UTOFF_MAX ||
			    abs(z->posix.dst.utoff) > TZ_UTOFF_MAX)
				goto bad;
			z->has_posix = 1;
		}
	}
	return z;
bad:
	zone_free(z);
	return NULL;
}

/*
 * An IANA name is a relative path: components of [A-Za-z0-9_+-] starting
 * with a letter, so neither "..", "/etc" nor "" can escape zoneinfo.
 */
static int
tz_name_ok(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (len == 0 || len > TZ_NAME_MAX)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if ((p == name || p[-1] == '/') && !is_alpha(*p))
			return 0;
		if (!is_alpha(*p) && !is_digit(*p) && *p != '/' && *p != '_' &&
		    *p != '+' && *p != '-')
			return 0;
	}
	return name[len - 1] != '/';
}

static struct tz_zone *
tz_load(const char *name)
{
	char path[sizeof(ZONEINFO) + TZ_NAME_MAX];
	unsigned char *buf = NULL;
	struct tz_zone *z = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd;

	memcpy(path, ZONEINFO, sizeof(ZONEINFO) - 1);
	memcpy(path + sizeof(ZONEINFO) - 1, name, strlen(name) + 1);
	/* O_NONBLOCK: a FIFO planted there must not hang the caller. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < 44 ||
	    st.st_size > TZ_FILE_MAX || (buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	if ((z = tzif_parse(buf, got)) != NULL)
		memcpy(z->name, name, strlen(name) + 1);
out:
	free(buf);
	close(fd);
	return z;
}

static unsigned int
tz_hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % TZ_BUCKETS;
}

static struct tz_zone *
tz_find(unsigned int h, const char *name)
{
	struct tz_zone *z;

	for (z = tz_cache[h]; z != NULL; z = z->next)
		if (strcmp(z->name, name) == 0)
			return z;
	return NULL;
}

/*
 * The cached zone, loading it on first use.  The file is read outside the
 * lock; when two threads race, the loser's copy is dropped.  Unknown names
 * are not remembered, so the cache is bounded by the files in zoneinfo.
 */
static const struct tz_zone *
tz_get(const char *name)
{
	struct tz_zone *z, *old;
	unsigned int h;

	if (!tz_name_ok(name))
		return NULL;
	h = tz_hash(name);
	pthread_mutex_lock(&tz_mtx);
	z = tz_find(h, name);
	pthread_mutex_unlock(&tz_mtx);
	if (z != NULL)
		return z;
	if ((z = tz_load(name)) == NULL)
		return NULL;
	pthread_mutex_lock(&tz_mtx);
	if ((old = tz_find(h, name)) != NULL) {
		zone_free(z);
		z = old;
	} else {
		z->next = tz_cache[h];
		tz_cache[h] = z;
	}
	pthread_mutex_unlock(&tz_mtx);
	return z;
}

void
tz_cache_free(void)
{
	struct tz_zone *z, *next;

	pthread_mutex_lock(&tz_mtx);
	for (int i = 0; i < TZ_BUCKETS; i++) {
		for (z = tz_cache[i]; z != NULL; z = next) {
			next = z->next;
			zone_free(z);
		}
		tz_cache[i] = NULL;
	}
	pthread_mutex_unlock(&tz_mtx);
}

/*
 * RFC 8536 3.2: type 0 before the first transition, the footer from the
 * last one on (or, without a footer, the last transition's type).
 */
static const struct tz_type *
zone_lookup(const struct tz_zone *z, long long t)
{
	size_t lo, hi, mid;

	t = clamp(t);
	if (z->ntrans == 0)
		return z->has_posix ? posix_lookup(&z->posix, t) : &z->types[0];
	if (t < z->trans[0])
		return &z->types[0];
	if (t >= z->trans[z->ntrans - 1])
		return z->has_posix ? posix_lookup(&z->posix, t) :
		    &z->types[z->idx[z->ntrans - 1]];
	/* Invariant: trans[lo] <= t < trans[hi]. */
	lo = 0;
	hi = z->ntrans - 1;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &z->types[z->idx[lo]];
}

int
tz_valid(const char *name)
{
	return tz_get(name) != NULL;
}

int
tz_offset(const char *tzname, long long epoch, int *offset_seconds)
{
	const struct tz_zone *z = tz_get(tzname);

	if (z == NULL)
		return -1;
	*offset_seconds = zone_lookup(z, epoch)->utoff;
	return 0;
}

int
tz_format(const char *tzname, long long epoch, char out[32])
{
	const struct tz_zone *z = tz_get(tzname);
	struct utc_tm tm;
	int off, a;
	char *p;

	out[0] = '\0';
	if (z == NULL)
		return -1;
	/* Whole minutes toward zero, and the local time from that. */
	off = zone_lookup(z, epoch)->utoff / 60 * 60;
	utc_split(clamp(epoch) + off, &tm);
	p = put_datetime(out, &tm, 'T');
	*p++ = off < 0 ? '-' : '+';
	a = off < 0 ? -off : off;
	p = putn(p, a / 3600, 2);
	*p++ = ':';
	p = putn(p, a / 60 % 60, 2);
	*p = '\0';
	return 0;
}

int
tz_abbrev(const char *tzname, long long epoch, char out[16])
{
	const struct tz_zone *z = tz_get(tzname);

	out[0] = '\0';
	if (z == NULL)
		return -1;
	memcpy(out, zone_lookup(z, epoch)->abbr, TZ_ABBR_MAX + 1);
	return 0;
}

long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
