// The event page: details in the event's time zone, the programme grouped
// by day and then room with kinds, tracks, speakers and sign-up places,
// speakers, ticket types with prices and availability (sold out shown and
// not choosable), the .ics link, and availability that updates while the
// page is open.  args: {slug, name, sessions: {key: {id, title}},
// tt: {standard, early, vip, last}, q: question ids, email, other: a
// registration body taking the last FHIR place, other_last: one taking
// the only seat of tt.last}
import { run, newPage, check, shot, args, PHONE, DESKTOP } from './lib.mjs';
import { VISITOR, noErrors, apiPost } from './public_common.mjs';

const S = args.sessions;

run(async (browser) => {
  const page = await newPage(browser, DESKTOP, VISITOR);
  await page.goto('/events/' + args.slug);
  await page.waitForSelector('#reg-form:not([hidden])');
  const head = await page.evaluate(() => ({
    h1: document.querySelector('h1').textContent,
    when: document.getElementById('ev-when').textContent,
    venue: document.getElementById('ev-venue').textContent,
    tz: document.getElementById('ev-tz').textContent,
    title: document.title,
    about: document.getElementById('ev-description').innerText,
  }));
  check(head.h1 === args.name && head.title.startsWith(args.name), 'name/title: ' + JSON.stringify(head));
  check(/Friday/.test(head.when) && head.when.includes('May 14, 2027') && head.when.includes('09:00') &&
    head.when.includes('May 15, 2027') && head.when.includes('18:00'), 'dates in the event time zone: ' + head.when);
  check(head.venue === 'Cankarjev dom, Ljubljana', 'venue: ' + head.venue);
  check(head.tz.includes('Europe/Ljubljana'), 'time zone note: ' + head.tz);
  check(head.about.includes('Hospitals, start-ups and researchers.'), 'description: ' + head.about);

  // Programme: days, then rooms, then sessions in time order.
  const days = await page.$$eval('#programme-body .day', (ds) => ds.map((d) => ({
    heading: d.querySelector('h3').textContent,
    rooms: Array.from(d.querySelectorAll('.room')).map((r) => ({
      name: r.querySelector('h4').textContent,
      sessions: Array.from(r.querySelectorAll('.session')).map((s) => ({
        title: s.querySelector('.session-title').textContent,
        time: s.querySelector('.session-time').textContent,
        avail: (s.querySelector('.session-avail') || {}).textContent || '',
        text: s.innerText,
      })),
    })),
  })));
  const shape = days.map((d) => [d.heading, d.rooms.map((r) => [r.name, r.sessions.map((s) => s.title + ' ' + s.time)])]);
  check(days.length === 2 && days[0].heading.includes('May 14, 2027') && days[1].heading.includes('May 15, 2027'),
    'days: ' + JSON.stringify(shape));
  const want = [
    [['Hall A', ['Opening keynote 09:00–10:00', 'Interoperability in practice 10:30–11:15']],
      ['Room 2', ['FHIR hands-on 10:30–12:00']]],
    [['Hall A', ['Closing panel 16:00–17:00']], ['Room 3', ['Small lab 09:00–10:00']]],
  ];
  check(JSON.stringify(shape.map((d) => d[1])) === JSON.stringify(want), 'programme by day and room: ' + JSON.stringify(shape));
  const find = (title) => days.flatMap((d) => d.rooms.flatMap((r) => r.sessions)).find((s) => s.title === title);
  const keynote = find('Opening keynote');
  check(keynote.text.includes('Keynote') && keynote.text.includes('Track: Main') &&
    keynote.text.includes('Dr. Maja Kovač (UKC Ljubljana)') && keynote.avail === '', 'keynote: ' + JSON.stringify(keynote));
  check(find('FHIR hands-on').avail.includes('1 of 2 places left'), 'FHIR availability: ' + JSON.stringify(find('FHIR hands-on')));
  check(/Full/.test(find('Small lab').avail), 'full session not shown full: ' + JSON.stringify(find('Small lab')));

  const speakers = await page.$$eval('#speakers-body .speaker', (els) => els.map((e) => e.innerText));
  check(speakers.length === 2 && speakers[0].includes('Dr. Maja Kovač') && speakers[0].includes('UKC Ljubljana') &&
    speakers[0].includes('Leads the telemedicine programme.') && speakers[1].includes('HealthTech d.o.o.') &&
    speakers[1].includes('Builds FHIR servers.'), 'speakers: ' + JSON.stringify(speakers));

  const tickets = await page.$$eval('#tickets-body .ticket', (els) => els.map((e) => e.innerText));
  const tk = (n) => tickets.find((t) => t.startsWith(n)) || '';
  // 100 seats in the event, two taken.
  check(tk('Standard').includes('Free') && tk('Standard').includes('98 left'), 'standard ticket: ' + tk('Standard'));
  check(tk('Early bird').includes('€50.00') && tk('Early bird').includes('Sold out'), 'sold-out ticket: ' + tk('Early bird'));
  check(/approved by the organiser/.test(tk('Partner')), 'approval ticket: ' + tk('Partner'));

  // The form: a sold-out type and a full session cannot be chosen.
  const form = await page.evaluate((a) => {
    const lab = (id) => document.querySelector(`label[for="${id}"]`).textContent;
    return {
      earlyDisabled: document.getElementById('tt-' + a.tt.early).disabled,
      earlyLabel: lab('tt-' + a.tt.early),
      stdDisabled: document.getElementById('tt-' + a.tt.standard).disabled,
      labDisabled: document.getElementById('s-' + a.sessions.lab.id).disabled,
      labLabel: lab('s-' + a.sessions.lab.id),
      fhirDisabled: document.getElementById('s-' + a.sessions.fhir.id).disabled,
      fhirLabel: lab('s-' + a.sessions.fhir.id),
      consentLink: document.querySelector('label[for="f-consent"] a').getAttribute('href'),
    };
  }, args);
  check(form.earlyDisabled && /Sold out/.test(form.earlyLabel) && !form.stdDisabled, 'ticket choice: ' + JSON.stringify(form));
  check(form.labDisabled && /full/.test(form.labLabel), 'full session choosable: ' + JSON.stringify(form));
  check(!form.fhirDisabled && /1 place left/.test(form.fhirLabel), 'FHIR sign-up: ' + JSON.stringify(form));
  check(form.consentLink === '/privacy.html', 'consent label links to ' + form.consentLink);

  // A ticket type that includes no sign-up session offers none.
  await page.check('#tt-' + args.tt.vip);
  check(await page.isHidden('#f-session_ids'), 'sign-up sessions shown for a ticket type without them');
  await page.check('#tt-' + args.tt.standard);
  check(await page.isVisible('#s-' + S.fhir.id), 'sign-up sessions not back for the standard ticket');

  // Add to calendar: the link gives the programme as iCalendar.
  const ics = await page.evaluate(async () => {
    const a = document.getElementById('ics');
    const r = await fetch(a.getAttribute('href'));
    return { status: r.status, type: r.headers.get('Content-Type'), start: (await r.text()).slice(0, 200), text: a.textContent };
  });
  check(/calendar/i.test(ics.text), 'calendar link text: ' + ics.text);
  check(/text\/calendar/.test(ics.type || ''), 'calendar link type: ' + ics.type);

  await shot(page, 'public_event_desktop');

  // Someone else takes the last FHIR place: the open page shows it full
  // after its next refresh (here: the window gaining focus) once the
  // server's copy of the event has caught up (it may be a second old).
  const other = await apiPost(`/api/v1/events/${args.slug}/registrations`, args.other);
  check(other.status === 201, 'other registration: ' + JSON.stringify(other));
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.waitForFunction((id) => document.getElementById('s-' + id).disabled, S.fhir.id, { timeout: 10000 });
  const after = await page.evaluate((id) => ({
    label: document.querySelector(`label[for="s-${id}"]`).textContent,
    prog: document.querySelector(`.session[data-session-id="${id}"] .session-avail`).textContent,
  }), S.fhir.id);
  check(/full/.test(after.label) && /Full/.test(after.prog), 'FHIR not shown full after refresh: ' + JSON.stringify(after));

  // The last seat of a ticket type goes to someone else while this visitor
  // fills the form: the server's sold_out is shown by the ticket choice.
  await page.check('#tt-' + args.tt.last);
  await page.fill('#f-name', 'Pia Partner');
  await page.fill('#f-email', args.email);
  await page.fill('#q-' + args.q.job, 'Manager');
  await page.check(`#q-${args.q.role}-2`);
  await page.selectOption('#q-' + args.q.country, 'AT');
  await page.check('#f-consent');
  const taken = await apiPost(`/api/v1/events/${args.slug}/registrations`, args.other_last);
  check(taken.status === 201, 'other registration (last seat): ' + JSON.stringify(taken));
  await page.click('#submit');
  await page.waitForFunction(() => !document.getElementById('err-ticket_type_id').hidden);
  const sold = await page.evaluate(() => ({
    err: document.getElementById('err-ticket_type_id').textContent,
    summary: document.getElementById('error-list').textContent,
    invalid: document.querySelector('input[name=ticket_type_id]').getAttribute('aria-invalid'),
  }));
  check(/sold out/.test(sold.err) && /No places are left/.test(sold.summary) && sold.invalid === 'true',
    'sold_out: ' + JSON.stringify(sold));
  await page.waitForFunction((id) => document.getElementById('tt-' + id).disabled, args.tt.last, { timeout: 10000 });
  await shot(page, 'public_event_sold_out_desktop');

  // Another type, one the organiser approves: the result says so, with no QR yet.
  await page.check('#tt-' + args.tt.vip);
  await page.click('#submit');
  await page.waitForSelector('#reg-result [data-status]');
  const pending = await page.evaluate(() => ({
    status: document.querySelector('#reg-result [data-status]').dataset.status,
    text: document.getElementById('reg-result').innerText,
    qr: !!document.querySelector('#reg-result img'),
  }));
  check(pending.status === 'pending_approval' && /waiting for approval/i.test(pending.text) &&
    /approved or declined/.test(pending.text) && /see your registration/.test(pending.text) && !pending.qr,
  'pending approval result: ' + JSON.stringify(pending));
  noErrors(page, 'event page', [409]);

  const phone = await newPage(browser, PHONE, VISITOR);
  await phone.goto('/events/' + args.slug + '#programme');
  await phone.waitForSelector('#reg-form:not([hidden])');
  await shot(phone, 'public_event_phone');
  noErrors(phone, 'event page (phone)');
  return { ics_status: ics.status, ics_start: ics.start };
});
