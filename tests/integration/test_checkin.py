"""
Check-in at the door (issue 3): the whole path from an empty event to a
scanned QR code, duplicates, undo, concurrency (one ticket scanned by many
devices), forged and altered codes, cancelled, waitlisted, pending and
re-issued tickets, wrong event, session check-in, nonce replay, who may
check in where, attendee look-up and the counts in stats.

One server for the module; every test makes events of its own.
"""

import datetime
import uuid

import harness
from harness import check, expect_error, expect_status
from util_events import (World, alter_char, parallel, uniq, uniq_email, url_path,
                         zbar_decode)

W = None


def setup_module():
    global W
    W = World("checkin")


def teardown_module():
    if W is not None:
        W.stop()


def parse_time(s):
    check(isinstance(s, str), "not a time string: %r" % (s,))
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def ok(r, what):
    expect_status(r, 200, what)
    check(r.json.get("result") == "ok", "%s: want result ok, got %r" % (what, r))
    ck = r.json.get("checkin")
    check(isinstance(ck, dict) and isinstance(ck.get("id"), int) and ck.get("at"),
          "%s: want checkin {id, at, gate}, got %r" % (what, r))
    return r.json


def refused(r, status, result, what):
    check(r.status == status and isinstance(r.json, dict) and r.json.get("result") == result,
          "%s: want %d {\"result\": %r}, got %r" % (what, status, result, r))
    return r.json


def arrivals_total(stats):
    a = stats.get("arrivals")
    check(isinstance(a, list), "stats.arrivals: %r" % stats)
    for b in a:
        check(parse_time(b["from"]) < parse_time(b["to"]), "arrival bucket from >= to: %r" % b)
    return sum(b.get("count", 0) for b in a)


# --------------------------------------------------------------------------

def test_whole_path():
    admin = W.admin
    slug = uniq("conf")
    # Create, with a programme and a ticket type.
    r = admin.post("/api/v1/events", {
        "slug": slug, "name": "Dan odprte kode", "description": "Open source day",
        "venue": "Ljubljana", "timezone": "Europe/Ljubljana",
        "starts_at": "2027-05-14T09:00:00+02:00", "ends_at": "2027-05-14T18:00:00+02:00",
        "capacity": 100, "waitlist": True})
    expect_status(r, 201, "create event")
    sess = W.session(slug, title="Keynote", kind="keynote")
    tt = W.ttype(slug, name="Regular")
    expect_status(admin.post("/api/v1/events/%s/publish" % slug), 200, "publish")
    # A door volunteer with an account of their own.
    ck_user, door = W.new_user("checkin")
    W.add_member(slug, ck_user["id"])

    # Register as the public.
    r = W.anon().post("/api/v1/events/%s/registrations" % slug,
                      {"ticket_type_id": tt["id"], "name": "Mojca Pokrajculja",
                       "email": uniq_email("mojca"), "organisation": "Kmetija",
                       "answers": {}, "session_ids": [], "consent": True}, csrf=None)
    expect_status(r, 201, "register")
    reg = r.json
    check(reg.get("status") == "confirmed", "registration: %r" % reg)

    # The ticket's QR image, decoded like a phone camera would.
    r = W.anon().get(url_path(reg["ticket"]["qr_png_url"]) + "?size=400")
    expect_status(r, 200, "QR png")
    symbols = zbar_decode(r.raw)
    check(symbols == [reg["ticket"]["code"]], "zbarimg read %r, want [%r]"
          % (symbols, reg["ticket"]["code"]))
    code = symbols[0]

    # Check in with what was scanned.
    r = W.checkin(slug, client=door, code=code, gate="Main door")
    first = ok(r, "check in")
    check(first["checkin"].get("gate") == "Main door", "gate: %r" % first)
    att = first.get("attendee") or {}
    check(att.get("name") == "Mojca Pokrajculja" and att.get("organisation") == "Kmetija" and
          att.get("ticket_type") == "Regular", "attendee: %r" % first)
    at = parse_time(first["checkin"]["at"])
    now = datetime.datetime.now(datetime.timezone.utc)
    check(abs((at - now).total_seconds()) < 120, "check-in time %s is not now (%s)" % (at, now))
    check(at.utcoffset() is not None, "check-in time without offset: %r" % first)

    # Scanned again (another gate): already checked in, with the first scan's details.
    r = W.checkin(slug, client=door, code=code, gate="Side door")
    dup = refused(r, 409, "already_checked_in", "second scan")
    check(dup.get("first", {}).get("gate") == "Main door" and
          parse_time(dup["first"].get("at")) == at, "first check-in details: %r" % dup)
    check((dup.get("attendee") or {}).get("name") == "Mojca Pokrajculja",
          "duplicate names the attendee: %r" % dup)

    s = W.stats(slug, client=door)
    check(s.get("checked_in") == 1 and s.get("confirmed") == 1 and s.get("registered") == 1,
          "stats after one check-in: %r" % s)
    check(arrivals_total(s) == 1, "arrivals count one: %r" % s.get("arrivals"))
    r = W.reg(slug, reg["id"])
    check(r.get("checked_in_at"), "registration shows checked_in_at: %r" % r)

    # Undo (a mis-scan): the ticket can check in again.
    r = door.delete("/api/v1/checkins/%d" % first["checkin"]["id"])
    expect_status(r, 204, "undo check-in")
    expect_error(door.delete("/api/v1/checkins/%d" % first["checkin"]["id"]), 404, None,
                 "undo the same check-in twice")
    s = W.stats(slug, client=door)
    check(s.get("checked_in") == 0 and arrivals_total(s) == 0, "stats after undo: %r" % s)
    r = W.checkin(slug, client=door, code=code, gate="Side door")
    again = ok(r, "check in after undo")
    check(again["checkin"]["id"] != first["checkin"]["id"], "a new check-in after undo")
    check(again["checkin"].get("gate") == "Side door", "new gate: %r" % again)
    refused(W.checkin(slug, client=door, code=code), 409, "already_checked_in",
            "scan after the re-check-in")
    s = W.stats(slug, client=door)
    check(s.get("checked_in") == 1 and arrivals_total(s) == 1, "final stats: %r" % s)
    bs = {x.get("session_id"): x for x in s.get("by_session", [])}
    check(sess["id"] in bs and bs[sess["id"]].get("title") == "Keynote",
          "by_session lists the keynote: %r" % s.get("by_session"))
    bt = {x.get("ticket_type_id"): x for x in s.get("by_ticket_type", [])}
    check(bt.get(tt["id"], {}).get("checked_in") == 1, "by_ticket_type: %r" % s.get("by_ticket_type"))


def test_same_ticket_scanned_by_20_devices():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"])
    code = reg["ticket"]["code"]
    results = parallel(20, lambda i: W.checkin(slug, code=code, gate="Gate %02d" % i,
                                               nonce="dev%02d-%s" % (i, uuid.uuid4().hex[:8])))
    oks = [r for r in results if r.status == 200 and r.json.get("result") == "ok"]
    dups = [r for r in results if r.status == 409 and r.json.get("result") == "already_checked_in"]
    check(len(oks) == 1 and len(dups) == 19,
          "20 parallel scans: want 1 ok and 19 already_checked_in, got %d ok, %d dup, others %r"
          % (len(oks), len(dups), [r for r in results if r not in oks and r not in dups][:3]))
    winner = oks[0].json["checkin"]
    for r in dups:
        check(r.json.get("first", {}).get("gate") == winner["gate"],
              "a duplicate names another first gate: %r vs %r" % (r.json, winner))
    s = W.stats(slug)
    check(s.get("checked_in") == 1 and arrivals_total(s) == 1, "stats after the race: %r" % s)
    # Without nonces, too.
    reg2 = W.registered(slug, tt["id"])
    results = parallel(20, lambda i: W.checkin(slug, code=reg2["ticket"]["code"]))
    codes = sorted((r.status, r.json.get("result")) for r in results)
    check(codes.count((200, "ok")) == 1 and codes.count((409, "already_checked_in")) == 19,
          "20 parallel scans without nonce: %r" % codes)
    check(W.stats(slug).get("checked_in") == 2, "two people in")


def test_altered_codes_are_invalid():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"])
    code = reg["ticket"]["code"]
    # Every position, one character changed.
    for i in range(len(code)):
        bad = alter_char(code, i)
        r = W.checkin(slug, code=bad)
        refused(r, 404, "invalid", "code altered at position %d" % i)
        check("attendee" not in r.json or not r.json["attendee"],
              "an invalid code must not reveal an attendee: %r" % r)
    for bad in ("", "HELLO", code[:-1], code + "A", code[1:] + code[0], "A" * len(code),
                code.replace(code[5], "1"), "https://example.test/" + code):
        r = W.checkin(slug, code=bad)
        check(r.status in (404, 422), "garbage code %r: want 404 invalid (or 422), got %r"
              % (bad[:30], r))
        if r.status == 404:
            check(r.json.get("result") == "invalid", "garbage code %r: %r" % (bad[:30], r))
    s = W.stats(slug)
    check(s.get("checked_in") == 0, "no check-in from invalid codes: %r" % s)
    ok(W.checkin(slug, code=code), "the real code still works")


def test_cancelled_ticket():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    by_org = W.registered(slug, tt["id"], name="Cancelled By Organiser")
    by_self = W.registered(slug, tt["id"], name="Cancelled Themselves")
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, by_org["id"])),
                  200, "organiser cancels")
    expect_status(W.manage(by_self, "DELETE"), 200, "attendee cancels")
    for reg in (by_org, by_self):
        r = W.checkin(slug, code=reg["ticket"]["code"])
        refused(r, 422, "cancelled", "cancelled ticket (%s)" % reg["id"])
        r = W.checkin(slug, registration_id=reg["id"])
        refused(r, 422, "cancelled", "cancelled registration by id (%s)" % reg["id"])
    # Cancelling after check-in: the ticket no longer works.
    c = W.registered(slug, tt["id"])
    ok(W.checkin(slug, code=c["ticket"]["code"]), "check in before cancellation")
    W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, c["id"]))
    refused(W.checkin(slug, code=c["ticket"]["code"]), 422, "cancelled", "scan after cancellation")


def test_reissued_ticket():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"])
    old = reg["ticket"]["code"]
    r = W.admin.post("/api/v1/events/%s/registrations/%d/reissue" % (slug, reg["id"]))
    expect_status(r, 200, "reissue")
    new = (r.json.get("ticket") or {}).get("code")
    check(new and new != old, "reissue gives a new code: %r" % r)
    check(W.manage(reg).json.get("ticket", {}).get("code") == new, "manage link shows the new code")
    refused(W.checkin(slug, code=old), 404, "invalid", "the old code after reissue")
    # The revoked code's QR image is gone; the new one is served.
    check(W.anon().get("/t/%s.png" % old).status == 404, "QR of the revoked code: want 404")
    check(W.anon().get("/t/%s.svg" % old).status == 404, "SVG of the revoked code: want 404")
    check(W.anon().get("/t/%s.png" % new).status == 200, "QR of the new code: want 200")
    got = ok(W.checkin(slug, code=new), "the new code")
    check(got["attendee"].get("registration_id", reg["id"]) == reg["id"], "same attendee")
    refused(W.checkin(slug, code=old), 404, "invalid", "the old code after the new one checked in")
    # Reissuing after check-in keeps the person checked in.
    r = W.admin.post("/api/v1/events/%s/registrations/%d/reissue" % (slug, reg["id"]))
    newer = r.json["ticket"]["code"]
    refused(W.checkin(slug, code=newer), 409, "already_checked_in", "the newest code")
    # A waitlisted registration has no ticket to reissue.
    ev2, tt2 = W.simple_event(capacity=0, waitlist=True)
    w = W.registered(ev2["slug"], tt2["id"], status="waitlisted")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/reissue" % (ev2["slug"], w["id"]))
    check(r.status == 409, "reissue for a waitlisted registration: want 409, got %r" % r)


def test_wrong_event_waitlisted_and_pending():
    ev_a, tt_a = W.simple_event(capacity=1, waitlist=True)
    ev_b, tt_b = W.simple_event()
    a = W.registered(ev_a["slug"], tt_a["id"])
    refused(W.checkin(ev_b["slug"], code=a["ticket"]["code"]), 422, "wrong_event",
            "A's ticket at event B")
    r = W.checkin(ev_b["slug"], registration_id=a["id"])
    check(r.status in (404, 422) and r.json.get("result") in ("invalid", "wrong_event"),
          "A's registration id at event B: %r" % r)
    w = W.registered(ev_a["slug"], tt_a["id"], status="waitlisted")
    refused(W.checkin(ev_a["slug"], registration_id=w["id"]), 422, "waitlisted",
            "waitlisted registration")
    appr = W.ttype(ev_b["slug"], name="Approval", requires_approval=True)
    p = W.registered(ev_b["slug"], appr["id"], status="pending_approval")
    refused(W.checkin(ev_b["slug"], registration_id=p["id"]), 422, "pending", "pending approval")
    # By registration id the right one works.
    ok(W.checkin(ev_a["slug"], registration_id=a["id"]), "check in by registration id")
    refused(W.checkin(ev_a["slug"], code=a["ticket"]["code"]), 409, "already_checked_in",
            "code after check-in by id")
    check(W.stats(ev_b["slug"]).get("checked_in") == 0, "nothing counted at B")
    # Neither code nor registration id: a validation error.
    r = W.checkin(ev_a["slug"])
    check(r.status == 422, "check-in without code or registration_id: want 422, got %r" % r)


def test_session_checkin():
    ev = W.event(capacity=None)
    slug = ev["slug"]
    ws = W.session(slug, title="Workshop", kind="workshop", capacity=10, requires_signup=True)
    talk = W.session(slug, title="Open talk", kind="talk", requires_signup=False)
    vip = W.session(slug, title="VIP dinner", kind="networking", requires_signup=False)
    tt = W.ttype(slug, sessions=[ws["id"], talk["id"]])
    signed = W.registered(slug, tt["id"], session_ids=[ws["id"]])
    unsigned = W.registered(slug, tt["id"])
    ok(W.checkin(slug, code=signed["ticket"]["code"], session_id=ws["id"]),
       "signed-up attendee at the workshop")
    refused(W.checkin(slug, code=signed["ticket"]["code"], session_id=ws["id"]), 409,
            "already_checked_in", "workshop twice")
    refused(W.checkin(slug, code=unsigned["ticket"]["code"], session_id=ws["id"]), 422,
            "not_for_session", "not signed up for the workshop")
    refused(W.checkin(slug, code=unsigned["ticket"]["code"], session_id=vip["id"]), 422,
            "not_for_session", "session not included in the ticket type")
    ok(W.checkin(slug, code=unsigned["ticket"]["code"], session_id=talk["id"]),
       "open talk without sign-up")
    # Session check-ins are separate from the door.
    ok(W.checkin(slug, code=signed["ticket"]["code"]), "door check-in after the workshop")
    s = W.stats(slug)
    check(s.get("checked_in") == 1, "door count is 1: %r" % s)
    bs = {x.get("session_id"): x for x in s.get("by_session", [])}
    check(bs[ws["id"]].get("signed_up") == 1 and bs[ws["id"]].get("checked_in") == 1 and
          bs[ws["id"]].get("capacity") == 10, "workshop stats: %r" % bs[ws["id"]])
    check(bs[talk["id"]].get("checked_in") == 1, "talk stats: %r" % bs[talk["id"]])
    check(bs[vip["id"]].get("checked_in") == 0, "vip stats: %r" % bs[vip["id"]])
    other = W.event()
    osess = W.session(other["slug"])
    r = W.checkin(slug, code=unsigned["ticket"]["code"], session_id=osess["id"])
    check(r.status in (404, 422), "another event's session: want 404/422, got %r" % r)


def test_nonce_replay():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"])
    code = reg["ticket"]["code"]
    nonce = "scan-" + uuid.uuid4().hex
    r1 = W.checkin(slug, code=code, gate="North", nonce=nonce)
    first = ok(r1, "first scan")
    # The device did not get the answer and retries: the same answer, nothing new.
    for _ in range(3):
        r = W.checkin(slug, code=code, gate="North", nonce=nonce)
        check(r.status == 200 and r.json == first,
              "retry with the same nonce: want the first answer %r, got %r" % (first, r))
    s = W.stats(slug)
    check(s.get("checked_in") == 1 and arrivals_total(s) == 1, "one check-in after retries: %r" % s)
    # A new nonce is a new scan: already checked in.
    r = W.checkin(slug, code=code, gate="North", nonce="scan-" + uuid.uuid4().hex)
    dup = refused(r, 409, "already_checked_in", "new nonce")
    check(dup["first"].get("at") == first["checkin"]["at"], "first scan time: %r" % dup)
    # Replaying a refused scan repeats the refusal.
    bad_nonce = "scan-" + uuid.uuid4().hex
    bad = alter_char(code, 40)
    r1 = W.checkin(slug, code=bad, nonce=bad_nonce)
    refused(r1, 404, "invalid", "forged code")
    r2 = W.checkin(slug, code=bad, nonce=bad_nonce)
    check(r2.status == 404 and r2.json == r1.json, "replayed refusal: %r vs %r" % (r1, r2))
    # After undo, replaying the first nonce must not check in again either.
    expect_status(W.admin.delete("/api/v1/checkins/%d" % first["checkin"]["id"]), 204, "undo")
    r = W.checkin(slug, code=code, gate="North", nonce=nonce)
    check(r.status == 200 and r.json == first, "replay after undo answers as before: %r" % r)
    check(W.stats(slug).get("checked_in") == 0, "replay after undo recorded a check-in")
    # Parallel retries of one nonce: one check-in, the same answer to all.
    reg2 = W.registered(slug, tt["id"])
    n2 = "burst-" + uuid.uuid4().hex
    results = parallel(10, lambda i: W.checkin(slug, code=reg2["ticket"]["code"], nonce=n2))
    bodies = {(r.status, r.raw) for r in results}
    check(len(bodies) == 1 and results[0].status == 200 and results[0].json.get("result") == "ok",
          "10 parallel retries of one nonce: want one identical ok answer, got %r"
          % sorted((s, b[:80]) for s, b in bodies))
    check(W.stats(slug).get("checked_in") == 1, "one check-in from the burst")


def test_scan_log_records_every_attempt():
    # Accepted and refused scans alike, with gate, device and time; a
    # retried nonce adds nothing; only organisers read the log.
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"], name="Žana Čeh")
    gone = W.registered(slug, tt["id"])
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, gone["id"])),
                  200, "cancel")
    r = W.admin.post("/api/v1/tokens", {"name": "door " + uuid.uuid4().hex[:6],
                                        "role": "checkin", "event": slug})
    expect_status(r, 201, "door token")
    door = W.srv.client()
    door.bearer = r.json["token"]
    token_id = r.json["id"]
    code = reg["ticket"]["code"]
    nonce = "log-" + uuid.uuid4().hex
    first = ok(W.checkin(slug, client=door, code=code, gate="North", nonce=nonce), "scan")
    ok(W.checkin(slug, client=door, code=code, gate="North", nonce=nonce), "retried scan")
    refused(W.checkin(slug, client=door, code=code, gate="South"), 409, "already_checked_in", "dup")
    refused(W.checkin(slug, client=door, code=alter_char(code, 30), gate="South"), 404,
            "invalid", "altered")
    refused(W.checkin(slug, code=gone["ticket"]["code"], gate="Desk"), 422, "cancelled",
            "cancelled")
    r = W.admin.get("/api/v1/events/%s/scans" % slug)
    expect_status(r, 200, "scan log")
    scans = r.json.get("scans")
    check(isinstance(scans, list) and len(scans) == 4,
          "4 attempts (the retry adds none): %r" % (scans,))
    got = sorted((s["result"], s["gate"]) for s in scans)
    check(got == [("already_checked_in", "South"), ("cancelled", "Desk"), ("invalid", "South"),
                  ("ok", "North")], "results and gates: %r" % got)
    by = {s["result"]: s for s in scans}
    check(by["ok"]["name"] == "Žana Čeh" and by["invalid"]["name"] is None, "names: %r" % by)
    check(by["ok"]["token_id"] == token_id and by["ok"]["registration_id"] == reg["id"]
          and by["ok"]["at"] == first["checkin"]["at"] and by["ok"]["undone"] is False,
          "the accepted scan: %r" % by["ok"])
    check(by["already_checked_in"]["token_id"] == token_id
          and by["already_checked_in"]["registration_id"] == reg["id"], "dup: %r" % by)
    check(by["invalid"]["registration_id"] is None, "a forged code names nobody: %r" % by)
    check(by["cancelled"]["token_id"] is None and by["cancelled"]["user_id"] is not None,
          "staff scan by a user: %r" % by["cancelled"])
    check(all(s["session_id"] is None for s in scans), "entrance scans: %r" % scans)
    expect_status(W.admin.delete("/api/v1/checkins/%d" % first["checkin"]["id"]), 204, "undo")
    r = W.admin.get("/api/v1/events/%s/scans?result=ok" % slug)
    expect_status(r, 200, "filtered log")
    check(len(r.json["scans"]) == 1 and r.json["scans"][0]["undone"] is True,
          "undone check-in stays in the log, marked: %r" % r.json)
    expect_error(W.admin.get("/api/v1/events/%s/scans?result=maybe" % slug), 422, "validation",
                 "unknown result filter")
    expect_error(door.get("/api/v1/events/%s/scans" % slug), 403, None, "door token reads the log")


def test_staff_of_one_event_only():
    ev_a, tt_a = W.simple_event()
    ev_b, tt_b = W.simple_event()
    a = W.registered(ev_a["slug"], tt_a["id"], name="Attendee A")
    b = W.registered(ev_b["slug"], tt_b["id"], name="Attendee B")
    ck_user, door = W.new_user("checkin")
    W.add_member(ev_a["slug"], ck_user["id"])
    org_user, org = W.new_user("organiser")
    W.add_member(ev_a["slug"], org_user["id"])

    ok(W.checkin(ev_a["slug"], client=door, code=a["ticket"]["code"]), "door staff at A")
    # Event B: not theirs.
    for who, c in (("checkin member of A", door), ("organiser member of A", org)):
        r = W.checkin(ev_b["slug"], client=c, code=b["ticket"]["code"])
        expect_error(r, 403, None, "%s checks in at B" % who)
        r = W.checkin(ev_b["slug"], client=c, registration_id=b["id"])
        expect_error(r, 403, None, "%s checks in at B by registration id" % who)
        expect_error(c.get("/api/v1/events/%s/registrations" % ev_b["slug"]), 403, None,
                     "%s lists B's registrations" % who)
        expect_error(c.get("/api/v1/events/%s/registrations/%d" % (ev_b["slug"], b["id"])), 403,
                     None, "%s reads a registration of B" % who)
        expect_error(c.get("/api/v1/events/%s/attendees?q=Att" % ev_b["slug"]), 403, None,
                     "%s looks up B's attendees" % who)
        expect_error(c.get("/api/v1/events/%s/stats" % ev_b["slug"]), 403, None,
                     "%s reads B's stats" % who)
        expect_error(c.get("/api/v1/events/%s/checkin-key" % ev_b["slug"]), 403, None,
                     "%s reads B's check-in key" % who)
    check(W.stats(ev_b["slug"]).get("checked_in") == 0, "nothing checked in at B")
    # A check-in at B cannot be undone by A's staff.
    got = ok(W.checkin(ev_b["slug"], code=b["ticket"]["code"]), "admin at B")
    r = door.delete("/api/v1/checkins/%d" % got["checkin"]["id"])
    check(r.status in (403, 404), "A's door staff undoes a check-in at B: want 403/404, got %r" % r)
    check(W.stats(ev_b["slug"]).get("checked_in") == 1, "B's check-in survived")
    # Door staff of A do not see registrations (organisers only) even at A.
    expect_error(door.get("/api/v1/events/%s/registrations" % ev_a["slug"]), 403, None,
                 "checkin user lists registrations")
    expect_error(door.post("/api/v1/events/%s/registrations/%d/cancel" % (ev_a["slug"], a["id"])),
                 403, None, "checkin user cancels a registration")
    expect_status(org.get("/api/v1/events/%s/registrations" % ev_a["slug"]), 200,
                  "organiser member lists A's registrations")
    # Anonymous: nothing.
    expect_error(W.anon().post("/api/v1/events/%s/checkins" % ev_a["slug"],
                               {"code": a["ticket"]["code"]}, csrf=None), 401, None,
                 "anonymous check-in")
    # A session without the CSRF token cannot check in.
    r = door.post("/api/v1/events/%s/checkins" % ev_a["slug"], {"code": a["ticket"]["code"]},
                  csrf=None)
    check(r.status == 403, "check-in without X-CSRF-Token: want 403, got %r" % r)


def test_checkin_token():
    # A bearer token with the checkin role works at the door (API clients, scanners).
    ev, tt = W.simple_event()
    slug = ev["slug"]
    r = W.admin.post("/api/v1/tokens", {"name": "scanner " + uuid.uuid4().hex[:6],
                                        "role": "checkin", "event": None})
    expect_status(r, 201, "create checkin token")
    tok = r.json.get("token")
    check(isinstance(tok, str), "token: %r" % r)
    scanner = W.srv.client()
    scanner.bearer = tok
    reg = W.registered(slug, tt["id"])
    ok(W.checkin(slug, client=scanner, code=reg["ticket"]["code"]), "check in with a token")
    expect_status(scanner.get("/api/v1/events/%s/stats" % slug), 200, "token reads stats")
    expect_error(scanner.get("/api/v1/events/%s/registrations" % slug), 403, None,
                 "checkin token lists registrations")


def test_event_scoped_token():
    # A door scanner paired with event A: it checks in at A and sees
    # nothing of B; only staff of A may make such a token.
    ev_a, tt_a = W.simple_event()
    ev_b, tt_b = W.simple_event()
    r = W.admin.post("/api/v1/tokens", {"name": "door A", "role": "checkin", "event": ev_a["slug"]})
    expect_status(r, 201, "event-scoped token")
    check(r.json.get("event") == ev_a["slug"], "token names its event: %r" % r)
    scanner = W.srv.client()
    scanner.bearer = r.json["token"]
    reg_a = W.registered(ev_a["slug"], tt_a["id"])
    reg_b = W.registered(ev_b["slug"], tt_b["id"])
    ok(W.checkin(ev_a["slug"], client=scanner, code=reg_a["ticket"]["code"]), "scoped token at A")
    r = W.checkin(ev_b["slug"], client=scanner, code=reg_b["ticket"]["code"])
    check(r.status in (403, 404), "scoped token at B must fail: %r" % r)
    check(r.status != 200, "no check-in at B")
    expect_status(scanner.get("/api/v1/events/%s/stats" % ev_b["slug"]), 403, "stats of B")
    r = W.admin.get("/api/v1/events/%s/stats" % ev_b["slug"])
    check(r.json.get("checked_in") == 0, "nothing checked in at B: %r" % r)
    expect_error(W.admin.post("/api/v1/tokens", {"name": "x", "role": "checkin",
                                                 "event": "no-such-event"}), 422, None,
                 "token for an unknown event")
    stranger, sc = W.new_user("organiser")
    r = sc.post("/api/v1/tokens", {"name": "x", "role": "checkin", "event": ev_a["slug"]})
    check(r.status == 403, "non-staff cannot make a token for A: %r" % r)


def test_attendee_lookup():
    ev = W.event(capacity=None)
    slug = ev["slug"]
    tt = W.ttype(slug, name="Day pass")
    people = [("Marija Novak", "Fakulteta"), ("Marjan Kos", "Elektro"),
              ("Tina Marinko", "Agencija"), ("Peter Horvat", "Marmor d.o.o.")]
    regs = [W.registered(slug, tt["id"], name=n, organisation=o,
                         email="%s-%s" % (n.split()[0].lower(), uniq_email()))
            for n, o in people]
    ck_user, door = W.new_user("checkin")
    W.add_member(slug, ck_user["id"])

    def look(q, client=door):
        r = client.get("/api/v1/events/%s/attendees?q=%s" % (slug, q))
        expect_status(r, 200, "look-up %r" % q)
        check(isinstance(r.json.get("attendees"), list), "attendees: %r" % r)
        return r.json["attendees"]

    names = sorted(a["name"] for a in look("Mar"))
    check({"Marija Novak", "Marjan Kos"} <= set(names), "prefix Mar: %r" % names)
    check("Peter Horvat" in names, "prefix Mar matches the organisation Marmor: %r" % names)
    check([a["name"] for a in look("Marija")] == ["Marija Novak"], "prefix Marija")
    check([a["name"] for a in look("tina-")] == ["Tina Marinko"], "email prefix tina-")
    check(look("ovak") == [], "not a prefix: %r" % look("ovak"))
    for a in look("Mar"):
        check("email" not in a, "a checkin user must not see emails: %r" % a)
        check(a.get("ticket_type") == "Day pass" and "organisation" in a, "attendee row: %r" % a)
    with_email = look("Marija", client=W.admin)
    check(with_email and with_email[0].get("email", "").startswith("marija-"),
          "organisers see the email: %r" % with_email)
    # The look-up shows who is in.
    ok(W.checkin(slug, client=door, registration_id=regs[0]["id"]), "check in Marija")
    row = look("Marija")[0]
    check(row.get("checked_in_at"), "look-up shows the check-in: %r" % row)
    check(not look("Marjan")[0].get("checked_in_at"), "Marjan is not in")


def test_stats_counts():
    ev = W.event(capacity=4, waitlist=True)
    slug = ev["slug"]
    t_std = W.ttype(slug, name="Standard")
    t_vip = W.ttype(slug, name="VIP", requires_approval=True)
    t_paid = W.ttype(slug, name="Supporter", price_cents=5000)
    ws = W.session(slug, title="Workshop", kind="workshop", capacity=3, requires_signup=True)
    s1 = W.registered(slug, t_std["id"], session_ids=[ws["id"]])
    s2 = W.registered(slug, t_std["id"], session_ids=[ws["id"]])
    s3 = W.registered(slug, t_std["id"])
    p1 = W.registered(slug, t_paid["id"], status="pending_payment")
    w1 = W.registered(slug, t_std["id"], status="waitlisted")
    w2 = W.registered(slug, t_std["id"], status="waitlisted")
    v1 = W.registered(slug, t_vip["id"], status="pending_approval")
    v2 = W.registered(slug, t_vip["id"], status="pending_approval")
    # s3 cancels: w1 moves up.  v2 is rejected.  Two people arrive, one at the workshop.
    expect_status(W.manage(s3, "DELETE"), 200, "s3 cancels")
    check(W.manage(w1).json.get("status") == "confirmed", "w1 promoted")
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/reject" % (slug, v2["id"])),
                  200, "reject v2")
    ok(W.checkin(slug, code=s1["ticket"]["code"]), "s1 in")
    ok(W.checkin(slug, code=W.manage(w1).json["ticket"]["code"]), "w1 in")
    ok(W.checkin(slug, code=s2["ticket"]["code"], session_id=ws["id"]), "s2 at the workshop")
    refused(W.checkin(slug, registration_id=w2["id"]), 422, "waitlisted", "w2 at the door")
    refused(W.checkin(slug, registration_id=v1["id"]), 422, "pending", "v1 at the door")

    s = W.stats(slug)
    # confirmed: s1, s2, w1; pending: p1 (payment), v1 (approval); waitlisted: w2;
    # cancelled: s3 (v2 was rejected).
    want = {"capacity": 4, "confirmed": 3, "waitlisted": 1, "pending": 2, "cancelled": 1,
            "checked_in": 2, "registered": 6}
    got = {k: s.get(k) for k in want}
    check(got == want, "stats: want %r, got %r (full: %r)" % (want, got, s))
    bt = {x.get("ticket_type_id"): x for x in s.get("by_ticket_type", [])}
    check(set(bt) == {t_std["id"], t_vip["id"], t_paid["id"]}, "by_ticket_type: %r" % bt)
    check(bt[t_std["id"]].get("confirmed") == 3 and bt[t_std["id"]].get("waitlisted") == 1 and
          bt[t_std["id"]].get("checked_in") == 2, "Standard: %r" % bt[t_std["id"]])
    check(bt[t_vip["id"]].get("confirmed") == 0 and bt[t_vip["id"]].get("checked_in") == 0,
          "VIP: %r" % bt[t_vip["id"]])
    bs = {x.get("session_id"): x for x in s.get("by_session", [])}
    w = bs.get(ws["id"], {})
    check((w.get("title"), w.get("signed_up"), w.get("checked_in"), w.get("capacity")) ==
          ("Workshop", 2, 1, 3), "by_session workshop: want signed_up 2, checked_in 1, "
          "capacity 3, got %r" % w)
    check(arrivals_total(s) == 2, "arrivals: %r" % s.get("arrivals"))
    # The organisers' list agrees with the stats.
    for status, n in (("confirmed", 3), ("waitlisted", 1), ("cancelled", 1), ("rejected", 1),
                      ("pending_approval", 1), ("pending_payment", 1)):
        total = W.reg_list(slug, status=status).get("total")
        check(total == n, "list status=%s: want %d, got %r" % (status, n, total))
    check(W.reg_list(slug, checked_in="true").get("total") == 2, "list checked_in=true")
    # And after paying and approving: capacity 4 is full, so one of them waits.
    W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid" % (slug, p1["id"]))
    W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (slug, v1["id"]))
    s = W.stats(slug)
    check(s.get("confirmed") <= 4, "capacity 4 oversold: %r" % s)
    check(s.get("confirmed") + s.get("waitlisted") + s.get("pending") == s.get("registered"),
          "registered = confirmed + waitlisted + pending: %r" % s)


def test_parallel_undo_and_reissue():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"])
    first = ok(W.checkin(slug, code=reg["ticket"]["code"]), "check in")
    res = parallel(10, lambda i: W.admin.delete("/api/v1/checkins/%d" % first["checkin"]["id"]))
    codes = sorted(r.status for r in res)
    check(codes == [204] + [404] * 9, "10 parallel undos of one check-in: %r" % codes)
    check(W.stats(slug).get("checked_in") == 0, "undone")
    # Ten re-issues at once: exactly one code is left valid, the one on record.
    res = parallel(10, lambda i: W.admin.post("/api/v1/events/%s/registrations/%d/reissue"
                                              % (slug, reg["id"])))
    check(all(r.status == 200 for r in res), "parallel reissues: %r" % res)
    codes = {r.json["ticket"]["code"] for r in res} | {reg["ticket"]["code"]}
    current = W.reg(slug, reg["id"])["ticket"]["code"]
    results = {c: W.checkin(slug, code=c).json.get("result") for c in codes}
    valid = [c for c, res_ in results.items() if res_ != "invalid"]
    check(valid == [current], "after parallel reissues exactly the current code may work: "
          "%d codes work (%r), current %s" % (len(valid), sorted(results.values()), current[:12]))
    check(results[current] == "ok", "the current code checks in: %r" % results[current])


def lane_served(slug, n):
    """Wait until the log shows n check-ins at slug answered on the event thread."""
    W.srv.wait_log(r"POST /api/v1/events/%s/checkins 200 [0-9.]+ms lane$" % slug, count=n)


def test_scans_survive_lost_connections():
    """MariaDB drops every connection of the server (a restart, a failover,
    an operator's KILL): the scans in flight and after still check in,
    exactly once; the event thread's own connections come back."""
    ev, tt = W.simple_event()
    slug = ev["slug"]
    regs = [W.registered(slug, tt["id"]) for _ in range(6)]
    ok(W.checkin(slug, code=regs[0]["ticket"]["code"]), "first scan (fills the caches)")
    ok(W.checkin(slug, code=regs[1]["ticket"]["code"]), "second scan")
    lane_served(slug, 1)
    db = W.srv.db
    ids = db.sql("SELECT id FROM information_schema.processlist WHERE db = '%s'" % W.srv.db_name)
    check(len(ids) >= 2, "the server holds connections: %r" % ids)
    for (i,) in ids:
        try:
            db.sql("KILL %s" % i)
        except Exception:
            pass            # gone already
    # Right away: answered by the workers (which reconnect), never twice.
    for reg in regs[2:4]:
        ok(W.checkin(slug, code=reg["ticket"]["code"], gate="After the kill"),
           "scan after MariaDB dropped the connections")
        refused(W.checkin(slug, code=reg["ticket"]["code"]), 409, "already_checked_in",
                "the same ticket again")
    W.srv.wait_log(r"lane: connection (lost|closed by the server)")
    # Within seconds the event thread has a connection again and answers itself.
    W.srv.wait_log(r"lane: connection \d+ is back", timeout=15)
    before = len([1 for line in W.srv.log().splitlines()
                  if "/api/v1/events/%s/checkins 200" % slug in line and line.endswith(" lane")])
    for reg in regs[4:]:
        ok(W.checkin(slug, code=reg["ticket"]["code"]), "scan once the lane is back")
    lane_served(slug, before + 2)
    s = W.stats(slug)
    check(s.get("checked_in") == 6 and arrivals_total(s) == 6, "six people in: %r" % s)


def test_scans_without_the_event_thread_lane():
    """CONFERO_DB_LANE=0: every scan goes to the workers, same answers."""
    ov = {k: v for k, v in W.srv.env.items() if k.startswith("CONFERO_")}
    ov["CONFERO_DB_LANE"] = "0"
    srv = harness.start_server(ov, db=W.srv.db, db_name=W.srv.db_name, tag="nolane")
    try:
        admin = srv.client()
        admin.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        ev, tt = W.simple_event()
        slug = ev["slug"]
        reg = W.registered(slug, tt["id"])
        path = "/api/v1/events/%s/checkins" % slug
        first = ok(admin.post(path, {"code": reg["ticket"]["code"], "gate": "Side door"}),
                   "scan without the lane")
        for _ in range(3):
            dup = refused(admin.post(path, {"code": reg["ticket"]["code"]}), 409,
                          "already_checked_in", "again")
            check(dup["first"]["at"] == first["checkin"]["at"] and
                  dup["first"]["gate"] == "Side door", "first scan: %r vs %r" % (dup, first))
        srv.wait_log(r"POST %s 200" % path)
        check(not [line for line in srv.log().splitlines() if line.endswith(" lane")],
              "CONFERO_DB_LANE=0 answered on the event thread")
    finally:
        srv.stop()
