"""
Safe retries of the public registration (issue 15): an Idempotency-Key
header makes a retried POST return the first answer (same status, same
registration, same ticket, same manage link) and create nothing; another
body under the same key is refused; keys are checked; refusals are
answers too; many copies of one request at once still make one
registration and one ticket mail.  And the per-address registration
limit: 429 with Retry-After, per address (X-Forwarded-For only behind a
trusted proxy), nothing created.
"""

import time
import uuid

import harness
from harness import check, expect_error, expect_status
from util_events import World, parallel, uniq_email
from util_mail import mail_world, stop_mail_world

SINK = None
W = None


def setup_module():
    global SINK, W
    SINK, W = mail_world("idem")


def teardown_module():
    stop_mail_world(SINK, W)


def post(slug, body, key=None, client=None, headers=None):
    h = dict(headers or {})
    if key is not None:
        h["Idempotency-Key"] = key
    return (client or W.anon()).request("POST", "/api/v1/events/%s/registrations" % slug,
                                        json_body=body, headers=h)


def body_for(tt, **kw):
    b = {"ticket_type_id": tt["id"], "name": "Mojca Žagar", "email": uniq_email("idem"),
         "organisation": "UKC Ljubljana", "consent": True}
    b.update(kw)
    return b


def registrations(slug):
    body = W.reg_list(slug, per_page=500)
    return body["registrations"]


def test_a_retry_gets_the_first_answer_and_creates_nothing():
    ev, tt = W.simple_event(capacity=10)
    slug = ev["slug"]
    b = body_for(tt)
    key = str(uuid.uuid4())
    first = post(slug, b, key)
    expect_status(first, 201, "first attempt")
    check(first.header("Idempotent-Replayed") is None, "a first answer is not a replay")
    again = post(slug, b, key)
    expect_status(again, 201, "retry with the same key")
    check(again.json == first.json, "same answer: %r vs %r" % (again.json, first.json))
    check(again.header("Idempotent-Replayed") == "true", "a replay says so")
    check(first.json["ticket"]["code"] and first.json["manage_url"], "ticket and link: %r" % first.json)
    # The manage link of the replay works and is the same registration.
    r = W.manage(again.json)
    expect_status(r, 200, "manage link from the replay")
    check(r.json["id"] == first.json["id"], "the same registration: %r" % r.json)
    regs = registrations(slug)
    check(len(regs) == 1, "one registration, not %d" % len(regs))
    s = W.stats(slug)
    check(s.get("confirmed") == 1, "one seat taken: %r" % s)
    SINK.wait_for([b["email"]], timeout=20)
    time.sleep(1.0)
    check(len(SINK.to(b["email"])) == 1, "one ticket mail, not %d" % len(SINK.to(b["email"])))
    # The same key on another event is another key.
    ev2, tt2 = W.simple_event()
    b2 = dict(b, ticket_type_id=tt2["id"])
    r = post(ev2["slug"], b2, key)
    expect_status(r, 201, "same key, other event")
    check(r.json["id"] != first.json["id"], "a registration of its own")
    # Whitespace and key order do not make another body; a changed value does.
    r = W.anon().request("POST", "/api/v1/events/%s/registrations" % slug,
                         body=(b'{ "ticket_type_id": %d, "name": "Mojca \xc5\xbdagar", "email": "%s",'
                               b' "organisation": "UKC Ljubljana", "consent": true }'
                               % (tt["id"], b["email"].encode())),
                         headers={"Idempotency-Key": key, "Content-Type": "application/json"})
    expect_status(r, 201, "same body with other spacing")
    check(r.json["id"] == first.json["id"], "spacing: same registration")
    r = post(slug, dict(b, name="Mojca Zagar"), key)
    expect_error(r, 422, "idempotency_mismatch")
    check("Idempotency-Key" in (r.json["error"].get("fields") or {}), "names the header: %r" % r.json)
    r = post(slug, dict(b, email=uniq_email("other")), key)
    expect_error(r, 422, "idempotency_mismatch")
    check(len(registrations(slug)) == 1, "a mismatch creates nothing")


def test_keys_are_checked():
    ev, tt = W.simple_event()
    slug = ev["slug"]
    for bad in ("", "x" * 65, "kl\u00ed\u010d", "tab\there"):
        b = body_for(tt)
        # http.client sends str header values as Latin-1: é is the byte 0xED.
        r = post(slug, b, bad.encode("utf-8").decode("latin-1"))
        expect_error(r, 422, "validation")
        check((r.json["error"].get("fields") or {}).get("Idempotency-Key") == "invalid",
              "key %r: %r" % (bad, r.json))
    check(registrations(slug) == [], "a bad key creates nothing")
    for good in ("a", "x" * 64, "~!@ # $%^&*()_+{}|:<>?"):
        r = post(slug, body_for(tt), good)
        expect_status(r, 201, "key %r" % good)
    check(len(registrations(slug)) == 3, "three good keys, three registrations")


def test_parallel_copies_make_one_registration():
    ev, tt = W.simple_event(capacity=100)
    slug = ev["slug"]
    b = body_for(tt)
    key = uuid.uuid4().hex
    out = parallel(24, lambda i: post(slug, b, key, client=harness.Client(W.srv.host, W.srv.port)))
    bad = [r for r in out if not isinstance(r, harness.Response) or r.status != 201]
    check(not bad, "every copy answered 201: %r" % bad[:3])
    ids = {r.json["id"] for r in out}
    codes = {r.json["ticket"]["code"] for r in out}
    links = {r.json["manage_url"] for r in out}
    check(len(ids) == len(codes) == len(links) == 1, "one answer: %r %r" % (ids, codes))
    check(sum(1 for r in out if r.header("Idempotent-Replayed") == "true") == 23,
          "23 replays: %r" % [r.header("Idempotent-Replayed") for r in out])
    check(len(registrations(slug)) == 1, "one registration")
    check(W.stats(slug).get("confirmed") == 1, "one seat")
    SINK.wait_for([b["email"]], timeout=20)
    time.sleep(1.0)
    check(len(SINK.to(b["email"])) == 1, "one ticket mail, not %d" % len(SINK.to(b["email"])))
    # Many people at once, each retrying twice in parallel with their key:
    # the seats are never oversold and each person is registered once.
    ev, tt = W.simple_event(capacity=20, waitlist=False)
    slug = ev["slug"]
    people = [(body_for(tt), uuid.uuid4().hex) for _ in range(30)]
    out = parallel(60, lambda i: post(slug, people[i // 2][0], people[i // 2][1],
                                      client=harness.Client(W.srv.host, W.srv.port)))
    check(all(isinstance(r, harness.Response) for r in out), "answers: %r" % out[:2])
    for i in range(30):
        a, b2 = out[2 * i], out[2 * i + 1]
        check((a.status, a.json) == (b2.status, b2.json), "person %d: %r vs %r" % (i, a, b2))
    won = [out[2 * i] for i in range(30) if out[2 * i].status == 201]
    check(len(won) == 20, "20 seats, %d registered" % len(won))
    check(all(out[2 * i].error_code == "sold_out" for i in range(30) if out[2 * i].status != 201),
          "the others are told sold out: %r" % [r.error_code for r in out if r.status != 201][:4])
    check(len(registrations(slug)) == 20 and W.stats(slug).get("confirmed") == 20, "no oversell")


def test_a_refusal_is_the_first_answer_too():
    ev, tt = W.simple_event(capacity=1, waitlist=False)
    slug = ev["slug"]
    first = W.registered(slug, tt["id"])
    b = body_for(tt)
    key = uuid.uuid4().hex
    r = post(slug, b, key)
    expect_error(r, 409, "sold_out")
    # A seat comes free; the same request under the same key is still the
    # answer it was, a new key is a new attempt.
    r = W.manage(first, "DELETE")
    check(r.status in (200, 204), "cancel: %r" % r)
    r = post(slug, b, key)
    expect_error(r, 409, "sold_out")
    r = post(slug, b, uuid.uuid4().hex)
    expect_status(r, 201, "a new key after the seat came free")
    # Already registered, with a key: kept too, and in the caller's language.
    ev, tt = W.simple_event(capacity=10)
    slug = ev["slug"]
    b = body_for(tt)
    expect_status(post(slug, b), 201, "registered without a key")
    key2 = uuid.uuid4().hex
    r = post(slug, b, key2, headers={"Accept-Language": "sl"})
    expect_error(r, 409, "already_registered")
    r2 = post(slug, b, key2, headers={"Accept-Language": "sl"})
    expect_error(r2, 409, "already_registered")
    check(r2.json["error"]["message"] == r.json["error"]["message"] != "",
          "same refusal: %r vs %r" % (r.json, r2.json))
    check(len([x for x in registrations(slug) if x["status"] == "confirmed"]) == 1, "one confirmed")


def test_keys_are_kept_a_day_and_then_purged():
    import hashlib
    ev, tt = W.simple_event()
    slug = ev["slug"]
    day, old = body_for(tt), body_for(tt)
    kday, kold = uuid.uuid4().hex, uuid.uuid4().hex
    first = post(slug, day, kday)
    expect_status(first, 201, "a key that will be a day old")
    expect_status(post(slug, old, kold), 201, "a key that will be three days old")
    db = W.srv.db
    for key, age in ((kday, "25 HOUR"), (kold, "3 DAY")):
        h = hashlib.blake2b(key.encode(), digest_size=32).hexdigest()
        db.sql("UPDATE idempotency_keys SET created_at = NOW() - INTERVAL %s WHERE key_hash = UNHEX('%s');"
               % (age, h), db=W.srv.db_name)
    # Another instance on the same database purges on its first keyed
    # registration (then hourly): the day-old key stays, the old one goes.
    srv = harness.start_server({"CONFERO_SECRET_KEY_FILE": W.srv.env["CONFERO_SECRET_KEY_FILE"]},
                               db=db, db_name=W.srv.db_name, tag="idemkeep")
    try:
        c = srv.client()
        expect_status(c.request("POST", "/api/v1/events/%s/registrations" % slug, json_body=body_for(tt),
                                headers={"Idempotency-Key": uuid.uuid4().hex}), 201, "a keyed registration")
        r = c.request("POST", "/api/v1/events/%s/registrations" % slug, json_body=day,
                      headers={"Idempotency-Key": kday})
        expect_status(r, 201, "a retry after 25 hours")
        same = lambda a: (a["id"], a["status"], a["ticket"]["code"], a["manage_url"].rsplit("/", 1)[1])
        check(same(r.json) == same(first.json) and r.header("Idempotent-Replayed") == "true",
              "after 25 hours the first answer (from another instance): %r" % r.json)
        r = c.request("POST", "/api/v1/events/%s/registrations" % slug, json_body=old,
                      headers={"Idempotency-Key": kold})
        expect_error(r, 409, "already_registered")
    finally:
        srv.stop()
    left = db.sql("SELECT COUNT(*) FROM idempotency_keys WHERE created_at < NOW() - INTERVAL 2 DAY;",
                  db=W.srv.db_name)
    check(left == [["0"]], "keys older than two days are gone: %r" % left)


def test_registrations_per_address_are_limited():
    w = World("idemlimit", {"CONFERO_REGISTER_MAX_ADDR": "3", "CONFERO_REGISTER_WINDOW": "600",
                            "CONFERO_TRUST_PROXY": "1"})
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]

        def reg(addr, **kw):
            return w.anon().request("POST", "/api/v1/events/%s/registrations" % slug,
                                    json_body=body_for(tt, **kw),
                                    headers={"X-Forwarded-For": "198.51.100.7, " + addr})
        for i in range(3):
            expect_status(reg("203.0.113.5"), 201, "registration %d from one address" % i)
        r = reg("203.0.113.5")
        expect_error(r, 429, "rate_limited")
        ra = r.header("Retry-After")
        check(ra is not None and 1 <= int(ra) <= 600, "Retry-After: %r" % ra)
        # Invalid or not, a limited address's attempt creates nothing.
        expect_error(reg("203.0.113.5", email="not an address"), 429, "rate_limited")
        expect_status(reg("203.0.113.6"), 201, "another address is not limited")
        total = w.reg_list(slug, per_page=100)["total"]
        check(total == 4, "4 registrations, not %r" % total)
    finally:
        w.stop()
    # Without a trusted proxy the header is the client's word: not believed.
    w = World("idemlimit2", {"CONFERO_REGISTER_MAX_ADDR": "2", "CONFERO_TRUST_PROXY": "0"})
    try:
        ev, tt = w.simple_event()
        slug = ev["slug"]
        got = [w.anon().request("POST", "/api/v1/events/%s/registrations" % slug,
                                json_body=body_for(tt),
                                headers={"X-Forwarded-For": "192.0.2.%d" % i}).status
               for i in range(4)]
        check(got == [201, 201, 429, 429], "a forged X-Forwarded-For changes nothing: %r" % got)
    finally:
        w.stop()
