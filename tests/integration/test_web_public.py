"""
The public web pages (issue 5) in a real browser: the event list, the
event page (programme by day and room, speakers, tickets, live
availability), the registration form (client-side and server-side errors
by their fields, the result with a QR ticket that zbarimg decodes to the
code the API has), the attendee's ticket page (session changes, cancelling
with a confirmation step, "Your data": the download, and erasure confirmed
by the mailed link), keyboard-only registration, and on every page:
no horizontal scrolling at 320 px, labelled controls, AA contrast, no
console errors or CSP violations, screenshots at 360 and 1280 px; and
the pages in the attendee's language (a Slovenian browser, the switchers,
the registration's language).

One server for the module; the browser scripts are tests/browser/public_*.mjs.
"""

import base64
import os
import sys
import uuid

import harness
from harness import check, expect_error, expect_status
from util_events import World, uniq, uniq_email, url_path, zbar_decode
from util_web import run_browser

W = None


def setup_module():
    global W
    W = World("webpublic")


def teardown_module():
    if W is not None:
        W.stop()


def T(day, hm):
    """A time of the test events (Europe/Ljubljana, summer time)."""
    return "2027-05-%02dT%s:00+02:00" % (day, hm)


def browser(script, args):
    """Run a browser script; its Chromium speaks US English unless args
    give other chromium_flags (the contexts set their locale too)."""
    args = dict(args)
    args.setdefault("chromium_flags", ["--lang=en-US"])
    return run_browser(script, W.srv.url, args)


def reg_by_email(slug, email):
    body = W.reg_list(slug, q=email)
    regs = [r for r in body.get("registrations", []) if r.get("email") == email]
    return regs


def full_event(name=None):
    """A two-day event with a programme in several rooms, speakers, ticket
    types (free, a sold-out one, one needing approval), questions of every
    kind and sessions that need sign-up."""
    ev = W.event(name=name or "Health Data Summit " + uuid.uuid4().hex[:4],
                 description="Two days on health data.\n\nHospitals, start-ups and researchers.",
                 capacity=100)
    slug = ev["slug"]
    maja = W.speaker(slug, name="Dr. Maja Kovač", organisation="UKC Ljubljana",
                     bio="Leads the telemedicine programme.")
    jan = W.speaker(slug, name="Jan Horvat", organisation="HealthTech d.o.o.", bio="Builds FHIR servers.")
    s = {}
    s["keynote"] = W.session(slug, title="Opening keynote", kind="keynote", room="Hall A", track="Main",
                             starts_at=T(14, "09:00"), ends_at=T(14, "10:00"), speaker_ids=[maja["id"]])
    s["talk"] = W.session(slug, title="Interoperability in practice", kind="talk", room="Hall A",
                          track="Interop", starts_at=T(14, "10:30"), ends_at=T(14, "11:15"),
                          speaker_ids=[jan["id"]])
    s["fhir"] = W.session(slug, title="FHIR hands-on", kind="workshop", room="Room 2",
                          starts_at=T(14, "10:30"), ends_at=T(14, "12:00"), capacity=2,
                          requires_signup=True, speaker_ids=[jan["id"]])
    s["lab"] = W.session(slug, title="Small lab", kind="workshop", room="Room 3",
                         starts_at=T(15, "09:00"), ends_at=T(15, "10:00"), capacity=1,
                         requires_signup=True)
    s["panel"] = W.session(slug, title="Closing panel", kind="panel", room="Hall A",
                           starts_at=T(15, "16:00"), ends_at=T(15, "17:00"))
    tt = {}
    tt["standard"] = W.ttype(slug, name="Standard", price_cents=0)
    tt["early"] = W.ttype(slug, name="Early bird", price_cents=5000, currency="EUR", quota=1)
    tt["vip"] = W.ttype(slug, name="Partner", price_cents=0, requires_approval=True,
                        sessions=[s["keynote"]["id"], s["panel"]["id"]])
    q = {}
    q["job"] = W.question(slug, label="Job title", kind="text", required=True)
    q["role"] = W.question(slug, label="Role", kind="choice", required=True,
                           options=["Clinician", "Researcher", "Industry"])
    q["topics"] = W.question(slug, label="Topics of interest", kind="multichoice",
                             options=["AI", "Interoperability", "Security"])
    q["diet"] = W.question(slug, label="Dietary needs", kind="textarea")
    q["access"] = W.question(slug, label="I need step-free access", kind="checkbox")
    q["country"] = W.question(slug, label="Country", kind="country", required=True)
    answers = {str(q["job"]["id"]): "Nurse", str(q["role"]["id"]): "Clinician",
               str(q["country"]["id"]): "SI"}
    return {"ev": ev, "slug": slug, "s": s, "tt": tt, "q": q, "answers": answers,
            "speakers": [maja, jan]}


def other_registration(f, session_ids=(), tt="standard"):
    """The body of someone else's registration, for the browser script or the API."""
    return {"ticket_type_id": f["tt"][tt]["id"], "name": "Other Person",
            "email": uniq_email("other"), "organisation": "Elsewhere",
            "answers": f["answers"], "session_ids": list(session_ids), "consent": True}


# --------------------------------------------------------------------------

def test_home_lists_published_events_only():
    later = W.event(name="Later Meetup " + uuid.uuid4().hex[:4], venue="Tehnološki park",
                    starts_at="2027-09-20T17:00:00+02:00", ends_at="2027-09-20T20:00:00+02:00")
    sooner = W.event(name="Sooner Forum " + uuid.uuid4().hex[:4],
                     starts_at="2027-03-02T09:00:00+01:00", ends_at="2027-03-02T13:00:00+01:00")
    draft = W.event(name="Secret Draft " + uuid.uuid4().hex[:4], publish=False)
    res = browser("public_home.mjs", {
        "published": [{"slug": sooner["slug"], "name": sooner["name"], "time": "09:00", "date": "March 2, 2027"},
                      {"slug": later["slug"], "name": later["name"], "time": "17:00", "date": "September 20, 2027",
                       "venue": "Tehnološki park"}],
        "draft": {"slug": draft["slug"], "name": draft["name"]},
    })
    check(res.get("h1") == later["name"], "following the link opens the event page: %r" % res)


def test_event_page_programme_tickets_and_live_availability():
    f = full_event()
    slug, s, tt = f["slug"], f["s"], f["tt"]
    # One of two FHIR places and the only lab place are taken; the early-bird
    # ticket's quota of one is sold (pending payment holds it).
    W.registered(slug, tt["standard"]["id"], answers=f["answers"], session_ids=[s["fhir"]["id"], s["lab"]["id"]])
    W.registered(slug, tt["early"]["id"], status="pending_payment", answers=f["answers"])
    last = W.ttype(slug, name="Last seat", quota=1)
    email = uniq_email("partner")
    res = browser("public_event.mjs", {
        "slug": slug, "name": f["ev"]["name"],
        "sessions": {k: {"id": v["id"], "title": v["title"]} for k, v in s.items()},
        "tt": dict({k: v["id"] for k, v in tt.items()}, last=last["id"]),
        "q": {k: v["id"] for k, v in f["q"].items()},
        "other": other_registration(f, [s["fhir"]["id"]]),
        "other_last": dict(other_registration(f), ticket_type_id=last["id"]),
        "email": email,
    })
    check(res.get("ics_status") == 200 and "BEGIN:VCALENDAR" in res.get("ics_start", ""),
          "Add to calendar link does not give the iCalendar: %r" % res)
    ev = W.anon().get("/api/v1/events/" + slug).json
    fhir = [x for x in ev["sessions"] if x["id"] == s["fhir"]["id"]][0]
    check(fhir["available"] == 0, "the script's registration did not take the last FHIR place: %r" % fhir)
    regs = reg_by_email(slug, email)
    check(len(regs) == 1 and regs[0]["status"] == "pending_approval" and regs[0]["ticket_type_id"] == tt["vip"]["id"],
          "registration after sold_out, with the approval ticket: %r" % regs)


def test_register_through_the_form():
    f = full_event()
    slug, s, tt, q = f["slug"], f["s"], f["tt"], f["q"]
    W.registered(slug, tt["standard"]["id"], answers=f["answers"], session_ids=[s["fhir"]["id"]])
    email = uniq_email("ana")
    r = W.admin.post("/api/v1/tokens", {"name": uniq("closer"), "role": "organiser", "event": None})
    expect_status(r, 201, "organiser token for the script")
    res = browser("public_register.mjs", {
        "slug": slug, "email": email, "tt": tt["standard"]["id"], "paid_tt": tt["early"]["id"],
        "q": {k: v["id"] for k, v in q.items()},
        "fhir": {"id": s["fhir"]["id"], "title": s["fhir"]["title"]},
        "lab": {"id": s["lab"]["id"], "title": s["lab"]["title"]},
        "other": other_registration(f, [s["fhir"]["id"]]),
        "token": r.json["token"],
    })
    regs = reg_by_email(slug, email)
    check(len(regs) == 1, "want exactly one registration for %s, got %r" % (email, regs))
    reg = W.reg(slug, regs[0]["id"])
    check(reg["status"] == "confirmed", "registration: %r" % reg)
    check(reg["name"] == "Ana Novak" and reg["organisation"] == "Klinika Golnik",
          "name/organisation from the form: %r" % reg)
    check(reg["session_ids"] == [s["lab"]["id"]],
          "sessions: want only the lab (FHIR was full), got %r" % reg["session_ids"])
    a = reg["answers"]
    check(a.get(str(q["job"]["id"])) == "Head nurse" and a.get(str(q["role"]["id"])) == "Researcher" and
          a.get(str(q["country"]["id"])) == "SI" and a.get(str(q["topics"]["id"])) == ["AI", "Security"] and
          a.get(str(q["access"]["id"])) is True and a.get(str(q["diet"]["id"])) == "Vegetarian\nNo nuts",
          "answers from the form: %r" % a)
    code = reg["ticket"]["code"]
    decoded = zbar_decode(base64.b64decode(res["qr_png"]))
    check(decoded == [code], "QR shown after registering decodes to %r, want the ticket code %r" % (decoded, code))
    m = W.anon().request("GET", url_path(res["manage_href"]), headers={"Accept": "application/json"})
    expect_status(m, 200, "the result's ticket-page link is this registration's manage link")
    check(m.json["id"] == reg["id"], "manage link belongs to another registration: %r" % m.json)
    ev = W.anon().get("/api/v1/events/" + slug).json
    check(ev["status"] == "closed", "the script closed registration: %r" % ev["status"])


def test_ticket_page_sessions_and_cancel():
    ev = W.event(name="Clinic Tech Day " + uuid.uuid4().hex[:4], capacity=20)
    slug = ev["slug"]
    sess = {}
    for key, title, cap, start in (("a", "Workshop Alpha", 5, "09:00"), ("b", "Workshop Beta", 1, "10:00"),
                                   ("c", "Workshop Gamma", 1, "11:00"), ("d", "Workshop Delta", 5, "12:00")):
        end = "%02d:00" % (int(start[:2]) + 1)
        sess[key] = W.session(slug, title=title, kind="workshop", room="Lab " + key.upper(),
                              capacity=cap, requires_signup=True, starts_at=T(14, start), ends_at=T(14, end))
    tt = W.ttype(slug, name="Day pass")
    W.registered(slug, tt["id"], session_ids=[sess["c"]["id"]])        # Gamma is full
    reg = W.registered(slug, tt["id"], name="Luka Zupan", organisation="Bolnišnica Celje",
                       session_ids=[sess["a"]["id"]])
    other = {"ticket_type_id": tt["id"], "name": "Other Person", "email": uniq_email("o"),
             "consent": True, "session_ids": [sess["b"]["id"]]}
    res = browser("public_manage.mjs", {
        "manage": url_path(reg["manage_url"]), "slug": slug, "event_name": ev["name"],
        "name": "Luka Zupan", "sessions": {k: {"id": v["id"], "title": v["title"]} for k, v in sess.items()},
        "other": other,
    })
    decoded = zbar_decode(base64.b64decode(res["qr_png"]))
    check(decoded == [reg["ticket"]["code"]],
          "QR on the ticket page decodes to %r, want %r" % (decoded, reg["ticket"]["code"]))
    check(res["qr_width"] >= 280, "QR is %r CSS px wide at 320 px, want >= 280" % res["qr_width"])
    got = W.reg(slug, reg["id"])
    check(got["status"] == "cancelled", "after cancelling on the page the API says %r" % got["status"])
    check(got["session_ids"] in ([sess["d"]["id"]], []),
          "sessions after the change: %r" % got["session_ids"])
    check(res["saved_sessions"] == [sess["d"]["id"]],
          "API sessions after saving on the page: %r" % res["saved_sessions"])
    q = W.anon().get("/t/%s.png" % reg["ticket"]["code"])
    check(q.status == 404, "the cancelled ticket's QR image still answers %d" % q.status)


def test_keyboard_only_registration():
    ev = W.event(name="Keyboard Meetup " + uuid.uuid4().hex[:4])
    slug = ev["slug"]
    std = W.ttype(slug, name="Standard")
    W.ttype(slug, name="Supporter", price_cents=2000)
    job = W.question(slug, label="Job title", kind="text", required=True)
    country = W.question(slug, label="Country", kind="country", required=True)
    email = uniq_email("kb")
    browser("public_keyboard.mjs", {"slug": slug, "email": email, "tt": std["id"],
                                    "job": job["id"], "country": country["id"]})
    regs = reg_by_email(slug, email)
    check(len(regs) == 1, "keyboard registration: %r" % regs)
    reg = W.reg(slug, regs[0]["id"])
    check(reg["status"] == "confirmed" and reg["ticket_type_id"] == std["id"] and
          reg["name"] == "Mia Keyes" and
          reg["answers"] == {str(job["id"]): "Engineer", str(country["id"]): "SI"},
          "keyboard registration stored: %r" % reg)


def test_every_public_page_basics():
    f = full_event("Screenshot Summit")
    slug = f["slug"]
    reg = W.registered(slug, f["tt"]["standard"]["id"], name="Ana Novak", answers=f["answers"],
                       session_ids=[f["s"]["fhir"]["id"]])
    waiting = W.registered(slug, f["tt"]["vip"]["id"], status="pending_approval",
                           name="Petra Waits", answers=f["answers"])
    closed = W.event(name="Closed Colloquium " + uuid.uuid4().hex[:4],
                     registration_closes_at="2026-01-01T00:00:00+01:00")
    W.ttype(closed["slug"], name="Standard")
    bogus = "/manage/" + "A" * 43
    browser("public_pages.mjs", {"pages": [
        {"name": "home", "path": "/", "ready": ".event-card", "text": "Screenshot Summit"},
        {"name": "event", "path": "/events/" + slug, "ready": "#reg-form:not([hidden])",
         "text": "FHIR hands-on"},
        {"name": "event_closed", "path": "/events/" + closed["slug"], "ready": "#register-closed:not([hidden])",
         "text": "Registration for this event is closed.", "invisible": ["#reg-form", "#go-register"]},
        {"name": "event_missing", "path": "/events/no-such-event-" + uuid.uuid4().hex[:6],
         "ready": "h1", "text": "Event not found", "allow": [404]},
        {"name": "manage", "path": url_path(reg["manage_url"]), "ready": "#qr-img", "text": "Confirmed"},
        {"name": "manage_pending", "path": url_path(waiting["manage_url"]), "ready": "#status-notice",
         "text": "Waiting for approval"},
        {"name": "manage_invalid", "path": bogus, "ready": "h1", "text": "Ticket not found", "allow": [404]},
        {"name": "privacy", "path": "/privacy.html", "ready": "h1", "text": "How to cancel"},
    ]})


# --------------------------------------------------------------------------
# Languages

def catalog(lang):
    """(ctx, msgid) -> translation of po/<lang>.po, translated entries only."""
    sys.path.insert(0, os.path.join(harness.REPO, "scripts"))
    import po
    out = {}
    for e in po.parse_po(os.path.join(harness.REPO, "po", lang + ".po")):
        if e["id"] and not e["obsolete"] and "fuzzy" not in e["flags"] and e["strs"] and all(e["strs"]):
            out[(e["ctx"], e["id"])] = e["strs"][0]
    return out


def test_event_and_ticket_pages_in_the_attendees_language():
    tag = uuid.uuid4().hex[:4]
    names = {"sl": "Forum zdravja " + tag, "en": "Health forum " + tag}
    titles = {"sl": "Odprtje foruma", "en": "Forum opening"}
    ev = W.event(languages=["sl", "en"], name=names,
                 description={"sl": "Dva dneva o zdravstvenih podatkih.", "en": "Two days on health data."})
    slug = ev["slug"]
    W.session(slug, title=titles, kind="keynote", room="Dvorana A",
              starts_at=T(14, "09:00"), ends_at=T(14, "10:00"))
    tt = W.ttype(slug, name={"sl": "Standardna vstopnica", "en": "Standard ticket"})
    q = W.question(slug, label={"sl": "Vloga", "en": "Role"}, kind="choice", required=True,
                   options={"sl": ["Zdravnik", "Raziskovalec"], "en": ["Clinician", "Researcher"]})
    email = uniq_email("sl")
    # What the page must say: the Slovenian catalog's words where it has
    # them, else the English source (the mechanism, before translators).
    wanted = [("#about-h", None, "About"), ("#programme-h", None, "Programme"),
              ("#tickets-h", None, "Tickets"), ("#register-h", None, "Register"),
              ("#submit", None, "Register"), ('label[for="f-name"] > span', None, "Full name"),
              ('label[for="f-email"] > span', None, "Email address"),
              ('label[for="f-organisation"]', None, "Organisation"),
              ("#hint-email", None, "Your ticket and the link to change or cancel your registration are sent here."),
              (".event-head dl dt", None, "When"), ("#lang-slot label", None, "Language"),
              ("a.skip-link", None, "Skip to content"), ("#tickets-body .ticket .price", None, "Free")]
    sl = catalog("sl")
    res = browser("public_language.mjs", {
        "chromium_flags": ["--lang=sl"],
        "slug": slug, "names": names, "tt": tt["id"], "q": q["id"], "option": 1, "email": email,
        "starts_at": T(14, "09:00"), "timezone": "Europe/Ljubljana",
        "labels": [{"sel": sel} for sel, _, _ in wanted],
    })
    # The home page and the event page: Slovenian, content and chrome.
    check(res["home"]["html_lang"] == "sl" and res["home_card"] == names["sl"],
          "the home page in a Slovenian browser: %r, card %r" % (res["home"], res["home_card"]))
    st = res["sl"]
    check(st["html_lang"] == "sl" and st["i18n_lang"] == "sl", "the event page's language: %r" % st)
    check(st["h1"] == names["sl"] and st["title"].startswith(names["sl"]), "the Slovenian event name: %r" % st)
    check(st["switcher_value"] == "sl" and st["switcher_options"] == ["sl", "en"] and
          st["switcher_text"] == "slovenščina" and st["switcher_label"], "the switcher offers the event's languages: %r" % st)
    check("14. maj 2027" in res["sl_when"] and "petek" in res["sl_when"],
          "the date by Intl in Slovenian: %r" % res["sl_when"])
    check(res["sl_day"] == res["sl_expected_day"] and "maj" in res["sl_day"],
          "the programme's day in Slovenian: %r, want %r" % (res["sl_day"], res["sl_expected_day"]))
    check(titles["sl"] in res["sl_programme"] and "Standardna vstopnica" in res["sl_tickets"],
          "the organiser's texts in Slovenian: %r / %r" % (res["sl_programme"], res["sl_tickets"]))
    check(res["sl_options"] == ["Zdravnik", "Raziskovalec"], "the options in Slovenian: %r" % res["sl_options"])
    for (sel, ctx, msgid), got in zip(wanted, res["sl_labels"]):
        want = sl.get((ctx, msgid), msgid)
        check(got == want, "%s on the Slovenian page: %r, want %r (%s)"
              % (sel, got, want, "the catalog's" if (ctx, msgid) in sl else "not translated yet"))
    # Registered from the Slovenian page: the form said so.
    check(res["posted"] and res["posted"].get("language") == "sl", "the POST's language: %r" % res["posted"])
    check(res["result_status"] == "confirmed", "registered: %r" % res["result_status"])
    regs = reg_by_email(slug, email)
    check(len(regs) == 1, "one registration: %r" % regs)
    reg = W.reg(slug, regs[0]["id"])
    check(reg["answers"].get(str(q["id"])) == "Raziskovalec", "the option as shown, stored: %r" % reg["answers"])
    t_sl = res["ticket_sl"]
    check(t_sl["html_lang"] == "sl" and names["sl"] in t_sl["h1"] and t_sl["switcher_value"] == "sl",
          "the ticket page in Slovenian: %r" % t_sl)
    note = "Your emails, your badge and your certificate will be in the language you choose here."
    check(res["ticket_sl_note"].strip() == sl.get((None, note), note), "the switcher's note: %r" % res["ticket_sl_note"])
    check("Standardna vstopnica" in res["ticket_sl_details"] and "maj 2027" in res["ticket_sl_details"],
          "the ticket's details in Slovenian: %r" % res["ticket_sl_details"])
    # The event page's switcher: English, kept by the cookie.
    check(res["switcher_tab_reached"] and res["reloaded"], "the switcher by keyboard, then a reload: %r" % res)
    for k in ("en", "en_reload", "en_plain"):
        st = res[k]
        check(st["html_lang"] == "en" and st["i18n_lang"] == "en" and st["h1"] == names["en"]
              and st["switcher_value"] == "en" and st["switcher_text"] == "English" and st["search"] == "",
              "%s: %r" % (k, st))
    check(res["en_labels"] == [m for _, _, m in wanted], "English labels after the switch: %r" % res["en_labels"])
    check(titles["en"] in res["en_programme"], "the English session title: %r" % res["en_programme"])
    check(res["cookies"] == ["en"], "the language cookie: %r" % res["cookies"])
    check(res["sl_query"]["html_lang"] == "sl" and res["sl_query"]["h1"] == names["sl"],
          "?lang=sl over the cookie: %r" % res["sl_query"])
    # The ticket page: the registration's language, whatever the cookie;
    # its switcher changes the registration's.
    check(res["ticket_after_cookie"]["html_lang"] == "sl", "the ticket page follows the registration: %r"
          % res["ticket_after_cookie"])
    check(res["ticket_patched"] == {"language": "en"} and res["ticket_reloaded"],
          "the ticket page's switcher: %r" % res)
    t_en = res["ticket_en"]
    check(t_en["html_lang"] == "en" and names["en"] in t_en["h1"] and t_en["switcher_value"] == "en",
          "the ticket page in English: %r" % t_en)
    m = W.anon().request("GET", res["manage_href"], headers={"Accept": "application/json"})
    expect_status(m, 200, "the registration through its manage link")
    check(m.json["language"] == "en", "the registration's language after the switch: %r" % m.json.get("language"))


# --------------------------------------------------------------------------
# Personal data on the ticket page

def test_ticket_page_your_data_download_and_erasure():
    """"Your data": the download link gives the registration's JSON; erasure
    asked on the page, confirmed from the mailed link (after backing out
    once), then the final message, and the 410 gone page on a reload."""
    import re
    from util_mail import mail_world, stop_mail_world, text_part
    sink, w = mail_world("webdata")
    try:
        ev, tt = w.simple_event(name="Data Rights Day " + uuid.uuid4().hex[:4])
        slug = ev["slug"]
        email = uniq_email("zala")
        name = "Zala Erjavec"
        reg = w.registered(slug, tt["id"], name=name, email=email)
        m = url_path(reg["manage_url"])
        sink.wait_for([email], timeout=20)                  # the ticket mail
        res = run_browser("public_data.mjs", w.srv.url, {
            "chromium_flags": ["--lang=en-US"], "phase": "ask", "manage": m, "name": name})
        check(len(res["posted"]) == 1, "one request for the mail: %r" % res)
        got = sink.wait_for([email], timeout=20, count=2)[email.lower()]
        links = [re.search(r"(https?://\S+/manage/\S+\?erase=(\S+))", text_part(x.msg) or "") for x in got]
        links = [x for x in links if x]
        check(len(links) == 1, "one confirmation mail with an erasure link: %r"
              % [x.msg["Subject"] for x in got])
        link = url_path(links[0].group(1))
        check(link.startswith(m + "?erase="), "the link %r is not this ticket page's" % link)
        expect_status(w.manage(reg), 200, "asking changed nothing yet")
        res = run_browser("public_data.mjs", w.srv.url, {
            "chromium_flags": ["--lang=en-US"], "phase": "erase", "manage": m, "link": link,
            "wrong": m + "?erase=" + "x" * 43})
        expect_error(w.manage(reg), 410, "gone", "the ticket page link after erasing on the page")
        last = sink.wait_for([email], timeout=20, count=3)[email.lower()][-1]
        check("erased" in last.msg["Subject"], "the last mail: %s" % last.msg["Subject"])
        check(len(sink.to(email)) == 3, "mails: %r" % [x.msg["Subject"] for x in sink.to(email)])
    finally:
        stop_mail_world(sink, w)


def test_ticket_page_your_data_in_slovenian():
    ev = W.event(languages=["sl", "en"], name={"sl": "Dan podatkov " + uuid.uuid4().hex[:4],
                                               "en": "Data day"})
    tt = W.ttype(ev["slug"], name={"sl": "Standardna", "en": "Standard"})
    reg = W.registered(ev["slug"], tt["id"], name="Nina Kos", language="sl")
    m = url_path(reg["manage_url"])
    res = browser("public_data.mjs", {"phase": "lang", "manage": m, "wrong": m + "?erase=" + "x" * 43})
    sl = catalog("sl")
    for key, msgid in (("heading", "Your data"), ("download", "Download my data"),
                       ("erase", "Erase my data…"), ("panel_heading", "Erase your data?"),
                       ("panel_now", "Erase my data now")):
        want = sl.get((None, msgid))
        check(want and want != msgid, "no Slovenian translation of %r" % msgid)
        check(res[key] == want, "%s on the Slovenian ticket page: %r, want %r" % (key, res[key], want))
    reason = sl[(None, "This confirmation link has expired or was replaced. Ask for a new one on your ticket page.")]
    want = sl[(None, "Your data could not be erased. {reason}")].replace("{reason}", reason)
    check(res["error"] == want, "the 422 on the Slovenian page: %r, want %r" % (res["error"], want))
    expect_status(W.manage(reg), 200, "a wrong erasure token changed nothing")
