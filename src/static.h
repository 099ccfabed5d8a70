/* Static files from CONFERO_WEB_DIR: types, caching, no traversal. */
#ifndef CONFERO_STATIC_H
#define CONFERO_STATIC_H

#include "err.h"

struct req;

int static_init(const char *web_dir);
enum err static_serve(struct req *);
/* 1 when the URL path is safe to map under the web root. */
int static_path_ok(const char *path);
const char *static_mime(const char *path);

#endif
