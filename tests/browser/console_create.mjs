// An organiser signs in (a wrong password first), creates an event across
// the spring DST change, a speaker, a session, a ticket type and a
// question through the console, and publishes the event.  The browser runs
// in a time zone far from the event's, so only a conversion in the event's
// own zone gives the right instants.  Python checks the API afterwards.
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, acceptDialogs, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, { ...ENGLISH, timezoneId: 'America/Los_Angeles' });
  acceptDialogs(page);
  const out = {};

  // ---- sign in
  await page.goto('/console/');
  await page.waitForSelector('form.login-form');
  await shots(page, 'console_login');
  await controlsLabelled(page, 'login');
  await page.getByLabel('Email').fill(args.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('.form-summary.notice.bad');
  out.wrong_password = await text(page, '.form-summary');
  check(out.wrong_password.includes('Wrong email or password'), 'wrong password message: ' + out.wrong_password);
  check(await page.locator('#logout').count() === 0, 'signed in with a wrong password?');
  await page.getByLabel('Password').fill(args.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('h1:has-text("Your events")');
  out.empty_list = await text(page, 'main .empty');
  await shots(page, 'console_events_empty');

  // ---- new event
  await page.getByRole('link', { name: 'New event' }).click();
  await page.waitForSelector('h1:has-text("New event")');
  await page.getByLabel('Name', { exact: true }).fill(args.name);
  const slugBox = page.getByLabel('Web address');
  out.suggested_slug = await slugBox.inputValue();
  await slugBox.fill(args.slug);
  await page.getByLabel('Description (optional)').fill('Two days of digital health.');
  await page.getByLabel('Venue (optional)').fill('Cankarjev dom');
  await page.getByLabel('Time zone').selectOption('Europe/Ljubljana');
  await page.getByLabel('Starts', { exact: true }).fill('2027-03-27T09:00');
  // End before start: the server's field error must land on "Ends".
  await page.getByLabel('Ends', { exact: true }).fill('2027-03-26T18:00');
  await page.getByLabel('Capacity (optional)').fill('120');
  await controlsLabelled(page, 'new event');
  await shots(page, 'console_event_new');
  await page.getByRole('button', { name: 'Create event' }).click();
  const endsError = page.locator('.field:has(label:text-is("Ends")) .field-error');
  await endsError.waitFor({ state: 'visible' });
  out.ends_error = (await endsError.textContent()).trim();
  check(await page.getByLabel('Ends', { exact: true }).getAttribute('aria-invalid') === 'true', 'Ends not marked invalid');
  await page.getByLabel('Ends', { exact: true }).fill('2027-03-28T18:00');
  await page.getByRole('button', { name: 'Create event' }).click();
  await page.waitForSelector('h1:has-text("Settings:")');
  out.created_notice = await text(page, '.messages');
  out.status_before = await text(page, '.status-actions .badge');
  out.settings_starts = await page.getByLabel('Starts', { exact: true }).inputValue();
  out.settings_ends = await page.getByLabel('Ends', { exact: true }).inputValue();
  out.url_after_create = page.url();
  await shots(page, 'console_event_settings');

  // ---- programme: a speaker, then a session after the clocks went forward
  await page.getByRole('link', { name: 'Programme' }).click();
  await page.waitForSelector('h1:has-text("Programme:")');
  out.no_sessions = await text(page, '.programme .empty');
  const spk = page.locator('#speaker-form');
  await spk.getByLabel('Name').fill('Dr. Maja Kovač');
  await spk.getByLabel('Organisation (optional)').fill('UKC Ljubljana');
  await spk.getByLabel('Email (optional)').fill('maja@example.test');
  await spk.getByRole('button', { name: 'Add speaker' }).click();
  await page.waitForSelector('.speakers-table th:text-is("Dr. Maja Kovač")');

  const sf = page.locator('#session-form');
  await sf.getByLabel('Title').fill('Opening keynote');
  await sf.getByLabel('Kind').selectOption('keynote');
  // 02:30 on 28 March 2027 does not exist in Ljubljana: refused in the page.
  await sf.getByLabel('Starts (Europe/Ljubljana)').fill('2027-03-28T02:30');
  await sf.getByLabel('Ends (Europe/Ljubljana)').fill('2027-03-28T03:30');
  await sf.getByRole('button', { name: 'Add session' }).click();
  const startErr = sf.locator('.field:has(label:text-is("Starts (Europe/Ljubljana)")) .field-error');
  await startErr.waitFor({ state: 'visible' });
  out.gap_error = (await startErr.textContent()).trim();
  await sf.getByLabel('Starts (Europe/Ljubljana)').fill('2027-03-28T10:00');
  await sf.getByLabel('Ends (Europe/Ljubljana)').fill('2027-03-28T11:00');
  await sf.getByLabel('Room (optional)').fill('Hall A');
  await sf.getByLabel('Track (optional)').fill('Main');
  await sf.getByLabel('Capacity (optional)').fill('50');
  await sf.getByLabel('Dr. Maja Kovač (UKC Ljubljana)').check();
  await sf.getByRole('button', { name: 'Add session' }).click();
  const card = page.locator('.session-card', { hasText: 'Opening keynote' });
  await card.waitFor();
  out.session_card = (await card.innerText()).replace(/\s+/g, ' ').trim();
  out.session_day = await text(page, '.day h3');
  out.session_room = await text(page, '.room h4');
  // Edit it: a later end, another room.
  await card.getByRole('button', { name: 'Edit session Opening keynote' }).click();
  await page.waitForSelector('#session-form h3, h3:has-text("Edit session")');
  out.edit_prefill = {
    starts: await sf.getByLabel('Starts (Europe/Ljubljana)').inputValue(),
    room: await sf.getByLabel('Room (optional)').inputValue(),
  };
  await sf.getByLabel('Ends (Europe/Ljubljana)').fill('2027-03-28T11:30');
  await sf.getByLabel('Room (optional)').fill('Hall B');
  await sf.getByRole('button', { name: 'Save session' }).click();
  await page.waitForSelector('.room h4:text-is("Hall B")');
  out.session_card_edited = (await page.locator('.session-card', { hasText: 'Opening keynote' }).innerText()).replace(/\s+/g, ' ').trim();
  // A second speaker, deleted again after a confirmation.
  await spk.getByLabel('Name').fill('Temporary Speaker');
  await spk.getByRole('button', { name: 'Add speaker' }).click();
  await page.waitForSelector('.speakers-table th:text-is("Temporary Speaker")');
  await page.getByRole('button', { name: 'Delete speaker Temporary Speaker' }).click();
  await page.waitForFunction(() => !/Temporary Speaker/.test(document.querySelector('.speakers-table')?.textContent || ''));
  out.speaker_delete_asked = page.dialogs.slice(-1)[0] || '';
  await controlsLabelled(page, 'programme');
  await shots(page, 'console_programme');

  // ---- ticket type limited to that session, and a question
  await page.getByRole('link', { name: 'Tickets & questions' }).click();
  await page.waitForSelector('h1:has-text("Tickets & questions:")');
  const tf = page.locator('#ttype-form');
  await tf.getByLabel('Name', { exact: true }).fill('Standard');
  await tf.getByLabel('Price (optional)').fill('25.50');
  await tf.getByLabel('Currency (optional)').fill('eur');
  await tf.getByLabel('Quota (optional)').fill('100');
  await tf.getByLabel('Sale ends (Europe/Ljubljana) (optional)').fill('2027-03-27T08:00');
  await tf.getByLabel('Registrations need approval').check();
  await tf.getByLabel('All sessions').uncheck();
  await tf.getByLabel(/^Opening keynote/).check();
  await tf.getByRole('button', { name: 'Add ticket type' }).click();
  const ttRow = page.locator('.ttypes-table tbody tr', { hasText: 'Standard' });
  await ttRow.waitFor();
  out.ttype_row = (await ttRow.innerText()).replace(/\s+/g, ' ').trim();

  const qf = page.locator('#question-form');
  out.options_hidden_for_text = await qf.getByLabel('Options, one per line (optional)').isHidden();
  await qf.getByLabel('Question', { exact: true }).fill('Dietary needs');
  await qf.getByLabel('Answer', { exact: true }).selectOption('choice');
  await qf.getByLabel('Options, one per line (optional)').fill('None\nVegetarian\nVegan');
  await qf.getByLabel('An answer is required').check();
  await qf.getByRole('button', { name: 'Add question' }).click();
  await page.locator('.questions-table tbody tr', { hasText: 'Dietary needs' }).waitFor();
  await controlsLabelled(page, 'tickets');
  await shots(page, 'console_tickets');

  // ---- publish
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.waitForSelector('h1:has-text("Settings:")');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.waitForFunction(() => /Published/.test(document.querySelector('.status-actions .badge')?.textContent || ''));
  out.status_after = await text(page, '.status-actions .badge');
  out.published_notice = await text(page, '.messages');
  // Edit a detail.
  await page.getByLabel('Venue (optional)').fill('Cankarjev dom, Linhart hall');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForFunction(() => /Saved/.test(document.querySelector('.form-summary')?.textContent || ''));
  out.saved_notice = await text(page, '.form-summary');

  // ---- the list now shows it
  await page.getByRole('link', { name: 'Events', exact: true }).first().click();
  await page.waitForSelector('h1:has-text("Your events")');
  out.list_row = (await page.locator('.events-table tbody tr').first().innerText()).replace(/\s+/g, ' ').trim();
  await shots(page, 'console_events');

  // ---- close registration (asks first)
  await page.getByRole('link', { name: args.name }).click();
  await page.waitForSelector('h1:has-text("Settings:")');
  await page.getByRole('button', { name: 'Close registration' }).click();
  await page.waitForFunction(() => /Closed/.test(document.querySelector('.status-actions .badge')?.textContent || ''));
  out.close_asked = page.dialogs.slice(-1)[0] || '';
  out.status_closed = await text(page, '.status-actions .badge');
  out.reopen_offered = await page.getByRole('button', { name: 'Re-open (publish)' }).isVisible();

  // ---- log out
  await page.locator('#logout').click();
  await page.waitForSelector('form.login-form');
  out.after_logout = (await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status)));

  noErrors(page, [401, 422], 'console create');
  return out;
});
