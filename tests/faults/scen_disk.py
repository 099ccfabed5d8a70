"""
Scenario 6: a full disk for exports.  CONFERO_TMPDIR is a small tmpfs of
its own (mounted here; root only), filled up: XLSX and PDF exports must
answer a clear JSON error (5xx), never a 200 with a truncated file, both
when the disk is full and when it fills up half-way through an export;
once space is freed they work again (openpyxl and the PDF trailer are
the oracles).  The mount is removed at the end.
"""

import io
import os
import subprocess
import time

from common import server_env, Checks, register_many, say, stop_checked, world_of
import harness
from harness import start_server

SHORT = dict(attendees=300, size_kb=1024, nearly_free_kb=(8, 48, 400))
FULL = dict(attendees=2000, size_kb=4096, nearly_free_kb=(8, 48, 160, 400, 1200))


def fill(d, leave_kb):
    """Fill the tmpfs d up, leaving about leave_kb free."""
    path = os.path.join(d, "filler")
    st = os.statvfs(d)
    free = st.f_bavail * st.f_frsize
    want = max(0, free - leave_kb * 1024)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        chunk = b"\0" * 65536
        while want > 0:
            want -= os.write(fd, chunk[:min(len(chunk), want)])
        if leave_kb == 0:
            while True:
                os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    st = os.statvfs(d)
    return st.f_bavail * st.f_frsize


def free_space(d):
    try:
        os.unlink(os.path.join(d, "filler"))
    except FileNotFoundError:
        pass


def leftovers(d):
    return [f for f in os.listdir(d) if f != "filler"]


def check_ok(ck, name, r, what="space freed: works again"):
    good = r.status == 200
    detail = "status %d, %d bytes" % (r.status, len(r.raw))
    if good and name.endswith(".xlsx"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(io.BytesIO(r.raw), read_only=True)
            rows = sum(ws.max_row or 0 for ws in wb.worksheets)
            detail += ", %d rows (openpyxl)" % rows
        except Exception as e:              # noqa: BLE001
            good, detail = False, detail + ", openpyxl: %r" % e
    elif good and name.endswith(".pdf"):
        good = r.raw.startswith(b"%PDF-") and b"%%EOF" in r.raw[-64:]
        detail += ", trailer %s" % ("ok" if good else "missing")
    ck.check(good, "%s %s" % (name, what), detail)


def run(p):
    ck = Checks("disk-full")
    if os.geteuid() != 0:
        say("SKIP: mounting a tmpfs needs root")
        return {}
    mnt = harness.tmpdir("tmpfs")
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0700" % p["size_kb"],
                        "tmpfs", mnt], capture_output=True, text=True, timeout=30)
    if m.returncode != 0:
        # Root without CAP_SYS_ADMIN (a container): nothing to fill here.
        say("SKIP: cannot mount a tmpfs here: %s" % m.stderr.strip()[:200])
        return {}
    srv = None
    try:
        srv = start_server(server_env(CONFERO_TMPDIR=mnt), tag="fdisk")
        w = world_of(srv)
        ev, tt = w.simple_event(capacity=None)
        slug = ev["slug"]
        regs = register_many(w, slug, tt["id"], p["attendees"])
        r = w.checkin(slug, code=regs[0][1])
        harness.expect_status(r, 200, "check in one attendee")
        base = "/api/v1/events/%s" % slug
        exports = [("attendees.xlsx", base + "/exports/attendees.xlsx"),
                   ("attendance.xlsx", base + "/exports/attendance.xlsx"),
                   ("badges.pdf", base + "/exports/badges.pdf?layout=a4"),
                   ("certificate.pdf", base + "/registrations/%d/certificate.pdf" % regs[0][0])]
        sizes = {}
        for name, path in exports:
            r = w.admin.get(path, timeout=120)
            harness.expect_status(r, 200, "%s with space" % name)
            sizes[name] = len(r.raw)
        ck.figure("export_sizes_bytes", sizes)
        ck.figure("tmpfs_kb", p["size_kb"])
        st = os.statvfs(mnt)
        say("after the baseline exports: %d KB free, files %r" % (st.f_bavail * st.f_frsize // 1024, os.listdir(mnt)))
        refusals, statuses = 0, {}
        for leave in (0,) + tuple(p["nearly_free_kb"]):
            left = fill(mnt, leave)
            for name, path in exports:
                t0 = time.monotonic()
                r = w.admin.get(path, timeout=120)
                dt = time.monotonic() - t0
                ctype = r.header("Content-Type", "") or ""
                if r.status == 200:
                    # It fitted after all: then it must be whole.
                    check_ok(ck, name, r, "with %d KB free: 200 and whole" % (left // 1024))
                    continue
                refusals += 1
                statuses[(r.status, r.error_code)] = statuses.get((r.status, r.error_code), 0) + 1
                ck.check(500 <= r.status < 600 and ctype.startswith("application/json") and
                         r.error_code is not None,
                         "%s with %d KB free: a JSON 5xx error, not a truncated file" % (name, left // 1024),
                         "%d %s code=%s in %.2fs" % (r.status, ctype.split(";")[0], r.error_code, dt))
            ck.check(not leftovers(mnt), "no export file left behind in CONFERO_TMPDIR",
                     "%r" % leftovers(mnt))
            free_space(mnt)
        err_lines = [l for l in srv.log().splitlines() if "cannot write" in l]
        full_lines = [l for l in err_lines if "disk is full" in l]
        ck.figure("server_log_export_failures", len(err_lines))
        if err_lines:
            say("e.g. " + err_lines[0][:240])
        ck.check(refusals and len(full_lines) >= refusals,
                 "the server log names the full disk for every refused export",
                 "%d refusals, %d log lines saying so" % (refusals, len(full_lines)))
        ck.figure("refusal_answers", {"%d %s" % k: v for k, v in statuses.items()})
        for name, path in exports:
            check_ok(ck, name, w.admin.get(path, timeout=120))
        r = w.admin.get(base + "/exports/attendees.csv", timeout=120)
        ck.check(r.status == 200 and r.raw.count(b"\r\n") == p["attendees"] + 1,
                 "the streamed CSV export (no temporary file) works", "%d lines" % r.raw.count(b"\r\n"))
        stop_checked(ck, srv)
        return ck.done()
    finally:
        if srv is not None:
            srv.kill()
        subprocess.run(["umount", mnt], capture_output=True, timeout=30)
        still = subprocess.run(["findmnt", "-n", mnt], capture_output=True, text=True).stdout.strip()
        if still:
            subprocess.run(["umount", "-l", mnt], capture_output=True, timeout=30)
