// Helpers shared by the console and scanner browser tests
// (console_*.mjs, scan_*.mjs): sign-in, error filtering, layout checks.
import { check, shot, PHONE, DESKTOP, NARROW } from './lib.mjs';

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

// Screenshots of the current page at phone and desktop widths (and a
// sideways-scroll check at each, plus 320 px).
export async function shots(page, name) {
  const files = [];
  for (const [tag, vp] of [['360', PHONE], ['1280', DESKTOP]]) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(150);
    await noSideScroll(page, `${name} at ${tag} px`);
    files.push(await shot(page, `${name}_${tag}`));
  }
  await page.setViewportSize(NARROW);
  await page.waitForTimeout(100);
  await noSideScroll(page, `${name} at 320 px`);
  await page.setViewportSize(DESKTOP);
  return files;
}
