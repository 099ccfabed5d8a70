/* Mapping of enum err to HTTP status, error code and default message. */
#include "err.h"

static const struct {
	int status;
	const char *code;
	const char *message;
} errs[ERR__MAX] = {
	[ERR_OK] = {200, "ok", "OK"},
	[ERR_BADJSON] = {400, "bad_json", "The request body is not valid JSON."},
	[ERR_BADREQ] = {400, "bad_request", "The request is malformed."},
	[ERR_UNAUTH] = {401, "unauthorized", "Authentication is required."},
	[ERR_FORBIDDEN] = {403, "forbidden", "You may not do this."},
	[ERR_CSRF] = {403, "csrf", "Missing or invalid X-CSRF-Token header."},
	[ERR_NOTFOUND] = {404, "not_found", "Not found."},
	[ERR_METHOD] = {405, "method_not_allowed", "Method not allowed."},
	[ERR_CONFLICT] = {409, "conflict", "Conflict with the current state."},
	[ERR_TOOBIG] = {413, "payload_too_large", "The request body is too large."},
	[ERR_MEDIATYPE] = {415, "unsupported_media_type", "Send Content-Type: application/json."},
	[ERR_INVALID] = {422, "validation", "Some fields are invalid."},
	[ERR_RATELIMIT] = {429, "rate_limited", "Too many attempts; try again later."},
	[ERR_INTERNAL] = {500, "internal", "Internal error."},
	[ERR_DB] = {500, "internal", "Internal error."},
	[ERR_UNAVAILABLE] = {503, "unavailable", "Service temporarily unavailable."},
	[ERR_RETRY] = {503, "unavailable", "Service temporarily unavailable."},
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
	return (e >= 0 && e < ERR__MAX) ? errs[e].message : "Internal error.";
}
