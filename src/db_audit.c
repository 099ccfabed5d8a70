/*
 * The audit chain (sql/009_audit_chain.sql): sealing entries in the order
 * they are found, and verifying the chain.  An entry's hash is keyed with
 * the server key (auth_mac_init), so whoever can change rows in MariaDB but
 * does not hold CONFERO_SECRET_KEY_FILE cannot write a matching chain.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "db_internal.h"

#define PURPOSE "confero audit chain v1"

/* hash = H_key(prev, seq, each field as NULL-or-length-and-bytes). */
static void
entry_hash(const unsigned char prev[32], long long seq, const struct dbrow *r,
    unsigned char out[32])
{
	crypto_generichash_state st;
	char num[32];
	unsigned char tag[9];
	unsigned int i;
	int n;

	auth_mac_init(&st, PURPOSE);
	crypto_generichash_update(&st, prev, 32);
	n = snprintf(num, sizeof(num), "%lld", seq);
	crypto_generichash_update(&st, (const unsigned char *)num, (unsigned long long)n + 1);
	for (i = 0; i < AUDIT_NFIELDS; i++) {
		unsigned long long len = r->val[i] ? r->len[i] : 0;
		int k;

		tag[0] = r->val[i] ? 1 : 0;
		for (k = 0; k < 8; k++)
			tag[1 + k] = (unsigned char)(len >> (8 * k));
		crypto_generichash_update(&st, tag, sizeof(tag));
		if (r->val[i] != NULL)
			crypto_generichash_update(&st, (const unsigned char *)r->val[i], len);
	}
	crypto_generichash_final(&st, out, 32);
}

struct head {
	long long seq;
	unsigned char hash[32];
	int found;
};

static enum err
head_row(void *ctx, const struct dbrow *r)
{
	struct head *h = ctx;

	h->seq = row_ll(r, 0);
	if (r->val[1] == NULL || r->len[1] != 32)
		return ERR_INTERNAL;
	memcpy(h->hash, r->val[1], 32);
	h->found = 1;
	return ERR_OK;
}

struct seal {
	struct db *d;
	struct head h;
	int sealed;
};

/* Buffered query: the callback may run statements on the connection. */
static enum err
seal_row(void *ctx, const struct dbrow *r)
{
	struct seal *s = ctx;
	unsigned char h[32];
	long long seq = s->h.seq + 1;
	unsigned long long n = 0;
	enum err e;
	struct dbv a[] = {V_INT(seq), V_BIN(h, 32), V_INT(row_ll(r, 0))};

	entry_hash(s->h.hash, seq, r, h);
	if ((e = db_exec(s->d, STMT_AUDIT_SEAL, a, NARGS(a), &n, NULL)) != ERR_OK)
		return e;
	if (n != 1)
		return ERR_CONFLICT;    /* sealed meanwhile: cannot be, we hold the head */
	s->h.seq = seq;
	memcpy(s->h.hash, h, 32);
	s->sealed++;
	return ERR_OK;
}

static enum err
seal_tx(struct db *d, void *arg)
{
	struct seal *s = arg;
	enum err e;

	s->d = d;
	s->sealed = 0;
	memset(&s->h, 0, sizeof(s->h));
	/* The head's row lock orders sealers of every instance. */
	if ((e = db_query(d, STMT_AUDIT_HEAD_LOCK, NULL, 0, head_row, &s->h)) != ERR_OK)
		return e;
	if (!s->h.found)
		return ERR_INTERNAL;
	if ((e = db_query(d, STMT_AUDIT_UNSEALED, NULL, 0, seal_row, s)) != ERR_OK)
		return e;
	if (s->sealed == 0)
		return ERR_OK;
	struct dbv a[] = {V_INT(s->h.seq), V_BIN(s->h.hash, 32)};

	return db_exec(d, STMT_AUDIT_HEAD_SET, a, NARGS(a), NULL, NULL);
}

enum err
db_audit_seal(struct db *d, int *sealed)
{
	struct seal s;
	enum err e;

	memset(&s, 0, sizeof(s));
	e = db_tx(d, seal_tx, &s);
	if (sealed != NULL)
		*sealed = e == ERR_OK ? s.sealed : 0;
	return e;
}

struct walk {
	struct audit_verdict *v;
	unsigned char prev[32];
	long long seq;          /* the last seq checked */
	int rows;
};

static enum err
walk_row(void *ctx, const struct dbrow *r)
{
	struct walk *w = ctx;
	struct audit_verdict *v = w->v;
	long long seq = row_ll(r, AUDIT_NFIELDS);
	unsigned char h[32];

	w->rows++;
	if (v->broken_id != 0)
		return ERR_OK;
	if (seq != w->seq + 1) {
		v->broken_id = row_ll(r, 0);
		v->broken_seq = w->seq + 1;
		snprintf(v->reason, sizeof(v->reason),
		    "entry %lld is missing (deleted); the chain goes on at entry %lld",
		    w->seq + 1, seq);
		return ERR_OK;
	}
	entry_hash(w->prev, seq, r, h);
	if (r->val[AUDIT_NFIELDS + 1] == NULL || r->len[AUDIT_NFIELDS + 1] != 32 ||
	    sodium_memcmp(h, r->val[AUDIT_NFIELDS + 1], 32) != 0) {
		v->broken_id = row_ll(r, 0);
		v->broken_seq = seq;
		snprintf(v->reason, sizeof(v->reason),
		    "entry %lld (audit_log id %lld) does not match its hash: changed after it was sealed",
		    seq, row_ll(r, 0));
		return ERR_OK;
	}
	memcpy(w->prev, h, 32);
	w->seq = seq;
	v->checked++;
	return ERR_OK;
}

enum err
db_audit_verify(struct db *d, struct audit_verdict *v)
{
	struct walk w;
	struct head h;
	enum err e;

	memset(v, 0, sizeof(*v));
	memset(&w, 0, sizeof(w));
	memset(&h, 0, sizeof(h));
	w.v = v;
	if ((e = db_query(d, STMT_AUDIT_HEAD_GET, NULL, 0, head_row, &h)) != ERR_OK)
		return e;
	if (!h.found)
		return ERR_INTERNAL;
	do {
		struct dbv a[] = {V_INT(w.seq)};

		w.rows = 0;
		if ((e = db_query(d, STMT_AUDIT_CHAIN, a, NARGS(a), walk_row, &w)) != ERR_OK)
			return e;
	} while (w.rows > 0 && v->broken_id == 0);
	if ((e = db_query(d, STMT_AUDIT_UNSEALED_COUNT, NULL, 0, db_row_ll, &v->unsealed)) != ERR_OK)
		return e;
	/* Entries sealed after the head was read are fine; fewer are not. */
	if (v->broken_id == 0 && w.seq < h.seq) {
		v->broken_seq = w.seq + 1;
		snprintf(v->reason, sizeof(v->reason),
		    "the chain ends at entry %lld but %lld were sealed: entries removed from the end",
		    w.seq, h.seq);
		v->broken_id = -1;
	}
	return ERR_OK;
}

enum err
db_audit_list(struct db *d, const struct audit_filter *f, const char *tz,
    cJSON *array, long long *total)
{
	struct dbv a[] = {V_ID(f->event_id), V_ID(f->event_id), V_STR(f->actor_kind),
	    V_STR(f->actor_kind), V_ID(f->actor_id), V_ID(f->actor_id),
	    V_ID(f->registration_id), V_ID(f->registration_id), V_STR(f->action),
	    V_STR(f->action), V_STR(f->action), V_STR(f->action), V_STR(f->action),
	    V_INT(f->limit), V_INT(f->offset)};
	enum err e;

	*total = 0;
	if ((e = db_query(d, STMT_AUDIT_COUNT, a, NARGS(a) - 2, db_row_ll, total)) != ERR_OK)
		return e;
	return db_json_rows(d, STMT_AUDIT_LIST, a, NARGS(a),
	    "id:i,at:t,actor_kind:s,actor_id:i,actor_email:s,actor_token:s,action:s,"
	    "object_type:s,object_id:i,event_id:i,registration_id:i,details:j,sealed:b",
	    tz, array);
}
