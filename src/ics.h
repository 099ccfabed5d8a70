/*
 * iCalendar (RFC 5545) output: one VCALENDAR of VEVENTs in UTC, built in
 * a growing malloc'd buffer with TEXT escaping and 75-octet line folding.
 * A struct ics belongs to one caller; there is no shared state.
 */
#ifndef CONFERO_ICS_H
#define CONFERO_ICS_H

#include <stddef.h>

struct ics {
	char *buf;
	size_t len, cap;
	size_t col;             /* octets on the current physical line */
	int failed;             /* an allocation failed: ics_end gives NULL */
};

struct ics_event {
	const char *uid;        /* required, globally unique ("42@host") */
	long long dtstamp;      /* when this copy was made; 0: now */
	long long start;        /* required */
	long long end;          /* required, >= start; == start: no DTEND */
	/* Optional: NULL or "" leaves the property out. */
	const char *summary;
	const char *description;
	const char *location;
	const char *url;        /* a URI: not TEXT-escaped, controls dropped */
	const char *const *categories;  /* NULL-terminated, or NULL */
};

/*
 * Start a calendar: BEGIN:VCALENDAR, VERSION, PRODID (NULL or "": a
 * Confero default), CALSCALE:GREGORIAN, METHOD:PUBLISH.  0, or -1 with
 * errno ENOMEM.  The struct needs no other initialisation.
 */
int ics_begin(struct ics *, const char *prodid);
/*
 * Append a VEVENT.  -1 with errno EINVAL (no uid, end before start, a time
 * outside years 0..9999: nothing is written, the calendar stays usable) or
 * ENOMEM (the calendar is lost: ics_end returns NULL).
 */
int ics_event(struct ics *, const struct ics_event *);
/*
 * Close the calendar and hand over the NUL-terminated text, *len octets
 * without the NUL; the caller frees it.  NULL (errno ENOMEM) if any step
 * ran out of memory.  Either way the struct is reset.
 */
char *ics_end(struct ics *, size_t *len);
/* Drop an unfinished calendar. */
void ics_free(struct ics *);

#endif
