// The public pages in the attendee's language: a Slovenian browser
// (--lang=sl, locale sl, Accept-Language: sl) gets an sl/en event in
// Slovenian (the organiser's texts, the page's words from the catalog,
// dates by Intl in Slovenian in the event's zone), registers with
// "language": "sl", and its ticket page is Slovenian; the event page's
// switcher turns it English, which holds after a reload and on a later
// visit of the plain URL (the cookie); the ticket page follows the
// registration, not the cookie, and its switcher changes the
// registration's language (PATCH) before it reloads.
// args: {slug, names: {sl, en}, session_titles: {sl, en}, tt, q, option,
// email, labels: [{sel}] (texts to read; the driver knows what they must say)}
import { run, newPage, check, shot, args, DESKTOP, NARROW } from './lib.mjs';
import { noErrors, pageBasics } from './public_common.mjs';

const SLOVENIAN = {
  locale: 'sl-SI',
  extraHTTPHeaders: { 'Accept-Language': 'sl' },
  timezoneId: 'America/New_York',
};

// A second page in the same context (same cookies), collecting errors.
async function another(page) {
  const p = await page.context().newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push('pageerror: ' + e.message));
  p.on('console', (m) => { if (m.type() === 'error') p.errors.push('console: ' + m.text()); });
  return p;
}

const state = (page, slot) => page.evaluate((s) => {
  const sel = document.querySelector(s + ' select');
  return {
    html_lang: document.documentElement.lang,
    i18n_lang: I18N.lang,
    h1: (document.querySelector('h1') || {}).textContent,
    title: document.title,
    switcher_value: sel ? sel.value : null,
    switcher_text: sel ? sel.selectedOptions[0].textContent : null,
    switcher_options: sel ? Array.from(sel.options).map((o) => o.value) : null,
    switcher_label: sel && sel.labels.length ? sel.labels[0].textContent : null,
    search: location.search,
  };
}, slot);

const texts = (page, labels) => page.evaluate((ls) => ls.map((l) => {
  const e = document.querySelector(l.sel);
  return e ? e.textContent.replace(/\s+/g, ' ').trim() : null;
}), labels);

async function eventReady(page) {
  await page.waitForSelector('#reg-form:not([hidden])');
}

run(async (browser) => {
  const out = {};
  const page = await newPage(browser, DESKTOP, SLOVENIAN);
  out.navigator = await page.evaluate(() => navigator.languages);

  // ---- the home page: every event as the list negotiated it
  await page.goto('/');
  await page.waitForSelector('.event-card');
  out.home = await state(page, '#lang-slot');
  out.home_card = await page.evaluate((slug) => {
    const a = document.querySelector(`.event-card h3 a[href="/events/${slug}"]`);
    return a ? a.textContent : null;
  }, args.slug);

  // ---- the event page, in Slovenian
  await page.goto('/events/' + args.slug);
  await eventReady(page);
  out.sl = await state(page, '#lang-slot');
  out.sl_when = await page.textContent('#ev-when');
  out.sl_day = await page.textContent('#programme-body .day h3');
  out.sl_expected_day = await page.evaluate(([iso, tz]) => new Intl.DateTimeFormat('sl',
    { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso)),
  [args.starts_at, args.timezone]);
  out.sl_programme = await page.innerText('#programme-body');
  out.sl_tickets = await page.innerText('#tickets-body');
  out.sl_labels = await texts(page, args.labels);
  out.sl_options = await page.$$eval(`input[name="q-${args.q}"]`, (els) => els.map((e) => e.value));
  await shot(page, 'public_language_event_sl_desktop');

  // 320 px in Slovenian, with the switcher in the header: usable.
  const narrow = await newPage(browser, NARROW, SLOVENIAN);
  await narrow.goto('/events/' + args.slug);
  await eventReady(narrow);
  await narrow.waitForLoadState('networkidle');
  await pageBasics(narrow, 'event page in Slovenian at 320 px', 'sl');
  await shot(narrow, 'public_language_event_sl_narrow');
  noErrors(narrow, 'event page in Slovenian (narrow)');
  await narrow.context().close();

  // ---- registering: the form says which language
  let posted = null;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/registrations')) posted = JSON.parse(r.postData() || 'null');
  });
  await page.check('#tt-' + args.tt);
  await page.fill('#f-name', 'Žiga Černe');
  await page.fill('#f-email', args.email);
  await page.check(`#q-${args.q}-${args.option}`);
  await page.check('#f-consent');
  await page.click('#submit');
  await page.waitForSelector('#reg-result:not([hidden])');
  out.posted = posted;
  out.result_status = await page.getAttribute('#reg-result [data-status]', 'data-status');
  out.manage_href = await page.getAttribute('#manage-link', 'href');

  // ---- the ticket page from the answer's manage_url: Slovenian
  const ticket = await another(page);
  await ticket.goto(out.manage_href);
  await ticket.waitForSelector('#status-notice');
  out.ticket_sl = await state(ticket, '#lang-choice');
  out.ticket_sl_note = await ticket.textContent('#lang-note');
  out.ticket_sl_details = await ticket.innerText('#t-details');
  await shot(ticket, 'public_language_ticket_sl_desktop');
  // 320 px in Slovenian, with the switcher and its note: usable.
  await ticket.setViewportSize(NARROW);
  await pageBasics(ticket, 'ticket page in Slovenian at 320 px', 'sl');
  await shot(ticket, 'public_language_ticket_sl_narrow');
  await ticket.setViewportSize(DESKTOP);

  // ---- the event page's switcher, by keyboard: English
  await page.locator('.site-header .brand').focus();
  let reached = false;
  for (let i = 0; i < 6 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.matches('#lang-slot select'));
  }
  out.switcher_tab_reached = reached;
  await page.evaluate(() => { window.beforeSwitch = true; });
  // Type-ahead on the focused select: "E" is English (the other is slovenščina).
  await Promise.all([page.waitForEvent('load', { timeout: 15000 }), page.keyboard.type('E')]);
  await eventReady(page);
  out.reloaded = await page.evaluate(() => window.beforeSwitch !== true);
  out.en = await state(page, '#lang-slot');
  out.en_labels = await texts(page, args.labels);
  out.en_programme = await page.innerText('#programme-body');
  await page.reload();
  await eventReady(page);
  out.en_reload = await state(page, '#lang-slot');
  await page.goto('/events/' + args.slug);
  await eventReady(page);
  out.en_plain = await state(page, '#lang-slot');
  out.cookies = (await page.context().cookies()).filter((c) => c.name === 'confero_lang').map((c) => c.value);
  // ?lang= wins over the cookie, for that visit only.
  await page.goto('/events/' + args.slug + '?lang=sl');
  await eventReady(page);
  out.sl_query = await state(page, '#lang-slot');
  await shot(page, 'public_language_event_en_desktop');
  noErrors(page, 'event page (languages)');

  // ---- the ticket page follows the registration, not the cookie
  await ticket.reload();
  await ticket.waitForSelector('#status-notice');
  out.ticket_after_cookie = await state(ticket, '#lang-choice');
  // Its switcher saves the registration's language, then reloads.
  let patched = null;
  ticket.on('request', (r) => { if (r.method() === 'PATCH') patched = JSON.parse(r.postData() || 'null'); });
  await ticket.evaluate(() => { window.beforeSwitch = true; });
  await Promise.all([ticket.waitForEvent('load', { timeout: 15000 }), ticket.selectOption('#lang-choice select', 'en')]);
  await ticket.waitForSelector('#status-notice');
  await ticket.waitForFunction(() => document.documentElement.lang === 'en');
  out.ticket_patched = patched;
  out.ticket_reloaded = await ticket.evaluate(() => window.beforeSwitch !== true);
  out.ticket_en = await state(ticket, '#lang-choice');
  await shot(ticket, 'public_language_ticket_en_desktop');
  noErrors(ticket, 'ticket page (languages)');
  return out;
});
