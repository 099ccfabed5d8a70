/*
 * The one error vocabulary of Confero.  Domain and db functions return an
 * enum err; http.c maps it to a status and an error code (err_status(),
 * err_code()).  Details are logged where the failure happens.
 */
#ifndef CONFERO_ERR_H
#define CONFERO_ERR_H

enum err {
	ERR_OK = 0,
	ERR_BADJSON,      /* 400 malformed JSON body */
	ERR_BADREQ,       /* 400 other malformed request */
	ERR_UNAUTH,       /* 401 */
	ERR_FORBIDDEN,    /* 403 */
	ERR_CSRF,         /* 403, missing or wrong X-CSRF-Token */
	ERR_NOTFOUND,     /* 404 */
	ERR_METHOD,       /* 405 */
	ERR_CONFLICT,     /* 409 */
	ERR_GONE,         /* 410, a registration whose personal data was erased */
	ERR_TOOBIG,       /* 413 */
	ERR_MEDIATYPE,    /* 415 */
	ERR_INVALID,      /* 422 validation */
	ERR_RATELIMIT,    /* 429 */
	ERR_INTERNAL,     /* 500 */
	ERR_DB,           /* 500, a database error that is not an outage */
	ERR_UNAVAILABLE,  /* 503, database unreachable or pool exhausted */
	ERR_RETRY,        /* internal: deadlock or lost connection, retry tx */
	ERR__MAX
};

int err_status(enum err);
const char *err_code(enum err);
const char *err_message(enum err);

#endif
