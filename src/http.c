/*
 * libmicrohttpd adapter.  One event thread runs microhttpd (epoll, driven
 * from our own loop) and reads and writes every connection; handlers never
 * run there.  A complete request suspends its connection and goes to a
 * pool of worker threads, which run the handler (blocking on MariaDB or a
 * password hash as they please) and resume the connection with the answer.
 * Streamed bodies are filled by the workers too, one chunk per suspension.
 * DESIGN.md explains why handlers must not block the event thread; this is
 * its "suspend/resume with your own worker pool".  Door scans, and public
 * event documents in the document cache, may instead be answered on the
 * event thread itself (lane.h, doccache.h).  README's Design and
 * Performance sections have the measurements that chose this over thread
 * per connection.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <pthread.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "auth.h"
#include "cache.h"
#include "i18n.h"
#include "config.h"
#include "http.h"
#include "json.h"
#include "lane.h"
#include "log.h"
#include "static.h"

static struct MHD_Daemon *daemon_;
static atomic_ullong req_counter;
static unsigned int instance_tag;

/*
 * Work for the pool: a request to handle, a stream chunk to fill, a
 * finished stream to close.  Jobs live inside what they work on.
 */
enum job_kind { JOB_HANDLE, JOB_FILL, JOB_DONE, JOB_CALL };  /* struct job: http.h */

static pthread_mutex_t q_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static struct job *q_head, *q_tail;
static int q_stop;                      /* workers leave once the queue is empty */
static int q_running;                   /* workers exist: jobs may be queued */
static pthread_t *workers;
static int nworkers;
static _Thread_local int in_worker;

static pthread_t loop_thread;
static int loop_started;
static int loop_rerun;                  /* lane answers wait for MHD_run */
static int epfd = -1, wake_fd = -1;
static atomic_int loop_stop;

/*
 * With external polling microhttpd has no wake-up channel of its own: a
 * connection resumed from another thread needs the loop told to run it.
 */
void
http_wake(void)
{
	uint64_t one = 1;

	if (write(wake_fd, &one, sizeof(one)) < 0)
		log_warn("http: cannot wake the event loop");
}

static void
conn_resume(struct MHD_Connection *c)
{
	MHD_resume_connection(c);
	http_wake();
}

static void job_push(struct job *, enum job_kind, void *);
static int lane_try(struct req *);

#define CSP "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " \
	"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; " \
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " \
	"frame-ancestors 'none'"

const char *
req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *
req_lang(struct req *r, const char *const *allowed, size_t n)
{
	const char *l;

	if (allowed == NULL && r->lang != NULL)
		return r->lang;
	l = i18n_negotiate(req_query(r, "lang"), req_cookie(r, "confero_lang"),
	    req_header(r, "Accept-Language"), allowed, n);
	if (allowed == NULL)
		r->lang = l;
	return l;
}

const char *
req_param(struct req *r, const char *name)
{
	return route_param(&r->params, name);
}

enum err
req_db(struct req *r, struct db **out)
{
	enum err e;

	if (r->nodb) {
		/* On the event thread: this request needs a worker. */
		r->wouldblock = 1;
		*out = NULL;
		return ERR_UNAVAILABLE;
	}
	if (r->db == NULL && (e = db_acquire(&r->db, 5000)) != ERR_OK) {
		*out = NULL;
		return e;
	}
	*out = r->db;
	return ERR_OK;
}

enum err
req_fail(struct req *r, enum err e, const char *code, const char *msg)
{
	r->err_code = code;
	r->err_msg = msg;
	return e;
}

static void
json_free(void *p)
{
	cJSON_Delete(p);
}

cJSON *
req_fields(struct req *r)
{
	if (r->err_fields == NULL) {
		r->err_fields = cJSON_CreateObject();
		arena_defer(r->arena, json_free, r->err_fields);
	}
	return r->err_fields;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	struct hdr *h = arena_alloc(r->arena, sizeof(*h));

	if (h == NULL)
		return;
	h->name = arena_strdup(r->arena, name);
	h->value = arena_strdup(r->arena, value);
	h->next = r->headers;
	r->headers = h;
}

/*
 * A streamed body.  The event thread hands out what a worker filled; when
 * it runs dry it suspends the connection and queues the next fill.
 */
#define STREAM_CHUNK (64 * 1024)
struct stream {
	stream_fill_fn fill;
	stream_done_fn done;
	void *cls;
	struct MHD_Connection *conn;
	char *buf;
	size_t len, off;
	int state;                      /* 0 more to come, 1 ended, -1 failed */
	atomic_int filling;             /* a worker owns buf, len, off, state */
	struct job job;
};

static void
stream_close(struct stream *st)
{
	if (st->done != NULL)
		st->done(st->cls);
	free(st->buf);
	free(st);
}

/* MHD is done with the response: close the source off the event thread. */
static void
stream_free(void *cls)
{
	struct stream *st = cls;

	if (in_worker || !q_running) {
		stream_close(st);
		return;
	}
	job_push(&st->job, JOB_DONE, st);
}

/* One chunk into st->buf (a worker, or before the response exists). */
static void
stream_fill(struct stream *st)
{
	long n;

	st->off = st->len = 0;
	if (st->buf == NULL && (st->buf = malloc(STREAM_CHUNK)) == NULL) {
		st->state = -1;
		return;
	}
	n = st->fill(st->cls, st->buf, STREAM_CHUNK);
	if (n > 0)
		st->len = (size_t)n;
	else
		st->state = n == 0 ? 1 : -1;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	size_t n;

	(void)pos;
	if (atomic_load(&st->filling))
		return 0;
	if (st->off < st->len) {
		n = st->len - st->off;
		if (n > max)
			n = max;
		memcpy(buf, st->buf + st->off, n);
		st->off += n;
		return (ssize_t)n;
	}
	if (st->state != 0)
		return st->state > 0 ? MHD_CONTENT_READER_END_OF_STREAM :
		    MHD_CONTENT_READER_END_WITH_ERROR;
	/* Nothing yet: park the connection until a worker has the next chunk. */
	atomic_store(&st->filling, 1);
	MHD_suspend_connection(st->conn);
	job_push(&st->job, JOB_FILL, st);
	return 0;
}

static void
resp_clear(struct req *r)
{
	if (r->stream != NULL) {
		stream_free(r->stream);
		r->stream = NULL;
	}
	if (r->resp_malloced)
		free(r->resp);
	if (r->resp_fd >= 0)
		close(r->resp_fd);
	r->resp = NULL;
	r->resp_len = 0;
	r->resp_malloced = 0;
	r->resp_fd = -1;
}

enum err
reply_json(struct req *r, int status, cJSON *body)
{
	resp_clear(r);
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	if (body != NULL) {
		r->resp = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
		if (r->resp == NULL)
			return ERR_INTERNAL;
		r->resp_len = strlen(r->resp);
		r->resp_malloced = 1;
	}
	return ERR_OK;
}

enum err
reply_empty(struct req *r, int status)
{
	resp_clear(r);
	r->status = status;
	r->ctype = NULL;
	return ERR_OK;
}

enum err
reply_data(struct req *r, int status, const char *ctype, const void *data,
    size_t len)
{
	resp_clear(r);
	r->status = status;
	r->ctype = ctype;
	r->resp = (char *)data;
	r->resp_len = len;
	return ERR_OK;
}

enum err
reply_fd(struct req *r, int status, const char *ctype, int fd, size_t size)
{
	resp_clear(r);
	r->status = status;
	r->ctype = ctype;
	r->resp_fd = fd;
	r->resp_fd_size = size;
	return ERR_OK;
}

enum err
reply_stream(struct req *r, int status, const char *ctype, stream_fill_fn fill,
    stream_done_fn done, void *cls)
{
	struct stream *st;

	resp_clear(r);
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		done(cls);
		return ERR_INTERNAL;
	}
	st->fill = fill;
	st->done = done;
	st->cls = cls;
	r->stream = st;
	r->status = status;
	r->ctype = ctype;
	return ERR_OK;
}

static void
error_reply(struct req *r, enum err e)
{
	char *body;
	char ra[32];

	/* The message in the caller's language; code and fields never change. */
	body = json_error_body(r->err_code ? r->err_code : err_code(e),
	    tr(req_lang(r, NULL, 0), r->err_msg ? r->err_msg : err_message(e)),
	    e == ERR_INVALID ? r->err_fields : NULL);
	resp_clear(r);
	r->status = err_status(e);
	r->ctype = "application/json; charset=utf-8";
	r->resp = body;
	r->resp_len = body ? strlen(body) : 0;
	r->resp_malloced = body != NULL;
	if (e == ERR_RATELIMIT) {
		snprintf(ra, sizeof(ra), "%lld", r->retry_after > 0 ? r->retry_after : 1);
		resp_header(r, "Retry-After", ra);
	}
}

static int
is_unsafe(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
	    strcmp(m, "OPTIONS") != 0;
}

const char *
session_cookie_name(void)
{
	return cfg->https ? "__Host-confero_session" : "confero_session";
}

static enum err
authenticate(struct req *r)
{
	const char *authz = req_header(r, "Authorization"), *cookie;
	unsigned char h[32];
	struct db *d;
	enum err e;

	memset(&r->who, 0, sizeof(r->who));
	if (authz != NULL) {
		const char *tok;

		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return req_fail(r, ERR_UNAUTH, "unauthorized",
			    "Use Authorization: Bearer <token>.");
		tok = authz + 7;
		while (*tok == ' ')
			tok++;
		if (strlen(tok) < 16 || strlen(tok) > 200)
			return req_fail(r, ERR_UNAUTH, "invalid_token", "Invalid or revoked token.");
		auth_secret_hash(tok, h);
		if (cache_get(CACHE_PRINCIPAL, h, 32, &r->who, sizeof(r->who)))
			return ERR_OK;
		if ((e = req_db(r, &d)) != ERR_OK)
			return e;
		e = db_token_lookup(d, h, &r->who);
		if (e == ERR_OK)
			cache_put(CACHE_PRINCIPAL, h, 32, &r->who, sizeof(r->who), 2000);
		if (e == ERR_NOTFOUND)
			return req_fail(r, ERR_UNAUTH, "invalid_token", "Invalid or revoked token.");
		return e;
	}
	cookie = req_cookie(r, session_cookie_name());
	if (cookie == NULL || strlen(cookie) < 16 || strlen(cookie) >= sizeof(r->session_secret))
		return ERR_OK;
	auth_secret_hash(cookie, h);
	if (cache_get(CACHE_PRINCIPAL, h, 32, &r->who, sizeof(r->who))) {
		snprintf(r->session_secret, sizeof(r->session_secret), "%s", cookie);
		return ERR_OK;
	}
	if ((e = req_db(r, &d)) != ERR_OK)
		return e;
	e = db_session_lookup(d, h, &r->who);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e == ERR_OK)
		cache_put(CACHE_PRINCIPAL, h, 32, &r->who, sizeof(r->who), 2000);
	if (e == ERR_OK)
		snprintf(r->session_secret, sizeof(r->session_secret), "%s", cookie);
	return e;
}

/*
 * A browser always sends Origin on cross-site POST/PATCH/DELETE; refuse
 * any that is not ours (Fossil's first CSRF level), then demand the token.
 */
static int
origin_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin"), *host;
	char mine[300];

	if (origin == NULL)
		return 1;
	if (strcmp(origin, cfg->base_url) == 0)
		return 1;
	if ((host = req_header(r, "Host")) != NULL) {
		snprintf(mine, sizeof(mine), "http%s://%s", cfg->https ? "s" : "", host);
		/* Under https only https: a page over plain http is not ours. */
		if (strcmp(origin, mine) == 0)
			return 1;
	}
	return 0;
}

static int
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* A browser navigating asks for text/html before anything JSON. */
static int
wants_html(const char *accept)
{
	const char *h, *j;

	if (accept == NULL || (h = strstr(accept, "text/html")) == NULL)
		return 0;
	j = strstr(accept, "application/json");
	return j == NULL || h < j;
}

/* Routing, credentials, role, CSRF, body: all a route handler may assume. */
static enum err
prologue(struct req *r)
{
	char allow[128];
	enum route_result rr;
	enum err e;
	int api = strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/healthz") == 0 ||
	    strncmp(r->path, "/t/", 3) == 0 || strncmp(r->path, "/manage/", 8) == 0;

	if (!api) {
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			resp_header(r, "Allow", "GET, HEAD");
			return ERR_METHOD;
		}
		return static_serve(r);
	}
	/*
	 * The attendee's secret link is both the ticket page (a browser asks
	 * for HTML) and its JSON API (the page's fetch asks for JSON).  The
	 * page itself holds nothing personal; it fetches the data.
	 */
	if (strncmp(r->path, "/manage/", 8) == 0) {
		resp_header(r, "Vary", "Accept");
		const char *rest = strchr(r->path + 8, '/');
		/* /manage/{secret}: the ticket page; …/matchmaking: the meetings page. */
		if (strcmp(r->method, "GET") == 0 && wants_html(req_header(r, "Accept"))) {
			if (rest == NULL)
				return static_serve_path(r, "/manage.html");
			if (strcmp(rest, "/matchmaking") == 0)
				return static_serve_path(r, "/meet.html");
		}
	}
	/* lane_try may have matched it already. */
	rr = r->route != NULL ? ROUTE_FOUND : route_match(routes, nroutes, r->method,
	    r->path, &r->route, &r->params, allow, sizeof(allow));
	if (rr == ROUTE_NOTFOUND)
		return ERR_NOTFOUND;
	if (rr == ROUTE_BADMETHOD) {
		resp_header(r, "Allow", allow);
		return ERR_METHOD;
	}
	if (r->body_over)
		return ERR_TOOBIG;
	if (!(r->route->flags & RF_NOAUTH)) {
		if ((e = authenticate(r)) != ERR_OK)
			return e;
	}
	if (r->route->role > ROLE_NONE) {
		if (r->who.kind == PRINCIPAL_NONE)
			return ERR_UNAUTH;
		/* A token made for one event sees nothing else (README). */
		if ((r->route->flags & RF_UNSCOPED) && r->who.event_id > 0)
			return req_fail(r, ERR_FORBIDDEN, "event_token",
			    "A token made for one event cannot do this.");
		if (r->who.role < r->route->role)
			return ERR_FORBIDDEN;
	}
	if (is_unsafe(r->method)) {
		if (!origin_ok(r))
			return req_fail(r, ERR_FORBIDDEN, "cross_origin",
			    "Cross-origin requests are not allowed.");
		if (r->who.kind == PRINCIPAL_SESSION && !(r->route->flags & RF_NOCSRF) &&
		    !auth_csrf_ok(r->session_secret, req_header(r, "X-CSRF-Token")))
			return ERR_CSRF;
	}
	if ((r->route->flags & RF_JSON) || ((r->route->flags & RF_JSON_OPT) && r->body_len > 0)) {
		if (!is_json_type(req_header(r, "Content-Type")))
			return ERR_MEDIATYPE;
		if ((r->json = json_parse_object(r->body, r->body_len)) == NULL)
			return ERR_BADJSON;
		arena_defer(r->arena, json_free, r->json);
	}
	return ERR_OK;
}

static enum err
handle(struct req *r)
{
	enum err e;

	/* Static files and the ticket page are answered by the prologue. */
	if ((e = prologue(r)) != ERR_OK || r->route == NULL)
		return e;
	return r->route->fn(r);
}

static void
add_headers(struct req *r, struct MHD_Response *resp)
{
	struct hdr *h;
	int cache = 0;

	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
	    "camera=(self), microphone=(), geolocation=()");
	if (cfg->https)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		    "max-age=31536000; includeSubDomains");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (r->ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	for (h = r->headers; h != NULL; h = h->next) {
		MHD_add_response_header(resp, h->name, h->value);
		if (strcasecmp(h->name, "Cache-Control") == 0)
			cache = 1;
	}
	if (!cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result
respond(struct req *r, struct MHD_Connection *c)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->stream != NULL) {
		r->stream->conn = c;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_CHUNK,
		    stream_read, r->stream, stream_free);
		if (resp != NULL)
			r->stream = NULL;       /* MHD calls stream_free now */
	} else if (r->resp_fd >= 0) {
		resp = MHD_create_response_from_fd(r->resp_fd_size, r->resp_fd);
		if (resp != NULL)
			r->resp_fd = -1;        /* MHD closes it now */
	} else if (r->resp_malloced) {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp,
		    MHD_RESPMEM_MUST_FREE);
		if (resp != NULL) {
			r->resp = NULL;
			r->resp_malloced = 0;
		}
	} else
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp,
		    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	add_headers(r, resp);
	ret = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	r->responded = 1;
	return ret;
}

static void
finish(struct req *r)
{
	enum err e;

	if (r->body_over && r->route == NULL) {
		/* Still route it so unknown paths answer 404, not 413. */
		char allow[128];
		if (route_match(routes, nroutes, r->method, r->path, &r->route,
		    &r->params, allow, sizeof(allow)) != ROUTE_NOTFOUND)
			e = ERR_TOOBIG;
		else
			e = ERR_NOTFOUND;
	} else
		e = handle(r);
	/* The answer is built: the connection can serve the next request. */
	if (r->db != NULL) {
		db_release(r->db);
		r->db = NULL;
	}
	if (e != ERR_OK)
		error_reply(r, e);
	else if (r->status == 0)
		r->status = 200;
}

static void
client_address(struct req *r, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const char *xff;

	snprintf(r->client_addr, sizeof(r->client_addr), "unknown");
	if (cfg->trust_proxy && (xff = MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "X-Forwarded-For")) != NULL) {
		/* The proxy appends the address it saw: take the last hop. */
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(r->client_addr, sizeof(r->client_addr), "%.*s",
		    (int)strcspn(last, " "), last);
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    r->client_addr, sizeof(r->client_addr));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    r->client_addr, sizeof(r->client_addr));
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;
	struct arena *a;
	const char *cl;

	(void)cls;
	(void)version;
	if (r == NULL) {
		if ((a = arena_new()) == NULL)
			return MHD_NO;
		if ((r = arena_calloc(a, 1, sizeof(*r))) == NULL) {
			arena_free(a);
			return MHD_NO;
		}
		r->arena = a;
		r->conn = c;
		r->resp_fd = -1;
		r->method = arena_strdup(a, method);
		r->path = arena_strdup(a, url);
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		snprintf(r->id, sizeof(r->id), "%08x%08llx", instance_tag,
		    (unsigned long long)atomic_fetch_add(&req_counter, 1) + 1);
		snprintf(log_reqid, sizeof(log_reqid), "%s", r->id);
		client_address(r, c);
		*con_cls = r;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > cfg->body_max) {
			/* Refuse before reading; MHD closes the connection after. */
			r->body_over = 1;
			finish(r);
			return respond(r, c);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->responded && !r->body_over) {
			size_t need = r->body_len + *upload_data_size;
			if (need > cfg->body_max) {
				r->body_over = 1;
			} else {
				if (need + 1 > r->body_cap) {
					size_t cap = r->body_cap ? r->body_cap : 4096;
					char *nb;
					while (cap < need + 1)
						cap *= 2;
					if ((nb = arena_alloc(r->arena, cap)) == NULL)
						return MHD_NO;
					if (r->body_len) {
						memcpy(nb, r->body, r->body_len);
						sodium_memzero(r->body, r->body_len);
					}
					r->body = nb;
					r->body_cap = cap;
				}
				memcpy(r->body + r->body_len, upload_data, *upload_data_size);
				r->body_len += *upload_data_size;
				r->body[r->body_len] = '\0';
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	if (r->ready)
		return respond(r, c);
	if (!r->dispatched) {
		/* Complete: the lane or a worker answers, the connection waits. */
		r->dispatched = 1;
		MHD_suspend_connection(c);
		snprintf(log_reqid, sizeof(log_reqid), "%s", r->id);
		if (!lane_try(r))
			job_push(&r->job, JOB_HANDLE, r);
		log_reqid[0] = '\0';
	}
	return MHD_YES;
}

/* Back to what the prologue found: a worker starts from scratch. */
static void
req_reset(struct req *r)
{
	resp_clear(r);
	r->route = NULL;
	memset(&r->params, 0, sizeof(r->params));
	memset(&r->who, 0, sizeof(r->who));
	r->json = NULL;
	r->err_code = r->err_msg = NULL;
	r->lang = NULL;
	r->err_fields = NULL;
	r->headers = NULL;
	r->status = 0;
	r->ctype = NULL;
	r->nodb = r->wouldblock = 0;
}

/*
 * On the event thread, for routes with a lane handler: 1 when the request
 * is answered (r->ready) or a lane task will answer it, 0 for a worker.
 */
static int
lane_try(struct req *r)
{
	char allow[8];
	handler_fn lane = NULL;
	enum err e;

	if (r->body_over)
		return 0;
	/* Asked once: whether the lane is up may change in between. */
	if (route_match(routes, nroutes, r->method, r->path, &r->route, &r->params,
	    allow, sizeof(allow)) != ROUTE_FOUND || (lane = route_lane(r->route)) == NULL) {
		r->route = NULL;
		return 0;
	}
	r->nodb = 1;
	if ((e = prologue(r)) == ERR_OK && !r->wouldblock)
		e = lane(r);
	if (r->wouldblock) {
		req_reset(r);
		return 0;
	}
	if (r->lane_pending)
		return 1;
	if (e != ERR_OK)
		error_reply(r, e);
	else if (r->status == 0)
		r->status = 200;
	http_lane_done(r);
	return 1;
}

void
http_lane_done(struct req *r)
{
	r->nodb = 0;
	r->laned = 1;
	r->ready = 1;
	MHD_resume_connection(r->conn);
	loop_rerun = 1;
}

enum err
req_needs_worker(struct req *r)
{
	r->wouldblock = 1;
	return ERR_OK;
}

void
http_defer(struct job *j, void (*fn)(void *), void *arg)
{
	j->fn = fn;
	job_push(j, JOB_CALL, arg);
}

void
http_lane_fallback(struct req *r)
{
	req_reset(r);
	job_push(&r->job, JOB_HANDLE, r);
}

/* In a worker: the handler, then the connection goes back to the loop. */
static void
handle_job(struct req *r)
{
	snprintf(log_reqid, sizeof(log_reqid), "%s", r->id);
	finish(r);
	/* The first chunk of a stream now, not after another suspension. */
	if (r->stream != NULL)
		stream_fill(r->stream);
	log_reqid[0] = '\0';
	r->ready = 1;
	conn_resume(r->conn);
}

static void
job_push(struct job *j, enum job_kind kind, void *p)
{
	j->kind = (int)kind;
	j->p = p;
	j->next = NULL;
	pthread_mutex_lock(&q_mtx);
	if (q_tail != NULL)
		q_tail->next = j;
	else
		q_head = j;
	q_tail = j;
	pthread_cond_signal(&q_cv);
	pthread_mutex_unlock(&q_mtx);
}

static void *
worker_main(void *arg)
{
	struct job *j;
	struct stream *st;

	(void)arg;
	in_worker = 1;
	for (;;) {
		pthread_mutex_lock(&q_mtx);
		while (q_head == NULL && !q_stop)
			pthread_cond_wait(&q_cv, &q_mtx);
		if ((j = q_head) == NULL) {
			pthread_mutex_unlock(&q_mtx);
			break;
		}
		if ((q_head = j->next) == NULL)
			q_tail = NULL;
		pthread_mutex_unlock(&q_mtx);
		switch (j->kind) {
		case JOB_HANDLE:
			handle_job(j->p);
			break;
		case JOB_FILL:
			st = j->p;
			stream_fill(st);
			atomic_store(&st->filling, 0);
			conn_resume(st->conn);
			break;
		case JOB_DONE:
			stream_close(j->p);
			break;
		case JOB_CALL:
			j->fn(j->p);
			break;
		}
	}
	return NULL;
}

/*
 * The event thread: microhttpd's epoll set (listening socket, connections)
 * is one descriptor in ours, with the wake-up eventfd and the lane's
 * database sockets.
 */
/* One turn of the loop: wait up to ms (less when MHD has a timeout due). */
static void
loop_turn(int ms)
{
	struct epoll_event ev[64];
	MHD_UNSIGNED_LONG_LONG to;
	uint64_t count;
	int n, i;

	if (MHD_get_timeout(daemon_, &to) == MHD_YES && to < (MHD_UNSIGNED_LONG_LONG)ms)
		ms = (int)to;
	if (loop_rerun)
		ms = 0;
	loop_rerun = 0;
	n = epoll_wait(epfd, ev, 64, ms);
	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr == NULL) {
			if (read(wake_fd, &count, sizeof(count)) < 0)
				continue;
		} else if (ev[i].data.ptr != &daemon_)
			lane_event(ev[i].data.ptr, ev[i].events);
	}
	lane_tick();
	MHD_run(daemon_);
	lane_kick();
}

static void *
loop_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&loop_stop))
		loop_turn(1000);
	return NULL;
}

/*
 * The path for the log: no query string (MHD strips it), no secrets.  The
 * secret of /manage/{token}… and /t/{code}… is left out also when no route
 * matched it: the ticket and meetings pages, a 404 or 405 under the link.
 */
static void
log_path(struct req *r, char *out, size_t len)
{
	const char *p = (r->route && (r->route->flags & RF_SECRET)) ?
	    r->route->pattern : r->path;
	size_t i;

	/*
	 * No route matched (a page under the link, a 404): the secret routes'
	 * own patterns say which segment to hide ("/manage/{token}", "/t/{code}").
	 */
	for (size_t k = 0; p == r->path && k < nroutes; k++) {
		const char *pat = routes[k].pattern, *brace = strchr(pat, '{'), *end;
		size_t plen;

		if (!(routes[k].flags & RF_SECRET) || brace == NULL ||
		    (end = strchr(brace, '}')) == NULL)
			continue;
		plen = (size_t)(brace - pat);
		if (strncmp(p, pat, plen) != 0)
			continue;
		snprintf(out, len, "%.*s%.*s%.100s", (int)plen, pat, (int)(end - brace + 1), brace,
		    p + plen + strcspn(p + plen, "/"));
		p = out;
	}
	for (i = 0; p[i] != '\0' && i + 1 < len && i < 200; i++)
		out[i] = (p[i] > 0x20 && p[i] < 0x7f) ? p[i] : '?';
	out[i] = '\0';
}

static void
completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	struct timespec now;
	char path[256], who[32];
	double ms;

	(void)cls;
	(void)c;
	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - r->start.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->start.tv_nsec) / 1e6;
	snprintf(log_reqid, sizeof(log_reqid), "%s", r->id);
	log_path(r, path, sizeof(path));
	/* Who acted, by number only (ASVS 7.1.3/7.1.4): user u<id>, token t<id>. */
	who[0] = '\0';
	if (r->who.kind == PRINCIPAL_SESSION)
		snprintf(who, sizeof(who), " u%lld", r->who.user_id);
	else if (r->who.kind == PRINCIPAL_TOKEN)
		snprintf(who, sizeof(who), " t%lld", r->who.token_id);
	log_info("%s %s %d %.1fms%s%s%s", r->method, path, r->status, ms, who,
	    r->laned ? " lane" : "",
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	log_reqid[0] = '\0';
	if (r->db != NULL)
		db_release(r->db);
	resp_clear(r);
	sodium_memzero(r->session_secret, sizeof(r->session_secret));
	/* Bodies hold passwords (login, users): not left in freed memory. */
	if (r->body != NULL)
		sodium_memzero(r->body, r->body_len);
	arena_free(r->arena);
	*con_cls = NULL;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * libmicrohttpd's own unescaping turns %00 into a NUL that silently cuts
 * the path ("/app.css%00.html" would serve app.css).  Decode everything
 * but %00, which stays as text and fails every path check.
 */
static size_t
unescape_cb(void *cls, struct MHD_Connection *c, char *s)
{
	char *r = s, *w = s;
	int hi, lo;

	(void)cls;
	(void)c;
	while (*r != '\0') {
		if (r[0] == '%' && r[1] != '\0' && r[2] != '\0' &&
		    (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int loop_start(void);

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warn("http: %s", buf);
}

/*
 * Connections past CONFERO_CONN_LIMIT are accepted and closed at once: left
 * in the listen queue they would hang there, and every newcomer behind
 * them, until slots free up.  Established connections (scanners on
 * keep-alive) are never touched.  Both callbacks run on the event thread.
 */
static atomic_int open_conns;

static void
conn_notify_cb(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&open_conns, 1);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&open_conns, 1);
}

static enum MHD_Result
accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	static atomic_long refused;

	(void)cls;
	(void)addr;
	(void)addrlen;
	if (atomic_load(&open_conns) < cfg->conn_limit)
		return MHD_YES;
	/* One line per thousand: a flood must not flood the log too. */
	if (atomic_fetch_add(&refused, 1) % 1000 == 0)
		log_warn("http: connection limit %d reached; refusing new connections",
		    cfg->conn_limit);
	return MHD_NO;
}

int
http_start(void)
{
	struct addrinfo hints, *ai = NULL;
	char port[16];
	unsigned int flags;
	int rc;

	randombytes_buf(&instance_tag, sizeof(instance_tag));
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%d", cfg->listen_port);
	if ((rc = getaddrinfo(cfg->listen_host, port, &hints, &ai)) != 0) {
		log_err("http: cannot resolve %s: %s", cfg->listen_host, gai_strerror(rc));
		return -1;
	}
	flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_ = MHD_start_daemon(flags, 0, accept_cb, NULL, access_cb, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, conn_notify_cb, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, NULL,
	    /* Above ours: past CONFERO_CONN_LIMIT accept_cb closes at once. */
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->conn_limit + 64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->conn_timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	if (daemon_ == NULL) {
		log_err("http: cannot listen on %s:%d", cfg->listen_host, cfg->listen_port);
		return -1;
	}
	return loop_start();
}

static int
loop_start(void)
{
	const union MHD_DaemonInfo *di;
	struct epoll_event ev;
	pthread_attr_t attr;
	int i;

	if ((di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)) == NULL ||
	    (epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_err("http: cannot set up the event loop");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &daemon_;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) != 0)
		return -1;
	ev.data.ptr = NULL;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &ev) != 0)
		return -1;
	if (lane_init(epfd, cfg->lane_conns) != 0)
		return -1;
	nworkers = cfg->http_workers;
	if ((workers = calloc((size_t)nworkers, sizeof(*workers))) == NULL)
		return -1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	q_running = 1;
	for (i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i], &attr, worker_main, NULL) != 0) {
			log_err("http: cannot start worker threads");
			nworkers = i;
			pthread_attr_destroy(&attr);
			return -1;
		}
	if (pthread_create(&loop_thread, &attr, loop_main, NULL) != 0) {
		pthread_attr_destroy(&attr);
		return -1;
	}
	loop_started = 1;
	pthread_attr_destroy(&attr);
	return 0;
}

int
http_port(void)
{
	const union MHD_DaemonInfo *di;

	if (daemon_ == NULL)
		return 0;
	di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	return di ? (int)di->port : cfg->listen_port;
}

/*
 * The loop stops first (no new requests), then the workers finish what
 * was queued (each resumes its connection), then microhttpd closes
 * everything; what it frees then is closed on this thread.
 */
void
http_stop(void)
{
	uint64_t one = 1;
	int i;

	if (loop_started) {
		atomic_store(&loop_stop, 1);
		if (write(wake_fd, &one, sizeof(one)) < 0)
			log_warn("http: cannot wake the event loop");
		pthread_join(loop_thread, NULL);
		loop_started = 0;
	}
	pthread_mutex_lock(&q_mtx);
	q_stop = 1;
	pthread_cond_broadcast(&q_cv);
	pthread_mutex_unlock(&q_mtx);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	q_running = 0;
	free(workers);
	workers = NULL;
	nworkers = 0;
	if (daemon_ != NULL)
		MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	lane_stop();
	if (epfd != -1)
		close(epfd);
	if (wake_fd != -1)
		close(wake_fd);
	epfd = wake_fd = -1;
}
