"""
Scenario 1: a registration rush with `kill -9` of confero.

Many clients register at once, each person with an Idempotency-Key of
their own; at three random moments confero is killed (SIGKILL) and
started again on the same database and secret key.  A client whose
answer is unknown (connection reset, timeout, 503) retries with the same
key and body until it gets a definite answer, as the public form does.

Invariants, checked by program from the recorded history and the
database (and, as a canary, shown to catch a planted oversell):
  - every 201 answered is a registration with that id and that ticket;
  - no person is registered twice (however often they retried);
  - confirmed <= seats, and equal to the event's and the ticket type's
    seat counters;
  - every attempt ended with a definite answer;
  - every confirmed registration got its ticket mail, all delivered after
    the last restart; more than one only for a message in flight at a
    kill (counted and printed, bounded by what a sender holds at once).
"""

import random
import threading
import time
import uuid

from common import Checks, History, Op, FAILED, OK, UNKNOWN, say, world_of
from harness import Server, Client, shared_mariadb
from util_events import NO_THROTTLE
from util_mail import SmtpSink, mail_env

SHORT = dict(clients=16, seats=300, attempts=900, kills=3, give_up=120.0)
FULL = dict(clients=128, seats=5000, attempts=20000, kills=3, give_up=300.0)

# Two sender threads claim at most 20 messages each: what can be in flight.
IN_FLIGHT_PER_KILL = 2 * 20


class Confero:
    """The server under test, restartable on the same database and key."""

    def __init__(self, smtp_port):
        self.db = shared_mariadb()
        self.db_name = self.db.create_database("frush")
        self.ov = dict(NO_THROTTLE)
        self.ov.update(mail_env(smtp_port))
        self.ov["CONFERO_MAIL_LEASE"] = "5"
        self.secret = None
        self.srv = None
        self.gen = 0
        self.lock = threading.Lock()
        self.logs = []

    def start(self):
        s = Server(db=self.db, db_name=self.db_name, overrides=self.ov, tag="frush")
        if self.secret is None:
            self.secret = s.env["CONFERO_SECRET_KEY_FILE"]
        s.env["CONFERO_SECRET_KEY_FILE"] = self.secret
        s.start()
        with self.lock:
            self.srv = s
            self.gen += 1
        return s

    def addr(self):
        with self.lock:
            return self.srv.host, self.srv.port

    def kill9(self):
        with self.lock:
            s = self.srv
        s.proc.kill()
        s.proc.wait()
        s.stopped = True
        self.logs.append(s.log())

    def stop(self):
        if self.srv is not None and not self.srv.stopped:
            self.srv.stop(check=True)
            self.logs.append(self.srv.log())

    def sql(self, q):
        return self.db.sql(q, db=self.db_name)


def attempt(c, hist, slug, tt_id, person, deadline):
    """One person registering until a definite answer: (op, response)."""
    body, key = person
    tries = 0
    while True:
        tries += 1
        host, port = c.addr()
        t0 = time.monotonic()
        try:
            r = Client(host, port, timeout=30).request(
                "POST", "/api/v1/events/%s/registrations" % slug, json_body=body,
                headers={"Idempotency-Key": key})
        except Exception as e:              # noqa: BLE001 - outcome unknown
            hist.add(Op("register", t0, time.monotonic(), UNKNOWN, None, None, repr(e)[:120]))
            r = None
        if r is not None and r.status < 500:
            code = (r.json or {}).get("error", {}).get("code") if isinstance(r.json, dict) else None
            op = hist.add(Op("register", t0, time.monotonic(), OK if r.status == 201 else FAILED,
                             r.status, code, tries))
            return op, r
        if r is not None:
            hist.add(Op("register", t0, time.monotonic(), UNKNOWN, r.status, None, tries))
        if time.monotonic() > deadline:
            return None, None
        time.sleep(0.05 + random.random() * 0.2)


def invariants(ck, c, slug, ev_id, tt_id, seats, answered, label=""):
    """The database against the answers; returns the confirmed rows."""
    rows = c.sql("SELECT r.id, r.email, r.status, COALESCE(t.code, '') FROM registrations r "
                 "LEFT JOIN tickets t ON t.registration_id = r.id AND t.status = 'valid' "
                 "WHERE r.event_id = %d" % ev_id)
    by_id = {int(r[0]): r for r in rows}
    missing = [a for a in answered if a["id"] not in by_id or
               by_id[a["id"]][3] != a["ticket"]["code"]]
    ck.check(not missing, label + "every 201 answered is a registration with its ticket",
             "%d answered, %d missing or with another ticket %r" % (len(answered), len(missing),
                                                                   missing[:2]))
    per_email = {}
    for r in rows:
        per_email[r[1].lower()] = per_email.get(r[1].lower(), 0) + 1
    twice = {e: n for e, n in per_email.items() if n > 1}
    ck.check(not twice, label + "nobody is registered twice", "%d people twice: %r"
             % (len(twice), list(twice.items())[:2]))
    confirmed = [r for r in rows if r[2] == "confirmed"]
    ev_taken = int(c.sql("SELECT seats_taken FROM events WHERE id = %d" % ev_id)[0][0])
    tt_taken = int(c.sql("SELECT sold FROM ticket_types WHERE id = %d" % tt_id)[0][0])
    ck.check(len(confirmed) <= seats and len(confirmed) == ev_taken == tt_taken,
             label + "confirmed <= seats and equal to the seat counters",
             "confirmed %d, seats %d, event counter %d, ticket type counter %d"
             % (len(confirmed), seats, ev_taken, tt_taken))
    return confirmed


def run(p):
    ck = Checks("rush-kill")
    sink = SmtpSink().start()
    c = Confero(sink.port)
    try:
        srv = c.start()
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=p["seats"], waitlist=False)
        slug = ev["slug"]
        ev_id = int(c.sql("SELECT id FROM events WHERE slug = '%s'" % slug)[0][0])
        people = [({"ticket_type_id": tt["id"], "name": "Rush %d" % i,
                    "email": "rush%d-%s@example.test" % (i, uuid.uuid4().hex[:6]),
                    "organisation": "Hub", "consent": True}, uuid.uuid4().hex)
                  for i in range(p["attempts"])]
        hist = History()
        answers = [None] * len(people)
        nxt = [0]
        done = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + p["give_up"]

        def client():
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(people):
                    return
                op, r = attempt(c, hist, slug, tt["id"], people[i], deadline)
                answers[i] = r
                with lock:
                    done[0] += 1

        # Kills at random points of the rush (by attempts finished).
        # One random moment in each of kills equal bands of the rush.
        band = 0.8 / p["kills"]
        marks = [0.1 + k * band + random.uniform(0.1, 0.9) * band for k in range(p["kills"])]
        say("%d clients, %d seats, %d people each with a key; kill -9 at %s of the attempts"
            % (p["clients"], p["seats"], len(people), ", ".join("%.0f%%" % (m * 100) for m in marks)))
        t_start = time.monotonic()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(p["clients"])]
        for t in threads:
            t.start()
        kills = []
        for m in marks:
            while True:
                with lock:
                    d = done[0]
                if d >= m * len(people) or all(not t.is_alive() for t in threads):
                    break
                time.sleep(0.01)
            t_k = time.monotonic()
            c.kill9()
            c.start()
            kills.append((d, time.monotonic() - t_k))
            say("kill -9 after %d attempts; serving again after %.2fs" % kills[-1])
        for t in threads:
            t.join(p["give_up"] + 60)
        t_rush = time.monotonic() - t_start
        ck.figure("rush_s", "%.1f" % t_rush)
        ck.figure("kills", len(kills))
        n_unknown = len(hist.of("register", outcome=UNKNOWN))
        ck.figure("unknown_outcomes_retried", n_unknown)
        ck.figure("retried_people", sum(1 for op in hist.of("register", outcome=OK) + hist.of("register", outcome=FAILED)
                                        if (op.info or 1) > 1))
        ck.check(len(kills) == p["kills"], "confero was killed %d times" % p["kills"], str(kills))
        ck.check(n_unknown > 0, "the kills cut requests off (unknown outcomes seen)", str(n_unknown))
        undecided = sum(1 for a in answers if a is None)
        ck.check(undecided == 0, "every attempt ended with a definite answer", "%d without" % undecided)
        answered = [a.json for a in answers if a is not None and a.status == 201]
        refused = {}
        for a in answers:
            if a is not None and a.status != 201:
                code = (a.json or {}).get("error", {}).get("code")
                refused[(a.status, code)] = refused.get((a.status, code), 0) + 1
        ck.figure("answered_201", len(answered))
        ck.figure("refused", dict((("%d %s" % k), v) for k, v in refused.items()))
        ck.check(set(refused) <= {(409, "sold_out")}, "the only refusal is sold out", str(refused))
        replays = sum(1 for a in answers if a is not None and a.header("Idempotent-Replayed") == "true")
        ck.figure("answers_that_were_replays", replays)
        confirmed = invariants(ck, c, slug, ev_id, tt["id"], p["seats"], answered)
        ck.check(len(answered) == len(confirmed) == min(p["seats"], len(people)),
                 "each seat went to one person who was told so",
                 "%d told, %d confirmed" % (len(answered), len(confirmed)))

        # Mail: drained after the last restart, one ticket mail each.
        t0 = time.monotonic()
        emails = {r[1].lower() for r in confirmed}
        while time.monotonic() - t0 < 120:
            left = int(c.sql("SELECT COUNT(*) FROM outbox WHERE event_id = %d AND status IN "
                             "('pending', 'sending')" % ev_id)[0][0])
            if left == 0:
                break
            time.sleep(0.5)
        ck.figure("mail_drain_after_last_restart_s", "%.1f" % (time.monotonic() - t0))
        got = {}
        for m in sink.messages:
            for to in m.rcpt_tos:
                got[to.lower()] = got.get(to.lower(), 0) + 1
        no_mail = [e for e in emails if got.get(e, 0) == 0]
        dups = sum(n - 1 for e, n in got.items() if e in emails and n > 1)
        stray = [e for e in got if e not in emails and e.startswith("rush")]
        ck.check(left == 0, "the outbox drained after the last restart", "%d left" % left)
        ck.check(not no_mail, "every confirmed registration got its ticket mail",
                 "%d of %d without" % (len(no_mail), len(emails)))
        ck.check(not stray, "no mail for anybody not registered", str(stray[:3]))
        ck.figure("duplicate_mails_from_kills", dups)
        ck.check(dups <= IN_FLIGHT_PER_KILL * len(kills),
                 "duplicates only for messages in flight at a kill",
                 "%d duplicates, at most %d in flight over %d kills"
                 % (dups, IN_FLIGHT_PER_KILL * len(kills), len(kills)))

        # The canary: the same checks must see a planted oversell and a
        # person registered twice.
        canary = Checks("rush-kill canary")
        c.sql("INSERT INTO registrations (event_id, ticket_type_id, name, email, active_email, "
              "organisation, status, holds_seat, answers, consent_at, manage_hash, language) "
              "SELECT event_id, ticket_type_id, name, email, NULL, organisation, 'confirmed', 1, "
              "answers, NOW(), UNHEX(SHA2(UUID(), 256)), language FROM registrations "
              "WHERE event_id = %d AND status = 'confirmed' LIMIT 1" % ev_id)
        invariants(canary, c, slug, ev_id, tt["id"], p["seats"], answered, label="canary: ")
        caught = [w for good, w, _ in canary.results if not good]
        ck.check(len(caught) >= 2, "canary: the checks catch a planted oversell and a double registration",
                 "caught: %r" % caught)
        c.stop()
    finally:
        try:
            if c.srv is not None and not c.srv.stopped:
                c.srv.kill()
        finally:
            sink.stop()
    return ck.done()
