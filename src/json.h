/*
 * cJSON helpers: parsing request bodies, building the error body.  Every
 * cJSON tree returned here is owned by the caller (cJSON_Delete).
 */
#ifndef CONFERO_JSON_H
#define CONFERO_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Parse a JSON body; NULL when malformed, not an object, or not UTF-8. */
cJSON *json_parse_object(const char *body, size_t len);
/* {"error":{"code":…,"message":…,"fields":…}}; fields may be NULL, is copied. */
char *json_error_body(const char *code, const char *message, const cJSON *fields);
/* Add a string or null when s is NULL. */
void json_add_str(cJSON *o, const char *key, const char *s);
/* Integers are exact in JSON up to 2^53. */
void json_add_int(cJSON *o, const char *key, long long v);

#endif
