"""
Scenario 3: MariaDB frozen (SIGSTOP) for a while, then SIGCONT, during a
registration rush, door scans, public reads and /healthz polls.  Every
request is answered within the bound (no hang); /healthz says 503 during
the freeze and 200 after; the service comes back by itself (lane
included); nothing answered 2xx is lost.  A second server on the same
database gets SIGTERM in the middle of the freeze, with requests in
flight, and must exit cleanly within the harness's stop timeout.
"""

import threading
import time

from common import (Checks, History, OwnMariaDB, Rush, call, check_recovered, ms,
                    register_many, say, scanner_token, server_env, stop_checked, world_of)
import harness
from harness import start_server

# bound: the answer time of any request during the freeze (see db.c:
# stall 2 s + probe 2 s + watchdog ticks, and the wait for a worker).
SHORT = dict(tickets=1500, reg_threads=6, scan_threads=4, scan_pace=0.02, before=3.0,
             freeze=15.0, after_max=30.0, bound=10.0, client_timeout=90)
FULL = dict(tickets=8000, reg_threads=16, scan_threads=8, scan_pace=0.02, before=10.0,
            freeze=70.0, after_max=60.0, bound=10.0, client_timeout=120)


def run(p):
    ck = Checks("db-freeze")
    db = OwnMariaDB()
    srv = start_server(server_env(), db=db.m, tag="ffrz")
    # The second instance, stopped during the freeze.
    srv2 = start_server({k: v for k, v in srv.env.items() if k.startswith("CONFERO_")},
                        db=db.m, db_name=srv.db_name, tag="ffrz2")
    rush = None
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        pre = register_many(w, slug, tt["id"], p["tickets"])
        hist = History()
        rush = Rush(srv, slug, tt["id"], pre, scanner_token(w, slug), p, hist)
        hist2 = History()
        c2 = srv2.client()
        c2.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        stop2 = threading.Event()

        def load2():                            # keeps srv2's workers in MariaDB
            while not stop2.is_set():
                op, r = call(hist2, "list", c2, "GET", "/api/v1/events/%s/registrations?per_page=50"
                             % slug, timeout=p["client_timeout"])
                if op.status != 200:
                    time.sleep(0.1)

        t2 = [threading.Thread(target=load2, daemon=True) for _ in range(4)]
        say("%d tickets; %d registration, %d scanner threads, a reader, /healthz; "
            "a second server under load" % (len(pre), p["reg_threads"], p["scan_threads"]))
        rush.start()
        for t in t2:
            t.start()
        time.sleep(p["before"])
        t_freeze = time.monotonic()
        db.freeze()
        say("SIGSTOP mariadbd at t=%.1fs for %.0fs" % (p["before"], p["freeze"]))
        time.sleep(min(5.0, p["freeze"] / 3))
        t_term = time.monotonic()
        stop_dt = stop_checked(ck, srv2)
        stop2.set()
        ck.figure("sigterm_during_freeze_s", round(stop_dt, 2))
        left = p["freeze"] - (time.monotonic() - t_freeze)
        if left > 0:
            time.sleep(left)
        t_thaw = time.monotonic()
        db.thaw()
        say("SIGCONT after %.1fs" % (t_thaw - t_freeze))
        rec = rush.wait_recovered(t_thaw, len(srv.log()), p["after_max"])
        time.sleep(1.0)
        rush.stop(ck)
        for t in t2:
            t.join(p["client_timeout"])
        rush.print_phases((("before", None, t_freeze), ("freeze", t_freeze, t_thaw),
                           ("after", t_thaw, None)))
        for k, v in rec.items():
            ck.figure("%s_ok_after_thaw_s" % k, None if v is None else round(v, 2))

        ck.check(srv.alive(), "confero serve kept running")
        # Every request that was open at some moment of the freeze.
        during = hist.of(pred=lambda o: o.t1 >= t_freeze and o.t0 < t_thaw)
        unk = [o for o in during if o.status is None]
        ck.check(not unk, "every request during the freeze was answered (no client timeout, "
                 "no dropped connection)", "%d unanswered, e.g. %r" % (len(unk), unk[:3]))
        mx = max([o.dt for o in during] or [0])
        ck.figure("freeze_answer_max_s", round(mx, 3))
        by = {}
        for o in during:
            by[o.kind] = max(by.get(o.kind, 0), o.dt)
        ck.figure("freeze_answer_max_by_kind_s", {k: round(v, 2) for k, v in sorted(by.items())})
        ck.check(mx <= p["bound"], "every request during the freeze answered within %gs"
                 % p["bound"], "max %s" % ms(mx))
        # Past the detection (bound), everything that needs MariaDB says 503 unavailable.
        late = [o for o in hist.of(t_from=t_freeze + p["bound"], t_to=t_thaw)
                if not (o.kind == "read" and o.status == 200)]
        bad = [o for o in late if o.status != 503 or (o.kind != "healthz" and o.code != "unavailable")]
        ck.check(late and not bad, "requests in the freeze (after %gs) got 503 unavailable"
                 % p["bound"], "%d requests, %d others, e.g. %r" % (len(late), len(bad), bad[:3]))
        hz = [o for o in rush.health if t_freeze + p["bound"] <= o.t0 < t_thaw]
        ck.check(hz and all(o.status == 503 for o in hz), "/healthz 503 during the freeze",
                 "%d polls" % len(hz))
        open2 = hist2.of(pred=lambda o: o.t0 < t_term <= o.t1)
        ck.figure("second_server_requests_open_at_sigterm", len(open2))
        return check_recovered(ck, rush, rec, hist, db, srv, t_freeze, t_thaw, "SIGCONT")
    finally:
        if rush is not None:
            rush.stop_ev.set()
        db.release()
        srv.kill()
        srv2.kill()
        db.shutdown()
