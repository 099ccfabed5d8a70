#!/usr/bin/python3
"""`make bench-cluster` (issue 16), run by scripts/bench-cluster BUILD.

The same registration rush and check-in load, each by BENCH_CLUSTER_CLIENTS
keep-alive clients of tests/bench/loadgen, through

  single    one `confero serve` on one plain MariaDB (scripts/mariadb),
  galera1   one instance of scripts/cluster, straight to it (its MariaDB
            still through HAProxy to the Galera writer, node 1),
  cluster3  the cluster's HTTP frontend: HAProxy round robin over three
            instances,

with, on each idle server before its loads, round trips and commits timed
with the mariadb client (the HAProxy hop; replication and certification per
commit: node 1 with wsrep_on=OFF against on), and last a registration
rush through the frontend during which node 1 is killed with SIGKILL: the
failover gap.  Before and after each cluster load
the nodes' wsrep counters are read (FLUSH STATUS first, so that the
averages cover the load) and the CPU time of every process is taken from
/proc.  A measurement, not a test: it ends with a table and key: value
lines.  Everything it starts lives under one directory in /tmp, binds
127.0.0.1 on free ports and is stopped on any exit.

Environment (sizes):
  BENCH_CLUSTER_REGISTER_ATTEMPTS  8000 registration attempts per rush
  BENCH_CLUSTER_REGISTER_SEATS     5/8 of them: the event sells out part-way
  BENCH_CLUSTER_CHECKIN_TICKETS    10000 tickets issued, then scanned once each
  BENCH_CLUSTER_CLIENTS            64 loadgen clients
  BENCH_CLUSTER_FAILOVER_ATTEMPTS  4000 registrations of the failover rush
  BENCH_CLUSTER_FAILOVER_CLIENTS   32 Python clients (Idempotency-Key, retry)
  BENCH_CLUSTER_RTT_N              2000 `SELECT 1` per timed session
  BENCH_CLUSTER_COMMIT_N           500 single-row autocommit INSERTs per session
  BENCH_CLUSTER_SINGLE_FLUSH       innodb_flush_log_at_trx_commit of the plain
                                   MariaDB (default 1, as on the Galera nodes)
  BENCH_CLUSTER_KEEP=1             keep the temporary directory
"""

import http.client
import http.cookiejar
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cluster"))
from common import free_port, haproxy_stat  # noqa: E402

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.chdir(REPO)
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build/rel"
BIN = os.path.join(REPO, BUILD, "confero")
LOADGEN = os.path.join(REPO, BUILD, "bench", "loadgen")


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


REG_ATTEMPTS = env_int("BENCH_CLUSTER_REGISTER_ATTEMPTS", 8000)
REG_SEATS = env_int("BENCH_CLUSTER_REGISTER_SEATS", max(1, REG_ATTEMPTS * 5 // 8))
CK_TICKETS = env_int("BENCH_CLUSTER_CHECKIN_TICKETS", 10000)
CLIENTS = env_int("BENCH_CLUSTER_CLIENTS", 64)
FO_ATTEMPTS = env_int("BENCH_CLUSTER_FAILOVER_ATTEMPTS", 4000)
FO_CLIENTS = env_int("BENCH_CLUSTER_FAILOVER_CLIENTS", 32)
RTT_N = env_int("BENCH_CLUSTER_RTT_N", 2000)
COMMIT_N = env_int("BENCH_CLUSTER_COMMIT_N", 500)
SINGLE_FLUSH = env_int("BENCH_CLUSTER_SINGLE_FLUSH", 1)
KEEP = os.environ.get("BENCH_CLUSTER_KEEP", "") not in ("", "0")
ADMIN = ("bench-cluster@example.org", "bench-cluster-password-1")
HZ = os.sysconf("SC_CLK_TCK")

KV = []             # (key, value): the key: value lines, in order


def say(msg):
    print("bench-cluster: " + msg, file=sys.stderr, flush=True)


def kv(key, value):
    KV.append((key, value))


class Failure(Exception):
    pass


# --------------------------------------------------------------------------
# What was started, stopped whatever happens.

class Run:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="bc", dir="/tmp")
        # As root the Galera nodes run as mysql (scripts/cluster), which must
        # be able to reach DIR/cluster: traversable, not readable, by others.
        if os.getuid() == 0:
            os.chmod(self.dir, 0o711)
        self.single_db = None           # directory of scripts/mariadb
        self.single_server = None       # Popen
        self.cluster = None             # Popen of scripts/cluster (own session)
        self.child = None               # the loadgen running now
        self.stopping = threading.Event()
        self.cleaned = False

    def stop_single(self):
        p, self.single_server = self.single_server, None
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        d, self.single_db = self.single_db, None
        if d is not None:
            subprocess.run(["sh", "scripts/mariadb", "stop", d], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)

    def stop_cluster(self):
        p, self.cluster = self.cluster, None
        if p is None:
            return
        if p.poll() is None:
            say("stopping the cluster…")
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(180)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        self.stopping.set()
        c, self.child = self.child, None
        if c is not None and c.poll() is None:
            c.kill()
            c.wait()
        for f in (self.stop_single, self.stop_cluster):
            try:
                f()
            except Exception as e:          # noqa: BLE001 - go on with the rest
                say("cleanup: %r" % e)
        # Whatever still runs with the directory in its command line (a node
        # that did not stop, say) is ours: by pid, never by name.
        left = [int(p) for p in subprocess.run(["pgrep", "-f", self.dir], capture_output=True,
                                               text=True).stdout.split()]
        left = [p for p in left if p != os.getpid()]
        if left:
            say("still running after the stop, killed: %r" % left)
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if KEEP:
            say("kept " + self.dir)
        else:
            subprocess.run(["rm", "-rf", self.dir])


RUN = None


def on_signal(sig, _frame):
    raise SystemExit(128 + sig)


# --------------------------------------------------------------------------
# Small helpers

def procs():
    """pid -> (ppid, comm, argv) of every process."""
    out = {}
    for f in os.listdir("/proc"):
        if not f.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % f) as fh:
                st = fh.read()
            with open("/proc/%s/cmdline" % f, "rb") as fh:
                argv = [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        out[int(f)] = (ppid, comm, argv)
    return out


def datadir_pid(datadir):
    for pid, (_pp, _c, argv) in procs().items():
        if "--datadir=" + datadir in argv:
            return pid
    return None


def cpu_s(pid):
    """User + system CPU seconds of a process (all its threads)."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / HZ
    except (OSError, ValueError, IndexError):
        return 0.0


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sql(sock, q, db=None, timeout=120):
    args = ["mariadb", "--no-defaults", "--socket=" + sock, "-uroot", "-N", "-B"]
    if db:
        args.append(db)
    p = subprocess.run(args, input=q, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise Failure("mariadb on %s: %s" % (sock, p.stderr.strip()))
    return [line.split("\t") for line in p.stdout.splitlines()]


def wsrep_status(sock):
    return {k: v for k, v in sql(sock, "SHOW GLOBAL STATUS LIKE 'wsrep%'")}


def parse_kv(text):
    return dict(re.findall(r"^(\w+): (\S+)$", text, re.M))


class Api:
    """Logged-in admin over HTTP (as tests/bench/setup.py)."""

    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None
        self.csrf = self.call("POST", "/api/v1/auth/login",
                              {"email": ADMIN[0], "password": ADMIN[1]})["csrf_token"]

    def call(self, method, path, body=None):
        h = {"Content-Type": "application/json"}
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        req = urllib.request.Request(self.base + path, method=method, headers=h,
                                     data=json.dumps(body).encode() if body is not None else None)
        with self.opener.open(req, timeout=60) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def event(self, slug, capacity):
        """A published event with one ticket type: (slug, event id, ticket type id)."""
        ev = self.call("POST", "/api/v1/events", {
            "slug": slug, "name": slug, "timezone": "Europe/Ljubljana",
            "starts_at": "2030-05-14T09:00:00+02:00", "ends_at": "2030-05-15T17:00:00+02:00",
            "capacity": capacity, "waitlist": False})
        tt = self.call("POST", "/api/v1/events/%s/ticket-types" % slug, {"name": "Standard"})
        self.call("POST", "/api/v1/events/%s/publish" % slug)
        return slug, ev["id"], tt["id"]

    def checkin_token(self):
        return self.call("POST", "/api/v1/tokens",
                         {"name": "bench scanner", "role": "checkin", "event": None})["token"]


# --------------------------------------------------------------------------
# One load: loadgen, with CPU per process group and wsrep counters around it

WSREP_COUNTERS = ["wsrep_replicated", "wsrep_replicated_bytes", "wsrep_local_cert_failures",
                  "wsrep_local_bf_aborts", "wsrep_flow_control_sent", "wsrep_flow_control_paused_ns",
                  "wsrep_received"]


class Target:
    """Where a load goes and what to account for it."""

    def __init__(self, name, port, groups, nodes=None):
        self.name = name            # single / galera1 / cluster3
        self.port = port
        self.groups = groups        # label -> [pid]: CPU per request of each
        self.nodes = nodes or {}    # n -> socket (cluster only)


RESULTS = {}        # (target, load) -> dict of figures


def run_load(t, load, argv):
    """Run loadgen; returns its figures plus cpu_* (µs per request) and wsrep_*."""
    for sock in t.nodes.values():
        sql(sock, "FLUSH STATUS")
    w0 = {n: wsrep_status(s) for n, s in t.nodes.items()}
    c0 = {g: sum(cpu_s(p) for p in pids) for g, pids in t.groups.items()}
    l0 = children_cpu_s()
    out = os.path.join(RUN.dir, "%s-%s.txt" % (t.name, load))
    t0 = time.monotonic()
    with open(out, "w") as fh:
        RUN.child = subprocess.Popen([LOADGEN] + argv, stdout=fh, stderr=subprocess.STDOUT)
        try:
            rc = RUN.child.wait(900)
        except subprocess.TimeoutExpired:
            RUN.child.kill()
            RUN.child.wait()
            raise Failure("%s %s: loadgen did not finish within 900 s" % (t.name, load))
        finally:
            RUN.child = None
    wall = time.monotonic() - t0
    with open(out) as fh:
        text = fh.read()
    if rc != 0:
        raise Failure("%s %s: loadgen exited %d: %s" % (t.name, load, rc, text[-500:]))
    r = parse_kv(text)
    n = int(r["requests"])
    r["wall_s"] = wall
    for g, pids in t.groups.items():
        r["cpu_" + g] = (sum(cpu_s(p) for p in pids) - c0[g]) * 1e6 / max(n, 1)
    r["cpu_loadgen"] = (children_cpu_s() - l0) * 1e6 / max(n, 1)
    if t.nodes:
        w1 = {k: wsrep_status(s) for k, s in t.nodes.items()}

        def d(node, key):
            return float(w1[node].get(key, 0)) - float(w0[node].get(key, 0))

        def v(node, key):
            return float(w1[node].get(key, 0))
        replicas = [k for k in t.nodes if k != 1]
        r["wsrep_replicated"] = d(1, "wsrep_replicated")
        r["wsrep_replicated_bytes"] = d(1, "wsrep_replicated_bytes")
        r["wsrep_local_cert_failures"] = sum(d(k, "wsrep_local_cert_failures") for k in t.nodes)
        r["wsrep_local_bf_aborts"] = sum(d(k, "wsrep_local_bf_aborts") for k in t.nodes)
        # paused: the fraction of the load's time replication was paused
        # (the ns counter over the wall time; FLUSH STATUS also resets the
        # wsrep_flow_control_paused fraction, read as a check)
        r["wsrep_flow_control_paused"] = d(1, "wsrep_flow_control_paused_ns") / 1e9 / wall
        r["wsrep_flow_control_sent"] = sum(d(k, "wsrep_flow_control_sent") for k in t.nodes)
        r["wsrep_cert_deps_distance"] = v(1, "wsrep_cert_deps_distance")
        # applying happens on the replicas: the busier one
        r["wsrep_apply_window"] = max(v(k, "wsrep_apply_window") for k in replicas)
        r["wsrep_commit_window"] = max(v(k, "wsrep_commit_window") for k in replicas)
        r["wsrep_local_recv_queue_avg"] = max(v(k, "wsrep_local_recv_queue_avg") for k in replicas)
        r["wsrep_local_recv_queue_max"] = max(v(k, "wsrep_local_recv_queue_max") for k in replicas)
        r["wsrep_local_send_queue_avg"] = v(1, "wsrep_local_send_queue_avg")
    RESULTS[(t.name, load)] = r
    say("%s %s: %s/s, p99 %s ms (%d requests, %.1f s)"
        % (t.name, load, r["per_s"], r["p99_ms"], n, wall))
    return r


def loads(t, api, tag):
    """The three loads on a target: issue tickets, scan them, a registration rush."""
    token = api.checkin_token()
    ck_slug, _, ck_tt = api.event("bc-checkin-" + tag, None)
    rg_slug, rg_ev, rg_tt = api.event("bc-register-" + tag, REG_SEATS)
    time.sleep(0.5)         # the other instances see the new events (change poll)
    codes = os.path.join(RUN.dir, "codes-" + tag)
    say("%s: issuing %d tickets, %d clients…" % (t.name, CK_TICKETS, CLIENTS))
    run_load(t, "issue", ["register", "127.0.0.1", str(t.port), ck_slug, str(ck_tt),
                          str(CK_TICKETS), str(CLIENTS), codes])
    say("%s: check-in of those tickets, %d clients…" % (t.name, CLIENTS))
    run_load(t, "checkin", ["checkin", "127.0.0.1", str(t.port), ck_slug, token, codes,
                            str(CLIENTS)])
    say("%s: %d registrations for %d seats, %d clients…" % (t.name, REG_ATTEMPTS, REG_SEATS, CLIENTS))
    run_load(t, "register", ["register", "127.0.0.1", str(t.port), rg_slug, str(rg_tt),
                             str(REG_ATTEMPTS), str(CLIENTS)])
    return rg_ev


# --------------------------------------------------------------------------
# Round trips and commits with the mariadb client: one session, N statements,
# against the same with one (connection and start-up cancel out).

def per_statement_us(args, setup, stmt, n, repeat):
    def once(k):
        t0 = time.monotonic()
        p = subprocess.run(args, input=setup + stmt * k, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=600)
        if p.returncode != 0:
            raise Failure("%s: %s" % (" ".join(args[:4]), p.stderr.strip()))
        return time.monotonic() - t0
    best = None
    for _ in range(repeat):
        us = (once(n) - once(1)) / (n - 1) * 1e6
        best = us if best is None else min(best, us)
    return best


def cli_socket(sock):
    return ["mariadb", "--no-defaults", "--socket=" + sock, "-uroot", "-N", "-B"]


SCRATCH = ("CREATE DATABASE IF NOT EXISTS bcscratch;\n"
           "CREATE TABLE IF NOT EXISTS bcscratch.rep (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;\n")
LOCAL = ("SET SESSION wsrep_on = OFF;\n"
         "CREATE TABLE IF NOT EXISTS bcscratch.loc (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;\n")


# --------------------------------------------------------------------------
# Phase A: one instance on one plain MariaDB

def phase_single():
    d = os.path.join(RUN.dir, "single")
    os.makedirs(d)
    RUN.single_db = os.path.join(d, "db")
    say("single: starting a private MariaDB…")
    # Unencrypted, as the Galera nodes are: only replication differs.
    subprocess.run(["sh", "scripts/mariadb", "start", RUN.single_db], check=True,
                   stdout=subprocess.DEVNULL, timeout=300,
                   env=dict(os.environ, CONFERO_DB_ENCRYPT="0"))
    sock = os.path.join(RUN.single_db, "mysqld.sock")
    dbenv = dict(line.split("=", 1) for line in subprocess.run(
        ["sh", "scripts/mariadb", "env", RUN.single_db], check=True, capture_output=True,
        text=True).stdout.splitlines())
    # scripts/mariadb runs with innodb_flush_log_at_trx_commit=2; the Galera
    # nodes of scripts/cluster with 1.  The same durability on both, so that
    # the comparison is of replication, not of fsync (BENCH_CLUSTER_SINGLE_FLUSH).
    sql(sock, "SET GLOBAL innodb_flush_log_at_trx_commit = %d" % SINGLE_FLUSH)
    kv("single_flush_log_at_trx_commit", SINGLE_FLUSH)
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("CONFERO_DB_"):
            del env[k]
    env.update(dbenv)
    env.update(CONFERO_LISTEN="127.0.0.1:0", CONFERO_SECRET_KEY_FILE=os.path.join(d, "secret"),
               CONFERO_ADMIN_EMAIL=ADMIN[0], CONFERO_ADMIN_PASSWORD=ADMIN[1],
               CONFERO_WEB_DIR="web", CONFERO_REGISTER_MAX_ADDR="0", CONFERO_MAIL_SENDERS="0")
    log = os.path.join(d, "server.log")
    with open(log, "w") as fh:
        RUN.single_server = subprocess.Popen([BIN, "serve"], env=env, stdout=fh,
                                             stderr=subprocess.STDOUT, start_new_session=True)
    port = None
    for _ in range(300):
        with open(log) as fh:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", fh.read())
        if m:
            port = int(m.group(1))
            break
        if RUN.single_server.poll() is not None:
            break
        time.sleep(0.1)
    if port is None:
        with open(log) as fh:
            raise Failure("the single server did not start:\n" + fh.read()[-2000:])
    dbpid = int(open(os.path.join(RUN.single_db, "mysqld.pid")).read().strip())
    # the same statements as on the cluster, on the idle server (before the
    # loads: no purge or page flushing of theirs in the way)
    say("single: round trips and commits with the mariadb client…")
    sql(sock, SCRATCH)
    cli = cli_socket(sock)
    RESULTS["rtt_single_socket"] = per_statement_us(cli, "", "SELECT 1;\n", RTT_N, 3)
    RESULTS["commit_single"] = per_statement_us(cli, "", "INSERT INTO bcscratch.rep (v) VALUES (1);\n",
                                                COMMIT_N, 3)
    t = Target("single", port, {"confero": [RUN.single_server.pid], "db": [dbpid]})
    ev = loads(t, Api(port), "single")
    kv("single_register_confirmed", sql(sock, "SELECT COUNT(*) FROM registrations WHERE event_id = %d "
                                              "AND status = 'confirmed'" % ev, db="confero")[0][0])
    RUN.stop_single()


# --------------------------------------------------------------------------
# Phase B: the cluster

class Cluster:
    def __init__(self):
        self.dir = os.path.join(RUN.dir, "cluster")
        os.makedirs(self.dir)
        self.http = free_port()
        env = dict(os.environ)
        env.update(CONFERO_CLUSTER_DIR=self.dir, CONFERO_CLUSTER_HTTP="127.0.0.1:%d" % self.http,
                   CONFERO_BIN=BIN, CONFERO_ADMIN_EMAIL=ADMIN[0], CONFERO_ADMIN_PASSWORD=ADMIN[1],
                   CONFERO_REGISTER_MAX_ADDR="0", CONFERO_MAIL_SENDERS="0")
        self.out = os.path.join(self.dir, "cluster.out")
        with open(self.out, "w") as fh:
            RUN.cluster = subprocess.Popen(["sh", "scripts/cluster"], env=env, stdout=fh,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        self.proc = RUN.cluster

    def text(self):
        with open(self.out) as fh:
            return fh.read()

    def wait_ready(self, timeout=400):
        t0 = time.monotonic()
        while "Confero cluster:" not in self.text():
            if self.proc.poll() is not None:
                raise Failure("scripts/cluster exited:\n" + self.text()[-3000:])
            if time.monotonic() - t0 > timeout:
                raise Failure("the cluster did not come up:\n" + self.text()[-3000:])
            time.sleep(0.5)
        with open(os.path.join(self.dir, "ports.env")) as fh:
            self.ports = dict(re.findall(r"(\w+)=(\S+)", fh.read()))
        self.instances = [int(self.ports["CONFERO%d_PORT" % i]) for i in (1, 2, 3)]
        self.sock = {n: "%s/node%d/mysqld.sock" % (self.dir, n) for n in (1, 2, 3)}
        self.node_pid = {n: datadir_pid("%s/node%d/data" % (self.dir, n)) for n in (1, 2, 3)}
        ps = procs()
        kids = {pid: comm for pid, (pp, comm, _a) in ps.items() if pp == self.proc.pid}
        self.confero_pids = [p for p, c in kids.items() if c == "confero"]
        self.haproxy_pids = [p for p, c in kids.items() if c == "haproxy"]
        if len(self.confero_pids) != 3 or not self.haproxy_pids or None in self.node_pid.values():
            raise Failure("cluster processes not found: confero %r, haproxy %r, nodes %r"
                          % (self.confero_pids, self.haproxy_pids, self.node_pid))
        self.password = open(os.path.join(self.dir, "password")).read().strip()
        self.cnf = os.path.join(self.dir, "bench-client.cnf")
        fd = os.open(self.cnf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("[client]\nuser=confero\npassword=%s\n" % self.password)
        say("cluster up in %.0f s: instances %r, HTTP frontend %d, MariaDB frontend %s"
            % (time.monotonic() - t0, self.instances, self.http, self.ports["HAPROXY_MYSQL"]))

    def cli_tcp(self, port):
        return ["mariadb", "--defaults-file=" + self.cnf, "-h127.0.0.1", "-P%s" % port, "-N", "-B"]

    def haproxy_stat(self):
        """(proxy, server) -> status from HAProxy's stats socket."""
        return haproxy_stat(os.path.join(self.dir, "haproxy.sock"))


def phase_cluster():
    say("cluster: starting scripts/cluster (3 Galera nodes, HAProxy, 3 instances)…")
    cl = Cluster()
    cl.wait_ready()
    groups = {"confero": cl.confero_pids, "db": [cl.node_pid[1]],
              "replicas": [cl.node_pid[2], cl.node_pid[3]], "haproxy": cl.haproxy_pids}
    kv("galera_flush_log_at_trx_commit",
       sql(cl.sock[1], "SELECT @@innodb_flush_log_at_trx_commit")[0][0])
    g1 = Target("galera1", cl.instances[0], groups, cl.sock)
    c3 = Target("cluster3", cl.http, groups, cl.sock)

    # On the idle cluster, before the loads; each pair in turn, three rounds,
    # the best of each: whatever the disk or the neighbours do falls on both.
    say("cluster: round trips and commits with the mariadb client…")
    sql(cl.sock[1], SCRATCH)
    sql(cl.sock[1], LOCAL)
    micro = [("rtt_node1_socket", cli_socket(cl.sock[1]), "", "SELECT 1;\n", RTT_N),
             ("rtt_node1_tcp", cl.cli_tcp(cl.ports["NODE1_PORT"]), "", "SELECT 1;\n", RTT_N),
             ("rtt_haproxy_tcp", cl.cli_tcp(cl.ports["HAPROXY_MYSQL"]), "", "SELECT 1;\n", RTT_N),
             ("commit_node1_local", cli_socket(cl.sock[1]), "SET SESSION wsrep_on = OFF;\n",
              "INSERT INTO bcscratch.loc (v) VALUES (1);\n", COMMIT_N),
             ("commit_node1_replicated", cli_socket(cl.sock[1]), "",
              "INSERT INTO bcscratch.rep (v) VALUES (1);\n", COMMIT_N)]
    for _ in range(3):
        for key, args, setup, stmt, n in micro:
            us = per_statement_us(args, setup, stmt, n, 1)
            RESULTS[key] = min(us, RESULTS.get(key, us))

    ev1 = loads(g1, Api(cl.instances[0]), "galera1")
    ev3 = loads(c3, Api(cl.http), "cluster3")
    for name, ev in (("galera1", ev1), ("cluster3", ev3)):
        kv(name + "_register_confirmed",
           sql(cl.sock[1], "SELECT COUNT(*) FROM registrations WHERE event_id = %d "
                           "AND status = 'confirmed'" % ev, db="confero")[0][0])

    failover(cl)


# --------------------------------------------------------------------------
# The failover: node 1 killed during a rush through the HTTP frontend

def kill_node1(cl):
    pid = datadir_pid("%s/node1/data" % cl.dir)
    if pid is None:
        raise Failure("node1 is not running")
    os.kill(pid, signal.SIGKILL)
    return pid


def failover(cl):
    api = Api(cl.http)
    slug, _ev, tt = api.event("bc-failover", FO_ATTEMPTS)     # room for all: every answer a 201
    time.sleep(0.5)
    tag = uuid.uuid4().hex[:6]
    path = "/api/v1/events/%s/registrations" % slug
    nxt = [0]
    lock = threading.Lock()
    answers = []                # (t, status) of every attempt; -1: no answer
    done = [0]
    kill_at = [None]
    deadline = [None]
    said = {}

    def worker():
        conn = None
        while not RUN.stopping.is_set():
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= FO_ATTEMPTS:
                break
            body = json.dumps({"ticket_type_id": tt, "name": "Failover %d" % i,
                               "email": "fo%d-%s@example.org" % (i, tag), "consent": True})
            key = "fo-%s-%d" % (tag, i)
            while not RUN.stopping.is_set():
                st = -1
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", cl.http, timeout=30)
                    conn.request("POST", path, body=body,
                                 headers={"Content-Type": "application/json", "Idempotency-Key": key})
                    r = conn.getresponse()
                    r.read()
                    st = r.status
                    if (r.getheader("Connection") or "").lower() == "close":
                        conn.close()
                        conn = None
                except Exception as e:          # noqa: BLE001 - unknown outcome: retry
                    said.setdefault(type(e).__name__, str(e)[:100])
                    if conn is not None:
                        conn.close()
                    conn = None
                answers.append((time.monotonic(), st))
                if 0 < st < 500:
                    with lock:
                        done[0] += 1
                    break
                if deadline[0] is not None and time.monotonic() > deadline[0]:
                    break           # given up: counted as unanswered
                time.sleep(0.05)
        if conn is not None:
            conn.close()

    # The timeline: HAProxy's view of its servers and node 2's of the cluster.
    timeline = []
    state = {}

    def watch():
        last_size = None
        last_q = 0.0
        while not RUN.stopping.is_set() and not stop_watch.is_set():
            now = time.monotonic()
            try:
                for k, v in cl.haproxy_stat().items():
                    if state.get(k) != v:
                        if k in state:
                            timeline.append((now, "haproxy %s/%s %s" % (k[0], k[1], v)))
                        state[k] = v
            except OSError:
                pass
            if now - last_q >= 0.2:
                last_q = now
                try:
                    p = subprocess.run(cli_socket(cl.sock[2]) + ["-e", "SHOW STATUS WHERE Variable_name "
                                       "IN ('wsrep_cluster_size', 'wsrep_cluster_status')"],
                                       capture_output=True, text=True, timeout=5)
                    st = dict(line.split("\t") for line in p.stdout.splitlines())
                    sz = "%s %s" % (st.get("wsrep_cluster_size"), st.get("wsrep_cluster_status"))
                    if sz != last_size:
                        if last_size is not None:
                            timeline.append((time.monotonic(), "node2: wsrep_cluster_size %s" % sz))
                        last_size = sz
                except (subprocess.TimeoutExpired, ValueError):
                    pass
            time.sleep(0.1)
    stop_watch = threading.Event()
    say("failover: %d registrations through the HTTP frontend, %d clients, node1 killed a quarter in…"
        % (FO_ATTEMPTS, FO_CLIENTS))
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, daemon=True) for _ in range(FO_CLIENTS)]
    for t in ts:
        t.start()
    while done[0] < FO_ATTEMPTS // 4 and any(t.is_alive() for t in ts):
        time.sleep(0.005)
    pid = kill_node1(cl)
    kill_at[0] = time.monotonic()
    deadline[0] = kill_at[0] + 180
    timeline.append((kill_at[0], "kill -9 node1 (pid %d), the writer" % pid))
    for t in ts:
        while t.is_alive():
            t.join(0.5)
            if RUN.stopping.is_set():
                raise SystemExit(130)
    t_end = time.monotonic()
    time.sleep(0.5)
    stop_watch.set()
    watcher.join(10)

    ans = sorted(answers)
    k = kill_at[0]
    oks = [t for t, s in ans if s == 201]
    fails = [t for t, s in ans if t >= k - 0.05 and not (0 < s < 500)]
    first_fail = fails[0] if fails else None
    gap = before = after = None
    if first_fail is not None:
        before = max([t for t in oks if t < first_fail], default=None)
        after = min([t for t in oks if t > first_fail], default=None)
        if before is not None and after is not None:
            gap = after - before
    # the longest stretch without a 201 from shortly before the kill on
    longest = 0.0
    prev = max([t for t in oks if t < k], default=k)
    for t in oks:
        if t > prev:
            longest = max(longest, t - prev)
            prev = t
    codes = {}
    for _t, s in ans:
        codes[s] = codes.get(s, 0) + 1
    after_kill = [t for t in oks if t > k]
    ok_total = len(oks)
    if after is not None:
        timeline.append((after, "first 201 after the first failure"))
    if first_fail is not None:
        timeline.append((first_fail, "first failed attempt (%s)" % next(
            ("no answer" if s == -1 else str(s)) for t, s in ans if t == first_fail)))
    if before is not None:
        timeline.append((before, "last 201 before it"))
    timeline.sort()
    RESULTS["failover_timeline"] = [(t - k, what) for t, what in timeline]
    RESULTS["failover_exceptions"] = said
    kv("failover_attempts", FO_ATTEMPTS)
    kv("failover_answered", done[0])
    kv("failover_201", ok_total)
    kv("failover_failed_requests", sum(v for s, v in codes.items() if not (0 < s < 500)))
    kv("failover_503", codes.get(503, 0))
    kv("failover_no_answer", codes.get(-1, 0))
    kv("failover_gap_s", "%.1f" % gap if gap is not None else "none")
    kv("failover_longest_no_201_s", "%.1f" % longest)
    kv("failover_kill_to_first_error_s", "%.2f" % (first_fail - k) if first_fail is not None else "none")
    kv("failover_kill_to_first_201_s", "%.1f" % (after - k) if after is not None else
       ("%.1f" % (after_kill[0] - k) if after_kill else "none"))

    def first(pattern):
        for t, what in timeline:
            if t >= k and re.search(pattern, what):
                return "%.1f" % (t - k)
        return "none"
    kv("failover_haproxy_node1_down_s", first(r"galera/node1 DOWN$"))
    kv("failover_galera_view_s", first(r"node2: wsrep_cluster_size 2 Primary"))
    # HAProxy's HTTP checks (GET /healthz, 200 only with MariaDB reachable):
    # "UP 1/2" is a first failed check; DOWN (after two) would take the
    # instance out of the round robin until two good checks.
    kv("failover_http_check_failed_s", first(r"confero/confero\d UP 1/2"))
    kv("failover_http_backends_down", len({what.split()[1] for t, what in timeline
                                           if t >= k and re.search(r"confero/confero\d DOWN$", what)}))
    kv("failover_rush_s", "%.1f" % (t_end - t0))
    say("failover: gap %s s, %d failed requests retried" % (
        "%.1f" % gap if gap is not None else "none", sum(v for s, v in codes.items() if not (0 < s < 500))))


# --------------------------------------------------------------------------
# The report

def fnum(x, nd=0):
    if x is None:
        return "-"
    return ("{:,.%df}" % nd).format(float(x))


def report():
    T = ("single", "galera1", "cluster3")
    label = {"single": "single   1 instance, plain MariaDB",
             "galera1": "galera1  1 instance, Galera writer",
             "cluster3": "cluster3 3 instances, HTTP HAProxy"}
    L = ("register", "checkin", "issue")
    w = 36
    lines = ["", "bench-cluster: %d clients; register %d attempts for %d seats; check-in %d tickets "
             "(issued first: %d registrations, every one with a ticket)"
             % (CLIENTS, REG_ATTEMPTS, REG_SEATS, CK_TICKETS, CK_TICKETS), ""]
    lines.append("%-*s %17s %17s %17s" % (w, "", "register    ", "check-in    ", "issue      "))
    lines.append("%-*s %17s %17s %17s" % (w, "", "/s   p99 ms", "/s   p99 ms", "/s   p99 ms"))
    for t in T:
        row = "%-*s" % (w, label[t])
        for ld in L:
            r = RESULTS.get((t, ld))
            row += " %8s %8s" % (fnum(r and r["per_s"]), fnum(r and r["p99_ms"], 1)) if r else " %17s" % "-"
        lines.append(row)
    lines.append("")
    lines.append("CPU per request, µs (every process shares the same cores)")
    G = ("confero", "db", "replicas", "haproxy", "loadgen")
    lines.append("%-18s" % "" + "".join("%10s" % g for g in ("confero", "writer db", "2 replicas",
                                                              "haproxy", "loadgen", "total")))
    for ld in ("register", "checkin"):
        for t in T:
            r = RESULTS.get((t, ld))
            if not r:
                continue
            vals = [r.get("cpu_" + g) for g in G]
            lines.append("%-18s" % ("%s %s" % (t, ld)) + "".join("%10s" % fnum(v) for v in vals)
                         + "%10s" % fnum(sum(v for v in vals if v is not None)))
    lines.append("")
    lines.append("Galera per load: writesets per request, bytes per writeset, certification failures,")
    lines.append("brute-force aborts, time paused by flow control, FC messages sent, cert_deps_distance,")
    lines.append("apply and commit window, receive queue (those on the busier replica), send queue (node1)")
    lines.append("%-18s%9s%9s%7s%7s%8s%7s%8s%7s%7s%8s%8s" % (
        "", "ws/req", "B/ws", "certf", "bfab", "fcpaus", "fcsent", "deps", "applw", "commw",
        "recvq", "sendq"))
    for ld in ("issue", "checkin", "register"):
        for t in ("galera1", "cluster3"):
            r = RESULTS.get((t, ld))
            if not r or "wsrep_replicated" not in r:
                continue
            n = max(int(r["requests"]), 1)
            ws = r["wsrep_replicated"]
            lines.append("%-18s%9.2f%9s%7d%7d%7.1f%%%7d%8.1f%7.2f%7.2f%8.2f%8.2f" % (
                "%s %s" % (t, ld), ws / n, fnum(r["wsrep_replicated_bytes"] / ws if ws else 0),
                r["wsrep_local_cert_failures"], r["wsrep_local_bf_aborts"],
                100 * r["wsrep_flow_control_paused"], r["wsrep_flow_control_sent"],
                r["wsrep_cert_deps_distance"], r["wsrep_apply_window"], r["wsrep_commit_window"],
                r["wsrep_local_recv_queue_avg"], r["wsrep_local_send_queue_avg"]))
    lines.append("")
    lines.append("One statement, idle servers, mariadb client (µs each, %d SELECT 1 / %d autocommit INSERTs)"
                 % (RTT_N, COMMIT_N))
    for key, what in (("rtt_single_socket", "SELECT 1, plain MariaDB, unix socket"),
                      ("rtt_node1_socket", "SELECT 1, node1, unix socket"),
                      ("rtt_node1_tcp", "SELECT 1, node1, TCP"),
                      ("rtt_haproxy_tcp", "SELECT 1, node1 through HAProxy (TCP)"),
                      ("commit_single", "INSERT commit, plain MariaDB"),
                      ("commit_node1_local", "INSERT commit, node1, wsrep_on=OFF (not replicated)"),
                      ("commit_node1_replicated", "INSERT commit, node1, replicated + certified")):
        lines.append("  %-56s %8s" % (what, fnum(RESULTS.get(key))))
    tl = RESULTS.get("failover_timeline")
    if tl:
        lines.append("")
        lines.append("Failover (s after kill -9 of node1, during a rush through the HTTP frontend)")
        for t, what in tl:
            lines.append("  %+7.2f  %s" % (t, what))
        if RESULTS.get("failover_exceptions"):
            lines.append("  client errors seen: %s" % "; ".join(
                "%s %s" % kv_ for kv_ in RESULTS["failover_exceptions"].items()))
    print("\n".join(lines), flush=True)

    print("", flush=True)
    for t in T:
        for ld in L:
            r = RESULTS.get((t, ld))
            if not r:
                continue
            print("%s_%s_per_s: %s" % (t, ld, r["per_s"]))
            print("%s_%s_p99_ms: %s" % (t, ld, r["p99_ms"]))
            if ld == "checkin":
                print("%s_checkin_ok: %s" % (t, r["ok"]))
            if ld == "register":
                print("%s_register_other: %s" % (t, r["other"]))
            for g in ("confero", "db", "replicas", "haproxy", "loadgen"):
                if "cpu_" + g in r:
                    print("%s_%s_cpu_%s_us: %.0f" % (t, ld, g, r["cpu_" + g]))
            if "wsrep_replicated" in r:
                for k in ("wsrep_replicated", "wsrep_replicated_bytes", "wsrep_local_cert_failures",
                          "wsrep_local_bf_aborts", "wsrep_flow_control_sent"):
                    print("%s_%s_%s: %d" % (t, ld, k, r[k]))
                print("%s_%s_wsrep_flow_control_paused: %.3f" % (t, ld, r["wsrep_flow_control_paused"]))
                for k in ("wsrep_cert_deps_distance", "wsrep_apply_window", "wsrep_commit_window",
                          "wsrep_local_recv_queue_avg", "wsrep_local_send_queue_avg"):
                    print("%s_%s_%s: %.2f" % (t, ld, k, r[k]))
    for key in ("rtt_single_socket", "rtt_node1_socket", "rtt_node1_tcp", "rtt_haproxy_tcp",
                "commit_single", "commit_node1_local", "commit_node1_replicated"):
        if key in RESULTS:
            print("%s_us: %.0f" % (key, RESULTS[key]))
    if "rtt_haproxy_tcp" in RESULTS:
        print("haproxy_hop_us: %.0f" % (RESULTS["rtt_haproxy_tcp"] - RESULTS["rtt_node1_tcp"]))
    if "commit_node1_replicated" in RESULTS:
        print("wsrep_commit_cost_us: %.0f" % (RESULTS["commit_node1_replicated"]
                                              - RESULTS["commit_node1_local"]))
    for t in ("galera1", "cluster3"):
        for ld in ("register", "checkin"):
            a, b = RESULTS.get(("single", ld)), RESULTS.get((t, ld))
            if a and b and float(b["per_s"]) > 0:
                print("%s_%s_ratio: %.2f" % (t, ld, float(b["per_s"]) / float(a["per_s"])))
    for k, v in KV:
        print("%s: %s" % (k, v))
    sys.stdout.flush()


def main():
    global RUN
    for f in (BIN, LOADGEN):
        if not os.access(f, os.X_OK):
            print("bench-cluster: %s is missing (make BUILD=%s bench-cluster builds it)" % (f, BUILD),
                  file=sys.stderr)
            return 2
    RUN = Run()
    # Also when started in the background of a shell (SIGINT ignored there):
    # an interrupt always stops and cleans up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    t0 = time.monotonic()
    rc = 0
    try:
        say("in " + RUN.dir)
        phase_single()
        phase_cluster()
    except (Failure, subprocess.CalledProcessError, OSError, KeyError, ValueError) as e:
        say("FAILED: %s" % e)
        rc = 1
    except KeyboardInterrupt:
        say("interrupted")
        rc = 130
    except SystemExit as e:
        say("stopped by a signal")
        rc = e.code if isinstance(e.code, int) else 1
    finally:
        RUN.cleanup()
    if rc == 0:
        kv("bench_cluster_s", "%.0f" % (time.monotonic() - t0))
        report()
    return rc


if __name__ == "__main__":
    sys.exit(main())
