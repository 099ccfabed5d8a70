// Shared plumbing for the browser tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), screenshots kept under
// tests/artifacts/screenshots, and one JSON result line on stdout.
//
// A script is run by tests/integration/util_web.py as
//   node tests/browser/<name>.mjs '<json args>'
// with CONFERO_URL set; it prints `RESULT {...}` and exits 0, or prints the
// failure and exits 1.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.CONFERO_ARTIFACTS ||
  path.join(here, '..', 'artifacts', 'screenshots');
export const BASE = process.env.CONFERO_URL;
export const args = JSON.parse(process.argv[2] || '{}');

export const PHONE = { width: 360, height: 740 };
export const NARROW = { width: 320, height: 640 };
export const DESKTOP = { width: 1280, height: 900 };

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

// extra: more Chromium flags, e.g. the fake camera ones.
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: process.env.CONFERO_CHROMIUM || '/usr/bin/chromium',
    args: FLAGS.concat(extra),
    headless: true,
  });
}

// A page whose console errors and failed requests are collected: a test
// may assert page.errors is empty (no CSP violation, no uncaught error).
export async function newPage(browser, viewport = DESKTOP, opts = {}) {
  const ctx = await browser.newContext({ viewport, baseURL: BASE, ...opts });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push('console: ' + m.text()); });
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Run the test body; print the result line or the failure.
export async function run(body) {
  let browser;
  try {
    browser = await launch(args.chromium_flags || []);
    const result = await body(browser);
    console.log('RESULT ' + JSON.stringify(result ?? {}));
    await browser.close();
    process.exit(0);
  } catch (e) {
    console.log('FAILED ' + (e && e.stack ? e.stack : String(e)));
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
}
