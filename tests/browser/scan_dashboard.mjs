// The live dashboard moves without a reload: it is open in one browser
// (the organiser) while door staff in another find an attendee by name and
// check them in, and while check-ins arrive through the API (a ticket
// code, a session, and a forged code).  Counts, the per-session table,
// the arrivals chart and the latest scans follow.
import { run, newPage, check, DESKTOP, PHONE, args } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

const stat = (page, key) => text(page, `.stat[data-stat=${key}] .stat-value`);
const waitStat = (page, key, value, timeout = 12000) => page.waitForFunction(([k, v]) =>
  (document.querySelector(`.stat[data-stat=${k}] .stat-value`) || {}).textContent === v, [key, value], { timeout });

run(async (browser) => {
  const out = {};
  const dash = await newPage(browser, DESKTOP, ENGLISH);
  await consoleLogin(dash, args.organiser.email, args.organiser.password);
  await view(dash, `/events/${args.slug}/dashboard`, 'Dashboard:');
  await dash.evaluate(() => { window.__sameDocument = true; });
  out.before = { registered: await stat(dash, 'registered'), checked_in: await stat(dash, 'checked_in'),
    waitlisted: await stat(dash, 'waitlisted'), pending: await stat(dash, 'pending') };
  out.no_arrivals = await dash.locator('.empty', { hasText: 'No arrivals yet' }).isVisible();

  // ---- door staff: look-up by name, check in
  const scan = await newPage(browser, PHONE, ENGLISH);
  acceptDialogs(scan);
  await scan.goto('/scan/');
  await scan.getByLabel('Email', { exact: true }).fill(args.door.email);
  await scan.getByLabel('Password', { exact: true }).fill(args.door.password);
  await scan.getByRole('button', { name: 'Sign in' }).click();
  await scan.waitForSelector('#view-setup:not([hidden])');
  await scan.getByRole('button', { name: 'Start checking in' }).click();
  await scan.waitForSelector('#view-scan:not([hidden])');
  await scan.getByLabel('Name, organisation or email').fill(args.search);
  const btn = scan.getByRole('button', { name: 'Check in ' + args.name, exact: true });
  await btn.waitFor();
  out.lookup_before = (await scan.locator('#lookup-results li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
  out.lookup_email_hidden = !out.lookup_before.some((s) => s.includes('@'));
  await btn.click();
  await scan.waitForFunction(() => document.getElementById('result').dataset.result === 'ok');
  out.scan_name = await text(scan, '#result-name');
  await scan.waitForFunction((n) => [...document.querySelectorAll('#lookup-results li')]
    .some((li) => li.textContent.includes(n) && li.textContent.includes('Checked in at')), args.name);
  out.lookup_after = (await scan.locator('#lookup-results li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
  await controlsLabelled(scan, 'scanner look-up');
  await shots(scan, 'scan_lookup');
  noErrors(scan, [401], 'scanner look-up');

  // ---- the dashboard follows by itself
  const t0 = Date.now();
  await waitStat(dash, 'checked_in', '1');
  out.first_update_ms = Date.now() - t0;

  // ---- a check-in by code, and one at a session, through the API
  await dash.evaluate(async ([slug, code, sid, reg]) => {
    await Confero.post(`/api/v1/events/${slug}/checkins`, { code, gate: 'API', nonce: 'dash-1' });
    await Confero.post(`/api/v1/events/${slug}/checkins`, { registration_id: reg, session_id: sid, gate: 'API', nonce: 'dash-2' });
    // A forged code: refused, and logged.
    await Confero.post(`/api/v1/events/${slug}/checkins`, { code: code.slice(0, -4) + 'AAAA', gate: 'Side door' }).catch(() => null);
  }, [args.slug, args.code, args.session_id, args.session_reg]);
  await waitStat(dash, 'checked_in', '2');
  await dash.waitForFunction((t) => [...document.querySelectorAll('.session-stats tbody tr')]
    .some((tr) => tr.textContent.includes(t) && tr.lastChild.textContent === '1'), args.session_title, { timeout: 12000 });
  out.session_row = (await dash.locator('.session-stats tbody tr', { hasText: args.session_title }).innerText()).replace(/\s+/g, ' ');
  out.checked_extra = await text(dash, '.stat[data-stat=checked_in] .stat-extra');
  out.same_document = await dash.evaluate(() => window.__sameDocument === true);
  out.chart_label = await dash.locator('#arrivals-chart').getAttribute('aria-label');
  out.chart_drawn = await dash.locator('#arrivals-chart').evaluate((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
    return c.width > 100 && ink > 500;
  });
  await dash.locator('summary', { hasText: 'Arrivals as a table' }).click();
  out.arrivals_table = (await dash.locator('.chart-wrap ~ div table tbody').innerText()).replace(/\s+/g, ' ');
  await dash.waitForFunction(() => document.querySelectorAll('.scan-log tbody tr').length >= 4, null, { timeout: 12000 });
  out.scan_rows = (await dash.locator('.scan-log tbody tr').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  out.updated = await text(dash, '.updated');
  await shots(dash, 'console_dashboard');
  noErrors(dash, [401, 404], 'dashboard');   // 404: the forged code's answer
  return out;
});
