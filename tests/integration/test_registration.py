"""
Registration (issue 3): the public form and its validation, tickets and
their QR images, the attendee's manage link, capacity under concurrency
(no overselling; the waiting list and its promotion), approval and
payment, session sign-up limits, names in any script, and the organisers'
list.

One server for the module; every test makes events of its own.
"""

import re
import struct
import urllib.parse

from harness import check, expect_error, expect_status
from util_events import (World, alter_char, expect_fields, fields_of, parallel,
                         uniq_email, url_path, zbar_decode)

W = None
CODE_RE = re.compile(r"^[A-Z2-7]+$")


def setup_module():
    global W
    W = World("registration")


def teardown_module():
    if W is not None:
        W.stop()


def png_size(png):
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: %r" % png[:16])
    return struct.unpack(">II", png[16:24])


def statuses(results):
    out = {}
    for r in results:
        key = (r.status, (r.json or {}).get("status") if r.status == 201 else r.error_code)
        out[key] = out.get(key, 0) + 1
    return out


def list_all(slug, **query):
    body = W.reg_list(slug, per_page=500, **query)
    regs = body.get("registrations")
    check(isinstance(regs, list), "registrations list: %r" % body)
    return body.get("total"), regs


# --------------------------------------------------------------------------

def test_register_gives_ticket_and_manage_link():
    ev, tt = W.simple_event(capacity=10)
    slug = ev["slug"]
    email = uniq_email("ana")
    r = W.register(slug, tt["id"], name="Ana Novak", email=email, organisation="Acme")
    expect_status(r, 201, "register")
    o = r.json
    check(isinstance(o.get("id"), int) and o.get("status") == "confirmed", "registration: %r" % o)
    t = o.get("ticket")
    check(isinstance(t, dict) and isinstance(t.get("code"), str), "ticket: %r" % o)
    code = t["code"]
    check(CODE_RE.match(code) and len(code) >= 20, "ticket code looks wrong: %r" % code)
    check(url_path(t.get("qr_png_url", "")) == "/t/%s.png" % code, "qr_png_url: %r" % t)
    check(url_path(t.get("qr_svg_url", "")) == "/t/%s.svg" % code, "qr_svg_url: %r" % t)
    mpath = url_path(o.get("manage_url", ""))
    check(re.match(r"^/manage/[^/]{20,}$", mpath), "manage_url: %r" % o.get("manage_url"))

    # The manage link shows the registration, its ticket and the event.
    r = W.manage(o)
    expect_status(r, 200, "manage GET")
    m = r.json
    check(m.get("id") == o["id"] and m.get("status") == "confirmed" and
          m.get("name") == "Ana Novak" and m.get("email") == email and
          m.get("organisation") == "Acme", "manage view: %r" % m)
    check((m.get("ticket") or {}).get("code") == code, "manage view ticket: %r" % m)
    check((m.get("event") or {}).get("slug") == slug, "manage view event: %r" % m)
    # The organiser sees the same.
    g = W.reg(slug, o["id"])
    check(g.get("status") == "confirmed" and g.get("email") == email and
          (g.get("ticket") or {}).get("code") == code, "organiser view: %r" % g)
    # The seat is counted.
    s = W.stats(slug)
    check((s.get("capacity"), s.get("confirmed"), s.get("registered")) == (10, 1, 1),
          "stats after one registration: %r" % s)
    r = W.anon().get("/api/v1/events/" + slug)
    check(r.json["ticket_types"][0].get("available") == 9,
          "ticket type available after one of 10 seats: %r" % r.json["ticket_types"])
    # A wrong manage token is 404, an altered one too.
    tok = mpath.rsplit("/", 1)[1]
    expect_error(W.anon().get("/manage/" + "A" * len(tok)), 404, None, "forged manage token")
    expect_error(W.anon().get("/manage/" + tok[:-1] + ("A" if tok[-1] != "A" else "B")), 404,
                 None, "altered manage token")
    expect_error(W.anon().get("/manage/x"), 404, None, "short manage token")


def test_links_point_at_this_server():
    # manage_url and the QR URLs are absolute links an attendee can follow:
    # they must name the address the server really listens on.
    ev, tt = W.simple_event()
    r = W.register(ev["slug"], tt["id"])
    expect_status(r, 201, "register")
    base = W.srv.url
    for k, url in (("manage_url", r.json.get("manage_url")),
                   ("ticket.qr_png_url", r.json["ticket"].get("qr_png_url")),
                   ("ticket.qr_svg_url", r.json["ticket"].get("qr_svg_url"))):
        check(isinstance(url, str) and url.startswith(base + "/"),
              "%s %r does not point at the server (%s)" % (k, url, base))


def test_qr_png_and_svg():
    ev, tt = W.simple_event()
    reg = W.registered(ev["slug"], tt["id"])
    code = reg["ticket"]["code"]
    r = W.anon().get(url_path(reg["ticket"]["qr_png_url"]))
    expect_status(r, 200, "QR png")
    check(r.header("Content-Type", "").startswith("image/png"), "png Content-Type: %r" % r)
    png_size(r.raw)
    check(zbar_decode(r.raw) == [code], "zbarimg decodes %r, want exactly [%r]"
          % (zbar_decode(r.raw), code))
    small = W.anon().get("/t/%s.png?size=150" % code)
    large = W.anon().get("/t/%s.png?size=1200" % code)
    expect_status(small, 200, "QR png size=150")
    expect_status(large, 200, "QR png size=1200")
    ws, _ = png_size(small.raw)
    wl, _ = png_size(large.raw)
    check(ws < wl, "size=150 gives %d px, size=1200 gives %d px" % (ws, wl))
    check(wl <= 1200 * 1.1 and ws >= 60, "sizes out of range: %d, %d" % (ws, wl))
    for img in (small.raw, large.raw):
        check(zbar_decode(img) == [code], "resized QR does not decode to the code")
    r = W.anon().get(url_path(reg["ticket"]["qr_svg_url"]))
    expect_status(r, 200, "QR svg")
    check(r.header("Content-Type", "").startswith("image/svg+xml"), "svg Content-Type: %r" % r)
    check(b"<svg" in r.raw and b"</svg>" in r.raw, "not an SVG: %r" % r.raw[:200])
    # An altered code has no image.
    bad = alter_char(code, len(code) // 2)
    r = W.anon().get("/t/%s.png" % bad)
    check(r.status == 404, "QR of an altered code: want 404, got %r" % r)
    r = W.anon().get("/t/NOTACODE.svg")
    check(r.status == 404, "QR of garbage: want 404, got %r" % r)


def test_already_registered_case_insensitive():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    email = uniq_email("Case")
    W.registered(slug, tt["id"], email=email)
    for variant in (email, email.upper(), email.capitalize(), email.swapcase()):
        r = W.register(slug, tt["id"], email=variant, name="Someone Else")
        expect_error(r, 409, "already_registered", "same email as %r" % variant)
    total, _ = list_all(slug)
    check(total == 1, "one registration after duplicates, got %r" % total)
    # Another event takes the same address.
    ev2, tt2 = W.simple_event()
    W.registered(ev2["slug"], tt2["id"], email=email)


def test_registration_validation_each_field():
    ev = W.event(capacity=100)
    slug = ev["slug"]
    tt = W.ttype(slug, sessions=[])
    ws = W.session(slug, title="Workshop", kind="workshop", capacity=10)
    wt = W.ttype(slug, name="With workshop", sessions=[ws["id"]])
    old = W.ttype(slug, name="Expired", sale_starts_at="2020-01-01T00:00:00Z",
                  sale_ends_at="2020-02-01T00:00:00Z")
    future = W.ttype(slug, name="Later", sale_starts_at="2027-04-01T00:00:00Z")
    qt = W.question(slug, label="Diet", kind="text", required=True)
    qc = W.question(slug, label="Size", kind="choice", options=["S", "M", "L"], required=True)
    qm = W.question(slug, label="Topics", kind="multichoice", options=["C", "Go", "Rust"])
    qb = W.question(slug, label="I accept the code of conduct", kind="checkbox", required=True)
    qk = W.question(slug, label="Country", kind="country")
    other_ev = W.event()
    other_tt = W.ttype(other_ev["slug"])
    other_s = W.session(other_ev["slug"], title="Elsewhere", kind="workshop")

    def a(**over):
        ans = {str(qt["id"]): "vegetarian", str(qc["id"]): "M", str(qm["id"]): ["C", "Rust"],
               str(qb["id"]): True, str(qk["id"]): "SI"}
        for k, v in over.items():
            qid = {"qt": qt, "qc": qc, "qm": qm, "qb": qb, "qk": qk}[k]["id"]
            if v is KeyError:
                ans.pop(str(qid))
            else:
                ans[str(qid)] = v
        return ans

    def body(**over):
        b = {"ticket_type_id": tt["id"], "name": "Valid Name", "email": uniq_email("v"),
             "organisation": "Org", "answers": a(), "session_ids": [], "consent": True}
        for k, v in over.items():
            if v is KeyError:
                b.pop(k)
            else:
                b[k] = v
        return b

    aq = lambda q: "answers.%d" % q["id"]  # noqa: E731
    cases = [
        ("email", body(email=KeyError), None),
        ("email", body(email=""), None),
        ("email", body(email="no-at-sign"), None),
        ("email", body(email="two@@example.test"), None),
        ("email", body(email="a@b@c"), None),
        ("email", body(email="space in@example.test"), None),
        ("name", body(name=KeyError), None),
        ("name", body(name=""), None),
        ("name", body(name="   "), None),
        ("name", body(name="x" * 201), None),
        ("name", body(name=["Ana"]), None),
        ("organisation", body(organisation=5), None),
        ("consent", body(consent=False), None),
        ("consent", body(consent=KeyError), None),
        ("consent", body(consent="yes"), None),
        (aq(qt), body(answers=a(qt=KeyError)), "required"),
        (aq(qt), body(answers=a(qt="  ")), "required"),
        (aq(qc), body(answers=a(qc="XXL")), None),
        (aq(qc), body(answers=a(qc=KeyError)), "required"),
        (aq(qm), body(answers=a(qm=["C", "Cobol"])), None),
        (aq(qm), body(answers=a(qm="C")), None),
        (aq(qb), body(answers=a(qb=False)), None),
        (aq(qb), body(answers=a(qb="true")), None),
        (aq(qk), body(answers=a(qk="XX")), None),
        (aq(qk), body(answers=a(qk="Slovenia")), None),
        ("answers.999999", body(answers=dict(a(), **{"999999": "?"})), None),
        ("session_ids", body(ticket_type_id=wt["id"], session_ids=[999999]), "unknown_session"),
        ("session_ids", body(ticket_type_id=wt["id"], session_ids=[other_s["id"]]),
         "unknown_session"),
        ("session_ids", body(session_ids=[ws["id"]]), "not_included"),
        ("session_ids", body(session_ids="all"), None),
        ("ticket_type_id", body(ticket_type_id=KeyError), None),
        ("ticket_type_id", body(ticket_type_id=999999), None),
        ("ticket_type_id", body(ticket_type_id=other_tt["id"]), None),
        ("ticket_type_id", body(ticket_type_id="1"), None),
        ("ticket_type_id", body(ticket_type_id=old["id"]), None),
        ("ticket_type_id", body(ticket_type_id=future["id"]), None),
    ]
    anon = W.anon()
    failures = []
    for field, b, code in cases:
        what = "register with bad %s (%s)" % (field, str({k: b.get(k) for k in b if k != "answers"})[:120])
        r = anon.post("/api/v1/events/%s/registrations" % slug, b, csrf=None)
        try:
            f = expect_fields(r, field, what)
            if code is not None:
                check(f[field] == code, "%s: fields.%s want %r, got %r" % (what, field, code, f[field]))
        except AssertionError as e:
            failures.append(str(e))
    check(not failures, "%d of %d cases failed:\n  " % (len(failures), len(cases)) +
          "\n  ".join(failures))
    # The valid body goes through; nothing before it was stored.
    total, _ = list_all(slug)
    check(total == 0, "failed registrations stored something: total %r" % total)
    r = anon.post("/api/v1/events/%s/registrations" % slug,
                  body(ticket_type_id=wt["id"], session_ids=[ws["id"]]), csrf=None)
    expect_status(r, 201, "the valid registration")
    reg = W.reg(slug, r.json["id"])
    check(reg.get("answers", {}).get(str(qm["id"])) == ["C", "Rust"] and
          reg["answers"].get(str(qb["id"])) is True and reg["answers"].get(str(qk["id"])) == "SI",
          "answers stored: %r" % reg.get("answers"))
    check(reg.get("session_ids") == [ws["id"]], "session sign-up stored: %r" % reg)
    # Several wrong fields at once are all reported.
    r = anon.post("/api/v1/events/%s/registrations" % slug,
                  body(email="bad", name="", consent=False), csrf=None)
    expect_fields(r, ["email", "name", "consent"], "three bad fields")


def test_nul_characters_are_refused():
    # JSON may carry U+0000; the server must refuse it (as it refuses other
    # control characters), not store a silently truncated value.
    ev, tt = W.simple_event()
    slug = ev["slug"]
    q = W.question(slug, label="Note", kind="text")
    expect_fields(W.register(slug, tt["id"], name="Ana\nNovak"), "name",
                  "name with a newline")
    failures = []
    for field, kw in (("name", {"name": "Ana\u0000Novak"}),
                      ("organisation", {"organisation": "Acme\u0000Evil"}),
                      ("answers.%d" % q["id"], {"answers": {str(q["id"]): "veg\u0000an"}})):
        r = W.register(slug, tt["id"], **kw)
        if r.status == 201:
            stored = W.reg(slug, r.json["id"])
            failures.append("%s with U+0000 accepted (201); stored as name=%r organisation=%r "
                            "answers=%r" % (field, stored.get("name"), stored.get("organisation"),
                                            stored.get("answers")))
        elif r.status != 422 or field not in fields_of(r):
            failures.append("%s with U+0000: want 422 naming %s, got %r" % (field, field, r))
    r = W.admin.post("/api/v1/events", {"slug": "nul-" + uniq_email()[:8], "name": "Ev\u0000il",
                                        "timezone": "Europe/Ljubljana",
                                        "starts_at": "2027-05-14T09:00:00+02:00",
                                        "ends_at": "2027-05-14T18:00:00+02:00"})
    if r.status != 422 or "name" not in fields_of(r):
        failures.append("event name with U+0000: want 422 naming name, got %r" % r)
    check(not failures, "\n  ".join(failures))


def test_registration_window():
    ev_future = W.event(registration_opens_at="2027-04-01T00:00:00+02:00")
    tt = W.ttype(ev_future["slug"])
    expect_error(W.register(ev_future["slug"], tt["id"]), 403, "registration_closed",
                 "before registration opens")
    ev_past = W.event(registration_opens_at="2020-01-01T00:00:00Z",
                      registration_closes_at="2020-06-01T00:00:00Z")
    tt = W.ttype(ev_past["slug"])
    expect_error(W.register(ev_past["slug"], tt["id"]), 403, "registration_closed",
                 "after registration closed")
    # Open window: fine; moving the closing time into the past closes it.
    ev = W.event(registration_opens_at="2020-01-01T00:00:00Z")
    tt = W.ttype(ev["slug"])
    W.registered(ev["slug"], tt["id"])
    r = W.admin.patch("/api/v1/events/" + ev["slug"],
                      {"registration_closes_at": "2021-01-01T00:00:00Z"})
    expect_status(r, 200, "close the window by PATCH")
    expect_error(W.register(ev["slug"], tt["id"]), 403, "registration_closed",
                 "after the window was moved")


def test_parallel_registrations_with_waitlist():
    ev, tt = W.simple_event(capacity=50, waitlist=True)
    slug = ev["slug"]
    results = parallel(200, lambda i: W.register(slug, tt["id"], name="Parallel %03d" % i,
                                                 email="wl%03d-%s" % (i, uniq_email())))
    counts = statuses(results)
    check(counts == {(201, "confirmed"): 50, (201, "waitlisted"): 150},
          "200 registrations on 50 seats with a waiting list: want 50 confirmed and 150 "
          "waitlisted, got %r" % counts)
    for r in results:
        if r.json["status"] == "confirmed":
            check(isinstance(r.json.get("ticket"), dict) and r.json["ticket"].get("code"),
                  "a confirmed registration has a ticket: %r" % r)
        else:
            check(r.json.get("ticket") is None, "a waitlisted registration has no ticket: %r" % r)
        check(r.json.get("manage_url"), "every registration has a manage link: %r" % r)
    codes = [r.json["ticket"]["code"] for r in results if r.json.get("ticket")]
    check(len(set(codes)) == 50, "ticket codes are not unique")
    # The list agrees.
    total, regs = list_all(slug)
    check(total == 200 and len(regs) == 200, "list total %r, %d rows, want 200" % (total, len(regs)))
    check(len({x["id"] for x in regs}) == 200, "list has duplicate ids")
    total_c, regs_c = list_all(slug, status="confirmed")
    total_w, regs_w = list_all(slug, status="waitlisted")
    check(total_c == 50 and len(regs_c) == 50, "confirmed in the list: %r" % total_c)
    check(total_w == 150 and len(regs_w) == 150, "waitlisted in the list: %r" % total_w)
    check(all(x.get("status") == "confirmed" for x in regs_c), "status filter leaks")
    mine = {r.json["id"]: r.json["status"] for r in results}
    check(all(mine[x["id"]] == x["status"] for x in regs), "list statuses differ from the answers")
    # Stats and the public view agree.
    s = W.stats(slug)
    for k, v in (("capacity", 50), ("confirmed", 50), ("waitlisted", 150), ("registered", 200),
                 ("cancelled", 0), ("checked_in", 0)):
        check(s.get(k) == v, "stats %s: want %r, got %r (%r)" % (k, v, s.get(k), s))
    bt = {x.get("ticket_type_id"): x for x in s.get("by_ticket_type", [])}
    check(bt.get(tt["id"], {}).get("confirmed") == 50 and bt[tt["id"]].get("waitlisted") == 150,
          "by_ticket_type: %r" % s.get("by_ticket_type"))
    r = W.anon().get("/api/v1/events/" + slug)
    check(r.json.get("available") == 0, "event available after selling out: %r" % r.json)
    check(r.json["ticket_types"][0].get("available") == 0,
          "ticket type available after selling out: %r" % r.json["ticket_types"])


def test_parallel_registrations_sold_out():
    ev, tt = W.simple_event(capacity=50, waitlist=False)
    slug = ev["slug"]
    results = parallel(200, lambda i: W.register(slug, tt["id"], name="Rush %03d" % i,
                                                 email="so%03d-%s" % (i, uniq_email())))
    counts = statuses(results)
    check(counts == {(201, "confirmed"): 50, (409, "sold_out"): 150},
          "200 registrations on 50 seats without a waiting list: want 50 confirmed and "
          "150 x 409 sold_out, got %r" % counts)
    total, regs = list_all(slug)
    check(total == 50 and len(regs) == 50, "list total %r, want 50" % total)
    check(all(x["status"] == "confirmed" for x in regs), "non-confirmed rows in the list")
    ok_ids = {r.json["id"] for r in results if r.status == 201}
    check({x["id"] for x in regs} == ok_ids, "the list is not the 50 who got 201")
    s = W.stats(slug)
    for k, v in (("confirmed", 50), ("waitlisted", 0), ("registered", 50), ("pending", 0)):
        check(s.get(k) == v, "stats %s: want %r, got %r" % (k, v, s))


def test_parallel_ticket_type_quota():
    # The ticket type's quota holds under concurrency too (the event has no cap).
    ev = W.event(capacity=None, waitlist=False)
    slug = ev["slug"]
    small = W.ttype(slug, name="Student", quota=5)
    results = parallel(30, lambda i: W.register(slug, small["id"],
                                                email="q%02d-%s" % (i, uniq_email())))
    counts = statuses(results)
    check(counts == {(201, "confirmed"): 5, (409, "sold_out"): 25},
          "30 registrations on a quota of 5: got %r" % counts)
    big = W.ttype(slug, name="Regular")
    W.registered(slug, big["id"])


def test_waitlist_promotion_on_cancel():
    ev, tt = W.simple_event(capacity=2, waitlist=True)
    slug = ev["slug"]
    a = W.registered(slug, tt["id"], name="A")
    b = W.registered(slug, tt["id"], name="B")
    c = W.registered(slug, tt["id"], name="C", status="waitlisted")
    d = W.registered(slug, tt["id"], name="D", status="waitlisted")
    check(c.get("ticket") is None, "waitlisted C has no ticket: %r" % c)
    r = W.manage(c)
    check(r.json.get("status") == "waitlisted" and r.json.get("ticket") is None,
          "C's manage view while waitlisted: %r" % r)

    # A cancels through the manage link: C (the first waitlisted) moves up.
    r = W.manage(a, "DELETE")
    expect_status(r, 200, "A cancels via manage link")
    check(r.json.get("status") == "cancelled", "A's status after DELETE: %r" % r)
    r = W.manage(c)
    check(r.json.get("status") == "confirmed", "C promoted to confirmed: %r" % r)
    c_code = (r.json.get("ticket") or {}).get("code")
    check(c_code, "promoted C has a ticket: %r" % r)
    r = W.manage(d)
    check(r.json.get("status") == "waitlisted", "D still waitlisted: %r" % r)
    s = W.stats(slug)
    check((s["confirmed"], s["waitlisted"], s["cancelled"]) == (2, 1, 1),
          "stats after the promotion: %r" % s)
    # C's new ticket works at the door, A's does not.
    r = W.checkin(slug, code=c_code)
    expect_status(r, 200, "promoted C checks in")
    check(r.json.get("result") == "ok", "C check-in: %r" % r)
    r = W.checkin(slug, code=a["ticket"]["code"])
    check(r.status == 422 and r.json.get("result") == "cancelled", "A's ticket: %r" % r)
    # Cancelling again, or changing a cancelled registration, is refused.
    expect_error(W.manage(a, "DELETE"), 409, None, "second DELETE of A")
    r = W.manage(a, "PATCH", {"session_ids": []})
    check(r.status == 409, "PATCH a cancelled registration: want 409, got %r" % r)
    # The organiser cancels B: D moves up.
    r = W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, b["id"]))
    expect_status(r, 200, "organiser cancels B")
    r = W.manage(d)
    check(r.json.get("status") == "confirmed" and (r.json.get("ticket") or {}).get("code"),
          "D promoted after B's cancellation: %r" % r)
    # A waitlisted one leaving frees nothing: nobody is promoted over capacity.
    e = W.registered(slug, tt["id"], name="E", status="waitlisted")
    f = W.registered(slug, tt["id"], name="F", status="waitlisted")
    expect_status(W.manage(e, "DELETE"), 200, "waitlisted E cancels")
    check(W.manage(f).json.get("status") == "waitlisted", "F stays waitlisted")
    s = W.stats(slug)
    check((s["confirmed"], s["waitlisted"], s["cancelled"]) == (2, 1, 3),
          "final stats: %r" % s)


def test_approval_flow():
    ev = W.event(capacity=1, waitlist=False)
    slug = ev["slug"]
    tt = W.ttype(slug, name="Press", requires_approval=True)
    p1 = W.registered(slug, tt["id"], name="Reporter One", status="pending_approval")
    p2 = W.registered(slug, tt["id"], name="Reporter Two", status="pending_approval")
    p3 = W.registered(slug, tt["id"], name="Reporter Three", status="pending_approval")
    check(p1.get("ticket") is None, "pending approval has no ticket: %r" % p1)
    r = W.checkin(slug, registration_id=p1["id"])
    check(r.status == 422 and r.json.get("result") == "pending",
          "check-in while pending approval: %r" % r)
    s = W.stats(slug)
    check(s.get("pending") == 3 and s.get("confirmed") == 0, "stats with 3 pending: %r" % s)
    # Only organisers approve.
    expect_error(W.anon().post("/api/v1/events/%s/registrations/%d/approve" % (slug, p1["id"]),
                               csrf=None), 401, None, "anonymous approve")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (slug, p1["id"]))
    expect_status(r, 200, "approve")
    check(r.json.get("status") == "confirmed" and (r.json.get("ticket") or {}).get("code"),
          "approved registration: %r" % r)
    code = r.json["ticket"]["code"]
    check(W.manage(p1).json.get("ticket", {}).get("code") == code, "manage link shows the ticket")
    r = W.checkin(slug, code=code)
    check(r.status == 200 and r.json.get("result") == "ok", "approved ticket checks in: %r" % r)
    # Approving again, or approving beyond capacity, does not confirm.
    r = W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (slug, p1["id"]))
    expect_error(r, 409, None, "approve a confirmed registration")
    r = W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (slug, p2["id"]))
    check(r.status == 409, "approve with no seat left (no waiting list): want 409, got %r" % r)
    check(W.reg(slug, p2["id"]).get("status") == "pending_approval",
          "p2 stays pending after the refused approval")
    # Reject.
    r = W.admin.post("/api/v1/events/%s/registrations/%d/reject" % (slug, p3["id"]))
    expect_status(r, 200, "reject")
    check(r.json.get("status") == "rejected" and r.json.get("ticket") is None,
          "rejected registration: %r" % r)
    expect_error(W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (slug, p3["id"])),
                 409, None, "approve a rejected registration")
    expect_error(W.admin.post("/api/v1/events/%s/registrations/%d/reject" % (slug, p1["id"])),
                 409, None, "reject a confirmed registration")
    s = W.stats(slug)
    check(s.get("confirmed") == 1 and s.get("pending") == 1 and s.get("checked_in") == 1,
          "stats after approve/reject: %r" % s)
    # With a waiting list an approval beyond capacity waits.
    ev2 = W.event(capacity=1, waitlist=True)
    tt2 = W.ttype(ev2["slug"], requires_approval=True)
    q1 = W.registered(ev2["slug"], tt2["id"], status="pending_approval")
    q2 = W.registered(ev2["slug"], tt2["id"], status="pending_approval")
    for q, want in ((q1, "confirmed"), (q2, "waitlisted")):
        r = W.admin.post("/api/v1/events/%s/registrations/%d/approve" % (ev2["slug"], q["id"]))
        expect_status(r, 200, "approve on a waitlist event")
        check(r.json.get("status") == want, "approved: want %s, got %r" % (want, r))


def test_payment_flow():
    ev = W.event(capacity=1, waitlist=False)
    slug = ev["slug"]
    tt = W.ttype(slug, name="Paid", price_cents=2500, currency="EUR")
    p = W.registered(slug, tt["id"], status="pending_payment")
    check(p.get("ticket") is None, "pending payment has no ticket: %r" % p)
    r = W.checkin(slug, registration_id=p["id"])
    check(r.status == 422 and r.json.get("result") == "pending",
          "check-in while pending payment: %r" % r)
    check(W.stats(slug).get("pending") == 1, "stats pending 1")
    # Nothing is oversold while payments are outstanding.
    others = [W.register(slug, tt["id"]) for _ in range(3)]
    for r in others:
        check(r.status in (201, 409), "further registration: %r" % r)
    for r in [W.reg(slug, p["id"])] + [o.json for o in others if o.status == 201]:
        if r.get("status") == "pending_payment":
            W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid" % (slug, r["id"]))
    s = W.stats(slug)
    check(s.get("confirmed") <= 1, "capacity 1 but %r confirmed after payments" % s)
    r = W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid" % (slug, p["id"]))
    expect_error(r, 409, None, "mark-paid twice")
    g = W.reg(slug, p["id"])
    check(g.get("status") == "confirmed" and (g.get("ticket") or {}).get("code"),
          "paid registration is confirmed with a ticket: %r" % g)
    r = W.checkin(slug, code=g["ticket"]["code"])
    check(r.status == 200 and r.json.get("result") == "ok", "paid ticket checks in: %r" % r)
    # A free registration is not "paid".
    ev2, free = W.simple_event()
    f = W.registered(ev2["slug"], free["id"])
    expect_error(W.admin.post("/api/v1/events/%s/registrations/%d/mark-paid" % (ev2["slug"], f["id"])),
                 409, None, "mark-paid a free confirmed registration")


def test_session_capacity():
    ev = W.event(capacity=None)
    slug = ev["slug"]
    tt = W.ttype(slug)
    net = W.session(slug, title="Speed networking", kind="networking", capacity=2,
                    requires_signup=True, starts_at="2027-05-14T17:00:00+02:00",
                    ends_at="2027-05-14T18:00:00+02:00")
    results = [W.register(slug, tt["id"], name="N%d" % i, session_ids=[net["id"]])
               for i in range(5)]
    for i, r in enumerate(results[:2]):
        expect_status(r, 201, "registrant %d asks for the session" % (i + 1))
        check(r.json.get("status") == "confirmed", "registrant %d: %r" % (i + 1, r))
    for i, r in enumerate(results[2:], 3):
        f = expect_fields(r, "session_ids", "registrant %d asks for the full session" % i)
        check(f["session_ids"] == "session_full", "registrant %d: fields.session_ids want "
              "session_full, got %r" % (i, f))
    r = W.anon().get("/api/v1/events/%s/sessions/%d" % (slug, net["id"]))
    check(r.json.get("signed_up") == 2 and r.json.get("available") == 0,
          "the session after two sign-ups: %r" % r)
    total, _ = list_all(slug)
    check(total == 2, "the refused registrants were not stored: total %r" % total)
    # The 3rd registers without the session, then swaps in when a place frees.
    third = W.registered(slug, tt["id"], name="N2", session_ids=[])
    first = results[0].json
    r = W.manage(third, "PATCH", {"session_ids": [net["id"]]})
    f = expect_fields(r, "session_ids", "manage PATCH into a full session")
    check(f["session_ids"] == "session_full", "manage PATCH full: %r" % f)
    check(f.get("full_session_id") == net["id"], "manage PATCH names the full session: %r" % f)
    check("Accept" in (r.header("Vary") or ""), "the manage URL varies by Accept: %r" % r.header("Vary"))
    page = W.anon().get(url_path(third["manage_url"]), headers={"Accept": "text/html,*/*;q=0.8"})
    expect_status(page, 200, "the manage URL as a page")
    check(page.header("Content-Type", "").startswith("text/html") and
          page.header("Cache-Control") == "no-store", "ticket page is HTML, never cached: %r"
          % page.header("Cache-Control"))
    check(third["manage_url"].rsplit("/", 1)[1].encode() not in page.raw,
          "the page itself holds no secret")
    r = W.manage(first, "PATCH", {"session_ids": []})
    expect_status(r, 200, "first registrant drops the session")
    check(r.json.get("session_ids") == [], "first registrant's sessions: %r" % r)
    r = W.manage(third, "PATCH", {"session_ids": [net["id"]]})
    expect_status(r, 200, "third registrant takes the freed place")
    check(r.json.get("session_ids") == [net["id"]], "third registrant's sessions: %r" % r)
    s = W.stats(slug)
    bs = {x.get("session_id"): x for x in s.get("by_session", [])}
    check(bs.get(net["id"], {}).get("signed_up") == 2 and bs[net["id"]].get("capacity") == 2,
          "by_session: %r" % s.get("by_session"))
    # Cancelling frees the session place too.
    expect_status(W.manage(third, "DELETE"), 200, "third cancels")
    r = W.anon().get("/api/v1/events/%s/sessions/%d" % (slug, net["id"]))
    check(r.json.get("signed_up") == 1, "session place freed by cancellation: %r" % r)
    # Under concurrency the session cap holds as well.
    results = parallel(10, lambda i: W.register(slug, tt["id"], session_ids=[net["id"]],
                                                email="s%d-%s" % (i, uniq_email())))
    ok = [r for r in results if r.status == 201]
    full = [r for r in results if r.status == 422 and
            fields_of(r).get("session_ids") == "session_full"]
    check(len(ok) == 1 and len(full) == 9, "10 parallel asks for 1 place: %d ok, %d full (%r)"
          % (len(ok), len(full), statuses(results)))


def test_unicode_names_round_trip():
    ev = W.event(capacity=None)
    slug = ev["slug"]
    tt = W.ttype(slug, name="Vstopnica – navadna")
    q = W.question(slug, label="Opomba", kind="text")
    people = [
        ("Žiga Čeh", "Čebelarski zavod", "Ži", "Čeb"),
        ("Шура Ковальчук", "Компанія «Світло»", "Шу", "Комп"),
        ("Győző Őrsi", "Őrség Kft.", "Győ", "Őrs"),
        ("Nataša Šuštar-Kovač", "Društvo ž", "Nata", "Druš"),
    ]
    regs = {}
    for name, org, _, _ in people:
        reg = W.registered(slug, tt["id"], name=name, organisation=org,
                           answers={str(q["id"]): "Brez glutena – ž, č, ш, ő"})
        regs[name] = reg
        m = W.manage(reg).json
        check(m.get("name") == name and m.get("organisation") == org,
              "manage view of %r: %r" % (name, m))
        g = W.reg(slug, reg["id"])
        check(g.get("name") == name and g.get("organisation") == org and
              g.get("answers", {}).get(str(q["id"])) == "Brez glutena – ž, č, ш, ő",
              "organiser view of %r: %r" % (name, g))
    ck_user, checker = W.new_user("checkin")
    W.add_member(slug, ck_user["id"])
    for name, org, pfx, opfx in people:
        for term in (pfx, opfx):
            r = checker.get("/api/v1/events/%s/attendees?q=%s" % (slug, urllib.parse.quote(term)))
            expect_status(r, 200, "attendee look-up %r" % term)
            found = [x for x in r.json.get("attendees", []) if x.get("name") == name]
            check(len(found) == 1, "look-up %r should find %r: %r" % (term, name, r.json))
            check(found[0].get("organisation") == org, "look-up organisation: %r" % found[0])
        r = W.admin.get("/api/v1/events/%s/registrations?q=%s"
                        % (slug, urllib.parse.quote(name.split()[0])))
        check(any(x.get("name") == name for x in r.json.get("registrations", [])),
              "organiser search %r: %r" % (name.split()[0], r.json))
        r = W.checkin(slug, client=checker, code=regs[name]["ticket"]["code"])
        expect_status(r, 200, "check in %r" % name)
        att = r.json.get("attendee") or {}
        check(att.get("name") == name and att.get("organisation") == org and
              att.get("ticket_type") == "Vstopnica – navadna",
              "check-in answer for %r: %r" % (name, r.json))
        r = W.checkin(slug, client=checker, code=regs[name]["ticket"]["code"])
        check(r.status == 409 and (r.json.get("attendee") or {}).get("name") == name,
              "duplicate check-in names %r: %r" % (name, r.json))


def test_registration_list_filters():
    ev = W.event(capacity=None)
    slug = ev["slug"]
    t1 = W.ttype(slug, name="One")
    t2 = W.ttype(slug, name="Two")
    made = []
    for i, (t, name, org) in enumerate(((t1, "Alma Kos", "Lipa"), (t1, "Bor Zupan", "Hrast"),
                                        (t2, "Cvetka Lah", "Lipa"), (t2, "Dusan Breg", "Bukev"),
                                        (t1, "Eva Mlakar", "Jelka"))):
        made.append(W.registered(slug, t["id"], name=name, organisation=org,
                                 email="list%d-%s" % (i, uniq_email())))
    W.admin.post("/api/v1/events/%s/registrations/%d/cancel" % (slug, made[3]["id"]))
    r = W.checkin(slug, code=made[1]["ticket"]["code"])
    expect_status(r, 200, "check in Bor")

    def names(**qs):
        body = W.reg_list(slug, **qs)
        return body.get("total"), sorted(x["name"] for x in body["registrations"])

    check(names() == (5, ["Alma Kos", "Bor Zupan", "Cvetka Lah", "Dusan Breg", "Eva Mlakar"]),
          "all: %r" % (names(),))
    check(names(status="cancelled") == (1, ["Dusan Breg"]), "cancelled: %r" % (names(status="cancelled"),))
    check(names(ticket_type=t2["id"]) == (2, ["Cvetka Lah", "Dusan Breg"]),
          "by type: %r" % (names(ticket_type=t2["id"]),))
    check(names(checked_in="true") == (1, ["Bor Zupan"]), "checked in: %r" % (names(checked_in="true"),))
    got = names(checked_in="false")
    check(got[0] == 4 and "Bor Zupan" not in got[1], "not checked in: %r" % (got,))
    check(names(q="Lipa")[1] == ["Alma Kos", "Cvetka Lah"], "q by organisation: %r" % (names(q="Lipa"),))
    check(names(q="Eva")[1] == ["Eva Mlakar"], "q by name: %r" % (names(q="Eva"),))
    check(names(q="list2-")[1] == ["Cvetka Lah"], "q by email: %r" % (names(q="list2-"),))
    check(names(q="Lipa", ticket_type=t1["id"]) == (1, ["Alma Kos"]), "q and type combined")
    # Paging: 5 rows, 2 a page.
    seen = []
    for page in (1, 2, 3):
        body = W.reg_list(slug, per_page=2, page=page)
        check(body.get("total") == 5, "total on page %d: %r" % (page, body))
        check(len(body["registrations"]) == (2 if page < 3 else 1), "rows on page %d: %r" % (page, body))
        seen += [x["id"] for x in body["registrations"]]
    check(sorted(seen) == sorted(m["id"] for m in made), "pages cover all rows once: %r" % seen)
    check(W.reg_list(slug, per_page=2, page=4)["registrations"] == [], "page past the end")
    r = W.admin.get("/api/v1/events/%s/registrations?status=bogus" % slug)
    check(r.status in (400, 422), "unknown status filter: want 400/422, got %r" % r)
    expect_error(W.anon().get("/api/v1/events/%s/registrations" % slug), 401, None,
                 "anonymous list")


def test_organiser_edits_registration():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    a = W.registered(slug, tt["id"], name="Typo Nmae")
    b = W.registered(slug, tt["id"], name="Other")
    r = W.admin.patch("/api/v1/events/%s/registrations/%d" % (slug, a["id"]),
                      {"name": "Fixed Name", "organisation": "New Org"})
    expect_status(r, 200, "organiser PATCH")
    check(r.json.get("name") == "Fixed Name" and r.json.get("organisation") == "New Org",
          "patched: %r" % r)
    check(W.manage(a).json.get("name") == "Fixed Name", "manage view shows the fix")
    b_email = W.reg(slug, b["id"])["email"]
    r = W.admin.patch("/api/v1/events/%s/registrations/%d" % (slug, a["id"]),
                      {"email": b_email.upper()})
    expect_error(r, 409, "already_registered", "PATCH to another registration's email")
    expect_fields(W.admin.patch("/api/v1/events/%s/registrations/%d" % (slug, a["id"]),
                                {"email": "nope"}), "email", "PATCH bad email")
    expect_error(W.admin.get("/api/v1/events/%s/registrations/%d" % (slug, 99999999)), 404,
                 None, "unknown registration")
    # Registration ids are per event.
    ev2, _ = W.simple_event()
    expect_error(W.admin.get("/api/v1/events/%s/registrations/%d" % (ev2["slug"], a["id"])),
                 404, None, "registration through another event")


def test_parallel_cancellations_promote_exactly():
    ev, tt = W.simple_event(capacity=10, waitlist=True)
    slug = ev["slug"]
    conf = [W.registered(slug, tt["id"], name="C%02d" % i) for i in range(10)]
    wait = [W.registered(slug, tt["id"], name="W%02d" % i, status="waitlisted") for i in range(10)]
    # Five different people cancel at once: the five first on the list move up.
    res = parallel(5, lambda i: W.manage(conf[i], "DELETE"))
    check([r.status for r in res] == [200] * 5, "parallel cancellations: %r" % res)
    s = W.stats(slug)
    check((s["confirmed"], s["waitlisted"], s["cancelled"]) == (10, 5, 5),
          "after 5 parallel cancellations: %r" % s)
    got = [W.manage(w).json.get("status") for w in wait]
    check(got == ["confirmed"] * 5 + ["waitlisted"] * 5,
          "the waiting list moves up in order: %r" % got)
    # One person's link pressed ten times at once: one cancellation, one promotion.
    res = parallel(10, lambda i: W.manage(conf[5], "DELETE"))
    codes = sorted(r.status for r in res)
    check(codes == [200] + [409] * 9, "10 parallel DELETEs of one link: %r" % codes)
    s = W.stats(slug)
    check((s["confirmed"], s["waitlisted"], s["cancelled"]) == (10, 4, 6),
          "after the repeated DELETE: %r" % s)


def test_parallel_approvals_respect_capacity():
    ev = W.event(capacity=3, waitlist=False)
    slug = ev["slug"]
    tt = W.ttype(slug, requires_approval=True)
    pend = [W.registered(slug, tt["id"], status="pending_approval") for _ in range(10)]
    res = parallel(10, lambda i: W.admin.post("/api/v1/events/%s/registrations/%d/approve"
                                              % (slug, pend[i]["id"])))
    ok = [r for r in res if r.status == 200 and r.json.get("status") == "confirmed"]
    check(len(ok) == 3 and all(r.status == 409 for r in res if r not in ok),
          "10 parallel approvals for 3 seats: %r" % sorted((r.status, r.raw[:60]) for r in res))
    s = W.stats(slug)
    check(s["confirmed"] == 3 and s["pending"] == 7, "stats after the approvals: %r" % s)


def test_no_queue_jumping_after_capacity_increase():
    # The spec names promotion on cancellation; raising the capacity frees
    # seats too, and a newcomer must not get one while earlier registrants
    # are still on the waiting list.
    ev, tt = W.simple_event(capacity=1, waitlist=True)
    slug = ev["slug"]
    W.registered(slug, tt["id"], name="First")
    waiting = W.registered(slug, tt["id"], name="Waiting", status="waitlisted")
    expect_status(W.admin.patch("/api/v1/events/" + slug, {"capacity": 2}), 200,
                  "raise capacity to 2")
    late = W.register(slug, tt["id"], name="Late")
    expect_status(late, 201, "late registration")
    w = W.manage(waiting).json.get("status")
    check(not (late.json.get("status") == "confirmed" and w == "waitlisted"),
          "after raising the capacity 1 -> 2 a later registrant got the seat (confirmed) "
          "while the earlier one is still waitlisted")
