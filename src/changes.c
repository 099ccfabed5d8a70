/* The shared change counter: bump it after a change, poll it for others'. */
#include "cache.h"
#include "changes.h"
#include "db.h"
#include "log.h"

/* Only the jobs thread polls. */
static long long seen = -1;

void
changes_bump(struct db *d)
{
	cache_bump();
	/* Best effort: if it fails the others see the change when their
	 * entries expire (seconds), as before the counter. */
	if (d != NULL && db_changes_bump(d) != ERR_OK)
		log_warn("changes: could not move the shared change counter");
}

void
changes_poll(struct db *d)
{
	long long n;

	if (db_changes_get(d, &n) != ERR_OK || n < 0)
		return;
	/* The first reading too: what was cached before it may predate a
	 * change. */
	if (n != seen)
		cache_bump();
	seen = n;
}
