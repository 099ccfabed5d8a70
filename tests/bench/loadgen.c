/*
 * Load generator for `make bench`: many keep-alive HTTP/1.1 clients on
 * threads, each request timed.  Not a test; it prints key: value lines.
 *
 *   loadgen register HOST PORT SLUG TTYPE N CONC CODES_OUT
 *   loadgen checkin  HOST PORT SLUG TOKEN CODES_IN CONC
 *   loadgen get      HOST PORT PATH CONC SECONDS [RATE]
 *
 * get asks for PATH (anonymously, Accept: application/json) for SECONDS,
 * or with SECONDS 0 until it gets SIGUSR1 (to cover another load exactly);
 * with RATE, the clients together send at most RATE requests a second.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host, *slug, *ttype, *token;
static int port, nreq;
static atomic_int next;
static double *lat;
static char **codes;
static int ncodes;
static atomic_int st2xx, st409, st_other, confirmed, waitlisted;
static pthread_mutex_t outmtx = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static int mode_register;
static int idem;                        /* LOADGEN_IDEM=1: an Idempotency-Key each */

/* get: each client keeps its own latencies; they are merged at the end. */
struct getter {
	pthread_t th;
	double *lat;
	size_t n, cap;
	long long bytes;
};
static const char *path;
static double get_until;                /* now() at which to stop; 0: SIGUSR1 */
static double get_gap;                  /* seconds between one client's requests */
static atomic_int get_stop;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Send a request, read one response; returns status, body in buf. */
static int
roundtrip(int *fd, const char *req, size_t reqlen, char *buf, size_t cap)
{
	size_t got = 0, need = 0, hdr = 0;
	ssize_t n;
	char *p;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (write(*fd, req, reqlen) != (ssize_t)reqlen) {
			close(*fd);
			*fd = dial();
			continue;
		}
		got = 0;
		hdr = 0;
		for (;;) {
			n = read(*fd, buf + got, cap - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
			if (hdr == 0 && (p = strstr(buf, "\r\n\r\n")) != NULL) {
				char *cl = strcasestr(buf, "\r\nContent-Length:");
				hdr = (size_t)(p - buf) + 4;
				need = hdr + (cl ? strtoul(cl + 17, NULL, 10) : 0);
			}
			if (hdr > 0 && got >= need)
				return atoi(buf + 9);
		}
		close(*fd);
		*fd = dial();
	}
	return -1;
}

static void *
worker(void *arg)
{
	char req[2048], body[1024], buf[16384];
	int fd = dial(), i, st, len, blen;

	(void)arg;
	while ((i = atomic_fetch_add(&next, 1)) < nreq) {
		double t0 = now();
		if (mode_register) {
			blen = snprintf(body, sizeof(body),
			    "{\"ticket_type_id\":%s,\"name\":\"Bench Attendee %d\",\"email\":"
			    "\"bench%d.%ld@example.org\",\"organisation\":\"Bench\",\"consent\":true}",
			    ttype, i, i, (long)getpid());
			char key[96] = "";
			if (idem)
				snprintf(key, sizeof(key), "Idempotency-Key: bench-%ld-%d\r\n",
				    (long)getpid(), i);
			len = snprintf(req, sizeof(req),
			    "POST /api/v1/events/%s/registrations HTTP/1.1\r\nHost: %s:%d\r\n%s"
			    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			    slug, host, port, key, blen, body);
		} else {
			blen = snprintf(body, sizeof(body), "{\"code\":\"%s\",\"gate\":\"Bench\"}",
			    codes[i]);
			len = snprintf(req, sizeof(req),
			    "POST /api/v1/events/%s/checkins HTTP/1.1\r\nHost: %s:%d\r\n"
			    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
			    "Content-Length: %d\r\n\r\n%s", slug, host, port, token, blen, body);
		}
		st = roundtrip(&fd, req, (size_t)len, buf, sizeof(buf));
		lat[i] = (now() - t0) * 1000.0;
		if (st >= 200 && st < 300)
			atomic_fetch_add(&st2xx, 1);
		else if (st == 409)
			atomic_fetch_add(&st409, 1);
		else
			atomic_fetch_add(&st_other, 1);
		if (mode_register && st == 201) {
			char *c = strstr(buf, "\"code\":\"");
			if (strstr(buf, "\"status\":\"confirmed\"") != NULL)
				atomic_fetch_add(&confirmed, 1);
			else if (strstr(buf, "\"status\":\"waitlisted\"") != NULL)
				atomic_fetch_add(&waitlisted, 1);
			if (c != NULL && out != NULL) {
				c += 8;
				pthread_mutex_lock(&outmtx);
				fprintf(out, "%.*s\n", (int)strcspn(c, "\""), c);
				pthread_mutex_unlock(&outmtx);
			}
		}
	}
	close(fd);
	return NULL;
}

/* The body length of the response in buf, for a sanity figure. */
static long
body_len(const char *buf)
{
	const char *cl = strcasestr(buf, "\r\nContent-Length:");

	return cl != NULL ? strtol(cl + 17, NULL, 10) : 0;
}

static void *
get_worker(void *arg)
{
	struct getter *g = arg;
	size_t cap = 4 << 20;
	char req[1024], *buf = malloc(cap);
	int fd = dial(), st, len;
	double t0, next = now();

	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
	    "Accept: application/json\r\n\r\n", path, host, port);
	while (!atomic_load(&get_stop) && buf != NULL) {
		if (get_gap > 0) {
			/* Paced: wait for this client's next slot; late, start over. */
			if ((t0 = next - now()) > 0)
				usleep((useconds_t)(t0 * 1e6));
			else
				next = now();
			next += get_gap;
		}
		t0 = now();
		if (get_until > 0 && t0 >= get_until)
			break;
		st = roundtrip(&fd, req, (size_t)len, buf, cap);
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 65536;
			if ((g->lat = realloc(g->lat, g->cap * sizeof(double))) == NULL)
				exit(1);
		}
		g->lat[g->n++] = (now() - t0) * 1000.0;
		if (st >= 200 && st < 300) {
			atomic_fetch_add(&st2xx, 1);
			g->bytes += body_len(buf);
		} else
			atomic_fetch_add(&st_other, 1);
	}
	free(buf);
	close(fd);
	return NULL;
}

static int cmp(const void *, const void *);

static int
get_main(int argc, char **argv)
{
	struct getter *g;
	sigset_t usr1;
	double t0, el, *all;
	long long bytes = 0;
	size_t n = 0, k;
	int conc, i, sig;

	if (argc < 7) {
		fprintf(stderr, "usage: loadgen get HOST PORT PATH CONC SECONDS [RATE]\n");
		return 2;
	}
	host = argv[2];
	port = atoi(argv[3]);
	path = argv[4];
	conc = atoi(argv[5]);
	/* Blocked in every thread, so that only sigwait() below takes it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	g = calloc((size_t)conc, sizeof(*g));
	t0 = now();
	if (atof(argv[6]) > 0)
		get_until = t0 + atof(argv[6]);
	if (argc > 7 && atof(argv[7]) > 0)
		get_gap = conc / atof(argv[7]);
	for (i = 0; i < conc; i++)
		pthread_create(&g[i].th, NULL, get_worker, &g[i]);
	if (get_until == 0) {
		sigwait(&usr1, &sig);
		atomic_store(&get_stop, 1);
	}
	for (i = 0; i < conc; i++) {
		pthread_join(g[i].th, NULL);
		n += g[i].n;
		bytes += g[i].bytes;
	}
	el = now() - t0;
	if ((all = malloc((n + 1) * sizeof(double))) == NULL)
		return 1;
	for (i = 0, k = 0; i < conc; i++) {
		memcpy(all + k, g[i].lat, g[i].n * sizeof(double));
		k += g[i].n;
	}
	qsort(all, n, sizeof(double), cmp);
	printf("requests: %zu\nseconds: %.2f\nper_s: %.0f\np50_ms: %.2f\np99_ms: %.2f\n"
	    "ok: %d\nother: %d\nbody_bytes: %lld\n",
	    n, el, (double)n / el, n ? all[n / 2] : 0, n ? all[(size_t)((double)n * 0.99)] : 0,
	    atomic_load(&st2xx), atomic_load(&st_other),
	    atomic_load(&st2xx) ? bytes / atomic_load(&st2xx) : 0);
	return 0;
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
	pthread_t *th;
	int conc, i;
	double t0, el;

	if (argc > 1 && strcmp(argv[1], "get") == 0)
		return get_main(argc, argv);
	if (argc < 8) {
		fprintf(stderr, "usage: loadgen register HOST PORT SLUG TTYPE N CONC OUT | "
		    "checkin HOST PORT SLUG TOKEN CODES CONC | get HOST PORT PATH CONC SECONDS [RATE]\n");
		return 2;
	}
	mode_register = strcmp(argv[1], "register") == 0;
	idem = getenv("LOADGEN_IDEM") != NULL && strcmp(getenv("LOADGEN_IDEM"), "1") == 0;
	host = argv[2];
	port = atoi(argv[3]);
	slug = argv[4];
	if (mode_register) {
		ttype = argv[5];
		nreq = atoi(argv[6]);
		conc = atoi(argv[7]);
		out = argc > 8 ? fopen(argv[8], "w") : NULL;
	} else {
		FILE *f = fopen(argv[6], "r");
		char line[256];
		token = argv[5];
		conc = atoi(argv[7]);
		if (f == NULL)
			return 1;
		codes = malloc(sizeof(char *) * 200000);
		while (ncodes < 200000 && fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			codes[ncodes++] = strdup(line);
		}
		fclose(f);
		nreq = ncodes;
	}
	lat = calloc((size_t)nreq, sizeof(double));
	th = calloc((size_t)conc, sizeof(pthread_t));
	t0 = now();
	for (i = 0; i < conc; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	el = now() - t0;
	if (out != NULL)
		fclose(out);
	qsort(lat, (size_t)nreq, sizeof(double), cmp);
	printf("requests: %d\nseconds: %.2f\nper_s: %.0f\np50_ms: %.2f\np99_ms: %.2f\n"
	    "ok: %d\nconflict: %d\nother: %d\nconfirmed: %d\nwaitlisted: %d\n",
	    nreq, el, nreq / el, lat[nreq / 2], lat[(int)(nreq * 0.99)],
	    atomic_load(&st2xx), atomic_load(&st409), atomic_load(&st_other),
	    atomic_load(&confirmed), atomic_load(&waitlisted));
	return 0;
}
