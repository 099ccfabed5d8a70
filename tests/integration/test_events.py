"""
Events and their programme (issue 3): creating, validating, publishing and
closing events, who sees what, members, the check-in key, sessions,
speakers, ticket types, questions and the programme as iCalendar.

One server for the module; every test makes events of its own.
"""

import base64
import datetime
import json

from harness import check, expect_error, expect_status, poll, url_path_quote
from util_events import (ENDS, STARTS, TZ, World, b32decode_nopad,
                         ed25519_verify, expect_fields, uniq)

W = None


def setup_module():
    global W
    W = World("events")


def teardown_module():
    if W is not None:
        W.stop()


def event_body(**kw):
    body = {"slug": uniq("ev"), "name": "Konferenca", "description": "Opis",
            "venue": "Ljubljana", "timezone": TZ, "starts_at": STARTS,
            "ends_at": ENDS, "capacity": 100, "waitlist": True,
            "registration_opens_at": None, "registration_closes_at": None}
    body.update(kw)
    return body


# The public event document may be a second old (README, Design); polls
# give it far longer so that a slow (sanitizer) build passes too.
STALE_DEADLINE = 8.0


def poll_public(slug, cond, client=None, deadline=STALE_DEADLINE):
    """GET the public document until cond(json) holds or the deadline; the last response."""
    c = client or W.anon()

    def once():
        r = c.get("/api/v1/events/" + slug)
        expect_status(r, 200, "public GET of %s" % slug)
        return r if cond(r.json) else None
    return poll(once, deadline, interval=0.1) or c.get("/api/v1/events/" + slug)


def public_doc(slug, client=None, what="public GET"):
    """The public document, asked for twice so that the second comes from the cache."""
    c = client or W.anon()
    expect_status(c.get("/api/v1/events/" + slug), 200, what)
    r = c.get("/api/v1/events/" + slug)
    expect_status(r, 200, what)
    return r


def public_slugs():
    r = W.anon().get("/api/v1/events")
    expect_status(r, 200, "public event list")
    check(isinstance(r.json, dict) and isinstance(r.json.get("events"), list),
          "public list: want {\"events\": [...]}, got %r" % r)
    return {e.get("slug"): e for e in r.json["events"]}


# --------------------------------------------------------------------------
# Events

def test_create_event_times_in_event_zone():
    # Given in UTC; shown in the event's zone with its offset (summer +02:00).
    body = event_body(starts_at="2027-05-14T07:00:00Z", ends_at="2027-05-14T16:30:00Z",
                      capacity=120, waitlist=True,
                      registration_opens_at="2027-01-01T00:00:00+01:00",
                      registration_closes_at="2027-05-13T22:00:00Z")
    r = W.admin.post("/api/v1/events", body)
    expect_status(r, 201, "create event")
    ev = r.json
    for k in ("slug", "name", "description", "venue", "timezone"):
        check(ev.get(k) == body[k], "event %s: want %r, got %r" % (k, body[k], ev.get(k)))
    check(ev.get("starts_at") == "2027-05-14T09:00:00+02:00",
          "starts_at 07:00Z in Ljubljana: want 2027-05-14T09:00:00+02:00, got %r" % ev.get("starts_at"))
    check(ev.get("ends_at") == "2027-05-14T18:30:00+02:00", "ends_at: got %r" % ev.get("ends_at"))
    check(ev.get("registration_opens_at") == "2027-01-01T00:00:00+01:00",
          "registration_opens_at (winter, +01:00): got %r" % ev.get("registration_opens_at"))
    check(ev.get("registration_closes_at") == "2027-05-14T00:00:00+02:00",
          "registration_closes_at: got %r" % ev.get("registration_closes_at"))
    check(ev.get("capacity") == 120 and ev.get("waitlist") is True,
          "capacity/waitlist: %r" % ev)
    check(ev.get("status") == "draft", "a new event is a draft: %r" % ev)
    # The same on reading back.
    r = W.admin.get("/api/v1/events/" + body["slug"])
    expect_status(r, 200, "get event")
    check(r.json.get("starts_at") == "2027-05-14T09:00:00+02:00" and
          r.json.get("ends_at") == "2027-05-14T18:30:00+02:00", "read back: %r" % r)

    # Another zone: New York in January is UTC-5.
    body = event_body(timezone="America/New_York", starts_at="2027-01-20T14:00:00Z",
                      ends_at="2027-01-20T23:00:00Z", capacity=None)
    r = W.admin.post("/api/v1/events", body)
    expect_status(r, 201, "create New York event")
    check(r.json.get("starts_at") == "2027-01-20T09:00:00-05:00",
          "14:00Z in New York: want 2027-01-20T09:00:00-05:00, got %r" % r.json.get("starts_at"))
    check(r.json.get("capacity") is None, "capacity null stays null: %r" % r)


def test_slug_taken():
    body = event_body()
    expect_status(W.admin.post("/api/v1/events", body), 201, "first create")
    r = W.admin.post("/api/v1/events", dict(body, name="Other"))
    expect_error(r, 409, "slug_taken", "same slug again")
    r = W.admin.get("/api/v1/events/" + body["slug"])
    check(r.json.get("name") == "Konferenca", "the first event is unchanged: %r" % r)


def test_event_validation_each_field():
    cases = [
        ("slug", {"slug": "Not A Slug"}),
        ("slug", {"slug": "ümlaut"}),
        ("slug", {"slug": "-leading"}),
        ("slug", {"slug": "x" * 65}),
        ("slug", {"slug": None}),
        ("name", {"name": ""}),
        ("name", {"name": None}),
        ("name", {"name": "x" * 201}),
        ("description", {"description": 42}),
        ("venue", {"venue": ["Ljubljana"]}),
        ("timezone", {"timezone": "Mars/Olympus_Mons"}),
        ("timezone", {"timezone": None}),
        ("starts_at", {"starts_at": "14 May 2027"}),
        ("starts_at", {"starts_at": None}),
        ("starts_at", {"starts_at": "2027-05-14T09:00:00"}),     # no offset
        ("ends_at", {"ends_at": "2027-05-14T08:59:59+02:00"}),   # before start
        ("ends_at", {"ends_at": STARTS}),                        # zero length
        ("ends_at", {"ends_at": "soon"}),
        ("capacity", {"capacity": -1}),
        ("capacity", {"capacity": "ten"}),
        ("capacity", {"capacity": 1.5}),
        ("waitlist", {"waitlist": "yes"}),
        ("registration_opens_at", {"registration_opens_at": "tomorrow"}),
        ("registration_closes_at", {"registration_closes_at": "2027-13-01T00:00:00Z"}),
        ("registration_closes_at", {"registration_opens_at": "2027-03-01T00:00:00Z",
                                    "registration_closes_at": "2027-02-01T00:00:00Z"}),
    ]
    failures = []
    for field, change in cases:
        body = event_body(**change)
        what = "create event with %s" % json.dumps(change)[:80]
        r = W.admin.post("/api/v1/events", body)
        try:
            expect_fields(r, field, what)
            if field != "slug":
                r = W.admin.get("/api/v1/events/" + url_path_quote(body["slug"]))
                check(r.status == 404, "%s: nothing may be created, GET gave %r" % (what, r))
        except AssertionError as e:
            failures.append(str(e))
    check(not failures, "%d of %d cases failed:\n  " % (len(failures), len(cases)) +
          "\n  ".join(failures))
    # Several at once are all named.
    r = W.admin.post("/api/v1/events", event_body(slug="Bad Slug", timezone="Nowhere/City",
                                                  name=""))
    expect_fields(r, ["slug", "timezone", "name"], "three bad fields")
    # Not JSON at all.
    r = W.admin.post("/api/v1/events", body="{not json", content_type="application/json")
    check(r.status in (400, 422), "malformed JSON: want 400/422, got %r" % r)


def test_unknown_slug_in_path_is_404():
    # Whatever the path holds, an event that does not exist is 404, never 500.
    for slug in ("no-such-event-here", "%C3%BCmlaut", "%FF", "%C5%A1%C4%8D", "a%20b",
                 "x" * 300):
        for method, path, body in (
                ("GET", "/api/v1/events/%s", None),
                ("GET", "/api/v1/events/%s/programme.ics", None),
                ("GET", "/api/v1/events/%s/sessions", None),
                ("POST", "/api/v1/events/%s/registrations",
                 {"ticket_type_id": 1, "name": "A", "email": "a@example.test",
                  "consent": True})):
            r = W.anon().request(method, path % slug, json_body=body)
            expect_error(r, 404, None, "%s %s" % (method, path % slug))
        r = W.admin.patch("/api/v1/events/%s" % slug, {"name": "x"})
        expect_error(r, 404, None, "admin PATCH /api/v1/events/%s" % slug)


def test_who_may_create_events():
    r = W.anon().post("/api/v1/events", event_body(), csrf=None)
    expect_error(r, 401, None, "anonymous create")
    _, checker = W.new_user("checkin")
    r = checker.post("/api/v1/events", event_body())
    expect_error(r, 403, None, "checkin user creates event")
    _, org = W.new_user("organiser")
    body = event_body()
    r = org.post("/api/v1/events", body)
    expect_status(r, 201, "organiser creates event")
    # The creator is staff of it: can edit and sees it while it is a draft.
    r = org.patch("/api/v1/events/" + body["slug"], {"name": "Renamed"})
    expect_status(r, 200, "creator patches own event")
    check(r.json.get("name") == "Renamed", "patched name: %r" % r)


def test_draft_published_closed_visibility():
    ev = W.event(publish=False, capacity=10)
    slug = ev["slug"]
    tt = W.ttype(slug)
    anon = W.anon()
    expect_error(anon.get("/api/v1/events/" + slug), 404, None, "public GET of a draft")
    check(slug not in public_slugs(), "a draft is not in the public list")
    expect_status(anon.get("/api/v1/events/%s/ticket-types" % slug), 404,
                  "public ticket types of a draft")
    r = W.register(slug, tt["id"])
    check(r.status in (403, 404), "registration for a draft: want 403 registration_closed "
          "(or 404: the draft is invisible), got %r" % r)
    if r.status == 403:
        expect_error(r, 403, "registration_closed", "registration for a draft")
    expect_status(W.admin.get("/api/v1/events/" + slug), 200, "staff GET of a draft")

    r = W.admin.post("/api/v1/events/%s/publish" % slug)
    expect_status(r, 200, "publish")
    check(r.json.get("status") == "published", "status after publish: %r" % r)
    r = anon.get("/api/v1/events/" + slug)
    expect_status(r, 200, "public GET after publish")
    listed = public_slugs()
    check(slug in listed and listed[slug].get("status") == "published",
          "published event is listed: %r" % listed.get(slug))
    expect_status(W.register(slug, tt["id"]), 201, "register while published")

    r = W.admin.post("/api/v1/events/%s/close" % slug)
    expect_status(r, 200, "close")
    check(r.json.get("status") == "closed", "status after close: %r" % r)
    expect_status(anon.get("/api/v1/events/" + slug), 200, "public GET of closed event")
    listed = public_slugs()
    check(slug in listed and listed[slug].get("status") == "closed",
          "closed event is still listed: %r" % listed.get(slug))
    expect_error(W.register(slug, tt["id"]), 403, "registration_closed",
                 "register at a closed event")


def test_public_event_page_contents():
    ev = W.event(capacity=50)
    slug = ev["slug"]
    sp = W.speaker(slug, name="Dr. Maja Horvat", email="maja@example.test",
                   organisation="Univerza", bio="Researcher.")
    ses = W.session(slug, title="Keynote", kind="keynote", speaker_ids=[sp["id"]])
    tt = W.ttype(slug, name="Regular", quota=20)
    q = W.question(slug, label="T-shirt size", kind="choice", options=["S", "M", "L"],
                   required=True)
    r = W.anon().get("/api/v1/events/" + slug)
    expect_status(r, 200, "public event page")
    o = r.json
    for k in ("sessions", "speakers", "ticket_types", "questions"):
        check(isinstance(o.get(k), list) and len(o[k]) == 1, "%s: want one, got %r" % (k, o.get(k)))
    check(o["sessions"][0].get("id") == ses["id"] and o["sessions"][0].get("title") == "Keynote",
          "session: %r" % o["sessions"][0])
    check(sp["id"] in (o["sessions"][0].get("speaker_ids") or []),
          "session lists its speaker: %r" % o["sessions"][0])
    spk = o["speakers"][0]
    check(spk.get("name") == "Dr. Maja Horvat" and spk.get("organisation") == "Univerza",
          "speaker: %r" % spk)
    check("email" not in spk or spk["email"] in (None, ""),
          "the public must not see a speaker's email: %r" % spk)
    check("maja@example.test" not in r.raw.decode("utf-8"),
          "the speaker's email appears in the public page")
    t = o["ticket_types"][0]
    check(t.get("id") == tt["id"] and t.get("available") == 20,
          "ticket type available = quota 20: %r" % t)
    check(o["questions"][0].get("id") == q["id"] and o["questions"][0].get("options") == ["S", "M", "L"],
          "question: %r" % o["questions"][0])
    # The speaker on its own, publicly, has no email either; staff see it.
    r = W.anon().get("/api/v1/events/%s/speakers/%d" % (slug, sp["id"]))
    expect_status(r, 200, "public speaker")
    check(not r.json.get("email"), "public speaker has no email: %r" % r)
    r = W.admin.get("/api/v1/events/%s/speakers/%d" % (slug, sp["id"]))
    check(r.json.get("email") == "maja@example.test", "staff see the email: %r" % r)
    # available follows registrations, within the cache's second.
    W.registered(slug, tt["id"], answers={str(q["id"]): "M"})
    r = poll_public(slug, lambda o: o["ticket_types"][0].get("available") == 19)
    check(r.json["ticket_types"][0].get("available") == 19,
          "available after one registration: want 19 within %gs, got %r"
          % (STALE_DEADLINE, r.json["ticket_types"][0]))


def test_patch_event():
    ev = W.event(publish=False, capacity=10)
    slug = ev["slug"]
    r = W.admin.patch("/api/v1/events/" + slug, {"name": "Nova", "capacity": 25,
                                                 "ends_at": "2027-05-16T18:00:00+02:00"})
    expect_status(r, 200, "patch")
    check(r.json.get("name") == "Nova" and r.json.get("capacity") == 25 and
          r.json.get("ends_at") == "2027-05-16T18:00:00+02:00", "patched: %r" % r)
    check(r.json.get("starts_at") == STARTS, "starts_at unchanged: %r" % r)
    expect_fields(W.admin.patch("/api/v1/events/" + slug,
                                {"ends_at": "2027-05-13T00:00:00+02:00"}),
                  "ends_at", "patch ends_at before the stored start")
    expect_fields(W.admin.patch("/api/v1/events/" + slug, {"timezone": "Moon/Base"}),
                  "timezone", "patch bad timezone")
    r = W.admin.patch("/api/v1/events/" + slug, {"slug": "other-slug"})
    check(r.status == 422, "changing the slug: want 422, got %r" % r)
    r = W.admin.get("/api/v1/events/" + slug)
    check(r.json.get("name") == "Nova" and r.json.get("ends_at") == "2027-05-16T18:00:00+02:00",
          "failed patches change nothing: %r" % r)
    expect_error(W.admin.patch("/api/v1/events/no-such-event-x", {"name": "x"}), 404, None,
                 "patch unknown event")


def test_capacity_cannot_drop_below_taken_seats():
    ev, tt = W.simple_event(capacity=5)
    for _ in range(3):
        W.registered(ev["slug"], tt["id"])
    expect_fields(W.admin.patch("/api/v1/events/" + ev["slug"], {"capacity": 2}),
                  "capacity", "capacity 2 below 3 seats taken")
    r = W.admin.patch("/api/v1/events/" + ev["slug"], {"capacity": 3})
    expect_status(r, 200, "capacity equal to seats taken")
    r = W.register(ev["slug"], tt["id"])
    expect_error(r, 409, "sold_out", "register after capacity lowered to taken seats")


def test_members():
    ev = W.event(publish=False)
    slug = ev["slug"]
    org_user, org = W.new_user("organiser")
    ck_user, ck = W.new_user("checkin")
    # Not staff yet: cannot edit it nor see the draft.
    expect_error(org.patch("/api/v1/events/" + slug, {"name": "x"}), 403, None,
                 "non-member organiser patches")
    expect_error(org.get("/api/v1/events/" + slug), 404, None, "non-member sees draft")
    expect_error(ck.get("/api/v1/events/%s/checkin-key" % slug), 403, None,
                 "non-member checkin user reads the key")
    # Only organisers add members.
    expect_error(ck.post("/api/v1/events/%s/members" % slug, {"user_id": ck_user["id"]}),
                 403, None, "checkin user adds a member")
    W.add_member(slug, org_user["id"])
    W.add_member(slug, ck_user["id"])
    r = W.admin.post("/api/v1/events/%s/members" % slug, {"user_id": org_user["id"]})
    check(r.status in (200, 409), "adding a member twice: want 409 (or 200), got %r" % r)
    expect_fields(W.admin.post("/api/v1/events/%s/members" % slug, {"user_id": 987654321}),
                  "user_id", "unknown user as member")
    r = W.admin.get("/api/v1/events/%s/members" % slug)
    expect_status(r, 200, "list members")
    ids = {m.get("id") for m in r.json.get("members", [])}
    check({org_user["id"], ck_user["id"]} <= ids, "members listed: %r" % r)
    r = org.patch("/api/v1/events/" + slug, {"name": "By member"})
    expect_status(r, 200, "member organiser patches")
    expect_status(org.get("/api/v1/events/" + slug), 200, "member sees the draft")
    expect_status(ck.get("/api/v1/events/%s/checkin-key" % slug), 200,
                  "member checkin user reads the key")
    expect_error(ck.patch("/api/v1/events/" + slug, {"name": "x"}), 403, None,
                 "checkin member patches the event")


def test_checkin_key_verifies_ticket_codes():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    expect_error(W.anon().get("/api/v1/events/%s/checkin-key" % slug), 401, None,
                 "anonymous reads the check-in key")
    r = W.admin.get("/api/v1/events/%s/checkin-key" % slug)
    expect_status(r, 200, "checkin-key")
    k = r.json
    check(k.get("algorithm") == "Ed25519", "algorithm: %r" % k)
    pk = base64.b64decode(k.get("public_key", ""), validate=True)
    check(len(pk) == 32, "public key: want 32 bytes, got %d" % len(pk))
    check(k.get("public_key_hex") == pk.hex(), "public_key_hex %r does not match public_key %s"
          % (k.get("public_key_hex"), pk.hex()))
    # Another event has another key.
    ev2 = W.event()
    r2 = W.admin.get("/api/v1/events/%s/checkin-key" % ev2["slug"])
    check(r2.json.get("public_key") != k["public_key"], "two events share a signing key")
    # A ticket's code is payload || Ed25519 signature, verifiable offline.
    reg = W.registered(slug, tt["id"])
    code = reg["ticket"]["code"]
    raw = b32decode_nopad(code)
    check(len(raw) == 9 + 64, "code decodes to %d bytes, want 73" % len(raw))
    check(raw[0] == 1 and int.from_bytes(raw[1:5], "big") == ev["id"],
          "payload: version 1 and event id %d, got %s" % (ev["id"], raw[:9].hex()))
    check(ed25519_verify(pk, raw[:9], raw[9:]), "the ticket's signature does not verify "
          "with the event's published key")
    pk2 = base64.b64decode(r2.json["public_key"])
    check(not ed25519_verify(pk2, raw[:9], raw[9:]), "verifier sanity: another key verifies")


# --------------------------------------------------------------------------
# Programme

def test_sessions_crud_and_validation():
    ev = W.event(publish=False)
    slug = ev["slug"]
    sp1 = W.speaker(slug, name="Ivana")
    sp2 = W.speaker(slug, name="Marko")
    body = {"title": "Opening", "description": "Welcome", "kind": "keynote",
            "starts_at": "2027-05-14T07:30:00Z", "ends_at": "2027-05-14T08:15:00Z",
            "room": "Hall A", "track": "Main", "capacity": 300, "requires_signup": False,
            "speaker_ids": [sp1["id"], sp2["id"]]}
    r = W.admin.post("/api/v1/events/%s/sessions" % slug, body)
    expect_status(r, 201, "create session")
    s = r.json
    check(s.get("starts_at") == "2027-05-14T09:30:00+02:00" and
          s.get("ends_at") == "2027-05-14T10:15:00+02:00",
          "session times in the event's zone: %r" % s)
    for k in ("title", "description", "kind", "room", "track", "capacity", "requires_signup"):
        check(s.get(k) == body[k], "session %s: want %r got %r" % (k, body[k], s.get(k)))
    check(sorted(s.get("speaker_ids") or []) == sorted([sp1["id"], sp2["id"]]),
          "speaker_ids: %r" % s)
    sid = s["id"]
    r = W.admin.get("/api/v1/events/%s/sessions/%d" % (slug, sid))
    expect_status(r, 200, "get session")
    check(r.json.get("title") == "Opening", "read back: %r" % r)
    r = W.admin.patch("/api/v1/events/%s/sessions/%d" % (slug, sid),
                      {"title": "Opening keynote", "speaker_ids": [sp2["id"]]})
    expect_status(r, 200, "patch session")
    check(r.json.get("title") == "Opening keynote" and r.json.get("speaker_ids") == [sp2["id"]],
          "patched: %r" % r)
    check(r.json.get("room") == "Hall A", "untouched field kept: %r" % r)

    base = dict(body, speaker_ids=[])
    bad = [
        ("title", {"title": ""}),
        ("kind", {"kind": "party"}),
        ("starts_at", {"starts_at": "at nine"}),
        ("ends_at", {"ends_at": "2027-05-14T07:00:00Z"}),
        ("capacity", {"capacity": -5}),
        ("requires_signup", {"requires_signup": "no"}),
        ("speaker_ids", {"speaker_ids": [999999]}),
        ("speaker_ids", {"speaker_ids": "all"}),
    ]
    for field, change in bad:
        r = W.admin.post("/api/v1/events/%s/sessions" % slug, dict(base, **change))
        expect_fields(r, field, "create session with %s" % json.dumps(change))
    # Another event's speaker is unknown here.
    other = W.event(publish=False)
    osp = W.speaker(other["slug"])
    r = W.admin.post("/api/v1/events/%s/sessions" % slug, dict(base, speaker_ids=[osp["id"]]))
    expect_fields(r, "speaker_ids", "another event's speaker")
    # Session ids are per event.
    expect_error(W.admin.get("/api/v1/events/%s/sessions/%d" % (other["slug"], sid)), 404, None,
                 "session through another event")
    r = W.admin.delete("/api/v1/events/%s/sessions/%d" % (slug, sid))
    expect_status(r, 204, "delete session")
    expect_error(W.admin.get("/api/v1/events/%s/sessions/%d" % (slug, sid)), 404, None,
                 "deleted session")
    r = W.admin.get("/api/v1/events/%s/sessions" % slug)
    check(r.json.get("sessions") == [], "no sessions left: %r" % r)


def test_speakers_crud():
    ev = W.event()
    slug = ev["slug"]
    r = W.admin.post("/api/v1/events/%s/speakers" % slug,
                     {"name": "Zoë Łukasiewicz", "email": "zoe@example.test",
                      "organisation": "ETH", "bio": "Line one\nLine two"})
    expect_status(r, 201, "create speaker")
    sp = r.json
    check(sp.get("name") == "Zoë Łukasiewicz" and sp.get("bio") == "Line one\nLine two",
          "speaker round trip: %r" % sp)
    expect_fields(W.admin.post("/api/v1/events/%s/speakers" % slug, {"name": ""}), "name",
                  "speaker without name")
    expect_fields(W.admin.post("/api/v1/events/%s/speakers" % slug,
                               {"name": "X", "email": "not-an-email"}), "email",
                  "speaker with bad email")
    r = W.admin.patch("/api/v1/events/%s/speakers/%d" % (slug, sp["id"]), {"organisation": "EPFL"})
    expect_status(r, 200, "patch speaker")
    check(r.json.get("organisation") == "EPFL" and r.json.get("name") == "Zoë Łukasiewicz",
          "patched speaker: %r" % r)
    r = W.anon().get("/api/v1/events/%s/speakers" % slug)
    expect_status(r, 200, "public speakers")
    check(len(r.json.get("speakers", [])) == 1 and not r.json["speakers"][0].get("email"),
          "public speaker list without email: %r" % r)
    expect_status(W.admin.delete("/api/v1/events/%s/speakers/%d" % (slug, sp["id"])), 204,
                  "delete speaker")
    expect_error(W.anon().get("/api/v1/events/%s/speakers/%d" % (slug, sp["id"])), 404, None,
                 "deleted speaker")


def test_ticket_types_crud_and_validation():
    ev = W.event(capacity=100)
    slug = ev["slug"]
    s1 = W.session(slug, title="W1", kind="workshop")
    s2 = W.session(slug, title="W2", kind="workshop")
    body = {"name": "Early bird", "description": "Cheap", "quota": 30, "price_cents": 4900,
            "currency": "EUR", "sale_starts_at": "2027-01-01T00:00:00+01:00",
            "sale_ends_at": "2027-03-01T00:00:00+01:00", "requires_approval": False,
            "sessions": [s1["id"]]}
    r = W.admin.post("/api/v1/events/%s/ticket-types" % slug, body)
    expect_status(r, 201, "create ticket type")
    t = r.json
    for k in ("name", "description", "quota", "price_cents", "currency", "sale_starts_at",
              "sale_ends_at", "requires_approval"):
        check(t.get(k) == body[k], "ticket type %s: want %r got %r" % (k, body[k], t.get(k)))
    check(t.get("sessions") == [s1["id"]], "sessions subset: %r" % t)
    check(t.get("available") == 30, "available = quota: %r" % t)
    r = W.admin.post("/api/v1/events/%s/ticket-types" % slug, {"name": "All", "sessions": "all"})
    expect_status(r, 201, "ticket type for all sessions")
    check(r.json.get("sessions") == "all", "sessions all: %r" % r)
    r = W.admin.patch("/api/v1/events/%s/ticket-types/%d" % (slug, t["id"]),
                      {"quota": 40, "sessions": [s1["id"], s2["id"]]})
    expect_status(r, 200, "patch ticket type")
    check(r.json.get("quota") == 40 and sorted(r.json.get("sessions")) == sorted([s1["id"], s2["id"]]),
          "patched: %r" % r)
    check(r.json.get("price_cents") == 4900, "untouched field kept: %r" % r)
    r = W.anon().get("/api/v1/events/%s/ticket-types/%d" % (slug, t["id"]))
    expect_status(r, 200, "public ticket type")

    bad = [
        ("name", {"name": ""}),
        ("quota", {"quota": -1}),
        ("price_cents", {"price_cents": -100}),
        ("price_cents", {"price_cents": "free"}),
        ("currency", {"currency": "euro"}),
        ("sale_starts_at", {"sale_starts_at": "January"}),
        ("sale_ends_at", {"sale_starts_at": "2027-03-01T00:00:00Z",
                          "sale_ends_at": "2027-02-01T00:00:00Z"}),
        ("requires_approval", {"requires_approval": 1}),
        ("sessions", {"sessions": [999999]}),
        ("sessions", {"sessions": "some"}),
    ]
    for field, change in bad:
        r = W.admin.post("/api/v1/events/%s/ticket-types" % slug, dict(body, **change))
        expect_fields(r, field, "create ticket type with %s" % json.dumps(change))
    # Delete: an unused type goes; one with registrations stays.
    r = W.admin.post("/api/v1/events/%s/ticket-types" % slug, {"name": "Spare"})
    expect_status(W.admin.delete("/api/v1/events/%s/ticket-types/%d" % (slug, r.json["id"])),
                  204, "delete unused ticket type")
    used = W.ttype(slug, name="Used")
    W.registered(slug, used["id"])
    r = W.admin.delete("/api/v1/events/%s/ticket-types/%d" % (slug, used["id"]))
    check(r.status == 409, "delete a ticket type with registrations: want 409, got %r" % r)
    expect_status(W.anon().get("/api/v1/events/%s/ticket-types/%d" % (slug, used["id"])), 200,
                  "the used type is still there")


def test_questions_crud_and_validation():
    ev = W.event(publish=False)
    slug = ev["slug"]
    made = {}
    for kind, extra in (("text", {}), ("textarea", {}), ("choice", {"options": ["A", "B"]}),
                        ("multichoice", {"options": ["X", "Y", "Z"]}), ("checkbox", {}),
                        ("country", {})):
        r = W.admin.post("/api/v1/events/%s/questions" % slug,
                         dict({"label": "Q " + kind, "kind": kind, "required": True}, **extra))
        expect_status(r, 201, "create %s question" % kind)
        check(r.json.get("kind") == kind and r.json.get("required") is True and
              r.json.get("label") == "Q " + kind, "question: %r" % r)
        if "options" in extra:
            check(r.json.get("options") == extra["options"], "options: %r" % r)
        made[kind] = r.json
    bad = [
        ("label", {"label": "", "kind": "text"}),
        ("kind", {"label": "L", "kind": "dropdown"}),
        ("kind", {"label": "L"}),
        ("options", {"label": "L", "kind": "choice"}),
        ("options", {"label": "L", "kind": "choice", "options": []}),
        ("options", {"label": "L", "kind": "multichoice", "options": "A,B"}),
        ("options", {"label": "L", "kind": "choice", "options": ["A", "A"]}),
        ("required", {"label": "L", "kind": "text", "required": "yes"}),
    ]
    for field, body in bad:
        expect_fields(W.admin.post("/api/v1/events/%s/questions" % slug, body), field,
                      "create question %s" % json.dumps(body))
    q = made["choice"]
    r = W.admin.patch("/api/v1/events/%s/questions/%d" % (slug, q["id"]),
                      {"label": "Pick one", "options": ["A", "B", "C"], "required": False})
    expect_status(r, 200, "patch question")
    check(r.json.get("label") == "Pick one" and r.json.get("options") == ["A", "B", "C"] and
          r.json.get("required") is False, "patched question: %r" % r)
    r = W.admin.get("/api/v1/events/%s/questions" % slug)
    expect_status(r, 200, "list questions")
    check(len(r.json.get("questions", [])) == 6, "six questions: %r" % r)
    expect_status(W.admin.delete("/api/v1/events/%s/questions/%d" % (slug, q["id"])), 204,
                  "delete question")
    r = W.admin.get("/api/v1/events/%s/questions" % slug)
    check(q["id"] not in [x.get("id") for x in r.json.get("questions", [])],
          "deleted question gone: %r" % r)


def test_programme_ics():
    import icalendar
    # Across the end of summer time (Ljubljana, 31 Oct 2027 03:00 -> 02:00).
    ev = W.event(starts_at="2027-10-30T09:00:00+02:00", ends_at="2027-10-31T18:00:00+01:00",
                 name="Jesenska konferenca", venue="Ljubljana")
    slug = ev["slug"]
    sp = W.speaker(slug, name="Nataša Čater")
    sessions = [
        ("Opening; welcome, and news", "2027-10-30T10:00:00+02:00", "2027-10-30T10:45:00+02:00",
         datetime.datetime(2027, 10, 30, 8, 0, tzinfo=datetime.timezone.utc),
         datetime.datetime(2027, 10, 30, 8, 45, tzinfo=datetime.timezone.utc)),
        ("Šumniki: č, ž, š", "2027-10-31T10:00:00+01:00", "2027-10-31T11:30:00+01:00",
         datetime.datetime(2027, 10, 31, 9, 0, tzinfo=datetime.timezone.utc),
         datetime.datetime(2027, 10, 31, 10, 30, tzinfo=datetime.timezone.utc)),
        ("Given in UTC", "2027-10-30T13:00:00Z", "2027-10-30T14:00:00Z",
         datetime.datetime(2027, 10, 30, 13, 0, tzinfo=datetime.timezone.utc),
         datetime.datetime(2027, 10, 30, 14, 0, tzinfo=datetime.timezone.utc)),
    ]
    ids = {}
    for title, st, en, _, _ in sessions:
        s = W.session(slug, title=title, starts_at=st, ends_at=en, room="Dvorana 1",
                      speaker_ids=[sp["id"]])
        ids[title] = s["id"]
    gone = W.session(slug, title="Cancelled talk", starts_at="2027-10-30T15:00:00+02:00",
                     ends_at="2027-10-30T16:00:00+02:00")
    expect_status(W.admin.delete("/api/v1/events/%s/sessions/%d" % (slug, gone["id"])), 204,
                  "delete session")
    # Another event's sessions must not leak in.
    other = W.event()
    W.session(other["slug"], title="Other event's talk")

    r = W.anon().get("/api/v1/events/%s/programme.ics" % slug)
    expect_status(r, 200, "programme.ics")
    ctype = r.header("Content-Type", "")
    check(ctype.split(";")[0].strip() == "text/calendar", "Content-Type: %r" % ctype)
    check(b"\r\n" in r.raw, "iCalendar lines must end in CRLF")
    for line in r.raw.split(b"\r\n"):
        check(len(line) <= 75, "line longer than 75 octets: %r" % line)
    cal = icalendar.Calendar.from_ical(r.raw)
    check(str(cal.get("VERSION")) == "2.0", "VERSION: %r" % cal.get("VERSION"))
    events = [c for c in cal.walk("VEVENT")]
    by_summary = {}
    for e in events:
        check(e.get("UID") and e.get("DTSTART") is not None and e.get("DTSTAMP") is not None,
              "VEVENT without UID/DTSTART/DTSTAMP: %r" % e)
        by_summary[str(e.get("SUMMARY"))] = e
    uids = [str(e.get("UID")) for e in events]
    check(len(uids) == len(set(uids)), "UIDs are not unique: %r" % uids)
    for title, _, _, ust, uen in sessions:
        check(title in by_summary, "session %r missing from the calendar; summaries: %r"
              % (title, sorted(by_summary)))
        e = by_summary[title]
        st = e.decoded("DTSTART")
        en = e.decoded("DTEND")
        check(isinstance(st, datetime.datetime) and st.tzinfo is not None,
              "%s: DTSTART must be a date-time with zone: %r" % (title, st))
        check(st == ust, "%s: DTSTART %s, want %s (UTC)" % (title, st, ust))
        check(en == uen, "%s: DTEND %s, want %s (UTC)" % (title, en, uen))
        check(st.utcoffset() == datetime.timedelta(0), "%s: times should be in UTC: %r"
              % (title, st))
        loc = str(e.get("LOCATION") or "")
        check("Dvorana 1" in loc, "%s: LOCATION has the room: %r" % (title, loc))
        desc = str(e.get("DESCRIPTION") or "")
        check("Nataša Čater" in desc, "%s: DESCRIPTION names the speaker: %r" % (title, desc))
    check("Cancelled talk" not in by_summary, "a deleted session is still in the calendar")
    check("Other event's talk" not in by_summary, "another event's session is in the calendar")
    # Draft: 404 to the public.
    draft = W.event(publish=False)
    expect_error(W.anon().get("/api/v1/events/%s/programme.ics" % draft["slug"]), 404, None,
                 "programme.ics of a draft")


# --------------------------------------------------------------------------
# The public event document comes from the server's document cache: every
# change through the API shows at once, seats taken within about a second,
# and staff always get theirs fresh.

def page_event(capacity=100):
    """A published event with two sessions, two speakers, two ticket types and a question."""
    ev = W.event(capacity=capacity)
    slug = ev["slug"]
    sp1 = W.speaker(slug, name="Ana Kovač", email="ana.kovac@example.test", organisation="IJS")
    sp2 = W.speaker(slug, name="Bor Zupan", email="bor.zupan@example.test")
    s1 = W.session(slug, title="Opening", kind="keynote", speaker_ids=[sp1["id"]])
    s2 = W.session(slug, title="Workshop A", kind="workshop", capacity=10,
                   requires_signup=True, speaker_ids=[sp2["id"]])
    t1 = W.ttype(slug, name="Regular", quota=40)
    t2 = W.ttype(slug, name="Student", quota=10)
    q = W.question(slug, label="Diet", kind="choice", options=["Any", "Vegetarian"])
    return {"ev": ev, "slug": slug, "sp": [sp1, sp2], "s": [s1, s2], "tt": [t1, t2], "q": q}


def by_id(items, item_id):
    found = [x for x in items if x.get("id") == item_id]
    return found[0] if found else None


def test_public_document_shows_every_change_at_once():
    p = page_event()
    slug = p["slug"]
    sp1, sp2 = p["sp"]
    s1, s2 = p["s"]
    t1, _ = p["tt"]

    def after(what, path, body, method="PATCH", status=200):
        """Warm the cache, change through the API, read the public document once."""
        public_doc(slug, what="before " + what)
        r = W.admin.request(method, path, json_body=body, csrf=True)
        expect_status(r, status, what)
        r = W.anon().get("/api/v1/events/" + slug)
        expect_status(r, 200, "public GET after " + what)
        return r.json

    o = after("PATCH name", "/api/v1/events/" + slug, {"name": "Renamed at once",
                                                        "venue": "Dvorana B"})
    check(o.get("name") == "Renamed at once" and o.get("venue") == "Dvorana B",
          "the next public GET after a PATCH still has the old event: %r" % o)

    o = after("new session", "/api/v1/events/%s/sessions" % slug,
              {"title": "Late addition", "kind": "talk", "speaker_ids": [sp1["id"]],
               "starts_at": "2027-05-14T15:00:00+02:00", "ends_at": "2027-05-14T16:00:00+02:00"},
              method="POST", status=201)
    check("Late addition" in [x.get("title") for x in o["sessions"]],
          "a new session is missing from the next public GET: %r" % o["sessions"])

    o = after("session edit", "/api/v1/events/%s/sessions/%d" % (slug, s1["id"]),
              {"title": "Opening keynote", "room": "Hall 1"})
    got = by_id(o["sessions"], s1["id"])
    check(got and got.get("title") == "Opening keynote" and got.get("room") == "Hall 1",
          "an edited session is stale in the next public GET: %r" % got)

    o = after("ticket type edit", "/api/v1/events/%s/ticket-types/%d" % (slug, t1["id"]),
              {"name": "Regular (late)", "quota": 35})
    got = by_id(o["ticket_types"], t1["id"])
    check(got and got.get("name") == "Regular (late)" and got.get("quota") == 35 and
          got.get("available") == 35,
          "an edited ticket type is stale in the next public GET: %r" % got)

    o = after("new ticket type", "/api/v1/events/%s/ticket-types" % slug,
              {"name": "Speaker pass", "quota": 5}, method="POST", status=201)
    check("Speaker pass" in [x.get("name") for x in o["ticket_types"]],
          "a new ticket type is missing from the next public GET: %r" % o["ticket_types"])

    o = after("speaker edit", "/api/v1/events/%s/speakers/%d" % (slug, sp1["id"]),
              {"organisation": "Univerza v Ljubljani", "bio": "Now with a bio."})
    got = by_id(o["speakers"], sp1["id"])
    check(got and got.get("organisation") == "Univerza v Ljubljani" and
          got.get("bio") == "Now with a bio.",
          "an edited speaker is stale in the next public GET: %r" % got)
    check(not got.get("email"), "the public sees a speaker's email after an edit: %r" % got)

    o = after("new speaker", "/api/v1/events/%s/speakers" % slug, {"name": "Cene Novak"},
              method="POST", status=201)
    check("Cene Novak" in [x.get("name") for x in o["speakers"]],
          "a new speaker is missing from the next public GET: %r" % o["speakers"])

    o = after("question edit", "/api/v1/events/%s/questions/%d" % (slug, p["q"]["id"]),
              {"label": "Dietary needs"})
    got = by_id(o["questions"], p["q"]["id"])
    check(got and got.get("label") == "Dietary needs",
          "an edited question is stale in the next public GET: %r" % got)

    o = after("session delete", "/api/v1/events/%s/sessions/%d" % (slug, s2["id"]), None,
              method="DELETE", status=204)
    check(by_id(o["sessions"], s2["id"]) is None,
          "a deleted session is still in the next public GET: %r" % o["sessions"])

    o = after("speaker delete", "/api/v1/events/%s/speakers/%d" % (slug, sp2["id"]), None,
              method="DELETE", status=204)
    check(by_id(o["speakers"], sp2["id"]) is None,
          "a deleted speaker is still in the next public GET: %r" % o["speakers"])

    o = after("close", "/api/v1/events/%s/close" % slug, None, method="POST")
    check(o.get("status") == "closed", "a closed event is still open in the next public GET: %r"
          % o.get("status"))


def test_public_document_availability_follows_registrations():
    p = page_event(capacity=30)
    slug = p["slug"]
    t1, t2 = p["tt"]
    s2 = p["s"][1]
    o = public_doc(slug).json
    check(by_id(o["ticket_types"], t2["id"]).get("available") == 10 and o.get("available") == 30,
          "availability before registrations: %r" % o)
    W.registered(slug, t2["id"], session_ids=[s2["id"]], answers={str(p["q"]["id"]): "Any"})
    W.registered(slug, t1["id"], answers={str(p["q"]["id"]): "Vegetarian"})

    def caught_up(doc):
        return (by_id(doc["ticket_types"], t2["id"]).get("available") == 9 and
                by_id(doc["ticket_types"], t1["id"]).get("sold") == 1 and
                by_id(doc["sessions"], s2["id"]).get("available") == 9 and
                doc.get("available") == 28)
    r = poll_public(slug, caught_up)
    check(caught_up(r.json), "availability did not follow two registrations within %gs: %r"
          % (STALE_DEADLINE, r.json))
    # A refused registration changes nothing, and the document says so.
    W.admin.patch("/api/v1/events/%s/ticket-types/%d" % (slug, t2["id"]), {"quota": 1})
    r = W.register(slug, t2["id"], answers={str(p["q"]["id"]): "Any"})
    expect_error(r, 409, "sold_out", "register for a sold-out ticket type")
    got = by_id(W.anon().get("/api/v1/events/" + slug).json["ticket_types"], t2["id"])
    check(got.get("available") == 0, "sold out after the quota edit: %r" % got)


def test_public_document_fresh_on_request_and_after_other_instances():
    # What changes without this instance knowing (here: straight in
    # MariaDB, as another instance would) shows within the second; a
    # request with Cache-Control: no-cache gets a document built after it.
    p = page_event()
    slug = p["slug"]
    db = W.srv.db
    public_doc(slug)
    db.sql("UPDATE events SET name = 'Changed elsewhere' WHERE id = %d" % p["ev"]["id"],
           db=W.srv.db_name)
    r = W.anon().get("/api/v1/events/" + slug, headers={"Cache-Control": "no-cache"})
    expect_status(r, 200, "public GET with Cache-Control: no-cache")
    check(r.json.get("name") == "Changed elsewhere",
          "Cache-Control: no-cache gave an old document: %r" % r.json.get("name"))
    db.sql("UPDATE events SET name = 'Changed again' WHERE id = %d" % p["ev"]["id"],
           db=W.srv.db_name)
    r = poll_public(slug, lambda o: o.get("name") == "Changed again")
    check(r.json.get("name") == "Changed again",
          "a change made elsewhere did not show within %gs: %r" % (STALE_DEADLINE, r.json.get("name")))


def test_public_document_etag_and_event_thread():
    p = page_event()
    slug = p["slug"]
    anon = W.anon()
    r = public_doc(slug, client=anon)
    etag = r.header("ETag")
    check(etag and etag.startswith('"') and etag.endswith('"'),
          "the public document has no strong ETag: %r" % etag)
    check(r.header("Cache-Control") == "no-cache",
          "public document Cache-Control: want no-cache, got %r" % r.header("Cache-Control"))
    # The ETag is a hash of the body: a rebuild with nothing changed keeps it.
    r2 = anon.get("/api/v1/events/" + slug, headers={"If-None-Match": etag})
    expect_status(r2, 304, "conditional GET with the current ETag")
    check(r2.raw == b"" and r2.header("ETag") == etag, "304 with a body or another ETag: %r" % r2)
    # A cached document is answered on the event thread, from memory.
    W.srv.wait_log(r"GET /api/v1/events/%s 200 [0-9.]+ms lane$" % slug, count=1)
    lane = [line for line in W.srv.log().splitlines()
            if "GET /api/v1/events/%s 200" % slug in line and line.endswith(" lane")]
    check(lane, "no public GET of %s was answered from memory on the event thread" % slug)
    # A change: another ETag at once, and the old one no longer matches.
    expect_status(W.admin.patch("/api/v1/events/" + slug, {"description": "New text"}), 200,
                  "patch description")
    r3 = anon.get("/api/v1/events/" + slug, headers={"If-None-Match": etag})
    expect_status(r3, 200, "conditional GET after a change")
    check(r3.header("ETag") != etag and r3.json.get("description") == "New text",
          "after a change: want a new ETag and the new text, got %r" % r3)


def test_staff_document_is_never_the_cached_one():
    p = page_event()
    slug = p["slug"]
    sp1 = p["sp"][0]
    org_user, org = W.new_user("organiser")
    W.add_member(slug, org_user["id"])
    for _ in range(2):
        o = public_doc(slug).json
        spk = by_id(o["speakers"], sp1["id"])
        check(spk and not spk.get("email"), "the public sees a speaker's email: %r" % spk)
        for who, c in (("admin", W.admin), ("member organiser", org)):
            r = c.get("/api/v1/events/" + slug)
            expect_status(r, 200, "%s GET" % who)
            spk = by_id(r.json["speakers"], sp1["id"])
            check(spk and spk.get("email") == "ana.kovac@example.test",
                  "%s does not see the speaker's email (a cached public document?): %r" % (who, spk))
            check(r.header("Cache-Control") == "no-store" and r.header("ETag") is None,
                  "a staff document must not be cached anywhere: %r %r"
                  % (r.header("Cache-Control"), r.header("ETag")))
        # A non-member organiser is the public.
        other_user, other = W.new_user("organiser")
        r = other.get("/api/v1/events/" + slug)
        expect_status(r, 200, "non-member organiser GET")
        check("ana.kovac@example.test" not in r.raw.decode("utf-8"),
              "a non-member organiser sees a speaker's email")
    # A registration shows to staff at once (theirs is never cached).
    W.registered(slug, p["tt"][1]["id"], answers={str(p["q"]["id"]): "Any"})
    r = W.admin.get("/api/v1/events/" + slug)
    check(by_id(r.json["ticket_types"], p["tt"][1]["id"]).get("available") == 9,
          "staff see availability at once: %r" % r.json["ticket_types"])


def test_draft_document_stays_hidden_until_published():
    ev = W.event(publish=False)
    slug = ev["slug"]
    W.session(slug, title="Secret plan")
    anon = W.anon()
    for _ in range(2):
        expect_error(anon.get("/api/v1/events/" + slug), 404, None, "public GET of a draft")
        r = W.admin.get("/api/v1/events/" + slug)
        expect_status(r, 200, "staff GET of a draft")
        check([x.get("title") for x in r.json["sessions"]] == ["Secret plan"],
              "staff see the draft's programme: %r" % r.json)
    expect_status(W.admin.post("/api/v1/events/%s/publish" % slug), 200, "publish")
    r = anon.get("/api/v1/events/" + slug)
    expect_status(r, 200, "the next public GET after publishing")
    check([x.get("title") for x in r.json["sessions"]] == ["Secret plan"],
          "the published programme: %r" % r.json)
