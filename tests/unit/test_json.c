/* Unit tests for src/json.c: request-body parsing and the error body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* Parse a literal through an exact-size heap copy with no terminating NUL. */
static cJSON *
parse_n(const char *s, size_t len)
{
	char *buf = malloc(len ? len : 1);
	cJSON *j;

	assert_non_null(buf);
	memcpy(buf, s, len);
	j = json_parse_object(buf, len);
	free(buf);
	return j;
}

#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

static void
test_parse_valid_object(void **state)
{
	cJSON *j, *it;

	(void)state;
	j = PARSE("{\"a\":1,\"b\":\"x\\u00e9\",\"c\":[true,null],\"d\":{\"e\":-2.5}}");
	assert_non_null(j);
	assert_true(cJSON_IsObject(j));
	it = cJSON_GetObjectItemCaseSensitive(j, "a");
	assert_true(cJSON_IsNumber(it));
	assert_int_equal(it->valueint, 1);
	it = cJSON_GetObjectItemCaseSensitive(j, "b");
	assert_true(cJSON_IsString(it));
	assert_string_equal(it->valuestring, "x\xc3\xa9");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "c")), 2);
	it = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "d"), "e");
	assert_true(it->valuedouble == -2.5);
	cJSON_Delete(j);

	j = PARSE("{}");
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);

	/* Raw UTF-8 in strings is fine. */
	j = PARSE("{\"name\":\"\xc5\xbe\xe2\x82\xac\xf0\x9f\x98\x80\"}");
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring,
	    "\xc5\xbe\xe2\x82\xac\xf0\x9f\x98\x80");
	cJSON_Delete(j);
}

static void
test_parse_whitespace(void **state)
{
	cJSON *j;

	(void)state;
	j = PARSE("{\"a\":1} \r\n\t \n");
	assert_non_null(j);
	cJSON_Delete(j);
	j = PARSE(" \n\t{ \"a\" : 1 }");
	assert_non_null(j);
	cJSON_Delete(j);
	j = PARSE("\r\n{\"a\":1}\r\n");
	assert_non_null(j);
	cJSON_Delete(j);
}

static void
test_parse_rejects_non_objects(void **state)
{
	static const char *const bad[] = {
		"[]", "[{\"a\":1}]", "\"string\"", "1", "-1.5", "true", "false", "null",
		" [1,2] ", NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (parse_n(bad[i], strlen(bad[i])) != NULL)
			fail_msg("json_parse_object(%s) accepted a non-object", bad[i]);
}

static void
test_parse_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
		"{'a':1}", "{\"a\":1", "{\"a\":\"x}", "{\"a\":tru}", "{\"a\":01x}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		cJSON *j = parse_n(bad[i], strlen(bad[i]));
		if (j != NULL) {
			cJSON_Delete(j);
			fail_msg("json_parse_object(%s) accepted malformed JSON", bad[i]);
		}
	}
}

static void
test_parse_rejects_trailing_garbage(void **state)
{
	static const char *const bad[] = {
		"{}x", "{} x", "{\"a\":1}}", "{}{}", "{\"a\":1} {\"b\":2}", "{}\n,",
		"{}\f", "{}\v", "{} []", "{}/*c*/", "{}\xc2\xa0", NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		cJSON *j = parse_n(bad[i], strlen(bad[i]));
		if (j != NULL) {
			cJSON_Delete(j);
			fail_msg("json_parse_object(\"%s\") accepted trailing data", bad[i]);
		}
	}
}

static void
test_parse_rejects_nul(void **state)
{
	(void)state;
	/* A NUL inside a string, after the object, or before it. */
	assert_null(PARSE("{\"a\":\"x\0y\"}"));
	assert_null(PARSE("{\"a\":1}\0"));
	assert_null(PARSE("{\"a\":1}\0garbage"));
	assert_null(PARSE("\0{\"a\":1}"));
	assert_null(PARSE("{\"a\":1} \0 "));
}

static void
test_parse_rejects_bad_utf8(void **state)
{
	(void)state;
	assert_null(PARSE("{\"a\":\"\xff\"}"));
	assert_null(PARSE("{\"a\":\"\xc0\xaf\"}"));
	assert_null(PARSE("{\"a\":\"\xed\xa0\x80\"}"));
	assert_null(PARSE("{\"a\":\"\xf4\x90\x80\x80\"}"));
	assert_null(PARSE("{\"a\":\"\xe2\x82\"}"));
	assert_null(PARSE("{\"\xff\":1}"));
	assert_null(PARSE("{\"a\":1}\xff"));
}

static void
test_parse_respects_len(void **state)
{
	static const char body[] = "{\"a\":1}GARBAGE";
	cJSON *j;

	(void)state;
	/* Only the first len bytes are the body. */
	j = parse_n(body, 7);
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "a")->valueint, 1);
	cJSON_Delete(j);
	/* Cut short: malformed. */
	assert_null(parse_n(body, 6));
	assert_null(json_parse_object(NULL, 0));
	assert_null(json_parse_object(body, 0));
	assert_null(json_parse_object(NULL, 5));
}

static char *
nested(size_t depth, char open, char close)
{
	/* {"a": + depth opens + depth closes + } */
	size_t len = 5 + 2 * depth + 1, i;
	char *s = malloc(len + 1);

	assert_non_null(s);
	memcpy(s, "{\"a\":", 5);
	for (i = 0; i < depth; i++) {
		s[5 + i] = open;
		s[5 + depth + i] = close;
	}
	s[len - 1] = '}';
	s[len] = '\0';
	return s;
}

static void
test_parse_rejects_duplicate_keys(void **state)
{
	cJSON *j;
	char *big;
	size_t n = 0;

	(void)state;
	assert_null(PARSE("{\"role\":\"checkin\",\"role\":\"admin\"}"));
	assert_null(PARSE("{\"a\":{\"x\":1,\"y\":2,\"x\":3}}"));
	assert_null(PARSE("{\"a\":[{\"k\":1},{\"k\":1,\"k\":2}]}"));
	/* Same key in different objects, and keys differing in case, are fine. */
	j = PARSE("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"k\":0,\"K\":1}");
	assert_non_null(j);
	cJSON_Delete(j);
	/* 20,000 distinct keys: accepted, and the last one repeated: refused. */
	big = malloc(20000 * 16 + 64);
	assert_non_null(big);
	big[n++] = '{';
	for (int i = 0; i < 20000; i++)
		n += (size_t)sprintf(big + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	big[n] = '}';
	j = json_parse_object(big, n + 1);
	assert_non_null(j);
	cJSON_Delete(j);
	n += (size_t)sprintf(big + n, ",\"k19999\":1}");
	assert_null(json_parse_object(big, n));
	free(big);
}

static void
test_parse_deep_nesting(void **state)
{
	char *s;
	cJSON *j;

	(void)state;
	/* Reasonable nesting parses. */
	s = nested(50, '[', ']');
	j = json_parse_object(s, strlen(s));
	assert_non_null(j);
	cJSON_Delete(j);
	free(s);

	/* Absurd nesting is refused, without blowing the stack. */
	s = nested(200000, '[', ']');
	j = json_parse_object(s, strlen(s));
	assert_null(j);
	free(s);

	/* Unbalanced deep nesting too. */
	s = nested(200000, '[', ' ');
	j = json_parse_object(s, strlen(s));
	assert_null(j);
	free(s);
}

static void
test_error_body_exact(void **state)
{
	cJSON *fields = cJSON_CreateObject();
	char *s;

	(void)state;
	cJSON_AddStringToObject(fields, "name", "required");
	cJSON_AddStringToObject(fields, "capacity", "out_of_range");
	s = json_error_body("validation", "Some fields are invalid.", fields);
	assert_non_null(s);
	assert_string_equal(s, "{\"error\":{\"code\":\"validation\",\"message\":"
	    "\"Some fields are invalid.\",\"fields\":{\"name\":\"required\","
	    "\"capacity\":\"out_of_range\"}}}");
	free(s);

	/* The caller keeps ownership of fields, unchanged. */
	assert_int_equal(cJSON_GetArraySize(fields), 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(fields, "name")->valuestring,
	    "required");
	cJSON_Delete(fields);
}

static void
test_error_body_omits_empty(void **state)
{
	cJSON *empty = cJSON_CreateObject();
	char *s;

	(void)state;
	s = json_error_body("not_found", "Not found.", NULL);
	assert_string_equal(s, "{\"error\":{\"code\":\"not_found\",\"message\":\"Not found.\"}}");
	free(s);

	s = json_error_body("not_found", "Not found.", empty);
	assert_string_equal(s, "{\"error\":{\"code\":\"not_found\",\"message\":\"Not found.\"}}");
	free(s);
	cJSON_Delete(empty);

	s = json_error_body("internal", NULL, NULL);
	assert_string_equal(s, "{\"error\":{\"code\":\"internal\"}}");
	free(s);
}

static void
test_error_body_escapes(void **state)
{
	char *s;
	cJSON *j, *e;

	(void)state;
	s = json_error_body("bad_request", "Say \"hi\"\n\\ <script>\xc5\xbe", NULL);
	assert_non_null(s);
	/* Output is one line of valid JSON that round-trips. */
	assert_null(strchr(s, '\n'));
	j = cJSON_Parse(s);
	assert_non_null(j);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring,
	    "Say \"hi\"\n\\ <script>\xc5\xbe");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring,
	    "bad_request");
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);
	free(s);
}

static void
test_add_helpers(void **state)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	(void)state;
	json_add_str(o, "s", "v\"");
	json_add_str(o, "n", NULL);
	json_add_str(o, "e", "");
	json_add_int(o, "i", 42);
	json_add_int(o, "neg", -7);
	json_add_int(o, "zero", 0);
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"s\":\"v\\\"\",\"n\":null,\"e\":\"\",\"i\":42,"
	    "\"neg\":-7,\"zero\":0}");
	free(s);
	cJSON_Delete(o);
}

/*
 * json.h: "Integers are exact in JSON up to 2^53".  Every integer with
 * |v| <= 2^53 must come out as its plain decimal digits, so that clients
 * read back the same integer (not 1e+15, not a value rounded to 15 digits).
 */
static void
test_add_int_exact(void **state)
{
	static const long long vals[] = {
		1, -1, 2147483647LL, 2147483648LL, -2147483649LL, 3000000000LL,
		1234567890123457LL, 4503599627370497LL,
		1000000000000000LL,             /* printed as 1e+15 by %g */
		5000000000000001LL,             /* 15-digit rounding: 5e+15 */
		8000000000000001LL,
		9007199254740991LL,             /* 2^53 - 1, JS MAX_SAFE_INTEGER */
		9007199254740992LL,             /* 2^53 */
		-9007199254740991LL,
	};
	char want[64], *s;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		cJSON *o = cJSON_CreateObject();

		json_add_int(o, "k", vals[i]);
		s = cJSON_PrintUnformatted(o);
		snprintf(want, sizeof(want), "{\"k\":%lld}", vals[i]);
		if (strcmp(s, want) != 0) {
			print_error("json_add_int(%lld) printed %s\n", vals[i], s);
			bad++;
		}
		free(s);
		cJSON_Delete(o);
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid_object),
		cmocka_unit_test(test_parse_whitespace),
		cmocka_unit_test(test_parse_rejects_non_objects),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_parse_rejects_trailing_garbage),
		cmocka_unit_test(test_parse_rejects_nul),
		cmocka_unit_test(test_parse_rejects_bad_utf8),
		cmocka_unit_test(test_parse_respects_len),
		cmocka_unit_test(test_parse_deep_nesting),
		cmocka_unit_test(test_parse_rejects_duplicate_keys),
		cmocka_unit_test(test_error_body_exact),
		cmocka_unit_test(test_error_body_omits_empty),
		cmocka_unit_test(test_error_body_escapes),
		cmocka_unit_test(test_add_helpers),
		cmocka_unit_test(test_add_int_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
