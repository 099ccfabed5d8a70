#!/usr/bin/python3
"""Seed a demo event through Confero's own API (used once by `make run`).

usage: seed-demo.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
Creates "Danube Digital Health Forum" with a programme, speakers, ticket
types, questions and a few registrations, and publishes it.  Everything
goes through the public HTTP API, so the demo is exactly what users get.
"""
import datetime
import json
import sys
import urllib.error
import urllib.request
import http.cookiejar

base, email, password = sys.argv[1:4]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
csrf = None


def call(method, path, body=None, auth=True):
    headers = {"Content-Type": "application/json"}
    if auth and csrf:
        headers["X-CSRF-Token"] = csrf
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with opener.open(req) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        sys.exit(f"seed-demo: {method} {path} -> {e.code} {raw[:300]!r}")


status, me = call("POST", "/api/v1/auth/login", {"email": email, "password": password})
csrf = me["csrf_token"]

# Next spring, on a Thursday and Friday, Ljubljana time.
year = datetime.date.today().year + 1
day1 = datetime.date(year, 5, 13)
while day1.weekday() != 3:
    day1 += datetime.timedelta(days=1)
day2 = day1 + datetime.timedelta(days=1)


def at(day, hm):
    return f"{day.isoformat()}T{hm}:00+02:00"


slug = f"danube-digital-health-{year}"
call("POST", "/api/v1/events", {
    "slug": slug,
    "name": f"Danube Digital Health Forum {year}",
    "description": "Two days where hospitals, insurers and patients' groups meet start-ups, "
                   "universities and investors: keynotes, panels, hands-on workshops and "
                   "pre-arranged one-to-one matchmaking.",
    "venue": "Cankarjev dom, Prešernova cesta 10, Ljubljana",
    "timezone": "Europe/Ljubljana",
    "starts_at": at(day1, "09:00"), "ends_at": at(day2, "17:00"),
    "capacity": 250, "waitlist": True,
})
speakers = {}
for name, org, bio in [
    ("Dr. Maja Kovač", "University Medical Centre Ljubljana", "Head of digital transformation."),
    ("Georgi Petrov", "Sofia Tech Park", "Runs the health-tech accelerator."),
    ("Zsófia Németh", "Semmelweis University", "Researches remote patient monitoring."),
    ("Lars Ørsted", "Danish Life Science Cluster", "Connects SMEs with Nordic hospitals."),
]:
    _, s = call("POST", f"/api/v1/events/{slug}/speakers",
                {"name": name, "organisation": org, "bio": bio})
    speakers[name] = s["id"]

sessions = []
for day, start, end, title, kind, room, track, cap, who in [
    (day1, "09:00", "09:45", "Opening keynote: care closer to home", "keynote", "Hall 1", "Plenary", None, ["Dr. Maja Kovač"]),
    (day1, "10:00", "11:00", "Panel: what hospitals need from start-ups", "panel", "Hall 1", "Plenary", None, ["Dr. Maja Kovač", "Georgi Petrov"]),
    (day1, "11:30", "13:00", "Workshop: medical device regulation (MDR) for software", "workshop", "Room E", "Regulation", 30, ["Zsófia Németh"]),
    (day1, "14:00", "16:00", "B2B matchmaking: needs meet expertise", "networking", "Lobby", "Networking", 60, []),
    (day2, "09:30", "10:30", "Remote monitoring in rural regions", "talk", "Hall 1", "Care", None, ["Zsófia Németh"]),
    (day2, "11:00", "12:30", "Workshop: reimbursement pathways across the Danube region", "workshop", "Room E", "Market access", 25, ["Lars Ørsted"]),
    (day2, "14:00", "15:00", "Investor panel: funding digital health", "panel", "Hall 1", "Investment", None, ["Georgi Petrov", "Lars Ørsted"]),
]:
    _, s = call("POST", f"/api/v1/events/{slug}/sessions", {
        "title": title, "kind": kind, "starts_at": at(day, start), "ends_at": at(day, end),
        "room": room, "track": track, "capacity": cap,
        "requires_signup": kind in ("workshop", "networking"),
        "speaker_ids": [speakers[n] for n in who],
    })
    sessions.append(s["id"])

_, standard = call("POST", f"/api/v1/events/{slug}/ticket-types", {
    "name": "Participant", "description": "Both days, all sessions.", "quota": 200})
call("POST", f"/api/v1/events/{slug}/ticket-types", {
    "name": "Investor", "description": "Investors and funders; confirmed by the organisers.",
    "quota": 30, "requires_approval": True})
call("POST", f"/api/v1/events/{slug}/ticket-types", {
    "name": "Exhibitor", "description": "Includes a table in the exhibition area.",
    "quota": 20, "price_cents": 35000, "currency": "EUR"})
_, q1 = call("POST", f"/api/v1/events/{slug}/questions", {
    "label": "Type of organisation", "kind": "choice", "required": True,
    "options": ["Hospital or care provider", "Insurer", "Patients' organisation",
                "Start-up or SME", "University or research", "Investor", "Public body"]})
_, q2 = call("POST", f"/api/v1/events/{slug}/questions", {
    "label": "Country", "kind": "country", "required": True})
call("POST", f"/api/v1/events/{slug}/questions", {
    "label": "What are you looking for at the matchmaking?", "kind": "textarea"})
call("POST", f"/api/v1/events/{slug}/publish")

for name, mail, org, kind, country in [
    ("Ana Horvat", "ana.horvat@example.si", "Zdravstveni dom Celje", "Hospital or care provider", "SI"),
    ("Ivan Dimitrov", "ivan.dimitrov@example.bg", "MedData OOD", "Start-up or SME", "BG"),
    ("Éva Szabó", "eva.szabo@example.hu", "Debreceni Egyetem", "University or research", "HU"),
    ("Mette Jensen", "mette.jensen@example.dk", "Region Midtjylland", "Public body", "DK"),
]:
    call("POST", f"/api/v1/events/{slug}/registrations", {
        "ticket_type_id": standard["id"], "name": name, "email": mail, "organisation": org,
        "answers": {str(q1["id"]): kind, str(q2["id"]): country},
        "session_ids": [sessions[3]], "consent": True}, auth=False)

print(f"demo event: {base}/api/v1/events/{slug}")
