// Mailings in the console: an unknown placeholder is refused on its
// field, the preview shows the server's rendering for the first
// recipient, sending asks first, the progress runs to "done" (one
// recipient refused by the SMTP server), and the outbox lists the failure
// with the server's reply.
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP);
  acceptDialogs(page);
  const out = {};
  await consoleLogin(page, args.email, args.password);
  await view(page, `/events/${args.slug}/mailings`, 'Mailings:');
  out.empty = await text(page, 'section[aria-labelledby=sec-mailings] .empty');
  out.audiences = await page.getByLabel('To', { exact: true }).locator('option').allInnerTexts();

  const f = page.locator('#mailing-form');
  await f.getByLabel('Subject').fill('Practical details for {{event.name}}');
  await f.getByLabel('Message').fill('Dear {{attendee.nmae}},\n\nDoors open at 8:30.');
  await f.getByRole('button', { name: 'Preview' }).click();
  const bodyErr = f.locator('.field:has(label:text-is("Message")) .field-error');
  await bodyErr.waitFor({ state: 'visible' });
  out.placeholder_error = (await bodyErr.innerText()).trim();

  await f.getByLabel('Message').fill('Dear {{attendee.name}},\n\nDoors open at 8:30.\n\nSee you at {{event.venue}}.');
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
