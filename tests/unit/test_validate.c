/* Unit tests for src/validate.c: UTF-8, email, text and the vld_* validators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

/* utf8_valid over the whole literal (sizeof - 1 keeps embedded NULs). */
#define U8OK(lit) assert_true(utf8_valid((lit), sizeof(lit) - 1))
#define U8BAD(lit) assert_false(utf8_valid((lit), sizeof(lit) - 1))

static void
test_utf8_valid_accepts(void **state)
{
	(void)state;
	U8OK("");
	U8OK("plain ASCII text ~!@#");
	U8OK("a\0b");                        /* NUL is a valid code point */
	U8OK("\x7f");
	U8OK("\xc2\x80");                    /* U+0080, smallest 2-byte */
	U8OK("\xc2\xa9");                    /* © */
	U8OK("\xc5\xbe");                    /* ž */
	U8OK("\xdf\xbf");                    /* U+07FF, largest 2-byte */
	U8OK("\xe0\xa0\x80");                /* U+0800, smallest 3-byte */
	U8OK("\xe2\x82\xac");                /* € */
	U8OK("\xed\x9f\xbf");                /* U+D7FF, just below surrogates */
	U8OK("\xee\x80\x80");                /* U+E000, just above surrogates */
	U8OK("\xef\xbf\xbf");                /* U+FFFF */
	U8OK("\xf0\x90\x80\x80");            /* U+10000, smallest 4-byte */
	U8OK("\xf0\x9f\x98\x80");            /* 😀 */
	U8OK("\xf4\x8f\xbf\xbf");            /* U+10FFFF, the last code point */
	U8OK("a\xc5\xbe\xe2\x82\xac\xf0\x9f\x98\x80z");
}

static void
test_utf8_valid_rejects(void **state)
{
	(void)state;
	/* Overlong encodings. */
	U8BAD("\xc0\x80");
	U8BAD("\xc0\xaf");
	U8BAD("\xc1\xbf");
	U8BAD("\xe0\x80\x80");
	U8BAD("\xe0\x80\xaf");
	U8BAD("\xe0\x9f\xbf");               /* U+07FF in 3 bytes */
	U8BAD("\xf0\x80\x80\x80");
	U8BAD("\xf0\x8f\xbf\xbf");           /* U+FFFF in 4 bytes */
	/* UTF-16 surrogates. */
	U8BAD("\xed\xa0\x80");               /* U+D800 */
	U8BAD("\xed\xad\xbf");               /* U+DB7F */
	U8BAD("\xed\xb0\x80");               /* U+DC00 */
	U8BAD("\xed\xbf\xbf");               /* U+DFFF */
	U8BAD("\xed\xa0\xbd\xed\xb8\x80");   /* CESU-8 pair for 😀 */
	/* Beyond U+10FFFF and invalid lead bytes. */
	U8BAD("\xf4\x90\x80\x80");           /* U+110000 */
	U8BAD("\xf5\x80\x80\x80");
	U8BAD("\xf7\xbf\xbf\xbf");
	U8BAD("\xf8\x88\x80\x80\x80");       /* 5-byte form */
	U8BAD("\xfc\x84\x80\x80\x80\x80");   /* 6-byte form */
	U8BAD("\xfe");
	U8BAD("\xff");
	/* Lone continuation bytes. */
	U8BAD("\x80");
	U8BAD("\xbf");
	U8BAD("a\x80z");
	U8BAD("\xc2\xa9\xa9");               /* one continuation too many */
	/* Truncated sequences, at the end and in the middle. */
	U8BAD("\xc2");
	U8BAD("\xe2\x82");
	U8BAD("\xf0\x9f\x98");
	U8BAD("abc\xf0\x9f");
	U8BAD("\xe2\x82z");
	U8BAD("\xc2 ");
	U8BAD("\xf0\x9f\x98\xe2\x82\xac");
	U8BAD("\xe2\x82\x00");
}

static void
test_utf8_valid_respects_len(void **state)
{
	(void)state;
	/* A sequence cut by len is truncated even when the bytes follow. */
	assert_false(utf8_valid("\xe2\x82\xac", 2));
	assert_false(utf8_valid("\xf0\x9f\x98\x80", 3));
	assert_false(utf8_valid("\xc2\xa9", 1));
	/* Bytes beyond len are not looked at. */
	assert_true(utf8_valid("ab\xff", 2));
	assert_true(utf8_valid("\xff", 0));
	assert_true(utf8_valid("\xe2\x82\xac\xff", 3));
}

static void
test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_len("abc"), 3);
	assert_int_equal(utf8_len("\xc5\xbe"), 1);
	assert_int_equal(utf8_len("\xe2\x82\xac"), 1);
	assert_int_equal(utf8_len("\xf0\x9f\x98\x80"), 1);
	assert_int_equal(utf8_len("a\xc5\xbe\xe2\x82\xac\xf0\x9f\x98\x80z"), 5);
	assert_int_equal(utf8_len("\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe"
	    "\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe"), 10);
}

/* ---- email ---- */

static char *
rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
test_email_valid_accepts(void **state)
{
	static const char *const ok[] = {
		"a@b.co",
		"user@example.com",
		"USER@EXAMPLE.COM",
		"user+tag@example.com",
		"user+tag+more@example.com",
		"first.last@example.com",
		"a.b.c@sub.domain.example.org",
		"x@a.b.c.d.e.f",
		"o'brien@example.ie",
		"a_b-c@ex-ample.com",
		"1234@123.example",
		"!#$%&'*+/=?^_`{|}~-@example.com",
		"user@xn--bcher-kva.example",
		"user@b\xc3\xbc" "cher.de",                  /* bücher.de */
		"user@\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", /* 例え.テスト */
		"user@a-b-c.example",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++)
		if (!email_valid(ok[i]))
			fail_msg("email_valid(\"%s\") = 0, want 1", ok[i]);
}

static void
test_email_valid_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"a",
		"@",
		"a@",
		"@b.com",
		"plainaddress",
		"example.com",
		"a@@b.com",
		"a@b@c.com",
		"a@b.com@c.com",
		".a@b.com",
		"a.@b.com",
		"a..b@c.com",
		".@b.com",
		"a@.b.com",
		"a@b..com",
		"a@b.com.",
		"a@.",
		"a@-b.com",
		"a@b-.com",
		"a@b.-c.com",
		"a@b.c-",
		"a@localhost",
		"a@com",
		"a b@c.com",
		" a@b.com",
		"a@b.com ",
		"a@b .com",
		"a@b.c om",
		"a@b.com\r\nBcc: victim@example.com",
		"a\r\n@b.com",
		"a@b.com\n",
		"a@b.com\r",
		"a\t@b.com",
		"a@b\t.com",
		"\"quoted\"@b.com",
		"a(comment)@b.com",
		"a,b@c.com",
		"a;b@c.com",
		"a:b@c.com",
		"<a@b.com>",
		"a@b.com>",
		"a@[192.0.2.1]",
		"a@b_c.com",
		"a@b/c.com",
		"a@b\\c.com",
		"a@b\xff.com",                 /* invalid UTF-8 in the domain */
		"a@b\xc3.com",                 /* truncated UTF-8 */
		"a@\xed\xa0\x80.com",          /* surrogate */
		"\xc3\xa9@b.com",              /* non-ASCII local part */
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (email_valid(bad[i]))
			fail_msg("email_valid(\"%s\") = 1, want 0", bad[i]);
}

static void
test_email_valid_lengths(void **state)
{
	char local[80], l63[70], l64[70], l57[70], l58[70], addr[400];

	(void)state;
	/* Local part: 64 ok, 65 not. */
	snprintf(addr, sizeof(addr), "%s@example.com", rep(local, 'a', 64));
	assert_true(email_valid(addr));
	snprintf(addr, sizeof(addr), "%s@example.com", rep(local, 'a', 65));
	assert_false(email_valid(addr));

	/* Domain label: 63 ok, 64 not. */
	snprintf(addr, sizeof(addr), "a@%s.com", rep(l63, 'b', 63));
	assert_true(email_valid(addr));
	snprintf(addr, sizeof(addr), "a@%s.com", rep(l64, 'b', 64));
	assert_false(email_valid(addr));
	snprintf(addr, sizeof(addr), "a@example.%s", rep(l64, 'b', 64));
	assert_false(email_valid(addr));

	/* Whole address: 254 ok, 255 not (64 + 1 + 63+1+63+1+57or58+4). */
	rep(local, 'a', 64);
	rep(l63, 'b', 63);
	snprintf(addr, sizeof(addr), "%s@%s.%s.%s.com", local, l63, l63, rep(l57, 'c', 57));
	assert_int_equal(strlen(addr), 254);
	assert_true(email_valid(addr));
	snprintf(addr, sizeof(addr), "%s@%s.%s.%s.com", local, l63, l63, rep(l58, 'c', 58));
	assert_int_equal(strlen(addr), 255);
	assert_false(email_valid(addr));
}

/* ---- text ---- */

static void
test_text_line_valid(void **state)
{
	static const char *const ok[] = {
		"", "Hello, world!", "Caf\xc3\xa9 \xc5\xbe \xe2\x82\xac \xf0\x9f\x98\x80",
		"a\xc2\xa0" "b",                  /* U+00A0 no-break space */
		"\xc2\xa0", "~", "x\xe2\x80\xa7y", /* U+2027 is fine */
		NULL,
	};
	static const char *const bad[] = {
		"\r", "\n", "\t", "a\nb", "a\r\nb", "tab\there", "\x01", "\x1b[31m",
		"\x1f", "\x7f", "a\x7f",
		"\xc2\x80", "\xc2\x85", "\xc2\x9f", "x\xc2\x9bz",   /* C1 */
		"\xe2\x80\xa8", "a\xe2\x80\xa8" "b",               /* U+2028 */
		"\xe2\x80\xa9",                                     /* U+2029 */
		"\xff", "\xc0\xaf", "\xed\xa0\x80", "abc\xe2\x82",  /* bad UTF-8 */
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++)
		if (!text_line_valid(ok[i]))
			fail_msg("text_line_valid(ok[%d]) = 0", i);
	for (i = 0; bad[i] != NULL; i++)
		if (text_line_valid(bad[i]))
			fail_msg("text_line_valid(bad[%d]) = 1", i);
}

static void
test_text_block_valid(void **state)
{
	static const char *const ok[] = {
		"", "one line", "a\nb", "a\r\nb\r\n", "\tindented\n\ttwice",
		"\xc5\xbe\n\xe2\x82\xac\t\xf0\x9f\x98\x80\r\n", "\n\n\n",
		NULL,
	};
	static const char *const bad[] = {
		"\x01", "\x0b", "\x0c", "a\x1b" "b", "\x7f", "x\x08y",
		"\xc2\x80", "\xc2\x85", "a\nb\xc2\x9f",
		"\xff", "\xc0\x8a", "\xed\xbf\xbf", "\n\xe2\x82",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++)
		if (!text_block_valid(ok[i]))
			fail_msg("text_block_valid(ok[%d]) = 0", i);
	for (i = 0; bad[i] != NULL; i++)
		if (text_block_valid(bad[i]))
			fail_msg("text_block_valid(bad[%d]) = 1", i);
}

/* ---- vld_* ---- */

struct fx {
	struct vld v;
	cJSON *obj;
};

static struct fx *
fx_new(const char *json)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->v.errors = cJSON_CreateObject();
	f->v.nerr = 0;
	f->obj = cJSON_Parse(json);
	if (f->obj == NULL)
		fail_msg("bad fixture JSON: %s", json);
	return f;
}

static void
fx_free(struct fx *f)
{
	cJSON_Delete(f->obj);
	cJSON_Delete(f->v.errors);
	free(f);
}

/* The error code recorded for field, or NULL. */
static const char *
errcode(const struct fx *f, const char *field)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(f->v.errors, field);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void
test_vld_line_basic(void **state)
{
	struct fx *f = fx_new("{\"name\":\"Alice\",\"empty\":\"\",\"blank\":\"   \","
	    "\"nl\":\"a\\nb\",\"nul\":null}");
	const char *s;

	(void)state;
	s = vld_line(&f->v, f->obj, "name", 1, 100);
	assert_non_null(s);
	assert_string_equal(s, "Alice");
	assert_int_equal(f->v.nerr, 0);
	assert_int_equal(cJSON_GetArraySize(f->v.errors), 0);

	/* Optional and absent / null: NULL without an error. */
	assert_null(vld_line(&f->v, f->obj, "missing", 0, 100));
	assert_null(vld_line(&f->v, f->obj, "nul", 0, 100));
	assert_int_equal(f->v.nerr, 0);

	/* Optional and empty or blank: accepted as is. */
	s = vld_line(&f->v, f->obj, "empty", 0, 100);
	assert_non_null(s);
	assert_string_equal(s, "");
	s = vld_line(&f->v, f->obj, "blank", 0, 100);
	assert_non_null(s);
	assert_int_equal(f->v.nerr, 0);

	/* Required and absent, null, empty or blank: "required". */
	assert_null(vld_line(&f->v, f->obj, "missing", 1, 100));
	assert_string_equal(errcode(f, "missing"), "required");
	assert_null(vld_line(&f->v, f->obj, "nul", 1, 100));
	assert_string_equal(errcode(f, "nul"), "required");
	assert_null(vld_line(&f->v, f->obj, "empty", 1, 100));
	assert_string_equal(errcode(f, "empty"), "required");
	assert_null(vld_line(&f->v, f->obj, "blank", 1, 100));
	assert_string_equal(errcode(f, "blank"), "required");
	assert_int_equal(f->v.nerr, 4);

	/* A line may not hold a newline; a text block may. */
	assert_null(vld_line(&f->v, f->obj, "nl", 1, 100));
	assert_string_equal(errcode(f, "nl"), "invalid_characters");
	assert_int_equal(f->v.nerr, 5);
	fx_free(f);
}

static void
test_vld_text_block(void **state)
{
	struct fx *f = fx_new("{\"d\":\"line 1\\r\\nline 2\\n\\tx\",\"c\":\"\\u0001\","
	    "\"c1\":\"\\u0085\",\"ws\":\"\\n\\t \\r\\n\"}");
	const char *s;

	(void)state;
	s = vld_text(&f->v, f->obj, "d", 1, 1000);
	assert_non_null(s);
	assert_string_equal(s, "line 1\r\nline 2\n\tx");
	assert_int_equal(f->v.nerr, 0);
	assert_null(vld_text(&f->v, f->obj, "c", 1, 1000));
	assert_string_equal(errcode(f, "c"), "invalid_characters");
	assert_null(vld_text(&f->v, f->obj, "c1", 1, 1000));
	assert_string_equal(errcode(f, "c1"), "invalid_characters");
	assert_int_equal(f->v.nerr, 2);
	/* Only whitespace is not a value for a required text... */
	assert_null(vld_text(&f->v, f->obj, "ws", 1, 1000));
	assert_string_equal(errcode(f, "ws"), "required");
	assert_int_equal(f->v.nerr, 3);
	/* ...but is kept verbatim when optional. */
	assert_string_equal(vld_text(&f->v, f->obj, "ws", 0, 1000), "\n\t \r\n");
	assert_int_equal(f->v.nerr, 3);
	fx_free(f);
}

static void
test_vld_str_wrong_types(void **state)
{
	struct fx *f = fx_new("{\"n\":5,\"b\":true,\"a\":[\"x\"],\"o\":{\"x\":\"y\"},\"f\":false}");
	static const char *const keys[] = {"n", "b", "a", "o", "f"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_null(vld_line(&f->v, f->obj, keys[i], 0, 100));
		assert_string_equal(errcode(f, keys[i]), "not_a_string");
	}
	assert_int_equal(f->v.nerr, 5);
	/* vld_text too. */
	assert_null(vld_text(&f->v, f->obj, "n", 1, 100));
	assert_int_equal(f->v.nerr, 6);
	fx_free(f);
}

static void
test_vld_too_long_counts_code_points(void **state)
{
	/* ž is 2 bytes, 😀 4 bytes. */
	struct fx *f = fx_new("{"
	    "\"z10\":\"\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\","
	    "\"z11\":\"\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\xc5\xbe\","
	    "\"e10\":\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"
	    "\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\","
	    "\"a10\":\"abcdefghij\",\"a11\":\"abcdefghijk\"}");
	const char *s;

	(void)state;
	s = vld_line(&f->v, f->obj, "z10", 1, 10);
	assert_non_null(s);
	assert_int_equal(strlen(s), 20);
	s = vld_line(&f->v, f->obj, "e10", 1, 10);
	assert_non_null(s);
	assert_int_equal(strlen(s), 40);
	assert_non_null(vld_line(&f->v, f->obj, "a10", 1, 10));
	assert_non_null(vld_text(&f->v, f->obj, "z10", 1, 10));
	assert_int_equal(f->v.nerr, 0);

	assert_null(vld_line(&f->v, f->obj, "z11", 1, 10));
	assert_string_equal(errcode(f, "z11"), "too_long");
	assert_null(vld_line(&f->v, f->obj, "a11", 0, 10));
	assert_string_equal(errcode(f, "a11"), "too_long");
	assert_null(vld_text(&f->v, f->obj, "e10", 0, 9));
	assert_string_equal(errcode(f, "e10"), "too_long");
	assert_int_equal(f->v.nerr, 3);
	fx_free(f);
}

static void
test_vld_email(void **state)
{
	char json[600], local[80], l63[70];
	struct fx *f = fx_new("{\"ok\":\"user+x@example.com\",\"bad\":\"not-an-email\","
	    "\"num\":42,\"nl\":\"a@b.com\\nBcc: c@d.com\",\"blank\":\" \"}");
	const char *s;

	(void)state;
	s = vld_email(&f->v, f->obj, "ok", 1);
	assert_non_null(s);
	assert_string_equal(s, "user+x@example.com");
	assert_int_equal(f->v.nerr, 0);
	assert_null(vld_email(&f->v, f->obj, "absent", 0));
	assert_int_equal(f->v.nerr, 0);

	assert_null(vld_email(&f->v, f->obj, "bad", 1));
	assert_string_equal(errcode(f, "bad"), "invalid");
	assert_int_equal(f->v.nerr, 1);
	/* A type error is reported once, not also as "invalid". */
	assert_null(vld_email(&f->v, f->obj, "num", 1));
	assert_string_equal(errcode(f, "num"), "not_a_string");
	assert_int_equal(f->v.nerr, 2);
	assert_null(vld_email(&f->v, f->obj, "nl", 1));
	assert_string_equal(errcode(f, "nl"), "invalid_characters");
	assert_int_equal(f->v.nerr, 3);
	assert_null(vld_email(&f->v, f->obj, "absent", 1));
	assert_string_equal(errcode(f, "absent"), "required");
	assert_null(vld_email(&f->v, f->obj, "blank", 1));
	assert_string_equal(errcode(f, "blank"), "required");
	assert_int_equal(f->v.nerr, 5);
	fx_free(f);

	/* 255 characters: too long. */
	rep(local, 'a', 64);
	rep(l63, 'b', 63);
	snprintf(json, sizeof(json), "{\"e\":\"%s@%s.%s.%.58s.com\"}", local, l63, l63,
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	f = fx_new(json);
	assert_null(vld_email(&f->v, f->obj, "e", 1));
	assert_string_equal(errcode(f, "e"), "too_long");
	assert_int_equal(f->v.nerr, 1);
	fx_free(f);
}

static void
test_vld_enum(void **state)
{
	static const char *const choices[] = {"draft", "published", "cancelled", NULL};
	struct fx *f = fx_new("{\"a\":\"draft\",\"b\":\"cancelled\",\"c\":\"Published\","
	    "\"d\":1,\"e\":null,\"f\":\"\",\"g\":[\"draft\"],\"h\":\"draft \"}");

	(void)state;
	assert_int_equal(vld_enum(&f->v, f->obj, "a", choices, 1, -7), 0);
	assert_int_equal(vld_enum(&f->v, f->obj, "b", choices, 1, -7), 2);
	assert_int_equal(vld_enum(&f->v, f->obj, "missing", choices, 0, 1), 1);
	assert_int_equal(vld_enum(&f->v, f->obj, "e", choices, 0, 2), 2);
	assert_int_equal(f->v.nerr, 0);

	assert_int_equal(vld_enum(&f->v, f->obj, "c", choices, 1, 0), -1);
	assert_string_equal(errcode(f, "c"), "invalid");
	assert_int_equal(vld_enum(&f->v, f->obj, "d", choices, 0, 0), -1);
	assert_string_equal(errcode(f, "d"), "invalid");
	assert_int_equal(vld_enum(&f->v, f->obj, "f", choices, 0, 0), -1);
	assert_string_equal(errcode(f, "f"), "invalid");
	assert_int_equal(vld_enum(&f->v, f->obj, "g", choices, 0, 0), -1);
	assert_string_equal(errcode(f, "g"), "invalid");
	assert_int_equal(vld_enum(&f->v, f->obj, "h", choices, 0, 0), -1);
	assert_string_equal(errcode(f, "h"), "invalid");
	assert_int_equal(vld_enum(&f->v, f->obj, "missing", choices, 1, 0), -1);
	assert_string_equal(errcode(f, "missing"), "required");
	assert_int_equal(vld_enum(&f->v, f->obj, "e", choices, 1, 0), -1);
	assert_string_equal(errcode(f, "e"), "required");
	assert_int_equal(f->v.nerr, 7);
	fx_free(f);
}

static void
test_vld_bool(void **state)
{
	struct fx *f = fx_new("{\"t\":true,\"f\":false,\"n\":null,\"one\":1,\"s\":\"true\",\"z\":0}");

	(void)state;
	assert_int_equal(vld_bool(&f->v, f->obj, "t", 1, 0), 1);
	assert_int_equal(vld_bool(&f->v, f->obj, "f", 1, 1), 0);
	assert_int_equal(vld_bool(&f->v, f->obj, "missing", 0, 1), 1);
	assert_int_equal(vld_bool(&f->v, f->obj, "missing", 0, 0), 0);
	assert_int_equal(vld_bool(&f->v, f->obj, "n", 0, 1), 1);
	assert_int_equal(f->v.nerr, 0);

	assert_int_equal(vld_bool(&f->v, f->obj, "one", 0, 0), -1);
	assert_string_equal(errcode(f, "one"), "not_a_boolean");
	assert_int_equal(vld_bool(&f->v, f->obj, "z", 0, 0), -1);
	assert_string_equal(errcode(f, "z"), "not_a_boolean");
	assert_int_equal(vld_bool(&f->v, f->obj, "s", 0, 0), -1);
	assert_string_equal(errcode(f, "s"), "not_a_boolean");
	assert_int_equal(vld_bool(&f->v, f->obj, "missing", 1, 0), -1);
	assert_string_equal(errcode(f, "missing"), "required");
	assert_int_equal(vld_bool(&f->v, f->obj, "n", 1, 0), -1);
	assert_string_equal(errcode(f, "n"), "required");
	assert_int_equal(f->v.nerr, 5);
	fx_free(f);
}

static void
test_vld_int_ok(void **state)
{
	struct fx *f = fx_new("{\"a\":5,\"neg\":-5,\"zero\":-0,\"f\":7.0,\"e\":1e2,"
	    "\"big\":9007199254740992,\"nbig\":-9007199254740992,\"lo\":1,\"hi\":10,\"n\":null}");
	int present = -1;

	(void)state;
	assert_int_equal(vld_int(&f->v, f->obj, "a", 1, 1, 10, 0, &present), 5);
	assert_int_equal(present, 1);
	assert_int_equal(vld_int(&f->v, f->obj, "neg", 1, -10, 10, 0, NULL), -5);
	assert_int_equal(vld_int(&f->v, f->obj, "zero", 1, 0, 10, 3, NULL), 0);
	assert_int_equal(vld_int(&f->v, f->obj, "f", 1, 0, 10, 0, NULL), 7);
	assert_int_equal(vld_int(&f->v, f->obj, "e", 1, 0, 1000, 0, NULL), 100);
	assert_int_equal(vld_int(&f->v, f->obj, "lo", 1, 1, 10, 0, NULL), 1);
	assert_int_equal(vld_int(&f->v, f->obj, "hi", 1, 1, 10, 0, NULL), 10);
	assert_true(vld_int(&f->v, f->obj, "big", 1, 0, INT64_MAX, 0, NULL) == 9007199254740992LL);
	assert_true(vld_int(&f->v, f->obj, "nbig", 1, INT64_MIN, 0, 0, NULL) == -9007199254740992LL);
	assert_int_equal(f->v.nerr, 0);

	/* Absent or null, optional: the default, present = 0. */
	present = -1;
	assert_int_equal(vld_int(&f->v, f->obj, "missing", 0, 1, 10, 77, &present), 77);
	assert_int_equal(present, 0);
	present = -1;
	assert_int_equal(vld_int(&f->v, f->obj, "n", 0, 1, 10, 78, &present), 78);
	assert_int_equal(present, 0);
	assert_int_equal(f->v.nerr, 0);
	fx_free(f);
}

static void
test_vld_int_errors(void **state)
{
	struct fx *f = fx_new("{\"half\":1.5,\"huge\":1e300,\"nhuge\":-1e300,\"big\":1e16,"
	    "\"tiny\":1e-300,\"s\":\"5\",\"b\":true,\"arr\":[1],\"lo\":0,\"hi\":11,"
	    "\"n\":null,\"neg\":-0.5,\"over\":9007199254740994}");
	static const struct {
		const char *key, *code;
	} cases[] = {
		{"half", "not_an_integer"},
		{"huge", "not_an_integer"},
		{"nhuge", "not_an_integer"},
		{"big", "not_an_integer"},
		{"tiny", "not_an_integer"},
		{"s", "not_an_integer"},
		{"b", "not_an_integer"},
		{"arr", "not_an_integer"},
		{"neg", "not_an_integer"},
		{"over", "not_an_integer"},
		{"lo", "out_of_range"},
		{"hi", "out_of_range"},
	};
	size_t i;
	int present;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		present = -1;
		if (vld_int(&f->v, f->obj, cases[i].key, 1, 1, 10, 42, &present) != 42)
			fail_msg("vld_int(%s) did not return the default", cases[i].key);
		assert_int_equal(present, 0);
		if (errcode(f, cases[i].key) == NULL ||
		    strcmp(errcode(f, cases[i].key), cases[i].code) != 0)
			fail_msg("vld_int(%s): code %s, want %s", cases[i].key,
			    errcode(f, cases[i].key) ? errcode(f, cases[i].key) : "(none)",
			    cases[i].code);
		assert_int_equal(f->v.nerr, (int)i + 1);
	}
	present = -1;
	assert_int_equal(vld_int(&f->v, f->obj, "missing", 1, 1, 10, 42, &present), 42);
	assert_int_equal(present, 0);
	assert_string_equal(errcode(f, "missing"), "required");
	assert_int_equal(vld_int(&f->v, f->obj, "n", 1, 1, 10, 42, NULL), 42);
	assert_string_equal(errcode(f, "n"), "required");
	fx_free(f);
}

static void
test_vld_only(void **state)
{
	static const char *const allowed[] = {"name", "capacity", NULL};
	static const char *const none[] = {NULL};
	struct fx *f = fx_new("{\"name\":\"x\",\"capacity\":3,\"evil\":1,\"Name\":2,\"admin\":true}");

	(void)state;
	vld_only(&f->v, f->obj, allowed);
	assert_int_equal(f->v.nerr, 3);
	assert_string_equal(errcode(f, "evil"), "unknown_field");
	assert_string_equal(errcode(f, "Name"), "unknown_field");
	assert_string_equal(errcode(f, "admin"), "unknown_field");
	assert_null(errcode(f, "name"));
	assert_null(errcode(f, "capacity"));
	assert_int_equal(cJSON_GetArraySize(f->v.errors), 3);
	fx_free(f);

	f = fx_new("{\"name\":\"x\",\"capacity\":3}");
	vld_only(&f->v, f->obj, allowed);
	assert_int_equal(f->v.nerr, 0);
	assert_int_equal(cJSON_GetArraySize(f->v.errors), 0);
	vld_only(&f->v, f->obj, none);
	assert_int_equal(f->v.nerr, 2);
	fx_free(f);

	f = fx_new("{}");
	vld_only(&f->v, f->obj, none);
	assert_int_equal(f->v.nerr, 0);
	fx_free(f);
}

static void
test_vld_first_error_kept(void **state)
{
	struct fx *f = fx_new("{\"x\":5}");

	(void)state;
	vld_fail(&f->v, "x", "first");
	vld_fail(&f->v, "x", "second");
	assert_string_equal(errcode(f, "x"), "first");
	assert_int_equal(f->v.nerr, 2);
	assert_int_equal(cJSON_GetArraySize(f->v.errors), 1);

	/* Through the validators: not_a_string, then too_long is not recorded. */
	assert_null(vld_line(&f->v, f->obj, "x", 1, 0));
	assert_string_equal(errcode(f, "x"), "first");
	assert_int_equal(f->v.nerr, 3);
	fx_free(f);

	f = fx_new("{\"x\":5}");
	assert_null(vld_line(&f->v, f->obj, "x", 1, 10));
	assert_int_equal(vld_bool(&f->v, f->obj, "x", 1, 0), -1);
	assert_string_equal(errcode(f, "x"), "not_a_string");
	assert_int_equal(f->v.nerr, 2);
	fx_free(f);
}

static void
test_vld_errors_case_sensitive(void **state)
{
	/*
	 * JSON keys are case-sensitive and so is the lookup of the fields; an
	 * error on "title" must be recorded even when "Title" already has one.
	 */
	struct fx *f = fx_new("{\"Title\":\"x\",\"title\":5}");
	static const char *const allowed[] = {"title", NULL};
	const char *t, *tt;
	int nerr, ok;

	(void)state;
	vld_only(&f->v, f->obj, allowed);
	assert_null(vld_line(&f->v, f->obj, "title", 1, 100));
	nerr = f->v.nerr;
	t = errcode(f, "Title");
	tt = errcode(f, "title");
	ok = t != NULL && strcmp(t, "unknown_field") == 0 && tt != NULL &&
	    strcmp(tt, "not_a_string") == 0;
	if (!ok)
		print_error("errors: Title=%s title=%s\n", t ? t : "(none)", tt ? tt : "(none)");
	fx_free(f);
	assert_int_equal(nerr, 2);
	assert_true(ok);
}

static void
test_vld_null_errors_object(void **state)
{
	struct vld v = {NULL, 0};
	cJSON *o = cJSON_Parse("{\"a\":1}");

	(void)state;
	vld_fail(&v, "x", "y");
	assert_null(vld_line(&v, o, "a", 1, 10));
	assert_int_equal(v.nerr, 2);
	cJSON_Delete(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_accepts),
		cmocka_unit_test(test_utf8_valid_rejects),
		cmocka_unit_test(test_utf8_valid_respects_len),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_email_valid_accepts),
		cmocka_unit_test(test_email_valid_rejects),
		cmocka_unit_test(test_email_valid_lengths),
		cmocka_unit_test(test_text_line_valid),
		cmocka_unit_test(test_text_block_valid),
		cmocka_unit_test(test_vld_line_basic),
		cmocka_unit_test(test_vld_text_block),
		cmocka_unit_test(test_vld_str_wrong_types),
		cmocka_unit_test(test_vld_too_long_counts_code_points),
		cmocka_unit_test(test_vld_email),
		cmocka_unit_test(test_vld_enum),
		cmocka_unit_test(test_vld_bool),
		cmocka_unit_test(test_vld_int_ok),
		cmocka_unit_test(test_vld_int_errors),
		cmocka_unit_test(test_vld_only),
		cmocka_unit_test(test_vld_first_error_kept),
		cmocka_unit_test(test_vld_errors_case_sensitive),
		cmocka_unit_test(test_vld_null_errors_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
