"""
Personal data (issue 17): retention and erasure.  An event past its
retention_days has every registration anonymised by `confero retention`
(and the hourly job): a full mariadb-dump of the database holds none of
the attendees' names or emails any more, the attendance counts are the
same, the ticket page link answers 410 gone; `--dry-run` lists and changes
nothing.  An organiser erasing one registration frees its seat for the
waiting list.
"""

import subprocess
import time

from harness import check, expect_error, expect_status, run_confero
from util_events import World, uniq_email, url_path

W = None
DAY = 86400


def setup_module():
    global W
    W = World("privacy")


def teardown_module():
    W.stop()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def dump(world=None):
    """The whole database of the world's server, as mariadb-dump writes it."""
    srv = (world or W).srv
    p = subprocess.run(["mariadb-dump", "--no-defaults", "--socket=" + srv.db.socket, "-uroot",
                        "--single-transaction", "--hex-blob", srv.db_name],
                       capture_output=True, timeout=120)
    check(p.returncode == 0, "mariadb-dump: %s" % p.stderr[-500:])
    return p.stdout.decode("utf-8", "replace")


def attendance(slug, breakdown):
    r = W.admin.get("/api/v1/events/%s/exports/attendance.csv?breakdown=%s" % (slug, breakdown))
    expect_status(r, 200, "attendance %s" % breakdown)
    return r.raw.decode()


def test_retention_anonymises_an_event_past_its_days():
    now = time.time()
    ev, tt = W.simple_event(starts_at=iso(now + 10 * DAY), ends_at=iso(now + 10 * DAY + 8 * 3600))
    slug = ev["slug"]
    people = [("Mojca Žagar", uniq_email("zagar")), ("Bálint Kovács", uniq_email("kovacs")),
              ("Дамян Петров", uniq_email("petrov"))]
    regs = [W.registered(slug, tt["id"], name=n, email=e, organisation="Klinika Golnik")
            for n, e in people]
    for reg in regs[:2]:
        expect_status(W.checkin(slug, code=reg["ticket"]["code"]), 200, "check-in")
    # an event of today, also registered: retention must not touch it
    ev2, tt2 = W.simple_event()
    keep = W.registered(ev2["slug"], tt2["id"], name="Henrik Sørensen", email=uniq_email("soerensen"))
    # the event took place 200 days ago; retention is 180 days
    r = W.admin.patch("/api/v1/events/%s" % slug, {"starts_at": iso(now - 200 * DAY),
                                                   "ends_at": iso(now - 200 * DAY + 8 * 3600)})
    expect_status(r, 200, "move the event into the past")
    check(r.json["retention_days"] == 180, "default retention: %r" % r.json)
    runs = time.mktime(time.strptime(r.json["retention_runs_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    check(r.json["retention_runs_at"] is not None and runs < now,
          "retention_runs_at is in the past: %r" % r.json["retention_runs_at"])
    before = {b: attendance(slug, b) for b in ("summary", "day", "ticket_type")}
    check("2" in before["summary"], "two checked in: %r" % before["summary"])
    text = dump()
    check(all(n in text and e in text for n, e in people), "the dump holds them before")
    # --dry-run lists and changes nothing
    p = run_confero(["retention", "--dry-run"], W.srv.env)
    check(p.returncode == 0 and slug in p.stdout and "3 registration(s) would be" in p.stdout,
          "dry run: %s %s" % (p.stdout, p.stderr))
    check(W.reg(slug, regs[0]["id"])["name"] == people[0][0], "the dry run changed nothing")
    p = run_confero(["retention"], W.srv.env)
    check(p.returncode == 0 and "3 registration(s) anonymised" in p.stdout, p.stdout + p.stderr)
    # nobody is left in the database
    text = dump()
    for n, e in people:
        check(n not in text and e not in text, "%s still in the dump" % n)
    check(regs[0]["ticket"]["code"] not in text, "a ticket code still in the dump")
    check("Henrik Sørensen" in text, "another event's attendee was anonymised too")
    # the counts are the same
    after = {b: attendance(slug, b) for b in before}
    for b in before:
        check(after[b] == before[b], "%s changed:\n%s\n%s" % (b, before[b], after[b]))
    s = W.stats(slug)
    check(s.get("confirmed") == 3, "three registrations still counted: %r" % s)
    # the ticket page link is gone
    r = W.manage(regs[2])
    expect_error(r, 410, "gone", "manage link after retention")
    r = W.manage(keep)
    expect_status(r, 200, "the other event's manage link")
    row = W.reg(slug, regs[0]["id"])
    check(row["anonymised"] is True and row["name"] == "" and row["email"] == ""
          and row["status"] == "confirmed", "the organiser sees an anonymous row: %r" % row)
    # a second run has nothing left to do; the trail says what happened, not to whom
    p = run_confero(["retention"], W.srv.env)
    check("0 registration(s) anonymised" in p.stdout, p.stdout)
    a = W.admin.get("/api/v1/events/%s/audit?action=registration.anonymise" % slug).json
    check(a["total"] == 3, "three anonymisations in the trail: %r" % a)


def test_retention_days_are_checked_and_capped():
    ev, _ = W.simple_event()
    for bad in (0, -1, "long", 731):
        r = W.admin.patch("/api/v1/events/%s" % ev["slug"], {"retention_days": bad})
        expect_error(r, 422, "validation", "retention_days %r" % bad)
    r = W.admin.patch("/api/v1/events/%s" % ev["slug"], {"retention_days": 30})
    expect_status(r, 200, "retention 30 days")
    check(r.json["retention_days"] == 30, "%r" % r.json)


def test_an_organiser_erases_a_registration_and_the_waiting_list_moves_up():
    ev, tt = W.simple_event(capacity=1, waitlist=True)
    slug = ev["slug"]
    a = W.registered(slug, tt["id"], name="Erika Mustermann", email=uniq_email("erika"))
    b = W.registered(slug, tt["id"], status="waitlisted", name="Jonas Berg")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/erase" % (slug, a["id"]))
    expect_status(r, 200, "erase")
    check(r.json == {"id": a["id"], "status": "erased"}, "%r" % r.json)
    check(W.reg(slug, b["id"])["status"] == "confirmed", "the waiting list moved up")
    row = W.reg(slug, a["id"])
    check(row["anonymised"] and row["status"] == "cancelled" and row["name"] == ""
          and not row.get("ticket"), "erased: %r" % row)
    expect_error(W.manage(a), 410, "gone", "the erased person's link")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/erase" % (slug, a["id"]))
    expect_error(r, 410, "gone", "erasing twice")
    check("Erika Mustermann" not in dump(), "the name is still in the database")
    t = W.admin.get("/api/v1/events/%s/audit?registration=%d" % (slug, a["id"])).json
    check(any(x["action"] == "registration.erase" for x in t["entries"]), "audited: %r" % t)
    _, checkin = W.new_user("checkin")
    r = checkin.post("/api/v1/events/%s/registrations/%d/erase" % (slug, b["id"]))
    check(r.status == 403, "check-in staff cannot erase: %r" % r)


def test_subject_access_holds_everything_about_the_person_and_nobody_else():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    W.session(slug, title="Brokerage", kind="networking", one_to_one=True, tables=2,
              starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T15:00:00+02:00")
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body={
        "enabled": True, "meeting_minutes": 20, "max_meetings": 12, "request_expiry_hours": 72,
        "ticket_type_ids": "all"})
    expect_status(r, 200, "matchmaking on")

    def person(name, org, opp):
        email = uniq_email("sar")
        reg = W.registered(slug, tt["id"], name=name, email=email, organisation=org)
        m = url_path(reg["manage_url"])
        c = W.anon()
        expect_status(c.request("PUT", m + "/profile", json_body={
            "visible": True, "headline": "%s looks for partners" % name, "about": "About %s" % name,
            "organisation_type": "hospital", "country": "SI", "topics": ["telemonitoring"]}),
            201, "profile")
        expect_status(c.post(m + "/opportunities", {"kind": "request", "title": opp,
                                                    "description": "", "topics": []}), 201, "opp")
        return {"reg": reg, "m": m, "c": c, "email": email, "name": name,
                "profile": c.get(m + "/profile").json}
    a = person("Tamara Horvat", "Splošna bolnišnica Celje", "Remote rehabilitation pilot")
    b = person("Niels Andersen", "Odense Health Tech", "Wearable sensors offer")
    r = a["c"].post(a["m"] + "/meetings", {"with": b["profile"]["id"],
                                           "message": "Could we meet about rehabilitation?"})
    expect_status(r, 201, "meeting request")
    expect_status(W.checkin(slug, code=a["reg"]["ticket"]["code"]), 200, "check-in")
    r = a["c"].get(a["m"] + "/data?download=1")
    expect_status(r, 200, "subject access")
    check("attachment" in (r.header("Content-Disposition") or ""), "a download: %r" % r.headers)
    j = r.json
    raw = r.raw.decode()
    check(j["registration"]["name"] == a["name"] and j["registration"]["email"] == a["email"]
          and j["registration"]["organisation"] == "Splošna bolnišnica Celje", "registration: %r" % j)
    check(j["event"]["slug"] == slug and j["consent"]["at"], "event and consent: %r" % j["consent"])
    check([t["code"] for t in j["tickets"]] == [a["reg"]["ticket"]["code"]], "tickets: %r" % j["tickets"])
    check(len(j["checkins"]) == 1 and j["checkins"][0]["session_id"] is None, "check-ins: %r" % j["checkins"])
    p = j["matchmaking_profile"]
    check(p and p["headline"] == "Tamara Horvat looks for partners" and p["visible"] and p["consent_at"],
          "profile: %r" % p)
    check([o["title"] for o in j["opportunities"]] == ["Remote rehabilitation pilot"], "opps: %r" % j)
    mt = j["meetings"]
    check(len(mt) == 1 and mt[0]["direction"] == "sent" and mt[0]["with_profile_id"] == b["profile"]["id"]
          and mt[0]["message"] == "Could we meet about rehabilitation?", "meetings: %r" % mt)
    check(any(m["kind"] == "confirmed" for m in j["mails"]), "the ticket mail: %r" % j["mails"])
    acts = {x["action"] for x in j["audit"]}
    check({"registration.create", "meeting.request"} <= acts, "audit: %r" % acts)
    check(all(x["registration_id"] == a["reg"]["id"] for x in j["audit"]), "only their entries")
    # nothing about the other person
    for s in (b["name"], b["email"], "Odense", "Wearable sensors offer", "Niels"):
        check(s not in raw, "%r in A's subject access export" % s)
    # B's export has the received request, and not A's profile
    j = b["c"].get(b["m"] + "/data").json
    check(j["meetings"][0]["direction"] == "received", "B: %r" % j["meetings"])
    check("Remote rehabilitation pilot" not in json_text(j) and "Tamara" not in json_text(j),
          "A's data in B's export")


def json_text(j):
    import json
    return json.dumps(j, ensure_ascii=False)


def test_an_attendee_erases_their_data_through_the_ticket_page():
    import re
    from util_mail import mail_world, stop_mail_world, text_part, html_part
    sink, w = mail_world("erase")
    try:
        ev, tt = w.simple_event(capacity=1, waitlist=True)
        slug = ev["slug"]
        email = uniq_email("zofia")
        a = w.registered(slug, tt["id"], name="Zofia Kowalczyk", email=email)
        b = w.registered(slug, tt["id"], status="waitlisted", name="Ivan Horvat")
        m = url_path(a["manage_url"])
        c = w.anon()
        sink.wait_for([email], timeout=20)                  # the ticket mail
        r = c.request("POST", m + "/erase")
        expect_status(r, 202, "ask for erasure")
        check(r.json == {"status": "confirmation_sent"}, "%r" % r.json)
        got = sink.wait_for([email], timeout=20, count=2)[email.lower()]
        conf = got[1]
        check("confirm" in conf.msg["Subject"], "the confirmation: %s" % conf.msg["Subject"])
        body = text_part(conf.msg)
        link = re.search(r"(https?://\S+/manage/\S+\?erase=(\S+))", body)
        check(link, "a confirmation link in: %s" % body)
        check(link.group(1) in html_part(conf.msg), "the same link in the HTML part")
        token = link.group(2)
        # asked again at once: no second mail
        expect_status(c.request("POST", m + "/erase"), 202, "asked again")
        time.sleep(1.5)
        check(len(sink.to(email)) == 2, "a second confirmation mail: %d" % len(sink.to(email)))
        # a wrong or missing token changes nothing
        r = c.post(m + "/erase", {"confirm": "x" * 43})
        expect_error(r, 422, "confirmation_invalid", "wrong token")
        r = c.post(m + "/erase", {})
        expect_error(r, 422, "validation", "no token")
        expect_status(w.manage(a), 200, "still there")
        # confirmed: erased, the seat goes to the waiting list, a last mail
        r = c.post(m + "/erase", {"confirm": token})
        expect_status(r, 200, "erase")
        check(r.json == {"status": "erased"}, "%r" % r.json)
        expect_error(w.manage(a), 410, "gone", "the link after erasure")
        expect_error(c.post(m + "/erase", {"confirm": token}), 410, "gone", "erasing twice")
        check(w.reg(slug, b["id"])["status"] == "confirmed", "the waiting list moved up")
        last = sink.wait_for([email], timeout=20, count=3)[email.lower()][-1]
        txt = text_part(last.msg)
        check("erased" in last.msg["Subject"] and "Zofia" not in txt and email in txt,
              "the last mail: %s\n%s" % (last.msg["Subject"], txt))
        # once it is sent, the address is gone from the database too
        t0 = time.monotonic()
        while time.monotonic() - t0 < 10:
            text = dump(w)
            if email not in text:
                break
            time.sleep(0.3)
        check(email not in text and "Zofia Kowalczyk" not in text, "still in the database")
        acts = [x["action"] for x in w.admin.get("/api/v1/events/%s/audit?registration=%d"
                                                 % (slug, a["id"])).json["entries"]]
        check("registration.erase_request" in acts and "registration.erase" in acts, "%r" % acts)
    finally:
        stop_mail_world(sink, w)


def test_the_organiser_is_named_as_controller_and_mails_come_from_them():
    from email.utils import parseaddr
    from util_mail import SMTP_FROM_ADDR, mail_world, stop_mail_world, text_part
    sink, w = mail_world("controller", CONFERO_ORGANISER_NAME="Zdravje Hub d.o.o.",
                         CONFERO_ORGANISER_EMAIL="info@zdravje-hub.example",
                         CONFERO_DPO_EMAIL="dpo@zdravje-hub.example")
    try:
        # an event without its own organiser takes the instance's
        ev, tt = w.simple_event()
        pub = w.anon().get("/api/v1/events/%s" % ev["slug"]).json
        check(pub["organiser"] == {"name": "Zdravje Hub d.o.o.", "email": "info@zdravje-hub.example",
                                   "dpo_email": "dpo@zdravje-hub.example"}, "default: %r" % pub)
        # an event's own organiser, checked field by field
        bad = w.admin.patch("/api/v1/events/%s" % ev["slug"], {"organiser": {
            "name": "", "email": "not-an-address", "website": "javascript:alert(1)", "colour": "red"}})
        expect_error(bad, 422, "validation", "a bad organiser")
        f = bad.json["error"]["fields"]
        check({"organiser.name", "organiser.email", "organiser.website", "organiser.colour"} <= set(f),
              "each bad field named: %r" % f)
        org = {"name": "Danube Health Cluster", "address": "Váci út 1\n1062 Budapest",
               "email": "office@danube-health.example", "website": "https://danube-health.example",
               "dpo_email": "privacy@danube-health.example"}
        r = w.admin.patch("/api/v1/events/%s" % ev["slug"], {"organiser": org})
        expect_status(r, 200, "set the organiser")
        check(r.json["organiser"] == org, "%r" % r.json["organiser"])
        check(w.anon().get("/api/v1/events/%s" % ev["slug"]).json["organiser"] == org,
              "the public event names the controller")
        email = uniq_email("controller")
        w.registered(ev["slug"], tt["id"], name="Eszter Tóth", email=email)
        msg = sink.wait_for([email], timeout=20)[email.lower()][0].msg
        name, addr = parseaddr(str(msg["From"]))
        check(name == "Danube Health Cluster" and addr == SMTP_FROM_ADDR,
              "From: the organiser's name on the relay's address: %s" % msg["From"])
        check(parseaddr(str(msg["Reply-To"]))[1] == "office@danube-health.example",
              "Reply-To: %s" % msg["Reply-To"])
        txt = text_part(msg)
        check("Danube Health Cluster" in txt.split("--")[0], "signed by the organiser:\n%s" % txt)
        # null clears it
        r = w.admin.patch("/api/v1/events/%s" % ev["slug"], {"organiser": None})
        check(r.json["organiser"] is None, "cleared: %r" % r.json)
    finally:
        stop_mail_world(sink, w)


def test_consent_wording_is_versioned_and_each_registration_keeps_its_own():
    ev, tt = W.simple_event(languages=["en", "sl"], name={"en": "Forum", "sl": "Forum"})
    slug = ev["slug"]
    r = W.anon().get("/api/v1/events/%s/privacy" % slug)
    expect_status(r, 200, "privacy before any wording")
    check(r.json["version"] == 0 and r.json["consent_text"] is None, "Confero's own: %r" % r.json)
    v1 = {"consent_text": {"en": "I agree that Danube Health Cluster processes my data to run the forum.",
                           "sl": "Strinjam se, da Danube Health Cluster obdeluje moje podatke za izvedbo foruma."},
          "notice": "We keep your registration for 180 days after the forum."}
    r = W.admin.patch("/api/v1/events/%s" % slug, {"privacy": v1})
    expect_status(r, 200, "wording v1")
    a = W.registered(slug, tt["id"], consent_version=1, language="sl")
    # the same texts again: no new version
    expect_status(W.admin.patch("/api/v1/events/%s" % slug, {"privacy": v1}), 200, "unchanged")
    p = W.anon().get("/api/v1/events/%s/privacy?lang=sl" % slug).json
    check(p["version"] == 1 and p["current"] == 1 and p["consent_text"].startswith("Strinjam se")
          and p["notice"].startswith("We keep"), "v1 in Slovenian (notice falls back): %r" % p)
    # a new wording makes version 2; the notice stays as it was
    r = W.admin.patch("/api/v1/events/%s" % slug, {"privacy": {"consent_text": "I agree, version two."}})
    expect_status(r, 200, "wording v2")
    p = W.anon().get("/api/v1/events/%s/privacy" % slug).json
    check(p["version"] == 2 and p["consent_text"] == "I agree, version two."
          and p["notice"].startswith("We keep"), "v2: %r" % p)
    # a form that still shows version 1 is refused, nothing is created
    r = W.register(slug, tt["id"], consent_version=1)
    expect_error(r, 409, "consent_changed", "consent to an old wording")
    b = W.registered(slug, tt["id"], consent_version=2)
    c = W.registered(slug, tt["id"])                       # no version given: the current
    got = {x["id"]: x["consent_version"] for x in W.reg_list(slug)["registrations"]}
    check(got == {a["id"]: 1, b["id"]: 2, c["id"]: 2}, "each keeps its version: %r" % got)
    # the old version can still be shown, e.g. to the person who agreed to it
    old = W.anon().get("/api/v1/events/%s/privacy?version=1&lang=sl" % slug).json
    check(old["version"] == 1 and old["current"] == 2 and old["consent_text"].startswith("Strinjam se"),
          "v1 still there: %r" % old)
    expect_error(W.anon().get("/api/v1/events/%s/privacy?version=9" % slug), 404, "not_found", "no v9")
    expect_error(W.anon().get("/api/v1/events/%s/privacy?version=x" % slug), 422, "validation", "bad")
    sar = W.anon().get(url_path(a["manage_url"]) + "/data").json
    check(sar["consent"]["version"] == 1 and sar["consent"]["language"] == "sl" and sar["consent"]["at"],
          "the subject access export says what was agreed to: %r" % sar["consent"])
    # wrong texts are refused and name the field
    r = W.admin.patch("/api/v1/events/%s" % slug, {"privacy": {"consent_text": {"fr": "Oui"}, "x": 1}})
    expect_error(r, 422, "validation", "bad privacy")
    check({"privacy.consent_text.fr", "privacy.x"} <= set(r.json["error"]["fields"]), "%r" % r.json)
