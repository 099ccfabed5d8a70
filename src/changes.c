/* The shared change counter: bump it after a change, poll it for others'. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "cache.h"
#include "changes.h"
#include "config.h"
#include "db.h"
#include "log.h"

static pthread_t poller;
static int started;
static int interval_ms;
static atomic_int quit;

void
changes_bump(struct db *d)
{
	cache_bump();
	/* Best effort: if it fails the others see the change when their
	 * entries expire (seconds), as before the counter. */
	if (d != NULL && db_changes_bump(d) != ERR_OK)
		log_warn("changes: could not move the shared change counter");
}

static void
nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1)
		;
}

static void *
poll_main(void *arg)
{
	long long seen = -1, n;
	struct db *d;

	(void)arg;
	for (int first = 1; !atomic_load(&quit); first = 0) {
		if (!first)
			nap(interval_ms);
		if (atomic_load(&quit))
			break;
		/* Short wait for a connection: under load the next poll comes
		 * soon enough, and the cache lifetimes bound the staleness. */
		if (db_acquire(&d, interval_ms) != ERR_OK)
			continue;
		if (db_changes_get(d, &n) == ERR_OK && n >= 0) {
			/* The first reading too: what was cached before it
			 * may predate a change. */
			if (n != seen)
				cache_bump();
			seen = n;
		}
		db_release(d);
	}
	return NULL;
}

int
changes_start(const struct config *c)
{
	interval_ms = c->change_poll_ms;
	if (interval_ms <= 0 || started)
		return 0;
	atomic_store(&quit, 0);
	if (pthread_create(&poller, NULL, poll_main, NULL) != 0)
		return -1;
	started = 1;
	return 0;
}

void
changes_stop(void)
{
	if (!started)
		return;
	atomic_store(&quit, 1);
	pthread_join(poller, NULL);
	started = 0;
}
