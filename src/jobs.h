/*
 * Background jobs of `confero serve`, on one thread: reading the shared
 * change counter (changes.c, every CONFERO_CHANGE_POLL_MS) and sealing new
 * audit entries into the chain (db_audit.c, every second), anonymising
 * registrations past their event's retention (db_privacy.c, at start and
 * hourly).  Each is safe
 * with several instances running the same job.
 */
#ifndef CONFERO_JOBS_H
#define CONFERO_JOBS_H

struct config;

int jobs_start(const struct config *);
void jobs_stop(void);

#endif
