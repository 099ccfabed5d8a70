#include <string.h>

#include "csv.h"

int
csv_text(struct sbuf *b, const char *s, int first)
{
	int quote = 0, neutral = 0;
	const char *p;

	if (!first && sb_add(b, ",", 1) != 0)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	neutral = strchr("=+-@\t\r", *s) != NULL;
	for (p = s; *p != '\0' && !quote; p++)
		quote = *p == ',' || *p == '"' || *p == '\r' || *p == '\n';
	if (quote && sb_add(b, "\"", 1) != 0)
		return -1;
	if (neutral && sb_add(b, "'", 1) != 0)
		return -1;
	if (!quote) {
		if (sb_str(b, s) != 0)
			return -1;
	} else {
		for (p = s; *p != '\0'; p++) {
			size_t n = strcspn(p, "\"");
			if (sb_add(b, p, n) != 0)
				return -1;
			p += n;
			if (*p == '\0')
				break;
			if (sb_add(b, "\"\"", 2) != 0)
				return -1;
		}
		if (sb_add(b, "\"", 1) != 0)
			return -1;
	}
	return 0;
}

int
csv_int(struct sbuf *b, long long v, int first)
{
	return sb_printf(b, "%s%lld", first ? "" : ",", v);
}

int
csv_pct(struct sbuf *b, double v, int first)
{
	if (v < 0)
		return first ? 0 : sb_add(b, ",", 1);
	return sb_printf(b, "%s%.1f", first ? "" : ",", v);
}

int
csv_eol(struct sbuf *b)
{
	return sb_add(b, "\r\n", 2);
}
