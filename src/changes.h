/*
 * Changes shared between instances.  A change that must empty the caches
 * (cache.h, doccache.h) calls changes_bump(): this instance's caches go at
 * once, and a counter in the database moves.  A thread in every instance
 * reads the counter every CONFERO_CHANGE_POLL_MS and empties its own caches
 * when it moved, so a token revoked through one instance is refused by the
 * others within about one poll instead of a cache lifetime.
 */
#ifndef CONFERO_CHANGES_H
#define CONFERO_CHANGES_H

struct db;
struct config;

void changes_bump(struct db *);
/* Start the poller (none when the interval is 0); -1 if it cannot start. */
int changes_start(const struct config *);
void changes_stop(void);

#endif
