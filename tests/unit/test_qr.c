/*
 * Unit tests for src/qr.c: the PNG and SVG renderers are decoded back to a
 * module matrix and compared with libqrencode's symbol for the same text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>
#include <qrencode.h>

#include "qr.h"
#include "ticketcode.h"

#include "testutil.h"

/* A ticket code: 117 upper-case base32 characters. */
static const char ticket[] =
    "AEFAWDANBYHRAEILGBKXVH6E5EHDGWD5ULD6YEJWLOAKLSXPCQ4V5A5IZXZBOPDBQ2V5B5"
    "I2H5SITLWT7AOUEZ4MWHLPWICFNKH3JWP6ENEG3EVX3QASM";

static QRcode *
reference(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

	assert_non_null(q);
	return q;
}

/* 1 dark, 0 light, for module (x, y) of the reference including quiet zone. */
static int
ref_module(const QRcode *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

static void
test_version(void **state)
{
	char lower[sizeof(ticket)];
	char *big;
	size_t i;

	(void)state;
	assert_int_equal(strlen(ticket), 117);
	/* Alphanumeric mode: version 5 at ECC M. */
	assert_int_equal(qr_version(ticket), 5);
	/* Lower case needs byte mode: a bigger symbol, not upper-cased input. */
	for (i = 0; i < sizeof(ticket); i++)
		lower[i] = (char)(ticket[i] >= 'A' && ticket[i] <= 'Z' ? ticket[i] + 32 : ticket[i]);
	assert_true(qr_version(lower) > 5);
	assert_int_equal(qr_version("1"), 1);
	assert_int_equal(qr_version("https://example.org/t/x"), 2);
	assert_int_equal(qr_version(NULL), -1);
	assert_int_equal(qr_version(""), -1);
	/* Byte mode at M holds at most 2331 bytes (version 40). */
	big = malloc(3001);
	assert_non_null(big);
	memset(big, 'a', 3000);
	big[3000] = '\0';
	assert_int_equal(qr_version(big), -1);
	big[2331] = '\0';
	assert_int_equal(qr_version(big), 40);
	free(big);
}

/*
 * Real codes from ticketcode_make, random ids: every one must stay in
 * alphanumeric mode (version 5 at M; byte mode would need version 7).
 */
static void
test_version_real_codes(void **state)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char code[TICKETCODE_MAX];
	QRcode *q8;
	int i, v;

	(void)state;
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(pk, sk);
	for (i = 0; i < 300; i++) {
		assert_int_equal(ticketcode_make(sk, randombytes_random(),
		    randombytes_random(), code), 0);
		assert_int_equal(strlen(code), 117);
		v = qr_version(code);
		if (v < 1 || v > 6)
			fail_msg("%s: version %d", code, v);
		q8 = QRcode_encodeString8bit(code, 0, QR_ECLEVEL_M);
		assert_non_null(q8);
		assert_true(q8->version > v);
		QRcode_free(q8);
	}
}

/* Decode a PNG to 8-bit gray; returns the pixels, width in *side. */
static unsigned char *
decode_png(const unsigned char *data, size_t len, int *side)
{
	png_image img;
	unsigned char *px;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, data, len))
		fail_msg("not a PNG: %s", img.message);
	assert_int_equal(img.width, img.height);
	img.format = PNG_FORMAT_GRAY;
	px = malloc(PNG_IMAGE_SIZE(img));
	assert_non_null(px);
	if (!png_image_finish_read(&img, NULL, px, 0, NULL))
		fail_msg("PNG decode: %s", img.message);
	*side = (int)img.width;
	return px;
}

static void
check_png(const char *text, int module_px, int want_px)
{
	unsigned char *png = NULL, *px;
	size_t len = 0;
	int side, n, x, y, dx, dy;
	QRcode *q = reference(text);

	assert_int_equal(qr_png(text, module_px, &png, &len), 0);
	assert_non_null(png);
	assert_true(len > 8);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	/* IHDR: bit depth 1, colour type 0 (gray). */
	assert_int_equal(png[24], 1);
	assert_int_equal(png[25], 0);

	px = decode_png(png, len, &side);
	n = q->width + 2 * QR_QUIET;
	assert_int_equal(side, n * want_px);
	for (y = 0; y < n; y++)
		for (x = 0; x < n; x++) {
			int want = ref_module(q, x, y) ? 0 : 255;

			/* Every pixel of the module has the module's colour. */
			for (dy = 0; dy < want_px; dy++)
				for (dx = 0; dx < want_px; dx++)
					if (px[(size_t)(y * want_px + dy) * (size_t)side +
					    (size_t)(x * want_px + dx)] != want)
						fail_msg("%s px=%d: module (%d,%d) pixel (%d,%d) wrong",
						    text, module_px, x, y, dx, dy);
		}
	free(px);
	free(png);
	QRcode_free(q);
}

static void
test_png_matches_symbol(void **state)
{
	(void)state;
	check_png(ticket, 1, 1);
	check_png(ticket, 3, 3);
	check_png(ticket, 8, 8);
	check_png("https://example.org/t/abc?x=1", 5, 5);
	/* Clamped to 1..QR_MODULE_PX_MAX. */
	check_png("1", 0, 1);
	check_png("1", -7, 1);
	check_png("1", QR_MODULE_PX_MAX, QR_MODULE_PX_MAX);
	check_png("1", QR_MODULE_PX_MAX + 1, QR_MODULE_PX_MAX);
	check_png("1", 100000, QR_MODULE_PX_MAX);
}

static void
test_png_structure(void **state)
{
	unsigned char *png, *px;
	size_t len;
	int side, i, x, y;

	(void)state;
	assert_int_equal(qr_png(ticket, 2, &png, &len), 0);
	px = decode_png(png, len, &side);
	/* Version 5: 37 modules + 2 * 4 quiet = 45, at 2 px. */
	assert_int_equal(side, 90);
	/* The quiet zone is white all round. */
	for (i = 0; i < side; i++)
		for (x = 0; x < 2 * QR_QUIET; x++) {
			assert_int_equal(px[(size_t)x * (size_t)side + (size_t)i], 255);
			assert_int_equal(px[(size_t)(side - 1 - x) * (size_t)side + (size_t)i], 255);
			assert_int_equal(px[(size_t)i * (size_t)side + (size_t)x], 255);
			assert_int_equal(px[(size_t)i * (size_t)side + (size_t)(side - 1 - x)], 255);
		}
	/* The top-left finder pattern: dark ring, light ring, dark 3x3 centre. */
	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			int ring = x == 0 || y == 0 || x == 6 || y == 6;
			int centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			int want = ring || centre ? 0 : 255;
			int mx = (QR_QUIET + x) * 2, my = (QR_QUIET + y) * 2;

			assert_int_equal(px[(size_t)my * (size_t)side + (size_t)mx], want);
		}
	free(px);
	free(png);
}

/* Parse the SVG path back into a matrix of n x n modules. */
static void
check_svg(const char *text)
{
	char *svg = NULL, *d, head[128];
	size_t len = 0;
	int n, x, y, run, run2, used;
	unsigned char *m;
	QRcode *q = reference(text);

	assert_int_equal(qr_svg(text, &svg, &len), 0);
	assert_non_null(svg);
	assert_int_equal(len, strlen(svg));
	n = q->width + 2 * QR_QUIET;
	/* No XML declaration; viewBox; no size on the <svg> element. */
	assert_true(strncmp(svg, "<svg ", 5) == 0);
	assert_null(strstr(svg, "<?xml"));
	snprintf(head, sizeof(head), "viewBox=\"0 0 %d %d\"", n, n);
	assert_non_null(strstr(svg, head));
	*strchr(svg, '>') = '\0';
	assert_null(strstr(svg, " width="));
	assert_null(strstr(svg, " height="));
	svg[strlen(svg)] = '>';
	assert_non_null(strstr(svg, "<rect "));
	assert_non_null(strstr(svg, "fill=\"#fff\""));
	assert_non_null(strstr(svg, "</svg>"));

	m = calloc((size_t)n * (size_t)n, 1);
	assert_non_null(m);
	d = strstr(svg, " d=\"");
	assert_non_null(d);
	d += 4;
	while (*d == 'M') {
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &run2, &used) != 4)
			fail_msg("bad path at \"%.30s\"", d);
		assert_int_equal(run, run2);
		assert_true(run >= 1 && x >= 0 && y >= 0 && x + run <= n && y < n);
		for (; run > 0; run--, x++) {
			assert_int_equal(m[y * n + x], 0);      /* runs do not overlap */
			m[y * n + x] = 1;
		}
		d += used;
	}
	assert_true(strncmp(d, "\"/>", 3) == 0);
	for (y = 0; y < n; y++)
		for (x = 0; x < n; x++)
			if (m[y * n + x] != ref_module(q, x, y))
				fail_msg("%s: SVG module (%d,%d) wrong", text, x, y);
	free(m);
	free(svg);
	QRcode_free(q);
}

static void
test_svg_matches_symbol(void **state)
{
	char *big;

	(void)state;
	check_svg(ticket);
	check_svg("1");
	check_svg("https://example.org/t/abc?x=1&y=<2>");
	/* The largest symbol still fits the precomputed buffer. */
	big = malloc(2332);
	assert_non_null(big);
	memset(big, 'a', 2331);
	big[2331] = '\0';
	check_svg(big);
	/* A worst-case pattern of many short runs. */
	memset(big, 0x55, 2331);
	check_svg(big);
	free(big);
}

/*
 * An independent decoder reads the PNG back: zbarimg --raw prints the
 * payload followed by one newline.  Skipped only when zbarimg is missing.
 */
static void
zbar_roundtrip(const char *text, int module_px)
{
	char dir[96], path[128], cmd[192], got[4096];
	unsigned char *png;
	size_t len, n;
	FILE *p;
	int fd, st;

	assert_int_equal(qr_png(text, module_px, &png, &len), 0);
	assert_int_equal(make_tmpdir(dir, sizeof(dir), "qr"), 0);
	snprintf(path, sizeof(path), "%s/code.png", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, png, len), (ssize_t)len);
	close(fd);
	free(png);
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	st = pclose(p);
	unlink(path);
	rmdir(dir);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("zbarimg found no symbol in %s (px=%d, status %d)", text,
		    module_px, st);
	assert_true(n > 0 && got[n - 1] == '\n');
	got[n - 1] = '\0';
	assert_string_equal(got, text);
}

static void
test_png_zbarimg(void **state)
{
	(void)state;
	if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
		print_message("zbarimg not installed (apt-get install zbar-tools): "
		    "skipping the decode round trip\n");
		skip();
	}
	zbar_roundtrip(ticket, 4);
	zbar_roundtrip(ticket, 8);
	zbar_roundtrip("https://example.org/t/abc?x=1&y=2", 4);
	zbar_roundtrip("HELLO WORLD 0123456789 $%*+-./:", 3);
}

static void
test_errors_leave_out_untouched(void **state)
{
	unsigned char *png, sentinel;
	char *svg = (char *)&sentinel, *big;
	size_t len = 12345;

	(void)state;
	png = &sentinel;
	assert_int_equal(qr_png(NULL, 4, &png, &len), -1);
	assert_int_equal(qr_png("", 4, &png, &len), -1);
	assert_int_equal(qr_svg(NULL, &svg, &len), -1);
	assert_int_equal(qr_svg("", &svg, &len), -1);
	big = malloc(3001);
	assert_non_null(big);
	memset(big, 'a', 3000);
	big[3000] = '\0';
	assert_int_equal(qr_png(big, 4, &png, &len), -1);
	assert_int_equal(qr_svg(big, &svg, &len), -1);
	free(big);
	assert_ptr_equal(png, &sentinel);
	assert_ptr_equal(svg, (char *)&sentinel);
	assert_int_equal(len, 12345);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_version_real_codes),
		cmocka_unit_test(test_png_matches_symbol),
		cmocka_unit_test(test_png_structure),
		cmocka_unit_test(test_png_zbarimg),
		cmocka_unit_test(test_svg_matches_symbol),
		cmocka_unit_test(test_errors_leave_out_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
