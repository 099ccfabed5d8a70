"""
Scenario 2: MariaDB is killed (SIGKILL) during a registration rush and door
scans, and started again.  Confero must recover without a restart of its
own: /healthz 503 during the outage and 200 after; requests in the outage
answered 503 `unavailable` within a bounded time; every 201 registration
exists with its ticket; every check-in answered `ok` is in the check-ins;
no ticket is checked in twice; the lane (event-thread scans) reconnects.
"""

import time

from common import (Checks, History, OwnMariaDB, Rush, check_recovered, ms,
                    register_many, say, scanner_token, server_env, world_of)
from harness import start_server

SHORT = dict(tickets=1200, reg_threads=6, scan_threads=4, scan_pace=0.02, before=3.0,
             outage=6.0, after_max=30.0, bound=10.0)
FULL = dict(tickets=8000, reg_threads=16, scan_threads=8, scan_pace=0.02, before=10.0,
            outage=30.0, after_max=60.0, bound=10.0)


def run(p):
    ck = Checks("db-kill")
    db = OwnMariaDB()
    srv = start_server(server_env(), db=db.m, tag="fkill")
    rush = None
    try:
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        pre = register_many(w, slug, tt["id"], p["tickets"])
        hist = History()
        rush = Rush(srv, slug, tt["id"], pre, scanner_token(w, slug), p, hist)
        say("%d tickets to scan; %d registration and %d scanner threads, a reader, /healthz"
            % (len(pre), p["reg_threads"], p["scan_threads"]))
        rush.start()
        time.sleep(p["before"])
        lanes_before = srv.log().count(" lane\n")
        t_kill = time.monotonic()
        db.kill9()
        say("kill -9 mariadbd at t=%.1fs; down for %.0fs" % (p["before"], p["outage"]))
        time.sleep(p["outage"])
        t_restart = time.monotonic()
        db.restart()
        t_up = time.monotonic()
        say("MariaDB restarted (%.1fs)" % (t_up - t_restart))
        rec = rush.wait_recovered(t_up, len(srv.log()), p["after_max"])
        time.sleep(1.0)
        rush.stop(ck)
        rush.print_phases((("before", None, t_kill), ("outage", t_kill, t_up), ("after", t_up, None)))
        for k, v in rec.items():
            ck.figure("%s_ok_after_restart_s" % k, None if v is None else round(v, 2))
        ck.figure("lane_answers_before_kill", lanes_before)

        ck.check(srv.alive(), "confero serve kept running (no restart)")
        ck.check(lanes_before > 0, "scans were answered by the lane before the kill",
                 "%d lane answers" % lanes_before)
        # Sent during the outage (a second's grace for what was in MariaDB at the kill).
        out = hist.of(t_from=t_kill + 1.0, t_to=t_restart)
        # (a public event read may be served from the document cache: 200)
        bad = [o for o in out if not (o.kind == "read" and o.status == 200) and
               (o.status != 503 or (o.kind != "healthz" and o.code != "unavailable"))]
        ck.check(out and not bad, "every request during the outage got 503 unavailable",
                 "%d requests, %d others, e.g. %r" % (len(out), len(bad), bad[:3]))
        hz = [o for o in rush.health if t_kill + 1.0 <= o.t0 < t_restart]
        ck.check(hz and all(o.status == 503 for o in hz), "/healthz 503 during the outage",
                 "%d polls" % len(hz))
        mx = max([o.dt for o in hist.of(t_from=t_kill, t_to=t_up)] or [0])
        ck.figure("outage_answer_max_s", round(mx, 3))
        ck.check(mx <= p["bound"], "every request during the outage answered within %gs"
                 % p["bound"], "max %s" % ms(mx))
        return check_recovered(ck, rush, rec, hist, db, srv, t_kill, t_up, "the restart")
    finally:
        if rush is not None:
            rush.stop_ev.set()
        srv.kill()
        db.shutdown()
