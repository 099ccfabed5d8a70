#!/usr/bin/python3
"""SMTP sink for `make bench`: accepts everything, keeps only a count and
the first message (so the ceiling client can send the same bytes).

usage: smtpsink.py PORT SAMPLE_FILE COUNT_FILE
The count is written to COUNT_FILE when the process gets SIGTERM.
"""
import signal
import sys
import threading

from aiosmtpd.controller import Controller

port, sample, countfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
state = {"n": 0}
lock = threading.Lock()


class Sink:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            state["n"] += 1
            first = state["n"] == 1
        if first:
            with open(sample, "wb") as f:
                f.write(envelope.original_content or envelope.content)
        return "250 OK"


c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
stop.wait()
c.stop()
with open(countfile, "w") as f:
    f.write(str(state["n"]))
