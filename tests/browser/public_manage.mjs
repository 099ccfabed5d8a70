// The attendee's ticket page on a 320 px phone: the QR big and crisp,
// the details in the event's time zone, changing session sign-ups (with
// the server's session_full shown by the sessions), and cancelling with a
// confirmation step that can be backed out of.
// args: {manage: path, slug, event_name, name, sessions: {a, b, c, d:
// {id, title}} (a held, b one place, c full, d free), other: a
// registration body taking b's place}
import { run, newPage, check, shot, args, NARROW, DESKTOP } from './lib.mjs';
import { VISITOR, noErrors, apiPost, elementPngBase64, focusedId } from './public_common.mjs';

const S = args.sessions;

async function apiState(page) {
  return page.evaluate(async () => {
    const r = await fetch(location.pathname, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return r.json();
  });
}

async function boxes(page) {
  return page.$$eval('#session-choices input', (els) => Object.fromEntries(els.map((e) => [e.value, {
    checked: e.checked, disabled: e.disabled, invalid: e.getAttribute('aria-invalid'),
    label: document.querySelector(`label[for="${e.id}"]`).textContent,
  }])));
}

run(async (browser) => {
  const page = await newPage(browser, NARROW, VISITOR);
  await page.goto(args.manage);
  await page.waitForFunction(() => { const i = document.getElementById('qr-img'); return i && i.complete && i.naturalWidth > 0; });
  const info = await page.evaluate(() => ({
    title: document.title, h1: document.querySelector('h1').textContent,
    status: document.getElementById('status-notice').dataset.status,
    statusText: document.getElementById('status-notice').innerText,
    details: document.getElementById('t-details').innerText,
    ics: document.querySelector('#t-actions a[href*="/programme.ics"]') !== null,
    src: document.getElementById('qr-img').getAttribute('src'),
  }));
  check(info.title.includes(args.event_name) && info.h1.includes(args.event_name), 'title/h1: ' + JSON.stringify(info));
  check(info.status === 'confirmed' && /Confirmed/.test(info.statusText), 'status: ' + JSON.stringify(info));
  for (const want of [args.name, 'Bolnišnica Celje', 'Day pass', args.event_name, 'May 14, 2027', '09:00', 'Workshop Alpha']) {
    check(info.details.includes(want), `details lack ${want}: ${info.details}`);
  }
  check(info.ics, 'no add-to-calendar link');
  check(/^\/t\/[A-Z2-7]+\.svg$/.test(info.src), 'QR image is not the same-origin ticket SVG: ' + info.src);
  const qr = page.locator('#qr-img');
  const box = await qr.boundingBox();
  check(box.width >= 280 && Math.abs(box.width - box.height) < 2, 'QR at 320 px is ' + JSON.stringify(box));
  const qrPng = await elementPngBase64(qr);
  await shot(page, 'public_manage_confirmed_narrow');

  // Sessions as they are: a held, b one place, c full, d free.
  let b = await boxes(page);
  check(b[S.a.id].checked && !b[S.b.id].checked && /1 place left/.test(b[S.b.id].label) &&
    b[S.c.id].disabled && /full/.test(b[S.c.id].label) && !b[S.d.id].checked && !b[S.d.id].disabled,
  'sessions: ' + JSON.stringify(b));

  // b fills up while the page is open: the server's answer is shown by the sessions.
  await page.check('#s-' + S.b.id);
  const other = await apiPost(`/api/v1/events/${args.slug}/registrations`, args.other);
  check(other.status === 201, 'other registration: ' + JSON.stringify(other));
  await page.click('#save-sessions');
  await page.waitForSelector('#err-session_ids:not([hidden])');
  b = await boxes(page);
  const err = await page.textContent('#err-session_ids');
  check(/full/.test(err) && b[S.a.id].invalid === 'true', 'session_full not shown by the sessions: ' + err + ' ' + JSON.stringify(b));
  check(b[S.b.id].disabled && !b[S.b.id].checked && /full/.test(b[S.b.id].label), 'b not shown full: ' + JSON.stringify(b));
  check((await apiState(page)).session_ids.join() === String(S.a.id), 'a failed change changed something');
  await shot(page, 'public_manage_session_full_narrow');

  // A change that works: Alpha → Delta.
  await page.uncheck('#s-' + S.a.id);
  await page.check('#s-' + S.d.id);
  await page.click('#save-sessions');
  await page.waitForFunction(() => /saved/.test(document.getElementById('sessions-msg').textContent));
  const saved = await apiState(page);
  check(saved.session_ids.join() === String(S.d.id), 'saved sessions: ' + JSON.stringify(saved.session_ids));
  const details = await page.textContent('#t-details');
  check(details.includes('Workshop Delta') && !details.includes('Workshop Alpha'), 'details after saving: ' + details);
  check(await page.isHidden('#err-session_ids'), 'old error still shown after saving');

  // Cancel: a confirmation step; backing out changes nothing.
  await page.click('#cancel-start');
  check(await page.isVisible('#cancel-confirm'), 'no confirmation step');
  check(await page.getAttribute('#cancel-start', 'aria-expanded') === 'true', 'aria-expanded not set');
  check(await focusedId(page) === 'cancel-confirm-h', 'focus not on the confirmation');
  await shot(page, 'public_manage_cancel_confirm_narrow');
  await page.click('#cancel-no');
  check(await page.isHidden('#cancel-confirm'), 'confirmation still open after "keep"');
  check(await focusedId(page) === 'cancel-start', 'focus not back on the cancel button');
  check((await apiState(page)).status === 'confirmed', 'backing out cancelled anyway');
  await page.click('#cancel-start');
  await page.keyboard.press('Escape');
  check(await page.isHidden('#cancel-confirm'), 'Escape does not close the confirmation');
  check((await apiState(page)).status === 'confirmed', 'Escape cancelled the registration');

  await page.click('#cancel-start');
  await page.click('#cancel-yes');
  await page.waitForFunction(() => document.getElementById('status-notice').dataset.status === 'cancelled');
  const done = await page.evaluate(() => ({
    text: document.getElementById('status-notice').innerText,
    qr: !!document.getElementById('qr-img'),
    cancelHidden: document.getElementById('cancel').getClientRects().length === 0,
    sessionsHidden: document.getElementById('sessions').getClientRects().length === 0,
  }));
  check(/Cancelled/.test(done.text) && /no longer/.test(done.text) && !done.qr && done.cancelHidden && done.sessionsHidden,
    'cancelled state: ' + JSON.stringify(done));
  check((await apiState(page)).status === 'cancelled', 'the API does not say cancelled');
  noErrors(page, 'ticket page', [422]);

  // Opened again later: still cancelled, in words.
  const again = await newPage(browser, DESKTOP, VISITOR);
  await again.goto(args.manage);
  await again.waitForSelector('#status-notice');
  const t = await again.textContent('#status-notice');
  check(/Cancelled/.test(t) && !(await again.$('#qr-img')), 'reopened cancelled ticket page: ' + t);
  await shot(again, 'public_manage_cancelled_desktop');
  noErrors(again, 'ticket page (cancelled)');
  return { qr_png: qrPng, qr_width: box.width, saved_sessions: saved.session_ids };
});
