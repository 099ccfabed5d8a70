/*
 * Connection pool, statement execution, transactions, reconnection and
 * migrations.  The only place (with the other db_*.c) that speaks MySQL.
 * Modelled on OpenSMTPD's table-mysql: prepare once, check counts,
 * reconnect and re-prepare after CR_SERVER_LOST / CR_SERVER_GONE_ERROR.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "config.h"
#include "db_internal.h"
#include "log.h"
#include "timeutil.h"
#include "migrations.h"

static const struct config *dbcfg;
static _Atomic unsigned int last_connect_errno;
static struct db *pool;
static int pool_size;
static struct db *freelist;
static pthread_mutex_t pool_mtx = PTHREAD_MUTEX_INITIALIZER;

/*
 * Outages.  A killed MariaDB refuses connections at once, but a frozen or
 * unreachable one accepts the socket and never answers: each statement
 * would wait for the 60 s read timeout, and a pool of workers stuck so
 * stops answering anything.  A watchdog thread looks at the pool's
 * blocking calls four times a second; when one has waited STALL_MS, it
 * opens a fresh connection (PROBE_S connect timeout, as the pool's).  If
 * MariaDB answers, the statement is only slow and is left alone (exports,
 * migrations); if not, this is an outage: every blocked call has its
 * socket shut down (it fails at once), idle connections are marked broken,
 * and connecting fails at once (503 unavailable) until a probe, once a
 * second, succeeds again.  A connection attempt that fails for a network
 * reason starts an outage too.  The lane drops its connections then.
 */
#define STALL_MS 2000
#define PROBE_S 3

static atomic_int outage;
static pthread_mutex_t busy_mtx = PTHREAD_MUTEX_INITIALIZER;
static long long *busy_since;           /* per pool connection: ms, 0: not in a call */
static int *busy_fd;
static char *busy_cut;                  /* this call's socket was shut down */
static pthread_t watch_thread;
static int watch_started;
static atomic_int watch_quit;

static int
pool_index(const struct db *d)
{
	if (pool == NULL || d < pool || d >= pool + pool_size)
		return -1;
	return (int)(d - pool);
}

/* Around every blocking call on a pooled connection. */
static void
busy_begin(struct db *d)
{
	int i = pool_index(d);

	if (i < 0 || d->my == NULL)
		return;
	pthread_mutex_lock(&busy_mtx);
	busy_fd[i] = (int)mysql_get_socket(d->my);
	busy_since[i] = mono_ms();
	busy_cut[i] = 0;
	pthread_mutex_unlock(&busy_mtx);
}

static void
busy_end(struct db *d)
{
	int i = pool_index(d);

	if (i < 0)
		return;
	/* Under the lock: the watchdog never shuts down a socket closed since. */
	pthread_mutex_lock(&busy_mtx);
	busy_since[i] = 0;
	busy_fd[i] = -1;
	pthread_mutex_unlock(&busy_mtx);
}

/* A connect error that says MariaDB cannot be reached (not: refused us). */
static int
is_network_error(unsigned int code)
{
	return code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
	    code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	    code == CR_UNKNOWN_HOST || code == ER_SERVER_SHUTDOWN;
}

/* Cut blocked calls older than min_age ms (0: all of them). */
static int
cut_blocked(long long min_age)
{
	long long now = mono_ms();
	int i, n = 0;

	pthread_mutex_lock(&busy_mtx);
	for (i = 0; i < pool_size; i++)
		if (busy_since[i] != 0 && !busy_cut[i] && now - busy_since[i] >= min_age &&
		    busy_fd[i] >= 0) {
			shutdown(busy_fd[i], SHUT_RDWR);
			busy_cut[i] = 1;
			n++;
		}
	pthread_mutex_unlock(&busy_mtx);
	return n;
}

static void
outage_begin(const char *why)
{
	struct db *d;
	int n;

	if (atomic_exchange(&outage, 1))
		return;
	/* Idle connections are as dead as the busy ones: reconnect them first. */
	pthread_mutex_lock(&pool_mtx);
	for (d = freelist; d != NULL; d = d->next)
		if (d->my != NULL)
			d->broken = 1;
	pthread_mutex_unlock(&pool_mtx);
	n = cut_blocked(0);
	log_warn("db: MariaDB unreachable (%s); %d blocked statement(s) cut off, "
	    "requests get 503 until it answers again", why, n);
}

int
db_outage(void)
{
	return atomic_load(&outage);
}

/* 1: MariaDB answered a new connection (or refused it itself). */
static int
probe(void)
{
	unsigned int t = PROBE_S, code;
	const char *sock = dbcfg->db_socket[0] ? dbcfg->db_socket : NULL;
	MYSQL *my;
	int alive;

	if ((my = mysql_init(NULL)) == NULL)
		return 1;
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &t);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &t);
	alive = mysql_real_connect(my, sock ? NULL : dbcfg->db_host, dbcfg->db_user,
	    dbcfg->db_password[0] ? dbcfg->db_password : NULL, dbcfg->db_name,
	    (unsigned int)dbcfg->db_port, sock, 0) != NULL;
	code = mysql_errno(my);
	mysql_close(my);
	return alive || !is_network_error(code);
}

static void *
watch_main(void *arg)
{
	long long now, last_probe = 0;
	int i, stalled;

	(void)arg;
	snprintf(log_reqid, sizeof(log_reqid), "db");
	while (!atomic_load(&watch_quit)) {
		usleep(250000);
		now = mono_ms();
		if (atomic_load(&outage)) {
			/* Anything that blocks meanwhile is cut once it has stalled. */
			cut_blocked(STALL_MS);
			if (now - last_probe < 1000)
				continue;
			last_probe = now;
			if (probe()) {
				atomic_store(&outage, 0);
				log_info("db: MariaDB answers again");
			}
			continue;
		}
		stalled = 0;
		pthread_mutex_lock(&busy_mtx);
		for (i = 0; i < pool_size; i++)
			if (busy_since[i] != 0 && !busy_cut[i] && now - busy_since[i] >= STALL_MS)
				stalled = 1;
		pthread_mutex_unlock(&busy_mtx);
		if (!stalled || now - last_probe < 1000)
			continue;
		last_probe = now;
		if (!probe())
			outage_begin("a statement waits and a new connection gets no answer");
	}
	return NULL;
}

static void
db_disconnect(struct db *d)
{
	int i;

	for (i = 0; i < STMT__MAX; i++)
		if (d->st[i] != NULL) {
			mysql_stmt_close(d->st[i]);
			d->st[i] = NULL;
		}
	if (d->my != NULL)
		mysql_close(d->my);
	d->my = NULL;
	d->broken = 0;
	d->in_tx = 0;
}

static enum err db_connect_nb(struct db *d, int nonblock);

/*
 * On a Galera node, a new connection (at start, or after a failover moved
 * us to another node) first waits until the node has applied every write
 * it has received from the cluster, so that what the old writer committed
 * is visible to our first read.  One statement per connection, not per
 * read; on a plain MariaDB (wsrep_on = 0) only the check.  Writes need no
 * barrier: a conflicting one fails certification (1213) and is retried.
 */
static void
causal_barrier(MYSQL *my)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int on = 0;

	if (mysql_query(my, "SELECT @@wsrep_on") != 0)
		return;                 /* a server without Galera support */
	if ((res = mysql_store_result(my)) != NULL) {
		row = mysql_fetch_row(res);
		on = row != NULL && row[0] != NULL && strcmp(row[0], "1") == 0;
		mysql_free_result(res);
	}
	if (!on)
		return;
	if (mysql_query(my, "SET STATEMENT wsrep_sync_wait = 1 FOR SELECT 1") != 0) {
		log_warn("db: the first read of a new connection may miss a write "
		    "not yet applied on this node (%u)", mysql_errno(my));
		return;
	}
	if ((res = mysql_store_result(my)) != NULL)
		mysql_free_result(res);
}

static enum err
db_connect(struct db *d)
{
	return db_connect_nb(d, 0);
}

static enum err
db_connect_nb(struct db *d, int nonblock)
{
	MYSQL *my;
	unsigned int ctimeout = 3, rwtimeout = 60;
	my_bool no = 0;
	const char *sock = dbcfg->db_socket[0] ? dbcfg->db_socket : NULL;

	db_disconnect(d);
	/* The watchdog probes during an outage; nobody else waits for it. */
	if (watch_started && atomic_load(&outage)) {
		last_connect_errno = CR_CONNECTION_ERROR;
		return ERR_UNAVAILABLE;
	}
	if ((my = mysql_init(NULL)) == NULL)
		return ERR_INTERNAL;
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &ctimeout);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &rwtimeout);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &rwtimeout);
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &no);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (nonblock)
		mysql_optionsv(my, MYSQL_OPT_NONBLOCK, 0);
	/* UTC everywhere, strict types, bounded lock waits. */
	mysql_optionsv(my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', "
	    "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
	    "innodb_lock_wait_timeout = 10, "
	    /* No gap locks: capacity is guarded by conditional UPDATEs and
	     * unique keys, which need none, and gap locks deadlock inserts. */
	    "tx_isolation = 'READ-COMMITTED'");
	if (mysql_real_connect(my, sock ? NULL : dbcfg->db_host, dbcfg->db_user,
	    dbcfg->db_password[0] ? dbcfg->db_password : NULL, dbcfg->db_name,
	    (unsigned int)dbcfg->db_port, sock, 0) == NULL) {
		log_warn("db: connect failed: %s (%u)", mysql_error(my), mysql_errno(my));
		last_connect_errno = mysql_errno(my);
		mysql_close(my);
		if (watch_started && is_network_error(last_connect_errno))
			outage_begin("cannot connect");
		return ERR_UNAVAILABLE;
	}
	d->my = my;
	if (!nonblock)
		causal_barrier(my);
	return ERR_OK;
}

int
db_connect_fatal(void)
{
	unsigned int e = last_connect_errno;

	/* Access denied, unknown database: waiting will not help. */
	return e == 1044 || e == 1045 || e == 1049 || e == 1698;
}

int
db_init(const struct config *c)
{
	int i;

	dbcfg = c;
	if (mysql_library_init(0, NULL, NULL) != 0)
		return -1;
	pool_size = c->db_pool;
	if ((pool = calloc((size_t)pool_size, sizeof(*pool))) == NULL)
		return -1;
	for (i = pool_size - 1; i >= 0; i--) {
		pool[i].next = freelist;
		freelist = &pool[i];
	}
	busy_since = calloc((size_t)pool_size, sizeof(*busy_since));
	busy_fd = calloc((size_t)pool_size, sizeof(*busy_fd));
	busy_cut = calloc((size_t)pool_size, 1);
	if (busy_since == NULL || busy_fd == NULL || busy_cut == NULL)
		return -1;
	for (i = 0; i < pool_size; i++)
		busy_fd[i] = -1;
	atomic_store(&watch_quit, 0);
	if (pthread_create(&watch_thread, NULL, watch_main, NULL) == 0)
		watch_started = 1;
	return 0;
}

void
db_shutdown(void)
{
	int i;

	if (watch_started) {
		atomic_store(&watch_quit, 1);
		pthread_join(watch_thread, NULL);
		watch_started = 0;
	}
	for (i = 0; i < pool_size; i++)
		db_disconnect(&pool[i]);
	free(busy_since);
	free(busy_fd);
	free(busy_cut);
	busy_since = NULL;
	busy_fd = NULL;
	busy_cut = NULL;
	free(pool);
	pool = NULL;
	freelist = NULL;
	pool_size = 0;
	mysql_library_end();
}

/*
 * Waiters queue in arrival order and a released connection is handed to
 * the oldest one directly: with 64 clients on 16 connections, FIFO keeps
 * the slowest requests close to the average instead of starving a few.
 * The hand-over is a semaphore posted under the pool lock, so the woken
 * thread owns its connection without taking the lock again (a condition
 * variable would make it queue for the mutex the releaser still holds).
 */
struct waiter {
	sem_t sem;
	struct db *d;
	struct waiter *next;
};
static struct waiter *wait_head, *wait_tail;

enum err
db_acquire(struct db **out, int timeout_ms)
{
	struct timespec ts;
	struct waiter w;
	struct db *d;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&pool_mtx);
	if ((d = freelist) != NULL) {
		freelist = d->next;
		pthread_mutex_unlock(&pool_mtx);
	} else {
		sem_init(&w.sem, 0, 0);
		w.d = NULL;
		w.next = NULL;
		if (wait_tail != NULL)
			wait_tail->next = &w;
		else
			wait_head = &w;
		wait_tail = &w;
		pthread_mutex_unlock(&pool_mtx);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while ((rc = sem_timedwait(&w.sem, &ts)) == -1 && errno == EINTR)
			continue;
		pthread_mutex_lock(&pool_mtx);
		d = w.d;
		if (d == NULL) {
			/* Timed out: leave the queue. */
			struct waiter **pp = &wait_head, *prev = NULL;
			for (; *pp != NULL && *pp != &w; prev = *pp, pp = &(*pp)->next)
				continue;
			if (*pp == &w) {
				*pp = w.next;
				if (wait_tail == &w)
					wait_tail = prev;
			}
		}
		/* Any post happened under the lock: the semaphore is idle now. */
		pthread_mutex_unlock(&pool_mtx);
		sem_destroy(&w.sem);
	}
	if (d == NULL) {
		log_warn("db: no free connection after %d ms", timeout_ms);
		return ERR_UNAVAILABLE;
	}
	if ((d->my == NULL || d->broken) && db_connect(d) != ERR_OK) {
		db_release(d);
		return ERR_UNAVAILABLE;
	}
	*out = d;
	return ERR_OK;
}

void
db_release(struct db *d)
{
	struct waiter *w;

	if (d == NULL)
		return;
	if (d->in_tx && d->my != NULL) {
		/* A handler that returned mid-transaction: undo it. */
		busy_begin(d);
		mysql_rollback(d->my);
		busy_end(d);
		d->in_tx = 0;
	}
	pthread_mutex_lock(&pool_mtx);
	if ((w = wait_head) != NULL) {
		wait_head = w->next;
		if (wait_head == NULL)
			wait_tail = NULL;
		w->d = d;
		sem_post(&w->sem);
	} else {
		d->next = freelist;
		freelist = d;
	}
	pthread_mutex_unlock(&pool_mtx);
}

static int
is_conn_error(unsigned int code)
{
	return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	    code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
	    code == ER_CONNECTION_KILLED || code == ER_SERVER_SHUTDOWN ||
	    code == 2026 /* CR_SSL_CONNECTION_ERROR */ ||
	    code == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */ ||
	    code == 1047 /* ER_UNKNOWN_COM_ERROR: a Galera node without quorum */;
}

/*
 * MariaDB quotes the offending value in its messages ("Data too long for
 * column 'name'", "Incorrect string value: '\xF0...' for column 'email'"):
 * for the log every quoted part becomes '?', so no personal data is logged.
 */
static void
scrub(const char *msg, char *out, size_t len)
{
	size_t o = 0;
	int quoted = 0;

	for (; msg != NULL && *msg != '\0' && o + 4 < len; msg++) {
		if (*msg == '\'') {
			if (!quoted) {
				out[o++] = '\'';
				out[o++] = '?';
			}
			quoted = !quoted;
			if (!quoted)
				out[o++] = '\'';
		} else if (!quoted)
			out[o++] = *msg;
	}
	if (quoted && o + 1 < len)
		out[o++] = '\'';
	out[o] = '\0';
}

/* Map a MySQL error to enum err; marks the connection broken if lost. */
static enum err
classify(struct db *d, unsigned int code, const char *raw, const char *what)
{
	char msg[300];

	scrub(raw, msg, sizeof(msg));
	if (is_conn_error(code)) {
		log_warn("db: connection lost during %s: %s (%u)", what, msg, code);
		d->broken = 1;
		return ERR_RETRY;
	}
	switch (code) {
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		log_info("db: %s: %s (%u), retrying", what, msg, code);
		return ERR_RETRY;
	case ER_DUP_ENTRY:
	case 1586: /* ER_DUP_ENTRY_WITH_KEY_NAME */
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW_2:
	case 4025: /* ER_CONSTRAINT_FAILED: a CHECK, e.g. capacity < seats taken */
		return ERR_CONFLICT;
	default:
		log_err("db: %s: %s (%u)", what, msg, code);
		return ERR_DB;
	}
}

enum err
db_ping(struct db *d)
{
	int rc;

	if (d->my != NULL && !d->broken) {
		busy_begin(d);
		rc = mysql_ping(d->my);
		busy_end(d);
		if (rc == 0)
			return ERR_OK;
	}
	if (db_connect(d) != ERR_OK)
		return ERR_UNAVAILABLE;
	busy_begin(d);
	rc = mysql_ping(d->my);
	busy_end(d);
	return rc == 0 ? ERR_OK : ERR_UNAVAILABLE;
}

static enum err
stmt_get(struct db *d, enum stmt id, MYSQL_STMT **out)
{
	MYSQL_STMT *st;
	my_bool one = 1;
	int rc;
	const char *sql = stmt_sql[id];

	/*
	 * Connector/C keeps each execution's result metadata in the
	 * statement's memory root until the statement is closed: left alone,
	 * a long-lived statement grows by kilobytes per call.  Re-prepare now
	 * and then to give that memory back.
	 */
	if (d->st[id] != NULL && ++d->uses[id] >= 500) {
		mysql_stmt_close(d->st[id]);
		d->st[id] = NULL;
	}
	if (d->st[id] != NULL) {
		*out = d->st[id];
		return ERR_OK;
	}
	d->uses[id] = 0;
	if (d->my == NULL)
		return ERR_UNAVAILABLE;
	if ((st = mysql_stmt_init(d->my)) == NULL)
		return ERR_INTERNAL;
	busy_begin(d);
	rc = mysql_stmt_prepare(st, sql, strlen(sql));
	busy_end(d);
	if (rc != 0) {
		enum err e = classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), "prepare");
		if (e != ERR_RETRY)
			log_err("db: cannot prepare statement %d", (int)id);
		mysql_stmt_close(st);
		return e == ERR_CONFLICT ? ERR_DB : e;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &one);
	d->st[id] = st;
	*out = st;
	return ERR_OK;
}

static enum err stmt_bind(struct db *, enum stmt, const struct dbv *, size_t,
    MYSQL_BIND *, MYSQL_STMT **);

/* The table changed under the statement (ER_NEED_REPREPARE): prepare anew. */
static void
stmt_forget(struct db *d, enum stmt id)
{
	mysql_stmt_close(d->st[id]);
	d->st[id] = NULL;
}

static enum err
execute(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    MYSQL_STMT **out)
{
	MYSQL_BIND b[40];
	MYSQL_STMT *st = NULL;
	enum err e;
	int attempt, rc;

	if (nargs > NARGS(b))
		return ERR_INTERNAL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = stmt_bind(d, id, args, nargs, b, &st)) != ERR_OK)
			return e;
		busy_begin(d);
		rc = mysql_stmt_execute(st);
		busy_end(d);
		if (rc == 0) {
			*out = st;
			return ERR_OK;
		}
		if (mysql_stmt_errno(st) == ER_NEED_REPREPARE) {
			stmt_forget(d, id);
			continue;
		}
		return classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), "execute");
	}
	return ERR_DB;
}

/* Statement id, prepared, with args bound through b (nargs entries). */
static enum err
stmt_bind(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    MYSQL_BIND *b, MYSQL_STMT **out)
{
	MYSQL_STMT *st = NULL;
	enum err e;
	size_t i;

	if ((e = stmt_get(d, id, &st)) != ERR_OK)
		return e;
	if (mysql_stmt_param_count(st) != nargs) {
		log_err("db: statement %d takes %lu parameters, given %zu",
		    (int)id, mysql_stmt_param_count(st), nargs);
		return ERR_INTERNAL;
	}
	*out = st;
	memset(b, 0, nargs * sizeof(b[0]));
	for (i = 0; i < nargs; i++) {
		switch (args[i].t) {
		case DBV_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBV_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&args[i].i;
			break;
		case DBV_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)args[i].p;
			b[i].buffer_length = args[i].len;
			break;
		case DBV_BIN:
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)args[i].p;
			b[i].buffer_length = args[i].len;
			break;
		}
	}
	if (nargs > 0 && mysql_stmt_bind_param(st, b) != 0)
		return classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), "bind");
	return ERR_OK;
}

/*
 * Outside a transaction a statement is retried once after reconnecting, and
 * on deadlock: each is its own implicit transaction.  Inside one, the error
 * goes up to db_tx, which retries the whole transaction.
 */
static int
should_retry(struct db *d, enum err e, int attempt)
{
	if (e != ERR_RETRY || d->in_tx || attempt >= 2)
		return 0;
	if (d->broken && db_connect(d) != ERR_OK)
		return 0;
	return 1;
}

static enum err
final(struct db *d, enum err e)
{
	if (e == ERR_RETRY && !d->in_tx)
		return ERR_UNAVAILABLE;
	return e;
}

enum err
db_exec(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    unsigned long long *affected, unsigned long long *insert_id)
{
	MYSQL_STMT *st = NULL;
	enum err e;
	int attempt = 0;

	do
		e = execute(d, id, args, nargs, &st);
	while (should_retry(d, e, attempt++));
	if (e != ERR_OK)
		return final(d, e);
	if (affected != NULL)
		*affected = (unsigned long long)mysql_stmt_affected_rows(st);
	if (insert_id != NULL)
		*insert_id = (unsigned long long)mysql_stmt_insert_id(st);
	mysql_stmt_free_result(st);
	return ERR_OK;
}

/*
 * A result being read row by row.  Buffered cursors take the whole result
 * first (the row callback may run other statements); streaming ones fetch
 * from the server as the caller asks, so memory stays flat however many
 * rows there are, and the connection is busy until the cursor is closed.
 */
struct db_cursor {
	struct db *d;
	MYSQL_STMT *st;
	MYSQL_RES *meta;
	MYSQL_BIND *b;
	unsigned long *len, *cap;
	my_bool *isnull, *error;
	char **buf, **val;
	char *mem;                      /* all of the above in one block */
	char *inl;                      /* then CURSOR_INLINE bytes per column */
	struct dbrow row;
	int buffered;
	enum err e;
};

/* Most values fit here: one allocation per query instead of ~2 per column. */
#define CURSOR_INLINE 128

static int
is_inline(const struct db_cursor *c, unsigned int i)
{
	return c->buf[i] == c->inl + (size_t)i * CURSOR_INLINE;
}

static void
cursor_fini(struct db_cursor *c)
{
	unsigned int i;

	if (c->st != NULL) {
		mysql_stmt_free_result(c->st);
		if (!c->buffered)
			mysql_stmt_reset(c->st);
	}
	if (c->meta != NULL)
		mysql_free_result(c->meta);
	if (c->mem != NULL)
		for (i = 0; i < c->row.n; i++)
			if (c->buf[i] != NULL && !is_inline(c, i))
				free(c->buf[i]);
	free(c->mem);
	c->st = NULL;
	c->meta = NULL;
	c->mem = NULL;
	c->row.n = 0;
}

static enum err
cursor_init(struct db_cursor *c, struct db *d, MYSQL_STMT *st, int buffered)
{
	MYSQL_FIELD *f;
	unsigned int n, i;
	size_t off = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->d = d;
	c->st = st;
	c->buffered = buffered;
	/* buffered 2: the caller has stored the result already */
	if (buffered == 1) {
		busy_begin(d);
		rc = mysql_stmt_store_result(st);
		busy_end(d);
	}
	if (buffered == 1 && rc != 0)
		return c->e = classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), "store");
	if ((c->meta = mysql_stmt_result_metadata(st)) == NULL)
		return c->e = ERR_INTERNAL;
	n = mysql_num_fields(c->meta);
	f = mysql_fetch_fields(c->meta);
	if (n == 0 || n > 4096)
		return c->e = ERR_INTERNAL;
	/* Pointers and longs first, bytes last: every part stays aligned. */
	if ((c->mem = calloc(1, n * (sizeof(MYSQL_BIND) + 2 * sizeof(unsigned long) +
	    2 * sizeof(char *) + 2 * sizeof(my_bool) + CURSOR_INLINE))) == NULL)
		return c->e = ERR_INTERNAL;
	c->b = (MYSQL_BIND *)(void *)c->mem;
	off = n * sizeof(MYSQL_BIND);
	c->len = (unsigned long *)(void *)(c->mem + off);
	off += n * sizeof(unsigned long);
	c->cap = (unsigned long *)(void *)(c->mem + off);
	off += n * sizeof(unsigned long);
	c->buf = (char **)(void *)(c->mem + off);
	off += n * sizeof(char *);
	c->val = (char **)(void *)(c->mem + off);
	off += n * sizeof(char *);
	c->isnull = (my_bool *)(c->mem + off);
	off += n * sizeof(my_bool);
	c->error = (my_bool *)(c->mem + off);
	off += n * sizeof(my_bool);
	c->inl = c->mem + off;
	c->row.n = n;
	c->row.val = c->val;
	c->row.len = c->len;
	for (i = 0; i < n; i++) {
		unsigned long want = (buffered ? f[i].max_length : 0) + 1;
		if (want <= CURSOR_INLINE) {
			c->buf[i] = c->inl + (size_t)i * CURSOR_INLINE;
			c->cap[i] = CURSOR_INLINE;
		} else if ((c->buf[i] = malloc(want)) == NULL)
			return c->e = ERR_INTERNAL;
		else
			c->cap[i] = want;
		c->b[i].buffer_type = MYSQL_TYPE_STRING;
		c->b[i].buffer = c->buf[i];
		c->b[i].buffer_length = c->cap[i];
		c->b[i].length = &c->len[i];
		c->b[i].is_null = &c->isnull[i];
		c->b[i].error = &c->error[i];
	}
	if (mysql_stmt_bind_result(st, c->b) != 0)
		return c->e = classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), "bind result");
	return ERR_OK;
}

/* 1: c->row holds the next row; 0: no more rows; -1: error (c->e). */
static int
cursor_fetch(struct db_cursor *c)
{
	MYSQL_STMT *st = c->st;
	unsigned int i;
	int rc, rebind = 0;

	if (c->e != ERR_OK)
		return -1;
	if (!c->buffered)
		busy_begin(c->d);
	rc = mysql_stmt_fetch(st);
	if (!c->buffered)
		busy_end(c->d);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1) {
		c->e = classify(c->d, mysql_stmt_errno(st), mysql_stmt_error(st), "fetch");
		return -1;
	}
	for (i = 0; i < c->row.n; i++) {
		if (!c->isnull[i] && c->len[i] >= c->cap[i]) {
			char *nb = is_inline(c, i) ? malloc(c->len[i] + 1) :
			    realloc(c->buf[i], c->len[i] + 1);
			if (nb == NULL) {
				c->e = ERR_INTERNAL;
				return -1;
			}
			c->buf[i] = nb;
			c->cap[i] = c->len[i] + 1;
			c->b[i].buffer = nb;
			c->b[i].buffer_length = c->cap[i];
			if (mysql_stmt_fetch_column(st, &c->b[i], i, 0) != 0) {
				c->e = classify(c->d, mysql_stmt_errno(st), mysql_stmt_error(st),
				    "fetch column");
				return -1;
			}
			rebind = 1;
		}
		if (!c->isnull[i])
			c->buf[i][c->len[i]] = '\0';
		c->val[i] = c->isnull[i] ? NULL : c->buf[i];
	}
	if (rebind && mysql_stmt_bind_result(st, c->b) != 0) {
		c->e = ERR_INTERNAL;
		return -1;
	}
	return 1;
}

static enum err
fetch_rows(struct db *d, MYSQL_STMT *st, db_rowfn fn, void *ctx, int buffered)
{
	struct db_cursor c;
	enum err e;
	int rc;

	if ((e = cursor_init(&c, d, st, buffered)) == ERR_OK) {
		while ((rc = cursor_fetch(&c)) == 1)
			if ((e = fn(ctx, &c.row)) != ERR_OK)
				break;
		if (e == ERR_OK && rc < 0)
			e = c.e;
	}
	cursor_fini(&c);
	return e;
}

enum err
db_cursor_open(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    struct db_cursor **out)
{
	struct db_cursor *c;
	MYSQL_STMT *st = NULL;
	enum err e;
	int attempt = 0;

	*out = NULL;
	do
		e = execute(d, id, args, nargs, &st);
	while (should_retry(d, e, attempt++));
	if (e != ERR_OK)
		return final(d, e);
	if ((c = malloc(sizeof(*c))) == NULL) {
		mysql_stmt_free_result(st);
		mysql_stmt_reset(st);
		return ERR_INTERNAL;
	}
	if ((e = cursor_init(c, d, st, 0)) != ERR_OK) {
		cursor_fini(c);
		free(c);
		return final(d, e);
	}
	*out = c;
	return ERR_OK;
}

int
db_cursor_next(struct db_cursor *c, const struct dbrow **row)
{
	int rc = cursor_fetch(c);

	*row = rc == 1 ? &c->row : NULL;
	return rc;
}

enum err
db_cursor_close(struct db_cursor *c)
{
	enum err e;

	if (c == NULL)
		return ERR_OK;
	e = final(c->d, c->e);
	cursor_fini(c);
	free(c);
	return e;
}

static enum err
query(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    db_rowfn fn, void *ctx, int buffered)
{
	MYSQL_STMT *st = NULL;
	enum err e;
	int attempt = 0;

	do
		e = execute(d, id, args, nargs, &st);
	while (should_retry(d, e, attempt++));
	if (e != ERR_OK)
		return final(d, e);
	return final(d, fetch_rows(d, st, fn, ctx, buffered));
}

enum err
db_query(struct db *d, enum stmt id, const struct dbv *args, size_t nargs,
    db_rowfn fn, void *ctx)
{
	return query(d, id, args, nargs, fn, ctx, 1);
}

enum err
db_query_stream(struct db *d, enum stmt id, const struct dbv *args,
    size_t nargs, db_rowfn fn, void *ctx)
{
	return query(d, id, args, nargs, fn, ctx, 0);
}

enum err
db_row_ll(void *ctx, const struct dbrow *r)
{
	*(long long *)ctx = row_ll(r, 0);
	return ERR_OK;
}

enum err
db_row_exists(void *ctx, const struct dbrow *r)
{
	(void)r;
	*(int *)ctx = 1;
	return ERR_OK;
}

enum err
db_row_blob(void *ctx, const struct dbrow *r)
{
	struct db_blob *b = ctx;

	if (r->n > 0 && r->val[0] != NULL && r->len[0] <= b->cap) {
		memcpy(b->buf, r->val[0], r->len[0]);
		b->len = r->len[0];
		b->found = 1;
	}
	return ERR_OK;
}

long long
row_ll(const struct dbrow *r, unsigned int i)
{
	return (i < r->n && r->val[i] != NULL) ? strtoll(r->val[i], NULL, 10) : 0;
}

const char *
row_str(const struct dbrow *r, unsigned int i)
{
	return i < r->n ? r->val[i] : NULL;
}

void
row_cpy(const struct dbrow *r, unsigned int i, char *dst, size_t dstlen)
{
	size_t n;

	if (dstlen == 0)
		return;
	if (i >= r->n || r->val[i] == NULL) {
		dst[0] = '\0';
		return;
	}
	n = r->len[i] < dstlen - 1 ? r->len[i] : dstlen - 1;
	memcpy(dst, r->val[i], n);
	dst[n] = '\0';
}


/*
 * Non-blocking statements, for the event thread (Connector/C's _start and
 * _cont calls).  An adb is a connection of its own, outside the pool, that
 * runs one statement at a time; the caller waits for its socket between
 * steps.  Statements are prepared (and re-prepared) with the blocking call:
 * one round trip per 500 executions.
 */
#define ADB_MAXARGS 12

struct adb {
	struct db d;
	MYSQL_STMT *st;
	enum stmt id;
	int stage;                      /* 0 idle, 1 executing, 2 storing rows */
	int want_rows;
	int status;                     /* MYSQL_WAIT_* the call waits for */
	int rc;
	enum err e;
	struct dbv args[ADB_MAXARGS];   /* the bind points into these */
	MYSQL_BIND b[ADB_MAXARGS];
};

enum err
adb_open(struct adb **out)
{
	struct adb *a = calloc(1, sizeof(*a));
	enum err e;

	*out = NULL;
	if (a == NULL)
		return ERR_INTERNAL;
	if ((e = db_connect_nb(&a->d, 1)) != ERR_OK) {
		free(a);
		return e;
	}
	*out = a;
	return ERR_OK;
}

void
adb_close(struct adb *a)
{
	if (a == NULL)
		return;
	db_disconnect(&a->d);
	free(a);
}

int
adb_fd(struct adb *a)
{
	return a->d.my != NULL ? (int)mysql_get_socket(a->d.my) : -1;
}

int
adb_broken(struct adb *a)
{
	return a->d.my == NULL || a->d.broken;
}

enum err
adb_err(struct adb *a)
{
	return a->e;
}

unsigned long long
adb_insert_id(struct adb *a)
{
	return a->st != NULL ? (unsigned long long)mysql_stmt_insert_id(a->st) : 0;
}

/* Advance until the statement waits (MYSQL_WAIT_* bits) or is over (0). */
static int
adb_step(struct adb *a)
{
	MYSQL_STMT *st = a->st;

	while (a->status == 0) {
		if (a->stage == 1) {
			if (a->rc != 0) {
				unsigned int code = mysql_stmt_errno(st);
				a->e = classify(&a->d, code, mysql_stmt_error(st), "execute");
				if (code == ER_NEED_REPREPARE) {
					stmt_forget(&a->d, a->id);
					a->st = NULL;
				}
				a->stage = 0;
				return 0;
			}
			if (!a->want_rows) {
				a->stage = 0;
				return 0;
			}
			a->stage = 2;
			a->status = mysql_stmt_store_result_start(&a->rc, st);
		} else {
			if (a->stage == 2 && a->rc != 0)
				a->e = classify(&a->d, mysql_stmt_errno(st), mysql_stmt_error(st), "store");
			a->stage = 0;
			return 0;
		}
	}
	return a->status;
}

int
adb_start(struct adb *a, enum stmt id, const struct dbv *args, size_t nargs,
    int want_rows)
{
	MYSQL_STMT *st;

	a->st = NULL;
	a->stage = 0;
	a->status = 0;
	if (nargs > ADB_MAXARGS) {
		a->e = ERR_INTERNAL;
		return 0;
	}
	memcpy(a->args, args, nargs * sizeof(args[0]));
	if ((a->e = stmt_bind(&a->d, id, a->args, nargs, a->b, &st)) != ERR_OK)
		return 0;
	a->st = st;
	a->id = id;
	a->want_rows = want_rows;
	a->stage = 1;
	a->status = mysql_stmt_execute_start(&a->rc, st);
	return adb_step(a);
}

int
adb_cont(struct adb *a, int ready)
{
	if (a->stage == 1)
		a->status = mysql_stmt_execute_cont(&a->rc, a->st, ready);
	else if (a->stage == 2)
		a->status = mysql_stmt_store_result_cont(&a->rc, a->st, ready);
	else
		return 0;
	return adb_step(a);
}

enum err
adb_rows(struct adb *a, db_rowfn fn, void *ctx)
{
	if (a->e != ERR_OK || a->st == NULL)
		return a->e != ERR_OK ? a->e : ERR_INTERNAL;
	return fetch_rows(&a->d, a->st, fn, ctx, 2);     /* stored by adb_step */
}

static enum err
simple(struct db *d, const char *sql, const char *what)
{
	int rc;

	if (d->my == NULL)
		return ERR_RETRY;
	busy_begin(d);
	rc = mysql_real_query(d->my, sql, strlen(sql));
	busy_end(d);
	if (rc != 0)
		return classify(d, mysql_errno(d->my), mysql_error(d->my), what);
	return ERR_OK;
}

enum err
db_tx(struct db *d, db_txfn fn, void *arg)
{
	enum err e;
	int attempt;

	for (attempt = 0;; attempt++) {
		if (d->broken || d->my == NULL) {
			if (db_connect(d) != ERR_OK)
				return ERR_UNAVAILABLE;
		}
		if ((e = simple(d, "START TRANSACTION", "begin")) == ERR_OK) {
			d->in_tx = 1;
			e = fn(d, arg);
			if (e == ERR_OK) {
				e = simple(d, "COMMIT", "commit");
				if (e == ERR_RETRY && d->broken) {
					/* Lost during COMMIT: the outcome is unknown. */
					d->in_tx = 0;
					return ERR_UNAVAILABLE;
				}
			}
			if (e != ERR_OK && d->my != NULL && !d->broken) {
				busy_begin(d);
				mysql_rollback(d->my);
				busy_end(d);
			}
			d->in_tx = 0;
		}
		if (e != ERR_RETRY)
			return e;
		if (attempt >= 4)
			return ERR_UNAVAILABLE;
		/* Back off a little, with jitter, before the next attempt. */
		usleep((useconds_t)(1000 * (1 << attempt) + (rand() % 1000)));
	}
}

/* ---- migrations ---- */


static enum err
holder_row(void *ctx, const struct dbrow *r)
{
	row_cpy(r, 0, ctx, 40);
	return ERR_OK;
}

enum err
db_migrate(struct db *d, int verbose)
{
	const struct migration *m;
	enum err e;
	MYSQL_RES *res;
	int applied, locked = 0, count = 0;
	unsigned char nonce[16];
	char holder[33];

	if (d->my == NULL || d->broken) {
		if (db_connect(d) != ERR_OK)
			return ERR_UNAVAILABLE;
	}
	if ((e = simple(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version VARCHAR(255) NOT NULL PRIMARY KEY, "
	    "applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "migrate")) != ERR_OK)
		return e == ERR_RETRY ? ERR_UNAVAILABLE : e;
	/*
	 * Several instances starting at once: one migrates, the others wait
	 * (up to two minutes) for its lock row, then find nothing to do.  A
	 * row works on a Galera cluster, where GET_LOCK does not.
	 */
	if ((e = simple(d, "CREATE TABLE IF NOT EXISTS schema_lock ("
	    "id TINYINT UNSIGNED NOT NULL PRIMARY KEY, holder CHAR(32) NOT NULL, "
	    "until DATETIME NOT NULL) ENGINE=InnoDB", "migrate")) != ERR_OK)
		return e == ERR_RETRY ? ERR_UNAVAILABLE : e;
	randombytes_buf(nonce, sizeof(nonce));
	sodium_bin2hex(holder, sizeof(holder), nonce, sizeof(nonce));
	for (int tries = 0; tries < 600 && !locked; tries++) {
		struct dbv la[] = {V_STR(holder), V_INT(300)};
		char who[40] = "";

		if ((e = db_exec(d, STMT_MIGRATE_LOCK, la, NARGS(la), NULL, NULL)) != ERR_OK &&
		    e != ERR_RETRY)
			return e;
		if (e == ERR_OK && (e = db_query(d, STMT_MIGRATE_HOLDER, NULL, 0, holder_row, who)) != ERR_OK)
			return e == ERR_RETRY ? ERR_UNAVAILABLE : e;
		locked = strcmp(who, holder) == 0;
		if (!locked)
			usleep(200000);
	}
	if (!locked) {
		log_err("migrate: could not take the migration lock");
		return ERR_UNAVAILABLE;
	}
	for (m = migrations; m->name != NULL; m++) {
		struct dbv a[] = {V_STR(m->name)};

		applied = 0;
		if ((e = db_query(d, STMT_MIGRATION_APPLIED, a, NARGS(a),
		    db_row_exists, &applied)) != ERR_OK)
			goto out;
		if (applied)
			continue;
		mysql_set_server_option(d->my, MYSQL_OPTION_MULTI_STATEMENTS_ON);
		if (mysql_real_query(d->my, m->sql, strlen(m->sql)) != 0) {
			fprintf(stderr, "migrate: %s failed: %s\n", m->name, mysql_error(d->my));
			log_err("migrate: %s failed: %s", m->name, mysql_error(d->my));
			e = ERR_DB;
		} else {
			int st;
			do {
				if ((res = mysql_store_result(d->my)) != NULL)
					mysql_free_result(res);
			} while ((st = mysql_next_result(d->my)) == 0);
			if (st > 0) {
				fprintf(stderr, "migrate: %s failed: %s\n", m->name, mysql_error(d->my));
				log_err("migrate: %s failed: %s", m->name, mysql_error(d->my));
				e = ERR_DB;
			}
		}
		mysql_set_server_option(d->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
		if (e != ERR_OK)
			goto out;
		if ((e = db_exec(d, STMT_MIGRATION_RECORD, a, NARGS(a), NULL, NULL)) != ERR_OK)
			goto out;
		count++;
		if (verbose)
			printf("applied %s\n", m->name);
		log_info("migrate: applied %s", m->name);
	}
	if (verbose && count == 0)
		printf("schema is up to date\n");
out:
	if (d->my != NULL && !d->broken) {
		struct dbv ua[] = {V_STR(holder)};
		db_exec(d, STMT_MIGRATE_UNLOCK, ua, NARGS(ua), NULL, NULL);
	}
	return e == ERR_RETRY ? ERR_UNAVAILABLE : e;
}
