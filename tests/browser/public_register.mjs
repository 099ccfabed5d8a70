// Registering through the form on a phone: client-side errors by their
// fields (no request sent), a server-only error (a session that filled up
// meanwhile) by its field, success with the QR ticket, then the server's
// already_registered by the email field and registration_closed at the top.
// args: {slug, email, tt, paid_tt, q: {job, role, topics, diet, access,
// country}, fhir: {id, title}, lab: {id, title}, other: a registration
// body taking the last FHIR place, token: organiser bearer token}
import { run, newPage, check, shot, args, PHONE, NARROW } from './lib.mjs';
import { VISITOR, noErrors, apiPost, elementPngBase64, focusedId, scrollWidth } from './public_common.mjs';
import { BASE } from './lib.mjs';

const Q = args.q;

// The state of one field's error: message, aria-invalid, aria-describedby.
async function fieldState(page, key, controlId) {
  return page.evaluate(([k, id]) => {
    const errId = 'err-' + k.replace(/[^A-Za-z0-9_-]/g, '-');
    const p = document.getElementById(errId);
    const c = document.getElementById(id);
    return {
      visible: !!p && !p.hidden && p.getClientRects().length > 0,
      text: p ? p.textContent : null,
      invalid: c.getAttribute('aria-invalid'),
      describedby: (c.getAttribute('aria-describedby') || '').split(/\s+/).includes(errId),
      // the message sits inside the field's own box, next to the control
      near: !!p && (p.closest('.field, fieldset') === c.closest('.field, fieldset')),
    };
  }, [key, controlId]);
}

async function summary(page) {
  return page.evaluate(() => ({
    visible: document.getElementById('error-summary').getClientRects().length > 0,
    items: Array.from(document.querySelectorAll('#error-list li')).map((li) => li.textContent),
    top: document.getElementById('error-summary').getBoundingClientRect().top + scrollY <
      document.getElementById('f-name').getBoundingClientRect().top + scrollY,
  }));
}

async function fillValid(page, email) {
  await page.check('#tt-' + args.tt);
  await page.fill('#f-name', 'Ana Novak');
  await page.fill('#f-email', email);
  await page.fill('#f-organisation', 'Klinika Golnik');
  await page.fill('#q-' + Q.job, 'Head nurse');
  await page.check(`#q-${Q.role}-1`);           // Researcher
  await page.check(`#q-${Q.topics}-0`);         // AI
  await page.check(`#q-${Q.topics}-2`);         // Security
  await page.fill('#q-' + Q.diet, 'Vegetarian\nNo nuts');
  await page.check('#q-' + Q.access);
  await page.selectOption('#q-' + Q.country, 'SI');
  await page.check('#f-consent');
}

run(async (browser) => {
  const page = await newPage(browser, PHONE, VISITOR);
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
  await page.goto('/events/' + args.slug);
  await page.waitForSelector('#reg-form:not([hidden])');

  // 1. Client-side: an invalid email and a missing required answer.
  await fillValid(page, 'ana.novak@example');
  await page.fill('#q-' + Q.job, '   ');
  await page.click('#submit');
  await page.waitForSelector('#error-summary:not([hidden])');
  const email1 = await fieldState(page, 'email', 'f-email');
  const job1 = await fieldState(page, 'answers.' + Q.job, 'q-' + Q.job);
  const sum1 = await summary(page);
  const focus1 = await focusedId(page);
  check(posts.length === 0, 'the form was sent despite client-side errors: ' + JSON.stringify(posts));
  check(email1.visible && /email address/i.test(email1.text) && email1.invalid === 'true' && email1.describedby && email1.near,
    'email error not shown by its field: ' + JSON.stringify(email1));
  check(job1.visible && /Job title/.test(job1.text) && job1.invalid === 'true' && job1.describedby && job1.near,
    'missing answer not shown by its field: ' + JSON.stringify(job1));
  check(sum1.visible && sum1.top && sum1.items.length === 2, 'error summary at the top: ' + JSON.stringify(sum1));
  check(focus1 === 'f-email', 'focus should move to the first invalid field, is on ' + focus1);
  const name1 = await fieldState(page, 'name', 'f-name');
  check(!name1.visible && name1.invalid === null, 'a valid field is marked invalid: ' + JSON.stringify(name1));
  // The summary's links lead to the fields.
  await page.click(`#error-list a[data-field="answers.${Q.job}"]`);
  check(await focusedId(page) === 'q-' + Q.job, 'summary link does not focus its field');
  await shot(page, 'public_register_client_errors_phone');
  await page.setViewportSize(NARROW);
  const sw = await scrollWidth(page);
  check(sw <= NARROW.width, 'form with errors scrolls sideways at 320 px: ' + sw);
  await page.setViewportSize(PHONE);

  // 2. Server-only: the FHIR place the page still offers goes to someone
  //    else just before we send.
  await page.fill('#f-email', args.email);
  await page.fill('#q-' + Q.job, 'Head nurse');
  await page.check('#s-' + args.fhir.id);
  const other = await apiPost(`/api/v1/events/${args.slug}/registrations`, args.other);
  check(other.status === 201, 'other registration: ' + JSON.stringify(other));
  await page.click('#submit');
  await page.waitForFunction(() => !document.getElementById('err-session_ids').hidden &&
    document.getElementById('submit').textContent === 'Register');
  check(posts.length === 1, 'want one POST, got ' + posts.length);
  const sess2 = await fieldState(page, 'session_ids', 's-' + args.lab.id);
  const sum2 = await summary(page);
  check(sess2.visible && sess2.text.includes(args.fhir.title) && /full/.test(sess2.text) && sess2.invalid === 'true' && sess2.describedby,
    'session_full not shown by the sessions: ' + JSON.stringify(sess2));
  check(sum2.visible && sum2.items.length === 1 && /full/.test(sum2.items[0]), 'summary for session_full: ' + JSON.stringify(sum2));
  check(!(await fieldState(page, 'email', 'f-email')).visible, 'old email error still shown');
  // The page fetched availability again: FHIR is now full and unticked.
  await page.waitForFunction((id) => document.getElementById('s-' + id).disabled, args.fhir.id, { timeout: 10000 });
  check(!(await page.isChecked('#s-' + args.fhir.id)), 'full session still ticked');
  await shot(page, 'public_register_session_full_phone');

  // 3. Choose the lab instead: registered, with the QR ticket.  Bad
  //    Wi-Fi: the server registers, but its answer never arrives.  The
  //    form tries again with the same Idempotency-Key and shows the
  //    registration that was made (the test checks there is one).
  const keys = [];
  await page.route('**/registrations?*', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length === 1) {
      const lost = await route.fetch();
      check(lost.status() === 201, 'the first attempt registered: ' + lost.status());
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.check('#s-' + args.lab.id);
  await page.click('#submit');
  await page.waitForSelector('#reg-result:not([hidden])', { timeout: 15000 });
  await page.unroute('**/registrations?*');
  // The answer we cut off is the one console error we expect.
  const resets = page.errors.filter((e) => /ERR_CONNECTION_RESET/.test(e));
  check(resets.length === 1, 'one lost answer: ' + JSON.stringify(page.errors));
  page.errors.splice(page.errors.indexOf(resets[0]), 1);
  check(keys.length === 2 && /^[0-9a-f]{32}$/.test(keys[0]) && keys[0] === keys[1],
    'the retry carries the first attempt\'s key: ' + JSON.stringify(keys));
  const result = await page.evaluate(() => {
    const n = document.querySelector('#reg-result [data-status]');
    const a = document.getElementById('manage-link');
    return { status: n && n.dataset.status, text: document.getElementById('reg-result').innerText,
      manage: a && a.href, focused: document.activeElement.id,
      formHidden: document.getElementById('reg-form').getClientRects().length === 0 };
  });
  check(result.status === 'confirmed' && /You are registered/.test(result.text) && result.formHidden,
    'result: ' + JSON.stringify(result));
  check(result.text.includes(args.email), 'result does not say where the email went: ' + result.text);
  check(result.focused === 'result-h', 'focus not moved to the result: ' + result.focused);
  check(result.manage && new URL(result.manage).origin === new URL(BASE).origin && /\/manage\/[^/]{20,}$/.test(result.manage),
    'ticket page link: ' + result.manage);
  await page.waitForFunction(() => { const i = document.querySelector('#result-qr img'); return i && i.complete && i.naturalWidth > 0; });
  const qrBox = await page.locator('#result-qr img').boundingBox();
  check(qrBox.width >= 280 && Math.abs(qrBox.width - qrBox.height) < 2, 'QR too small or not square: ' + JSON.stringify(qrBox));
  const qrPng = await elementPngBase64(page.locator('#result-qr img'));
  await shot(page, 'public_register_confirmed_phone');

  // 4. The same email again: the server's already_registered, by the email field.
  await page.click('#register-another');
  check(await focusedId(page) === 'f-name', 'register another: focus not on the name');
  await fillValid(page, args.email);
  await page.uncheck('#s-' + args.lab.id).catch(() => {});
  await page.click('#submit');
  await page.waitForFunction(() => !document.getElementById('err-email').hidden);
  const email4 = await fieldState(page, 'email', 'f-email');
  const sum4 = await summary(page);
  check(/already registered/.test(email4.text) && email4.invalid === 'true' && email4.describedby,
    'already_registered not by the email field: ' + JSON.stringify(email4));
  check(sum4.visible && sum4.items.some((t) => /already registered/.test(t)), 'summary: ' + JSON.stringify(sum4));
  check(await focusedId(page) === 'f-email', 'focus not on the email field after already_registered');
  await shot(page, 'public_register_already_registered_phone');

  // 5. Registration closes while the form is open: said at the top.
  const close = await fetch(new URL(`/api/v1/events/${args.slug}/close`, BASE), {
    method: 'POST', headers: { Authorization: 'Bearer ' + args.token, Accept: 'application/json' } });
  check(close.status === 200, 'closing the event: ' + close.status);
  await page.fill('#f-email', 'someone.else@example.org');
  await page.click('#submit');
  await page.waitForSelector('#register-closed:not([hidden])');
  const closed5 = await page.evaluate(() => ({
    text: document.getElementById('register-closed').innerText,
    formHidden: document.getElementById('reg-form').getClientRects().length === 0,
    focused: document.activeElement.closest('#register-closed') !== null,
  }));
  check(/Registration for this event has closed/.test(closed5.text) && closed5.formHidden && closed5.focused,
    'registration_closed: ' + JSON.stringify(closed5));
  check(posts.length === 5, 'want 5 POSTs in all (one a retry), got ' + posts.length);
  noErrors(page, 'registration', [403, 409, 422]);
  return { qr_png: qrPng, manage_href: result.manage };
});
