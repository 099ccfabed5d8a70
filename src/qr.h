/*
 * QR symbols for ticket codes and links, rendered in memory as PNG or SVG:
 * ECC level M, the smallest version that fits, a 4-module quiet zone, black
 * on white.  libqrencode picks the mode per segment, so an upper-case base32
 * ticket code goes in alphanumeric mode (version 5 for 117 characters).
 * Thread-safe: the installed libqrencode is built with pthread.
 */
#ifndef CONFERO_QR_H
#define CONFERO_QR_H

#include <stddef.h>

#define QR_QUIET 4              /* quiet zone, in modules, on every side */
#define QR_MODULE_PX_MAX 40

/*
 * Both renderers return 0 and a malloc'd buffer in *out that the caller
 * frees with free(), or -1 (text NULL or empty, too long for a QR symbol,
 * out of memory) with *out untouched.
 */

/*
 * A 1-bit grayscale PNG, (width + 2 * QR_QUIET) * module_px pixels square,
 * module_px clamped to 1..QR_MODULE_PX_MAX.  *outlen gets the byte count.
 */
int qr_png(const char *text, int module_px, unsigned char **out,
    size_t *outlen);
/*
 * An SVG document (no XML declaration, so it also works inline in HTML)
 * with viewBox "0 0 W W", W the width in modules including the quiet zone,
 * no width/height (size it with CSS or attributes), a white <rect> and one
 * black <path> of horizontal runs.  NUL-terminated; *outlen = strlen.
 */
int qr_svg(const char *text, char **out, size_t *outlen);
/*
 * The bare symbol for drawing it elsewhere (PDF): *width modules square,
 * *out[y * width + x] is 1 for a dark module; no quiet zone.  Free *out.
 */
int qr_matrix(const char *text, int *width, unsigned char **out);
/* The symbol version (1..40) text encodes to, or -1. */
int qr_version(const char *text);

#endif
