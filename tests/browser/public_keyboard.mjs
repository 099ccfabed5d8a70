// Registering with the keyboard only (Tab, arrows, Space, Enter, typing):
// the skip link works, the form is reached in a logical order, focus is
// visible, and the result can be left again (no keyboard trap).
// args: {slug, email, tt: the Standard ticket type id, job, country: question ids}
import { run, newPage, check, shot, args, PHONE } from './lib.mjs';
import { VISITOR, noErrors, tabTo, focusedId } from './public_common.mjs';

async function focusVisible(page) {
  return page.evaluate(() => {
    const cs = getComputedStyle(document.activeElement);
    return cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  });
}

async function tab(page, want) {
  await page.keyboard.press('Tab');
  const id = await focusedId(page);
  check(id === want, `Tab went to ${JSON.stringify(id)}, want ${want}`);
  check(await focusVisible(page), `no visible focus on ${want}`);
}

run(async (browser) => {
  const page = await newPage(browser, PHONE, VISITOR);
  await page.goto('/events/' + args.slug);
  await page.waitForSelector('#reg-form:not([hidden])');

  // The first Tab is the skip link, shown when focused; Enter skips to main.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { cls: a.className, visible: r.left >= 0 && r.top >= 0 && r.width > 0 };
  });
  check(skip.cls === 'skip-link' && skip.visible, 'first Tab: ' + JSON.stringify(skip));
  await page.keyboard.press('Enter');
  check(await focusedId(page) === 'main', 'skip link does not move focus to the content');

  // Through the page to the first ticket type.
  const path = await tabTo(page, 'input[name=ticket_type_id]');
  check(await focusVisible(page), 'no visible focus on the ticket type');
  const first = await focusedId(page);
  check(first === 'tt-' + args.tt, 'first ticket radio: ' + first + ' after ' + path.join(' > '));
  await page.keyboard.press('ArrowDown');    // Supporter
  await page.keyboard.press('ArrowUp');      // back to Standard
  await page.keyboard.press('Space');
  check(await page.isChecked('#tt-' + args.tt), 'Standard not chosen by keyboard');

  await tab(page, 'f-name');
  await page.keyboard.type('Mia Keyes');
  await tab(page, 'f-email');
  await page.keyboard.type(args.email);
  await tab(page, 'f-organisation');
  await tab(page, 'q-' + args.job);
  await page.keyboard.type('Engineer');
  await tab(page, 'q-' + args.country);
  await page.keyboard.type('Slovenia');
  const country = await page.inputValue('#q-' + args.country);
  check(country === 'SI', 'typing in the country list chose ' + country);
  await tab(page, 'f-consent');
  await page.keyboard.press('Space');
  check(await page.isChecked('#f-consent'), 'consent not ticked with Space');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.getAttribute('href')) === '/privacy.html',
    'after the consent box comes its privacy link');
  await tab(page, 'submit');
  await shot(page, 'public_keyboard_before_submit_phone');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#reg-result:not([hidden])');
  const status = await page.getAttribute('#reg-result [data-status]', 'data-status');
  check(status === 'confirmed', 'keyboard registration: ' + status);
  check(await focusedId(page) === 'result-h', 'focus not on the result');
  await shot(page, 'public_keyboard_result_phone');

  // No trap: Tab goes on through the result to the footer.
  const rest = await tabTo(page, '.site-footer a[href="/privacy.html"]', 30);
  check(rest.includes('manage-link'), 'the ticket link is not reachable by Tab: ' + rest.join(' > '));
  noErrors(page, 'keyboard registration');
  return { path, rest };
});
