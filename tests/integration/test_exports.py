"""
Issue 6: attendance exports.  A scripted event (two days, sessions with
sign-up, choice questions, names in several scripts, hostile cell text)
gets registrations and check-ins through the API; then the CSVs are read
with Python's csv module, the XLSX files with openpyxl, the badge PDFs are
rendered with pdftoppm and every QR on them decoded with zbarimg, and all
counts are compared with what MariaDB itself says.
"""

import csv
import datetime
import io
import os
import re
import subprocess
import zoneinfo

import openpyxl

import harness
from harness import check, expect_error, expect_status
from util_events import World, uniq_email

TZ = "Europe/Ljubljana"
W = None
EV = {}

# Control characters (tab, CR) never get past validation; the unit tests
# of csv.c show those are neutralised too.
HOSTILE = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(A1)",
           "=cmd|' /C calc'!A0"]
NAMES = ["Žiga Černe", "Šárka Čičková", "Шишков Ђорђе", "Ősz Győző", "Ana Novak",
         "Petra Kovač", "Luka Horvat", "Mia Zupan", "Nina Kranjc", "Jan Golob"]


def setup_module():
    global W
    W = World("exports")
    ev = W.event(slug="exp-" + os.urandom(3).hex(), name="Digital Health Summit — Ljubljana",
                 timezone=TZ, capacity=100, starts_at="2027-05-14T09:00:00+02:00",
                 ends_at="2027-05-15T18:00:00+02:00")
    slug = ev["slug"]
    std = W.ttype(slug, name="Standard", quota=50)
    vip = W.ttype(slug, name="VIP")
    ws = W.session(slug, title="Workshop: FHIR in practice", kind="workshop",
                   requires_signup=True, capacity=10, room="Hall A",
                   starts_at="2027-05-14T14:00:00+02:00", ends_at="2027-05-14T16:00:00+02:00")
    talk = W.session(slug, title="Keynote, day two", kind="keynote", room="Main hall",
                     starts_at="2027-05-15T09:00:00+02:00", ends_at="2027-05-15T10:00:00+02:00")
    qtype = W.question(slug, label="Organisation type", kind="choice", required=True,
                       options=["SME", "Hospital", "University", "Investor"])
    qcountry = W.question(slug, label="Country", kind="country", required=False)
    qint = W.question(slug, label="Interests", kind="multichoice",
                      options=["AI", "Telemedicine", "Interoperability"])
    qnote = W.question(slug, label="Note", kind="text")
    orgs = ["Acme d.o.o.", "UKC Ljubljana", "acme d.o.o.", "Univerza v Mariboru", ""]
    types = ["SME", "Hospital", "SME", "University", "Investor"]
    countries = ["SI", "BG", "SI", "HU", "DK"]
    regs = []
    for i, name in enumerate(NAMES + HOSTILE):
        answers = {str(qtype["id"]): types[i % 5], str(qcountry["id"]): countries[i % 5],
                   str(qint["id"]): ["AI", "Interoperability"][: 1 + i % 2]}
        if i >= len(NAMES):
            answers[str(qnote["id"])] = HOSTILE[i - len(NAMES)]
        body = dict(name=name, organisation=HOSTILE[i - len(NAMES)] if i >= len(NAMES) else orgs[i % 5],
                    email=uniq_email("x"), answers=answers)
        if i < 6:
            body["session_ids"] = [ws["id"]]
        regs.append(W.registered(slug, (vip if i % 4 == 0 else std)["id"], **body))
    # one cancelled registration
    expect_status(W.manage(regs[9], "DELETE"), 200, "cancel one")
    # entrance check-ins for the first 7 (one of them at the workshop too)
    for i in range(7):
        r = W.checkin(slug, code=regs[i]["ticket"]["code"], gate="Gate %d" % (i % 2 + 1))
        expect_status(r, 200, "check in %d" % i)
    for i in (0, 1, 2):
        r = W.checkin(slug, code=regs[i]["ticket"]["code"], session_id=ws["id"], gate="Hall A")
        expect_status(r, 200, "workshop check-in %d" % i)
    r = W.checkin(slug, code=regs[10]["ticket"]["code"], session_id=talk["id"], gate="Main hall")
    expect_status(r, 200, "keynote check-in without entrance")
    EV.update(slug=slug, ev=ev, std=std, vip=vip, ws=ws, talk=talk, regs=regs,
              q=dict(type=qtype, country=qcountry, interests=qint, note=qnote))


def teardown_module():
    if W is not None:
        W.stop()


def sql(q):
    return W.srv.db.sql("SET time_zone = '+00:00';\n" + q, db=W.srv.db_name)


def get(path, client=None, status=200):
    r = (client or W.admin).get(path)
    expect_status(r, status, "GET " + path)
    return r


def local(epoch):
    return datetime.datetime.fromtimestamp(float(epoch), zoneinfo.ZoneInfo(TZ))


def read_csv(raw):
    check(b"\r\n" in raw, "CSV lines must end in CRLF")
    text = raw.decode("utf-8")
    check(not text.startswith("\ufeff"), "no BOM unless asked for")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def url(what, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    return "/api/v1/events/%s/exports/%s%s" % (EV["slug"], what, "?" + qs if qs else "")


# ---------------------------------------------------------------- attendees

def test_attendees_csv_matches_database():
    r = get(url("attendees.csv"))
    check(r.header("Content-Type", "").startswith("text/csv"), "content type %r" % r.header("Content-Type"))
    check("attachment" in r.header("Content-Disposition", ""), "served as a download")
    rows = read_csv(r.raw)
    db = sql("SELECT r.id, r.name, r.email, r.organisation, tt.name, r.status, "
             "UNIX_TIMESTAMP(c.at), c.gate FROM registrations r JOIN ticket_types tt ON "
             "tt.id = r.ticket_type_id LEFT JOIN checkins c ON c.registration_id = r.id "
             "AND c.point = 0 AND c.live = 1 JOIN events e ON e.id = r.event_id "
             "WHERE e.slug = '%s' ORDER BY r.id" % EV["slug"])
    check(len(rows) == len(db) == len(NAMES) + len(HOSTILE),
          "CSV has %d rows, database %d" % (len(rows), len(db)))
    for row, d in zip(rows, db):
        check(row["ID"] == d[0], "row order/id %r vs %r" % (row["ID"], d[0]))
        name = row["Name"][1:] if row["Name"][:1] == "'" and d[1][:1] in "=+-@\t\r" else row["Name"]
        check(name == d[1], "name %r vs %r" % (row["Name"], d[1]))
        check(row["Email"] == d[2] and row["Ticket type"] == d[4] and row["Status"] == d[5],
              "email/ticket type/status of %s: %r" % (d[0], row))
        if d[6] != "NULL":
            want = local(d[6]).strftime("%Y-%m-%d %H:%M")
            check(row["Checked in at"] == want, "checked in at %r, want %r (event time zone)"
                  % (row["Checked in at"], want))
            check(row["Gate"] == d[7], "gate %r vs %r" % (row["Gate"], d[7]))
        else:
            check(row["Checked in at"] == "" and row["Gate"] == "", "not checked in: %r" % row)
    by_name = {r["Name"]: r for r in rows}
    z = by_name["Žiga Černe"]
    check(z["Organisation type"] == "SME" and z["Country"] == "SI" and z["Interests"] == "AI",
          "answers of the first attendee: %r" % z)
    check(z["Sessions signed up"] == "Workshop: FHIR in practice", "signed up: %r" % z)
    check(z["Sessions attended"] == "Workshop: FHIR in practice", "attended: %r" % z)
    s = by_name["Šárka Čičková"]
    check(s["Interests"] == "AI; Interoperability", "multichoice joined: %r" % s["Interests"])
    check(by_name["Шишков Ђорђе"]["Organisation"] == "acme d.o.o.", "Cyrillic row intact")
    check(by_name["Jan Golob"]["Status"] == "cancelled", "cancelled row kept with its status")


def test_attendees_csv_filters_and_bom():
    rows = read_csv(get(url("attendees.csv", checked_in="1")).raw)
    check(len(rows) == 7 and all(r["Checked in at"] for r in rows),
          "checked_in=1 gives the 7 checked in: %d" % len(rows))
    rows = read_csv(get(url("attendees.csv", status="cancelled")).raw)
    check([r["Name"] for r in rows] == ["Jan Golob"], "status=cancelled: %r" % rows)
    rows = read_csv(get(url("attendees.csv", ticket_type=EV["vip"]["id"])).raw)
    want = sql("SELECT COUNT(*) FROM registrations WHERE ticket_type_id = %d" % EV["vip"]["id"])[0][0]
    check(len(rows) == int(want) and all(r["Ticket type"] == "VIP" for r in rows),
          "ticket_type filter: %d rows, want %s" % (len(rows), want))
    rows = read_csv(get(url("attendees.csv", q="%C5%A0%C3%A1r")).raw)   # "Šár"
    check([r["Name"] for r in rows] == ["Šárka Čičková"], "q prefix search: %r" % rows)
    raw = get(url("attendees.csv", bom="1")).raw
    check(raw.startswith(b"\xef\xbb\xbf"), "bom=1 starts with the UTF-8 BOM")
    expect_error(W.admin.get(url("attendees.csv", status="lost")), 422, None, "bad status filter")


def test_csv_formula_injection_neutralised():
    rows = read_csv(get(url("attendees.csv")).raw)
    hostile_rows = [r for r in rows if r["Note"]]
    check(len(hostile_rows) == len(HOSTILE), "one row per hostile note: %d" % len(hostile_rows))
    for r in hostile_rows:
        for col in ("Name", "Organisation", "Note"):
            v = r[col]
            check(v.startswith("'") and v[1:] in HOSTILE,
                  "%s cell %r must be neutralised with a leading apostrophe" % (col, v))
    # An ordinary hyphenated value in the middle is left alone.
    check(any(r["Name"] == "Ana Novak" for r in rows), "plain names untouched")


def test_attendees_xlsx_real_reader():
    r = get(url("attendees.xlsx"))
    check(r.header("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "xlsx type")
    wb = openpyxl.load_workbook(io.BytesIO(r.raw))
    ws = wb.active
    check(ws.freeze_panes == "A2", "header row frozen: %r" % ws.freeze_panes)
    head = [c.value for c in ws[1]]
    check(head[:9] == ["ID", "Name", "Email", "Organisation", "Ticket type", "Status",
                       "Registered at", "Checked in at", "Gate"], "header %r" % head)
    check(ws.cell(1, 1).font.b, "header row is bold")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    check(len(rows) == len(NAMES) + len(HOSTILE), "xlsx rows %d" % len(rows))
    ids = [int(x) for (x,) in sql("SELECT r.id FROM registrations r JOIN events e ON "
                                  "e.id = r.event_id WHERE e.slug = '%s' ORDER BY r.id" % EV["slug"])]
    check([row[0] for row in rows] == ids, "ids as numbers, in order")
    check(all(isinstance(row[0], int) for row in rows), "ID cells are numbers")
    check(all(isinstance(row[6], datetime.datetime) for row in rows), "registered-at cells are dates")
    checked = [row for row in rows if row[7] is not None]
    check(len(checked) == 7 and all(isinstance(row[7], datetime.datetime) for row in checked),
          "7 checked-in dates")
    # Dates are the event's wall-clock time.
    at = sql("SELECT UNIX_TIMESTAMP(MIN(c.at)) FROM checkins c JOIN events e ON e.id = c.event_id "
             "WHERE e.slug = '%s' AND c.point = 0 AND c.live = 1" % EV["slug"])[0][0]
    first = min(row[7] for row in checked)
    want = local(at).replace(tzinfo=None, microsecond=0)
    check(abs((first - want).total_seconds()) < 1, "first check-in %r, want %r" % (first, want))
    # Hostile text stays text: no formula cell anywhere.
    for row in ws.iter_rows(min_row=2):
        for c in row:
            check(c.data_type != "f", "formula cell %s = %r" % (c.coordinate, c.value))
    notes = sorted(row[head.index("Note")] for row in rows if row[head.index("Note")])
    check(notes == sorted(HOSTILE), "hostile notes round-trip as text: %r" % notes)


# --------------------------------------------------------------- attendance

def attendance_rows(**q):
    return read_csv(get(url("attendance.csv", **q)).raw)


def test_attendance_csv_counts_equal_database():
    rows = attendance_rows()
    slug = EV["slug"]
    summ = [r for r in rows if r["breakdown"] == "summary"][0]
    conf, ck = sql("SELECT COUNT(*), COUNT(c.id) FROM registrations r JOIN events e ON e.id = r.event_id "
                   "LEFT JOIN checkins c ON c.registration_id = r.id AND c.point = 0 AND c.live = 1 "
                   "WHERE e.slug = '%s' AND r.status = 'confirmed'" % slug)[0]
    check(summ["registered"] == conf and summ["checked_in"] == ck,
          "summary %r vs database confirmed %s checked in %s" % (summ, conf, ck))
    ns = int(conf) - int(ck)
    check(summ["no_show"] == str(ns) and abs(float(summ["no_show_percent"]) - 100.0 * ns / int(conf)) < 0.06,
          "no-show rate: %r" % summ)
    check(summ["capacity"] == "100", "capacity %r" % summ["capacity"])

    # per day: distinct attendees with any live check-in on that local day
    visits = sql("SELECT c.registration_id, UNIX_TIMESTAMP(c.at) FROM checkins c JOIN events e "
                 "ON e.id = c.event_id WHERE e.slug = '%s' AND c.live = 1" % slug)
    days = {}
    for reg, at in visits:
        days.setdefault(local(at).strftime("%Y-%m-%d"), set()).add(reg)
    got = {r["item"]: int(r["checked_in"]) for r in rows if r["breakdown"] == "day"}
    check(got == {d: len(s) for d, s in days.items()}, "per day %r vs %r" % (got, days))

    # per session
    sess = {r["item"]: r for r in rows if r["breakdown"] == "session"}
    ws = sess["Workshop: FHIR in practice"]
    signed = sql("SELECT COUNT(*) FROM registration_sessions rs JOIN registrations r ON "
                 "r.id = rs.registration_id WHERE rs.session_id = %d AND r.status = 'confirmed'"
                 % EV["ws"]["id"])[0][0]
    check(ws["registered"] == signed and ws["checked_in"] == "3" and ws["capacity"] == "10",
          "workshop row %r (signed up %s)" % (ws, signed))
    check(abs(float(ws["fill_percent"]) - 10.0 * int(signed)) < 0.06, "fill %% %r" % ws["fill_percent"])
    check(ws["starts_at"] == "2027-05-14 14:00", "session start in event time: %r" % ws["starts_at"])
    check(sess["Keynote, day two"]["checked_in"] == "1", "keynote %r" % sess["Keynote, day two"])

    # per ticket type
    for name, tt in (("Standard", EV["std"]), ("VIP", EV["vip"])):
        c, k = sql("SELECT COUNT(*), COUNT(c.id) FROM registrations r LEFT JOIN checkins c ON "
                   "c.registration_id = r.id AND c.point = 0 AND c.live = 1 WHERE "
                   "r.ticket_type_id = %d AND r.status = 'confirmed'" % tt["id"])[0]
        row = [r for r in rows if r["breakdown"] == "ticket_type" and r["item"] == name][0]
        check(row["registered"] == c and row["checked_in"] == k, "%s: %r vs %s/%s" % (name, row, c, k))
    check([r for r in rows if r["breakdown"] == "ticket_type" and r["item"] == "Standard"][0]["capacity"] == "50",
          "quota as capacity")

    # per organisation: "Acme d.o.o." and "acme d.o.o." are one organisation
    orgs = {r["item"].lower(): r for r in rows if r["breakdown"] == "organisation"}
    acme = sql("SELECT COUNT(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE "
               "e.slug = '%s' AND r.status = 'confirmed' AND LOWER(r.organisation) = 'acme d.o.o.'" % slug)[0][0]
    check(orgs["acme d.o.o."]["registered"] == acme, "Acme grouped case-insensitively: %r vs %s"
          % (orgs["acme d.o.o."], acme))
    check("(none given)" in orgs, "empty organisation counted as (none given): %r" % list(orgs))
    check(sum(int(r["registered"]) for r in orgs.values()) == int(conf), "organisations add up")

    # per answer
    qid = EV["q"]["type"]["id"]
    ans = {r["item"]: r for r in rows if r["breakdown"] == "answer" and r["question"] == "Organisation type"}
    check(list(ans) == ["SME", "Hospital", "University", "Investor"], "every option, in order: %r" % list(ans))
    for opt, r in ans.items():
        want = sql("SELECT COUNT(*), COUNT(c.id) FROM registrations r JOIN events e ON e.id = r.event_id "
                   "LEFT JOIN checkins c ON c.registration_id = r.id AND c.point = 0 AND c.live = 1 "
                   "WHERE e.slug = '%s' AND r.status = 'confirmed' AND "
                   "JSON_VALUE(r.answers, '$.\"%d\"') = '%s'" % (slug, qid, opt))[0]
        check([r["registered"], r["checked_in"]] == want, "answer %s: %r vs %r" % (opt, r, want))
    ints = {r["item"]: int(r["registered"]) for r in rows if r["breakdown"] == "answer"
            and r["question"] == "Interests"}
    check(ints["AI"] == int(conf) and ints["Telemedicine"] == 0, "multichoice counted per option: %r" % ints)
    countries = [r["item"] for r in rows if r["breakdown"] == "answer" and r["question"] == "Country"]
    check(set(countries) == {"SI", "BG", "HU", "DK"}, "countries: %r" % countries)

    one = attendance_rows(breakdown="session")
    check(one and all(r["breakdown"] == "session" for r in one), "breakdown=session alone")
    expect_error(W.admin.get(url("attendance.csv", breakdown="weather")), 422, None, "bad breakdown")


def test_attendance_xlsx_sheets():
    wb = openpyxl.load_workbook(io.BytesIO(get(url("attendance.xlsx")).raw))
    check(wb.sheetnames == ["Summary", "By day", "By session", "By ticket type",
                            "By organisation", "By answer"], "sheets %r" % wb.sheetnames)
    for ws in wb.worksheets:
        check(ws.freeze_panes == "A2", "%s: header frozen" % ws.title)
        check(ws.cell(1, 1).font.b, "%s: header bold" % ws.title)
    csvrows = attendance_rows()
    day = wb["By day"]
    got = {r[0].date().isoformat(): r[1] for r in day.iter_rows(min_row=2, values_only=True)}
    check(all(isinstance(r[0], datetime.datetime) for r in day.iter_rows(min_row=2, values_only=True)),
          "days are dates")
    want = {r["item"]: int(r["checked_in"]) for r in csvrows if r["breakdown"] == "day"}
    check(got == want, "xlsx days %r vs csv %r" % (got, want))
    ses = {r[0]: r for r in wb["By session"].iter_rows(min_row=2, values_only=True)}
    w = ses["Workshop: FHIR in practice"]
    check(w[1] == datetime.datetime(2027, 5, 14, 14, 0), "session start a date: %r" % (w[1],))
    check(isinstance(w[3], int) and w[4] == 3 and w[5] == 10, "session numbers %r" % (w,))
    check(abs(w[6] - w[3] / 10) < 1e-9, "fill as a fraction (shown as %%): %r" % (w[6],))
    summ = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    s = [r for r in csvrows if r["breakdown"] == "summary"][0]
    check(summ["Confirmed registrations"] == int(s["registered"]) and
          summ["Checked in"] == int(s["checked_in"]), "summary %r vs %r" % (summ, s))


# ------------------------------------------------------------ badges, certs

def pdf_pages_codes(pdf):
    d = harness.tmpdir("pdf")
    path = os.path.join(d, "b.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", path, os.path.join(d, "p")], check=True,
                   timeout=120, stderr=subprocess.DEVNULL)
    pages = sorted(f for f in os.listdir(d) if f.startswith("p") and f.endswith(".png"))
    out = []
    for p in pages:
        z = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable",
                            os.path.join(d, p)], capture_output=True, text=True, timeout=60)
        out.append(sorted(line for line in z.stdout.splitlines() if line))
    # (libharu 2.3's ToUnicode CMap makes poppler warn on stderr; the text
    # still comes out right, which is what the checks below look at.)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True,
                          timeout=60).stdout.decode("utf-8")
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, timeout=60).stdout
    return out, text, fonts


def valid_codes():
    return dict(sql("SELECT r.name, t.code FROM registrations r JOIN tickets t ON "
                    "t.registration_id = r.id AND t.status = 'valid' JOIN events e ON "
                    "e.id = r.event_id WHERE e.slug = '%s' AND r.status = 'confirmed'" % EV["slug"]))


def test_badges_a6_every_qr_decodes():
    r = get(url("badges.pdf"))
    check(r.header("Content-Type") == "application/pdf" and r.raw.startswith(b"%PDF-"), "a PDF")
    pages, text, fonts = pdf_pages_codes(r.raw)
    codes = valid_codes()
    check(len(pages) == len(codes), "one A6 page per confirmed ticket: %d vs %d" % (len(pages), len(codes)))
    check(all(len(p) == 1 for p in pages), "one QR per A6 page: %r" % [len(p) for p in pages])
    check(sorted(c for p in pages for c in p) == sorted(codes.values()),
          "every badge QR decodes to its ticket code")
    for name in ("Žiga Černe", "Šárka Čičková", "Шишков Ђорђе", "Ősz Győző"):
        check(name in text, "badge text has %r" % name)
    check("DejaVu" in fonts and " yes " in fonts.split("\n")[2], "TrueType font embedded:\n" + fonts)


def test_badges_a4_four_per_page_and_single():
    codes = valid_codes()
    r = get(url("badges.pdf", layout="a4"))
    pages, text, fonts = pdf_pages_codes(r.raw)
    check(len(pages) == (len(codes) + 3) // 4, "A4 pages: %d for %d badges" % (len(pages), len(codes)))
    check(all(len(p) == 4 for p in pages[:-1]), "four QRs on each full A4 page: %r" % [len(p) for p in pages])
    check(sorted(c for p in pages for c in p) == sorted(codes.values()), "all A4 QRs decode")
    reg = EV["regs"][3]
    r = get(url("badges.pdf", registration=reg["id"]))
    pages, text, fonts = pdf_pages_codes(r.raw)
    check(pages == [[reg["ticket"]["code"]]], "single badge at check-in: %r" % pages)
    check("Ősz Győző" in text, "single badge name")
    r = get(url("badges.pdf", ticket_type=EV["vip"]["id"]))
    pages, text, fonts = pdf_pages_codes(r.raw)
    check(len(pages) >= 1 and "VIP" in text and "Standard" not in text, "ticket type filter")
    expect_error(W.admin.get(url("badges.pdf", layout="a3")), 422, None, "bad layout")
    expect_error(W.admin.get(url("badges.pdf", registration=EV["regs"][9]["id"])), 404,
                 "no_badges", "cancelled registration has no badge")


def test_certificate_of_attendance():
    reg = EV["regs"][0]
    r = get("/api/v1/events/%s/registrations/%d/certificate.pdf" % (EV["slug"], reg["id"]))
    check(r.raw.startswith(b"%PDF-"), "certificate is a PDF")
    _, text, fonts = pdf_pages_codes(r.raw)
    check("Certificate of attendance" in text and "Žiga Černe" in text, "certificate text:\n" + text)
    check("Workshop: FHIR in practice" in text, "lists the session attended:\n" + text)
    check("Keynote, day two" not in text, "only sessions attended")
    # CLDR's English interval (ICU): "May 14 – 15, 2027".
    check(re.search(r"May 14\s*[–-]\s*15, 2027", text) is not None, "event dates:\n" + text)
    # Checked in at a session only: still attended.
    r = get("/api/v1/events/%s/registrations/%d/certificate.pdf" % (EV["slug"], EV["regs"][10]["id"]))
    _, text, _ = pdf_pages_codes(r.raw)
    check("Keynote, day two" in text, "session-only attendee's certificate")
    # Never checked in: refused.
    expect_error(W.admin.get("/api/v1/events/%s/registrations/%d/certificate.pdf"
                             % (EV["slug"], EV["regs"][8]["id"])), 409, "not_checked_in",
                 "no certificate without a check-in")


# ------------------------------------------------------------------ access

ALL = ["attendees.csv", "attendees.xlsx", "attendance.csv", "attendance.xlsx", "badges.pdf"]


def test_checkin_staff_get_403_on_every_export():
    user, c = W.new_user("checkin")
    W.add_member(EV["slug"], user["id"])
    r = c.post("/api/v1/tokens", {"name": "door", "role": "checkin", "event": EV["slug"]})
    expect_status(r, 201, "checkin token")
    tok = r.json.get("token") or r.json.get("secret")
    check(tok, "token secret in %r" % r)
    bearer = W.anon()
    for what in ALL:
        expect_status(c.get(url(what)), 403, "checkin user: " + what)
        rr = bearer.get(url(what), headers={"Authorization": "Bearer " + tok})
        expect_status(rr, 403, "checkin token: " + what)
    cert = "/api/v1/events/%s/registrations/%d/certificate.pdf" % (EV["slug"], EV["regs"][0]["id"])
    expect_status(c.get(cert), 403, "checkin user: certificate")
    expect_status(W.anon().get(url("attendees.csv")), 401, "anonymous")
    # An organiser of another event sees nothing of this one.
    org, oc = W.new_user("organiser")
    r = oc.get(url("attendees.csv"))
    check(r.status in (403, 404), "foreign organiser: %r" % r)


def test_exports_are_audited():
    before = int(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'export'")[0][0])
    get(url("attendees.csv", status="confirmed"))
    get(url("badges.pdf", registration=EV["regs"][0]["id"]))
    rows = sql("SELECT actor_kind, actor_id, object_type, details FROM audit_log "
               "WHERE action = 'export' ORDER BY id DESC LIMIT 2")
    after = int(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'export'")[0][0])
    check(after == before + 2, "two exports, two audit rows (%d -> %d)" % (before, after))
    check(rows[1][0] == "user" and '"attendees.csv"' in rows[1][3] and '"confirmed"' in rows[1][3],
          "who took the attendee list, with its filter: %r" % rows[1])
    check(rows[0][2] == "registration" and "badges.pdf" in rows[0][3], "badge export audited: %r" % rows[0])
