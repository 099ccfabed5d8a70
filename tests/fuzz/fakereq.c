/* See fakereq.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "arena.h"
#include "db_internal.h"
#include "http.h"

#include "fakereq.h"
#include "fuzz.h"

#define FZ_MAXKV 64

struct fz_conn {
	int n;
	struct {
		enum fz_kind kind;
		char *key, *value;
	} kv[FZ_MAXKV];
};

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *,
    enum MHD_ValueKind, const char *);
enum err __wrap_db_acquire(struct db **, int);
void __wrap_db_release(struct db *);
void __real_db_release(struct db *);

struct fz_conn *
fz_conn_new(void)
{
	struct fz_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	return c;
}

void
fz_conn_add(struct fz_conn *c, enum fz_kind kind, const char *key, const char *value)
{
	if (c->n == FZ_MAXKV)
		return;
	c->kv[c->n].kind = kind;
	c->kv[c->n].key = strdup(key);
	c->kv[c->n].value = value != NULL ? strdup(value) : NULL;
	c->n++;
}

void
fz_conn_free(struct fz_conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->kv[i].key);
		free(c->kv[i].value);
	}
	free(c);
}

/* MHD's rules: header names ignore case, cookies and arguments do not. */
const char *
__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
    enum MHD_ValueKind kind, const char *key)
{
	struct fz_conn *c = (struct fz_conn *)(void *)connection;

	if (c == NULL || key == NULL)
		return NULL;
	for (int i = 0; i < c->n; i++) {
		if (!((int)c->kv[i].kind & (int)kind))
			continue;
		if (c->kv[i].kind == FZ_HEADER ? strcasecmp(c->kv[i].key, key) == 0 :
		    strcmp(c->kv[i].key, key) == 0)
			return c->kv[i].value;
	}
	return NULL;
}

static struct db fake_db;

enum err
__wrap_db_acquire(struct db **out, int timeout_ms)
{
	(void)timeout_ms;
	/* Never opened: statements fail with ERR_UNAVAILABLE, db_tx cannot connect. */
	FZ_ASSERT(fake_db.my == NULL, "the fake connection got connected");
	memset(&fake_db, 0, sizeof(fake_db));
	*out = &fake_db;
	return ERR_OK;
}

void
__wrap_db_release(struct db *d)
{
	if (d == &fake_db) {
		FZ_ASSERT(d->my == NULL, "the fake connection got connected");
		return;
	}
	__real_db_release(d);
}

int
fz_db_is_fake(const struct db *d)
{
	return d == &fake_db;
}

struct req *
fz_req_new(const char *method, const char *path, struct fz_conn *conn)
{
	static unsigned long long counter;
	struct arena *a = arena_new();
	struct req *r;

	if (a == NULL || (r = arena_calloc(a, 1, sizeof(*r))) == NULL)
		abort();
	r->arena = a;
	r->conn = conn;
	r->resp_fd = -1;
	r->method = arena_strdup(a, method);
	r->path = arena_strdup(a, path);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	snprintf(r->id, sizeof(r->id), "fuzz%016llx", ++counter);
	snprintf(r->client_addr, sizeof(r->client_addr), "192.0.2.1");
	return r;
}

void
fz_req_free(struct req *r)
{
	/* A stream's source is closed only by http.c's static stream_free. */
	FZ_ASSERT(r->stream == NULL, "a handler streamed without a database");
	if (r->db != NULL)
		__wrap_db_release(r->db);
	if (r->resp_malloced)
		free(r->resp);
	if (r->resp_fd >= 0)
		close(r->resp_fd);
	arena_free(r->arena);
}
