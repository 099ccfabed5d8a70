"""
Shared parts of the fault scenarios (tests/faults/scen_*.py): a history of
operations with their outcome (ok / failed / unknown) and latency, a
keep-alive HTTP client for scanners, invariant checks that print what
they checked with the figures, and control of a MariaDB of the
scenario's own (kill -9, SIGSTOP/SIGCONT, restart).

The scenarios use the integration harness (tests/integration/harness.py)
for the server, the database and HTTP; standard library only.
"""

import http.client
import json
import os
import signal
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION = os.path.join(os.path.dirname(HERE), "integration")
if INTEGRATION not in sys.path:
    sys.path.insert(0, INTEGRATION)
sys.dont_write_bytecode = True

import harness                                  # noqa: E402

# The hostile-client scenario opens thousands of sockets (and slowhttptest,
# a child, inherits this): take what the hard limit allows.
try:
    import resource
    _soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if _soft < _hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (_hard, _hard))
except (ImportError, ValueError, OSError):
    pass
from harness import TestFailure                 # noqa: E402,F401

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"


def say(msg):
    print("    " + msg, flush=True)


# --------------------------------------------------------------------------
# History of operations

class Op:
    __slots__ = ("kind", "t0", "t1", "outcome", "status", "code", "info")

    def __init__(self, kind, t0, t1, outcome, status=None, code=None, info=None):
        self.kind, self.t0, self.t1 = kind, t0, t1
        self.outcome, self.status, self.code, self.info = outcome, status, code, info

    @property
    def dt(self):
        return self.t1 - self.t0

    def __repr__(self):
        return "<%s %s %s %s %.3fs %r>" % (self.kind, self.outcome, self.status, self.code,
                                           self.dt, self.info)


class History:
    """Every operation of a scenario, thread-safe."""

    def __init__(self):
        self.ops = []
        self.lock = threading.Lock()

    def add(self, op):
        with self.lock:
            self.ops.append(op)
        return op

    def of(self, kind=None, outcome=None, t_from=None, t_to=None, pred=None):
        """Operations of kind (and outcome) that started in [t_from, t_to)."""
        with self.lock:
            ops = list(self.ops)
        return [o for o in ops
                if (kind is None or o.kind == kind) and (outcome is None or o.outcome == outcome)
                and (t_from is None or o.t0 >= t_from) and (t_to is None or o.t0 < t_to)
                and (pred is None or pred(o))]

    def counts(self, kind=None, **kw):
        c = {OK: 0, FAILED: 0, UNKNOWN: 0}
        for o in self.of(kind, **kw):
            c[o.outcome] += 1
        return c


def pct(values, q):
    """The q-th percentile (0-100) by nearest rank; None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def ms(x):
    return "-" if x is None else "%.1f ms" % (x * 1000.0)


def lat_summary(ops):
    d = [o.dt for o in ops]
    if not d:
        return "n=0"
    return "n=%d p50=%s p99=%s max=%s" % (len(d), ms(pct(d, 50)), ms(pct(d, 99)), ms(max(d)))


# --------------------------------------------------------------------------
# HTTP

def error_code(body):
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


def call(hist, kind, client, method, path, body=None, timeout=30, ok=None, **kw):
    """One request through a harness.Client, recorded in hist.  ok(resp)
    says whether the answer is a success (default: 2xx).  A connection
    error or timeout is 'unknown' (the request may have had its effect)."""
    t0 = time.monotonic()
    try:
        if method == "GET":
            r = client.get(path, timeout=timeout, **kw)
        else:
            kw.setdefault("csrf", None if client.bearer else True)
            r = client.request(method, path, json_body=body, timeout=timeout,
                               csrf=kw.pop("csrf"), **kw)
    except Exception as e:                      # noqa: BLE001 - outcome unknown
        return hist.add(Op(kind, t0, time.monotonic(), UNKNOWN, None, None, repr(e)[:200])), None
    t1 = time.monotonic()
    good = ok(r) if ok else 200 <= r.status < 300
    return hist.add(Op(kind, t0, t1, OK if good else FAILED, r.status,
                       error_code(r.json) or (r.json or {}).get("result")
                       if isinstance(r.json, dict) else None)), r


class KeepAlive:
    """A scanner's persistent HTTP/1.1 connection (reopened when lost)."""

    def __init__(self, host, port, bearer, timeout=30):
        self.host, self.port, self.bearer, self.timeout = host, port, bearer, timeout
        self.conn = None
        self.reconnects = 0

    def _open(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()

    def post(self, path, obj):
        """(status, parsed JSON or None, reused connection?)"""
        data = json.dumps(obj).encode()
        reused = self.conn is not None
        if self.conn is None:
            self._open()
        try:
            self.conn.request("POST", path, body=data, headers={
                "Content-Type": "application/json", "Authorization": "Bearer " + self.bearer})
            r = self.conn.getresponse()
            raw = r.read()
            if (r.getheader("Connection") or "").lower() == "close":
                self.close()
        except Exception:
            self.close()
            self.reconnects += 1
            raise
        try:
            j = json.loads(raw.decode()) if raw else None
        except ValueError:
            j = None
        return r.status, j, reused

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:                   # noqa: BLE001
                pass
        self.conn = None


# --------------------------------------------------------------------------
# Checks

class Checks:
    """Invariants of one scenario: each is printed with its figures; the
    scenario fails at the end (done()) if any did not hold."""

    def __init__(self, name):
        self.name = name
        self.results = []
        self.figures = {}

    def figure(self, key, value):
        self.figures[key] = value
        say("figure %s = %s" % (key, value))

    def check(self, cond, what, detail=""):
        self.results.append((bool(cond), what, detail))
        say("%s %s%s" % ("ok  " if cond else "FAIL", what, (": " + detail) if detail else ""))
        return bool(cond)

    def done(self):
        bad = [r for r in self.results if not r[0]]
        say("%s: %d checks, %d failed" % (self.name, len(self.results), len(bad)))
        if bad:
            raise TestFailure("%s: %d of %d invariants failed: %s"
                              % (self.name, len(bad), len(self.results),
                                 "; ".join("%s (%s)" % (w, d) for _, w, d in bad)))
        return self.figures


# --------------------------------------------------------------------------
# A MariaDB of the scenario's own

class OwnMariaDB:
    """harness.private_mariadb() with faults: kill -9, freeze, thaw, restart."""

    def __init__(self):
        self.m = harness.private_mariadb()
        self.frozen = False

    def pid(self):
        with open(os.path.join(self.m.dir, "mysqld.pid")) as f:
            return int(f.read().strip())

    def kill9(self):
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return pid
            time.sleep(0.02)
        raise TestFailure("mariadbd %d survived SIGKILL" % pid)

    def restart(self):
        self.m.start()                          # scripts/mariadb start: idempotent

    def freeze(self):
        os.kill(self.pid(), signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if self.frozen:
            os.kill(self.pid(), signal.SIGCONT)
            self.frozen = False

    def release(self):
        """Never leave it stopped (SIGSTOP) behind."""
        try:
            self.thaw()
        except Exception:                       # noqa: BLE001
            pass

    def shutdown(self):
        """Stop it now, not at the harness's cleanup (memory for the next)."""
        self.release()
        try:
            self.m.stop()
        except Exception:                       # noqa: BLE001
            pass


def scanner_token(world, slug, name="door"):
    """An event-scoped check-in token (the door scanner's pairing token)."""
    r = world.admin.post("/api/v1/tokens", {"name": name, "role": "checkin", "event": slug})
    harness.expect_status(r, 201, "scanner token")
    return r.json["token"]


def register_many(world, slug, tt_id, n, workers=16, tag="r"):
    """n confirmed registrations (before any fault): [(reg id, code, email)]."""
    import concurrent.futures

    def one(i):
        e = "%s%d-%s@example.test" % (tag, i, uuid.uuid4().hex[:8])
        r = world.register(slug, tt_id, name="Pre %d" % i, email=e)
        harness.expect_status(r, 201, "pre-registration")
        return (r.json["id"], r.json["ticket"]["code"], e)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(one, range(n)))


def log_lines_since(srv, offset):
    text = srv.log()
    return text[offset:].splitlines(), len(text)


def world_of(srv):
    """A util_events.World around an already started server."""
    from util_events import World
    w = World.__new__(World)
    w.srv = srv
    w.admin = srv.client()
    w.admin.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
    harness.check(w.admin.csrf, "admin login gave no csrf_token")
    return w


def stop_checked(ck, srv, limit=None):
    """SIGTERM the server: it must exit 0 within limit (the harness's stop
    timeout), with no sanitizer report.  Returns the seconds it took."""
    t0 = time.monotonic()
    try:
        srv.stop(check=True)
        good, why = True, ""
    except TestFailure as e:
        good, why = False, str(e)[:300]
    dt = time.monotonic() - t0
    lim = limit or harness.STOP_TIMEOUT
    ck.check(good and dt <= lim, "SIGTERM: clean exit within %gs" % lim, "%.2fs %s" % (dt, why))
    return dt


# --------------------------------------------------------------------------
# The workload of the database scenarios: a registration rush, door scans
# over keep-alive connections, public event reads and /healthz polls.

class Rush:
    def __init__(self, srv, slug, tt_id, tickets, token, p, hist):
        self.srv, self.slug, self.tt_id, self.tickets = srv, slug, tt_id, tickets
        self.token, self.p, self.hist = token, p, hist
        self.stop_ev = threading.Event()
        self.regs = []                          # (email, answer) of every 201
        self.scanned_ok = {}                    # code -> check-in id of every 200 ok
        self.health = []
        self.lock = threading.Lock()
        self.threads = []
        self.timeout = p.get("client_timeout", 60)

    def registrar(self, k):
        c = self.srv.client()
        i = 0
        while not self.stop_ev.is_set():
            i += 1
            e = "rush%d-%d-%s@example.test" % (k, i, uuid.uuid4().hex[:6])
            op, r = call(self.hist, "register", c, "POST",
                         "/api/v1/events/%s/registrations" % self.slug,
                         {"ticket_type_id": self.tt_id, "name": "Rush %d %d" % (k, i),
                          "email": e, "consent": True}, timeout=self.timeout, csrf=None)
            op.info = e
            if r is not None and r.status == 201:
                with self.lock:
                    self.regs.append((e, r.json))
            elif r is None or r.status >= 500:
                time.sleep(0.05)
            time.sleep(self.p.get("reg_pace", 0))

    def scanner(self, k):
        n = self.p["scan_threads"]
        mine = [x for j, x in enumerate(self.tickets) if j % n == k]
        ka = KeepAlive(self.srv.host, self.srv.port, self.token, timeout=self.timeout)
        path = "/api/v1/events/%s/checkins" % self.slug
        for rid, code, _ in mine:
            nonce = "n-%s" % uuid.uuid4().hex[:12]
            while not self.stop_ev.is_set():
                t0 = time.monotonic()
                try:
                    st, j, _ = ka.post(path, {"code": code, "gate": "G%d" % k, "nonce": nonce})
                except Exception as e:          # noqa: BLE001 - unknown outcome
                    self.hist.add(Op("scan", t0, time.monotonic(), UNKNOWN, None, None, code))
                    time.sleep(0.05)
                    continue
                res = (j or {}).get("result") or ((j or {}).get("error") or {}).get("code")
                if st == 200 and res == "ok":
                    self.hist.add(Op("scan", t0, time.monotonic(), OK, st, res, code))
                    with self.lock:
                        self.scanned_ok[code] = j["checkin"]["id"]
                    break
                self.hist.add(Op("scan", t0, time.monotonic(), FAILED, st, res, code))
                if st == 409:   # checked in by an earlier attempt whose answer was lost
                    break
                time.sleep(0.05)
            if self.stop_ev.is_set():
                break
            time.sleep(self.p["scan_pace"])     # a door, not a benchmark
        ka.close()

    def reader(self):
        c = self.srv.client()
        while not self.stop_ev.is_set():
            call(self.hist, "read", c, "GET", "/api/v1/events/%s" % self.slug,
                 timeout=self.timeout)
            time.sleep(0.05)

    def healthz(self):
        c = self.srv.client()
        while not self.stop_ev.is_set():
            op, r = call(self.hist, "healthz", c, "GET", "/healthz", timeout=self.timeout,
                         ok=lambda r: r.status == 200)
            self.health.append(op)
            time.sleep(0.2)

    def start(self):
        p = self.p
        self.threads = ([threading.Thread(target=self.registrar, args=(k,))
                         for k in range(p["reg_threads"])] +
                        [threading.Thread(target=self.scanner, args=(k,))
                         for k in range(p["scan_threads"])] +
                        [threading.Thread(target=self.reader), threading.Thread(target=self.healthz)])
        for t in self.threads:
            t.daemon = True
            t.start()

    def stop(self, ck=None):
        self.stop_ev.set()
        for t in self.threads:
            t.join(self.timeout + 10)
        alive = [t for t in self.threads if t.is_alive()]
        if ck is not None:
            ck.check(not alive, "every client thread finished (no request hangs)",
                     "%d still waiting" % len(alive))

    def wait_recovered(self, t_up, log_off, limit):
        """Seconds after t_up until /healthz 200, a 201 and a lane answer."""
        deadline = t_up + limit
        t = {"healthz": None, "register": None, "lane": None}
        while time.monotonic() < deadline and None in t.values():
            now = time.monotonic()
            if t["healthz"] is None and any(o.outcome == OK and o.t0 >= t_up for o in self.health):
                t["healthz"] = now - t_up
            if t["register"] is None and self.hist.of("register", OK, t_from=t_up):
                t["register"] = now - t_up
            if t["lane"] is None and " lane\n" in self.srv.log()[log_off:]:
                t["lane"] = now - t_up
            time.sleep(0.1)
        return t

    def print_phases(self, phases):
        for kind in ("register", "scan", "read", "healthz"):
            for name, a, b in phases:
                ops = self.hist.of(kind, t_from=a, t_to=b)
                c = self.hist.counts(kind, t_from=a, t_to=b)
                say("%-8s %-7s ok=%d failed=%d unknown=%d  %s" % (
                    kind, name, c[OK], c[FAILED], c[UNKNOWN], lat_summary(ops)))
                why = {}
                for o in ops:
                    if o.outcome != OK:
                        k = "%s %s" % (o.status, o.code or "")
                        why[k] = why.get(k, 0) + 1
                if why:
                    say("                 not ok: %s"
                        % ", ".join("%s x%d" % kv for kv in sorted(why.items())))

    def check_data(self, ck, m, db_name):
        """The database against every answer the clients got."""
        slug = self.slug
        rows = m.sql("SELECT r.email, r.id, t.code, t.status FROM registrations r "
                     "JOIN tickets t ON t.registration_id = r.id "
                     "JOIN events e ON e.id = r.event_id WHERE e.slug = '%s';" % slug, db=db_name)
        by_email = {}
        for email, rid, code, st in rows:
            by_email.setdefault(email, []).append((int(rid), code, st))
        missing = [e for e, j in self.regs
                   if not any(x[0] == j["id"] and x[1] == j["ticket"]["code"] and x[2] == "valid"
                              for x in by_email.get(e, []))]
        ck.check(self.regs and not missing, "every 201 registration exists with its valid ticket",
                 "%d answered 201, %d missing %r" % (len(self.regs), len(missing), missing[:3]))
        dup = [e for e, v in by_email.items() if len(v) > 1]
        ck.check(not dup, "no registration stored twice", "%d doubled" % len(dup))
        # A 503 may come from a transaction whose COMMIT was cut off in
        # flight: to the client its outcome is unknown (it retries with an
        # idempotency key).  Any other refusal must have had no effect.
        unknown_regs = {o.info for o in self.hist.of("register", UNKNOWN)} | \
            {o.info for o in self.hist.of("register", FAILED) if o.status == 503}
        failed_regs = {o.info for o in self.hist.of("register", FAILED) if o.status != 503}
        ck.figure("registrations_unknown_outcome (503 or no answer)", len(unknown_regs))
        ck.figure("registrations_unknown_but_stored", len([e for e in unknown_regs if e in by_email]))
        wrong = [e for e in failed_regs if e in by_email]
        ck.check(not wrong, "no registration refused (other than 503) was stored anyway",
                 "%d stored, e.g. %r" % (len(wrong), wrong[:3]))
        cks = m.sql("SELECT c.id, t.code FROM checkins c JOIN tickets t ON t.id = c.ticket_id "
                    "JOIN events e ON e.id = c.event_id WHERE e.slug = '%s' "
                    "AND c.undone_at IS NULL;" % slug, db=db_name)
        stored = {}
        for cid, code in cks:
            stored.setdefault(code, []).append(int(cid))
        lost = [c for c, cid in self.scanned_ok.items() if cid not in stored.get(c, [])]
        ck.check(self.scanned_ok and not lost, "every check-in answered ok is in the check-ins",
                 "%d ok, %d missing" % (len(self.scanned_ok), len(lost)))
        twice = {c: v for c, v in stored.items() if len(v) > 1}
        ck.check(not twice, "no ticket checked in twice",
                 "%d stored check-ins, %d doubled" % (len(cks), len(twice)))
        scanned = {o.info for o in self.hist.of("scan")}
        extra = [c for c in stored if c not in scanned]
        ck.check(not extra, "no check-in of a ticket nobody scanned", "%d" % len(extra))
        later = [c for c in stored if c not in self.scanned_ok]
        ck.figure("checkins_stored_without_ok_answer", len(later))


def server_env(throttle=False, **extra):
    """Overrides for the scenarios' servers: login throttling off (unless
    throttle) and the per-address registration limit off (the rushes
    come from one address)."""
    from util_events import NO_THROTTLE
    e = {} if throttle else dict(NO_THROTTLE)
    e["CONFERO_REGISTER_MAX_ADDR"] = "0"
    e.update(extra)
    return e


def check_recovered(ck, rush, rec, hist, db, srv, t_from, t_to, after):
    """After an outage from t_from to t_to: service, registrations and the
    lane are back by themselves, no refusal was for want of the database,
    no 2xx answer's effect is missing, and the server stops cleanly."""
    ck.check(rec["healthz"] is not None, "/healthz 200 again after %s" % after)
    ck.check(rec["register"] is not None, "registrations succeed again after %s" % after)
    ck.check(rec["lane"] is not None, "the lane is back (a scan answered on the event thread)")
    ck.figure("auth_refusals_during_outage", no_auth_refusals_during_outage(ck, hist, t_from, t_to))
    rush.check_data(ck, db.m, srv.db_name)
    stop_checked(ck, srv)
    return ck.done()


def no_auth_refusals_during_outage(ck, hist, t_from, t_to):
    """No request is refused 401/403 because MariaDB was down: a database
    error is 503, never "not staff of this event"."""
    bad = hist.of(t_from=t_from, t_to=t_to, pred=lambda o: o.status in (401, 403))
    ck.check(not bad, "no request refused 401/403 for want of the database",
             "%d: %s" % (len(bad), sorted({"%s %s" % (o.status, o.code) for o in bad})))
    return len(bad)
