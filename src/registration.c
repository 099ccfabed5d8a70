/*
 * Registration rules as transactions.  Seats are counted by conditional
 * UPDATEs (event, then ticket type, then sessions in ascending id order:
 * one fixed order, so concurrent transactions do not deadlock), never by
 * reading a count in C; CHECK constraints stand behind them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "log.h"
#include "mail.h"
#include "registration.h"
#include "ticketcode.h"

/* ---- event keys ---- */

#define KEYCACHE 256

static struct {
	long long id;
	unsigned char pk[32];
	unsigned char sk[64];
	int has_sk;
} keycache[KEYCACHE];
static pthread_mutex_t keymtx = PTHREAD_MUTEX_INITIALIZER;

enum err
eventkey_pk(struct db *d, long long event_id, unsigned char pk[32])
{
	struct event_ref ev;
	int slot = (int)(event_id % KEYCACHE);
	enum err e;

	pthread_mutex_lock(&keymtx);
	if (keycache[slot].id == event_id) {
		memcpy(pk, keycache[slot].pk, 32);
		pthread_mutex_unlock(&keymtx);
		return ERR_OK;
	}
	pthread_mutex_unlock(&keymtx);
	if ((e = db_event_ref_id(d, event_id, &ev)) != ERR_OK)
		return e;
	memcpy(pk, ev.pk, 32);
	pthread_mutex_lock(&keymtx);
	if (keycache[slot].id != event_id) {
		sodium_memzero(keycache[slot].sk, 64);
		keycache[slot].id = event_id;
		keycache[slot].has_sk = 0;
		memcpy(keycache[slot].pk, pk, 32);
	}
	pthread_mutex_unlock(&keymtx);
	return ERR_OK;
}

int
eventkey_sk_cached(long long event_id, unsigned char sk[64])
{
	int slot = (int)(event_id % KEYCACHE), rc = -1;

	pthread_mutex_lock(&keymtx);
	if (keycache[slot].id == event_id && keycache[slot].has_sk) {
		memcpy(sk, keycache[slot].sk, 64);
		rc = 0;
	}
	pthread_mutex_unlock(&keymtx);
	return rc;
}

enum err
eventkey_sk(struct db *d, long long event_id, unsigned char sk[64])
{
	unsigned char sealed[256], pk[32];
	size_t len = 0;
	int slot = (int)(event_id % KEYCACHE);
	enum err e;

	if (eventkey_sk_cached(event_id, sk) == 0)
		return ERR_OK;
	if ((e = db_event_key(d, event_id, sealed, sizeof(sealed), &len)) != ERR_OK)
		return e;
	if (eventkey_open(cfg->secret_key, sealed, len, sk) != 0) {
		log_err("event %lld: cannot open its signing key (wrong CONFERO_SECRET_KEY_FILE?)",
		    event_id);
		return ERR_INTERNAL;
	}
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	pthread_mutex_lock(&keymtx);
	keycache[slot].id = event_id;
	memcpy(keycache[slot].pk, pk, 32);
	memcpy(keycache[slot].sk, sk, 64);
	keycache[slot].has_sk = 1;
	pthread_mutex_unlock(&keymtx);
	return ERR_OK;
}

/* ---- helpers ---- */

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static enum err
audit(struct db *d, long long event_id, const char *kind, long long actor,
    const char *action, long long reg, const char *status)
{
	char details[96];

	snprintf(details, sizeof(details), "{\"status\":\"%s\"}", status);
	return db_audit_at(d, event_id, kind, actor, action, "registration", reg, details);
}

/*
 * A ticket id is random (1 .. 2^32-1), not sequential: the code can be
 * signed before the row exists, so one INSERT writes both, and ticket ids
 * tell nothing about how many were sold.  fresh: the registration has no
 * valid ticket yet (nothing to revoke).
 */
static enum err
issue_ticket_id(struct db *d, long long event_id, long long reg, char *code,
    int fresh, long long *tid_out)
{
	unsigned char sk[64];
	char buf[TICKETCODE_MAX];
	long long tid;
	enum err e;
	int attempt;

	if (!fresh && (e = db_ticket_revoke(d, reg)) != ERR_OK)
		return e;
	if (event_id > 0xffffffffLL)
		return ERR_INTERNAL;
	if ((e = eventkey_sk(d, event_id, sk)) != ERR_OK)
		return e;
	for (attempt = 0; attempt < 8; attempt++) {
		tid = (long long)randombytes_uniform(0xfffffffeU) + 1;
		if (ticketcode_make(sk, (uint32_t)event_id, (uint32_t)tid, buf) != 0) {
			e = ERR_INTERNAL;
			break;
		}
		if ((e = db_ticket_insert(d, tid, reg, event_id, buf)) != ERR_CONFLICT)
			break;
	}
	sodium_memzero(sk, sizeof(sk));
	if (e == ERR_OK && code != NULL)
		snprintf(code, TICKETCODE_MAX, "%s", buf);
	if (e == ERR_OK && tid_out != NULL)
		*tid_out = tid;
	return e;
}

static enum err
issue_ticket(struct db *d, long long event_id, long long reg, char *code, int fresh)
{
	return issue_ticket_id(d, event_id, reg, code, fresh, NULL);
}

/* Event seat, then the type's: 1 when both were free (both taken). */
static enum err
take_seat(struct db *d, long long event_id, long long ttype_id, int *ok)
{
	enum err e;
	int t;

	*ok = 0;
	if ((e = db_seat_take(d, SEAT_EVENT, event_id, &t)) != ERR_OK || !t)
		return e;
	if ((e = db_seat_take(d, SEAT_TTYPE, ttype_id, &t)) != ERR_OK)
		return e;
	if (!t)
		return db_seat_free(d, SEAT_EVENT, event_id);
	*ok = 1;
	return ERR_OK;
}

static enum err
free_seats(struct db *d, const struct reg_row *r)
{
	struct reg_session s[128];
	enum err e;
	int n, i;

	if (r->holds_seat) {
		if ((e = db_seat_free(d, SEAT_EVENT, r->event_id)) != ERR_OK ||
		    (e = db_seat_free(d, SEAT_TTYPE, r->ttype_id)) != ERR_OK)
			return e;
	}
	if ((e = db_reg_sessions(d, r->id, s, 128, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (!s[i].holds)
			continue;
		if ((e = db_seat_free(d, SEAT_SESSION, s[i].id)) != ERR_OK ||
		    (e = db_reg_session_add(d, r->id, s[i].id, 0)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/*
 * Give a seat-holding registration its session seats.  strict: a full
 * session fails the whole transaction (a new registration); otherwise the
 * sign-up is dropped (a promotion must not fail for a full workshop).
 */
static enum err
hold_sessions(struct db *d, long long reg, int strict, long long *full)
{
	struct reg_session s[128];
	enum err e;
	int n, i, t;

	if ((e = db_reg_sessions(d, reg, s, 128, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (!s[i].requires_signup || s[i].holds)
			continue;
		if ((e = db_seat_take(d, SEAT_SESSION, s[i].id, &t)) != ERR_OK)
			return e;
		if (t)
			e = db_reg_session_add(d, reg, s[i].id, 1);
		else if (strict) {
			if (full != NULL)
				*full = s[i].id;
			return ERR_CONFLICT;
		} else
			e = db_reg_session_del(d, reg, s[i].id);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Seat taken: confirmed (with a ticket) or pending payment. */
static enum err
seat_granted(struct db *d, long long event_id, long long reg, long long price,
    char *status, char *code)
{
	enum err e;

	snprintf(status, 24, "%s", price > 0 ? "pending_payment" : "confirmed");
	if ((e = db_reg_set_status(d, reg, status, 1, 1)) != ERR_OK)
		return e;
	if (price == 0)
		return issue_ticket(d, event_id, reg, code, 0);
	return ERR_OK;
}

/* ---- create ---- */

struct create_tx {
	const struct event_ref *ev;
	const struct ttype_rules *tt;
	struct reg_request *rq;
	int outcome;
};

/*
 * The seat comes first: the event row is the one every registration of an
 * event must write, so taking it before anything else makes concurrent
 * registrations queue on it instead of deadlocking on index locks.
 */
static enum err
create_tx(struct db *d, void *arg)
{
	struct create_tx *c = arg;
	struct reg_request *rq = c->rq;
	const char *status;
	enum err e;
	int i, seat = 0;

	c->outcome = 0;
	rq->code[0] = '\0';
	rq->ticket_id = 0;
	rq->idem_kept = 0;
	rq->full_session = 0;
	if (c->tt->requires_approval)
		status = "pending_approval";
	else {
		if ((e = take_seat(d, rq->event_id, rq->ttype_id, &seat)) != ERR_OK)
			return e;
		if (seat)
			status = c->tt->price_cents > 0 ? "pending_payment" : "confirmed";
		else if (c->ev->waitlist)
			status = "waitlisted";
		else {
			c->outcome = REG_SOLD_OUT;
			/*
			 * Nothing is written (take_seat gives back what it
			 * took), so with a key the refusal is kept in this
			 * same transaction: one commit, no second round trip.
			 */
			if (rq->idem_key == NULL)
				return ERR_CONFLICT;
			e = db_idem_insert(d, rq->event_id, rq->idem_key, rq->idem_body,
			    REG_SOLD_OUT, 0, NULL, 0, 0);
			if (e == ERR_CONFLICT)
				c->outcome = REG_REPLAY;
			if (e != ERR_OK)
				return e;
			rq->idem_kept = 1;
			return ERR_OK;
		}
	}
	e = db_reg_insert(d, rq, status, seat);
	if (e == ERR_CONFLICT) {
		c->outcome = REG_DUPLICATE;
		return ERR_CONFLICT;
	}
	if (e != ERR_OK)
		return e;
	snprintf(rq->status, sizeof(rq->status), "%s", status);
	/* Ascending ids: the same lock order in every transaction. */
	for (i = 0; i < rq->nsessions; i++)
		if ((e = db_reg_session_add(d, rq->id, rq->sessions[i], 0)) != ERR_OK)
			return e;
	if (seat) {
		if (rq->nsessions > 0 &&
		    (e = hold_sessions(d, rq->id, 1, &rq->full_session)) != ERR_OK) {
			if (e == ERR_CONFLICT)
				c->outcome = REG_SESSION_FULL;
			return e;
		}
		if (c->tt->price_cents == 0 &&
		    (e = issue_ticket_id(d, rq->event_id, rq->id, rq->code, 1, &rq->ticket_id)) != ERR_OK)
			return e;
	}
	if ((e = outbox_enqueue_reg(d, rq->id, rq->status)) != ERR_OK)
		return e;
	/* Last, so a retry that waited for this transaction finds the key. */
	if (rq->idem_key != NULL) {
		e = db_idem_insert(d, rq->event_id, rq->idem_key, rq->idem_body, 0, rq->id,
		    rq->status, rq->ticket_id, 0);
		if (e == ERR_CONFLICT)
			c->outcome = REG_REPLAY;
		if (e != ERR_OK)
			return e;
	}
	return audit(d, rq->event_id, "attendee", rq->id, "registration.create", rq->id, rq->status);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

enum err
registration_create(struct db *d, const struct event_ref *ev,
    const struct ttype_rules *tt, struct reg_request *rq, int *outcome)
{
	struct create_tx c = {ev, tt, rq, 0};
	enum err e;

	if (rq->nsessions > 1)
		qsort(rq->sessions, (size_t)rq->nsessions, sizeof(long long), cmp_ll);
	e = db_tx(d, create_tx, &c);
	*outcome = c.outcome;
	if (e == ERR_OK)
		mail_wake();
	return e;
}

/* ---- promotion, cancel, approve, pay ---- */

static enum err
promote(struct db *d, long long event_id)
{
	long long ids[50], tts[50];
	struct ttype_rules tt;
	int n, i, ok;
	char status[24];
	enum err e;

	if ((e = db_reg_waitlist(d, event_id, ids, tts, 50, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if ((e = take_seat(d, event_id, tts[i], &ok)) != ERR_OK)
			return e;
		if (!ok)
			continue;       /* this type is full; a later one may not be */
		if ((e = db_ttype_rules(d, event_id, tts[i], &tt)) != ERR_OK)
			return e;
		if ((e = hold_sessions(d, ids[i], 0, NULL)) != ERR_OK)
			return e;
		if ((e = seat_granted(d, event_id, ids[i], tt.price_cents, status, NULL)) != ERR_OK)
			return e;
		if ((e = audit(d, event_id, "system", 0, "registration.promote", ids[i], status)) != ERR_OK ||
		    (e = outbox_enqueue_reg(d, ids[i], "promoted")) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
promote_tx(struct db *d, void *arg)
{
	return promote(d, *(long long *)arg);
}

enum err
registration_promote(struct db *d, const struct event_ref *ev)
{
	long long id = ev->id;

	enum err e = db_tx(d, promote_tx, &id);

	if (e == ERR_OK)
		mail_wake();
	return e;
}

struct change_tx {
	const struct event_ref *ev;
	long long id;
	const char *actor_kind;
	long long actor_id;
	int reject, outcome;
	int by_attendee;                /* erasure asked for through the link */
	const long long *sessions;
	int nsessions;
	long long full_session;
};

/* Lock the registration the change is about; it must be of this event. */
static enum err
lock_reg(struct db *d, const struct change_tx *c, struct reg_row *r)
{
	enum err e;

	if ((e = db_reg_lock(d, c->id, r)) != ERR_OK)
		return e;
	return r->event_id == c->ev->id ? ERR_OK : ERR_NOTFOUND;
}

/* Run a change in a transaction; its mail goes out after the commit. */
static enum err
run_change(struct db *d, db_txfn fn, struct change_tx *c)
{
	enum err e = db_tx(d, fn, c);

	if (e == ERR_OK)
		mail_wake();
	return e;
}

/* A live registration ends: its seats freed, status to, tickets revoked. */
static enum err
withdraw(struct db *d, const struct reg_row *r, const char *to)
{
	enum err e;

	if ((e = free_seats(d, r)) != ERR_OK ||
	    (e = db_reg_set_status(d, r->id, to, 0, 0)) != ERR_OK)
		return e;
	return db_ticket_revoke(d, r->id);
}

static enum err
cancel_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_row r;
	const char *to = c->reject ? "rejected" : "cancelled";
	int held;
	enum err e;

	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (is(r.status, "cancelled") || is(r.status, "rejected"))
		return ERR_CONFLICT;
	if (c->reject && is(r.status, "confirmed"))
		return ERR_CONFLICT;    /* a confirmed registration is cancelled */
	held = r.holds_seat;
	if ((e = withdraw(d, &r, to)) != ERR_OK ||
	    (e = audit(d, r.event_id, c->actor_kind, c->actor_id,
	    c->reject ? "registration.reject" : "registration.cancel", r.id, to)) != ERR_OK ||
	    (e = outbox_enqueue_reg(d, r.id, to)) != ERR_OK)
		return e;
	return held ? promote(d, r.event_id) : ERR_OK;
}

/*
 * Erasure: a live registration is cancelled first (its seats freed, its
 * tickets revoked, the waiting list promoted; no mail: there is nobody to
 * send it to), then anonymised; ERR_GONE when it was already.
 */
static enum err
erase_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_row r;
	int held = 0, done;
	enum err e;

	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (!is(r.status, "cancelled") && !is(r.status, "rejected")) {
		held = r.holds_seat;
		if ((e = withdraw(d, &r, "cancelled")) != ERR_OK)
			return e;
	}
	/* The attendee's last mail, queued while the address is still known
	 * (anonymising leaves this one row its address until it is sent). */
	if (c->by_attendee && (e = outbox_enqueue_reg(d, r.id, "erased")) != ERR_OK)
		return e;
	if ((e = db_anonymise(d, r.id, &done)) != ERR_OK)
		return e;
	if (!done)
		return ERR_GONE;
	if ((e = db_audit_at(d, r.event_id, c->actor_kind, c->actor_id, "registration.erase",
	    "registration", r.id, c->by_attendee ? "{\"by\":\"attendee\"}" : "{\"by\":\"staff\"}")) != ERR_OK)
		return e;
	return held ? promote(d, r.event_id) : ERR_OK;
}

enum err
registration_erase(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id, int by_attendee)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id, .by_attendee = by_attendee};

	return run_change(d, erase_tx, &c);
}

enum err
registration_cancel(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id, int reject)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id, .reject = reject};

	return run_change(d, cancel_tx, &c);
}

static enum err
approve_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct ttype_rules tt;
	struct reg_row r;
	char status[24];
	int ok;
	enum err e;

	c->outcome = 0;
	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (!is(r.status, "pending_approval"))
		return ERR_CONFLICT;
	if ((e = db_ttype_rules(d, r.event_id, r.ttype_id, &tt)) != ERR_OK)
		return e;
	if ((e = take_seat(d, r.event_id, r.ttype_id, &ok)) != ERR_OK)
		return e;
	if (ok) {
		if ((e = hold_sessions(d, r.id, 0, NULL)) != ERR_OK ||
		    (e = seat_granted(d, r.event_id, r.id, tt.price_cents, status, NULL)) != ERR_OK)
			return e;
	} else if (c->ev->waitlist) {
		snprintf(status, sizeof(status), "waitlisted");
		if ((e = db_reg_set_status(d, r.id, status, 0, 1)) != ERR_OK)
			return e;
	} else {
		c->outcome = REG_SOLD_OUT;
		return ERR_CONFLICT;
	}
	if ((e = outbox_enqueue_reg(d, r.id, strcmp(status, "waitlisted") == 0 ?
	    "waitlisted" : "approved")) != ERR_OK)
		return e;
	return audit(d, r.event_id, c->actor_kind, c->actor_id, "registration.approve", r.id, status);
}

enum err
registration_approve(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id, int *outcome)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id};
	enum err e = run_change(d, approve_tx, &c);

	*outcome = c.outcome;
	return e;
}

static enum err
paid_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_row r;
	enum err e;

	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (!is(r.status, "pending_payment"))
		return ERR_CONFLICT;
	if ((e = db_reg_set_status(d, r.id, "confirmed", 1, 1)) != ERR_OK ||
	    (e = issue_ticket(d, r.event_id, r.id, NULL, 0)) != ERR_OK)
		return e;
	if ((e = outbox_enqueue_reg(d, r.id, "confirmed")) != ERR_OK)
		return e;
	return audit(d, r.event_id, c->actor_kind, c->actor_id, "registration.mark_paid", r.id, "confirmed");
}

enum err
registration_mark_paid(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id};

	return run_change(d, paid_tx, &c);
}

static enum err
sessions_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_session cur[128];
	struct reg_row r;
	int n, i, j, keep, want;
	enum err e;

	c->full_session = 0;
	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (is(r.status, "cancelled") || is(r.status, "rejected"))
		return ERR_CONFLICT;
	if ((e = db_reg_sessions(d, r.id, cur, 128, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		for (keep = 0, j = 0; j < c->nsessions; j++)
			if (c->sessions[j] == cur[i].id)
				keep = 1;
		if (keep)
			continue;
		if (cur[i].holds && (e = db_seat_free(d, SEAT_SESSION, cur[i].id)) != ERR_OK)
			return e;
		if ((e = db_reg_session_del(d, r.id, cur[i].id)) != ERR_OK)
			return e;
	}
	for (j = 0; j < c->nsessions; j++) {
		for (want = 1, i = 0; i < n; i++)
			if (cur[i].id == c->sessions[j])
				want = 0;
		if (want && (e = db_reg_session_add(d, r.id, c->sessions[j], 0)) != ERR_OK)
			return e;
	}
	if (r.holds_seat && (e = hold_sessions(d, r.id, 1, &c->full_session)) != ERR_OK)
		return e;
	return db_audit_at(d, r.event_id, c->actor_kind, c->actor_id, "registration.sessions",
	    "registration", r.id, NULL);
}

enum err
registration_set_sessions(struct db *d, const struct event_ref *ev, long long id,
    const long long *sessions, int n, const char *actor_kind, long long actor_id,
    long long *full)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id, .sessions = sessions, .nsessions = n};
	enum err e = run_change(d, sessions_tx, &c);

	*full = c.full_session;
	return e;
}

static enum err
reissue_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_row r;
	enum err e;

	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (!is(r.status, "confirmed"))
		return ERR_CONFLICT;
	if ((e = issue_ticket(d, r.event_id, r.id, NULL, 0)) != ERR_OK)
		return e;
	if ((e = outbox_enqueue_reg(d, r.id, "ticket_resent")) != ERR_OK)
		return e;
	return audit(d, r.event_id, c->actor_kind, c->actor_id, "ticket.reissue", r.id, "confirmed");
}

enum err
registration_reissue(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id};

	return run_change(d, reissue_tx, &c);
}

static enum err
resend_tx(struct db *d, void *arg)
{
	struct change_tx *c = arg;
	struct reg_row r;
	enum err e;

	if ((e = lock_reg(d, c, &r)) != ERR_OK)
		return e;
	if (!is(r.status, "confirmed"))
		return ERR_CONFLICT;
	if ((e = outbox_enqueue_reg(d, r.id, "ticket_resent")) != ERR_OK)
		return e;
	return audit(d, r.event_id, c->actor_kind, c->actor_id, "ticket.resend", r.id, "confirmed");
}

enum err
registration_resend(struct db *d, const struct event_ref *ev, long long id,
    const char *actor_kind, long long actor_id)
{
	struct change_tx c = {.ev = ev, .id = id, .actor_kind = actor_kind,
	    .actor_id = actor_id};
	return run_change(d, resend_tx, &c);
}
