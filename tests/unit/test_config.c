/* Unit tests for src/config.c: CONFERO_* parsing with a fake environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "config.h"

#include "testutil.h"

/* ---- a fake environment: a NULL-terminated list of name, value pairs ---- */

#define MAXENV 64

struct env {
	const char *kv[2 * MAXENV + 2];
	int nasked;
	const char *asked[128];
};

static const char *
lookup(const char *name, void *ctx)
{
	struct env *e = ctx;
	int i;

	if (e->nasked < 128)
		e->asked[e->nasked++] = name;
	for (i = 0; e->kv[i] != NULL; i += 2)
		if (strcmp(e->kv[i], name) == 0)
			return e->kv[i + 1];
	return NULL;
}

static void
env_set(struct env *e, const char *name, const char *value)
{
	int i;

	for (i = 0; e->kv[i] != NULL; i += 2)
		if (strcmp(e->kv[i], name) == 0) {
			e->kv[i + 1] = value;
			return;
		}
	assert_true(i < 2 * MAXENV);
	e->kv[i] = name;
	e->kv[i + 1] = value;
	e->kv[i + 2] = NULL;
}

struct res {
	struct config c;
	char err[512];
	int rc;
};

static int
parse(struct res *r, struct env *e)
{
	memset(r->err, 0, sizeof(r->err));
	e->nasked = 0;
	r->rc = config_parse(&r->c, lookup, e, r->err, sizeof(r->err));
	return r->rc;
}

/* Parse with one variable set. */
static int
parse1(struct res *r, const char *name, const char *value)
{
	struct env e;

	memset(&e, 0, sizeof(e));
	env_set(&e, name, value);
	return parse(r, &e);
}

/* The error message names exactly this variable (as "NAME:"). */
static void
assert_err_names(const struct res *r, const char *name)
{
	size_t n = strlen(name);

	if (r->rc != -1)
		fail_msg("%s: expected an error, got success", name);
	if (strncmp(r->err, name, n) != 0 || r->err[n] != ':')
		fail_msg("%s: error does not name it: \"%s\"", name, r->err);
}

static void
assert_err1(const char *name, const char *value)
{
	struct res r;

	parse1(&r, name, value);
	if (r.rc != -1)
		fail_msg("%s=\"%s\" accepted", name, value);
	assert_err_names(&r, name);
}

/* ---- defaults ---- */

static void
check_defaults(const struct config *c)
{
	assert_string_equal(c->listen_host, "127.0.0.1");
	assert_int_equal(c->listen_port, 8080);
	assert_string_equal(c->base_url, "http://127.0.0.1:8080");
	assert_int_equal(c->https, 0);
	assert_int_equal(c->trust_proxy, 0);
	assert_string_equal(c->db_host, "localhost");
	assert_int_equal(c->db_port, 3306);
	assert_string_equal(c->db_socket, "");
	assert_string_equal(c->db_user, "confero");
	assert_string_equal(c->db_password, "");
	assert_string_equal(c->db_name, "confero");
	assert_int_equal(c->db_pool, 16);
	assert_string_equal(c->secret_key_file, "");
	assert_int_equal(c->secret_key_set, 0);
	assert_string_equal(c->web_dir, "web");
	assert_int_equal(c->body_max, 1048576);
	assert_int_equal(c->conn_limit, 1024);
	assert_int_equal(c->conn_timeout, 30);
	assert_int_equal(c->session_ttl, 43200);
	assert_int_equal(c->hash_workers, 2);
	assert_string_equal(c->admin_email, "");
	assert_string_equal(c->admin_password, "");
	assert_int_equal(c->login_max_account, 5);
	assert_int_equal(c->login_max_addr, 20);
	assert_int_equal(c->login_window, 900);
}

static void
test_defaults(void **state)
{
	struct env e;
	struct res r;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse(&r, &e), 0);
	check_defaults(&r.c);
}

/* A password for the relay forces STARTTLS unless "off" is said. */
static void
test_smtp_auth_requires_tls(void **state)
{
	struct env e;
	struct res r;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse(&r, &e), 0);
	assert_int_equal(r.c.smtp_starttls, 1);
	env_set(&e, "CONFERO_SMTP_USER", "hub");
	assert_int_equal(parse(&r, &e), 0);
	assert_int_equal(r.c.smtp_starttls, 2);
	env_set(&e, "CONFERO_SMTP_STARTTLS", "opportunistic");
	assert_int_equal(parse(&r, &e), 0);
	assert_int_equal(r.c.smtp_starttls, 2);
	env_set(&e, "CONFERO_SMTP_STARTTLS", "off");
	assert_int_equal(parse(&r, &e), 0);
	assert_int_equal(r.c.smtp_starttls, 0);
}

static void
test_empty_values_are_defaults(void **state)
{
	struct env e;
	struct res r;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	for (i = 0; config_vars[i].name != NULL; i++)
		env_set(&e, config_vars[i].name, "");
	assert_int_equal(parse(&r, &e), 0);
	check_defaults(&r.c);
}

/* Setting every documented default explicitly changes nothing. */
static void
test_documented_defaults_match(void **state)
{
	struct env e;
	struct res r, d;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse(&d, &e), 0);
	for (i = 0; config_vars[i].name != NULL; i++) {
		assert_non_null(config_vars[i].def);
		assert_non_null(config_vars[i].help);
		assert_true(strncmp(config_vars[i].name, "CONFERO_", 8) == 0);
		if (strchr(config_vars[i].def, '<') == NULL)    /* not a placeholder */
			env_set(&e, config_vars[i].name, config_vars[i].def);
	}
	assert_int_equal(parse(&r, &e), 0);
	assert_memory_equal(&r.c, &d.c, sizeof(r.c));
}

/* The documented list and the parser read the same variables. */
static void
test_config_vars_complete(void **state)
{
	struct env e;
	struct res r;
	int i, j, found;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(parse(&r, &e), 0);
	for (i = 0; config_vars[i].name != NULL; i++) {
		for (found = 0, j = 0; j < e.nasked; j++)
			found |= strcmp(e.asked[j], config_vars[i].name) == 0;
		if (!found)
			fail_msg("%s is documented but never read", config_vars[i].name);
	}
	for (j = 0; j < e.nasked; j++) {
		for (found = 0, i = 0; config_vars[i].name != NULL; i++)
			found |= strcmp(e.asked[j], config_vars[i].name) == 0;
		if (!found)
			fail_msg("%s is read but not in config_vars", e.asked[j]);
	}
}

/* ---- numeric variables ---- */

static const struct numvar {
	const char *name;
	long long min, max;
	size_t off;
	int is_size;
} numvars[] = {
	{"CONFERO_TRUST_PROXY", 0, 1, offsetof(struct config, trust_proxy), 0},
	{"CONFERO_DB_PORT", 1, 65535, offsetof(struct config, db_port), 0},
	{"CONFERO_DB_POOL", 1, 256, offsetof(struct config, db_pool), 0},
	{"CONFERO_BODY_MAX", 1024, 1LL << 30, offsetof(struct config, body_max), 1},
	{"CONFERO_CONN_LIMIT", 4, 65536, offsetof(struct config, conn_limit), 0},
	{"CONFERO_CONN_TIMEOUT", 1, 3600, offsetof(struct config, conn_timeout), 0},
	{"CONFERO_SESSION_TTL", 60, 31 * 86400, offsetof(struct config, session_ttl), 0},
	{"CONFERO_HASH_WORKERS", 1, 64, offsetof(struct config, hash_workers), 0},
	{"CONFERO_LOGIN_MAX_FAILURES", 1, 1000, offsetof(struct config, login_max_account), 0},
	{"CONFERO_LOGIN_MAX_FAILURES_ADDR", 1, 100000, offsetof(struct config, login_max_addr), 0},
	{"CONFERO_LOGIN_WINDOW", 1, 86400, offsetof(struct config, login_window), 0},
};
#define NNUM (sizeof(numvars) / sizeof(numvars[0]))

static long long
field(const struct config *c, const struct numvar *v)
{
	const char *p = (const char *)c + v->off;

	if (v->is_size)
		return (long long)*(const size_t *)(const void *)p;
	return *(const int *)(const void *)p;
}

static void
test_numeric_bounds_accepted(void **state)
{
	struct res r;
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < NNUM; i++) {
		snprintf(buf, sizeof(buf), "%lld", numvars[i].min);
		if (parse1(&r, numvars[i].name, buf) != 0)
			fail_msg("%s=%s rejected: %s", numvars[i].name, buf, r.err);
		assert_true(field(&r.c, &numvars[i]) == numvars[i].min);
		snprintf(buf, sizeof(buf), "%lld", numvars[i].max);
		if (parse1(&r, numvars[i].name, buf) != 0)
			fail_msg("%s=%s rejected: %s", numvars[i].name, buf, r.err);
		assert_true(field(&r.c, &numvars[i]) == numvars[i].max);
	}
}

static void
test_numeric_out_of_range(void **state)
{
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < NNUM; i++) {
		snprintf(buf, sizeof(buf), "%lld", numvars[i].min - 1);
		assert_err1(numvars[i].name, buf);
		snprintf(buf, sizeof(buf), "%lld", numvars[i].max + 1);
		assert_err1(numvars[i].name, buf);
		assert_err1(numvars[i].name, "-1");
		assert_err1(numvars[i].name, "99999999999999999999999");   /* ERANGE */
		assert_err1(numvars[i].name, "-99999999999999999999999");
	}
}

static void
test_numeric_not_a_number(void **state)
{
	static const char *const bad[] = {
		"abc", "5x", "1.5", "1e3", "0x10", "10 ", "ten", "-", "1,000", NULL,
	};
	size_t i;
	int j;

	(void)state;
	for (i = 0; i < NNUM; i++)
		for (j = 0; bad[j] != NULL; j++)
			assert_err1(numvars[i].name, bad[j]);
}

static void
test_numeric_error_message(void **state)
{
	struct res r;

	(void)state;
	parse1(&r, "CONFERO_DB_POOL", "1000");
	assert_err_names(&r, "CONFERO_DB_POOL");
	assert_non_null(strstr(r.err, "1000"));     /* the bad value */
	assert_non_null(strstr(r.err, "256"));      /* the range */
	/* The ADDR variable is not confused with its prefix. */
	parse1(&r, "CONFERO_LOGIN_MAX_FAILURES_ADDR", "0");
	assert_err_names(&r, "CONFERO_LOGIN_MAX_FAILURES_ADDR");
	parse1(&r, "CONFERO_LOGIN_MAX_FAILURES", "0");
	assert_err_names(&r, "CONFERO_LOGIN_MAX_FAILURES");
}

static void
test_error_buffer_small(void **state)
{
	struct config c;
	struct env e;
	char err[8];

	(void)state;
	memset(&e, 0, sizeof(e));
	env_set(&e, "CONFERO_DB_PORT", "0");
	memset(err, 'Z', sizeof(err));
	assert_int_equal(config_parse(&c, lookup, &e, err, sizeof(err)), -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_true(strncmp(err, "CONFERO", 7) == 0);
}

/* ---- CONFERO_LISTEN ---- */

static void
test_listen_forms(void **state)
{
	struct res r;

	(void)state;
	assert_int_equal(parse1(&r, "CONFERO_LISTEN", "0.0.0.0:9000"), 0);
	assert_string_equal(r.c.listen_host, "0.0.0.0");
	assert_int_equal(r.c.listen_port, 9000);
	assert_string_equal(r.c.base_url, "http://127.0.0.1:9000");

	assert_int_equal(parse1(&r, "CONFERO_LISTEN", "[::1]:8080"), 0);
	assert_string_equal(r.c.listen_host, "::1");
	assert_int_equal(r.c.listen_port, 8080);
	assert_string_equal(r.c.base_url, "http://[::1]:8080");

	assert_int_equal(parse1(&r, "CONFERO_LISTEN", ":8081"), 0);
	assert_string_equal(r.c.listen_host, "0.0.0.0");
	assert_int_equal(r.c.listen_port, 8081);
	assert_string_equal(r.c.base_url, "http://127.0.0.1:8081");

	assert_int_equal(parse1(&r, "CONFERO_LISTEN", "8082"), 0);
	assert_string_equal(r.c.listen_host, "127.0.0.1");
	assert_int_equal(r.c.listen_port, 8082);
	assert_string_equal(r.c.base_url, "http://127.0.0.1:8082");

	assert_int_equal(parse1(&r, "CONFERO_LISTEN", "example.org:80"), 0);
	assert_string_equal(r.c.listen_host, "example.org");
	assert_int_equal(r.c.listen_port, 80);
	assert_string_equal(r.c.base_url, "http://example.org:80");

	assert_int_equal(parse1(&r, "CONFERO_LISTEN", "192.0.2.1:65535"), 0);
	assert_int_equal(r.c.listen_port, 65535);
	assert_int_equal(r.c.https, 0);
}

static void
test_listen_bad(void **state)
{
	static const char *const bad[] = {
		"abc", "1.2.3.4:99999", "host:", "host:abc", "host:-1", "host:+80",
		"host: 80", "host:80 ", "host:80x", "host:0x50", "65536", "-1", ":",
		"::1:8080", "[::1]", "[::1]8080", "[::1]:", "[]:80", "[::1:80",
		"a:b:80", "host:99999999999999999999", NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		assert_err1("CONFERO_LISTEN", bad[i]);
}

static void
test_parse_listen_direct(void **state)
{
	char host[128];
	int port;

	(void)state;
	port = -1;
	assert_int_equal(config_parse_listen("10.0.0.1:443", host, sizeof(host), &port), 0);
	assert_string_equal(host, "10.0.0.1");
	assert_int_equal(port, 443);
	assert_int_equal(config_parse_listen("[fe80::1]:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "fe80::1");
	assert_int_equal(port, 1);
	assert_int_equal(config_parse_listen(":9", host, sizeof(host), &port), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 9);
	assert_int_equal(config_parse_listen("7000", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 7000);
	assert_int_equal(config_parse_listen("localhost:08080", host, sizeof(host), &port), 0);
	assert_int_equal(port, 8080);

	/* Failures leave the port alone. */
	port = 1234;
	assert_int_equal(config_parse_listen("abc", host, sizeof(host), &port), -1);
	assert_int_equal(config_parse_listen("1.2.3.4:99999", host, sizeof(host), &port), -1);
	assert_int_equal(config_parse_listen("host:", host, sizeof(host), &port), -1);
	assert_int_equal(config_parse_listen("", host, sizeof(host), &port), -1);
	assert_int_equal(config_parse_listen("[::1]", host, sizeof(host), &port), -1);
	assert_int_equal(port, 1234);
}

static void
test_parse_listen_host_length(void **state)
{
	char host[8], h[200], v[220];
	struct res r;
	int port;

	(void)state;
	assert_int_equal(config_parse_listen("abcdefg:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "abcdefg");
	assert_int_equal(config_parse_listen("abcdefgh:1", host, sizeof(host), &port), -1);
	assert_int_equal(config_parse_listen("[::ffff]:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::ffff");
	assert_int_equal(config_parse_listen("[1:2:3:44]:1", host, sizeof(host), &port), -1);

	/* Through config_parse: 127 bytes fit listen_host[128], 128 do not. */
	memset(h, 'h', 127);
	h[127] = '\0';
	snprintf(v, sizeof(v), "%s:80", h);
	assert_int_equal(parse1(&r, "CONFERO_LISTEN", v), 0);
	assert_int_equal(strlen(r.c.listen_host), 127);
	memset(h, 'h', 128);
	h[128] = '\0';
	snprintf(v, sizeof(v), "%s:80", h);
	assert_err1("CONFERO_LISTEN", v);
}

/* ---- CONFERO_BASE_URL ---- */

static void
test_base_url(void **state)
{
	struct res r;

	(void)state;
	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", "https://tickets.example.org"), 0);
	assert_string_equal(r.c.base_url, "https://tickets.example.org");
	assert_int_equal(r.c.https, 1);

	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", "https://tickets.example.org/"), 0);
	assert_string_equal(r.c.base_url, "https://tickets.example.org");
	assert_int_equal(r.c.https, 1);

	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", "http://x.example///"), 0);
	assert_string_equal(r.c.base_url, "http://x.example");
	assert_int_equal(r.c.https, 0);

	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", "https://example.org/confero/"), 0);
	assert_string_equal(r.c.base_url, "https://example.org/confero");
	assert_int_equal(r.c.https, 1);

	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", "http://127.0.0.1:8080"), 0);
	assert_string_equal(r.c.base_url, "http://127.0.0.1:8080");
	assert_int_equal(r.c.https, 0);
	/* The listen address is unaffected by the base URL. */
	assert_string_equal(r.c.listen_host, "127.0.0.1");
	assert_int_equal(r.c.listen_port, 8080);
}

static void
test_base_url_bad(void **state)
{
	static const char *const bad[] = {
		"ftp://example.org", "example.org", "//example.org", "http:/x", "https:x",
		"http://exa mple.org", "http://x.org/\"", "http://x.org/'", "http://x.org/<a>",
		"http://x.org\n", "http://x.org\r", "http://x.org\t", "javascript:alert(1)",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		assert_err1("CONFERO_BASE_URL", bad[i]);
}

static void
test_base_url_length(void **state)
{
	struct res r;
	char url[300];

	(void)state;
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', 255 - 8);
	url[255] = '\0';
	assert_int_equal(parse1(&r, "CONFERO_BASE_URL", url), 0);
	assert_int_equal(strlen(r.c.base_url), 255);
	memset(url + 8, 'a', 256 - 8);
	url[256] = '\0';
	assert_err1("CONFERO_BASE_URL", url);
}

static void
test_base_url_needs_host(void **state)
{
	/* Links are base_url + "/path"; "http:///e/1" links nowhere. */
	(void)state;
	assert_err1("CONFERO_BASE_URL", "http://");
	assert_err1("CONFERO_BASE_URL", "https://");
	assert_err1("CONFERO_BASE_URL", "https:///");
}

/* ---- admin bootstrap ---- */

static void
test_admin_pair(void **state)
{
	struct env e;
	struct res r;

	(void)state;
	memset(&e, 0, sizeof(e));
	env_set(&e, "CONFERO_ADMIN_EMAIL", "admin@example.org");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_PASSWORD");

	memset(&e, 0, sizeof(e));
	env_set(&e, "CONFERO_ADMIN_PASSWORD", "correct horse battery");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_EMAIL");

	/* An empty value counts as unset. */
	env_set(&e, "CONFERO_ADMIN_EMAIL", "");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_EMAIL");

	env_set(&e, "CONFERO_ADMIN_EMAIL", "admin@example.org");
	assert_int_equal(parse(&r, &e), 0);
	assert_string_equal(r.c.admin_email, "admin@example.org");
	assert_string_equal(r.c.admin_password, "correct horse battery");
}

static void
test_admin_password_length(void **state)
{
	struct env e;
	struct res r;

	(void)state;
	memset(&e, 0, sizeof(e));
	env_set(&e, "CONFERO_ADMIN_EMAIL", "admin@example.org");
	env_set(&e, "CONFERO_ADMIN_PASSWORD", "123456789");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_PASSWORD");
	env_set(&e, "CONFERO_ADMIN_PASSWORD", "x");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_PASSWORD");
	env_set(&e, "CONFERO_ADMIN_PASSWORD", "12345678901");
	assert_int_equal(parse(&r, &e), -1);
	assert_err_names(&r, "CONFERO_ADMIN_PASSWORD");
	env_set(&e, "CONFERO_ADMIN_PASSWORD", "123456789012");
	assert_int_equal(parse(&r, &e), 0);
	assert_string_equal(r.c.admin_password, "123456789012");
	/* ASVS 2.1.2: at most 128. */
	{
		char pw[130];

		memset(pw, 'p', 129);
		pw[129] = '\0';
		env_set(&e, "CONFERO_ADMIN_PASSWORD", pw);
		assert_int_equal(parse(&r, &e), -1);
		assert_err_names(&r, "CONFERO_ADMIN_PASSWORD");
		pw[128] = '\0';
		assert_int_equal(parse(&r, &e), 0);
		assert_int_equal(strlen(r.c.admin_password), 128);
	}
}

/* ---- strings ---- */

static void
test_db_name(void **state)
{
	static const char *const ok[] = {"confero", "Confero_Test$1", "_", "db2", NULL};
	static const char *const bad[] = {
		"conf-ero", "a;b", "a b", "db.name", "`x`", "x'", "caf\xc3\xa9", "a/b", "a\\b",
		NULL,
	};
	struct res r;
	int i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++) {
		if (parse1(&r, "CONFERO_DB_NAME", ok[i]) != 0)
			fail_msg("CONFERO_DB_NAME=%s rejected: %s", ok[i], r.err);
		assert_string_equal(r.c.db_name, ok[i]);
	}
	for (i = 0; bad[i] != NULL; i++)
		assert_err1("CONFERO_DB_NAME", bad[i]);
}

static void
test_strings_copied(void **state)
{
	struct env e;
	struct res r;

	(void)state;
	memset(&e, 0, sizeof(e));
	env_set(&e, "CONFERO_DB_HOST", "db.internal");
	env_set(&e, "CONFERO_DB_SOCKET", "/run/mysqld/mysqld.sock");
	env_set(&e, "CONFERO_DB_USER", "app");
	env_set(&e, "CONFERO_DB_PASSWORD", "s3cr3t p@ss");
	env_set(&e, "CONFERO_SECRET_KEY_FILE", "/var/lib/confero/key");
	env_set(&e, "CONFERO_WEB_DIR", "/srv/web");
	env_set(&e, "CONFERO_TRUST_PROXY", "1");
	assert_int_equal(parse(&r, &e), 0);
	assert_string_equal(r.c.db_host, "db.internal");
	assert_string_equal(r.c.db_socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(r.c.db_user, "app");
	assert_string_equal(r.c.db_password, "s3cr3t p@ss");
	assert_string_equal(r.c.secret_key_file, "/var/lib/confero/key");
	assert_string_equal(r.c.web_dir, "/srv/web");
	assert_int_equal(r.c.trust_proxy, 1);
	assert_int_equal(r.c.secret_key_set, 0);
}

static void
test_strings_too_long(void **state)
{
	static const struct {
		const char *name;
		size_t size;
	} vars[] = {
		{"CONFERO_DB_HOST", sizeof(((struct config *)0)->db_host)},
		{"CONFERO_DB_SOCKET", sizeof(((struct config *)0)->db_socket)},
		{"CONFERO_DB_USER", sizeof(((struct config *)0)->db_user)},
		{"CONFERO_DB_PASSWORD", sizeof(((struct config *)0)->db_password)},
		{"CONFERO_DB_NAME", sizeof(((struct config *)0)->db_name)},
		{"CONFERO_SECRET_KEY_FILE", sizeof(((struct config *)0)->secret_key_file)},
		{"CONFERO_WEB_DIR", sizeof(((struct config *)0)->web_dir)},
	};
	char buf[1024];
	struct res r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		struct env e;

		memset(&e, 0, sizeof(e));
		env_set(&e, "CONFERO_ADMIN_EMAIL", "a@example.org");
		env_set(&e, "CONFERO_ADMIN_PASSWORD", "long enough password");
		/* The longest value that fits. */
		memset(buf, 'a', vars[i].size - 1);
		buf[vars[i].size - 1] = '\0';
		env_set(&e, vars[i].name, buf);
		if (parse(&r, &e) != 0)
			fail_msg("%s with %zu bytes rejected: %s", vars[i].name,
			    vars[i].size - 1, r.err);
		/* One more byte. */
		memset(buf, 'a', vars[i].size);
		buf[vars[i].size] = '\0';
		assert_int_equal(parse(&r, &e), -1);
		assert_err_names(&r, vars[i].name);
	}
	/* ADMIN_EMAIL too (the password must be set with it). */
	{
		struct env e;

		memset(&e, 0, sizeof(e));
		memset(buf, 'a', 256);
		buf[256] = '\0';
		env_set(&e, "CONFERO_ADMIN_EMAIL", buf);
		env_set(&e, "CONFERO_ADMIN_PASSWORD", "long enough password");
		assert_int_equal(parse(&r, &e), -1);
		assert_err_names(&r, "CONFERO_ADMIN_EMAIL");
	}
}

/* ---- config_load_secret ---- */

static char tmpdir[64];

static int
secret_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	return make_tmpdir(tmpdir, sizeof(tmpdir), "config");
}

static int
secret_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_secret_none(void **state)
{
	struct config c;
	char err[256] = "";

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), 0);
	assert_int_equal(c.secret_key_set, 0);
}

static void
test_secret_created(void **state)
{
	struct config c, c2;
	char err[256] = "";
	struct stat st;
	static const unsigned char zero[32];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.secret_key_file, sizeof(c.secret_key_file), "%s/new.key", tmpdir);
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), 0);
	assert_int_equal(c.secret_key_set, 1);
	assert_memory_not_equal(c.secret_key, zero, 32);
	assert_int_equal(stat(c.secret_key_file, &st), 0);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(st.st_mode & 077, 0);      /* not readable by others */

	/* Loading it again gives the same key. */
	memset(&c2, 0, sizeof(c2));
	memcpy(c2.secret_key_file, c.secret_key_file, sizeof(c.secret_key_file));
	assert_int_equal(config_load_secret(&c2, err, sizeof(err)), 0);
	assert_memory_equal(c.secret_key, c2.secret_key, 32);
}

static void
test_secret_existing(void **state)
{
	struct config c;
	char err[256] = "";
	unsigned char want[32];
	static const char data[] = "0123456789abcdef0123456789abcdef0123456789";

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.secret_key_file, sizeof(c.secret_key_file), "%s/given.key", tmpdir);
	write_file(c.secret_key_file, data, sizeof(data) - 1);
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), 0);
	assert_int_equal(c.secret_key_set, 1);
	/* The file is hashed to the key (BLAKE2b-256, no key). */
	crypto_generichash(want, sizeof(want), (const unsigned char *)data, sizeof(data) - 1,
	    NULL, 0);
	assert_memory_equal(c.secret_key, want, 32);
}

static void
test_secret_too_short(void **state)
{
	struct config c;
	char err[256] = "";

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.secret_key_file, sizeof(c.secret_key_file), "%s/short.key", tmpdir);
	write_file(c.secret_key_file, "0123456789abcdef0123456789abcde", 31);
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), -1);
	assert_int_equal(c.secret_key_set, 0);
	assert_true(strncmp(err, "CONFERO_SECRET_KEY_FILE:", 24) == 0);

	write_file(c.secret_key_file, "", 0);
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), -1);
}

static void
test_secret_unopenable(void **state)
{
	struct config c;
	char err[256] = "";

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.secret_key_file, sizeof(c.secret_key_file), "%s/no/such/dir/key", tmpdir);
	assert_int_equal(config_load_secret(&c, err, sizeof(err)), -1);
	assert_int_equal(c.secret_key_set, 0);
	assert_true(strncmp(err, "CONFERO_SECRET_KEY_FILE:", 24) == 0);
	assert_int_equal(access(c.secret_key_file, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_smtp_auth_requires_tls),
		cmocka_unit_test(test_empty_values_are_defaults),
		cmocka_unit_test(test_documented_defaults_match),
		cmocka_unit_test(test_config_vars_complete),
		cmocka_unit_test(test_numeric_bounds_accepted),
		cmocka_unit_test(test_numeric_out_of_range),
		cmocka_unit_test(test_numeric_not_a_number),
		cmocka_unit_test(test_numeric_error_message),
		cmocka_unit_test(test_error_buffer_small),
		cmocka_unit_test(test_listen_forms),
		cmocka_unit_test(test_listen_bad),
		cmocka_unit_test(test_parse_listen_direct),
		cmocka_unit_test(test_parse_listen_host_length),
		cmocka_unit_test(test_base_url),
		cmocka_unit_test(test_base_url_bad),
		cmocka_unit_test(test_base_url_length),
		cmocka_unit_test(test_base_url_needs_host),
		cmocka_unit_test(test_admin_pair),
		cmocka_unit_test(test_admin_password_length),
		cmocka_unit_test(test_db_name),
		cmocka_unit_test(test_strings_copied),
		cmocka_unit_test(test_strings_too_long),
		cmocka_unit_test(test_secret_none),
		cmocka_unit_test(test_secret_created),
		cmocka_unit_test(test_secret_existing),
		cmocka_unit_test(test_secret_too_short),
		cmocka_unit_test(test_secret_unopenable),
	};

	return cmocka_run_group_tests(tests, secret_setup, secret_teardown);
}
