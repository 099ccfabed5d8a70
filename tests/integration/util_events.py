"""
Helpers for the event, registration and check-in tests (issue 3): a
per-module "world" (one server, an admin client), builders for events and
their parts, registration and check-in shortcuts, QR decoding with zbarimg,
a thread pool that starts all its calls at once, and an Ed25519 verifier
(RFC 8032, pure Python) for ticket codes.  Standard library only; the
harness (harness.py) does servers, HTTP and assertions.
"""

import base64
import hashlib
import os
import subprocess
import threading
import urllib.parse
import uuid

import harness
from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, TestFailure, check,
                     expect_status, start_server)

TZ = "Europe/Ljubljana"
STARTS = "2027-05-14T09:00:00+02:00"
ENDS = "2027-05-15T18:00:00+02:00"

# Login throttling is tested in test_foundation; keep it out of the way here.
NO_THROTTLE = {
    "CONFERO_LOGIN_MAX_FAILURES": "1000",
    "CONFERO_LOGIN_MAX_FAILURES_ADDR": "100000",
}


def uniq(tag="x"):
    return "%s-%s" % (tag, uuid.uuid4().hex[:10])


def uniq_email(tag="p"):
    return "%s-%s@example.test" % (tag, uuid.uuid4().hex[:10])


def url_path(url):
    """The path (and query) of an absolute URL, to request on our server."""
    u = urllib.parse.urlsplit(url)
    check(u.scheme in ("http", "https") and u.netloc,
          "not an absolute URL: %r" % (url,))
    return u.path + ("?" + u.query if u.query else "")


def fields_of(resp):
    err = (resp.json or {}).get("error") if isinstance(resp.json, dict) else None
    return (err or {}).get("fields") or {}


def expect_fields(resp, names, what, exact=True):
    """422 validation error naming exactly (or at least) the given fields."""
    harness.expect_error(resp, 422, None, what)
    f = fields_of(resp)
    check(isinstance(f, dict), "%s: error.fields is not an object: %r" % (what, resp))
    names = [names] if isinstance(names, str) else list(names)
    for n in names:
        check(n in f, "%s: want field %r in error.fields, got %r" % (what, n, resp))
    if exact:
        extra = set(f) - set(names) - {"full_session_id"}
        check(not extra, "%s: only %r should be invalid, error.fields also has %r: %r"
              % (what, names, sorted(extra), resp))
    return f


class World:
    """One server for a test module, with an admin logged in."""

    def __init__(self, tag, overrides=None):
        ov = dict(NO_THROTTLE)
        ov.update(overrides or {})
        self.srv = start_server(ov, tag=tag)
        self.admin = self.srv.client()
        self.admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        check(self.admin.csrf, "admin login gave no csrf_token")

    def stop(self):
        self.srv.stop()

    def anon(self):
        return self.srv.client()

    # ---- people

    def new_user(self, role, password="staff-password-0123"):
        """Create a user (admin API) and return (user dict, logged-in client)."""
        email = uniq_email(role)
        r = self.admin.post("/api/v1/users", {"email": email, "role": role,
                                              "password": password})
        expect_status(r, 201, "create %s user" % role)
        user = r.json.get("user", r.json)
        check(isinstance(user, dict) and isinstance(user.get("id"), int),
              "create user: no user id in %r" % r)
        c = self.srv.client()
        c.login(email, password)
        return user, c

    def add_member(self, slug, user_id, client=None):
        r = (client or self.admin).post("/api/v1/events/%s/members" % slug,
                                        {"user_id": user_id})
        expect_status(r, 201, "add member %s to %s" % (user_id, slug))
        return r.json

    # ---- events and their parts

    def event(self, publish=True, client=None, **kw):
        body = {
            "slug": uniq("ev"),
            "name": "Event " + uuid.uuid4().hex[:6],
            "description": "A test event.",
            "venue": "Cankarjev dom, Ljubljana",
            "timezone": TZ,
            "starts_at": STARTS,
            "ends_at": ENDS,
            "capacity": None,
            "waitlist": False,
        }
        body.update(kw)
        c = client or self.admin
        r = c.post("/api/v1/events", body)
        expect_status(r, 201, "create event %s" % body["slug"])
        ev = r.json
        check(ev.get("slug") == body["slug"], "create event: slug %r in %r"
              % (body["slug"], r))
        if publish:
            r = c.post("/api/v1/events/%s/publish" % ev["slug"])
            expect_status(r, 200, "publish %s" % ev["slug"])
            ev = r.json
        return ev

    def _part(self, slug, what, defaults, kw, client=None):
        body = dict(defaults)
        body.update(kw)
        r = (client or self.admin).post("/api/v1/events/%s/%s" % (slug, what), body)
        expect_status(r, 201, "create %s in %s (%r)" % (what, slug, body))
        check(isinstance(r.json, dict) and isinstance(r.json.get("id"), int),
              "create %s: no id in %r" % (what, r))
        return r.json

    def ttype(self, slug, **kw):
        return self._part(slug, "ticket-types", {"name": "Standard"}, kw)

    def session(self, slug, **kw):
        return self._part(slug, "sessions", {
            "title": "Talk " + uuid.uuid4().hex[:4], "kind": "talk",
            "starts_at": "2027-05-14T10:00:00+02:00",
            "ends_at": "2027-05-14T11:00:00+02:00"}, kw)

    def speaker(self, slug, **kw):
        return self._part(slug, "speakers", {"name": "Speaker " + uuid.uuid4().hex[:4]}, kw)

    def question(self, slug, **kw):
        return self._part(slug, "questions", {"label": "Question", "kind": "text"}, kw)

    def simple_event(self, **kw):
        """A published event with one free ticket type: (event, ticket type)."""
        ev = self.event(**kw)
        return ev, self.ttype(ev["slug"])

    # ---- registration

    def register(self, slug, ttype_id, client=None, **kw):
        body = {"ticket_type_id": ttype_id, "name": "Ana Novak",
                "email": uniq_email("reg"), "organisation": "Acme d.o.o.",
                "consent": True}
        body.update(kw)
        return (client or self.anon()).post(
            "/api/v1/events/%s/registrations" % slug, body, csrf=None)

    def registered(self, slug, ttype_id, status="confirmed", **kw):
        r = self.register(slug, ttype_id, **kw)
        expect_status(r, 201, "register at %s" % slug)
        check(r.json.get("status") == status,
              "register: want status %r, got %r" % (status, r))
        return r.json

    def manage(self, reg, method="GET", body=None):
        c = self.anon()
        return c.request(method, url_path(reg["manage_url"]), json_body=body)

    def reg(self, slug, reg_id, client=None):
        r = (client or self.admin).get("/api/v1/events/%s/registrations/%d" % (slug, reg_id))
        expect_status(r, 200, "get registration %d" % reg_id)
        return r.json

    def stats(self, slug, client=None):
        r = (client or self.admin).get("/api/v1/events/%s/stats" % slug)
        expect_status(r, 200, "stats of %s" % slug)
        return r.json

    def reg_list(self, slug, client=None, **query):
        qs = urllib.parse.urlencode(query)
        r = (client or self.admin).get("/api/v1/events/%s/registrations%s"
                                       % (slug, "?" + qs if qs else ""))
        expect_status(r, 200, "list registrations of %s (%s)" % (slug, qs))
        return r.json

    # ---- check-in

    def checkin(self, slug, client=None, **kw):
        body = {"gate": "Main door"}
        body.update(kw)
        return (client or self.admin).post("/api/v1/events/%s/checkins" % slug, body)


# --------------------------------------------------------------------------
# Concurrency

def parallel(n, fn):
    """Run fn(i) for i in range(n) in n threads released together; return
    the results in order (an exception is returned, not raised)."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        try:
            barrier.wait(30)
            out[i] = fn(i)
        except BaseException as e:      # noqa: BLE001 - reported by the caller
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for i, t in enumerate(threads):
        if t.is_alive():
            raise TestFailure("parallel call %d did not finish in 120 s" % i)
    errs = [o for o in out if isinstance(o, BaseException)]
    if errs:
        raise TestFailure("%d of %d parallel calls raised; first: %r" % (len(errs), n, errs[0]))
    return out


# --------------------------------------------------------------------------
# QR codes

def zbar_decode(png):
    """Decode a PNG with zbarimg; return the list of symbols' texts."""
    d = harness.tmpdir("q")
    path = os.path.join(d, "qr.png")
    with open(path, "wb") as f:
        f.write(png)
    p = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, timeout=30)
    if p.returncode not in (0, 4):         # 4: no symbol found
        raise TestFailure("zbarimg exited %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")))
    return [line for line in p.stdout.decode("utf-8", "replace").splitlines() if line]


def alter_char(code, i):
    """code with the character at i replaced by another base32 character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    c = code[i]
    k = alphabet.find(c.upper())
    repl = alphabet[(k + 1) % 32] if k >= 0 else "A"
    return code[:i] + repl + code[i + 1:]


# --------------------------------------------------------------------------
# Ed25519 verification (RFC 8032, section 6), for ticket codes.

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_I = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _I % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _add(p1, p2):
    a = (p1[1] - p1[0]) * (p2[1] - p2[0]) % _P
    b = (p1[1] + p1[0]) * (p2[1] + p2[0]) % _P
    c = 2 * p1[3] * p2[3] * _D % _P
    d = 2 * p1[2] * p2[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f, g * h, f * g, e * h)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _equal(p1, p2):
    return ((p1[0] * p2[2] - p2[0] * p1[2]) % _P == 0 and
            (p1[1] * p2[2] - p2[1] * p1[2]) % _P == 0)


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def ed25519_verify(public, msg, sig):
    if len(public) != 32 or len(sig) != 64:
        return False
    a = _decompress(public)
    r = _decompress(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


def b32decode_nopad(code):
    return base64.b32decode(code + "=" * (-len(code) % 8))
