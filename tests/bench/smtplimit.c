/*
 * The mail ceiling for `make bench`: a plain SMTP client that sends the
 * same message bytes N times to the same sink over one connection, one
 * message after the other, as one Confero sender does.  Prints key: value.
 *
 *   smtplimit PORT MESSAGE_FILE N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char rbuf[65536];
static size_t rlen;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read one (possibly multi-line) reply; return its code. */
static int
reply(void)
{
	char *line, *end;
	ssize_t n;

	for (;;) {
		line = rbuf;
		while ((end = memchr(line, '\n', rlen - (size_t)(line - rbuf))) != NULL) {
			if (end - line >= 4 && line[3] == ' ') {
				int code = atoi(line);
				size_t used = (size_t)(end + 1 - rbuf);
				memmove(rbuf, end + 1, rlen - used);
				rlen -= used;
				return code;
			}
			line = end + 1;
		}
		if ((n = read(fd, rbuf + rlen, sizeof(rbuf) - rlen)) <= 0)
			return -1;
		rlen += (size_t)n;
	}
}

static void
say(const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		exit(1);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	char *msg, *wire;
	size_t len, wl = 0, i;
	long n, k;
	FILE *f;
	int one = 1;
	double t0, el;

	if (argc != 4)
		return 2;
	if ((f = fopen(argv[2], "rb")) == NULL)
		return 1;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	msg = malloc(len + 1);
	if (fread(msg, 1, len, f) != len)
		return 1;
	fclose(f);
	/* Dot-stuffing and the terminator, as any client must send them. */
	wire = malloc(2 * len + 8);
	for (i = 0; i < len; i++) {
		if (msg[i] == '.' && (i == 0 || msg[i - 1] == '\n'))
			wire[wl++] = '.';
		wire[wl++] = msg[i];
	}
	if (wl < 2 || wire[wl - 1] != '\n')
		wire[wl++] = '\r', wire[wl++] = '\n';
	memcpy(wire + wl, ".\r\n", 3);
	wl += 3;
	n = atol(argv[3]);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return 1;
	t0 = now();
	reply();
	say("EHLO limit.localhost\r\n");
	reply();
	for (k = 0; k < n; k++) {
		say("MAIL FROM:<bench@example.org>\r\n");
		reply();
		say("RCPT TO:<limit@example.org>\r\n");
		reply();
		say("DATA\r\n");
		reply();
		if (write(fd, wire, wl) != (ssize_t)wl)
			return 1;
		if (reply() != 250)
			return 1;
	}
	say("QUIT\r\n");
	reply();
	el = now() - t0;
	printf("messages: %ld\nseconds: %.2f\nper_s: %.0f\nbytes: %zu\n", n, el, n / el, len);
	return 0;
}
