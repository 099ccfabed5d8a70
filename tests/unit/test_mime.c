/*
 * Unit tests for src/mime.c: wire format (CRLF, 7-bit, line lengths),
 * header injection attempts, RFC 2047 and quoted-printable round trips,
 * MIME structure.  Python's email package (the system interpreter) is
 * the oracle: it parses each message and reports what it found, as
 * key=hex(UTF-8) lines.  Tests that need it are skipped without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mime.h"

#include "testutil.h"

#define T0 1778742000LL         /* Thu, 14 May 2026 07:00:00 +0000 */
#define PY "/usr/bin/python3"

static const char slo[] =
    "Registracija potrjena \xe2\x80\x93 \xc4\x8c" "edo \xc5\xa0imi\xc4\x87 "
    "\xc5\xbe \xd1\x88 \xc5\x91";

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4,
	0x89, 0xff, 0xfe, 0x00, 0x2d, 0x2d, 0x3d, 0x5f,
};

static const char ics[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
    "UID:1@confero.test\r\nSUMMARY:\xc4\x8c" "edo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static const char py_oracle[] =
    "import sys, email, email.policy, email.header, email.utils\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    m = email.message_from_binary_file(f, policy=email.policy.default)\n"
    "out = []\n"
    "def put(k, v):\n"
    "    out.append(k + '=' + str(v).encode('utf-8', 'surrogateescape').hex())\n"
    "defects = 0\n"
    "put('subject', m['subject'] if 'subject' in m else '<none>')\n"
    "put('headers', ','.join(k.lower() for k in m.keys()))\n"
    "for h in ('from', 'to', 'reply-to', 'cc', 'bcc'):\n"
    "    n = 0\n"
    "    for v in m.get_all(h) or []:\n"
    "        for a in v.addresses:\n"
    "            put('%s.%d.name' % (h, n), a.display_name)\n"
    "            put('%s.%d.addr' % (h, n), a.addr_spec)\n"
    "            n += 1\n"
    "    put(h + '.n', n)\n"
    "put('message-id', m['message-id'])\n"
    "put('date', m['date'].datetime.isoformat())\n"
    "for h in ('auto-submitted', 'list-unsubscribe', 'list-unsubscribe-post'):\n"
    "    put(h, m.get(h, '<none>'))\n"
    "parts = []\n"
    "def walk(p, path):\n"
    "    global defects\n"
    "    defects += len(p.defects)\n"
    "    for k, v in p.items():\n"
    "        defects += len(getattr(v, 'defects', ()))\n"
    "    path = (path + '/' if path else '') + p.get_content_type()\n"
    "    if p.is_multipart():\n"
    "        for s in p.iter_parts():\n"
    "            walk(s, path)\n"
    "    else:\n"
    "        parts.append((path, p))\n"
    "walk(m, '')\n"
    "put('parts.n', len(parts))\n"
    "for i, (path, p) in enumerate(parts):\n"
    "    k = 'part.%d.' % i\n"
    "    put(k + 'path', path)\n"
    "    put(k + 'cid', p.get('content-id', ''))\n"
    "    put(k + 'filename', p.get_filename() or '')\n"
    "    put(k + 'disposition', p.get_content_disposition() or '')\n"
    "    data = p.get_payload(decode=True)\n"
    "    put(k + 'len', len(data))\n"
    "    put(k + 'hex', data.hex())\n"
    "    if p.get_content_type() in ('text/plain', 'text/html'):\n"
    "        put(k + 'text', p.get_content())\n"
    "put('defects', defects)\n"
    /* The legacy decoder applies RFC 2047 6.2 to names: a second opinion. */
    "with open(sys.argv[1], 'rb') as f:\n"
    "    c = email.message_from_binary_file(f, policy=email.policy.compat32)\n"
    "for h in ('from', 'to'):\n"
    "    for i, (n, a) in enumerate(email.utils.getaddresses(c.get_all(h) or [])):\n"
    "        put('%s.%d.legacy' % (h, i), str(email.header.make_header(\n"
    "            email.header.decode_header(n))))\n"
    "sys.stdout.write('\\n'.join(out) + '\\n')\n";

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/*
 * What SMTP and RFC 5322 need of the bytes: 7-bit without NUL, every
 * line ended by CRLF (no bare CR or LF) and at most 998 octets; header
 * lines within hdr_max where the test's values allow folding.
 */
static void
check_wire(const char *s, size_t len, size_t hdr_max)
{
	size_t i, start = 0;
	int in_hdr = 1;

	assert_true(len >= 2);
	assert_memory_equal(s + len - 2, "\r\n", 2);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c != 0 && c < 0x80);
		if (c == '\r') {
			assert_true(i + 1 < len && s[i + 1] == '\n');
			assert_true(i - start <= 998);
			if (in_hdr && i == start)
				in_hdr = 0;
			else if (in_hdr && hdr_max > 0) {
				if (i - start > hdr_max)
					fprintf(stderr, "long header line: %.*s\n",
					    (int)(i - start), s + start);
				assert_true(i - start <= hdr_max);
			}
			start = i + 2;
			i++;
		} else
			assert_true(c != '\n');
	}
	assert_int_equal(in_hdr, 0);
}

static char *
build_ok(const struct mime_msg *m, size_t *len, size_t hdr_max)
{
	char *s;

	s = mime_build(m, len);
	assert_non_null(s);
	assert_int_equal(strlen(s), *len);
	check_wire(s, *len, hdr_max);
	return s;
}

/* Physical header lines (before the blank line) that begin with name. */
static int
header_lines(const char *s, const char *name)
{
	size_t nl = strlen(name);
	int n = 0;

	for (const char *p = s; *p != '\0' && !(p[0] == '\r' && p[1] == '\n');
	    p = strstr(p, "\r\n") + 2)
		if (strncasecmp(p, name, nl) == 0)
			n++;
	return n;
}

/* Python's report on the message, or skip() without Python. */
static char *
oracle(const char *msg, size_t len)
{
	char dir[96], eml[128], py[128], cmd[320];
	char *out = NULL;
	size_t n = 0, cap = 0, r;
	FILE *f, *p;

	if (access(PY, X_OK) != 0)
		skip();
	assert_int_equal(make_tmpdir(dir, sizeof(dir), "mime"), 0);
	snprintf(eml, sizeof(eml), "%s/m.eml", dir);
	snprintf(py, sizeof(py), "%s/o.py", dir);
	assert_non_null(f = fopen(eml, "wb"));
	assert_int_equal(fwrite(msg, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_non_null(f = fopen(py, "w"));
	fputs(py_oracle, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), PY " %s %s", py, eml);
	assert_non_null(p = popen(cmd, "r"));
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			assert_non_null(out = realloc(out, cap));
		}
		r = fread(out + n, 1, cap - n - 1, p);
		n += r;
	} while (r > 0);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(eml);
	unlink(py);
	rmdir(dir);
	return out;
}

/* The decoded value of key in an oracle report, malloc'd; NULL if absent. */
static char *
get(const char *rep, const char *key)
{
	size_t kl = strlen(key), n;
	const char *p, *e;
	char *v;

	for (p = rep; *p != '\0'; p = e + (*e != '\0')) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=')
			break;
	}
	if (*p == '\0')
		return NULL;
	p += kl + 1;
	n = (size_t)(e - p) / 2;
	assert_non_null(v = malloc(n + 1));
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(p + 2 * i, "%2x", &b), 1);
		v[i] = (char)b;
	}
	v[n] = '\0';
	return v;
}

static void
expect(const char *rep, const char *key, const char *want)
{
	char *v = get(rep, key);

	if (v == NULL)
		fail_msg("oracle has no %s", key);
	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", key, v, want);
	free(v);
}

static void
expect_hex(const char *rep, const char *key, const void *data, size_t len)
{
	char *want = malloc(len * 2 + 1);

	assert_non_null(want);
	for (size_t i = 0; i < len; i++)
		snprintf(want + 2 * i, 3, "%02x", ((const unsigned char *)data)[i]);
	want[len * 2] = '\0';
	expect(rep, key, want);
	free(want);
}

static struct mime_msg
base_msg(void)
{
	struct mime_msg m = {
		.from_name = "Confero", .from_addr = "noreply@confero.test",
		.to_name = "Ana Novak", .to_addr = "ana@example.org",
		.subject = "Your ticket for Confero 2026",
		.message_id = "<r42.t7.a1b2@confero.test>", .date = T0,
		.text = "Hello Ana,\n\nyour ticket is attached.\n",
	};

	return m;
}

static void
test_mime_ascii(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	s = build_ok(&m, &len, 78);
	assert_non_null(strstr(s, "\r\nSubject: Your ticket for Confero 2026\r\n"));
	assert_non_null(strstr(s, "\r\nFrom: \"Confero\" <noreply@confero.test>\r\n"));
	assert_non_null(strstr(s, "\r\nTo: \"Ana Novak\" <ana@example.org>\r\n"));
	assert_non_null(strstr(s, "\r\nMessage-ID: <r42.t7.a1b2@confero.test>\r\n"));
	assert_non_null(strstr(s, "\r\nMIME-Version: 1.0\r\n"));
	assert_memory_equal(s, "Date: Thu, 14 May 2026 07:00:00 +0000\r\n", 39);
	assert_null(strstr(s, "boundary"));
	rep = oracle(s, len);
	expect(rep, "subject", "Your ticket for Confero 2026");
	expect(rep, "headers", "date,from,to,subject,message-id,mime-version,"
	    "content-type,content-transfer-encoding");
	expect(rep, "from.0.name", "Confero");
	expect(rep, "from.0.addr", "noreply@confero.test");
	expect(rep, "to.n", "1");
	expect(rep, "to.0.name", "Ana Novak");
	expect(rep, "to.0.addr", "ana@example.org");
	expect(rep, "reply-to.n", "0");
	expect(rep, "message-id", "<r42.t7.a1b2@confero.test>");
	expect(rep, "date", "2026-05-14T07:00:00+00:00");
	expect(rep, "auto-submitted", "<none>");
	expect(rep, "list-unsubscribe", "<none>");
	expect(rep, "parts.n", "1");
	expect(rep, "part.0.path", "text/plain");
	expect(rep, "part.0.text", "Hello Ana,\n\nyour ticket is attached.\n");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

static void
test_mime_utf8_subject_and_names(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.subject = slo;
	m.to_name = slo;
	m.from_name = "Konferenca \xc5\xa0imi\xc4\x87 \"&\" Co.";
	m.reply_to = "pomoc@confero.test";
	s = build_ok(&m, &len, 76);
	/* Words that need no encoding stay readable. */
	assert_non_null(strstr(s, "\r\nSubject: Registracija potrjena =?UTF-8?B?"));
	rep = oracle(s, len);
	expect(rep, "subject", slo);
	expect(rep, "to.0.name", slo);
	expect(rep, "to.0.legacy", slo);
	expect(rep, "to.0.addr", "ana@example.org");
	expect(rep, "from.0.name", "Konferenca \xc5\xa0imi\xc4\x87 \"&\" Co.");
	expect(rep, "from.0.legacy", "Konferenca \xc5\xa0imi\xc4\x87 \"&\" Co.");
	expect(rep, "reply-to.n", "1");
	expect(rep, "reply-to.0.addr", "pomoc@confero.test");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

/*
 * Long values fold into several encoded words of whole characters, on
 * lines of at most 76 octets.  Python's default policy keeps the space
 * between two encoded words of a display name (RFC 2047 6.2 says to drop
 * it), so where the name had to be split at one of its own spaces it
 * reads a doubled space; its legacy decoder reads the name exactly.
 */
static void
test_mime_long_utf8(void **state)
{
	static const char cyr[] =
	    "\xd0\x90\xd0\xbb\xd0\xb5\xd0\xba\xd1\x81\xd0\xb0\xd0\xbd\xd0\xb4\xd1\x80 "
	    "\xd0\x92\xd0\xbb\xd0\xb0\xd0\xb4\xd0\xb8\xd0\xbc\xd0\xb8\xd1\x80\xd0\xbe"
	    "\xd0\xb2\xd0\xb8\xd1\x87 \xd0\x94\xd0\xbc\xd0\xb8\xd1\x82\xd1\x80\xd0\xb8"
	    "\xd0\xb5\xd0\xb2 \xf0\x9f\x8e\x9f";
	struct mime_msg m = base_msg();
	char subject[1200], *s, *rep, *dflt, *p;
	size_t len, n = 0;

	(void)state;
	while (n + sizeof(slo) + 40 < sizeof(subject))
		n += (size_t)snprintf(subject + n, sizeof(subject) - n,
		    "%s %s %zu ", slo, n % 3 ? "x=?y?=z" : "\xf0\x9f\x8e\x9f\xe2\x82\xac", n);
	subject[n - 1] = '\0';
	m.subject = subject;
	m.to_name = cyr;
	s = build_ok(&m, &len, 76);
	/* Every encoded word is at most 75 octets (RFC 2047 section 2). */
	for (p = s; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = strstr(p, "?=") + 2)
		assert_true(strstr(p, "?=") - p + 2 <= 75);
	rep = oracle(s, len);
	expect(rep, "subject", subject);
	expect(rep, "to.0.legacy", cyr);
	dflt = get(rep, "to.0.name");
	assert_non_null(dflt);
	while ((p = strstr(dflt, "  ")) != NULL)
		memmove(p, p + 1, strlen(p));
	assert_string_equal(dflt, cyr);
	expect(rep, "defects", "0");
	free(dflt);
	free(rep);
	free(s);
}

static void
test_mime_header_injection(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.to_name = "Evil\r\nBcc: victim@example.org";
	m.from_name = "Sender\nTo: other@example.org\n\nbody";
	m.subject = "Hi\r\nBcc: victim@example.org\r\n\r\nInjected body";
	s = build_ok(&m, &len, 78);
	assert_int_equal(header_lines(s, "Bcc:"), 0);
	assert_int_equal(header_lines(s, "To:"), 1);
	assert_int_equal(header_lines(s, "Cc:"), 0);
	rep = oracle(s, len);
	expect(rep, "bcc.n", "0");
	expect(rep, "cc.n", "0");
	expect(rep, "to.n", "1");
	expect(rep, "to.0.addr", "ana@example.org");
	expect(rep, "to.0.name", "Evil Bcc: victim@example.org");
	expect(rep, "from.n", "1");
	expect(rep, "from.0.addr", "noreply@confero.test");
	expect(rep, "from.0.name", "Sender To: other@example.org body");
	expect(rep, "subject", "Hi  Bcc: victim@example.org    Injected body");
	expect(rep, "headers", "date,from,to,subject,message-id,mime-version,"
	    "content-type,content-transfer-encoding");
	expect(rep, "part.0.text", "Hello Ana,\n\nyour ticket is attached.\n");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

/* Other controls, C1, U+2028/9, invalid UTF-8, quotes and "=?" in names. */
static void
test_mime_name_cleaning(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.to_name = "\t A\x01" "b\x1b[31m\x7f" "c\xc2\x85" "d\xe2\x80\xa8" "e\xff" "f  ";
	m.from_name = "Q \"x\" \\ =?UTF-8?B?QQ==?= end";
	m.subject = " \x01lead and trail\x7f ";
	s = build_ok(&m, &len, 78);
	rep = oracle(s, len);
	expect(rep, "to.0.name", "A b [31m c d e\xef\xbf\xbd" "f");
	expect(rep, "from.0.name", "Q \"x\" \\ =?UTF-8?B?QQ==?= end");
	expect(rep, "from.0.legacy", "Q \"x\" \\ =?UTF-8?B?QQ==?= end");
	expect(rep, "subject", "lead and trail");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

static void
test_mime_refuses(void **state)
{
	static const char *const bad[] = {
		"a@b.org\r\nBcc: victim@example.org", "a@b.org\n", "a\r@b.org",
		"a b@c.org", "<a@b.org>", "a@b.org, c@d.org", "\"a\"@b.org",
		"a@b.org>", "ana@\xc5\xa1ola.si", "\xc4\x8d@b.org", "no-at.org",
		"a@b@c.org", "a@", "@b.org", "a..b@c.org", ".a@b.org", "a@-b.org",
		"a@b..org", "a@b.org\t", "", NULL,
	};
	struct mime_part part = {.content_type = "image/png", .content_id = "x@y",
		.data = png, .len = sizeof(png)};
	struct mime_msg m;
	size_t len = 7;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = base_msg();
		m.to_addr = bad[i];
		errno = 0;
		assert_null(mime_build(&m, &len));
		assert_int_equal(errno, EINVAL);
		m = base_msg();
		m.from_addr = bad[i];
		assert_null(mime_build(&m, &len));
		if (bad[i] != NULL) {
			m = base_msg();
			m.reply_to = bad[i];
			assert_null(mime_build(&m, &len));
		}
		errno = 0;
		assert_null(mime_address("Name", bad[i], 4));
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(len, 7);

#define REFUSE(field, v) do {                                   \
		m = base_msg();                                 \
		m.field = v;                                    \
		errno = 0;                                      \
		assert_null(mime_build(&m, &len));              \
		assert_int_equal(errno, EINVAL);                \
	} while (0)
	REFUSE(message_id, NULL);
	REFUSE(message_id, "r42@confero.test");
	REFUSE(message_id, "<r42@confero.test>\r\nBcc: v@example.org");
	REFUSE(message_id, "<r42\r\n@confero.test>");
	REFUSE(message_id, "<r42 x@confero.test>");
	REFUSE(message_id, "<r42>");
	REFUSE(text, NULL);
	REFUSE(date, -1);
	REFUSE(date, 253402300800LL);
	REFUSE(auto_submitted, "auto-generated\r\nBcc: v@example.org");
	REFUSE(auto_submitted, "");
	REFUSE(list_unsubscribe, "<https://x.test/u>\r\nBcc: v@example.org");
	REFUSE(list_unsubscribe, "https://x.test/u");
	REFUSE(list_unsubscribe, "<https://x.test/\xc4\x8d>");
	/* Inline parts need HTML to refer to them. */
	m = base_msg();
	m.inline_parts = &part;
	m.ninline = 1;
	assert_null(mime_build(&m, &len));
	assert_int_equal(errno, EINVAL);
	m.html = "<img src=\"cid:x@y\">";
	assert_non_null(s = mime_build(&m, &len));
	free(s);
	{
		static const char *const ctypes[] = {
			"image/png\r\nBcc: v@example.org", "image/png\n", "image",
			"/png", "image/", "multipart/mixed; boundary=x",
			"message/rfc822", "image/png; name=\"unbalanced", "",
			"text/plain; x=\xc4\x8d", NULL,
		};
		static const char *const cids[] = {
			"x@y\r\nBcc: v@example.org", "x y@z", "<x@y>", "", "a@b@c", NULL,
		};

		for (size_t i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
			part.content_type = ctypes[i];
			errno = 0;
			assert_null(mime_build(&m, &len));
			assert_int_equal(errno, EINVAL);
		}
		part.content_type = "image/png";
		for (size_t i = 0; i < sizeof(cids) / sizeof(cids[0]); i++) {
			part.content_id = cids[i];
			errno = 0;
			assert_null(mime_build(&m, &len));
			assert_int_equal(errno, EINVAL);
		}
		part.content_id = "x@y";
		part.data = NULL;
		assert_null(mime_build(&m, &len));
	}
	assert_null(mime_build(NULL, &len));
	assert_int_equal(errno, EINVAL);
#undef REFUSE
}

/* A 2000-character line of UTF-8 and the awkward cases of QP. */
static void
test_mime_quoted_printable(void **state)
{
	static const char unit[] = "\xc4\x8c\xc5\xa1\xc5\xbe\xe2\x82\xac a=b \xf0\x9f\x8e\x9f\t";
	struct mime_msg m = base_msg();
	char *text, *want, *s, *rep, *b;
	size_t len, n = 0, units = 0;

	(void)state;
	assert_non_null(text = malloc(16384));
	assert_non_null(want = malloc(16384));
	while (units < 2000) {          /* 12 characters a unit */
		memcpy(text + n, unit, sizeof(unit) - 1);
		n += sizeof(unit) - 1;
		units += 12;
	}
	n += (size_t)sprintf(text + n, "\n.leading dot\r\nFrom me\rtrailing  \t\n"
	    "=3D not an escape\n\nno final newline ");
	text[n] = '\0';
	/* Line ends normalised; all else exact. */
	strcpy(want, text);
	for (b = want; (b = strpbrk(b, "\r")) != NULL;) {
		if (b[1] == '\n')
			memmove(b, b + 1, strlen(b));
		else
			*b = '\n';
	}
	m.text = text;
	s = build_ok(&m, &len, 78);
	/* Body lines stay within 76 octets; "." and "From " are encoded. */
	b = strstr(s, "\r\n\r\n") + 4;
	for (char *l = b; *l != '\0'; l = strstr(l, "\r\n") + 2)
		assert_true(strstr(l, "\r\n") - l <= 76);
	assert_non_null(strstr(b, "\r\n=2Eleading dot\r\n=46rom me\r\ntrailing  =09\r\n"));
	assert_non_null(strstr(b, "=3D3D not an escape"));
	/* The text has no final newline: a soft break ends the message. */
	assert_memory_equal(s + len - 8, "ne=20=\r\n", 8);
	rep = oracle(s, len);
	expect(rep, "part.0.text", want);
	expect(rep, "defects", "0");
	free(rep);
	free(s);
	free(text);
	free(want);
}

static void
test_mime_html_verbatim(void **state)
{
	static const char html[] =
	    "<!doctype html><html><body><p>Pozdravljeni, \xc4\x8c" "edo</p>"
	    "<script>alert(\"x=1\" + '<b>');</script>\r\n"
	    "<a href=\"https://confero.test/e/1?a=1&b=2\">link</a>\n"
	    ".\n--=_m0123456789abcdef01234567\n--\n</body></html>";
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.html = html;
	m.text = "--=_a0123456789abcdef01234567--\n.\n";
	s = build_ok(&m, &len, 78);
	assert_int_equal(header_lines(s, "Content-Type: multipart/alternative;"), 1);
	rep = oracle(s, len);
	expect(rep, "parts.n", "2");
	expect(rep, "part.0.path", "multipart/alternative/text/plain");
	expect(rep, "part.0.text", "--=_a0123456789abcdef01234567--\n.\n");
	expect(rep, "part.1.path", "multipart/alternative/text/html");
	expect(rep, "part.1.text",
	    "<!doctype html><html><body><p>Pozdravljeni, \xc4\x8c" "edo</p>"
	    "<script>alert(\"x=1\" + '<b>');</script>\n"
	    "<a href=\"https://confero.test/e/1?a=1&b=2\">link</a>\n"
	    ".\n--=_m0123456789abcdef01234567\n--\n</body></html>");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

static void
test_mime_inline_image(void **state)
{
	struct mime_part img = {.content_type = "image/png", .filename = "logo.png",
		.content_id = "logo.1@confero.test", .data = png, .len = sizeof(png)};
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.html = "<p><img src=\"cid:logo.1@confero.test\" alt=\"\"></p>";
	m.inline_parts = &img;
	m.ninline = 1;
	s = build_ok(&m, &len, 78);
	assert_non_null(strstr(s, "\r\nContent-ID: <logo.1@confero.test>\r\n"));
	assert_non_null(strstr(s, "type=\"text/html\""));
	rep = oracle(s, len);
	expect(rep, "parts.n", "3");
	expect(rep, "part.0.path", "multipart/alternative/text/plain");
	expect(rep, "part.1.path", "multipart/alternative/multipart/related/text/html");
	expect(rep, "part.1.text", "<p><img src=\"cid:logo.1@confero.test\" alt=\"\"></p>");
	expect(rep, "part.2.path", "multipart/alternative/multipart/related/image/png");
	expect(rep, "part.2.cid", "<logo.1@confero.test>");
	expect(rep, "part.2.disposition", "inline");
	expect(rep, "part.2.filename", "logo.png");
	expect(rep, "part.2.len", "40");
	expect_hex(rep, "part.2.hex", png, sizeof(png));
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

static void
test_mime_attachments(void **state)
{
	struct mime_part img = {.content_type = "image/png", .content_id = "logo@c.test",
		.data = png, .len = sizeof(png)};
	struct mime_part att[4] = {
		{.content_type = "image/png", .filename = "ticket.png",
		    .data = png, .len = sizeof(png)},
		{.content_type = "text/calendar; method=PUBLISH; charset=UTF-8",
		    .filename = "event.ics", .data = ics, .len = sizeof(ics) - 1},
		{.content_type = "application/octet-stream",
		    .filename = "../../etc/passwd\r\nContent-Type: text/html\"; x=\"",
		    .data = "", .len = 0},
		{.content_type = "application/pdf",
		    .filename = "\xc4\x8c" "edo \xc5\xa0imi\xc4\x87 ra\xc4\x8dun.pdf",
		    .data = png, .len = 3},
	};
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.html = "<img src=\"cid:logo@c.test\">";
	m.inline_parts = &img;
	m.ninline = 1;
	m.attachments = att;
	m.nattach = 4;
	s = build_ok(&m, &len, 78);
	assert_int_equal(header_lines(s, "Content-Type: multipart/mixed;"), 1);
	rep = oracle(s, len);
	expect(rep, "parts.n", "7");
	expect(rep, "part.0.path", "multipart/mixed/multipart/alternative/text/plain");
	expect(rep, "part.1.path",
	    "multipart/mixed/multipart/alternative/multipart/related/text/html");
	expect(rep, "part.2.path",
	    "multipart/mixed/multipart/alternative/multipart/related/image/png");
	expect(rep, "part.2.cid", "<logo@c.test>");
	expect(rep, "part.2.filename", "");
	expect(rep, "part.3.path", "multipart/mixed/image/png");
	expect(rep, "part.3.disposition", "attachment");
	expect(rep, "part.3.filename", "ticket.png");
	expect_hex(rep, "part.3.hex", png, sizeof(png));
	expect(rep, "part.4.path", "multipart/mixed/text/calendar");
	expect(rep, "part.4.filename", "event.ics");
	expect_hex(rep, "part.4.hex", ics, sizeof(ics) - 1);
	expect(rep, "part.5.path", "multipart/mixed/application/octet-stream");
	expect(rep, "part.5.filename", "_._.._etc_passwd__Content-Type__text_html___x__");
	expect(rep, "part.5.len", "0");
	expect(rep, "part.6.filename", "_edo__imi__ra_un.pdf");
	expect_hex(rep, "part.6.hex", png, 3);
	expect(rep, "headers", "date,from,to,subject,message-id,mime-version,content-type");
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

/* 100 KB of random bytes, and a name long enough to be shortened. */
static void
test_mime_large_attachment(void **state)
{
	char fname[300];
	struct mime_part att = {.content_type = "application/octet-stream",
		.filename = fname, .len = 100003};
	struct mime_msg m = base_msg();
	unsigned char *data;
	size_t len;
	char *s, *rep, *want, *p;

	(void)state;
	memset(fname, 'n', sizeof(fname));
	strcpy(fname + sizeof(fname) - 5, ".pdf");
	assert_non_null(data = malloc(att.len));
	randombytes_buf(data, att.len);
	att.data = data;
	m.attachments = &att;
	m.nattach = 1;
	s = build_ok(&m, &len, 0);
	p = strstr(s, "Content-Transfer-Encoding: base64\r\n");
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	/* Full lines of 76, then a shorter one (or none) before the delimiter. */
	while (*p != '-') {
		size_t ll = (size_t)(strstr(p, "\r\n") - p);

		assert_true(ll <= 76);
		p += ll + 2;
		if (ll < 76) {
			assert_memory_equal(p, "--", 2);
			break;
		}
	}
	rep = oracle(s, len);
	expect(rep, "part.1.len", "100003");
	expect_hex(rep, "part.1.hex", data, att.len);
	assert_non_null(want = malloc(101));
	memset(want, 'n', 96);
	strcpy(want + 96, ".pdf");
	expect(rep, "part.1.filename", want);
	free(want);
	free(rep);
	free(s);
	free(data);
}

static void
test_mime_list_headers(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.auto_submitted = "auto-generated";
	m.list_unsubscribe = "<mailto:unsubscribe@confero.test?subject=u%20r42>, "
	    "<https://confero.test/unsubscribe/eyJhbGciOiJIUzI1NiJ9.eyJyIjo0Mn0.abcdefghijklmnopqrstuvwxyz>";
	s = build_ok(&m, &len, 0);
	assert_int_equal(header_lines(s, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), 1);
	rep = oracle(s, len);
	expect(rep, "auto-submitted", "auto-generated");
	expect(rep, "list-unsubscribe", m.list_unsubscribe);
	expect(rep, "list-unsubscribe-post", "List-Unsubscribe=One-Click");
	free(rep);
	free(s);

	/* One-click needs an https URI; mailto alone gets no Post header. */
	m.list_unsubscribe = "<mailto:unsubscribe@confero.test>";
	m.auto_submitted = NULL;
	s = build_ok(&m, &len, 78);
	assert_int_equal(header_lines(s, "List-Unsubscribe:"), 1);
	assert_int_equal(header_lines(s, "List-Unsubscribe-Post:"), 0);
	assert_int_equal(header_lines(s, "Auto-Submitted:"), 0);
	free(s);
}

static void
test_mime_date(void **state)
{
	struct mime_msg m = base_msg();
	long long now;
	size_t len;
	char *s, *rep, *d;

	(void)state;
	m.date = 951782400;             /* a leap day */
	s = build_ok(&m, &len, 78);
	assert_memory_equal(s, "Date: Tue, 29 Feb 2000 00:00:00 +0000\r\n", 39);
	free(s);
	m.date = 253402300799LL;
	s = build_ok(&m, &len, 78);
	assert_memory_equal(s, "Date: Fri, 31 Dec 9999 23:59:59 +0000\r\n", 39);
	free(s);
	m.date = 0;                     /* now */
	now = (long long)time(NULL);
	s = build_ok(&m, &len, 78);
	rep = oracle(s, len);
	d = get(rep, "date");
	assert_non_null(d);
	{
		struct tm tm = {0};

		assert_non_null(strptime(d, "%Y-%m-%dT%H:%M:%S+00:00", &tm));
		assert_true(llabs((long long)timegm(&tm) - now) <= 5);
	}
	free(d);
	free(rep);
	free(s);
}

/* Single text part that ends its last line: no extra soft break. */
static void
test_mime_text_endings(void **state)
{
	struct mime_msg m = base_msg();
	size_t len;
	char *s, *rep;

	(void)state;
	m.text = "";
	s = build_ok(&m, &len, 78);
	assert_memory_equal(s + len - 4, "\r\n\r\n", 4);
	rep = oracle(s, len);
	expect(rep, "part.0.text", "");
	free(rep);
	free(s);
	m.text = "ends\r\n";
	s = build_ok(&m, &len, 78);
	assert_memory_equal(s + len - 10, "\r\n\r\nends\r\n", 10);
	free(s);
}

/* The building blocks, exactly. */
static void
test_mime_encode_functions(void **state)
{
	char *v;

	(void)state;
	assert_non_null(v = mime_encode_header("Plain ASCII subject", 9));
	assert_string_equal(v, "Plain ASCII subject");
	free(v);
	assert_non_null(v = mime_encode_header(NULL, 9));
	assert_string_equal(v, "");
	free(v);
	assert_non_null(v = mime_encode_header("\xc4\x8c" "ao", 9));
	assert_string_equal(v, "=?UTF-8?B?xIxhbw==?=");
	free(v);
	assert_non_null(v = mime_encode_header("a =?x?= b", 9));
	assert_string_equal(v, "a =?UTF-8?B?PT94Pz0=?= b");
	free(v);
	assert_non_null(v = mime_encode_header("line\r\nBcc: x@y.org", 9));
	assert_string_equal(v, "line  Bcc: x@y.org");
	free(v);
	/* Folding happens at spaces, and the space is kept. */
	assert_non_null(v = mime_encode_header(
	    "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg", 9));
	assert_string_equal(v,
	    "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff\r\n gggggggggg");
	free(v);

	assert_non_null(v = mime_address(NULL, "a@b.org", 4));
	assert_string_equal(v, "a@b.org");
	free(v);
	assert_non_null(v = mime_address(" \r\n", "a@b.org", 4));
	assert_string_equal(v, "a@b.org");
	free(v);
	assert_non_null(v = mime_address("Ana Novak", "a@b.org", 4));
	assert_string_equal(v, "\"Ana Novak\" <a@b.org>");
	free(v);
	assert_non_null(v = mime_address("A \"B\" \\C", "a@b.org", 4));
	assert_string_equal(v, "\"A \\\"B\\\" \\\\C\" <a@b.org>");
	free(v);
	assert_non_null(v = mime_address("\xc4\x8c" "edo", "a@b.org", 4));
	assert_string_equal(v, "=?UTF-8?B?xIxlZG8=?= <a@b.org>");
	free(v);
	assert_non_null(v = mime_address("Ana \xc4\x8c" "edo", "a@b.org", 4));
	assert_string_equal(v, "Ana =?UTF-8?B?xIxlZG8=?= <a@b.org>");
	free(v);
	errno = 0;
	assert_null(mime_address("Ana", "a@b.org\r\nBcc: x@y.org", 4));
	assert_int_equal(errno, EINVAL);
}

/* Boundaries: random, per message, and only where they belong. */
static void
test_mime_boundaries(void **state)
{
	struct mime_part att = {.content_type = "text/plain", .filename = "a.txt",
		.data = "--=_mx\r\n", .len = 8};
	struct mime_msg m = base_msg();
	char b1[64], b2[64], *s1, *s2, *p;
	size_t len, occurrences = 0;

	(void)state;
	m.html = "<p>x</p>";
	m.attachments = &att;
	m.nattach = 1;
	s1 = build_ok(&m, &len, 78);
	s2 = build_ok(&m, &len, 78);
	assert_int_equal(sscanf(strstr(s1, "boundary=\""), "boundary=\"%63[^\"]", b1), 1);
	assert_int_equal(sscanf(strstr(s2, "boundary=\""), "boundary=\"%63[^\"]", b2), 1);
	assert_memory_equal(b1, "=_m", 3);
	assert_string_not_equal(b1, b2);
	/* The mixed boundary: its parameter, 2 delimiters, 1 close. */
	for (p = s1; (p = strstr(p, b1)) != NULL; p++) {
		occurrences++;
		assert_true(p[-1] == '"' || (p[-1] == '-' && p[-2] == '-' && p[-3] == '\n'));
	}
	assert_int_equal(occurrences, 4);
	free(s1);
	free(s2);
}

/* Runs of spaces (or controls) too long to fold travel encoded, exactly. */
static void
test_mime_long_whitespace(void **state)
{
	struct mime_msg m = base_msg();
	char subject[2300], want[2300], *s, *rep;
	size_t len, n = 0;

	(void)state;
	subject[n++] = 'a';
	memset(subject + n, '\x01', 2000);
	n += 2000;
	n += (size_t)sprintf(subject + n, "b%100s\xc4\x8c%30sc%9sd", "", "", "");
	strcpy(want, subject);
	for (char *p = want; *p != '\0'; p++)
		if (*p == '\x01')
			*p = ' ';
	m.subject = subject;
	s = build_ok(&m, &len, 84);
	rep = oracle(s, len);
	expect(rep, "subject", want);
	expect(rep, "defects", "0");
	free(rep);
	free(s);
}

static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A string of random fragments, picked to hit every rule at once. */
static void
random_text(uint64_t *x, char *buf, size_t cap)
{
	static const char *const frag[] = {
		"\r", "\n", "\r\n", " ", "  ", "Bcc: v@example.org", "To: x@y.org",
		":", "\"", "\\", "=?", "?=", "=?UTF-8?B?QQ==?=", "<", ">", ",", ";",
		"\xc4\x8c", "\xe2\x80\xa8", "\xc2\x85", "\xff", "\xc4", "\xf0\x9f\x8e\x9f",
		"\t", "\x01", "\x7f", "a", "word", ".", "From ", "-", "--=_m",
		"a-long-unbroken-run-of-eighty-two-characters-that-no-header-line-may-split-at-all!",
		"\xd0\x90\xd0\xbb\xd0\xb5\xd0\xba\xd1\x81\xd0\xb0\xd0\xbd\xd0\xb4\xd1\x80",
	};
	size_t n = 0, k = rnd(x) % 40;

	for (size_t i = 0; i < k; i++) {
		const char *f = frag[rnd(x) % (sizeof(frag) / sizeof(frag[0]))];
		size_t fl = strlen(f);

		if (n + fl + 1 > cap)
			break;
		memcpy(buf + n, f, fl);
		n += fl;
	}
	buf[n] = '\0';
}

/* Only our headers start lines; everything else continues one. */
static void
check_header_names(const char *s)
{
	static const char *const names[] = {
		"Date: ", "From: ", "To: ", "Subject: ", "Message-ID: ",
		"MIME-Version: ", "Content-Type: ", "Content-Transfer-Encoding: ",
	};

	for (const char *p = s; !(p[0] == '\r' && p[1] == '\n'); p = strstr(p, "\r\n") + 2) {
		int known = *p == ' ';

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			known |= strncmp(p, names[i], strlen(names[i])) == 0;
		if (!known)
			fail_msg("unexpected header line: %.40s", p);
	}
	assert_int_equal(header_lines(s, "From:"), 1);
	assert_int_equal(header_lines(s, "To:"), 1);
	assert_int_equal(header_lines(s, "Subject:"), 1);
}

/* A header value: 7-bit, CR and LF only in CRLF SP folds. */
static void
check_folded(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\r')
			assert_true(p[1] == '\n' && p[2] == ' ');
		if (*p == '\n')
			assert_true(p > s && p[-1] == '\r');
	}
}

static void
test_mime_random_inputs(void **state)
{
	char to_name[2048], from_name[2048], subject[2048], text[2048], html[2048];
	char fname[2048], *s, *rep, *v;
	struct mime_part att = {.content_type = "application/octet-stream",
		.filename = fname, .data = "x", .len = 1};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t len;

	(void)state;
	for (int it = 0; it < 3000; it++) {
		struct mime_msg m = base_msg();

		random_text(&x, to_name, sizeof(to_name));
		random_text(&x, from_name, sizeof(from_name));
		random_text(&x, subject, sizeof(subject));
		random_text(&x, text, sizeof(text));
		random_text(&x, html, sizeof(html));
		random_text(&x, fname, sizeof(fname));
		m.to_name = to_name;
		m.from_name = from_name;
		m.subject = subject;
		m.text = text;
		m.html = it % 2 ? html : NULL;
		m.attachments = &att;
		m.nattach = it % 3 == 0;
		s = build_ok(&m, &len, 0);
		check_header_names(s);
		if (it < 20) {
			rep = oracle(s, len);
			expect(rep, "to.n", "1");
			expect(rep, "to.0.addr", "ana@example.org");
			expect(rep, "from.n", "1");
			expect(rep, "bcc.n", "0");
			expect(rep, "cc.n", "0");
			assert_non_null(v = get(rep, "subject"));
			assert_null(strpbrk(v, "\r\n"));
			free(v);
			expect(rep, "defects", "0");
			free(rep);
		}
		free(s);

		/* The helpers alone: 7-bit, CR only in CRLF SP folds. */
		assert_non_null(s = mime_encode_header(subject, (size_t)it % 80));
		check_folded(s);
		free(s);
		assert_non_null(s = mime_address(to_name, "a@b.org", (size_t)it % 80));
		check_folded(s);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_ascii),
		cmocka_unit_test(test_mime_utf8_subject_and_names),
		cmocka_unit_test(test_mime_long_utf8),
		cmocka_unit_test(test_mime_header_injection),
		cmocka_unit_test(test_mime_name_cleaning),
		cmocka_unit_test(test_mime_refuses),
		cmocka_unit_test(test_mime_quoted_printable),
		cmocka_unit_test(test_mime_html_verbatim),
		cmocka_unit_test(test_mime_inline_image),
		cmocka_unit_test(test_mime_attachments),
		cmocka_unit_test(test_mime_large_attachment),
		cmocka_unit_test(test_mime_list_headers),
		cmocka_unit_test(test_mime_date),
		cmocka_unit_test(test_mime_text_endings),
		cmocka_unit_test(test_mime_encode_functions),
		cmocka_unit_test(test_mime_boundaries),
		cmocka_unit_test(test_mime_long_whitespace),
		cmocka_unit_test(test_mime_random_inputs),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
