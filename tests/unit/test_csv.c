/* csv.c: RFC 4180 quoting, CRLF, and formula neutralisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static const char *
one(struct sbuf *b, const char *s)
{
	sb_reset(b);
	assert_int_equal(csv_text(b, s, 1), 0);
	return b->p ? b->p : "";
}

static void
test_plain_and_quoted(void **state)
{
	struct sbuf b = {0};

	(void)state;
	assert_string_equal(one(&b, "Ana Novak"), "Ana Novak");
	assert_string_equal(one(&b, "Novak, Ana"), "\"Novak, Ana\"");
	assert_string_equal(one(&b, "say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_string_equal(one(&b, "two\nlines"), "\"two\nlines\"");
	assert_string_equal(one(&b, "Žiga Černe"), "Žiga Černe");
	assert_string_equal(one(&b, ""), "");
	assert_string_equal(one(&b, NULL), "");
	sb_free(&b);
}

static void
test_formula_prefixes(void **state)
{
	static const char *const bad[] = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"};
	struct sbuf b = {0};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *got = one(&b, bad[i]);
		const char *text = got[0] == '"' ? got + 1 : got;
		if (text[0] != '\'' || strncmp(text + 1, bad[i], strlen(bad[i])) != 0)
			fail_msg("csv_text(%d) = \"%s\": not neutralised", (int)i, got);
	}
	/* Quoted and neutralised at once: the apostrophe goes inside. */
	assert_string_equal(one(&b, "=A1,B1"), "\"'=A1,B1\"");
	/* Not at the start: left alone. */
	assert_string_equal(one(&b, "a=b"), "a=b");
	assert_string_equal(one(&b, "Jean-Luc"), "Jean-Luc");
	sb_free(&b);
}

static void
test_line(void **state)
{
	struct sbuf b = {0};

	(void)state;
	csv_int(&b, 42, 1);
	csv_text(&b, "x,y", 0);
	csv_text(&b, NULL, 0);
	csv_pct(&b, 12.345, 0);
	csv_pct(&b, -1, 0);
	csv_int(&b, -7, 0);
	csv_eol(&b);
	/* Our own negative numbers stay numbers. */
	assert_string_equal(b.p, "42,\"x,y\",,12.3,,-7\r\n");
	sb_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_formula_prefixes),
		cmocka_unit_test(test_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
