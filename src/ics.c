/*
 * RFC 5545 writer.  Values go out in folding units (an ASCII octet, a
 * whole UTF-8 sequence, or a backslash escape pair) so a fold never splits
 * a character, nor an escape that a careless unfolder might misread.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics.h"
#include "timeutil.h"

#define ICS_LINE_MAX    75      /* octets per physical line, without CRLF */
#define ICS_PRODID      "-//Confero//Confero//EN"

/* Room for n more octets plus the final NUL; sticky failure. */
static int
reserve(struct ics *c, size_t n)
{
	size_t cap;
	char *nb;

	if (c->failed)
		return -1;
	if (n < c->cap - c->len)
		return 0;
	cap = c->cap ? c->cap : 4096;
	while (n >= cap - c->len) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((nb = realloc(c->buf, cap)) == NULL)
		goto fail;
	c->buf = nb;
	c->cap = cap;
	return 0;
fail:
	c->failed = 1;
	return -1;
}

static void
raw(struct ics *c, const char *s, size_t n)
{
	if (reserve(c, n) == -1)
		return;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

/* n octets that must stay on one physical line; folds before them. */
static void
unit(struct ics *c, const char *s, size_t n)
{
	if (c->col + n > ICS_LINE_MAX) {
		raw(c, "\r\n ", 3);
		c->col = 1;
	}
	raw(c, s, n);
	c->col += n;
}

static void
ascii(struct ics *c, const char *s)
{
	for (; *s != '\0'; s++)
		unit(c, s, 1);
}

static void
eol(struct ics *c)
{
	raw(c, "\r\n", 2);
	c->col = 0;
}

/* A whole line of ASCII we wrote ourselves. */
static void
line(struct ics *c, const char *s)
{
	ascii(c, s);
	eol(c);
}

/*
 * Length of the valid UTF-8 sequence at s (2..4), 0 if it is not one:
 * overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t
utf8_seq(const unsigned char *s, unsigned int *cpp)
{
	unsigned int cp;
	size_t n;

	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	/* The NUL terminator is not a continuation byte, so this stops there. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return n;
}

/*
 * A value: TEXT (RFC 5545 3.3.11) when text is set, else a URI, where
 * backslash, comma and semicolon are literal.  Control characters go (CR
 * silently, so CRLF and LF both become \n); TAB is allowed in TEXT.
 * Invalid UTF-8 becomes U+FFFD: the output must be UTF-8 whatever we get.
 */
static void
value(struct ics *c, const char *str, int text)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[2] = {'\\', 0};
	unsigned int cp;
	size_t n;

	while (*s != '\0') {
		if (*s >= 0x80) {
			if ((n = utf8_seq(s, &cp)) == 0) {
				unit(c, "\xef\xbf\xbd", 3);
				s++;
				continue;
			}
			/* C1 controls are as invisible as C0 ones. */
			if (cp > 0x9f)
				unit(c, (const char *)s, n);
			s += n;
			continue;
		}
		if (text && (*s == '\\' || *s == ';' || *s == ',' || *s == '\n')) {
			esc[1] = *s == '\n' ? 'n' : (char)*s;
			unit(c, esc, 2);
		} else if (*s >= 0x20 && *s != 0x7f)
			unit(c, (const char *)s, 1);
		else if (*s == '\t' && text)
			unit(c, (const char *)s, 1);
		s++;
	}
}

static void
prop(struct ics *c, const char *name, const char *v, int text)
{
	if (v == NULL || *v == '\0')
		return;
	ascii(c, name);
	unit(c, ":", 1);
	value(c, v, text);
	eol(c);
}

/* NAME:YYYYMMDDTHHMMSSZ */
static void
prop_time(struct ics *c, const char *name, long long t)
{
	struct utc_tm tm;
	char v[17];
	int f[6], w[6] = {4, 2, 2, 2, 2, 2};
	char *p = v;

	utc_split(t, &tm);
	f[0] = tm.year;
	f[1] = tm.mon;
	f[2] = tm.day;
	f[3] = tm.hour;
	f[4] = tm.min;
	f[5] = tm.sec;
	for (int i = 0; i < 6; i++) {
		if (i == 3)
			*p++ = 'T';
		for (int j = w[i] - 1; j >= 0; j--) {
			p[j] = (char)('0' + f[i] % 10);
			f[i] /= 10;
		}
		p += w[i];
	}
	*p++ = 'Z';
	*p = '\0';
	ascii(c, name);
	unit(c, ":", 1);
	line(c, v);
}

int
ics_begin(struct ics *c, const char *prodid)
{
	memset(c, 0, sizeof(*c));
	line(c, "BEGIN:VCALENDAR");
	line(c, "VERSION:2.0");
	prop(c, "PRODID", prodid != NULL && *prodid != '\0' ? prodid : ICS_PRODID, 1);
	line(c, "CALSCALE:GREGORIAN");
	line(c, "METHOD:PUBLISH");
	if (c->failed) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int
in_range(long long t)
{
	return t >= TIME_MIN && t <= TIME_MAX;
}

int
ics_event(struct ics *c, const struct ics_event *ev)
{
	long long stamp = ev->dtstamp != 0 ? ev->dtstamp : (long long)time(NULL);
	int cats = 0;

	if (c->failed) {
		errno = ENOMEM;
		return -1;
	}
	if (ev->uid == NULL || *ev->uid == '\0' || ev->end < ev->start ||
	    !in_range(ev->start) || !in_range(ev->end) || !in_range(stamp)) {
		errno = EINVAL;
		return -1;
	}
	line(c, "BEGIN:VEVENT");
	prop(c, "UID", ev->uid, 1);
	prop_time(c, "DTSTAMP", stamp);
	prop_time(c, "DTSTART", ev->start);
	/* RFC 5545 3.8.2.2: DTEND must be later; without it the event has no length. */
	if (ev->end > ev->start)
		prop_time(c, "DTEND", ev->end);
	prop(c, "SUMMARY", ev->summary, 1);
	prop(c, "DESCRIPTION", ev->description, 1);
	prop(c, "LOCATION", ev->location, 1);
	prop(c, "URL", ev->url, 0);
	for (const char *const *cat = ev->categories; cat != NULL && *cat != NULL; cat++) {
		if (**cat == '\0')
			continue;
		/* The list separator is a bare comma; commas inside are escaped. */
		if (cats++ == 0)
			ascii(c, "CATEGORIES:");
		else
			unit(c, ",", 1);
		value(c, *cat, 1);
	}
	if (cats > 0)
		eol(c);
	line(c, "END:VEVENT");
	if (c->failed) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

char *
ics_end(struct ics *c, size_t *len)
{
	char *out;

	line(c, "END:VCALENDAR");
	if (c->failed) {
		ics_free(c);
		errno = ENOMEM;
		return NULL;
	}
	out = c->buf;
	*len = c->len;
	memset(c, 0, sizeof(*c));
	return out;
}

void
ics_free(struct ics *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
