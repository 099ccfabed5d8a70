/* SQL for the outbox and organiser mailings. */
#include <string.h>

#include "config.h"
#include "db_internal.h"
#include "mail.h"

/* The host part of generated Message-IDs: the public host name. */
const char *
outbox_msgid_host(char *buf, size_t len)
{
	const char *h = strstr(cfg->base_url, "://");
	size_t n;

	h = h ? h + 3 : "confero.localhost";
	n = strcspn(h, ":/[]");
	/* A Message-ID's right side: host name characters only. */
	if (n == 0 || n >= len || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < n)
		return "confero.localhost";
	memcpy(buf, h, n);
	buf[n] = '\0';
	return buf;
}

enum err
outbox_enqueue_reg(struct db *d, long long reg_id, const char *kind)
{
	char host[256];
	struct dbv a[] = {V_STR(kind), V_STR(outbox_msgid_host(host, sizeof(host))), V_INT(reg_id)};

	return db_exec(d, STMT_OUTBOX_REG, a, NARGS(a), NULL, NULL);
}

enum err
outbox_enqueue_mailing(struct db *d, long long event_id, long long mailing_id,
    const char *audience, long long audience_id, long long *count)
{
	char host[256];
	unsigned long long n = 0;
	enum err e;

	outbox_msgid_host(host, sizeof(host));
	if (strcmp(audience, "speakers") == 0) {
		struct dbv a[] = {V_INT(mailing_id), V_STR(host), V_INT(event_id)};
		e = db_exec(d, STMT_OUTBOX_SPEAKERS, a, NARGS(a), &n, NULL);
	} else {
		struct dbv a[] = {V_INT(mailing_id), V_STR(host), V_INT(event_id),
		    V_STR(audience), V_INT(audience_id), V_INT(audience_id)};
		e = db_exec(d, STMT_OUTBOX_MAILING, a, NARGS(a), &n, NULL);
	}
	*count = (long long)n;
	return e;
}

struct claim_ctx {
	long long *out;
	int cap, n;
};

static enum err
claim_row(void *ctx, const struct dbrow *r)
{
	struct claim_ctx *c = ctx;

	if (c->n < c->cap)
		c->out[c->n++] = row_ll(r, 0);
	return ERR_OK;
}

struct claim_tx {
	int n, lease;
	long long *out;
	int got;
};

static enum err
claim_tx(struct db *d, void *arg)
{
	struct claim_tx *t = arg;
	struct claim_ctx c = {t->out, t->n, 0};
	struct dbv a[] = {V_INT(t->n)};
	struct dbv l[21];
	enum err e;
	int i;

	t->got = 0;
	if ((e = db_query(d, STMT_OUTBOX_CLAIM_STALE, a, NARGS(a), claim_row, &c)) != ERR_OK)
		return e;
	if (c.n < t->n) {
		struct dbv b[] = {V_INT(t->n - c.n)};
		if ((e = db_query(d, STMT_OUTBOX_CLAIM, b, NARGS(b), claim_row, &c)) != ERR_OK)
			return e;
	}
	if (c.n == 0)
		return ERR_OK;
	l[0] = V_INT(t->lease);
	for (i = 0; i < 20; i++)
		l[i + 1] = V_INT(i < c.n ? c.out[i] : 0);
	if ((e = db_exec(d, STMT_OUTBOX_LEASE, l, NARGS(l), NULL, NULL)) != ERR_OK)
		return e;
	t->got = c.n;
	return ERR_OK;
}

enum err
outbox_claim(struct db *d, int n, int lease, long long *out, int *got)
{
	struct claim_tx t = {n > 20 ? 20 : n, lease, out, 0};
	enum err e = db_tx(d, claim_tx, &t);

	*got = e == ERR_OK ? t.got : 0;
	return e;
}

struct load_ctx {
	struct outbox_row *o;
	int cap, n;
};

static enum err
load_row(void *ctx, const struct dbrow *r)
{
	struct load_ctx *c = ctx;
	struct outbox_row *o;

	if (c->n >= c->cap)
		return ERR_OK;
	o = &c->o[c->n++];
	memset(o, 0, sizeof(*o));
	o->id = row_ll(r, 0);
	row_cpy(r, 1, o->kind, sizeof(o->kind));
	row_cpy(r, 2, o->to_addr, sizeof(o->to_addr));
	row_cpy(r, 3, o->to_name, sizeof(o->to_name));
	row_cpy(r, 4, o->message_id, sizeof(o->message_id));
	o->attempts = row_ll(r, 5);
	o->event_id = row_ll(r, 6);
	o->reg_id = row_ll(r, 7);
	o->speaker_id = row_ll(r, 8);
	o->mailing_id = row_ll(r, 9);
	o->created = row_ll(r, 10);
	o->meeting_id = row_ll(r, 11);
	row_cpy(r, 12, o->about_day, sizeof(o->about_day));
	return ERR_OK;
}

enum err
outbox_load(struct db *d, const long long *ids, int n, struct outbox_row *o,
    int *got)
{
	struct dbv a[20];
	struct load_ctx c = {o, n, 0};
	enum err e;
	int i;

	for (i = 0; i < 20; i++)
		a[i] = V_INT(i < n ? ids[i] : 0);
	e = db_query(d, STMT_OUTBOX_LOAD, a, NARGS(a), load_row, &c);
	*got = c.n;
	return e;
}

enum err
outbox_done(struct db *d, long long id, long long attempts, const char *status, const char *reply)
{
	struct dbv a[] = {V_STR(status), V_STR(reply), V_STR(status), V_INT(id), V_INT(attempts)};

	return db_exec(d, STMT_OUTBOX_DONE, a, NARGS(a), NULL, NULL);
}

enum err
outbox_retry(struct db *d, long long id, long long attempts, int after, const char *reply)
{
	struct dbv a[] = {V_STR(reply), V_INT(after), V_INT(id), V_INT(attempts)};

	return db_exec(d, STMT_OUTBOX_RETRY, a, NARGS(a), NULL, NULL);
}

enum err
outbox_list(struct db *d, long long event_id, const char *status, const char *tz,
    cJSON *array)
{
	struct dbv a[] = {V_INT(event_id), V_STR(status), V_STR(status)};

	return db_json_rows(d, STMT_OUTBOX_LIST, a, NARGS(a),
	    "id:i,kind:s,to:s,to_name:s,status:s,attempts:i,last_reply:s,created_at:t,"
	    "sent_at:t,next_attempt_at:t,mailing_id:i,registration_id:i", tz, array);
}

enum err
mailing_insert(struct db *d, long long event_id, const char *audience,
    const char *subject, const char *body, long long by, long long *id)
{
	struct dbv a[] = {V_INT(event_id), V_STR(audience), V_STR(subject),
	    V_STR(body), V_ID(by)};
	unsigned long long iid = 0;
	enum err e;

	e = db_exec(d, STMT_MAILING_INSERT, a, NARGS(a), NULL, &iid);
	*id = (long long)iid;
	return e;
}

enum err
mailing_set_total(struct db *d, long long id, long long total)
{
	struct dbv a[] = {V_INT(total), V_INT(id)};

	return db_exec(d, STMT_MAILING_TOTAL, a, NARGS(a), NULL, NULL);
}

#define MAILING_SPEC "id:i,event:s,audience:s,subject:s,body:s,total:i,sent:i,failed:i," \
	"pending:i,created_at:t,event_id:i,tr:j"

enum err
mailing_json(struct db *d, long long id, cJSON **out, long long *event_id)
{
	struct dbv a[] = {V_INT(id)};
	enum err e;

	if ((e = db_json_row(d, STMT_MAILING_GET, a, NARGS(a), MAILING_SPEC, NULL, out)) != ERR_OK)
		return e;
	*event_id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(*out, "event_id"));
	return ERR_OK;
}

enum err
mailing_list(struct db *d, long long event_id, cJSON *array)
{
	struct dbv a[] = {V_INT(event_id)};

	return db_json_rows(d, STMT_MAILING_LIST, a, NARGS(a), MAILING_SPEC, NULL, array);
}

struct first_ctx {
	long long reg, speaker;
	int found;
};

static enum err
first_row(void *ctx, const struct dbrow *r)
{
	struct first_ctx *c = ctx;

	c->reg = row_ll(r, 1);
	c->speaker = row_ll(r, 2);
	c->found = 1;
	return ERR_OK;
}

enum err
mailing_first(struct db *d, long long mailing_id, long long *reg_id,
    long long *speaker_id)
{
	struct dbv a[] = {V_INT(mailing_id)};
	struct first_ctx c = {0, 0, 0};
	enum err e;

	if ((e = db_query(d, STMT_MAILING_FIRST, a, NARGS(a), first_row, &c)) != ERR_OK)
		return e;
	*reg_id = c.reg;
	*speaker_id = c.speaker;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}

enum err
reg_seal_manage(struct db *d, long long reg_id, const unsigned char *sealed,
    size_t len)
{
	struct dbv a[] = {V_BIN(sealed, len), V_INT(reg_id)};

	return db_exec(d, STMT_REG_SEAL, a, NARGS(a), NULL, NULL);
}



enum err
reg_manage_sealed(struct db *d, long long reg_id, unsigned char *buf, size_t cap,
    size_t *len)
{
	struct dbv a[] = {V_INT(reg_id)};
	struct db_blob c = {buf, cap, 0, 0};
	enum err e;

	if ((e = db_query(d, STMT_REG_MANAGE_SEALED, a, NARGS(a), db_row_blob, &c)) != ERR_OK)
		return e;
	*len = c.len;
	return c.found ? ERR_OK : ERR_NOTFOUND;
}
