/*
 * Shared by the db_*.c files only: the connection, the statement table and
 * the bind/fetch helpers.  Every statement is prepared with ? parameters,
 * once per connection, on first use.
 */
#ifndef CONFERO_DB_INTERNAL_H
#define CONFERO_DB_INTERNAL_H

#include <mysql.h>

#include "db.h"
#include "db_sql.h"

struct db {
	MYSQL *my;                      /* NULL when not connected */
	MYSQL_STMT *st[STMT__MAX];
	unsigned int uses[STMT__MAX];   /* executions since prepare */
	int broken;                     /* connection lost: reconnect first */
	int in_tx;
	struct db *next;                /* free list */
};

enum dbv_type { DBV_NULL, DBV_INT, DBV_STR, DBV_BIN };

struct dbv {
	enum dbv_type t;
	long long i;
	const void *p;
	unsigned long len;
};

#define V_NULL ((struct dbv){.t = DBV_NULL})
#define V_INT(x) ((struct dbv){.t = DBV_INT, .i = (long long)(x)})
#define V_STR(s) db_vstr(s)
#define V_BIN(b, n) ((struct dbv){.t = DBV_BIN, .p = (b), .len = (unsigned long)(n)})
/* 0 becomes NULL: for optional foreign keys. */
#define V_ID(x) ((x) > 0 ? V_INT(x) : V_NULL)

static inline struct dbv
db_vstr(const char *s)
{
	struct dbv v = {.t = s ? DBV_STR : DBV_NULL, .p = s};

	if (s != NULL)
		for (v.len = 0; s[v.len] != '\0'; v.len++)
			continue;
	return v;
}

struct dbrow {
	unsigned int n;
	char **val;                     /* NUL-terminated; NULL for SQL NULL */
	unsigned long *len;
};

typedef enum err (*db_rowfn)(void *ctx, const struct dbrow *);

/* Execute a statement that returns no rows. */
enum err db_exec(struct db *, enum stmt, const struct dbv *args, size_t nargs,
    unsigned long long *affected, unsigned long long *insert_id);
/* Execute a query; fn is called per row (buffered: fn may run statements). */
enum err db_query(struct db *, enum stmt, const struct dbv *args,
    size_t nargs, db_rowfn fn, void *ctx);
/* Like db_query, but rows stream from the server: fn must not use the db. */
enum err db_query_stream(struct db *, enum stmt, const struct dbv *args,
    size_t nargs, db_rowfn fn, void *ctx);

/*
 * A streaming cursor: rows come from the server as db_cursor_next asks for
 * them; the connection may run nothing else until db_cursor_close.
 * next: 1 with *row set (valid until the next call), 0 at the end, -1 on
 * error (db_cursor_close then returns it).
 */
struct db_cursor;
enum err db_cursor_open(struct db *, enum stmt, const struct dbv *args,
    size_t nargs, struct db_cursor **);
int db_cursor_next(struct db_cursor *, const struct dbrow **row);
enum err db_cursor_close(struct db_cursor *);

/* Start a statement on a non-blocking connection (see db.h); rows are
 * stored when want_rows, then read with adb_rows. */
int adb_start(struct adb *, enum stmt, const struct dbv *args, size_t nargs,
    int want_rows);
enum err adb_rows(struct adb *, db_rowfn fn, void *ctx);

long long row_ll(const struct dbrow *, unsigned int i);
/* Row callbacks for the common one-value queries: ctx is a long long *
 * (column 0), an int * set to 1 when a row exists, or a struct db_blob *. */
enum err db_row_ll(void *ctx, const struct dbrow *);
enum err db_row_exists(void *ctx, const struct dbrow *);
struct db_blob {
	unsigned char *buf;
	size_t cap, len;
	int found;                      /* a non-NULL value that fitted */
};
enum err db_row_blob(void *ctx, const struct dbrow *);
const char *row_str(const struct dbrow *, unsigned int i);
/* Copy column i into dst (always NUL-terminated; "" for NULL). */
void row_cpy(const struct dbrow *, unsigned int i, char *dst, size_t dstlen);

/* The host part of generated Message-IDs (db_mail.c). */
const char *outbox_msgid_host(char *buf, size_t len);

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

#endif

/*
 * Rows straight to JSON, for read endpoints: spec names each column and its
 * type, comma-separated: "id:i,name:s,capacity:i,waitlist:b,answers:j".
 * i integer, s string, b boolean, d decimal number, j JSON text, x skip,
 * t a UNIX_TIMESTAMP() shown as RFC 3339 in time zone tz (UTC when NULL).
 * SQL NULL becomes JSON null.  db_json_row: ERR_NOTFOUND when no row.
 */
#include <cjson/cJSON.h>
enum err db_json_rows(struct db *, enum stmt, const struct dbv *, size_t,
    const char *spec, const char *tz, cJSON *array);
enum err db_json_row(struct db *, enum stmt, const struct dbv *, size_t,
    const char *spec, const char *tz, cJSON **obj);
