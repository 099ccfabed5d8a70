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
      ev.capacity === null || ev.capacity === undefined ? I18N.number(ev.seats_taken || 0)
        // TRANSLATORS: seats taken of the event's capacity, e.g. "12 / 120".
        : t('{taken} / {capacity}', { taken: I18N.number(ev.seats_taken || 0), capacity: I18N.number(ev.capacity) }),
      UI.el('span', { class: 'row-links' },
        UI.el('a', { href: '#' + A.eventPath(ev, 'registrations'), text: t('Registrations') }), ' ',
        UI.el('a', { href: '#' + A.eventPath(ev, 'dashboard'), text: t('Dashboard') })),
    ]);
    A.put(m,
      UI.el('div', { class: 'title-row' },
        UI.el('h1', { text: t('Your events') }),
        UI.el('a', { class: 'button', href: '#/events/new', text: t('New event') })),
      events.length
        ? A.table([t('Event'), t('When'), t('Status'), t('Seats taken'),
          // TRANSLATORS: the last column holds links to open an event's pages.
          tc('column of links', 'Open')], rows, { caption: t('Your events'), class: 'events-table' })
        : UI.el('p', { class: 'empty', text: t('No events yet. Create your first one.') }));
  });

  function eventSpec(create, zone) {
    const zones = TZ.zones();
    if (!zones.includes(zone)) zones.unshift(zone);
    const spec = [
      { name: 'name', label: t('Name'), required: true, maxlength: 200 },
    ];
    if (create) {
      spec.push({ name: 'slug', label: t('Web address'), required: true, maxlength: 64,
        // TRANSLATORS: /events/<address> is a URL pattern; translate only "address" in it, if at all.
        hint: t('Lower-case letters, digits and hyphens: the event\u2019s page will be /events/<address>.'),
        pattern: '[a-z0-9-]+', autocomplete: 'off', spellcheck: 'false' });
    }
    spec.push(
      { name: 'description', label: t('Description'), type: 'textarea', rows: 5 },
      { name: 'venue', label: t('Venue'), maxlength: 300 },
      { name: 'timezone', label: t('Time zone'), type: 'select', required: true, options: zones,
        hint: t('All times of this event are entered and shown in this zone.') },
      { name: 'starts_at', label: t('Starts'), type: 'datetime', required: true },
      { name: 'ends_at', label: t('Ends'), type: 'datetime', required: true },
      { name: 'capacity', label: t('Capacity'), type: 'number', min: 0, hint: t('Seats for the whole event; leave empty for no limit.') },
      { name: 'waitlist', label: t('Keep a waiting list when full'), type: 'checkbox' },
      { name: 'registration_opens_at', label: t('Registration opens'), type: 'datetime', hint: t('Empty: as soon as the event is published.') },
      { name: 'registration_closes_at', label: t('Registration closes'), type: 'datetime', hint: t('Empty: when the event ends.') },
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
      submit: t('Create event'),
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
      UI.el('p', { class: 'crumbs' }, UI.el('a', { href: '#/', text: t('Events') }), ' / ', t('New event')),
      UI.el('h1', { text: t('New event') }),
      f.form);
  });

  A.route(/^\/events\/([^\/]+)$/, async (m, [slug], query, current) => {
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const said = { created: t('Event created. It is a draft until you publish it.'),
      published: t('Published.'), closed: t('Closed: registration has stopped.') }[query.get('msg')];
    if (said) A.flash(msgs, said);

    let f = null;
    f = Forms.build(eventSpec(false, ev.timezone), ev, {
      submit: t('Save settings'),
      tz: () => f.control('timezone').input.value || ev.timezone,
      onSubmit: async (v) => {
        const saved = await Confero.patch('/api/v1/events/' + encodeURIComponent(slug), v);
        A.setTz(saved.timezone);
        f.notice(t('Saved.'));
      },
    });

    const statusBox = UI.el('div', { class: 'status-actions' });
    const drawStatus = (e) => {
      const publicUrl = '/events/' + encodeURIComponent(e.slug);
      const note = e.status === 'draft' ? t('Only staff can see it.') : e.status === 'published'
        ? t('Public; registration follows its window.') : t('Closed: no new registrations.');
      A.put(statusBox,
        // TRANSLATORS: {status} is the event's status (Draft, Published, Closed), {note} a sentence on what it means.
        UI.el('p', {}, ...A.rich(t('Status: {status} {note}'), { status: A.statusBadge(e.status), note })),
        UI.el('p', {}, ...A.rich(t('Public page: {url}'), { url: UI.el('a', { href: publicUrl, text: location.origin + publicUrl }) })),
        UI.el('div', { class: 'actions' },
          e.status !== 'published' ? A.actionButton(e.status === 'closed' ? t('Re-open (publish)') : t('Publish'), async () => {
            await Confero.post('/api/v1/events/' + encodeURIComponent(slug) + '/publish');
            A.go(A.eventPath(e, ''), { msg: 'published' });
          }, { class: '', errors: () => msgs }) : null,
          e.status !== 'closed' ? A.actionButton(t('Close registration'), async () => {
            await Confero.post('/api/v1/events/' + encodeURIComponent(slug) + '/close');
            A.go(A.eventPath(e, ''), { msg: 'closed' });
          }, { class: 'danger', confirm: t('Close this event? Nobody can register any more.'), errors: () => msgs }) : null));
    };
    drawStatus(ev);

    A.put(m,
      A.eventHeader(ev, '', t('Settings: {event}', { event: ev.name })),
      msgs,
      A.section('publication', t('Publication'), statusBox),
      A.section('details', t('Details'), f.form));
  });
})();
