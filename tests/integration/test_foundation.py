"""
Foundation (issue 2): health, security headers, configuration, migrations,
the user CLI, login and sessions, CSRF, API tokens, user administration,
login throttling, error bodies, static files, request logging, database
outage and concurrency.

Most tests share one server (SRV) on one database; tests that need special
configuration start their own.
"""

import glob
import http.client
import json
import os
import re
import signal
import socket
import threading
import time
import uuid

import harness
from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, REPO, WEB_DIR, base_env,
                     check, check_sanitizer, expect_error, expect_status,
                     parse_set_cookie, poll, private_mariadb, run_confero,
                     shared_mariadb, start_server)

SRV = None
DB = None
ADMIN = None        # a Client logged in as the first admin

# Many tests log in from 127.0.0.1, some with wrong passwords; keep login
# throttling out of their way (the throttling tests use servers of their
# own).  Throttle state lives in the database, so instances that share SRV's
# database use the same limits.
NO_THROTTLE = {
    "CONFERO_LOGIN_MAX_FAILURES": "1000",
    "CONFERO_LOGIN_MAX_FAILURES_ADDR": "100000",
}
SHARED_OVERRIDES = dict(NO_THROTTLE, CONFERO_BODY_MAX="2048")

MAKEFILE_MARKER = b"CFLAGS_W"


def setup_module():
    global SRV, DB, ADMIN
    DB = shared_mariadb()
    SRV = start_server(SHARED_OVERRIDES, tag="found")
    ADMIN = SRV.client()
    ADMIN.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    check(ADMIN.csrf, "login gave no csrf_token")


def teardown_module():
    if SRV is not None:
        SRV.stop()


# --------------------------------------------------------------------------
# helpers

def uniq_email(tag="u"):
    return "%s-%s@example.test" % (tag, uuid.uuid4().hex[:10])


def new_user(role, password="user-password-0123", email=None):
    """Create a user through the admin API; return (user dict, password)."""
    email = email or uniq_email(role)
    r = ADMIN.post("/api/v1/users", {"email": email, "role": role, "password": password})
    expect_status(r, 201, "create %s user" % role)
    return r.json["user"], password


def login_client(email, password, srv=None):
    c = (srv or SRV).client()
    c.login(email, password)
    return c


def role_of(me):
    """The role in a /me body (session or token)."""
    if isinstance(me, dict):
        if isinstance(me.get("user"), dict) and "role" in me["user"]:
            return me["user"]["role"]
        if "role" in me:
            return me["role"]
        if isinstance(me.get("token"), dict):
            return me["token"].get("role")
    return None


def create_token(client, role="checkin", name=None, event=None, **kw):
    r = client.post("/api/v1/tokens", {"name": name or "tok " + uuid.uuid4().hex[:6],
                                       "role": role, "event": event}, **kw)
    expect_status(r, 201, "create %s token" % role)
    check(isinstance(r.json, dict) and isinstance(r.json.get("token"), str),
          "token response has no token: %r" % r)
    return r.json


def session_cookie(resp):
    for sc in resp.header_all("Set-Cookie"):
        name, val, attrs = parse_set_cookie(sc)
        if name == "confero_session":
            return val, attrs, sc
    return None, None, None


def raw_exchange(host, port, data, timeout=10):
    """Send raw bytes, return (status, headers dict lower-case, body bytes)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(s)
    finally:
        s.close()


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    check(m, "no HTTP status line in %r" % buf[:200])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "-1"))
    if n >= 0:
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        body = body[:n]
    return int(m.group(1)), headers, body


def check_security_headers(resp, what):
    csp = resp.header("Content-Security-Policy")
    check(csp and "frame-ancestors" in csp,
          "%s: Content-Security-Policy with frame-ancestors missing (got %r)" % (what, csp))
    xcto = resp.header("X-Content-Type-Options")
    check(xcto and xcto.strip().lower() == "nosniff",
          "%s: X-Content-Type-Options: nosniff missing (got %r)" % (what, xcto))
    rp = resp.header("Referrer-Policy")
    check(rp and rp.strip(), "%s: Referrer-Policy missing" % what)


def users_list():
    r = ADMIN.get("/api/v1/users")
    expect_status(r, 200, "GET /api/v1/users")
    check(isinstance(r.json, dict) and isinstance(r.json.get("users"), list),
          "users list shape: %r" % r)
    return r.json["users"]


# --------------------------------------------------------------------------
# health and headers

def test_healthz():
    r = SRV.client().get("/healthz")
    expect_status(r, 200, "GET /healthz")
    check(r.header("Content-Type", "").startswith("application/json"),
          "healthz Content-Type: %r" % r.header("Content-Type"))
    check(isinstance(r.json, dict) and r.json.get("status") == "ok" and r.json.get("db") == "ok",
          "healthz body: %r" % r)


def test_security_headers_everywhere():
    c = SRV.client()
    cases = [
        ("JSON 200 /healthz", c.get("/healthz")),
        ("JSON 404 /api/v1/nope", c.get("/api/v1/nope")),
        ("static 404 /no-such-file.css", c.get("/no-such-file-%s.css" % uuid.uuid4().hex[:6])),
        ("static /", c.get("/")),
        ("401 /api/v1/auth/me", c.get("/api/v1/auth/me")),
        ("405 PUT login", c.request("PUT", "/api/v1/auth/login", json_body={})),
    ]
    for what, r in cases:
        check_security_headers(r, what)
    expect_status(cases[3][1], 200, "GET / (static index)")


# --------------------------------------------------------------------------
# command line

def test_instances_starting_together_migrate_once():
    # Four instances start at once on an empty database (a cluster after a
    # deploy): one migrates, the others wait for its lock row, all succeed,
    # every migration is applied once and the lock is given back.  No
    # GET_LOCK, which Galera does not replicate.
    import subprocess
    name = DB.create_database("migpar")
    env = base_env(DB, name)
    procs = [subprocess.Popen([harness.confero_bin(), "migrate"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    check(all(p.returncode == 0 for p in procs), "migrations: %r" % [(p.returncode, o) for p, o in zip(procs, outs)])
    applied = sum(o[0].count("applied ") for o in outs)
    files = sorted(glob.glob(os.path.join(REPO, "sql", "*.sql")))
    check(applied == len(files), "each migration applied once over the four: %d for %d" % (applied, len(files)))
    rows = DB.sql("SELECT version FROM schema_migrations ORDER BY 1;", db=name)
    check(len(rows) == len(files), "schema_migrations: %r" % rows)
    check(DB.sql("SELECT COUNT(*) FROM schema_lock;", db=name) == [["0"]], "the lock is given back")
    # A lock left by a crashed instance is taken over once its lease ran out.
    DB.sql("INSERT INTO schema_lock VALUES (1, 'crashed', NOW() - INTERVAL 1 SECOND);", db=name)
    p = run_confero(["migrate"], env)
    check(p.returncode == 0, "migrate over a stale lock: %d %s" % (p.returncode, p.stderr))
    check(DB.sql("SELECT COUNT(*) FROM schema_lock;", db=name) == [["0"]], "the stale lock is gone")


def test_migrate_twice_is_noop():
    name = DB.create_database("mig")
    env = base_env(DB, name)
    p1 = run_confero(["migrate"], env)
    check(p1.returncode == 0, "first migrate exited %d:\n%s%s" % (p1.returncode, p1.stdout, p1.stderr))
    rows1 = DB.sql("SELECT * FROM schema_migrations ORDER BY 1;", db=name)
    tables1 = DB.sql("SHOW TABLES;", db=name)
    p2 = run_confero(["migrate"], env)
    check(p2.returncode == 0, "second migrate exited %d:\n%s%s" % (p2.returncode, p2.stdout, p2.stderr))
    rows2 = DB.sql("SELECT * FROM schema_migrations ORDER BY 1;", db=name)
    tables2 = DB.sql("SHOW TABLES;", db=name)
    check(rows1 == rows2, "second migrate changed schema_migrations:\n%r\n%r" % (rows1, rows2))
    check(tables1 == tables2, "second migrate changed the tables")
    files = sorted(glob.glob(os.path.join(REPO, "sql", "*.sql")))
    check(files, "no sql/*.sql migrations in the repository")
    check(len(rows1) == len(files), "schema_migrations has %d rows for %d sql files: %r"
          % (len(rows1), len(files), rows1))
    values = {v for row in rows1 for v in row}
    for f in files:
        base = os.path.basename(f)
        stem = base[:-4]
        num = re.match(r"\d+", base)
        cands = {base, stem} | ({num.group(0), str(int(num.group(0)))} if num else set())
        check(values & cands, "migration %s not recorded in schema_migrations: %r" % (base, rows1))
    check_sanitizer(p1.stderr + p2.stderr, "confero migrate")
    DB.drop_database(name)


def _expect_config_error(var, value, extra=None):
    ov = {var: value}
    ov.update(extra or {})
    env = base_env(DB, SRV.db_name, ov)
    try:
        p = run_confero(["serve"], env, timeout=15)
    except Exception as e:      # TimeoutExpired: it served instead of failing
        raise AssertionError("%s=%r: confero serve did not exit (%s)" % (var, value, e))
    check(p.returncode == 2, "%s=%r: exit status %d, want 2; stderr:\n%s"
          % (var, value, p.returncode, p.stderr))
    check(var in p.stderr, "%s=%r: stderr does not name the variable:\n%s" % (var, value, p.stderr))


def test_invalid_config_pool():
    _expect_config_error("CONFERO_DB_POOL", "abc")


def test_invalid_config_listen():
    _expect_config_error("CONFERO_LISTEN", "nonsense")


def test_invalid_config_more():
    _expect_config_error("CONFERO_DB_POOL", "0")
    _expect_config_error("CONFERO_BODY_MAX", "12x")
    _expect_config_error("CONFERO_ADMIN_PASSWORD", "short")


def test_help_lists_variables():
    p = run_confero(["--help"], base_env(DB, "confero_unused"))
    check(p.returncode == 0, "--help exited %d: %s" % (p.returncode, p.stderr))
    for var in ("CONFERO_LISTEN", "CONFERO_DB_HOST", "CONFERO_DB_SOCKET", "CONFERO_SECRET_KEY_FILE"):
        check(var in p.stdout, "--help output (stdout) lacks %s:\n%s" % (var, p.stdout))


def test_version():
    p = run_confero(["--version"], base_env(DB, "confero_unused"))
    check(p.returncode == 0, "--version exited %d: %s" % (p.returncode, p.stderr))
    check(re.search(r"\d+\.\d+", p.stdout), "--version prints no version: %r" % p.stdout)


def _cli_env():
    return base_env(DB, SRV.db_name)


def test_user_add_password_from_stdin():
    email = uniq_email("cli")
    pw = "cli-password-%s" % uuid.uuid4().hex[:8]
    p = run_confero(["user", "add", "--email", email, "--role", "organiser"], _cli_env(),
                    stdin=pw + "\n")
    check(p.returncode == 0, "user add exited %d:\n%s%s" % (p.returncode, p.stdout, p.stderr))
    check(pw not in p.stdout + p.stderr, "user add echoed the password it was given")
    c = SRV.client()
    r = c.login(email, pw)
    check(r.json["user"]["email"].lower() == email.lower(), "login user: %r" % r)
    check(r.json["user"]["role"] == "organiser", "role: %r" % r)


def test_user_add_generated_password():
    email = uniq_email("gen")
    p = run_confero(["user", "add", "--email", email, "--role", "checkin"], _cli_env())
    check(p.returncode == 0, "user add exited %d:\n%s%s" % (p.returncode, p.stdout, p.stderr))
    m = re.search(r"^password: (\S+)\s*$", p.stdout, re.M)
    check(m, "no 'password: <pw>' line on stdout: %r" % p.stdout)
    pw = m.group(1)
    check(len(pw) >= 10, "generated password too short: %r" % pw)
    r = SRV.client().login(email, pw)
    check(r.json["user"]["role"] == "checkin", "role: %r" % r)


def test_user_add_invalid_role():
    email = uniq_email("bad")
    p = run_confero(["user", "add", "--email", email, "--role", "wizard"], _cli_env(),
                    stdin="some-password-123\n")
    check(p.returncode != 0, "user add --role wizard exited 0: %s" % p.stdout)
    emails = [u["email"].lower() for u in users_list()]
    check(email.lower() not in emails, "user with invalid role was created")


def test_user_add_duplicate_email():
    email = uniq_email("dup")
    env = _cli_env()
    p1 = run_confero(["user", "add", "--email", email, "--role", "organiser"], env,
                     stdin="first-password-123\n")
    check(p1.returncode == 0, "first user add exited %d: %s" % (p1.returncode, p1.stderr))
    p2 = run_confero(["user", "add", "--email", email.upper(), "--role", "admin"], env,
                     stdin="second-password-123\n")
    check(p2.returncode != 0, "second user add with the same email exited 0")
    SRV.client().login(email, "first-password-123")
    SRV.client().login(email, "second-password-123", expect=401)


# --------------------------------------------------------------------------
# login and sessions

def test_login_me_logout():
    c = SRV.client()
    r = c.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    b = r.json
    check(isinstance(b, dict) and isinstance(b.get("user"), dict), "login body: %r" % r)
    u = b["user"]
    for k in ("id", "email", "role"):
        check(k in u, "login user lacks %s: %r" % (k, u))
    check(u["email"] == ADMIN_EMAIL and u["role"] == "admin", "login user: %r" % u)
    check(isinstance(b.get("csrf_token"), str) and len(b["csrf_token"]) >= 16,
          "csrf_token: %r" % b.get("csrf_token"))
    check(not any("pass" in k or "hash" in k for k in u), "login user leaks password data: %r" % u)

    val, attrs, raw = session_cookie(r)
    check(val, "no confero_session cookie set: %r" % r.header_all("Set-Cookie"))
    check(attrs.get("path") == "/", "cookie Path: %r" % raw)
    check(attrs.get("httponly") is True, "cookie not HttpOnly: %r" % raw)
    check(str(attrs.get("samesite", "")).lower() == "lax", "cookie SameSite: %r" % raw)
    check("secure" not in attrs, "cookie Secure under http: %r" % raw)
    check(ADMIN_PASSWORD not in raw, "cookie contains the password")

    me = c.get("/api/v1/auth/me")
    expect_status(me, 200, "/me with cookie")
    check(me.json["user"]["id"] == u["id"] and me.json["user"]["email"] == u["email"]
          and me.json["user"]["role"] == "admin", "/me user: %r" % me)
    check(isinstance(me.json.get("csrf_token"), str) and me.json["csrf_token"],
          "/me csrf_token: %r" % me)

    expect_error(SRV.client().get("/api/v1/auth/me"), 401, "unauthorized", "/me without cookie")
    expect_error(SRV.client().get("/api/v1/auth/me", cookies={"confero_session": "x" * 43}),
                 401, "unauthorized", "/me with a forged cookie")

    # Log out with the token /me gave: it must be a valid CSRF token.
    out = c.request("POST", "/api/v1/auth/logout", csrf=me.json["csrf_token"])
    expect_status(out, 204, "logout")
    check(out.raw == b"", "204 with a body: %r" % out.raw)
    r = SRV.client().get("/api/v1/auth/me", cookies={"confero_session": val})
    expect_error(r, 401, "unauthorized", "/me with the logged-out cookie")


def test_https_base_url_secures_cookie():
    srv = start_server({"CONFERO_BASE_URL": "https://confero.example.test"}, tag="https")
    try:
        c = srv.client()
        r = c.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        found = [parse_set_cookie(sc) for sc in r.header_all("Set-Cookie")]
        names = [n for n, _, _ in found]
        check("__Host-confero_session" in names, "cookie names under https: %r" % names)
        check("confero_session" not in names, "plain confero_session cookie under https")
        _, _, attrs = [f for f in found if f[0] == "__Host-confero_session"][0]
        check(attrs.get("secure") is True and attrs.get("path") == "/" and "domain" not in attrs
              and attrs.get("httponly") is True and str(attrs.get("samesite", "")).lower() == "lax",
              "__Host- cookie attributes: %r" % r.header_all("Set-Cookie"))
        expect_status(c.get("/api/v1/auth/me"), 200, "/me with the __Host- cookie")
    finally:
        srv.stop()


def test_login_failures_are_identical():
    c = SRV.client()
    r1 = c.request("POST", "/api/v1/auth/login",
                   json_body={"email": ADMIN_EMAIL, "password": "wrong-password-123"})
    expect_error(r1, 401, "unauthorized", "wrong password")
    r2 = c.request("POST", "/api/v1/auth/login",
                   json_body={"email": uniq_email("nobody"), "password": "wrong-password-123"})
    expect_error(r2, 401, "unauthorized", "unknown email")
    check(r1.raw == r2.raw, "wrong password and unknown email differ:\n%r\n%r" % (r1.raw, r2.raw))
    check(not session_cookie(r1)[0] and not session_cookie(r2)[0], "failed login set a session cookie")


def test_login_email_case_insensitive():
    r = SRV.client().login(ADMIN_EMAIL.upper(), ADMIN_PASSWORD)
    check(r.json["user"]["email"] == ADMIN_EMAIL, "login user: %r" % r)


def test_login_rotates_session():
    # A cookie planted before login must not become the session.
    c = SRV.client()
    c.cookies["confero_session"] = "planted-session-value"
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    check(c.cookies.get("confero_session") not in (None, "planted-session-value"),
          "login kept the planted cookie")


def test_logout_ends_only_that_session():
    c1 = login_client(ADMIN_EMAIL, ADMIN_PASSWORD)
    c2 = login_client(ADMIN_EMAIL, ADMIN_PASSWORD)
    check(c1.cookies["confero_session"] != c2.cookies["confero_session"], "two logins share a session")
    expect_status(c1.post("/api/v1/auth/logout"), 204, "logout")
    expect_status(c1.get("/api/v1/auth/me"), 401, "/me after logout")
    expect_status(c2.get("/api/v1/auth/me"), 200, "the other session after logout")


def test_parallel_logins():
    u, pw = new_user("organiser")
    results, errors = [], []

    def worker():
        try:
            r = SRV.client().request("POST", "/api/v1/auth/login",
                                     json_body={"email": u["email"], "password": pw}, timeout=30)
            results.append(r.status)
        except Exception as e:
            errors.append(repr(e))
    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
    check(not errors, "parallel logins failed: %s" % errors[:3])
    check(results == [200] * 20, "20 parallel logins: %r" % results)


# --------------------------------------------------------------------------
# CSRF

def test_csrf_on_cookie_writes():
    c = login_client(ADMIN_EMAIL, ADMIN_PASSWORD)
    body = {"name": "csrf-none", "role": "checkin", "event": None}
    expect_error(c.post("/api/v1/tokens", body, csrf=False), 403, "csrf", "POST without X-CSRF-Token")
    body["name"] = "csrf-wrong"
    expect_error(c.post("/api/v1/tokens", body, csrf="A" * len(c.csrf)), 403, "csrf",
                 "POST with a wrong X-CSRF-Token")
    # Another session's token is wrong too.
    other = login_client(ADMIN_EMAIL, ADMIN_PASSWORD)
    body["name"] = "csrf-other"
    expect_error(c.post("/api/v1/tokens", body, csrf=other.csrf), 403, "csrf",
                 "POST with another session's X-CSRF-Token")
    body["name"] = "csrf-right"
    expect_status(c.post("/api/v1/tokens", body), 201, "POST with the right X-CSRF-Token")
    names = [t["name"] for t in c.get("/api/v1/tokens").json["tokens"]]
    check("csrf-right" in names, "created token not listed: %r" % names)
    for n in ("csrf-none", "csrf-wrong", "csrf-other"):
        check(n not in names, "a request rejected for CSRF created token %r" % n)


# --------------------------------------------------------------------------
# API tokens

def test_tokens_lifecycle():
    r = ADMIN.post("/api/v1/tokens", {"name": "door 1", "role": "checkin", "event": None})
    expect_status(r, 201, "create token")
    check("id" in r.json and isinstance(r.json.get("token"), str), "token body: %r" % r)
    tok, tid = r.json["token"], r.json["id"]
    check(tok.startswith("cft_") and len(tok) >= 24, "token format: %r" % tok)

    anon = SRV.client()
    me = anon.get("/api/v1/auth/me", bearer=tok)
    expect_status(me, 200, "/me with bearer token")
    check(role_of(me.json) == "checkin", "/me role with token: %r" % me)

    lst = ADMIN.get("/api/v1/tokens")
    expect_status(lst, 200, "GET /api/v1/tokens")
    check(tok.encode() not in lst.raw and tok[4:].encode() not in lst.raw,
          "token list reveals the secret")
    entries = [t for t in lst.json["tokens"] if t["id"] == tid]
    check(len(entries) == 1, "token %r not listed once: %r" % (tid, lst))
    e = entries[0]
    for k in ("id", "name", "role", "event", "prefix", "created_at", "last_used_at", "revoked"):
        check(k in e, "token entry lacks %s: %r" % (k, e))
    check(e["name"] == "door 1" and e["role"] == "checkin" and e["event"] is None
          and e["revoked"] is False, "token entry: %r" % e)
    # The prefix identifies the token to people; it may leave out "cft_".
    check(isinstance(e["prefix"], str) and len(e["prefix"]) >= 4
          and (tok.startswith(e["prefix"]) or tok[4:].startswith(e["prefix"]))
          and len(e["prefix"]) < len(tok) - 16,
          "token prefix %r is not a short prefix of the token" % e["prefix"])

    d = ADMIN.delete("/api/v1/tokens/%s" % tid)
    expect_status(d, 204, "DELETE token")
    check(d.raw == b"", "204 with a body: %r" % d.raw)
    expect_error(anon.get("/api/v1/auth/me", bearer=tok), 401, None, "revoked token")
    after = [t for t in ADMIN.get("/api/v1/tokens").json["tokens"] if t["id"] == tid]
    check(not after or after[0]["revoked"] is True, "revoked token listed as live: %r" % after)


def test_bearer_garbage_is_401():
    c = SRV.client()
    for tok in ("cft_" + "A" * 40, "nonsense", ""):
        r = c.request("GET", "/api/v1/auth/me", headers={"Authorization": "Bearer " + tok})
        expect_error(r, 401, None, "bearer %r" % tok)


def test_organiser_cannot_create_admin_token():
    u, pw = new_user("organiser")
    c = login_client(u["email"], pw)
    r = c.post("/api/v1/tokens", {"name": "escalate", "role": "admin", "event": None})
    expect_error(r, 403, "forbidden", "organiser creating an admin token")
    create_token(c, "checkin")


def test_tokens_private_to_their_owner():
    ua, pwa = new_user("organiser")
    ub, pwb = new_user("organiser")
    ca, cb = login_client(ua["email"], pwa), login_client(ub["email"], pwb)
    ta = create_token(ca, "checkin", name="owned by A")
    ids_b = [t["id"] for t in cb.get("/api/v1/tokens").json["tokens"]]
    check(ta["id"] not in ids_b, "organiser B sees organiser A's token")
    r = cb.delete("/api/v1/tokens/%s" % ta["id"])
    expect_status(r, (403, 404), "B deleting A's token")
    expect_status(SRV.client().get("/api/v1/auth/me", bearer=ta["token"]), 200,
                  "A's token after B tried to delete it")
    ids_a = [t["id"] for t in ca.get("/api/v1/tokens").json["tokens"]]
    check(ta["id"] in ids_a, "A does not see own token")


def test_checkin_token_forbidden():
    tok = create_token(ADMIN, "checkin")["token"]
    c = SRV.client()
    c.bearer = tok
    expect_error(c.get("/api/v1/users"), 403, "forbidden", "checkin GET /users")
    expect_error(c.post("/api/v1/users", {"email": uniq_email(), "role": "admin",
                                          "password": "pass-word-12345"}, csrf=False),
                 403, "forbidden", "checkin POST /users")
    expect_error(c.post("/api/v1/tokens", {"name": "x", "role": "organiser", "event": None},
                        csrf=False), 403, "forbidden", "checkin POST /tokens role organiser")


def test_bearer_needs_no_csrf():
    tok = create_token(ADMIN, "admin")["token"]
    c = SRV.client()
    email = uniq_email("viatoken")
    r = c.request("POST", "/api/v1/users", bearer=tok,
                  json_body={"email": email, "role": "checkin", "password": "token-made-123"})
    expect_status(r, 201, "POST /users with an admin bearer token and no CSRF header")


# --------------------------------------------------------------------------
# users

def test_users_create_and_list():
    email = uniq_email("made")
    r = ADMIN.post("/api/v1/users", {"email": email, "role": "organiser",
                                     "password": "made-password-123"})
    expect_status(r, 201, "create user")
    u = r.json["user"]
    for k in ("id", "email", "role", "disabled", "created_at"):
        check(k in u, "user lacks %s: %r" % (k, u))
    check(u["email"] == email and u["role"] == "organiser" and u["disabled"] is False, "user: %r" % u)
    check(not any("pass" in k or "hash" in k for k in u), "user JSON leaks password data: %r" % u)
    check("password" not in r.json, "password echoed although it was given: %r" % r)
    SRV.client().login(email, "made-password-123")

    email2 = uniq_email("gen")
    r = ADMIN.post("/api/v1/users", {"email": email2, "role": "checkin"})
    expect_status(r, 201, "create user without password")
    pw = r.json.get("password")
    check(isinstance(pw, str) and len(pw) >= 10, "generated password: %r" % r)
    SRV.client().login(email2, pw)

    listed = users_list()
    emails = [x["email"] for x in listed]
    check(email in emails and email2 in emails and ADMIN_EMAIL in emails,
          "users list lacks created users: %r" % emails)
    for x in listed:
        check(not any("pass" in k or "hash" in k for k in x), "users list leaks: %r" % x)


def test_users_duplicate_email_conflict():
    email = uniq_email("twin")
    new_user("organiser", email=email)
    r = ADMIN.post("/api/v1/users", {"email": email.upper(), "role": "checkin",
                                     "password": "other-password-123"})
    expect_error(r, 409, None, "duplicate email in other case")


def test_users_bad_email():
    r = ADMIN.post("/api/v1/users", {"email": "not-an-email", "role": "checkin",
                                     "password": "some-password-123"})
    err = expect_error(r, 422, "validation", "bad email")
    check(isinstance(err.get("fields"), dict) and "email" in err["fields"],
          "422 lacks fields.email: %r" % r)


def test_users_short_password():
    r = ADMIN.post("/api/v1/users", {"email": uniq_email("short"), "role": "checkin",
                                     "password": "short"})
    err = expect_error(r, 422, "validation", "5-character password")
    check("password" in (err.get("fields") or {}), "422 lacks fields.password: %r" % r)


def test_users_disable():
    u, pw = new_user("organiser")
    c = login_client(u["email"], pw)
    tok = create_token(c, "checkin")["token"]
    expect_status(SRV.client().get("/api/v1/auth/me", bearer=tok), 200, "token before disabling")

    r = ADMIN.patch("/api/v1/users/%s" % u["id"], {"disabled": True})
    expect_status(r, 200, "PATCH disabled")
    if isinstance(r.json, dict) and isinstance(r.json.get("user"), dict):
        check(r.json["user"]["disabled"] is True, "PATCH answer: %r" % r)
    listed = [x for x in users_list() if x["id"] == u["id"]]
    check(listed and listed[0]["disabled"] is True, "list after disabling: %r" % listed)

    expect_error(c.get("/api/v1/auth/me"), 401, "unauthorized", "session of a disabled user")
    expect_error(SRV.client().get("/api/v1/auth/me", bearer=tok), 401, None,
                 "token of a disabled user")
    r = SRV.client().login(u["email"], pw, expect=None)
    check(r.status in (401, 403), "disabled user logged in: %r" % r)
    check(not session_cookie(r)[0], "disabled user got a session cookie")

    r = ADMIN.patch("/api/v1/users/%s" % u["id"], {"disabled": False})
    expect_status(r, 200, "PATCH re-enable")
    SRV.client().login(u["email"], pw)


def test_users_change_role():
    u, pw = new_user("organiser")
    r = ADMIN.patch("/api/v1/users/%s" % u["id"], {"role": "checkin"})
    expect_status(r, 200, "PATCH role")
    listed = [x for x in users_list() if x["id"] == u["id"]]
    check(listed and listed[0]["role"] == "checkin", "list after role change: %r" % listed)
    r = SRV.client().login(u["email"], pw)
    check(r.json["user"]["role"] == "checkin", "login role after change: %r" % r)
    r = ADMIN.patch("/api/v1/users/%s" % u["id"], {"role": "emperor"})
    expect_error(r, 422, "validation", "PATCH invalid role")


def test_users_patch_unknown_id():
    r = ADMIN.patch("/api/v1/users/999999999", {"disabled": True})
    expect_error(r, 404, "not_found", "PATCH unknown user")


def test_organiser_cannot_manage_users():
    u, pw = new_user("organiser")
    c = login_client(u["email"], pw)
    expect_error(c.get("/api/v1/users"), 403, "forbidden", "organiser GET /users")
    expect_error(c.post("/api/v1/users", {"email": uniq_email(), "role": "admin",
                                          "password": "pass-word-12345"}),
                 403, "forbidden", "organiser POST /users")
    expect_error(c.patch("/api/v1/users/%s" % u["id"], {"role": "admin"}),
                 403, "forbidden", "organiser PATCH own role")
    r = SRV.client().login(u["email"], pw)
    check(r.json["user"]["role"] == "organiser", "organiser changed own role: %r" % r)


def test_demoted_user_loses_rights_at_once():
    u, pw = new_user("admin")
    c = login_client(u["email"], pw)
    tok = create_token(c, "admin")["token"]
    expect_status(c.get("/api/v1/users"), 200, "admin session before demotion")
    expect_status(SRV.client().get("/api/v1/users", bearer=tok), 200, "admin token before demotion")
    expect_status(ADMIN.patch("/api/v1/users/%s" % u["id"], {"role": "checkin"}), 200, "demote")
    expect_error(c.get("/api/v1/users"), 403, "forbidden", "existing session after demotion")
    expect_error(SRV.client().get("/api/v1/users", bearer=tok), 403, "forbidden",
                 "admin token of a demoted user")
    me = c.get("/api/v1/auth/me")
    check(role_of(me.json) == "checkin", "/me after demotion: %r" % me)


# --------------------------------------------------------------------------
# throttling (servers of their own)

def _retry_after(r):
    ra = r.header("Retry-After")
    check(ra is not None and re.fullmatch(r"\d+", ra.strip()) and int(ra) > 0,
          "429 without a positive integer Retry-After: %r" % ra)


def test_login_throttle_account():
    srv = start_server({"CONFERO_LOGIN_MAX_FAILURES": "3"}, tag="thr")
    try:
        c = srv.client()
        for i in range(3):
            r = c.request("POST", "/api/v1/auth/login",
                          json_body={"email": ADMIN_EMAIL, "password": "wrong-%d-password" % i})
            expect_error(r, 401, "unauthorized", "wrong password #%d" % (i + 1))
        r = c.request("POST", "/api/v1/auth/login",
                      json_body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        expect_error(r, 429, "rate_limited", "4th attempt with the right password")
        _retry_after(r)
        check(not session_cookie(r)[0], "throttled login set a cookie")
        # An unknown email is throttled the same way, or the 429 would tell
        # which accounts exist.
        ghost = uniq_email("ghost")
        for i in range(3):
            r = c.request("POST", "/api/v1/auth/login",
                          json_body={"email": ghost, "password": "wrong-%d-password" % i})
            expect_error(r, 401, "unauthorized", "unknown email, wrong password #%d" % (i + 1))
        r = c.request("POST", "/api/v1/auth/login",
                      json_body={"email": ghost, "password": "wrong-password"})
        expect_error(r, 429, "rate_limited", "4th attempt on an unknown email")
    finally:
        srv.stop()


def test_login_throttle_address():
    srv = start_server({"CONFERO_LOGIN_MAX_FAILURES_ADDR": "5"}, tag="thra")
    try:
        c = srv.client()
        for i in range(5):
            r = c.request("POST", "/api/v1/auth/login",
                          json_body={"email": uniq_email("ghost"), "password": "whatever-123"})
            expect_error(r, 401, "unauthorized", "unknown email #%d" % (i + 1))
        r = c.request("POST", "/api/v1/auth/login",
                      json_body={"email": uniq_email("ghost"), "password": "whatever-123"})
        expect_error(r, 429, "rate_limited", "6th failed attempt from the address")
        _retry_after(r)
        # Without CONFERO_TRUST_PROXY a client cannot pick its own address.
        r = c.request("POST", "/api/v1/auth/login", headers={"X-Forwarded-For": "198.51.100.7"},
                      json_body={"email": uniq_email("ghost"), "password": "whatever-123"})
        expect_error(r, 429, "rate_limited", "7th attempt with a spoofed X-Forwarded-For")
    finally:
        srv.stop()


# --------------------------------------------------------------------------
# error responses

def test_body_too_large():
    c = SRV.client()
    body = json.dumps({"email": "x@example.test", "password": ""})
    body = body[:-2] + "p" * (4096 - len(body)) + body[-2:]
    check(len(body) == 4096, "test body length")
    r = c.request("POST", "/api/v1/auth/login", body=body, content_type="application/json")
    expect_error(r, 413, "payload_too_large", "4096-byte body with CONFERO_BODY_MAX=2048")


def test_body_too_large_chunked():
    data = json.dumps({"email": "x@example.test", "password": "p" * 4000}).encode()
    chunks = b""
    for i in range(0, len(data), 500):
        part = data[i:i + 500]
        chunks += b"%x\r\n%s\r\n" % (len(part), part)
    chunks += b"0\r\n\r\n"
    req = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n" + chunks)
    status, headers, body = raw_exchange(SRV.host, SRV.port, req)
    check(status == 413, "chunked 4 KB body: status %d, want 413: %r" % (status, body))
    check(b"payload_too_large" in body, "chunked 413 body: %r" % body)


def test_bad_json():
    c = SRV.client()
    r = c.request("POST", "/api/v1/auth/login", body='{"email": "a@b.c", "password": ',
                  content_type="application/json")
    expect_error(r, 400, "bad_json", "truncated JSON")
    r = c.request("POST", "/api/v1/auth/login", body="not json at all",
                  content_type="application/json")
    expect_error(r, 400, "bad_json", "garbage JSON")


def test_wrong_content_type():
    r = SRV.client().request("POST", "/api/v1/auth/login",
                             body=json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
                             content_type="text/plain")
    expect_error(r, 415, "unsupported_media_type", "text/plain body")
    check(not session_cookie(r)[0], "415 set a cookie")


def test_json_with_charset_is_accepted():
    r = SRV.client().request("POST", "/api/v1/auth/login",
                             body=json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
                             content_type="application/json; charset=utf-8")
    expect_status(r, 200, "login with Content-Type application/json; charset=utf-8")


def test_unknown_route():
    c = SRV.client()
    expect_error(c.get("/api/v1/nope"), 404, "not_found", "GET /api/v1/nope")
    expect_error(c.request("POST", "/api/v1/nope", json_body={}), 404, "not_found",
                 "POST /api/v1/nope")


def test_wrong_method():
    r = SRV.client().request("PUT", "/api/v1/auth/login", json_body={"email": "a", "password": "b"})
    expect_error(r, 405, "method_not_allowed", "PUT /api/v1/auth/login")
    allow = r.header("Allow", "")
    check("POST" in [m.strip() for m in allow.split(",")], "Allow header: %r" % allow)


def test_validation_error_shape():
    r = ADMIN.post("/api/v1/users", {"email": "not-an-email", "role": "wizard",
                                     "password": "some-password-123"})
    err = expect_error(r, 422, "validation", "invalid user")
    check(isinstance(err.get("fields"), dict), "no fields object: %r" % r)
    check("email" in err["fields"] and "role" in err["fields"],
          "fields should name email and role: %r" % err["fields"])
    for k, v in err["fields"].items():
        check(isinstance(v, str) and v, "field message for %s: %r" % (k, v))


# --------------------------------------------------------------------------
# static files

CTYPES = {
    ".html": ("text/html",), ".css": ("text/css",),
    ".js": ("text/javascript", "application/javascript"),
    ".mjs": ("text/javascript", "application/javascript"),
    ".json": ("application/json",), ".svg": ("image/svg+xml",),
    ".png": ("image/png",), ".ico": ("image/x-icon", "image/vnd.microsoft.icon"),
    ".webmanifest": ("application/manifest+json",), ".woff2": ("font/woff2",),
    ".txt": ("text/plain",),
}


def test_static_index():
    r = SRV.client().get("/")
    expect_status(r, 200, "GET /")
    check(r.header("Content-Type", "").startswith("text/html"), "Content-Type %r" % r.header("Content-Type"))
    with open(os.path.join(WEB_DIR, "index.html"), "rb") as f:
        check(r.raw == f.read(), "GET / is not web/index.html")


def test_static_files_content_types():
    c = SRV.client()
    for root, dirs, files in os.walk(WEB_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            ext = os.path.splitext(name)[1].lower()
            if name.startswith(".") or ext not in CTYPES:
                continue
            path = os.path.relpath(os.path.join(root, name), WEB_DIR).replace(os.sep, "/")
            r = c.get("/" + path)
            expect_status(r, 200, "GET /" + path)
            ctype = r.header("Content-Type", "").split(";")[0].strip().lower()
            check(ctype in CTYPES[ext], "/%s: Content-Type %r, want one of %r" % (path, ctype, CTYPES[ext]))
            with open(os.path.join(root, name), "rb") as f:
                check(r.raw == f.read(), "/%s: body differs from the file" % path)
    expect_status(c.get("/no-such-file-%s.js" % uuid.uuid4().hex[:6]), 404, "missing static file")


def test_static_path_traversal():
    c = SRV.client()
    paths = ["/../Makefile", "/%2e%2e/Makefile", "/..%2fMakefile", "/static/../../Makefile",
             "/%2e%2e%2fMakefile", "/.%2e/Makefile", "/..%5cMakefile", "/../../../../etc/passwd",
             "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"]
    for p in paths:
        r = c.get(p)
        check(MAKEFILE_MARKER not in r.raw and b"root:" not in r.raw,
              "%s served a file outside web/: %r" % (p, r.raw[:200]))
        expect_status(r, 404, "GET %s" % p)


# --------------------------------------------------------------------------
# logging

def test_request_log_lines_without_secrets():
    c = SRV.client()
    wrong = "wrong-pw-%s" % uuid.uuid4().hex[:8]
    c.request("POST", "/api/v1/auth/login", json_body={"email": ADMIN_EMAIL, "password": wrong})
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    cookie = c.cookies["confero_session"]
    csrf = c.csrf
    tok = create_token(c, "checkin")["token"]
    expect_status(SRV.client().get("/api/v1/auth/me", bearer=tok), 200, "/me with token")
    qsecret = "q" + uuid.uuid4().hex
    expect_status(c.get("/api/v1/auth/me?secret=" + qsecret), 200, "/me with a query")
    marker = "/api/v1/nope-" + uuid.uuid4().hex[:8]
    for _ in range(3):
        c.get(marker)

    log = SRV.wait_log(re.escape(marker), count=3)
    check(re.search(r"\bPOST /api/v1/auth/login 200\b", log), "no log line 'POST /api/v1/auth/login 200'")
    check(re.search(r"\bPOST /api/v1/auth/login 401\b", log), "no log line 'POST /api/v1/auth/login 401'")
    check(re.search(r"\bGET /api/v1/auth/me 200\b", log), "no log line 'GET /api/v1/auth/me 200'")
    n = len([l for l in log.splitlines() if marker in l])
    check(n == 3, "3 requests to %s gave %d log lines" % (marker, n))
    check(re.search(r"\bGET " + re.escape(marker) + r" 404\b", log), "404 line lacks method/path/status")
    for what, secret in (("password", ADMIN_PASSWORD), ("wrong password", wrong),
                         ("session cookie", cookie), ("csrf token", csrf),
                         ("bearer token", tok), ("bearer token tail", tok[-16:]),
                         ("query string", qsecret)):
        check(secret not in log, "the log contains the %s" % what)


# --------------------------------------------------------------------------
# database outage

def test_database_outage_and_recovery():
    db = private_mariadb()
    name = db.create_database("out")
    srv = start_server({"CONFERO_DB_POOL": "4"}, db=db, db_name=name, tag="out")
    try:
        c = srv.client()
        r = c.get("/healthz")
        expect_status(r, 200, "healthz before the outage")

        db.stop()

        def degraded():
            try:
                r = c.get("/healthz", timeout=5)
            except OSError:
                return None
            return r if r.status == 503 else None
        r = poll(degraded, 8)
        check(r, "healthz did not turn 503 within 8 s of stopping MariaDB")
        check(r.json == {"status": "degraded", "db": "down"} or
              (isinstance(r.json, dict) and r.json.get("status") == "degraded" and r.json.get("db") == "down"),
              "healthz body during the outage: %r" % r)
        check(srv.alive(), "confero died when MariaDB stopped")
        r = c.request("POST", "/api/v1/auth/login",
                      json_body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=10)
        expect_error(r, 503, "unavailable", "login during the outage")

        db.start()
        t0 = time.monotonic()

        def healthy():
            try:
                r = c.get("/healthz", timeout=5)
            except OSError:
                return None
            return r if r.status == 200 else None
        r = poll(healthy, 10)
        check(r, "healthz not back to 200 within 10 s of restarting MariaDB")
        check(r.json.get("db") == "ok", "healthz after recovery: %r" % r)
        check(time.monotonic() - t0 <= 11, "recovery too slow")
        srv.client().login(ADMIN_EMAIL, ADMIN_PASSWORD)
        check(srv.alive(), "confero died during recovery")
    finally:
        srv.stop()
        db.stop()


# --------------------------------------------------------------------------
# process and deployment

def test_sigint_exits_cleanly_and_secret_file_is_private():
    srv = start_server(tag="sig")
    expect_status(srv.client().get("/healthz"), 200, "healthz")
    secret = srv.env["CONFERO_SECRET_KEY_FILE"]
    st = os.stat(secret)
    check(st.st_mode & 0o077 == 0, "secret key file mode %o is readable by others" % (st.st_mode & 0o777))
    check(st.st_size >= 32, "secret key file has %d bytes" % st.st_size)
    # Open connections (an idle keep-alive one, a half-sent request) must
    # not hold up the shutdown.
    keep = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    keep.request("GET", "/healthz")
    keep.getresponse().read()
    half = socket.create_connection((srv.host, srv.port), timeout=10)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    t0 = time.monotonic()
    srv.proc.send_signal(signal.SIGINT)
    try:
        try:
            rc = srv.proc.wait(15)
        except Exception:
            rc = "still running after 15 s"
    finally:
        srv.kill()
        keep.close()
        half.close()
    check(rc == 0, "exit status after SIGINT: %s\n%s" % (rc, srv.log()[-2000:]))
    check(time.monotonic() - t0 < 5, "shutdown took %.1f s" % (time.monotonic() - t0))
    check_sanitizer(srv.log(), "confero serve")


def test_idle_connection_times_out():
    srv = start_server({"CONFERO_CONN_TIMEOUT": "1"}, tag="idle")
    try:
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 12")
            t0 = time.monotonic()
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = None
            check(data is not None and time.monotonic() - t0 < 6,
                  "a stalled request was not closed within 6 s (CONFERO_CONN_TIMEOUT=1)")
        finally:
            s.close()
        expect_status(srv.client().get("/healthz"), 200, "healthz after the timeout")
    finally:
        srv.stop()


def test_second_instance_shares_sessions():
    # Stateless servers: another instance on the same database and secret
    # accepts the session and its CSRF token.
    other = start_server(dict(NO_THROTTLE, CONFERO_SECRET_KEY_FILE=SRV.env["CONFERO_SECRET_KEY_FILE"]),
                         db_name=SRV.db_name, tag="two")
    try:
        c = login_client(ADMIN_EMAIL, ADMIN_PASSWORD)
        c2 = other.client()
        c2.cookies = dict(c.cookies)
        c2.csrf = c.csrf
        me = c2.get("/api/v1/auth/me")
        expect_status(me, 200, "session from instance 1 on instance 2")
        expect_status(c2.post("/api/v1/auth/logout"), 204, "logout on instance 2 with instance 1's CSRF token")
        expect_status(c.get("/api/v1/auth/me"), 401, "instance 1 after logout on instance 2")
    finally:
        other.stop()


def test_admin_env_only_bootstraps():
    # CONFERO_ADMIN_PASSWORD creates the first admin; it must not reset the
    # password of an existing account on later starts.
    other = start_server(dict(NO_THROTTLE, CONFERO_ADMIN_PASSWORD="a-different-password-42"),
                         db_name=SRV.db_name, tag="boot")
    try:
        other.client().login(ADMIN_EMAIL, "a-different-password-42", expect=401)
        other.client().login(ADMIN_EMAIL, ADMIN_PASSWORD)
    finally:
        other.stop()


def test_head_requests():
    c = SRV.client()
    for path in ("/", "/healthz"):
        g = c.get(path)
        h = c.request("HEAD", path)
        expect_status(h, 200, "HEAD " + path)
        check(h.raw == b"", "HEAD %s returned a body" % path)
        check(h.header("Content-Type") == g.header("Content-Type"),
              "HEAD %s Content-Type %r, GET gives %r" % (path, h.header("Content-Type"), g.header("Content-Type")))
        check_security_headers(h, "HEAD " + path)


# --------------------------------------------------------------------------
# concurrency

def test_parallel_health_with_slow_request_outstanding():
    body = json.dumps({"email": "slow@example.test", "password": "slow-password-123"}).encode()
    slow = socket.create_connection((SRV.host, SRV.port), timeout=15)
    half = socket.create_connection((SRV.host, SRV.port), timeout=15)
    try:
        slow.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n" % len(body) + body[:10])
        half.sendall(b"GET /healthz HTTP/1.1\r\nHost: 12")
        time.sleep(0.2)

        results = [None] * 50
        errors = []

        def worker(i):
            try:
                results[i] = SRV.client().get("/healthz", timeout=10).status
            except Exception as e:
                errors.append(repr(e))
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        elapsed = time.monotonic() - t0
        check(not errors, "parallel /healthz errors: %s" % errors[:3])
        check(all(s == 200 for s in results), "parallel /healthz statuses: %r" % results)
        check(elapsed < 10, "50 parallel /healthz took %.1fs" % elapsed)

        slow.sendall(body[10:])
        status, _, rbody = read_response(slow)
        check(status == 401, "the slow login finished with %d: %r" % (status, rbody))
    finally:
        slow.close()
        half.close()
    check(SRV.alive(), "server died")
