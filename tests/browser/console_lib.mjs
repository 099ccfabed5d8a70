// Helpers shared by the console and scanner browser tests
// (console_*.mjs, scan_*.mjs): sign-in, error filtering, layout checks.
import { check, shot, PHONE, DESKTOP, NARROW } from './lib.mjs';

// The browser the staff tests use unless a test asks for a language:
// English (the pages' default and what these tests read), whatever the
// machine's locale.
export const ENGLISH = { locale: 'en-US' };

// page.errors without the browser's own "Failed to load resource" lines for
// HTTP statuses the test expects (a 401 from /auth/me before sign-in, a 409
// for a ticket already used, ...): those are answers, not faults.
// allow: more patterns of expected lines (a test that cuts the network).
export function unexpectedErrors(page, statuses = [], allow = []) {
  return page.errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d{3})/.exec(e);
    if (m && statuses.includes(Number(m[1]))) return false;
    return !allow.some((re) => re.test(e));
  });
}

export function noErrors(page, statuses, where, allow = []) {
  const bad = unexpectedErrors(page, statuses, allow);
  check(bad.length === 0, `${where}: console errors or CSP violations:\n  ${bad.join('\n  ')}`);
}

// Accept every confirm() the page asks (destructive actions ask first);
// remember the questions so a test can assert one was asked.
export function acceptDialogs(page) {
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.accept(); });
}

export async function consoleLogin(page, email, password) {
  await page.goto('/console/');
  await page.waitForSelector('form.login-form');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#logout');
}

// Go to a console route and wait for its heading.
export async function view(page, hash, heading) {
  await page.goto('/console/#' + hash);
  await page.waitForFunction((h) => {
    const e = document.querySelector('main h1');
    return e && e.textContent.startsWith(h) && !document.querySelector('main .loading');
  }, heading, { timeout: 15000 });
}

export async function text(page, sel) {
  return (await page.locator(sel).first().innerText() || '').replace(/\s+/g, ' ').trim();
}

// The page does not scroll sideways at its current width.
export async function noSideScroll(page, where) {
  const r = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  check(r.sw <= r.w + 1, `${where}: the page scrolls sideways at ${r.w} px (content ${r.sw} px wide)`);
}

// Every visible form control has an accessible name from a label or aria.
export async function controlsLabelled(page, where) {
  const missing = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.closest('[hidden]') || !el.getClientRects().length) continue;
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
  check(missing.length === 0, `${where}: controls without a label: ${missing.join(' | ')}`);
}

// WCAG AA contrast of every visible piece of text (4.5:1, 3:1 for large
// text) against the background it is drawn on (composited up the tree).
// Disabled controls are exempt, as WCAG allows.
export async function contrastAA(page, where) {
  const bad = await page.evaluate(() => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c || '');
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(parseFloat);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, base) => ({ r: top.r * top.a + base.r * (1 - top.a),
      g: top.g * top.a + base.g * (1 - top.a), b: top.b * top.a + base.b * (1 - top.a), a: 1 });
    const lum = (c) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      }
      let base = { r: 255, g: 255, b: 255, a: 1 };
      for (const l of layers.reverse()) base = over(l, base);
      return base;
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.nodeValue.trim()) continue;
      seen.add(el);
      if (el.closest('[hidden], script, style, noscript, option, .visually-hidden, [disabled], :disabled, dialog:not([open])')) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || !el.getClientRects().length) continue;
      const bg = background(el);
      const fg = over(parse(cs.color), bg);
      const l1 = lum(fg); const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight, 10) >= 700);
      if (ratio < (large ? 3 : 4.5) - 0.01) {
        out.push(`${ratio.toFixed(2)}:1 "${n.nodeValue.trim().slice(0, 40)}" (${cs.color} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`);
      }
    }
    return out;
  });
  check(bad.length === 0, `${where}: text below AA contrast:\n  ${bad.join('\n  ')}`);
}

// Screenshots of the current page at phone and desktop widths (and a
// sideways-scroll and contrast check at each, plus 320 px).
export async function shots(page, name) {
  const files = [];
  for (const [tag, vp] of [['360', PHONE], ['1280', DESKTOP]]) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(150);
    await noSideScroll(page, `${name} at ${tag} px`);
    await contrastAA(page, `${name} at ${tag} px`);
    files.push(await shot(page, `${name}_${tag}`));
  }
  await page.setViewportSize(NARROW);
  await page.waitForTimeout(100);
  await noSideScroll(page, `${name} at 320 px`);
  await page.setViewportSize(DESKTOP);
  return files;
}
