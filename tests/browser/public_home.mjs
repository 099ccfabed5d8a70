// The home page lists the published events (upcoming first, dates and
// times in the event's time zone, venue, link to the event page) and not
// a draft.  args: {published: [{slug, name, time, date, venue?}] in start
// order, draft: {slug, name}}
import { run, newPage, check, shot, args, PHONE, DESKTOP } from './lib.mjs';
import { VISITOR, noErrors } from './public_common.mjs';

run(async (browser) => {
  const page = await newPage(browser, PHONE, VISITOR);
  await page.goto('/');
  await page.waitForSelector('.event-card');
  const cards = await page.$$eval('#upcoming-list .event-card', (els) => els.map((e) => ({
    text: e.innerText,
    href: e.querySelector('h3 a') && e.querySelector('h3 a').getAttribute('href'),
    name: e.querySelector('h3').textContent.trim(),
  })));
  const body = await page.evaluate(() => document.body.innerText);
  check(!body.includes(args.draft.name), 'the draft event is listed: ' + args.draft.name);
  const pos = [];
  for (const ev of args.published) {
    const i = cards.findIndex((c) => c.name === ev.name);
    check(i >= 0, 'published event not listed: ' + ev.name + ' in ' + JSON.stringify(cards.map((c) => c.name)));
    const c = cards[i];
    check(c.href === '/events/' + ev.slug, `link of ${ev.name} is ${c.href}`);
    // The browser is in New York; the event's own time must be shown.
    check(c.text.includes(ev.date) && c.text.includes(ev.time),
      `${ev.name}: want date ${ev.date} and time ${ev.time} (event time zone) in ${JSON.stringify(c.text)}`);
    if (ev.venue) check(c.text.includes(ev.venue), `${ev.name}: venue missing in ${JSON.stringify(c.text)}`);
    pos.push(i);
  }
  check(pos.every((p, k) => k === 0 || pos[k - 1] < p), 'upcoming events are not in start order: ' + JSON.stringify(cards.map((c) => c.name)));
  await shot(page, 'public_home_list_phone');
  noErrors(page, 'home');

  // Following a link opens that event's page.
  await page.click(`a[href="/events/${args.published[1].slug}"]`);
  await page.waitForSelector('#event:not([hidden])');
  const h1 = await page.textContent('h1');
  noErrors(page, 'home → event');

  // The draft's own address shows "not found", not its content.
  const d = await newPage(browser, DESKTOP, VISITOR);
  await d.goto('/events/' + args.draft.slug);
  await d.waitForSelector('#status h1');
  const dtext = await d.evaluate(() => document.body.innerText);
  check(dtext.includes('Event not found') && !dtext.includes(args.draft.name), 'draft event page: ' + dtext.slice(0, 300));
  return { h1: h1.trim(), cards: cards.length };
});
