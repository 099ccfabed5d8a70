/*
 * The HTTP layer end to end: src/http.c is included here (http.o is left
 * out of the link, see fuzz.mk) so the harness can reach its daemon and
 * run its event loop itself.  http_start() starts everything as `confero
 * serve` does (the daemon on 127.0.0.1:0, the workers, the real route
 * table and static files from web/), with no database: every pooled
 * connection fails to connect, so a handler that needs MariaDB answers 503.
 * The event thread is then stopped and this thread runs the same loop.
 *
 * Each input is one connection: one end of a socketpair goes to
 * MHD_add_connection, the input is written raw into the other end, which
 * is then shut for writing; the loop runs until microhttpd has answered
 * and closed.  Requests may carry "Authorization: Bearer
 * fuzz-token-0123456789" (an admin, from the principal cache) and name
 * the event "fuzz" (cached), so routes get as far as their validation.
 *
 * Properties: every connection is answered (or closed) within 5 s and
 * fully cleaned up; no descriptor or thread is left behind; a response
 * starts with an HTTP/1.x status line, never 500; one of ours carries
 * the security headers.
 */
#include "../../src/http.c"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include "api.h"
#include "db.h"
#include "event.h"

#include "fuzz.h"

#define FZ_TOKEN "fuzz-token-0123456789"

static struct event_ref fixture;
static int base_fds, base_threads;

/*
 * Entries of /proc/self/task, or of /proc/self/fd without pipes: the
 * sanitizers' symbolizer (libFuzzer prints each newly covered function)
 * keeps two pipes to llvm-symbolizer from the first time on.  What a
 * request could leak is a socket or a file.
 */
static int
count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[300], target[64];
	ssize_t n;
	int count = 0, fds = strstr(path, "/fd") != NULL;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fds) {
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if ((n = readlink(p, target, sizeof(target) - 1)) > 0 &&
			    strncmp(target, "pipe:", 5) == 0)
				continue;
		}
		count++;
	}
	closedir(d);
	return count;
}

/*
 * The database watchdog (db.c) probes MariaDB once a second, with a socket
 * or two for a moment: count until two readings agree.
 */
static int
stable_count(const char *path)
{
	int a = count_dir(path), b;

	for (int i = 0; i < 100; i++) {
		usleep(200);
		if ((b = count_dir(path)) == a)
			return a;
		a = b;
	}
	return a;
}

/* What is open, for the report of a leak. */
static void
list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[300], target[256];
	ssize_t n;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "  fd %s -> %s\n", e->d_name, target);
	}
	if (d != NULL)
		closedir(d);
}

static void
seed_cache(void)
{
	struct principal who;
	unsigned char h[32];

	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_TOKEN;
	who.user_id = 1;
	who.token_id = 1;
	who.role = ROLE_ADMIN;
	snprintf(who.email, sizeof(who.email), "admin@confero.example");
	auth_secret_hash(FZ_TOKEN, h);
	cache_put(CACHE_PRINCIPAL, h, 32, &who, sizeof(who), 60000);
	cache_put(CACHE_EVENT, fixture.slug, strlen(fixture.slug), &fixture, sizeof(fixture), 60000);
}

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* A worker has a job: an answer is on its way. */
static int
busy(void)
{
	int b;

	pthread_mutex_lock(&q_mtx);
	b = q_head != NULL;
	pthread_mutex_unlock(&q_mtx);
	return b;
}

static unsigned
connections(void)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemon_,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return di != NULL ? di->num_connections : 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char web[512];
	const char *kv[] = {
		"CONFERO_LISTEN", "127.0.0.1:0",
		"CONFERO_HTTP_WORKERS", "2",
		"CONFERO_DB_LANE", "0",
		"CONFERO_CONN_TIMEOUT", "2",
		"CONFERO_BODY_MAX", "65536",
		"CONFERO_CONN_LIMIT", "64",
		"CONFERO_HASH_WORKERS", "1",
		"CONFERO_WEB_DIR", web,
		NULL,
	};

	(void)argc;
	(void)argv;
	snprintf(web, sizeof(web), "%s/web", fz_top());
	fz_config(kv);
	signal(SIGPIPE, SIG_IGN);
	fz_server_init();
	static_init(cfg->web_dir);
	fz_event_fixture(&fixture);
	if (http_start() != 0) {
		fprintf(stderr, "fuzz: http_start failed\n");
		exit(1);
	}
	/* From here on this thread is the event thread. */
	atomic_store(&loop_stop, 1);
	http_wake();
	pthread_join(loop_thread, NULL);
	loop_started = 0;
	/* Let the workers and the database watchdog settle before counting. */
	for (int i = 0; i < 10; i++)
		loop_turn(1);      /* http.c's event loop, on this thread */
	return 0;
}

static void
check_response(const char *resp, size_t len)
{
	int status;

	if (len == 0)
		return;         /* closed without an answer: a malformed request */
	FZ_ASSERT(len >= 12 && (strncmp(resp, "HTTP/1.1 ", 9) == 0 ||
	    strncmp(resp, "HTTP/1.0 ", 9) == 0), "not a status line: \"%.40s\"", resp);
	status = atoi(resp + 9);
	FZ_ASSERT(status >= 100 && status < 600, "status %d", status);
	FZ_ASSERT(status != 500, "500: \"%.300s\"", resp);
	/* Ours (not microhttpd's own 400/413/431): the security headers. */
	if (strstr(resp, "\r\nX-Request-Id: ") != NULL) {
		const char *end = strstr(resp, "\r\n\r\n");
		FZ_ASSERT(end != NULL, "no end of the headers");
		FZ_ASSERT(strstr(resp, "\r\nContent-Security-Policy: ") != NULL &&
		    strstr(resp, "\r\nX-Content-Type-Options: nosniff") != NULL &&
		    strstr(resp, "\r\nX-Frame-Options: DENY") != NULL, "security headers missing");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char resp[65536];
	struct sockaddr_in sin;
	struct timespec t0, now, last;
	size_t off = 0, rlen = 0;
	int sv[2], eof = 0, hung_up = 0, fds, threads;
	ssize_t n, r;
	char buf[16384];

	if (size > 256 * 1024)
		return 0;
	/* Counted here: libFuzzer starts a thread of its own after initialising. */
	if (base_fds == 0) {
		base_fds = stable_count("/proc/self/fd");
		base_threads = stable_count("/proc/self/task");
	}
	seed_cache();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(40000);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* MHD owns sv[0] from here on, and closes it. */
	FZ_ASSERT(MHD_add_connection(daemon_, sv[0], (const struct sockaddr *)&sin,
	    sizeof(sin)) == MHD_YES, "MHD_add_connection");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	for (;;) {
		if (off < size) {
			n = write(sv[1], data + off, size - off);
			if (n > 0) {
				off += (size_t)n;
				clock_gettime(CLOCK_MONOTONIC, &last);
			}
			else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				off = size;     /* MHD closed: the rest is never read */
			if (off == size)
				shutdown(sv[1], SHUT_WR);
		} else if (size == 0 && off == 0) {
			shutdown(sv[1], SHUT_WR);
			off = 1;
		}
		loop_turn(off >= size ? 1 : 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		while (!eof) {
			if ((r = read(sv[1], buf, sizeof(buf))) == 0 ||
			    (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
				eof = 1;        /* closed, or reset */
				break;
			}
			if (r < 0)
				break;
			last = now;
			if (rlen + 1 < sizeof(resp)) {
				size_t k = (size_t)r < sizeof(resp) - 1 - rlen ? (size_t)r :
				    sizeof(resp) - 1 - rlen;
				memcpy(resp + rlen, buf, k);
				rlen += k;
			}
		}
		if (eof && connections() == 0)
			break;
		/*
		 * A request that is not complete (a body shorter than its
		 * Content-Length): microhttpd does not notice the half-close and
		 * would wait for CONFERO_CONN_TIMEOUT.  Hang up instead, as a
		 * client would; the HUP makes it look again.
		 */
		if (!eof && off >= size && ms_between(&last, &now) > 5 && !busy()) {
			close(sv[1]);
			sv[1] = -1;
			eof = 1;
			hung_up = 1;
		}
		FZ_ASSERT(now.tv_sec - t0.tv_sec < 5, "no answer and no close in 5 s (%zu octets in)",
		    rlen);
	}
	if (sv[1] >= 0)
		close(sv[1]);
	resp[rlen] = '\0';
	if (getenv("CONFERO_FUZZ_DEBUG") != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		fprintf(stderr, "%.1f ms%s: %.*s\n", ms_between(&t0, &now),
		    hung_up ? " (hung up)" : "", (int)strcspn(resp, "\r"), resp);
		if (getenv("CONFERO_FUZZ_DEBUG")[0] == '2')
			fprintf(stderr, "%s\n", resp);
	}
	check_response(resp, rlen);
	fds = count_dir("/proc/self/fd");
	threads = count_dir("/proc/self/task");
	/* The watchdog's probe holds a socket or two for a moment: wait it out. */
	for (int i = 0; i < 200 && (fds != base_fds || threads != base_threads); i++) {
		usleep(5000);
		fds = count_dir("/proc/self/fd");
		threads = count_dir("/proc/self/task");
	}
	if (fds != base_fds)
		list_fds();
	FZ_ASSERT(fds == base_fds, "%d descriptors open, %d before", fds, base_fds);
	FZ_ASSERT(threads == base_threads, "%d threads, %d before", threads, base_threads);
	return 0;
}
