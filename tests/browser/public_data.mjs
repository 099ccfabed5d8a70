// "Your data" on the attendee's ticket page: the download of everything
// Confero holds, and erasure confirmed by a mailed link.  Run in phases by
// tests/integration/test_web_public.py, which reads the mail in between:
//   phase "ask":   the section, the download link (fetched: JSON with the
//                  name), "Erase my data…" → the confirmation email
//   phase "erase": a wrong token (the server's 422 message), the mailed
//                  link → "Keep my data" (the panel goes, so does ?erase=),
//                  the link again → "Erase my data now" → the final
//                  message; a reload → "has been erased"
//   phase "lang":  a registration in Slovenian, opened by an English
//                  browser: the section and the panel in Slovenian (the
//                  registration's language), the server's 422 message too
// args: {phase, manage: path, name, link: path with ?erase= (erase),
//        wrong: path with a wrong ?erase= (erase, lang), want: {…} (lang)}
import { run, newPage, check, shot, args, NARROW, DESKTOP } from './lib.mjs';
import { VISITOR, noErrors, pageBasics, focusedId } from './public_common.mjs';

const text = (page, sel) => page.evaluate((s) => {
  const e = document.querySelector(s);
  return e ? e.textContent.replace(/\s+/g, ' ').trim() : null;
}, sel);
const shown = (page, sel) => page.evaluate((s) => {
  const e = document.querySelector(s);
  return !!e && e.getClientRects().length > 0;
}, sel);

async function openTicket(page, path) {
  await page.goto(path);
  await page.waitForSelector('#ticket:not([hidden])');
}

async function ask(browser) {
  const page = await newPage(browser, NARROW, VISITOR);
  await openTicket(page, args.manage);
  const sec = await page.evaluate(() => {
    const s = document.getElementById('data');
    const a = document.getElementById('data-download');
    return {
      visible: s.getClientRects().length > 0,
      heading: document.getElementById('data-h').textContent.trim(),
      text: s.querySelector('p').textContent.trim(),
      href: a.getAttribute('href'), download: a.hasAttribute('download'), link: a.textContent.trim(),
      button: document.getElementById('erase-start').textContent.trim(),
      panel: document.getElementById('erase-panel').getClientRects().length > 0,
    };
  });
  check(sec.visible && sec.heading === 'Your data' &&
    sec.text === 'You can download everything we hold about your registration, or have it erased.',
  'the "Your data" section: ' + JSON.stringify(sec));
  check(sec.href === args.manage + '/data?download=1' && sec.download && sec.link === 'Download my data',
    'the download link: ' + JSON.stringify(sec));
  check(sec.button === 'Erase my data…' && !sec.panel, 'the erase button / no panel without ?erase=: ' + JSON.stringify(sec));
  const dl = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('data-download').getAttribute('href'), { cache: 'no-store' });
    return { status: r.status, type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'),
      body: await r.json() };
  });
  check(dl.status === 200 && /^application\/json/.test(dl.type || '') && /attachment/.test(dl.disposition || ''),
    'the download: ' + JSON.stringify({ ...dl, body: undefined }));
  check(dl.body.registration && dl.body.registration.name === args.name, 'the download lacks the name: ' +
    JSON.stringify(dl.body.registration));

  // The inline confirmation: backing out (button, Escape) sends nothing.
  await page.click('#erase-start');
  check(await shown(page, '#erase-confirm'), 'no confirmation step');
  check(await page.getAttribute('#erase-start', 'aria-expanded') === 'true', 'aria-expanded not set');
  check(await focusedId(page) === 'erase-confirm-h', 'focus not on the confirmation');
  const conf = await text(page, '#erase-confirm');
  check(/email/.test(conf) && /confirmation link/.test(conf) && /Send the confirmation email/.test(conf) && /Keep my data/.test(conf),
    'the confirmation text: ' + conf);
  await pageBasics(page, 'ticket page, erase confirmation (320 px)');
  await shot(page, 'public_data_confirm_narrow');
  await page.click('#erase-no');
  check(!(await shown(page, '#erase-confirm')), 'confirmation still open after "Keep my data"');
  check(await focusedId(page) === 'erase-start', 'focus not back on the erase button');
  check(await page.getAttribute('#erase-start', 'aria-expanded') === 'false', 'aria-expanded still true');
  await page.click('#erase-start');
  await page.keyboard.press('Escape');
  check(!(await shown(page, '#erase-confirm')), 'Escape does not close the confirmation');

  await page.click('#erase-start');
  const posted = [];
  page.on('request', (r) => { if (r.method() === 'POST') posted.push({ url: new URL(r.url()).pathname, body: r.postData() }); });
  await page.click('#erase-send');
  await page.waitForFunction(() => /We have sent you an email/.test(document.getElementById('data-msg').textContent));
  const after = await page.evaluate(() => ({
    msg: document.getElementById('data-msg').textContent,
    announced: (document.getElementById('announce') || {}).textContent || '',
    confirm: document.getElementById('erase-confirm').getClientRects().length > 0,
    focus: document.activeElement && document.activeElement.id,
  }));
  const want = 'We have sent you an email. Open the link in it within 24 hours to erase your data.';
  check(after.msg === want && after.announced === want && !after.confirm && after.focus === 'erase-start',
    'after sending: ' + JSON.stringify(after));
  check(posted.length === 1 && posted[0].url === args.manage + '/erase' && !posted[0].body,
    'the request for the mail: ' + JSON.stringify(posted));
  await shot(page, 'public_data_sent_narrow');
  noErrors(page, 'ticket page (asking for erasure)');
  return { posted };
}

async function erase(browser) {
  // A wrong token: the server's message, nothing erased.
  const page = await newPage(browser, NARROW, VISITOR);
  await openTicket(page, args.wrong);
  check(await shown(page, '#erase-panel'), 'no erase panel for ?erase=');
  await page.click('#erase-now');
  await page.waitForFunction(() => document.getElementById('erase-panel-msg').textContent.length > 0);
  const wrong = await text(page, '#erase-panel-msg');
  check(/not valid/.test(wrong) && /most recent email/.test(wrong), 'the 422 message: ' + wrong);
  check(await shown(page, '#ticket') && await shown(page, '#erase-panel'), 'the page after a 422');
  await shot(page, 'public_data_wrong_token_narrow');
  noErrors(page, 'ticket page (wrong erase token)', [422]);

  // The mailed link: the question first; "Keep my data" once.
  const p = await newPage(browser, NARROW, VISITOR);
  await openTicket(p, args.link);
  const panel = await p.evaluate(() => {
    const box = document.getElementById('erase-panel');
    const tk = document.getElementById('t-status');
    return {
      visible: box.getClientRects().length > 0,
      heading: document.getElementById('erase-panel-h').textContent.trim(),
      text: box.querySelector('p').textContent.trim(),
      now: document.getElementById('erase-now').textContent.trim(),
      keep: document.getElementById('erase-keep').textContent.trim(),
      focus: document.activeElement && document.activeElement.id,
      // at the top: above the ticket's status and details
      above: box.getBoundingClientRect().bottom <= tk.getBoundingClientRect().top,
    };
  });
  check(panel.visible && panel.heading === 'Erase your data?' &&
    panel.text === 'This cannot be undone: your registration will be cancelled, your ticket will stop working, ' +
      'and your name, email address, answers and matchmaking data will be erased.' &&
    panel.now === 'Erase my data now' && panel.keep === 'Keep my data' && panel.focus === 'erase-panel-h' && panel.above,
  'the erase panel: ' + JSON.stringify(panel));
  await pageBasics(p, 'ticket page with the erase panel (320 px)');
  await shot(p, 'public_data_panel_narrow');
  await p.click('#erase-keep');
  const kept = await p.evaluate(() => ({
    panel: document.getElementById('erase-panel').getClientRects().length > 0,
    search: location.search, path: location.pathname,
    ticket: document.getElementById('ticket').getClientRects().length > 0,
  }));
  check(!kept.panel && !kept.search.includes('erase=') && kept.path === args.manage && kept.ticket,
    'after "Keep my data": ' + JSON.stringify(kept));
  const still = await p.evaluate(async () => (await fetch(location.pathname, { headers: { Accept: 'application/json' }, cache: 'no-store' })).status);
  check(still === 200, 'keeping the data erased it: ' + still);
  noErrors(p, 'ticket page (keep my data)');

  // The link again: erase.
  const e = await newPage(browser, DESKTOP, VISITOR);
  const calls = [];
  e.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/manage/')) calls.push(r.method() + ' ' + new URL(r.url()).pathname); });
  await openTicket(e, args.link);
  check(await shown(e, '#erase-panel'), 'no erase panel the second time');
  await e.click('#erase-now');
  await e.waitForSelector('#gone-h');
  const n = calls.length;
  await e.waitForTimeout(500);
  const done = await e.evaluate(() => ({
    h1: document.getElementById('gone-h').textContent,
    text: document.getElementById('gone-text').textContent,
    all: document.getElementById('status').textContent,
    ticket: document.getElementById('ticket').getClientRects().length > 0,
    focus: document.activeElement && document.activeElement.id,
    search: location.search,
  }));
  check(done.all.includes('Your data has been erased.') && done.all.includes('You will receive one last email to confirm it.') &&
    !done.ticket && done.focus === 'gone-h' && !done.search.includes('erase='),
  'the final message: ' + JSON.stringify(done));
  check(calls.length === n && calls[calls.length - 1] === 'POST ' + args.manage + '/erase',
    'requests after the erasure: ' + JSON.stringify(calls));
  await pageBasics(e, 'ticket page after erasure');
  await shot(e, 'public_data_erased_desktop');
  noErrors(e, 'ticket page (erasing)');

  // A reload: the link answers 410; the page says why.
  await e.reload();
  await e.waitForSelector('#gone-h');
  const gone = await text(e, '#status');
  check(gone.includes("This registration's personal data has been erased.") && !(await shown(e, '#ticket')),
    'after a reload: ' + gone);
  await pageBasics(e, 'erased ticket page, reloaded');
  await shot(e, 'public_data_gone_desktop');
  noErrors(e, 'ticket page (erased, reloaded)', [410]);
  return { wrong, final: done.all, gone, calls };
}

async function lang(browser) {
  const page = await newPage(browser, NARROW, VISITOR);
  await openTicket(page, args.manage);
  const got = {
    html_lang: await page.evaluate(() => document.documentElement.lang),
    heading: await text(page, '#data-h'), download: await text(page, '#data-download'),
    erase: await text(page, '#erase-start'),
  };
  check(got.html_lang === 'sl', 'the ticket page is not in Slovenian: ' + JSON.stringify(got));
  await pageBasics(page, 'Slovenian ticket page (320 px)', 'sl');
  // The panel, and the server's message, in Slovenian.
  const p = await newPage(browser, NARROW, VISITOR);
  await openTicket(p, args.wrong);
  got.panel_heading = await text(p, '#erase-panel-h');
  got.panel_now = await text(p, '#erase-now');
  await p.click('#erase-now');
  await p.waitForFunction(() => document.getElementById('erase-panel-msg').textContent.length > 0);
  got.error = await text(p, '#erase-panel-msg');
  await pageBasics(p, 'Slovenian erase panel (320 px)', 'sl');
  await shot(p, 'public_data_panel_sl_narrow');
  noErrors(p, 'Slovenian erase panel', [422]);
  return got;
}

run(async (browser) => {
  if (args.phase === 'ask') return ask(browser);
  if (args.phase === 'erase') return erase(browser);
  if (args.phase === 'lang') return lang(browser);
  throw new Error('unknown phase ' + args.phase);
});
