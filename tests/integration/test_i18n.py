"""
Translations: every catalog complete and in step with the sources
(scripts/po.py check: msgfmt --check, nothing missing, untranslated or
fuzzy, the same placeholders as the source), and every catalog's
Plural-Forms agreeing with CLDR as Node's Intl.PluralRules has it, for
0..200 — the forms the server (ICU) and the pages (Intl) pick.
"""

import gettext
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
