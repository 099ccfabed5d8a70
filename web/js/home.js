// The home page: published events, upcoming first, each with its dates in
// the event's own time zone, venue and availability.  The page speaks the
// visitor's language (?lang, the confero_lang cookie, the browser's; any
// language Confero has); each event's texts come as the list API
// negotiated them for that event, within its own languages.
'use strict';

(() => {
  function card(ev) {
    const tz = ev.timezone;
    const code = ev.language || I18N.negotiate(ev.languages);
    const link = Pub.contentLang(UI.el('a', { href: '/events/' + encodeURIComponent(ev.slug), text: ev.name }), code);
    const meta = UI.el('dl', { class: 'meta' },
      UI.el('dt', { text: t('When') }),
      UI.el('dd', {}, UI.el('time', { datetime: ev.starts_at, text: Pub.dateRange(ev.starts_at, ev.ends_at, tz) })),
      ev.venue ? UI.el('dt', { text: t('Where') }) : null,
      ev.venue ? Pub.contentLang(UI.el('dd', { text: ev.venue }), code) : null);
    const li = UI.el('li', { class: 'card event-card' }, UI.el('h3', {}, link), meta);
    const reg = Pub.registrationState(ev);
    let badge = null;
    if (Date.parse(ev.ends_at) <= Date.now()) badge = null;
    else if (!reg.open) badge = UI.el('p', { class: 'badge', text: t('Registration closed') });
    else if (ev.available === 0 && ev.waitlist) badge = UI.el('p', { class: 'badge warn', text: t('Full – waiting list open') });
    else if (ev.available === 0) badge = UI.el('p', { class: 'badge bad', text: t('Fully booked') });
    else if (ev.available !== null && ev.available !== undefined && ev.available <= 10)
      badge = UI.el('p', { class: 'badge warn', text: tn('{n} place left', '{n} places left', ev.available) });
    if (badge) li.append(badge);
    if (ev.description) {
      const first = ev.description.split(/\n/)[0];
      const short = Array.from(first).length > 220 ? Array.from(first).slice(0, 217).join('') + '…' : first;
      li.append(Pub.contentLang(UI.el('p', { class: 'summary', text: short }), code));
    }
    return li;
  }

  async function load() {
    await I18N.init();
    Pub.mountSwitcher();
    const status = UI.$('#status');
    let data;
    try {
      data = await Confero.get('/api/v1/events' + Pub.langQuery());
    } catch (e) {
      UI.clear(status).append(UI.el('p', { class: 'notice bad',
        text: t('The events could not be loaded. {reason}', { reason: Pub.generalError(e) }) }));
      return;
    }
    const events = (data && data.events) || [];
    const now = Date.now();
    const upcoming = events.filter((e) => Date.parse(e.ends_at) > now);
    const past = events.filter((e) => Date.parse(e.ends_at) <= now)
      .sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
    UI.clear(status);
    if (!events.length) status.append(UI.el('p', { class: 'notice', text: t('There are no events at the moment. Please come back later.') }));
    else if (!upcoming.length) status.append(UI.el('p', { class: 'notice', text: t('There are no upcoming events at the moment.') }));
    UI.$('#upcoming-list').append(...upcoming.map(card));
    UI.$('#past-list').append(...past.map(card));
    UI.$('#upcoming').hidden = !upcoming.length;
    UI.$('#past').hidden = !past.length;
  }

  load();
})();
