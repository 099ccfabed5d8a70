// Every answer the scanner can show, through the handheld-scanner field
// and the look-up by name: OK, already checked in (time in the event's
// zone and gate), invalid, cancelled, wrong event, waiting list, pending,
// not for this session; a lost network answered by retrying the same
// nonce; a session as check-in point.
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, acceptDialogs, text, shots, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, { ...ENGLISH, timezoneId: 'Pacific/Auckland' });
  acceptDialogs(page);
  const out = { results: {} };
  // Record the tones played (WebAudio oscillators: type and frequency).
  await page.addInitScript(() => {
    window.__tones = [];
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...a) {
      window.__tones.push(this.type + ':' + this.frequency.value);
      return start.apply(this, a);
    };
  });
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/checkins')) posts.push(JSON.parse(r.postData()));
  });

  let seq = 0;
  const shown = async () => ({
    kind: await page.evaluate(() => document.getElementById('result').dataset.result),
    title: await text(page, '#result-title'),
    name: await text(page, '#result-name'),
    detail: await text(page, '#result-detail'),
  });
  // Wait for the answer to the request just made (posts grows by one).
  const answer = async () => {
    await page.waitForFunction(() => !document.getElementById('result').hasAttribute('aria-busy') &&
      document.getElementById('result').dataset.result !== 'idle', null, { timeout: 10000 });
    return shown();
  };
  const type = async (key, code) => {
    const before = posts.length;
    const tonesBefore = await page.evaluate(() => window.__tones.length);
    await page.evaluate(() => { const r = document.getElementById('result'); r.dataset.result = 'idle'; });
    await page.locator('#code').fill(code);
    await page.keyboard.press('Enter');
    out.results[key] = await answer();
    out.results[key].posts = posts.length - before;
    out.results[key].tones = await page.evaluate((n) => window.__tones.slice(n), tonesBefore);
    seq++;
  };
  const lookupCheckIn = async (key, q, name) => {
    await page.getByLabel('Name, organisation or email').fill(q);
    const btn = page.getByRole('button', { name: 'Check in ' + name, exact: true });
    await btn.waitFor();
    await page.evaluate(() => { document.getElementById('result').dataset.result = 'idle'; });
    await btn.click();
    out.results[key] = await answer();
  };

  await page.goto('/scan/');
  await page.getByLabel('Email', { exact: true }).fill(args.email);
  await page.getByLabel('Password', { exact: true }).fill(args.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#view-setup:not([hidden])');
  out.event_options = await page.locator('#setup-event option').allInnerTexts();
  await page.getByLabel('Event', { exact: true }).selectOption(args.slug);
  await page.waitForFunction((n) => [...document.querySelectorAll('#setup-point option')].some((o) => o.textContent.startsWith(n)), args.session_title);
  await page.getByLabel('Check-in point').selectOption({ label: 'Event entrance' });
  await page.getByLabel('Gate name').fill('Hall door');
  await page.getByRole('button', { name: 'Start checking in' }).click();
  await page.waitForSelector('#view-scan:not([hidden])');

  await type('ok', args.codes.ok);
  await type('again', args.codes.ok);
  await shots(page, 'scan_already');
  await type('invalid', args.codes.forged);
  await shots(page, 'scan_invalid');
  await type('cancelled', args.codes.cancelled);
  await type('wrong_event', args.codes.other_event);
  await lookupCheckIn('waitlisted', 'Wanda', 'Wanda Waitlist');
  await lookupCheckIn('pending', 'Pia', 'Pia Pending');
  out.lookup_rows = await page.locator('#lookup-results li').allInnerTexts();

  // ---- no network for the first four attempts: the page retries the same
  // nonce, then offers "Try again", which still sends that nonce.
  let aborted = 0;
  await page.route('**/checkins', (route) => {
    if (aborted < 4) { aborted++; return route.abort('internetdisconnected'); }
    return route.continue();
  });
  const firstNet = posts.length;
  await page.locator('#code').fill(args.codes.network);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Try again' }).waitFor({ timeout: 15000 });
  out.results.offline = await shown();
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.waitForFunction(() => document.getElementById('result').dataset.result === 'ok');
  out.results.back_online = await shown();
  out.network_nonces = posts.slice(firstNet).map((b) => b.nonce);
  out.retry_hidden = await page.getByRole('button', { name: 'Try again' }).isHidden();
  await page.unroute('**/checkins');

  // ---- a session as check-in point
  await page.getByRole('button', { name: 'Change' }).click();
  await page.waitForSelector('#view-setup:not([hidden])');
  out.remembered_gate = await page.getByLabel('Gate name').inputValue();
  await page.getByLabel('Check-in point').selectOption(String(args.session_id));
  await page.getByRole('button', { name: 'Start checking in' }).click();
  await page.waitForSelector('#view-scan:not([hidden])');
  out.session_context = await text(page, '.scan-context p');
  await type('not_for_session', args.codes.day_pass);
  await shots(page, 'scan_not_for_session');
  await type('session_ok', args.codes.ok);
  await page.waitForFunction(() => document.getElementById('count-total').textContent === '1');
  out.session_total_label = await text(page, '#count-total-label');
  out.all_nonces = posts.map((b) => b.nonce);
  out.session_ids = posts.map((b) => b.session_id);
  out.gates = [...new Set(posts.map((b) => b.gate))];
  // The aborted attempts are logged by the browser as failed loads.
  noErrors(page, [401, 404, 409, 422], 'scanner answers', [/ERR_INTERNET_DISCONNECTED/]);
  return out;
});
