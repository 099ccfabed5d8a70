/*
 * The mail template engine (src/template.c).  Input: a mode byte, then a
 * template, a NUL, and a JSON object of values: {"attendee.name": "…",
 * "sessions": [{"title": "…", …}], "lang": "sl"} (names outside the
 * table are refused by tpl_set_var, as they would be in the mailer).
 *   mode 0  the template as an organiser's mailing body: tpl_check_string,
 *           tpl_render_string as text and as HTML
 *   mode 1  the template as plain text for tpl_text_to_html
 *   mode 2  the template as a mailing body in the shipped mail-templates
 *           frame (tpl_render_mailing)
 *   mode 3  the values alone, in every shipped kind (tpl_render)
 *   mode 4  the template as one file of a template directory
 *           (confirmed.subject/.txt/.html or a partial), through tpl_load
 * Properties: check and render agree; a subject is one line without
 * controls; values in HTML never add markup ('<' only where the template
 * has it); tpl_text_to_html makes only <p>, <br> and http(s) <a> tags; no
 * href in HTML mail is javascript: or data:.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "i18n.h"
#include "template.h"
#include "validate.h"

#include "fuzz.h"

static const char *const kinds[] = {TPL_KINDS};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
static struct tpl_set *shipped;
static char tmpdir[64];

static void
write_file(const char *name, const char *content, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(content, 1, len, f) != len ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write %s\n", path);
		abort();
	}
}

static const char *const exts[] = {"subject", "txt", "html"};

static void
trivial_files(void)
{
	char name[64];

	for (size_t k = 0; k < NKINDS; k++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(name, sizeof(name), "%s.%s", kinds[k], exts[e]);
			write_file(name, e == 0 ? "Subject\n" : "Body\n", e == 0 ? 8 : 5);
		}
	write_file("_p.html", "<b>{{attendee.name}}</b>\n", 25);
	write_file("_p.txt", "{{attendee.name}}\n", 18);
}

static void
remove_tmpdir(void)
{
	char path[128];

	for (size_t k = 0; k < NKINDS; k++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(path, sizeof(path), "%s/%s.%s", tmpdir, kinds[k], exts[e]);
			unlink(path);
		}
	snprintf(path, sizeof(path), "%s/_p.html", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/_p.txt", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512], dir[512];

	(void)argc;
	(void)argv;
	if (i18n_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/mail-templates", fz_top());
	if (tpl_load(dir, &shipped, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		exit(1);
	}
	/* A directory of this process's own (removed at exit). */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/confero-fuzz-tpl-%ld", (long)getpid());
	if (mkdir(tmpdir, 0700) != 0 && errno != EEXIST) {
		perror("mkdir");
		exit(1);
	}
	trivial_files();
	atexit(remove_tmpdir);
	return 0;
}

static struct tpl_vars *
vars_from(const char *json, size_t len)
{
	struct tpl_vars *v = tpl_vars_new();
	cJSON *o = cJSON_ParseWithLength(json, len), *it, *item, *f;
	const char *names[8], *values[8];
	size_t n;

	if (v == NULL)
		abort();
	cJSON *obj = cJSON_IsObject(o) ? o : NULL;

	cJSON_ArrayForEach(it, obj) {
		if (it->string == NULL)
			continue;
		if (strcmp(it->string, "lang") == 0 && cJSON_IsString(it))
			tpl_set_lang(v, i18n_match(it->valuestring, -1));
		else if (cJSON_IsString(it))
			tpl_set_var(v, it->string, it->valuestring);
		else if (cJSON_IsNull(it))
			tpl_set_var(v, it->string, NULL);
		else if (cJSON_IsArray(it)) {
			cJSON_ArrayForEach(item, it) {
				n = 0;
				cJSON_ArrayForEach(f, item) {
					if (n < 8 && f->string != NULL) {
						names[n] = f->string;
						values[n] = cJSON_IsString(f) ? f->valuestring : NULL;
						n++;
					}
				}
				tpl_add_item(v, it->string, names, values, n);
			}
		}
	}
	cJSON_Delete(o);
	return v;
}

static void
check_subject(const char *s)
{
	FZ_ASSERT(s != NULL, "no subject");
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		FZ_ASSERT(*p >= 0x20 && *p != 0x7f, "control 0x%02x in a subject: \"%s\"", *p, s);
}

/*
 * No href that a mail client would run or inline.  Values cannot make a
 * tag (they are escaped), so every tag is the template's: look at the
 * href attribute of each.
 */
static void
check_hrefs(const char *html)
{
	for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
		const char *end = strchr(p, '>'), *h;
		if (end == NULL)
			break;
		for (h = p; (h = strstr(h, " href=")) != NULL && h < end; h += 6) {
			const char *v = h + 6;
			while (*v == '"' || *v == '\'' || *v == ' ')
				v++;
			FZ_ASSERT(strncasecmp(v, "javascript:", 11) != 0 &&
			    strncasecmp(v, "data:", 5) != 0 && strncasecmp(v, "vbscript:", 9) != 0,
			    "a dangerous href: %.60s", h);
		}
	}
}

static void
mode_string(const char *tpl, const struct tpl_vars *v)
{
	char err[256];
	char *text, *html;
	int ok = tpl_check_string(tpl, err, sizeof(err)) == 0;

	if (!ok)
		FZ_ASSERT(strncmp(err, "line ", 5) == 0, "error without a line: \"%s\"", err);
	text = tpl_render_string(tpl, v, 0);
	html = tpl_render_string(tpl, v, 1);
	FZ_ASSERT((text != NULL) == ok && (html != NULL) == ok,
	    "check says %d, render gave %p/%p", ok, (void *)text, (void *)html);
	if (html != NULL && strpbrk(tpl, "<>") == NULL)
		FZ_ASSERT(strpbrk(html, "<>") == NULL, "a value added markup: \"%.100s\"", html);
	free(text);
	free(html);
}

static void
mode_text_to_html(const char *text)
{
	char *h = tpl_text_to_html(text);
	const char *p;

	FZ_ASSERT(h != NULL, "tpl_text_to_html failed");
	FZ_ASSERT(utf8_valid(h, strlen(h)), "not UTF-8");
	for (p = h; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		FZ_ASSERT(c >= 0x20 || c == '\n' || c == '\t', "control 0x%02x in the HTML", c);
		if (c != '<')
			continue;
		if (strncmp(p, "<p>", 3) == 0 || strncmp(p, "</p>", 4) == 0 ||
		    strncmp(p, "<br>", 4) == 0 || strncmp(p, "</a>", 4) == 0)
			continue;
		/* Schemes ignore case (RFC 3986): "HTTPS://" is a link too. */
		FZ_ASSERT(strncasecmp(p, "<a href=\"http://", 16) == 0 ||
		    strncasecmp(p, "<a href=\"https://", 17) == 0, "a tag we never make: %.40s", p);
		{
			const char *q = strchr(p + 9, '"');
			FZ_ASSERT(q != NULL && q[1] == '>', "an href that does not end: %.60s", p);
			FZ_ASSERT(memchr(p + 9, '<', (size_t)(q - p - 9)) == NULL &&
			    memchr(p + 9, '>', (size_t)(q - p - 9)) == NULL, "markup in an href");
		}
	}
	free(h);
}

/*
 * lax 1: the template text itself has control characters (an admin's
 * file); only values are promised to be cleaned, and mime.c cleans the
 * Subject header again anyway.  lax 2: it also writes a dangerous scheme
 * itself, so its hrefs are not checked.
 */
static void
check_rendered(char *subject, char *text, char *html, int lax)
{
	if (!lax)
		check_subject(subject);
	else
		FZ_ASSERT(subject != NULL && strpbrk(subject, "\r\n") == NULL,
		    "a line break in a subject");
	FZ_ASSERT(text != NULL && html != NULL, "a part is missing");
	if (lax < 2)
		check_hrefs(html);
	free(subject);
	free(text);
	free(html);
}

static void
mode_mailing(const char *tpl, struct tpl_vars *v)
{
	char err[256], *subject = NULL, *text = NULL, *html = NULL;

	if (tpl_check_string(tpl, err, sizeof(err)) != 0)
		return;
	FZ_ASSERT(tpl_render_mailing(shipped, tpl, v, &subject, &text, &html) == 0,
	    "tpl_render_mailing failed: %d", errno);
	check_rendered(subject, text, html, 0);
}

static void
mode_kinds(const struct tpl_vars *v, unsigned sel)
{
	char *subject = NULL, *text = NULL, *html = NULL;
	const char *kind = kinds[sel % NKINDS];

	FZ_ASSERT(tpl_render(shipped, kind, v, &subject, &text, &html) == 0, "tpl_render %s", kind);
	check_rendered(subject, text, html, 0);
}

static void
mode_file(const char *tpl, size_t len, const struct tpl_vars *v, unsigned sel)
{
	static const char *const files[] = {"confirmed.subject", "confirmed.txt",
		"confirmed.html", "_p.html", "_p.txt"};
	static const char *const orig[] = {"Subject\n", "Body\n", "Body\n",
		"<b>{{attendee.name}}</b>\n", "{{attendee.name}}\n"};
	const char *file = files[sel % 5];
	char err[512], *subject = NULL, *text = NULL, *html = NULL;
	struct tpl_set *set = NULL;

	write_file(file, tpl, len);
	/* The partials only count when a kind uses them. */
	if (sel % 5 >= 3) {
		write_file("confirmed.html", "<p>{{> p}}</p>\n", 15);
		write_file("confirmed.txt", "{{> p}}\n", 8);
	}
	err[0] = '\0';
	if (tpl_load(tmpdir, &set, err, sizeof(err)) == 0) {
		FZ_ASSERT(set != NULL, "no set");
		int lax = 0;
		for (size_t i = 0; i < len; i++)
			lax |= ((unsigned char)tpl[i] < 0x20 && tpl[i] != '\n') || tpl[i] == 0x7f;
		/* A dangerous scheme the template writes itself is its author's. */
		if (strcasestr(tpl, "javascript:") || strcasestr(tpl, "data:") ||
		    strcasestr(tpl, "vbscript:"))
			lax = 2;
		FZ_ASSERT(tpl_render(set, "confirmed", v, &subject, &text, &html) == 0, "render");
		check_rendered(subject, text, html, lax);
		tpl_free(set);
	} else
		FZ_ASSERT(err[0] != '\0' && strlen(err) < sizeof(err), "a load error without a message");
	write_file(file, orig[sel % 5], strlen(orig[sel % 5]));
	if (sel % 5 >= 3) {
		write_file("confirmed.html", "Body\n", 5);
		write_file("confirmed.txt", "Body\n", 5);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpl_vars *v;
	char *s, *json;
	size_t jlen, tlen;

	if (size < 1 || size > 65536)
		return 0;
	s = fz_str(data + 1, size - 1);
	tlen = strlen(s);
	fz_split(s, size - 1, &json, &jlen);
	v = vars_from(json, jlen);
	switch (data[0] % 5) {
	case 0:
		mode_string(s, v);
		break;
	case 1:
		mode_text_to_html(s);
		break;
	case 2:
		mode_mailing(s, v);
		break;
	case 3:
		mode_kinds(v, data[0] / 5);
		break;
	default:
		mode_file(s, tlen, v, data[0] / 5);
		break;
	}
	tpl_vars_free(v);
	free(s);
	return 0;
}
