/*
 * The HTTP layer: libmicrohttpd on one event thread, handlers on a pool of
 * worker threads (a handler waiting on MariaDB blocks only its worker),
 * request bodies with a size cap, authentication and CSRF from the route
 * table, responses with security headers, one log line per request.  Handlers see struct req and
 * the functions below, never microhttpd.h.
 */
#ifndef CONFERO_HTTP_H
#define CONFERO_HTTP_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "db.h"
#include "err.h"
#include "route.h"

struct hdr {
	struct hdr *next;
	const char *name, *value;
};

/* An entry of the workers' queue; it lives in what it works on. */
struct job {
	int kind;
	void *p;
	void (*fn)(void *);
	struct job *next;
};

struct req {
	struct arena *arena;            /* everything below lives here */
	void *conn;                     /* struct MHD_Connection */
	const char *method;
	const char *path;
	char id[24];
	struct timespec start;
	char client_addr[64];

	const struct route *route;
	struct route_params params;

	char *body;                     /* NUL-terminated copy */
	size_t body_len, body_cap;
	int body_over;                  /* longer than the cap */
	cJSON *json;                    /* parsed body for RF_JSON routes */

	struct principal who;
	char session_secret[80];        /* raw cookie value, for CSRF */

	struct db *db;                  /* acquired lazily by req_db() */

	/* response */
	int status;
	const char *ctype;
	char *resp;                     /* malloc'd or arena */
	size_t resp_len;
	int resp_malloced;
	int resp_fd;                    /* static files: fd to send, or -1 */
	struct stream *stream;          /* reply_stream(), or NULL */
	size_t resp_fd_size;
	struct hdr *headers;
	int responded;
	int dispatched;                 /* handed to a worker or the lane */
	int nodb;                       /* on the event thread: req_db refuses */
	int wouldblock;                 /* ... and was asked: use a worker */
	int lane_pending;               /* a lane task will answer */
	int laned;                      /* answered on the event thread */
	int ready;                      /* the worker has the answer */
	struct job job;                 /* for the workers' queue */

	const char *lang;               /* req_lang(NULL, 0), once asked */

	/* error details, set by req_fail() / vld */
	const char *err_code;
	const char *err_msg;
	cJSON *err_fields;
	long long retry_after;
};

const char *req_header(struct req *, const char *name);
const char *req_query(struct req *, const char *name);
const char *req_cookie(struct req *, const char *name);
const char *req_param(struct req *, const char *name);
/*
 * The caller's language: ?lang=, the confero_lang cookie, Accept-Language
 * (i18n_negotiate), limited to allowed[0..n) (an event's languages, the
 * first its default) when allowed is not NULL.  Static storage.
 */
const char *req_lang(struct req *, const char *const *allowed, size_t n);
/* Pooled db connection for this request; released when it completes. */
enum err req_db(struct req *, struct db **);
/* Record a specific error code/message; returns e for `return req_fail()`. */
enum err req_fail(struct req *, enum err e, const char *code, const char *msg);
/* A fresh error-field object of the request (for struct vld). */
cJSON *req_fields(struct req *);

void resp_header(struct req *, const char *name, const char *value);
/* Takes ownership of body (may be NULL for an empty response). */
enum err reply_json(struct req *, int status, cJSON *body);
enum err reply_empty(struct req *, int status);
/* data must stay valid until the request completes (arena or static). */
enum err reply_data(struct req *, int status, const char *ctype,
    const void *data, size_t len);
/* Send an open file; the fd is closed by the HTTP layer. */
enum err reply_fd(struct req *, int status, const char *ctype, int fd,
    size_t size);

/*
 * A body of unknown length, sent with chunked encoding as it is produced.
 * fill writes at most max bytes into buf and returns how many (> 0), 0 at
 * the end of the body, or -1 to abort the connection (the client then sees
 * a truncated body, never a false end).  done runs exactly once: when the
 * response is finished or abandoned, or at once when it is never sent.
 * cls must not live in the request's arena (done may run after it is gone).
 */
typedef long (*stream_fill_fn)(void *cls, char *buf, size_t max);
typedef void (*stream_done_fn)(void *cls);
enum err reply_stream(struct req *, int status, const char *ctype,
    stream_fill_fn fill, stream_done_fn done, void *cls);

/* "confero_session", or "__Host-confero_session" under https. */
const char *session_cookie_name(void);

/*
 * A route's lane handler runs on the event thread, before any worker: it
 * must not block.  req_db() there fails and sets r->wouldblock, and so does
 * req_needs_worker(): the request then goes to a worker, from the start.  A
 * handler that started a lane task sets r->lane_pending and returns
 * ERR_OK; the task ends with exactly one of these (on the event thread):
 */
enum err req_needs_worker(struct req *);     /* returns ERR_OK */
void http_lane_done(struct req *);      /* the answer is in r (reply_*) */
void http_lane_fallback(struct req *);  /* a worker does it all again */

/* For the event thread's own blocking chores: fn(arg) on a worker. */
void http_defer(struct job *, void (*fn)(void *), void *arg);
/* Make the event thread look again (from any thread). */
void http_wake(void);

int http_start(void);
void http_stop(void);
/* The port bound (useful with CONFERO_LISTEN=…:0). */
int http_port(void);

#endif
