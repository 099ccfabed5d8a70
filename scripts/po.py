#!/usr/bin/python3
"""Confero's translation catalogs (GNU gettext, po/<lang>.po).

usage:
  po.py extract [POT]     write the template (default po/confero.pot) from
                          the sources: C (tr, trc, trn, trnc, N_, NC_),
                          JavaScript (t, tc, tn, tnc), HTML (data-i18n) and
                          mail templates ({{#t}}…{{/t}}, {{#t ctx}}…)
  po.py update            extract, then msgmerge every po/<lang>.po
  po.py check             every catalog against freshly extracted sources:
                          msgfmt --check, no missing, untranslated or fuzzy
                          entry, the same placeholders as the source, as
                          many plural forms as the header says
  po.py json DIR          web/i18n/<lang>.json for the pages: the entries
                          the web sources use, {"key": "text" or [forms]}
                          with "ctx\\u0004msgid" keys for contexts

`make po` runs update; `make test` runs check; `make web` runs json.
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO_DIR = os.path.join(TOP, "po")
POT = os.path.join(PO_DIR, "confero.pot")

C_KEYWORDS = ["tr:2", "trc:2c,3", "trn:2,3", "trnc:2c,3,4", "N_", "NC_:1c,2", "req_fail:4"]
JS_KEYWORDS = ["t", "tc:1c,2", "tn:1,2", "tnc:1c,2,3"]

# Placeholders a translation must keep: {{x}} / {{{x}}} in mail templates,
# {name} in C and JavaScript strings, printf conversions.
PLACEHOLDER = re.compile(r"\{\{\{?[#^/!]?\s*[\w.]+\s*\}?\}\}|\{[A-Za-z_][\w.]*\}|%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:ll|l|z|h)?[diouxXsc%]")


def rel(p):
    return os.path.relpath(p, TOP)


def sources(sub, exts):
    out = []
    base = os.path.join(TOP, sub)
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in ("vendor", "i18n", "node_modules"))
        for f in sorted(files):
            if f.endswith(exts):
                out.append(rel(os.path.join(root, f)))
    return out


# ---------------------------------------------------------------- parsing

def unquote(s):
    return json.loads(s) if s.startswith('"') else s


def parse_po(path):
    """Entries of a .po file (blocks separated by blank lines, as gettext
    writes them): dicts with ctx, id, plural, strs (list), flags (set),
    refs (list), obsolete; the header is the entry with id ''."""
    entries = []
    with open(path, encoding="utf-8") as f:
        blocks = re.split(r"\n[ \t]*\n", f.read())
    for block in blocks:
        e = {"ctx": None, "id": None, "plural": None, "strs": {}, "flags": set(),
             "refs": [], "obsolete": False}
        last = None
        for line in block.split("\n"):
            if not line.strip():
                continue
            if line.startswith("#~"):
                e["obsolete"] = True
                line = line[2:].lstrip()
                if not line or line.startswith("#"):
                    continue
            if line.startswith("#,"):
                e["flags"].update(x.strip() for x in line[2:].split(","))
                continue
            if line.startswith("#:"):
                e["refs"].extend(line[2:].split())
                continue
            if line.startswith("#"):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
            if m:
                k, idx, val = m.group(1), m.group(2), unquote(m.group(3))
                if k.startswith("msgstr"):
                    last = ("str", int(idx) if idx is not None else 0)
                    e["strs"][last[1]] = val
                else:
                    last = ({"msgctxt": "ctx", "msgid": "id", "msgid_plural": "plural"}[k], None)
                    e[last[0]] = val
                continue
            if line.startswith('"') and last is not None:
                if last[0] == "str":
                    e["strs"][last[1]] += unquote(line)
                else:
                    e[last[0]] += unquote(line)
                continue
            raise SystemExit("%s: cannot parse line: %r" % (rel(path), line))
        if e["id"] is None:
            continue
        n = max(e["strs"].keys()) + 1 if e["strs"] else 0
        e["strs"] = [e["strs"].get(i, "") for i in range(n)]
        entries.append(e)
    return entries


def header(entries):
    for e in entries:
        if e["id"] == "" and e["ctx"] is None:
            out = {}
            for line in e["strs"][0].split("\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    out[k.strip()] = v.strip()
            return out
    return {}


def key(e):
    return (e["ctx"], e["id"])


# ---------------------------------------------------------------- extraction

def po_quote(s):
    return json.dumps(s, ensure_ascii=False)


class HtmlStrings(html.parser.HTMLParser):
    """Text of elements marked data-i18n (the whole inner text, tags not
    allowed inside), and attributes named in data-i18n-attr."""

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.found = []         # (text, ctx, line)
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in (a.get("data-i18n-attr") or "").split(","):
            name = name.strip()
            if name and a.get(name):
                self.found.append((a[name], a.get("data-i18n-ctx"), self.getpos()[0]))
        if "data-i18n" in a:
            self.stack.append([tag, a.get("data-i18n") or a.get("data-i18n-ctx"), self.getpos()[0], ""])
        elif self.stack:
            raise SystemExit("%s:%d: <%s> inside a data-i18n element" % (rel(self.path), self.getpos()[0], tag))

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1][0] == tag:
            t, ctx, line, text = self.stack.pop()
            text = " ".join(text.split())
            if text:
                self.found.append((text, ctx or None, line))

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][3] += data


TPL_T = re.compile(r"\{\{#t(?:\s+([\w.-]+))?\}\}(.*?)\{\{/t\}\}", re.S)


def template_strings(path):
    with open(path, encoding="utf-8") as f:
        src = f.read()
    out = []
    for m in TPL_T.finditer(src):
        text = " ".join(m.group(2).split())
        line = src.count("\n", 0, m.start()) + 1
        if text:
            out.append((text, m.group(1), line))
    return out


def write_pot_fragment(path, items):
    """items: (text, ctx, file, line)"""
    merged = {}
    order = []
    for text, ctx, f, line in items:
        k = (ctx, text)
        if k not in merged:
            merged[k] = []
            order.append(k)
        merged[k].append("%s:%d" % (f, line))
    with open(path, "w", encoding="utf-8") as out:
        out.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        for k in order:
            ctx, text = k
            out.write("#: %s\n" % " ".join(merged[k]))
            if ctx:
                out.write("msgctxt %s\n" % po_quote(ctx))
            out.write("msgid %s\nmsgstr \"\"\n\n" % po_quote(text))


def run(args, **kw):
    p = subprocess.run(args, cwd=TOP, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise SystemExit("%s failed:\n%s%s" % (" ".join(args[:3]), p.stdout, p.stderr))
    return p


def extract(pot):
    # xgettext keeps its header: without one (--omit-header) it writes
    # ASCII and silently drops every other character ("Loading…" became
    # "Loading"); msgcat then needs the charset it names.  The header is
    # replaced by ours below.
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        c = sources("src", (".c", ".h"))
        out = os.path.join(tmp, "c.pot")
        run(["xgettext", "--language=C", "--from-code=UTF-8", "--no-wrap", "--sort-by-file",
             "--add-comments=TRANSLATORS:", "-o", out]
            + ["--keyword=" + k for k in C_KEYWORDS] + c)
        parts.append(out)
        js = sources("web", (".js", ".mjs"))
        out = os.path.join(tmp, "js.pot")
        run(["xgettext", "--language=JavaScript", "--from-code=UTF-8", "--no-wrap",
             "--sort-by-file", "--add-comments=TRANSLATORS:", "-o", out]
            + ["--keyword=" + k for k in JS_KEYWORDS] + js)
        parts.append(out)
        items = []
        for f in sources("web", (".html",)):
            p = HtmlStrings(os.path.join(TOP, f))
            with open(os.path.join(TOP, f), encoding="utf-8") as fh:
                p.feed(fh.read())
            items += [(t, ctx, f, line) for t, ctx, line in p.found]
        for f in sources("mail-templates", (".subject", ".txt", ".html")):
            items += [(t, ctx, f, line) for t, ctx, line in template_strings(os.path.join(TOP, f))]
        out = os.path.join(tmp, "other.pot")
        write_pot_fragment(out, items)
        parts.append(out)
        parts = [p for p in parts if os.path.exists(p)]
        merged = os.path.join(tmp, "all.pot")
        # Not --use-first: it keeps only the first part's references, so a
        # msgid both C and a page use lost its web/ reference and was left
        # out of the pages' catalogs (po.py json).  Every msgstr here is
        # empty, so plain msgcat has nothing to merge but the references.
        run(["msgcat", "--no-wrap", "--sort-by-file", "-o", merged] + parts)
        body = ""
        if os.path.exists(merged):      # msgcat writes nothing for no messages
            with open(merged, encoding="utf-8") as f:
                body = f.read()
    # A stable header (no creation date), so the template only changes
    # when the strings do.
    body = re.sub(r'\A(?:#.*\n)*msgid ""\nmsgstr ""\n(?:".*"\n)*\n', "", body)
    hdr = ('# Confero\'s messages: the template every po/<lang>.po follows.\n'
           '# Regenerated from the sources by `make po`; do not edit by hand.\n'
           'msgid ""\nmsgstr ""\n'
           '"Project-Id-Version: confero\\n"\n'
           '"MIME-Version: 1.0\\n"\n'
           '"Content-Type: text/plain; charset=UTF-8\\n"\n'
           '"Content-Transfer-Encoding: 8bit\\n"\n'
           '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n')
    with open(pot, "w", encoding="utf-8") as f:
        f.write(hdr + body)


def catalogs():
    return sorted(os.path.join(PO_DIR, f) for f in os.listdir(PO_DIR) if f.endswith(".po"))


def update():
    extract(POT)
    for po in catalogs():
        run(["msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching",
             "--no-wrap", "--sort-by-file", po, POT])
        print("updated %s" % rel(po))


def placeholders(s):
    return sorted(m.group(0).replace(" ", "") for m in PLACEHOLDER.finditer(s))


def check():
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "confero.pot")
        extract(pot)
        wanted = {key(e): e for e in parse_po(pot) if e["id"] != ""}
        committed = {key(e) for e in parse_po(POT) if e["id"] != ""} if os.path.exists(POT) else set()
        if committed != set(wanted):
            gone = sorted(set(wanted) - committed, key=lambda k: (k[0] or "", k[1]))[:5]
            stale = sorted(committed - set(wanted), key=lambda k: (k[0] or "", k[1]))[:5]
            problems.append("po/confero.pot is out of date with the sources (run `make po`): "
                            "missing %r, no longer used %r" % (gone, stale))
        for po in catalogs():
            name = rel(po)
            p = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", po], cwd=TOP,
                               capture_output=True, text=True)
            if p.returncode != 0:
                problems.append("%s: msgfmt --check: %s" % (name, p.stderr.strip()))
            entries = parse_po(po)
            h = header(entries)
            m = re.search(r"nplurals\s*=\s*(\d+)", h.get("Plural-Forms", ""))
            if not m:
                problems.append("%s: no Plural-Forms header" % name)
                continue
            nplurals = int(m.group(1))
            have = {key(e): e for e in entries if e["id"] != "" and not e["obsolete"]}
            for k, src in wanted.items():
                e = have.get(k)
                label = ("%s|%s" % k) if k[0] else k[1]
                if e is None:
                    problems.append("%s: missing %r" % (name, label))
                    continue
                if "fuzzy" in e["flags"]:
                    problems.append("%s: fuzzy %r" % (name, label))
                if not e["strs"] or any(s == "" for s in e["strs"]):
                    problems.append("%s: untranslated %r" % (name, label))
                    continue
                if src["plural"] is not None and len(e["strs"]) != nplurals:
                    problems.append("%s: %r has %d forms, Plural-Forms says %d"
                                    % (name, label, len(e["strs"]), nplurals))
                want = placeholders(e["id"])
                want_pl = placeholders(e["plural"]) if e["plural"] else want
                for i, s in enumerate(e["strs"]):
                    got = placeholders(s)
                    # A form may leave out the number itself ("one seat"),
                    # never use a placeholder the source does not have.
                    if e["plural"] is None:
                        if got != want:
                            problems.append("%s: %r: placeholders %s in the translation, %s in the source"
                                            % (name, label, got, want))
                    elif not set(got) <= set(want) | set(want_pl) or (set(want_pl) - {"{n}", "%d", "%ld", "%lu"}) - set(got):
                        problems.append("%s: %r form %d: placeholders %s, the source has %s"
                                        % (name, label, i, got, want_pl))
    for p in problems:
        print(p)
    print("%d catalog problem(s)" % len(problems))
    return 1 if problems else 0


def web_json(outdir):
    os.makedirs(outdir, exist_ok=True)
    codes = ["en"] + [os.path.basename(p)[:-3] for p in catalogs()]
    with open(os.path.join(outdir, "languages.json.tmp"), "w") as f:
        json.dump({"languages": codes}, f)
    os.replace(os.path.join(outdir, "languages.json.tmp"), os.path.join(outdir, "languages.json"))
    for po in catalogs():
        lang = os.path.basename(po)[:-3]
        entries = parse_po(po)
        data = {}
        for e in entries:
            if e["id"] == "" or e["obsolete"] or "fuzzy" in e["flags"]:
                continue
            if not any(r.startswith("web/") for r in e["refs"]):
                continue
            k = e["id"] if e["ctx"] is None else e["ctx"] + "\u0004" + e["id"]
            if e["plural"] is not None:
                if all(e["strs"]):
                    data[k] = e["strs"]
            elif e["strs"] and e["strs"][0]:
                data[k] = e["strs"][0]
        h = header(entries)
        doc = {"lang": lang, "plural_forms": h.get("Plural-Forms", ""), "messages": data}
        tmp = os.path.join(outdir, lang + ".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        os.replace(tmp, os.path.join(outdir, lang + ".json"))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd = sys.argv[1]
    if cmd == "extract":
        extract(sys.argv[2] if len(sys.argv) > 2 else POT)
    elif cmd == "update":
        update()
    elif cmd == "check":
        sys.exit(check())
    elif cmd == "json":
        web_json(sys.argv[2] if len(sys.argv) > 2 else os.path.join(TOP, "web", "i18n"))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
