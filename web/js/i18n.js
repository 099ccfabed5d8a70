// The pages' language: which one (?lang= → the confero_lang cookie →
// the browser's languages → the default, limited to an event's languages
// on its pages, the same rule as the server's), the catalog for it
// (/i18n/<lang>.json, made by `make web` from po/<lang>.po), look-up with
// context and plurals (CLDR categories from Intl.PluralRules), dates and
// numbers through Intl, and the language switcher.  English is the source
// language: it has no catalog.  Load it before every other script.
//
// Marking strings (scripts/po.py extracts them for translators):
//   t('Register')                      t('Opens on {date}.', { date })
//   tc('verb', 'Open')                 tn('{n} seat left', '{n} seats left', n)
//   tnc('ctx', '{n} day', '{n} days', n, vars)
// and in HTML: <h2 data-i18n>About</h2>, <input data-i18n-attr="placeholder"
// placeholder="Search">; data-i18n="ctx" gives a context.
'use strict';

const I18N = (() => {
  const COOKIE = 'confero_lang';
  const CANON = ['zero', 'one', 'two', 'few', 'many', 'other'];
  let lang = 'en';
  let messages = {};
  let forms = ['one', 'other'];   // the CLDR category of each catalog form
  let plural = null;
  let languages = ['en'];          // every language Confero speaks
  let listed = null;

  function cookieLang() {
    const m = document.cookie.match(/(?:^|;\s*)confero_lang=([A-Za-z-]{2,15})/);
    return m ? m[1] : null;
  }

  // The supported code that tag names ("sl-SI" → "sl"), or null.
  function match(tag, within) {
    if (!tag) return null;
    const set = within || languages;
    const t = String(tag).trim().toLowerCase().replace('_', '-');
    if (set.includes(t)) return t;
    const base = t.split('-')[0];
    return set.includes(base) ? base : null;
  }

  // The same choice as the server's i18n_negotiate().
  function negotiate(allowed) {
    const within = allowed && allowed.length ? allowed.filter((l) => languages.includes(l)) : languages;
    const dflt = within[0] || 'en';
    const q = new URLSearchParams(location.search).get('lang');
    if (q) return match(q, within) || dflt;
    const c = match(cookieLang(), within);
    if (c) return c;
    for (const l of navigator.languages || [navigator.language]) {
      const m = match(l, within);
      if (m) return m;
    }
    return dflt;
  }

  async function loadList() {
    if (listed) return listed;
    listed = fetch('/i18n/languages.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : { languages: ['en'] }))
      .then((j) => { languages = j.languages && j.languages.length ? j.languages : ['en']; })
      .catch(() => { languages = ['en']; });
    return listed;
  }

  // Which form of a catalog entry n takes: the categories whole numbers
  // use, in CLDR order, as po/<lang>.po lists its forms.
  function setupPlural(code) {
    try { plural = new Intl.PluralRules(code); } catch (e) { plural = new Intl.PluralRules('en'); }
    const seen = new Set();
    for (let n = 0; n < 1000; n++) seen.add(plural.select(n));
    [1e5, 1e6, 1000001].forEach((n) => seen.add(plural.select(n)));
    forms = CANON.filter((c) => seen.has(c));
  }

  function pluralIndex(n) {
    const i = forms.indexOf(plural.select(n));
    return i < 0 ? forms.length - 1 : i;
  }

  // Use language code (already chosen, e.g. by the server for an event).
  async function use(code) {
    await loadList();
    lang = match(code) || 'en';
    messages = {};
    if (lang !== 'en') {
      try {
        const r = await fetch('/i18n/' + lang + '.json', { credentials: 'same-origin' });
        if (r.ok) messages = (await r.json()).messages || {};
      } catch (e) {
        messages = {};
      }
    }
    setupPlural(lang);
    document.documentElement.lang = lang;
    apply(document);
    return lang;
  }

  // Choose (within allowed, an event's languages) and load.
  async function init(allowed) {
    await loadList();
    return use(negotiate(allowed));
  }

  function fill(s, vars) {
    if (!vars) return s;
    return s.replace(/\{([A-Za-z_][\w.]*)\}/g, (m, k) => (k in vars && vars[k] != null ? String(vars[k]) : m));
  }

  function look(ctx, id) {
    return messages[ctx ? ctx + '\u0004' + id : id];
  }

  function t(id, vars) {
    const m = look(null, id);
    return fill(typeof m === 'string' ? m : id, vars);
  }

  function tc(ctx, id, vars) {
    const m = look(ctx, id);
    return fill(typeof m === 'string' ? m : id, vars);
  }

  function tnc(ctx, sg, pl, n, vars) {
    const m = look(ctx, sg);
    let s;
    if (Array.isArray(m)) s = m[Math.min(pluralIndex(n), m.length - 1)];
    else s = n === 1 ? sg : pl;
    return fill(s, Object.assign({ n: number(n) }, vars || {}));
  }

  function tn(sg, pl, n, vars) {
    return tnc(null, sg, pl, n, vars);
  }

  // Translate the marked parts of a page (or of an element built later).
  function apply(root) {
    const scope = root || document;
    scope.querySelectorAll('[data-i18n]').forEach((el) => {
      if (el.dataset.i18nSource === undefined) el.dataset.i18nSource = el.textContent.replace(/\s+/g, ' ').trim();
      const ctx = el.dataset.i18n || null;
      el.textContent = ctx ? tc(ctx, el.dataset.i18nSource) : t(el.dataset.i18nSource);
    });
    scope.querySelectorAll('[data-i18n-attr]').forEach((el) => {
      el.dataset.i18nAttr.split(',').map((a) => a.trim()).filter(Boolean).forEach((a) => {
        const key = 'i18nSrc' + a.replace(/[^a-z]/gi, '');
        if (el.dataset[key] === undefined) el.dataset[key] = el.getAttribute(a) || '';
        if (el.dataset[key]) el.setAttribute(a, t(el.dataset[key]));
      });
    });
  }

  // Intl, always in the page's language and the event's zone.
  function date(iso, tz, opts) {
    return new Intl.DateTimeFormat(lang, { timeZone: tz, ...(opts || { dateStyle: 'full' }) }).format(new Date(iso));
  }
  function number(n, opts) {
    return new Intl.NumberFormat(lang, opts).format(n);
  }
  function money(cents, currency) {
    return new Intl.NumberFormat(lang, { style: 'currency', currency: currency || 'EUR' }).format(cents / 100);
  }
  function autonym(code) {
    try { return new Intl.DisplayNames([code], { type: 'language' }).of(code); } catch (e) { return code; }
  }
  function collator() {
    return new Intl.Collator(lang);
  }

  // A language switcher (a labelled <select>) for the given languages (an
  // event's, or all).  The choice is kept in a cookie for a year, so it
  // holds after a reload and on a later visit of the plain URL; ?lang= is
  // dropped from the address so it does not override the new choice.
  // onChoose(code, select), if given, runs instead (a page that must save the
  // choice elsewhere first, e.g. the ticket page; it calls choose()).
  function switcher(codes, onChoose) {
    const list = (codes && codes.length ? codes : languages).filter((c) => languages.includes(c));
    const wrap = document.createElement('div');
    wrap.className = 'lang-switch';
    if (list.length < 2) return wrap;
    const id = 'lang-switch-' + Math.random().toString(36).slice(2, 8);
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = t('Language');
    const sel = document.createElement('select');
    sel.id = id;
    sel.name = 'lang';
    list.forEach((c) => {
      const o = document.createElement('option');
      o.value = c;
      o.lang = c;
      o.textContent = autonym(c);
      if (c === lang) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener('change', () => (onChoose ? onChoose(sel.value, sel) : choose(sel.value)));
    wrap.append(label, sel);
    return wrap;
  }

  function choose(code) {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = COOKIE + '=' + encodeURIComponent(code) + '; Path=/; Max-Age=31536000; SameSite=Lax' + secure;
    const u = new URL(location.href);
    const had = u.searchParams.has('lang');
    u.searchParams.delete('lang');
    // Only the #fragment would differ: replace() would not reload.
    if (had) location.replace(u.toString());
    else location.reload();
  }

  return {
    init, use, negotiate, t, tc, tn, tnc, apply, date, number, money, autonym, collator,
    switcher, choose,
    get lang() { return lang; },
    get languages() { return languages.slice(); },
  };
})();

// Short names for the marked strings (the ones scripts/po.py looks for).
const t = I18N.t;
const tc = I18N.tc;
const tn = I18N.tn;
const tnc = I18N.tnc;
