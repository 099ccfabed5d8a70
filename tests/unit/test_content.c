/* content.c: string-or-object organiser texts, their tr patches, localised reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "content.h"
#include "i18n.h"

static const char *slen_codes[2];
static struct langset slen = {slen_codes, 2};

static int
setup(void **state)
{
	char err[300];

	(void)state;
	if (i18n_init(err, sizeof(err)) != 0)
		return -1;
	slen_codes[0] = i18n_match("sl", -1);
	slen_codes[1] = i18n_match("en", -1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	i18n_free();
	return 0;
}

static const char *
field_error(cJSON *errors, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(errors, key));
}

static char *
run(const char *body, const char *key, int required, const char **def, struct vld *vout)
{
	cJSON *j = cJSON_Parse(body);
	struct vld v = {cJSON_CreateObject(), 0};
	struct trpatch p = {0};
	char *out;

	assert_non_null(j);
	*def = vld_mtext(&v, j, key, &slen, required, 20, 0, &p);
	if (*def != NULL)
		*def = strdup(*def);
	out = trpatch_set_json(&p);
	trpatch_free(&p);
	cJSON_Delete(j);
	*vout = v;
	return out;
}

static void
test_plain_string_is_the_default(void **state)
{
	const char *def;
	struct vld v;
	char *set = run("{\"name\":\"Forum zdravja\"}", "name", 1, &def, &v);

	(void)state;
	assert_int_equal(v.nerr, 0);
	assert_string_equal(def, "Forum zdravja");
	assert_string_equal(set, "{}");
	free(set);
	free((void *)def);
	cJSON_Delete(v.errors);
}

static void
test_object_keeps_languages(void **state)
{
	const char *def;
	struct vld v;
	char *set = run("{\"name\":{\"en\":\"Health forum\",\"sl\":\"Forum zdravja\"}}", "name", 1,
	    &def, &v);

	(void)state;
	assert_int_equal(v.nerr, 0);
	assert_string_equal(def, "Forum zdravja");
	assert_string_equal(set, "{\"name\":{\"en\":\"Health forum\",\"sl\":\"Forum zdravja\"}}");
	free(set);
	free((void *)def);
	cJSON_Delete(v.errors);
}

static void
test_bad_objects_name_the_field(void **state)
{
	static const struct {
		const char *body, *code;
	} cases[] = {
		{"{\"name\":{\"de\":\"Forum\",\"sl\":\"Forum\"}}", "unsupported_language"},
		{"{\"name\":{\"xx\":\"Forum\",\"sl\":\"Forum\"}}", "unsupported_language"},
		{"{\"name\":{\"en\":\"Health forum\"}}", "default_language_missing"},
		{"{\"name\":{\"sl\":\"\",\"en\":\"Health forum\"}}", "default_language_missing"},
		{"{\"name\":{\"sl\":\"This is far too long for twenty\"}}", "too_long"},
		{"{\"name\":{\"sl\":7}}", "not_a_string"},
		{"{\"name\":{\"sl\":\"a\\nb\"}}", "invalid_characters"},
		{"{\"name\":[\"sl\"]}", "not_a_string"},
		{"{\"name\":{}}", "default_language_missing"},
	};
	const char *def;
	struct vld v;
	char *set;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set = run(cases[i].body, "name", 1, &def, &v);
		assert_null(def);
		assert_true(v.nerr > 0);
		assert_string_equal(field_error(v.errors, "name"), cases[i].code);
		free(set);
		cJSON_Delete(v.errors);
	}
}

static void
test_list_of_options(void **state)
{
	cJSON *j = cJSON_Parse("{\"options\":{\"sl\":[\"Bolnišnica\",\"Podjetje\"],"
	    "\"en\":[\"Hospital\",\"Company\"]}}");
	cJSON *bad = cJSON_Parse("{\"options\":{\"sl\":[\"Bolnišnica\",\"Podjetje\"],"
	    "\"en\":[\"Hospital\"]}}");
	struct vld v = {cJSON_CreateObject(), 0};
	struct trpatch p = {0};
	const cJSON *def;
	char *set;

	(void)state;
	def = vld_mlist(&v, j, "options", &slen, 50, 100, &p);
	assert_int_equal(v.nerr, 0);
	assert_int_equal(cJSON_GetArraySize(def), 2);
	assert_string_equal(cJSON_GetArrayItem(def, 0)->valuestring, "Bolnišnica");
	set = trpatch_set_json(&p);
	assert_non_null(strstr(set, "\"en\":[\"Hospital\",\"Company\"]"));
	free(set);
	trpatch_free(&p);
	assert_null(vld_mlist(&v, bad, "options", &slen, 50, 100, &p));
	assert_string_equal(field_error(v.errors, "options"), "options_differ_in_number");
	trpatch_free(&p);
	cJSON_Delete(v.errors);
	cJSON_Delete(j);
	cJSON_Delete(bad);
}

static void
test_localise_falls_back_to_default(void **state)
{
	cJSON *o = cJSON_Parse("{\"name\":\"Forum zdravja\",\"venue\":\"Cankarjev dom\","
	    "\"tr\":{\"name\":{\"sl\":\"Forum zdravja\",\"en\":\"Health forum\"}},"
	    "\"sessions\":[{\"title\":\"Uvod\",\"tr\":{\"title\":{\"en\":\"Opening\"}}},"
	    "{\"title\":\"Kosilo\",\"tr\":null}]}");
	cJSON *c = cJSON_Duplicate(o, 1), *s;

	(void)state;
	content_localise(o, "en", &slen, 0);
	assert_string_equal(cJSON_GetObjectItem(o, "name")->valuestring, "Health forum");
	assert_string_equal(cJSON_GetObjectItem(o, "venue")->valuestring, "Cankarjev dom");
	assert_null(cJSON_GetObjectItem(o, "tr"));
	assert_null(cJSON_GetObjectItem(o, "name_i18n"));
	s = cJSON_GetObjectItem(o, "sessions");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 0), "title")->valuestring, "Opening");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 1), "title")->valuestring, "Kosilo");
	/* A language the event does not have: the default. */
	content_localise(c, "de", &slen, 1);
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "Forum zdravja");
	/* Staff see every language, the default's from the column. */
	s = cJSON_GetObjectItem(c, "name_i18n");
	assert_string_equal(cJSON_GetObjectItem(s, "sl")->valuestring, "Forum zdravja");
	assert_string_equal(cJSON_GetObjectItem(s, "en")->valuestring, "Health forum");
	s = cJSON_GetObjectItem(c, "venue_i18n");
	assert_int_equal(cJSON_GetArraySize(s), 1);
	cJSON_Delete(o);
	cJSON_Delete(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_string_is_the_default),
		cmocka_unit_test(test_object_keeps_languages),
		cmocka_unit_test(test_bad_objects_name_the_field),
		cmocka_unit_test(test_list_of_options),
		cmocka_unit_test(test_localise_falls_back_to_default),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
