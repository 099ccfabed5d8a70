/*
 * RFC 4648 base32 (upper-case alphabet A-Z 2-7, no padding) for ticket codes:
 * every character is in QR alphanumeric mode, and the decoder is strict so a
 * code has exactly one byte string behind it (case aside).
 */
#ifndef CONFERO_CODEC_H
#define CONFERO_CODEC_H

#include <stddef.h>

/* Characters (without the NUL) for n bytes; SIZE_MAX if that overflows. */
size_t b32_encoded_len(size_t n);
/*
 * Encodes len bytes into out and NUL-terminates it.  Returns the characters
 * written (not counting the NUL), or 0 when outlen < b32_encoded_len(len) + 1
 * (out is then left as an empty string if outlen > 0).
 */
size_t b32_encode(const unsigned char *in, size_t len, char *out,
    size_t outlen);
/*
 * Decodes the NUL-terminated in (either case) into out; *outn gets the byte
 * count.  -1 on any other character (padding '=' and blanks included), on a
 * length no encoder produces (8k+1, 8k+3, 8k+6), on non-zero unused bits in
 * the last character, or when the result would exceed outlen.  out may be
 * partly written on failure.
 */
int b32_decode(const char *in, unsigned char *out, size_t outlen,
    size_t *outn);

#endif
