"""
`make run` itself, the way a new user meets it: the admin variables, the
local mail catcher on a free port (or the one asked for), the HTTP port,
and Ctrl-C — SIGINT to the whole foreground process group, as a terminal
sends it — leaving no process of that checkout behind.

Every run has its own CONFERO_VAR_DIR (so its own private MariaDB) and a
free HTTP port; the variable marks every process it starts, which is how
"nothing left" is checked: no process in /proc carries it.
"""

import email
import email.policy
import glob
import os
import re
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import check

READY = re.compile(r"Confero on http://(\S+) ")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listener():
    """A socket that holds a loopback port (like another program would)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def make_args():
    """`make run` for the binary under test: the same build directory and
    sanitizer setting, so make finds everything built and builds nothing."""
    args = ["make", "--no-print-directory", "run"]
    b = os.path.dirname(harness.confero_bin())
    rel = os.path.relpath(b, harness.REPO)
    if not rel.startswith(".."):
        args.append("BUILD=" + rel)
    if os.environ.get("CONFERO_TEST_SANITIZE") == "1" or "/san" in b:
        args.append("SANITIZE=1")
    return args


def processes_of(var):
    """Pids of processes whose environment names this var dir."""
    marker = ("CONFERO_VAR_DIR=%s\0" % var).encode()
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % p, "rb") as f:
                env = f.read()
            with open("/proc/%s/stat" % p) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (env.startswith(marker) or b"\0" + marker in env):
            with open("/proc/%s/cmdline" % p, "rb") as f:
                found.append((int(p), f.read().replace(b"\0", b" ").decode(errors="replace")))
    return found


class MakeRun:
    """One `make run` in a process group of its own, as a terminal's
    foreground job; its output collected as it comes."""

    def __init__(self, extra=None, var=None):
        self.var = var or harness.tmpdir("r")
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFERO_")}
        env.pop("MAKEFLAGS", None)
        env.pop("MFLAGS", None)
        env.update({"CONFERO_VAR_DIR": self.var,
                    "CONFERO_LISTEN": "127.0.0.1:%d" % self.port})
        env.update(extra or {})
        self.out = []
        self.proc = subprocess.Popen(make_args(), cwd=harness.REPO, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.out.append(line.decode(errors="replace"))

    def text(self):
        return "".join(self.out)

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY.search(self.text()):
                return
            if self.proc.poll() is not None:
                self.reader.join(5)
                raise harness.TestFailure("make run ended (%s) before serving:\n%s"
                                          % (self.proc.returncode, self.text()[-4000:]))
            time.sleep(0.2)
        raise harness.TestFailure("make run not serving after %ds:\n%s" % (timeout, self.text()[-4000:]))

    def wait_exit(self, timeout=120):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise harness.TestFailure("make run still running %ds later:\n%s" % (timeout, self.text()[-4000:]))
        self.reader.join(5)
        return self.proc.returncode

    def ctrl_c(self):
        """What a terminal does on Ctrl-C: SIGINT to the foreground group."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def client(self):
        return harness.Client("127.0.0.1", self.port)

    def left_behind(self, grace=5.0):
        deadline = time.monotonic() + grace
        while True:
            left = processes_of(self.var)
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)

    def destroy(self):
        """Whatever a failed test left: the group, then MariaDB, killed."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        for pid, _ in processes_of(self.var):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def ended_cleanly(run, rc):
    out = run.text()
    check("stopping the private MariaDB" in out, "no MariaDB stop in:\n" + out[-3000:])
    check("Traceback" not in out, "a traceback in make run's output:\n" + out[-3000:])
    # make itself dies of the SIGINT it was sent; it must not report the
    # script failing ("Error 1") on the way.
    check(not re.search(r"make: \*\*\* .*Error", out), "make reported an error:\n" + out[-3000:])
    check(rc in (0, -signal.SIGINT), "make run exit status %r:\n%s" % (rc, out[-3000:]))
    left = run.left_behind()
    check(not left, "processes of this checkout left after Ctrl-C: %r" % left)
    pidf = os.path.join(run.var, "mariadb", "mysqld.pid")
    check(not os.path.exists(pidf), "MariaDB did not shut down cleanly (pid file remains)")


def mails_in(var, timeout=60):
    return harness.poll(lambda: sorted(glob.glob(os.path.join(var, "mail", "*.eml"))) or None,
                        timeout)


def test_admin_from_variables_catcher_on_free_port_and_ctrl_c():
    # Something holds a port, as a second checkout's catcher on 2525 would;
    # nothing of ours may end up there.
    other = listener()
    seen_by_other = []
    other.settimeout(0.2)
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                c, _ = other.accept()
                seen_by_other.append(1)
                c.close()
            except OSError:
                pass
    threading.Thread(target=watch, daemon=True).start()
    run = MakeRun({"CONFERO_ADMIN_EMAIL": "Me@Hub.example.si",
                   "CONFERO_ADMIN_PASSWORD": "hub-password-4711"})
    try:
        run.wait_ready()
        out = run.text()
        check("me@hub.example.si" in out.lower() and "CONFERO_ADMIN_EMAIL" in out,
              "make run did not say which admin it created:\n" + out[-3000:])
        check("hub-password-4711" not in out, "the admin's password was printed")
        check(not os.path.exists(os.path.join(run.var, "admin-credentials")),
              "a generated admin was made although the variables were set")
        c = run.client()
        c.login("me@hub.example.si", "hub-password-4711")
        me = c.get("/api/v1/auth/me").json
        check(me["user"]["role"] == "admin", "not an admin: %r" % me)
        users = c.get("/api/v1/users").json
        emails = sorted(u["email"] for u in (users["users"] if isinstance(users, dict) else users))
        check(emails == ["me@hub.example.si"], "users after make run: %r" % emails)
        harness.Client("127.0.0.1", run.port).login("admin@confero.localhost", "x" * 12, expect=401)
        # The demo was seeded with that admin, and its ticket mails reached
        # this checkout's own catcher.
        events = c.get("/api/v1/events").json
        events = events["events"] if isinstance(events, dict) else events
        check(len(events) >= 1, "no demo event: %r" % events)
        m = re.search(r"local catcher on 127\.0\.0\.1:(\d+)", out)
        check(m is not None, "make run did not say where mail goes:\n" + out[-3000:])
        check(int(m.group(1)) != other.getsockname()[1], "catcher on the taken port")
        files = mails_in(run.var)
        with open(files[0], "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        check(events[0]["name"] in str(msg["Subject"]) or events[0]["name"] in msg.get_body(("plain",)).get_content(),
              "the caught mail is not about the demo event")
        check(not seen_by_other, "something connected to the other program's port")
        run.ctrl_c()
        rc = run.wait_exit()
        ended_cleanly(run, rc)
    finally:
        stop.set()
        other.close()
        run.destroy()


def test_generated_admin_and_ctrl_c_after_the_catcher_died():
    run = MakeRun()
    try:
        run.wait_ready()
        cred = os.path.join(run.var, "admin-credentials")
        check(os.path.exists(cred), "no var/admin-credentials")
        check(os.stat(cred).st_mode & 0o077 == 0, "admin-credentials readable by others")
        with open(cred) as f:
            kv = dict(line.strip().split(": ", 1) for line in f if ": " in line)
        check(kv.get("email") == "admin@confero.localhost", "credentials: %r" % kv.get("email"))
        run.client().login(kv["email"], kv["password"])
        # The defect: with the catcher already gone, Ctrl-C's cleanup
        # stopped at the failing kill and never stopped MariaDB.
        catchers = [p for p, cmd in processes_of(run.var) if "mailcatcher.py" in cmd]
        check(len(catchers) == 1, "mail catcher processes: %r" % processes_of(run.var))
        os.kill(catchers[0], signal.SIGKILL)
        harness.poll(lambda: not any(p == catchers[0] for p, _ in processes_of(run.var)), 10)
        run.ctrl_c()
        rc = run.wait_exit()
        ended_cleanly(run, rc)
    finally:
        run.destroy()


def test_second_run_reuses_var_and_keeps_the_admin():
    run = MakeRun()
    try:
        run.wait_ready()
        with open(os.path.join(run.var, "admin-credentials")) as f:
            first = f.read()
        run.ctrl_c()
        ended_cleanly(run, run.wait_exit())
        again = MakeRun(var=run.var)
        try:
            again.wait_ready()
            with open(os.path.join(run.var, "admin-credentials")) as f:
                check(f.read() == first, "the second run replaced the admin credentials")
            check("First admin created" not in again.text(), "a second admin was created")
            kv = dict(line.split(": ", 1) for line in first.splitlines() if ": " in line)
            again.client().login(kv["email"], kv["password"])
            again.ctrl_c()
            ended_cleanly(again, again.wait_exit())
        finally:
            again.destroy()
    finally:
        run.destroy()


def test_catcher_port_taken_stops_make_run_with_a_message():
    busy = listener()
    port = busy.getsockname()[1]
    run = MakeRun({"CONFERO_MAIL_CATCHER_PORT": str(port)})
    try:
        rc = run.wait_exit(timeout=180)
        out = run.text()
        check(rc not in (0, None), "make run carried on with its catcher port taken:\n" + out[-3000:])
        check("mail catcher" in out and str(port) in out and "CONFERO_MAIL_CATCHER_PORT" in out,
              "no clear message about the catcher's port:\n" + out[-3000:])
        check("Traceback" not in out, "a traceback instead of a message:\n" + out[-3000:])
        check("Confero on http://" not in out, "the server started anyway")
        check(not run.left_behind(), "processes left: %r" % processes_of(run.var))
    finally:
        busy.close()
        run.destroy()


def test_http_port_taken_stops_make_run_with_a_message():
    busy = listener()
    port = busy.getsockname()[1]
    run = MakeRun({"CONFERO_LISTEN": "127.0.0.1:%d" % port})
    try:
        rc = run.wait_exit(timeout=180)
        out = run.text()
        check(rc not in (0, None), "make run carried on with its HTTP port taken:\n" + out[-3000:])
        check(("127.0.0.1:%d" % port) in out and "CONFERO_LISTEN" in out,
              "no clear message about the HTTP port:\n" + out[-3000:])
        check(not run.left_behind(), "processes left: %r" % processes_of(run.var))
    finally:
        busy.close()
        run.destroy()


def test_admin_variables_must_come_in_pairs():
    run = MakeRun({"CONFERO_ADMIN_EMAIL": "me@hub.example.si"})
    try:
        rc = run.wait_exit(timeout=180)
        out = run.text()
        check(rc not in (0, None), "make run started with half the admin variables")
        check("CONFERO_ADMIN_PASSWORD" in out, "no message naming the missing variable:\n" + out[-2000:])
        check(not run.left_behind(), "processes left: %r" % processes_of(run.var))
    finally:
        run.destroy()
