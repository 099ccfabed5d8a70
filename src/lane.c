/*
 * The fast lane's connections: each runs one task at a time; tasks wait
 * in arrival order for a free one.  A lost connection is put aside and
 * reopened by a worker (connecting may block for seconds; the event
 * thread must not), one every 5 s.  While no connection is left, requests
 * go to the workers: lane_ready() is false and waiting tasks fail over.
 * A statement that has not answered in 60 s (the workers' read timeout)
 * has its socket shut down, which fails it over too; so has every
 * connection at once when db.c's watchdog finds MariaDB unreachable.
 */
#include <mysql.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "http.h"
#include "lane.h"
#include "log.h"

#define LANE_RETRY_S 5
#define LANE_DEADLINE_S 60

enum lstate {
	LC_LIVE,                        /* in the epoll set */
	LC_DEAD,                        /* lost; waiting for its retry */
	LC_OPENING,                     /* a worker is connecting */
	LC_OPENED                       /* a worker has connected: attach it */
};

struct lconn {
	struct adb *a;                  /* LC_LIVE only */
	struct adb *fresh;              /* the worker's new connection */
	atomic_int state;
	struct lane_task *task;         /* running, or NULL when free */
	time_t since;                   /* when the task started */
	int fd;
	int cut;                        /* its socket was shut down (outage) */
	uint32_t events;                /* what epoll watches for now */
	struct job job;
};

static struct lconn *conns;
static int nconns, epfd_ = -1, nlive;
static struct lane_task *wait_head, *wait_tail;
static time_t last_retry, last_tick;

static uint32_t
to_epoll(int wait)
{
	return ((wait & MYSQL_WAIT_READ) ? EPOLLIN : 0) |
	    ((wait & MYSQL_WAIT_WRITE) ? EPOLLOUT : 0);
}

static void
watch(struct lconn *c, uint32_t events)
{
	struct epoll_event ev;

	if (c->events == events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(epfd_, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

/* Put an open connection into service (event thread). */
static int
attach(struct lconn *c, struct adb *a)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.data.ptr = c;
	if (epoll_ctl(epfd_, EPOLL_CTL_ADD, adb_fd(a), &ev) != 0) {
		adb_close(a);
		atomic_store(&c->state, LC_DEAD);
		return -1;
	}
	c->a = a;
	c->fd = adb_fd(a);
	c->events = 0;
	c->cut = 0;
	c->task = NULL;
	atomic_store(&c->state, LC_LIVE);
	nlive++;
	return 0;
}

static void
detach(struct lconn *c)
{
	struct lane_task *t;

	epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, NULL);
	adb_close(c->a);
	c->a = NULL;
	c->fd = -1;
	atomic_store(&c->state, LC_DEAD);
	if (--nlive > 0)
		return;
	/* No connection left: what waits goes elsewhere. */
	while ((t = wait_head) != NULL) {
		if ((wait_head = t->next) == NULL)
			wait_tail = NULL;
		t->fail(t);
	}
}

/* Run tasks on c until one waits or none is left. */
static void
drive(struct lconn *c, int ready)
{
	int w;

	for (;;) {
		if (c->task == NULL) {
			if (wait_head == NULL) {
				watch(c, 0);
				return;
			}
			c->task = wait_head;
			if ((wait_head = wait_head->next) == NULL)
				wait_tail = NULL;
			c->since = time(NULL);
			ready = 0;
		}
		w = c->task->run(c->task, c->a, ready);
		if (w != 0) {
			watch(c, to_epoll(w));
			return;
		}
		c->task = NULL;
		if (adb_broken(c->a)) {
			log_warn("lane: connection lost; scans go to the workers meanwhile");
			detach(c);
			return;
		}
	}
}

/* On a worker: connecting may wait for a dead host's timeout. */
static void
reopen(void *arg)
{
	struct lconn *c = arg;

	adb_open(&c->fresh);            /* NULL when it failed */
	atomic_store(&c->state, c->fresh != NULL ? LC_OPENED : LC_DEAD);
	http_wake();
}

int
lane_init(int epfd, int n)
{
	struct adb *a;
	int i;

	epfd_ = epfd;
	if (n <= 0)
		return 0;
	if ((conns = calloc((size_t)n, sizeof(*conns))) == NULL)
		return -1;
	nconns = n;
	/* At start the event thread does not run yet: connect right here. */
	for (i = 0; i < n; i++) {
		conns[i].fd = -1;
		atomic_init(&conns[i].state, LC_DEAD);
		if (adb_open(&a) != ERR_OK || attach(&conns[i], a) != 0)
			log_warn("lane: cannot open connection %d", i);
	}
	return 0;
}

/* After the workers have stopped: nothing is opening any more. */
void
lane_stop(void)
{
	int i;

	for (i = 0; i < nconns; i++) {
		if (conns[i].a != NULL)
			adb_close(conns[i].a);
		if (atomic_load(&conns[i].state) == LC_OPENED)
			adb_close(conns[i].fresh);
	}
	free(conns);
	conns = NULL;
	nconns = nlive = 0;
	wait_head = wait_tail = NULL;
}

int
lane_ready(void)
{
	return nlive > 0;
}

void
lane_submit(struct lane_task *t)
{
	t->next = NULL;
	if (wait_tail != NULL)
		wait_tail->next = t;
	else
		wait_head = t;
	wait_tail = t;
}

void
lane_kick(void)
{
	int i;

	for (i = 0; i < nconns && wait_head != NULL; i++)
		if (conns[i].a != NULL && conns[i].task == NULL)
			drive(&conns[i], 0);
}

void
lane_event(void *tag, uint32_t events)
{
	struct lconn *c = tag;
	int ready = 0;

	if (c->a == NULL)
		return;
	if (c->task == NULL) {
		/* Idle, and the server hung up (or said something unasked). */
		if (events & (EPOLLHUP | EPOLLERR | EPOLLIN)) {
			log_warn("lane: connection closed by the server");
			detach(c);
		}
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ready |= MYSQL_WAIT_READ;
	if (events & EPOLLOUT)
		ready |= MYSQL_WAIT_WRITE;
	drive(c, ready);
}

void
lane_tick(void)
{
	time_t now;
	int i, retried = 0, outage, cut = 0;

	/* Deadlines and reconnects are a matter of seconds: look once a second. */
	if (nconns == 0 || (now = time(NULL)) == last_tick)
		return;
	last_tick = now;
	outage = db_outage();
	for (i = 0; i < nconns; i++) {
		struct lconn *c = &conns[i];
		switch (atomic_load(&c->state)) {
		case LC_LIVE:
			/*
			 * MariaDB is known unreachable (db.c's watchdog): a scan
			 * waiting here would wait for the deadline.  Drop the
			 * connections; scans go to the workers, which answer 503
			 * at once, and the lane reconnects when it answers again.
			 */
			if (outage && !c->cut) {
				shutdown(c->fd, SHUT_RDWR);
				c->cut = 1;
				cut++;
				break;
			}
			if (c->task != NULL && now - c->since > LANE_DEADLINE_S) {
				log_warn("lane: no answer from MariaDB in %d s; dropping the connection",
				    LANE_DEADLINE_S);
				shutdown(c->fd, SHUT_RDWR);
				c->since = now;     /* once */
			}
			break;
		case LC_OPENED:
			if (attach(c, c->fresh) == 0) {
				log_info("lane: connection %d is back", i);
				drive(c, 0);
			}
			c->fresh = NULL;
			break;
		case LC_DEAD:
			if (!retried && now >= last_retry + LANE_RETRY_S) {
				retried = 1;
				last_retry = now;
				atomic_store(&c->state, LC_OPENING);
				http_defer(&c->job, reopen, c);
			}
			break;
		default:
			break;
		}
	}
	if (cut > 0)
		log_warn("lane: MariaDB unreachable; %d connection(s) dropped, "
		    "scans go to the workers", cut);
}
