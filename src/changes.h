/*
 * Changes shared between instances.  A change that must empty the caches
 * (cache.h, doccache.h) calls changes_bump(): this instance's caches go at
 * once, and a counter in the database moves.  Every instance reads the
 * counter every CONFERO_CHANGE_POLL_MS (changes_poll, from jobs.c) and
 * empties its own caches when it moved, so a token revoked through one
 * instance is refused by the others within about one poll instead of a
 * cache lifetime.
 */
#ifndef CONFERO_CHANGES_H
#define CONFERO_CHANGES_H

struct db;

void changes_bump(struct db *);
/* Read the counter; empty the caches if it moved (or on the first read). */
void changes_poll(struct db *);

#endif
