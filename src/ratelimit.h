/*
 * Per-address limits kept in this process's memory: a fixed table of
 * counters, one window each, the least recently started window evicted
 * when its neighbourhood is full.  With several instances behind a
 * balancer each counts on its own (README: Operations).
 */
#ifndef CONFERO_RATELIMIT_H
#define CONFERO_RATELIMIT_H

/*
 * Count one hit of addr in scope.  1: allowed; 0: over max hits in window
 * seconds, *retry_after set to the seconds until the window ends.
 * max <= 0: no limit.
 */
int ratelimit_hit(const char *scope, const char *addr, int max, int window, long long now,
    long long *retry_after);
/* Forget every counter (tests). */
void ratelimit_reset(void);

#endif
