// The participants' meetings page (web/meet.html) on phones, in two
// phases (the Python driver reads B's mail in between):
//   phase "request": A opens the page from the ticket page's "Meetings"
//     link, is refused without ticking the consent box, opts in, adds an
//     opportunity, finds B in the recommendations (with the reason) and
//     by topic in the directory (never an email on the page), and asks B
//     for a meeting from the directory.
//   phase "accept": B opens the link of the request mail
//     (…/matchmaking#meeting-N): the page scrolls to that meeting and
//     offers Accept prominently; B accepts; both agendas show the same slot
//     and table; A presses "Start meeting", the fake camera shows B's
//     ticket QR (a .y4m), and the meeting is confirmed as held; A records
//     an outcome.
// args: {phase, a: {manage, name, email}, b: {manage, name, email, org},
//        topic, b_opportunity, link (phase accept), meeting_id}
import { run, newPage, check, shot, args, NARROW, PHONE } from './lib.mjs';
import { VISITOR, noErrors, pageBasics, tabTo } from './public_common.mjs';

const A = args.a;
const B = args.b;

async function apiMeet(page, manage) {
  return page.evaluate(async (m) => {
    const r = await fetch(m + '/matchmaking', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return r.json();
  }, manage);
}

async function noEmails(page, where) {
  const html = await page.content();
  const text = await page.evaluate(() => document.body.innerText);
  for (const e of [A.email, B.email]) {
    check(!html.includes(e), `${where}: the page holds the email ${e}`);
  }
  const dir = await page.evaluate(() => document.getElementById('directory').innerText + document.getElementById('recommended').innerText);
  check(!dir.includes('@'), `${where}: an "@" in the directory or recommendations: ${dir}`);
  return text;
}

async function phaseRequest(browser) {
  const out = {};
  const page = await newPage(browser, NARROW, VISITOR);
  // The ticket page links to the meetings page.
  await page.goto(A.manage);
  await page.waitForSelector('#meet-link');
  out.ticket_link = await page.getAttribute('#meet-link', 'href');
  await page.click('#meet-link');
  await page.waitForSelector('#meet:not([hidden])');
  await page.waitForSelector('#recs-note:not(:empty)');
  out.title = await page.title();
  out.h1 = await page.textContent('h1');
  check(out.h1.includes(args.event_name), 'h1: ' + out.h1);
  check(!(await page.isChecked('#p-visible')), 'the consent box is ticked before the participant ticks it');
  await pageBasics(page, 'meetings page before the profile');
  await shot(page, 'meet_a_start_narrow');

  // The profile, first without the consent: refused, nothing saved.
  await page.fill('#p-headline', 'Head of digital health');
  await page.fill('#p-about', 'We run a regional telemonitoring programme.');
  await page.selectOption('#p-organisation_type', 'hospital');
  await page.selectOption('#p-country', 'SI');
  await page.fill('#p-topics', 'Telemonitoring, diabetes');
  await page.click('#p-save');
  await page.waitForSelector('#err-p-visible:not([hidden])');
  out.consent_error = await page.textContent('#err-p-visible');
  check((await apiMeet(page, A.manage)).profile === null, 'a profile was saved without consent');
  await shot(page, 'meet_a_consent_error_narrow');
  await page.check('#p-visible');
  await page.click('#p-save');
  await page.waitForFunction(() => /listed/.test(document.getElementById('profile-msg').textContent));
  out.saved = await page.textContent('#profile-msg');
  const prof = (await apiMeet(page, A.manage)).profile;
  check(prof && prof.visible && prof.consent_at && prof.organisation_type === 'hospital' &&
    prof.topics.join() === 'telemonitoring,diabetes', 'profile: ' + JSON.stringify(prof));

  // An opportunity.
  await page.selectOption('#opp-kind', 'request');
  await page.fill('#opp-title', 'Pilot site for remote monitoring');
  await page.fill('#opp-topics', 'telemonitoring');
  await page.click('#opp-save');
  await page.waitForSelector('#opps-list li');
  out.opps = await page.textContent('#opps-list');

  // B in the recommendations, with the reason.
  await page.waitForSelector(`#recs-list li[data-profile-id="${B.profile_id}"] .reasons li`);
  out.rec = (await page.textContent(`#recs-list li[data-profile-id="${B.profile_id}"]`)).replace(/\s+/g, ' ');
  check(out.rec.includes(B.name) && out.rec.includes(args.b_opportunity), 'recommendation: ' + out.rec);

  // B in the directory by topic, and nobody else.
  // By keyboard: the topic, Enter, then Tab to the card's button.
  await page.focus('#dir-topic');
  await page.keyboard.type(args.topic);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => {
    const items = document.querySelectorAll('#dir-list li.person');
    return items.length === 1 && items[0].dataset.profileId === String(id);
  }, B.profile_id);
  out.dir_count = await page.textContent('#dir-count');
  out.dir = (await page.textContent('#dir-list')).replace(/\s+/g, ' ');
  check(out.dir.includes(B.name) && out.dir.includes(B.org), 'directory: ' + out.dir);
  await noEmails(page, 'directory');
  await pageBasics(page, 'meetings page with the directory');
  await shot(page, 'meet_a_directory_narrow');

  // The request, from the directory card.
  const card = page.locator(`#dir-list li[data-profile-id="${B.profile_id}"]`);
  await page.focus('#dir-topic');
  out.tab_path = await tabTo(page, `#dir-list li[data-profile-id="${B.profile_id}"] button.request-open`);
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.name);
  check(focused === 'message', 'the request form does not take the focus: ' + focused);
  await page.keyboard.type('Shall we talk about a pilot?');
  await card.getByLabel('About one of their opportunities (optional)').selectOption({ label: 'Offer: ' + args.b_opportunity });
  await card.getByRole('button', { name: 'Send the request' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#mg-sent li.meeting');
  out.meeting_id = Number(await page.getAttribute('#mg-sent li.meeting', 'data-meeting-id'));
  out.sent_card = (await page.textContent('#mg-sent li.meeting')).replace(/\s+/g, ' ');
  out.dir_after = (await card.innerText()).replace(/\s+/g, ' ');
  check(/Requested/.test(out.dir_after), 'the directory card does not show the request: ' + out.dir_after);
  await noEmails(page, 'after the request');
  await shot(page, 'meet_a_requested_narrow');
  noErrors(page, 'meetings page of A (phase 1)');
  return out;
}

async function agendaOf(page) {
  return page.$$eval('#agenda-list li', (els) => els.map((e) => ({
    id: e.dataset.meetingId,
    when: e.querySelector('.session-time').textContent,
    where: e.querySelector('.agenda-where').textContent,
    with: e.querySelector('.agenda-name').textContent,
  })));
}

async function phaseAccept(browser) {
  const out = {};
  const id = args.meeting_id;
  // B from the mail's link: straight to the meeting, Accept first.
  const pb = await newPage(browser, PHONE, VISITOR);
  await pb.goto(args.link);
  await pb.waitForSelector(`#meeting-${id}.target`);
  out.b_focus = await pb.evaluate(() => document.activeElement && document.activeElement.id);
  check(out.b_focus === `meeting-${id}-h`, 'focus not on the linked meeting: ' + out.b_focus);
  const inView = await pb.evaluate((mid) => {
    const r = document.getElementById('meeting-' + mid).getBoundingClientRect();
    return r.top >= -2 && r.top < window.innerHeight;
  }, id);
  check(inView, 'the linked meeting is not scrolled into view');
  const acc = pb.locator(`#meeting-${id} button[data-action=accept]`);
  check(await acc.isVisible() && (await acc.getAttribute('class') || '').includes('prominent'), 'Accept not prominent');
  check(await pb.locator(`#meeting-${id} button[data-action=decline]`).isVisible(), 'no Decline button');
  out.b_request = (await pb.textContent(`#meeting-${id}`)).replace(/\s+/g, ' ');
  check(out.b_request.includes('Shall we talk about a pilot?') && out.b_request.includes(args.b_opportunity), 'request card: ' + out.b_request);
  await pageBasics(pb, 'meetings page of B from the mail');
  await shot(pb, 'meet_b_request');
  await acc.click();
  await pb.waitForSelector(`#meeting-${id}[data-status=scheduled]`);
  out.b_accepted = await pb.textContent(`#meeting-${id} .meeting-msg`);
  out.b_agenda = await agendaOf(pb);
  await shot(pb, 'meet_b_scheduled');
  noErrors(pb, 'meetings page of B');

  // A's agenda: the same slot and table.
  const pa = await newPage(browser, NARROW, VISITOR);
  await pa.goto(A.manage + '/matchmaking');
  await pa.waitForSelector(`#meeting-${id}[data-status=scheduled]`);
  out.a_agenda = await agendaOf(pa);
  check(out.a_agenda.length === 1 && out.b_agenda.length === 1, 'agendas: ' + JSON.stringify(out));
  check(out.a_agenda[0].when === out.b_agenda[0].when && out.a_agenda[0].where === out.b_agenda[0].where,
    'not the same slot and table: ' + JSON.stringify([out.a_agenda, out.b_agenda]));
  check(out.a_agenda[0].with === B.name && out.b_agenda[0].with === A.name, 'agenda names: ' + JSON.stringify(out));
  out.ics = await pa.getAttribute('#agenda-ics', 'href');
  out.pdf = await pa.getAttribute('#agenda-pdf', 'href');

  // Start meeting: the camera sees B's ticket QR.
  await pa.locator(`#meeting-${id}`).getByRole('button', { name: `Start meeting with ${B.name}` }).click();
  await pa.waitForSelector(`#scan-${id} video`);
  await shot(pa, 'meet_a_scanning_narrow');
  await pa.waitForSelector(`#meeting-${id}[data-status=held]`, { timeout: 30000 });
  out.held_msg = await pa.textContent(`#meeting-${id} .meeting-msg`);
  out.camera_stopped = (await pa.$(`#scan-${id}`)) === null;
  out.held_card = (await pa.textContent(`#meeting-${id}`)).replace(/\s+/g, ' ');
  // The outcome.
  await pa.selectOption(`#outcome-${id}-sel`, 'follow_up');
  await pa.fill(`#outcome-${id}-note`, 'Send the pilot plan');
  await pa.click(`#outcome-${id} button[type=submit]`);
  await pa.waitForFunction((mid) => /Saved/.test(document.querySelector(`#outcome-${mid}`).textContent), id);
  out.outcome_msg = (await pa.textContent(`#outcome-${id} p[aria-live]`)).trim();
  await noEmails(pa, 'A after the meeting');
  await pageBasics(pa, 'meetings page of A after the meeting');
  await shot(pa, 'meet_a_held_narrow');
  noErrors(pa, 'meetings page of A (phase 2)');
  return out;
}

run(async (browser) => (args.phase === 'accept' ? phaseAccept(browser) : phaseRequest(browser)));
