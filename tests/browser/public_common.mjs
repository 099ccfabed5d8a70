// Checks shared by the public-page browser tests (public_*.mjs): page
// width, labels, contrast, console errors, element screenshots, and API
// calls made from the test itself (to change the world while a page is open).
import { BASE, check } from './lib.mjs';

// A browser context as a visitor far from the event: times must still be
// shown in the event's own time zone.  English (what these tests read),
// whatever the machine's locale; the pages then write dates as Intl does
// in "en" ("Friday, May 14, 2027").
export const VISITOR = { locale: 'en-US', timezoneId: 'America/New_York' };

export async function apiPost(path, body) {
  const res = await fetch(new URL(path, BASE), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export async function apiGet(path) {
  const res = await fetch(new URL(path, BASE), { headers: { Accept: 'application/json' } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// Console errors other than the expected HTTP answers of fetch (Chromium
// logs "Failed to load resource: … status of 422" for each of them).
export function unexpectedErrors(page, allowedStatuses = []) {
  return page.errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(e);
    return !(m && allowedStatuses.includes(Number(m[1])));
  });
}

export function noErrors(page, what, allowedStatuses = []) {
  const errs = unexpectedErrors(page, allowedStatuses);
  check(errs.length === 0, what + ': console errors or CSP violations: ' + JSON.stringify(errs));
}

export async function scrollWidth(page) {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
}

// Every visible form control must have an accessible name from a
// <label for>, a wrapping <label>, aria-label or aria-labelledby.
export async function unlabelled(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const txt = (n) => (n && n.textContent || '').trim();
      let name = '';
      if (el.id) {
        for (const l of document.querySelectorAll('label')) if (l.htmlFor === el.id) name += txt(l);
      }
      if (!name && el.closest('label')) name = txt(el.closest('label'));
      if (!name && el.getAttribute('aria-label')) name = el.getAttribute('aria-label').trim();
      if (!name && el.getAttribute('aria-labelledby')) {
        name = el.getAttribute('aria-labelledby').split(/\s+/).map((id) => txt(document.getElementById(id))).join(' ').trim();
      }
      if (!name) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
}

// WCAG 2.1 AA text contrast: every visible text node against the first
// opaque background behind it (4.5:1; 3:1 for large text).  Disabled
// controls and their labels are exempt, as WCAG allows.
export async function contrastProblems(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
    };
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c[3] >= 0.99) return c;
      }
      return [255, 255, 255, 1];
    };
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || seen.has(el)) continue;
      seen.add(el);
      if (!el.getClientRects().length || el.closest('[hidden], .visually-hidden, .skip-link')) continue;
      if (el.closest('button:disabled')) continue;
      const lab = el.closest('label');
      if (lab && lab.htmlFor && document.getElementById(lab.htmlFor) && document.getElementById(lab.htmlFor).disabled) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden') continue;
      const fg = parse(cs.color);
      const bg = bgOf(el);
      if (!fg) continue;
      const L1 = lum(fg), L2 = lum(bg);
      const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${ratio.toFixed(2)}:1 "${n.textContent.trim().slice(0, 40)}" (${cs.color} on rgb(${bg.slice(0, 3)}))`);
    }
    return bad;
  });
}

// The checks every public page must pass at 320 px: no horizontal
// scrolling, labelled controls, contrast, a language (lang: the one
// wanted), a title, one h1 and a working skip link.
export async function pageBasics(page, what, lang = 'en') {
  const sw = await scrollWidth(page);
  const vw = page.viewportSize().width;
  check(sw <= vw, `${what}: scrolls horizontally at ${vw} px (scrollWidth ${sw})`);
  const nolabel = await unlabelled(page);
  check(nolabel.length === 0, `${what}: controls without a label: ${JSON.stringify(nolabel)}`);
  const contrast = await contrastProblems(page);
  check(contrast.length === 0, `${what}: text below WCAG AA contrast: ${JSON.stringify(contrast)}`);
  const info = await page.evaluate(() => {
    const skip = document.querySelector('a.skip-link');
    return {
      lang: document.documentElement.lang,
      title: document.title,
      h1: Array.from(document.querySelectorAll('h1')).filter((h) => h.getClientRects().length > 0).length,
      skipTarget: skip ? !!document.getElementById(skip.getAttribute('href').slice(1)) : false,
    };
  });
  check(info.lang === lang, `${what}: <html lang> is ${JSON.stringify(info.lang)}, want ${lang}`);
  check(info.title && info.title.trim().length > 3, `${what}: no useful <title>: ${JSON.stringify(info.title)}`);
  check(info.h1 === 1, `${what}: want one h1, got ${info.h1}`);
  check(info.skipTarget, `${what}: no skip link to an element of the page`);
  return { scrollWidth: sw, title: info.title };
}

export async function elementPngBase64(locator) {
  const buf = await locator.screenshot();
  return buf.toString('base64');
}

// Press Tab until the focused element matches sel (at most n times);
// returns the ids/tags focused on the way.
export async function tabTo(page, sel, n = 80) {
  const path = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((s) => {
      const a = document.activeElement;
      return { id: a.id || a.tagName.toLowerCase() + (a.getAttribute('href') ? '[' + a.getAttribute('href') + ']' : ''), hit: a.matches(s) };
    }, sel);
    path.push(f.id);
    if (f.hit) return path;
  }
  throw new Error('Tab never reached ' + sel + '; focus went ' + path.join(' > '));
}

export async function focusedId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.id);
}
