"""
Run the fault scenarios: `run.py --short` (small parameters, as inside
`make test`) or `run.py --full` (`make faults`); `--only NAME[,NAME]`
picks scenarios.  Needs CONFERO_TEST_MARIADB_DIR (a MariaDB started by
scripts/faults or scripts/test); scenarios that kill or freeze MariaDB
start their own.  Prints each scenario's checks and figures, PASS/FAIL,
and last `N passed, N failed`.
"""

import argparse
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import common  # noqa: E402,F401  (sets up the path to the harness)
import harness  # noqa: E402

SCENARIOS = [
    ("rush_kill", "scen_rush_kill", "confero kill -9 during a registration rush (idempotency keys)"),
    ("db_kill", "scen_db_kill", "MariaDB kill -9 during a registration rush and door scans"),
    ("db_freeze", "scen_db_freeze", "MariaDB frozen (SIGSTOP) and thawed"),
    ("smtp", "scen_smtp", "SMTP relay down, dropping, hanging, 452 and 550"),
    ("hostile", "scen_hostile", "slowloris, slow POST, connection flood, login brute force"),
    ("disk_full", "scen_disk", "a full disk for exports"),
]


def run_one(key, modname, size):
    import importlib
    mod = importlib.import_module(modname)
    return mod.run(getattr(mod, size))


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--short", action="store_true")
    g.add_argument("--full", action="store_true")
    ap.add_argument("--only", default="")
    a = ap.parse_args()

    def on_term(signum, frame):
        raise SystemExit(128 + signum)      # the finally below cleans up
    import signal
    signal.signal(signal.SIGTERM, on_term)
    size = "SHORT" if a.short else "FULL"
    only = [x for x in a.only.replace(",", " ").split() if x]
    passed = failed = 0
    t_all = time.monotonic()
    for key, modname, what in SCENARIOS:
        if only and key not in only:
            continue
        if not os.path.exists(os.path.join(HERE, modname + ".py")):
            continue                        # a scenario still being written
        print("---- %s (%s, %s)" % (key, what, size.lower()), flush=True)
        t0 = time.monotonic()
        try:
            run_one(key, modname, size)
        except (Exception, KeyboardInterrupt, SystemExit) as ex:     # noqa: BLE001
            failed += 1
            print("FAIL %s (%.1fs)" % (key, time.monotonic() - t0))
            print("".join("    " + x + "\n" for x in traceback.format_exc().rstrip().split("\n")),
                  end="", flush=True)
            if not isinstance(ex, Exception):
                harness.cleanup()
                print("interrupted")
                break
        else:
            passed += 1
            print("PASS %s (%.1fs)" % (key, time.monotonic() - t0), flush=True)
        finally:
            harness.cleanup()
    print("faults took %.1fs" % (time.monotonic() - t_all))
    if os.environ.get("FAULTS_RESULT"):
        # scripts/faults prints the last line itself, after its cleanup.
        with open(os.environ["FAULTS_RESULT"], "w") as f:
            f.write("%d passed, %d failed\n" % (passed, failed))
        print("faults: %d passed, %d failed" % (passed, failed), flush=True)
    else:
        print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
