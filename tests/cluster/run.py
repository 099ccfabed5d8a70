"""
`make test-cluster` (issue 16): Confero's guarantees on a three-node Galera
cluster behind HAProxy with three instances (scripts/cluster), checked by
program.  Starts the cluster in a throwaway directory on free ports, runs
the checks, stops it (SIGTERM to its process group) and prints
`N passed, N failed` last.

  - a registration rush of many clients spread over the three instances,
    each person with an Idempotency-Key: confirmed == seats exactly, every
    201 a registration, nobody twice, and the seat counters equal the rows
    on every node;
  - one ticket scanned through the three instances at the same instant,
    for many tickets: exactly one `ok` each.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.dont_write_bytecode = True

import harness  # noqa: E402
from harness import Client  # noqa: E402

ADMIN = ("cluster-admin@example.test", "cluster-admin-password-1")
RESULTS = []


def say(msg):
    print("    " + msg, flush=True)


def check(cond, what, detail=""):
    RESULTS.append(bool(cond))
    say("%s %s%s" % ("ok  " if cond else "FAIL", what, (": " + detail) if detail else ""))


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cl", dir="/tmp")
        self.http = free_port()
        env = dict(os.environ)
        env.update(CONFERO_CLUSTER_DIR=self.dir, CONFERO_CLUSTER_HTTP="127.0.0.1:%d" % self.http,
                   CONFERO_ADMIN_EMAIL=ADMIN[0], CONFERO_ADMIN_PASSWORD=ADMIN[1],
                   # every client here is 127.0.0.1
                   CONFERO_REGISTER_MAX_ADDR="0")
        self.log = open(os.path.join(self.dir, "cluster.out"), "w")
        self.proc = subprocess.Popen(["sh", os.path.join(REPO, "scripts", "cluster")], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def text(self):
        with open(os.path.join(self.dir, "cluster.out")) as f:
            return f.read()

    def wait_ready(self, timeout=300):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if "Confero cluster:" in self.text():
                break
            if self.proc.poll() is not None:
                raise harness.TestFailure("scripts/cluster exited:\n" + self.text()[-3000:])
            time.sleep(0.5)
        else:
            raise harness.TestFailure("the cluster did not come up:\n" + self.text()[-3000:])
        ports = {}
        with open(os.path.join(self.dir, "ports.env")) as f:
            for k, v in re.findall(r"(\w+)=(\S+)", f.read()):
                ports[k] = v
        self.instances = [int(ports["CONFERO%d_PORT" % i]) for i in (1, 2, 3)]
        say("cluster up in %.0f s: instances %r, frontend %d"
            % (time.monotonic() - t0, self.instances, self.http))

    def node_sql(self, n, q, db="confero"):
        p = subprocess.run(["mariadb", "--no-defaults", "--socket=%s/node%d/mysqld.sock" % (self.dir, n),
                            "-uroot", "-N", "-B", db, "-e", q], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise harness.TestFailure("node%d: %s" % (n, p.stderr))
        return [line.split("\t") for line in p.stdout.splitlines()]

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def admin_client(port):
    c = Client("127.0.0.1", port, timeout=30)
    c.login(*ADMIN)
    return c


def rush(cl, clients=128, seats=1000, attempts=4000, fault=None, nodes=(1, 2, 3), label="rush"):
    adm = admin_client(cl.http)
    slug = "rush-" + uuid.uuid4().hex[:6]
    r = adm.post("/api/v1/events", {"slug": slug, "name": "Rush", "timezone": "Europe/Ljubljana",
                                    "starts_at": "2030-05-14T09:00:00+02:00",
                                    "ends_at": "2030-05-14T17:00:00+02:00",
                                    "capacity": seats, "waitlist": False})
    harness.expect_status(r, 201, "event")
    tt = adm.post("/api/v1/events/%s/ticket-types" % slug, {"name": "Standard"}).json
    harness.expect_status(adm.post("/api/v1/events/%s/publish" % slug), 200, "publish")
    people = [({"ticket_type_id": tt["id"], "name": "Person %d" % i,
                "email": "p%d-%s@example.test" % (i, uuid.uuid4().hex[:6]), "consent": True},
               uuid.uuid4().hex) for i in range(attempts)]
    answers = [None] * attempts
    nxt = [0]
    lock = threading.Lock()
    unknown = [0]

    def worker(k):
        port = cl.instances[k % 3]
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= attempts:
                return
            body, key = people[i]
            for _ in range(100):
                try:
                    a = Client("127.0.0.1", port, timeout=30).request(
                        "POST", "/api/v1/events/%s/registrations" % slug, json_body=body,
                        headers={"Idempotency-Key": key})
                    if a.status < 500:
                        answers[i] = a
                        break
                except Exception:           # noqa: BLE001 - unknown outcome: retry
                    pass
                with lock:
                    unknown[0] += 1
                time.sleep(0.1)
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    if fault is not None:
        while nxt[0] < attempts // 4:
            time.sleep(0.01)
        fault()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    ok = [a for a in answers if a is not None and a.status == 201]
    codes = {}
    for a in answers:
        if a is not None and a.status != 201:
            codes[(a.status, a.error_code)] = codes.get((a.status, a.error_code), 0) + 1
    say(label + ": %d attempts by %d clients over 3 instances in %.1f s (%.0f/s); %d unknown retried; refusals %r"
        % (attempts, clients, dt, attempts / dt, unknown[0], codes))
    check(all(a is not None for a in answers), "every attempt got a definite answer")
    check(len(ok) == seats, "201 answered exactly for the %d seats" % seats, str(len(ok)))
    time.sleep(1.0)
    ev_id = int(cl.node_sql(nodes[0], "SELECT id FROM events WHERE slug = '%s'" % slug)[0][0])
    for n in nodes:
        rows = cl.node_sql(n, "SELECT COUNT(*), COUNT(DISTINCT email) FROM registrations "
                              "WHERE event_id = %d AND status = 'confirmed'" % ev_id)[0]
        taken = cl.node_sql(n, "SELECT seats_taken FROM events WHERE id = %d" % ev_id)[0][0]
        sold = cl.node_sql(n, "SELECT sold FROM ticket_types WHERE id = %d" % tt["id"])[0][0]
        check(rows[0] == rows[1] == taken == sold == str(seats),
              "node%d: confirmed == distinct people == seat counters == seats" % n,
              "confirmed %s, people %s, event counter %s, type counter %s" % (rows[0], rows[1], taken, sold))
    ids = {a.json["id"] for a in ok}
    on1 = {int(x[0]) for x in cl.node_sql(nodes[0], "SELECT id FROM registrations WHERE event_id = %d" % ev_id)}
    check(ids <= on1, "every 201 is a registration", "%d missing" % len(ids - on1))
    return slug, [a.json["ticket"]["code"] for a in ok]


def scans(cl, slug, codes, n=30):
    adm = admin_client(cl.http)
    tok = adm.post("/api/v1/tokens", {"name": "doors", "role": "checkin", "event": slug}).json["token"]
    once = 0
    for code in codes[:n]:
        barrier = threading.Barrier(3)
        out = [None] * 3

        def scan(k):
            c = Client("127.0.0.1", cl.instances[k], timeout=30)
            c.bearer = tok
            barrier.wait(10)
            try:
                out[k] = c.request("POST", "/api/v1/events/%s/checkins" % slug, json_body={"code": code})
            except Exception as e:          # noqa: BLE001
                out[k] = e
        ts = [threading.Thread(target=scan, args=(k,)) for k in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        results = [o.json.get("result") if isinstance(o, harness.Response) and isinstance(o.json, dict)
                   else repr(o) for o in out]
        if results.count("ok") == 1:
            once += 1
        else:
            say("ticket %s…: %r" % (code[:8], results))
    check(once == min(n, len(codes)), "one ticket through three instances at once: exactly one ok",
          "%d of %d" % (once, min(n, len(codes))))


def kill_writer(cl):
    """kill -9 node 1, HAProxy's writer, in the middle of a rush."""
    data = "--datadir=%s/node1/data" % cl.dir
    for f in os.listdir("/proc"):
        if not f.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % f, "rb") as fh:
                args = fh.read().split(b"\0")
        except OSError:
            continue
        if data.encode() in args:
            os.kill(int(f), signal.SIGKILL)
            say("kill -9 node1 (pid %s), the writer" % f)


def main():
    cl = Cluster()
    try:
        cl.wait_ready()
        slug, codes = rush(cl)
        scans(cl, slug, codes)
        # The writer dies in the middle of a rush: HAProxy moves writes to a
        # backup, clients retry unknown outcomes with their keys, and the
        # survivors agree on exactly the seats.
        rush(cl, seats=500, attempts=2000, fault=lambda: kill_writer(cl), nodes=(2, 3),
             label="rush with the writer killed")
    except Exception as e:                  # noqa: BLE001
        check(False, "the cluster tests ran", repr(e)[:2000])
    finally:
        cl.stop()
        left = subprocess.run(["pgrep", "-f", cl.dir], capture_output=True, text=True).stdout.split()
        check(not left, "nothing of the cluster is left running", str(left))
    passed = sum(RESULTS)
    print("%d passed, %d failed" % (passed, len(RESULTS) - passed), flush=True)
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
