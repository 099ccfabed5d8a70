/*
 * CSV as RFC 4180 has it (CRLF line ends, fields quoted when they hold a
 * comma, quote, CR or LF, quotes doubled), made safe for spreadsheets: a
 * text cell beginning with = + - @ TAB or CR is prefixed with an apostrophe
 * so Excel, LibreOffice and Google Sheets show it as text instead of
 * evaluating it as a formula (OWASP's "CSV injection" advice).
 */
#ifndef CONFERO_CSV_H
#define CONFERO_CSV_H

#include "sbuf.h"

/* The UTF-8 byte order mark that makes Excel read the file as UTF-8. */
#define CSV_BOM "\xEF\xBB\xBF"

/* A text cell (NULL: empty).  first: no separator before it. */
int csv_text(struct sbuf *, const char *s, int first);
/* A number cell (never neutralised: it is ours, not user text). */
int csv_int(struct sbuf *, long long v, int first);
/* A number with one decimal, or an empty cell when v < 0. */
int csv_pct(struct sbuf *, double v, int first);
int csv_eol(struct sbuf *);

#endif
