"""
Helpers for the mail tests (issue 4): a real SMTP server on loopback
(aiosmtpd from Debian's python3-aiosmtpd, in a thread) that keeps every
message with its envelope and can answer chosen recipients with scripted
replies (4xx/5xx at RCPT or at the end of DATA); the server environment
for mail; parsing of received messages with the `email` package; and
outbox / mailing shortcuts.  The harness and util_events do servers, HTTP
and registrations.
"""

import asyncio
import concurrent.futures
import email
import email.header
import email.policy
import email.utils
import logging
import os
import socket
import threading
import time

import harness
from harness import TestFailure, check, expect_status

SMTP_FROM_NAME = "Confero Test"
SMTP_FROM_ADDR = "events@example.org"
SENDER_BATCH = 20           # messages a sender claims at once (the contract)

logging.getLogger("mail.log").setLevel(logging.CRITICAL)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def mail_env(smtp_port, **extra):
    """Overrides for `confero serve` / `confero mailer` sending to smtp_port."""
    env = {
        "CONFERO_SMTP_HOST": "127.0.0.1",
        "CONFERO_SMTP_PORT": str(smtp_port),
        "CONFERO_SMTP_STARTTLS": "off",
        "CONFERO_SMTP_FROM": "%s <%s>" % (SMTP_FROM_NAME, SMTP_FROM_ADDR),
        "CONFERO_MAIL_BACKOFF": "1,1,1,1,1",
        "CONFERO_MAIL_LEASE": "3",
        "CONFERO_MAIL_TEMPLATES": os.path.join(harness.REPO, "mail-templates"),
        "CONFERO_SMTP_RATE": "0",
    }
    for k, v in extra.items():
        env[k if k.startswith("CONFERO_") else "CONFERO_" + k.upper()] = v
    return env


# --------------------------------------------------------------------------
# The SMTP server

def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class Received:
    """One message as the SMTP server accepted it."""

    def __init__(self, seq, mail_from, rcpt_tos, raw):
        self.seq = seq                  # arrival order, from 0, over the sink's life
        self.time = time.monotonic()
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.raw = raw
        self._msg = None

    @property
    def msg(self):
        if self._msg is None:
            self._msg = parse(self.raw)
        return self._msg

    @property
    def message_id(self):
        return str(self.msg.get("Message-ID", "")).strip()

    @property
    def to(self):
        return self.rcpt_tos[0].lower() if self.rcpt_tos else None

    def __repr__(self):
        return "<mail #%d %s -> %r %s>" % (self.seq, self.mail_from, self.rcpt_tos,
                                           self.message_id)


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink._scripted("rcpt", address)
        with self.sink.cond:
            self.sink.rcpt_log.append((address.lower(), reply or "250"))
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        s = self.sink
        if s.delay:
            await asyncio.sleep(s.delay)
        raw = envelope.original_content or envelope.content
        for a in envelope.rcpt_tos:
            reply = s._scripted("data", a)
            if reply:
                with s.cond:
                    s.data_refused.append((a.lower(), reply, raw))
                return reply
        with s.cond:
            rec = Received(s._seq, envelope.mail_from, envelope.rcpt_tos, raw)
            s._seq += 1
        hook = s.on_data
        if hook is not None:
            try:
                hook(rec)
            except Exception as e:          # noqa: BLE001 - reported via hook_errors
                s.hook_errors.append(e)
        with s.cond:
            s.messages.append(rec)
            s.cond.notify_all()
        return "250 2.0.0 OK kept"


class SmtpSink:
    """An SMTP server on 127.0.0.1:port that keeps what it is sent.

    script(addr, rcpt=[...], data=[...]) makes the next RCPT TO / DATA for
    addr answer with the given replies in turn (then 250 again); a reply
    given as (text, True) is repeated forever.  on_data(received) is
    called (in the server thread) for each message before it is kept and
    acknowledged.
    """

    def __init__(self, port=None, delay=0.0):
        self.port = port or free_port()
        self.delay = delay
        self.cond = threading.Condition()
        self.messages = []
        self.rcpt_log = []
        self.data_refused = []
        self.hook_errors = []
        self.on_data = None
        self._scripts = {}
        self._seq = 0
        self.controller = None

    # ---- life

    def start(self):
        from aiosmtpd.controller import Controller
        check(self.controller is None, "SMTP sink started twice")
        last = None
        for _ in range(50):             # the port may linger a moment after stop()
            c = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                           ready_timeout=10)
            try:
                c.start()
            except Exception as e:      # noqa: BLE001
                last = e
                try:
                    c.stop()
                except Exception:       # noqa: BLE001
                    pass
                time.sleep(0.1)
                continue
            self.controller = c
            return self
        raise TestFailure("cannot start the SMTP sink on port %d: %r" % (self.port, last))

    def stop(self):
        if self.controller is not None:
            try:
                self.controller.stop()
            finally:
                self.controller = None

    @property
    def running(self):
        return self.controller is not None

    # ---- scripted replies

    def script(self, addr, rcpt=(), data=()):
        with self.cond:
            if rcpt:
                self._scripts[("rcpt", addr.lower())] = list(rcpt)
            if data:
                self._scripts[("data", addr.lower())] = list(data)

    def _scripted(self, stage, addr):
        with self.cond:
            q = self._scripts.get((stage, addr.lower()))
            if not q:
                return None
            r = q[0]
            if isinstance(r, tuple):
                return r[0]
            q.pop(0)
            return r

    # ---- what arrived

    def to(self, addr):
        """Messages whose envelope names addr."""
        a = addr.lower()
        with self.cond:
            return [m for m in self.messages if a in [r.lower() for r in m.rcpt_tos]]

    def rcpts(self, addr):
        a = addr.lower()
        with self.cond:
            return [r for x, r in self.rcpt_log if x == a]

    def wait(self, pred, timeout, what="messages"):
        """Wait until pred(list of messages) is truthy; return that value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                v = pred(list(self.messages))
                if v:
                    return v
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure("SMTP sink: timed out after %gs waiting for %s; "
                                      "%d messages kept" % (timeout, what, len(self.messages)))
                self.cond.wait(min(left, 0.5))

    def wait_for(self, addrs, timeout=20, count=1):
        """Wait until each address has at least count messages; return
        {addr: [messages]}."""
        want = [a.lower() for a in addrs]

        def got(msgs):
            by = {a: [] for a in want}
            for m in msgs:
                for r in m.rcpt_tos:
                    if r.lower() in by:
                        by[r.lower()].append(m)
            missing = [a for a in want if len(by[a]) < count]
            return None if missing else by

        try:
            return self.wait(got, timeout, "mail to %d address(es)" % len(want))
        except TestFailure:
            with self.cond:
                have = {a for m in self.messages for a in (r.lower() for r in m.rcpt_tos)}
            missing = [a for a in want if a not in have]
            raise TestFailure("no mail within %gs for %d of %d addresses, e.g. %r"
                              % (timeout, len(missing), len(want), missing[:5]))


def mail_world(tag, **extra):
    """A started SMTP sink and a World whose server mails to it."""
    from util_events import World
    sink = SmtpSink().start()
    try:
        return sink, World(tag, mail_env(sink.port, **extra))
    except Exception:
        sink.stop()
        raise


def stop_mail_world(sink, world):
    try:
        if world is not None:
            world.stop()
    finally:
        if sink is not None:
            sink.stop()


# --------------------------------------------------------------------------
# Looking into a message

def headers_ascii(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    try:
        head.decode("ascii")
    except UnicodeDecodeError:
        return False
    return True


def raw_header_lines(raw, name):
    """Unfolded raw values of header `name` (bytes, as sent)."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t")
    out = []
    for line in head.split(b"\r\n"):
        k, sep, v = line.partition(b":")
        if sep and k.strip().lower() == name.lower().encode():
            out.append(v.strip())
    return out


def leaf_parts(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


def is_attachment(part):
    return (part.get_content_disposition() or "") == "attachment"


def text_part(msg):
    for p in leaf_parts(msg):
        if p.get_content_type() == "text/plain" and not is_attachment(p):
            return p.get_content()
    return None


def html_part(msg):
    for p in leaf_parts(msg):
        if p.get_content_type() == "text/html" and not is_attachment(p):
            return p.get_content()
    return None


def attachments(msg):
    """{filename: part} of the attachment parts."""
    return {p.get_filename(): p for p in leaf_parts(msg) if is_attachment(p)}


def images(msg):
    return [p for p in leaf_parts(msg) if p.get_content_maintype() == "image"]


def single_to(rec, email_addr):
    """The message has exactly one To address, email_addr, no Cc/Bcc and
    the envelope names only email_addr.  Returns the To display name."""
    msg = rec.msg
    check(rec.rcpt_tos == [email_addr] or [r.lower() for r in rec.rcpt_tos] == [email_addr.lower()],
          "envelope recipients: want exactly [%r], got %r" % (email_addr, rec.rcpt_tos))
    tos = msg.get_all("To") or []
    check(len(tos) == 1, "want exactly one To header, got %r" % (tos,))
    for h in ("Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"):
        check(msg.get_all(h) is None, "unexpected %s header: %r\n%s"
              % (h, msg.get_all(h), rec.raw.split(b"\r\n\r\n")[0].decode("ascii", "replace")))
    addrs = tos[0].addresses
    check(len(addrs) == 1, "To names %d addresses, want 1: %r (raw %r)"
          % (len(addrs), addrs, raw_header_lines(rec.raw, "To")))
    check(addrs[0].addr_spec.lower() == email_addr.lower(),
          "To address: want %r, got %r" % (email_addr, addrs[0].addr_spec))
    check(not tos[0].defects, "To header defects %r: %r" % (tos[0].defects,
                                                          raw_header_lines(rec.raw, "To")))
    raw = raw_header_lines(rec.raw, "To")[0].decode("ascii", "replace")
    return display_name(raw, addrs[0].display_name)


def display_name(raw_value, parsed):
    """The display name of a one-mailbox header value.  Python's address
    parser keeps the white space between adjacent encoded words, which RFC
    2047 (section 6.2) says to drop; with encoded words in the phrase,
    decode it as the RFC says."""
    phrase = raw_value.strip()
    if not phrase.endswith(">") or "<" not in phrase or "=?" not in phrase:
        return parsed
    phrase = phrase[:phrase.rindex("<")].strip()
    if phrase.startswith('"'):
        return parsed                   # a quoted-string: encoded words stay as they are
    return str(email.header.make_header(email.header.decode_header(phrase)))


def check_common_headers(rec, from_name=SMTP_FROM_NAME):
    """Date, Message-ID, From, To, Subject once each; From is ours."""
    msg = rec.msg
    for h in ("Date", "Message-ID", "From", "To", "Subject"):
        v = msg.get_all(h) or []
        check(len(v) == 1, "header %s: want once, got %r" % (h, v))
    check(msg["Date"].datetime is not None, "Date does not parse: %r" % msg["Date"])
    mid = rec.message_id
    check(mid.startswith("<") and mid.endswith(">") and "@" in mid and " " not in mid,
          "Message-ID looks wrong: %r" % mid)
    fr = msg["From"].addresses
    raw_from = raw_header_lines(rec.raw, "From")[0].decode("ascii", "replace")
    check(len(fr) == 1 and fr[0].addr_spec == SMTP_FROM_ADDR and
          display_name(raw_from, fr[0].display_name) == from_name,
          "From: want %r <%s>, got %r (raw %r)" % (from_name, SMTP_FROM_ADDR, fr, raw_from))
    check(rec.mail_from == SMTP_FROM_ADDR, "envelope sender: want %r, got %r"
          % (SMTP_FROM_ADDR, rec.mail_from))
    check(headers_ascii(rec.raw), "non-ASCII octets in the header section:\n%r"
          % rec.raw.split(b"\r\n\r\n")[0][:2000])


def ticket_structure(msg):
    """Check the ticket mail's MIME layout; return (text, html, inline png
    bytes, attached png bytes, ics bytes)."""
    alt = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
    check(len(alt) == 1, "want one multipart/alternative, got %d: %s"
          % (len(alt), structure(msg)))
    kids = list(alt[0].iter_parts())
    types = [k.get_content_type() for k in kids]
    check("text/plain" in types, "multipart/alternative without text/plain: %s" % structure(msg))
    check(types[0] == "text/plain", "multipart/alternative: text/plain must come first "
          "(the least preferred): %s" % structure(msg))
    rel = [k for k in kids if k.get_content_type() == "multipart/related"]
    check(len(rel) == 1, "the HTML is not in a multipart/related inside the alternative: %s"
          % structure(msg))
    rparts = list(rel[0].iter_parts())
    check(rparts and rparts[0].get_content_type() == "text/html",
          "multipart/related: the first part must be the text/html: %s" % structure(msg))
    html = rparts[0].get_content()
    pngs = [p for p in rparts[1:] if p.get_content_type() == "image/png"]
    check(len(pngs) == 1, "want one inline image/png in the related part: %s" % structure(msg))
    cid = (pngs[0].get("Content-ID") or "").strip()
    check(cid.startswith("<") and cid.endswith(">"), "inline PNG Content-ID: %r" % cid)
    check(("cid:" + cid[1:-1]) in html, "the HTML does not reference cid:%s" % cid[1:-1])
    inline_png = pngs[0].get_payload(decode=True)
    att = attachments(msg)
    check("ticket.png" in att, "no ticket.png attachment: %s" % structure(msg))
    check(att["ticket.png"].get_content_type() == "image/png",
          "ticket.png type %r" % att["ticket.png"].get_content_type())
    check("event.ics" in att, "no event.ics attachment: %s" % structure(msg))
    check(att["event.ics"].get_content_type() == "text/calendar",
          "event.ics type %r" % att["event.ics"].get_content_type())
    return (alt[0].get_body(("plain",)).get_content(), html, inline_png,
            att["ticket.png"].get_payload(decode=True), att["event.ics"].get_payload(decode=True))


def structure(msg, depth=0):
    out = "  " * depth + msg.get_content_type()
    fn = msg.get_filename()
    if fn:
        out += " (%s)" % fn
    if msg.get("Content-ID"):
        out += " cid=%s" % msg.get("Content-ID")
    out += "\n"
    if msg.is_multipart():
        for p in msg.iter_parts():
            out += structure(p, depth + 1)
    return out if depth else "\n" + out


# --------------------------------------------------------------------------
# Outbox and mailings through the API

def outbox(client, slug, status=None):
    path = "/api/v1/events/%s/outbox" % slug
    if status:
        path += "?status=" + status
    r = client.get(path)
    expect_status(r, 200, "outbox of %s" % slug)
    msgs = (r.json or {}).get("messages")
    check(isinstance(msgs, list), "outbox: no messages list in %r" % r)
    return msgs


def wait_outbox(client, slug, pred, timeout, what, fetch=None):
    """Poll the outbox until pred(rows) is truthy; return the rows.  fetch()
    reads the rows another way (default: the API's outbox list)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = fetch() if fetch is not None else outbox(client, slug)
        if pred(rows):
            return rows
        if time.monotonic() > deadline:
            raise TestFailure("outbox of %s: timed out after %gs waiting for %s; rows:\n%s"
                              % (slug, timeout, what, "\n".join(repr(x) for x in rows[:30])))
        time.sleep(0.2)


def settled(rows):
    return all(x.get("status") in ("sent", "failed", "skipped") for x in rows)


def mailing(client, mid):
    r = client.get("/api/v1/mailings/%d" % mid)
    expect_status(r, 200, "mailing %d" % mid)
    return r.json


def wait_mailing_done(client, mid, timeout):
    deadline = time.monotonic() + timeout
    while True:
        m = mailing(client, mid)
        if m.get("status") == "done":
            return m
        if time.monotonic() > deadline:
            raise TestFailure("mailing %d not done after %gs: %r" % (mid, timeout, m))
        time.sleep(0.25)


def pool_map(fn, items, workers=32):
    """fn over items in a thread pool; results in order; raises the first error."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))
