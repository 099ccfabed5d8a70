#!/usr/bin/python3
"""Create the benchmark's events through the API; print shell assignments.

usage: setup.py BASE ADMIN_EMAIL ADMIN_PASSWORD
"""
import json
import sys
import urllib.request
import http.cookiejar

base, email, password = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
csrf = None


def call(method, path, body=None):
    h = {"Content-Type": "application/json"}
    if csrf:
        h["X-CSRF-Token"] = csrf
    req = urllib.request.Request(base + path, method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    with opener.open(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


csrf = call("POST", "/api/v1/auth/login", {"email": email, "password": password})["csrf_token"]
out = {}
for key, slug, cap, wait in [("CHECKIN", "bench-checkin", None, False),
                             ("REGISTER", "bench-register", 5000, False),
                             ("IDEM", "bench-idem", 5000, False),
                             ("LIMIT", "bench-limit", 5000, False),
                             ("MAIL", "bench-mail", None, False)]:
    ev = call("POST", "/api/v1/events", {
        "slug": slug, "name": slug, "timezone": "Europe/Ljubljana",
        "starts_at": "2030-05-14T09:00:00+02:00", "ends_at": "2030-05-15T17:00:00+02:00",
        "capacity": cap, "waitlist": wait})
    tt = call("POST", f"/api/v1/events/{slug}/ticket-types", {"name": "Standard"})
    call("POST", f"/api/v1/events/{slug}/publish")
    out[f"{key}_SLUG"] = slug
    out[f"{key}_EVENT"] = ev["id"]
    out[f"{key}_TTYPE"] = tt["id"]
tok = call("POST", "/api/v1/tokens", {"name": "bench scanner", "role": "checkin", "event": None})
out["TOKEN"] = tok["token"]

# The export event: questions and sessions through the API; its 100,000
# registrations are written straight into MariaDB by scripts/bench (the
# API would take minutes and the export is what is measured).
slug = "bench-export"
ev = call("POST", "/api/v1/events", {
    "slug": slug, "name": "Export bench", "timezone": "Europe/Ljubljana",
    "starts_at": "2030-05-14T09:00:00+02:00", "ends_at": "2030-05-15T17:00:00+02:00",
    "capacity": None, "waitlist": False})
tt = call("POST", f"/api/v1/events/{slug}/ticket-types", {"name": "Standard"})
q1 = call("POST", f"/api/v1/events/{slug}/questions", {
    "label": "Organisation type", "kind": "choice", "options": ["SME", "Hospital", "University", "Investor"]})
q2 = call("POST", f"/api/v1/events/{slug}/questions", {"label": "Country", "kind": "country"})
s1 = call("POST", f"/api/v1/events/{slug}/sessions", {
    "title": "Workshop", "kind": "workshop", "starts_at": "2030-05-14T14:00:00+02:00",
    "ends_at": "2030-05-14T16:00:00+02:00"})
out.update(EXPORT_SLUG=slug, EXPORT_EVENT=ev["id"], EXPORT_TTYPE=tt["id"], EXPORT_Q1=q1["id"],
           EXPORT_Q2=q2["id"], EXPORT_SESSION=s1["id"])
# The event page: a public document of a realistic size (20 sessions, 15
# speakers, 3 ticket types, 3 questions), read by `loadgen get`.  The rush
# event takes registrations while it is read.
slug = "bench-page"
ev = call("POST", "/api/v1/events", {
    "slug": slug, "name": "Digital Health Summit 2030", "timezone": "Europe/Ljubljana",
    "description": "Two days on interoperable health records, AI in diagnostics and "
                   "the people who make hospitals work. " * 4,
    "venue": "Cankarjev dom, Prešernova 10, Ljubljana",
    "starts_at": "2030-05-14T09:00:00+02:00", "ends_at": "2030-05-15T17:00:00+02:00",
    "capacity": 1200, "waitlist": True})
speakers = [call("POST", f"/api/v1/events/{slug}/speakers", {
    "name": f"Speaker {i} Novak", "email": f"speaker{i}@example.org",
    "organisation": f"University Medical Centre {i}",
    "bio": f"Speaker {i} leads a research group on clinical data and has written "
           "widely on health informatics, standards and patient safety."})["id"]
    for i in range(15)]
for i in range(20):
    day, slot = divmod(i, 10)
    call("POST", f"/api/v1/events/{slug}/sessions", {
        "title": f"Session {i + 1}: interoperability in practice",
        "description": "What worked, what did not, and what the next five years need. " * 2,
        "kind": ["talk", "workshop", "panel", "keynote"][i % 4],
        "starts_at": f"2030-05-{14 + day}T{9 + slot // 2:02d}:00:00+02:00",
        "ends_at": f"2030-05-{14 + day}T{9 + slot // 2:02d}:45:00+02:00",
        "room": f"Hall {1 + i % 3}", "track": ["Clinical", "Technical"][i % 2],
        "capacity": 60 if i % 4 == 1 else None, "requires_signup": i % 4 == 1,
        "speaker_ids": [speakers[i % 15], speakers[(i + 7) % 15]]})
for name, quota, price in [("Standard", 800, 24900), ("Student", 200, 4900),
                           ("Speaker and press", 200, 0)]:
    call("POST", f"/api/v1/events/{slug}/ticket-types", {
        "name": name, "description": f"{name} pass for both days.", "quota": quota,
        "price_cents": price})
call("POST", f"/api/v1/events/{slug}/questions", {
    "label": "Organisation type", "kind": "choice", "required": True,
    "options": ["Hospital", "University", "Company", "Public body", "Other"]})
call("POST", f"/api/v1/events/{slug}/questions", {"label": "Country", "kind": "country"})
call("POST", f"/api/v1/events/{slug}/questions", {"label": "Dietary needs", "kind": "text"})
call("POST", f"/api/v1/events/{slug}/publish")
out["PAGE_SLUG"] = slug
slug = "bench-rush"
ev = call("POST", "/api/v1/events", {
    "slug": slug, "name": slug, "timezone": "Europe/Ljubljana",
    "starts_at": "2030-05-14T09:00:00+02:00", "ends_at": "2030-05-15T17:00:00+02:00",
    "capacity": 5000, "waitlist": False})
tt = call("POST", f"/api/v1/events/{slug}/ticket-types", {"name": "Standard"})
call("POST", f"/api/v1/events/{slug}/publish")
out.update(RUSH_SLUG=slug, RUSH_EVENT=ev["id"], RUSH_TTYPE=tt["id"])

adm = call("POST", "/api/v1/tokens", {"name": "bench exports", "role": "organiser", "event": None})
out["ADMIN_TOKEN"] = adm["token"]
for k, v in out.items():
    print(f"{k}={v}")
