/*
 * Instants as seconds since the epoch (POSIX time, no leap seconds): strict
 * RFC 3339 and MariaDB DATETIME text in UTC, and IANA time zones read from
 * /usr/share/zoneinfo by our own TZif reader (thread-safe, no TZ/tzset).
 */
#ifndef CONFERO_TIMEUTIL_H
#define CONFERO_TIMEUTIL_H

/* The instants every function here can format: 0000-01-01 .. 9999-12-31. */
#define TIME_MIN (-62167219200LL)       /* 0000-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL         /* 9999-12-31T23:59:59Z */

struct utc_tm {
	int year;       /* 0..9999 */
	int mon;        /* 1..12 */
	int day;        /* 1..31 */
	int hour, min, sec;
	int wday;       /* 0 = Sunday */
};

/* Proleptic Gregorian calendar; epoch clamped to TIME_MIN..TIME_MAX. */
void utc_split(long long epoch, struct utc_tm *tm);
/* Inverse of utc_split; fields are not range-checked (wday is ignored). */
long long utc_join(const struct utc_tm *tm);

/*
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), 'T' and 'Z' in either case.
 * The offset is required: a local time without one names no instant
 * ("-00:00" counts as UTC).  The fraction is truncated.  Second 60 (a leap second) is rejected: POSIX time
 * cannot represent it, and event times never need it.  The year must be
 * 1970..9999 and the resulting instant no later than TIME_MAX.  0 or -1.
 */
int rfc3339_parse(const char *s, long long *epoch);
/* "YYYY-MM-DDTHH:MM:SSZ".  Out-of-range instants are clamped. */
void utc_rfc3339(long long epoch, char out[32]);
/* "YYYY-MM-DD HH:MM:SS" in UTC, for a MariaDB DATETIME.  Clamped. */
void utc_sql(long long epoch, char out[20]);
/*
 * Inverse of utc_sql: "YYYY-MM-DD HH:MM:SS", optionally followed by the
 * ".ffffff" of a DATETIME(n) column (ignored).  Years 0000..9999.  0 or -1.
 */
int sql_utc_parse(const char *s, long long *epoch);

/*
 * An IANA zone name ("Europe/Ljubljana", "UTC") that is safe as a path
 * below /usr/share/zoneinfo and names a TZif file we can read.  1 or 0.
 * Valid zones are cached (see below), unknown names are not.
 */
int tz_valid(const char *name);
/*
 * UTC offset in seconds east of Greenwich at the instant, exact (historic
 * local mean time offsets have seconds).  0, or -1 for an invalid zone.
 */
int tz_offset(const char *tzname, long long epoch, int *offset_seconds);
/*
 * RFC 3339 local time with its offset, "2026-05-14T09:00:00+02:00"; always
 * ±HH:MM, "+00:00" for UTC.  An offset with seconds (local mean time
 * before ~1900) is truncated to whole minutes and the local time computed
 * from that, so the string still names the same instant.  0, or -1 with
 * out set to "" for an invalid zone.
 */
int tz_format(const char *tzname, long long epoch, char out[32]);
/* Abbreviation in effect, "CEST", "+0545".  0 or -1. */
int tz_abbrev(const char *tzname, long long epoch, char out[16]);
/*
 * Loaded zones are immutable and live until this is called, for leak
 * checkers at exit; nothing may be using this module at that time.
 */
void tz_cache_free(void);

/* Milliseconds on the monotonic clock (for timeouts and lifetimes). */
long long mono_ms(void);

#endif
