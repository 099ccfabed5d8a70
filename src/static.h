/* Static files from CONFERO_WEB_DIR: types, caching, no traversal. */
#ifndef CONFERO_STATIC_H
#define CONFERO_STATIC_H

#include "err.h"

struct req;

int static_init(const char *web_dir);
enum err static_serve(struct req *);
/* Serve the file at web path (already chosen by the caller). */
enum err static_serve_path(struct req *, const char *path);
/* The page file standing for a data-carrying URL, or NULL. */
const char *static_page_alias(const char *path);
/* 1 when the URL path is safe to map under the web root. */
int static_path_ok(const char *path);
const char *static_mime(const char *path);

#endif
