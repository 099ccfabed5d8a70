/* Unit tests for the pure parts of src/static.c: path safety and MIME types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "static.h"

static void
test_path_ok_accepts(void **state)
{
	static const char *const ok[] = {
		"/", "/index.html", "/app.js", "/docs/", "/docs/guide/", "/a/b/c.css",
		"/img/logo-2x.png", "/e/abc_DEF-123", "/a b.txt", "/caf\xc3\xa9.html",
		"/x.", "/a.b.c", "/~user", NULL,
	};
	int i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++)
		if (!static_path_ok(ok[i]))
			fail_msg("static_path_ok(\"%s\") = 0, want 1", ok[i]);
}

static void
test_path_ok_rejects(void **state)
{
	static const char *const bad[] = {
		"", "index.html", "./index.html", "../etc/passwd",
		"/..", "/../", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/a/../b",
		"/.", "/./", "/a/./b", "/.env", "/.git/config", "/a/.htaccess", "/.well-known/x",
		"//", "//etc/passwd", "/a//b", "/a//", "///",
		"/a\\b", "/..\\..\\windows", "\\",
		"/%2e%2e/etc/passwd", "/a%2fb", "/%00", "/index.html%00.png",
		"/a\x01" "b", "/a\nb", "/a\rb", "/a\tb", "/\x1b", "/a\x7f",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (static_path_ok(bad[i]))
			fail_msg("static_path_ok(\"%s\") = 1, want 0", bad[i]);
}

static void
test_path_ok_length(void **state)
{
	char p[1100];

	(void)state;
	p[0] = '/';
	memset(p + 1, 'a', 1023);
	p[1024] = '\0';
	assert_true(static_path_ok(p));
	memset(p + 1, 'a', 1024);
	p[1025] = '\0';
	assert_false(static_path_ok(p));
}

static void
test_mime(void **state)
{
	static const struct {
		const char *path, *type;
	} cases[] = {
		{"/index.html", "text/html; charset=utf-8"},
		{"/INDEX.HTML", "text/html; charset=utf-8"},
		{"/a/b/style.css", "text/css; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/mod.mjs", "text/javascript; charset=utf-8"},
		{"/data.json", "application/json; charset=utf-8"},
		{"/app.js.map", "application/json; charset=utf-8"},
		{"/logo.svg", "image/svg+xml"},
		{"/logo.png", "image/png"},
		{"/p.jpg", "image/jpeg"},
		{"/p.JPEG", "image/jpeg"},
		{"/favicon.ico", "image/vnd.microsoft.icon"},
		{"/f.woff2", "font/woff2"},
		{"/f.woff", "font/woff"},
		{"/robots.txt", "text/plain; charset=utf-8"},
		{"/site.webmanifest", "application/manifest+json"},
		{"/beep.wav", "audio/wav"},
		{"/m.wasm", "application/wasm"},
		{"/doc.pdf", "application/pdf"},
		/* Unknown or no extension. */
		{"/README", "application/octet-stream"},
		{"/archive.tar.gz", "application/octet-stream"},
		{"/x.htm", "application/octet-stream"},
		{"/x.html5", "application/octet-stream"},
		{"/x.", "application/octet-stream"},
		{"/v1.2/readme", "application/octet-stream"},   /* dot in a directory */
		{"/a.html/b", "application/octet-stream"},
		{"", "application/octet-stream"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(static_mime(cases[i].path), cases[i].type) != 0)
			fail_msg("static_mime(\"%s\") = \"%s\", want \"%s\"", cases[i].path,
			    static_mime(cases[i].path), cases[i].type);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_ok_accepts),
		cmocka_unit_test(test_path_ok_rejects),
		cmocka_unit_test(test_path_ok_length),
		cmocka_unit_test(test_mime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
