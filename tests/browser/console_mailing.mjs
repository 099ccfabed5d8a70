// Mailings in the console: the placeholders are listed next to the
// message for the chosen audience (the sessions section for speakers) and
// insert themselves at the cursor, by mouse and by keyboard; an unknown
// placeholder is refused on its field, the preview shows the server's
// rendering for the first recipient, sending asks first, the progress
// runs to "done" (one recipient refused by the SMTP server), and the
// outbox lists the failure with the server's reply.
import { run, newPage, check, DESKTOP, PHONE, args } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, ENGLISH);
  acceptDialogs(page);
  const out = {};
  await consoleLogin(page, args.email, args.password);
  await view(page, `/events/${args.slug}/mailings`, 'Mailings:');
  out.empty = await text(page, 'section[aria-labelledby=sec-mailings] .empty');
  out.audiences = await page.getByLabel('To', { exact: true }).locator('option').allInnerTexts();

  const f = page.locator('#mailing-form');
  const body = f.getByLabel('Message');
  const panel = f.getByRole('group', { name: 'Placeholders' });
  const listed = () => panel.locator('li').evaluateAll((lis) => lis.map((li) => ({
    name: li.querySelector('button').getAttribute('data-placeholder'),
    button: li.querySelector('button').textContent,
    label: li.querySelector('button').getAttribute('aria-label'),
    help: li.querySelector('.placeholder-help').textContent,
    described: li.querySelector('button').getAttribute('aria-describedby') === li.querySelector('.placeholder-help').id,
  })));
  // Side by side at desktop width, the list under the message on a phone.
  const place = async () => {
    const [b, p] = [await body.boundingBox(), await panel.boundingBox()];
    return { beside: p.x >= b.x + b.width && p.y < b.y + b.height, below: p.y >= b.y + b.height };
  };
  out.place_desktop = await place();
  await page.setViewportSize(PHONE);
  out.place_phone = await place();
  await page.setViewportSize(DESKTOP);
  out.ph_attendees = await listed();
  out.ph_note_hidden = await panel.locator('.placeholder-note').isHidden();
  // Every placeholder clicked into an empty message, for the server to check.
  const insertAll = async () => {
    await body.fill('');
    for (const b of await panel.getByRole('button').all()) await b.click();
    return body.inputValue();
  };
  out.all_attendees = await insertAll();
  await page.getByLabel('To', { exact: true }).selectOption('speakers');
  out.ph_speakers = await listed();
  out.ph_note = await text(page, '.placeholders .placeholder-note');
  out.all_speakers = await insertAll();
  // The section goes on its own lines, at the cursor.
  await body.fill('Dear speaker, your talks:');
  await panel.getByRole('button', { name: 'Insert {{#sessions}}\u2026{{/sessions}}' }).click();
  out.section_inserted = await body.inputValue();
  await page.getByLabel('To', { exact: true }).selectOption('attendees');

  // By mouse at the cursor, then by keyboard: Tab from the message reaches
  // the list, Enter on a placeholder inserts it where the cursor was.
  await body.fill('Dear ,\n\nDoors open at 8:30.\n\nSee you at .');
  await body.evaluate((t) => t.setSelectionRange(5, 5));
  await panel.getByRole('button', { name: 'Insert {{attendee.name}}', exact: true }).click();
  out.after_click = await body.inputValue();
  out.focus_back = await body.evaluate((t) => document.activeElement === t && t.selectionStart === 'Dear {{attendee.name}}'.length);
  await body.evaluate((t) => t.setSelectionRange(t.value.length - 1, t.value.length - 1));
  await page.keyboard.press('Tab');
  out.tab_reaches = await page.evaluate(() => document.activeElement.getAttribute('data-placeholder'));
  await panel.getByRole('button', { name: 'Insert {{event.venue}}', exact: true }).focus();
  await page.keyboard.press('Enter');
  out.after_keys = await body.inputValue();

  await f.getByLabel('Subject').fill('Practical details for {{event.name}}');
  await f.getByLabel('Message').fill('Dear {{attendee.nmae}},\n\nDoors open at 8:30.');
  await f.getByRole('button', { name: 'Preview' }).click();
  const bodyErr = f.locator('.field:has(label:text-is("Message")) .field-error');
  await bodyErr.waitFor({ state: 'visible' });
  out.placeholder_error = (await bodyErr.innerText()).trim();

  // The message as the placeholder list made it above.
  await f.getByLabel('Message').fill(out.after_keys);
  await f.getByRole('button', { name: 'Preview' }).click();
  await page.waitForSelector('.preview .mail-html');
  out.preview_count = await text(page, '.preview-count');
  out.preview_subject = await text(page, '.preview-subject');
  out.preview_html = (await page.locator('.preview .mail-html').innerText()).replace(/\s+/g, ' ');
  out.preview_safe = await page.locator('.preview .mail-html').evaluate((box) =>
    !box.querySelector('script, style, img, iframe, object, form, link, meta'));
  out.preview_styled = await page.locator('.preview .mail-html h1').evaluate((h) => getComputedStyle(h).fontSize);
  await page.locator('.preview summary').click();
  out.preview_text = await text(page, '.preview .mail-text');
  await controlsLabelled(page, 'mailings');
  await shots(page, 'console_mailing_preview');

  // ---- send
  await f.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction(() => /Queued/.test(document.querySelector('#mailing-form .form-summary')?.textContent || ''));
  out.queued = await text(page, '#mailing-form .form-summary');
  out.send_asked = page.dialogs.slice(-1)[0] || '';
  await page.waitForFunction(() => /done/.test(document.querySelector('.mail-progress .progress-text')?.textContent || ''), null, { timeout: 60000 });
  out.progress = await text(page, '.mail-progress .progress-text');
  out.progress_value = await page.locator('.mail-progress progress').evaluate((p) => [p.value, p.max]);
  out.progress_failure_note = await text(page, '.mail-progress .notice');
  out.mailings_row = (await page.locator('.mailings-table tbody tr').first().innerText()).replace(/\s+/g, ' ');

  // ---- the outbox, failures only
  await page.getByLabel('Show').selectOption('failed');
  await page.waitForFunction(() => {
    const badges = [...document.querySelectorAll('.outbox-table tbody .badge')];
    return badges.length > 0 && badges.every((b) => b.textContent === 'failed');
  });
  out.failed_rows = (await page.locator('.outbox-table tbody tr').allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
  await shots(page, 'console_mailings');
  noErrors(page, [401, 422], 'mailings');
  return out;
});
