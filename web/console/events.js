// Events: the list of events the user manages, creating one, and an
// event's settings with publish / close.
'use strict';

(() => {
  const A = ConsoleApp;

  A.route(/^\/$/, async (m, _p, _q, current) => {
    const r = await Confero.get('/api/v1/events?scope=mine');
    if (!current()) return;
    const events = r.events || [];
    const rows = events.map((ev) => [
      UI.el('a', { href: '#' + A.eventPath(ev, ''), text: ev.name }),
      A.fmtRange(ev.starts_at, ev.ends_at, ev.timezone),
      A.statusBadge(ev.status),
      (ev.seats_taken || 0) + (ev.capacity === null || ev.capacity === undefined ? '' : ' / ' + ev.capacity),
      UI.el('span', { class: 'row-links' },
        UI.el('a', { href: '#' + A.eventPath(ev, 'registrations'), text: 'Registrations' }), ' ',
        UI.el('a', { href: '#' + A.eventPath(ev, 'dashboard'), text: 'Dashboard' })),
    ]);
    A.put(m,
      UI.el('div', { class: 'title-row' },
        UI.el('h1', { text: 'Your events' }),
        UI.el('a', { class: 'button', href: '#/events/new', text: 'New event' })),
      events.length
        ? A.table(['Event', 'When', 'Status', 'Seats taken', 'Open'], rows, { caption: 'Your events', class: 'events-table' })
        : UI.el('p', { class: 'empty', text: 'No events yet. Create your first one.' }));
  });

  function eventSpec(create, zone) {
    const zones = TZ.zones();
    if (!zones.includes(zone)) zones.unshift(zone);
    const spec = [
      { name: 'name', label: 'Name', required: true, maxlength: 200 },
    ];
    if (create) {
      spec.push({ name: 'slug', label: 'Web address', required: true, maxlength: 64,
        hint: 'Lower-case letters, digits and hyphens: the event\u2019s page will be /events/<address>.',
        pattern: '[a-z0-9-]+', autocomplete: 'off', spellcheck: 'false' });
    }
    spec.push(
      { name: 'description', label: 'Description', type: 'textarea', rows: 5 },
      { name: 'venue', label: 'Venue', maxlength: 300 },
      { name: 'timezone', label: 'Time zone', type: 'select', required: true, options: zones,
        hint: 'All times of this event are entered and shown in this zone.' },
      { name: 'starts_at', label: 'Starts', type: 'datetime', required: true },
      { name: 'ends_at', label: 'Ends', type: 'datetime', required: true },
      { name: 'capacity', label: 'Capacity', type: 'number', min: 0, hint: 'Seats for the whole event; leave empty for no limit.' },
      { name: 'waitlist', label: 'Keep a waiting list when full', type: 'checkbox' },
      { name: 'registration_opens_at', label: 'Registration opens', type: 'datetime', hint: 'Empty: as soon as the event is published.' },
      { name: 'registration_closes_at', label: 'Registration closes', type: 'datetime', hint: 'Empty: when the event ends.' },
    );
    return spec;
  }

  function slugify(s) {
    return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  }

  A.route(/^\/events\/new$/, async (m) => {
    const zone = TZ.browserZone();
    let f = null;
    f = Forms.build(eventSpec(true, zone), { timezone: zone, waitlist: false }, {
      submit: 'Create event',
      tz: () => f.control('timezone').input.value || zone,
      onSubmit: async (v) => {
        const ev = await Confero.post('/api/v1/events', v);
        A.go(A.eventPath(ev, ''), { msg: 'created' });
      },
    });
    // The address follows the name until it is edited by hand.
    const name = f.control('name').input;
    const slug = f.control('slug').input;
    let touched = false;
    slug.addEventListener('input', () => { touched = true; });
    name.addEventListener('input', () => { if (!touched) slug.value = slugify(name.value); });
    A.put(m,
      UI.el('p', { class: 'crumbs' }, UI.el('a', { href: '#/', text: 'Events' }), ' / New event'),
      UI.el('h1', { text: 'New event' }),
      f.form);
  });

  A.route(/^\/events\/([^/]+)$/, async (m, [slug], query, current) => {
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const said = { created: 'Event created. It is a draft until you publish it.',
      published: 'Published.', closed: 'Closed: registration has stopped.' }[query.get('msg')];
    if (said) A.flash(msgs, said);

    let f = null;
    f = Forms.build(eventSpec(false, ev.timezone), ev, {
      submit: 'Save settings',
      tz: () => f.control('timezone').input.value || ev.timezone,
      onSubmit: async (v) => {
        const saved = await Confero.patch('/api/v1/events/' + encodeURIComponent(slug), v);
        A.setTz(saved.timezone);
        f.notice('Saved.');
      },
    });

    const statusBox = UI.el('div', { class: 'status-actions' });
    const drawStatus = (e) => {
      const publicUrl = '/events/' + encodeURIComponent(e.slug);
      A.put(statusBox,
        UI.el('p', {}, 'Status: ', A.statusBadge(e.status), ' ',
          e.status === 'draft' ? 'Only staff can see it.' : e.status === 'published'
            ? 'Public; registration follows its window.' : 'Closed: no new registrations.'),
        UI.el('p', {}, 'Public page: ', UI.el('a', { href: publicUrl, text: location.origin + publicUrl })),
        UI.el('div', { class: 'actions' },
          e.status !== 'published' ? A.actionButton(e.status === 'closed' ? 'Re-open (publish)' : 'Publish', async () => {
            await Confero.post('/api/v1/events/' + encodeURIComponent(slug) + '/publish');
            A.go(A.eventPath(e, ''), { msg: 'published' });
          }, { class: '', errors: () => msgs }) : null,
          e.status !== 'closed' ? A.actionButton('Close registration', async () => {
            await Confero.post('/api/v1/events/' + encodeURIComponent(slug) + '/close');
            A.go(A.eventPath(e, ''), { msg: 'closed' });
          }, { class: 'danger', confirm: 'Close this event? Nobody can register any more.', errors: () => msgs }) : null));
    };
    drawStatus(ev);

    A.put(m,
      A.eventHeader(ev, '', 'Settings: ' + ev.name),
      msgs,
      A.section('Publication', statusBox),
      A.section('Details', f.form));
  });
})();
