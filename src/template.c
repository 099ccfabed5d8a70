/*
 * Mustache-like mail templates.  Each file compiles to a flat array of
 * nodes whose names were resolved against one table at load time, so a
 * typo stops the server at start instead of sending mail with a hole in
 * it; rendering then only looks values up by index and can fail for lack
 * of memory alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "i18n.h"
#include "template.h"

/*
 * The allowed names: extend here (and in mail-templates/README.md).  A
 * list names its item fields; a scalar has none.  url marks values that
 * templates put in href attributes: in HTML one that is not http(s) or
 * mailto: renders empty, so no javascript: link can reach a mail client.  Names
 * ending in _html hold HTML the server made safe and are only usable as
 * {{{name}}} in .html files.
 */
static const char *const session_fields[] = {"title", "starts_at", "ends_at", "room", NULL};
static const char *const meeting_fields[] = {"when", "with_name", "with_organisation",
	"with_headline", "table", "room", NULL};

static const struct name {
	const char *name;
	const char *const *fields;      /* a list: NULL-terminated; NULL: a scalar */
	int url;
} names[] = {
	{"attendee.name", NULL, 0},
	{"attendee.email", NULL, 0},
	{"attendee.organisation", NULL, 0},
	{"event.name", NULL, 0},
	{"event.starts_at", NULL, 0},
	{"event.ends_at", NULL, 0},
	{"event.venue", NULL, 0},
	{"event.url", NULL, 1},
	{"event.timezone", NULL, 0},
	{"ticket.code", NULL, 0},
	{"ticket.qr_cid", NULL, 0},
	{"ticket.type", NULL, 0},
	{"manage_url", NULL, 1},
	{"erase_url", NULL, 1},
	{"registration.status", NULL, 0},
	{"speaker.name", NULL, 0},
	{"mailing.subject", NULL, 0},
	{"mailing.body_text", NULL, 0},
	{"mailing.body_html", NULL, 0},
	{"mailing.body_lists_sessions", NULL, 0},
	{"unsubscribe_url", NULL, 1},
	{"organiser.name", NULL, 0},
	{"sessions", session_fields, 0},
	{"meeting.with_name", NULL, 0},
	{"meeting.with_organisation", NULL, 0},
	{"meeting.with_headline", NULL, 0},
	{"meeting.message", NULL, 0},
	{"meeting.opportunity", NULL, 0},
	{"meeting.when", NULL, 0},
	{"meeting.table", NULL, 0},
	{"meeting.room", NULL, 0},
	{"meeting.url", NULL, 1},
	{"matchmaking_url", NULL, 1},
	{"agenda.day", NULL, 0},
	{"meetings", meeting_fields, 0},
};
#define NNAMES          (sizeof(names) / sizeof(names[0]))

static const char *const kinds[] = {TPL_KINDS};
#define NKINDS          (sizeof(kinds) / sizeof(kinds[0]))

enum part { P_SUBJECT, P_TEXT, P_HTML, NPARTS };
static const char *const exts[NPARTS] = {"subject", "txt", "html"};

#define TPL_FILE_MAX    (1024 * 1024)   /* a mail template is never this big */
#define TPL_DEPTH       16              /* nested sections */
#define TPL_SHOW        60              /* octets of a tag quoted in a message */

enum mode { M_TEXT, M_HTML, M_SUBJECT, M_RAW };
enum nkind { N_TEXT, N_VAR, N_FIELD, N_SECTION };
/* What a section tests: a list, an item field, a scalar, a name group. */
enum skind { S_LIST, S_FIELD, S_SCALAR, S_GROUP };

struct node {
	enum nkind kind;
	enum skind sk;          /* N_SECTION */
	int raw;                /* N_VAR written {{{…}}} */
	int inverted;           /* N_SECTION written {{^…}} */
	int once;               /* S_LIST written {{#list?}}: a test, not a loop */
	int name;               /* index in names[]; S_GROUP: one member */
	int field;              /* N_FIELD, S_FIELD: index in the list's fields */
	size_t off, len;        /* N_TEXT: span of src; S_GROUP: prefix length */
	size_t end;             /* N_SECTION: index of the node after its body */
};

struct prog {
	char *src;              /* owned; N_TEXT nodes point into it */
	struct node *v;
	size_t n, cap;
	enum mode mode;
};

#define TPL_LANGS       32              /* as many as i18n can have */
#define TPL_NEST        4               /* layout → partial → partial … */

/* Every kind and part, once per language, translated at load. */
struct tpl_set {
	size_t nlangs;
	const char *langs[TPL_LANGS];
	struct prog part[TPL_LANGS][NKINDS][NPARTS];
};

struct slot {
	char *value;            /* scalar */
	char **items;           /* list: nitems rows of nfields(name) values */
	size_t nitems, cap;
};

struct tpl_vars {
	struct slot s[NNAMES];
	const char *lang;       /* the language to render in; NULL: English */
};

struct buf {
	char *p;
	size_t len, cap;
	int failed;
	unsigned char *listed;  /* NULL, or per name: a list's items were repeated */
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
find_name(const char *s, size_t len)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strlen(names[i].name) == len && memcmp(names[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

static int
find_field(int list, const char *s, size_t len)
{
	const char *const *f;

	if (list < 0)
		return -1;
	for (f = names[list].fields; *f != NULL; f++)
		if (strlen(*f) == len && memcmp(*f, s, len) == 0)
			return (int)(f - names[list].fields);
	return -1;
}

static size_t
nfields(int list)
{
	size_t n = 0;

	while (names[list].fields[n] != NULL)
		n++;
	return n;
}

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && memcmp(s + len - sl, suffix, sl) == 0;
}

/* ---- output buffer */

static void
put(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *np;

	if (b->failed)
		return;
	if (n >= b->cap - b->len) {
		cap = b->cap ? b->cap : 1024;
		while (n >= cap - b->len) {
			if (cap > SIZE_MAX / 2) {
				b->failed = 1;
				return;
			}
			cap *= 2;
		}
		if ((np = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* The finished string (never NULL unless out of memory), or NULL. */
static char *
finish(struct buf *b)
{
	if (!b->failed && b->p == NULL)
		put(b, "", 0);
	if (b->failed) {
		free(b->p);
		b->p = NULL;
		errno = ENOMEM;
	}
	return b->p;
}

/*
 * Length of the valid UTF-8 sequence at s (2..4) with its code point, 0 if
 * it is not one: overlong forms, surrogates, past U+10FFFF.
 */
static size_t
u8seq(const unsigned char *s, unsigned int *cpp)
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

static void
put_escaped_char(struct buf *b, char c)
{
	switch (c) {
	case '&':
		puts_(b, "&amp;");
		break;
	case '<':
		puts_(b, "&lt;");
		break;
	case '>':
		puts_(b, "&gt;");
		break;
	case '"':
		puts_(b, "&quot;");
		break;
	case '\'':
		/* &apos; is not HTML 4, which some mail clients still are. */
		puts_(b, "&#39;");
		break;
	default:
		put(b, &c, 1);
	}
}

/* A URL we let into an href: the unsubscribe link may be a mailto:. */
static int
safe_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
	    strncasecmp(s, "mailto:", 7) == 0;
}

/*
 * A value, made safe for where it goes.  Whatever we are given, the mail
 * must be UTF-8 (bad octets become U+FFFD) and carry no control
 * characters but TAB and LF; in a subject those and line separators
 * become spaces, so no value can add a header line.
 */
static void
put_value(struct buf *b, const char *v, enum mode mode)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned int cp;
	size_t n;

	if (v == NULL)
		return;
	if (mode == M_RAW) {
		puts_(b, v);
		return;
	}
	while (*s != '\0') {
		if (*s >= 0x80) {
			if ((n = u8seq(s, &cp)) == 0) {
				put(b, "\xef\xbf\xbd", 3);
				s++;
				continue;
			}
			if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
				if (mode == M_SUBJECT)
					put(b, " ", 1);
				else if (cp > 0x9f)
					put(b, "\n", 1);
			} else
				put(b, (const char *)s, n);
			s += n;
			continue;
		}
		if (mode == M_SUBJECT && (*s < 0x20 || *s == 0x7f))
			put(b, " ", 1);
		else if (*s == '\r') {
			/* CRLF and a lone CR are both one line break. */
			if (s[1] != '\n')
				put(b, "\n", 1);
		} else if ((*s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f)
			;
		else if (mode == M_HTML)
			put_escaped_char(b, (char)*s);
		else
			put(b, (const char *)s, 1);
		s++;
	}
}

/* ---- compiling */

struct open {
	size_t node;
	int line;
	const char *name;       /* as written, for matching the close tag */
	size_t len;
};

struct parser {
	struct prog *p;
	const char *file;       /* for messages; NULL: a string */
	int strict;             /* a mailing body: no raw, no *_html */
	int nomem;
	char *err;
	size_t errlen;
	int line;
	struct open stack[TPL_DEPTH];
	int depth;
};

static void perr(struct parser *, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->file != NULL)
		seterr(ps->err, ps->errlen, "%s:%d: %s", ps->file, line, msg);
	else
		seterr(ps->err, ps->errlen, "line %d: %s", line, msg);
}

static struct node *
add_node(struct parser *ps, enum nkind kind)
{
	struct prog *p = ps->p;
	struct node *nv;
	size_t cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 32;
		if ((nv = realloc(p->v, cap * sizeof(*nv))) == NULL) {
			perr(ps, ps->line, "out of memory");
			ps->nomem = 1;
			return NULL;
		}
		p->v = nv;
		p->cap = cap;
	}
	nv = &p->v[p->n++];
	memset(nv, 0, sizeof(*nv));
	nv->kind = kind;
	return nv;
}

static int
add_text(struct parser *ps, size_t from, size_t to)
{
	struct node *n;

	if (to <= from)
		return 0;
	if ((n = add_node(ps, N_TEXT)) == NULL)
		return -1;
	n->off = from;
	n->len = to - from;
	return 0;
}

/* The innermost open list section with items (not an inverted one), or -1. */
static int
list_context(const struct parser *ps)
{
	const struct node *n;

	for (int d = ps->depth - 1; d >= 0; d--) {
		n = &ps->p->v[ps->stack[d].node];
		if (n->sk == S_LIST && !n->inverted && !n->once)
			return n->name;
	}
	return -1;
}

/* The list, other than list, one of whose item fields is s; or -1. */
static int
field_owner(const char *s, size_t len, int list)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].fields != NULL && (int)i != list &&
		    find_field((int)i, s, len) >= 0)
			return (int)i;
	return -1;
}

/* Is s (len octets) followed by '.' the start of some scalar's name? */
static int
find_group(const char *s, size_t len)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].fields == NULL && strncmp(names[i].name, s, len) == 0 &&
		    names[i].name[len] == '.')
			return (int)i;
	return -1;
}

/* Levenshtein distance, ASCII case folded; SIZE_MAX for long names. */
static size_t
distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[65], prev, tmp, best;
	char ca;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		ca = a[i - 1] >= 'A' && a[i - 1] <= 'Z' ? (char)(a[i - 1] + 32) : a[i - 1];
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (ca != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/*
 * A name close to s, for "did you mean": a small edit away, else the only
 * name that starts or ends with s ("name" gets nothing: four names end
 * in it).
 */
static const char *
suggest(const char *s, size_t len, int list)
{
	const char *best = NULL, *tail = NULL, *head = NULL;
	size_t d, bd = SIZE_MAX, nl;
	int ntail = 0, nhead = 0;

	for (size_t i = 0; i < NNAMES; i++) {
		if ((d = distance(s, len, names[i].name)) < bd) {
			bd = d;
			best = names[i].name;
		}
		nl = strlen(names[i].name);
		if (nl > len + 1 && names[i].name[nl - len - 1] == '.' &&
		    memcmp(names[i].name + nl - len, s, len) == 0) {
			tail = names[i].name;
			ntail++;
		}
		if (len >= 3 && nl > len && memcmp(names[i].name, s, len) == 0) {
			head = names[i].name;
			nhead++;
		}
	}
	for (const char *const *f = list >= 0 ? names[list].fields : NULL;
	    f != NULL && *f != NULL; f++)
		if ((d = distance(s, len, *f)) < bd) {
			bd = d;
			best = *f;
		}
	if (bd != 0 && (bd <= 2 || bd * 4 <= len))
		return best;
	if (nhead == 1)
		return head;
	return ntail == 1 ? tail : NULL;
}

static void
unknown(struct parser *ps, const char *tag, size_t taglen, const char *s,
    size_t len, int list)
{
	const char *sug = suggest(s, len, list);

	if (sug != NULL)
		perr(ps, ps->line, "unknown placeholder %.*s (did you mean \"%s\"?)",
		    (int)taglen, tag, sug);
	else
		perr(ps, ps->line, "unknown placeholder %.*s (see README.md in the "
		    "templates directory for the names you can use)", (int)taglen, tag);
}

/* {{name}} or {{{name}}}. */
static int
compile_var(struct parser *ps, const char *tag, size_t taglen, const char *s,
    size_t len, int raw)
{
	int list = list_context(ps), i, f, owner;
	struct node *n;

	if ((f = find_field(list, s, len)) >= 0) {
		if (raw) {
			perr(ps, ps->line, "%.*s: three braces are only for names "
			    "ending in _html; write {{%.*s}}", (int)taglen, tag, (int)len, s);
			return -1;
		}
		if ((n = add_node(ps, N_FIELD)) == NULL)
			return -1;
		n->field = f;
		return 0;
	}
	if ((i = find_name(s, len)) < 0) {
		if ((owner = field_owner(s, len, list)) >= 0) {
			perr(ps, ps->line, "%.*s can only be used between {{#%s}} and {{/%s}}",
			    (int)taglen, tag, names[owner].name, names[owner].name);
			return -1;
		}
		unknown(ps, tag, taglen, s, len, list);
		return -1;
	}
	if (names[i].fields != NULL) {
		perr(ps, ps->line, "%.*s is a list: repeat a block for each item with "
		    "{{#%s}}...{{/%s}}", (int)taglen, tag, names[i].name, names[i].name);
		return -1;
	}
	if (ps->strict && strncmp(s, "mailing.body_", 13) == 0) {
		perr(ps, ps->line, "%.*s cannot be used in the text of a mailing",
		    (int)taglen, tag);
		return -1;
	}
	if (raw && !ends_with(s, len, "_html")) {
		perr(ps, ps->line, "%.*s: three braces are only for names ending in "
		    "_html; write {{%.*s}}", (int)taglen, tag, (int)len, s);
		return -1;
	}
	if (ends_with(s, len, "_html")) {
		if (ps->p->mode != M_HTML || ps->strict) {
			perr(ps, ps->line, "%.*s holds HTML and can only be used in "
			    ".html templates", (int)taglen, tag);
			return -1;
		}
		if (!raw) {
			perr(ps, ps->line, "%.*s holds ready-made HTML: write it with "
			    "three braces, {{{%.*s}}}", (int)taglen, tag, (int)len, s);
			return -1;
		}
	}
	if ((n = add_node(ps, N_VAR)) == NULL)
		return -1;
	n->name = i;
	n->raw = raw;
	return 0;
}

/*
 * {{#name}} or {{^name}}; {{#list?}} renders once when the list has items
 * (a heading above them, say) where {{#list}} repeats for each.
 */
static int
compile_open(struct parser *ps, const char *tag, size_t taglen, const char *s,
    size_t len, int inverted)
{
	int list = list_context(ps), i, f, owner, once = 0;
	enum skind sk;
	size_t plen = 0;
	struct node *n;

	if (ps->depth == TPL_DEPTH) {
		perr(ps, ps->line, "%.*s: sections are nested too deeply", (int)taglen, tag);
		return -1;
	}
	if (s[len - 1] == '?') {
		if ((i = find_name(s, len - 1)) < 0 || names[i].fields == NULL) {
			perr(ps, ps->line, "%.*s: a ? after the name is only for lists "
			    "(like {{#sessions?}})", (int)taglen, tag);
			return -1;
		}
		f = -1;
		sk = S_LIST;
		once = 1;
	} else if ((f = find_field(list, s, len)) >= 0) {
		sk = S_FIELD;
		i = list;
	} else if ((i = find_name(s, len)) >= 0) {
		sk = names[i].fields != NULL ? S_LIST : S_SCALAR;
		if (sk == S_LIST && i == list) {
			perr(ps, ps->line, "%.*s is already open: close it with {{/%s}} "
			    "before opening it again", (int)taglen, tag, names[i].name);
			return -1;
		}
	} else if ((i = find_group(s, len)) >= 0) {
		sk = S_GROUP;
		plen = len + 1;
	} else if ((owner = field_owner(s, len, list)) >= 0) {
		perr(ps, ps->line, "%.*s can only be used between {{#%s}} and {{/%s}}",
		    (int)taglen, tag, names[owner].name, names[owner].name);
		return -1;
	} else {
		unknown(ps, tag, taglen, s, len, list);
		return -1;
	}
	/*
	 * mailing.body_* are worked out from the rendered text: a test of
	 * one inside that text would see the previous message's value.
	 */
	if (ps->strict && sk == S_SCALAR && strncmp(names[i].name, "mailing.body_", 13) == 0) {
		perr(ps, ps->line, "%.*s cannot be used in the text of a mailing",
		    (int)taglen, tag);
		return -1;
	}
	if ((n = add_node(ps, N_SECTION)) == NULL)
		return -1;
	n->sk = sk;
	n->inverted = inverted;
	n->once = once;
	n->name = i;
	n->field = f;
	n->len = plen;
	ps->stack[ps->depth].node = ps->p->n - 1;
	ps->stack[ps->depth].line = ps->line;
	ps->stack[ps->depth].name = s;
	ps->stack[ps->depth].len = len;
	ps->depth++;
	return 0;
}

static int
compile_close(struct parser *ps, const char *tag, size_t taglen, const char *s,
    size_t len)
{
	struct open *o;

	if (ps->depth == 0) {
		perr(ps, ps->line, "%.*s closes a section that was never opened "
		    "(with {{#%.*s}})", (int)taglen, tag, (int)len, s);
		return -1;
	}
	o = &ps->stack[ps->depth - 1];
	if (o->len != len || memcmp(o->name, s, len) != 0) {
		perr(ps, ps->line, "%.*s, but the section opened on line %d is "
		    "{{%c%.*s}}: close that first with {{/%.*s}}", (int)taglen, tag,
		    o->line, ps->p->v[o->node].inverted ? '^' : '#', (int)o->len,
		    o->name, (int)o->len, o->name);
		return -1;
	}
	ps->p->v[o->node].end = ps->p->n;
	ps->depth--;
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '?';
}

/*
 * Compile p->src.  Section and comment tags alone on their line take the
 * whole line with them (as in Mustache), so templates can put them on
 * lines of their own without leaving blank lines in the mail.
 */
static int
compile(struct parser *ps)
{
	const char *src = ps->p->src, *q, *c, *s, *e;
	size_t i = 0, start, tend, ls, te, taglen;
	int triple, sigil, standalone;

	ps->line = 1;
	for (;;) {
		if ((q = strstr(src + i, "{{")) == NULL) {
			if (add_text(ps, i, strlen(src)) == -1)
				return -1;
			break;
		}
		start = (size_t)(q - src);
		for (const char *l = src + i; l < q; l++)
			if (*l == '\n')
				ps->line++;
		triple = q[2] == '{';
		sigil = triple ? '{' : q[2];
		if (sigil == '!') {
			/* A comment: may run over several lines. */
			if ((c = strstr(q + 3, "}}")) == NULL) {
				perr(ps, ps->line, "the comment {{! is never closed with }}");
				return -1;
			}
		} else {
			for (c = q + (triple ? 3 : 2); *c != '\0' && *c != '\n'; c++)
				if (c[0] == '}' && c[1] == '}')
					break;
			if (*c != '}') {
				perr(ps, ps->line, "%.*s...: {{ without a closing }} on the same line",
				    (int)(c - q > TPL_SHOW ? TPL_SHOW : c - q), q);
				return -1;
			}
			if (triple && c[2] != '}') {
				perr(ps, ps->line, "%.*s: {{{ must be closed with }}}",
				    (int)(c + 2 - q > TPL_SHOW ? TPL_SHOW : c + 2 - q), q);
				return -1;
			}
		}
		tend = (size_t)(c - src) + (triple ? 3 : 2);
		taglen = tend - start;
		if (taglen > TPL_SHOW)
			taglen = TPL_SHOW;

		/* The name, between the sigil and the braces, blanks trimmed. */
		s = q + (triple ? 3 : 2);
		if (!triple && strchr("#^/!", sigil) != NULL)
			s++;
		e = c;
		while (s < e && blank(*s))
			s++;
		while (e > s && blank(e[-1]))
			e--;

		standalone = 0;
		if (strchr("#^/!", sigil) != NULL) {
			for (ls = start; ls > i && src[ls - 1] != '\n'; ls--)
				;
			if (ls == 0 || src[ls - 1] == '\n') {
				for (te = tend; blank(src[te]); te++)
					;
				standalone = src[te] == '\n' || src[te] == '\0';
				for (size_t k = ls; standalone && k < start; k++)
					if (!blank(src[k]))
						standalone = 0;
			}
		}
		if (add_text(ps, i, standalone ? ls : start) == -1)
			return -1;

		if (sigil == '!')
			;
		else if (s == e) {
			perr(ps, ps->line, "%.*s: a placeholder needs a name", (int)taglen, q);
			return -1;
		} else if (!triple && strchr("&>=<$", sigil) != NULL) {
			perr(ps, ps->line, "%.*s: \"%c\" tags are not supported", (int)taglen,
			    q, sigil);
			return -1;
		} else {
			for (const char *k = s; k < e; k++)
				if (!name_char(*k)) {
					perr(ps, ps->line, "%.*s: a placeholder name has only "
					    "letters, digits, '_' and '.'", (int)taglen, q);
					return -1;
				}
			if (memchr(s, '?', (size_t)(e - s - 1)) != NULL ||
			    (e[-1] == '?' && sigil != '#' && sigil != '^' && sigil != '/')) {
				perr(ps, ps->line, "%.*s: a ? may only end the name of a list "
				    "section, as in {{#sessions?}}", (int)taglen, q);
				return -1;
			}
			if (triple && ps->strict) {
				perr(ps, ps->line, "%.*s: three braces cannot be used in "
				    "the text of a mailing", (int)taglen, q);
				return -1;
			}
			if ((sigil == '#' || sigil == '^' ?
			    compile_open(ps, q, taglen, s, (size_t)(e - s), sigil == '^') :
			    sigil == '/' ? compile_close(ps, q, taglen, s, (size_t)(e - s)) :
			    compile_var(ps, q, taglen, s, (size_t)(e - s), triple)) == -1)
				return -1;
		}

		/* Count the lines a comment spans. */
		for (const char *l = q; l < src + tend; l++)
			if (*l == '\n')
				ps->line++;
		i = tend;
		if (standalone) {
			while (blank(src[i]))
				i++;
			if (src[i] == '\n') {
				i++;
				ps->line++;
			}
		}
	}
	if (ps->depth > 0) {
		struct open *o = &ps->stack[ps->depth - 1];

		perr(ps, o->line, "{{%c%.*s}} is never closed: add {{/%.*s}} where "
		    "the section ends", ps->p->v[o->node].inverted ? '^' : '#',
		    (int)o->len, o->name, (int)o->len, o->name);
		return -1;
	}
	return 0;
}

static void
prog_free(struct prog *p)
{
	free(p->src);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/*
 * Check raw file or string contents and normalise them in place: no NUL,
 * valid UTF-8, CRLF and lone CR made LF, a leading byte-order mark (which
 * Windows editors add) dropped.  0, or -1 after perr.
 */
static int
normalise(struct parser *ps, char *src, size_t len)
{
	size_t i = 0, o = 0;
	unsigned int cp;
	size_t n;
	int line = 1;

	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		unsigned char ch = (unsigned char)src[i];

		if (ch == '\0') {
			perr(ps, line, "the file contains a NUL byte: is it really text?");
			return -1;
		}
		if (ch >= 0x80) {
			if ((n = u8seq((const unsigned char *)src + i, &cp)) == 0 ||
			    i + n > len) {
				perr(ps, line, "not valid UTF-8: save the file as UTF-8");
				return -1;
			}
			memmove(src + o, src + i, n);
			o += n;
			i += n;
			continue;
		}
		if (ch == '\r') {
			src[o++] = '\n';
			i += src[i + 1] == '\n' ? 2 : 1;
			line++;
			continue;
		}
		if (ch == '\n')
			line++;
		src[o++] = src[i++];
	}
	src[o] = '\0';
	return 0;
}

/* Compile src (taken over, freed on error) into p. */
static int
prog_compile(struct parser *ps, struct prog *p, char *src, size_t len,
    enum mode mode)
{
	char *nl;

	memset(p, 0, sizeof(*p));
	p->src = src;
	p->mode = mode;
	ps->p = p;
	ps->depth = 0;
	if (normalise(ps, src, len) == -1)
		goto fail;
	if (mode == M_SUBJECT) {
		len = strlen(src);
		if (len > 0 && src[len - 1] == '\n')
			src[--len] = '\0';
		if ((nl = strchr(src, '\n')) != NULL) {
			perr(ps, 2, "the subject must be a single line");
			goto fail;
		}
		if (src[strspn(src, " \t")] == '\0') {
			perr(ps, 1, "the subject is empty");
			goto fail;
		}
	}
	if (compile(ps) == -1)
		goto fail;
	return 0;
fail:
	prog_free(p);
	return -1;
}

/* ---- rendering */

static void
run(const struct prog *p, size_t from, size_t to, const struct tpl_vars *v,
    const char *const *item, struct buf *b)
{
	const struct node *n;
	const struct slot *sl;
	size_t nf, k;
	int truth;

	for (size_t i = from; i < to; i++) {
		n = &p->v[i];
		switch (n->kind) {
		case N_TEXT:
			put(b, p->src + n->off, n->len);
			break;
		case N_VAR:
			sl = &v->s[n->name];
			if (sl->value == NULL)
				break;
			if (names[n->name].url && p->mode == M_HTML && !safe_url(sl->value))
				break;
			put_value(b, sl->value, n->raw ? M_RAW : p->mode);
			break;
		case N_FIELD:
			put_value(b, item != NULL ? item[n->field] : NULL, p->mode);
			break;
		case N_SECTION:
			sl = &v->s[n->name];
			if (n->sk == S_LIST && !n->inverted && !n->once) {
				nf = nfields(n->name);
				if (b->listed != NULL && sl->nitems > 0)
					b->listed[n->name] = 1;
				for (k = 0; k < sl->nitems; k++)
					run(p, i + 1, n->end, v,
					    (const char *const *)sl->items + k * nf, b);
				i = n->end - 1;
				break;
			}
			switch (n->sk) {
			case S_LIST:
				truth = sl->nitems > 0;
				break;
			case S_FIELD:
				truth = item != NULL && item[n->field] != NULL &&
				    *item[n->field] != '\0';
				break;
			case S_SCALAR:
				truth = sl->value != NULL && *sl->value != '\0';
				break;
			default:
				truth = 0;
				for (k = 0; k < NNAMES; k++)
					if (strncmp(names[k].name, names[n->name].name, n->len) == 0 &&
					    v->s[k].value != NULL && *v->s[k].value != '\0')
						truth = 1;
				break;
			}
			if (truth != n->inverted)
				run(p, i + 1, n->end, v, item, b);
			i = n->end - 1;
			break;
		}
	}
}

/*
 * listed (NULL: not wanted; else NNAMES flags, left as they are for the
 * lists not repeated) tells tpl_render_mailing whether the organiser's
 * text printed a list itself, so the frame need not print it again.
 */
static char *
render(const struct prog *p, const struct tpl_vars *v, unsigned char *listed)
{
	struct buf b = {0};
	size_t s, e;

	b.listed = listed;
	run(p, 0, p->n, v, NULL, &b);
	if (p->mode == M_SUBJECT && finish(&b) != NULL) {
		/* Sections and empty values can leave spaces at either end. */
		for (s = 0; b.p[s] == ' ' || b.p[s] == '\t'; s++)
			;
		for (e = b.len; e > s && (b.p[e - 1] == ' ' || b.p[e - 1] == '\t'); e--)
			;
		memmove(b.p, b.p + s, e - s);
		b.p[e - s] = '\0';
	}
	return finish(&b);
}

/* ---- public */

static char *
read_all(const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat st;
	size_t len;
	char *buf;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		seterr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > TPL_FILE_MAX) {
		seterr(err, errlen, "%s: larger than %d bytes", path, TPL_FILE_MAX);
		fclose(f);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f) || len != (size_t)st.st_size) {
		seterr(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* dir/name.ext if it exists (NULL without an error when it does not). */
static char *
read_opt(const char *dir, const char *name, const char *ext, size_t *len,
    int *missing, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;

	*missing = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext) >= sizeof(path)) {
		seterr(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	if (stat(path, &st) != 0) {
		*missing = 1;
		return NULL;
	}
	return read_all(path, len, err, errlen);
}

/*
 * src with its {{> name}} tags replaced by dir/_name.ext (and {{> body}}
 * by body), recursively up to TPL_NEST deep, appended to b.
 */
static int
include(struct buf *b, const char *dir, const char *src, const char *body,
    const char *ext, int depth, const char *what, char *err, size_t errlen)
{
	const char *p = src, *tag, *end;
	char name[64], file[80], *part;
	size_t n, len;
	int missing, rc;

	while ((tag = strstr(p, "{{>")) != NULL) {
		const char *ls = tag, *after;
		int alone;

		if ((end = strstr(tag, "}}")) == NULL) {
			seterr(err, errlen, "%s: {{> without }}", what);
			return -1;
		}
		/*
		 * A tag alone on its line takes the line with it, as in
		 * Mustache: the partial's own lines replace it.
		 */
		while (ls > p && (ls[-1] == ' ' || ls[-1] == '\t'))
			ls--;
		after = end + 2;
		while (*after == ' ' || *after == '\t')
			after++;
		alone = (ls == src || ls[-1] == '\n') && (*after == '\n' || *after == '\0');
		put(b, p, (size_t)((alone ? ls : tag) - p));
		tag += 3;
		while (*tag == ' ')
			tag++;
		n = (size_t)(end - tag);
		while (n > 0 && tag[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof(name) || strspn(tag, "abcdefghijklmnopqrstuvwxyz0123456789_") < n) {
			seterr(err, errlen, "%s: {{> %.*s}}: a partial is named by letters, digits and _",
			    what, (int)(n < 40 ? n : 40), tag);
			return -1;
		}
		memcpy(name, tag, n);
		name[n] = '\0';
		if (depth >= TPL_NEST) {
			seterr(err, errlen, "%s: {{> %s}}: partials nest deeper than %d", what, name, TPL_NEST);
			return -1;
		}
		if (strcmp(name, "body") == 0) {
			if (body == NULL) {
				seterr(err, errlen, "%s: {{> body}} outside the layout", what);
				return -1;
			}
			if (include(b, dir, body, NULL, ext, depth + 1, what, err, errlen) != 0)
				return -1;
		} else {
			snprintf(file, sizeof(file), "_%s", name);
			if ((part = read_opt(dir, file, ext, &len, &missing, err, errlen)) == NULL) {
				if (missing)
					seterr(err, errlen, "%s: {{> %s}}: there is no %s/_%s.%s", what,
					    name, dir, name, ext);
				return -1;
			}
			rc = include(b, dir, part, NULL, ext, depth + 1, what, err, errlen);
			free(part);
			if (rc != 0)
				return -1;
		}
		p = alone ? (*after == '\n' ? after + 1 : after) : end + 2;
	}
	puts_(b, p);
	return b->failed ? -1 : 0;
}

/* Text of a translation into b: in HTML, escaped outside {{…}}. */
static void
put_translation(struct buf *b, const char *s, int html)
{
	const char *q;

	while (*s != '\0') {
		if (s[0] == '{' && s[1] == '{' && (q = strstr(s, "}}")) != NULL) {
			q += 2;
			if (*q == '}')
				q++;
			put(b, s, (size_t)(q - s));
			s = q;
			continue;
		}
		if (html && (*s == '&' || *s == '<' || *s == '>' || *s == '"'))
			puts_(b, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&quot;");
		else
			put(b, s, 1);
		s++;
	}
}

/*
 * src for one language: each {{#t}}…{{/t}} (or {{#t context}}…) replaced
 * by the catalog's text for its whitespace-collapsed contents, which hold
 * text and placeholders only; {{lang}} replaced by the language code.
 */
static int
translate(struct buf *b, const char *src, const char *lang, int html,
    const char *what, char *err, size_t errlen)
{
	const char *p = src, *open, *close, *inner, *q;
	char ctx[64], *id;
	size_t n, k;
	int sp;

	for (;;) {
		const char *t = strstr(p, "{{#t"), *l = strstr(p, "{{lang}}");

		if (l != NULL && (t == NULL || l < t)) {
			put(b, p, (size_t)(l - p));
			puts_(b, lang);
			p = l + 8;
			continue;
		}
		if (t == NULL)
			break;
		open = t;
		q = open + 4;
		if (*q != '}' && *q != ' ') {   /* {{#ticket}} and the like */
			put(b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		ctx[0] = '\0';
		if (*q == ' ') {
			while (*q == ' ')
				q++;
			n = strcspn(q, " }");
			if (n == 0 || n >= sizeof(ctx)) {
				seterr(err, errlen, "%s: {{#t …}}: a bad context", what);
				return -1;
			}
			memcpy(ctx, q, n);
			ctx[n] = '\0';
			q += n;
			while (*q == ' ')
				q++;
		}
		if (q[0] != '}' || q[1] != '}') {
			seterr(err, errlen, "%s: {{#t without }}", what);
			return -1;
		}
		inner = q + 2;
		if ((close = strstr(inner, "{{/t}}")) == NULL) {
			seterr(err, errlen, "%s: {{#t}} without {{/t}}", what);
			return -1;
		}
		for (q = inner; q < close; q++)
			if (q[0] == '{' && q[1] == '{' && (q[2] == '#' || q[2] == '^' ||
			    q[2] == '/' || q[2] == '>')) {
				seterr(err, errlen, "%s: {{#t}}…{{/t}} holds text and placeholders only, "
				    "not sections or partials (%.20s)", what, q);
				return -1;
			}
		/* The msgid: the contents with each run of white space one space. */
		if ((id = malloc((size_t)(close - inner) + 1)) == NULL) {
			b->failed = 1;
			return -1;
		}
		for (q = inner, k = 0, sp = 0; q < close; q++) {
			if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
				sp = k > 0;
				continue;
			}
			if (sp)
				id[k++] = ' ';
			sp = 0;
			id[k++] = *q;
		}
		id[k] = '\0';
		put(b, p, (size_t)(open - p));
		put_translation(b, ctx[0] ? trc(lang, ctx, id) : tr(lang, id), html);
		free(id);
		p = close + 6;
	}
	puts_(b, p);
	return b->failed ? -1 : 0;
}

/*
 * One kind's part as compiled for lang: the layout (_layout.<ext>, for
 * text and HTML, when there is one) around the kind's file, partials
 * included, translated.  malloc'd, or NULL with err.
 */
static char *
part_source(const char *dir, const char *kind, int pt, const char *lang,
    size_t *lenp, char *err, size_t errlen)
{
	struct buf inc = {0}, out = {0};
	char *kindsrc = NULL, *layout = NULL, what[4200];
	size_t len;
	int missing;

	snprintf(what, sizeof(what), "%s/%s.%s", dir, kind, exts[pt]);
	if ((kindsrc = read_opt(dir, kind, exts[pt], &len, &missing, err, errlen)) == NULL) {
		if (missing)
			seterr(err, errlen, "%s: missing (every kind needs .subject, .txt and .html)", what);
		goto fail;
	}
	if (pt != P_SUBJECT) {
		layout = read_opt(dir, "_layout", exts[pt], &len, &missing, err, errlen);
		if (layout == NULL && !missing)
			goto fail;
	}
	if (include(&inc, dir, layout ? layout : kindsrc, layout ? kindsrc : NULL,
	    exts[pt], 0, what, err, errlen) != 0)
		goto fail;
	if (finish(&inc) == NULL || translate(&out, inc.p, lang, pt == P_HTML, what,
	    err, errlen) != 0)
		goto fail;
	free(kindsrc);
	free(layout);
	free(inc.p);
	if (finish(&out) == NULL) {
		seterr(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	*lenp = out.len;
	return out.p;
fail:
	if ((inc.failed || out.failed) && err != NULL)
		seterr(err, errlen, "%s: out of memory", what);
	free(kindsrc);
	free(layout);
	free(inc.p);
	free(out.p);
	return NULL;
}

int
tpl_load(const char *dir, struct tpl_set **out, char *err, size_t errlen)
{
	static const enum mode modes[NPARTS] = {M_SUBJECT, M_TEXT, M_HTML};
	struct parser ps = {0};
	struct tpl_set *set;
	char path[4200], *src;
	const char *lang;
	size_t len, l, nl = i18n_count();

	*out = NULL;
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		seterr(err, errlen, "%s: out of memory", dir);
		return -1;
	}
	if (nl == 0)
		nl = 1;         /* i18n not set up: English only */
	if (nl > TPL_LANGS)
		nl = TPL_LANGS;
	ps.err = err;
	ps.errlen = errlen;
	ps.file = path;
	for (l = 0; l < nl; l++) {
		lang = i18n_lang(l) ? i18n_lang(l) : "en";
		set->langs[l] = lang;
		set->nlangs = l + 1;
		for (size_t k = 0; k < NKINDS; k++)
			for (int pt = 0; pt < NPARTS; pt++) {
				/* Line numbers count in the file with its layout and partials. */
				snprintf(path, sizeof(path), l == 0 ? "%s/%s.%s" : "%s/%s.%s (%s)",
				    dir, kinds[k], exts[pt], lang);
				if ((src = part_source(dir, kinds[k], pt, lang, &len, err, errlen)) == NULL)
					goto fail;
				if (prog_compile(&ps, &set->part[l][k][pt], src, len, modes[pt]) == -1)
					goto fail;
			}
	}
	*out = set;
	return 0;
fail:
	tpl_free(set);
	return -1;
}

void
tpl_free(struct tpl_set *set)
{
	if (set == NULL)
		return;
	for (size_t l = 0; l < set->nlangs; l++)
		for (size_t k = 0; k < NKINDS; k++)
			for (int pt = 0; pt < NPARTS; pt++)
				prog_free(&set->part[l][k][pt]);
	free(set);
}

struct tpl_vars *
tpl_vars_new(void)
{
	return calloc(1, sizeof(struct tpl_vars));
}

void
tpl_vars_free(struct tpl_vars *v)
{
	size_t nf;

	if (v == NULL)
		return;
	for (size_t i = 0; i < NNAMES; i++) {
		free(v->s[i].value);
		if (names[i].fields != NULL) {
			nf = nfields((int)i);
			for (size_t k = 0; k < v->s[i].nitems * nf; k++)
				free(v->s[i].items[k]);
		}
		free(v->s[i].items);
	}
	free(v);
}

void
tpl_set_lang(struct tpl_vars *v, const char *lang)
{
	v->lang = lang;
}

int
tpl_set_var(struct tpl_vars *v, const char *name, const char *value)
{
	int i = find_name(name, strlen(name));
	char *copy = NULL;

	if (i < 0 || names[i].fields != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (value != NULL && (copy = strdup(value)) == NULL)
		return -1;
	free(v->s[i].value);
	v->s[i].value = copy;
	return 0;
}

int
tpl_add_item(struct tpl_vars *v, const char *list, const char *const *fields,
    const char *const *values, size_t n)
{
	int i = find_name(list, strlen(list)), f;
	struct slot *sl;
	size_t nf, cap;
	char **row, **ni;

	if (i < 0 || names[i].fields == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if (find_field(i, fields[k], strlen(fields[k])) < 0) {
			errno = EINVAL;
			return -1;
		}
	sl = &v->s[i];
	nf = nfields(i);
	if (sl->nitems == sl->cap) {
		cap = sl->cap ? sl->cap * 2 : 8;
		if (cap > SIZE_MAX / sizeof(char *) / nf) {
			errno = ENOMEM;
			return -1;
		}
		if ((ni = realloc(sl->items, cap * nf * sizeof(char *))) == NULL)
			return -1;
		sl->items = ni;
		sl->cap = cap;
	}
	row = sl->items + sl->nitems * nf;
	for (size_t k = 0; k < nf; k++)
		row[k] = NULL;
	for (size_t k = 0; k < n; k++) {
		f = find_field(i, fields[k], strlen(fields[k]));
		free(row[f]);
		row[f] = NULL;
		if (values[k] != NULL && (row[f] = strdup(values[k])) == NULL) {
			for (size_t j = 0; j < nf; j++)
				free(row[j]);
			errno = ENOMEM;
			return -1;
		}
	}
	sl->nitems++;
	return 0;
}

int
tpl_render(const struct tpl_set *set, const char *kind,
    const struct tpl_vars *v, char **subject, char **text, char **html)
{
	char **outs[NPARTS] = {subject, text, html};
	size_t k, l = 0;
	int pt;

	for (pt = 0; pt < NPARTS; pt++)
		if (outs[pt] != NULL)
			*outs[pt] = NULL;
	for (k = 0; k < NKINDS; k++)
		if (strcmp(kinds[k], kind) == 0)
			break;
	if (k == NKINDS) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; v->lang != NULL && i < set->nlangs; i++)
		if (set->langs[i] == v->lang || strcmp(set->langs[i], v->lang) == 0)
			l = i;
	for (pt = 0; pt < NPARTS; pt++) {
		if (outs[pt] == NULL)
			continue;
		if ((*outs[pt] = render(&set->part[l][k][pt], v, NULL)) == NULL) {
			for (int j = 0; j < pt; j++)
				if (outs[j] != NULL) {
					free(*outs[j]);
					*outs[j] = NULL;
				}
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

/* A mailing body compiled into p; p is freed by the caller either way. */
static int
compile_string(const char *src, struct prog *p, enum mode mode, char *err,
    size_t errlen)
{
	struct parser ps = {0};
	char *copy;

	memset(p, 0, sizeof(*p));
	if ((copy = strdup(src)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	ps.strict = 1;
	ps.err = err;
	ps.errlen = errlen;
	if (prog_compile(&ps, p, copy, strlen(copy), mode) == -1) {
		errno = ps.nomem ? ENOMEM : EINVAL;
		return -1;
	}
	return 0;
}

int
tpl_check_string(const char *src, char *err, size_t errlen)
{
	struct prog p;
	int rc;

	rc = compile_string(src, &p, M_TEXT, err, errlen);
	prog_free(&p);
	return rc;
}

static char *
render_string(const char *src, const struct tpl_vars *v, int html_escape,
    unsigned char *listed)
{
	struct prog p;
	char *out = NULL;

	if (compile_string(src, &p, html_escape ? M_HTML : M_TEXT, NULL, 0) == 0)
		out = render(&p, v, listed);
	prog_free(&p);
	return out;
}

char *
tpl_render_string(const char *src, const struct tpl_vars *v, int html_escape)
{
	return render_string(src, v, html_escape, NULL);
}

static int
url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * Length of the http(s) URL at s, 0 if none.  Trailing punctuation is
 * taken to be the sentence's, and a ')' only the URL's when it has a '('.
 */
static size_t
url_at(const char *s)
{
	size_t h, e, nopen = 0, nclose = 0;

	if (strncasecmp(s, "http://", 7) == 0)
		h = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		h = 8;
	else
		return 0;
	if (!alnum(s[h]))
		return 0;
	for (e = h; url_char(s[e]); e++)
		if (s[e] == '(')
			nopen++;
		else if (s[e] == ')')
			nclose++;
	while (e > h) {
		if (strchr(".,;:!?'*", s[e - 1]) != NULL)
			e--;
		else if (s[e - 1] == ')' && nclose > nopen) {
			nclose--;
			e--;
		} else
			break;
	}
	return e;
}

char *
tpl_text_to_html(const char *text)
{
	struct buf clean = {0}, b = {0};
	const char *s, *nl;
	size_t len, u;
	int in_par = 0;

	/* One alphabet from here on: UTF-8, LF, TAB, no other controls. */
	put_value(&clean, text, M_TEXT);
	if (finish(&clean) == NULL)
		return NULL;
	for (s = clean.p; *s != '\0'; s = *nl != '\0' ? nl + 1 : nl) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		len = (size_t)(nl - s);
		if (strspn(s, " \t") >= len) {
			if (in_par)
				puts_(&b, "</p>\n");
			in_par = 0;
			continue;
		}
		puts_(&b, in_par ? "<br>\n" : "<p>");
		in_par = 1;
		for (size_t i = 0; i < len; i++) {
			if ((i == 0 || !alnum(s[i - 1])) && (u = url_at(s + i)) > 0) {
				puts_(&b, "<a href=\"");
				for (size_t j = 0; j < u; j++)
					put_escaped_char(&b, s[i + j]);
				puts_(&b, "\">");
				for (size_t j = 0; j < u; j++)
					put_escaped_char(&b, s[i + j]);
				puts_(&b, "</a>");
				i += u - 1;
				continue;
			}
			put_escaped_char(&b, s[i]);
		}
	}
	if (in_par)
		puts_(&b, "</p>\n");
	free(clean.p);
	return finish(&b);
}

int
tpl_render_mailing(const struct tpl_set *set, const char *body_src,
    struct tpl_vars *v, char **subject, char **text, char **html)
{
	unsigned char listed[NNAMES] = {0};
	char *t, *h = NULL;
	int rc = -1, sessions = find_name("sessions", strlen("sessions"));

	if (subject != NULL)
		*subject = NULL;
	if (text != NULL)
		*text = NULL;
	if (html != NULL)
		*html = NULL;
	if ((t = render_string(body_src, v, 0, listed)) == NULL)
		goto out;
	if ((h = tpl_text_to_html(t)) == NULL)
		goto out;
	/*
	 * The frame lists a speaker's sessions by itself unless this flag
	 * says the text already did: the list must arrive exactly once,
	 * whether or not the organiser knows the section syntax.
	 */
	if (tpl_set_var(v, "mailing.body_text", t) == -1 ||
	    tpl_set_var(v, "mailing.body_html", h) == -1 ||
	    tpl_set_var(v, "mailing.body_lists_sessions",
	    sessions >= 0 && listed[sessions] ? "yes" : NULL) == -1)
		goto out;
	rc = tpl_render(set, "mailing", v, subject, text, html);
out:
	free(t);
	free(h);
	return rc;
}
