// The home page: published events, upcoming first, each with its dates in
// the event's own time zone, venue and availability.
'use strict';

(() => {
  function card(ev) {
    const tz = ev.timezone;
    const link = UI.el('a', { href: '/events/' + encodeURIComponent(ev.slug), text: ev.name });
    const meta = UI.el('dl', { class: 'meta' },
      UI.el('dt', { text: 'When' }),
      UI.el('dd', {}, UI.el('time', { datetime: ev.starts_at, text: Pub.dateRange(ev.starts_at, ev.ends_at, tz) })),
      ev.venue ? UI.el('dt', { text: 'Where' }) : null,
      ev.venue ? UI.el('dd', { text: ev.venue }) : null);
    const li = UI.el('li', { class: 'card event-card' }, UI.el('h3', {}, link), meta);
    const reg = Pub.registrationState(ev);
    let badge = null;
    if (Date.parse(ev.ends_at) <= Date.now()) badge = null;
    else if (!reg.open) badge = UI.el('p', { class: 'badge', text: 'Registration closed' });
    else if (ev.available === 0 && ev.waitlist) badge = UI.el('p', { class: 'badge warn', text: 'Full – waiting list open' });
    else if (ev.available === 0) badge = UI.el('p', { class: 'badge bad', text: 'Fully booked' });
    else if (ev.available !== null && ev.available !== undefined && ev.available <= 10)
      badge = UI.el('p', { class: 'badge warn', text: ev.available === 1 ? '1 place left' : ev.available + ' places left' });
    if (badge) li.append(badge);
    if (ev.description) {
      const first = ev.description.split(/\n/)[0];
      li.append(UI.el('p', { class: 'summary', text: first.length > 220 ? first.slice(0, 217) + '…' : first }));
    }
    return li;
  }

  async function load() {
    const status = UI.$('#status');
    let data;
    try {
      data = await Confero.get('/api/v1/events');
    } catch (e) {
      UI.clear(status).append(UI.el('p', { class: 'notice bad', text: 'The events could not be loaded. ' + Pub.generalError(e) }));
      return;
    }
    const events = (data && data.events) || [];
    const now = Date.now();
    const upcoming = events.filter((e) => Date.parse(e.ends_at) > now);
    const past = events.filter((e) => Date.parse(e.ends_at) <= now)
      .sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
    UI.clear(status);
    if (!events.length) status.append(UI.el('p', { class: 'notice', text: 'There are no events at the moment. Please come back later.' }));
    else if (!upcoming.length) status.append(UI.el('p', { class: 'notice', text: 'There are no upcoming events at the moment.' }));
    UI.$('#upcoming-list').append(...upcoming.map(card));
    UI.$('#past-list').append(...past.map(card));
    UI.$('#upcoming').hidden = !upcoming.length;
    UI.$('#past').hidden = !past.length;
  }

  load();
})();
