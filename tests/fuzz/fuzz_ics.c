/*
 * iCalendar writing (src/ics.c).  Input: 20 bytes of times, then
 * NUL-separated texts: PRODID, UID, SUMMARY, DESCRIPTION, LOCATION, URL
 * and categories; two events are written (the second with the texts
 * rotated).  Properties of the calendar:
 *  - valid UTF-8, every line ends in CRLF, no bare CR or LF anywhere;
 *  - no physical line longer than 75 octets; a fold (CRLF SP) never
 *    splits a UTF-8 sequence or a backslash escape;
 *  - unfolded, the logical lines are exactly the properties written, in
 *    order (a value can never start a property or a component);
 *  - a TEXT value that is clean UTF-8 unescapes to what was given.
 */
#include <string.h>

#include "ics.h"
#include "timeutil.h"
#include "validate.h"

#include "fuzz.h"

#define MAXTEXT 16

static long long
be64(const uint8_t *d)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = u << 8 | d[i];
	return (long long)u;
}

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

struct logical {
	char *text;     /* unfolded */
	size_t len;
};

/*
 * Split into physical lines and check them; unfold into out[] (up to
 * max logical lines); returns how many.
 */
static size_t
check_lines(const char *s, size_t len, struct logical *out, size_t max)
{
	size_t i = 0, n = 0;

	FZ_ASSERT(utf8_valid(s, len), "the calendar is not UTF-8");
	while (i < len) {
		const char *eolp = memchr(s + i, '\r', len - i);
		size_t l;

		FZ_ASSERT(eolp != NULL && (size_t)(eolp - s) + 1 < len && eolp[1] == '\n',
		    "a line without CRLF at %zu", i);
		l = (size_t)(eolp - (s + i));
		FZ_ASSERT(memchr(s + i, '\n', l) == NULL, "a bare LF at %zu", i);
		FZ_ASSERT(l <= 75, "a line of %zu octets: %.80s", l, s + i);
		FZ_ASSERT(l > 0, "an empty line at %zu", i);
		if (s[i] == ' ' || s[i] == '\t') {
			FZ_ASSERT(n > 0, "the calendar starts with a continuation");
			/* The fold is between whole characters and whole escapes. */
			FZ_ASSERT(!is_cont((unsigned char)s[i + 1]), "a fold splits a character");
			{
				struct logical *lg = &out[n - 1];
				size_t bs = 0;
				while (bs < lg->len && lg->text[lg->len - 1 - bs] == '\\')
					bs++;
				/* URL is a URI: there a backslash is just a character. */
				FZ_ASSERT(bs % 2 == 0 || strncmp(lg->text, "URL:", 4) == 0,
				    "a fold splits an escape");
				lg->text = realloc(lg->text, lg->len + l);
				memcpy(lg->text + lg->len, s + i + 1, l - 1);
				lg->len += l - 1;
				lg->text[lg->len] = '\0';
			}
		} else {
			FZ_ASSERT(n < max, "too many lines");
			out[n].text = malloc(l + 1);
			memcpy(out[n].text, s + i, l);
			out[n].text[l] = '\0';
			out[n].len = l;
			n++;
		}
		i += l + 2;
	}
	return n;
}

/* RFC 5545 TEXT unescaping; NULL for an escape we never write. */
static char *
unescape(const char *v)
{
	char *out = malloc(strlen(v) + 1), *w = out;

	for (; *v != '\0'; v++) {
		if (*v != '\\') {
			*w++ = *v;
			continue;
		}
		v++;
		if (*v == 'n')
			*w++ = '\n';
		else if (*v == '\\' || *v == ';' || *v == ',')
			*w++ = *v;
		else {
			free(out);
			return NULL;
		}
	}
	*w = '\0';
	return out;
}

/* No C0 but TAB and LF (CR is dropped, so none either), no DEL, no C1. */
static int
clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

static const char *
nth(char **t, size_t n, size_t i)
{
	return n > 0 ? t[i % n] : NULL;
}

static int
present(const char *s)
{
	return s != NULL && *s != '\0';
}

/* The expected property names of one event, in order. */
static size_t
expect_event(const struct ics_event *ev, const char **names)
{
	size_t k = 0;
	int cats = 0;

	names[k++] = "BEGIN";
	names[k++] = "UID";
	names[k++] = "DTSTAMP";
	names[k++] = "DTSTART";
	if (ev->end > ev->start)
		names[k++] = "DTEND";
	if (present(ev->summary))
		names[k++] = "SUMMARY";
	if (present(ev->description))
		names[k++] = "DESCRIPTION";
	if (present(ev->location))
		names[k++] = "LOCATION";
	if (present(ev->url))
		names[k++] = "URL";
	for (const char *const *c = ev->categories; c != NULL && *c != NULL; c++)
		cats |= **c != '\0';
	if (cats)
		names[k++] = "CATEGORIES";
	names[k++] = "END";
	return k;
}

static void
check_value(const struct logical *lg, const char *given)
{
	const char *colon = strchr(lg->text, ':');
	char *u;

	FZ_ASSERT(colon != NULL, "no colon in \"%s\"", lg->text);
	if (!clean_text(given))
		return;
	u = unescape(colon + 1);
	FZ_ASSERT(u != NULL, "a stray backslash in \"%s\"", lg->text);
	FZ_ASSERT(strcmp(u, given) == 0, "\"%s\" came back as \"%s\"", given, u);
	free(u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logical lines[128];
	const char *names[64], *cats[MAXTEXT + 1];
	struct ics_event ev[2];
	char *s, *t[MAXTEXT], *cal;
	size_t n = 0, left, len, nl, k = 0, i;
	int ok[2];
	struct ics c;

	if (size < 20 || size > 16384)
		return 0;
	left = size - 20;
	s = fz_str(data + 20, left);
	n = fz_fields(s, left, t, MAXTEXT);
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 2; i++) {
		size_t r = i * 3;
		ev[i].uid = nth(t, n, 1 + r);
		/* Mostly in range; now and then anything. */
		ev[i].start = data[0] & 1 ? be64(data + 1) :
		    1700000000LL + (int32_t)((uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
		    (uint32_t)data[3] << 8 | data[4]);
		/* Unsigned: a start near LLONG_MAX must not overflow here. */
		ev[i].end = (long long)((unsigned long long)ev[i].start +
		    (unsigned long long)(i == 0 ? (int16_t)((unsigned)data[9] << 8 | data[10]) * 60LL :
		    data[11] * 900LL));
		ev[i].dtstamp = 1700000000LL + data[12] * 86400LL;
		ev[i].summary = nth(t, n, 2 + r);
		ev[i].description = nth(t, n, 3 + r);
		ev[i].location = nth(t, n, 4 + r);
		ev[i].url = nth(t, n, 5 + r);
		ev[i].categories = NULL;
	}
	for (i = 6; i < n && i - 6 < MAXTEXT; i++)
		cats[i - 6] = t[i];
	cats[i > 6 ? i - 6 : 0] = NULL;
	if (data[13] & 1)
		ev[0].categories = cats;
	FZ_ASSERT(ics_begin(&c, nth(t, n, 0)) == 0, "ics_begin");
	ok[0] = ics_event(&c, &ev[0]) == 0;
	ok[1] = ics_event(&c, &ev[1]) == 0;
	for (i = 0; i < 2; i++) {
		int valid = present(ev[i].uid) && ev[i].end >= ev[i].start &&
		    ev[i].end >= TIME_MIN && ev[i].start <= TIME_MAX &&
		    ev[i].start >= TIME_MIN && ev[i].end <= TIME_MAX;
		FZ_ASSERT(ok[i] == valid, "event %zu: ics_event %d, expected %d", i, ok[i], valid);
	}
	cal = ics_end(&c, &len);
	FZ_ASSERT(cal != NULL && strlen(cal) == len, "ics_end");
	nl = check_lines(cal, len, lines, sizeof(lines) / sizeof(lines[0]));

	/* The logical lines, by name. */
	names[k++] = "BEGIN";
	names[k++] = "VERSION";
	names[k++] = "PRODID";
	names[k++] = "CALSCALE";
	names[k++] = "METHOD";
	for (i = 0; i < 2; i++)
		if (ok[i])
			k += expect_event(&ev[i], names + k);
	names[k++] = "END";
	FZ_ASSERT(nl == k, "%zu logical lines, expected %zu", nl, k);
	for (i = 0; i < k; i++) {
		size_t m = strlen(names[i]);
		FZ_ASSERT(strncmp(lines[i].text, names[i], m) == 0 && lines[i].text[m] == ':',
		    "line %zu is \"%.60s\", expected %s", i, lines[i].text, names[i]);
	}
	FZ_ASSERT(strcmp(lines[0].text, "BEGIN:VCALENDAR") == 0 &&
	    strcmp(lines[k - 1].text, "END:VCALENDAR") == 0, "not one calendar");
	/* Clean texts come back exactly: UID, SUMMARY, DESCRIPTION, LOCATION. */
	for (i = 5; ok[0] && i < k && strcmp(names[i], "END") != 0; i++) {
		if (strcmp(names[i], "UID") == 0)
			check_value(&lines[i], ev[0].uid);
		else if (strcmp(names[i], "SUMMARY") == 0)
			check_value(&lines[i], ev[0].summary);
		else if (strcmp(names[i], "DESCRIPTION") == 0)
			check_value(&lines[i], ev[0].description);
		else if (strcmp(names[i], "LOCATION") == 0)
			check_value(&lines[i], ev[0].location);
	}
	for (i = 0; i < nl; i++)
		free(lines[i].text);
	free(cal);
	free(s);
	return 0;
}
