#!/usr/bin/python3
"""A local SMTP server that keeps every message it receives as an .eml file.

usage: mailcatcher.py DIR [HOST:PORT] [PORT_FILE]   (default 127.0.0.1:0)

Port 0 takes a free port.  Once it listens, the port it listens on is
written to PORT_FILE (if given), so the caller can point confero at it;
a port that cannot be taken ends the catcher at once with a one-line
message and exit status 1, never a traceback.

`make run` starts it so that a new user sees exactly what attendees would
receive: one file per message under DIR, named by arrival time and
recipient.  Uses aiosmtpd from Debian (python3-aiosmtpd).
"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

outdir = sys.argv[1]
host, _, port = (sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1:0").rpartition(":")
host = host or "127.0.0.1"
port_file = sys.argv[3] if len(sys.argv) > 3 else None
os.makedirs(outdir, exist_ok=True)
counter = 0


class Keep:
    async def handle_DATA(self, server, session, envelope):
        global counter
        counter += 1
        rcpt = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in envelope.rcpt_tos[0])
        name = os.path.join(outdir, f"{time.strftime('%Y%m%d-%H%M%S')}-{counter:06d}-{rcpt}.eml")
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, name)
        return "250 OK kept"


async def main():
    loop = asyncio.get_running_loop()
    handler = Keep()
    try:
        server = await loop.create_server(lambda: SMTP(handler, hostname="confero-mailcatcher"),
                                          host=host, port=int(port))
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        print(f"mail catcher: cannot listen on {host}:{port}: {reason}", file=sys.stderr, flush=True)
        return 1
    bound = server.sockets[0].getsockname()[1]
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{bound}\n")
        os.rename(tmp, port_file)
    print(f"mail catcher on {host}:{bound}, messages in {outdir}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    return 0


sys.exit(asyncio.run(main()))
