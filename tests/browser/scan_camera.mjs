// The door scanner with a real camera stream: Chromium plays a .y4m file
// showing a ticket's QR code as its webcam (--use-file-for-fake-video-
// capture).  The page decodes it with zxing-wasm: first "Checked in" with
// the attendee's name; the code stays in view, so after the ~3 s debounce
// it is scanned again and shows "Already checked in at HH:MM, gate".
import { run, newPage, check, PHONE, args } from './lib.mjs';
import { noErrors, acceptDialogs, text, shots, controlsLabelled, ENGLISH } from './console_lib.mjs';

run(async (browser) => {
  const page = await newPage(browser, PHONE, { ...ENGLISH, timezoneId: 'Asia/Tokyo' });
  acceptDialogs(page);
  const out = {};
  await page.goto('/scan/');
  await page.waitForSelector('#view-signin:not([hidden])');
  await shots(page, 'scan_signin');
  await controlsLabelled(page, 'scanner sign-in');
  await page.getByLabel('Email', { exact: true }).fill(args.email);
  await page.getByLabel('Password', { exact: true }).fill(args.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#view-setup:not([hidden])');
  out.single_event = await text(page, '#setup-event-single');
  out.points = await page.locator('#setup-point option').allInnerTexts();
  await page.getByLabel('Gate name').fill(args.gate);
  await controlsLabelled(page, 'scanner setup');
  await shots(page, 'scan_setup');
  await page.getByRole('button', { name: 'Start checking in' }).click();
  await page.waitForSelector('#view-scan:not([hidden])');
  out.context = await text(page, '.scan-context p');
  out.idle_focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
  await shots(page, 'scan_ready');

  // ---- camera
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.waitForFunction(() => document.getElementById('result').dataset.result === 'ok', null, { timeout: 20000 });
  const tOk = Date.now();
  out.ok = { title: await text(page, '#result-title'), name: await text(page, '#result-name'), detail: await text(page, '#result-detail') };
  out.camera_status = await text(page, '#camera-status');
  out.video_playing = await page.evaluate(() => { const v = document.getElementById('video'); return v.videoWidth > 0 && !v.paused; });
  // Ready for the next ticket within a second: not busy, code field focused and empty.
  await page.waitForFunction(() => !document.getElementById('result').hasAttribute('aria-busy') &&
    document.activeElement && document.activeElement.id === 'code' && document.getElementById('code').value === '',
  null, { timeout: 1000 });
  out.ready_ms = Date.now() - tOk;
  out.undo_enabled = await page.locator('#undo').isEnabled();
  await page.waitForFunction(() => document.getElementById('count-total').textContent === '1', null, { timeout: 5000 });
  out.count_device_after_ok = await text(page, '#count-device');
  await shots(page, 'scan_camera_ok');

  // ---- the same code, still in view, after the debounce
  await page.waitForFunction(() => document.getElementById('result').dataset.result === 'warn', null, { timeout: 15000 });
  out.repeat_after_ms = Date.now() - tOk;
  out.warn = { title: await text(page, '#result-title'), name: await text(page, '#result-name') };
  out.count_device_after_repeat = await text(page, '#count-device');
  await shots(page, 'scan_camera_already');
  await page.getByRole('button', { name: 'Stop camera' }).click();
  out.video_hidden = await page.locator('#video-wrap').isHidden();
  out.count_total = await text(page, '#count-total');
  noErrors(page, [401, 409], 'scanner with camera');
  return out;
});
