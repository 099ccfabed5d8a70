/*
 * Requests without libmicrohttpd, for harnesses that call handlers and
 * request helpers directly (fuzz_json_routes.c, fuzz_route.c).  Linked with
 * -Wl,--wrap=MHD_lookup_connection_value,--wrap=db_acquire,--wrap=db_release
 * (fuzz.mk): req_header/req_query/req_cookie of src/http.c then read a
 * struct fz_conn, and req_db hands out a connection that was never opened,
 * on which every statement fails at once with ERR_UNAVAILABLE (a database
 * that is down), so handlers run their validation and then fail cleanly.
 */
#ifndef CONFERO_FUZZ_FAKEREQ_H
#define CONFERO_FUZZ_FAKEREQ_H

#include "http.h"

/* MHD_HEADER_KIND, MHD_COOKIE_KIND, MHD_GET_ARGUMENT_KIND of microhttpd.h. */
enum fz_kind { FZ_HEADER = 1, FZ_COOKIE = 2, FZ_QUERY = 8 };

struct fz_conn;
struct fz_conn *fz_conn_new(void);
/* Copied; a later value for the same key is not seen (MHD returns the first). */
void fz_conn_add(struct fz_conn *, enum fz_kind, const char *key, const char *value);
void fz_conn_free(struct fz_conn *);

/* As http.c's access_cb makes it; conn may be NULL (no headers at all). */
struct req *fz_req_new(const char *method, const char *path, struct fz_conn *conn);
/* As completed_cb: the response, the db connection and the arena go. */
void fz_req_free(struct req *);

/* 1 when d is the never-opened connection of req_db. */
int fz_db_is_fake(const struct db *d);

#endif
