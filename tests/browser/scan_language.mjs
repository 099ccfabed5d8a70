// The door scanner's language: ?lang=sl wins, the header's switcher keeps
// a choice in the confero_lang cookie (a paired device has no account)
// across reloads and drops ?lang from the address; the page's words come
// from the served catalog (or stay English where it has none yet).
import { run, newPage, check, PHONE, args } from './lib.mjs';
import { noErrors, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

const state = (page) => page.evaluate(() => {
  const sel = document.querySelector('#lang-slot select');
  return {
    html_lang: document.documentElement.lang,
    i18n_lang: I18N.lang,
    switcher_value: sel ? sel.value : null,
    switcher_text: sel ? sel.selectedOptions[0].textContent : null,
    switcher_labelled: !!(sel && sel.labels.length && sel.labels[0].textContent.trim()),
    title: document.getElementById('signin-title').textContent.trim(),
    email_label: document.querySelector('label[for=signin-email]').textContent.trim(),
    search: location.search,
    cookie: (document.cookie.match(/(?:^|;\s*)confero_lang=([^;]*)/) || [])[1] || null,
  };
});

async function catalog(page, lang) {
  const j = await page.request.get(`/i18n/${lang}.json`).then((r) => r.json());
  return j.messages || {};
}

run(async (browser) => {
  const out = {};
  const page = await newPage(browser, PHONE, ENGLISH);
  const sl = await catalog(page, 'sl');
  const hu = await catalog(page, 'hu');
  const want = (cat, s) => (typeof cat[s] === 'string' && cat[s] ? cat[s] : s);

  // ---- nothing chosen: English, as the browser asks
  await page.goto('/scan/');
  await page.waitForSelector('#view-signin:not([hidden])');
  out.plain = await state(page);

  // ---- ?lang=sl, and again after a reload (the address still says so)
  await page.goto('/scan/?lang=sl');
  await page.waitForSelector('#view-signin:not([hidden])');
  out.sl = await state(page);
  check(out.sl.title === want(sl, 'Sign in to check people in'), 'Slovenian title: ' + out.sl.title);
  check(out.sl.email_label === want(sl, 'Email'), 'Slovenian label: ' + out.sl.email_label);
  await controlsLabelled(page, 'scanner in Slovenian');
  await shots(page, 'scan_sl_signin');
  await page.reload();
  await page.waitForSelector('#view-signin:not([hidden])');
  out.sl_reloaded = await state(page);

  // ---- the switcher (by keyboard): Hungarian, kept in the cookie
  await page.locator('#lang-slot select').focus();
  await page.evaluate(() => { window.beforeSwitch = true; });
  // "m" is magyar (the others: English, български, dansk, Deutsch, slovenščina).
  await Promise.all([page.waitForEvent('load', { timeout: 15000 }), page.keyboard.type('m')]);
  await page.waitForSelector('#view-signin:not([hidden])');
  out.reloaded = await page.evaluate(() => window.beforeSwitch !== true);
  out.hu = await state(page);
  check(out.hu.title === want(hu, 'Sign in to check people in'), 'Hungarian title: ' + out.hu.title);
  await page.reload();
  await page.waitForSelector('#view-signin:not([hidden])');
  out.hu_reloaded = await state(page);
  await page.goto('/scan/');
  await page.waitForSelector('#view-signin:not([hidden])');
  out.hu_plain_url = await state(page);
  out.cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`);

  // ---- ?lang still wins over the cookie
  await page.goto('/scan/?lang=sl');
  await page.waitForSelector('#view-signin:not([hidden])');
  out.sl_over_cookie = await state(page);
  noErrors(page, [401], 'scanner languages');
  return out;
});
