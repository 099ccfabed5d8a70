"""
Scenario 5: hostile clients.

A. Debian's slowhttptest: 1,000 slowloris connections (headers sent a
   little at a time) and a slow-body attack (slow POST) at the same time,
   while door scanners keep scanning over keep-alive connections: scan
   p99 < 100 ms, no scan fails.
B. A connection flood past CONFERO_CONN_LIMIT: refused (closed at once),
   while the established scanner keep-alive connections go on undisturbed
   (no failure, no reconnection).
C. 1,000 failed logins from many addresses (X-Forwarded-For with
   CONFERO_TRUST_PROXY=1): throttled with 429 and Retry-After per account
   (CONFERO_LOGIN_MAX_FAILURES) and per address (…_ADDR), while a
   legitimate user logs in fine.
"""

import os
import re
import socket
import subprocess
import threading
import time
import uuid

from common import (server_env, Checks, KeepAlive, ms, pct, register_many, say, scanner_token, stop_checked,
                    world_of)
import harness
from harness import start_server

SHORT = dict(tickets=1500, scanners=4, pace=0.05, slowloris=1000, slowbody=300, attack_s=10,
             conn_limit=64, flood=300, flood_tickets=1000, logins_many_addr=1000, logins_few_addr=200,
             login_threads=16)
FULL = dict(tickets=16000, scanners=8, pace=0.04, slowloris=1000, slowbody=500, attack_s=60,
            conn_limit=128, flood=2000, flood_tickets=3000, logins_many_addr=1000, logins_few_addr=1000,
            login_threads=32)


class Scanners:
    """Door scanners on keep-alive connections; every scan timed."""

    def __init__(self, srv, slug, token, tickets, n, pace):
        self.srv, self.slug, self.token, self.tickets = srv, slug, token, tickets
        self.n, self.pace = n, pace
        self.stop = threading.Event()
        self.results = []                       # (t0, dt, status, result, reused)
        self.lock = threading.Lock()
        self.clients = []
        self.next = 0

    def take(self):
        with self.lock:
            if self.next >= len(self.tickets):
                return None
            self.next += 1
            return self.tickets[self.next - 1]

    def run(self, k):
        ka = KeepAlive(self.srv.host, self.srv.port, self.token, timeout=10)
        self.clients.append(ka)
        path = "/api/v1/events/%s/checkins" % self.slug
        while not self.stop.is_set():
            t = self.take()
            if t is None:
                break
            t0 = time.monotonic()
            try:
                st, j, reused = ka.post(path, {"code": t[1], "gate": "G%d" % k,
                                               "nonce": uuid.uuid4().hex[:16]})
                res = (j or {}).get("result")
            except Exception as e:              # noqa: BLE001
                st, res, reused = None, repr(e)[:80], None
            with self.lock:
                self.results.append((t0, time.monotonic() - t0, st, res, reused))
            time.sleep(self.pace)

    def start(self):
        self.threads = [threading.Thread(target=self.run, args=(k,), daemon=True)
                        for k in range(self.n)]
        for t in self.threads:
            t.start()
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)
        for c in self.clients:
            c.close()

    def window(self, a, b):
        with self.lock:
            return [x for x in self.results if a <= x[0] < b]


def slowhttptest(args, out):
    f = open(out, "w")
    p = subprocess.Popen(["slowhttptest"] + args, stdout=f, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    return p, f


def slow_stats(path):
    """Peak 'connected' and the last 'service available' of a slowhttptest run."""
    try:
        text = open(path, errors="replace").read()
    except FileNotFoundError:
        return 0, None
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    conn = [int(x) for x in re.findall(r"connected:\s+(\d+)", text)]
    avail = re.findall(r"service available:\s+(\w+)", text)
    return (max(conn) if conn else 0), (avail[-1] if avail else None)


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def part_a(ck, p, srv, w, slug, token, tickets):
    sc = Scanners(srv, slug, token, tickets, p["scanners"], p["pace"]).start()
    time.sleep(2.0)
    url = "http://127.0.0.1:%d" % srv.port
    d = harness.tmpdir("slow")
    L = p["attack_s"]
    lor, lf = slowhttptest(["-H", "-c", str(p["slowloris"]), "-r", "500", "-i", "5", "-x", "24",
                            "-p", "3", "-l", str(L + 4), "-u", url + "/"], os.path.join(d, "loris.txt"))
    body, bf = slowhttptest(["-B", "-c", str(p["slowbody"]), "-r", "300", "-i", "5", "-x", "10",
                             "-s", "8192", "-t", "POST", "-f", "application/json", "-p", "3",
                             "-l", str(L + 4), "-u", url + "/api/v1/events/%s/registrations" % slug],
                            os.path.join(d, "body.txt"))
    try:
        time.sleep(4.0)                         # the ramp: 1,000 at 500/s, 300 at 300/s
        t_a = time.monotonic()
        peak_fd = 0
        while time.monotonic() < t_a + L:
            peak_fd = max(peak_fd, fd_count(srv.proc.pid))
            time.sleep(0.5)
        t_b = time.monotonic()
    finally:
        for proc in (lor, body):
            try:
                proc.wait(L + 30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        lf.close()
        bf.close()
    time.sleep(1.0)
    sc.finish()
    lpeak, lavail = slow_stats(os.path.join(d, "loris.txt"))
    bpeak, bavail = slow_stats(os.path.join(d, "body.txt"))
    ck.figure("a_slowloris_connected_peak", lpeak)
    ck.figure("a_slowbody_connected_peak", bpeak)
    ck.figure("a_server_fds_peak", peak_fd)
    ck.figure("a_slowhttptest_says_available", "%s / %s" % (lavail, bavail))
    ck.check(lpeak >= 0.9 * p["slowloris"], "A: the slowloris connections were established",
             "peak %d of %d" % (lpeak, p["slowloris"]))
    ck.check(bpeak >= 0.9 * p["slowbody"], "A: the slow-body connections were established",
             "peak %d of %d" % (bpeak, p["slowbody"]))
    under = sc.window(t_a, t_b)
    lat = [x[1] for x in under]
    bad = [x for x in under if x[2] != 200 or x[3] != "ok"]
    p99 = pct(lat, 99)
    ck.figure("a_scans_under_attack", len(under))
    ck.figure("a_scan_p50_ms", None if not lat else round(pct(lat, 50) * 1000, 1))
    ck.figure("a_scan_p99_ms", None if p99 is None else round(p99 * 1000, 1))
    ck.figure("a_scan_max_ms", None if not lat else round(max(lat) * 1000, 1))
    last = max([x[0] for x in under] or [0])
    ck.check(len(under) > 50 and last >= t_b - 1.0, "A: scans went on during the whole attack",
             "%d scans, the last %.1fs before its end" % (len(under), t_b - last))
    ck.check(not bad, "A: no scan failed under attack", "%d failed, e.g. %r" % (len(bad), bad[:3]))
    ck.check(p99 is not None and p99 < 0.100, "A: scan p99 < 100 ms under attack", ms(p99))
    return sc.next


def part_b(ck, p, db, tickets):
    srv = start_server(server_env(CONFERO_CONN_LIMIT=str(p["conn_limit"])),
                       db=db, tag="fflood")
    flood = []
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        mine = register_many(w, slug, tt["id"], p["flood_tickets"])
        token = scanner_token(w, slug)
        sc = Scanners(srv, slug, token, mine, min(4, p["scanners"]), p["pace"]).start()
        time.sleep(1.5)                         # the scanners' connections are established
        t_a = time.monotonic()
        refused = accepted = 0
        for i in range(p["flood"]):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect((srv.host, srv.port))
            except OSError:
                refused += 1
                s.close()
                continue
            flood.append(s)
        # Each flood connection asks for /healthz: served, closed (refused) or
        # left waiting (not accepted: the kernel's queue holds it).
        for fs in flood:
            try:
                fs.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            except OSError:
                pass
        time.sleep(2.0)
        served = waiting = 0
        for fs in flood:
            fs.setblocking(False)
            try:
                data = fs.recv(64)
                if data.startswith(b"HTTP/1.1"):
                    served += 1
                elif data == b"":
                    refused += 1
                else:
                    served += 1
            except BlockingIOError:
                waiting += 1
            except OSError:
                refused += 1
        accepted = served
        # A new client past the limit gets nothing.
        c = srv.client()
        try:
            r = c.get("/healthz", timeout=3)
            newcomer = r.status
        except Exception as e:              # noqa: BLE001
            newcomer = type(e).__name__
        time.sleep(2.0)
        t_b = time.monotonic()
        for s in flood:
            s.close()
        flood = []
        time.sleep(1.0)
        after = srv.client().get("/healthz", timeout=10).status
        sc.finish()
        under = sc.window(t_a, t_b)
        bad = [x for x in under if x[2] != 200 or x[3] != "ok"]
        fresh = [x for x in under if not x[4]]
        recon = sum(c.reconnects for c in sc.clients)
        lat = [x[1] for x in under]
        ck.figure("b_conn_limit", p["conn_limit"])
        ck.figure("b_flood_connections", p["flood"])
        ck.figure("b_flood_served", served)
        ck.figure("b_flood_refused_outright", refused)
        ck.figure("b_flood_left_waiting_unaccepted", waiting)
        ck.figure("b_newcomer_during_flood", newcomer)
        ck.figure("b_scans_during_flood", len(under))
        ck.figure("b_scan_p99_ms", None if not lat else round(pct(lat, 99) * 1000, 1))
        ck.check(served <= p["conn_limit"], "B: no more than CONFERO_CONN_LIMIT connections are served",
                 "%d served, %d refused, %d left waiting of %d" % (served, refused, waiting, p["flood"]))
        ck.check(refused >= p["flood"] - p["conn_limit"] and waiting == 0,
                 "B: connections past the limit are refused at once, none left hanging",
                 "%d refused, %d waiting of %d past a limit of %d (newcomer: %s)"
                 % (refused, waiting, p["flood"], p["conn_limit"], newcomer))
        ck.check(under and not bad, "B: no scan failed during the flood",
                 "%d scans, %d failed %r" % (len(under), len(bad), bad[:3]))
        ck.check(not fresh and recon == 0, "B: the scanners' keep-alive connections were not disturbed",
                 "%d scans on a new connection, %d reconnects" % (len(fresh), recon))
        ck.check(after == 200, "B: after the flood new clients are served", "healthz %s" % after)
        stop_checked(ck, srv)
    finally:
        for s in flood:
            s.close()
        srv.kill()


def part_c(ck, p, srv, w):
    maxacct, maxaddr = 5, 20                    # CONFERO_LOGIN_MAX_FAILURES(_ADDR) defaults
    legit_pw = "legit-password-0123"
    legit = "legit-%s@example.test" % uuid.uuid4().hex[:6]
    harness.expect_status(w.admin.post("/api/v1/users", {"email": legit, "role": "organiser",
                                                         "password": legit_pw}), 201, "legit user")
    victims = ["victim%d-%s@example.test" % (i, uuid.uuid4().hex[:4]) for i in range(10)]
    attempts = []
    # Many addresses against a few accounts, then a few addresses against many accounts.
    for i in range(p["logins_many_addr"]):
        attempts.append((victims[i % len(victims)], "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)))
    for i in range(p["logins_few_addr"]):
        attempts.append(("rand%d-%s@example.test" % (i, uuid.uuid4().hex[:4]), "192.0.2.%d" % (i % 5)))
    res = []
    lock = threading.Lock()
    it = iter(attempts)
    stop_legit = threading.Event()
    legit_res = []

    def attacker():
        c = srv.client()
        while True:
            with lock:
                a = next(it, None)
            if a is None:
                return
            t0 = time.monotonic()
            try:
                r = c.request("POST", "/api/v1/auth/login", json_body={"email": a[0], "password": "wrong-guess"},
                              headers={"X-Forwarded-For": a[1]}, timeout=60)
                st, ra = r.status, r.header("Retry-After")
            except Exception as e:              # noqa: BLE001
                st, ra = type(e).__name__, None
            with lock:
                res.append((a, st, ra, time.monotonic() - t0))

    def legit_user():
        while not stop_legit.is_set():
            c = srv.client()
            t0 = time.monotonic()
            try:
                r = c.request("POST", "/api/v1/auth/login", json_body={"email": legit, "password": legit_pw},
                              headers={"X-Forwarded-For": "198.51.100.7"}, timeout=60)
                st = r.status
            except Exception as e:              # noqa: BLE001
                st = type(e).__name__
            legit_res.append((st, time.monotonic() - t0))
            time.sleep(0.5)

    t0 = time.monotonic()
    th = [threading.Thread(target=attacker) for _ in range(p["login_threads"])]
    lt = threading.Thread(target=legit_user)
    for t in th:
        t.start()
    lt.start()
    for t in th:
        t.join(600)
    stop_legit.set()
    lt.join(60)
    dt = time.monotonic() - t0
    codes = {}
    for _, st, _, _ in res:
        codes[st] = codes.get(st, 0) + 1
    ck.figure("c_failed_logins", len(res))
    ck.figure("c_duration_s", round(dt, 1))
    ck.figure("c_answers", codes)
    ck.figure("c_attack_p99_ms", round(pct([x[3] for x in res], 99) * 1000, 1))
    ck.check(len(res) == len(attempts) and set(codes) <= {401, 429},
             "C: every failed login answered 401 or 429", "%r" % codes)
    r429 = [x for x in res if x[1] == 429]
    ck.check(r429 and all(x[2] and x[2].isdigit() and int(x[2]) > 0 for x in r429),
             "C: every 429 carries Retry-After (seconds)",
             "%d 429s, e.g. Retry-After %r" % (len(r429), r429[0][2] if r429 else None))
    slack = 0                   # each attempt is counted before its password is checked
    per_acct, per_addr = {}, {}
    for (acct, addr), st, _, _ in res:
        if st == 401:
            per_acct[acct] = per_acct.get(acct, 0) + 1
            per_addr[addr] = per_addr.get(addr, 0) + 1
    va = max(per_acct.get(v, 0) for v in victims)
    fa = max(per_addr.get("192.0.2.%d" % i, 0) for i in range(5))
    ck.figure("c_max_401_per_victim_account", va)
    ck.figure("c_max_401_per_attacking_address", fa)
    ck.check(va <= maxacct + slack, "C: per account throttled after %d failures" % maxacct,
             "at most %d wrong-password answers per account" % va)
    ck.check(fa <= maxaddr + slack, "C: per address throttled after %d failures" % maxaddr,
             "at most %d per address" % fa)
    ok = [x for x in legit_res if x[0] == 200]
    ck.figure("c_legit_logins", "%d of %d ok, max %s" % (len(ok), len(legit_res),
                                                          ms(max([x[1] for x in legit_res] or [0]))))
    ck.check(legit_res and len(ok) == len(legit_res), "C: the legitimate user logs in during the attack",
             "%r" % sorted({x[0] for x in legit_res}, key=str))


def run(p):
    ck = Checks("hostile")
    srv = start_server(server_env(throttle=True, CONFERO_TRUST_PROXY="1", CONFERO_CONN_LIMIT="2048"),
                       tag="fhost")
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        t0 = time.monotonic()
        tickets = register_many(w, slug, tt["id"], p["tickets"])
        say("%d tickets in %.1fs" % (len(tickets), time.monotonic() - t0))
        token = scanner_token(w, slug)
        part_a(ck, p, srv, w, slug, token, tickets)
        part_c(ck, p, srv, w)
        stop_checked(ck, srv)
    finally:
        srv.kill()
    part_b(ck, p, harness.shared_mariadb(), None)
    return ck.done()
