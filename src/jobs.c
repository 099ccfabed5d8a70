/* One thread, several periodic jobs; each takes a pooled connection. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "changes.h"
#include "config.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include "timeutil.h"

#define SEAL_MS 1000
#define RETENTION_MS (3600 * 1000)

static pthread_t thread;
static int started;
static int poll_ms;
static int retention_max;
static atomic_int quit;

static void
nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1)
		;
}

static void *
jobs_main(void *arg)
{
	long long next_poll = 0, next_seal = 0, next_retention = 0, now, n;
	int tick = poll_ms > 0 && poll_ms < SEAL_MS ? poll_ms : SEAL_MS;
	int warned = 0, sealed;
	struct db *d;

	(void)arg;
	while (!atomic_load(&quit)) {
		now = mono_ms();
		if ((poll_ms > 0 && now >= next_poll) || now >= next_seal || now >= next_retention) {
			/* A short wait for a connection: under load the next
			 * round comes soon enough. */
			if (db_acquire(&d, tick) == ERR_OK) {
				if (poll_ms > 0 && now >= next_poll) {
					changes_poll(d);
					next_poll = now + poll_ms;
				}
				if (now >= next_seal) {
					if (db_audit_seal(d, &sealed) != ERR_OK) {
						if (!warned++)
							log_warn("audit: could not seal new entries; retrying");
					} else
						warned = 0;
					next_seal = now + SEAL_MS;
				}
				/* Hourly, and at start: registrations past retention. */
				if (now >= next_retention) {
					if (db_retention_run(d, retention_max, &n) != ERR_OK)
						log_warn("retention: the run failed; next in an hour");
					else if (n > 0)
						log_info("retention: %lld registration(s) anonymised", n);
					next_retention = now + RETENTION_MS;
				}
				db_release(d);
			}
		}
		nap(tick);
	}
	return NULL;
}

int
jobs_start(const struct config *c)
{
	if (started)
		return 0;
	poll_ms = c->change_poll_ms;
	retention_max = c->retention_max_days;
	atomic_store(&quit, 0);
	if (pthread_create(&thread, NULL, jobs_main, NULL) != 0)
		return -1;
	started = 1;
	return 0;
}

void
jobs_stop(void)
{
	if (!started)
		return;
	atomic_store(&quit, 1);
	pthread_join(thread, NULL);
	started = 0;
}
