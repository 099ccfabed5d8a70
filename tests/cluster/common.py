"""What the cluster test (tests/cluster/run.py) and bench
(tests/bench/cluster.py) share: a free port, and HAProxy's `show stat` over
its admin socket (scripts/cluster writes it as DIR/haproxy.sock)."""

import csv
import io
import socket


def haproxy_stat(sock_path, timeout=2.0):
    """{(proxy, server): status} of every server, e.g. ("galera", "node1"): "UP"."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(b"show stat\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return {(r["pxname"], r["svname"]): r["status"]
            for r in csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
            if r["svname"] not in ("FRONTEND", "BACKEND")}


def free_port():
    """A port free on 127.0.0.1 at this moment."""
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    t.close()
    return p
