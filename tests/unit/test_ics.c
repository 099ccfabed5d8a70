/*
 * Unit tests for src/ics.c: calendar framing, TEXT escaping, 75-octet
 * folding that never splits UTF-8, and, when Debian's python3-icalendar is
 * installed, a parse of our output by an independent implementation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ics.h"
#include "timeutil.h"

#include "testutil.h"

#define T0 1778742000LL         /* 2026-05-14T07:00:00Z */

static char *
build(const struct ics_event *ev, size_t *len)
{
	struct ics c;
	char *out;

	assert_int_equal(ics_begin(&c, "-//Confero//Test//EN"), 0);
	assert_int_equal(ics_event(&c, ev), 0);
	out = ics_end(&c, len);
	assert_non_null(out);
	assert_int_equal(strlen(out), *len);
	return out;
}

/* The unfolded value of the first property called name, or NULL. */
static char *
unfolded(const char *ics, const char *name)
{
	size_t nl = strlen(name), o = 0;
	const char *p;
	char *v;

	for (p = ics; *p != '\0'; p = strstr(p, "\r\n") + 2)
		if (strncmp(p, name, nl) == 0 && p[nl] == ':')
			break;
	if (*p == '\0')
		return NULL;
	p += nl + 1;
	v = malloc(strlen(p) + 1);
	assert_non_null(v);
	for (;;) {
		if (p[0] == '\r' && p[1] == '\n') {
			if (p[2] != ' ')
				break;
			p += 3;
			continue;
		}
		v[o++] = *p++;
	}
	v[o] = '\0';
	return v;
}

static int
utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 :
		    (s[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len)
			return 0;
		for (size_t j = 1; j < n; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

/*
 * Every line ends in CRLF, has no other CR or LF, is at most 75 octets, is
 * valid UTF-8 by itself, and does not end inside a backslash escape.
 */
static void
check_lines(const char *ics, size_t len)
{
	const char *p = ics, *e = ics + len, *eol;
	size_t n, bs;

	assert_true(len >= 2);
	assert_memory_equal(e - 2, "\r\n", 2);
	while (p < e) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		n = (size_t)(eol - p);
		if (n > 75)
			fail_msg("line of %zu octets: %.*s", n, (int)n, p);
		assert_null(memchr(p, '\r', n));
		assert_null(memchr(p, '\n', n));
		if (!utf8_ok((const unsigned char *)p, n))
			fail_msg("broken UTF-8 in line: %.*s", (int)n, p);
		for (bs = 0; bs < n && p[n - 1 - bs] == '\\'; bs++)
			;
		if (bs % 2 != 0)
			fail_msg("escape split at the fold: %.*s", (int)n, p);
		p = eol + 2;
	}
}

static void
test_ics_exact(void **state)
{
	struct ics_event ev = {
		.uid = "1@confero.test", .dtstamp = T0, .start = T0,
		.end = T0 + 5400,
	};
	const char *want =
	    "BEGIN:VCALENDAR\r\n"
	    "VERSION:2.0\r\n"
	    "PRODID:-//Confero//Test//EN\r\n"
	    "CALSCALE:GREGORIAN\r\n"
	    "METHOD:PUBLISH\r\n"
	    "BEGIN:VEVENT\r\n"
	    "UID:1@confero.test\r\n"
	    "DTSTAMP:20260514T070000Z\r\n"
	    "DTSTART:20260514T070000Z\r\n"
	    "DTEND:20260514T083000Z\r\n"
	    "END:VEVENT\r\n"
	    "END:VCALENDAR\r\n";
	size_t len;
	char *out;

	(void)state;
	out = build(&ev, &len);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

static void
test_ics_all_fields(void **state)
{
	static const char *const cats[] = {"Talks", "Workshops, hands-on", "", "A;B", NULL};
	struct ics_event ev = {
		.uid = "session-7@confero.test", .dtstamp = T0 - 86400,
		.start = T0 + 3600, .end = T0 + 7200,
		.summary = "Opening", .description = "Welcome.\nCoffee first.",
		.location = "Hall A, Ljubljana", .url = "https://confero.test/e/x?a=1,2;b",
		.categories = cats,
	};
	size_t len;
	char *out;

	(void)state;
	out = build(&ev, &len);
	check_lines(out, len);
	assert_non_null(strstr(out,
	    "BEGIN:VEVENT\r\n"
	    "UID:session-7@confero.test\r\n"
	    "DTSTAMP:20260513T070000Z\r\n"
	    "DTSTART:20260514T080000Z\r\n"
	    "DTEND:20260514T090000Z\r\n"
	    "SUMMARY:Opening\r\n"
	    "DESCRIPTION:Welcome.\\nCoffee first.\r\n"
	    "LOCATION:Hall A\\, Ljubljana\r\n"
	    /* A URI is not TEXT: its commas and semicolons stay. */
	    "URL:https://confero.test/e/x?a=1,2;b\r\n"
	    /* Empty categories are skipped, separators are bare commas. */
	    "CATEGORIES:Talks,Workshops\\, hands-on,A\\;B\r\n"
	    "END:VEVENT\r\n"
	    "END:VCALENDAR\r\n"));
	free(out);
}

static void
test_ics_escaping(void **state)
{
	static const struct {
		const char *in, *want;
	} c[] = {
		{"a,b;c\\d", "a\\,b\\;c\\\\d"},
		{"line1\nline2", "line1\\nline2"},
		{"crlf\r\nlf\ncr\rend", "crlf\\nlf\\ncrend"},     /* CR dropped */
		{"\\n is not a newline", "\\\\n is not a newline"},
		{"tab\tkept", "tab\tkept"},
		{"bell\x07" "esc\x1b" "del\x7f" "nul-less", "bellescdelnul-less"},
		{"c1\xc2\x85" "gone, nbsp\xc2\xa0kept", "c1gone\\, nbsp\xc2\xa0kept"},
		{"\xc5\xbe\xc4\x8d \xe2\x82\xac \xf0\x9f\x8e\x9f", "\xc5\xbe\xc4\x8d \xe2\x82\xac \xf0\x9f\x8e\x9f"},
		/* Invalid UTF-8 is replaced, never passed on. */
		{"bad\xff" "x", "bad\xef\xbf\xbdx"},
		{"cut\xc5", "cut\xef\xbf\xbd"},
		{"over\xc0\xaf" "long", "over\xef\xbf\xbd\xef\xbf\xbdlong"},
		{"surr\xed\xa0\x80", "surr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{":colon\"quote", ":colon\"quote"},
	};
	struct ics_event ev = {
		.uid = "u,1;x", .dtstamp = T0, .start = T0, .end = T0 + 60,
	};
	size_t len;
	char *out, *v;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ev.summary = c[i].in;
		ev.location = c[i].in;
		out = build(&ev, &len);
		check_lines(out, len);
		v = unfolded(out, "SUMMARY");
		assert_non_null(v);
		if (strcmp(v, c[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, v, c[i].want);
		free(v);
		v = unfolded(out, "LOCATION");
		assert_string_equal(v, c[i].want);
		free(v);
		v = unfolded(out, "UID");
		assert_string_equal(v, "u\\,1\\;x");
		free(v);
		free(out);
	}
	/* Header injection through a URL goes nowhere. */
	ev.summary = NULL;
	ev.location = NULL;
	ev.url = "https://x.test/\r\nEND:VEVENT\r\nBEGIN:VEVENT";
	out = build(&ev, &len);
	check_lines(out, len);
	v = unfolded(out, "URL");
	assert_string_equal(v, "https://x.test/END:VEVENTBEGIN:VEVENT");
	free(v);
	free(out);
}

/* Undo TEXT escaping, to compare with the input. */
static char *
unescape(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	assert_non_null(o);
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*p++ = *s == 'n' || *s == 'N' ? '\n' : *s;
		} else
			*p++ = *s;
	}
	*p = '\0';
	return o;
}

static void
test_ics_folding(void **state)
{
	static const char *const pieces[] = {
		"\xc5\xbe", "\xc4\x8d", "a", "\xc5\xa1", "Z", " ", "\xe2\x82\xac",
		",", "\xf0\x9f\x8e\x9f", "\\", "\n", ";", "o",
	};
	struct ics_event ev = {
		.uid = "fold@confero.test", .dtstamp = T0, .start = T0, .end = T0 + 60,
	};
	char text[1024], pre[16];
	size_t len, n, chars;
	char *out, *v, *back;
	int folds;

	(void)state;
	/* Shift the text against the fold points by the prefix length. */
	for (int shift = 0; shift < 12; shift++) {
		memset(pre, 'p', (size_t)shift);
		pre[shift] = '\0';
		n = (size_t)snprintf(text, sizeof(text), "%s", pre);
		for (chars = 0; chars < 200; chars++) {
			const char *pc = pieces[(chars * 7 + (size_t)shift) % 13];

			memcpy(text + n, pc, strlen(pc) + 1);
			n += strlen(pc);
		}
		ev.summary = text;
		ev.description = text + shift;
		out = build(&ev, &len);
		check_lines(out, len);
		for (folds = 0, v = out; (v = strstr(v, "\r\n ")) != NULL; v += 3)
			folds++;
		assert_true(folds >= 6);
		v = unfolded(out, "SUMMARY");
		back = unescape(v);
		assert_string_equal(back, text);
		free(back);
		free(v);
		v = unfolded(out, "DESCRIPTION");
		back = unescape(v);
		assert_string_equal(back, text + shift);
		free(back);
		free(v);
		free(out);
	}
}

/* A line of exactly 75 octets stays whole; one more octet folds. */
static void
test_ics_fold_boundary(void **state)
{
	struct ics_event ev = {
		.uid = "b@confero.test", .dtstamp = T0, .start = T0, .end = T0 + 60,
	};
	char text[128];
	size_t len;
	char *out;

	(void)state;
	memset(text, 'q', 67);          /* "SUMMARY:" is 8 octets */
	text[67] = '\0';
	ev.summary = text;
	out = build(&ev, &len);
	assert_non_null(strstr(out, "\r\nSUMMARY:qqq"));
	assert_null(strstr(out, "\r\n q"));
	free(out);
	text[67] = 'y';
	text[68] = '\0';
	out = build(&ev, &len);
	assert_non_null(strstr(out, "q\r\n y\r\n"));
	free(out);
	/* "ž" would straddle the 75th octet: it moves whole to the next line. */
	text[66] = '\xc5';
	text[67] = '\xbe';
	text[68] = '\0';
	out = build(&ev, &len);
	check_lines(out, len);
	assert_non_null(strstr(out, "q\r\n \xc5\xbe\r\n"));
	free(out);
	/* So does an escape pair. */
	text[66] = ',';
	text[67] = '\0';
	out = build(&ev, &len);
	check_lines(out, len);
	assert_non_null(strstr(out, "q\r\n \\,\r\n"));
	free(out);
}

static void
test_ics_invalid(void **state)
{
	struct ics_event ev = {
		.uid = "i@confero.test", .dtstamp = T0, .start = T0, .end = T0 + 60,
	};
	struct ics c;
	size_t len, before;
	char *out;

	(void)state;
	assert_int_equal(ics_begin(&c, NULL), 0);
	before = c.len;
	ev.uid = NULL;
	errno = 0;
	assert_int_equal(ics_event(&c, &ev), -1);
	assert_int_equal(errno, EINVAL);
	ev.uid = "";
	assert_int_equal(ics_event(&c, &ev), -1);
	ev.uid = "i@confero.test";
	ev.end = T0 - 1;
	errno = 0;
	assert_int_equal(ics_event(&c, &ev), -1);
	assert_int_equal(errno, EINVAL);
	ev.end = TIME_MAX + 1;
	assert_int_equal(ics_event(&c, &ev), -1);
	assert_int_equal(c.len, before);
	/* Zero length: no DTEND at all (it would have to be later). */
	ev.end = T0;
	assert_int_equal(ics_event(&c, &ev), 0);
	out = ics_end(&c, &len);
	assert_non_null(out);
	assert_non_null(strstr(out, "PRODID:-//Confero//Confero//EN\r\n"));
	assert_non_null(strstr(out, "DTSTART:20260514T070000Z\r\nEND:VEVENT\r\n"));
	assert_null(strstr(out, "DTEND"));
	assert_null(c.buf);
	free(out);
}

static void
test_ics_dtstamp_now(void **state)
{
	struct ics_event ev = {.uid = "n@confero.test", .start = T0, .end = T0 + 60};
	long long lo, hi, t;
	struct utc_tm tm = {0};
	size_t len;
	char *out, *v;

	(void)state;
	lo = (long long)time(NULL);
	out = build(&ev, &len);
	hi = (long long)time(NULL);
	v = unfolded(out, "DTSTAMP");
	assert_int_equal(strlen(v), 16);
	assert_int_equal(sscanf(v, "%4d%2d%2dT%2d%2d%2dZ", &tm.year, &tm.mon,
	    &tm.day, &tm.hour, &tm.min, &tm.sec), 6);
	t = utc_join(&tm);
	assert_true(t >= lo && t <= hi);
	free(v);
	free(out);
}

/* Many events: the buffer grows and stays consistent. */
static void
test_ics_many(void **state)
{
	struct ics_event ev = {.dtstamp = T0, .summary = "\xc5\xbd" "elezniki, \xc4\x8d"};
	char uid[32];
	struct ics c;
	size_t len, n = 0;
	char *out, *p;

	(void)state;
	assert_int_equal(ics_begin(&c, NULL), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(uid, sizeof(uid), "e%d@confero.test", i);
		ev.uid = uid;
		ev.start = T0 + i * 3600LL;
		ev.end = ev.start + 1800;
		assert_int_equal(ics_event(&c, &ev), 0);
	}
	out = ics_end(&c, &len);
	assert_non_null(out);
	check_lines(out, len);
	for (p = out; (p = strstr(p, "BEGIN:VEVENT\r\n")) != NULL; p++)
		n++;
	assert_int_equal(n, 2000);
	assert_non_null(strstr(out, "UID:e1999@confero.test\r\n"));
	assert_string_equal(out + len - 27, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	free(out);
}

/* After an allocation failure everything fails, and nothing leaks. */
static void
test_ics_failed_is_sticky(void **state)
{
	struct ics_event ev = {.uid = "f", .dtstamp = T0, .start = T0, .end = T0};
	struct ics c;
	size_t len = 99;

	(void)state;
	assert_int_equal(ics_begin(&c, NULL), 0);
	c.failed = 1;                   /* as reserve() leaves it */
	errno = 0;
	assert_int_equal(ics_event(&c, &ev), -1);
	assert_int_equal(errno, ENOMEM);
	assert_null(ics_end(&c, &len));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(len, 99);
	assert_null(c.buf);
	ics_free(&c);                   /* harmless on a reset struct */
}

/*
 * Independent check: python3-icalendar (Debian's package, so the system
 * interpreter, not whatever python3 is first in PATH) unfolds, unescapes
 * and parses our output.  Skipped when it is not installed.  Its 4.0.3
 * unescaper replaces sequentially, so it reads our (correct) "\\n" for
 * a literal backslash-n as a newline: the text avoids that one case,
 * which test_ics_escaping covers.
 */
static const char py_check[] =
    "import sys\n"
    "from icalendar import Calendar\n"
    "cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
    "assert cal['VERSION'] == '2.0' and cal['METHOD'] == 'PUBLISH'\n"
    "out = []\n"
    "for ev in cal.walk('VEVENT'):\n"
    "    assert not ev.errors, ev.errors\n"
    /* 4.0.3 wraps the parsed list in a vCategory. */
    "    cats = getattr(ev['CATEGORIES'], 'cats', ev['CATEGORIES'])\n"
    "    f = [str(ev['UID']), ev.decoded('DTSTART').isoformat(),\n"
    "         ev.decoded('DTEND').isoformat(), str(ev['SUMMARY']),\n"
    "         str(ev['DESCRIPTION']), str(ev['LOCATION']), str(ev['URL']),\n"
    "         ','.join(str(c) for c in cats)]\n"
    "    out.append('\\x1e'.join(f))\n"
    "sys.stdout.buffer.write('\\x1d'.join(out).encode('utf-8'))\n";

static void
test_ics_python_icalendar(void **state)
{
	static const char *const cats[] = {"Talks", "Workshops", NULL};
	static const char summary[] =
	    "\xc5\xbd" "elezni\xc5\xa1ka \xc4\x8d" "ebela, \"med\"; "
	    "path C:\\temp\\dir and more \xc5\xbe\xc4\x8d\xc5\xbe\xc4\x8d\xc5\xbe\xc4\x8d "
	    "text to fold over several lines, with \xe2\x82\xac and \xf0\x9f\x8e\x9f too.";
	struct ics_event ev = {
		.uid = "py,1@confero.test", .dtstamp = T0, .start = T0,
		.end = T0 + 5400, .summary = summary,
		.description = "Line one;\nline two,\r\nline three\\end",
		.location = "Dvorana A, Cankarjev dom", .url = "https://confero.test/e/1?x=a,b",
		.categories = cats,
	};
	char dir[96], ics_path[128], py_path[128];
	char cmd[512], got[4096], want[4096];
	size_t len, n;
	FILE *f, *p;
	char *out;

	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1") != 0)
		skip();
	assert_int_equal(make_tmpdir(dir, sizeof(dir), "ics"), 0);
	snprintf(ics_path, sizeof(ics_path), "%s/cal.ics", dir);
	snprintf(py_path, sizeof(py_path), "%s/check.py", dir);
	out = build(&ev, &len);
	assert_non_null(f = fopen(ics_path, "wb"));
	assert_int_equal(fwrite(out, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_non_null(f = fopen(py_path, "w"));
	fputs(py_check, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s", py_path, ics_path);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	assert_int_equal(pclose(p), 0);
	snprintf(want, sizeof(want),
	    "py,1@confero.test\x1e" "2026-05-14T07:00:00+00:00\x1e"
	    "2026-05-14T08:30:00+00:00\x1e%s\x1e"
	    "Line one;\nline two,\nline three\\end\x1e"
	    "Dvorana A, Cankarjev dom\x1ehttps://confero.test/e/1?x=a,b\x1e"
	    "Talks,Workshops", summary);
	assert_string_equal(got, want);
	unlink(ics_path);
	unlink(py_path);
	rmdir(dir);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ics_exact),
		cmocka_unit_test(test_ics_all_fields),
		cmocka_unit_test(test_ics_escaping),
		cmocka_unit_test(test_ics_folding),
		cmocka_unit_test(test_ics_fold_boundary),
		cmocka_unit_test(test_ics_invalid),
		cmocka_unit_test(test_ics_dtstamp_now),
		cmocka_unit_test(test_ics_many),
		cmocka_unit_test(test_ics_failed_is_sticky),
		cmocka_unit_test(test_ics_python_icalendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
