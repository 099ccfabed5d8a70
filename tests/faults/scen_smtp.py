"""
Scenario 4: the SMTP relay fails.

A. The relay (aiosmtpd sink) goes down in the middle of an organiser's
   mailing while tickets are being issued, and comes back later: every
   message is delivered afterwards exactly once (by recipient and
   Message-ID); a duplicate is allowed only for a message that was in
   flight when the relay died (counted and printed).
B. A relay that drops the connection in the middle of DATA (retried,
   delivered once), a 452 (retried, delivered once), a 550 (failed at
   once, the reply recorded in the outbox).
C. A relay that accepts TCP and never answers: the sender gives up after
   CONFERO_SMTP_TIMEOUT and the message is delivered by the next attempt.
"""

import time
import uuid

from common import server_env, Checks, say, stop_checked, world_of
import harness
from harness import start_server
from rawsmtp import RawSmtp
from util_mail import SmtpSink, mail_env, pool_map, settled, wait_outbox

SHORT = dict(attendees=100, down=15.0, during=20, backoff="1,2,3,5,5,5,5,5", delay=0.01,
             settle=90, smtp_timeout=2)
FULL = dict(attendees=2000, down=120.0, during=200, backoff="5,10,20,30,30,30,30,30",
            delay=0.002, settle=400, smtp_timeout=2)


def env_for(port, p, **extra):
    e = server_env()
    e.update(mail_env(port, CONFERO_MAIL_BACKOFF=p["backoff"],
                      CONFERO_SMTP_TIMEOUT=str(p["smtp_timeout"]),
                      # longer than a batch can take: no lease expires under a live sender
                      CONFERO_MAIL_LEASE="60"))
    e.update(extra)
    return e


def register(w, slug, tt_id, n, tag):
    emails = ["%s%d-%s@example.test" % (tag, i, uuid.uuid4().hex[:8]) for i in range(n)]
    res = pool_map(lambda i: w.register(slug, tt_id, name="Mail %s %d" % (tag, i),
                                        email=emails[i]), range(n), workers=16)
    bad = [r for r in res if r.status != 201]
    harness.check(not bad, "%d registrations failed, e.g. %r" % (len(bad), bad[:1]))
    return emails


def outbox_rows(srv, slug):
    """The event's whole outbox, from MariaDB (the API lists the latest 1,000)."""
    rows = srv.db.sql("SELECT o.status, o.attempts, o.to_addr, o.kind, IFNULL(o.mailing_id, 0) "
                      "FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.slug = '%s';" % slug,
                      db=srv.db_name)
    return [{"status": a, "attempts": int(b), "to": c, "kind": d, "mailing_id": int(m)}
            for a, b, c, d, m in rows]


def wait_rows(srv, slug, pred, timeout, what):
    return wait_outbox(None, slug, pred, timeout, what, fetch=lambda: outbox_rows(srv, slug))


def part_a(ck, p):
    sink = SmtpSink().start()
    srv = start_server(env_for(sink.port, p), tag="fsmtp")
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        n = p["attendees"]
        t0 = time.monotonic()
        emails = register(w, slug, tt["id"], n, "att")
        sink.wait_for(emails, timeout=p["settle"])
        say("A: %d attendees and their ticket mails in %.1fs" % (n, time.monotonic() - t0))
        token = "MAILING-" + uuid.uuid4().hex[:10]
        sink.delay = p["delay"]
        stop_at = max(1, int(n * 0.3))
        seen = {"n": 0, "t": None}

        def hook(rec):
            if token.encode() in rec.raw:
                seen["n"] += 1
                if seen["n"] == stop_at:
                    seen["t"] = time.monotonic()
        sink.on_data = hook
        r = w.admin.post("/api/v1/events/%s/mailings" % slug, {
            "audience": "attendees", "subject": "Update " + token,
            "body": "Dear {{attendee.name}},\n\n" + token + "\n"})
        harness.expect_status(r, 202, "mailing")
        harness.check(r.json.get("recipients") == n, "mailing recipients %r" % r.json)
        mid = r.json["id"]
        harness.poll(lambda: seen["t"], 60, 0.005)
        t_stop = time.monotonic()
        sink.stop()
        at_stop = seen["n"]
        say("A: relay stopped after %d of %d mailing messages; down for %.0fs" % (at_stop, n, p["down"]))
        # Ticket issuing while the relay is down.
        during = register(w, slug, tt["id"], p["during"], "out")
        pend = lambda rows: [x for x in rows if x["status"] == "pending" and x["attempts"] >= 1]
        time.sleep(max(0.0, p["down"] - (time.monotonic() - t_stop)))
        rows = outbox_rows(srv, slug)
        waiting = len(pend(rows))
        ck.figure("a_pending_with_attempts_during_outage", waiting)
        ck.check(waiting > 0 and not [x for x in rows if x["status"] == "failed"],
                 "A: during the outage messages wait (pending, attempts counted), none failed",
                 "%d pending with attempts" % waiting)
        sink.delay = 0
        t_up = time.monotonic()
        sink.start()
        rows = wait_rows(srv, slug, lambda rows: len(rows) >= 2 * n + p["during"] and settled(rows),
                         p["settle"], "every message settled")
        t_done = time.monotonic()
        time.sleep(1.5)                         # a late duplicate would show now
        ck.figure("a_delivered_after_restart_s", round(t_done - t_up, 1))
        m = w.admin.get("/api/v1/mailings/%d" % mid).json
        ck.check((m.get("status"), m.get("total"), m.get("sent"), m.get("failed")) == ("done", n, n, 0),
                 "A: the mailing is done, every message sent", "%r" % {k: m.get(k) for k in
                                                                     ("status", "total", "sent", "failed")})
        ck.check(all(x["status"] == "sent" for x in rows), "A: every outbox row sent",
                 "%r" % sorted({x["status"] for x in rows}))
        retried = [x for x in rows if x["attempts"] >= 2]
        ck.figure("a_rows_retried", len(retried))
        ck.figure("a_max_attempts", max(x["attempts"] for x in rows))
        # Exactly once, by recipient and Message-ID.
        mailing, tickets = {}, {}
        for rec in sink.messages:
            d = mailing if token.encode() in rec.raw else tickets
            d.setdefault((rec.to, rec.message_id), []).append(rec)
        want_m = {e.lower() for e in emails}
        want_t = {e.lower() for e in emails + during}
        got_m = {k[0] for k in mailing}
        got_t = {k[0] for k in tickets}
        ck.check(got_m == want_m, "A: every mailing recipient got it",
                 "%d of %d, missing %r" % (len(got_m & want_m), n, sorted(want_m - got_m)[:3]))
        ck.check(got_t == want_t, "A: every ticket mail arrived (before and during the outage)",
                 "%d of %d" % (len(got_t & want_t), len(want_t)))
        per_rcpt = {}
        for (to, mid_), v in mailing.items():
            per_rcpt.setdefault(to, set()).add(mid_)
        ck.check(all(len(v) == 1 for v in per_rcpt.values()),
                 "A: one Message-ID per mailing recipient (a retry keeps its Message-ID)")
        dups = {k: v for k, v in list(mailing.items()) + list(tickets.items()) if len(v) > 1}
        ck.figure("a_duplicates", len(dups))
        for k, v in dups.items():
            say("A: duplicate %s %s: copies at %s" % (k[0], k[1], ", ".join(
                "%+.3fs" % (x.time - t_stop) for x in v)))
        in_flight = [k for k, v in dups.items() if len(v) == 2 and t_stop - 2.0 <= v[0].time <= t_stop + 0.5]
        senders = 2
        ck.check(len(in_flight) == len(dups) and len(dups) <= senders,
                 "A: duplicates only of messages in flight when the relay died (at most one per sender)",
                 "%d duplicates, %d in flight" % (len(dups), len(in_flight)))
        stop_checked(ck, srv)
    finally:
        sink.on_data = None
        srv.kill()
        sink.stop()


def part_bc(ck, p):
    raw = RawSmtp()
    srv = start_server(env_for(raw.port, p, CONFERO_MAIL_SENDERS="1"), tag="fsmtp2")
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        u = uuid.uuid4().hex[:8]
        e_drop, e_452, e_d452, e_550, e_ok = ("%s-%s@example.test" % (t, u)
                                              for t in ("drop", "r452", "d452", "r550", "ok"))
        raw.rule(e_drop, ["drop_in_data"])
        raw.rule(e_452, ["rcpt:452 4.2.2 mailbox full, try later"])
        raw.rule(e_d452, ["data:452 4.3.1 insufficient storage"])
        raw.rule(e_550, ["rcpt:550 5.1.1 <%s>: no such user" % e_550] * 10)
        for e in (e_drop, e_452, e_d452, e_550, e_ok):
            harness.expect_status(w.register(slug, tt["id"], name="Raw", email=e), 201, "register " + e)
        rows = wait_outbox(w.admin, slug, lambda rows: len(rows) == 5 and settled(rows), 60,
                           "five settled rows")
        time.sleep(1.5)
        by = {x["to"]: x for x in rows}
        for e, what in ((e_drop, "dropped in the middle of DATA"), (e_452, "452 at RCPT"),
                        (e_d452, "452 after the data")):
            x = by[e]
            ck.check(x["status"] == "sent" and x["attempts"] >= 2 and len(raw.got(e)) == 1,
                     "B: %s: retried, delivered once" % what,
                     "status %s attempts %s delivered %d; last_reply %r" % (
                         x["status"], x["attempts"], len(raw.got(e)), x.get("last_reply")))
        x = by[e_550]
        ck.check(x["status"] == "failed" and x["attempts"] == 1 and "550" in (x.get("last_reply") or "")
                 and not raw.got(e_550),
                 "B: 550: failed at once, the reply recorded in the outbox",
                 "status %s attempts %s last_reply %r" % (x["status"], x["attempts"], x.get("last_reply")))
        ck.check(by[e_ok]["status"] == "sent" and len(raw.got(e_ok)) == 1, "B: the others delivered once")
        mids = {m for a, m, _ in raw.accepted if a == e_drop.lower()}
        ck.check(len(mids) == 1, "B: the retried message kept its Message-ID")

        # C: a relay that accepts the connection and never answers.
        raw.hang_next = 1
        e_hang = "hang-%s@example.test" % u
        t0 = time.monotonic()
        harness.expect_status(w.register(slug, tt["id"], name="Hang", email=e_hang), 201, "register")
        rows = wait_outbox(w.admin, slug, lambda rows: any(x["to"] == e_hang and x["status"] == "sent"
                                                           for x in rows), 60, "the hung message sent")
        t_sent = time.monotonic() - t0
        time.sleep(1.0)
        hung = [c for c in raw.conns if c["mode"] == "hang"]
        x = [r for r in rows if r["to"] == e_hang][0]
        gave_up = (hung[0]["t_close"] - hung[0]["t_open"]) if hung and hung[0]["t_close"] else None
        ck.figure("c_smtp_timeout_s", p["smtp_timeout"])
        ck.figure("c_hung_connection_closed_by_confero_after_s", None if gave_up is None else round(gave_up, 2))
        ck.figure("c_delivered_after_s", round(t_sent, 2))
        ck.check(hung and hung[0]["closed_by"] == "client" and gave_up is not None and
                 gave_up <= p["smtp_timeout"] + 2.0,
                 "C: a relay that never answers is given up after CONFERO_SMTP_TIMEOUT (+2 s)",
                 "closed after %s s" % (None if gave_up is None else round(gave_up, 2)))
        ck.check(x["attempts"] >= 2 and len(raw.got(e_hang)) == 1,
                 "C: then retried and delivered once", "attempts %s, delivered %d"
                 % (x["attempts"], len(raw.got(e_hang))))
        stop_checked(ck, srv)
    finally:
        srv.kill()
        raw.stop()


def run(p):
    ck = Checks("smtp")
    part_a(ck, p)
    part_bc(ck, p)
    return ck.done()
