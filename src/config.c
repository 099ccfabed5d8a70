/* CONFERO_* environment parsing and validation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "validate.h"

const struct config *cfg;

const struct config_var config_vars[] = {
	{"CONFERO_LISTEN", "127.0.0.1:8080", "address and port to serve on (host:port, [v6]:port or :port)"},
	{"CONFERO_BASE_URL", "http://<listen address>", "public URL, used in links; https:// makes cookies Secure"},
	{"CONFERO_TRUST_PROXY", "0", "1: take the client address from X-Forwarded-For (behind a TLS proxy)"},
	{"CONFERO_DB_HOST", "localhost", "MariaDB host (ignored when CONFERO_DB_SOCKET is set)"},
	{"CONFERO_DB_PORT", "3306", "MariaDB TCP port"},
	{"CONFERO_DB_SOCKET", "", "MariaDB unix socket path"},
	{"CONFERO_DB_USER", "confero", "MariaDB user"},
	{"CONFERO_DB_PASSWORD", "", "MariaDB password"},
	{"CONFERO_DB_NAME", "confero", "MariaDB database"},
	{"CONFERO_DB_POOL", "16", "database connections in the pool (1-256)"},
	{"CONFERO_SECRET_KEY_FILE", "", "file with the server secret (32+ random bytes); created if missing"},
	{"CONFERO_WEB_DIR", "web", "directory of static files"},
	{"CONFERO_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "TrueType font embedded in badges and certificates"},
	{"CONFERO_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "its bold face"},
	{"CONFERO_TMPDIR", "/tmp", "directory for export files being built (XLSX, PDF)"},
	{"CONFERO_BODY_MAX", "1048576", "largest accepted request body, bytes"},
	{"CONFERO_CONN_LIMIT", "1024", "maximum simultaneous HTTP connections"},
	{"CONFERO_CONN_TIMEOUT", "30", "idle HTTP connection timeout, seconds"},
	{"CONFERO_HTTP_WORKERS", "16", "threads running request handlers (1-256)"},
	{"CONFERO_DB_LANE", "8", "non-blocking MariaDB connections of the event thread, for door scans (0: off)"},
	{"CONFERO_SESSION_TTL", "43200", "login session lifetime, seconds"},
	{"CONFERO_HASH_WORKERS", "2", "password hashes computed at once (bounds login bursts)"},
	{"CONFERO_ADMIN_EMAIL", "", "with CONFERO_ADMIN_PASSWORD: first admin created at start when no user exists"},
	{"CONFERO_ADMIN_PASSWORD", "", "password of that first admin (12 to 128 characters)"},
	{"CONFERO_LOGIN_MAX_FAILURES", "5", "failed logins per account before it is throttled"},
	{"CONFERO_LOGIN_MAX_FAILURES_ADDR", "20", "failed logins per client address before it is throttled"},
	{"CONFERO_LOGIN_WINDOW", "900", "throttling window and lock-out, seconds"},
	{"CONFERO_REGISTER_MAX_ADDR", "30", "registration attempts per client address in the window (0: no limit)"},
	{"CONFERO_REGISTER_WINDOW", "600", "window of that limit, seconds"},
	{"CONFERO_SMTP_HOST", "", "SMTP relay host; empty: mail waits in the outbox"},
	{"CONFERO_SMTP_PORT", "25", "SMTP port (587 for submission)"},
	{"CONFERO_SMTP_USER", "", "SMTP AUTH user (PLAIN/LOGIN over TLS)"},
	{"CONFERO_SMTP_PASSWORD", "", "SMTP AUTH password"},
	{"CONFERO_SMTP_STARTTLS", "opportunistic", "required, opportunistic or off"},
	{"CONFERO_SMTP_FROM", "Confero <confero@localhost>", "sender, \"Name <address>\" or an address"},
	{"CONFERO_SMTP_RATE", "0", "messages per second at most (0: no limit)"},
	{"CONFERO_SMTP_TIMEOUT", "30", "seconds to wait for each SMTP reply (twice that after a message's data)"},
	{"CONFERO_MAIL_BACKOFF", "60,300,1800,7200,21600", "seconds between attempts after temporary failures; then failed"},
	{"CONFERO_ORGANISER_NAME", "", "the data controller a new event names unless it gives its own organiser (privacy notice, mail sender name, sign-off)"},
	{"CONFERO_ORGANISER_ADDRESS", "", "the default organiser's postal address"},
	{"CONFERO_ORGANISER_EMAIL", "", "the default organiser's email (Reply-To of attendees' mails)"},
	{"CONFERO_ORGANISER_WEBSITE", "", "the default organiser's website (http or https)"},
	{"CONFERO_DPO_EMAIL", "", "the default organiser's data protection officer"},
	{"CONFERO_RETENTION_MAX_DAYS", "730", "the longest retention_days any event may have; registrations are anonymised that many days after their event ends at the latest"},
	{"CONFERO_CHANGE_POLL_MS", "250", "how often (ms) an instance looks for changes made through the others (0: never, one instance)"},
	{"CONFERO_MAIL_LEASE", "120", "seconds a sender owns a claimed message before others may retry it"},
	{"CONFERO_MAIL_SENDERS", "2", "sender threads, each with its own SMTP session (0 in serve: run `confero mailer`)"},
	{"CONFERO_MAIL_TEMPLATES", "mail-templates", "directory of mail templates"},
	{NULL, NULL, NULL}
};

static const char *
get(config_getenv g, void *ctx, const char *name)
{
	const char *v = g(name, ctx);

	return (v != NULL && *v != '\0') ? v : NULL;
}

static int
copy(char *dst, size_t len, const char *src, const char *name,
    char *err, size_t errlen)
{
	if (strlen(src) >= len) {
		snprintf(err, errlen, "%s: value too long (at most %zu bytes)",
		    name, len - 1);
		return -1;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int
num(config_getenv g, void *ctx, const char *name, long long def,
    long long min, long long max, long long *out, char *err, size_t errlen)
{
	const char *v = get(g, ctx, name);
	char *end;
	long long n;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		snprintf(err, errlen, "%s: expected an integer from %lld to %lld, got \"%s\"",
		    name, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

int
config_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *p, *colon;
	char *end;
	long n;
	size_t hl;

	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return -1;
		hl = (size_t)(p - s - 1);
		if (hl == 0 || hl >= hostlen)
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		p += 2;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		hl = (size_t)(colon - s);
		if (hl >= hostlen || memchr(s, ':', hl) != NULL)
			return -1;
		if (hl == 0)
			snprintf(host, hostlen, "0.0.0.0");
		else {
			memcpy(host, s, hl);
			host[hl] = '\0';
		}
		p = colon + 1;
	} else {
		snprintf(host, hostlen, "127.0.0.1");
		p = s;
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	n = strtol(p, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > 65535)
		return -1;
	*port = (int)n;
	return 0;
}

static int
config_parse_mail(struct config *c, config_getenv g, void *ctx, char *err,
    size_t errlen)
{
	const char *v, *lt, *gt;
	long long n;
	char *end;

	if ((v = get(g, ctx, "CONFERO_SMTP_HOST")) != NULL) {
		if (strpbrk(v, " \t\r\n/:@") != NULL) {
			snprintf(err, errlen, "CONFERO_SMTP_HOST: a host name or address, got \"%s\"", v);
			return -1;
		}
		if (copy(c->smtp_host, sizeof(c->smtp_host), v, "CONFERO_SMTP_HOST", err, errlen))
			return -1;
	}
	if (num(g, ctx, "CONFERO_SMTP_PORT", 25, 1, 65535, &n, err, errlen))
		return -1;
	c->smtp_port = (int)n;
	if ((v = get(g, ctx, "CONFERO_SMTP_USER")) != NULL &&
	    copy(c->smtp_user, sizeof(c->smtp_user), v, "CONFERO_SMTP_USER", err, errlen))
		return -1;
	if ((v = get(g, ctx, "CONFERO_SMTP_PASSWORD")) != NULL &&
	    copy(c->smtp_password, sizeof(c->smtp_password), v, "CONFERO_SMTP_PASSWORD", err, errlen))
		return -1;
	v = get(g, ctx, "CONFERO_SMTP_STARTTLS");
	/* A password never goes in clear unless "off" says so (ASVS 2.10.1, 9.2.2). */
	if ((v == NULL || strcmp(v, "opportunistic") == 0) && c->smtp_user[0] != '\0')
		c->smtp_starttls = 2;
	else if (v == NULL || strcmp(v, "opportunistic") == 0)
		c->smtp_starttls = 1;
	else if (strcmp(v, "required") == 0)
		c->smtp_starttls = 2;
	else if (strcmp(v, "off") == 0)
		c->smtp_starttls = 0;
	else {
		snprintf(err, errlen, "CONFERO_SMTP_STARTTLS: required, opportunistic or off, got \"%s\"", v);
		return -1;
	}
	v = get(g, ctx, "CONFERO_SMTP_FROM");
	if (v == NULL)
		v = "Confero <confero@localhost>";
	if (strpbrk(v, "\r\n") != NULL || strlen(v) >= sizeof(c->smtp_from_name)) {
		snprintf(err, errlen, "CONFERO_SMTP_FROM: one line, \"Name <address>\" or an address");
		return -1;
	}
	if ((lt = strchr(v, '<')) != NULL && (gt = strchr(lt, '>')) != NULL && gt[1] == '\0') {
		size_t nl = (size_t)(lt - v);
		while (nl > 0 && v[nl - 1] == ' ')
			nl--;
		snprintf(c->smtp_from_name, sizeof(c->smtp_from_name), "%.*s", (int)nl, v);
		snprintf(c->smtp_from_addr, sizeof(c->smtp_from_addr), "%.*s", (int)(gt - lt - 1), lt + 1);
	} else
		snprintf(c->smtp_from_addr, sizeof(c->smtp_from_addr), "%s", v);
	if (strchr(c->smtp_from_addr, '@') == NULL || strpbrk(c->smtp_from_addr, " <>\"") != NULL) {
		snprintf(err, errlen, "CONFERO_SMTP_FROM: no valid address in \"%s\"", v);
		return -1;
	}
	if ((v = get(g, ctx, "CONFERO_SMTP_RATE")) != NULL) {
		c->smtp_rate = strtod(v, &end);
		if (*end != '\0' || c->smtp_rate < 0 || c->smtp_rate > 100000) {
			snprintf(err, errlen, "CONFERO_SMTP_RATE: messages per second, 0 to 100000, got \"%s\"", v);
			return -1;
		}
	}
	if (num(g, ctx, "CONFERO_SMTP_TIMEOUT", 30, 1, 600, &n, err, errlen))
		return -1;
	c->smtp_timeout = (int)n;
	v = get(g, ctx, "CONFERO_MAIL_BACKOFF");
	if (v == NULL)
		v = "60,300,1800,7200,21600";
	c->mail_backoff_n = 0;
	for (const char *p = v; *p != '\0';) {
		long s = strtol(p, &end, 10);
		if (end == p || s < 1 || s > 7 * 86400 || c->mail_backoff_n == 8 ||
		    (*end != ',' && *end != '\0')) {
			snprintf(err, errlen, "CONFERO_MAIL_BACKOFF: up to 8 comma-separated seconds, got \"%s\"", v);
			return -1;
		}
		c->mail_backoff[c->mail_backoff_n++] = (int)s;
		p = *end == ',' ? end + 1 : end;
	}
	{
		static const struct {
			const char *name;
			size_t off, len;
			int kind;       /* 0 line, 1 email, 2 web address */
		} org[] = {
			{"CONFERO_ORGANISER_NAME", offsetof(struct config, organiser_name), 201, 0},
			{"CONFERO_ORGANISER_ADDRESS", offsetof(struct config, organiser_address), 501, 0},
			{"CONFERO_ORGANISER_EMAIL", offsetof(struct config, organiser_email), 255, 1},
			{"CONFERO_ORGANISER_WEBSITE", offsetof(struct config, organiser_website), 301, 2},
			{"CONFERO_DPO_EMAIL", offsetof(struct config, dpo_email), 255, 1},
		};
		for (size_t k = 0; k < sizeof(org) / sizeof(org[0]); k++) {
			if ((v = get(g, ctx, org[k].name)) == NULL)
				continue;
			if ((org[k].kind == 1 && *v && !email_valid(v)) ||
			    (org[k].kind == 2 && *v && strncmp(v, "https://", 8) != 0 &&
			    strncmp(v, "http://", 7) != 0) || !text_line_valid(v)) {
				snprintf(err, errlen, "%s: %s, got \"%s\"", org[k].name,
				    org[k].kind == 1 ? "an email address" :
				    org[k].kind == 2 ? "an http(s) address" : "one line of text", v);
				return -1;
			}
			if (copy((char *)c + org[k].off, org[k].len, v, org[k].name, err, errlen))
				return -1;
		}
	}
	if (num(g, ctx, "CONFERO_RETENTION_MAX_DAYS", 730, 1, 36500, &n, err, errlen))
		return -1;
	c->retention_max_days = (int)n;
	if (num(g, ctx, "CONFERO_CHANGE_POLL_MS", 250, 0, 60000, &n, err, errlen))
		return -1;
	c->change_poll_ms = (int)n;
	if (num(g, ctx, "CONFERO_MAIL_LEASE", 120, 1, 86400, &n, err, errlen))
		return -1;
	c->mail_lease = (int)n;
	if (num(g, ctx, "CONFERO_MAIL_SENDERS", 2, 0, 16, &n, err, errlen))
		return -1;
	c->mail_senders = (int)n;
	if (copy(c->mail_templates, sizeof(c->mail_templates),
	    (v = get(g, ctx, "CONFERO_MAIL_TEMPLATES")) ? v : "mail-templates",
	    "CONFERO_MAIL_TEMPLATES", err, errlen))
		return -1;
	return 0;
}

int
config_parse(struct config *c, config_getenv g, void *ctx, char *err,
    size_t errlen)
{
	const char *v;
	long long n;

	memset(c, 0, sizeof(*c));

	v = get(g, ctx, "CONFERO_LISTEN");
	if (config_parse_listen(v ? v : "127.0.0.1:8080", c->listen_host,
	    sizeof(c->listen_host), &c->listen_port) == -1) {
		snprintf(err, errlen, "CONFERO_LISTEN: expected host:port, [v6]:port or :port, got \"%s\"", v);
		return -1;
	}

	if ((v = get(g, ctx, "CONFERO_BASE_URL")) != NULL) {
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
			snprintf(err, errlen, "CONFERO_BASE_URL: must start with http:// or https://, got \"%s\"", v);
			return -1;
		}
		if (v[strcspn(v, ":") + 3] == '\0' || v[strcspn(v, ":") + 3] == '/' ||
		    v[strcspn(v, ":") + 3] == ':') {
			snprintf(err, errlen, "CONFERO_BASE_URL: needs a host, got \"%s\"", v);
			return -1;
		}
		if (strpbrk(v, " \t\r\n\"'<>") != NULL) {
			snprintf(err, errlen, "CONFERO_BASE_URL: must not contain spaces, quotes or angle brackets");
			return -1;
		}
		if (copy(c->base_url, sizeof(c->base_url), v, "CONFERO_BASE_URL", err, errlen))
			return -1;
		/* No trailing slash: links are built as base_url + "/path". */
		while (strlen(c->base_url) > 8 && c->base_url[strlen(c->base_url) - 1] == '/')
			c->base_url[strlen(c->base_url) - 1] = '\0';
	} else if ((c->base_url_default = 1) && strchr(c->listen_host, ':') != NULL)
		snprintf(c->base_url, sizeof(c->base_url), "http://[%s]:%d",
		    c->listen_host, c->listen_port);
	else
		snprintf(c->base_url, sizeof(c->base_url), "http://%s:%d",
		    strcmp(c->listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : c->listen_host,
		    c->listen_port);
	c->https = strncmp(c->base_url, "https://", 8) == 0;

	if (num(g, ctx, "CONFERO_TRUST_PROXY", 0, 0, 1, &n, err, errlen))
		return -1;
	c->trust_proxy = (int)n;

	if (copy(c->db_host, sizeof(c->db_host), (v = get(g, ctx, "CONFERO_DB_HOST")) ? v : "localhost",
	    "CONFERO_DB_HOST", err, errlen))
		return -1;
	if (num(g, ctx, "CONFERO_DB_PORT", 3306, 1, 65535, &n, err, errlen))
		return -1;
	c->db_port = (int)n;
	if ((v = get(g, ctx, "CONFERO_DB_SOCKET")) != NULL &&
	    copy(c->db_socket, sizeof(c->db_socket), v, "CONFERO_DB_SOCKET", err, errlen))
		return -1;
	if (copy(c->db_user, sizeof(c->db_user), (v = get(g, ctx, "CONFERO_DB_USER")) ? v : "confero",
	    "CONFERO_DB_USER", err, errlen))
		return -1;
	if ((v = get(g, ctx, "CONFERO_DB_PASSWORD")) != NULL &&
	    copy(c->db_password, sizeof(c->db_password), v, "CONFERO_DB_PASSWORD", err, errlen))
		return -1;
	if (copy(c->db_name, sizeof(c->db_name), (v = get(g, ctx, "CONFERO_DB_NAME")) ? v : "confero",
	    "CONFERO_DB_NAME", err, errlen))
		return -1;
	if (strspn(c->db_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") !=
	    strlen(c->db_name)) {
		snprintf(err, errlen, "CONFERO_DB_NAME: only letters, digits, _ and $ are allowed");
		return -1;
	}
	if (num(g, ctx, "CONFERO_DB_POOL", 16, 1, 256, &n, err, errlen))
		return -1;
	c->db_pool = (int)n;

	if ((v = get(g, ctx, "CONFERO_SECRET_KEY_FILE")) != NULL &&
	    copy(c->secret_key_file, sizeof(c->secret_key_file), v, "CONFERO_SECRET_KEY_FILE", err, errlen))
		return -1;
	if (copy(c->web_dir, sizeof(c->web_dir), (v = get(g, ctx, "CONFERO_WEB_DIR")) ? v : "web",
	    "CONFERO_WEB_DIR", err, errlen))
		return -1;
	if (copy(c->font, sizeof(c->font), (v = get(g, ctx, "CONFERO_FONT")) ? v :
	    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "CONFERO_FONT", err, errlen) ||
	    copy(c->font_bold, sizeof(c->font_bold), (v = get(g, ctx, "CONFERO_FONT_BOLD")) ? v :
	    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "CONFERO_FONT_BOLD", err, errlen) ||
	    copy(c->tmpdir, sizeof(c->tmpdir), (v = get(g, ctx, "CONFERO_TMPDIR")) ? v : "/tmp",
	    "CONFERO_TMPDIR", err, errlen))
		return -1;
	if (num(g, ctx, "CONFERO_BODY_MAX", 1048576, 1024, 1LL << 30, &n, err, errlen))
		return -1;
	c->body_max = (size_t)n;
	if (num(g, ctx, "CONFERO_CONN_LIMIT", 1024, 4, 65536, &n, err, errlen))
		return -1;
	c->conn_limit = (int)n;
	if (num(g, ctx, "CONFERO_CONN_TIMEOUT", 30, 1, 3600, &n, err, errlen))
		return -1;
	c->conn_timeout = (int)n;
	if (num(g, ctx, "CONFERO_HTTP_WORKERS", 16, 1, 256, &n, err, errlen))
		return -1;
	c->http_workers = (int)n;
	if (num(g, ctx, "CONFERO_DB_LANE", 8, 0, 64, &n, err, errlen))
		return -1;
	c->lane_conns = (int)n;
	if (num(g, ctx, "CONFERO_SESSION_TTL", 43200, 60, 31 * 86400, &n, err, errlen))
		return -1;
	c->session_ttl = (int)n;
	if (num(g, ctx, "CONFERO_HASH_WORKERS", 2, 1, 64, &n, err, errlen))
		return -1;
	c->hash_workers = (int)n;

	if ((v = get(g, ctx, "CONFERO_ADMIN_EMAIL")) != NULL &&
	    copy(c->admin_email, sizeof(c->admin_email), v, "CONFERO_ADMIN_EMAIL", err, errlen))
		return -1;
	if ((v = get(g, ctx, "CONFERO_ADMIN_PASSWORD")) != NULL &&
	    copy(c->admin_password, sizeof(c->admin_password), v, "CONFERO_ADMIN_PASSWORD", err, errlen))
		return -1;
	if ((c->admin_email[0] == '\0') != (c->admin_password[0] == '\0')) {
		snprintf(err, errlen, "%s: set both CONFERO_ADMIN_EMAIL and CONFERO_ADMIN_PASSWORD, or neither",
		    c->admin_email[0] ? "CONFERO_ADMIN_PASSWORD" : "CONFERO_ADMIN_EMAIL");
		return -1;
	}
	if (c->admin_password[0] != '\0' &&
	    (strlen(c->admin_password) < 12 || strlen(c->admin_password) > 128)) {
		snprintf(err, errlen, "CONFERO_ADMIN_PASSWORD: 12 to 128 characters");
		return -1;
	}

	if (num(g, ctx, "CONFERO_LOGIN_MAX_FAILURES", 5, 1, 1000, &n, err, errlen))
		return -1;
	c->login_max_account = (int)n;
	if (num(g, ctx, "CONFERO_LOGIN_MAX_FAILURES_ADDR", 20, 1, 100000, &n, err, errlen))
		return -1;
	c->login_max_addr = (int)n;
	if (num(g, ctx, "CONFERO_LOGIN_WINDOW", 900, 1, 86400, &n, err, errlen))
		return -1;
	c->login_window = (int)n;
	if (num(g, ctx, "CONFERO_REGISTER_MAX_ADDR", 30, 0, 1000000, &n, err, errlen))
		return -1;
	c->register_max_addr = (int)n;
	if (num(g, ctx, "CONFERO_REGISTER_WINDOW", 600, 1, 86400, &n, err, errlen))
		return -1;
	c->register_window = (int)n;
	return config_parse_mail(c, g, ctx, err, errlen);
}

/*
 * Read the secret key file, creating it with 32 random bytes (mode 0600)
 * when it does not exist.  Without a file, a random per-process key is used:
 * fine for a single short-lived instance, wrong for several behind a proxy.
 */
int
config_load_secret(struct config *c, char *err, size_t errlen)
{
	int fd;
	ssize_t n;
	unsigned char buf[256];
	size_t got = 0;

	if (c->secret_key_file[0] == '\0')
		return 0;
	fd = open(c->secret_key_file, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		/*
		 * Written whole under another name, then linked into place: an
		 * instance starting at the same moment reads either no file or
		 * all 32 bytes, never a file still being written; if it linked
		 * first, its secret is the one everybody reads.
		 */
		char tmp[sizeof(c->secret_key_file) + 32];
		int linked;

		snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", c->secret_key_file, (long)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd == -1) {
			snprintf(err, errlen, "CONFERO_SECRET_KEY_FILE: cannot create %s: %s",
			    c->secret_key_file, strerror(errno));
			return -1;
		}
		randombytes_buf(buf, 32);
		if (write(fd, buf, 32) != 32 || fsync(fd) != 0) {
			snprintf(err, errlen, "CONFERO_SECRET_KEY_FILE: cannot write %s", c->secret_key_file);
			close(fd);
			unlink(tmp);
			return -1;
		}
		close(fd);
		linked = link(tmp, c->secret_key_file) == 0;
		unlink(tmp);
		if (linked) {
			got = 32;
			goto derive;
		}
		fd = open(c->secret_key_file, O_RDONLY | O_CLOEXEC);
	}
	if (fd == -1) {
		snprintf(err, errlen, "CONFERO_SECRET_KEY_FILE: cannot open %s: %s",
		    c->secret_key_file, strerror(errno));
		return -1;
	}
	while (got < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got < 32) {
		snprintf(err, errlen, "CONFERO_SECRET_KEY_FILE: %s holds %zu bytes, need at least 32",
		    c->secret_key_file, got);
		return -1;
	}
derive:
	/* Any file of 32+ bytes (raw, hex, base64) is hashed to the key. */
	crypto_generichash(c->secret_key, sizeof(c->secret_key), buf, got, NULL, 0);
	sodium_memzero(buf, sizeof(buf));
	c->secret_key_set = 1;
	return 0;
}
