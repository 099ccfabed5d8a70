#!/usr/bin/python3
"""Merge translations kept as JSON into a catalog, through msgmerge.

usage: po-apply.py LANG TRANSLATIONS.json [OUT.po]

TRANSLATIONS.json is a list of {"ctx": null or "context", "id": "msgid",
"plural": null or "msgid_plural", "str": "text" or ["form 0", "form 1", …]}.
They become a compendium that msgmerge uses for every entry po/LANG.po
does not translate yet (exact matches only); translations already in the
catalog win.  The result goes to OUT.po (default: po/LANG.po itself).
Translators (people or scripts) can so work on a file of their own while
`make po` rewrites the catalogs.
"""
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def q(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    lang, src = sys.argv[1], sys.argv[2]
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(TOP, "po", lang + ".po")
    po = os.path.join(TOP, "po", lang + ".po")
    with open(src, encoding="utf-8") as f:
        items = json.load(f)
    with open(po, encoding="utf-8") as f:
        header = f.read().split("\n\n", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        comp = os.path.join(tmp, "comp.po")
        with open(comp, "w", encoding="utf-8") as f:
            f.write(header + "\n\n")
            seen = set()
            for it in items:
                key = (it.get("ctx"), it["id"])
                if key in seen or not it["id"]:
                    continue
                seen.add(key)
                if it.get("ctx"):
                    f.write("msgctxt %s\n" % q(it["ctx"]))
                f.write("msgid %s\n" % q(it["id"]))
                if it.get("plural") is not None:
                    f.write("msgid_plural %s\n" % q(it["plural"]))
                    forms = it["str"] if isinstance(it["str"], list) else [it["str"]]
                    for i, s in enumerate(forms):
                        f.write("msgstr[%d] %s\n" % (i, q(s)))
                else:
                    s = it["str"][0] if isinstance(it["str"], list) else it["str"]
                    f.write("msgstr %s\n" % q(s))
                f.write("\n")
        # msgmerge takes a compendium's text only for messages the catalog
        # lacks, and counts a plural entry with empty forms as present: so
        # the catalog's untranslated entries go first.
        done = os.path.join(tmp, "translated.po")
        subprocess.run(["msgattrib", "--translated", "--no-obsolete", "--no-wrap", "-o", done, po],
                       check=True)
        if not os.path.exists(done):    # nothing translated yet: the header alone
            with open(done, "w", encoding="utf-8") as f:
                f.write(header + "\n")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--no-wrap", "--sort-by-file",
                        "--compendium=" + comp, "-o", out, done,
                        os.path.join(TOP, "po", "confero.pot")], check=True)


if __name__ == "__main__":
    main()
