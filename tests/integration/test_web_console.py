"""
The staff pages (issue 5) in a real browser: the organiser console
(sign-in, events, programme, tickets and questions, members, check-in
devices, registrations, mailings, the live dashboard) and the door
scanner (staff sign-in or a paired device key, a real camera stream of a
ticket's QR code decoded by zxing-wasm, a handheld scanner typing the code,
look-up by name, undo, every refusal shown).  What the pages did is then
checked through the API.  Every page is also checked for console errors
and CSP violations, sideways scrolling at 320/360 px and unlabelled
controls, and photographed at 360 and 1280 px
(tests/artifacts/screenshots/console_* and scan_*).

One server for the module (with a real SMTP server for mailings); the
browser scripts are tests/browser/console_*.mjs and scan_*.mjs.
"""

import base64
import io
import os
import subprocess
import uuid

import harness
from harness import check, expect_status
from util_events import World, uniq, uniq_email, url_path
from util_mail import SmtpSink, mail_env, wait_mailing_done
from util_web import run_browser

W = None
SINK = None
STAFF_PASSWORD = "staff-password-0123"


def setup_module():
    global W, SINK
    SINK = SmtpSink().start()
    W = World("webconsole", mail_env(SINK.port))


def teardown_module():
    if W is not None:
        W.stop()
    if SINK is not None:
        SINK.stop()


def browser(script, args, flags=None):
    a = dict(args)
    if flags:
        a["chromium_flags"] = flags
    return run_browser(script, W.srv.url, a)


def staff(role):
    """A new staff account: (user, logged-in client, email)."""
    user, client = W.new_user(role, password=STAFF_PASSWORD)
    return user, client, user["email"]


def get_event(slug, client=None):
    r = (client or W.admin).get("/api/v1/events/%s" % slug)
    expect_status(r, 200, "get event %s" % slug)
    return r.json


def ticket_code(slug, reg_id):
    reg = W.reg(slug, reg_id)
    check(reg.get("ticket") and reg["ticket"].get("code"), "registration %d has no ticket: %r" % (reg_id, reg))
    return reg["ticket"]["code"]


def hm(iso):
    """'HH:MM' of an RFC 3339 time as written (the API writes the event's offset)."""
    return iso[11:16]


# --------------------------------------------------------------------------
# A real camera: a YUV4MPEG2 file that Chromium plays as the webcam

def make_y4m(png, path, width=640, height=480, frames=10, size=300):
    """Write a .y4m video (4:2:0, grey: U = V = 128) whose frames show the
    QR code of png, scaled to size px, centred on white."""
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
    check(r.header("Content-Type", "").startswith("image/png"), "QR is not a PNG: %r" % r)
    return r.body


def zbar_image(data, suffix):
    d = harness.tmpdir("z")
    path = os.path.join(d, "img" + suffix)
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, timeout=30)
    check(p.returncode in (0, 4), "zbarimg failed: %r" % p)
    return [x for x in p.stdout.decode("utf-8", "replace").splitlines() if x]


# --------------------------------------------------------------------------
# The organiser console

def test_console_creates_event_session_ticket_type():
    user, client, email = staff("organiser")
    slug = uniq("spring")
    name = "Digital Health Spring " + uuid.uuid4().hex[:4]
    out = browser("console_create.mjs", {"email": email, "password": STAFF_PASSWORD,
                                         "slug": slug, "name": name})
    # What the organiser saw.
    check("Wrong email or password" in out["wrong_password"], "wrong password: %r" % out)
    check("No events yet" in out["empty_list"], "empty list: %r" % out)
    check(out["ends_error"] == "Must be after the start.", "end before start: %r" % out)
    check("does not exist" in out["gap_error"], "02:30 on the DST night: %r" % out)
    check("Event created" in out["created_notice"] and out["status_before"] == "Draft", "after create: %r" % out)
    check(out["settings_starts"] == "2027-03-27T09:00" and out["settings_ends"] == "2027-03-28T18:00",
          "settings show the times in the event's zone: %r" % out)
    check(out["session_day"].startswith("Sunday") and "28" in out["session_day"], "session day: %r" % out)
    check(out["session_room"] == "Hall A" and out["session_card"].startswith("10:00\u201311:00 Opening keynote"),
          "session card: %r" % out)
    check("Dr. Maja Kovač" in out["session_card"] and "0 / 50 seats" in out["session_card"], "session card: %r" % out)
    check("\u20ac25.50" in out["ttype_row"] and "Required" in out["ttype_row"] and "Opening keynote" in out["ttype_row"],
          "ticket type row: %r" % out)
    check(out["options_hidden_for_text"] is True, "options field shown for a text question: %r" % out)
    check(out["edit_prefill"] == {"starts": "2027-03-28T10:00", "room": "Hall A"}, "edit form prefill: %r" % out)
    check(out["session_card_edited"].startswith("10:00\u201311:30 Opening keynote"), "edited session: %r" % out)
    check("Temporary Speaker" in out["speaker_delete_asked"], "speaker delete did not ask: %r" % out)
    check(out["status_after"] == "Published", "publish: %r" % out)
    check(out["saved_notice"] == "Saved.", "save settings: %r" % out)
    check("Close this event" in out["close_asked"] and out["status_closed"] == "Closed" and out["reopen_offered"],
          "close: %r" % out)
    check(name in out["list_row"] and "Published" in out["list_row"], "events list: %r" % out)
    check(out["url_after_create"].endswith("/console/#/events/%s?msg=created" % slug), "after create: %r" % out)
    check(out["after_logout"] == 401, "still signed in after log out: %r" % out)

    # What the server has.
    ev = get_event(slug, client)
    check(ev["name"] == name and ev["timezone"] == "Europe/Ljubljana" and ev["status"] == "closed",
          "event: %r" % ev)
    check(ev["starts_at"] == "2027-03-27T09:00:00+01:00", "starts_at (winter time): %r" % ev["starts_at"])
    check(ev["ends_at"] == "2027-03-28T18:00:00+02:00", "ends_at (summer time): %r" % ev["ends_at"])
    check(ev["capacity"] == 120 and ev["venue"] == "Cankarjev dom, Linhart hall", "event fields: %r" % ev)
    check(len(ev["sessions"]) == 1, "sessions: %r" % ev["sessions"])
    s = ev["sessions"][0]
    check(s["title"] == "Opening keynote" and s["kind"] == "keynote" and s["room"] == "Hall B"
          and s["track"] == "Main" and s["capacity"] == 50, "session: %r" % s)
    check(s["starts_at"] == "2027-03-28T10:00:00+02:00" and s["ends_at"] == "2027-03-28T11:30:00+02:00",
          "session times in the event's zone after the DST change: %r" % s)
    check(len(ev["speakers"]) == 1 and ev["speakers"][0]["name"] == "Dr. Maja Kovač"
          and s["speaker_ids"] == [ev["speakers"][0]["id"]], "speaker: %r / %r" % (ev["speakers"], s))
    check(ev["speakers"][0].get("email") == "maja@example.test", "speaker email: %r" % ev["speakers"])
    check(len(ev["ticket_types"]) == 1, "ticket types: %r" % ev["ticket_types"])
    t = ev["ticket_types"][0]
    check(t["name"] == "Standard" and t["price_cents"] == 2550 and t["currency"] == "EUR"
          and t["quota"] == 100 and t["requires_approval"] is True and t["sessions"] == [s["id"]],
          "ticket type: %r" % t)
    check(t["sale_ends_at"] == "2027-03-27T08:00:00+01:00" and t["sale_starts_at"] is None,
          "sale window: %r" % t)
    check(len(ev["questions"]) == 1, "questions: %r" % ev["questions"])
    q = ev["questions"][0]
    check(q["label"] == "Dietary needs" and q["kind"] == "choice" and q["required"] is True
          and q["options"] == ["None", "Vegetarian", "Vegan"], "question: %r" % q)
    r = client.get("/api/v1/events/%s/members" % slug)
    expect_status(r, 200, "members")
    check([m["email"] for m in r.json["members"]] == [email], "the creator is the member: %r" % r.json)


def regs_event(organiser_client):
    """An event of the organiser with three ticket types (free, needing
    approval, paid), two questions and 32 registrations in every state."""
    ev = W.event(client=organiser_client, name="Registrations " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    free = W.ttype(slug, name="Standard")
    partner = W.ttype(slug, name="Partner", requires_approval=True)
    paid = W.ttype(slug, name="Paid", price_cents=4000)
    job = W.question(slug, label="Job title", kind="text", required=True)
    diet = W.question(slug, label="Diet", kind="choice", options=["None", "Vegan"])

    def reg(name, tt, status="confirmed", **kw):
        return W.registered(slug, tt["id"], status=status, name=name,
                            answers={str(job["id"]): "Nurse"}, **kw)
    people = {}
    for i in range(1, 29):
        people["p%02d" % i] = reg("Person %02d" % i, free)
    people["ana"] = reg("Ana Novak", free, organisation="Acme d.o.o.")
    people["bojan"] = reg("Bojan Pending", partner, status="pending_approval")
    people["cene"] = reg("Cene Unpaid", paid, status="pending_payment")
    people["dora"] = reg("Dora Cancel", free)
    return ev, people, {"job": job, "diet": diet}


def test_console_registrations():
    user, client, email = staff("organiser")
    ev, people, qs = regs_event(client)
    slug = ev["slug"]
    r = W.checkin(slug, code=ticket_code(slug, people["p01"]["id"]))
    expect_status(r, 200, "check in Person 01")
    new_email = uniq_email("ana")
    out = browser("console_registrations.mjs", {
        "email": email, "password": STAFF_PASSWORD, "slug": slug,
        "pending": "Bojan Pending", "unpaid": "Cene Unpaid", "edit": "Ana Novak",
        "cancel": "Dora Cancel", "new_email": new_email})
    check(out["total"] == "32 registrations.", "count: %r" % out)
    check(out["page1"] == "Page 1 of 2" and out["rows_page1"] == 25, "page 1: %r" % out)
    check(out["page2"] == "Page 2 of 2" and out["rows_page2"] == 7, "page 2: %r" % out)
    check(out["checked_in_rows"] == ["Person 01"], "checked-in filter: %r" % out)
    check("checked_in=true" in out["hash_after_filter"], "filters belong in the URL: %r" % out)
    check(out["csv_href"] == "/api/v1/events/%s/exports/attendees.csv?checked_in=true&bom=1" % slug,
          "export link: %r" % out["csv_href"])
    csv_rows = [l for l in out["csv"]["body"].splitlines() if l.strip()]
    check(out["csv"]["status"] == 200 and out["csv"]["type"].startswith("text/csv")
          and len(csv_rows) == 2 and "Person 01" in csv_rows[1], "export: %r" % out["csv"])
    check(out["pending_status"] == "Awaiting approval" and out["approved_status"] == "Confirmed",
          "approve: %r" % out)
    check(out["paid_status"] == "Confirmed", "mark paid: %r" % out)
    check(out["dialog_job"] == "Nurse", "the edit dialog shows the answers: %r" % out)
    check(out["email_error"], "no error for an invalid email: %r" % out)
    check("Zdravje d.o.o." in out["edited_row"] and new_email in out["edited_row"], "edited row: %r" % out)
    check(new_email in out["resend_notice"], "re-send notice: %r" % out)
    check(len(out["cancel_asked"]) == 1 and "Dora Cancel" in out["cancel_asked"][0], "cancel confirmation: %r" % out)
    check(out["cancelled_status"] == "Cancelled" and out["cancelled_actions"] == ["Edit"],
          "cancelled row: %r" % out)

    check(W.reg(slug, people["bojan"]["id"])["status"] == "confirmed", "Bojan not approved on the server")
    check(W.reg(slug, people["cene"]["id"])["status"] == "confirmed", "Cene not marked paid on the server")
    check(W.reg(slug, people["dora"]["id"])["status"] == "cancelled", "Dora not cancelled on the server")
    ana = W.reg(slug, people["ana"]["id"])
    check(ana["organisation"] == "Zdravje d.o.o." and ana["email"] == new_email, "Ana: %r" % ana)
    check(ana["answers"] == {str(qs["job"]["id"]): "Head nurse", str(qs["diet"]["id"]): "Vegan"},
          "Ana's answers: %r" % ana)
    r = W.admin.get("/api/v1/events/%s/outbox" % slug)
    expect_status(r, 200, "outbox")
    kinds = [(m["kind"], m["to"]) for m in r.json["messages"]]
    check(("ticket_resent", new_email) in kinds, "no re-sent ticket to %s: %r" % (new_email, kinds))
    check(any(k == "approved" for k, _ in kinds), "no approval mail: %r" % kinds)


# --------------------------------------------------------------------------
# The door scanner

def door_staff(slug):
    """A check-in account that is a member of the event."""
    user, client, email = staff("checkin")
    W.add_member(slug, user["id"])
    return user, client, email


def test_scanner_camera_checks_in_once():
    # New York: neither the browser's zone (Tokyo) nor the server's (UTC).
    ev, tt = W.simple_event(name="Camera " + uuid.uuid4().hex[:4], timezone="America/New_York",
                            starts_at="2027-05-14T09:00:00-04:00", ends_at="2027-05-14T18:00:00-04:00")
    slug = ev["slug"]
    reg = W.registered(slug, tt["id"], name="Camera Person", organisation="Lens d.o.o.")
    code = reg["ticket"]["code"]
    video = make_y4m(qr_png(code), os.path.join(harness.tmpdir("v"), "ticket.y4m"))
    user, client, email = door_staff(slug)
    out = browser("scan_camera.mjs", {"email": email, "password": STAFF_PASSWORD, "gate": "North door"},
                  flags=camera_flags(video))
    check(out["single_event"] == "Event: " + ev["name"], "one event, no choice: %r" % out)
    check(out["points"] == ["Event entrance"], "check-in points: %r" % out)
    check("North door" in out["context"] and "Event entrance" in out["context"], "context: %r" % out)
    check(out["idle_focus"] == "code", "the code field is not focused when idle: %r" % out)
    check(out["video_playing"], "the camera video is not playing: %r" % out)
    check(out["ok"]["title"] == "\u2713\u00a0Checked in" or out["ok"]["title"].endswith("Checked in"),
          "first scan: %r" % out)
    check(out["ok"]["name"] == "Camera Person" and "Lens d.o.o." in out["ok"]["detail"], "first scan: %r" % out)
    check(out["undo_enabled"] and out["count_device_after_ok"] == "1", "after the first scan: %r" % out)
    check(out["ready_ms"] <= 1000, "not ready for the next scan within a second: %r" % out)
    check(out["repeat_after_ms"] >= 2500, "the code in view was scanned again before the debounce: %r" % out)

    r = W.reg(slug, reg["id"])
    at = r.get("checked_in_at")
    check(at, "no check-in on the server: %r" % r)
    want = "Already checked in at %s, North door" % hm(at)
    check(out["warn"]["title"].endswith(want), "second scan: want %r, got %r" % (want, out))
    check(out["warn"]["name"] == "Camera Person", "second scan name: %r" % out)
    check(out["count_device_after_repeat"] == "1" and out["count_total"] == "1", "counts: %r" % out)
    check(out["video_hidden"], "the video stays after Stop camera: %r" % out)
    stats = W.stats(slug)
    check(stats["checked_in"] == 1, "stats.checked_in: %r" % stats)
    check(sum(b["count"] for b in stats["arrivals"]) == 1, "exactly one check-in: %r" % stats["arrivals"])


def checkin_token(client, name, slug):
    """A check-in device key made through the API, as the console makes it:
    scoped to the event where the server can, else for the user's events."""
    r = client.post("/api/v1/tokens", {"name": name, "role": "checkin", "event": slug})
    if r.status == 422 and "event" in ((r.json or {}).get("error") or {}).get("fields", {}):
        r = client.post("/api/v1/tokens", {"name": name, "role": "checkin", "event": None})
    expect_status(r, 201, "create token %s" % name)
    return r.json


def tokens_by_name(client):
    r = client.get("/api/v1/tokens")
    expect_status(r, 200, "tokens")
    return {t["name"]: t for t in r.json["tokens"]}


def test_console_devices_and_scanner_pairing():
    user, client, email = staff("organiser")
    ev = W.event(client=client, name="Pairing " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    tt = W.ttype(slug, name="Standard")
    reg = W.registered(slug, tt["id"], name="Pat Paired", organisation="Pair Lab")
    door, _, door_email = staff("checkin")
    checkin_token(client, "Old tablet", slug)

    out = browser("console_devices.mjs", {"email": email, "password": STAFF_PASSWORD, "slug": slug,
                                          "checkin_user_id": door["id"], "old_token_name": "Old tablet"})
    check(out["members_before"] == 1 and door_email in out["members_after"], "members: %r" % out)
    check(door_email in out["member_notice"], "member notice: %r" % out)
    check("already a member" in out["member_again"], "adding twice: %r" % out)
    check(out["member_unknown"] == "No such active user.", "unknown user id: %r" % out)
    r = client.get("/api/v1/events/%s/members" % slug)
    expect_status(r, 200, "members")
    check(sorted(m["email"] for m in r.json["members"]) == sorted([email, door_email]), "members: %r" % r.json)

    url = out["pair_url"]
    prefix = "%s/scan/#event=%s&token=" % (W.srv.url, slug)
    check(url.startswith(prefix) and url[len(prefix):].startswith("cft_"), "pairing URL: %r" % url)
    check("Main door phone" in out["pair_heading"] and "Main door phone" in out["qr_alt"], "pairing: %r" % out)
    check(out["qr_loaded"] and out["qr_src"].startswith("data:image/gif;base64,"), "QR image: %r" % out)
    from PIL import Image
    gif = Image.open(io.BytesIO(base64.b64decode(out["qr_src"].split(",", 1)[1])))
    png = io.BytesIO()
    gif.convert("L").save(png, "PNG")
    check(zbar_image(png.getvalue(), ".png") == [url], "the QR code does not decode to the link shown")
    toks = tokens_by_name(client)
    t = toks.get("Main door phone")
    check(t and t["role"] == "checkin" and not t["revoked"] and t["event"] in (slug, None), "token: %r" % toks)
    if t["event"] is None:
        check(any("cannot limit device keys" in n for n in out["pair_notices"]),
              "an unscoped key without a word about it: %r" % out)
    check(toks["Old tablet"]["revoked"] is True and "Revoked" in out["devices_after"], "revoke: %r / %r" % (toks, out))
    check("Old tablet" in out["revoke_asked"], "revoking did not ask first: %r" % out)

    lost = checkin_token(client, "Lost phone", slug)
    expect_status(client.delete("/api/v1/tokens/%d" % lost["id"]), 204, "revoke Lost phone")
    revoked_url = "%s/scan/#event=%s&token=%s" % (W.srv.url, slug, lost["token"])

    out = browser("scan_pair.mjs", {"url": url, "code": reg["ticket"]["code"], "revoked_url": revoked_url})
    check(out["url_after"] == W.srv.url + "/scan/" and out["history_hash"] == "", "the key stays in the URL: %r" % out)
    check(out["stored_matches"], "the key is not kept on the device: %r" % out)
    check(out["cookies"] == [], "a paired device has a session cookie: %r" % out)
    check("Paired device" in out["nav"] and out["selected_event"] == slug, "after pairing: %r" % out)
    check(out["focus_idle"] == "code", "the code field is not focused when idle: %r" % out)
    check(out["ok_name"] == "Pat Paired" and out["device_after_ok"] == "1" and out["code_cleared"],
          "handheld check-in: %r" % out)
    check(out["undo_label"] == "Undo check-in: Pat Paired", "undo button: %r" % out)
    check("undone" in out["undo_title"] and out["device_after_undo"] == "0" and out["undo_disabled"], "undo: %r" % out)
    check(out["still_scanning"] and out["device_after_second"] == "1",
          "typing while a button had focus: %r" % out)
    check("Side door" in out["context_after_reload"] and out["device_after_reload"] == "1", "reload: %r" % out)
    check(out["stored_after_forget"] is None and "no longer paired" in out["forget_message"], "forget: %r" % out)
    check("no longer works" in out["revoked_message"] and out["revoked_stored"] is None, "revoked key: %r" % out)

    stats = W.stats(slug)
    check(stats["checked_in"] == 1 and sum(b["count"] for b in stats["arrivals"]) == 1,
          "one live check-in after check-in, undo, check-in: %r" % stats)
    check(W.reg(slug, reg["id"]).get("checked_in_at"), "not checked in on the server")
    check(tokens_by_name(client)["Main door phone"]["last_used_at"], "the device key was never used (Bearer auth)")


def test_scanner_shows_every_answer():
    ev = W.event(name="Answers " + uuid.uuid4().hex[:4], waitlist=True)
    slug = ev["slug"]
    s1 = W.session(slug, title="Workshop A", kind="talk", starts_at="2027-05-14T10:00:00+02:00",
                   ends_at="2027-05-14T11:00:00+02:00", room="Room 1")
    s2 = W.session(slug, title="Workshop B", kind="talk", starts_at="2027-05-14T11:00:00+02:00",
                   ends_at="2027-05-14T12:00:00+02:00", room="Room 2")
    std = W.ttype(slug, name="Standard")
    day = W.ttype(slug, name="Day pass", sessions=[s2["id"]])
    partner = W.ttype(slug, name="Partner", requires_approval=True)
    olga = W.registered(slug, std["id"], name="Olga Ok", organisation="Okay d.o.o.")
    nina = W.registered(slug, std["id"], name="Nina Network")
    dan = W.registered(slug, day["id"], name="Dan Daypass")
    cene = W.registered(slug, std["id"], name="Cene Cancelled")
    W.registered(slug, partner["id"], name="Pia Pending", status="pending_approval")
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, cene["id"])), 200, "cancel")
    full = get_event(slug)["seats_taken"]
    expect_status(W.admin.patch("/api/v1/events/%s" % slug, {"capacity": full}), 200, "fill the event")
    W.registered(slug, std["id"], name="Wanda Waitlist", status="waitlisted")
    other, other_tt = W.simple_event(name="Other " + uuid.uuid4().hex[:4])
    stranger = W.registered(other["slug"], other_tt["id"], name="Stranger")
    user, client, email = door_staff(slug)
    W.add_member(other["slug"], user["id"])
    from util_events import alter_char
    codes = {"ok": olga["ticket"]["code"], "network": nina["ticket"]["code"],
             "day_pass": dan["ticket"]["code"], "cancelled": cene["ticket"]["code"],
             "other_event": stranger["ticket"]["code"],
             "forged": alter_char(olga["ticket"]["code"], 100)}
    out = browser("scan_results.mjs", {"email": email, "password": STAFF_PASSWORD, "slug": slug,
                                       "codes": codes, "session_id": s1["id"], "session_title": "Workshop A"})
    res = out["results"]
    check(sorted(out["event_options"]) == sorted([ev["name"], other["name"]]), "event choice: %r" % out)

    def shows(key, kind, title, name=None):
        r = res[key]
        check(r["kind"] == kind and r["title"].endswith(title) and (name is None or r["name"] == name),
              "%s: want %s %r (%r), got %r" % (key, kind, title, name, r))
    shows("ok", "ok", "Checked in", "Olga Ok")
    at = W.reg(slug, olga["id"])["checked_in_at"]
    shows("again", "warn", "Already checked in at %s, Hall door" % hm(at), "Olga Ok")
    shows("invalid", "bad", "Invalid ticket", "")
    shows("cancelled", "bad", "Cancelled", "Cene Cancelled")
    shows("wrong_event", "bad", "Wrong event")
    shows("waitlisted", "bad", "On the waiting list", "Wanda Waitlist")
    shows("pending", "bad", "Not confirmed", "Pia Pending")
    check(all(res[k]["posts"] == 1 for k in ("ok", "again", "invalid", "cancelled", "wrong_event")),
          "one request per scan: %r" % res)
    tones = {k: res[k]["tones"] for k in ("ok", "again", "invalid", "cancelled")}
    check(tones["ok"] == ["sine:880", "sine:1320"] and tones["again"] == ["square:440", "square:440"]
          and tones["invalid"] == ["square:196"] and tones["cancelled"] == tones["invalid"],
          "tones (ok, already, refused must differ): %r" % tones)
    shows("offline", "bad", "No connection")
    shows("back_online", "ok", "Checked in", "Nina Network")
    n = out["network_nonces"]
    check(len(n) == 5 and len(set(n)) == 1, "retries after a network failure must repeat the nonce: %r" % n)
    check(out["retry_hidden"], "Try again still shown: %r" % out)
    check(out["remembered_gate"] == "Hall door", "gate not remembered: %r" % out)
    check("Workshop A" in out["session_context"], "session context: %r" % out)
    shows("not_for_session", "bad", "Not for this session", "Dan Daypass")
    shows("session_ok", "ok", "Checked in", "Olga Ok")
    check(out["session_total_label"] == "Attended this session", "session count: %r" % out)
    distinct = len(set(out["all_nonces"]))
    check(distinct == len(out["all_nonces"]) - 4, "every scan needs a fresh nonce: %r" % out["all_nonces"])
    check(out["session_ids"][-1] == s1["id"] and out["session_ids"][0] is None, "points sent: %r" % out)
    check(out["gates"] == ["Hall door"], "gate sent: %r" % out)
    check(any("Pia Pending" in r and "Not confirmed" in r for r in out["lookup_rows"]),
          "look-up rows show the registration's state: %r" % out)

    stats = W.stats(slug)
    check(stats["checked_in"] == 2, "entrance check-ins (Olga, Nina): %r" % stats)
    by = {x["session_id"]: x for x in stats["by_session"]}
    check(by[s1["id"]]["checked_in"] == 1 and by[s2["id"]]["checked_in"] == 0, "session check-ins: %r" % stats)
    check(W.stats(other["slug"])["checked_in"] == 0, "the other event's ticket was checked in")


def test_dashboard_follows_checkins_live():
    user, client, email = staff("organiser")
    ev = W.event(client=client, name="Live " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    keynote = W.session(slug, title="Keynote", kind="keynote")
    std = W.ttype(slug, name="Standard")
    partner = W.ttype(slug, name="Partner", requires_approval=True)
    ana = W.registered(slug, std["id"], name="Ana Novak", organisation="Acme d.o.o.")
    bor = W.registered(slug, std["id"], name="Bor Code")
    cvet = W.registered(slug, std["id"], name="Cvet Session")
    W.registered(slug, partner["id"], name="Pia Pending", status="pending_approval")
    door, _, door_email = door_staff(slug)
    before = W.stats(slug)
    out = browser("scan_dashboard.mjs", {
        "slug": slug, "organiser": {"email": email, "password": STAFF_PASSWORD},
        "door": {"email": door_email, "password": STAFF_PASSWORD},
        "search": "Ana", "name": "Ana Novak", "code": bor["ticket"]["code"],
        "session_id": keynote["id"], "session_reg": cvet["id"], "session_title": "Keynote"})
    check(out["before"] == {"registered": str(before["registered"]), "checked_in": "0",
                            "waitlisted": str(before["waitlisted"]), "pending": str(before["pending"])},
          "dashboard before: %r vs %r" % (out["before"], before))
    check(out["before"]["pending"] == "1", "pending count: %r" % out)
    check(out["no_arrivals"], "an arrivals chart with no arrivals: %r" % out)
    check(out["scan_name"] == "Ana Novak", "look-up check-in: %r" % out)
    check(out["lookup_email_hidden"], "door staff see email addresses: %r" % out)
    at = W.reg(slug, ana["id"])["checked_in_at"]
    check(any("Ana Novak" in r and "Checked in at " + hm(at) in r for r in out["lookup_after"]),
          "look-up after check-in: %r (at %s)" % (out["lookup_after"], at))
    check(out["first_update_ms"] <= 10000, "the dashboard took too long: %r" % out)
    check(out["same_document"], "the dashboard reloaded the page")
    check(out["session_row"].startswith("Keynote") and out["session_row"].endswith(" 1"), "session row: %r" % out)
    check("2 in total" in out["chart_label"] and out["chart_drawn"], "arrivals chart: %r" % out)
    check(out["arrivals_table"].endswith(" 2"), "arrivals table: %r" % out)
    check(out["checked_extra"].startswith("67% of 3 confirmed"), "checked-in share: %r" % out)
    # The latest scans, newest first: the forged code, the session, the
    # code, the look-up at the door.
    rows = out["scan_rows"]
    check(len(rows) == 4, "latest scans: %r" % rows)
    check("Invalid code" in rows[0] and "Side door" in rows[0] and "Entrance" in rows[0],
          "forged scan row: %r" % rows)
    check("Checked in" in rows[1] and "Cvet Session" in rows[1] and "Keynote" in rows[1]
          and "API" in rows[1], "session scan row: %r" % rows)
    check("Checked in" in rows[2] and "Bor Code" in rows[2] and "Entrance" in rows[2], "code row: %r" % rows)
    check("Checked in" in rows[3] and "Ana Novak" in rows[3], "look-up row: %r" % rows)
    stats = W.stats(slug)
    check(stats["checked_in"] == 2, "stats after: %r" % stats)


def test_console_mailing_preview_send_and_failures():
    user, client, email = staff("organiser")
    ev = W.event(client=client, name="Mailing " + uuid.uuid4().hex[:4], venue="Cankarjev dom")
    slug = ev["slug"]
    std = W.ttype(slug, name="Standard")
    fail_email = uniq_email("nobody")
    SINK.script(fail_email, rcpt=[("550 5.1.1 No such user here", True)])
    ok_emails = [uniq_email("ana"), uniq_email("bo")]
    W.registered(slug, std["id"], name="Ana Mail", email=ok_emails[0])
    W.registered(slug, std["id"], name="Bo Mail", email=ok_emails[1])
    W.registered(slug, std["id"], name="Fail Person", email=fail_email)
    out = browser("console_mailing.mjs", {"email": email, "password": STAFF_PASSWORD, "slug": slug,
                                          "fail_email": fail_email})
    check(out["empty"] == "No mailings yet.", "before: %r" % out)
    check("Everyone registered (confirmed)" in out["audiences"] and "Ticket type: Standard" in out["audiences"],
          "audiences: %r" % out)
    # The placeholders next to the message, each with its explanation.
    check(out["place_desktop"]["beside"] and out["place_phone"]["below"],
          "placeholders not next to the message: %r / %r" % (out["place_desktop"], out["place_phone"]))
    for aud in ("attendees", "speakers"):
        ph = out["ph_" + aud]
        check(all(x["help"].strip() and x["described"] and x["button"] == x["name"] and
                  x["label"] == "Insert " + x["name"] for x in ph),
              "%s placeholders without an explanation or name: %r" % (aud, ph))
    names = {aud: [x["name"] for x in out["ph_" + aud]] for aud in ("attendees", "speakers")}
    for n in ("{{attendee.name}}", "{{event.name}}", "{{event.starts_at}}", "{{event.venue}}"):
        check(n in names["attendees"] and n in names["speakers"], "%s not listed: %r" % (n, names))
    check("{{manage_url}}" in names["attendees"] and "{{manage_url}}" not in names["speakers"] and
          "{{speaker.name}}" in names["speakers"] and "{{speaker.name}}" not in names["attendees"],
          "placeholders not chosen by audience: %r" % names)
    sec = [x for x in out["ph_speakers"] if x["name"] == "{{#sessions}}\u2026{{/sessions}}"]
    check(len(sec) == 1 and "speaker" in sec[0]["help"] and "{{title}}" in sec[0]["help"]
          and "{{room}}" in sec[0]["help"], "the sessions section for speakers: %r" % out["ph_speakers"])
    check(out["ph_note_hidden"] and "own sessions" in out["ph_note"], "the speakers' note: %r" % out)
    check(out["section_inserted"].startswith("Dear speaker, your talks:\n{{#sessions}}\n")
          and out["section_inserted"].rstrip().endswith("{{/sessions}}"),
          "the sessions section inserted: %r" % out["section_inserted"])
    check(out["after_click"] == "Dear {{attendee.name}},\n\nDoors open at 8:30.\n\nSee you at .",
          "inserted at the cursor by mouse: %r" % out["after_click"])
    check(out["focus_back"], "the cursor is not back in the message after the placeholder")
    check(out["tab_reaches"] == "{{attendee.name}}", "Tab from the message: %r" % out["tab_reaches"])
    check(out["after_keys"] == "Dear {{attendee.name}},\n\nDoors open at 8:30.\n\nSee you at {{event.venue}}.",
          "inserted at the cursor by keyboard: %r" % out["after_keys"])
    # What the list inserts is what the server accepts, for either audience.
    for aud in ("attendees", "speakers"):
        every = out["all_" + aud]
        check(all(n.split("\u2026")[0] in every for n in names[aud]), "%s: not all inserted: %r" % (aud, every))
        r = client.post("/api/v1/events/%s/mailings/preview" % slug,
                        {"audience": aud, "subject": "All placeholders", "body": every})
        expect_status(r, 200, "preview with every listed placeholder for %s: %r" % (aud, every))
    check("attendee.nmae" in out["placeholder_error"], "unknown placeholder: %r" % out)
    check(out["preview_count"].startswith("3 recipients"), "preview count: %r" % out)
    check(out["preview_subject"] == "Subject: Practical details for " + ev["name"], "preview subject: %r" % out)
    check("Dear Ana Mail," in out["preview_html"] and "See you at Cankarjev dom." in out["preview_html"],
          "preview body: %r" % out)
    check(out["preview_safe"] and out["preview_styled"] == "24px", "preview rendering: %r" % out)
    check("Dear Ana Mail," in out["preview_text"], "plain-text preview: %r" % out)
    check("to 3 recipients" in out["send_asked"], "sending did not ask first: %r" % out)
    check(out["queued"] == "Queued for 3 recipients.", "queued: %r" % out)
    check(out["progress"].startswith("2 sent, 1 failed, 0 waiting of 3"), "progress: %r" % out)
    check(out["progress_value"] == [3, 3], "progress bar: %r" % out)
    check("failed" in out["progress_failure_note"], "failure note: %r" % out)
    check(out["mailings_row"].startswith("Practical details for {{event.name}}") and "Done" in out["mailings_row"],
          "mailings table: %r" % out)
    check(any(fail_email in r and "550 5.1.1 No such user here" in r and "failed" in r for r in out["failed_rows"]),
          "outbox failures: %r" % out)
    check(all(fail_email in r for r in out["failed_rows"]), "only failures listed: %r" % out)

    r = client.get("/api/v1/events/%s/mailings" % slug)
    expect_status(r, 200, "mailings")
    m = r.json["mailings"]
    check(len(m) == 1 and m[0]["total"] == 3 and m[0]["sent"] == 2 and m[0]["failed"] == 1, "mailing: %r" % m)
    got = SINK.wait_for(ok_emails, timeout=20, count=1)
    for a in ok_emails:
        subjects = [x.msg["Subject"] for x in got[a.lower()]]
        check("Practical details for " + ev["name"] in subjects, "no mailing to %s: %r" % (a, subjects))


# --------------------------------------------------------------------------
# Languages: the console in the user's language, the scanner's choice

def test_console_in_german_for_a_user_whose_language_is_de():
    email = uniq_email("deutsch")
    r = W.admin.post("/api/v1/users", {"email": email, "role": "organiser", "password": STAFF_PASSWORD,
                                       "language": "de"})
    expect_status(r, 201, "create a user whose language is de")
    user = r.json.get("user", r.json)
    check(user.get("language") == "de", "the new user's language: %r" % user)
    client = W.srv.client()
    client.login(email, STAFF_PASSWORD)
    # Across the spring DST change in Ljubljana; the browser runs in Tokyo.
    ev = W.event(client=client, name="Gesundheit " + uuid.uuid4().hex[:4], timezone="Europe/Ljubljana",
                 starts_at="2027-03-27T09:00:00+01:00", ends_at="2027-03-28T18:00:00+02:00")
    slug = ev["slug"]
    s = W.session(slug, title="Eröffnung", kind="keynote", starts_at="2027-03-28T10:00:00+02:00",
                  ends_at="2027-03-28T11:00:00+02:00", room="Saal A")
    out = browser("console_language.mjs", {
        "email": email, "password": STAFF_PASSWORD, "slug": slug, "event_name": ev["name"],
        "timezone": "Europe/Ljubljana", "starts_at": ev["starts_at"], "session_starts_at": s["starts_at"]})
    check(out["login"]["html_lang"] == "en" and out["login"]["i18n_lang"] == "en",
          "the sign-in page before sign-in (an English browser): %r" % out["login"])
    de = out["de"]
    check(de["html_lang"] == "de" and de["i18n_lang"] == "de", "after sign-in: %r" % de)
    check(de["switcher_value"] == "de" and de["switcher_text"] == "Deutsch" and de["switcher_label"],
          "the switcher after sign-in: %r" % de)
    check(out["english_left"] == [], "English words left on the German page: %r (checked %r)"
          % (out["english_left"], out["english_checked"]))
    # Dates by Intl in German in the event's zone, whatever the catalogs say.
    check("27.03.2027, 09:00" in out["row"] and out["expected_start"] in out["row"],
          "the event's dates in German in Ljubljana time: %r (want %r)" % (out["row"], out["expected_start"]))
    check(out["day_heading"] == out["expected_day"] and "März" in out["day_heading"]
          and out["day_heading"].startswith("Sonntag"), "the programme's day in German: %r" % out)
    check(out["de_state_programme"]["html_lang"] == "de", "the programme page: %r" % out["de_state_programme"])
    check(out["switcher_tab_reached"] and out["switcher_name"].strip(), "the switcher by keyboard: %r" % out)
    # Switched to English: saved for the account, and it holds.
    check(out["reloaded"], "choosing English did not reload the page: %r" % out)
    for k in ("after_switch", "after_reload"):
        st = out[k]
        check(st["html_lang"] == "en" and st["i18n_lang"] == "en" and st["switcher_value"] == "en"
              and st["switcher_text"] == "English", "%s: %r" % (k, st))
    check(out["me_after_switch"] == "en" and out["heading_after_switch"] == "Your events", "after the switch: %r" % out)
    r = client.get("/api/v1/auth/me")
    expect_status(r, 200, "auth/me")
    check(r.json["user"].get("language") == "en", "the user's language on the server: %r" % r.json)
    # A fresh German browser: German until sign-in, then the account's English.
    check(out["fresh_login"]["html_lang"] == "de", "a German browser before sign-in: %r" % out["fresh_login"])
    check(out["fresh"]["html_lang"] == "en" and out["fresh"]["switcher_value"] == "en",
          "the account's language after sign-in in a German browser: %r" % out["fresh"])


def test_scanner_language_from_the_address_and_the_switcher():
    out = browser("scan_language.mjs", {})
    check(out["plain"]["html_lang"] == "en" and out["plain"]["cookie"] is None, "no choice: %r" % out["plain"])
    for k in ("sl", "sl_reloaded"):
        st = out[k]
        check(st["html_lang"] == "sl" and st["i18n_lang"] == "sl" and st["switcher_value"] == "sl"
              and st["switcher_text"] == "slovenščina" and st["switcher_labelled"], "%s: %r" % (k, st))
    check(out["reloaded"], "the switcher did not reload the page: %r" % out)
    for k in ("hu", "hu_reloaded", "hu_plain_url"):
        st = out[k]
        check(st["html_lang"] == "hu" and st["switcher_value"] == "hu" and st["switcher_text"] == "magyar"
              and st["cookie"] == "hu" and st["search"] == "", "%s: %r" % (k, st))
    check("confero_lang=hu" in out["cookies"], "cookies: %r" % out["cookies"])
    st = out["sl_over_cookie"]
    check(st["html_lang"] == "sl" and st["cookie"] == "hu", "?lang over the cookie: %r" % st)
