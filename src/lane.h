/*
 * The fast lane: work the event thread does itself, talking to MariaDB
 * over a few non-blocking connections (struct adb) instead of handing the
 * request to a worker.  Door check-ins take it: under load a scan then
 * costs no thread switch at all.  Everything here runs on the event thread.
 */
#ifndef CONFERO_LANE_H
#define CONFERO_LANE_H

#include <stdint.h>

#include "db.h"

/*
 * A task runs on a free connection: run(t, a, 0) to start, then
 * run(t, a, ready) with the MYSQL_WAIT_* bits that are ready, until it
 * returns 0 (finished; the connection goes to the next task).  Otherwise
 * it returns the MYSQL_WAIT_* bits it waits for.
 */
struct lane_task {
	int (*run)(struct lane_task *, struct adb *, int ready);
	/* Not run after all (every connection lost): hand the work elsewhere. */
	void (*fail)(struct lane_task *);
	struct lane_task *next;
};

/* n connections, registered with the event loop's epoll set. */
int lane_init(int epfd, int n);
void lane_stop(void);
/* 0 when the lane is off or has no working connection: use a worker. */
int lane_ready(void);
/* Queue a task; it starts at the next lane_kick(), never inside this call. */
void lane_submit(struct lane_task *);
/* Start what is queued on the free connections (the loop, after MHD_run). */
void lane_kick(void);
/* The event loop saw events for a descriptor it got from the lane. */
void lane_event(void *tag, uint32_t events);
/* Every loop turn; acts once a second: deadlines, lost connections back. */
void lane_tick(void);

#endif
