// Registrations in the console: paging, filters (checked in, status),
// search, and the row actions: approve, mark paid, edit (with the
// event's questions), re-send the ticket, cancel after a confirmation.
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, ENGLISH);
  acceptDialogs(page);
  const out = {};
  const slug = args.slug;
  await consoleLogin(page, args.email, args.password);

  const base = `/events/${slug}/registrations`;
  const count = () => text(page, '.result-count');
  const rowOf = (name) => page.locator('.regs-table tbody tr', { has: page.locator(`th:text-is("${name}")`) });
  const waitCount = async (want) => page.waitForFunction((w) =>
    (document.querySelector('.result-count') || {}).textContent === w && !document.querySelector('main .loading'), want);

  // ---- paging
  await view(page, base, 'Registrations:');
  out.total = await count();
  out.page1 = await text(page, '.page-info');
  out.rows_page1 = await page.locator('.regs-table tbody tr').count();
  await shots(page, 'console_registrations');
  await controlsLabelled(page, 'registrations');
  await page.getByRole('link', { name: 'Next page' }).click();
  await page.waitForFunction(() => /Page 2/.test(document.querySelector('.page-info')?.textContent || ''));
  out.page2 = await text(page, '.page-info');
  out.rows_page2 = await page.locator('.regs-table tbody tr').count();

  // ---- filter: checked in
  await page.getByLabel('Check-in').selectOption('true');
  await waitCount('1 registration matches.');
  out.checked_in_rows = await page.locator('.regs-table tbody th').allInnerTexts();
  out.hash_after_filter = await page.evaluate(() => location.hash);
  // The download follows the filters and is served with the session cookie.
  await page.locator('.exports summary').click();
  const csv = page.getByRole('link', { name: 'These registrations (CSV)' });
  out.csv_href = await csv.getAttribute('href');
  out.csv = await page.evaluate((h) => fetch(h).then(async (r) => ({ status: r.status, type: r.headers.get('Content-Type'), body: await r.text() })), out.csv_href);
  await page.getByRole('link', { name: 'Clear' }).click();
  await waitCount(out.total);

  // ---- approve a pending registration found by search
  await page.getByLabel('Search', { exact: true }).fill(args.pending);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await waitCount('1 registration matches.');
  out.pending_status = await text(page, '.regs-table tbody .badge');
  await rowOf(args.pending).getByRole('button', { name: 'Approve: ' + args.pending, exact: true }).click();
  await page.waitForFunction(() => /approved/.test(document.querySelector('.messages')?.textContent || ''));
  out.approved_status = await text(page, '.regs-table tbody .badge');
  out.approved_notice = await text(page, '.messages');

  // ---- mark paid (status filter)
  await page.getByRole('link', { name: 'Clear' }).click();
  await waitCount(out.total);
  await page.getByLabel('Status', { exact: true }).selectOption('pending_payment');
  await waitCount('1 registration matches.');
  await rowOf(args.unpaid).getByRole('button', { name: 'Mark paid: ' + args.unpaid, exact: true }).click();
  await page.waitForFunction(() => /marked paid/.test(document.querySelector('.messages')?.textContent || ''));
  out.paid_status = await text(page, '.regs-table tbody .badge');

  // ---- edit, with an invalid email first
  await page.getByRole('link', { name: 'Clear' }).click();
  await waitCount(out.total);
  await page.getByLabel('Search', { exact: true }).fill(args.edit);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await waitCount('1 registration matches.');
  await rowOf(args.edit).getByRole('button', { name: 'Edit: ' + args.edit, exact: true }).click();
  const dlg = page.locator('dialog.edit-dialog');
  await dlg.waitFor();
  out.dialog_title = await text(page, 'dialog.edit-dialog h2');
  out.dialog_job = await dlg.getByLabel('Job title').inputValue();
  await dlg.getByLabel('Email', { exact: true }).fill('not-an-email');
  await dlg.getByRole('button', { name: 'Save changes' }).click();
  const emailErr = dlg.locator('.field:has(label:text-is("Email")) .field-error');
  await emailErr.waitFor({ state: 'visible' });
  out.email_error = (await emailErr.innerText()).trim();
  await dlg.getByLabel('Email', { exact: true }).fill(args.new_email);
  await dlg.getByLabel('Organisation (optional)').fill('Zdravje d.o.o.');
  await dlg.getByLabel('Job title').fill('Head nurse');
  await dlg.getByLabel('Diet', { exact: true }).selectOption('Vegan');
  await controlsLabelled(page, 'edit dialog');
  await shots(page, 'console_registration_edit');
  await dlg.getByRole('button', { name: 'Save changes' }).click();
  await dlg.waitFor({ state: 'hidden' });
  out.edited_row = (await rowOf(args.edit).innerText()).replace(/\s+/g, ' ');

  // ---- re-send the ticket
  await rowOf(args.edit).getByRole('button', { name: 'Re-send ticket: ' + args.edit, exact: true }).click();
  await page.waitForFunction(() => /again/.test(document.querySelector('.messages')?.textContent || ''));
  out.resend_notice = await text(page, '.messages');

  // ---- cancel (asks first)
  await page.getByLabel('Search', { exact: true }).fill(args.cancel);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await waitCount('1 registration matches.');
  const before = page.dialogs.length;
  await rowOf(args.cancel).getByRole('button', { name: 'Cancel: ' + args.cancel, exact: true }).click();
  await page.waitForFunction(() => /cancelled/.test(document.querySelector('.messages')?.textContent || ''));
  out.cancel_asked = page.dialogs.slice(before);
  out.cancelled_status = await text(page, '.regs-table tbody .badge');
  out.cancelled_actions = await rowOf(args.cancel).getByRole('button').allInnerTexts();

  noErrors(page, [401, 422], 'registrations');
  return out;
});
