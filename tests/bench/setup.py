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
adm = call("POST", "/api/v1/tokens", {"name": "bench exports", "role": "organiser", "event": None})
out["ADMIN_TOKEN"] = adm["token"]
for k, v in out.items():
    print(f"{k}={v}")
