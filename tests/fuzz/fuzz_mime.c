/*
 * Outgoing mail (src/mime.c): header encoding, mailboxes and whole
 * messages.  Input: a mode byte, a column byte, then NUL-separated fields.
 *   mode 0  mime_encode_header(field 0, col)
 *   mode 1  mime_address(field 0, field 1, col)
 *   mode 2  mime_build: from name/addr, to name/addr, reply-to, subject,
 *           message-id, text, html, List-Unsubscribe, Auto-Submitted,
 *           Content-Language, an attachment's type and file name
 * Properties:
 *  - output is 7-bit, no NUL, and every CR is in a CRLF; in a header
 *    value every CRLF is followed by a space or a tab (a fold): nothing
 *    given can end the header line, i.e. inject a header;
 *  - encoded words are at most 75 octets, header lines at most 998;
 *  - clean text (valid UTF-8, no controls, no surrounding spaces)
 *    decodes (RFC 2047, quoted-string) back to exactly what was given;
 *  - a message has each of Date, From, To, Subject, Message-ID once, no
 *    Cc or Bcc, To holds the given address and a text-only body decodes
 *    (quoted-printable) to the given text with CRLF line ends.
 */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "mime.h"
#include "sbuf.h"
#include "validate.h"

#include "fuzz.h"

#define MAXF 16

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

/*
 * A header value from column col: folds only, 7-bit, bounded lines; the
 * first words octets (an address may hold "=?") have only whole encoded
 * words.
 */
static void
check_value(const char *v, size_t col, size_t words)
{
	char *w;

	size_t line = col;

	for (const char *p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r') {
			FZ_ASSERT(p[1] == '\n' && (p[2] == ' ' || p[2] == '\t'),
			    "a line break that is not a fold: \"%.80s\"", v);
			line = 0;
			p++;
			continue;
		}
		FZ_ASSERT(c != '\n', "a bare LF in a header value");
		FZ_ASSERT(c >= 0x20 && c < 0x7f, "octet 0x%02x in a header value", c);
		FZ_ASSERT(++line <= 998, "a header line over 998 octets");
	}
	/* Every encoded word: "=?UTF-8?B?" base64 "?=", at most 75 octets. */
	w = strndup(v, words);
	for (const char *p = strstr(w, "=?"); p != NULL; p = strstr(p + 2, "=?")) {
		const char *e;
		FZ_ASSERT(strncmp(p, "=?UTF-8?B?", 10) == 0, "\"=?\" outside an encoded word");
		e = strstr(p + 10, "?=");
		FZ_ASSERT(e != NULL && (size_t)(e + 2 - p) <= 75, "encoded word too long");
		FZ_ASSERT(strspn(p + 10, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/=") == (size_t)(e - p - 10), "bad base64 in an encoded word");
		p = e;
	}
	free(w);
}

static int
b64v(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

static void
b64_decode(const char *s, size_t n, struct sbuf *out)
{
	unsigned acc = 0;
	int bits = 0, v;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64v(s[i])) < 0)
			return;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			unsigned char b = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
			sb_add(out, &b, 1);
		}
	}
}

static int
is_ew(const char *w, size_t n)
{
	return n >= 12 && strncmp(w, "=?UTF-8?B?", 10) == 0 && w[n - 2] == '?' && w[n - 1] == '=';
}

/*
 * An unfolded value as a reader shows it: encoded words decoded, the
 * whitespace between two of them dropped, and in a mailbox (phrase)
 * quoted-strings unquoted; in unstructured text a quote is a quote.
 */
static char *
decode_value(const char *v, int phrase)
{
	struct sbuf u = {0}, out = {0};
	const char *p, *w;
	int prev_ew = 0;

	for (p = v; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		sb_add(&u, p, 1);
	}
	sb_add(&out, "", 0);
	for (p = u.p ? u.p : ""; *p != '\0';) {
		const char *ws = p;
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0') {
			sb_add(&out, ws, (size_t)(p - ws));
			break;
		}
		w = p;
		if (phrase && *p == '"') {
			/* A quoted-string, maybe with spaces in it. */
			sb_add(&out, ws, (size_t)(w - ws));
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				sb_add(&out, p, 1);
			}
			if (*p == '"')
				p++;
			prev_ew = 0;
			continue;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - w);
		if (is_ew(w, n)) {
			if (!prev_ew)
				sb_add(&out, ws, (size_t)(w - ws));
			b64_decode(w + 10, n - 12, &out);
			prev_ew = 1;
		} else {
			sb_add(&out, ws, (size_t)(w - ws));
			sb_add(&out, w, n);
			prev_ew = 0;
		}
	}
	sb_free(&u);
	return out.p;
}

/* Valid UTF-8 without controls, U+2028/9 or surrounding spaces. */
static int
clean_text(const char *s, int phrase)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || !utf8_valid(s, n))
		return 0;
	if (phrase && strstr(s, "  ") != NULL)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
	}
	return 1;
}

static void
mode_header(char **f, size_t n, size_t col)
{
	char *v = mime_encode_header(f[0], col), *d;

	(void)n;
	FZ_ASSERT(v != NULL, "mime_encode_header failed");
	check_value(v, col, strlen(v));
	if (clean_text(f[0], 0)) {
		d = decode_value(v, 0);
		FZ_ASSERT(strcmp(d, f[0]) == 0, "\"%s\" decodes as \"%s\" from \"%s\"", f[0], d, v);
		free(d);
	}
	free(v);
}

static void
mode_address(char **f, size_t n, size_t col)
{
	const char *name = f[0], *addr = n > 1 ? f[1] : "a@b.c";
	char *v = mime_address(*name ? name : NULL, addr, col), *d, *want;
	size_t al = strlen(addr);

	if (v == NULL)
		return;
	/* An address that passed: nothing in it can break a header. */
	FZ_ASSERT(strpbrk(addr, " \t\r\n\"<>(),;:\\[]") == NULL, "accepted address \"%s\"", addr);
	if (strcmp(v, addr) == 0) {
		/* No name, or one that cleaned away (spaces, controls). */
		check_value(v, col, 0);
		FZ_ASSERT(!clean_text(name, 1), "name \"%s\" was dropped", name);
	} else {
		size_t vl = strlen(v);
		FZ_ASSERT(vl > al + 2 && v[vl - 1] == '>' && v[vl - al - 2] == '<' &&
		    strncmp(v + vl - al - 1, addr, al) == 0, "mailbox \"%s\" lost its address", v);
		check_value(v, col, vl - al - 2);
		if (clean_text(name, 1)) {
			d = decode_value(v, 1);
			want = malloc(strlen(name) + al + 4);
			sprintf(want, "%s <%s>", name, addr);
			FZ_ASSERT(strcmp(d, want) == 0, "name \"%s\" decodes as \"%s\"", name, d);
			free(want);
			free(d);
		}
	}
	free(v);
}

/* Quoted-printable decoding of body[0..n). */
static void
qp_decode(const char *s, size_t n, struct sbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
		} else if (s[i] == '=' && i + 2 < n) {
			char hx[3] = {s[i + 1], s[i + 2], 0};
			unsigned char b = (unsigned char)strtoul(hx, NULL, 16);
			sb_add(out, &b, 1);
			i += 2;
		} else
			sb_add(out, s + i, 1);
	}
}

static char *
crlf(const char *t)
{
	struct sbuf b = {0};

	sb_add(&b, "", 0);
	for (; *t != '\0'; t++) {
		if (*t == '\r' || *t == '\n') {
			if (t[0] == '\r' && t[1] == '\n')
				t++;
			sb_add(&b, "\r\n", 2);
		} else
			sb_add(&b, t, 1);
	}
	return b.p;
}

static const char *
fld(char **f, size_t n, size_t i, const char *def)
{
	return i < n && f[i][0] != '\0' ? f[i] : def;
}

static void
mode_message(char **f, size_t n, const uint8_t flags)
{
	struct mime_msg m;
	struct mime_part att;
	const char *msg, *hdr_end, *p;
	size_t len, i;
	int from = 0, to = 0, subj = 0, date = 0, mid = 0;
	char *out;

	memset(&m, 0, sizeof(m));
	memset(&att, 0, sizeof(att));
	m.from_name = fld(f, n, 0, NULL);
	m.from_addr = fld(f, n, 1, "confero@example.org");
	m.to_name = fld(f, n, 2, NULL);
	m.to_addr = fld(f, n, 3, "ana@example.si");
	m.reply_to = fld(f, n, 4, NULL);
	m.subject = fld(f, n, 5, NULL);
	m.message_id = fld(f, n, 6, "<1.2@confero.example>");
	m.date = 1778742000LL;
	m.text = fld(f, n, 7, "");
	m.html = flags & 1 ? fld(f, n, 8, "<p>Hi</p>") : NULL;
	m.list_unsubscribe = flags & 2 ? fld(f, n, 9, NULL) : NULL;
	m.auto_submitted = flags & 4 ? fld(f, n, 10, "auto-generated") : NULL;
	m.content_language = flags & 8 ? fld(f, n, 11, "sl") : NULL;
	if (flags & 16) {
		att.content_type = fld(f, n, 12, "text/calendar; method=PUBLISH; charset=UTF-8");
		att.filename = fld(f, n, 13, NULL);
		att.data = m.text;
		att.len = strlen(m.text);
		m.attachments = &att;
		m.nattach = 1;
	}
	if ((out = mime_build(&m, &len)) == NULL)
		return;
	FZ_ASSERT(strlen(out) == len, "a NUL in the message");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		FZ_ASSERT(c < 0x80, "an 8-bit octet at %zu", i);
		FZ_ASSERT(c != '\r' || (i + 1 < len && out[i + 1] == '\n'), "a bare CR at %zu", i);
		FZ_ASSERT(c != '\n' || (i > 0 && out[i - 1] == '\r'), "a bare LF at %zu", i);
	}
	FZ_ASSERT(len >= 2 && memcmp(out + len - 2, "\r\n", 2) == 0, "no final CRLF");
	msg = out;
	hdr_end = strstr(msg, "\r\n\r\n");
	FZ_ASSERT(hdr_end != NULL, "no end of the header");
	/* Header lines: "Name: value" or a fold; each name where it belongs. */
	for (p = msg; p < hdr_end + 2;) {
		const char *e = strstr(p, "\r\n"), *colon;
		FZ_ASSERT((size_t)(e - p) <= 998, "a header line over 998 octets");
		if (*p == ' ' || *p == '\t') {
			FZ_ASSERT(p != msg, "the header starts with a fold");
			p = e + 2;
			continue;
		}
		colon = memchr(p, ':', (size_t)(e - p));
		FZ_ASSERT(colon != NULL && colon > p, "not a header line: \"%.60s\"", p);
		for (const char *q = p; q < colon; q++)
			FZ_ASSERT(*q > 0x20 && *q < 0x7f, "odd header name");
#define IS(name) ((size_t)(colon - p) == strlen(name) && strncasecmp(p, name, strlen(name)) == 0)
		FZ_ASSERT(!IS("Bcc") && !IS("Cc"), "a recipient header appeared");
		from += IS("From");
		date += IS("Date");
		subj += IS("Subject");
		mid += IS("Message-ID");
		if (IS("To")) {
			const char *end = e;
			to++;
			/* The To value, folds and all, ends with the address. */
			while (end + 2 < hdr_end + 2 && (end[2] == ' ' || end[2] == '\t'))
				end = strstr(end + 2, "\r\n");
			{
				size_t al = strlen(m.to_addr);
				FZ_ASSERT((size_t)(end - colon) > al &&
				    strncmp(end - al - (end[-1] == '>'), m.to_addr, al) == 0,
				    "To does not end with the address");
			}
		}
#undef IS
		p = e + 2;
	}
	FZ_ASSERT(from == 1 && to == 1 && subj == 1 && date == 1 && mid == 1,
	    "headers From %d To %d Subject %d Date %d Message-ID %d", from, to, subj, date, mid);
	/* Body lines within 998 octets (the encodings keep to 76). */
	for (p = hdr_end + 4; *p != '\0';) {
		const char *e = strstr(p, "\r\n");
		FZ_ASSERT(e != NULL && (size_t)(e - p) <= 998, "a body line over 998 octets");
		p = e + 2;
	}
	if (m.html == NULL && m.nattach == 0) {
		struct sbuf b = {0};
		char *want = crlf(m.text);
		size_t bl = strlen(hdr_end + 4);

		sb_add(&b, "", 0);
		qp_decode(hdr_end + 4, bl, &b);
		/* The soft break that ends an unterminated last line adds nothing. */
		FZ_ASSERT(strcmp(b.p, want) == 0 || (strlen(b.p) == strlen(want) + 2 &&
		    strncmp(b.p, want, strlen(want)) == 0 && strcmp(b.p + strlen(want), "\r\n") == 0),
		    "the text does not decode back");
		free(want);
		sb_free(&b);
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *f[MAXF];
	size_t n = 0, left;

	if (size < 2 || size > 32768)
		return 0;
	left = size - 2;
	s = fz_str(data + 2, left);
	n = fz_fields(s, left, f, MAXF);
	switch (data[0] % 3) {
	case 0:
		mode_header(f, n, data[1] % 80);
		break;
	case 1:
		mode_address(f, n, data[1] % 80);
		break;
	default:
		mode_message(f, n, data[1]);
		break;
	}
	free(s);
	return 0;
}
