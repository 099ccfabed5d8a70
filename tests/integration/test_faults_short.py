"""
The fault scenarios of tests/faults/ in their short versions (the full
ones: `make faults`): confero killed (kill -9) three times during a
registration rush with idempotency keys, MariaDB killed (kill -9) and frozen (SIGSTOP)
during a registration rush and door scans, the SMTP relay down, dropping
in DATA, hanging, 452 and 550, hostile clients (slowhttptest slowloris
and slow POST, a connection flood, a login brute force), a full disk for
exports.  Each prints what it checked with its figures.
"""

import os
import sys

FAULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults")
if FAULTS not in sys.path:
    sys.path.insert(0, FAULTS)


def _run(modname):
    import importlib
    mod = importlib.import_module(modname)
    mod.run(mod.SHORT)


def test_rush_kill():
    _run("scen_rush_kill")


def test_db_kill():
    _run("scen_db_kill")


def test_db_freeze():
    _run("scen_db_freeze")


def test_smtp():
    _run("scen_smtp")


def test_hostile():
    _run("scen_hostile")


def test_disk_full():
    _run("scen_disk")
