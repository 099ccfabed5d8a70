/*
 * The ceiling for `make bench`: the same database work Confero does, sent
 * straight to MariaDB by a C client with the same concurrency (no HTTP,
 * no JSON, no signatures).  Prints key: value lines.
 *
 *   dblimit checkin  SOCKET USER PASSWORD DB EVENT_ID CONC
 *       the database work of one successful scan: read the ticket and
 *       registration, then the conditional write, one INSERT INTO checkins
 *       (its own transaction; the unique key admits one live check-in per
 *       registration and point)
 *   dblimit register SOCKET USER PASSWORD DB EVENT_ID TTYPE_ID N CONC
 *       the registration transaction: insert, take the event seat and the
 *       type seat by conditional UPDATE, confirm, ticket row and code,
 *       audit row, COMMIT (ROLLBACK when full)
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

static const char *sock, *user, *pw, *dbname;
static long long event_id, ttype_id;
static int nreq;
static atomic_int next, ok, full;
static long long *regs, *tickets;
static int nregs;
static double *lat;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static MYSQL *
conn(void)
{
	MYSQL *m = mysql_init(NULL);

	if (!mysql_real_connect(m, NULL, user, pw, dbname, 0, sock, 0)) {
		fprintf(stderr, "connect: %s\n", mysql_error(m));
		exit(1);
	}
	/* The session Confero's connections run with (see src/db.c). */
	mysql_query(m, "SET time_zone = '+00:00', tx_isolation = 'READ-COMMITTED', "
	    "innodb_lock_wait_timeout = 10");
	return m;
}

static void
q(MYSQL *m, const char *s)
{
	if (mysql_query(m, s) != 0) {
		fprintf(stderr, "%s: %s\n", s, mysql_error(m));
		exit(1);
	}
}

static unsigned long long
exec_ll(MYSQL *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static unsigned long long
exec_ll(MYSQL *m, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	q(m, sql);
	return mysql_affected_rows(m);
}

/* Prepared statements, as Confero uses them. */
static MYSQL_STMT *
prep(MYSQL *m, const char *sql)
{
	MYSQL_STMT *st = mysql_stmt_init(m);

	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		fprintf(stderr, "prepare %s: %s\n", sql, mysql_stmt_error(st));
		exit(1);
	}
	return st;
}

static int
run(MYSQL_STMT *st, long long *a, int n, const char *s1, const unsigned char *blob)
{
	MYSQL_BIND b[8];
	int i, k = 0;

	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++, k++) {
		b[k].buffer_type = MYSQL_TYPE_LONGLONG;
		b[k].buffer = &a[i];
	}
	if (s1 != NULL) {
		b[k].buffer_type = MYSQL_TYPE_STRING;
		b[k].buffer = (void *)s1;
		b[k].buffer_length = strlen(s1);
		k++;
	}
	if (blob != NULL) {
		b[k].buffer_type = MYSQL_TYPE_BLOB;
		b[k].buffer = (void *)blob;
		b[k].buffer_length = 32;
		k++;
	}
	if (k > 0 && mysql_stmt_bind_param(st, b) != 0)
		return -1;
	if (mysql_stmt_execute(st) != 0)
		return -1;
	return (int)mysql_stmt_affected_rows(st);
}

static void *
checkin_worker(void *arg)
{
	MYSQL *m = conn();
	/* Exactly the statements Confero runs for one successful scan. */
	MYSQL_STMT *sel = prep(m, "SELECT t.id, t.status, t.event_id, r.id, r.status, r.name, "
	    "r.organisation, tt.name, r.ticket_type_id FROM tickets t JOIN registrations r "
	    "ON r.id = t.registration_id JOIN ticket_types tt ON tt.id = r.ticket_type_id "
	    "WHERE t.id = ?");
	MYSQL_STMT *ins = prep(m, "INSERT INTO checkins (event_id, registration_id, ticket_id, "
	    "point, gate, by_user, by_token, nonce, at) VALUES (?, ?, ?, 999999, 'limit', NULL, NULL, "
	    "NULL, FROM_UNIXTIME(? / 1000))");
	int i;

	(void)arg;
	while ((i = atomic_fetch_add(&next, 1)) < nregs) {
		long long sa[] = {tickets[i]};
		double t0 = now();
		struct timespec ts;
		run(sel, sa, 1, NULL, NULL);
		mysql_stmt_store_result(sel);
		mysql_stmt_free_result(sel);
		clock_gettime(CLOCK_REALTIME, &ts);
		long long a[] = {event_id, regs[i], tickets[i],
		    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000};
		if (run(ins, a, 4, NULL, NULL) == 1)
			atomic_fetch_add(&ok, 1);
		lat[i] = (now() - t0) * 1000;
	}
	mysql_stmt_close(sel);
	mysql_stmt_close(ins);
	mysql_close(m);
	return NULL;
}

static void *
register_worker(void *arg)
{
	MYSQL *m = conn();
	MYSQL_STMT *ins = prep(m, "INSERT INTO registrations (event_id, ticket_type_id, name, email, "
	    "active_email, organisation, status, holds_seat, answers, consent_at, manage_hash) "
	    "VALUES (?, ?, 'Limit Attendee', CONCAT('limit', ?, '@example.org'), "
	    "CONCAT('limit', ?, '@example.org'), 'Bench', 'confirmed', 1, '{}', NOW(), ?)");
	MYSQL_STMT *ev = prep(m, "UPDATE events SET seats_taken = seats_taken + 1 WHERE id = ? "
	    "AND (capacity IS NULL OR seats_taken < capacity)");
	MYSQL_STMT *tt = prep(m, "UPDATE ticket_types SET sold = sold + 1 WHERE id = ? "
	    "AND (quota IS NULL OR sold < quota)");
	MYSQL_STMT *tk = prep(m, "INSERT INTO tickets (id, registration_id, event_id, code) "
	    "VALUES (?, ?, ?, 'LIMITCODEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')");
	MYSQL_STMT *aud = prep(m, "INSERT INTO audit_log (actor_kind, actor_id, action, object_type, "
	    "object_id, details) VALUES ('attendee', ?, 'registration.create', 'registration', ?, "
	    "'{\"status\":\"confirmed\"}')");
	unsigned char hash[32];
	int i;

	(void)arg;
	while ((i = atomic_fetch_add(&next, 1)) < nreq) {
		double t0 = now();
		long long a1[] = {event_id, ttype_id, i, i};
		long long rid;

		for (int k = 0; k < 32; k++)
			hash[k] = (unsigned char)rand();
		memcpy(hash, &i, sizeof(i));
		q(m, "START TRANSACTION");
		long long a2[] = {event_id}, a3[] = {ttype_id};
		/* Seat first, as Confero does: the event row orders everyone. */
		if (run(ev, a2, 1, NULL, NULL) != 1 || run(tt, a3, 1, NULL, NULL) != 1) {
			q(m, "ROLLBACK");
			atomic_fetch_add(&full, 1);
			lat[i] = (now() - t0) * 1000;
			continue;
		}
		if (run(ins, a1, 4, NULL, hash) != 1) {
			q(m, "ROLLBACK");
			continue;
		}
		rid = (long long)mysql_stmt_insert_id(ins);
		long long a5[] = {1000000000LL + i, rid, event_id};
		run(tk, a5, 3, NULL, NULL);
		long long a6[] = {rid, rid};
		run(aud, a6, 2, NULL, NULL);
		if (mysql_query(m, "COMMIT") == 0)
			atomic_fetch_add(&ok, 1);
		lat[i] = (now() - t0) * 1000;
	}
	mysql_close(m);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	pthread_t th[512];
	int conc, i, reg;
	double t0, el;
	int n;

	if (argc < 8) {
		fprintf(stderr, "usage: see the comment at the top of dblimit.c\n");
		return 2;
	}
	reg = strcmp(argv[1], "register") == 0;
	sock = argv[2];
	user = argv[3];
	pw = argv[4];
	dbname = argv[5];
	event_id = atoll(argv[6]);
	mysql_library_init(0, NULL, NULL);
	if (reg) {
		ttype_id = atoll(argv[7]);
		nreq = atoi(argv[8]);
		conc = atoi(argv[9]);
		n = nreq;
	} else {
		MYSQL *m = conn();
		MYSQL_RES *res;
		MYSQL_ROW row;
		char sql[256];

		conc = atoi(argv[7]);
		snprintf(sql, sizeof(sql), "SELECT r.id, t.id FROM registrations r JOIN tickets t "
		    "ON t.registration_id = r.id AND t.status = 'valid' WHERE r.event_id = %lld "
		    "AND r.status = 'confirmed'", event_id);
		q(m, sql);
		res = mysql_store_result(m);
		regs = malloc(sizeof(long long) * (mysql_num_rows(res) + 1));
		tickets = malloc(sizeof(long long) * (mysql_num_rows(res) + 1));
		while ((row = mysql_fetch_row(res)) != NULL) {
			regs[nregs] = atoll(row[0]);
			tickets[nregs++] = atoll(row[1]);
		}
		mysql_free_result(res);
		mysql_close(m);
		n = nregs;
	}
	if (conc > 512)
		conc = 512;
	lat = calloc((size_t)n + 1, sizeof(double));
	t0 = now();
	for (i = 0; i < conc; i++)
		pthread_create(&th[i], NULL, reg ? register_worker : checkin_worker, NULL);
	for (i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	el = now() - t0;
	qsort(lat, (size_t)n, sizeof(double), cmp);
	printf("requests: %d\nseconds: %.2f\nper_s: %.0f\np99_ms: %.2f\nok: %d\nfull: %d\n",
	    n, el, n / el, lat[(int)(n * 0.99)], atomic_load(&ok), atomic_load(&full));
	(void)exec_ll;
	mysql_library_end();
	return 0;
}
