/*
 * confero: subcommands (serve, migrate, user add), start-up and shutdown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "cache.h"
#include "jobs.h"
#include "config.h"
#include "db.h"
#include "doccache.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "static.h"
#include "timeutil.h"
#include "validate.h"

static struct config config;

static const char *
env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static void
usage(FILE *f)
{
	const struct config_var *v;

	fprintf(f,
	    "usage: confero <command> [options]\n"
	    "\n"
	    "commands:\n"
	    "  serve                                run the HTTP server (applies migrations first)\n"
	    "  migrate                              apply pending database migrations\n"
	    "  mailer                               only send the outbox (serve also does)\n"
	    "  user add --email E --role R          add a staff user (role: admin, organiser, checkin);\n"
	    "           [--if-no-users]             the password is read from stdin, or generated and\n"
	    "                                       printed as \"password: …\" when stdin gives none\n"
	    "  retention [--dry-run]                anonymise every registration past its event's\n"
	    "                                       retention_days now (serve does it hourly);\n"
	    "                                       --dry-run: list what would be, change nothing\n"
	    "  audit verify                         check the audit trail's hash chain; names the first\n"
	    "                                       entry changed or removed (exit 1), else exit 0\n"
	    "  audit seal                           seal new audit entries now (serve does it every second)\n"
	    "  --help                               this text\n"
	    "  --version                            print the version\n"
	    "\n"
	    "configuration (environment):\n");
	for (v = config_vars; v->name != NULL; v++)
		fprintf(f, "  %-32s %s%s%s%s\n", v->name, v->help,
		    v->def[0] ? " (default: " : "", v->def, v->def[0] ? ")" : "");
}

/* Parse and validate the environment; exit status 2 on any error. */
static void
load_config(void)
{
	char err[512];

	if (config_parse(&config, env_get, NULL, err, sizeof(err)) == -1 ||
	    config_load_secret(&config, err, sizeof(err)) == -1) {
		fprintf(stderr, "confero: invalid configuration: %s\n", err);
		exit(2);
	}
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	if (!config.secret_key_set) {
		randombytes_buf(config.secret_key, sizeof(config.secret_key));
		log_warn("CONFERO_SECRET_KEY_FILE not set: using a per-process key; "
		    "CSRF tokens will not survive a restart");
	}
	cfg = &config;
	if (auth_init(config.secret_key, config.hash_workers) == -1)
		fatal("cannot initialise password hashing");
	if (db_init(&config) == -1)
		fatal("cannot initialise the database client");
}

/* Connect, retrying for up to wait_s seconds while MariaDB starts. */
static struct db *
connect_db(int wait_s)
{
	struct db *d = NULL;
	int i;

	for (i = 0; i <= wait_s * 2; i++) {
		if (db_acquire(&d, 1000) == ERR_OK)
			return d;
		if (db_connect_fatal())
			break;
		if (i == 0)
			log_warn("waiting for MariaDB…");
		usleep(500000);
	}
	fprintf(stderr, "confero: cannot connect to MariaDB (see CONFERO_DB_*)\n");
	exit(1);
}

/* A connection to an up-to-date schema, for the one-shot commands; NULL
 * when migrating failed (reported). */
static struct db *
connect_migrated(void)
{
	struct db *d = connect_db(5);

	if (db_migrate(d, 0) != ERR_OK) {
		db_release(d);
		return NULL;
	}
	return d;
}

static int
cmd_migrate(int verbose)
{
	struct db *d = connect_db(verbose ? 5 : 30);
	enum err e = db_migrate(d, verbose);

	db_release(d);
	return e == ERR_OK ? 0 : 1;
}

static int
cmd_audit(const char *what)
{
	struct audit_verdict v;
	struct db *d;
	int sealed = 0;

	if (strcmp(what, "seal") != 0 && strcmp(what, "verify") != 0) {
		fprintf(stderr, "usage: confero audit verify|seal\n");
		return 2;
	}
	if ((d = connect_migrated()) == NULL)
		return 1;
	if (strcmp(what, "seal") == 0) {
		if (db_audit_seal(d, &sealed) != ERR_OK) {
			db_release(d);
			fprintf(stderr, "confero audit seal: could not seal (see the log above)\n");
			return 1;
		}
		db_release(d);
		printf("audit: %d new entr%s sealed\n", sealed, sealed == 1 ? "y" : "ies");
		return 0;
	}
	if (db_audit_verify(d, &v) != ERR_OK) {
		db_release(d);
		fprintf(stderr, "confero audit verify: could not read the audit trail\n");
		return 1;
	}
	db_release(d);
	if (v.broken_id != 0) {
		printf("audit: BROKEN: %s (%lld entries before it match)\n", v.reason, v.checked);
		return 1;
	}
	printf("audit: %lld entries verified, the chain is intact; %lld newer not sealed yet\n",
	    v.checked, v.unsealed);
	return 0;
}

static enum err
plan_line(void *ctx, const char *slug, const char *ended, int days, long long due)
{
	long long *total = ctx;

	printf("  %s (ended %s, retention %d days): %lld registration(s)\n", slug, ended, days, due);
	*total += due;
	return ERR_OK;
}

static int
cmd_retention(int argc, char **argv)
{
	long long total = 0;
	int dry = 0;
	struct db *d;
	enum err e;

	if (argc == 1 && strcmp(argv[0], "--dry-run") == 0)
		dry = 1;
	else if (argc != 0) {
		fprintf(stderr, "usage: confero retention [--dry-run]\n");
		return 2;
	}
	if ((d = connect_migrated()) == NULL)
		return 1;
	if (dry) {
		printf("retention --dry-run: past retention (at most %d days after the event):\n",
		    config.retention_max_days);
		e = db_retention_plan(d, config.retention_max_days, plan_line, &total);
		db_release(d);
		if (e != ERR_OK)
			return 1;
		printf("%lld registration(s) would be anonymised; nothing was changed\n", total);
		return 0;
	}
	e = db_retention_run(d, config.retention_max_days, &total);
	db_release(d);
	if (e != ERR_OK) {
		fprintf(stderr, "confero retention: the run failed (see above)\n");
		return 1;
	}
	printf("%lld registration(s) anonymised\n", total);
	return 0;
}

static int
create_first_admin(struct db *d)
{
	char hash[AUTH_HASH_MAX], email[256];
	long long n, id;
	enum err e;

	if (config.admin_email[0] == '\0')
		return 0;
	if (db_user_count(d, &n) != ERR_OK)
		return -1;
	if (n > 0)
		return 0;
	snprintf(email, sizeof(email), "%s", config.admin_email);
	ascii_lower(email);
	if (!email_valid(email)) {
		fprintf(stderr, "confero: invalid configuration: CONFERO_ADMIN_EMAIL is not an email address\n");
		exit(2);
	}
	if (auth_hash_password(config.admin_password, hash) != ERR_OK)
		return -1;
	e = db_user_insert(d, email, hash, ROLE_ADMIN, &id);
	if (e == ERR_CONFLICT)
		return 0;
	if (e != ERR_OK)
		return -1;
	db_audit(d, "system", 0, "user.create", "user", id, "{\"role\":\"admin\",\"source\":\"CONFERO_ADMIN_EMAIL\"}");
	log_info("created the first admin (user %lld) from CONFERO_ADMIN_EMAIL", id);
	return 0;
}

/*
 * CONFERO_CONN_LIMIT connections, the pool, the lane and exports need more
 * descriptors than the usual soft limit of 1024: take what the hard limit
 * allows, and say so when it is too low for the configured limit.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)config.conn_limit + (rlim_t)config.db_pool + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need)
		log_warn("open files limited to %llu, CONFERO_CONN_LIMIT=%d needs about %llu",
		    (unsigned long long)rl.rlim_cur, config.conn_limit, (unsigned long long)need);
}

static int
cmd_serve(int mailer_only)
{
	char err[600];
	sigset_t set;
	struct db *d;
	int sig;

	raise_fd_limit();
	static_init(config.web_dir);
	/* Before the mail templates: they are translated once, at load. */
	if (i18n_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "confero: %s\n", err);
		return 1;
	}
	if (mail_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "confero: invalid configuration: %s\n", err);
		return 2;
	}
	d = connect_db(30);
	if (db_migrate(d, 0) != ERR_OK) {
		db_release(d);
		return 1;
	}
	if (create_first_admin(d) == -1) {
		db_release(d);
		return 1;
	}
	db_release(d);

	/* Threads inherit this mask; only the main thread takes signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (mailer_only) {
		if (config.base_url_default)
			log_warn("CONFERO_BASE_URL is not set: links in mails point at %s",
			    config.base_url);
		if (mail_start(config.mail_senders ? config.mail_senders : 1) == -1)
			return 1;
		log_info("mailer running");
		goto wait;
	}
	if (http_start() == -1)
		return 1;
	/* Port 0 picked a free port: links must carry the real one. */
	if (config.base_url_default && config.listen_port == 0)
		snprintf(config.base_url, sizeof(config.base_url),
		    strchr(config.listen_host, ':') ? "http://[%s]:%d" : "http://%s:%d",
		    strcmp(config.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : config.listen_host,
		    http_port());
	if (jobs_start(&config) == -1)
		return 1;
	/* After the base URL is final: mails carry links. */
	if (mail_start(config.mail_senders) == -1)
		return 1;
	if (strchr(config.listen_host, ':') != NULL)
		log_info("listening on http://[%s]:%d", config.listen_host, http_port());
	else
		log_info("listening on http://%s:%d", config.listen_host, http_port());
wait:
	for (;;) {
		if (sigwait(&set, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
			break;
	}
	log_info("shutting down (signal %d)", sig);
	http_stop();
	jobs_stop();
	mail_stop();
	mail_free();
	i18n_free();
	db_shutdown();
	cache_free();
	doccache_free();
	tz_cache_free();
	log_info("stopped");
	return 0;
}

static int
cmd_user_add(int argc, char **argv)
{
	const char *email = NULL, *rolestr = NULL;
	char pw[1100], gen[32], hash[AUTH_HASH_MAX], lemail[256];
	int if_none = 0, role, i, generated = 0;
	long long id, n;
	struct db *d;
	enum err e;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			rolestr = argv[++i];
		else if (strcmp(argv[i], "--if-no-users") == 0)
			if_none = 1;
		else {
			fprintf(stderr, "confero user add: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (email == NULL || rolestr == NULL) {
		fprintf(stderr, "usage: confero user add --email E --role admin|organiser|checkin [--if-no-users]\n");
		return 2;
	}
	snprintf(lemail, sizeof(lemail), "%s", email);
	ascii_lower(lemail);
	if (!email_valid(lemail)) {
		fprintf(stderr, "confero user add: invalid email address\n");
		return 2;
	}
	if ((role = role_parse(rolestr)) < 0) {
		fprintf(stderr, "confero user add: role must be admin, organiser or checkin\n");
		return 2;
	}
	pw[0] = '\0';
	if (!isatty(STDIN_FILENO) && fgets(pw, sizeof(pw), stdin) != NULL)
		pw[strcspn(pw, "\r\n")] = '\0';
	if (pw[0] == '\0') {
		auth_new_password(gen);
		snprintf(pw, sizeof(pw), "%s", gen);
		generated = 1;
	} else if (utf8_len(pw) < 12 || utf8_len(pw) > 128 || !text_line_valid(pw)) {
		fprintf(stderr, "confero user add: the password needs 12 to 128 characters\n");
		return 2;
	}
	if ((d = connect_migrated()) == NULL)
		return 1;
	if (if_none) {
		if (db_user_count(d, &n) != ERR_OK)
			return 1;
		if (n > 0) {
			fprintf(stderr, "confero user add: users exist already; nothing to do\n");
			db_release(d);
			return 0;
		}
	}
	if (auth_hash_password(pw, hash) != ERR_OK)
		return 1;
	e = db_user_insert(d, lemail, hash, (enum role)role, &id);
	if (e == ERR_CONFLICT) {
		fprintf(stderr, "confero user add: a user with this email exists\n");
		db_release(d);
		return 1;
	}
	if (e != ERR_OK)
		return 1;
	db_audit(d, "system", 0, "user.create", "user", id, "{\"source\":\"cli\"}");
	db_release(d);
	printf("created user %lld: %s (%s)\n", id, lemail, role_name((enum role)role));
	if (generated)
		printf("password: %s\n", pw);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("confero %s\n", CONFERO_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0) {
		load_config();
		return cmd_serve(0);
	}
	if (strcmp(argv[1], "mailer") == 0) {
		load_config();
		return cmd_serve(1);
	}
	if (strcmp(argv[1], "migrate") == 0) {
		load_config();
		rc = cmd_migrate(1);
		db_shutdown();
		return rc;
	}
	if (strcmp(argv[1], "user") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0) {
		load_config();
		rc = cmd_user_add(argc - 3, argv + 3);
		db_shutdown();
		return rc;
	}
	if (strcmp(argv[1], "retention") == 0) {
		load_config();
		rc = cmd_retention(argc - 2, argv + 2);
		db_shutdown();
		return rc;
	}
	if (strcmp(argv[1], "audit") == 0 && argc == 3) {
		load_config();
		rc = cmd_audit(argv[2]);
		db_shutdown();
		return rc;
	}
	fprintf(stderr, "confero: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
