"""
Helpers for Confero's black-box integration tests: a fresh database per
test module, the real `confero` binary started and stopped, and a small
HTTP client with cookies.  Standard library only.

Environment:
  CONFERO_TEST_MARIADB_DIR  directory of the MariaDB started by scripts/test
  CONFERO_BIN               the binary under test (default ./confero)
  CONFERO_TEST_SANITIZE=1   the binary is a sanitizer build (the logs are
                            always checked for sanitizer reports anyway)
"""

import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEB_DIR = os.path.join(REPO, "web")
MARIADB_SCRIPT = os.path.join(REPO, "scripts", "mariadb")

ADMIN_EMAIL = "admin@example.test"
ADMIN_PASSWORD = "admin-password-0123"

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
HTTP_TIMEOUT = 15.0

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:",
                     "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer")


class TestFailure(AssertionError):
    pass


def confero_bin():
    b = os.environ.get("CONFERO_BIN", "./confero")
    if not os.path.isabs(b):
        cand = os.path.abspath(b)
        if not os.path.exists(cand):
            cand = os.path.join(REPO, b)
        b = cand
    return b


def mariadb_dir():
    d = os.environ.get("CONFERO_TEST_MARIADB_DIR")
    if not d:
        raise TestFailure("CONFERO_TEST_MARIADB_DIR is not set (run via scripts/test)")
    return d


# Everything started here is registered so that the runner can stop it even
# when a test fails half-way.
_servers = []
_private_mariadbs = []
_tmpdirs = []
_lock = threading.Lock()


def tmpdir(prefix="t"):
    """A fresh directory, removed by cleanup().  Short, for socket paths."""
    base = os.environ.get("CONFERO_TEST_TMP") or None
    d = tempfile.mkdtemp(prefix=prefix, dir=base)
    with _lock:
        _tmpdirs.append(d)
    return d


# --------------------------------------------------------------------------
# MariaDB

class MariaDB:
    """A MariaDB server under dir, managed by scripts/mariadb."""

    def __init__(self, d):
        self.dir = os.path.abspath(d)

    @property
    def socket(self):
        return os.path.join(self.dir, "mysqld.sock")

    @property
    def password(self):
        with open(os.path.join(self.dir, "password")) as f:
            return f.read().strip()

    def sql(self, statements, db=None, user="root"):
        """Run SQL as root (or confero); return rows as lists of strings."""
        args = ["mariadb", "--no-defaults", "--socket=" + self.socket,
                "-u" + user, "-N", "-B"]
        if user != "root":
            args.append("-p" + self.password)
        if db:
            args.append(db)
        p = subprocess.run(args, input=statements, capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            raise TestFailure("mariadb failed (%d): %s\nSQL: %s"
                              % (p.returncode, p.stderr.strip(), statements))
        return [line.split("\t") for line in p.stdout.splitlines()]

    def create_database(self, tag="t"):
        name = "confero_%s_%s" % (re.sub(r"[^a-z0-9]", "", tag.lower())[:20],
                                  uuid.uuid4().hex[:10])
        self.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4 "
                 "COLLATE utf8mb4_unicode_ci;" % name)
        return name

    def drop_database(self, name):
        self.sql("DROP DATABASE IF EXISTS `%s`;" % name)

    def start(self):
        run_checked(["sh", MARIADB_SCRIPT, "start", self.dir], timeout=120)

    def stop(self):
        run_checked(["sh", MARIADB_SCRIPT, "stop", self.dir], timeout=120)


def shared_mariadb():
    return MariaDB(mariadb_dir())


def private_mariadb():
    """Start a MariaDB of the caller's own (for outage tests)."""
    m = MariaDB(tmpdir("m"))
    with _lock:
        _private_mariadbs.append(m)
    m.start()
    return m


def run_checked(args, timeout=60, **kw):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if p.returncode != 0:
        raise TestFailure("%s exited %d:\n%s%s" % (" ".join(args), p.returncode,
                                                   p.stdout, p.stderr))
    return p


# --------------------------------------------------------------------------
# The confero binary

def base_env(db, db_name, overrides=None, secret_file=None):
    """The environment for confero against database db_name on MariaDB db."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFERO_")}
    env.update({
        "CONFERO_LISTEN": "127.0.0.1:0",
        "CONFERO_DB_SOCKET": db.socket,
        "CONFERO_DB_USER": "confero",
        "CONFERO_DB_PASSWORD": db.password,
        "CONFERO_DB_NAME": db_name,
        "CONFERO_SECRET_KEY_FILE": secret_file or os.path.join(tmpdir("k"), "secret"),
        "CONFERO_WEB_DIR": WEB_DIR,
        "CONFERO_ADMIN_EMAIL": ADMIN_EMAIL,
        "CONFERO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CONFERO_HASH_WORKERS": "2",
        # Every test client is 127.0.0.1: the per-address registration
        # limit is off unless a test turns it on (test_idempotency).
        "CONFERO_REGISTER_MAX_ADDR": "0",
    })
    # Sanitizer runs: make reports fatal and visible in the log.
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    for k, v in (overrides or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_confero(args, env, stdin=None, timeout=60):
    """Run a confero subcommand; return CompletedProcess (text)."""
    kw = {}
    if stdin is None:
        kw["stdin"] = subprocess.DEVNULL
    else:
        kw["input"] = stdin
    p = subprocess.run([confero_bin()] + list(args), env=env,
                       capture_output=True, text=True, timeout=timeout, **kw)
    check_sanitizer(p.stdout + p.stderr, "confero " + " ".join(args))
    return p


def check_sanitizer(text, what):
    for m in SANITIZER_MARKERS:
        if m in text:
            raise TestFailure("%s: sanitizer report in output:\n%s" % (what, text[-6000:]))


# --------------------------------------------------------------------------
# What the whole suite sends and receives that must never reach a server
# log: attendees' names and emails, passwords, API tokens, session ids,
# CSRF tokens, manage secrets and ticket codes.  Every Client records them;
# every server stopped with check=True has its log searched for all of them.

SENSITIVE_WORDS = set()         # single tokens: emails, secrets, codes, passwords
SENSITIVE_NAMES = set()         # attendees' names of two words or more
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_WORD_RE = re.compile(r"[A-Za-z0-9_\-+.@%]+")
_NAME_PATHS = ("/registrations", "/manage/", "/users")


def _record_word(v):
    if isinstance(v, str) and len(v) >= 8 and " " not in v:
        SENSITIVE_WORDS.add(v)


def _record_sent(path, body):
    if not isinstance(body, dict):
        return
    for k in ("email", "password"):
        _record_word(body.get(k))
    name = body.get("name")
    if (isinstance(name, str) and any(p in path for p in _NAME_PATHS)
            and len(name.split()) >= 2 and len(name) >= 6):
        SENSITIVE_NAMES.add(name)


def _record_received(obj, depth=0):
    if depth > 6:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("token", "csrf_token", "password") or (k == "code" and isinstance(v, str) and len(v) > 40):
                _record_word(v)
            elif k == "manage_url" and isinstance(v, str) and "/manage/" in v:
                _record_word(v.rsplit("/manage/", 1)[1])
            elif isinstance(v, (dict, list)):
                _record_received(v, depth + 1)
    elif isinstance(obj, list):
        for v in obj[:200]:
            _record_received(v, depth + 1)


def sensitive_in_log(text):
    """What of the recorded secrets and personal data the text holds."""
    found = set(m.group(0) for m in _EMAIL_RE.finditer(text))
    words = set(_WORD_RE.findall(text))
    found |= words & SENSITIVE_WORDS
    pairs = set()
    toks = text.split()
    for a, b in zip(toks, toks[1:]):
        pairs.add(a + " " + b)
    for n in SENSITIVE_NAMES:
        parts = n.split()
        if parts[0] + " " + parts[1] in pairs and n in text:
            found.add(n)
    return sorted(found)


class Server:
    """A running `confero serve`; stderr goes to self.log_path."""

    def __init__(self, db=None, db_name=None, overrides=None, tag="srv"):
        self.db = db or shared_mariadb()
        self.db_name = db_name or self.db.create_database(tag)
        self.dir = tmpdir("s")
        self.log_path = os.path.join(self.dir, "confero.log")
        self.env = base_env(self.db, self.db_name, overrides,
                            secret_file=os.path.join(self.dir, "secret"))
        self.proc = None
        self.url = None
        self.host = None
        self.port = None
        self.stopped = False

    def start(self):
        self._logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen([confero_bin(), "serve"], env=self.env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._logf, stderr=self._logf)
        with _lock:
            _servers.append(self)
        deadline = time.monotonic() + START_TIMEOUT
        pat = re.compile(r"listening on (http://([0-9.]+|\[[0-9a-fA-F:]+\]):(\d+))")
        while time.monotonic() < deadline:
            m = pat.search(self.log())
            if m:
                self.url = m.group(1)
                self.host = m.group(2).strip("[]")
                self.port = int(m.group(3))
                if self.port == 0:
                    raise TestFailure("server announced port 0:\n" + self.log())
                return self
            if self.proc.poll() is not None:
                raise TestFailure("confero serve exited with %d before listening:\n%s"
                                  % (self.proc.returncode, self.log()))
            time.sleep(0.05)
        self.kill()
        raise TestFailure("confero serve did not print 'listening on http://...' within "
                          "%gs:\n%s" % (START_TIMEOUT, self.log()))

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=3.0, count=1):
        """Wait until regex pattern matches at least count times; return log."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            text = self.log()
            if len(rx.findall(text)) >= count or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self):
        return Client(self.host, self.port)

    def stop(self, check=True):
        """SIGTERM, wait, and (check) assert exit 0 and no sanitizer report."""
        if self.stopped or self.proc is None:
            return
        self.stopped = True
        rc = self.proc.poll()
        was_dead = rc is not None
        if not was_dead:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._logf.close()
                if check:
                    raise TestFailure("confero serve did not exit within %gs of SIGTERM; log:\n%s"
                                      % (STOP_TIMEOUT, self.log()[-4000:]))
                return
        self._logf.close()
        if check:
            if was_dead:
                raise TestFailure("confero serve died during the tests (status %s); log:\n%s"
                                  % (rc, self.log()[-4000:]))
            if rc != 0:
                raise TestFailure("confero serve exited %s after SIGTERM (want 0); log:\n%s"
                                  % (rc, self.log()[-4000:]))
            check_sanitizer(self.log(), "confero serve")
            leaked = sensitive_in_log(self.log())
            if leaked:
                raise TestFailure("the server log holds personal data or secrets the tests "
                                  "sent or got (%d, e.g. %r); log in %s"
                                  % (len(leaked), leaked[:3], self.log_path))

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stopped = True


def start_server(overrides=None, db=None, db_name=None, tag="srv"):
    return Server(db=db, db_name=db_name, overrides=overrides, tag=tag).start()


def cleanup():
    """Stop whatever is still running; remove temporary directories."""
    import shutil
    with _lock:
        servers, _servers[:] = list(_servers), []
        dbs, _private_mariadbs[:] = list(_private_mariadbs), []
        dirs, _tmpdirs[:] = list(_tmpdirs), []
    for s in servers:
        try:
            s.kill()
        except Exception:
            pass
    for m in dbs:
        try:
            m.stop()
        except Exception:
            pass
    if os.environ.get("CONFERO_TEST_KEEP") != "1":
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------
# HTTP

class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers          # http.client.HTTPMessage
        self.raw = raw                  # bytes
        ctype = headers.get("Content-Type", "") or ""
        self.json = None
        if "json" in ctype and raw:
            try:
                self.json = json.loads(raw.decode("utf-8"))
            except ValueError:
                self.json = None
        self.body = self.json if self.json is not None else raw

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    @property
    def error_code(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def __iter__(self):                 # status, headers, body = resp
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.headers.get("Content-Type"),
                               self.raw[:500])


def parse_set_cookie(value):
    """'n=v; Path=/; HttpOnly' -> (n, v, {'path': '/', 'httponly': True})"""
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), val.strip(), attrs


class Client:
    """HTTP/1.1 client with a cookie jar and optional CSRF/bearer headers."""

    def __init__(self, host, port, timeout=HTTP_TIMEOUT):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.cookies = {}
        self.csrf = None
        self.bearer = None

    def request(self, method, path, json_body=None, body=None, headers=None,
                content_type=None, csrf=None, cookies=True, bearer=None,
                timeout=None):
        """Send a request; path is sent verbatim (no normalisation).

        json_body: serialised with Content-Type application/json.
        body: raw bytes/str sent as is (content_type, if given, is set).
        csrf: True sends self.csrf, a string sends that string, None/False nothing.
        cookies: True sends the jar, False none, a dict sends that dict.
        bearer: a token to send as Authorization: Bearer (default self.bearer).
        """
        hdrs = {}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            data = body.encode() if isinstance(body, str) else body
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        _record_sent(path, json_body)
        jar = self.cookies if cookies is True else (cookies or {})
        for v in jar.values():
            _record_word(v)
        if jar:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in jar.items())
        if csrf is True:
            if self.csrf:
                hdrs["X-CSRF-Token"] = self.csrf
        elif csrf:
            hdrs["X-CSRF-Token"] = csrf
        tok = bearer if bearer is not None else self.bearer
        if tok:
            _record_word(tok)
            hdrs["Authorization"] = "Bearer " + tok
        if data is not None or method in ("POST", "PUT", "PATCH"):
            hdrs["Content-Length"] = str(len(data or b""))
        for k, v in (headers or {}).items():
            if v is None:
                hdrs.pop(k, None)
            else:
                hdrs[k] = v
        conn = http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout or self.timeout)
        try:
            conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.endheaders()
            if data:
                try:
                    conn.send(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass            # the server may answer early (413)
            r = conn.getresponse()
            raw = r.read()
            resp = Response(r.status, r.headers, raw)
            _record_received(resp.json)
        finally:
            conn.close()
        for sc in resp.header_all("Set-Cookie"):
            n, v, attrs = parse_set_cookie(sc)
            if v == "" or attrs.get("max-age") in ("0", "-1"):
                self.cookies.pop(n, None)
            else:
                self.cookies[n] = v
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        kw.setdefault("csrf", True)
        return self.request("POST", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        kw.setdefault("csrf", True)
        return self.request("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        kw.setdefault("csrf", True)
        return self.request("DELETE", path, **kw)

    def login(self, email, password, expect=200):
        r = self.request("POST", "/api/v1/auth/login",
                         json_body={"email": email, "password": password})
        if expect is not None:
            check(r.status == expect, "login %s: want %d, got %r" % (email, expect, r))
        if r.status == 200 and isinstance(r.json, dict):
            self.csrf = r.json.get("csrf_token")
        return r


# --------------------------------------------------------------------------
# Assertions

def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


def expect_status(resp, status, what=""):
    statuses = status if isinstance(status, (tuple, list, set)) else (status,)
    if resp.status not in statuses:
        raise TestFailure("%s: want status %s, got %r" % (what or "request", status, resp))
    return resp


def expect_error(resp, status, code=None, what=""):
    """The response is a JSON error {"error":{"code","message",...}}."""
    expect_status(resp, status, what)
    ctype = resp.header("Content-Type", "")
    check(ctype.startswith("application/json"),
          "%s: error body Content-Type %r, want application/json (%r)" % (what, ctype, resp))
    check(isinstance(resp.json, dict) and isinstance(resp.json.get("error"), dict),
          "%s: want a JSON error object, got %r" % (what, resp))
    err = resp.json["error"]
    check(isinstance(err.get("code"), str) and isinstance(err.get("message"), str),
          "%s: error needs string code and message: %r" % (what, resp))
    if code is not None:
        check(err["code"] == code, "%s: want error code %r, got %r" % (what, code, resp))
    return err


def poll(fn, timeout, interval=0.2):
    """Call fn until it returns a truthy value or timeout; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def url_path_quote(s):
    return urllib.parse.quote(s, safe="")
