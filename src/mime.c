/*
 * RFC 5322 / 2045 / 2046 / 2047 writer.  Header values go out in folding
 * units (a word, a quoted string, an encoded word, "<addr>"), so a fold
 * only ever turns existing whitespace, or a space we put between encoded
 * words, into CRLF SP.  Every caller string is either validated against a
 * small character set and refused, or cleaned of control characters
 * before it is encoded: none can end a header line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "mime.h"

#define HDR_FOLD        76      /* header line target (RFC 2047 section 2) */
#define EW_OVERHEAD     12      /* "=?UTF-8?B?" and "?=" */
#define EW_BYTES        45      /* UTF-8 octets in a 75-octet encoded word */
#define EW_MIN          24      /* fold rather than write a smaller word */
#define WORD_MAX        75      /* a longer ASCII word is encoded, to fold */
#define WS_MAX          8       /* longer runs of spaces are encoded, to fold */
#define BODY_LINE       76      /* QP and base64 (RFC 2045) */
#define CTYPE_MAX       200
#define ID_MAX          250
#define FNAME_MAX       100
#define EXT_MAX         16
#define URI_MAX         900     /* one List-Unsubscribe token, < 998 octets */
#define LISTU_MAX       2000
#define TOKEN_MAX       64

/* Header value flavours: what a word may be written as. */
enum vmode {
	V_TEXT,                 /* unstructured: printable ASCII words plain */
	V_PHRASE,               /* display name: atext words plain */
	V_RAW                   /* ASCII we validated: never encoded */
};

struct out {
	char *buf;
	size_t len, cap;
	size_t col;             /* octets on the current header line */
	int failed;
};

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Room for n more octets plus the final NUL; sticky failure. */
static int
reserve(struct out *o, size_t n)
{
	size_t cap;
	char *nb;

	if (o->failed)
		return -1;
	if (n < o->cap - o->len)
		return 0;
	cap = o->cap ? o->cap : 4096;
	while (n >= cap - o->len) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((nb = realloc(o->buf, cap)) == NULL)
		goto fail;
	o->buf = nb;
	o->cap = cap;
	return 0;
fail:
	o->failed = 1;
	return -1;
}

static void
raw(struct out *o, const char *s, size_t n)
{
	if (reserve(o, n) == -1)
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	o->col += n;
}

static void
rawz(struct out *o, const char *s)
{
	raw(o, s, strlen(s));
}

static void
eol(struct out *o)
{
	raw(o, "\r\n", 2);
	o->col = 0;
}

/*
 * A unit that stays on one line, after the whitespace sp[0..nsp).  When
 * the line would pass HDR_FOLD the whitespace moves to a new line, which
 * unfolding (removing the CRLF) undoes exactly.  nsp 0: no break allowed.
 */
static void
word(struct out *o, const char *sp, size_t nsp, const char *s, size_t n)
{
	if (nsp > 0 && o->col + nsp + n > HDR_FOLD)
		eol(o);
	raw(o, sp, nsp);
	raw(o, s, n);
}

/* Returns a malloc'd copy or NULL, with the failure recorded in o. */
static char *
xstrdup(struct out *o, const char *s)
{
	char *d;

	if (o->failed)
		return NULL;
	if ((d = strdup(s)) == NULL)
		o->failed = 1;
	return d;
}

static void
b64_group(const unsigned char *in, size_t n, char q[4])
{
	unsigned int v = (unsigned int)in[0] << 16;

	if (n > 1)
		v |= (unsigned int)in[1] << 8;
	if (n > 2)
		v |= in[2];
	q[0] = b64_alphabet[v >> 18];
	q[1] = b64_alphabet[(v >> 12) & 0x3f];
	q[2] = n > 1 ? b64_alphabet[(v >> 6) & 0x3f] : '=';
	q[3] = n > 2 ? b64_alphabet[v & 0x3f] : '=';
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
 * The text a header may carry: control characters (C0, DEL, C1) and the
 * Unicode line and paragraph separators become spaces, so "a\r\nBcc: x"
 * stays one line of text; invalid UTF-8 becomes U+FFFD, as an encoded
 * word must hold whole characters.  Surrounding spaces go; a phrase also
 * loses runs of them, which RFC 5322 parsers collapse anyway.
 */
static char *
clean(struct out *o, const char *in, int phrase)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = 0, pend = 0, k, len = strlen(in);
	unsigned int cp;
	char *d;

	if (o->failed)
		return NULL;
	if (len > (SIZE_MAX - 1) / 3 || (d = malloc(len * 3 + 1)) == NULL) {
		o->failed = 1;
		return NULL;
	}
	while (*s != '\0') {
		const char *c = (const char *)s;

		if (*s < 0x80) {
			k = 1;
			if (*s < 0x20 || *s == 0x7f)
				c = " ";
		} else if ((k = utf8_seq(s, &cp)) == 0) {
			k = 1;
			c = "\xef\xbf\xbd";
		} else if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029)
			c = " ";
		s += k;
		if (*c == ' ') {
			pend++;
			continue;
		}
		/* Spaces between kept text only: none lead, none trail. */
		if (n > 0 && pend > 0) {
			memset(d + n, ' ', phrase ? 1 : pend);
			n += phrase ? 1 : pend;
		}
		pend = 0;
		if (c != (const char *)s - k)
			k = 3;          /* U+FFFD */
		memcpy(d + n, c, k);
		n += k;
	}
	d[n] = '\0';
	return d;
}

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A word that may go out as it is in a value of this mode. */
static int
plain(const char *w, size_t n, enum vmode mode)
{
	if (mode == V_RAW)
		return 1;
	if (n > WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		/* "=?" could be read as the start of an encoded word. */
		if (c < 0x21 || c > 0x7e || (c == '=' && i + 1 < n && w[i + 1] == '?'))
			return 0;
		if (mode == V_PHRASE && !is_atext(c))
			return 0;
	}
	return 1;
}

/*
 * The same for a word after the spaces ws..w.  A fold carries those
 * spaces to the next line whole, so a long run of them (controls in a
 * subject become spaces) would make a line nothing can shorten: such a
 * run goes inside an encoded word instead.
 */
static int
plain_after(const char *ws, const char *w, size_t n, enum vmode mode)
{
	if (mode == V_TEXT && (size_t)(w - ws) > WS_MAX)
		return 0;
	return plain(w, n, mode);
}

static size_t
utf8_unit(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
}

/*
 * s[0..n) (clean UTF-8) as "=?UTF-8?B?…?=" words of whole characters
 * (RFC 2047 section 5), each sized to the room left on its line, the
 * first after the whitespace sp[0..nsp).  Decoders drop the space we put
 * between two encoded words, so splitting anywhere is exact; but Python's
 * email (3.11) keeps it inside display names, so a phrase is split just
 * after one of its own spaces where it can, which costs such decoders at
 * most a doubled space and never a broken word.
 */
static void
encode_run(struct out *o, const char *sp, size_t nsp, const char *s,
    size_t n, int phrase)
{
	char ew[EW_OVERHEAD + EW_BYTES / 3 * 4 + 1];
	size_t avail, maxb, k, cl, e;

	while (n > 0) {
		avail = HDR_FOLD > o->col + nsp ? HDR_FOLD - o->col - nsp : 0;
		maxb = avail > EW_OVERHEAD ? (avail - EW_OVERHEAD) / 4 * 3 : 0;
		if (nsp > 0 && maxb < n && maxb < EW_MIN) {
			eol(o);
			/* nsp <= WS_MAX: a useful word fits after the fold. */
			maxb = (HDR_FOLD - nsp - EW_OVERHEAD) / 4 * 3;
		}
		if (maxb > EW_BYTES)
			maxb = EW_BYTES;
		/* Whole characters, at least one even on a crowded line. */
		for (k = 0; k < n; k += cl) {
			cl = utf8_unit((unsigned char)s[k]);
			if (k > 0 && k + cl > maxb)
				break;
		}
		if (k < n && phrase)
			for (size_t j = k - 1; j > 0; j--)
				if (s[j] == ' ') {
					k = j + 1;
					break;
				}
		memcpy(ew, "=?UTF-8?B?", 10);
		e = 10;
		for (size_t i = 0; i < k; i += 3) {
			b64_group((const unsigned char *)s + i, k - i < 3 ? k - i : 3, ew + e);
			e += 4;
		}
		memcpy(ew + e, "?=", 2);
		e += 2;
		raw(o, sp, nsp);
		raw(o, ew, e);
		s += k;
		n -= k;
		sp = " ";
		nsp = 1;
	}
}

/*
 * A value from its first character at o->col: words that may stay as they
 * are go out as they are, with the spaces before them; each run of other
 * words, with the spaces inside it, becomes encoded words.
 */
static void
value(struct out *o, const char *s, enum vmode mode)
{
	const char *p = s, *ws, *w, *start, *end, *q, *r, *e;

	while (*p != '\0') {
		ws = p;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (plain_after(ws, w, (size_t)(p - w), mode)) {
			word(o, ws, (size_t)(w - ws), w, (size_t)(p - w));
			continue;
		}
		/* A long run of spaces: one separates, the rest are encoded. */
		start = (size_t)(w - ws) > WS_MAX ? ws + 1 : w;
		for (end = q = p;; q = e) {
			for (r = q; *r == ' '; r++)
				;
			if (*r == '\0')
				break;
			for (e = r; *e != '\0' && *e != ' '; e++)
				;
			if (plain_after(q, r, (size_t)(e - r), mode))
				break;
			end = e;
		}
		encode_run(o, ws, (size_t)(start - ws), start, (size_t)(end - start),
		    mode == V_PHRASE);
		p = end;
	}
}

/*
 * An addr-spec that is safe anywhere in a header: a dot-atom local part,
 * then LDH labels, ASCII only (our messages are 7-bit, so no SMTPUTF8).
 */
static int
addr_valid(const char *s)
{
	const char *at, *p, *label;
	size_t len;

	if (s == NULL || (len = strlen(s)) < 3 || len > 254 ||
	    (at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL ||
	    at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++)
		if (!(is_atext((unsigned char)*p) || (*p == '.' && p[1] != '.')))
			return 0;
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	}
}

/* Display name (may be NULL) and address, from o->col. */
static void
mailbox(struct out *o, const char *name, const char *addr)
{
	char *nm = NULL, *q, ab[258];
	size_t n = 0, nq = 0;

	if (name != NULL && (nm = clean(o, name, 1)) == NULL)
		return;
	if (nm == NULL || *nm == '\0') {
		free(nm);
		word(o, "", 0, addr, strlen(addr));
		return;
	}
	/* Printable ASCII fits a quoted-string, with \ before " and \. */
	for (q = nm; *q != '\0'; q++, n++) {
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e ||
		    (q[0] == '=' && q[1] == '?'))
			break;
		if (*q == '"' || *q == '\\')
			nq++;
	}
	if (*q == '\0') {
		/*
		 * A quoted-string of any length, folded at its own spaces:
		 * FWS inside quotes unfolds to the space it replaced, so the
		 * name comes back exactly (adjacent encoded words do not, in
		 * some readers).  clean() has collapsed runs of spaces.
		 */
		char *buf = malloc(n + nq + 3), *b, *start, *sp;

		if (buf == NULL) {
			o->failed = 1;
			free(nm);
			return;
		}
		b = buf;
		*b++ = '"';
		for (q = nm; *q != '\0'; q++) {
			if (*q == '"' || *q == '\\')
				*b++ = '\\';
			*b++ = *q;
		}
		*b++ = '"';
		*b = '\0';
		start = buf;
		sp = strchr(start, ' ');
		word(o, "", 0, start, sp ? (size_t)(sp - start) : strlen(start));
		while (sp != NULL) {
			start = sp + 1;
			sp = strchr(start, ' ');
			word(o, " ", 1, start, sp ? (size_t)(sp - start) : strlen(start));
		}
		free(buf);
	} else
		value(o, nm, V_PHRASE);
	free(nm);
	/* addr_valid bounds it to 254 octets. */
	snprintf(ab, sizeof(ab), "<%s>", addr);
	word(o, " ", 1, ab, strlen(ab));
}

static char *
finish(struct out *o, size_t *len)
{
	char *s;

	if (o->failed || reserve(o, 0) == -1) {
		free(o->buf);
		errno = ENOMEM;
		return NULL;
	}
	o->buf[o->len] = '\0';         /* nothing may have been written */
	s = o->buf;
	if (len != NULL)
		*len = o->len;
	return s;
}

char *
mime_encode_header(const char *utf8, size_t col)
{
	struct out o = {.col = col};
	char *s;

	if ((s = clean(&o, utf8 != NULL ? utf8 : "", 0)) != NULL) {
		value(&o, s, V_TEXT);
		free(s);
	}
	return finish(&o, NULL);
}

char *
mime_address(const char *name, const char *addr, size_t col)
{
	struct out o = {.col = col};

	if (!addr_valid(addr)) {
		errno = EINVAL;
		return NULL;
	}
	mailbox(&o, name, addr);
	return finish(&o, NULL);
}

/* "<left@right>", both sides atext and dots: nothing that ends a line. */
static int
id_chars(const char *s, size_t n, int need_at)
{
	size_t ats = 0;

	if (n == 0 || n > ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '@') {
			if (i == 0 || i == n - 1)
				return 0;
			ats++;
		} else if (!is_atext((unsigned char)s[i]) && s[i] != '.')
			return 0;
	}
	return need_at ? ats == 1 : ats <= 1;
}

static int
msgid_valid(const char *s)
{
	size_t n;

	return s != NULL && (n = strlen(s)) >= 5 && s[0] == '<' &&
	    s[n - 1] == '>' && id_chars(s + 1, n - 2, 1);
}

static int
token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/*
 * type/subtype, then optional parameters, all printable ASCII.  Composite
 * types are refused: they may not be base64 (RFC 2045 section 6.4), and a
 * multipart would ask readers to look for boundaries inside our part.
 */
static int
ctype_valid(const char *s)
{
	size_t i = 0, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > CTYPE_MAX ||
	    strncasecmp(s, "multipart/", 10) == 0 || strncasecmp(s, "message/", 8) == 0)
		return 0;
	/* Balanced quotes, so the name parameter we append stays outside. */
	for (size_t j = 0, quoted = 0; j <= n; j++) {
		if (s[j] == '\0' && quoted)
			return 0;
		if (s[j] != '\0' && ((unsigned char)s[j] < 0x20 || (unsigned char)s[j] > 0x7e))
			return 0;
		if (quoted && s[j] == '\\' && s[j + 1] != '\0')
			j++;
		else if (s[j] == '"')
			quoted = !quoted;
	}
	while (token_char((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i++] != '/' || !token_char((unsigned char)s[i]))
		return 0;
	while (token_char((unsigned char)s[i]))
		i++;
	return s[i] == '\0' || s[i] == ';' || s[i] == ' ';
}

/* RFC 3834 keywords: a token of letters, digits and hyphens. */
static int
keyword_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TOKEN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * List-Unsubscribe (RFC 2369): "<uri>" items, printable ASCII and single
 * spaces, no item so long that its line could pass 998 octets.  *https set when
 * one of them is an https URI, which RFC 8058 one-click needs.
 */
static int
listu_valid(const char *s, int *https)
{
	size_t n = strlen(s), run = 0;

	*https = 0;
	if (n < 2 || n > LISTU_MAX || s[0] != '<' || s[n - 1] != '>')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
		run = s[i] == ' ' ? 0 : run + 1;
		if (run > URI_MAX || (s[i] == ' ' && s[i + 1] == ' '))
			return 0;
		if (s[i] == '<' && strncasecmp(s + i + 1, "https://", 8) == 0)
			*https = 1;
	}
	return 1;
}

/*
 * [A-Za-z0-9._-] only, each other character (not octet) one "_", no
 * leading dot, at most FNAME_MAX octets keeping a short extension: a name
 * that is safe in a quoted parameter and on the reader's disk.  NULL for
 * no name (none given, or an allocation failure recorded in o).
 */
static char *
safe_filename(struct out *o, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = 0, el;
	char *d, *ext;

	if (in == NULL || *in == '\0' || (d = xstrdup(o, in)) == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		if ((*s & 0xc0) == 0x80)
			continue;
		d[n++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_') ?
		    (char)*s : '_';
	}
	d[n] = '\0';
	if (n > FNAME_MAX) {
		ext = strrchr(d, '.');
		el = ext != NULL && strlen(ext) <= EXT_MAX ? strlen(ext) : 0;
		memmove(d + FNAME_MAX - el, d + n - el, el + 1);
		n = FNAME_MAX;
	}
	if (d[0] == '.')
		d[0] = '_';
	if (n == 0) {
		free(d);
		return NULL;
	}
	return d;
}

/* "Name: " and a value we built or validated, folded at its spaces. */
static void
header(struct out *o, const char *name, const char *v)
{
	rawz(o, name);
	raw(o, ": ", 2);
	value(o, v, V_RAW);
	eol(o);
}

static void
header_date(struct out *o, long long date)
{
	static const char wday[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)date;
	struct tm tm;
	char v[40];

	if (gmtime_r(&t, &tm) == NULL) {
		o->failed = 1;
		return;
	}
	snprintf(v, sizeof(v), "%s, %d %s %04d %02d:%02d:%02d +0000",
	    wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	header(o, "Date", v);
}

static void
header_mailbox(struct out *o, const char *name, const char *n, const char *addr)
{
	rawz(o, name);
	raw(o, ": ", 2);
	mailbox(o, n, addr);
	eol(o);
}

/*
 * Quoted-printable (RFC 2045 section 6.7) with our line structure: CRLF,
 * LF and a lone CR all become CRLF hard breaks, lines stay within 76
 * octets with "=" soft breaks between (never inside) "=XX" triplets.
 * Whitespace before a break, "." and "From " at a line start are encoded
 * too, so neither a transport nor an mbox can alter the text.
 */
static void
qp(struct out *o, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t col = 0, n, limit;
	char rep[3];

	while (*s != '\0') {
		if (*s == '\r' || *s == '\n') {
			s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
			raw(o, "\r\n", 2);
			col = 0;
			continue;
		}
		/* The last octet of a line needs no room for a soft break. */
		limit = s[1] == '\r' || s[1] == '\n' ? BODY_LINE : BODY_LINE - 1;
		for (int pass = 0; pass < 2; pass++) {
			int at_start = col == 0, lit;

			lit = (*s >= 0x21 && *s <= 0x7e && *s != '=') ||
			    ((*s == ' ' || *s == '\t') && s[1] != '\0' &&
			    s[1] != '\r' && s[1] != '\n');
			if (at_start && (*s == '.' ||
			    strncmp((const char *)s, "From ", 5) == 0))
				lit = 0;
			if (lit) {
				rep[0] = (char)*s;
				n = 1;
			} else {
				rep[0] = '=';
				rep[1] = hex[*s >> 4];
				rep[2] = hex[*s & 0x0f];
				n = 3;
			}
			if (col + n <= limit)
				break;
			raw(o, "=\r\n", 3);
			col = 0;
		}
		raw(o, rep, n);
		col += n;
		s++;
	}
}

/* Base64 in lines of 76, CRLF between them and none after the last. */
static void
b64_body(struct out *o, const unsigned char *p, size_t n)
{
	char q[4];
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		if (col == BODY_LINE) {
			raw(o, "\r\n", 2);
			col = 0;
		}
		b64_group(p + i, n - i < 3 ? n - i : 3, q);
		raw(o, q, 4);
		col += 4;
	}
}

static void
part_text(struct out *o, const char *type, const char *body)
{
	header(o, "Content-Type", type);
	header(o, "Content-Transfer-Encoding", "quoted-printable");
	eol(o);
	qp(o, body);
}

static void
part_binary(struct out *o, const struct mime_part *p, int inl)
{
	char *fn = safe_filename(o, p->filename), *v;
	size_t n;

	if (o->failed)
		return;
	rawz(o, "Content-Type: ");
	value(o, p->content_type, V_RAW);
	if (fn != NULL) {
		n = strlen(fn) + 16;
		if ((v = malloc(n)) == NULL) {
			o->failed = 1;
			free(fn);
			return;
		}
		snprintf(v, n, "name=\"%s\"", fn);
		raw(o, ";", 1);
		word(o, " ", 1, v, strlen(v));
		free(v);
	}
	eol(o);
	header(o, "Content-Transfer-Encoding", "base64");
	if (inl) {
		rawz(o, "Content-ID: <");
		rawz(o, p->content_id);
		raw(o, ">", 1);
		eol(o);
	}
	rawz(o, "Content-Disposition: ");
	rawz(o, inl ? "inline" : "attachment");
	if (fn != NULL) {
		raw(o, ";", 1);
		word(o, " ", 1, "filename=\"", 10);
		raw(o, fn, strlen(fn));
		raw(o, "\"", 1);
	}
	eol(o);
	eol(o);
	b64_body(o, p->data, p->len);
	free(fn);
}

/*
 * Boundaries start "=_": quoted-printable writes "=" only before two hex
 * digits or a line end, and base64 has neither "_" nor "-", so no body
 * line we write can begin "--=_"; header lines begin with a name or a
 * fold's space.  The third character differs per level and the lengths
 * are equal, so no boundary is a prefix of another.
 */
enum { B_MIXED, B_ALT, B_REL, B_N };
#define BND_RANDOM      12
#define BND_LEN         (3 + 2 * BND_RANDOM)

struct bnds {
	char b[B_N][BND_LEN + 1];
};

static void
make_bnds(struct bnds *bs)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[BND_RANDOM];

	randombytes_buf(r, sizeof(r));
	for (int k = 0; k < B_N; k++) {
		bs->b[k][0] = '=';
		bs->b[k][1] = '_';
		bs->b[k][2] = "mar"[k];
		for (int i = 0; i < BND_RANDOM; i++) {
			bs->b[k][3 + 2 * i] = hex[r[i] >> 4];
			bs->b[k][4 + 2 * i] = hex[r[i] & 0x0f];
		}
		bs->b[k][BND_LEN] = '\0';
	}
	sodium_memzero(r, sizeof(r));
}

/* Headers and the blank line of a multipart; the root gets a preamble. */
static void
multipart(struct out *o, const char *sub, const char *bnd, int root)
{
	char v[64];

	snprintf(v, sizeof(v), "multipart/%s;", sub);
	rawz(o, "Content-Type: ");
	rawz(o, v);
	snprintf(v, sizeof(v), "boundary=\"%s\"", bnd);
	word(o, " ", 1, v, strlen(v));
	/* RFC 2387 requires the root's type on multipart/related. */
	if (strcmp(sub, "related") == 0) {
		raw(o, ";", 1);
		word(o, " ", 1, "type=\"text/html\"", 16);
	}
	eol(o);
	eol(o);
	/* The CRLF after it is the first delimiter's (RFC 2046 5.1.1). */
	if (root) {
		rawz(o, "This is a multi-part message in MIME format.");
		eol(o);
	}
}

static void
delim(struct out *o, const char *bnd, int first)
{
	if (!first)
		eol(o);
	raw(o, "--", 2);
	rawz(o, bnd);
	eol(o);
}

static void
close_delim(struct out *o, const char *bnd)
{
	eol(o);
	raw(o, "--", 2);
	rawz(o, bnd);
	raw(o, "--", 2);
}

/* The text, or the text/HTML alternatives with the HTML's images. */
static void
body_main(struct out *o, const struct mime_msg *m, const struct bnds *bs, int root)
{
	if (m->html == NULL) {
		part_text(o, "text/plain; charset=UTF-8", m->text);
		return;
	}
	multipart(o, "alternative", bs->b[B_ALT], root);
	delim(o, bs->b[B_ALT], 1);
	part_text(o, "text/plain; charset=UTF-8", m->text);
	delim(o, bs->b[B_ALT], 0);
	if (m->ninline == 0)
		part_text(o, "text/html; charset=UTF-8", m->html);
	else {
		multipart(o, "related", bs->b[B_REL], 0);
		delim(o, bs->b[B_REL], 1);
		part_text(o, "text/html; charset=UTF-8", m->html);
		for (size_t i = 0; i < m->ninline; i++) {
			delim(o, bs->b[B_REL], 0);
			part_binary(o, &m->inline_parts[i], 1);
		}
		close_delim(o, bs->b[B_REL]);
	}
	close_delim(o, bs->b[B_ALT]);
}

static int
part_valid(const struct mime_part *p, int inl)
{
	if (!ctype_valid(p->content_type) || (p->data == NULL && p->len > 0))
		return 0;
	return !inl || (p->content_id != NULL &&
	    id_chars(p->content_id, strlen(p->content_id), 0));
}

static int
msg_valid(const struct mime_msg *m, int *https)
{
	*https = 0;
	if (m->text == NULL || !addr_valid(m->from_addr) || !addr_valid(m->to_addr) ||
	    (m->reply_to != NULL && !addr_valid(m->reply_to)) ||
	    !msgid_valid(m->message_id) || m->date < 0 || m->date > 253402300799LL ||
	    (m->auto_submitted != NULL && !keyword_valid(m->auto_submitted)) ||
	    (m->content_language != NULL && !keyword_valid(m->content_language)) ||
	    (m->list_unsubscribe != NULL && !listu_valid(m->list_unsubscribe, https)) ||
	    (m->ninline > 0 && (m->html == NULL || m->inline_parts == NULL)) ||
	    (m->nattach > 0 && m->attachments == NULL))
		return 0;
	for (size_t i = 0; i < m->ninline; i++)
		if (!part_valid(&m->inline_parts[i], 1))
			return 0;
	for (size_t i = 0; i < m->nattach; i++)
		if (!part_valid(&m->attachments[i], 0))
			return 0;
	return 1;
}

char *
mime_build(const struct mime_msg *m, size_t *len)
{
	struct out o = {0};
	struct bnds bs;
	char *subj;
	int https;

	if (m == NULL || !msg_valid(m, &https)) {
		errno = EINVAL;
		return NULL;
	}
	make_bnds(&bs);
	header_date(&o, m->date != 0 ? m->date : (long long)time(NULL));
	header_mailbox(&o, "From", m->from_name, m->from_addr);
	header_mailbox(&o, "To", m->to_name, m->to_addr);
	if (m->reply_to != NULL)
		header_mailbox(&o, "Reply-To", NULL, m->reply_to);
	rawz(&o, "Subject: ");
	if ((subj = clean(&o, m->subject != NULL ? m->subject : "", 0)) != NULL) {
		value(&o, subj, V_TEXT);
		free(subj);
	}
	eol(&o);
	header(&o, "Message-ID", m->message_id);
	header(&o, "MIME-Version", "1.0");
	if (m->auto_submitted != NULL)
		header(&o, "Auto-Submitted", m->auto_submitted);
	if (m->content_language != NULL)
		header(&o, "Content-Language", m->content_language);
	if (m->list_unsubscribe != NULL) {
		header(&o, "List-Unsubscribe", m->list_unsubscribe);
		if (https)
			header(&o, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	}
	if (m->nattach == 0)
		body_main(&o, m, &bs, 1);
	else {
		multipart(&o, "mixed", bs.b[B_MIXED], 1);
		delim(&o, bs.b[B_MIXED], 1);
		body_main(&o, m, &bs, 0);
		for (size_t i = 0; i < m->nattach; i++) {
			delim(&o, bs.b[B_MIXED], 0);
			part_binary(&o, &m->attachments[i], 0);
		}
		close_delim(&o, bs.b[B_MIXED]);
	}
	/*
	 * The message ends with a line end.  A multipart's close delimiter
	 * takes a plain CRLF; a lone text part that did not end its last
	 * line gets a soft break, which adds nothing to the text.
	 */
	if (!o.failed && (o.len < 2 || memcmp(o.buf + o.len - 2, "\r\n", 2) != 0))
		rawz(&o, m->html == NULL && m->nattach == 0 ? "=\r\n" : "\r\n");
	return finish(&o, len);
}
