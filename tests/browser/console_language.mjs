// The console in the signed-in user's language: a user whose language is
// "de" signs in from an English browser and gets the console in German
// (<html lang>, the switcher, the catalog's words, dates by Intl in German
// in the event's zone); switching to English through the header's
// switcher saves the user's language (PATCH /auth/me) and holds after a
// reload.  The words are checked against the served catalog, so the test
// means something before the catalogs are translated (the mechanism) and
// more after (no English left).
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, consoleLogin, view, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

// English UI words of the sign-in → events view; each must be gone once
// the German catalog translates it.
const ENGLISH_WORDS = ['Your events', 'New event', 'Events', 'Log out', 'Event', 'When', 'Status',
  'Seats taken', 'Registrations', 'Dashboard', 'Language', 'Skip to content'];

// Texts of the elements a person reads as a whole (headings, links,
// buttons, labels, table headers), exactly.
const readTexts = (page) => page.evaluate(() => [...document.querySelectorAll(
  'h1, h2, h3, a, button, label, th, caption, .badge, title')]
  .map((e) => e.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean));

const state = (page) => page.evaluate(() => {
  const sel = document.querySelector('#lang-slot select');
  return {
    html_lang: document.documentElement.lang,
    i18n_lang: I18N.lang,
    switcher_value: sel ? sel.value : null,
    switcher_text: sel ? sel.selectedOptions[0].textContent : null,
    switcher_label: sel && sel.labels.length ? sel.labels[0].textContent : null,
  };
});

run(async (browser) => {
  const out = {};
  const page = await newPage(browser, DESKTOP, { ...ENGLISH, timezoneId: 'Asia/Tokyo' });
  const de = await page.request.get('/i18n/de.json').then((r) => r.json());
  const catalog = de.messages || {};

  // ---- before sign-in: the browser's language (English)
  await page.goto('/console/');
  await page.waitForSelector('form.login-form');
  out.login = await state(page);

  // ---- sign in: the user's language takes over
  await consoleLogin(page, args.email, args.password);
  await page.waitForSelector('h1');
  await page.waitForFunction(() => document.documentElement.lang === 'de');
  await view(page, '/', catalog['Your events'] || 'Your events');
  out.de = await state(page);
  const texts = await readTexts(page);
  out.english_checked = [];
  out.english_left = [];
  out.untranslated = [];
  for (const w of ENGLISH_WORDS) {
    const tr = catalog[w];
    if (typeof tr !== 'string' || tr === w) { out.untranslated.push(w); continue; }
    out.english_checked.push(w);
    if (texts.includes(w)) out.english_left.push(w);
    check(texts.includes(tr), `the German for ${JSON.stringify(w)} (${JSON.stringify(tr)}) is not on the page`);
  }
  // The words come through the catalog: each shown text is the catalog's
  // (or the English where the catalog has none yet).
  out.heading = (await page.locator('main h1').innerText()).trim();
  check(out.heading === (catalog['Your events'] || 'Your events'), 'heading: ' + out.heading);

  // Dates by Intl in German, in the event's zone (not the browser's Tokyo).
  const row = page.locator('.events-table tbody tr', { hasText: args.event_name });
  out.row = (await row.innerText()).replace(/\s+/g, ' ').trim();
  out.expected_start = await page.evaluate(([iso, tz]) => new Intl.DateTimeFormat('de',
    { timeZone: tz, dateStyle: 'medium', timeStyle: 'short', hour12: false }).format(new Date(iso)), [args.starts_at, args.timezone]);
  await view(page, `/events/${args.slug}/programme`, (catalog['Programme: {event}'] || 'Programme: {event}').split('{event}')[0]);
  out.day_heading = (await page.locator('.day h3').first().innerText()).trim();
  out.expected_day = await page.evaluate(([iso, tz]) => new Intl.DateTimeFormat('de',
    { timeZone: tz, dateStyle: 'full' }).format(new Date(iso)), [args.session_starts_at, args.timezone]);
  out.de_state_programme = await state(page);
  await controlsLabelled(page, 'programme in German');
  await shots(page, 'console_de_programme');

  // ---- the switcher: labelled, reached with Tab, changed by keyboard
  await view(page, '/', catalog['Your events'] || 'Your events');
  await shots(page, 'console_de_events');
  await page.locator('header .brand').focus();
  let reached = false;
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.matches('#lang-slot select'));
  }
  out.switcher_tab_reached = reached;
  out.switcher_name = await page.locator('#lang-slot select').evaluate((s) => s.labels[0].textContent);
  // Type-ahead on the focused select: "E" is English (the others are
  // български, dansk, Deutsch, magyar, slovenščina); the choice is saved,
  // then the page reloads.
  await page.evaluate(() => { window.beforeSwitch = true; });
  await Promise.all([page.waitForEvent('load', { timeout: 15000 }), page.keyboard.type('E')]);
  out.reloaded = await page.evaluate(() => window.beforeSwitch !== true);
  await page.waitForSelector('#logout');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  out.after_switch = await state(page);
  out.me_after_switch = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.json()).then((j) => j.user.language));
  out.heading_after_switch = (await page.locator('main h1').innerText()).trim();

  // ---- reload: still English (the user's saved language)
  await page.reload();
  await page.waitForSelector('#logout');
  await page.waitForSelector('main h1');
  out.after_reload = await state(page);
  noErrors(page, [401], 'console in German');

  // ---- a fresh browser (no cookie): the account's language, English now
  // (A German browser: the sign-in form is German, found by its fields.)
  const fresh = await newPage(browser, DESKTOP, { locale: 'de-DE' });
  await fresh.goto('/console/');
  await fresh.waitForSelector('form.login-form');
  out.fresh_login = await state(fresh);
  await fresh.locator('form.login-form input[type=email]').fill(args.email);
  await fresh.locator('form.login-form input[type=password]').fill(args.password);
  await fresh.locator('form.login-form button[type=submit]').click();
  await fresh.waitForSelector('#logout');
  await fresh.waitForFunction(() => document.documentElement.lang === 'en');
  await fresh.waitForSelector('main h1:not(:empty)');
  out.fresh = await state(fresh);
  noErrors(fresh, [401], 'fresh browser');
  return out;
});
