#!/usr/bin/python3
"""A local SMTP server that keeps every message it receives as an .eml file.

usage: mailcatcher.py DIR [HOST:PORT]     (default 127.0.0.1:2525)

`make run` starts it so that a new user sees exactly what attendees would
receive: one file per message under DIR, named by arrival time and
recipient.  Uses aiosmtpd from Debian (python3-aiosmtpd).
"""
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller

outdir = sys.argv[1]
host, _, port = (sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1:2525").rpartition(":")
os.makedirs(outdir, exist_ok=True)
counter = 0
lock = threading.Lock()


class Keep:
    async def handle_DATA(self, server, session, envelope):
        global counter
        with lock:
            counter += 1
            n = counter
        rcpt = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in envelope.rcpt_tos[0])
        name = os.path.join(outdir, f"{time.strftime('%Y%m%d-%H%M%S')}-{n:06d}-{rcpt}.eml")
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, name)
        return "250 OK kept"


controller = Controller(Keep(), hostname=host or "127.0.0.1", port=int(port))
controller.start()
print(f"mail catcher on {host}:{port}, messages in {outdir}", file=sys.stderr, flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
stop.wait()
controller.stop()
