"""
B2B matchmaking (issue 14) through the API, against the real server,
MariaDB and an SMTP sink: slots cut from a one-to-one session, opt-in
profiles, the directory (never an email), recommendations, requests and
every error code, accepting from the mailed link, the same slot and table
on both agendas, agenda.ics, confirming a meeting with the other side's
ticket code, outcomes, the organisers' lists, scheduler, stats and
exports, and the keys that hold under 50 parallel accepts.
"""

import csv
import io
import re
import time

import harness
from harness import check, expect_error, expect_status
from util_events import parallel, uniq, uniq_email, url_path
from util_mail import mail_world, stop_mail_world, text_part

SINK = None
W = None


def setup_module():
    global SINK, W
    SINK, W = mail_world("match")


def teardown_module():
    stop_mail_world(SINK, W)


def pdftext(data):
    import subprocess
    p = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, timeout=60)
    check(p.returncode == 0, "pdftotext: %s" % p.stderr)
    return p.stdout.decode("utf-8")


def brokerage(tables=2, minutes=20, session_len_min=60, **settings):
    """A published event with a one-to-one session and matchmaking on: (slug, ttype, session)."""
    ev, tt = W.simple_event()
    slug = ev["slug"]
    end_h, end_m = divmod(14 * 60 + session_len_min, 60)
    ses = W.session(slug, title="Brokerage", kind="networking", one_to_one=True, tables=tables,
                    starts_at="2027-05-14T14:00:00+02:00",
                    ends_at="2027-05-14T%02d:%02d:00+02:00" % (end_h, end_m))
    body = {"enabled": True, "meeting_minutes": minutes, "max_meetings": 12,
            "request_expiry_hours": 72, "ticket_type_ids": "all"}
    body.update(settings)
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body=body)
    expect_status(r, 200, "matchmaking settings")
    return slug, tt, ses


def person(slug, tt, name, org, topics=(), otype="sme", country="SI", visible=True, opps=()):
    email = uniq_email("mm")
    reg = W.registered(slug, tt["id"], name=name, email=email, organisation=org)
    m = url_path(reg["manage_url"])
    c = W.anon()
    r = c.request("PUT", m + "/profile", json_body={
        "visible": visible, "headline": "%s headline" % name, "about": "About %s" % name,
        "organisation_type": otype, "country": country, "topics": list(topics)})
    expect_status(r, 201, "profile of %s" % name)
    for kind, title, otopics in opps:
        r = c.post(m + "/opportunities", {"kind": kind, "title": title, "description": "",
                                          "topics": list(otopics)})
        expect_status(r, 201, "opportunity %s" % title)
    reg = c.get(m).json
    check((reg.get("ticket") or {}).get("code"), "a ticket code on the manage link: %r" % reg)
    reg["ticket_code"] = reg["ticket"]["code"]
    return {"m": m, "c": c, "email": email, "name": name, "reg": reg,
            "profile": c.get(m + "/profile").json}


def test_slots_cut_from_the_one_to_one_session():
    slug, tt, ses = brokerage(tables=2)
    r = W.anon().get("/api/v1/events/%s/matchmaking/slots" % slug)
    expect_status(r, 200, "slots")
    slots = r.json["slots"]
    check(len(slots) == 3, "60 minutes in 20-minute slots: %r" % slots)
    check([s["starts_at"] for s in slots] == ["2027-05-14T14:00:00+02:00", "2027-05-14T14:20:00+02:00",
                                              "2027-05-14T14:40:00+02:00"], "slot times: %r" % slots)
    check(all(s["tables"] == 2 and s["session_id"] == ses["id"] for s in slots), "tables: %r" % slots)
    # Labelled tables replace the count; 30-minute meetings cut the hour in two.
    r = W.admin.patch("/api/v1/events/%s/sessions/%d" % (slug, ses["id"]),
                      {"table_labels": ["A1", "A2", "B1"]})
    expect_status(r, 200, "labels")
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True,
                        json_body={"enabled": True, "meeting_minutes": 30})
    expect_status(r, 200, "30 minutes")
    slots = W.anon().get("/api/v1/events/%s/matchmaking/slots" % slug).json["slots"]
    check(len(slots) == 2 and all(s["tables"] == 3 and s["table_labels"] == ["A1", "A2", "B1"]
                                  for s in slots), "relabelled: %r" % slots)
    r = W.admin.patch("/api/v1/events/%s/sessions/%d" % (slug, ses["id"]),
                      {"table_labels": ["A1", "A1"]})
    expect_error(r, 422, "validation")
    # A plan of 60 empty tables runs over pages; each page says which slot it
    # is and repeats the column headings.
    r = W.admin.patch("/api/v1/events/%s/sessions/%d" % (slug, ses["id"]),
                      {"table_labels": ["T%02d" % i for i in range(1, 61)]})
    expect_status(r, 200, "60 tables")
    slots = W.anon().get("/api/v1/events/%s/matchmaking/slots" % slug).json["slots"]
    r = W.admin.get("/api/v1/events/%s/exports/table-plan.pdf?slot=%d" % (slug, slots[1]["id"]))
    expect_status(r, 200, "table plan of 60 tables")
    pages = [pg for pg in pdftext(r.raw).split("\f") if pg.strip()]
    check(len(pages) >= 3, "60 tables on several pages: %d" % len(pages))
    check(all("Participant A" in pg and "Participant B" in pg and "2:30" in pg for pg in pages),
          "headings and slot on every page:\n" + "\n=====\n".join(pages))
    check("T01" in pages[0] and "T60" in pages[-1] and "Table plan" in pages[0],
          "tables in order:\n" + pages[-1])


def test_settings_are_validated():
    slug, tt, ses = brokerage()
    for body, field in (({"enabled": True, "meeting_minutes": 1}, "meeting_minutes"),
                        ({"enabled": True, "ticket_type_ids": [999999]}, "ticket_type_ids"),
                        ({"enabled": True, "organisation_types": ["Hospital!"]}, "organisation_types"),
                        ({"enabled": True, "opens_at": "2027-05-02T00:00:00Z",
                          "closes_at": "2027-05-01T00:00:00Z"}, "closes_at"),
                        ({"enabled": True, "colour": "red"}, "colour")):
        r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body=body)
        expect_error(r, 422, "validation", "settings %r" % body)
        check(field in (r.json["error"].get("fields") or {}), "field %s named: %r" % (field, r.json))
    got = W.anon().get("/api/v1/events/%s/matchmaking" % slug).json
    check(got["meeting_minutes"] == 20 and got["enabled"] is True, "unchanged: %r" % got)


def test_the_whole_path_request_accept_agenda_held():
    import icalendar
    slug, tt, ses = brokerage(tables=2)
    a = person(slug, tt, "Ana Kovač", "UKC Ljubljana", ["telemonitoring"], "hospital", "SI",
               opps=[("request", "Pilot site for remote monitoring", ["telemonitoring"])])
    b = person(slug, tt, "Boris Petrov", "MedTech Sofia", ["telemonitoring", "diabetes"], "startup", "BG",
               opps=[("offer", "Remote monitoring platform", ["telemonitoring"])])
    # Consent is explicit.
    r = W.anon().request("PUT", url_path(W.registered(slug, tt["id"])["manage_url"]) + "/profile",
                         json_body={"visible": False, "organisation_type": "sme"})
    expect_error(r, 422, "validation")
    check(r.json["error"]["fields"].get("visible") == "consent_required", "consent: %r" % r.json)
    check(a["profile"]["visible"] is True and a["profile"]["consent_at"], "consent time: %r" % a["profile"])

    # A finds B by topic, by type and in the recommendations; never an email.
    r = a["c"].get(a["m"] + "/participants?topic=Telemonitoring")
    expect_status(r, 200, "directory")
    names = [p["name"] for p in r.json["participants"]]
    check(names == ["Boris Petrov"], "directory by topic: %r" % names)
    check("@" not in r.raw.decode(), "the directory shows an email: %s" % r.raw[:500])
    check("email" not in r.json["participants"][0] and "answers" not in r.json["participants"][0],
          "directory fields: %r" % r.json["participants"][0])
    r = a["c"].get(a["m"] + "/participants?organisation_type=hospital")
    check(r.json["participants"] == [], "A does not list herself: %r" % r.json)
    r = a["c"].get(a["m"] + "/participants?country=xx")
    expect_error(r, 422, "validation")
    r = a["c"].get(a["m"] + "/recommendations")
    expect_status(r, 200, "recommendations")
    recs = r.json["recommendations"]
    check(recs and recs[0]["name"] == "Boris Petrov" and recs[0]["score"] > 0, "recs: %r" % recs)
    check(any("Remote monitoring platform" in x and "Pilot site for remote monitoring" in x
              for x in recs[0]["reasons"]), "reasons: %r" % recs[0]["reasons"])
    check("@" not in r.raw.decode(), "recommendations show an email")

    # A asks B; the errors of a request.
    bid = b["profile"]["id"]
    opp = b["profile"]["opportunities"][0]["id"]
    r = a["c"].post(a["m"] + "/meetings", {"with": a["profile"]["id"]})
    expect_error(r, 422, "self")
    r = a["c"].post(a["m"] + "/meetings", {"with": bid, "opportunity_id": a["profile"]["opportunities"][0]["id"]})
    expect_error(r, 422, "validation")
    r = a["c"].post(a["m"] + "/meetings", {"with": bid, "message": "Shall we talk about a pilot?",
                                           "opportunity_id": opp})
    expect_status(r, 201, "request")
    mid = r.json["id"]
    check(r.json["status"] == "requested" and r.json["with"]["name"] == "Boris Petrov", "request: %r" % r.json)
    expect_error(a["c"].post(a["m"] + "/meetings", {"with": bid}), 409, "duplicate")
    expect_error(b["c"].post(b["m"] + "/meetings", {"with": a["profile"]["id"]}), 409, "duplicate")
    # Someone else cannot answer; the asker cannot accept their own request.
    expect_error(a["c"].post(a["m"] + "/meetings/%d/accept" % mid), 403, "not_recipient")

    # B's mail, in B's language, links to the meeting on B's page.
    SINK.wait_for([b["email"]], count=2)
    msgs = [x for x in SINK.to(b["email"]) if "would like to meet" in str(x.msg["Subject"])]
    check(len(msgs) == 1, "one request mail to B: %r" % [str(x.msg["Subject"]) for x in SINK.to(b["email"])])
    text = text_part(msgs[0].msg)
    check("Ana Kovač" in text and "Shall we talk about a pilot?" in text and
          "Remote monitoring platform" in text, "request mail text:\n" + text)
    link = re.search(r"(https?://\S+/manage/\S+/matchmaking#meeting-%d)" % mid, text)
    check(link is not None, "no link to the meeting in:\n" + text)
    check(url_path(link.group(1).split("#")[0]) == b["m"] + "/matchmaking", "link: %s" % link.group(1))

    r = b["c"].post(b["m"] + "/meetings/%d/accept" % mid)
    expect_status(r, 200, "accept")
    check(r.json["status"] == "scheduled" and r.json["slot"] and r.json["table"] == "1",
          "placed at once: %r" % r.json)
    expect_error(b["c"].post(b["m"] + "/meetings/%d/accept" % mid), 409, "not_requested")
    ag_a = a["c"].get(a["m"] + "/agenda").json["meetings"]
    ag_b = b["c"].get(b["m"] + "/agenda").json["meetings"]
    check(len(ag_a) == 1 and len(ag_b) == 1, "agendas: %r %r" % (ag_a, ag_b))
    check(ag_a[0]["slot"] == ag_b[0]["slot"] and ag_a[0]["table"] == ag_b[0]["table"],
          "same slot and table: %r %r" % (ag_a, ag_b))
    check(ag_a[0]["with"]["name"] == "Boris Petrov" and ag_a[0]["with"]["organisation"] == "MedTech Sofia",
          "A's agenda: %r" % ag_a)
    # The asker hears of it, with the time.
    SINK.wait_for([a["email"]], count=2)
    acc = [x for x in SINK.to(a["email"]) if "accepted" in str(x.msg["Subject"])]
    check(len(acc) == 1 and "Table 1" in text_part(acc[0].msg), "accepted mail: %r" % acc)

    # The evening before (18:00 in Ljubljana, 16:00 UTC) each gets the next day's agenda.
    rows = W.admin.get("/api/v1/events/%s/outbox" % slug).json
    rows = rows["messages"]
    rem = [x for x in rows if x["kind"] == "meeting_reminder"]
    check(len(rem) == 2 and all(x["status"] == "pending" and
                                x["next_attempt_at"] == "2027-05-13T18:00:00+02:00" for x in rem),
          "reminders: %r" % rem)
    r = W.anon().get(a["m"] + "/agenda.ics")
    expect_status(r, 200, "agenda.ics")
    cal = icalendar.Calendar.from_ical(r.raw)
    evs = list(cal.walk("VEVENT"))
    check(len(evs) == 1 and "Boris Petrov" in str(evs[0]["SUMMARY"]) and "1" in str(evs[0]["LOCATION"]),
          "ics: %r" % r.raw)
    check(evs[0]["DTSTART"].dt.isoformat().startswith("2027-05-14T12:00:00"), "ics start: %r" % evs[0]["DTSTART"].dt)

    # Confirmed at the table with the other side's ticket code, once.
    own = a["reg"]["ticket_code"]
    other = b["reg"]["ticket_code"]
    expect_error(a["c"].post(a["m"] + "/meetings/%d/held" % mid, {"code": own}), 422, "not_participant")
    expect_error(a["c"].post(a["m"] + "/meetings/%d/held" % mid, {"code": other[:-3] + "AAA"}), 404, "invalid")
    expect_error(a["c"].post(a["m"] + "/meetings/%d/outcome" % mid, {"outcome": "follow_up"}), 409, "not_held")
    r = a["c"].post(a["m"] + "/meetings/%d/held" % mid, {"code": other.lower()})
    expect_status(r, 200, "held")
    check(r.json["status"] == "held" and r.json["held_at"], "held: %r" % r.json)
    first = r.json["held_at"]
    time.sleep(1.1)
    r = b["c"].post(b["m"] + "/meetings/%d/held" % mid, {"code": own})
    expect_status(r, 200, "held again")
    check(r.json["held_at"] == first, "the first held_at stays: %r vs %s" % (r.json, first))
    r = a["c"].post(a["m"] + "/meetings/%d/outcome" % mid, {"outcome": "cooperation_likely",
                                                           "note": "Send the pilot plan"})
    expect_status(r, 200, "outcome")
    check(r.json["outcome"] == "cooperation_likely" and r.json["note"] == "Send the pilot plan", "%r" % r.json)
    r = b["c"].get(b["m"] + "/meetings")
    check("Send the pilot plan" not in r.raw.decode(), "the note is private to its author")
    expect_error(a["c"].post(a["m"] + "/meetings/%d/outcome" % mid, {"outcome": "great"}), 422, "validation")

    # The organisers see it all.
    r = W.admin.get("/api/v1/events/%s/meetings?status=held" % slug)
    expect_status(r, 200, "organiser meetings")
    ms = r.json["meetings"]
    check(len(ms) == 1 and ms[0]["requester"]["name"] == "Ana Kovač" and
          ms[0]["requester"]["note"] == "Send the pilot plan", "organiser view: %r" % ms)
    st = W.stats(slug)["matchmaking"]
    check(st["meetings"]["held"] == 1 and st["meetings"]["requested"] == 1, "stats: %r" % st)
    check(any(p["type_a"] == "hospital" and p["type_b"] == "startup" and p["held"] == 1 for p in st["pairs"]),
          "hospital × start-up: %r" % st["pairs"])
    check(st["participants"]["met_countries"] == 2, "two countries met: %r" % st["participants"])
    r = W.admin.get("/api/v1/events/%s/exports/meetings.csv" % slug)
    expect_status(r, 200, "meetings.csv")
    rows = list(csv.reader(io.StringIO(r.raw.decode("utf-8-sig"))))
    check(len(rows) == 2 and "Ana Kovač" in rows[1] and "Boris Petrov" in rows[1] and "held" in rows[1],
          "csv: %r" % rows)
    r = W.admin.get("/api/v1/events/%s/exports/meetings.xlsx" % slug)
    expect_status(r, 200, "meetings.xlsx")
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(r.raw))
    vals = [c.value for c in list(wb.active.iter_rows())[1]]
    check("Ana Kovač" in vals and "Boris Petrov" in vals, "xlsx: %r" % vals)
    r = W.admin.get("/api/v1/events/%s/exports/attendance.xlsx" % slug)
    expect_status(r, 200, "attendance.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.raw))
    check("Matchmaking" in wb.sheetnames, "attendance.xlsx sheets: %r" % wb.sheetnames)
    got = {row[0]: row[1] for row in wb["Matchmaking"].iter_rows(min_row=2, values_only=True)}
    check(got.get("Meetings held") == 1 and got.get("Countries of participants who met") == 2,
          "matchmaking counts: %r" % got)
    r = W.admin.get("/api/v1/events/%s/exports/table-plan.pdf?slot=%d" % (slug, ag_a[0]["slot"]["id"]))
    expect_status(r, 200, "table plan")
    plan = pdftext(r.raw)
    check("Table plan" in plan and "Ana Kovač" in plan and "Boris Petrov" in plan and "—" in plan,
          "table plan (two tables, one taken):\n" + plan)
    r = a["c"].get(a["m"] + "/agenda.pdf")
    expect_status(r, 200, "agenda.pdf")
    ag = pdftext(r.raw)
    check("Your meetings" in ag and "Boris Petrov" in ag and "Table 1" in ag and "2:00" in ag,
          "agenda.pdf:\n" + ag)
    # The mailed link opens the meetings page (its JSON twin is the API).
    r = W.anon().get(b["m"] + "/matchmaking", headers={"Accept": "text/html"})
    expect_status(r, 200, "the meetings page")
    check(b"<html" in r.raw.lower() and b"meet.js" in r.raw, "the link opens the meetings page")
    check(r.header("Cache-Control") == "no-store", "the page with a secret in its path is not cached")


def test_limit_closed_decline_cancel_and_staff_held():
    slug, tt, ses = brokerage(tables=3, max_meetings=1)
    a = person(slug, tt, "Alma", "A")
    b = person(slug, tt, "Bine", "B")
    c = person(slug, tt, "Cene", "C")
    r = a["c"].post(a["m"] + "/meetings", {"with": b["profile"]["id"]})
    expect_status(r, 201, "first request")
    expect_error(a["c"].post(a["m"] + "/meetings", {"with": c["profile"]["id"]}), 409, "limit")
    # B declines: A's count frees up, B's decline is final.
    r = b["c"].post(b["m"] + "/meetings/%d/decline" % r.json["id"])
    expect_status(r, 200, "decline")
    check(r.json["status"] == "declined", "%r" % r.json)
    r = a["c"].post(a["m"] + "/meetings", {"with": c["profile"]["id"]})
    expect_status(r, 201, "request after a decline")
    mid = r.json["id"]
    expect_status(c["c"].post(c["m"] + "/meetings/%d/accept" % mid), 200, "accept")
    r = c["c"].post(c["m"] + "/meetings/%d/cancel" % mid)
    expect_status(r, 200, "cancel")
    check(r.json["status"] == "cancelled" and r.json["slot"] is None, "cancelled frees the table: %r" % r.json)
    # Table staff confirm a meeting with either participant's code.
    r = a["c"].post(a["m"] + "/meetings", {"with": b["profile"]["id"]})
    expect_status(r, 201, "again")
    mid = r.json["id"]
    expect_status(b["c"].post(b["m"] + "/meetings/%d/accept" % mid), 200, "accept 2")
    user, staff = W.new_user("checkin")
    W.add_member(slug, user["id"])
    expect_error(staff.post("/api/v1/events/%s/meetings/%d/held" % (slug, mid),
                            {"code": c["reg"]["ticket_code"]}), 422, "not_participant")
    r = staff.post("/api/v1/events/%s/meetings/%d/held" % (slug, mid), {"code": a["reg"]["ticket_code"]})
    expect_status(r, 200, "staff held")
    check(r.json["status"] == "held" and r.json["held_by"] == "staff", "%r" % r.json)
    # Outside the window, no requests.
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body={
        "enabled": True, "max_meetings": 5, "closes_at": "2020-01-01T00:00:00Z"})
    expect_status(r, 200, "close")
    expect_error(c["c"].post(c["m"] + "/meetings", {"with": b["profile"]["id"]}), 403, "matchmaking_closed")
    # Mailing audiences.
    r = W.admin.post("/api/v1/events/%s/mailings/preview" % slug,
                     {"audience": "matchmaking", "subject": "Hi", "body": "Hello"})
    check(r.status == 200, "matchmaking audience: %r" % r)
    r = W.admin.post("/api/v1/events/%s/mailings" % slug,
                     {"audience": "matchmaking_no_meetings", "subject": "Hi", "body": "Hello"})
    expect_status(r, 202, "mailing")
    check(r.json.get("recipients") == 1, "only Cene has no meeting: %r" % r.json)


def test_parallel_accepts_never_share_a_table_or_a_person():
    # One slot of one table; 50 agreed pairs race for it.
    slug, tt, ses = brokerage(tables=1, session_len_min=20, max_meetings=60)
    askers, hosts, mids = [], [], []
    for i in range(50):
        askers.append(person(slug, tt, "Asker %02d" % i, "A%d" % i))
        hosts.append(person(slug, tt, "Host %02d" % i, "H%d" % i))
    for i in range(50):
        r = askers[i]["c"].post(askers[i]["m"] + "/meetings", {"with": hosts[i]["profile"]["id"]})
        expect_status(r, 201, "request %d" % i)
        mids.append(r.json["id"])
    out = parallel(50, lambda i: harness.Client(W.srv.host, W.srv.port).post(
        hosts[i]["m"] + "/meetings/%d/accept" % mids[i]))
    check(all(r.status == 200 for r in out), "accepts: %r" % [r.status for r in out if r.status != 200])
    placed = [r.json for r in out if r.json["status"] == "scheduled"]
    check(len(placed) == 1, "one table, one meeting: %d placed" % len(placed))
    # One person, many accepted requests, one slot with 10 tables: one meeting for her.
    slug, tt, ses = brokerage(tables=10, session_len_min=20, max_meetings=60)
    star = person(slug, tt, "Star", "S")
    fans = [person(slug, tt, "Fan %02d" % i, "F%d" % i) for i in range(30)]
    ids = []
    for f in fans:
        r = f["c"].post(f["m"] + "/meetings", {"with": star["profile"]["id"]})
        expect_status(r, 201, "fan request")
        ids.append(r.json["id"])
    out = parallel(30, lambda i: harness.Client(W.srv.host, W.srv.port).post(
        star["m"] + "/meetings/%d/accept" % ids[i]))
    check(all(r.status == 200 for r in out), "accepts: %r" % [(r.status, r.json) for r in out if r.status != 200][:3])
    check(sum(1 for r in out if r.json["status"] == "scheduled") == 1, "Star is in one meeting per slot")


def test_scheduler_places_accepted_meetings_and_reports_its_bound():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True,
                        json_body={"enabled": True, "max_meetings": 20})
    expect_status(r, 200, "settings")
    people = [person(slug, tt, "P%02d" % i, "Org %d" % i) for i in range(8)]
    pairs = [(i, j) for i in range(8) for j in range(i + 1, 8) if (i + j) % 2 == 1][:12]
    for i, j in pairs:
        r = people[i]["c"].post(people[i]["m"] + "/meetings", {"with": people[j]["profile"]["id"]})
        expect_status(r, 201, "request")
        r = people[j]["c"].post(people[j]["m"] + "/meetings/%d/accept" % r.json["id"])
        check(r.json["status"] == "accepted", "no slots yet: accepted, %r" % r.json)
    # Now the session: 3 slots of 2 tables = 6 places for 12 meetings.
    W.session(slug, title="Meetings", kind="networking", one_to_one=True, tables=2,
              starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T15:00:00+02:00")
    r = W.admin.post("/api/v1/events/%s/matchmaking/schedule" % slug, {"reschedule": False})
    expect_status(r, 200, "schedule")
    res = r.json
    check(res["placed"] == 6 and res["upper_bound"] == 6 and res["unplaced"] == 6, "run: %r" % res)
    check(all(u["reason"] in ("person_busy", "tables_full", "no_common_slot") for u in res["unplaced_meetings"]),
          "reasons: %r" % res["unplaced_meetings"])
    ms = W.admin.get("/api/v1/events/%s/meetings?status=scheduled" % slug).json["meetings"]
    # Everyone placed gets one mail with their whole agenda.
    placed_names = {m["requester"]["name"] for m in ms} | {m["recipient"]["name"] for m in ms}
    p0 = [p for p in people if p["name"] in placed_names][0]
    SINK.wait_for([p0["email"]], count=1)
    deadline = time.time() + 20
    while time.time() < deadline and not [x for x in SINK.to(p0["email"]) if "Your meetings at" in str(x.msg["Subject"])]:
        time.sleep(0.3)
    ag = [x for x in SINK.to(p0["email"]) if "Your meetings at" in str(x.msg["Subject"])]
    check(len(ag) == 1, "one agenda mail to %s: %r" % (p0["name"], [str(x.msg["Subject"]) for x in SINK.to(p0["email"])]))
    mine = [m for m in ms if p0["name"] in (m["requester"]["name"], m["recipient"]["name"])]
    txt = text_part(ag[0].msg)
    check(all(("Table %s" % m["table"]) in txt for m in mine) and txt.count("Table ") == len(mine),
          "the agenda mail lists %d meetings:\n%s" % (len(mine), txt))
    seen = set()
    for m in ms:
        for k in (("t", m["slot"]["id"], m["table"]), ("p", m["slot"]["id"], m["requester"]["id"]),
                  ("p", m["slot"]["id"], m["recipient"]["id"])):
            check(k not in seen, "double booking %r" % (k,))
            seen.add(k)
    # Nothing moves on a second run; by hand, the same keys hold.
    r = W.admin.post("/api/v1/events/%s/matchmaking/schedule" % slug, {})
    check(r.json["moved"] == 0 and r.json["placed"] == 6, "second run: %r" % r.json)
    m0 = ms[0]
    other = [m for m in ms if m["slot"]["id"] != m0["slot"]["id"]][0]
    r = W.admin.patch("/api/v1/events/%s/meetings/%d" % (slug, other["id"]),
                      {"slot_id": m0["slot"]["id"], "table": m0["table"]})
    check(r.status == 409 and r.error_code in ("table_taken", "person_busy"), "move onto a taken table: %r" % r)
    r = W.admin.get("/api/v1/events/%s/matchmaking/participants" % slug)
    expect_status(r, 200, "participants")
    check(len(r.json["participants"]) == 8 and all("email" in p for p in r.json["participants"]),
          "organisers see emails: %r" % r.json["participants"][:1])
    pid = r.json["participants"][0]["id"]
    r = W.admin.patch("/api/v1/events/%s/matchmaking/participants/%d" % (slug, pid), {"hidden": True})
    expect_status(r, 200, "hide")
    d = people[1]["c"].get(people[1]["m"] + "/participants").json
    check(all(p["id"] != pid for p in d["participants"]), "hidden profile still listed")


def test_meeting_mails_and_reasons_in_the_participants_language():
    ev, tt = W.simple_event(languages=["sl", "en"])
    slug = ev["slug"]
    W.session(slug, title="Srečanja", kind="networking", one_to_one=True, tables=4,
              starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T15:00:00+02:00")
    r = W.admin.request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body={"enabled": True})
    expect_status(r, 200, "settings")
    a = person(slug, tt, "Ana Kovač", "UKC", ["diabetes"], "hospital",
               opps=[("request", "Pilotno okolje", ["diabetes"])])
    emb = uniq_email("sl")
    reg = W.registered(slug, tt["id"], name="Mojca Zupan", email=emb, organisation="Zdravje d.o.o.", language="sl")
    mb = url_path(reg["manage_url"])
    cb = W.anon()
    expect_status(cb.request("PUT", mb + "/profile", json_body={"visible": True, "organisation_type": "startup",
                                                                "topics": ["diabetes"]}), 201, "profile")
    expect_status(cb.post(mb + "/opportunities", {"kind": "offer", "title": "Aplikacija za diabetes",
                                                  "topics": ["diabetes"]}), 201, "offer")
    bid = cb.get(mb + "/profile").json["id"]
    # The reasons speak the page's language.
    r = a["c"].get(a["m"] + "/recommendations?lang=sl")
    check(any("Aplikacija za diabetes" in x and "ustreza" in x for x in r.json["recommendations"][0]["reasons"]),
          "Slovenian reasons: %r" % r.json["recommendations"])
    r = a["c"].post(a["m"] + "/meetings", {"with": bid, "message": "Dober dan!"})
    expect_status(r, 201, "request")
    SINK.wait_for([emb], count=2)
    msgs = [x for x in SINK.to(emb) if x.msg["Content-Language"] == "sl" and "Dober dan!" in text_part(x.msg)]
    check(len(msgs) == 1, "a Slovenian request mail: %r" % [str(x.msg["Subject"]) for x in SINK.to(emb)])
    text = text_part(msgs[0].msg)
    check("bi se rad" in text and "Odpri moje sestanke" in text, "Slovenian text:\n" + text)
    r = cb.post(mb + "/meetings/%d/accept" % r.json["id"])
    expect_status(r, 200, "accept")
    # Mojca's own agenda mail the evening before is queued; the request's error messages are translated too.
    r = cb.post(mb + "/meetings", {"with": bid}, headers={"Accept-Language": "sl"})
    expect_error(r, 422, "self")
    check("sami s sabo" in r.json["error"]["message"], "Slovenian error: %r" % r.json)
