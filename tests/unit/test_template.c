/*
 * Unit tests for src/template.c: the shipped mail-templates/ (run from the
 * repository root), escaping per file type, sections, load errors with
 * file:line, mailing bodies and plain text to HTML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "template.h"

#include "testutil.h"

#define SHIPPED         "mail-templates"

static const char *const kinds[] = {TPL_KINDS};
#define NKINDS          (sizeof(kinds) / sizeof(kinds[0]))
static const char *const exts[] = {"subject", "txt", "html"};

static int
has_ticket(const char *kind)
{
	return strcmp(kind, "confirmed") == 0 || strcmp(kind, "promoted") == 0 ||
	    strcmp(kind, "approved") == 0 || strcmp(kind, "ticket_resent") == 0;
}

static void
add_session(struct tpl_vars *v, const char *title, const char *start,
    const char *end, const char *room)
{
	const char *f[] = {"title", "starts_at", "ends_at", "room"};
	const char *val[] = {title, start, end, room};

	assert_int_equal(tpl_add_item(v, "sessions", f, val, 4), 0);
}

static void
setv(struct tpl_vars *v, const char *name, const char *value)
{
	assert_int_equal(tpl_set_var(v, name, value), 0);
}

/* Every variable of the table set, and two sessions. */
static struct tpl_vars *
full_vars(void)
{
	struct tpl_vars *v = tpl_vars_new();

	assert_non_null(v);
	setv(v, "attendee.name", "Dr. Aoife O'Brien");
	setv(v, "attendee.email", "aoife@example.org");
	setv(v, "attendee.organisation", "Cork University Hospital");
	setv(v, "event.name", "Digital Health Forum 2026");
	setv(v, "event.starts_at", "Thursday 14 May 2026, 09:00");
	setv(v, "event.ends_at", "17:30");
	setv(v, "event.venue", "Innovation Centre, 1 Dock Road, Cork");
	setv(v, "event.url", "https://events.example.org/dhf-2026");
	setv(v, "event.timezone", "Europe/Dublin");
	setv(v, "ticket.code", "DHF-7Q2K-9XMA");
	setv(v, "ticket.qr_cid", "qr-42@confero");
	setv(v, "ticket.type", "Full day");
	setv(v, "manage_url", "https://events.example.org/r/abc?t=1&u=2");
	setv(v, "registration.status", "confirmed");
	setv(v, "speaker.name", "Prof. Ines Santos");
	setv(v, "mailing.subject", "Programme update");
	setv(v, "mailing.body_text", "The keynote moves to 10:00.");
	setv(v, "mailing.body_html", "<p>The keynote moves to 10:00.</p>");
	setv(v, "unsubscribe_url", "https://events.example.org/u/xyz");
	setv(v, "organiser.name", "Health Innovation Hub Ireland");
	add_session(v, "Keynote: AI at the bedside", "09:30", "10:15", "Main hall");
	add_session(v, "Workshop: FHIR in practice", "11:00", "12:30", NULL);
	return v;
}

static void
no_placeholder_left(const char *kind, const char *part, const char *s)
{
	assert_non_null(s);
	if (strstr(s, "{{") != NULL || strstr(s, "}}") != NULL)
		fail_msg("%s %s: placeholder left in output:\n%s", kind, part, s);
}

/* ---- temporary template directories */

struct tmpdir {
	char path[64];
};

static void
write_file(const char *dir, const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
}

/* A directory with trivial valid templates for every kind. */
static void
tmp_make(struct tmpdir *t)
{
	char name[64];

	assert_int_equal(make_tmpdir(t->path, sizeof(t->path), "tpl"), 0);
	for (size_t k = 0; k < NKINDS; k++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(name, sizeof(name), "%s.%s", kinds[k], exts[e]);
			write_file(t->path, name, e == 0 ? "Subject\n" : "Body\n");
		}
}

static void
tmp_remove(struct tmpdir *t)
{
	char path[256];

	for (size_t k = 0; k < NKINDS; k++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(path, sizeof(path), "%s/%s.%s", t->path, kinds[k], exts[e]);
			unlink(path);
		}
	assert_int_equal(rmdir(t->path), 0);
}

/* Load a directory whose name file holds content; the set, or NULL with err. */
static struct tpl_set *
load_with(const char *name, const char *content, char *err, size_t errlen)
{
	struct tmpdir t;
	struct tpl_set *set = NULL;

	tmp_make(&t);
	write_file(t.path, name, content);
	err[0] = '\0';
	if (tpl_load(t.path, &set, err, errlen) == -1)
		set = NULL;
	tmp_remove(&t);
	return set;
}

static void
load_fails(const char *name, const char *content, const char *want1,
    const char *want2)
{
	char err[512];
	struct tpl_set *set = load_with(name, content, err, sizeof(err));

	if (set != NULL) {
		tpl_free(set);
		fail_msg("%s loaded: \"%s\"", name, content);
	}
	if (strstr(err, want1) == NULL || (want2 != NULL && strstr(err, want2) == NULL))
		fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err, want1,
		    want2 != NULL ? want2 : "");
}

/* The html part of "confirmed" rendered from a one-file set. */
static char *
render_html(const char *content, const struct tpl_vars *v)
{
	char err[512], *html;
	struct tpl_set *set = load_with("confirmed.html", content, err, sizeof(err));

	if (set == NULL)
		fail_msg("load: %s", err);
	assert_int_equal(tpl_render(set, "confirmed", v, NULL, NULL, &html), 0);
	tpl_free(set);
	return html;
}

/* ---- tests */

static void
test_shipped_load(void **state)
{
	struct tpl_set *set = NULL;
	char err[512] = "";

	(void)state;
	if (tpl_load(SHIPPED, &set, err, sizeof(err)) != 0)
		fail_msg("tpl_load(%s): %s", SHIPPED, err);
	assert_non_null(set);
	tpl_free(set);
}

static void
test_shipped_render_all(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = full_vars();
	char err[512], *subject, *text, *html, cid[64];

	(void)state;
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	for (size_t k = 0; k < NKINDS; k++) {
		assert_int_equal(tpl_render(set, kinds[k], v, &subject, &text, &html), 0);
		no_placeholder_left(kinds[k], "subject", subject);
		no_placeholder_left(kinds[k], "text", text);
		no_placeholder_left(kinds[k], "html", html);
		assert_true(strlen(subject) > 5);
		assert_null(strchr(subject, '\n'));
		assert_true(strlen(text) > 50);
		assert_non_null(strstr(html, "</html>"));
		/* No external resources: the only image is the inline QR. */
		assert_null(strstr(html, "src=\"http"));
		assert_null(strstr(html, "<link"));
		assert_null(strstr(html, "<script"));
		assert_null(strstr(html, "url("));
		if (strcmp(kinds[k], "mailing") != 0)
			assert_non_null(strstr(text, "Digital Health Forum 2026"));
		/* The last mail of an erasure names nobody: the name is gone. */
		if (strcmp(kinds[k], "mailing") != 0 && strcmp(kinds[k], "erased") != 0)
			assert_non_null(strstr(html, "Dr. Aoife O&#39;Brien"));
		if (strcmp(kinds[k], "erased") == 0)
			assert_null(strstr(text, "Aoife"));
		snprintf(cid, sizeof(cid), "<img src=\"cid:qr-42@confero\"");
		if (has_ticket(kinds[k])) {
			assert_non_null(strstr(html, cid));
			assert_non_null(strstr(text, "DHF-7Q2K-9XMA"));
			assert_non_null(strstr(html, "Keynote: AI at the bedside"));
			assert_non_null(strstr(text, "Workshop: FHIR in practice"));
			assert_non_null(strstr(text, "Europe/Dublin"));
			/* & in a URL is escaped in the href too. */
			assert_non_null(strstr(html,
			    "href=\"https://events.example.org/r/abc?t=1&amp;u=2\""));
			assert_non_null(strstr(text, "https://events.example.org/r/abc?t=1&u=2"));
		} else
			assert_null(strstr(html, "cid:"));
		free(subject);
		free(text);
		free(html);
	}
	assert_int_equal(tpl_render(set, "mailing", v, &subject, &text, &html), 0);
	assert_string_equal(subject, "Programme update");
	assert_non_null(strstr(html, "<p>The keynote moves to 10:00.</p>"));
	assert_non_null(strstr(text, "The keynote moves to 10:00."));
	assert_non_null(strstr(text, "https://events.example.org/u/xyz"));
	free(subject);
	free(text);
	free(html);
	tpl_vars_free(v);
	tpl_free(set);
}

/* Only the essentials set: nothing is left over, no empty ticket box. */
static void
test_shipped_render_sparse(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = tpl_vars_new();
	char err[512], *subject, *text, *html;

	(void)state;
	assert_non_null(v);
	setv(v, "attendee.name", "Sam");
	setv(v, "event.name", "Open Data Day");
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	for (size_t k = 0; k < NKINDS; k++) {
		assert_int_equal(tpl_render(set, kinds[k], v, &subject, &text, &html), 0);
		no_placeholder_left(kinds[k], "subject", subject);
		no_placeholder_left(kinds[k], "text", text);
		no_placeholder_left(kinds[k], "html", html);
		assert_null(strstr(html, "cid:"));
		assert_null(strstr(html, "Your sessions"));
		assert_null(strstr(text, "YOUR TICKET"));
		if (strcmp(kinds[k], "mailing") != 0)
			assert_non_null(strstr(text, "The Open Data Day team"));
		free(subject);
		free(text);
		free(html);
	}
	tpl_vars_free(v);
	tpl_free(set);
}

static void
test_escape_per_file_type(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = full_vars();
	char err[512], *subject, *text, *html;

	(void)state;
	setv(v, "attendee.name", "<script>alert(1)</script>");
	setv(v, "attendee.organisation", "\"Q&A\" 'Labs'");
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	for (size_t k = 0; k < NKINDS; k++) {
		assert_int_equal(tpl_render(set, kinds[k], v, &subject, &text, &html), 0);
		assert_null(strstr(html, "<script"));
		if (strcmp(kinds[k], "mailing") != 0 && strcmp(kinds[k], "erased") != 0) {
			assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
			assert_non_null(strstr(text, "<script>alert(1)</script>"));
		}
		free(subject);
		free(text);
		free(html);
	}
	tpl_free(set);

	html = render_html("<b>{{attendee.organisation}}</b>\n", v);
	assert_string_equal(html, "<b>&quot;Q&amp;A&quot; &#39;Labs&#39;</b>\n");
	free(html);
	tpl_vars_free(v);
}

static void
test_subject_line_breaks(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = full_vars();
	char err[512], *subject;

	(void)state;
	setv(v, "event.name", "Health\r\nBcc: victim@example.org\x01\x7f\xc2\x85x");
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	for (size_t k = 0; k < NKINDS; k++) {
		assert_int_equal(tpl_render(set, kinds[k], v, &subject, NULL, NULL), 0);
		if (strpbrk(subject, "\r\n\x01\x7f") != NULL || strstr(subject, "\xc2\x85"))
			fail_msg("%s subject: \"%s\"", kinds[k], subject);
		free(subject);
	}
	assert_int_equal(tpl_render(set, "confirmed", v, &subject, NULL, NULL), 0);
	assert_string_equal(subject,
	    "Your place at Health  Bcc: victim@example.org   x is confirmed");
	free(subject);
	tpl_free(set);

	/* The attendee's name in a subject of our own. */
	setv(v, "attendee.name", "Eve\nSubject: spoofed");
	set = load_with("confirmed.subject", "Welcome, {{attendee.name}}\n", err,
	    sizeof(err));
	assert_non_null(set);
	assert_int_equal(tpl_render(set, "confirmed", v, &subject, NULL, NULL), 0);
	assert_string_equal(subject, "Welcome, Eve Subject: spoofed");
	free(subject);
	tpl_free(set);
	tpl_vars_free(v);
}

static void
test_load_errors(void **state)
{
	(void)state;
	load_fails("confirmed.html", "<p>\n\n  Hello {{attendee.nme}}</p>\n",
	    "/confirmed.html:3: unknown placeholder {{attendee.nme}}", "attendee.name");
	load_fails("waitlisted.txt", "{{ticket.qr}}\n", "/waitlisted.txt:1: unknown",
	    "ticket.qr_cid");
	load_fails("approved.subject", "{{event}}\n", "/approved.subject:1:", NULL);
	load_fails("confirmed.html", "a\n{{{attendee.name}}}\n", "/confirmed.html:2:",
	    "{{{attendee.name}}}");
	load_fails("confirmed.txt", "{{{mailing.body_html}}}\n", "/confirmed.txt:1:",
	    ".html");
	load_fails("mailing.html", "{{mailing.body_html}}\n", "/mailing.html:1:",
	    "three braces");
	load_fails("mailing.html", "{{{mailing.body_html}}\n", "/mailing.html:1:", "}}}");
	load_fails("confirmed.txt", "x\ny {{attendee.name\n", "/confirmed.txt:2:", NULL);
	load_fails("confirmed.txt", "{{}}", "/confirmed.txt:1:", "name");
	/* A partial names a file _<name>.<ext> next to the kind, which must exist. */
	load_fails("confirmed.txt", "{{> footer}}", "/confirmed.txt: {{> footer}}", "/_footer.txt");
	load_fails("confirmed.txt", "{{attendee name}}", "/confirmed.txt:1:", NULL);
	load_fails("confirmed.txt", "{{title}}", "/confirmed.txt:1:", "{{#sessions}}");
	load_fails("confirmed.txt", "{{sessions}}", "/confirmed.txt:1:", "list");
	load_fails("confirmed.txt", "{{#event.name?}}{{/event.name?}}",
	    "/confirmed.txt:1:", "only for lists");
	load_fails("confirmed.txt", "{{#sessions}}{{#sessions}}{{/sessions}}{{/sessions}}",
	    "/confirmed.txt:1:", "already open");
	load_fails("confirmed.subject", "Line one\nLine two\n", "/confirmed.subject:2:",
	    "single line");
	load_fails("confirmed.subject", "  \n", "/confirmed.subject:1:", "empty");
	load_fails("confirmed.txt", "ok\n\xff\xfe\n", "/confirmed.txt:2:", "UTF-8");
	load_fails("confirmed.txt", "{{! never closed\n", "/confirmed.txt:1:", "comment");
}

static void
test_section_errors(void **state)
{
	(void)state;
	load_fails("confirmed.txt", "a\n{{#sessions}}\n{{title}}\nb\n",
	    "/confirmed.txt:2:", "never closed");
	load_fails("confirmed.html", "{{^ticket}}\n", "/confirmed.html:1:", "{{/ticket}}");
	load_fails("confirmed.txt", "x\n{{/sessions}}\n", "/confirmed.txt:2:",
	    "never opened");
	load_fails("confirmed.txt", "{{#ticket}}\n{{#sessions}}\n{{/ticket}}\n",
	    "/confirmed.txt:3:", "opened on line 2");
	load_fails("confirmed.txt", "{{#nothing}}{{/nothing}}", "/confirmed.txt:1:",
	    "unknown placeholder");
	load_fails("confirmed.txt", "{{#room}}{{/room}}", "/confirmed.txt:1:",
	    "{{#sessions}}");
}

static void
test_missing_file(void **state)
{
	struct tmpdir t;
	struct tpl_set *set = (struct tpl_set *)1;
	char err[512], path[256];

	(void)state;
	tmp_make(&t);
	snprintf(path, sizeof(path), "%s/rejected.html", t.path);
	unlink(path);
	assert_int_equal(tpl_load(t.path, &set, err, sizeof(err)), -1);
	assert_null(set);
	assert_non_null(strstr(err, "rejected.html"));
	write_file(t.path, "rejected.html", "x");
	tmp_remove(&t);

	assert_int_equal(tpl_load("/nonexistent/confero", &set, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/confero/"));
}

static char *
sections(const char *src, int n)
{
	static const char *const titles[] = {"A", "B & C", "D"};
	static const char *const rooms[] = {"R1", NULL, "R3"};
	struct tpl_vars *v = tpl_vars_new();
	char *out;

	assert_non_null(v);
	setv(v, "event.name", "E");
	for (int i = 0; i < n; i++)
		add_session(v, titles[i], "09:00", NULL, rooms[i]);
	out = tpl_render_string(src, v, 0);
	assert_non_null(out);
	tpl_vars_free(v);
	return out;
}

static void
test_sections(void **state)
{
	static const char *const src =
	    "{{#sessions}}[{{title}}|{{room}}|{{ends_at}}|{{event.name}}]{{/sessions}}"
	    "{{^sessions}}none{{/sessions}}";
	static const char *const lines =
	    "Sessions:\n"
	    "{{#sessions?}}\n"
	    "You chose:\n"
	    "  {{#sessions}}\n"
	    "- {{title}}{{#room}} ({{room}}){{/room}}\n"
	    "  {{/sessions}}\n"
	    "{{/sessions?}}\n"
	    "{{^sessions}}\n"
	    "No sessions.\n"
	    "{{/sessions}}\n"
	    "{{! a comment line disappears }}\n"
	    "End\n";
	char *out;

	(void)state;
	out = sections(src, 0);
	assert_string_equal(out, "none");
	free(out);
	out = sections(src, 1);
	assert_string_equal(out, "[A|R1||E]");
	free(out);
	out = sections(src, 3);
	assert_string_equal(out, "[A|R1||E][B & C|||E][D|R3||E]");
	free(out);

	/* Tags alone on their line take the line with them. */
	out = sections(lines, 0);
	assert_string_equal(out, "Sessions:\nNo sessions.\nEnd\n");
	free(out);
	out = sections(lines, 1);
	assert_string_equal(out, "Sessions:\nYou chose:\n- A (R1)\nEnd\n");
	free(out);
	out = sections(lines, 3);
	assert_string_equal(out, "Sessions:\nYou chose:\n- A (R1)\n- B & C\n- D (R3)\nEnd\n");
	free(out);
}

static void
test_section_html(void **state)
{
	struct tpl_vars *v = tpl_vars_new();
	char *html;

	(void)state;
	assert_non_null(v);
	add_session(v, "<i>x</i>", "9", "10", "Room \"A\"");
	html = render_html("{{#sessions}}<li title=\"{{room}}\">{{title}}</li>{{/sessions}}"
	    "{{#ticket}}T{{/ticket}}{{^ticket}}no ticket{{/ticket}}", v);
	assert_string_equal(html, "<li title=\"Room &quot;A&quot;\">&lt;i&gt;x&lt;/i&gt;</li>"
	    "no ticket");
	free(html);
	/* Any non-empty ticket.* makes {{#ticket}} true. */
	setv(v, "ticket.type", "");
	html = render_html("{{#ticket}}T{{/ticket}}", v);
	assert_string_equal(html, "");
	free(html);
	setv(v, "ticket.code", "X1");
	html = render_html("{{#ticket}}T {{ticket.code}}{{/ticket}}", v);
	assert_string_equal(html, "T X1");
	free(html);
	tpl_vars_free(v);
}

static void
test_url_vars_in_html(void **state)
{
	struct tpl_vars *v = tpl_vars_new();
	char *html, *text;

	(void)state;
	assert_non_null(v);
	setv(v, "event.url", " javascript:alert(1)");
	html = render_html("<a href=\"{{event.url}}\">x</a>", v);
	assert_string_equal(html, "<a href=\"\">x</a>");
	free(html);
	text = tpl_render_string("{{event.url}}", v, 0);
	assert_string_equal(text, " javascript:alert(1)");
	free(text);
	setv(v, "event.url", "HTTPS://example.org/?a=<b>");
	html = render_html("{{event.url}}", v);
	assert_string_equal(html, "HTTPS://example.org/?a=&lt;b&gt;");
	free(html);
	setv(v, "unsubscribe_url", "mailto:events@example.org?subject=unsubscribe%20x&y");
	html = render_html("<a href=\"{{unsubscribe_url}}\">", v);
	assert_string_equal(html,
	    "<a href=\"mailto:events@example.org?subject=unsubscribe%20x&amp;y\">");
	free(html);
	setv(v, "manage_url", "data:text/html,<script>alert(1)</script>");
	html = render_html("<a href=\"{{manage_url}}\">", v);
	assert_string_equal(html, "<a href=\"\">");
	free(html);
	tpl_vars_free(v);
}

static void
test_crlf_and_bom(void **state)
{
	struct tpl_vars *v = tpl_vars_new();
	char err[512], *subject, *text;
	struct tpl_set *set;
	struct tmpdir t;

	(void)state;
	assert_non_null(v);
	setv(v, "event.name", "E");
	tmp_make(&t);
	write_file(t.path, "confirmed.subject", "\xef\xbb\xbfHi {{event.name}}\r\n");
	write_file(t.path, "confirmed.txt", "\xef\xbb\xbf" "a\r\n{{#ticket}}\r\nT\r\n"
	    "{{/ticket}}\r\nb {{event.name}}\r\n");
	assert_int_equal(tpl_load(t.path, &set, err, sizeof(err)), 0);
	tmp_remove(&t);
	assert_int_equal(tpl_render(set, "confirmed", v, &subject, &text, NULL), 0);
	assert_string_equal(subject, "Hi E");
	assert_string_equal(text, "a\nb E\n");
	free(subject);
	free(text);
	tpl_free(set);
	tpl_vars_free(v);
}

static void
test_vars_api(void **state)
{
	struct tpl_vars *v = tpl_vars_new();
	const char *f[] = {"title", "nope"}, *val[] = {"x", "y"};
	struct tpl_set *set;
	char err[512], *s = (char *)1, *t = (char *)1;

	(void)state;
	assert_non_null(v);
	errno = 0;
	assert_int_equal(tpl_set_var(v, "attendee.nickname", "x"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tpl_set_var(v, "sessions", "x"), -1);
	assert_int_equal(tpl_add_item(v, "sessions", f, val, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tpl_add_item(v, "attendee.name", f, val, 1), -1);
	assert_int_equal(tpl_add_item(v, "sessions", f, val, 1), 0);
	/* Set, replace, clear. */
	setv(v, "attendee.name", "A");
	setv(v, "attendee.name", "B");
	s = tpl_render_string("[{{attendee.name}}]", v, 0);
	assert_string_equal(s, "[B]");
	free(s);
	setv(v, "attendee.name", NULL);
	s = tpl_render_string("[{{attendee.name}}]{{#sessions}}{{title}}{{/sessions}}", v, 0);
	assert_string_equal(s, "[]x");
	free(s);

	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	errno = 0;
	assert_int_equal(tpl_render(set, "birthday", v, &s, &t, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(s);
	assert_null(t);
	tpl_free(set);
	tpl_vars_free(v);
	tpl_vars_free(NULL);
	tpl_free(NULL);
}

static void
test_check_and_render_string(void **state)
{
	struct tpl_vars *v = tpl_vars_new();
	char err[256], *out;

	(void)state;
	assert_non_null(v);
	setv(v, "attendee.name", "Jo <Jo> & co");
	setv(v, "event.name", "E");
	assert_int_equal(tpl_check_string("Dear {{ attendee.name }},\n\n"
	    "{{#sessions}}- {{title}}\n{{/sessions}}See you at {{event.name}}.", err,
	    sizeof(err)), 0);
	assert_int_equal(tpl_check_string("", err, sizeof(err)), 0);
	assert_int_equal(tpl_check_string("Hi,\nDear {{attendee.naem}}", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: unknown placeholder {{attendee.naem}}"));
	assert_non_null(strstr(err, "attendee.name"));
	assert_int_equal(tpl_check_string("{{{attendee.name}}}", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1:"));
	assert_int_equal(tpl_check_string("{{{mailing.body_html}}}", err, sizeof(err)), -1);
	assert_int_equal(tpl_check_string("{{mailing.body_html}}", err, sizeof(err)), -1);
	assert_int_equal(tpl_check_string("{{mailing.body_text}}", err, sizeof(err)), -1);
	assert_int_equal(tpl_check_string("{{#sessions}}", err, sizeof(err)), -1);
	assert_int_equal(tpl_check_string("{{name}}", err, sizeof(err)), -1);
	assert_int_equal(tpl_check_string("x {{attendee.name", err, sizeof(err)), -1);
	/* A too-small buffer still gets a terminated prefix. */
	assert_int_equal(tpl_check_string("{{zzz}}", err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(tpl_check_string("{{zzz}}", NULL, 0), -1);

	out = tpl_render_string("Dear {{attendee.name}}, {{event.name}}", v, 0);
	assert_string_equal(out, "Dear Jo <Jo> & co, E");
	free(out);
	out = tpl_render_string("Dear {{attendee.name}}, {{event.name}}", v, 1);
	assert_string_equal(out, "Dear Jo &lt;Jo&gt; &amp; co, E");
	free(out);
	errno = 0;
	assert_null(tpl_render_string("{{oops}}", v, 0));
	assert_int_equal(errno, EINVAL);
	/* Values are not templates: no second expansion. */
	setv(v, "attendee.name", "{{event.name}}");
	out = tpl_render_string("{{attendee.name}}", v, 0);
	assert_string_equal(out, "{{event.name}}");
	free(out);
	tpl_vars_free(v);
}

static void
html_is(const char *text, const char *want)
{
	char *got = tpl_text_to_html(text);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("tpl_text_to_html(\"%s\")\n got \"%s\"\nwant \"%s\"", text, got, want);
	free(got);
}

static void
test_text_to_html(void **state)
{
	(void)state;
	html_is("", "");
	html_is("\n \n\t\n", "");
	html_is("Hello", "<p>Hello</p>\n");
	html_is("a & b <c> \"d\" 'e'\nline 2\n\n\n  \npara 2\n",
	    "<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;<br>\nline 2</p>\n<p>para 2</p>\n");
	html_is("one\r\ntwo\r\n\r\nthree\rfour",
	    "<p>one<br>\ntwo</p>\n<p>three<br>\nfour</p>\n");
	html_is("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
	html_is("bad \xff utf8, bell\x07.", "<p>bad \xef\xbf\xbd utf8, bell.</p>\n");

	/* Links. */
	html_is("See https://example.org/a?x=1&y=2.",
	    "<p>See <a href=\"https://example.org/a?x=1&amp;y=2\">"
	    "https://example.org/a?x=1&amp;y=2</a>.</p>\n");
	html_is("(http://example.org/wiki/A_(b)), ok",
	    "<p>(<a href=\"http://example.org/wiki/A_(b)\">http://example.org/wiki/A_(b)</a>), ok</p>\n");
	html_is("HTTPS://EXAMPLE.ORG",
	    "<p><a href=\"HTTPS://EXAMPLE.ORG\">HTTPS://EXAMPLE.ORG</a></p>\n");
	html_is("https://x.org/\"onmouseover=\"alert(1)",
	    "<p><a href=\"https://x.org/\">https://x.org/</a>&quot;onmouseover=&quot;alert(1)</p>\n");
	html_is("https://x.org/'onmouseover='alert(1)",
	    "<p><a href=\"https://x.org/&#39;onmouseover=&#39;alert(1)\">"
	    "https://x.org/&#39;onmouseover=&#39;alert(1)</a></p>\n");
	html_is("https://x.org/<img>", "<p><a href=\"https://x.org/\">https://x.org/</a>&lt;img&gt;</p>\n");

	/* Not links. */
	html_is("javascript:alert(1)", "<p>javascript:alert(1)</p>\n");
	html_is("JavaScript://example.org/%0aalert(1)",
	    "<p>JavaScript://example.org/%0aalert(1)</p>\n");
	html_is("data:text/html,<b>x</b>", "<p>data:text/html,&lt;b&gt;x&lt;/b&gt;</p>\n");
	html_is("xhttps://example.org", "<p>xhttps://example.org</p>\n");
	html_is("https:// nothing", "<p>https:// nothing</p>\n");
	html_is("https://", "<p>https://</p>\n");
	html_is("ftp://example.org", "<p>ftp://example.org</p>\n");
}

static void
test_render_mailing(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = full_vars();
	char err[512], *subject, *text, *html;

	(void)state;
	setv(v, "attendee.name", "Kim <K> & Co");
	setv(v, "mailing.subject", "Line\none");
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	assert_int_equal(tpl_render_mailing(set,
	    "Dear {{attendee.name}},\n\nSlides: https://example.org/s?a=1&b=2\n"
	    "{{#sessions}}- {{title}}\n{{/sessions}}", v, &subject, &text, &html), 0);
	assert_string_equal(subject, "Line one");
	assert_non_null(strstr(text, "Dear Kim <K> & Co,\n\nSlides: https://example.org/s?a=1&b=2\n"
	    "- Keynote: AI at the bedside\n"));
	assert_non_null(strstr(html, "<p>Dear Kim &lt;K&gt; &amp; Co,</p>\n<p>Slides: "
	    "<a href=\"https://example.org/s?a=1&amp;b=2\">"));
	assert_null(strstr(html, "&amp;lt;"));
	assert_non_null(strstr(html, "https://events.example.org/u/xyz"));
	no_placeholder_left("mailing", "text", text);
	no_placeholder_left("mailing", "html", html);
	free(subject);
	free(text);
	free(html);

	subject = text = html = (char *)1;
	assert_int_equal(tpl_render_mailing(set, "{{bad}}", v, &subject, &text, &html), -1);
	assert_null(subject);
	assert_null(text);
	assert_null(html);
	tpl_free(set);
	tpl_vars_free(v);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* One mailing rendered with the shipped frame; the parts into text/html. */
static void
frame(const struct tpl_set *set, const char *body, struct tpl_vars *v,
    char **text, char **html)
{
	char *subject;

	assert_int_equal(tpl_render_mailing(set, body, v, &subject, text, html), 0);
	no_placeholder_left("mailing", "text", *text);
	no_placeholder_left("mailing", "html", *html);
	free(subject);
}

/*
 * The frame lists a speaker's own sessions exactly once: by itself when
 * the organiser's text does not, never a second time when it does, and
 * not at all for an attendee or a speaker without sessions.
 */
static void
test_mailing_frame_sessions(void **state)
{
	static const char *const listing[] = {
		"{{#sessions}}- {{title}}\n{{/sessions}}",
		"Talks:\n{{#sessions?}}You have some.\n{{/sessions?}}"
		    "{{#sessions}}{{#room}}- {{title}} in {{room}}\n{{/room}}"
		    "{{^room}}- {{title}}\n{{/room}}{{/sessions}}",
	};
	struct tpl_set *set;
	struct tpl_vars *v = full_vars(), *bare;
	char err[512], *text, *html;

	(void)state;
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);

	frame(set, "Dear {{attendee.name}}, thank you for speaking.", v, &text, &html);
	assert_int_equal(count(text, "YOUR SESSIONS"), 1);
	assert_int_equal(count(text, "Keynote: AI at the bedside"), 1);
	assert_int_equal(count(text, "Workshop: FHIR in practice"), 1);
	assert_non_null(strstr(text, "  * 09:30–10:15  Keynote: AI at the bedside (Main hall)\n"));
	assert_non_null(strstr(text, "  * 11:00–12:30  Workshop: FHIR in practice\n"));
	/* After the message, before the footer. */
	assert_true(strstr(text, "thank you for speaking") < strstr(text, "YOUR SESSIONS"));
	assert_true(strstr(text, "YOUR SESSIONS") < strstr(text, "\n--\n"));
	assert_int_equal(count(html, ">Your sessions</h2>"), 1);
	assert_int_equal(count(html, "Keynote: AI at the bedside"), 1);
	assert_int_equal(count(html, "Main hall"), 1);
	assert_int_equal(count(html, "09:30–10:15"), 1);
	free(text);
	free(html);

	for (size_t i = 0; i < sizeof(listing) / sizeof(listing[0]); i++) {
		frame(set, listing[i], v, &text, &html);
		assert_int_equal(count(text, "Keynote: AI at the bedside"), 1);
		assert_int_equal(count(text, "Workshop: FHIR in practice"), 1);
		assert_null(strstr(text, "YOUR SESSIONS"));
		assert_int_equal(count(html, "Keynote: AI at the bedside"), 1);
		assert_null(strstr(html, "Your sessions"));
		free(text);
		free(html);
	}

	/* A section that never ran listed nothing: the frame still does. */
	frame(set, "{{^event.name}}{{#sessions}}- {{title}}\n{{/sessions}}{{/event.name}}Hi.",
	    v, &text, &html);
	assert_int_equal(count(text, "YOUR SESSIONS"), 1);
	assert_int_equal(count(text, "Keynote: AI at the bedside"), 1);
	free(text);
	free(html);
	/* The same variables again: the flag of a listing body does not stick. */
	frame(set, listing[0], v, &text, &html);
	free(text);
	free(html);
	frame(set, "Hi.", v, &text, &html);
	assert_int_equal(count(text, "Keynote: AI at the bedside"), 1);
	free(text);
	free(html);

	/* An attendee's mailing: their sign-ups only where the text asks. */
	setv(v, "speaker.name", NULL);
	frame(set, "Hi.", v, &text, &html);
	assert_null(strstr(text, "Keynote"));
	assert_null(strstr(text, "YOUR SESSIONS"));
	assert_null(strstr(html, "Keynote"));
	assert_null(strstr(html, "Your sessions"));
	free(text);
	free(html);

	/* A speaker with no sessions: no empty heading. */
	assert_non_null(bare = tpl_vars_new());
	setv(bare, "event.name", "Open Data Day");
	setv(bare, "speaker.name", "Sam");
	frame(set, "Hi.", bare, &text, &html);
	assert_null(strstr(text, "YOUR SESSIONS"));
	assert_null(strstr(html, "Your sessions"));
	assert_non_null(strstr(text, "as a speaker at Open Data Day"));
	free(text);
	free(html);
	tpl_vars_free(bare);

	/* Set only after the text is rendered: not for the text to test. */
	assert_int_equal(tpl_check_string("{{#mailing.body_lists_sessions}}x"
	    "{{/mailing.body_lists_sessions}}", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot be used in the text of a mailing"));
	assert_int_equal(tpl_check_string("{{mailing.body_lists_sessions}}", err,
	    sizeof(err)), -1);
	tpl_free(set);
	tpl_vars_free(v);
}

/* ---- many threads render from one set */

struct job {
	const struct tpl_set *set;
	const struct tpl_vars *v;
	const char *want;
	int bad;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	char *html;

	for (int i = 0; i < 200; i++) {
		if (tpl_render(j->set, "confirmed", j->v, NULL, NULL, &html) == -1 ||
		    strcmp(html, j->want) != 0)
			j->bad++;
		free(html);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct tpl_set *set;
	struct tpl_vars *v = full_vars();
	struct job jobs[4];
	pthread_t th[4];
	char err[512], *want;

	(void)state;
	assert_int_equal(tpl_load(SHIPPED, &set, err, sizeof(err)), 0);
	assert_int_equal(tpl_render(set, "confirmed", v, NULL, NULL, &want), 0);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){set, v, want, 0};
		assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].bad, 0);
	}
	free(want);
	tpl_free(set);
	tpl_vars_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_load),
		cmocka_unit_test(test_shipped_render_all),
		cmocka_unit_test(test_shipped_render_sparse),
		cmocka_unit_test(test_escape_per_file_type),
		cmocka_unit_test(test_subject_line_breaks),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_section_html),
		cmocka_unit_test(test_url_vars_in_html),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_vars_api),
		cmocka_unit_test(test_check_and_render_string),
		cmocka_unit_test(test_text_to_html),
		cmocka_unit_test(test_render_mailing),
		cmocka_unit_test(test_mailing_frame_sessions),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
