/*
 * Configuration from CONFERO_* environment variables, validated once at
 * start and read-only afterwards (the global `cfg`).
 */
#ifndef CONFERO_CONFIG_H
#define CONFERO_CONFIG_H

#include <stddef.h>

struct config {
	char listen_host[128];
	int listen_port;
	char base_url[256];
	int https;                 /* base_url is https: Secure cookies */
	int base_url_default;      /* derived from the listen address */
	int trust_proxy;           /* take the client address from X-Forwarded-For */

	char db_host[256];
	int db_port;
	char db_socket[512];
	char db_user[128];
	char db_password[256];
	char db_name[128];
	int db_pool;               /* connections in the pool */

	char secret_key_file[512];
	unsigned char secret_key[32];
	int secret_key_set;

	char web_dir[512];
	char font[512], font_bold[512];
	char tmpdir[512];
	size_t body_max;           /* bytes */
	int conn_limit;
	int conn_timeout;          /* seconds */
	int http_workers;          /* threads running handlers */
	int lane_conns;            /* non-blocking connections of the event thread */
	int session_ttl;           /* seconds */
	int hash_workers;          /* concurrent argon2id computations */

	char admin_email[256];
	char admin_password[256];

	int login_max_account;     /* failures per account in the window */
	int login_max_addr;        /* failures per client address */
	int login_window;          /* seconds */
	int register_max_addr;     /* registrations per address in the window; 0 off */
	int register_window;       /* seconds */

	char smtp_host[256];       /* "": no mail is sent (rows wait) */
	int smtp_port;
	char smtp_user[256];
	char smtp_password[256];
	int smtp_starttls;         /* 0 off, 1 opportunistic, 2 required */
	char smtp_from_name[200];
	char smtp_from_addr[256];
	double smtp_rate;          /* messages per second, 0: no limit */
	int smtp_timeout;          /* seconds per SMTP reply (2x after the data) */
	int mail_backoff[8];       /* seconds before attempt 2, 3, … */
	int mail_backoff_n;
	int retention_max_days;    /* cap on events' retention_days */
	/* The data controller a new event gets unless it names its own. */
	char organiser_name[201], organiser_address[501], organiser_email[255];
	char organiser_website[301], dpo_email[255];
	int change_poll_ms;        /* shared change counter poll (changes.c) */
	int mail_lease;            /* seconds a claimed message is ours */
	int mail_senders;          /* sender threads in `serve` */
	char mail_templates[512];
};

struct config_var {
	const char *name;
	const char *def;
	const char *help;
};

extern const struct config *cfg;
extern const struct config_var config_vars[];

typedef const char *(*config_getenv)(const char *name, void *ctx);

/*
 * Fill c from the lookup function (getenv in production).  On error writes
 * a message naming the variable to err and returns -1.  Does not read the
 * secret key file; see config_load_secret().
 */
int config_parse(struct config *c, config_getenv get, void *ctx,
    char *err, size_t errlen);
int config_load_secret(struct config *c, char *err, size_t errlen);
/* Parse "host:port", "[v6]:port", ":port" or "port". */
int config_parse_listen(const char *s, char *host, size_t hostlen, int *port);

#endif
