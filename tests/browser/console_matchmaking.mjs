// The organiser console's matchmaking pages: settings saved, the slots
// and participants (with emails, for organisers) listed, hiding a profile,
// the scheduler's numbers, the desk view (table → the two names, per slot,
// with the printable table plan), the downloads, the dashboard's
// matchmaking block, and the programme form's one-to-one fields.
// args: {email, password, slug, names: [...], hide: {id, name},
//        expect: {placed, unplaced, upper_bound}}
import { run, newPage, check, args, DESKTOP } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, ENGLISH);
  acceptDialogs(page);
  const out = {};
  await consoleLogin(page, args.email, args.password);
  await view(page, `/events/${args.slug}/matchmaking`, 'Matchmaking:');
  out.nav = await page.locator('.event-nav a').allInnerTexts();
  await controlsLabelled(page, 'matchmaking settings');

  // ---- settings
  await page.getByLabel('Most meetings per participant').fill('5');
  await page.getByLabel('Hours to answer a request').fill('48');
  await page.getByLabel('Requests close (Europe/Ljubljana) (optional)').fill('2027-05-14T12:00');
  await page.locator('#match-settings').getByLabel('Other', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForSelector('#match-settings .form-summary.notice');
  out.saved = await text(page, '#match-settings .form-summary');

  // ---- slots and participants
  out.slots = await page.locator('.slots-table tbody tr').allInnerTexts();
  out.participants = await page.locator('.match-parts tbody tr').allInnerTexts();
  await page.getByRole('button', { name: `Hide: ${args.hide.name}` }).click();
  await page.getByRole('button', { name: `Show again: ${args.hide.name}` }).waitFor();
  out.hidden_notice = await text(page, '.messages .notice');

  // ---- scheduler
  await page.getByRole('button', { name: 'Run the scheduler' }).click();
  await page.waitForSelector('#sched-result dl');
  out.sched = await page.$$eval('#sched-result dd[data-key]', (els) => Object.fromEntries(els.map((e) => [e.dataset.key, e.textContent])));
  out.sched_notice = await text(page, '#sched-result .notice');
  out.unplaced = await page.locator('.unplaced-table tbody tr').allInnerTexts();
  out.downloads = await page.$$eval('.downloads a', (els) => els.map((a) => a.getAttribute('href')));
  await shots(page, 'console_matchmaking');
  noErrors(page, [401], 'matchmaking page');

  // ---- meetings and the desk view
  await view(page, `/events/${args.slug}/meetings`, 'Meetings:');
  await page.waitForSelector('.desk-table');
  await controlsLabelled(page, 'meetings page');
  const desk = async () => page.$$eval('.desk-table tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent.trim())));
  out.desk = [await desk()];
  out.plan = [await page.getAttribute('#table-plan', 'href')];
  const slotValues = await page.$$eval('#desk-slot option', (os) => os.map((o) => o.value));
  for (const v of slotValues.slice(1)) {
    await page.selectOption('#desk-slot', v);
    await page.waitForFunction((sv) => (document.getElementById('table-plan') || {}).getAttribute &&
      document.getElementById('table-plan').getAttribute('href').endsWith('slot=' + sv), v);
    out.desk.push(await desk());
    out.plan.push(await page.getAttribute('#table-plan', 'href'));
  }
  out.meetings = await page.locator('.meetings-table tbody tr').allInnerTexts();
  await shots(page, 'console_meetings');
  noErrors(page, [401], 'meetings page');

  // ---- dashboard block
  await view(page, `/events/${args.slug}/dashboard`, 'Dashboard:');
  await page.waitForSelector('#mm-stats .stat-cards');
  out.dash = await page.$$eval('#mm-stats .stat', (els) => Object.fromEntries(els.map((e) => [e.dataset.stat, e.querySelector('.stat-value').textContent])));
  out.dash_types = await page.locator('.mm-types tbody tr').allInnerTexts();

  // ---- programme: the one-to-one fields follow the kind
  await view(page, `/events/${args.slug}/programme`, 'Programme:');
  const form = page.locator('#session-form');
  out.one_hidden_for_talk = !(await form.getByLabel('One-to-one meetings between participants (matchmaking slots)').isVisible());
  await form.getByLabel('Kind').selectOption('networking');
  await form.getByLabel('One-to-one meetings between participants (matchmaking slots)').check();
  out.tables_shown = await form.getByLabel('Number of tables (optional)').isVisible();
  await form.getByLabel('Title').fill('Afternoon brokerage');
  await form.getByLabel('Starts (Europe/Ljubljana)').fill('2027-05-15T10:00');
  await form.getByLabel('Ends (Europe/Ljubljana)').fill('2027-05-15T10:40');
  await form.getByLabel('Number of tables (optional)').fill('3');
  await form.getByRole('button', { name: 'Add session' }).click();
  await page.waitForSelector('.messages .notice');
  out.session_card = await text(page, '.session-card:has-text("Afternoon brokerage")');
  noErrors(page, [401], 'programme and dashboard');
  return out;
});
