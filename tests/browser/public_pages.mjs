// Every public page: at 320 px no horizontal scrolling, every control
// labelled, WCAG AA text contrast, lang, title, one h1, a skip link; no
// console errors or CSP violations; screenshots at 360 and 1280 px.
// args: {pages: [{name, path, ready: selector, text: expected text,
// allow: [HTTP statuses the page's fetch may answer, e.g. 404],
// invisible: [selectors that must not be seen]}]}
import { run, newPage, check, shot, args, NARROW, PHONE, DESKTOP } from './lib.mjs';
import { VISITOR, noErrors, pageBasics } from './public_common.mjs';

run(async (browser) => {
  const out = {};
  for (const p of args.pages) {
    for (const [vname, vp] of [['narrow', NARROW], ['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await newPage(browser, vp, VISITOR);
      const resp = await page.goto(p.path);
      check(resp.status() === 200, `${p.name}: page answers ${resp.status()}`);
      await page.waitForSelector(p.ready, { state: 'attached' });
      await page.waitForLoadState('networkidle');
      const text = await page.evaluate(() => document.body.innerText);
      check(text.includes(p.text), `${p.name} (${vname}): want text ${JSON.stringify(p.text)}`);
      const what = `${p.name} at ${vp.width} px`;
      for (const sel of p.invisible || []) {
        check(!(await page.isVisible(sel)), `${what}: ${sel} is shown`);
      }
      if (vname === 'narrow') {
        const b = await pageBasics(page, what);
        out[p.name] = b;
      } else {
        await shot(page, `public_page_${p.name}_${vname}`);
      }
      noErrors(page, what, p.allow || []);
      await page.context().close();
    }
  }
  return out;
});
