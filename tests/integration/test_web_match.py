"""
B2B matchmaking (issue 14) in a real browser: the participants' meetings
page (web/meet.html: opt-in profile, opportunities, recommendations, the
directory without emails, requesting a meeting, accepting it from the
link of the mailed request, the same slot and table on both agendas,
confirming the meeting by scanning the other side's ticket QR with a fake
camera, the outcome) and the organisers' console pages (settings, slots,
participants with moderation, the scheduler's numbers, the desk view with
table → names, downloads, the dashboard block, the programme's one-to-one
fields).  What the pages did is checked through the API.  Every page is
checked for console errors / CSP violations, sideways scrolling, labels
and contrast, and photographed (tests/artifacts/screenshots/meet_* and
console_matchmaking_* / console_meetings_*).

One server for the module, mailing to an SMTP sink; the browser scripts
are tests/browser/meet_flow.mjs and console_matchmaking.mjs.
"""

import io
import os
import re
import uuid

import harness
from harness import check, expect_status
from util_events import uniq_email, url_path
from util_mail import mail_world, stop_mail_world, text_part
from util_web import run_browser

SINK = None
W = None
STAFF_PASSWORD = "staff-password-0123"


def setup_module():
    global SINK, W
    SINK, W = mail_world("webmatch")


def teardown_module():
    stop_mail_world(SINK, W)


def browser(script, args, flags=None):
    a = dict(args)
    a["chromium_flags"] = ["--lang=en-US"] + list(flags or [])
    return run_browser(script, W.srv.url, a, timeout=240)


def enable(slug, client=None, **settings):
    body = {"enabled": True, "meeting_minutes": 20, "max_meetings": 12,
            "request_expiry_hours": 72, "ticket_type_ids": "all"}
    body.update(settings)
    r = (client or W.admin).request("PUT", "/api/v1/events/%s/matchmaking" % slug, csrf=True, json_body=body)
    expect_status(r, 200, "matchmaking settings")
    return r.json


def attendee(slug, tt, name, org):
    email = uniq_email("mm")
    reg = W.registered(slug, tt["id"], name=name, email=email, organisation=org)
    m = url_path(reg["manage_url"])
    code = W.anon().get(m).json["ticket"]["code"]
    return {"manage": m, "name": name, "email": email, "org": org, "code": code, "c": W.anon()}


def profile(p, otype, country, topics, opps=()):
    r = p["c"].request("PUT", p["manage"] + "/profile", json_body={
        "visible": True, "headline": "%s headline" % p["name"], "organisation_type": otype,
        "country": country, "topics": list(topics)})
    check(r.status in (200, 201), "profile of %s: %r" % (p["name"], r))
    for kind, title, ot in opps:
        expect_status(p["c"].post(p["manage"] + "/opportunities",
                                  {"kind": kind, "title": title, "description": "", "topics": list(ot)}),
                      201, "opportunity")
    p["profile_id"] = r.json["id"]
    return r.json


# --------------------------------------------------------------------------
# A real camera: a YUV4MPEG2 file that Chromium plays as the webcam (as
# test_web_console's scanner test does)

def make_y4m(png, path, width=640, height=480, frames=10, size=300):
    from PIL import Image      # Debian's python3-pil
    qr = Image.open(io.BytesIO(png)).convert("L").resize((size, size), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - size) // 2, (height - size) // 2))
    y = frame.tobytes()
    uv = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n" % (width, height))
        for _ in range(frames):
            f.write(b"FRAME\n" + y + uv + uv)
    return path


def camera_flags(y4m):
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--use-file-for-fake-video-capture=" + y4m]


def qr_png(code):
    r = W.anon().get("/t/%s.png?size=400" % code)
    expect_status(r, 200, "QR image of a ticket")
    return r.body


# --------------------------------------------------------------------------

def test_participants_meet_from_the_directory_to_a_confirmed_meeting():
    ev, tt = W.simple_event(name="Digital Health Brokerage " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    W.session(slug, title="Brokerage", kind="networking", one_to_one=True, tables=2,
              starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T15:00:00+02:00")
    enable(slug)
    a = attendee(slug, tt, "Ana Kovač", "UKC Ljubljana")
    b = attendee(slug, tt, "Boris Petrov", "MedTech Sofia")
    c = attendee(slug, tt, "Cilka Zupan", "Zavarovalnica")
    profile(b, "startup", "BG", ["telemonitoring", "diabetes"],
            [("offer", "Remote monitoring platform", ["telemonitoring"])])
    profile(c, "insurer", "SI", ["reimbursement"])
    args = {"event_name": ev["name"], "topic": "Telemonitoring", "b_opportunity": "Remote monitoring platform",
            "a": {k: a[k] for k in ("manage", "name", "email")},
            "b": {k: b[k] for k in ("manage", "name", "email", "org", "profile_id")}}

    out = browser("meet_flow.mjs", dict(args, phase="request"))
    check(out["ticket_link"] == a["manage"] + "/matchmaking", "ticket page link: %r" % out["ticket_link"])
    check("Tick the box" in out["consent_error"], "consent error: %r" % out)
    check("listed in the directory" in out["saved"], "saved: %r" % out)
    check("1 participant matches" in out["dir_count"] and "Cilka" not in out["dir"], "directory: %r" % out)
    check("Their offer" in out["rec"] or "Remote monitoring platform" in out["rec"], "recommendation: %r" % out["rec"])
    mid = out["meeting_id"]
    # What the server has: A's opt-in and the request.
    mine = a["c"].get(a["manage"] + "/matchmaking").json["profile"]
    check(mine["visible"] is True and mine["consent_at"] and mine["country"] == "SI"
          and [o["title"] for o in mine["opportunities"]] == ["Pilot site for remote monitoring"], "A's profile: %r" % mine)
    ms = a["c"].get(a["manage"] + "/meetings").json["meetings"]
    check(len(ms) == 1 and ms[0]["id"] == mid and ms[0]["status"] == "requested"
          and ms[0]["message"] == "Shall we talk about a pilot?"
          and ms[0]["opportunity_title"] == "Remote monitoring platform", "request: %r" % ms)

    # B's mail links to the meeting on B's page.
    SINK.wait_for([b["email"]], count=2)
    mails = [x for x in SINK.to(b["email"]) if "would like to meet" in str(x.msg["Subject"])]
    check(len(mails) == 1, "request mail to B: %r" % [str(x.msg["Subject"]) for x in SINK.to(b["email"])])
    m = re.search(r"(https?://\S+/manage/\S+/matchmaking#meeting-%d)" % mid, text_part(mails[0].msg))
    check(m is not None, "no meeting link in the mail:\n" + text_part(mails[0].msg))
    link = url_path(m.group(1).split("#")[0]) + "#" + m.group(1).split("#")[1]

    video = make_y4m(qr_png(b["code"]), os.path.join(harness.tmpdir("v"), "b-ticket.y4m"))
    out2 = browser("meet_flow.mjs", dict(args, phase="accept", link=link, meeting_id=mid), camera_flags(video))
    check("Accepted" in out2["b_accepted"] and "Table" in out2["b_accepted"], "accepted: %r" % out2)
    check(out2["a_agenda"][0]["where"] == "Table 1" and "14:00" in out2["a_agenda"][0]["when"], "agenda: %r" % out2)
    check(out2["ics"] == a["manage"] + "/agenda.ics" and out2["pdf"] == a["manage"] + "/agenda.pdf", "links: %r" % out2)
    check("confirmed" in out2["held_msg"] and out2["camera_stopped"], "held: %r" % out2)
    check(out2["outcome_msg"] == "Saved: Follow-up planned.", "outcome: %r" % out2)
    ag_a = a["c"].get(a["manage"] + "/agenda").json["meetings"]
    ag_b = b["c"].get(b["manage"] + "/agenda").json["meetings"]
    check(len(ag_a) == 1 and ag_a[0]["slot"] == ag_b[0]["slot"] and ag_a[0]["table"] == ag_b[0]["table"] == "1",
          "agendas: %r %r" % (ag_a, ag_b))
    check(ag_a[0]["status"] == "held" and ag_a[0]["held_at"] and ag_a[0]["outcome"] == "follow_up"
          and ag_a[0]["note"] == "Send the pilot plan", "held meeting: %r" % ag_a[0])
    r = W.anon().get(a["manage"] + "/agenda.ics")
    expect_status(r, 200, "agenda.ics from the page's link")


def test_console_settings_scheduler_and_desk_view():
    user, org = W.new_user("organiser", password=STAFF_PASSWORD)
    ev = W.event(client=org, name="Brokerage console " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    r = org.post("/api/v1/events/%s/ticket-types" % slug, {"name": "Standard"})
    expect_status(r, 201, "ticket type")
    tt = r.json
    enable(slug, client=org)
    people = [attendee(slug, tt, n, o) for n, o in (("Alma Novak", "Hospital A"), ("Bor Kranjc", "Start B"),
                                                     ("Cene Golob", "Clinic C"), ("Darja Vidmar", "SME D"))]
    for p, ot in zip(people, ("hospital", "startup", "clinic", "sme")):
        profile(p, ot, "SI", ["diabetes"])
    # Three agreed meetings before there are slots: accepted, not placed.
    for i, j in ((0, 1), (2, 3), (0, 2)):
        r = people[i]["c"].post(people[i]["manage"] + "/meetings", {"with": people[j]["profile_id"]})
        expect_status(r, 201, "request")
        r = people[j]["c"].post(people[j]["manage"] + "/meetings/%d/accept" % r.json["id"])
        check(r.json["status"] == "accepted", "no slots yet: %r" % r.json)
    # Two slots of one table: two places for three meetings.
    r = org.post("/api/v1/events/%s/sessions" % slug, {
        "title": "Meetings", "kind": "networking", "one_to_one": True, "tables": 1,
        "starts_at": "2027-05-14T14:00:00+02:00", "ends_at": "2027-05-14T14:40:00+02:00"})
    expect_status(r, 201, "one-to-one session")

    out = browser("console_matchmaking.mjs", {"email": user["email"], "password": STAFF_PASSWORD, "slug": slug,
                                              "hide": {"name": people[3]["name"]}})
    check("Matchmaking" in out["nav"] and "Meetings" in out["nav"], "event navigation: %r" % out["nav"])
    check("Saved" in out["saved"], "settings: %r" % out)
    s = W.anon().get("/api/v1/events/%s/matchmaking" % slug).json
    check(s["max_meetings"] == 5 and s["request_expiry_hours"] == 48 and s["enabled"] is True
          and "other" not in s["organisation_types"] and "hospital" in s["organisation_types"]
          and s["closes_at"] == "2027-05-14T12:00:00+02:00", "saved settings: %r" % s)
    check(len(out["slots"]) == 2 and "14:00" in out["slots"][0], "slots: %r" % out["slots"])
    check(len(out["participants"]) == 4 and all(p["email"] in " ".join(out["participants"]) for p in people),
          "participants: %r" % out["participants"])
    parts = org.get("/api/v1/events/%s/matchmaking/participants" % slug).json["participants"]
    check([p["hidden"] for p in parts if p["name"] == people[3]["name"]] == [True], "hidden: %r" % parts)
    check(out["sched"] == {"placed": "2", "unplaced": "1", "upper_bound": "2", "greedy_placed": out["sched"]["greedy_placed"],
                           "moved": "0"}, "scheduler numbers: %r" % out["sched"])
    check("2 meetings placed" in out["sched_notice"] and len(out["unplaced"]) == 1, "scheduler: %r" % out)
    check(out["downloads"] == ["/api/v1/events/%s/exports/%s" % (slug, f) for f in
                               ("meetings.xlsx", "meetings.csv", "attendance.xlsx")], "downloads: %r" % out["downloads"])
    # The desk view agrees with the API, slot by slot.
    placed = org.get("/api/v1/events/%s/meetings?status=scheduled" % slug).json["meetings"]
    check(len(placed) == 2, "placed: %r" % placed)
    # The slots of the first session (the browser added another at the end).
    slots = [x for x in W.anon().get("/api/v1/events/%s/matchmaking/slots" % slug).json["slots"]
             if x["starts_at"].startswith("2027-05-14")]
    check(len(slots) == 2 and len(out["desk"]) == 2, "desk views: %r of %r" % (out["desk"], slots))
    for k, sl in enumerate(slots):
        here = [x for x in placed if x["slot"]["id"] == sl["id"]]
        rows = out["desk"][k]
        check(len(rows) == 1 and rows[0][0] == "Table 1", "desk rows of slot %d: %r" % (k, rows))
        if here:
            x = here[0]
            check(x["requester"]["name"] in rows[0][1] and x["recipient"]["name"] in rows[0][2],
                  "desk of slot %d: %r vs %r" % (k, rows, x))
        check(out["plan"][k] == "/api/v1/events/%s/exports/table-plan.pdf?slot=%d" % (slug, sl["id"]), "plan: %r" % out["plan"])
    check(len(out["meetings"]) == 3, "meetings listed: %r" % out["meetings"])
    check(out["dash"].get("mm-scheduled") == "2" and out["dash"].get("mm-profiles") == "4", "dashboard: %r" % out["dash"])
    check(out["one_hidden_for_talk"] and out["tables_shown"], "one-to-one fields: %r" % out)
    check("One-to-one meetings at 3 tables" in out["session_card"], "session card: %r" % out["session_card"])
    sess = [x for x in W.anon().get("/api/v1/events/%s" % slug).json["sessions"] if x["title"] == "Afternoon brokerage"]
    check(len(sess) == 1 and sess[0]["one_to_one"] is True and sess[0]["tables"] == 3 and sess[0]["kind"] == "networking",
          "the session saved: %r" % sess)
