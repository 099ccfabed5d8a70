/* Strict RFC 4648 base32 without padding. */
#include <stdint.h>
#include <string.h>

#include "codec.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Characters for a trailing group of 0..4 bytes, and back. */
static const unsigned char tail_chars[5] = { 0, 2, 4, 5, 7 };
static const signed char tail_bytes[8] = { 0, -1, 1, -1, 2, 3, -1, 4 };

size_t
b32_encoded_len(size_t n)
{
	/* Saturates, so b32_encode's size check cannot be fooled by a wrap. */
	if (n / 5 > (SIZE_MAX - 8) / 8)
		return SIZE_MAX;
	return n / 5 * 8 + tail_chars[n % 5];
}

size_t
b32_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t need = b32_encoded_len(len), i, o = 0;
	unsigned int acc = 0;
	int bits = 0;

	if (need >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 0x1f];
	out[o] = '\0';
	return o;
}

static int
b32_value(unsigned char c)
{
	/* Not via strchr or the locale: only these 64 bytes are accepted. */
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
b32_decode(const char *in, unsigned char *out, size_t outlen, size_t *outn)
{
	size_t len = strlen(in), want, i, o = 0;
	unsigned int acc = 0;
	int bits = 0, v;

	if (tail_bytes[len % 8] < 0)
		return -1;
	want = len / 8 * 5 + (size_t)tail_bytes[len % 8];
	if (want > outlen)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b32_value((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 5 | (unsigned int)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/*
	 * Leftover bits must be zero, otherwise two strings would decode to
	 * the same bytes and a code would not be canonical.
	 */
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	if (outn != NULL)
		*outn = o;
	return 0;
}
