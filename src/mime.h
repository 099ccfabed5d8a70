/*
 * Outgoing mail as bytes: complete RFC 5322 / MIME messages (7-bit, CRLF)
 * ready for libesmtp, with RFC 2047 names and subjects.  Nothing a caller
 * passes in can add a header line, a MIME part or a recipient.
 */
#ifndef CONFERO_MIME_H
#define CONFERO_MIME_H

#include <stddef.h>

/* An inline image (multipart/related) or an attachment. */
struct mime_part {
	/*
	 * "image/png", "text/calendar; method=PUBLISH; charset=UTF-8":
	 * printable ASCII, type/subtype first, at most 200 octets.
	 */
	const char *content_type;
	/* NULL for none; reduced to [A-Za-z0-9._-], other characters "_". */
	const char *filename;
	/*
	 * Inline parts: the id that the HTML names as "cid:logo@confero",
	 * without angle brackets; atext, '.' and '@' only.  Ignored for
	 * attachments.
	 */
	const char *content_id;
	const void *data;       /* sent base64, byte for byte */
	size_t len;
};

/*
 * Every string is borrowed for the duration of mime_build only.
 * Addresses must be plain ASCII addr-specs (dot-atom local part, LDH
 * domain labels: an IDN domain must be given in its xn-- form); anything
 * else fails with EINVAL rather than being repaired.
 */
struct mime_msg {
	const char *from_name;  /* UTF-8 or NULL */
	const char *from_addr;  /* required */
	const char *to_name;    /* UTF-8 or NULL */
	const char *to_addr;    /* required; the only recipient in the headers */
	const char *reply_to;   /* address or NULL */
	/*
	 * UTF-8 or NULL.  Control characters (CR and LF included), C1
	 * controls and U+2028/U+2029 become spaces, invalid UTF-8 U+FFFD,
	 * surrounding spaces are dropped; names also have runs of spaces
	 * collapsed, as RFC 5322 phrases do not keep them.
	 */
	const char *subject;
	/* "<id@host>", required: chosen by the caller so retries share it. */
	const char *message_id;
	/* Epoch seconds for Date (rendered in UTC, +0000); 0: now. */
	long long date;
	/* Bodies, UTF-8; any of CRLF, LF or a lone CR ends a line. */
	const char *text;       /* required */
	const char *html;       /* NULL: text/plain only */
	const struct mime_part *inline_parts;   /* need html and content_id */
	size_t ninline;
	const struct mime_part *attachments;
	size_t nattach;
	/*
	 * List-Unsubscribe value, "<https://…>" or "<mailto:…>, <https://…>":
	 * printable ASCII, '<' first and '>' last.  With an https URI in it,
	 * List-Unsubscribe-Post: List-Unsubscribe=One-Click is added too
	 * (RFC 8058).  NULL: neither header.
	 */
	const char *list_unsubscribe;
	/* "auto-generated" etc. (RFC 3834), letters, digits, '-'; or NULL. */
	const char *auto_submitted;
	/* Content-Language (RFC 3282), a language tag such as "sl"; or NULL. */
	const char *content_language;
};

/*
 * The whole message: headers (Date, From, To, Reply-To, Subject,
 * Message-ID, MIME-Version, Auto-Submitted, List-Unsubscribe, then the
 * root Content-*), a blank line and the body.  Layout:
 *   text only            text/plain
 *   text + html          multipart/alternative(text/plain, text/html)
 *   … + inline parts     multipart/alternative(text/plain,
 *                            multipart/related(text/html, parts…))
 *   any attachments      multipart/mixed(the above, attachments…)
 * Text goes quoted-printable, parts base64; every line ends in CRLF and
 * the message is 7-bit with no NUL.  Multipart boundaries are random:
 * libsodium must have been initialised (sodium_init).
 * Returns a malloc'd NUL-terminated string of *len octets (the caller
 * frees it), or NULL with errno EINVAL (a field fails the rules in the
 * comments above) or ENOMEM.
 */
char *mime_build(const struct mime_msg *, size_t *len);

/*
 * An unstructured header value (Subject) from UTF-8, cleaned as for
 * subject above: ASCII words as they are, runs of other words as
 * RFC 2047 "=?UTF-8?B?…?=" words of whole characters, folded with CRLF SP
 * so no line passes 76 octets where a break is possible.  col is where
 * the value starts on its line ("Subject: " is 9).  Malloc'd; NULL with
 * errno ENOMEM.
 */
char *mime_encode_header(const char *utf8, size_t col);

/*
 * A mailbox for From, To or Reply-To: "addr" without a name,
 * "\"Printable ASCII\" <addr>", or atoms and encoded words for the rest
 * ("Ana =?UTF-8?B?xaBpbWnEhw==?= <addr>"); folded as above from column
 * col.  The name is cleaned as described for subject.  Malloc'd; NULL
 * with errno EINVAL if addr is not a safe address, or ENOMEM.
 */
char *mime_address(const char *name, const char *addr, size_t col);

#endif
