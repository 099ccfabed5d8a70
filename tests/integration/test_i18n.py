"""
Translations: every catalog complete and in step with the sources
(scripts/po.py check: msgfmt --check, nothing missing, untranslated or
fuzzy, the same placeholders as the source), and every catalog's
Plural-Forms agreeing with CLDR as Node's Intl.PluralRules has it, for
0..200 — the forms the server (ICU) and the pages (Intl) pick.
"""

import csv
import gettext
import io
import json
import os
import re
import subprocess

import harness
from harness import check

PO_DIR = os.path.join(harness.REPO, "po")
CANON = ["zero", "one", "two", "few", "many", "other"]


def catalogs():
    return sorted(f[:-3] for f in os.listdir(PO_DIR) if f.endswith(".po"))


def plural_forms(lang):
    with open(os.path.join(PO_DIR, lang + ".po"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'"Plural-Forms:\s*nplurals\s*=\s*(\d+);\s*plural\s*=\s*(.*?);?\\n"', text)
    check(m is not None, "po/%s.po has no Plural-Forms header" % lang)
    return int(m.group(1)), m.group(2)


def intl_categories(langs, upto):
    script = ("const langs = %s; const out = {};"
              "for (const l of langs) { const r = new Intl.PluralRules(l); out[l] = [];"
              "  for (let n = 0; n <= %d; n++) out[l].push(r.select(n)); }"
              "process.stdout.write(JSON.stringify(out));" % (json.dumps(langs), upto))
    p = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "node failed: %s" % p.stderr)
    return json.loads(p.stdout)


def test_catalogs_complete_and_in_step_with_the_sources():
    p = subprocess.run(["/usr/bin/python3", os.path.join(harness.REPO, "scripts", "po.py"), "check"],
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "catalog problems:\n%s%s" % (p.stdout[-6000:], p.stderr[-2000:]))
    for lang in ("sl", "bg", "hu", "de", "da"):
        check(lang in catalogs(), "no catalog for %s" % lang)


def test_plural_forms_agree_with_cldr_for_0_to_200():
    langs = ["en"] + catalogs()
    cats = intl_categories(langs, 200)
    for lang in catalogs():
        nplurals, expr = plural_forms(lang)
        f = gettext.c2py(expr)
        # The categories whole numbers take, in CLDR order: the order of
        # the catalog's forms.
        order = [c for c in CANON if c in set(cats[lang])]
        check(len(order) == nplurals, "%s: nplurals=%d but CLDR has %d forms for whole numbers (%s)"
              % (lang, nplurals, len(order), order))
        for n in range(201):
            want = order.index(cats[lang][n])
            check(f(n) == want, "%s: n=%d gets form %d from Plural-Forms, CLDR says %s (form %d)"
                  % (lang, n, f(n), cats[lang][n], want))
    # Slovenian's four forms, as the issue names them.
    f = gettext.c2py(plural_forms("sl")[1])
    check([f(n) for n in (1, 2, 3, 5, 101, 102, 104, 111)] == [0, 1, 2, 3, 0, 1, 2, 3],
          "Slovenian forms of 1, 2, 3, 5, 101, 102, 104, 111")


# ------------------------------------------------------------------ the server

import email.header  # noqa: E402
import sys  # noqa: E402

from harness import expect_error, expect_status  # noqa: E402
from util_events import uniq_email  # noqa: E402
from util_mail import html_part, mail_world, stop_mail_world, text_part  # noqa: E402

sys.path.insert(0, os.path.join(harness.REPO, "scripts"))
import po as pofile  # noqa: E402

SINK = None
W = None
# English sentences of the mail templates: none may reach a translated mail.
ENGLISH = ["Dear ", "Thank you for registering", "Kind regards", "Your ticket",
           "You are receiving this email", "What to bring", "Manage my registration"]


def setup_module():
    global SINK, W
    SINK, W = mail_world("i18n")


def teardown_module():
    stop_mail_world(SINK, W)


def catalog(lang):
    """msgid (or ctx|msgid) -> translation, from po/<lang>.po."""
    out = {}
    for e in pofile.parse_po(os.path.join(PO_DIR, lang + ".po")):
        if e["id"] and e["strs"] and e["strs"][0]:
            out[(e["ctx"] + "|" if e["ctx"] else "") + e["id"]] = e["strs"][0]
    return out


def event(languages, **kw):
    ev = W.event(languages=languages, **kw)
    return ev, W.ttype(ev["slug"])


def mail_to(addr, timeout=30):
    return SINK.wait_for([addr], timeout)[addr.lower()][-1]


def test_event_languages_and_multilingual_fields():
    ev = W.event(languages=["sl", "en"], name={"sl": "Forum zdravja", "en": "Health forum"},
                 description="Opis v slovenščini.", venue={"sl": "Cankarjev dom"})
    check(ev["languages"] == ["sl", "en"], "languages: %r" % ev.get("languages"))
    check(ev["name_i18n"] == {"sl": "Forum zdravja", "en": "Health forum"},
          "organisers get every language: %r" % ev.get("name_i18n"))
    slug = ev["slug"]
    anon = W.anon()
    r = anon.get("/api/v1/events/%s" % slug, headers={"Accept-Language": "en-GB,en;q=0.9"})
    expect_status(r, 200)
    check(r.json["name"] == "Health forum" and r.json["language"] == "en", "English: %r" % r.json)
    check(r.json["description"] == "Opis v slovenščini." and r.json["venue"] == "Cankarjev dom",
          "missing translations fall back to the default: %r" % r.json)
    check("name_i18n" not in r.json, "the public does not get every language")
    r = anon.get("/api/v1/events/%s" % slug, headers={"Accept-Language": "sl-SI"})
    check(r.json["name"] == "Forum zdravja" and r.json["language"] == "sl", "Slovenian: %r" % r.json)
    # A language the event does not have: the default.
    r = anon.get("/api/v1/events/%s?lang=de" % slug, headers={"Accept-Language": "en"})
    check(r.json["language"] == "sl" and r.json["name"] == "Forum zdravja", "?lang=de: %r" % r.json)
    r = anon.get("/api/v1/events/%s" % slug, headers={"Accept-Language": "de, da;q=0.5"})
    check(r.json["language"] == "sl", "German browser on an sl/en event: %r" % r.json["language"])
    # The cookie wins over the header; ?lang over both.
    r = anon.get("/api/v1/events/%s" % slug, headers={"Accept-Language": "sl",
                                                      "Cookie": "confero_lang=en"})
    check(r.json["language"] == "en", "cookie: %r" % r.json["language"])
    r = anon.get("/api/v1/events/%s?lang=sl" % slug, headers={"Cookie": "confero_lang=en"})
    check(r.json["language"] == "sl", "?lang: %r" % r.json["language"])
    check("Accept-Language" in (r.header("Vary") or ""), "Vary: %r" % r.header("Vary"))
    # A plain string replaces the field's translations; PATCH can change languages.
    r = W.admin.patch("/api/v1/events/%s" % slug, {"name": "Forum", "languages": ["en", "sl", "hu"]})
    expect_status(r, 200)
    check(r.json["languages"] == ["en", "sl", "hu"] and r.json["name_i18n"] == {"en": "Forum"},
          "after PATCH: %r" % r.json)


def test_bad_multilingual_fields_are_refused_naming_the_field():
    ev = W.event(languages=["bg", "en"])
    slug = ev["slug"]
    cases = [("name", {"bg": "Форум", "de": "Forum"}, "unsupported_language"),
             ("name", {"en": "Forum"}, "default_language_missing"),
             ("name", {"bg": 5}, "not_a_string"),
             ("description", ["x"], "not_a_string")]
    for field, value, code in cases:
        r = W.admin.patch("/api/v1/events/%s" % slug, {field: value})
        expect_error(r, 422, "validation", "%s=%r" % (field, value))
        check(r.json["error"]["fields"].get(field) == code, "%s=%r: %r" % (field, value, r.json))
    r = W.admin.patch("/api/v1/events/%s" % slug, {"languages": ["bg", "xx"]})
    check(r.status == 422 and r.json["error"]["fields"].get("languages") == "unsupported", "languages xx")
    r = W.admin.patch("/api/v1/events/%s" % slug, {"languages": ["bg", "bg"]})
    check(r.status == 422 and r.json["error"]["fields"].get("languages") == "duplicate", "languages twice")
    # Nothing changed.
    r = W.admin.get("/api/v1/events/%s" % slug)
    check(r.json["languages"] == ["bg", "en"] and r.json["name"] == ev["name"], "unchanged: %r" % r.json)
    # Sessions, ticket types, questions and speakers take the same forms.
    s = W.session(slug, title={"bg": "Откриване", "en": "Opening"})
    t = W.ttype(slug, name={"bg": "Пълен достъп", "en": "Full pass"})
    q = W.question(slug, label={"bg": "Организация", "en": "Organisation type"}, kind="choice",
                   options={"bg": ["Болница", "Стартъп"], "en": ["Hospital", "Start-up"]})
    sp = W.speaker(slug, bio={"bg": "Лекар.", "en": "A physician."})
    r = W.admin.post("/api/v1/events/%s/sessions" % slug,
                     {"title": {"en": "Only English"}, "kind": "talk",
                      "starts_at": "2027-05-14T10:00:00+02:00", "ends_at": "2027-05-14T11:00:00+02:00"})
    check(r.status == 422 and r.json["error"]["fields"].get("title") == "default_language_missing",
          "session without the default language: %r" % r.json)
    W.admin.post("/api/v1/events/%s/publish" % slug)
    doc = W.anon().get("/api/v1/events/%s?lang=en" % slug).json
    by_id = lambda xs, i: [x for x in xs if x["id"] == i][0]  # noqa: E731
    check(by_id(doc["sessions"], s["id"])["title"] == "Opening", "session title in English")
    check(by_id(doc["ticket_types"], t["id"])["name"] == "Full pass", "ticket type in English")
    check(by_id(doc["questions"], q["id"])["options"] == ["Hospital", "Start-up"], "options in English")
    check(by_id(doc["speakers"], sp["id"])["bio"] == "A physician.", "bio in English")
    doc = W.anon().get("/api/v1/events/%s?lang=bg" % slug).json
    check(by_id(doc["questions"], q["id"])["label"] == "Организация", "label in Bulgarian")
    # An English form sends the English option; it is stored as the default's.
    r = W.register(slug, t["id"], email=uniq_email("opt"), answers={str(q["id"]): "Start-up"},
                   language="en")
    expect_status(r, 201, "register with a translated option")
    reg = W.reg(slug, r.json["id"])
    check(reg["answers"][str(q["id"])] == "Стартъп", "answer stored in the default language: %r" % reg)


def test_api_errors_in_the_callers_language():
    sl, de = catalog("sl"), catalog("de")
    for lang, cat in (("sl", sl), ("de", de)):
        r = W.anon().get("/api/v1/events/no-such-event-here", headers={"Accept-Language": lang})
        expect_error(r, 404, "not_found")
        check(r.json["error"]["message"] == cat.get("Not found.") and cat.get("Not found.") != "Not found.",
              "%s message: %r" % (lang, r.json))
    r = W.anon().post("/api/v1/auth/login?lang=sl", {"email": "x@example.org", "password": "wrong-password"})
    check(r.status == 401 and r.json["error"]["code"] == "unauthorized" and
          r.json["error"]["message"] == sl.get("Wrong email or password."), "login in sl: %r" % r.json)
    r = W.anon().get("/api/v1/events/no-such-event-here", headers={"Accept-Language": "fr"})
    check(r.json["error"]["message"] == "Not found.", "French falls back to English")


def test_slovenian_registration_gets_a_slovenian_mail():
    ev, tt = event(["sl", "en"], name={"sl": "Forum zdravja", "en": "Health forum"})
    addr = uniq_email("sl")
    # No "language" in the body: the page's (here Accept-Language).
    r = W.anon().post("/api/v1/events/%s/registrations" % ev["slug"],
                      {"ticket_type_id": tt["id"], "name": "Žiga Černe", "email": addr,
                       "consent": True}, headers={"Accept-Language": "sl-SI,sl;q=0.9"})
    expect_status(r, 201)
    check(W.manage(r.json).json["language"] == "sl", "the registration keeps its language")
    m = mail_to(addr)
    cat = catalog("sl")
    subject = str(m.msg["Subject"])
    want = cat.get("Your place at {{event.name}} is confirmed", "").replace("{{event.name}}", "Forum zdravja")
    check(subject == want, "subject %r, want the catalog's %r" % (subject, want))
    check(str(m.msg["Content-Language"]) == "sl", "Content-Language: %r" % m.msg["Content-Language"])
    text, html = text_part(m.msg), html_part(m.msg)
    check('lang="sl"' in html, "html lang")
    check(re.search(r"14\. maj 2027", text) and re.search(r"14\. maj 2027", html),
          "the date with a Slovenian month name:\n" + text)
    for s in ENGLISH:
        check(s not in text and s not in html, "English template text %r in the Slovenian mail:\n%s" % (s, text))
    check(cat["Dear {{attendee.name}},"].replace("{{attendee.name}}", "Žiga Černe") in text,
          "the Slovenian greeting:\n" + text)


def test_bulgarian_mail_and_certificate_in_cyrillic():
    ev, tt = event(["bg", "en"], name={"bg": "Форум за дигитално здраве", "en": "Digital health forum"},
                   timezone="Europe/Sofia", starts_at="2027-05-14T09:00:00+03:00",
                   ends_at="2027-05-15T18:00:00+03:00")
    addr = uniq_email("bg")
    tt = W.ttype(ev["slug"], name={"bg": "Пълен достъп", "en": "Full pass"})
    r = W.register(ev["slug"], tt["id"], email=addr, name="Иван Петров", language="bg")
    expect_status(r, 201)
    m = mail_to(addr)
    head = m.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")     # 7-bit headers only
    raw_subject = re.search(r"^Subject:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.M).group(1)
    check("=?" in raw_subject, "the Cyrillic subject is RFC 2047-encoded: %r" % raw_subject)
    decoded = str(email.header.make_header(email.header.decode_header(raw_subject.replace("\r\n", ""))))
    check("Форум за дигитално здраве" in decoded, "decoded subject: %r" % decoded)
    check(decoded == str(m.msg["Subject"]), "the email package agrees")
    text = text_part(m.msg)
    check("14 май 2027" in text, "Bulgarian date:\n" + text)
    for s in ENGLISH:
        check(s not in text, "English %r in the Bulgarian mail" % s)
    # Checked in, the certificate is in Bulgarian with its Cyrillic intact.
    W.checkin(ev["slug"], registration_id=r.json["id"])
    pdf = W.admin.get("/api/v1/events/%s/registrations/%d/certificate.pdf" % (ev["slug"], r.json["id"]))
    expect_status(pdf, 200)
    p = subprocess.run(["pdftotext", "-", "-"], input=pdf.raw, capture_output=True, timeout=60)
    out = p.stdout.decode()
    cat = catalog("bg")
    check("Иван Петров" in out and "Форум за дигитално здраве" in out, "certificate:\n" + out)
    check(cat["certificate|Certificate of attendance"] in out, "Bulgarian title:\n" + out)
    check("май 2027" in out, "Bulgarian dates:\n" + out)
    # The badge too: the event and the ticket type in Bulgarian.
    pdf = W.admin.get("/api/v1/events/%s/exports/badges.pdf?registration=%d" % (ev["slug"], r.json["id"]))
    expect_status(pdf, 200)
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf.raw, capture_output=True, timeout=60).stdout.decode()
    check("Форум за дигитално здраве" in out and "Пълен достъп" in out and "Иван Петров" in out,
          "Bulgarian badge:\n" + out)
    check("Пълен достъп" in text_part(m.msg), "the ticket type in the Bulgarian mail")


def test_hungarian_date_order_and_german_export_headings():
    ev, tt = event(["hu"], timezone="Europe/Budapest", name="Egészségügyi fórum")
    addr = uniq_email("hu")
    r = W.register(ev["slug"], tt["id"], email=addr)
    expect_status(r, 201)
    text = text_part(mail_to(addr).msg)
    check("2027. május 14." in text, "Hungarian year-month-day order:\n" + text)
    csv_text = W.admin.get("/api/v1/events/%s/exports/attendees.csv" % ev["slug"],
                           headers={"Accept-Language": "de"}).raw.decode("utf-8")
    head = csv_text.split("\r\n")[0]
    de = catalog("de")
    check(de["export column|Organisation"] in head and de["export column|Ticket type"] in head,
          "German headings: %r" % head)


def test_mixed_language_mailing_reaches_each_in_their_language():
    ev, tt = event(["sl", "en"])
    a, b = uniq_email("msl"), uniq_email("men")
    for addr, lang in ((a, "sl"), (b, "en")):
        expect_status(W.register(ev["slug"], tt["id"], email=addr, language=lang), 201)
    SINK.wait_for([a, b])
    body = {"audience": "attendees",
            "subject": {"sl": "Novica za {{event.name}}", "en": "News about {{event.name}}"},
            "body": {"sl": "Spoštovani {{attendee.name}}, program je objavljen.",
                     "en": "Dear {{attendee.name}}, the programme is out."}}
    p = W.admin.post("/api/v1/events/%s/mailings/preview" % ev["slug"], body)
    expect_status(p, 200)
    check(set(p.json["languages"]) == {"sl", "en"} and
          p.json["languages"]["sl"]["subject"].startswith("Novica za") and
          p.json["languages"]["en"]["subject"].startswith("News about"), "preview per language: %r" % p.json)
    expect_status(W.admin.post("/api/v1/events/%s/mailings" % ev["slug"], body), 202)
    got = SINK.wait_for([a, b], count=2)
    ma, mb = got[a.lower()][-1], got[b.lower()][-1]
    check(str(ma.msg["Subject"]).startswith("Novica za") and "program je objavljen" in text_part(ma.msg),
          "the Slovenian attendee's mailing: %r" % str(ma.msg["Subject"]))
    check(str(mb.msg["Subject"]).startswith("News about") and "the programme is out" in text_part(mb.msg),
          "the English attendee's mailing: %r" % str(mb.msg["Subject"]))
    # A language the organiser did not write: the default.
    r = W.admin.post("/api/v1/events/%s/mailings/preview" % ev["slug"],
                     dict(body, subject={"de": "x", "sl": "y"}))
    check(r.status == 422 and r.json["error"]["fields"]["subject"] == "unsupported_language", "mailing in de")


def test_ticket_page_changes_the_language_of_later_mails():
    ev, tt = event(["sl", "en"])
    addr = uniq_email("chg")
    r = W.register(ev["slug"], tt["id"], email=addr, language="sl")
    expect_status(r, 201)
    mail_to(addr)
    m = W.manage(r.json, "PATCH", {"language": "en"})
    expect_status(m, 200)
    check(m.json["language"] == "en", "changed: %r" % m.json)
    bad = W.manage(r.json, "PATCH", {"language": "de"})
    check(bad.status == 422 and bad.json["error"]["fields"]["language"] == "not_an_event_language",
          "a language the event does not have: %r" % bad.json)
    expect_status(W.admin.post("/api/v1/events/%s/registrations/%d/resend" % (ev["slug"], r.json["id"])), 202)
    m = SINK.wait_for([addr], count=2)[addr.lower()][-1]
    check(str(m.msg["Content-Language"]) == "en" and "Dear " in text_part(m.msg), "the resent ticket in English")


def test_staff_language():
    user, c = W.new_user("organiser")
    r = c.patch("/api/v1/auth/me", {"language": "de"}, csrf=True)
    expect_status(r, 200)
    check(r.json["user"]["language"] == "de", "me: %r" % r.json)
    check(c.get("/api/v1/auth/me").json["user"]["language"] == "de", "kept")
    r = c.patch("/api/v1/auth/me", {"language": "xx"}, csrf=True)
    check(r.status == 422 and r.json["error"]["fields"]["language"] == "unsupported", "xx")
    r = c.patch("/api/v1/auth/me", {"language": None}, csrf=True)
    check(r.json["user"]["language"] is None, "cleared")


def test_attendee_lookup_sorted_as_the_events_language_sorts():
    ev, tt = event(["sl"])
    for name in ("Dolenc Maja", "Čeh Ana", "Cankar Ivan", "Zupan Eva", "Šuštar Jan", "Sever Tim"):
        expect_status(W.register(ev["slug"], tt["id"], name=name, email=uniq_email("srt")), 201)
    r = W.admin.get("/api/v1/events/%s/attendees?q=" % ev["slug"])
    expect_status(r, 200)
    names = [a["name"] for a in r.json["attendees"]]
    want = ["Cankar Ivan", "Čeh Ana", "Dolenc Maja", "Sever Tim", "Šuštar Jan", "Zupan Eva"]
    check(names == want, "Slovenian order: %r" % names)
    # The attendee export by name sorts the same way; by default it keeps
    # registration order.
    for sort, expect in (("name", want), (None, ["Dolenc Maja", "Čeh Ana", "Cankar Ivan",
                                                 "Zupan Eva", "Šuštar Jan", "Sever Tim"])):
        path = "/api/v1/events/%s/exports/attendees.csv%s" % (ev["slug"], "?sort=name" if sort else "")
        rows = list(csv.reader(io.StringIO(W.admin.get(path).raw.decode("utf-8"))))
        check([row[1] for row in rows[1:]] == expect, "export sort=%s: %r" % (sort, [r[1] for r in rows[1:]]))
    expect_error(W.admin.get("/api/v1/events/%s/exports/attendees.csv?sort=shoe" % ev["slug"]), 422,
                 "validation")
