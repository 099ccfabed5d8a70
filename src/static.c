/*
 * Serves web/ for GET and HEAD.  A path is refused unless every segment is
 * a plain name (no "", ".", "..", dotfiles, backslashes), and the resolved
 * file must still lie under the web root (symlinks cannot lead out).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "static.h"

static char root[PATH_MAX];
static size_t rootlen;

int
static_init(const char *web_dir)
{
	if (realpath(web_dir, root) == NULL) {
		log_warn("static: web directory %s: %s; no static files served",
		    web_dir, strerror(errno));
		root[0] = '\0';
		rootlen = 0;
		return -1;
	}
	rootlen = strlen(root);
	return 0;
}

int
static_path_ok(const char *path)
{
	const char *seg, *end;

	if (path[0] != '/' || strlen(path) > 1024)
		return 0;
	if (strchr(path, '\\') != NULL || strchr(path, '%') != NULL)
		return 0;
	for (seg = path + 1; *seg != '\0'; seg = end + 1) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		/* A trailing slash is fine ("/docs/" -> index.html). */
		if (end == seg && *end == '\0')
			break;
		if (end == seg || seg[0] == '.')
			return 0;
		for (const char *p = seg; p < end; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return 0;
		if (*end == '\0')
			break;
	}
	return 1;
}

static const struct {
	const char *ext, *type;
} mimes[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".map", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".webp", "image/webp"},
	{".ico", "image/vnd.microsoft.icon"},
	{".woff", "font/woff"},
	{".woff2", "font/woff2"},
	{".ttf", "font/ttf"},
	{".txt", "text/plain; charset=utf-8"},
	{".webmanifest", "application/manifest+json"},
	{".wav", "audio/wav"},
	{".mp3", "audio/mpeg"},
	{".ogg", "audio/ogg"},
	{".wasm", "application/wasm"},
	{".pdf", "application/pdf"},
};

const char *
static_mime(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
			if (strcasecmp(dot, mimes[i].ext) == 0)
				return mimes[i].type;
	return "application/octet-stream";
}

/*
 * Pages whose URL carries data rather than a file name: the event page
 * /events/{slug} is web/event.html, whatever the slug; the page reads the
 * slug from location.  (The attendee's /manage/{secret} page is chosen in
 * http.c, where the same URL also answers JSON.)
 */
const char *
static_page_alias(const char *path)
{
	const char *rest;

	if (strncmp(path, "/events/", 8) == 0) {
		rest = path + 8;
		if (*rest != '\0' && strchr(rest, '/') == NULL)
			return "/event.html";
	}
	return NULL;
}

enum err
static_serve(struct req *r)
{
	const char *alias = static_page_alias(r->path);

	return static_serve_path(r, alias != NULL ? alias : r->path);
}

enum err
static_serve_path(struct req *r, const char *path)
{
	char full[PATH_MAX], real[PATH_MAX], etag[64], lm[64];
	const char *inm, *type;
	struct stat st;
	struct tm tm;
	int fd, n;

	if (rootlen == 0 || !static_path_ok(path))
		return ERR_NOTFOUND;
	n = snprintf(full, sizeof(full), "%s%s%s", root, path,
	    path[strlen(path) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof(full))
		return ERR_NOTFOUND;
	if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (strlen(full) + sizeof("/index.html") > sizeof(full))
			return ERR_NOTFOUND;
		strcat(full, "/index.html");
	}
	if (realpath(full, real) == NULL || strncmp(real, root, rootlen) != 0 ||
	    real[rootlen] != '/')
		return ERR_NOTFOUND;
	if ((fd = open(real, O_RDONLY | O_CLOEXEC)) == -1)
		return ERR_NOTFOUND;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ERR_NOTFOUND;
	}
	type = static_mime(real);
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtime);
	gmtime_r(&st.st_mtime, &tm);
	strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	resp_header(r, "ETag", etag);
	resp_header(r, "Last-Modified", lm);
	/* Pages revalidate every time; assets may be reused for an hour. */
	resp_header(r, "Cache-Control", (strcmp(path, "/manage.html") == 0 || strcmp(path, "/meet.html") == 0) ? "no-store" :
	    strncmp(type, "text/html", 9) == 0 ? "no-cache" : "public, max-age=3600");
	if ((inm = req_header(r, "If-None-Match")) != NULL && strstr(inm, etag) != NULL) {
		close(fd);
		return reply_empty(r, 304);
	}
	return reply_fd(r, 200, type, fd, (size_t)st.st_size);
}
