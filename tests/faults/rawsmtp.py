"""
A small SMTP server on raw sockets for faults aiosmtpd cannot make: it
drops the connection in the middle of DATA, or accepts connections and
never answers.  Per recipient rules (first N attempts) and per connection
modes; it keeps what it accepted (recipient, Message-ID) and a log of
every connection (accepted at, closed at, by whom).
"""

import re
import socket
import threading
import time


class RawSmtp:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.accepted = []              # (rcpt, message-id, time)
        self.events = []                # (rcpt, what, time)
        self.conns = []                 # dicts: t_open, t_close, mode, closed_by
        self.rules = {}                 # rcpt -> list of actions for attempts (then "ok")
        self.hang_next = 0              # connections to accept and never answer
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    # ---- control

    def rule(self, rcpt, actions):
        """actions per attempt: 'drop_in_data', 'rcpt:452 …', 'rcpt:550 …',
        'data:452 …' (after the data), 'ok'.  Past the list: 'ok'."""
        with self.lock:
            self.rules[rcpt.lower()] = list(actions)

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c["sock"].close()
            except OSError:
                pass

    def got(self, rcpt):
        with self.lock:
            return [a for a in self.accepted if a[0] == rcpt.lower()]

    def _next(self, rcpt):
        with self.lock:
            q = self.rules.get(rcpt)
            return q.pop(0) if q else "ok"

    # ---- server

    def _serve(self):
        while not self.stopping:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                hang = self.hang_next > 0
                if hang:
                    self.hang_next -= 1
                c = {"sock": s, "t_open": time.monotonic(), "t_close": None,
                     "mode": "hang" if hang else "normal", "closed_by": None}
                self.conns.append(c)
            threading.Thread(target=self._hang if hang else self._session, args=(c,),
                             daemon=True).start()

    def _hang(self, c):
        s = c["sock"]
        try:
            while s.recv(4096):             # never answer; wait for the client to give up
                pass
            c["closed_by"] = "client"
        except OSError:
            c["closed_by"] = "error"
        c["t_close"] = time.monotonic()
        s.close()

    def _session(self, c):
        s = c["sock"]
        f = s.makefile("rb")

        def send(line):
            s.sendall(line.encode() + b"\r\n")
        try:
            send("220 raw.test ESMTP")
            rcpts, actions = [], {}
            while True:
                line = f.readline()
                if not line:
                    c["closed_by"] = "client"
                    break
                cmd = line.decode("ascii", "replace").strip()
                u = cmd.upper()
                if u.startswith("EHLO") or u.startswith("HELO"):
                    s.sendall(b"250-raw.test\r\n250-8BITMIME\r\n250 SIZE 50000000\r\n")
                elif u.startswith("MAIL FROM"):
                    rcpts, actions = [], {}
                    send("250 2.1.0 OK")
                elif u.startswith("RCPT TO"):
                    m = re.search(r"<([^>]*)>", cmd)
                    a = (m.group(1) if m else cmd[8:]).lower()
                    act = self._next(a)
                    with self.lock:
                        self.events.append((a, act, time.monotonic()))
                    if act.startswith("rcpt:"):
                        send(act[5:])
                        continue
                    rcpts.append(a)
                    actions[a] = act
                    send("250 2.1.5 OK")
                elif u == "DATA":
                    if not rcpts:
                        send("503 5.5.1 need RCPT")
                        continue
                    send("354 go ahead")
                    if any(actions[a] == "drop_in_data" for a in rcpts):
                        f.read(2000)            # some of the message, then gone
                        c["closed_by"] = "server (drop in DATA)"
                        break
                    data = []
                    while True:
                        l2 = f.readline()
                        if not l2:
                            raise ConnectionError("eof in DATA")
                        if l2 in (b".\r\n", b".\n"):
                            break
                        data.append(l2)
                    raw = b"".join(data)
                    m = re.search(rb"^Message-ID:\s*(\S+)", raw, re.M | re.I)
                    mid = m.group(1).decode() if m else ""
                    d_act = [actions[a] for a in rcpts if actions[a].startswith("data:")]
                    if d_act:
                        send(d_act[0][5:])
                        continue
                    with self.lock:
                        for a in rcpts:
                            self.accepted.append((a, mid, time.monotonic()))
                    send("250 2.0.0 kept")
                elif u == "RSET":
                    rcpts, actions = [], {}
                    send("250 OK")
                elif u == "QUIT":
                    send("221 bye")
                    c["closed_by"] = "quit"
                    break
                elif u == "NOOP":
                    send("250 OK")
                else:
                    send("502 5.5.2 command not recognised")
        except (OSError, ConnectionError):
            c["closed_by"] = c["closed_by"] or "error"
        c["t_close"] = time.monotonic()
        try:
            s.close()
        except OSError:
            pass
