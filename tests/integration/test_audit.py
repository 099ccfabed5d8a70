"""
The audit trail (issue 17): organisers read their event's trail, admins
everyone's, filtered by actor, registration and action; the entries never
hold personal values or secrets; and the trail is tamper-evident: each
entry is sealed into a hash chain keyed with the server key, and
`confero audit verify` names the first entry changed or removed by hand.
"""

import time

from harness import check, expect_error, expect_status, run_confero
from util_events import World

W = None


def setup_module():
    global W
    W = World("audit")


def teardown_module():
    W.stop()


def trail(path, client=None, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    r = (client or W.admin).get(path + ("?" + qs if qs else ""))
    expect_status(r, 200, "audit " + path)
    return r.json


def verify():
    p = run_confero(["audit", "verify"], W.srv.env)
    return p.returncode, p.stdout + p.stderr


def sealed_all(timeout=15):
    """Wait until the server has sealed every entry (it does every second)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        rc, out = verify()
        if rc == 0 and "; 0 newer not sealed" in out:
            return out
        time.sleep(0.3)
    raise AssertionError("entries still unsealed after %ds: %s" % (timeout, out))


def test_an_organiser_reads_the_trail_of_their_event_only():
    user, org = W.new_user("organiser")
    ev, tt = W.simple_event()
    slug = ev["slug"]
    W.add_member(slug, user["id"])
    other, _ = W.simple_event()
    reg = W.registered(slug, tt["id"], name="Katarina Novak", email="katarina.novak@ukc.example")
    expect_status(org.patch("/api/v1/events/%s/ticket-types/%d" % (slug, tt["id"]),
                            {"name": "Full pass"}), 200, "rename the ticket type")
    t = trail("/api/v1/events/%s/audit" % slug, org)
    actions = [x["action"] for x in t["entries"]]
    check("registration.create" in actions and "ticket_type.update" in actions,
          "the event's trail: %r" % actions)
    check(all(x["event_id"] == ev["id"] for x in t["entries"]), "only this event's entries")
    mine = [x for x in t["entries"] if x["action"] == "ticket_type.update"][0]
    check(mine["actor_kind"] == "user" and mine["actor_id"] == user["id"]
          and mine["actor_email"] == user["email"], "who did it: %r" % mine)
    check(isinstance(mine["at"], str) and mine["at"][:2] == "20", "when: %r" % mine)
    # newest first
    ids = [x["id"] for x in t["entries"]]
    check(ids == sorted(ids, reverse=True), "newest first: %r" % ids)
    # filters
    f = trail("/api/v1/events/%s/audit" % slug, org, action="ticket_type.")
    check(f["entries"] and all(x["action"].startswith("ticket_type.") for x in f["entries"]),
          "action prefix: %r" % f)
    f = trail("/api/v1/events/%s/audit" % slug, org, actor="user:%d" % user["id"])
    check(f["total"] == 1 and f["entries"][0]["action"] == "ticket_type.update", "by actor: %r" % f)
    f = trail("/api/v1/events/%s/audit" % slug, org, registration=reg["id"])
    check(f["entries"] and all(x["registration_id"] == reg["id"] for x in f["entries"]),
          "by registration: %r" % f)
    f = trail("/api/v1/events/%s/audit" % slug, org, action="registration.create", per_page=1, page=1)
    check(len(f["entries"]) == 1 and f["total"] == 1 and f["per_page"] == 1, "paged: %r" % f)
    # another event's trail is not theirs; nor the whole trail
    r = org.get("/api/v1/events/%s/audit" % other["slug"])
    check(r.status in (403, 404), "another event's trail: %r" % r)
    r = org.get("/api/v1/audit")
    check(r.status == 403, "the whole trail is for admins: %r" % r)
    # no personal values in the trail
    raw = org.get("/api/v1/events/%s/audit" % slug).raw.decode()
    check("Katarina" not in raw and "katarina.novak" not in raw, "personal data in the trail")


def test_bad_filters_are_refused():
    ev, _ = W.simple_event()
    for q, field in (("actor=nobody:1", "actor"), ("actor=user:x", "actor"),
                     ("registration=-4", "registration"), ("action=DROP%20TABLE", "action"),
                     ("page=0", "page"), ("per_page=100000", "per_page")):
        r = W.admin.get("/api/v1/events/%s/audit?%s" % (ev["slug"], q))
        expect_error(r, 422, "validation", "audit ?" + q)
        check(field in r.raw.decode(), "the error names %s: %r" % (field, r))


def test_admins_see_sign_ins_and_tokens():
    user, c = W.new_user("checkin")
    tok = W.admin.post("/api/v1/tokens", {"name": "door 2", "role": "checkin"})
    expect_status(tok, 201, "token")
    t = trail("/api/v1/audit", action="login", actor="user:%d" % user["id"])
    check(t["total"] == 1 and t["entries"][0]["object_type"] == "user", "a console sign-in: %r" % t)
    t = trail("/api/v1/audit", action="token.create")
    check(any(x["object_id"] == tok.json["id"] for x in t["entries"]), "token created: %r" % t)
    raw = W.admin.get("/api/v1/audit?per_page=500").raw.decode()
    check(tok.json["token"] not in raw, "a token's secret in the trail")


def test_the_chain_is_intact_and_names_what_was_changed_or_removed():
    ev, tt = W.simple_event()
    W.registered(ev["slug"], tt["id"])
    out = sealed_all()
    check("the chain is intact" in out, out)
    entries = trail("/api/v1/audit", per_page=500)["entries"]
    check(entries and all(x["sealed"] for x in entries), "every entry sealed")
    victim = entries[len(entries) // 2]["id"]
    db = W.srv.db
    orig = db.sql("SELECT action FROM audit_log WHERE id = %d" % victim, db=W.srv.db_name)[0][0]
    # changed by hand: the verifier names it
    db.sql("UPDATE audit_log SET action = 'event.delete' WHERE id = %d" % victim, db=W.srv.db_name)
    rc, out = verify()
    check(rc == 1 and "id %d" % victim in out and "changed" in out,
          "a changed entry: %d %s" % (rc, out))
    # put back: intact again (the hash covers exactly what was written)
    db.sql("UPDATE audit_log SET action = '%s' WHERE id = %d" % (orig, victim), db=W.srv.db_name)
    rc, out = verify()
    check(rc == 0, "restored: %s" % out)
    # a row removed in the middle
    seq = db.sql("SELECT seq FROM audit_log WHERE id = %d" % victim, db=W.srv.db_name)[0][0]
    db.sql("DELETE FROM audit_log WHERE id = %d" % victim, db=W.srv.db_name)
    rc, out = verify()
    check(rc == 1 and ("entry %s is missing" % seq) in out, "a deleted entry: %d %s" % (rc, out))
