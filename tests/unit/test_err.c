/* Unit tests for src/err.c: enum err -> HTTP status, code, message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"

static void
test_every_error_mapped(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < ERR__MAX; e++) {
		int st = err_status((enum err)e);
		const char *c = err_code((enum err)e), *m = err_message((enum err)e);

		if (st < 200 || st > 599)
			fail_msg("err %d: status %d", e, st);
		if (c == NULL || *c == '\0')
			fail_msg("err %d: no code", e);
		if (m == NULL || *m == '\0')
			fail_msg("err %d: no message", e);
		/* Codes are snake_case identifiers. */
		if (strspn(c, "abcdefghijklmnopqrstuvwxyz_") != strlen(c))
			fail_msg("err %d: code \"%s\"", e, c);
		/* Only ERR_OK is a success. */
		if ((e == ERR_OK) != (st < 400))
			fail_msg("err %d: status %d", e, st);
	}
}

static void
test_specific_mappings(void **state)
{
	static const struct {
		enum err e;
		int status;
		const char *code;
	} want[] = {
		{ERR_OK, 200, "ok"},
		{ERR_BADJSON, 400, "bad_json"},
		{ERR_BADREQ, 400, "bad_request"},
		{ERR_UNAUTH, 401, "unauthorized"},
		{ERR_FORBIDDEN, 403, "forbidden"},
		{ERR_CSRF, 403, "csrf"},
		{ERR_NOTFOUND, 404, "not_found"},
		{ERR_METHOD, 405, "method_not_allowed"},
		{ERR_CONFLICT, 409, "conflict"},
		{ERR_GONE, 410, "gone"},
		{ERR_TOOBIG, 413, "payload_too_large"},
		{ERR_MEDIATYPE, 415, "unsupported_media_type"},
		{ERR_INVALID, 422, "validation"},
		{ERR_RATELIMIT, 429, "rate_limited"},
		{ERR_INTERNAL, 500, "internal"},
		{ERR_DB, 500, "internal"},              /* no db detail leaks */
		{ERR_UNAVAILABLE, 503, "unavailable"},
		{ERR_RETRY, 503, "unavailable"},
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), ERR__MAX);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(err_status(want[i].e), want[i].status);
		assert_string_equal(err_code(want[i].e), want[i].code);
	}
	/* Internal failures all look the same to the client. */
	assert_string_equal(err_message(ERR_DB), err_message(ERR_INTERNAL));
	assert_string_equal(err_message(ERR_RETRY), err_message(ERR_UNAVAILABLE));
}

static void
test_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(err_status(ERR__MAX), 500);
	assert_string_equal(err_code(ERR__MAX), "internal");
	assert_string_equal(err_message(ERR__MAX), "Internal error.");
	assert_int_equal(err_status((enum err)1000), 500);
	assert_string_equal(err_code((enum err)1000), "internal");
	assert_int_equal(err_status((enum err)-1), 500);
	assert_string_equal(err_code((enum err)-1), "internal");
	assert_string_equal(err_message((enum err)-1), "Internal error.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_error_mapped),
		cmocka_unit_test(test_specific_mappings),
		cmocka_unit_test(test_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
