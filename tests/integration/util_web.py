"""
Browser tests: run a playwright-core script (tests/browser/*.mjs) in
Debian's headless Chromium against a test server and return its result.
The script prints `RESULT {json}` on success; anything else is a failure
with the script's output in the message.
"""

import json
import os
import subprocess

import harness
from harness import TestFailure

BROWSER_DIR = os.path.join(harness.REPO, "tests", "browser")
ARTIFACTS = os.path.join(harness.REPO, "tests", "artifacts", "screenshots")


def run_browser(script, base_url, args=None, timeout=180):
    env = dict(os.environ)
    env["CONFERO_URL"] = base_url
    env["CONFERO_ARTIFACTS"] = ARTIFACTS
    env["NODE_PATH"] = os.path.join(harness.REPO, "node_modules")
    try:
        p = subprocess.run(["node", os.path.join(BROWSER_DIR, script),
                            json.dumps(args or {})],
                           cwd=harness.REPO, env=env, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise TestFailure("%s: no result within %ss; output:\n%s"
                          % (script, timeout, (e.stdout or b"").decode("utf-8", "replace")))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("RESULT ") and p.returncode == 0:
            return json.loads(line[7:])
    raise TestFailure("%s failed (exit %d):\n%s\n%s" % (script, p.returncode, out[-6000:], err[-3000:]))
