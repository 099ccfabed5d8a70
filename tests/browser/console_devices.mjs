// Members and check-in devices in the console: add a member by user id
// (and the refusals), create a device key shown as a pairing QR code and
// link, revoke an older key after a confirmation.
import { run, newPage, check, DESKTOP, args } from './lib.mjs';
import { noErrors, acceptDialogs, consoleLogin, view, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, ENGLISH);
  acceptDialogs(page);
  const out = {};
  const slug = args.slug;
  await consoleLogin(page, args.email, args.password);

  // ---- members
  await view(page, `/events/${slug}/members`, 'Members:');
  await page.waitForSelector('.members-table tbody tr');
  out.members_before = await page.locator('.members-table tbody tr').count();
  const f = page.locator('#member-form');
  await f.getByLabel('User id').fill(String(args.checkin_user_id));
  await f.getByRole('button', { name: 'Add member' }).click();
  await page.waitForFunction(() => /now a member/.test(document.querySelector('#member-form .form-summary')?.textContent || ''));
  out.member_notice = await text(page, '#member-form .form-summary');
  out.members_after = (await page.locator('.members-table tbody').innerText()).replace(/\s+/g, ' ');
  await f.getByLabel('User id').fill(String(args.checkin_user_id));
  await f.getByRole('button', { name: 'Add member' }).click();
  await page.waitForFunction(() => /already/.test(document.querySelector('#member-form .form-summary')?.textContent || ''));
  out.member_again = await text(page, '#member-form .form-summary');
  await f.getByLabel('User id').fill('987654');
  await f.getByRole('button', { name: 'Add member' }).click();
  const idErr = f.locator('.field-error');
  await idErr.waitFor({ state: 'visible' });
  out.member_unknown = (await idErr.innerText()).trim();
  await controlsLabelled(page, 'members');
  await shots(page, 'console_members');

  // ---- devices
  await view(page, `/events/${slug}/devices`, 'Check-in devices:');
  await page.waitForSelector('.tokens-table tbody tr');
  out.devices_before = (await page.locator('.tokens-table tbody').innerText()).replace(/\s+/g, ' ');
  const d = page.locator('#device-form');
  await d.getByLabel('Device name').fill('Main door phone');
  await d.getByRole('button', { name: 'Create device key' }).click();
  await page.waitForSelector('.pairing img.pair-qr');
  out.pair_heading = await text(page, '.pairing h3');
  out.pair_url = await text(page, '.pairing .pair-url');
  out.pair_notices = await page.locator('.pairing .notice').allInnerTexts();
  out.qr_src = await page.locator('.pairing img.pair-qr').getAttribute('src');
  out.qr_alt = await page.locator('.pairing img.pair-qr').getAttribute('alt');
  out.qr_loaded = await page.locator('.pairing img.pair-qr').evaluate((img) => img.complete && img.naturalWidth > 100);
  await page.waitForFunction(() => /Main door phone/.test(document.querySelector('.tokens-table')?.textContent || ''));
  await controlsLabelled(page, 'devices');
  await shots(page, 'console_devices');

  const old = page.locator('.tokens-table tbody tr', { hasText: args.old_token_name });
  await old.getByRole('button', { name: 'Revoke ' + args.old_token_name }).click();
  await page.waitForFunction((n) => [...document.querySelectorAll('.tokens-table tbody tr')]
    .some((tr) => tr.textContent.includes(n) && tr.textContent.includes('Revoked')), args.old_token_name);
  out.revoke_asked = page.dialogs.slice(-1)[0] || '';
  out.devices_after = (await page.locator('.tokens-table tbody').innerText()).replace(/\s+/g, ' ');
  noErrors(page, [401, 409, 422], 'members and devices');
  return out;
});
