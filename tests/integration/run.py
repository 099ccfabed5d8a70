"""
Run Confero's integration tests: every module-level test_* function of
tests/integration/test_*.py, in file and definition order.  A module may
define setup_module() and teardown_module().  TESTS=pattern selects tests
whose name (module.function) contains pattern, or matches it as a glob.

Prints PASS/FAIL per test and, last, `INTEGRATION <passed> <failed>`.
"""

import fnmatch
import importlib.util
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # no __pycache__ in the source tree

import harness  # noqa: E402


def selected(name, pattern):
    if not pattern:
        return True
    for p in pattern.replace(",", " ").split():
        if any(c in p for c in "*?["):
            if fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name.split(".", 1)[1], p):
                return True
        elif p in name:
            return True
    return False


def load(path):
    modname = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def indent(text):
    return "".join("    " + line + "\n" for line in text.rstrip("\n").split("\n"))


def main():
    def on_term(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)

    pattern = os.environ.get("TESTS", "")
    passed = failed = 0
    files = sorted(f for f in os.listdir(HERE)
                   if f.startswith("test_") and f.endswith(".py"))
    try:
        for f in files:
            modname = f[:-3]
            try:
                mod = load(os.path.join(HERE, f))
            except Exception:
                print("FAIL %s (import)" % modname)
                print(indent(traceback.format_exc()), end="")
                failed += 1
                continue
            tests = [(n, fn) for n, fn in vars(mod).items()
                     if n.startswith("test_") and callable(fn)
                     and getattr(fn, "__module__", None) == mod.__name__]
            tests = [(n, fn) for n, fn in tests if selected("%s.%s" % (modname, n), pattern)]
            if not tests:
                continue
            setup_error = None
            t0 = time.monotonic()
            if hasattr(mod, "setup_module"):
                try:
                    mod.setup_module()
                except Exception:
                    setup_error = traceback.format_exc()
            if setup_error is None:
                print("---- %s (setup %.1fs)" % (modname, time.monotonic() - t0), flush=True)
            for n, fn in tests:
                name = "%s.%s" % (modname, n)
                if setup_error is not None:
                    print("FAIL %s (setup_module failed)" % name)
                    failed += 1
                    continue
                t0 = time.monotonic()
                try:
                    fn()
                except Exception:
                    failed += 1
                    print("FAIL %s (%.2fs)" % (name, time.monotonic() - t0))
                    print(indent(traceback.format_exc()), end="", flush=True)
                else:
                    passed += 1
                    print("PASS %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
            if setup_error is not None:
                print("  setup_module of %s failed:" % modname)
                print(indent(setup_error), end="")
            if hasattr(mod, "teardown_module"):
                try:
                    mod.teardown_module()
                except Exception:
                    failed += 1
                    print("FAIL %s.teardown_module" % modname)
                    print(indent(traceback.format_exc()), end="")
            harness.cleanup()
    except KeyboardInterrupt:
        print("interrupted")
        failed += 1
    except SystemExit:
        print("terminated")
        failed += 1
    finally:
        harness.cleanup()
    result = "INTEGRATION %d %d" % (passed, failed)
    if os.environ.get("CONFERO_TEST_RESULT"):
        with open(os.environ["CONFERO_TEST_RESULT"], "w") as f:
            f.write(result + "\n")
    print(result, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
