"""
Encryption at rest (issue 17): the private MariaDB of scripts/mariadb runs
with file_key_management and encrypted tables, undo and redo log.  An
attendee registered through the real server is forced to disk, then every
file of the datadir is read as bytes: neither the attendee's name nor the
email may be there, in UTF-8 or UTF-16.  Every InnoDB tablespace reports
encryption scheme 1, and the key file is 0600 in a 0700 directory, outside
the datadir.

Controls, so that the search can fail: the same registration on a private
MariaDB started with CONFERO_DB_ENCRYPT=0 is found in the registrations
.ibd and the redo log by the same search.  That datadir, started again
with encryption on (a datadir from before encryption, as a developer's
var/mariadb), is encrypted by the background threads and the search comes
back empty; after that, CONFERO_DB_ENCRYPT=0 is refused with a message.
"""

import os
import re
import stat
import subprocess
import time
import uuid

import harness
from harness import check, expect_status
from util_events import NO_THROTTLE, World

W = None
PLAIN = None            # the private MariaDB started with CONFERO_DB_ENCRYPT=0
PLAIN_DB = None         # (database name, name, email) registered there

ENCRYPT_WAIT = 90.0     # the background threads encrypting an old datadir
CHUNK = 8 << 20


def setup_module():
    global W
    W = World("atrest")


def teardown_module():
    if W is not None:
        W.stop()
    if PLAIN is not None:
        try:
            PLAIN.stop()
        except Exception:
            pass


def attendee():
    """A unique name and email that nothing else in a datadir holds."""
    tag = uuid.uuid4().hex[:12]
    return "Quorvina Zelditch-%s" % tag, "atrest-%s@zelditch.example" % tag


def register(world, name, email):
    ev, tt = world.simple_event()
    r = world.register(ev["slug"], tt["id"], name=name, email=email)
    expect_status(r, 201, "register %s" % name)
    return ev


def needles(name, email):
    out = {}
    for label, s in (("name", name), ("email", email)):
        out[label + " (UTF-8)"] = s.encode("utf-8")
        out[label + " (UTF-16LE)"] = s.encode("utf-16-le")
        out[label + " (UTF-16BE)"] = s.encode("utf-16-be")
    return out


def scan(datadir, pats):
    """{relative path: [labels found]} over every file under datadir."""
    found = {}
    overlap = max(len(p) for p in pats.values())
    nfiles = 0
    for root, _dirs, files in os.walk(datadir):
        for fn in files:
            path = os.path.join(root, fn)
            try:
                f = open(path, "rb")
            except OSError:
                continue                # a socket, or a file gone meanwhile
            nfiles += 1
            hits = set()
            with f:
                tail = b""
                while True:
                    block = f.read(CHUNK)
                    if not block:
                        break
                    buf = tail + block
                    for label, p in pats.items():
                        if p in buf:
                            hits.add(label)
                    tail = buf[-overlap:]
            if hits:
                found[os.path.relpath(path, datadir)] = sorted(hits)
    check(nfiles > 10, "the search read only %d files under %s" % (nfiles, datadir))
    return found


def innodb_tables(db, schema):
    return [r[0] for r in db.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '%s' "
        "AND engine = 'InnoDB';" % schema)]


def force_to_disk(db, schema):
    """Write the schema's dirty pages to their .ibd files (the redo log is
    written at each commit)."""
    tables = innodb_tables(db, schema)
    check("registrations" in tables, "no registrations table in %s: %r" % (schema, tables))
    db.sql("FLUSH TABLES %s FOR EXPORT;\nUNLOCK TABLES;"
           % ", ".join("`%s`.`%s`" % (schema, t) for t in tables))


def encryption_state(db):
    """(tablespaces not encrypted or still rotating, number encrypted)."""
    spaces = db.sql("SELECT s.NAME, IFNULL(e.ENCRYPTION_SCHEME, 0), IFNULL(e.ROTATING_OR_FLUSHING, 0), "
                    "IFNULL(e.MIN_KEY_VERSION, 0) "
                    "FROM information_schema.INNODB_SYS_TABLESPACES s "
                    "LEFT JOIN information_schema.INNODB_TABLESPACES_ENCRYPTION e ON e.SPACE = s.SPACE "
                    "WHERE s.NAME <> 'innodb_temporary';")
    bad = [r for r in spaces if r[1] != "1" or r[2] != "0" or r[3] == "0"]
    return bad, len(spaces) - len(bad)


def wait_encrypted(db, schema):
    v = variables(db)
    check(v.get("innodb_encrypt_tables") in ("ON", "FORCE"),
          "innodb_encrypt_tables is %r: nothing will be encrypted" % v.get("innodb_encrypt_tables"))
    deadline = time.monotonic() + ENCRYPT_WAIT
    while True:
        bad, n = encryption_state(db)
        if not bad:
            break
        if time.monotonic() > deadline:
            raise harness.TestFailure(
                "tablespaces still unencrypted or rotating after %gs: %r\n%r" % (
                    ENCRYPT_WAIT, bad[:10],
                    db.sql("SELECT * FROM information_schema.INNODB_TABLESPACES_ENCRYPTION;")))
        time.sleep(0.5)
    names = set(r[0] for r in db.sql(
        "SELECT NAME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION "
        "WHERE ENCRYPTION_SCHEME = 1;"))
    for t in innodb_tables(db, schema):
        check("%s/%s" % (schema, t) in names,
              "table %s.%s is not in INNODB_TABLESPACES_ENCRYPTION as encrypted" % (schema, t))
    check("innodb_system" in names, "the system tablespace (undo log) is not encrypted")
    return n


def variables(db):
    return dict((r[0], r[1]) for r in db.sql(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_encrypt_tables', "
        "'innodb_encrypt_log', 'innodb_encrypt_temporary_tables', 'encrypt_tmp_files', "
        "'encrypt_tmp_disk_tables', 'encrypt_binlog', 'aria_encrypt_tables', "
        "'file_key_management_filename', 'file_key_management_encryption_algorithm');"))


def start_mariadb(m, encrypt):
    env = dict(os.environ)
    env.pop("CONFERO_DB_ENCRYPT", None)
    if not encrypt:
        env["CONFERO_DB_ENCRYPT"] = "0"
    return subprocess.run(["sh", harness.MARIADB_SCRIPT, "start", m.dir], env=env,
                          capture_output=True, text=True, timeout=120)


class PlainWorld(World):
    """World's server and admin, on a MariaDB of the caller's."""

    def __init__(self, tag, db):
        self.srv = harness.start_server(dict(NO_THROTTLE), db=db, tag=tag)
        self.admin = self.srv.client()
        self.admin.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
        check(self.admin.csrf, "admin login gave no csrf_token")


# --------------------------------------------------------------------------

def test_the_private_mariadb_runs_encrypted_with_a_private_key_file():
    db = W.srv.db
    v = variables(db)
    for k in ("innodb_encrypt_log", "innodb_encrypt_temporary_tables", "encrypt_tmp_files",
              "encrypt_tmp_disk_tables", "encrypt_binlog", "aria_encrypt_tables"):
        check(v.get(k) == "ON", "%s is %r, want ON (%r)" % (k, v.get(k), v))
    check(v.get("innodb_encrypt_tables") in ("ON", "FORCE"),
          "innodb_encrypt_tables is %r" % v.get("innodb_encrypt_tables"))
    check(v.get("file_key_management_encryption_algorithm", "").lower() == "aes_ctr",
          "algorithm %r, want aes_ctr" % v.get("file_key_management_encryption_algorithm"))
    keyfile = v.get("file_key_management_filename", "")
    check(keyfile == os.path.join(db.dir, "keys", "keyfile"),
          "key file %r, want %s/keys/keyfile" % (keyfile, db.dir))
    datadir = os.path.join(db.dir, "data")
    check(not os.path.realpath(keyfile).startswith(os.path.realpath(datadir) + os.sep),
          "the key file is inside the datadir")
    st = os.stat(keyfile)
    check(stat.S_IMODE(st.st_mode) == 0o600, "key file mode %o, want 600" % stat.S_IMODE(st.st_mode))
    dst = os.stat(os.path.dirname(keyfile))
    check(stat.S_IMODE(dst.st_mode) == 0o700,
          "key directory mode %o, want 700" % stat.S_IMODE(dst.st_mode))
    with open(keyfile) as f:
        key = f.read()
    check(re.fullmatch(r"1;[0-9a-f]{64}\n", key), "key file is not '1;<64 hex digits>'")


def test_an_attendee_is_nowhere_in_plaintext_under_the_datadir():
    db = W.srv.db
    name, email = attendee()
    ev = register(W, name, email)
    # the registration is there, for the server and for SQL
    rows = db.sql("SELECT COUNT(*) FROM registrations WHERE name = '%s' AND email = '%s';"
                  % (name, email), db=W.srv.db_name)
    check(rows == [["1"]], "the registration is not in the database: %r" % rows)
    # new tables are encrypted from their creation: no wait before the search
    force_to_disk(db, W.srv.db_name)
    found = scan(os.path.join(db.dir, "data"), needles(name, email))
    check(not found, "the attendee (%s) is in plaintext in %r" % (ev["slug"], found))
    n = wait_encrypted(db, W.srv.db_name)
    check(n >= 10, "only %d encrypted tablespaces" % n)


def test_control_without_encryption_the_search_finds_the_attendee():
    global PLAIN, PLAIN_DB
    PLAIN = harness.MariaDB(harness.tmpdir("m"))
    p = start_mariadb(PLAIN, encrypt=False)
    check(p.returncode == 0, "CONFERO_DB_ENCRYPT=0 start failed:\n%s%s" % (p.stdout, p.stderr))
    check(not os.path.exists(os.path.join(PLAIN.dir, "keys")), "a key was made with encryption off")
    v = variables(PLAIN)
    check(v.get("innodb_encrypt_tables") == "OFF" and v.get("innodb_encrypt_log") == "OFF",
          "CONFERO_DB_ENCRYPT=0 still encrypts: %r" % v)
    w = PlainWorld("atplain", PLAIN)
    try:
        name, email = attendee()
        register(w, name, email)
        schema = w.srv.db_name
        force_to_disk(PLAIN, schema)
        found = scan(os.path.join(PLAIN.dir, "data"), needles(name, email))
    finally:
        w.stop()
    ibd = "%s/registrations.ibd" % schema
    check(ibd in found and "name (UTF-8)" in found[ibd] and "email (UTF-8)" in found[ibd],
          "the search did not find the plaintext attendee in %s: %r" % (ibd, found))
    check("ib_logfile0" in found, "the search did not find the attendee in the redo log: %r" % found)
    PLAIN_DB = (schema, name, email)


def test_an_old_plain_datadir_is_encrypted_when_started_with_encryption():
    check(PLAIN_DB is not None, "needs the control test's datadir")
    schema, name, email = PLAIN_DB
    PLAIN.stop()
    p = start_mariadb(PLAIN, encrypt=True)
    check(p.returncode == 0, "encrypted start of an old datadir failed:\n%s%s" % (p.stdout, p.stderr))
    rows = PLAIN.sql("SELECT COUNT(*) FROM registrations WHERE name = '%s' AND email = '%s';"
                     % (name, email), db=schema)
    check(rows == [["1"]], "the old registration is not readable: %r" % rows)
    wait_encrypted(PLAIN, schema)
    # a clean shutdown writes every page (and the redo log was rebuilt
    # encrypted at startup)
    PLAIN.stop()
    found = scan(os.path.join(PLAIN.dir, "data"), needles(name, email))
    check(not found, "old plaintext left after encryption: %r" % found)
    # the reverse is refused, with a message
    p = start_mariadb(PLAIN, encrypt=False)
    check(p.returncode != 0 and "CONFERO_DB_ENCRYPT=0" in p.stderr,
          "CONFERO_DB_ENCRYPT=0 on an encrypted datadir: want a refusal, got %d:\n%s%s"
          % (p.returncode, p.stdout, p.stderr))
    p = start_mariadb(PLAIN, encrypt=True)
    check(p.returncode == 0, "restart encrypted failed:\n%s%s" % (p.stdout, p.stderr))
    rows = PLAIN.sql("SELECT COUNT(*) FROM registrations WHERE email = '%s';" % email, db=schema)
    check(rows == [["1"]], "after restart: %r" % rows)
