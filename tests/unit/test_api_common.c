/* Unit tests for the pure helpers of src/api_common.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "db.h"
#include "http.h"

static void
test_parse_id(void **state)
{
	static const char *const bad[] = {
		"", "0", "00", "01", "-1", "+1", " 1", "1 ", "1a", "a1", "1.0", "1e3",
		"0x10", "1234567890123456789",          /* 19 digits */
		"9223372036854775808", "99999999999999999999999", "\xef\xbc\x91", NULL,
	};
	int i;

	(void)state;
	assert_int_equal(parse_id("1"), 1);
	assert_int_equal(parse_id("42"), 42);
	assert_int_equal(parse_id("1000"), 1000);
	assert_true(parse_id("999999999999999999") == 999999999999999999LL);   /* 18 digits */
	assert_int_equal(parse_id(NULL), 0);
	for (i = 0; bad[i] != NULL; i++)
		if (parse_id(bad[i]) != 0)
			fail_msg("parse_id(\"%s\") = %lld, want 0", bad[i], parse_id(bad[i]));
}

static void
test_lower_dup(void **state)
{
	struct req r;
	char src[] = "Admin@Example.ORG";
	char *p;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.arena = arena_new();
	p = lower_dup(&r, src);
	assert_string_equal(p, "admin@example.org");
	assert_string_equal(src, "Admin@Example.ORG");      /* a copy */
	/* ASCII only: UTF-8 bytes are left alone. */
	assert_string_equal(lower_dup(&r, "\xc3\x89X@B\xc3\x9c" "CHER.de"),
	    "\xc3\x89x@b\xc3\x9c" "cher.de");
	assert_string_equal(lower_dup(&r, ""), "");
	assert_string_equal(lower_dup(&r, "[\\]^_`{|}~@AZaz09"), "[\\]^_`{|}~@azaz09");
	assert_null(lower_dup(&r, NULL));
	arena_free(r.arena);
}

static void
test_user_json(void **state)
{
	struct user u;
	cJSON *o;
	char *s;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.id = 7;
	strcpy(u.email, "a@example.org");
	u.role = ROLE_ORGANISER;
	u.disabled = 0;
	strcpy(u.created_at, "2024-05-01T10:00:00Z");
	strcpy(u.pwhash, "$argon2id$secret");
	o = user_json(&u);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"id\":7,\"email\":\"a@example.org\",\"role\":\"organiser\","
	    "\"disabled\":false,\"created_at\":\"2024-05-01T10:00:00Z\",\"language\":null}");
	free(s);
	cJSON_Delete(o);
	strcpy(u.language, "sl");
	o = user_json(&u);
	s = cJSON_PrintUnformatted(o);
	assert_non_null(strstr(s, "\"language\":\"sl\""));
	/* Never the password hash. */
	assert_null(strstr(s, "argon2"));
	free(s);
	cJSON_Delete(o);

	u.disabled = 5;
	u.created_at[0] = '\0';
	u.role = ROLE_ADMIN;
	o = user_json(&u);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"id\":7,\"email\":\"a@example.org\",\"role\":\"admin\","
	    "\"disabled\":true,\"created_at\":null,\"language\":\"sl\"}");
	free(s);
	cJSON_Delete(o);
}

static void
test_actor(void **state)
{
	struct req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.who.user_id = 11;
	r.who.token_id = 22;
	r.who.kind = PRINCIPAL_SESSION;
	assert_string_equal(actor_kind(&r), "user");
	assert_int_equal(actor_id(&r), 11);
	r.who.kind = PRINCIPAL_TOKEN;
	assert_string_equal(actor_kind(&r), "token");
	assert_int_equal(actor_id(&r), 22);
	r.who.kind = PRINCIPAL_NONE;
	assert_string_equal(actor_kind(&r), "system");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_lower_dup),
		cmocka_unit_test(test_user_json),
		cmocka_unit_test(test_actor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
