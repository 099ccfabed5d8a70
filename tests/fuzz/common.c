/*
 * What every harness links: the fixed configuration, small input helpers,
 * and quiet logging.  The harnesses are linked with
 * -Wl,--wrap=log_info,--wrap=log_warn,--wrap=log_err (tests/fuzz/fuzz.mk),
 * so the server's log lines go nowhere unless CONFERO_FUZZ_LOG=1: a line
 * per input would cost more than the code under test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "event.h"
#include "i18n.h"
#include "log.h"

#include "fuzz.h"

void __wrap_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __wrap_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __wrap_log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
log_on(void)
{
	static int on = -1;

	if (on < 0) {
		const char *s = getenv("CONFERO_FUZZ_LOG");
		on = s != NULL && strcmp(s, "1") == 0;
	}
	return on;
}

static void
fz_vlog(const char *level, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s %s %s\n", level, log_reqid[0] ? log_reqid : "-", line);
}

void
__wrap_log_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_on())
		return;
	va_start(ap, fmt);
	fz_vlog("info", fmt, ap);
	va_end(ap);
}

void
__wrap_log_warn(const char *fmt, ...)
{
	va_list ap;

	if (!log_on())
		return;
	va_start(ap, fmt);
	fz_vlog("warn", fmt, ap);
	va_end(ap);
}

void
__wrap_log_err(const char *fmt, ...)
{
	va_list ap;

	if (!log_on())
		return;
	va_start(ap, fmt);
	fz_vlog("error", fmt, ap);
	va_end(ap);
}

static struct config fz_cfg;

static const char *
kv_get(const char *name, void *ctx)
{
	const char *const *kv = ctx;

	for (; kv != NULL && kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	/* Never a real database, whatever the environment says. */
	if (strcmp(name, "CONFERO_DB_SOCKET") == 0)
		return "/nonexistent/confero-fuzz.sock";
	if (strcmp(name, "CONFERO_DB_POOL") == 0)
		return "2";
	return NULL;
}

void
fz_config(const char *const *kv)
{
	char err[512];

	if (sodium_init() < 0) {
		fprintf(stderr, "fuzz: libsodium failed to initialise\n");
		exit(1);
	}
	if (config_parse(&fz_cfg, kv_get, (void *)kv, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz: invalid configuration: %s\n", err);
		exit(1);
	}
	/* A fixed secret: CSRF tokens and sealed keys are the same every run. */
	memset(fz_cfg.secret_key, 0x5a, sizeof(fz_cfg.secret_key));
	fz_cfg.secret_key_set = 1;
	cfg = &fz_cfg;
}

char *
fz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fz_split(char *s, size_t size, char **b, size_t *blen)
{
	size_t n = strnlen(s, size);

	if (n < size) {
		*b = s + n + 1;
		*blen = size - n - 1;
	} else {
		*b = s + size;
		*blen = 0;
	}
}

size_t
fz_fields(char *s, size_t size, char **f, size_t max)
{
	size_t n = 0;
	char *b;
	size_t blen;

	while (n < max) {
		f[n++] = s;
		fz_split(s, size, &b, &blen);
		if (b == s + size)
			break;
		s = b;
		size = blen;
	}
	return n;
}

void
fz_server_init(void)
{
	char err[512] = "";

	if (i18n_init(err, sizeof(err)) != 0 ||
	    auth_init(cfg->secret_key, cfg->hash_workers) != 0 || db_init(cfg) != 0) {
		fprintf(stderr, "fuzz: cannot initialise: %s\n", err);
		exit(1);
	}
}

void
fz_event_fixture(struct event_ref *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 7;
	snprintf(ev->slug, sizeof(ev->slug), "fuzz");
	snprintf(ev->name, sizeof(ev->name), "Fuzz Days");
	snprintf(ev->status, sizeof(ev->status), "published");
	snprintf(ev->tz, sizeof(ev->tz), "Europe/Ljubljana");
	ev->capacity = -1;
	/* Fixed times, so inputs mean the same every day: open until 2099. */
	ev->starts_at = 1810278000LL;           /* 2027-05-14T07:00:00Z */
	ev->ends_at = 4081388400LL;             /* 2099-05-01T07:00:00Z */
	ev->langs[0] = i18n_match("en", -1);
	ev->langs[1] = i18n_match("sl", -1);
	ev->nlangs = 2;
}

const char *
fz_top(void)
{
	const char *t = getenv("CONFERO_FUZZ_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}
