/* Mapping of enum err to HTTP status, error code and default message. */
#include "err.h"
#include "i18n.h"

static const struct {
	int status;
	const char *code;
	const char *message;
} errs[ERR__MAX] = {
	[ERR_OK] = {200, "ok", N_("OK")},
	[ERR_BADJSON] = {400, "bad_json", N_("The request body is not valid JSON.")},
	[ERR_BADREQ] = {400, "bad_request", N_("The request is malformed.")},
	[ERR_UNAUTH] = {401, "unauthorized", N_("Authentication is required.")},
	[ERR_FORBIDDEN] = {403, "forbidden", N_("You may not do this.")},
	[ERR_CSRF] = {403, "csrf", N_("Missing or invalid X-CSRF-Token header.")},
	[ERR_NOTFOUND] = {404, "not_found", N_("Not found.")},
	[ERR_METHOD] = {405, "method_not_allowed", N_("Method not allowed.")},
	[ERR_CONFLICT] = {409, "conflict", N_("Conflict with the current state.")},
	[ERR_GONE] = {410, "gone", N_("This registration no longer exists: its personal data was erased.")},
	[ERR_TOOBIG] = {413, "payload_too_large", N_("The request body is too large.")},
	[ERR_MEDIATYPE] = {415, "unsupported_media_type", N_("Send Content-Type: application/json.")},
	[ERR_INVALID] = {422, "validation", N_("Some fields are invalid.")},
	[ERR_RATELIMIT] = {429, "rate_limited", N_("Too many attempts; try again later.")},
	[ERR_INTERNAL] = {500, "internal", N_("Internal error.")},
	[ERR_DB] = {500, "internal", N_("Internal error.")},
	[ERR_UNAVAILABLE] = {503, "unavailable", N_("Service temporarily unavailable.")},
	[ERR_RETRY] = {503, "unavailable", N_("Service temporarily unavailable.")},
};

int
err_status(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].status : 500;
}

const char *
err_code(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].code : "internal";
}

const char *
err_message(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].message : N_("Internal error.");
}
