// Pairing a device by its link (no staff login, a fresh browser profile):
// the key is kept in localStorage and leaves the address bar; check-in by
// a handheld scanner (typing the code and Enter into the field that has
// focus when idle, and also while a button has focus); undo; the page
// remembers its set-up on reload; "forget this device"; a revoked key
// sends the device back to sign-in.
import { run, newPage, check, PHONE, args } from './lib.mjs';
import { noErrors, acceptDialogs, text, shots, ENGLISH } from './console_lib.mjs';

const result = (page) => page.evaluate(() => document.getElementById('result').dataset.result);

async function waitResult(page, kindWanted, titlePart) {
  await page.waitForFunction(([k, t]) => {
    const r = document.getElementById('result');
    return r.dataset.result === k && !r.hasAttribute('aria-busy') &&
      (!t || document.getElementById('result-title').textContent.includes(t));
  }, [kindWanted, titlePart], { timeout: 10000 });
}

run(async (browser) => {
  const page = await newPage(browser, PHONE, ENGLISH);
  acceptDialogs(page);
  const out = {};
  const token = new URLSearchParams(new URL(args.url).hash.slice(1)).get('token');

  await page.goto(args.url);
  await page.waitForSelector('#view-setup:not([hidden])');
  out.url_after = page.url();
  out.history_hash = await page.evaluate(() => location.hash);
  out.stored = await page.evaluate(() => localStorage.getItem('confero.scan.token'));
  out.stored_matches = out.stored === token;
  out.cookies = (await page.context().cookies()).map((c) => c.name);
  out.nav = await text(page, '#scan-nav');
  out.selected_event = await page.locator('#setup-event').inputValue();
  await page.getByLabel('Gate name').fill('Side door');
  await page.getByRole('button', { name: 'Start checking in' }).click();
  await page.waitForSelector('#view-scan:not([hidden])');

  // ---- handheld scanner: keystrokes into the focused field, then Enter
  out.focus_idle = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.type(args.code, { delay: 2 });
  await page.keyboard.press('Enter');
  await waitResult(page, 'ok');
  out.ok_name = await text(page, '#result-name');
  out.device_after_ok = await text(page, '#count-device');
  out.code_cleared = await page.locator('#code').inputValue() === '';
  await shots(page, 'scan_paired_ok');

  // ---- undo
  out.undo_label = await text(page, '#undo');
  await page.locator('#undo').click();
  await waitResult(page, 'idle', 'undone');
  out.undo_title = await text(page, '#result-title');
  out.device_after_undo = await text(page, '#count-device');
  out.undo_disabled = await page.locator('#undo').isDisabled();
  await page.waitForFunction(() => document.getElementById('count-total').textContent === '0');

  // ---- a scanner typing while a button has focus: the code still goes in
  await page.locator('#change-setup').focus();
  await page.keyboard.type(args.code, { delay: 2 });
  await page.keyboard.press('Enter');
  await waitResult(page, 'ok');
  out.still_scanning = !(await page.locator('#view-scan').isHidden());
  out.device_after_second = await text(page, '#count-device');

  // ---- reload: straight back to scanning, same set-up
  await page.reload();
  await page.waitForSelector('#view-scan:not([hidden])');
  out.context_after_reload = await text(page, '.scan-context p');
  out.device_after_reload = await text(page, '#count-device');

  // ---- forget this device
  await page.getByRole('button', { name: 'Forget this device' }).click();
  await page.waitForSelector('#view-signin:not([hidden])');
  out.forget_asked = page.dialogs.slice(-1)[0] || '';
  out.stored_after_forget = await page.evaluate(() => localStorage.getItem('confero.scan.token'));
  out.forget_message = await text(page, '#messages');
  noErrors(page, [401], 'paired scanner');

  // ---- a revoked key
  const p2 = await newPage(browser, PHONE, ENGLISH);
  await p2.goto(args.revoked_url);
  await p2.waitForSelector('#view-signin:not([hidden])');
  out.revoked_message = await text(p2, '#messages');
  out.revoked_stored = await p2.evaluate(() => localStorage.getItem('confero.scan.token'));
  noErrors(p2, [401], 'revoked device');
  return out;
});
