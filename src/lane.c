/*
 * The fast lane's connections: each runs one task at a time; tasks wait
 * in arrival order for a free one.  A lost connection is put aside and one
 * is reconnected every 5 s; meanwhile requests go to the workers when no
 * connection is left (lane_ready() is false, waiting tasks fail over).
 */
#include <mysql.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "lane.h"
#include "log.h"

struct lconn {
	struct adb *a;                  /* NULL while lost */
	struct lane_task *task;         /* running, or NULL when free */
	int fd;
	uint32_t events;                /* what epoll watches for now */
};

static struct lconn *conns;
static int nconns, epfd_ = -1, nlive;
static struct lane_task *wait_head, *wait_tail;
static time_t last_retry;

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

static int
attach(struct lconn *c)
{
	struct epoll_event ev;

	if (adb_open(&c->a) != ERR_OK)
		return -1;
	c->fd = adb_fd(c->a);
	memset(&ev, 0, sizeof(ev));
	ev.data.ptr = c;
	if (epoll_ctl(epfd_, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		adb_close(c->a);
		c->a = NULL;
		return -1;
	}
	c->events = 0;
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
			if (wait_head == NULL || c->a == NULL) {
				watch(c, 0);
				return;
			}
			c->task = wait_head;
			if ((wait_head = wait_head->next) == NULL)
				wait_tail = NULL;
			ready = 0;
		}
		w = c->task->run(c->task, c->a, ready);
		if (w != 0) {
			watch(c, to_epoll(w));
			return;
		}
		c->task = NULL;
		if (adb_broken(c->a)) {
			log_warn("lane: connection lost; its scans go to the workers");
			detach(c);
			return;
		}
	}
}

int
lane_init(int epfd, int n)
{
	int i;

	epfd_ = epfd;
	if (n <= 0)
		return 0;
	if ((conns = calloc((size_t)n, sizeof(*conns))) == NULL)
		return -1;
	nconns = n;
	for (i = 0; i < n; i++) {
		conns[i].fd = -1;
		if (attach(&conns[i]) != 0)
			log_warn("lane: cannot open connection %d", i);
	}
	return 0;
}

void
lane_stop(void)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i].a != NULL)
			detach(&conns[i]);
	free(conns);
	conns = NULL;
	nconns = 0;
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
	int i;

	if (nlive == nconns)
		return;
	/* One connection every 5 s: a blocking connect, rare by design. */
	if ((now = time(NULL)) < last_retry + 5)
		return;
	last_retry = now;
	for (i = 0; i < nconns; i++)
		if (conns[i].a == NULL) {
			if (attach(&conns[i]) == 0) {
				log_info("lane: connection %d is back", i);
				drive(&conns[i], 0);
			}
			break;
		}
}
