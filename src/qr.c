/* libqrencode symbols rendered to PNG (libpng, in memory) and SVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "qr.h"

struct membuf {
	unsigned char *p;
	size_t len, cap;
};

static QRcode *
encode(const char *text)
{
	if (text == NULL || text[0] == '\0')
		return NULL;
	/*
	 * Not QRcode_encodeString8bit: this one splits the input into
	 * numeric, alphanumeric and 8-bit segments, and QR_MODE_8 only says
	 * that non-alphanumeric bytes are not Shift-JIS.  Case-sensitive,
	 * or lower case would be silently upper-cased.
	 */
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

static int
dark(const QRcode *qr, int x, int y)
{
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

int
qr_version(const char *text)
{
	QRcode *qr;
	int v;

	if ((qr = encode(text)) == NULL)
		return -1;
	v = qr->version;
	QRcode_free(qr);
	return v;
}

static void
png_write_cb(png_structp png, png_bytep data, png_size_t n)
{
	struct membuf *b = png_get_io_ptr(png);
	unsigned char *p;
	size_t cap;

	if (n > b->cap - b->len) {
		cap = b->cap == 0 ? 4096 : b->cap;
		while (n > cap - b->len) {
			if (cap > SIZE_MAX / 2)
				png_error(png, "PNG too large");
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL)
			png_error(png, "out of memory");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
png_flush_cb(png_structp png)
{
	/* Without it libpng would fflush() our io pointer as a FILE *. */
	(void)png;
}

/*
 * Everything the error path needs is set before setjmp and not changed
 * after it, so no local is indeterminate after a longjmp (C17 7.13.2.1).
 */
static int
png_render(const QRcode *qr, int px, unsigned char *row, struct membuf *b)
{
	png_structp png;
	png_infop info;
	int n = qr->width + 2 * QR_QUIET, side = n * px;
	size_t rowbytes = ((size_t)side + 7) / 8;
	int y, x, i, c;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL)
		return -1;
	if ((info = png_create_info_struct(png)) == NULL) {
		png_destroy_write_struct(&png, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return -1;
	}
	png_set_write_fn(png, b, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < n; y++) {
		/* Gray 1 is white; dark modules clear their pixels' bits. */
		memset(row, 0xff, rowbytes);
		for (x = 0; x < n; x++) {
			if (y < QR_QUIET || y >= n - QR_QUIET ||
			    x < QR_QUIET || x >= n - QR_QUIET ||
			    !dark(qr, x - QR_QUIET, y - QR_QUIET))
				continue;
			for (i = 0; i < px; i++) {
				c = x * px + i;
				row[c / 8] &= (unsigned char)~(0x80u >> (c % 8));
			}
		}
		for (i = 0; i < px; i++)
			png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int
qr_png(const char *text, int module_px, unsigned char **out, size_t *outlen)
{
	struct membuf b = { NULL, 0, 0 };
	unsigned char *row = NULL;
	QRcode *qr;
	int rc = -1, side;

	if ((qr = encode(text)) == NULL)
		return -1;
	if (module_px < 1)
		module_px = 1;
	if (module_px > QR_MODULE_PX_MAX)
		module_px = QR_MODULE_PX_MAX;
	side = (qr->width + 2 * QR_QUIET) * module_px;
	if ((row = malloc(((size_t)side + 7) / 8)) == NULL)
		goto out;
	if (png_render(qr, module_px, row, &b) != 0)
		goto out;
	*out = b.p;
	*outlen = b.len;
	b.p = NULL;
	rc = 0;
out:
	free(b.p);
	free(row);
	QRcode_free(qr);
	return rc;
}

/* Appends with snprintf; -1 once the precomputed bound would be exceeded. */
static int
svg_put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
svg_put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

int
qr_svg(const char *text, char **out, size_t *outlen)
{
	QRcode *qr;
	char *buf = NULL;
	size_t cap, len = 0;
	int n, x, y, run, rc = -1;

	if ((qr = encode(text)) == NULL)
		return -1;
	n = qr->width + 2 * QR_QUIET;
	/*
	 * A run is at most "M181 181h177v1h-177z" (20 chars) and a row of
	 * width w has at most (w + 1) / 2 runs; 512 covers the rest.
	 */
	cap = 512 + 20 * (size_t)qr->width * ((size_t)qr->width / 2 + 1);
	if ((buf = malloc(cap)) == NULL)
		goto out;
	if (svg_put(buf, cap, &len,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<path fill=\"#000\" d=\"", n, n, n, n) != 0)
		goto out;
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x += run) {
			for (run = 0; x + run < qr->width && dark(qr, x + run, y);
			    run++)
				continue;
			if (run == 0) {
				run = 1;
				continue;
			}
			if (svg_put(buf, cap, &len, "M%d %dh%dv1h-%dz",
			    x + QR_QUIET, y + QR_QUIET, run, run) != 0)
				goto out;
		}
	if (svg_put(buf, cap, &len, "\"/>\n</svg>\n") != 0)
		goto out;
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	QRcode_free(qr);
	return rc;
}

int
qr_matrix(const char *text, int *width, unsigned char **out)
{
	QRcode *qr;
	unsigned char *m;
	int x, y;

	if (text == NULL || *text == '\0' || (qr = encode(text)) == NULL)
		return -1;
	if ((m = malloc((size_t)qr->width * (size_t)qr->width)) == NULL) {
		QRcode_free(qr);
		return -1;
	}
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			m[y * qr->width + x] = (unsigned char)dark(qr, x, y);
	*width = qr->width;
	*out = m;
	QRcode_free(qr);
	return 0;
}
