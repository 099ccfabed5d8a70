"""
Email (issue 4): ticket mails and their MIME layout (inline QR, ticket.png,
event.ics), one message per registration change, escaping and header
safety of names, RFC 2047, the durable outbox through SMTP outages, 5xx
and 4xx replies, a kill -9 in the middle of a 1,000-recipient mailing,
organiser mailings (speakers, audiences, preview, status counts) and
`confero mailer` on its own.

Everything goes to a real SMTP server on loopback (util_mail.SmtpSink).
One server and one sink for the module; the outage, crash and mailer
tests start their own.
"""

import datetime
import html as htmlmod
import html.parser as html_parser
import os
import re
import signal
import subprocess
import time

import harness
from harness import TestFailure, check, expect_error, expect_status, start_server
from util_events import (World, expect_fields, parallel, uniq, uniq_email, url_path,
                         zbar_decode)
from util_mail import (SENDER_BATCH, mail_world, stop_mail_world, SMTP_FROM_NAME, SmtpSink, attachments,
                       check_common_headers, html_part, images, mail_env, mailing, outbox, pool_map,
                       raw_header_lines, settled, single_to, structure, text_part,
                       ticket_structure, wait_mailing_done, wait_outbox)

SINK = None
W = None
EVENT_START_UTC = datetime.datetime(2027, 5, 14, 7, 0, tzinfo=datetime.timezone.utc)
EVENT_END_UTC = datetime.datetime(2027, 5, 15, 16, 0, tzinfo=datetime.timezone.utc)


def setup_module():
    global SINK, W
    SINK, W = mail_world("mail")


def teardown_module():
    stop_mail_world(SINK, W)


# --------------------------------------------------------------------------
# helpers

def reg_rows(rows, reg_id):
    """Outbox rows of one registration, oldest first."""
    return sorted((x for x in rows if x.get("registration_id") == reg_id), key=lambda x: x["id"])


def wait_settled(slug, n, timeout=30, client=None):
    """Wait until the event's outbox has n rows, none pending or sending."""
    return wait_outbox(client or W.admin, slug,
                       lambda rows: len(rows) >= n and settled(rows), timeout,
                       "%d settled rows" % n)


def only_mail(addr, sink=None, settle=1.2):
    """The one message to addr (after a pause in which a duplicate would show)."""
    s = sink or SINK
    s.wait_for([addr])
    time.sleep(settle)
    got = s.to(addr)
    check(len(got) == 1, "want exactly one message to %s, got %d: %r" % (addr, len(got), got))
    return got[0]


def ics_event(ics_bytes):
    import icalendar
    try:
        cal = icalendar.Calendar.from_ical(ics_bytes)
    except Exception as e:          # noqa: BLE001
        raise TestFailure("event.ics does not parse (%r):\n%s" % (e, ics_bytes[:2000]))
    evs = list(cal.walk("VEVENT"))
    check(len(evs) == 1, "event.ics: want one VEVENT, got %d:\n%s" % (len(evs), ics_bytes[:2000]))
    return evs[0]


def as_utc(dt, what):
    check(isinstance(dt, datetime.datetime) and dt.tzinfo is not None,
          "%s is not an absolute time: %r" % (what, dt))
    return dt.astimezone(datetime.timezone.utc)


def has_ticket(rec):
    return bool(images(rec.msg)) or "ticket.png" in attachments(rec.msg)


def check_ticket_mail(rec, email_addr, name, code, manage_url=None, from_name=SMTP_FROM_NAME):
    """The whole ticket-mail contract for one received message."""
    check_common_headers(rec, from_name)
    dn = single_to(rec, email_addr)
    check(dn == name, "To display name: want %r, got %r" % (name, dn))
    text, html, inline_png, att_png, ics = ticket_structure(rec.msg)
    got = zbar_decode(inline_png)
    check(got == [code], "inline QR decodes to %r, want [%r]" % (got, code))
    got = zbar_decode(att_png)
    check(got == [code], "ticket.png decodes to %r, want [%r]" % (got, code))
    check(code in text, "the text part lacks the ticket code %s:\n%s" % (code, text))
    if manage_url is not None:
        check(manage_url in text, "the text part lacks the manage link %s:\n%s" % (manage_url, text))
    return text, html, ics


def register(slug, tt_id, name, email_addr=None, status="confirmed", **kw):
    e = email_addr or uniq_email("m")
    reg = W.registered(slug, tt_id, status=status, name=name, email=e, **kw)
    reg["_email"] = e
    reg["_name"] = name
    return reg


def post_mailing(slug, audience, subject, body, preview=False, client=None):
    return (client or W.admin).post("/api/v1/events/%s/mailings%s"
                                    % (slug, "/preview" if preview else ""),
                                    {"audience": audience, "subject": subject, "body": body})


# --------------------------------------------------------------------------
# 1. ticket mails

def test_ticket_mail_per_confirmed_registration():
    ev, tt = W.simple_event(capacity=10, name="Mail Test Conf " + uniq("n"))
    slug = ev["slug"]
    names = ("Ana Novak", "Bojan Kralj", "Cene Zupan")
    regs = [register(slug, tt["id"], n) for n in names]
    rows = wait_settled(slug, 3)
    recs = [only_mail(r["_email"]) for r in regs]
    mids = set()
    for reg, name, rec in zip(regs, names, recs):
        code = reg["ticket"]["code"]
        text, html, ics = check_ticket_mail(rec, reg["_email"], name, code, reg["manage_url"])
        check(str(rec.msg["Subject"]).strip(), "empty Subject")
        vev = ics_event(ics)
        check(str(vev.get("SUMMARY")) == ev["name"], "event.ics SUMMARY %r, want %r"
              % (str(vev.get("SUMMARY")), ev["name"]))
        check(as_utc(vev.decoded("DTSTART"), "DTSTART") == EVENT_START_UTC,
              "event.ics DTSTART %r, want %s" % (vev.decoded("DTSTART"), EVENT_START_UTC))
        check(as_utc(vev.decoded("DTEND"), "DTEND") == EVENT_END_UTC,
              "event.ics DTEND %r, want %s" % (vev.decoded("DTEND"), EVENT_END_UTC))
        check("Cankarjev dom" in str(vev.get("LOCATION", "")),
              "event.ics LOCATION %r" % vev.get("LOCATION"))
        check(rec.message_id not in mids, "Message-ID reused: %s" % rec.message_id)
        mids.add(rec.message_id)
        # The link in the mail opens the registration.
        r = W.anon().get(url_path(reg["manage_url"]))
        expect_status(r, 200, "manage link from the mail")
    # The outbox: one sent "confirmed" row per registration.
    for reg, name in zip(regs, names):
        rr = reg_rows(rows, reg["id"])
        check(len(rr) == 1, "outbox rows for registration %d: %r" % (reg["id"], rr))
        x = rr[0]
        check(x.get("kind") == "confirmed" and x.get("status") == "sent" and
              x.get("to") == reg["_email"] and x.get("to_name") == name and
              x.get("attempts") == 1 and x.get("sent_at") and x.get("mailing_id") is None,
              "outbox row: %r" % x)
    check(len(rows) == 3, "outbox has %d rows for 3 registrations: %r" % (len(rows), rows))
    sent = outbox(W.admin, slug, "sent")
    check(len(sent) == 3 and not outbox(W.admin, slug, "pending"),
          "outbox ?status= filter: sent %r" % sent)


def test_every_registration_change_sends_one_message():
    # Registrations first; each change waits until the registration's first
    # mail is out (a ticket mail still queued when its ticket is cancelled
    # is another matter: test_stale_ticket_mail_is_not_sent).
    ev, tt = W.simple_event(capacity=1, waitlist=True)
    slug = ev["slug"]
    a = register(slug, tt["id"], "Alenka Ahac")
    b = register(slug, tt["id"], "Boris Bele", status="waitlisted")
    ev2 = W.event(capacity=None)
    tt2 = W.ttype(ev2["slug"], name="Press", requires_approval=True)
    p1 = register(ev2["slug"], tt2["id"], "Petra Prva", status="pending_approval")
    p2 = register(ev2["slug"], tt2["id"], "Peter Drugi", status="pending_approval")
    ev3 = W.event(capacity=None)
    tt3 = W.ttype(ev3["slug"], name="Paid", price_cents=2500, currency="EUR")
    q = register(ev3["slug"], tt3["id"], "Quirin Plačnik", status="pending_payment")
    ev4, tt4 = W.simple_event()
    c = register(ev4["slug"], tt4["id"], "Cilka Cankar")
    d = register(ev4["slug"], tt4["id"], "Darko Dolenc")
    ev5 = W.event(capacity=1, waitlist=True)
    tt5 = W.ttype(ev5["slug"], name="Paid", price_cents=1000, currency="EUR")
    x = register(ev5["slug"], tt5["id"], "Xenija Plača", status="pending_payment")
    y = register(ev5["slug"], tt5["id"], "Yvo Čakalni", status="waitlisted")
    SINK.wait_for([r["_email"] for r in (a, b, p1, p2, q, c, d, x, y)])
    # Waiting list: A cancels through the manage link (cancelled), B moves
    # up (promoted, with a ticket).
    expect_status(W.manage(a, "DELETE"), 200, "A cancels through the manage link")
    b_code = (W.manage(b).json.get("ticket") or {}).get("code")
    check(b_code, "B was promoted with a ticket")
    # Approval: approved (ticket) and rejected.
    r = W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (ev2["slug"], p1["id"]))
    expect_status(r, 200, "approve")
    p1_code = r.json["ticket"]["code"]
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/reject"
                               % (ev2["slug"], p2["id"])), 200, "reject")
    # Payment: confirmed with a ticket.
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid"
                               % (ev3["slug"], q["id"])), 200, "mark-paid")
    q_code = W.reg(ev3["slug"], q["id"])["ticket"]["code"]
    # Organiser cancel; reissue (new code); resend (same code).
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/cancel"
                               % (ev4["slug"], c["id"])), 200, "organiser cancel")
    d_old = d["ticket"]["code"]
    r = W.admin.post("/api/v1/events/%s/registrations/%d/reissue" % (ev4["slug"], d["id"]))
    expect_status(r, 200, "reissue")
    d_new = r.json["ticket"]["code"]
    check(d_new != d_old, "reissue kept the code")
    # Let the reissue mail go first, so that the two ticket_resent mails
    # can be told apart by order.
    SINK.wait_for([d["_email"]], count=2)
    # A paid ticket type: the promotion is to pending_payment (no ticket
    # yet); paying confirms with a ticket.
    expect_status(W.manage(x, "DELETE"), 200, "X cancels")
    check(W.reg(ev5["slug"], y["id"]).get("status") == "pending_payment",
          "Y promoted to pending_payment: %r" % W.reg(ev5["slug"], y["id"]))
    SINK.wait_for([y["_email"]], count=2)
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid"
                               % (ev5["slug"], y["id"])), 200, "Y pays")
    y_code = W.reg(ev5["slug"], y["id"])["ticket"]["code"]
    r = W.admin.post("/api/v1/events/%s/registrations/%d/resend" % (ev4["slug"], d["id"]))
    expect_status(r, 202, "resend")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/resend" % (ev4["slug"], c["id"]))
    check(r.status == 409, "resend for a cancelled registration: want 409, got %r" % r)
    r = W.admin.post("/api/v1/events/%s/registrations/%d/resend" % (ev4["slug"], 999999999))
    check(r.status == 404, "resend for an unknown registration: want 404, got %r" % r)

    # kinds per registration (outbox) and (ticket?, code) per mail, in order
    cases = [
        (slug, a, ["confirmed", "cancelled"], [a["ticket"]["code"], None]),
        (slug, b, ["waitlisted", "promoted"], [None, b_code]),
        (ev2["slug"], p1, ["pending_approval", "approved"], [None, p1_code]),
        (ev2["slug"], p2, ["pending_approval", "rejected"], [None, None]),
        (ev3["slug"], q, ["pending_payment", "confirmed"], [None, q_code]),
        (ev4["slug"], c, ["confirmed", "cancelled"], [c["ticket"]["code"], None]),
        (ev4["slug"], d, ["confirmed", "ticket_resent", "ticket_resent"], [d_old, d_new, d_new]),
        (ev5["slug"], x, ["pending_payment", "cancelled"], [None, None]),
        (ev5["slug"], y, ["waitlisted", "promoted", "confirmed"], [None, None, y_code]),
    ]
    for s in {x[0] for x in cases}:
        want = sum(len(k) for (sl, _, k, _) in cases if sl == s)
        wait_settled(s, want)
    for s, reg, kinds, codes in cases:
        rows = reg_rows(outbox(W.admin, s), reg["id"])
        got = [x["kind"] for x in rows]
        check(got == kinds, "%s: outbox kinds %r, want %r (%r)" % (reg["_name"], got, kinds, rows))
        check(all(x["status"] == "sent" for x in rows), "not all sent: %r" % rows)
        SINK.wait_for([reg["_email"]], count=len(kinds))
    time.sleep(1.2)
    for s, reg, kinds, codes in cases:
        mails = sorted(SINK.to(reg["_email"]), key=lambda m: m.seq)
        check(len(mails) == len(kinds), "%s: want %d messages (%r), got %d"
              % (reg["_email"], len(kinds), kinds, len(mails)))
        mids = {m.message_id for m in mails}
        check(len(mids) == len(mails), "%s: Message-IDs not distinct: %r" % (reg["_email"], mids))
        for kind, code, rec in zip(kinds, codes, mails):
            check_common_headers(rec)
            single_to(rec, reg["_email"])
            if code is None:
                check(not has_ticket(rec), "%s mail (%s) carries a ticket image:%s"
                      % (kind, reg["_email"], structure(rec.msg)))
                check(text_part(rec.msg), "%s mail without a text part" % kind)
            else:
                check_ticket_mail(rec, reg["_email"], reg["_name"], code)


def test_stale_ticket_mail_is_not_sent():
    # The relay refuses the first DATA for this address (451), so the
    # confirmation is still queued when the organiser cancels: the retry
    # must not mail the revoked ticket; the cancellation goes out.
    ev, tt = W.simple_event()
    slug = ev["slug"]
    e = uniq_email("stale")
    SINK.script(e, data=["451 4.3.0 try again later"])
    reg = register(slug, tt["id"], "Stale Ticket", email_addr=e)
    SINK.wait(lambda msgs: [1 for a, _, _ in SINK.data_refused if a == e.lower()], 10,
              "the first DATA for %s" % e)
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, reg["id"])),
                  200, "organiser cancel")
    rows = wait_settled(slug, 2)
    rr = reg_rows(rows, reg["id"])
    check([x["kind"] for x in rr] == ["confirmed", "cancelled"], "kinds: %r" % rr)
    check(rr[0]["status"] == "skipped" and rr[0].get("last_reply"),
          "the queued ticket mail of a cancelled registration: want skipped (with a reason), "
          "got %r" % rr[0])
    check(rr[1]["status"] == "sent", "the cancellation: %r" % rr[1])
    time.sleep(1.0)
    got = SINK.to(e)
    check(len(got) == 1 and not has_ticket(got[0]),
          "want only the cancellation (no ticket) delivered, got %d message(s)%s"
          % (len(got), "".join(structure(x.msg) for x in got)))


# --------------------------------------------------------------------------
# 2-4. names: HTML escaping, header injection, RFC 2047

def test_script_name_escaped_in_html():
    ev, tt = W.simple_event()
    names = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)> & Co"]
    regs = [register(ev["slug"], tt["id"], n) for n in names]
    for name, reg in zip(names, regs):
        rec = only_mail(reg["_email"])
        text, html, _ = check_ticket_mail(rec, reg["_email"], name, reg["ticket"]["code"],
                                          reg["manage_url"])
        check("<script" not in html.lower(), "raw <script> tag in the HTML part:\n%s" % html)
        check("<img src=x" not in html.lower(), "raw <img> from the name in the HTML part:\n%s"
              % html)
        check(name in htmlmod.unescape(re.sub(r"<[^>]*>", "", html)),
              "the name does not read back from the HTML part:\n%s" % html)
        check(name in text, "the text part lacks the name verbatim:\n%s" % text)


def test_header_injection_refused_by_the_api():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    for bad in ("Eve\r\nBcc: victim@example.org", "Eve\nBcc: victim@example.org",
                "Eve\rBcc: victim@example.org", "Eve\u2028Bcc: victim@example.org",
                "Eve\u0085Bcc: victim@example.org", "Eve\tBcc: victim@example.org"):
        r = W.register(slug, tt["id"], name=bad, email=uniq_email("eve"))
        f = expect_fields(r, "name", "register with name %r" % bad)
        check(f["name"] == "invalid_characters", "name %r: want invalid_characters, got %r"
              % (bad, f))
    for bad in ("eve@example.org\r\nBcc: victim@example.org", "eve@example.org, victim@example.org",
                "Eve <eve@example.org>", "eve@example.org>\r\nBcc:victim@example.org"):
        r = W.register(slug, tt["id"], name="Eve", email=bad)
        expect_fields(r, "email", "register with email %r" % bad)
    for bad in ("Hello\r\nBcc: victim@example.org", "Hello\nBcc: victim@example.org",
                "Hello\u2028Bcc: victim@example.org"):
        for preview in (False, True):
            r = post_mailing(slug, "attendees", bad, "Hello {{attendee.name}}", preview=preview)
            f = expect_fields(r, "subject", "mailing%s with subject %r"
                              % (" preview" if preview else "", bad))
            check(f["subject"] == "invalid_characters", "subject %r: %r" % (bad, f))
    r = W.admin.post("/api/v1/events/%s/speakers" % slug,
                     {"name": "Spk\r\nBcc: victim@example.org", "email": uniq_email("spk")})
    expect_fields(r, "name", "speaker with CR/LF in the name")
    r = W.admin.post("/api/v1/events", {"slug": uniq("ev"), "name": "Conf\r\nBcc: victim@example.org",
                                        "timezone": "Europe/Ljubljana",
                                        "starts_at": "2027-05-14T09:00:00+02:00",
                                        "ends_at": "2027-05-15T18:00:00+02:00"})
    expect_fields(r, "name", "event with CR/LF in the name", exact=False)
    r = W.admin.get("/api/v1/events/%s/mailings" % slug)
    expect_status(r, 200, "mailings list")
    check(r.json.get("mailings") == [], "refused mailings were stored: %r" % r)


def test_special_and_long_names_single_recipient():
    ev, tt = W.simple_event(name="Header Safety")
    slug = ev["slug"]
    long_utf8 = ("Ana-Marija Žnidaršič " * 12)[:200].rstrip()
    long_ascii = ("O'Neil, Jr. (the \"Third\") <x@example.org>; " * 6)[:200].rstrip()
    names = [
        "Mallory <victim@example.org>, Bcc: victim2@example.org",
        "\"Eve\" <victim@example.org>; x@example.org",
        "Bcc: victim@example.org",
        "a@b.example, c@d.example",
        "Back\\slash \"quoted\" (comment) [x]: y;",
        long_utf8,
        long_ascii,
        "x" * 200,
    ]
    regs = [register(slug, tt["id"], n) for n in names]
    wait_settled(slug, len(regs))
    for n, reg in zip(names, regs):
        rec = only_mail(reg["_email"], settle=0.2)
        check_common_headers(rec)
        dn = single_to(rec, reg["_email"])
        check(dn == n, "To display name does not decode back:\n want %r\n got  %r\n raw %r"
              % (n, dn, raw_header_lines(rec.raw, "To")))
        for line in rec.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            check(len(line) <= 998, "header line longer than 998 octets: %r" % line[:120])
    time.sleep(0.5)
    stray = [x for x, _ in SINK.rcpt_log if "victim" in x or x.endswith(".example")]
    check(not stray, "mail went to an address taken from a name: %r" % stray)


def test_non_ascii_names_rfc2047():
    ev, tt = W.simple_event(name="Konferenca Čarobni Šotor")
    slug = ev["slug"]
    names = ["Čedo Šimić", "Шишков Иван", "Ödön Pásztor", "李小龍", "Zoë O'Brien-Ñúñez",
             "Ana 😀 Novak"]
    regs = [register(slug, tt["id"], n) for n in names]
    wait_settled(slug, len(regs))
    for n, reg in zip(names, regs):
        rec = only_mail(reg["_email"], settle=0.2)
        check_common_headers(rec)
        raw_to = raw_header_lines(rec.raw, "To")
        check(len(raw_to) == 1 and b"=?" in raw_to[0], "To for %r is not RFC 2047-encoded: %r"
              % (n, raw_to))
        dn = single_to(rec, reg["_email"])
        check(dn == n, "To display name: want %r, got %r (raw %r)" % (n, dn, raw_to))
        text = text_part(rec.msg)
        check(n in text, "the text part lacks the name %r:\n%s" % (n, text))
    # The subject (event name in it or not) decodes without defects.
    for reg in regs:
        rec = SINK.to(reg["_email"])[0]
        subj = rec.msg["Subject"]
        check(not subj.defects, "Subject defects %r: %r" % (subj.defects,
                                                          raw_header_lines(rec.raw, "Subject")))
        check("\ufffd" not in str(subj), "Subject decodes with U+FFFD: %r" % str(subj))


def test_idn_domain_sent_in_ascii_form():
    # A UTF-8 domain is valid for registration; SMTP and the headers get
    # its IDNA (xn--) form, and the message is delivered, not failed.
    ev, tt = W.simple_event()
    slug = ev["slug"]
    local = uniq("idn")
    reg = register(slug, tt["id"], "Špela Žužek", email_addr="%s@šola-žiri.si" % local)
    rows = wait_settled(slug, 1)
    rr = [x for x in rows if x.get("registration_id") == reg["id"]]
    check(rr and rr[0]["status"] == "sent", "IDN recipient: want sent, got %r" % rr)
    ascii_addr = "%s@%s" % (local, "šola-žiri.si".encode("idna").decode())
    got = SINK.to(ascii_addr)
    check(len(got) == 1, "want one message to %s, got %d" % (ascii_addr, len(got)))
    check(ascii_addr in str(got[0].msg["To"]), "To header: %r" % str(got[0].msg["To"]))


# --------------------------------------------------------------------------
# 7, 9. SMTP replies

def test_5xx_fails_at_once():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    ea, eb, ec, ed = (uniq_email(t) for t in ("rcpt550", "data554", "okc", "okd"))
    SINK.script(ea, rcpt=[("550 5.1.1 <%s>: mailbox unavailable" % ea, True)])
    SINK.script(eb, data=[("554 5.7.1 message refused", True)])
    regs = {}
    for e in (ea, ec, eb, ed):
        regs[e] = register(slug, tt["id"], "Five Hundred", email_addr=e)
    rows = wait_settled(slug, 4)
    time.sleep(2.5)                 # longer than a backoff step: no retry must follow
    rows = outbox(W.admin, slug)
    by = {x["to"]: x for x in rows}
    for e, code in ((ea, "550"), (eb, "554")):
        x = by[e]
        check(x["status"] == "failed", "%s (%s): want failed, got %r" % (e, code, x))
        check(x["attempts"] == 1, "%s: a 5xx must fail at once, attempts %r" % (e, x))
        check(code in (x.get("last_reply") or ""), "%s: last_reply should carry the %s reply: %r"
              % (e, code, x))
        check(x.get("sent_at") is None, "%s: failed but sent_at set: %r" % (e, x))
        check(not SINK.to(e), "%s: refused message was kept?" % e)
    check(len(SINK.rcpts(ea)) == 1, "RCPT for %s tried %d times" % (ea, len(SINK.rcpts(ea))))
    check(len([1 for a, _, _ in SINK.data_refused if a == eb.lower()]) == 1,
          "DATA for %s tried more than once" % eb)
    for e in (ec, ed):
        check(by[e]["status"] == "sent", "%s: want sent, got %r" % (e, by[e]))
        check(len(SINK.to(e)) == 1, "%s: want one message" % e)


def test_4xx_then_success():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    e1, e2 = uniq_email("rcpt451"), uniq_email("data451")
    SINK.script(e1, rcpt=["451 4.3.0 try again later"])
    SINK.script(e2, data=["451 4.3.0 try again later"])
    r1 = register(slug, tt["id"], "Greylisted One", email_addr=e1)
    r2 = register(slug, tt["id"], "Greylisted Two", email_addr=e2)
    rows = wait_settled(slug, 2, timeout=30)
    by = {x["to"]: x for x in rows}
    for e, reg in ((e1, r1), (e2, r2)):
        x = by[e]
        check(x["status"] == "sent", "%s: want sent after a retry, got %r" % (e, x))
        check(x["attempts"] >= 2, "%s: want attempts >= 2, got %r" % (e, x))
        rec = only_mail(e, settle=0.5)
        check_ticket_mail(rec, e, reg["_name"], reg["ticket"]["code"], reg["manage_url"])
    check(SINK.rcpts(e1)[:1] == ["451 4.3.0 try again later"] and len(SINK.rcpts(e1)) == 2,
          "RCPT replies for %s: %r" % (e1, SINK.rcpts(e1)))
    refused = [raw for a, _, raw in SINK.data_refused if a == e2.lower()]
    check(len(refused) == 1, "DATA refusals for %s: %d" % (e2, len(refused)))
    from util_mail import parse
    first = str(parse(refused[0]).get("Message-ID", "")).strip()
    check(first == SINK.to(e2)[0].message_id,
          "the retry changed the Message-ID: %r then %r" % (first, SINK.to(e2)[0].message_id))


# --------------------------------------------------------------------------
# 8, 10. organiser mailings

def test_speakers_mailing():
    ev, tt = W.simple_event(name="Speakers Conf")
    slug = ev["slug"]
    s1e, s2e = uniq_email("spk1"), uniq_email("spk2")
    s1 = W.speaker(slug, name="Sonja Prva", email=s1e, organisation="Uni LJ")
    s2 = W.speaker(slug, name="Stane Drugi", email=s2e)
    s3 = W.speaker(slug, name="Silent Tretji")                      # no email
    t = {k: uniq(k) for k in ("T1", "T2", "T3", "T4")}
    W.session(slug, title=t["T1"], room="Hall Alpha", speaker_ids=[s1["id"]],
              starts_at="2027-05-14T10:00:00+02:00", ends_at="2027-05-14T11:00:00+02:00")
    W.session(slug, title=t["T2"], room="Hall Beta", speaker_ids=[s2["id"]],
              starts_at="2027-05-14T11:00:00+02:00", ends_at="2027-05-14T12:00:00+02:00")
    W.session(slug, title=t["T3"], room="Hall Gamma", speaker_ids=[s1["id"], s2["id"]],
              starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T15:00:00+02:00")
    W.session(slug, title=t["T4"], room="Hall Delta", speaker_ids=[s3["id"]],
              starts_at="2027-05-15T10:00:00+02:00", ends_at="2027-05-15T11:00:00+02:00")
    att = register(slug, tt["id"], "Attendee Only")
    body = ("Dear {{attendee.name}},\n\nyour sessions at {{event.name}}:\n"
            "{{#sessions}}* {{title}} | {{starts_at}} | {{room}}\n{{/sessions}}\nThank you.\n")
    subject = "Your talks " + uniq("subj")
    r = post_mailing(slug, "speakers", subject, body, preview=True)
    expect_status(r, 200, "speakers preview")
    p = r.json
    check(p.get("recipients") == 2, "preview recipients: want 2, got %r" % p)
    check(t["T1"] in p["text"] and t["T3"] in p["text"] and t["T2"] not in p["text"] and
          "Sonja Prva" in p["text"], "preview text for the first speaker:\n%s" % p.get("text"))
    r = post_mailing(slug, "speakers", subject, body)
    expect_status(r, 202, "speakers mailing")
    check(r.json.get("recipients") == 2 and isinstance(r.json.get("id"), int),
          "speakers mailing: %r" % r)
    m = wait_mailing_done(W.admin, r.json["id"], 30)
    check((m.get("total"), m.get("sent"), m.get("failed"), m.get("pending")) == (2, 2, 0, 0),
          "mailing status: %r" % m)
    wait_settled(slug, 3)
    time.sleep(1.0)
    mine = {s1e: ("Sonja Prva", ["T1", "T3"], ["Hall Alpha", "Hall Gamma"]),
            s2e: ("Stane Drugi", ["T2", "T3"], ["Hall Beta", "Hall Gamma"])}
    for e, (name, want, rooms) in mine.items():
        got = SINK.to(e)
        check(len(got) == 1, "speaker %s: want one message, got %d" % (e, len(got)))
        rec = got[0]
        check_common_headers(rec)
        check(single_to(rec, e) == name, "speaker To name")
        check(subject in str(rec.msg["Subject"]), "Subject %r lacks %r" % (rec.msg["Subject"], subject))
        check(rec.msg.get("List-Unsubscribe"), "organiser mailing without List-Unsubscribe")
        text = text_part(rec.msg)
        for k in ("T1", "T2", "T3", "T4"):
            if k in want:
                check(t[k] in text, "%s's mail lacks their session %s:\n%s" % (name, k, text))
            else:
                check(t[k] not in text, "%s's mail lists %s, not theirs:\n%s" % (name, k, text))
        for room in rooms:
            check(room in text, "%s's mail lacks the room %s:\n%s" % (name, room, text))
        check("Dear %s," % name in text, "salutation:\n%s" % text)
        html = html_part(rec.msg)
        check(html and t[want[0]] in html, "HTML part lacks the sessions:\n%s" % html)
    check(len(SINK.to(att["_email"])) == 1, "the attendee got the speakers' mailing")


class _Rows(html_parser.HTMLParser):
    """The text of every <tr> of an HTML part (nested rows included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.rows, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.open.append(len(self.text))
        elif tag == "br":
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag == "tr" and self.open:
            self.rows.append(" ".join("".join(self.text[self.open.pop():]).split()))

    def handle_data(self, data):
        self.text.append(data)


def html_rows(html):
    p = _Rows()
    p.feed(html)
    p.close()
    return p.rows, " ".join("".join(p.text).split())


def crlf(s):
    return (s or "").replace("\r\n", "\n").rstrip()


def mailing_to(addr, token):
    got = [x for x in SINK.to(addr) if token.encode() in x.raw]
    check(len(got) == 1, "%s: want one message of mailing %s, got %d" % (addr, token, len(got)))
    return got[0]


def check_own_sessions(who, text, html, mine, others):
    """text and html list exactly the sessions in mine, once each, under
    one "Your sessions" heading: mine and others are lists of (title,
    day-and-time in the event's zone, end time, room or None)."""
    check(text.lower().count("your sessions") == 1,
          "%s: want one \"Your sessions\" heading in the text part:\n%s" % (who, text))
    rows, flat = html_rows(html)
    check(flat.lower().count("your sessions") == 1,
          "%s: want one \"Your sessions\" heading in the HTML part:\n%s" % (who, flat))
    for title, start, end, room in mine:
        lines = [ln for ln in text.split("\n") if title in ln]
        check(len(lines) == 1 and text.count(title) == 1,
              "%s: session %s is not listed exactly once in the text part:\n%s" % (who, title, text))
        ln = lines[0]
        check(all(p in ln for p in start.split("|")) and end in ln,
              "%s: %s without its time (%s to %s) in the event's zone: %r" % (who, title, start, end, ln))
        check((room in ln) if room else ("(" not in ln),
              "%s: %s with the wrong room (want %r): %r" % (who, title, room, ln))
        check(flat.count(title) == 1, "%s: %s not exactly once in the HTML part:\n%s" % (who, title, flat))
        row = min((r for r in rows if title in r), key=len)
        check(all(p in row for p in start.split("|")) and end in row and (room is None or room in row),
              "%s: the HTML row of %s lacks its time %s-%s or room %r: %r" % (who, title, start, end, room, row))
    for title, _, _, _ in others:
        check(title not in text and title not in html,
              "%s: the mail lists %s, someone else's session:\n%s" % (who, title, text))


def test_speakers_mailing_frame_lists_own_sessions():
    # Times given in UTC, shown in the event's zone (Tokyo: UTC+9, no DST).
    ev, tt = W.simple_event(name="Frame Conf " + uniq("f"), timezone="Asia/Tokyo",
                            starts_at="2027-05-14T00:00:00Z", ends_at="2027-05-15T10:00:00Z")
    slug = ev["slug"]
    emails = [uniq_email("fa"), uniq_email("fb"), uniq_email("fz")]
    sa = W.speaker(slug, name="Ana Prva", email=emails[0])
    sb = W.speaker(slug, name="Bor Drugi", email=emails[1])
    W.speaker(slug, name="Zala Brez", email=emails[2])                 # no sessions
    t = {k: uniq(k) for k in ("T1", "T2", "T3")}
    s1 = W.session(slug, title=t["T1"], room="Hall Alpha", speaker_ids=[sa["id"]],
                   requires_signup=True, capacity=10,
                   starts_at="2027-05-14T01:00:00Z", ends_at="2027-05-14T02:00:00Z")
    W.session(slug, title=t["T2"], room="Hall Beta", speaker_ids=[sb["id"]],
              starts_at="2027-05-14T03:00:00Z", ends_at="2027-05-14T04:30:00Z")
    W.session(slug, title=t["T3"], room="", speaker_ids=[sa["id"], sb["id"]],
              starts_at="2027-05-15T00:30:00Z", ends_at="2027-05-15T01:15:00Z")
    att = register(slug, tt["id"], "Attendee Signed", session_ids=[s1["id"]])
    # English mails write dates as CLDR's English does ("Friday, May 14,
    # 2027 at 10:00 AM"): the parts are checked, not the glue between them.
    T1 = (t["T1"], "Friday|May 14, 2027|10:00", "11:00", "Hall Alpha")
    T2 = (t["T2"], "Friday|May 14, 2027|12:00", "1:30", "Hall Beta")
    T3 = (t["T3"], "Saturday|May 15, 2027|9:30", "10:15", None)
    own = {emails[0]: ("Ana Prva", [T1, T3], [T2]), emails[1]: ("Bor Drugi", [T2, T3], [T1])}

    def send(audience, body):
        token = uniq("tok")
        subject = "Thanks " + token
        r = post_mailing(slug, audience, subject, body + "\n" + token + "\n", preview=True)
        expect_status(r, 200, "preview of %s" % token)
        preview = r.json
        r = post_mailing(slug, audience, subject, body + "\n" + token + "\n")
        expect_status(r, 202, "mailing %s" % token)
        m = wait_mailing_done(W.admin, r.json["id"], 30)
        check(m.get("sent") == m.get("total") == r.json["recipients"], "mailing %s: %r" % (token, m))
        return token, preview

    def parts(addr, token):
        rec = mailing_to(addr, token)
        text, html = text_part(rec.msg), html_part(rec.msg)
        check(text and html, "%s: want a text and an HTML part: %s" % (addr, structure(rec.msg)))
        return crlf(text), html

    # 1. The organiser knows no section syntax: the frame lists them.
    token, p = send("speakers", "Dear speaker, thank you for speaking at {{event.name}}.")
    for addr, (name, mine, others) in own.items():
        text, html = parts(addr, token)
        check("thank you for speaking at " + ev["name"] in text, "%s: body:\n%s" % (name, text))
        check_own_sessions(name, text, html, mine, others)
        if addr == emails[0]:
            # The preview is the first speaker's mail, as it arrives.
            check(crlf(p["text"]) == text, "preview text differs from %s's mail:\n%s\n----\n%s"
                  % (name, p["text"], text))
            check(crlf(p["html"]) == crlf(html), "preview HTML differs from %s's mail" % name)
    text, html = parts(emails[2], token)
    check("your sessions" not in text.lower() and "your sessions" not in html_rows(html)[1].lower(),
          "a speaker without sessions got a sessions heading:\n%s" % text)
    check(all(x[0] not in text and x[0] not in html for x in (T1, T2, T3)),
          "a speaker without sessions got sessions:\n%s" % text)

    # 2. The text lists them itself: once, not twice.
    token, p = send("speakers", "Dear {{attendee.name}},\n\n{{#sessions}}- {{title}}, {{starts_at}}"
                    "{{#room}}, {{room}}{{/room}}\n{{/sessions}}\nSee you.")
    for addr, (name, mine, others) in own.items():
        text, html = parts(addr, token)
        check("your sessions" not in text.lower(), "%s: the frame repeats the list:\n%s" % (name, text))
        for title, start, _, _ in mine:
            check(text.count(title) == 1 and html.count(title) == 1,
                  "%s: %s not exactly once (text %d, HTML %d):\n%s" % (name, title, text.count(title),
                                                                  html.count(title), text))
            line = [ln for ln in text.split("\n") if ln.startswith("- %s, " % title)]
            check(len(line) == 1 and all(p in line[0] for p in start.split("|")),
                  "%s: the body's own list:\n%s" % (name, text))
        for title, _, _, _ in others:
            check(title not in text and title not in html, "%s: lists %s:\n%s" % (name, title, text))
        if addr == emails[0]:
            check(crlf(p["text"]) == text, "preview text differs from %s's mail:\n%s\n----\n%s"
                  % (name, p["text"], text))

    # 3. Attendees: unchanged, even one signed up for a session.
    token, p = send("attendees", "Hello {{attendee.name}}, see you soon.")
    text, html = parts(att["_email"], token)
    check("your sessions" not in text.lower() and "your sessions" not in html.lower() and
          t["T1"] not in text and t["T1"] not in html,
          "an attendee mailing lists sessions:\n%s" % text)
    check(crlf(p["text"]) == text, "attendee preview differs:\n%s\n----\n%s" % (p["text"], text))


def test_mailing_preview_status_and_audiences():
    ev = W.event(capacity=4, waitlist=True, name="Mailing Conf")
    slug = ev["slug"]
    tt1 = W.ttype(slug, name="Standard")
    tt2 = W.ttype(slug, name="Student")
    sess = W.session(slug, title="Workshop " + uniq("w"), kind="workshop", capacity=10,
                     requires_signup=True, starts_at="2027-05-14T14:00:00+02:00",
                     ends_at="2027-05-14T16:00:00+02:00")
    a1 = register(slug, tt1["id"], "Ana <b>Novak</b>")
    a2 = register(slug, tt1["id"], "Bor Zupan")
    a3 = register(slug, tt1["id"], "Cvetka Kos", session_ids=[sess["id"]])
    a4 = register(slug, tt2["id"], "Dušan Vrh")
    w1 = register(slug, tt1["id"], "Waiting Wanda", status="waitlisted")
    r = W.checkin(slug, code=a2["ticket"]["code"])
    expect_status(r, 200, "check in a2")
    wait_settled(slug, 5)
    before = len(outbox(W.admin, slug))
    token = uniq("TOK")
    subject = "Novice — Čarobni šotor 😀 " + token
    body = ("Hello {{attendee.name}},\n\n{{event.name}} starts {{event.starts_at}}.\n"
            ".\n..\nFrom the organisers\n" + token + "\n")
    # Audiences (counted by preview; nothing is queued).
    for aud, n in (("attendees", 4), ("checked_in", 1), ("no_shows", 3), ("waitlisted", 1),
                   ("ticket_type:%d" % tt2["id"], 1), ("ticket_type:%d" % tt1["id"], 3),
                   ("session:%d" % sess["id"], 1)):
        r = post_mailing(slug, aud, subject, body, preview=True)
        expect_status(r, 200, "preview for %s" % aud)
        check(r.json.get("recipients") == n, "preview %s: want %d recipients, got %r"
              % (aud, n, r.json))
    r = post_mailing(slug, "attendees", subject, body, preview=True)
    p = r.json
    check(subject in (p.get("subject") or ""), "preview subject: %r" % p)
    check("Hello Ana <b>Novak</b>," in (p.get("text") or ""),
          "preview text is not for the first recipient:\n%s" % p.get("text"))
    check("Mailing Conf" in p["text"], "preview text lacks the event name:\n%s" % p["text"])
    check("<b>Novak</b>" not in (p.get("html") or "") and "Novak" in p["html"],
          "preview HTML does not escape the name:\n%s" % p.get("html"))
    check(len(outbox(W.admin, slug)) == before, "a preview queued messages")
    check(W.admin.get("/api/v1/events/%s/mailings" % slug).json.get("mailings") == [],
          "a preview stored a mailing")
    # Template errors and bad audiences.
    for bad in ("Hi {{attendee.nme}}", "{{#sessions}}{{titel}}{{/sessions}}",
                "{{#sessions}}{{title}}", "Hi {{nosuch}}"):
        for preview in (True, False):
            r = post_mailing(slug, "attendees", subject, bad, preview=preview)
            expect_fields(r, "body", "mailing%s with body %r" % (" preview" if preview else "", bad))
    for aud in ("everyone", "session:abc", "ticket_type:", ""):
        r = post_mailing(slug, aud, subject, body, preview=True)
        expect_fields(r, "audience", "audience %r" % aud)
    check(len(outbox(W.admin, slug)) == before, "refused mailings queued messages")
    # The real thing, with one recipient refused by the relay.
    SINK.script(a4["_email"], rcpt=[("550 5.1.1 no such user", True)])
    r = post_mailing(slug, "attendees", subject, body)
    expect_status(r, 202, "mailing")
    mid = r.json.get("id")
    check(r.json.get("recipients") == 4 and isinstance(mid, int), "mailing: %r" % r)
    m = wait_mailing_done(W.admin, mid, 30)
    check((m.get("total"), m.get("sent"), m.get("failed"), m.get("pending")) == (4, 3, 1, 0),
          "mailing counts (total, sent, failed, pending): %r" % m)
    lst = W.admin.get("/api/v1/events/%s/mailings" % slug).json.get("mailings")
    check(isinstance(lst, list) and len(lst) == 1 and lst[0].get("id") == mid and
          lst[0].get("sent") == 3 and lst[0].get("status") == "done", "mailings list: %r" % lst)
    rows = [x for x in outbox(W.admin, slug) if x.get("mailing_id") == mid]
    check(len(rows) == 4 and {x["to"] for x in rows} ==
          {a1["_email"], a2["_email"], a3["_email"], a4["_email"]}, "mailing rows: %r" % rows)
    time.sleep(0.5)
    for reg in (a1, a2, a3):
        got = [x for x in SINK.to(reg["_email"]) if token.encode() in x.raw]
        check(len(got) == 1, "%s: want one mailing message, got %d" % (reg["_email"], len(got)))
        rec = got[0]
        check_common_headers(rec)
        single_to(rec, reg["_email"])
        check(rec.msg.get("List-Unsubscribe"), "mailing without List-Unsubscribe")
        check(subject in str(rec.msg["Subject"]) and not rec.msg["Subject"].defects,
              "Subject: want %r in it, got %r (raw %r)"
              % (subject, str(rec.msg["Subject"]), raw_header_lines(rec.raw, "Subject")))
        text = text_part(rec.msg)
        check(("Hello %s," % reg["_name"]) in text, "salutation in:\n%s" % text)
        lines = text.replace("\r\n", "\n").split("\n")
        check("." in lines and ".." in lines and "From the organisers" in lines,
              "lines '.', '..' or 'From the organisers' damaged in transit:\n%r" % text)
    check(not [x for x in SINK.to(w1["_email"]) if token.encode() in x.raw],
          "the waitlisted registrant got the attendees' mailing")


def test_outbox_and_mailings_need_an_organiser():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    anon = W.anon()
    expect_error(anon.get("/api/v1/events/%s/outbox" % slug), 401, None, "anonymous outbox")
    expect_error(anon.post("/api/v1/events/%s/mailings" % slug,
                           {"audience": "attendees", "subject": "x", "body": "y"}, csrf=None),
                 401, None, "anonymous mailing")
    door_user, door = W.new_user("checkin")
    W.add_member(slug, door_user["id"])
    r = door.get("/api/v1/events/%s/outbox" % slug)
    check(r.status == 403, "check-in staff reading the outbox: want 403, got %r" % r)
    r = door.post("/api/v1/events/%s/mailings" % slug,
                  {"audience": "attendees", "subject": "x", "body": "y"})
    check(r.status == 403, "check-in staff sending a mailing: want 403, got %r" % r)
    reg = register(slug, tt["id"], "Resend Target")
    r = door.post("/api/v1/events/%s/registrations/%d/resend" % (slug, reg["id"]))
    check(r.status == 403, "check-in staff resending a ticket: want 403, got %r" % r)
    r = W.admin.get("/api/v1/events/%s/outbox?status=bogus" % slug)
    expect_fields(r, "status", "outbox ?status=bogus")
    r = W.admin.get("/api/v1/mailings/999999999")
    check(r.status == 404, "unknown mailing: want 404, got %r" % r)


# --------------------------------------------------------------------------
# 5. the relay is down: nothing is lost

def test_smtp_down_then_up_none_lost():
    sink = SmtpSink()                   # not started: connections are refused
    w = World("mailout", mail_env(sink.port, CONFERO_MAIL_BACKOFF="2,2,2,2,2,2,2,2"))
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        n = 100
        emails = [uniq_email("down%d" % i) for i in range(n)]
        res = parallel(n, lambda i: w.register(slug, tt["id"], name="Outage %d" % i,
                                               email=emails[i]))
        bad = [r for r in res if r.status != 201 or r.json.get("status") != "confirmed"]
        check(not bad, "%d of %d registrations failed, e.g. %r" % (len(bad), n, bad[:1]))
        reg_ids = {r.json["id"] for r in res}
        rows = wait_outbox(w.admin, slug, lambda rows: len(rows) == n and all(
            x["status"] == "pending" and x["attempts"] >= 1 and x.get("last_reply")
            for x in rows), 20, "100 pending rows with attempts and last_reply")
        check({x["kind"] for x in rows} == {"confirmed"}, "kinds: %r" % {x["kind"] for x in rows})
        check({x["registration_id"] for x in rows} == reg_ids, "one row per registration")
        check(all(x.get("next_attempt_at") for x in rows), "pending rows without next_attempt_at")
        print("    relay down: e.g. attempts=%s last_reply=%r"
              % (rows[0]["attempts"], rows[0]["last_reply"]))
        check(not sink.messages, "messages arrived while the relay was down?")
        sink.start()
        sink.wait_for(emails, timeout=60)
        rows = wait_outbox(w.admin, slug, lambda rows: len(rows) == n and all(
            x["status"] == "sent" for x in rows), 30, "all sent")
        time.sleep(2.5)
        mids = set()
        for e in emails:
            got = sink.to(e)
            check(len(got) == 1, "%s: want exactly one message, got %d" % (e, len(got)))
            mids.add(got[0].message_id)
        check(len(mids) == n, "Message-IDs not unique: %d for %d messages" % (len(mids), n))
        check(len(sink.messages) == n, "sink kept %d messages for %d registrations"
              % (len(sink.messages), n))
        check(all(x["attempts"] >= 2 for x in rows), "sent rows with attempts < 2: %r"
              % [x for x in rows if x["attempts"] < 2][:3])
        # Stopped relay: a resend waits, then goes when it is back.
        sink.stop()
        one = res[0].json
        expect_status(w.admin.post("/api/v1/events/%s/registrations/%d/resend" % (slug, one["id"])),
                      202, "resend while the relay is down")
        wait_outbox(w.admin, slug, lambda rows: any(
            x["kind"] == "ticket_resent" and x["status"] == "pending" and x["attempts"] >= 1 and
            x.get("last_reply") for x in rows), 15, "the resend pending with an attempt")
        sink.start()
        sink.wait_for([emails[0]], timeout=30, count=2)
        wait_outbox(w.admin, slug, lambda rows: settled(rows), 15, "all settled")
        time.sleep(1.0)
        check(len(sink.to(emails[0])) == 2, "resend after the relay came back: %d messages"
              % len(sink.to(emails[0])))
    finally:
        try:
            w.stop()
        finally:
            sink.stop()


def test_retries_exhausted_then_failed():
    sink = SmtpSink()                   # never started
    w = World("mailfail", mail_env(sink.port, CONFERO_MAIL_BACKOFF="1,1"))
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        r = w.register(slug, tt["id"], name="Nobody Home", email=uniq_email("gone"))
        expect_status(r, 201, "register")
        rows = wait_outbox(w.admin, slug, lambda rows: rows and rows[0]["status"] == "failed",
                           20, "the message to fail after the backoff list")
        x = rows[0]
        check(x["attempts"] == 3, "backoff 1,1: want 3 attempts before failing, got %r" % x)
        check(x.get("last_reply"), "failed without last_reply: %r" % x)
        check(x.get("sent_at") is None, "failed with sent_at: %r" % x)
        sink.start()
        time.sleep(2.0)
        check(not sink.messages, "a failed message was sent later: %r" % sink.messages)
    finally:
        try:
            w.stop()
        finally:
            sink.stop()


# --------------------------------------------------------------------------
# 6. kill -9 in the middle of a 1,000-recipient mailing

def test_kill9_during_mailing():
    n, kill_at = 1000, 330          # 330 = 16 batches of 20 + 10: mid-batch
    sink = SmtpSink().start()
    # Registrations and their ticket mails with 4 senders (quicker, and
    # concurrent senders must not send anything twice either); the mailing
    # with one, whose batch bounds what can be in flight at the kill.
    w = World("mailkill", mail_env(sink.port, CONFERO_MAIL_SENDERS="4"))
    srv1 = srv2 = None
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        emails = [uniq_email("k%d" % i) for i in range(n)]
        t0 = time.monotonic()
        res = pool_map(lambda i: w.register(slug, tt["id"], name="Kill Test %d" % i,
                                            email=emails[i]), range(n), workers=24)
        bad = [r for r in res if r.status != 201 or r.json.get("status") != "confirmed"]
        check(not bad, "%d of %d registrations failed, e.g. %r" % (len(bad), n, bad[:1]))
        t1 = time.monotonic()
        sink.wait_for(emails, timeout=240)
        deadline = time.monotonic() + 60
        while outbox(w.admin, slug, "pending") or outbox(w.admin, slug, "sending"):
            check(time.monotonic() < deadline, "ticket mails not settled")
            time.sleep(0.3)
        t2 = time.monotonic()
        print("    %d registrations in %.1fs, their ticket mails (4 senders) in %.1fs"
              % (n, t1 - t0, t2 - t1))
        time.sleep(1.0)
        by = {}
        for x in sink.messages:
            by.setdefault(x.to, []).append(x)
        check(len(sink.messages) == n and len(by) == n,
              "%d ticket mails for %d registrations (%d recipients)" % (len(sink.messages), n, len(by)))
        w.srv.stop()
        ov = {k: v for k, v in w.srv.env.items() if k.startswith("CONFERO_")}
        ov["CONFERO_MAIL_SENDERS"] = "1"
        srv1 = start_server(ov, db=w.srv.db, db_name=w.srv.db_name, tag="mailkill1")
        admin1 = srv1.client()
        admin1.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        token = uniq("KILL").encode()
        state = {"n": 0, "kill_seq": None}

        def hook(rec):
            if token not in rec.raw:
                return
            state["n"] += 1
            if state["n"] == kill_at:
                srv1.proc.send_signal(signal.SIGKILL)
                state["kill_seq"] = rec.seq
        sink.on_data = hook
        r = post_mailing(slug, "attendees", "Programme update " + token.decode(),
                         "Dear {{attendee.name}},\n\nthe programme changed.\n" + token.decode() + "\n",
                         client=admin1)
        expect_status(r, 202, "1,000-recipient mailing")
        check(r.json.get("recipients") == n, "recipients: %r" % r)
        mid = r.json["id"]
        t3 = time.monotonic()
        deadline = time.monotonic() + 120
        while srv1.proc.poll() is None:
            check(time.monotonic() < deadline, "the kill never happened: %d mailing messages "
                  "arrived" % state["n"])
            time.sleep(0.02)
        srv1.kill()
        check(state["kill_seq"] is not None, "killed, but not by the hook?")
        at_kill = state["n"]
        print("    kill -9 after %d mailing messages (%.1fs into the mailing)"
              % (at_kill, time.monotonic() - t3))
        # Same database, same secret key, same environment.
        srv2 = start_server(ov, db=w.srv.db, db_name=w.srv.db_name, tag="mailkill2")
        admin2 = srv2.client()
        admin2.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        m = wait_mailing_done(admin2, mid, 240)
        time.sleep(1.5)
        check((m.get("total"), m.get("sent"), m.get("failed")) == (n, n, 0),
              "mailing after the restart: %r" % m)
        msgs = sorted((x for x in sink.messages if token in x.raw), key=lambda x: x.seq)
        by = {}
        for x in msgs:
            by.setdefault(x.to, []).append(x)
        missing = [e for e in emails if e.lower() not in by]
        check(not missing, "%d recipients never got the mailing, e.g. %r"
              % (len(missing), missing[:5]))
        check(set(by) == {e.lower() for e in emails}, "mail to addresses outside the audience: %r"
              % (set(by) - {e.lower() for e in emails}))
        dups = {e: v for e, v in by.items() if len(v) > 1}
        before = [x for x in msgs if x.seq <= state["kill_seq"]]
        in_flight = {x.seq for x in before[-SENDER_BATCH:]}
        print("    %d messages for %d recipients: %d duplicate(s) %s"
              % (len(msgs), n, len(dups), sorted(len(v) for v in dups.values())))
        check(all(len(v) == 2 for v in dups.values()), "a recipient got the mailing %d times"
              % max(len(v) for v in dups.values()) if dups else "")
        check(len(dups) <= SENDER_BATCH, "%d duplicates, more than a sender batch (%d)"
              % (len(dups), SENDER_BATCH))
        for e, v in dups.items():
            check(v[0].message_id == v[1].message_id,
                  "%s: the two copies have different Message-IDs: %s, %s"
                  % (e, v[0].message_id, v[1].message_id))
            check(v[0].seq in in_flight, "%s: duplicate of a message that was not in flight at "
                  "the kill (arrival %d, kill at %d)" % (e, v[0].seq, state["kill_seq"]))
        check(len({v[0].message_id for v in by.values()}) == n, "Message-IDs not unique")
        # The ticket mails, all sent before the mailing, were not sent again.
        tickets = [x for x in sink.messages if token not in x.raw]
        check(len(tickets) == n, "%d ticket mails for %d registrations" % (len(tickets), n))
        check(not sink.hook_errors, "hook errors: %r" % sink.hook_errors)
    finally:
        sink.on_data = None
        try:
            w.stop()
            if srv2 is not None:
                srv2.stop()
        finally:
            sink.stop()


# --------------------------------------------------------------------------
# 11. `confero mailer` on its own; messages pending at start

def test_mailer_alone():
    sink = SmtpSink().start()
    w = World("mailonly", mail_env(sink.port, CONFERO_MAIL_SENDERS="0"))
    mailer = None
    logf = None
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        regs = []
        for i in range(3):
            e = uniq_email("mo%d" % i)
            reg = w.registered(slug, tt["id"], name="Mailer Only %d" % i, email=e)
            reg["_email"] = e
            regs.append(reg)
        r = w.admin.post("/api/v1/events/%s/mailings" % slug,
                         {"audience": "attendees", "subject": "From the mailer",
                          "body": "Hello {{attendee.name}}"})
        expect_status(r, 202, "mailing")
        mid = r.json["id"]
        time.sleep(2.0)
        rows = outbox(w.admin, slug)
        check(len(rows) == 6 and all(x["status"] == "pending" and x["attempts"] == 0 for x in rows),
              "serve with CONFERO_MAIL_SENDERS=0 must only queue: %r" % rows)
        check(not sink.messages, "serve with no senders sent mail")
        check(mailing(w.admin, mid).get("status") == "sending", "mailing status while queued")
        env = dict(w.srv.env)
        env["CONFERO_BASE_URL"] = w.srv.url
        logpath = os.path.join(harness.tmpdir("ml"), "mailer.log")
        logf = open(logpath, "wb")
        mailer = subprocess.Popen([harness.confero_bin(), "mailer"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        sink.wait_for([r["_email"] for r in regs], timeout=30, count=2)
        wait_outbox(w.admin, slug, lambda rows: len(rows) == 6 and all(
            x["status"] == "sent" for x in rows), 20, "all sent by the mailer")
        m = mailing(w.admin, mid)
        check(m.get("status") == "done" and m.get("sent") == 3, "mailing after the mailer: %r" % m)
        time.sleep(1.0)
        for reg in regs:
            got = sink.to(reg["_email"])
            check(len(got) == 2, "%s: want 2 messages, got %d" % (reg["_email"], len(got)))
            tmail = [x for x in got if has_ticket(x)]
            check(len(tmail) == 1, "%s: want one ticket mail" % reg["_email"])
            check_ticket_mail(tmail[0], reg["_email"], "Mailer Only %d" % regs.index(reg),
                              reg["ticket"]["code"], reg["manage_url"])
        mailer.send_signal(signal.SIGTERM)
        try:
            rc = mailer.wait(15)
        except subprocess.TimeoutExpired:
            raise TestFailure("confero mailer did not exit within 15 s of SIGTERM")
        logf.close()
        with open(logpath, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        check(rc == 0, "confero mailer exited %s after SIGTERM:\n%s" % (rc, log[-3000:]))
        harness.check_sanitizer(log, "confero mailer")
    finally:
        if mailer is not None and mailer.poll() is None:
            mailer.kill()
            mailer.wait()
        if logf is not None and not logf.closed:
            logf.close()
        try:
            w.stop()
        finally:
            sink.stop()


def test_pending_at_start_sent_with_right_links():
    sink = SmtpSink().start()
    from_name = "Društvo Čuk – Konference"      # a non-ASCII sender name, too
    w = World("mailstart", mail_env(sink.port, CONFERO_MAIL_SENDERS="0",
                                    CONFERO_SMTP_FROM="%s <events@example.org>" % from_name))
    srv2 = None
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        regs = []
        for i in range(5):
            e = uniq_email("ps%d" % i)
            reg = w.registered(slug, tt["id"], name="Pending %d" % i, email=e)
            reg["_email"] = e
            regs.append(reg)
        w.srv.stop()
        ov = {k: v for k, v in w.srv.env.items() if k.startswith("CONFERO_")}
        ov["CONFERO_MAIL_SENDERS"] = "1"
        srv2 = start_server(ov, db=w.srv.db, db_name=w.srv.db_name, tag="mailstart2")
        sink.wait_for([r["_email"] for r in regs], timeout=30)
        time.sleep(1.0)
        for reg in regs:
            got = sink.to(reg["_email"])
            check(len(got) == 1, "%s: want one message, got %d" % (reg["_email"], len(got)))
            link = srv2.url + url_path(reg["manage_url"])
            text, _, _ = check_ticket_mail(got[0], reg["_email"], "Pending %d" % regs.index(reg),
                                           reg["ticket"]["code"], link, from_name=from_name)
            check(b"=?" in raw_header_lines(got[0].raw, "From")[0],
                  "non-ASCII From name not RFC 2047-encoded: %r" % raw_header_lines(got[0].raw, "From"))
            bad = re.findall(r"https?://[^\s/]+:0/", text)
            check(not bad, "links with port 0 in the mail:\n%s" % text)
            expect_status(srv2.client().get(url_path(link)), 200, "manage link after restart")
    finally:
        try:
            w.stop()
            if srv2 is not None:
                srv2.stop()
        finally:
            sink.stop()


def test_zz_no_mail_to_injected_addresses():
    time.sleep(0.5)
    stray = [(a, r) for a, r in SINK.rcpt_log if "victim" in a]
    check(not stray, "RCPT TO for injected addresses: %r" % stray)
    for m in SINK.messages:
        check(len(m.rcpt_tos) == 1, "a message with %d envelope recipients: %r"
              % (len(m.rcpt_tos), m))
    check(not SINK.hook_errors, "sink hook errors: %r" % SINK.hook_errors)
