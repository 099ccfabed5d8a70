"""
Security (OWASP ASVS L2 items that apply), black-box against the real
server: response headers on pages, API answers and static files (HSTS
only under an https:// base URL); a new session id at login; a password
change ending the user's other sessions; object-level access (an
organiser of event A, a check-in-only member, an event-scoped token and
an attendee's manage link against every endpoint of event B, with B's
state compared before and after); fields a caller may not set; and a
server log free of the personal data and secrets of a realistic flow.

One server (with an SMTP sink) for the module; a second one, briefly,
under https:// for HSTS.
"""

import json
import re
import secrets
import time
import uuid

import harness
from harness import ADMIN_PASSWORD, check, expect_error, expect_status, start_server
from util_events import NO_THROTTLE, uniq, uniq_email, url_path
from util_mail import mail_world, stop_mail_world

SINK = None
W = None
ORG = None          # (user, client): organiser, member of A and C only
A = B = C = None    # events built by build_event()

REFERRER_OK = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def setup_module():
    global SINK, W, ORG, A, B, C
    SINK, W = mail_world("security")
    A = build_event("Alfa")
    B = build_event("Bravo")
    C = build_event("Charlie")
    ORG = W.new_user("organiser")
    for ev in (A, C):
        W.add_member(ev["slug"], ORG[0]["id"])


def teardown_module():
    stop_mail_world(SINK, W)


# --------------------------------------------------------------------------
# Building an event with one of everything

def put(client, path, body):
    return client.request("PUT", path, json_body=body, csrf=True)


def build_event(tag):
    """A published event with ticket types, sessions (one cut into meeting
    slots), speakers, questions, registrations in every state, profiles,
    an opportunity, a scheduled and a requested meeting, a check-in and a
    mailing.  Returns a dict of its slug, ids, manage links and markers
    (the attendees' names and emails, which must never show elsewhere)."""
    adm = W.admin
    ev = W.event(name="%s event" % tag)
    slug = ev["slug"]
    x = {"slug": slug, "event_id": ev["id"], "tag": tag, "markers": []}
    x["tt"] = W.ttype(slug, name="Standard")["id"]
    x["tt_appr"] = W.ttype(slug, name="Approval", requires_approval=True)["id"]
    x["tt_paid"] = W.ttype(slug, name="Paid", price_cents=5000, currency="EUR")["id"]
    x["tt_del"] = W.ttype(slug, name="Spare")["id"]
    x["sp"] = W.speaker(slug, name="%s Speaker" % tag, email=uniq_email("spk"))["id"]
    x["sp_del"] = W.speaker(slug, name="%s Spare speaker" % tag)["id"]
    x["s_talk"] = W.session(slug, title="%s talk" % tag, requires_signup=True, capacity=10,
                            speaker_ids=[x["sp"]])["id"]
    x["s_del"] = W.session(slug, title="%s spare" % tag)["id"]
    x["s_net"] = W.session(slug, title="%s brokerage" % tag, kind="networking", one_to_one=True,
                           tables=3, starts_at="2027-05-14T14:00:00+02:00",
                           ends_at="2027-05-14T15:00:00+02:00")["id"]
    x["q"] = W.question(slug, label="%s question" % tag)["id"]
    x["q_del"] = W.question(slug, label="%s spare question" % tag)["id"]
    expect_status(put(adm, "/api/v1/events/%s/matchmaking" % slug,
                      {"enabled": True, "meeting_minutes": 20, "max_meetings": 12}),
                  200, "matchmaking of %s" % tag)
    slots = adm.get("/api/v1/events/%s/matchmaking/slots" % slug).json["slots"]
    check(len(slots) == 3, "three slots: %r" % slots)
    x["slot1"], x["slot2"] = slots[0]["id"], slots[1]["id"]

    def reg(key, ttype, status, **kw):
        name = "%s Person %s" % (tag, key)
        email = uniq_email(tag.lower() + key)
        o = W.registered(slug, ttype, status=status, name=name, email=email, **kw)
        x[key] = o["id"]
        x["m_" + key] = url_path(o["manage_url"])
        x["code_" + key] = o["ticket"]["code"] if o.get("ticket") else None
        x["markers"] += [name, email]
        return o

    for k in ("r1", "r2", "r3", "r4", "r5"):
        reg(k, x["tt"], "confirmed", session_ids=[x["s_talk"]] if k == "r1" else [])
    reg("r_appr1", x["tt_appr"], "pending_approval")
    reg("r_appr2", x["tt_appr"], "pending_approval")
    reg("r_paid", x["tt_paid"], "pending_payment")
    x["markers"] += [x["code_" + k] for k in ("r1", "r2", "r3", "r4", "r5")]

    an = W.anon()
    for i in (1, 2, 3, 4):
        m = x["m_r%d" % i]
        r = put(an, m + "/profile", {"visible": True, "organisation_type": "sme",
                                     "topics": ["telemonitoring"], "headline": "%s %d" % (tag, i)})
        expect_status(r, 201, "profile %d of %s" % (i, tag))
        x["p%d" % i] = r.json["id"]
    r = an.post(x["m_r1"] + "/opportunities", {"kind": "offer", "title": "%s offer" % tag,
                                               "description": "", "topics": ["telemonitoring"]})
    expect_status(r, 201, "opportunity of %s" % tag)
    x["o1"] = r.json["id"]
    r = an.post(x["m_r1"] + "/meetings", {"with": x["p2"], "message": "Let us meet"})
    expect_status(r, 201, "meeting request of %s" % tag)
    x["m1"] = r.json["id"]
    r = an.post(x["m_r2"] + "/meetings/%d/accept" % x["m1"])
    expect_status(r, 200, "accept in %s" % tag)
    check(r.json["status"] == "scheduled", "m1 placed at once: %r" % r.json)
    r = an.post(x["m_r3"] + "/meetings", {"with": x["p2"]})
    expect_status(r, 201, "second request of %s" % tag)
    x["m2"] = r.json["id"]
    r = an.post(x["m_r4"] + "/meetings", {"with": x["p2"]})
    expect_status(r, 201, "third request of %s" % tag)
    x["m3"] = r.json["id"]
    r = W.checkin(slug, code=x["code_r1"])
    expect_status(r, 200, "check-in in %s" % tag)
    x["ck1"] = r.json["checkin"]["id"]
    r = adm.post("/api/v1/events/%s/mailings" % slug,
                 {"audience": "attendees", "subject": "%s news" % tag, "body": "Hello."})
    expect_status(r, 202, "mailing of %s" % tag)
    x["ml"] = r.json["id"]
    return x


# --------------------------------------------------------------------------
# The state of an event, as its admin sees it

VOLATILE_OUTBOX = ("status", "attempts", "last_reply", "sent_at", "next_attempt_at")
VOLATILE_MAILING = ("status", "sent", "failed", "pending")


def snapshot(x):
    """Everything readable about event x, normalised for mail delivery
    (which goes on in the background)."""
    e = "/api/v1/events/" + x["slug"]
    s = {}
    for key in ("", "/sessions", "/speakers", "/ticket-types", "/questions",
                "/registrations?per_page=500", "/members", "/mailings", "/outbox", "/scans",
                "/stats", "/matchmaking", "/matchmaking/slots", "/matchmaking/participants",
                "/meetings", "/exports/attendees.csv"):
        r = W.admin.get(e + key, headers={"Cache-Control": "no-cache"})
        expect_status(r, 200, "snapshot %s" % key)
        s[key] = r.json if r.json is not None else r.raw.decode("utf-8")
    for m in s["/outbox"]["messages"]:
        for k in VOLATILE_OUTBOX:
            m.pop(k, None)
    for m in s["/mailings"]["mailings"]:
        for k in VOLATILE_MAILING:
            m.pop(k, None)
    # Scans of the same millisecond come in either order.
    s["/scans"]["scans"].sort(key=lambda x: json.dumps(x, sort_keys=True))
    an = W.anon()
    for k in ("r1", "r2", "r3", "r4", "r5", "r_appr1", "r_appr2", "r_paid"):
        for sub in ("", "/profile", "/opportunities", "/meetings"):
            if sub and k not in ("r1", "r2", "r3", "r4"):
                continue
            r = an.get(x["m_" + k] + sub)
            expect_status(r, 200, "snapshot %s%s" % (k, sub))
            s["manage %s%s" % (k, sub)] = r.json
    return s


def diff(before, after):
    out = []
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            out.append("%s:\n  before %s\n  after  %s" % (
                k, json.dumps(before.get(k), ensure_ascii=False)[:1500],
                json.dumps(after.get(k), ensure_ascii=False)[:1500]))
    return out


def check_unchanged(x, before, what):
    d = diff(before, snapshot(x))
    check(not d, "%s changed event %s:\n%s" % (what, x["tag"], "\n".join(d)))


def no_markers(x, raw):
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    low = text.lower()
    return [m for m in x["markers"] if m and m.lower() in low]


# --------------------------------------------------------------------------
# Every endpoint of an event (routes.c), with bodies that succeed for its staff

def event_routes(slug, x, intruder_id):
    """(method, path, body, least role, uses x's object ids) for every route
    under /api/v1/events/{slug} and the event objects' own routes, in an
    order in which all succeed for an organiser of the event."""
    e = "/api/v1/events/" + slug
    R = []

    def add(m, p, body=None, role="organiser", ids=False):
        R.append({"m": m, "p": p, "body": body, "role": role, "ids": ids})

    add("GET", e + "/members")
    add("GET", e + "/checkin-key", role="checkin")
    add("GET", e + "/registrations?per_page=100")
    add("GET", e + "/registrations?ticket_type=%d" % x["tt"], ids=True)
    add("GET", e + "/registrations/%d" % x["r2"], ids=True)
    add("GET", e + "/mailings")
    add("GET", "/api/v1/mailings/%d" % x["ml"], ids=True)
    add("GET", e + "/outbox")
    for f in ("attendees.csv", "attendees.xlsx", "attendance.csv", "attendance.xlsx",
              "badges.pdf", "meetings.csv", "meetings.xlsx"):
        add("GET", e + "/exports/" + f)
    add("GET", e + "/exports/attendees.csv?ticket_type=%d" % x["tt"], ids=True)
    add("GET", e + "/exports/badges.pdf?registration=%d" % x["r1"], ids=True)
    add("GET", e + "/exports/table-plan.pdf?slot=%d" % x["slot1"], ids=True)
    add("GET", e + "/registrations/%d/certificate.pdf" % x["r1"], ids=True)
    add("GET", e + "/attendees?q=", role="checkin")
    add("GET", e + "/stats", role="checkin")
    add("GET", e + "/scans")
    add("GET", e + "/matchmaking/participants")
    add("GET", e + "/meetings")
    add("GET", e + "/meetings?participant=%d" % x["p1"], ids=True)
    add("POST", e + "/mailings/preview", {"audience": "attendees", "subject": "Hi", "body": "Hello"})
    add("POST", e + "/mailings/preview", {"audience": "session:%d" % x["s_talk"], "subject": "Hi",
                                          "body": "Hello"}, ids=True)
    add("PATCH", e, {"name": "Renamed event"})
    add("POST", e + "/publish")
    add("POST", e + "/members", {"user_id": intruder_id})
    add("POST", e + "/sessions", {"title": "New talk", "kind": "talk",
                                  "starts_at": "2027-05-14T16:00:00+02:00",
                                  "ends_at": "2027-05-14T17:00:00+02:00"})
    add("PATCH", e + "/sessions/%d" % x["s_talk"], {"title": "Changed talk"}, ids=True)
    add("POST", e + "/speakers", {"name": "New speaker"})
    add("PATCH", e + "/speakers/%d" % x["sp"], {"name": "Changed speaker"}, ids=True)
    add("POST", e + "/ticket-types", {"name": "New ticket"})
    add("PATCH", e + "/ticket-types/%d" % x["tt"], {"quota": 1000}, ids=True)
    add("POST", e + "/questions", {"label": "New question", "kind": "text"})
    add("PATCH", e + "/questions/%d" % x["q"], {"label": "Changed question"}, ids=True)
    add("PATCH", e + "/registrations/%d" % x["r2"], {"organisation": "Changed Ltd"}, ids=True)
    add("POST", e + "/registrations/%d/approve" % x["r_appr1"], ids=True)
    add("POST", e + "/registrations/%d/reject" % x["r_appr2"], ids=True)
    add("POST", e + "/registrations/%d/cancel" % x["r5"], ids=True)
    add("POST", e + "/registrations/%d/mark-paid" % x["r_paid"], ids=True)
    add("POST", e + "/registrations/%d/reissue" % x["r4"], ids=True)
    add("POST", e + "/registrations/%d/resend" % x["r2"], ids=True)
    add("POST", e + "/mailings", {"audience": "attendees", "subject": "Hi", "body": "Hello"})
    add("POST", e + "/checkins", {"code": x["code_r3"], "gate": "Side door"}, role="checkin", ids=True)
    add("POST", e + "/checkins", {"registration_id": x["r2"], "gate": "Side door"},
        role="checkin", ids=True)
    add("DELETE", "/api/v1/checkins/%d" % x["ck1"], role="checkin", ids=True)
    add("PUT", e + "/matchmaking", {"enabled": True, "meeting_minutes": 20, "max_meetings": 10})
    add("POST", e + "/matchmaking/schedule", {"reschedule": False})
    add("PATCH", e + "/matchmaking/participants/%d" % x["p4"], {"hidden": True}, ids=True)
    add("POST", e + "/meetings", {"a": x["p3"], "b": x["p4"], "slot_id": x["slot2"]}, ids=True)
    add("PATCH", e + "/meetings/%d" % x["m1"], {"slot_id": x["slot2"]}, ids=True)
    add("POST", e + "/meetings/%d/held" % x["m1"], {"code": x["code_r1"]}, role="checkin", ids=True)
    add("DELETE", e + "/sessions/%d" % x["s_del"], ids=True)
    add("DELETE", e + "/speakers/%d" % x["sp_del"], ids=True)
    add("DELETE", e + "/ticket-types/%d" % x["tt_del"], ids=True)
    add("DELETE", e + "/questions/%d" % x["q_del"], ids=True)
    add("POST", e + "/close")
    return R


# The routes anyone may read: the same answer for a stranger and an organiser of another event.
def public_routes(x):
    e = "/api/v1/events/" + x["slug"]
    return [e, e + "/sessions", e + "/sessions/%d" % x["s_talk"], e + "/speakers",
            e + "/speakers/%d" % x["sp"], e + "/ticket-types", e + "/ticket-types/%d" % x["tt"],
            e + "/questions", e + "/programme.ics", e + "/matchmaking", e + "/matchmaking/slots"]


def call(client, rt):
    if rt["m"] == "GET":
        return client.get(rt["p"])
    return client.request(rt["m"], rt["p"], json_body=rt["body"], csrf=True)


def run_routes(client, routes, ok, what, body_check=None):
    """Call each route; collect those whose status is not in ok (a set, or a
    function of the route); body_check(route, resp) may add a complaint."""
    bad = []
    for rt in routes:
        r = call(client, rt)
        want = ok(rt) if callable(ok) else ok
        if r.status not in want:
            bad.append("%s %s -> %d %s (want %s)" % (rt["m"], rt["p"], r.status,
                                                     r.raw[:160], sorted(want)))
        elif body_check is not None:
            msg = body_check(rt, r)
            if msg:
                bad.append("%s %s -> %d: %s" % (rt["m"], rt["p"], r.status, msg))
    check(not bad, "%s:\n  %s" % (what, "\n  ".join(bad)))


AUTHORISED = set(range(200, 300)) | {409, 422}   # got past the access check


# --------------------------------------------------------------------------
# 1. Response headers

def csp_directives(csp):
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def check_headers(r, what, https=False):
    csp = r.header("Content-Security-Policy")
    check(csp, "%s: no Content-Security-Policy (%r)" % (what, r))
    d = csp_directives(csp)
    check(d.get("frame-ancestors") in (["'none'"], ["'self'"]),
          "%s: frame-ancestors must be 'none' or 'self': %r" % (what, csp))
    scripts = d.get("script-src", d.get("default-src"))
    check(scripts is not None and "'unsafe-inline'" not in scripts and
          "'unsafe-eval'" not in scripts and "*" not in scripts and "data:" not in scripts,
          "%s: scripts must come from the server only: %r" % (what, csp))
    check(d.get("object-src") == ["'none'"] and "default-src" in d and "base-uri" in d,
          "%s: object-src 'none', default-src and base-uri: %r" % (what, csp))
    check((r.header("X-Content-Type-Options") or "").strip().lower() == "nosniff",
          "%s: X-Content-Type-Options %r" % (what, r.header("X-Content-Type-Options")))
    check((r.header("Referrer-Policy") or "").strip().lower() in REFERRER_OK,
          "%s: Referrer-Policy %r" % (what, r.header("Referrer-Policy")))
    hsts = r.header_all("Strict-Transport-Security")
    if not https:
        check(not hsts, "%s: HSTS over plain http (%r)" % (what, hsts))
        return
    check(len(hsts) == 1, "%s: one Strict-Transport-Security header under https, got %r" % (what, hsts))
    m = re.search(r"max-age=(\d+)", hsts[0])
    check(m and int(m.group(1)) >= 31536000 and "includesubdomains" in hsts[0].lower(),
          "%s: HSTS needs max-age of a year or more and includeSubDomains: %r" % (what, hsts[0]))


def header_cases(srv, x=None):
    """(what, response) for pages, API answers of every kind and static files."""
    c = srv.client()
    out = [("page /", c.get("/")),
           ("page /console/", c.get("/console/")),
           ("page /scan/", c.get("/scan/")),
           ("page /privacy.html", c.get("/privacy.html")),
           ("script /js/api.js", c.get("/js/api.js")),
           ("style /public.css", c.get("/public.css")),
           ("image /favicon.svg", c.get("/favicon.svg")),
           ("static 404", c.get("/no-such-%s.js" % uuid.uuid4().hex[:6])),
           ("JSON /healthz", c.get("/healthz")),
           ("JSON list /api/v1/events", c.get("/api/v1/events")),
           ("JSON 401 /api/v1/auth/me", c.get("/api/v1/auth/me")),
           ("JSON 404", c.get("/api/v1/nothing-here")),
           ("JSON 405", c.request("PUT", "/api/v1/auth/login", json_body={})),
           ("JSON 415", c.request("POST", "/api/v1/auth/login", body="x", content_type="text/plain"))]
    r = c.get("/js/api.js")
    out.append(("static 304", c.get("/js/api.js", headers={"If-None-Match": r.header("ETag")})))
    check(out[-1][1].status == 304, "If-None-Match on a static file: %r" % out[-1][1])
    if x is not None:
        e = "/api/v1/events/" + x["slug"]
        out += [("page /events/{slug}", c.get("/events/" + x["slug"])),
                ("ticket page /manage/{secret}", c.get(x["m_r2"], headers={"Accept": "text/html"})),
                ("meetings page", c.get(x["m_r2"] + "/matchmaking", headers={"Accept": "text/html"})),
                ("JSON /manage/{secret}", c.get(x["m_r2"])),
                ("QR png", c.get("/t/%s.png" % x["code_r2"])),
                ("QR svg", c.get("/t/%s.svg" % x["code_r2"])),
                ("calendar programme.ics", c.get(e + "/programme.ics"))]
        # The public event document twice: the second is answered from memory.
        out += [("JSON event document", c.get(e)), ("JSON event document (cached)", c.get(e))]
        adm = W.admin
        out += [("CSV export (streamed)", adm.get(e + "/exports/attendees.csv")),
                ("XLSX export", adm.get(e + "/exports/attendees.xlsx")),
                ("PDF export", adm.get(e + "/exports/badges.pdf")),
                ("JSON write", adm.patch("/api/v1/auth/me", {"language": None}))]
    for what, r in out:
        check(r.status < 500, "%s: %r" % (what, r))
    return out


def test_security_headers_on_pages_api_and_static_files():
    cases = header_cases(W.srv, A)
    for what, r in cases:
        check_headers(r, what)
    # The pages need no inline script or handler, so the policy allows none.
    for what, r in cases:
        if (r.header("Content-Type") or "").startswith("text/html"):
            html = r.raw.decode("utf-8")
            inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I)
            handlers = re.findall(r"<[^>]+\son[a-z]+\s*=", html, re.I)
            check(not inline and not handlers, "%s: inline script %r / handlers %r"
                  % (what, inline[:2], handlers[:2]))
    # A page cannot be framed by another site in old browsers either.
    check((cases[0][1].header("X-Frame-Options") or "").upper() in ("DENY", "SAMEORIGIN"),
          "X-Frame-Options on a page: %r" % cases[0][1].header("X-Frame-Options"))


def test_hsts_only_under_an_https_base_url():
    srv = start_server(dict(NO_THROTTLE, CONFERO_BASE_URL="https://events.example.test"), tag="hsts")
    try:
        for what, r in header_cases(srv):
            check_headers(r, "https: " + what, https=True)
        c = srv.client()
        r = c.login(harness.ADMIN_EMAIL, ADMIN_PASSWORD)
        check_headers(r, "https: login", https=True)
    finally:
        srv.stop()


# --------------------------------------------------------------------------
# 2. Session fixation

def session_cookie(r):
    for sc in r.header_all("Set-Cookie"):
        n, v, attrs = harness.parse_set_cookie(sc)
        if n.endswith("confero_session"):
            return n, v, attrs
    return None


def me(cookie_value, name="confero_session"):
    return W.anon().get("/api/v1/auth/me", cookies={name: cookie_value})


def test_login_issues_a_new_session_id():
    user, _ = W.new_user("organiser")
    other, _ = W.new_user("checkin")
    planted = secrets.token_urlsafe(32)
    c = W.anon()
    c.cookies["confero_session"] = planted
    expect_error(c.get("/api/v1/auth/me"), 401, None, "a planted cookie before login")
    r = c.login(user["email"], "staff-password-0123")
    sc = session_cookie(r)
    check(sc is not None, "login sets no session cookie: %r" % r.header_all("Set-Cookie"))
    name, s1, attrs = sc
    check(s1 and s1 != planted, "login kept the session id the client chose")
    check(attrs.get("httponly") is True and attrs.get("samesite", "").lower() in ("lax", "strict"),
          "session cookie attributes: %r" % attrs)
    expect_error(me(planted), 401, None, "the planted id after login")
    r = me(s1)
    expect_status(r, 200, "the new session")
    check(r.json["user"]["id"] == user["id"], "the new session is the user's: %r" % r.json)

    # Signing in as someone else in the same browser: another new id, and the
    # old one never becomes the new user's.
    r = c.login(other["email"], "staff-password-0123")
    s2 = session_cookie(r)[1]
    check(s2 not in (s1, planted), "a second login reused a session id")
    check(me(s2).json["user"]["id"] == other["id"], "second login: %r" % me(s2))
    r = me(s1)
    check(r.status == 401 or r.json["user"]["id"] == user["id"],
          "the first session turned into the second user's: %r" % r)

    # Logging out ends the session on the server, not only in the browser.
    expect_status(c.post("/api/v1/auth/logout"), 204, "logout")
    expect_error(me(s2), 401, None, "the session after logout")


# --------------------------------------------------------------------------
# 3. A password change ends the user's other sessions

def test_password_change_ends_other_sessions():
    # An admin sets an organiser's password: every session of theirs ends.
    user, c1 = W.new_user("organiser", password="first-password-0123")
    c2 = W.anon()
    c2.login(user["email"], "first-password-0123")
    r = c1.post("/api/v1/tokens", {"name": "script", "role": "organiser", "event": None})
    expect_status(r, 201, "organiser's token")
    tok = r.json["token"]
    r = W.admin.patch("/api/v1/users/%d" % user["id"], {"password": "second-password-0123"})
    expect_status(r, 200, "admin sets the password")
    for i, c in enumerate((c1, c2)):
        expect_error(c.get("/api/v1/auth/me"), 401, None, "session %d after the password change" % i)
    W.anon().login(user["email"], "first-password-0123", expect=401)
    W.anon().login(user["email"], "second-password-0123", expect=200)
    # README: only disabling an account revokes its tokens; a scanner keeps working.
    r = W.anon().get("/api/v1/auth/me", bearer=tok)
    expect_status(r, 200, "the token after a password change (documented to survive)")

    # An admin changes their own password: the session that did it stays
    # (same cookie, same CSRF token), every other one ends.
    adm, x1 = W.new_user("admin", password="admin2-password-0123")
    x2 = W.anon()
    x2.login(adm["email"], "admin2-password-0123")
    r = x1.patch("/api/v1/users/%d" % adm["id"], {"password": "admin2-new-password-0123"})
    expect_status(r, 200, "own password change")
    expect_error(x2.get("/api/v1/auth/me"), 401, None, "the other session after an own password change")
    r = x1.get("/api/v1/auth/me")
    expect_status(r, 200, "the session that changed the password stays signed in")
    expect_status(x1.patch("/api/v1/auth/me", {"language": "en"}), 200,
                  "the session that changed the password can still write with its CSRF token")
    W.anon().login(adm["email"], "admin2-password-0123", expect=401)
    W.anon().login(adm["email"], "admin2-new-password-0123", expect=200)


# --------------------------------------------------------------------------
# 4. Object-level access

def test_routes_succeed_for_the_events_own_organiser():
    # The control: every request used against event B below succeeds (or is
    # refused for a reason of the data, 409/422) for an organiser of C.
    before = snapshot(C)
    run_routes(ORG[1], event_routes(C["slug"], C, ORG[0]["id"]), AUTHORISED,
               "an organiser of C against C's own endpoints")
    # …and the snapshot used below sees what they changed.
    changed = {d.split(":")[0] for d in diff(before, snapshot(C))}
    for k in ("", "/sessions", "/speakers", "/ticket-types", "/questions", "/registrations?per_page=500",
              "/mailings", "/outbox", "/scans", "/stats", "/matchmaking/participants", "/meetings"):
        check(k in changed, "the organiser's changes to %r are not in the snapshot (%r)" % (k, sorted(changed)))


def test_organiser_of_a_cannot_touch_event_b():
    org = ORG[1]
    # B's door staff and their scanner token (revoking it is attempted below).
    user, ck = W.new_user("checkin")
    W.add_member(B["slug"], user["id"])
    door = ck.post("/api/v1/tokens", {"name": "door", "role": "checkin", "event": B["slug"]})
    expect_status(door, 201, "door token of B")
    before = snapshot(B)
    check(not diff(before, snapshot(B)), "the snapshot of B is not stable")
    routes = event_routes(B["slug"], B, ORG[0]["id"])
    run_routes(org, routes, {403, 404}, "an organiser of A against B's endpoints")
    # Scans twice: the second finds the caller and the event in the caches.
    for rt in [rt for rt in routes if rt["p"].endswith("/checkins")]:
        r = call(org, rt)
        check(r.status in (403, 404), "a repeated scan at B by A's organiser: %r" % r)
    # A's slug with B's ids.
    cross = [rt for rt in event_routes(A["slug"], B, ORG[0]["id"])
             if rt["ids"] and ("/events/%s" % A["slug"]) in rt["p"]]

    def reads(rt):
        return rt["m"] == "GET" or rt["p"].endswith("/preview")

    def cross_ok(rt):
        return {200, 403, 404, 409, 422} if reads(rt) else {403, 404, 409, 422}

    def cross_body(rt, r):
        if r.status == 200:
            found = no_markers(B, r.raw)
            if found:
                return "shows B's data %r" % found[:3]
            if rt["p"].endswith("/preview") and r.json.get("recipients") != 0:
                return "B's people are among the recipients"
        return None
    run_routes(org, cross, cross_ok, "an organiser of A with B's ids under A's slug", cross_body)
    # The public reads of B: exactly what a stranger gets (no staff fields).
    bad = []
    for p in public_routes(B):
        a, o = W.anon().get(p), org.get(p)
        strip = (lambda raw: re.sub(rb"DTSTAMP:[^\r\n]*", b"", raw))
        if a.status != 200 or o.status != 200 or strip(a.raw) != strip(o.raw):
            bad.append("%s: stranger %d, organiser of A %d %s" % (p, a.status, o.status, o.raw[:200]))
    check(not bad, "public reads of B differ for A's organiser:\n  " + "\n  ".join(bad))
    # Their own list of events holds A and C, not B.
    r = org.get("/api/v1/events?scope=mine")
    expect_status(r, 200, "scope=mine")
    slugs = {e["slug"] for e in r.json["events"]}
    check(B["slug"] not in slugs and {A["slug"], C["slug"]} <= slugs, "scope=mine: %r" % slugs)
    expect_error(org.delete("/api/v1/tokens/%d" % door.json["id"]), 404, None, "revoke another's token")
    expect_status(W.anon().get("/api/v1/events/%s/stats" % B["slug"], bearer=door.json["token"]), 200,
                  "B's door token still works")
    expect_error(org.post("/api/v1/tokens", {"name": "x", "role": "checkin", "event": B["slug"]}),
                 (403, 422), None, "a token for B by A's organiser")
    check_unchanged(B, before, "A's organiser")


def test_draft_event_is_invisible_to_other_organisers():
    d = W.event(publish=False)
    for p in ("", "/sessions", "/ticket-types", "/questions", "/speakers", "/matchmaking",
              "/programme.ics"):
        expect_error(ORG[1].get("/api/v1/events/%s%s" % (d["slug"], p)), 404, None,
                     "another's draft %s" % p)


def test_event_scoped_token_sees_nothing_of_other_events():
    r = ORG[1].post("/api/v1/tokens", {"name": "A only", "role": "organiser", "event": A["slug"]})
    expect_status(r, 201, "A-scoped token")
    t = harness.Client(W.srv.host, W.srv.port)
    t.bearer = r.json["token"]
    expect_status(t.get("/api/v1/events/%s/registrations" % A["slug"]), 200, "the token on A")
    before = snapshot(B)
    for x in (B, C):
        run_routes(t, event_routes(x["slug"], x, ORG[0]["id"]), {403, 404},
                   "an A-scoped token against %s" % x["tag"])
    check_unchanged(B, before, "an A-scoped token")
    # Nor anything outside events: users, tokens, new events.  An admin's
    # token made for A is no admin elsewhere.
    r = W.admin.post("/api/v1/tokens", {"name": "admin for A", "role": "admin", "event": A["slug"]})
    expect_status(r, 201, "A-scoped admin token")
    adm = harness.Client(W.srv.host, W.srv.port)
    adm.bearer = r.json["token"]
    expect_status(adm.get("/api/v1/events/%s/registrations" % A["slug"]), 200, "the admin token on A")
    users = W.admin.get("/api/v1/users").json
    tokens = W.admin.get("/api/v1/tokens").json
    for tok in (t, adm):
        for method, path, body in (
                ("GET", "/api/v1/users", None),
                ("GET", "/api/v1/users/%d" % ORG[0]["id"], None),
                ("POST", "/api/v1/users", {"email": "x@example.test", "password": "long-password-123",
                                            "role": "admin"}),
                ("PATCH", "/api/v1/users/%d" % ORG[0]["id"], {"role": "admin"}),
                ("GET", "/api/v1/tokens", None),
                ("POST", "/api/v1/tokens", {"name": "more", "role": "checkin", "event": A["slug"]}),
                ("DELETE", "/api/v1/tokens/1", None),
                ("POST", "/api/v1/events", {"slug": "by-token", "name": "x", "timezone": "Europe/Ljubljana",
                                             "starts_at": "2027-05-14T09:00:00+02:00",
                                             "ends_at": "2027-05-14T17:00:00+02:00"})):
            r = tok.request(method, path, json_body=body)
            expect_error(r, 403, "event_token", "%s %s with an A-scoped token" % (method, path))
    check(W.admin.get("/api/v1/users").json == users, "users unchanged")
    check(W.admin.get("/api/v1/tokens").json == tokens, "tokens unchanged")
    check(W.anon().get("/api/v1/events/by-token").status == 404, "no event made by the token")


def test_cross_origin_writes_are_refused():
    # A page on another site, with the organiser's cookie: refused before
    # anything happens, whatever the CSRF header says.
    org = ORG[1]
    before = snapshot(A)
    for origin in ("http://evil.example", "null", "http://%s:%d.evil.example" % (W.srv.host, W.srv.port)):
        r = org.request("PATCH", "/api/v1/events/%s" % A["slug"], json_body={"name": "Hijacked"},
                        csrf=True, headers={"Origin": origin})
        expect_error(r, 403, "cross_origin", "Origin %s" % origin)
        r = org.request("POST", "/api/v1/auth/logout", csrf=True, headers={"Origin": origin})
        expect_error(r, 403, "cross_origin", "logout from %s" % origin)
    check_unchanged(A, before, "cross-origin writes")
    r = org.request("PATCH", "/api/v1/events/%s" % A["slug"], json_body={"name": "%s event" % A["tag"]},
                    csrf=True, headers={"Origin": W.srv.url})
    expect_status(r, 200, "the same write from our own origin")
    # Under an https base URL an http:// origin is not ours either.
    srv = harness.start_server({"CONFERO_BASE_URL": "https://confero.example"}, tag="secorigin")
    try:
        c = srv.client()
        c.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        host = "%s:%d" % (srv.host, srv.port)
        r = c.request("POST", "/api/v1/events", json_body={}, csrf=True,
                      headers={"Origin": "http://" + host, "Host": host})
        expect_error(r, 403, "cross_origin", "http origin under https")
        r = c.request("POST", "/api/v1/events", json_body={}, csrf=True,
                      headers={"Origin": "https://confero.example"})
        expect_error(r, 422, "validation", "our own https origin passes to validation")
    finally:
        srv.stop()


def test_checkin_staff_get_only_what_the_door_needs():
    user, ck = W.new_user("checkin")
    W.add_member(B["slug"], user["id"])
    before = snapshot(B)
    routes = event_routes(B["slug"], B, user["id"])
    run_routes(ck, [rt for rt in routes if rt["role"] == "organiser"], {403},
               "check-in staff of B against organisers' endpoints")

    def no_email(rt, r):
        found = [m for m in B["markers"] if "@" in m and m.lower() in r.raw.decode().lower()]
        return "shows attendees' emails %r" % found[:2] if found else None
    run_routes(ck, [rt for rt in routes if rt["role"] == "checkin" and rt["m"] == "GET"], {200},
               "check-in staff of B reading the door's data", no_email)
    check_unchanged(B, before, "check-in staff")
    # The door's own answers name the attendee but show no email.
    for r in (ck.post("/api/v1/events/%s/checkins" % B["slug"], {"code": B["code_r2"], "gate": "G"}),
              ck.get("/api/v1/events/%s/attendees?q=%s" % (B["slug"], B["tag"])),
              ck.get("/api/v1/events/%s" % B["slug"])):
        expect_status(r, 200, "door staff request")
        check(not [m for m in B["markers"] if "@" in m and m in r.raw.decode()],
              "door staff see an attendee's email: %s" % r.raw[:300])
    # …and nothing of another event.
    run_routes(ck, [rt for rt in event_routes(A["slug"], A, user["id"]) if rt["role"] == "checkin"],
               {403, 404}, "check-in staff of B against A's door endpoints")


def manage_routes(x):
    """(actor, method, suffix, body): what a participant may do through
    their own link, on event x's objects, each succeeding for the actor."""
    return [
        ("r1", "GET", "/opportunities/%d" % x["o1"], None),
        ("r1", "PATCH", "/opportunities/%d" % x["o1"], {"title": "Changed offer"}),
        ("r2", "POST", "/meetings/%d/accept" % x["m2"], None),
        ("r2", "POST", "/meetings/%d/decline" % x["m3"], None),
        ("r3", "POST", "/meetings/%d/cancel" % x["m2"], None),
        ("r1", "POST", "/meetings/%d/held" % x["m1"], {"code": x["code_r2"]}),
        ("r1", "POST", "/meetings/%d/outcome" % x["m1"], {"outcome": "follow_up", "note": "Call"}),
        ("r1", "POST", "/meetings", {"with": x["p3"], "message": "Hello"}),
        ("r2", "PATCH", "", {"session_ids": [x["s_talk"]]}),
        ("r1", "PUT", "/profile", {"visible": True, "organisation_type": "sme",
                                   "availability": [x["slot1"]]}),
        ("r1", "DELETE", "/opportunities/%d" % x["o1"], None),
    ]


def test_manage_link_of_a_cannot_reach_b():
    an = W.anon()
    before = snapshot(B)
    bad = []
    for actor in ("r1", "r2", "r3"):
        for _, m, sub, body in manage_routes(B):
            path = A["m_" + actor] + sub
            r = an.get(path) if m == "GET" else an.request(m, path, json_body=body)
            if r.status not in (403, 404, 422):
                bad.append("%s: %s M%s -> %d %s" % (actor, m, sub, r.status, r.raw[:160]))
    check(not bad, "A's manage links with B's ids:\n  " + "\n  ".join(bad))
    for sub in ("/participants", "/participants?q=%s" % B["tag"], "/recommendations", "/meetings",
                "/agenda", "/opportunities", "/matchmaking"):
        r = an.get(A["m_r1"] + sub)
        expect_status(r, 200, "A's link %s" % sub)
        check(not no_markers(B, r.raw), "A's link %s shows B's people: %r" % (sub, no_markers(B, r.raw)))
    check_unchanged(B, before, "A's manage links")


def test_manage_routes_succeed_for_their_owner():
    # The control of the test above, on event C: each request succeeds.
    an = W.anon()
    bad = []
    before = snapshot(C)
    for actor, m, sub, body in manage_routes(C):
        path = C["m_" + actor] + sub
        r = an.get(path) if m == "GET" else an.request(m, path, json_body=body)
        if not 200 <= r.status < 300:
            bad.append("%s: %s M%s -> %d %s" % (actor, m, sub, r.status, r.raw[:160]))
    check(not bad, "C's participants on their own objects:\n  " + "\n  ".join(bad))
    changed = {k.split("?")[0] for k in dict.fromkeys(d.split(":")[0] for d in diff(before, snapshot(C)))}
    check({"/meetings", "manage r1/opportunities", "manage r1/profile", "manage r2"} <= changed,
          "the snapshot does not see the participants' changes: %r" % sorted(changed))


# --------------------------------------------------------------------------
# 5. Fields a caller may not set

def expect_refused(r, field, what):
    """422 naming field (the API refuses unknown or foreign values)."""
    expect_error(r, 422, None, what)
    fields = r.json["error"].get("fields") or {}
    check(field in fields, "%s: want %r named in error.fields, got %r" % (what, field, r.json))


def test_fields_a_caller_may_not_set():
    org = ORG[1]
    e = "/api/v1/events/" + A["slug"]
    before = snapshot(A)
    b_before = snapshot(B)

    # The public form: no status, counters, check-in, ids or other events' objects.
    base = {"ticket_type_id": A["tt_appr"], "name": "Mallory", "email": uniq_email("mal"),
            "consent": True}
    for extra, field in (({"status": "confirmed"}, "status"), ({"checked_in_at": "2027-05-14T09:00:00Z"},
                         "checked_in_at"), ({"id": B["r1"]}, "id"), ({"event_id": B["event_id"]}, "event_id"),
                         ({"holds_seat": True}, "holds_seat"), ({"ticket_type_id": B["tt"]}, "ticket_type_id"),
                         ({"session_ids": [B["s_talk"]]}, "session_ids")):
        r = W.anon().post(e + "/registrations", dict(base, **extra), csrf=None)
        expect_refused(r, field, "registration with %r" % extra)
    # The attendee's link: only sessions and language.
    for k in ("r3",):
        for extra, field in (({"status": "cancelled"}, "status"), ({"email": "mallory@evil.test"}, "email"),
                             ({"name": "Mallory"}, "name"), ({"ticket_type_id": A["tt_paid"]}, "ticket_type_id"),
                             ({"checked_in_at": "2027-05-14T09:00:00Z"}, "checked_in_at"),
                             ({"session_ids": [B["s_talk"]]}, "session_ids")):
            r = W.anon().request("PATCH", A["m_" + k], json_body=extra)
            expect_refused(r, field, "manage PATCH %r" % extra)
    # Organisers: no status (there are approve/cancel…), no check-in time, no other event's ids.
    for extra, field in (({"status": "confirmed"}, "status"), ({"checked_in_at": "2027-05-14T09:00:00Z"},
                         "checked_in_at"), ({"ticket_type_id": B["tt"]}, "ticket_type_id"),
                         ({"event_id": B["event_id"]}, "event_id"), ({"id": B["r1"]}, "id"),
                         ({"session_ids": [B["s_talk"]]}, "session_ids")):
        r = org.patch(e + "/registrations/%d" % A["r_appr1"], extra)
        expect_refused(r, field, "registration PATCH %r" % extra)
    for path, bodies in (
            (e + "/ticket-types/%d" % A["tt"], ({"sold": 0}, {"available": 500}, {"event_id": B["event_id"]},
                                              {"sessions": [B["s_talk"]]})),
            (e + "/sessions/%d" % A["s_talk"], ({"signed_up": 0}, {"available": 9}, {"event_id": B["event_id"]},
                                               {"speaker_ids": [B["sp"]]})),
            (e, ({"status": "draft"}, {"seats_taken": 0}, {"id": B["event_id"]}, {"available": 9})),
            (e + "/questions/%d" % A["q"], ({"event_id": B["event_id"]}, {"id": B["q"]}))):
        for body in bodies:
            expect_refused(org.patch(path, body), list(body)[0], "PATCH %s %r" % (path, body))
    for path, body, field in (
            (e + "/ticket-types", {"name": "X", "sessions": [B["s_talk"]]}, "sessions"),
            (e + "/ticket-types", {"name": "X", "sold": 5}, "sold"),
            (e + "/sessions", {"title": "X", "kind": "talk", "starts_at": "2027-05-14T16:00:00+02:00",
                               "ends_at": "2027-05-14T17:00:00+02:00", "speaker_ids": [B["sp"]]}, "speaker_ids"),
            (e + "/members", {"user_id": ORG[0]["id"], "role": "admin"}, "role"),
            (e + "/checkins", {"code": A["code_r4"], "gate": "G", "checked_in_at": "2020-01-01T00:00:00Z"},
             "checked_in_at"),
            (e + "/meetings", {"a": B["p3"], "b": B["p4"], "slot_id": A["slot2"]}, "a"),
            (e + "/meetings", {"a": A["p3"], "b": A["p4"], "slot_id": B["slot2"]}, "slot_id"),
            (e + "/meetings", {"a": A["p3"], "b": A["p4"], "slot_id": A["slot2"], "status": "held"}, "status")):
        expect_refused(org.post(path, body), field, "POST %s %r" % (path, body))
    expect_refused(put(org, e + "/matchmaking", {"enabled": True, "ticket_type_ids": [B["tt"]]}),
                   "ticket_type_ids", "matchmaking with B's ticket type")
    r = org.post("/api/v1/events", {"slug": uniq("ev"), "name": "X", "timezone": "Europe/Ljubljana",
                                    "starts_at": "2027-05-14T09:00:00+02:00",
                                    "ends_at": "2027-05-14T18:00:00+02:00", "status": "published",
                                    "seats_taken": 3})
    expect_refused(r, "status", "new event with a status")
    # Participants: their profile, opportunities and meetings carry no ids or states of their own choosing.
    m = A["m_r4"]
    for extra, field in (({"hidden": False}, "hidden"), ({"registration_id": B["r1"]}, "registration_id"),
                         ({"id": B["p1"]}, "id"), ({"consent_at": "2020-01-01T00:00:00Z"}, "consent_at"),
                         ({"availability": [B["slot1"]]}, "availability")):
        body = dict({"visible": True, "organisation_type": "sme"}, **extra)
        expect_refused(put(W.anon(), m + "/profile", body), field, "profile with %r" % extra)
    expect_refused(W.anon().post(m + "/opportunities", {"kind": "offer", "title": "T",
                                                        "profile_id": B["p1"]}), "profile_id",
                   "opportunity for B's profile")
    for extra, field in (({"status": "scheduled"}, "status"), ({"slot_id": A["slot1"]}, "slot_id"),
                         ({"requester_id": B["p1"]}, "requester_id"), ({"opportunity_id": B["o1"]},
                                                                      "opportunity_id")):
        r = W.anon().post(m + "/meetings", dict({"with": A["p1"]}, **extra))
        expect_refused(r, field, "meeting request with %r" % extra)
    r = W.anon().post(A["m_r1"] + "/meetings/%d/outcome" % A["m1"],
                      {"outcome": "follow_up", "held_at": "2027-05-14T14:00:00Z"})
    expect_refused(r, "held_at", "outcome with held_at")
    check_unchanged(A, before, "refused fields")
    check_unchanged(B, b_before, "A's requests naming B's ids")

    # A mailing to B's session or ticket type from A reaches nobody.
    for aud in ("session:%d" % B["s_talk"], "ticket_type:%d" % B["tt"]):
        r = org.post(e + "/mailings/preview", {"audience": aud, "subject": "S", "body": "B"})
        check(r.status == 422 or (r.status == 200 and r.json.get("recipients") == 0),
              "a preview of A's mailing to B's %s: %r" % (aud, r))
        r = org.post(e + "/mailings", {"audience": aud, "subject": "S", "body": "B"})
        check(r.status == 422 or (r.status == 202 and r.json.get("recipients") == 0),
              "A's mailing to B's %s: %r" % (aud, r))
    check_unchanged(B, b_before, "A's mailings to B's audiences")

    # Signed-in users cannot raise their own role or rights.
    for body in ({"role": "admin"}, {"is_admin": True}, {"email": "x@example.test"},
                 {"disabled": False}, {"language": "en", "role": "admin"}):
        r = org.patch("/api/v1/auth/me", body)
        expect_refused(r, [k for k in body if k != "language"][0], "PATCH /auth/me %r" % body)
    expect_error(org.patch("/api/v1/users/%d" % ORG[0]["id"], {"role": "admin"}), 403, None,
                 "an organiser promoting themselves")
    expect_error(org.post("/api/v1/tokens", {"name": "x", "role": "admin", "event": None}), 403, None,
                 "a token above its creator")
    expect_refused(org.post("/api/v1/tokens", {"name": "x", "role": "checkin", "user_id": 1}), "user_id",
                   "a token for another user")
    r = org.get("/api/v1/auth/me")
    check(r.json["user"]["role"] == "organiser", "the organiser's role: %r" % r.json)
    expect_error(org.get("/api/v1/users"), 403, None, "the organiser on the admin's user list")
    check(not [t for t in org.get("/api/v1/tokens").json["tokens"] if t["role"] == "admin"],
          "an admin token was created")


# --------------------------------------------------------------------------
# 6. The log

def test_refused_requests_are_logged_with_who_asked():
    # A 403 is in the log with the user's or the token's number (never a
    # name or an email), so an administrator can see who tried what.
    user, org = ORG
    r = org.get("/api/v1/events/%s/registrations" % B["slug"])
    expect_error(r, 403, "forbidden")
    rid = r.header("X-Request-Id")
    r = W.admin.post("/api/v1/tokens", {"name": "probe", "role": "organiser", "event": A["slug"]})
    tok = harness.Client(W.srv.host, W.srv.port)
    tok.bearer = r.json["token"]
    r2 = tok.get("/api/v1/users")
    expect_error(r2, 403, "event_token")
    log = W.srv.wait_log(re.escape(r2.header("X-Request-Id")) + r".* 403 ", timeout=3)
    lines = [l for l in log.splitlines() if rid in l and " 403 " in l]
    check(lines and (" u%d" % user["id"]) in lines[0], "the 403 line names user %d: %r" % (user["id"], lines))
    lines = [l for l in log.splitlines() if r2.header("X-Request-Id") in l and " 403 " in l]
    check(lines and re.search(r" t\d+", lines[0]), "the token's 403 line names the token: %r" % lines)


def test_the_suite_wide_log_check_sees_a_leak():
    # Every server the suite stops has its log searched for what the tests
    # sent and got (harness.sensitive_in_log); this proves the search finds
    # each kind, so a clean log means something.
    reg = W.registered(A["slug"], A["tt"], name="Leopold Canary", email=uniq_email("canary"))
    r = W.admin.post("/api/v1/tokens", {"name": "canary", "role": "checkin", "event": A["slug"]})
    expect_status(r, 201, "a token to leak")
    secret = reg["manage_url"].rsplit("/manage/", 1)[1]
    clean = "2026-12-03T07:00:00.000Z info r1 GET /manage/{token} 200 3ms\n"
    check(harness.sensitive_in_log(clean) == [], "a clean line: %r" % harness.sensitive_in_log(clean))
    for leak in ("user " + reg["ticket"]["code"], "from someone@example.org", "GET /manage/" + secret,
                 "Bearer " + r.json["token"], "for Leopold Canary today", "pw " + harness.ADMIN_PASSWORD):
        check(harness.sensitive_in_log(clean + leak + "\n"), "the search misses %r" % leak)


def test_log_holds_no_personal_data_or_secrets():
    tag = uuid.uuid4().hex[:8]
    name = "Zofija Qwerty%s" % tag
    email = "zofija.%s@example.test" % tag
    org_email = "orgq.%s@example.test" % tag
    password = "pw-%s-secret" % tag
    wrong = "wrong-%s-secret" % tag
    newpw = "new-%s-secret" % tag
    r = W.admin.post("/api/v1/users", {"email": org_email, "role": "organiser", "password": password})
    expect_status(r, 201, "create the organiser")
    uid = r.json["user"]["id"]
    org = W.anon()
    org.login(org_email, wrong, expect=401)
    W.anon().login("nobody.%s@example.test" % tag, wrong, expect=401)
    r = org.login(org_email, password)
    sid = session_cookie(r)[1]
    csrf = org.csrf
    ev = W.event(client=org)
    slug = ev["slug"]
    tt = org.post("/api/v1/events/%s/ticket-types" % slug, {"name": "Standard"}).json["id"]
    r = W.anon().post("/api/v1/events/%s/registrations" % slug,
                      {"ticket_type_id": tt, "name": name, "email": email, "organisation": "Qorg " + tag,
                       "consent": True}, csrf=None)
    expect_status(r, 201, "register")
    reg = r.json
    code = reg["ticket"]["code"]
    mpath = url_path(reg["manage_url"])
    secret = mpath.split("/")[2]
    # A second attendee's address is refused by the relay, which names it in
    # its reply (as Postfix does): the reply is kept in the outbox, not the log.
    name2 = "Bojan Asdfgh%s" % tag
    email2 = "bojan.%s@example.test" % tag
    SINK.script(email2, rcpt=[("550 5.1.1 <%s>: Recipient address rejected: User unknown" % email2, True)])
    r = W.anon().post("/api/v1/events/%s/registrations" % slug,
                      {"ticket_type_id": tt, "name": name2, "email": email2, "consent": True}, csrf=None)
    expect_status(r, 201, "register the second attendee")
    r = org.post("/api/v1/tokens", {"name": "Door", "role": "checkin", "event": slug})
    expect_status(r, 201, "door token")
    token = r.json["token"]
    door = harness.Client(W.srv.host, W.srv.port)
    door.bearer = token
    # Warm the caches so the second scan goes through the event thread's lane.
    expect_status(door.get("/api/v1/events/%s/stats" % slug), 200, "door token")
    expect_status(door.post("/api/v1/events/%s/checkins" % slug, {"code": code, "gate": "Main"}), 200, "scan")
    expect_status(door.post("/api/v1/events/%s/checkins" % slug, {"code": code, "gate": "Main"}), 409,
                  "second scan")
    expect_status(door.get("/api/v1/events/%s/attendees?q=%s" % (slug, name.split()[1])), 200, "look-up")
    an = W.anon()
    expect_status(an.get(mpath), 200, "manage JSON")
    expect_status(an.get(mpath, headers={"Accept": "text/html"}), 200, "ticket page")
    expect_status(an.get(mpath + "/matchmaking", headers={"Accept": "text/html"}), 200, "meetings page")
    an.get(mpath + "/no-such-thing")
    an.request("PUT", mpath, json_body={})
    expect_status(an.request("PATCH", mpath, json_body={"language": "en"}), 200, "manage PATCH")
    expect_status(an.get("/t/%s.png" % code), 200, "QR")
    an.get("/t/%s.gif" % code)
    r = org.post("/api/v1/events/%s/mailings" % slug,
                 {"audience": "attendees", "subject": "News " + tag, "body": "Dear {{attendee.name}}"})
    expect_status(r, 202, "mailing")
    expect_status(org.post("/api/v1/events/%s/registrations/%d/resend" % (slug, reg["id"])),
                  (200, 202, 204), "resend")
    SINK.wait_for([email], count=3, timeout=20)
    harness.poll(lambda: [m for m in org.get("/api/v1/events/%s/outbox" % slug).json["messages"]
                          if m["to"] == email2 and m["status"] == "failed"], 20)
    check(any(email2 in (m["last_reply"] or "") for m in
              org.get("/api/v1/events/%s/outbox" % slug).json["messages"] if m["to"] == email2),
          "the relay's refusal is not in the outbox")
    expect_status(W.admin.patch("/api/v1/users/%d" % uid, {"password": newpw}), 200, "new password")
    org.login(org_email, newpw)
    expect_status(org.post("/api/v1/auth/logout"), 204, "logout")
    time.sleep(0.3)             # the last request lines are written after the answer
    log = W.srv.log()
    check(("/events/%s" % slug) in log, "the flow is not in the log at all")
    secrets_used = {"attendee email": email, "attendee name": name, "organiser email": org_email,
                    "refused attendee's email": email2, "refused attendee's name": name2,
                    "password": password, "wrong password": wrong, "new password": newpw,
                    "API token": token, "session id": sid, "CSRF token": csrf,
                    "manage secret": secret, "ticket code": code,
                    "admin password": ADMIN_PASSWORD}
    found = ["%s (%s): %s" % (k, v, next(line for line in log.splitlines() if v.lower() in line.lower()))
             for k, v in secrets_used.items() if v.lower() in log.lower()]
    check(not found, "the server log holds:\n  " + "\n  ".join(found))
